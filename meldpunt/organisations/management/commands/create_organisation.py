"""manage.py create_organisation: a new organisation with its first functional admin and their set-up link."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from meldpunt.organisations.actions import create_organisation


class Command(BaseCommand):
    help = (
        "Create an organisation (slug, name, integrity office) with its first functional admin: a registry "
        "person, a functioneel_beheerder position, the appointment and a staff login whose one-time set-up "
        "link is printed. A taken slug or username changes nothing and exits with an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="public address /<slug>/, e.g. waterdam")
        parser.add_argument("--name", required=True, help='e.g. "Gemeente Waterdam"')
        parser.add_argument("--integrity-office-name", default="Integriteitsbureau")
        parser.add_argument("--integrity-office-email", default="")
        parser.add_argument("--admin-name", required=True, help="the first functional admin's name")
        parser.add_argument("--admin-email", default="")
        parser.add_argument("--admin-username", required=True)

    def handle(self, *args, **options):
        try:
            new = create_organisation(
                slug=options["slug"],
                name=options["name"],
                integrity_office_name=options["integrity_office_name"],
                integrity_office_email=options["integrity_office_email"],
                admin_name=options["admin_name"],
                admin_email=options["admin_email"],
                admin_username=options["admin_username"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Created {new.organisation.name} at /{new.organisation.slug}/.")
        self.stdout.write(
            f"Functional admin {new.admin.person.name} (username {new.admin.user.username}): give them this "
            "one-time set-up link, in person; it is shown only now:"
        )
        self.stdout.write(new.setup_url)
