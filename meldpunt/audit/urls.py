from django.urls import path

from meldpunt import ids  # noqa: F401  (registers the <id:...> converter)
from meldpunt.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.trail_page, name="trail"),
    path("auditlogboek.csv", views.trail_csv, name="trail_csv"),
    path("controlepunten/", views.checkpoint_list, name="checkpoints"),
    path("controlepunten/nieuw/", views.checkpoint_make, name="checkpoint_make"),
    path("controlepunten/<id:checkpoint_id>/bestand/", views.checkpoint_file, name="checkpoint_file"),
]
