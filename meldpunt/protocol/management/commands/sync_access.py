from django.core.management.base import BaseCommand

from meldpunt.protocol.tasks import schedule, sync_all


class Command(BaseCommand):
    help = (
        "Route every case of every organisation again by today's registry and protocol, so that "
        "appointments that started or ended on a planned date give or take access. With --schedule, "
        "also queue the daily run for the background worker (if none is queued yet)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="queue the daily run for the worker")

    def handle(self, *args, **options):
        changed = sync_all(actor="system:sync_access")
        self.stdout.write(f"{changed} case(s) routed again.")
        if options["schedule"] and schedule():
            self.stdout.write("Daily run queued for the background worker.")
