"""Queue notification e-mails again that should be out but are not.

A ``db_worker`` killed in the middle of a send (power loss, out of memory,
``kill -9``) leaves its task marked as running, and a mail server that stays
down longer than every retry leaves a failed task; either way the
notification has no e-mail yet. Run this now and then (cron, a systemd
timer) beside the workers; it never sends anything twice.
"""

import datetime

from django.core.management.base import BaseCommand

from meldpunt.notifications.service import requeue_unsent


class Command(BaseCommand):
    help = "Queue e-mail tasks again for notifications that are older than --older-than minutes and not sent."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=15, help="minutes (default 15)")

    def handle(self, *args, older_than: int, **options):
        queued = requeue_unsent(datetime.timedelta(minutes=older_than))
        if options["verbosity"]:
            self.stdout.write(f"{len(queued)} notification e-mail(s) queued again")
