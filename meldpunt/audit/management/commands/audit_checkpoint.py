from pathlib import Path

from django.core.management.base import BaseCommand

from meldpunt.audit.checkpoints import checkpoint_all, export, filename
from meldpunt.audit.models import AuditCheckpoint
from meldpunt.audit.tasks import schedule


class Command(BaseCommand):
    help = (
        "Sign the head of every audit chain that grew since its last checkpoint (all chains with --all), "
        "store the checkpoints and, with --export DIR, write the newest of each chain as a file to keep "
        "elsewhere. With --schedule, also queue this for the background worker every hour (if none is queued yet)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="also chains that did not grow")
        parser.add_argument("--export", metavar="DIR", help="write each new checkpoint as a JSON file into DIR")
        parser.add_argument("--schedule", action="store_true", help="queue the hourly checkpoints for the worker")

    def handle(self, *args, **options):
        made = checkpoint_all(only_if_new=not options["all"])
        for checkpoint in made:
            self.stdout.write(f"{checkpoint.chain}: checkpoint at event {checkpoint.seq} ({checkpoint.head_hash[:16]})")
        self.stdout.write(f"{len(made)} checkpoint(s) made.")
        if options["export"]:
            # The newest checkpoint of every chain, also when the chain did not grow since.
            folder = Path(options["export"])
            folder.mkdir(parents=True, exist_ok=True)
            for chain in AuditCheckpoint.objects.values_list("chain", flat=True).distinct().order_by("chain"):
                newest = AuditCheckpoint.objects.filter(chain=chain).order_by("-seq", "-made_at").first()
                path = folder / filename(newest)
                path.write_text(export(newest), encoding="utf-8")
                self.stdout.write(f"{chain}: checkpoint at event {newest.seq} written to {path}")
        if options["schedule"] and schedule():
            self.stdout.write("Checkpoints queued for the background worker, every hour.")
