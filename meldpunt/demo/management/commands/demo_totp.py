from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from meldpunt.demo import data


class Command(BaseCommand):
    help = "Print the current TOTP code (and the otpauth:// link) of a demo staff account."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if username not in {u for u, *_ in data.STAFF}:
            raise CommandError(
                f"{username} is not a demo account; choose one of: {', '.join(u for u, *_ in data.STAFF)}"
            )
        code = totp(bytes.fromhex(data.demo_totp_key(username)))
        self.stdout.write(f"{code:06d}")
        self.stdout.write(data.otpauth_uri(username), ending="\n")
