from django.conf import settings
from django.core.management.base import BaseCommand

from meldpunt.demo import data
from meldpunt.demo.aftercare import load_aftercare
from meldpunt.demo.cases import load_demo_cases
from meldpunt.demo.history import load_history
from meldpunt.demo.loader import load_demo
from meldpunt.demo.measures import load_demo_measures
from meldpunt.demo.minutes import load_demo_minutes
from meldpunt.demo.pattern import load_pattern


class Command(BaseCommand):
    help = "Load the fictional demo municipality Gemeente Voorbeeldstad (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=None,
            help="The address the server listens on, for the links printed "
            "(default: MELDPUNT_BASE_URL; `make run` passes http://HOST:PORT).",
        )

    def handle(self, *args, **options):
        base = (options["base_url"] or settings.BASE_URL).rstrip("/")
        organisation = load_demo()
        self.stdout.write(f"Demo loaded: {organisation.name}, public page {base}/{organisation.slug}/")
        made = load_demo_cases(organisation)
        if made:
            self.stdout.write(
                f"Demo cases: {made}, some of them overdue (the escalation run reminds and escalates them at once)."
            )
        if load_demo_measures(organisation):
            self.stdout.write("Demo measure: a proposal that burdens the reporter, waiting for their consent.")
        self.stdout.write(load_aftercare(organisation))
        if minutes := load_demo_minutes(organisation):
            self.stdout.write(minutes)
        if load_pattern(organisation):
            self.stdout.write("Demo pattern: four reports about former wethouder Gerard Wolters (pattern alerts).")
        if history := load_history(organisation):
            self.stdout.write(f"Demo history: {history} closed cases over two years, for the figures (/cijfers/).")
        self.stdout.write("")
        self.stdout.write(f"Demo staff logins ({base}/account/inloggen/):")
        self.stdout.write(f"  password for all: {data.DEMO_PASSWORD}")
        for username, person, role in data.STAFF:
            self.stdout.write(f"  {username:<20} {person:<20} {role}")
        self.stdout.write("")
        self.stdout.write("Second factor: print the current six-digit code with")
        self.stdout.write("  .venv/bin/python manage.py demo_totp <username>")
        self.stdout.write("or add the account to an authenticator app with the otpauth:// link it prints.")
