from django.apps import AppConfig


class NazorgConfig(AppConfig):
    name = "meldpunt.nazorg"
    label = "nazorg"
