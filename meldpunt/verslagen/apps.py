from django.apps import AppConfig


class VerslagenConfig(AppConfig):
    name = "meldpunt.verslagen"
    label = "verslagen"
