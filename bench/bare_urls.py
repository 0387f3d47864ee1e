"""Meldpunt's URLs and ``/bench/bare/``: a view that reads nothing and renders nothing.

Used only by the load bench (``bench/bare_settings.py``); never part of the application.
"""

from django.http import HttpResponse
from django.urls import path

from meldpunt.urls import handler400  # noqa: F401
from meldpunt.urls import urlpatterns as meldpunt_urlpatterns


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *meldpunt_urlpatterns]
