from django.apps import AppConfig


class BeheerConfig(AppConfig):
    name = "meldpunt.beheer"
    label = "beheer"
