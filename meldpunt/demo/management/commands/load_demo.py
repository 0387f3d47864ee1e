from django.core.management.base import BaseCommand

from meldpunt.demo import data
from meldpunt.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the fictional demo municipality Gemeente Voorbeeldstad (safe to run twice)."

    def handle(self, *args, **options):
        organisation = load_demo()
        self.stdout.write(f"Demo loaded: {organisation.name}, public page /{organisation.slug}/")
        self.stdout.write("")
        self.stdout.write("Demo staff logins (http://127.0.0.1:8000/account/inloggen/):")
        self.stdout.write(f"  password for all: {data.DEMO_PASSWORD}")
        for username, person, role in data.STAFF:
            self.stdout.write(f"  {username:<20} {person:<20} {role}")
        self.stdout.write("")
        self.stdout.write("Second factor: print the current six-digit code with")
        self.stdout.write("  .venv/bin/python manage.py demo_totp <username>")
        self.stdout.write("or add the account to an authenticator app with the otpauth:// link it prints.")
