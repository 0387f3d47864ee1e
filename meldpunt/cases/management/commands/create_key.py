from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from meldpunt.audit.keys import create_audit_key_file
from meldpunt.crypto import create_key_file
from meldpunt.signing import create_signing_key_file


class Command(BaseCommand):
    help = (
        "Create the key-encryption key file (settings.KEY_FILE), the signing key file "
        "(settings.SIGNING_KEY_FILE) and the audit key file (settings.AUDIT_KEY_FILE) if they do not exist yet."
    )

    def handle(self, *args, **options):
        path = Path(settings.KEY_FILE)
        if create_key_file(path):
            self.stdout.write(f"Created key-encryption key in {path}. Back it up apart from the database.")
        else:
            self.stdout.write(f"Key file {path} already exists; left unchanged.")
        path = Path(settings.SIGNING_KEY_FILE)
        if create_signing_key_file(path):
            self.stdout.write(f"Created signing key in {path}. Back it up apart from the database.")
        else:
            self.stdout.write(f"Signing key file {path} already exists; left unchanged.")
        audit_path = Path(settings.AUDIT_KEY_FILE)
        if create_audit_key_file(audit_path):
            self.stdout.write(f"Created the audit key in {audit_path}. Back it up apart from the database.")
        else:
            self.stdout.write(f"Audit key file {audit_path} already exists; left unchanged.")
