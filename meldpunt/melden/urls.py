from django.urls import path

from meldpunt.melden import views

app_name = "melden"
urlpatterns = [
    path("", views.organisation_list, name="organisations"),
    path("<slug:org>/", views.start, name="start"),
    path("<slug:org>/melden/", views.report, name="report"),
    path("<slug:org>/melden/ontvangen/", views.receipt, name="receipt"),
    path("<slug:org>/postvak/", views.inbox_login, name="inbox_login"),
    path("<slug:org>/postvak/melding/", views.inbox, name="inbox"),
    path("<slug:org>/postvak/bijlage/<uuid:attachment_id>/", views.inbox_attachment, name="inbox_attachment"),
    path("<slug:org>/postvak/intrekken/", views.withdraw, name="withdraw"),
    path("<slug:org>/postvak/sluiten/", views.inbox_logout, name="inbox_logout"),
]
