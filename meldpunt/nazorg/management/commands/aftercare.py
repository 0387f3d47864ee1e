from django.core.management.base import BaseCommand

from meldpunt.nazorg import tasks
from meldpunt.nazorg.retaliation import queue_notices


class Command(BaseCommand):
    help = (
        "Queue the e-mails to named reporters whose inbox asks about disadvantage (no content). "
        "--schedule: also start the daily cycle (safe to run from several machines)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="start the daily cycle on the task queue")

    def handle(self, *args, **options):
        queued = queue_notices()
        self.stdout.write(f"Aftercare: {queued} e-mail(s) to reporters queued.")
        if options["schedule"] and tasks.schedule():
            self.stdout.write("Aftercare: the daily run is scheduled.")
