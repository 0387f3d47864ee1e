"""The ``gebruikersnaam`` column of the registry import: a staff login for each person it lists.

A row with a naam and a gebruikersnaam gives that person a login with a
one-time set-up link, made by ``meldpunt.accounts.actions.create_staff_account``
and so by its rules and with its audit event (``account.created``), exactly as
on the person's page: never for the importing admin's own person, never a
second login for one person, never a username that is taken. A person who
already has a login under that very username is left as is, so importing the
same file twice changes nothing. Every problem names its row and, like every
other problem of the file, stores nothing. The set-up links exist only in
the result of the import (``Summary.accounts_created``), shown once.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from meldpunt.accounts.actions import AccountRefused, check_may_manage, clean_username, create_staff_account
from meldpunt.accounts.models import StaffAccount
from meldpunt.registry.models import Person

COLUMN = "gebruikersnaam"


@dataclass(frozen=True)
class NewAccount:
    """A login the import made: who, the username, and the set-up link to hand over."""

    name: str
    username: str
    setup_url: str


def read(planner, row, person_key) -> None:
    """Note the username on ``row`` for the person ``person_key``; one per person."""
    username = row.get(COLUMN).strip().lower()
    if not username:
        return
    earlier = planner.usernames.get(person_key)
    if earlier is None:
        planner.usernames[person_key] = (username, row)
    elif earlier[0] != username:
        planner.problem(
            row,
            _("%(name)s staat op regel %(line)s met een andere gebruikersnaam (%(username)s). Eén login per persoon.")
            % {"name": planner.person_plans[person_key].name, "line": earlier[1].line, "username": earlier[0]},
        )


def check(planner) -> None:
    """Which of the noted usernames become new logins; a problem for each that may not."""
    accounts = {
        a.person_id: a
        for a in StaffAccount.objects.filter(person__organisation=planner.organisation).select_related("user")
    }
    taken_in_file: dict[str, tuple] = {}
    for key, (username, row) in planner.usernames.items():
        plan = planner.person_plans[key]
        account = accounts.get(plan.existing.pk) if plan.existing else None
        if account is not None:
            if account.user.get_username() != username:
                planner.problem(
                    row,
                    _(
                        "%(name)s heeft al een login (%(username)s). Laat de gebruikersnaam leeg of vul "
                        "%(username)s in: één login per persoon."
                    )
                    % {"name": plan.name, "username": account.user.get_username()},
                )
            continue
        if username in taken_in_file:
            other_name, other_row = taken_in_file[username]
            planner.problem(
                row,
                _("De gebruikersnaam %(username)s staat ook op regel %(line)s, bij %(name)s. Kies een andere.")
                % {"username": username, "line": other_row.line, "name": other_name},
            )
            continue
        taken_in_file[username] = (plan.name, row)
        try:
            check_may_manage(planner.staff_user, plan.existing or Person(organisation=planner.organisation))
            clean_username(username)
        except AccountRefused as refused:
            planner.problem(row, refused.messages[0])
        else:
            planner.account_plans.append((key, username, row))


def write(planner, people: dict, summary) -> None:
    """Make the planned logins (inside the import's transaction)."""
    from meldpunt.registry.csv_import import Problem, RegistryImportError

    for key, username, row in planner.account_plans:
        person = people[key]
        try:
            _account, url = create_staff_account(person, username, staff_user=planner.staff_user)
        except AccountRefused as refused:
            # Taken meanwhile by someone else: the whole import is undone.
            raise RegistryImportError([Problem(row.line, refused.messages[0])]) from None
        summary.accounts_created.append(NewAccount(person.name, username, url))
