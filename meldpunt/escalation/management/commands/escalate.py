from django.core.management.base import BaseCommand

from meldpunt.escalation.sweep import sweep
from meldpunt.escalation.tasks import schedule


class Command(BaseCommand):
    help = (
        "Send the reminders and escalations of every deadline that is due now (safe to run at any time: "
        "nothing is sent twice). With --schedule, also queue the sweep for the background worker every "
        "15 minutes (if none is queued yet)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="queue the repeating sweep for the worker")

    def handle(self, *args, **options):
        sent = sweep()
        self.stdout.write(f"{sent} reminder(s) or escalation(s) sent.")
        if options["schedule"] and schedule():
            self.stdout.write("Sweep queued for the background worker, every 15 minutes.")
