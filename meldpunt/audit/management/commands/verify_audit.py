from django.core.management.base import BaseCommand, CommandError

from meldpunt.audit.log import verify_all


class Command(BaseCommand):
    help = "Verify every audit hash chain; exits with an error if one is broken."

    def handle(self, *args, **options):
        reports = verify_all()
        broken = [r for r in reports if not r.ok]
        for report in reports:
            status = "ok" if report.ok else f"BROKEN at {report.describe_break()}"
            self.stdout.write(f"{report.chain}: {report.length} events, {status}")
        if broken:
            raise CommandError(f"{len(broken)} audit chain(s) broken")
        self.stdout.write(self.style.SUCCESS("All audit chains verify."))
