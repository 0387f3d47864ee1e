from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "meldpunt.organisations"
    label = "organisations"
