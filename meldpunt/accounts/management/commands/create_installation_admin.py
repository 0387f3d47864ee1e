"""manage.py create_installation_admin: an installation administrator (a Django
superuser without a registry person) who lists and creates organisations at
/installatie/organisaties/. Gets a one-time set-up link like all staff:
a password and an authenticator app (second factor) are required."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from meldpunt.accounts import actions
from meldpunt.audit.log import record


class Command(BaseCommand):
    help = "Create an installation administrator and print their one-time set-up link."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args, **options):
        try:
            username = actions.clean_username(options["username"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            user = get_user_model().objects.create_user(username, email=options["email"], is_superuser=True)
            url, _link = actions._new_link(user, "system")
            record("account.installation_admin_created", actor="system", username=username)
        self.stdout.write(f"Installation administrator {username}: one-time set-up link, shown only now:")
        self.stdout.write(url)
