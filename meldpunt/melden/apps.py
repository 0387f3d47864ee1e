from django.apps import AppConfig


class MeldenConfig(AppConfig):
    name = "meldpunt.melden"
    label = "melden"
