"""The measures register's addresses: the handler's (under the case page) and
the reporter's answer (under the inbox). Mounted at the site's root, before the
public pages."""

from django.urls import path

from meldpunt.maatregelen import views

app_name = "maatregelen"
CASE = "behandelen/zaak/<str:reference>/maatregelen/"
urlpatterns = [
    path(CASE, views.record, name="record"),
    path(f"{CASE}<uuid:measure_id>/nemen/", views.take, name="take"),
    path(f"{CASE}<uuid:measure_id>/intrekken/", views.withdraw, name="withdraw"),
    path(f"{CASE}<uuid:measure_id>/instemming/", views.consent_conversation, name="consent_conversation"),
    path("<slug:org>/postvak/maatregel/<uuid:measure_id>/", views.answer, name="answer"),
]
