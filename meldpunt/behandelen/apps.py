from django.apps import AppConfig


class BehandelenConfig(AppConfig):
    name = "meldpunt.behandelen"
    label = "behandelen"
