from django.apps import AppConfig


class MaatregelenConfig(AppConfig):
    name = "meldpunt.maatregelen"
    label = "maatregelen"
