from django.urls import path

from meldpunt.behandelen import views

app_name = "behandelen"
urlpatterns = [
    path("", views.home, name="home"),
    path("registreren/", views.register, name="register"),
    path("notificaties/", views.notifications, name="notifications"),
    path("zaak/<str:reference>/persoon/", views.add_subject, name="add_subject"),
    path("zaak/<str:reference>/", views.case_detail, name="case"),
    path("zaak/<str:reference>/status/", views.change_state, name="change_state"),
    path("zaak/<str:reference>/logboek/", views.case_log, name="case_log"),
    path("zaak/<str:reference>/bijlage/<uuid:attachment_id>/", views.attachment, name="attachment"),
]
