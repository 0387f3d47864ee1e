"""Addresses for minutes and meeting requests: the handler's (under the case
page) and the reporter's (under the inbox). Mounted at the site's root, before
the public pages."""

from django.urls import path

from meldpunt.verslagen import views

app_name = "verslagen"
CASE = "behandelen/zaak/<str:reference>/verslagen/"
INBOX = "<slug:org>/postvak/"
urlpatterns = [
    path(CASE, views.record_meeting, name="record_meeting"),
    path(f"{CASE}<uuid:minutes_id>/versie/", views.write_version, name="write_version"),
    path(f"{CASE}<uuid:minutes_id>/goedkeuring/", views.approve_in_person, name="approve_in_person"),
    path(f"{INBOX}verslag/<uuid:minutes_id>/correctie/", views.propose_correction, name="propose_correction"),
    path(f"{INBOX}verslag/<uuid:minutes_id>/goedkeuren/", views.approve, name="approve"),
    path(f"{INBOX}gesprek/", views.request_meeting, name="request_meeting"),
]
