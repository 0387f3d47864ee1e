from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "meldpunt.registry"
    label = "registry"
