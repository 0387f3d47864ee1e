from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "meldpunt.escalation"
    label = "escalation"
