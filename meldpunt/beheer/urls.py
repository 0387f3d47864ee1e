from django.urls import path

from meldpunt import ids  # noqa: F401  (registers the <id:...> converter)
from meldpunt.beheer import account_views, deadline_views, pattern_views, protocol_views, views

app_name = "beheer"
urlpatterns = [
    path("", views.home, name="home"),
    path("personen/nieuw/", views.person_edit, name="person_new"),
    path("personen/<id:pk>/", views.person_edit, name="person"),
    path("personen/<id:pk>/login/", account_views.person_login, name="person_login"),
    path("functies/nieuw/", views.position_edit, name="position_new"),
    path("functies/<id:pk>/", views.position_edit, name="position"),
    path("functies/<id:pk>/benoemen/", views.appointment_add, name="appointment_add"),
    path("benoemingen/<id:pk>/beeindigen/", views.appointment_end, name="appointment_end"),
    path("import/", views.import_csv, name="import"),
    path("import/voorbeeld-register.csv", views.import_example, name="import_example"),
    path("conflicten/", views.conflicts, name="conflicts"),
    path("conflicten/nieuw/", views.conflict_add, name="conflict_add"),
    path("conflicten/<id:pk>/verwijderen/", views.conflict_remove, name="conflict_remove"),
    path("termijnen/", deadline_views.deadlines, name="deadlines"),
    path("patroon/", pattern_views.pattern_settings, name="patterns"),
    path("protocol/", protocol_views.protocol, name="protocol"),
    path("protocol/wijzigen/", protocol_views.protocol_edit, name="protocol_edit"),
    path("protocol/versie/<id:number>/", protocol_views.protocol_version, name="protocol_version"),
    path("protocol/wat-als/", protocol_views.protocol_preview, name="protocol_preview"),
]
