from django.apps import AppConfig


class CijfersConfig(AppConfig):
    name = "meldpunt.cijfers"
    label = "cijfers"
