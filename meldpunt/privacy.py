"""Reporter privacy at the HTTP level."""


class NoStoreMiddleware:
    """Nothing Meldpunt serves, except its static files, may be kept by a
    browser cache or a proxy: a shared computer must not show a report or a
    receipt code to the next user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Cache-Control", "no-store")
        return response


def csrf_failure(request, reason=""):
    """A plain explanation instead of Django's technical CSRF page."""
    from django.shortcuts import render

    return render(request, "403_csrf.html", status=403)
