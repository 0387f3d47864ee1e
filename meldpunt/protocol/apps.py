from django.apps import AppConfig


class ProtocolConfig(AppConfig):
    name = "meldpunt.protocol"
    label = "protocol"
