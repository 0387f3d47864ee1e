from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "meldpunt.registry"
    label = "registry"

    def ready(self):
        from meldpunt.registry import revision  # noqa: F401  (connects the signals that bump the revision)
