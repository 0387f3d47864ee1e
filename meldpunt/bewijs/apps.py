from django.apps import AppConfig


class BewijsConfig(AppConfig):
    name = "meldpunt.bewijs"
    label = "bewijs"

    def ready(self):
        from meldpunt import signing

        signing.check_signing_key_file()
