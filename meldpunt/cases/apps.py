from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "meldpunt.cases"
    label = "cases"

    def ready(self):
        from meldpunt import crypto

        crypto.check_key_file()
