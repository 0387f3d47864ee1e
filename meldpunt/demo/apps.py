from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "meldpunt.demo"
    label = "demo"
