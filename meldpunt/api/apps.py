from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "meldpunt.api"
    label = "api"
    verbose_name = "API"
