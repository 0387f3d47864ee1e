from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "meldpunt.notifications"
    label = "notifications"
