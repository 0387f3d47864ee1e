from django.urls import path

from meldpunt.beheer import views

app_name = "beheer"
urlpatterns = [
    path("", views.home, name="home"),
]
