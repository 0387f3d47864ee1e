from django.urls import path

from meldpunt.api.main import api
from meldpunt.api.reference import reference

urlpatterns = [
    # The reference page, rendered from the OpenAPI schema (no script, no CDN).
    path("", reference, name="api_reference"),
    path(f"v{api.version}/", api.urls),
]
