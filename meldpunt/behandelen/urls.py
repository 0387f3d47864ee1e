from django.urls import path

from meldpunt import ids  # noqa: F401  (registers the <id:...> converter)
from meldpunt.behandelen import behaviour_views, pattern_views, views

app_name = "behandelen"
urlpatterns = [
    path("", views.home, name="home"),
    path("registreren/", views.register, name="register"),
    path("notificaties/", views.notifications, name="notifications"),
    path("mijn-zaken/", views.mine, name="my_cases"),
    path("zaak/<str:reference>/persoon/", views.add_subject, name="add_subject"),
    path("zaak/<str:reference>/", views.case_detail, name="case"),
    path("zaak/<str:reference>/status/", views.change_state, name="change_state"),
    path("zaak/<str:reference>/logboek/", views.case_log, name="case_log"),
    path("zaak/<str:reference>/over/<uuid:link_id>/", pattern_views.person_timeline, name="person_timeline"),
    path("zaak/<str:reference>/over/<uuid:link_id>/corrigeren/", pattern_views.correct_link, name="correct_link"),
    path("zaak/<str:reference>/voorstel/<id:proposal_id>/", pattern_views.decide_proposal, name="decide_proposal"),
    path("zaak/<str:reference>/vastleggen/<slug:what>/", views.record_entry, name="record_entry"),
    path("zaak/<str:reference>/eigenaar/", views.assign_owner, name="assign_owner"),
    path("zaak/<str:reference>/soort-gedrag/", behaviour_views.assess, name="assess_behaviour"),
    path("zaak/<str:reference>/bijlage/<uuid:attachment_id>/", views.attachment, name="attachment"),
]
