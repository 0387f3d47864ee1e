from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from meldpunt.audit.checkpoints import BadCheckpointFile, verify_file
from meldpunt.audit.log import verify_all


class Command(BaseCommand):
    help = (
        "Verify every audit chain (the seal of each event under the audit key, the links, the numbering) and "
        "every stored checkpoint (its signature, and that the chain still holds the signed event); exits with "
        "an error naming the first broken or missing event. With --checkpoint FILE, check the chain against an "
        "exported checkpoint file alone: has anything up to that point changed?"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="an exported checkpoint file (may be given more than once)",
        )

    def handle(self, *args, **options):
        if options["checkpoint"]:
            return self._from_files(options["checkpoint"])
        reports = verify_all()
        broken = [r for r in reports if not r.ok]
        for report in reports:
            if report.broken_at is None:
                status = "ok"
            else:
                status = f"BROKEN at {report.describe_break()}"
            checked = f", {report.checkpoints_checked} checkpoint(s) hold" if report.checkpoints_checked else ""
            self.stdout.write(f"{report.chain}: {report.length} events verified{checked}, {status}")
            for problem in report.problems:
                self.stdout.write(f"  {problem}")
        if broken:
            raise CommandError(f"{len(broken)} audit chain(s) broken")
        self.stdout.write(self.style.SUCCESS("All audit chains and checkpoints verify."))

    def _from_files(self, paths):
        failed = 0
        for name in paths:
            path = Path(name)
            try:
                report = verify_file(path.read_text(encoding="utf-8"))
            except OSError as error:
                raise CommandError(f"{path}: cannot be read ({error.strerror})") from None
            except BadCheckpointFile as error:
                raise CommandError(f"{path}: {error}") from None
            self.stdout.write(f"{path}: chain {report.chain}, {report.seq} events at {report.made_at}")
            for line in report.lines:
                self.stdout.write(f"  {line}")
            failed += not report.ok
        if failed:
            raise CommandError(f"{failed} checkpoint file(s) do not hold: something up to that point changed")
        self.stdout.write(self.style.SUCCESS("Nothing up to the checkpoint(s) has changed."))
