"""The organisation's registry as the resolver sees it (``meldpunt.registry.resolve.Directory``).

One function, ``build_directory``: every person with the name fields the
registry keeps (roepnaam, voornamen, voorletters, tussenvoegsel, achternaam,
other names, e-mail addresses, social media accounts) and every appointment as
a dated ``Term`` (title, category, the portfolio held in that period, unit,
and the position's own e-mail address and accounts, which belong to whoever
held the office on the date). Two queries, read as plain values; with 10,000
people a build takes one to a few seconds on a loaded machine
(bench/patterns.py), a query on it about a millisecond.

The report form's person search (``meldpunt.registry.search``) and subject
resolution on submission (``meldpunt.cases.linking``) take it from
``meldpunt.registry.revision.directory``, which builds it once per registry
revision and day in each process.
"""

import datetime

from meldpunt.registry.models import Appointment, Person, lines, today
from meldpunt.registry.names import PersonName
from meldpunt.registry.resolve import Directory, Known, Term

PERSON_FIELDS = (
    "pk",
    "name",
    "email",
    "voornamen",
    "voorletters",
    "roepnaam",
    "tussenvoegsel",
    "achternaam",
    "aliases",
    "other_emails",
    "handles",
)
TERM_FIELDS = (
    "person_id",
    "start_date",
    "end_date",
    "portfolio",
    "position__title",
    "position__category",
    "position__portfolio",
    "position__unit",
    "position__email",
    "position__handles",
)


def terms_by_person(organisation) -> dict[int, list[Term]]:
    """Every appointment of the organisation as a dated Term, per person, oldest first."""
    terms: dict[int, list[Term]] = {}
    rows = (
        Appointment.objects.filter(person__organisation=organisation)
        .order_by("person_id", "start_date")
        .values_list(*TERM_FIELDS)
    )
    for person, start, end, held, title, category, portfolio, unit, email, handles in rows:
        terms.setdefault(person, []).append(
            Term(
                title=title,
                category=category,
                start=start,
                end=end,
                # Dated portfolios: an appointment's own portfolio, else the position's.
                portfolio=held or portfolio,
                unit=unit,
                emails=(email,) if email else (),
                handles=lines(handles),
            )
        )
    return terms


def build_directory(organisation, day: datetime.date | None = None) -> Directory:
    """The organisation's people with their dated terms, ready for ``resolve()``."""
    terms = terms_by_person(organisation)
    people = []
    for row in Person.objects.filter(organisation=organisation).values(*PERSON_FIELDS):
        people.append(
            Known(
                row["pk"],
                PersonName(
                    row["name"],
                    voornamen=row["voornamen"],
                    voorletters=row["voorletters"],
                    roepnaam=row["roepnaam"],
                    tussenvoegsel=row["tussenvoegsel"],
                    achternaam=row["achternaam"],
                    aliases=lines(row["aliases"]),
                ),
                terms=tuple(terms.get(row["pk"], ())),
                emails=tuple(a for a in (row["email"], *lines(row["other_emails"])) if a),
                handles=lines(row["handles"]),
            )
        )
    return Directory(people, today=day or today())
