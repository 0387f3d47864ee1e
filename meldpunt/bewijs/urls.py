from django.urls import path

from meldpunt.bewijs import views

app_name = "bewijs"
urlpatterns = [
    # Public pages (no login); "bewijs" is a reserved first path segment (organisations/actions.py).
    path("bewijs/", views.verify, name="verify"),
    path("bewijs/sleutels/", views.keys, name="keys"),
    # The reporter's downloads, in the inbox session.
    path("<slug:org>/postvak/bewijs/", views.proof_pdf, name="pdf"),
    path("<slug:org>/postvak/bewijs/tekst/", views.proof_text, name="text"),
    path("<slug:org>/postvak/bewijs/melding/", views.proof_document, name="document"),
]
