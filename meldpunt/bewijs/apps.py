from django.apps import AppConfig


class BewijsConfig(AppConfig):
    name = "meldpunt.bewijs"
    label = "bewijs"
