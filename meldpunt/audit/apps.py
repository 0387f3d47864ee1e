from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "meldpunt.audit"
    label = "audit"

    def ready(self):
        from meldpunt.audit.keys import check_audit_key_file

        check_audit_key_file()
