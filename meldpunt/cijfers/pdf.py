"""PDF documents with WeasyPrint. Static files (the theme's tokens, the
organisation's logo, our print stylesheet) are read from Meldpunt's own
static files; nothing is fetched from anywhere else."""

import mimetypes

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse


def _fetcher(url: str, *args, **kwargs):
    prefix = "file://" + settings.STATIC_URL
    path = url[len(prefix) :] if url.startswith(prefix) else None
    found = finders.find(path) if path else None
    if not found:
        # Only our own static files; anything else is not fetched.
        raise ValueError(f"not a static file: {url[:80]}")
    with open(found, "rb") as handle:
        data = handle.read()
    from weasyprint.urls import URLFetcherResponse

    kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
    return URLFetcherResponse(url, body=data, headers={"Content-Type": kind})


def render(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url="file:///", url_fetcher=_fetcher).write_pdf()


def response(html: str, filename: str) -> HttpResponse:
    answer = HttpResponse(render(html), content_type="application/pdf")
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answer
