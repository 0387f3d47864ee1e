from django.urls import path

from meldpunt.organisations import views

app_name = "organisations"
urlpatterns = [
    path("organisaties/", views.organisation_list, name="list"),
]
