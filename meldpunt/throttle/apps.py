from django.apps import AppConfig


class ThrottleConfig(AppConfig):
    name = "meldpunt.throttle"
    verbose_name = "Rate limits"
