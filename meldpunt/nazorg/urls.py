from django.urls import path

from meldpunt import ids  # noqa: F401  (registers the <id:...> converter)
from meldpunt.nazorg import views

app_name = "nazorg"
urlpatterns = [
    path("beheer/nazorg/", views.settings_page, name="settings"),
    path("beheer/nazorg/steun/nieuw/", views.option_edit, name="option_new"),
    path("beheer/nazorg/steun/<id:pk>/", views.option_edit, name="option"),
    path("behandelen/zaak/<str:reference>/nazorg/aanbieden/", views.offer_again, name="offer_again"),
    path("<slug:org>/postvak/steun/<uuid:offer_id>/", views.answer_support, name="answer_support"),
    path("<slug:org>/postvak/benadeling/", views.disadvantage, name="disadvantage"),
    path("<slug:org>/postvak/gekoppeld/<uuid:case_id>/", views.open_linked, name="open_linked"),
]
