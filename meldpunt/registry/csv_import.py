"""Import the registry (positions, holders, reporting lines, deputies) from a CSV file.

A row per appointment: positions are upserted by their code and appointments
by holder and start date, so importing the same file twice changes nothing.
The whole file is checked first; every problem is reported with its line
number, and if there is any problem nothing is stored.

Semantics, also explained on the import page:

* A column that is missing from the header leaves that field as it is; a
  column that is present but empty clears it (portefeuille, afdeling,
  rapporteert_aan, plaatsvervanger).
* ``naam`` names who holds the position from ``begindatum`` to ``einddatum``.
  People are recognised by name (and by e-mail address when several people
  share a name); someone new is added to the registry.
* A new holder ends the open appointment of the previous holder on the day
  before the new ``begindatum``.
* History: a position may stand on several rows, one per appointment (two
  successive wethouders, or one wethouder whose portfolio changed), with the
  same position data on each. Rows of one position whose periods overlap are
  refused, naming both rows: a position has one holder at a time. The
  ``portefeuille`` of the last row of a position is the position's own; a
  row with another portfolio keeps it on its appointment (dated portfolios,
  docs/adr/0004-dated-portfolios.md).
* ``gebruikersnaam`` gives the person of that row a staff login with a
  one-time set-up link (``meldpunt.registry.import_accounts``), by the rules
  of ``meldpunt.accounts.actions``.
* An empty ``naam`` means a vacancy: the row changes no appointments; end a
  previous holder's appointment on the registry page.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from meldpunt.audit.log import record
from meldpunt.input_rules import describe_character, forbidden_in_single_line
from meldpunt.registry import import_accounts, revision
from meldpunt.registry.csv_format import (  # noqa: F401 - the file format, used here and by the import page
    CODE_PATTERN,
    COLUMNS,
    EXAMPLE_ROWS,
    FIELD_COLUMNS,
    LIST_SEPARATOR,
    MAX_BYTES,
    MAX_LENGTHS,
    NAME_COLUMNS,
    Problem,
    RegistryImportError,
    Row,
    Summary,
    _category,
    _period,
    _show_date,
    example_csv,
    parse_date,
    read_rows,
)
from meldpunt.registry.models import Appointment, Category, Person, Position


@dataclass
class _PositionPlan:
    row: Row
    code: str
    fields: dict
    reports_to: str | None = None
    deputy: str | None = None
    existing: Position | None = None
    rows: list[Row] = field(default_factory=list)  # every row of this position: one per appointment


@dataclass
class _PersonPlan:
    name: str
    email: str
    line: int
    existing: Person | None = None
    new_email: bool = False
    names: dict = field(default_factory=dict)  # NAME_COLUMNS given for this person: field -> value


@dataclass
class _AppointmentPlan:
    code: str
    person_key: object
    start: datetime.date
    end: datetime.date | None
    existing: Appointment | None = None
    row: Row | None = None
    portfolio: str | None = None  # the row's portefeuille; None: no such column


class _Planner:
    def __init__(self, organisation, header: list[str], rows: list[Row], staff_user=None):
        self.organisation = organisation
        self.staff_user = staff_user  # who imports; None: a command on the server
        self.usernames: dict[object, tuple[str, Row]] = {}  # person key -> gebruikersnaam, its row
        self.account_plans: list[tuple[object, str, Row]] = []
        self.header = set(header)
        self.rows = rows
        self.problems: list[Problem] = []
        self.positions = {p.code.lower(): p for p in Position.objects.filter(organisation=organisation)}
        self.by_id = {p.pk: p for p in self.positions.values()}
        self.position_plans: dict[str, _PositionPlan] = {}
        self.people: dict[str, list[Person]] = {}
        for person in Person.objects.filter(organisation=organisation):
            self.people.setdefault(person.name.lower(), []).append(person)
        self.person_plans: dict[object, _PersonPlan] = {}
        self.appointments: dict[int, list[Appointment]] = {}
        for appointment in Appointment.objects.filter(position__organisation=organisation).select_related("person"):
            self.appointments.setdefault(appointment.position_id, []).append(appointment)
        self.appointment_plans: list[_AppointmentPlan] = []
        self.to_end: dict[int, tuple[Appointment, datetime.date]] = {}

    def problem(self, row: Row, message: str):
        self.problems.append(Problem(row.line, message))

    def run(self):
        for row in self.rows:
            self.check_characters(row)
            self.read_position(row)
        for plan in self.position_plans.values():
            self.check_references(plan)
        for column, label in (
            ("rapporteert_aan", _("De lijn van rapporteert_aan")),
            ("plaatsvervanger", _("De plaatsvervangers")),
        ):
            if column in self.header:
                self.check_cycles(column, label)
        if "naam" in self.header:
            for plan in self.position_plans.values():
                holders = [self.read_holder(plan, row) for row in plan.rows]
                self.plan_appointments(plan, [h for h in holders if h is not None])
            import_accounts.check(self)

    def check_characters(self, row: Row):
        """Every cell is a single line: the same rule as the registry forms (meldpunt.input_rules)."""
        for column, value in row.values.items():
            bad = next((ch for ch in value if forbidden_in_single_line(ch)), None)
            if bad is not None:
                self.problem(
                    row,
                    _("%(column)s bevat een onzichtbaar teken dat niet kan: %(character)s. Haal het weg.")
                    % {"column": column, "character": describe_character(bad)},
                )

    # -- positions --

    def read_position(self, row: Row):
        code = row.get("code")
        if not code:
            self.problem(row, _("De code ontbreekt. Elke functie heeft een eigen code, bijvoorbeeld weth-wonen."))
            return
        if not CODE_PATTERN.match(code):
            self.problem(
                row,
                _("De code „%(code)s” mag alleen letters, cijfers, - en _ bevatten, zonder spaties.") % {"code": code},
            )
            return
        key = code.lower()
        for column, length in MAX_LENGTHS.items():
            if len(row.get(column)) > length:
                self.problem(
                    row,
                    _("%(column)s is te lang: hoogstens %(max)s tekens, hier %(found)s.")
                    % {"column": column, "max": length, "found": len(row.get(column))},
                )
        title = row.get("functie")
        if not title:
            self.problem(row, _("De functie (naam van de functie) ontbreekt."))
        category = _category(row.get("categorie"))
        if category is None:
            if row.get("categorie"):
                message = _("Onbekende categorie „%(value)s”. Kies uit: %(choices)s.")
            else:
                message = _("De categorie ontbreekt. Kies uit: %(choices)s.")
            self.problem(row, message % {"value": row.get("categorie"), "choices": ", ".join(Category.values)})
        fields = {"title": title, "category": category}
        for column, attr in (("portefeuille", "portfolio"), ("afdeling", "unit")):
            if column in self.header:
                fields[attr] = row.get(column)
        self.read_office_addresses(row, fields)
        plan = _PositionPlan(row, key, fields, existing=self.positions.get(key), rows=[row])
        plan.reports_to = row.get("rapporteert_aan").lower() or None
        plan.deputy = row.get("plaatsvervanger").lower() or None
        if key in self.position_plans:
            self.add_history_row(self.position_plans[key], plan)
        else:
            self.position_plans[key] = plan

    def add_history_row(self, first: _PositionPlan, later: _PositionPlan):
        """A further row of a position already in the file: another appointment to it.
        The position's data must be the same as on its first row; the portfolio
        of the last row becomes the position's own."""
        differs = [
            FIELD_COLUMNS.get(attr, attr)
            for attr in sorted(set(first.fields) | set(later.fields))
            if attr != "portfolio" and first.fields.get(attr) != later.fields.get(attr)
        ]
        differs += [
            column
            for column, attr in (("rapporteert_aan", "reports_to"), ("plaatsvervanger", "deputy"))
            if getattr(first, attr) != getattr(later, attr)
        ]
        if differs:
            self.problem(
                later.row,
                _(
                    "De code „%(code)s” staat ook al op regel %(line)s. Een functie mag op meer regels staan, "
                    "één per benoeming, maar dan met dezelfde gegevens van de functie. Hier anders: %(columns)s."
                )
                % {"code": later.row.get("code"), "line": first.row.line, "columns": ", ".join(differs)},
            )
            return
        first.rows.append(later.row)
        if "portfolio" in later.fields:
            first.fields["portfolio"] = later.fields["portfolio"]

    def known_code(self, code: str) -> bool:
        return code in self.position_plans or code in self.positions

    def check_references(self, plan: _PositionPlan):
        messages = {
            "rapporteert_aan": (
                _("Een functie kan niet aan zichzelf rapporteren."),
                _("rapporteert_aan: er is geen functie met code „%(code)s” in het bestand of in het register."),
            ),
            "plaatsvervanger": (
                _("Een functie kan niet haar eigen plaatsvervanger zijn."),
                _("plaatsvervanger: er is geen functie met code „%(code)s” in het bestand of in het register."),
            ),
        }
        for column, target in (("rapporteert_aan", plan.reports_to), ("plaatsvervanger", plan.deputy)):
            if target is None:
                continue
            self_message, unknown_message = messages[column]
            if target == plan.code:
                self.problem(plan.row, self_message)
            elif not self.known_code(target):
                self.problem(plan.row, unknown_message % {"code": plan.row.get(column)})

    def final_link(self, code: str, column: str) -> str | None:
        """Where ``code`` points after the import, for reporting lines or deputies."""
        plan = self.position_plans.get(code)
        if plan is not None:
            return plan.reports_to if column == "rapporteert_aan" else plan.deputy
        position = self.positions.get(code)
        if position is None:
            return None
        target_id = position.reports_to_id if column == "rapporteert_aan" else position.deputy_id
        target = self.by_id.get(target_id)
        return target.code.lower() if target else None

    def check_cycles(self, column: str, label: str):
        reported = set()
        for code, plan in self.position_plans.items():
            path = [code]
            current = self.final_link(code, column)
            while current is not None and current not in path and self.known_code(current):
                path.append(current)
                current = self.final_link(current, column)
            if current != code or len(path) < 2 or frozenset(path) in reported:
                continue
            reported.add(frozenset(path))
            other_lines = [str(self.position_plans[c].row.line) for c in path[1:] if c in self.position_plans]
            message = _("%(what)s vormen een kring: %(chain)s. Een functie kan niet via anderen bij zichzelf uitkomen.")
            message %= {"what": label, "chain": " → ".join([*path, code])}
            if other_lines:
                message += " " + _("Zie ook regel %(lines)s.") % {"lines": ", ".join(other_lines)}
            self.problem(plan.row, message)

    # -- holders --

    def read_holder(self, plan: _PositionPlan, row: Row) -> "_AppointmentPlan | None":
        """The appointment on ``row``, or None (a vacancy, or a problem)."""
        name, email = row.get("naam"), row.get("email")
        start_text, end_text = row.get("begindatum"), row.get("einddatum")
        if not name:
            if email or start_text or end_text:
                self.problem(
                    row,
                    _(
                        "Er staat een e-mailadres of datum, maar geen naam. Vul de naam in, of maak e-mail, "
                        "begindatum en einddatum leeg als de functie vacant is."
                    ),
                )
            if row.get(import_accounts.COLUMN):
                self.problem(row, _("Er staat een gebruikersnaam, maar geen naam: vul in wie de login krijgt."))
            return
        ok = True
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.problem(row, _("„%(email)s” is geen geldig e-mailadres.") % {"email": email})
                ok = False
        start = end = None
        if not start_text:
            self.problem(
                row, _("De begindatum ontbreekt: vanaf wanneer bekleedt %(name)s deze functie?") % {"name": name}
            )
            ok = False
        for column, text in (("begindatum", start_text), ("einddatum", end_text)):
            if not text:
                continue
            try:
                day = parse_date(text)
            except ValueError:
                self.problem(
                    row,
                    _(
                        "%(column)s „%(value)s” is geen geldige datum. Schrijf de datum als JJJJ-MM-DD "
                        "(2024-06-01) of DD-MM-JJJJ (01-06-2024)."
                    )
                    % {"column": column, "value": text},
                )
                ok = False
                continue
            if column == "begindatum":
                start = day
            else:
                end = day
        if start and end and end < start:
            self.problem(
                row,
                _("De einddatum (%(end)s) ligt voor de begindatum (%(start)s).")
                % {"end": _show_date(end), "start": _show_date(start)},
            )
            ok = False
        person_key = self.person_for(row, name, email)
        if person_key is None or not ok or len(name) > MAX_LENGTHS["naam"]:
            return
        self.read_names(row, self.person_plans[person_key])
        import_accounts.read(self, row, person_key)
        portfolio = row.get("portefeuille") if "portefeuille" in self.header else None
        return _AppointmentPlan(plan.code, person_key, start, end, row=row, portfolio=portfolio)

    def person_for(self, row: Row, name: str, email: str):
        candidates = self.people.get(name.lower(), [])
        if len(candidates) > 1:
            matching = [p for p in candidates if email and p.email.lower() == email.lower()]
            if len(matching) != 1:
                self.problem(
                    row,
                    _(
                        "Er staan %(count)s personen met de naam %(name)s in het register. Vul het e-mailadres in "
                        "dat bij de juiste persoon hoort, of pas het aan op de registerpagina."
                    )
                    % {"count": len(candidates), "name": name},
                )
                return None
            candidates = matching
        person = candidates[0] if candidates else None
        key = person.pk if person else name.lower()
        plan = self.person_plans.get(key)
        if plan is None:
            plan = _PersonPlan(name=name, email=email, line=row.line, existing=person)
            if person is not None and email and person.email.lower() != email.lower():
                plan.new_email = True
            self.person_plans[key] = plan
        elif email and plan.email and plan.email.lower() != email.lower():
            self.problem(
                row,
                _("%(name)s staat op regel %(line)s met een ander e-mailadres (%(email)s).")
                % {"name": name, "line": plan.line, "email": plan.email},
            )
            return None
        elif email and not plan.email:
            plan.email = email
            plan.new_email = person is not None and person.email.lower() != email.lower()
        return key

    def read_office_addresses(self, row: Row, fields: dict):
        if "functie_email" in self.header:
            fields["email"] = row.get("functie_email")
            self.check_emails(row, "functie_email", [fields["email"]])
        if "functie_accounts" in self.header:
            fields["handles"] = _list(row.get("functie_accounts"))
            self.check_handles(row, "functie_accounts", fields["handles"])

    def read_names(self, row: Row, plan: _PersonPlan):
        """The holder's optional name fields; a person on several rows must be called the same on each."""
        for column, attr in NAME_COLUMNS.items():
            if column not in self.header:
                continue
            value = row.get(column)
            if attr in ("aliases", "other_emails", "handles"):
                value = _list(value)
            if attr == "other_emails":
                self.check_emails(row, column, value.splitlines())
            if attr == "handles":
                self.check_handles(row, column, value)
            before = plan.names.get(attr)
            if before and value and before != value:
                self.problem(
                    row,
                    _("%(column)s van %(name)s staat op regel %(line)s anders („%(value)s”).")
                    % {"column": column, "name": plan.name, "line": plan.line, "value": before.replace("\n", " | ")},
                )
            elif not before:
                plan.names[attr] = value

    def check_emails(self, row: Row, column: str, addresses):
        for address in addresses:
            try:
                if address:
                    validate_email(address)
            except ValidationError:
                self.problem(
                    row, _("%(column)s: „%(email)s” is geen geldig e-mailadres.") % {"column": column, "email": address}
                )

    def check_handles(self, row: Row, column: str, handles: str):
        for handle in handles.splitlines():
            if " " in handle:
                self.problem(
                    row,
                    _("%(column)s: „%(value)s” bevat een spatie. Scheid accounts met |.")
                    % {"column": column, "value": handle},
                )

    def plan_appointments(self, plan: _PositionPlan, holders: list[_AppointmentPlan]):
        """The appointments to ``plan``'s position from its rows in the file: one holder at a
        time, in the file and beside the registry's appointments."""
        holders = sorted(holders, key=lambda h: h.start)
        overlapping = False
        for index, later in enumerate(holders):
            for earlier in holders[:index]:
                if _overlaps(earlier.start, earlier.end, later.start, later.end):
                    overlapping = True
                    self.problem(
                        later.row,
                        _(
                            "Deze benoeming (%(name)s, %(period)s) overlapt met die op regel %(line)s "
                            "(%(other)s, %(other_period)s). Een functie heeft één bekleder tegelijk: laat de "
                            "eerdere benoeming eindigen vóór de volgende begint."
                        )
                        % {
                            "name": self.person_plans[later.person_key].name,
                            "period": _period(later.start, later.end),
                            "line": earlier.row.line,
                            "other": self.person_plans[earlier.person_key].name,
                            "other_period": _period(earlier.start, earlier.end),
                        },
                    )
        if overlapping:
            return
        existing = self.appointments.get(plan.existing.pk, []) if plan.existing else []
        for holder in holders:
            person_pk = holder.person_key if isinstance(holder.person_key, int) else None
            holder.existing = next(
                (a for a in existing if a.person_id == person_pk and a.start_date == holder.start), None
            )
        # The registry's appointments that the file names keep their place (with the
        # file's dates, checked above); the others must leave room, or end when a
        # later holder starts.
        others = {a.pk: a for a in existing}
        for holder in holders:
            others.pop(holder.existing.pk if holder.existing else None, None)
        ends = {pk: a.end_date for pk, a in others.items()}
        for holder in holders:
            if self.fits(holder, others.values(), ends):
                self.appointment_plans.append(holder)

    def fits(self, holder: _AppointmentPlan, others, ends: dict) -> bool:
        """Whether ``holder`` fits beside the registry's ``others`` (ending at ``ends``),
        ending an open appointment of someone else that started earlier."""
        person_pk = holder.person_key if isinstance(holder.person_key, int) else None
        to_end = []
        for other in others:
            end = ends[other.pk]
            if not _overlaps(other.start_date, end, holder.start, holder.end):
                continue
            if other.person_id != person_pk and end is None and other.start_date < holder.start:
                to_end.append(other)
                continue
            if other.person_id == person_pk:
                message = _(
                    "%(name)s bekleedt deze functie volgens het register al (%(period)s). "
                    "Zet in het bestand die begindatum, of pas de benoeming aan op de registerpagina."
                )
            else:
                message = _(
                    "In die periode bekleedt %(name)s deze functie al (%(period)s). "
                    "Een functie heeft één bekleder tegelijk."
                )
            self.problem(holder.row, message % {"name": other.person.name, "period": _period(other.start_date, end)})
            return False
        for other in to_end:
            ends[other.pk] = holder.start - datetime.timedelta(days=1)
            self.to_end[other.pk] = (other, ends[other.pk])
        return True


def _list(cell: str) -> str:
    """'@bram | @bvdveld' → '@bram\\n@bvdveld': the one-per-line form the registry stores."""
    return "\n".join(part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip())


def _overlaps(start_a: datetime.date, end_a: datetime.date | None, start_b: datetime.date, end_b) -> bool:
    """Whether two periods (an end of None: still running) share a day."""
    return (end_b is None or start_a <= end_b) and (end_a is None or end_a >= start_b)


# Writing ---------------------------------------------------------------------------------------------


def import_registry(organisation, data: bytes, *, actor: str = "system", staff_user=None) -> Summary:
    """Check the whole file and store it, or raise RegistryImportError and store nothing.
    ``staff_user`` is who imports (for the logins of the gebruikersnaam column); None: a command."""
    header, rows = read_rows(data)
    planner = _Planner(organisation, header, rows, staff_user)
    planner.run()
    if planner.problems:
        raise RegistryImportError(sorted(planner.problems, key=lambda p: p.line or 0))
    summary = Summary()
    try:
        with transaction.atomic():
            _write(organisation, planner, summary, actor, len(rows))
    except IntegrityError:
        # Someone changed the registry between our check and our write.
        raise RegistryImportError(
            [Problem(None, _("Het register werd tegelijk door iemand anders gewijzigd. Lees het bestand opnieuw in."))]
        ) from None
    return summary


def _write(organisation, planner: _Planner, summary: Summary, actor: str, row_count: int):
    positions = _write_positions(organisation, planner, summary)
    people = _write_people(organisation, planner, summary)
    _write_appointments(planner, positions, people, summary)
    import_accounts.write(planner, people, summary)
    revision.changed(organisation.pk)  # the bulk writes send no signals
    record(
        "registry.imported",
        actor=actor,
        organisation=organisation,
        rows=row_count,
        positions_created=len(summary.positions_created),
        positions_updated=len(summary.positions_updated),
        people_created=len(summary.people_created),
        appointments_created=len(summary.appointments_created),
        appointments_updated=len(summary.appointments_updated),
        appointments_ended=len(summary.appointments_ended),
        portfolios_changed=len(summary.portfolios_changed),
        accounts_created=len(summary.accounts_created),
    )


def _write_positions(organisation, planner: _Planner, summary: Summary) -> dict[str, Position]:
    positions = dict(planner.positions)
    changed: dict[str, bool] = {}
    for code, plan in planner.position_plans.items():
        position = plan.existing
        if position is None:
            position = Position.objects.create(organisation=organisation, code=plan.row.get("code"), **plan.fields)
            positions[code] = position
            changed[code] = True
        else:
            differs = {k: v for k, v in plan.fields.items() if getattr(position, k) != v}
            for attr, value in differs.items():
                setattr(position, attr, value)
            changed[code] = bool(differs)
    for code, plan in planner.position_plans.items():
        position = positions[code]
        updates = []
        for column, attr, target in (
            ("rapporteert_aan", "reports_to", plan.reports_to),
            ("plaatsvervanger", "deputy", plan.deputy),
        ):
            if column not in planner.header:
                continue
            target_id = positions[target].pk if target else None
            if getattr(position, f"{attr}_id") != target_id:
                setattr(position, f"{attr}_id", target_id)
                updates.append(attr)
        if updates or (changed[code] and plan.existing is not None):
            position.save()
            changed[code] = True
        label = f"{position.title} ({position.code})"
        if plan.existing is None:
            summary.positions_created.append(label)
        elif changed[code]:
            summary.positions_updated.append(label)
        else:
            summary.positions_unchanged.append(label)
    return positions


def _write_people(organisation, planner: _Planner, summary: Summary) -> dict[object, Person]:
    people, new = {}, []
    for key, plan in planner.person_plans.items():
        person = plan.existing
        if person is None:
            person = Person(organisation=organisation, name=plan.name, email=plan.email, **plan.names)
            new.append(person)
            summary.people_created.append(person.name)
        else:
            changed = {attr: value for attr, value in plan.names.items() if getattr(person, attr) != value}
            if plan.new_email:
                changed["email"] = plan.email
            if changed:
                for attr, value in changed.items():
                    setattr(person, attr, value)
                person.save(update_fields=list(changed))
                summary.people_updated.append(person.name)
        people[key] = person
    Person.objects.bulk_create(new)  # sets their ids, for the appointments
    return people


def _write_appointments(planner: _Planner, positions, people, summary: Summary):
    for appointment, end in planner.to_end.values():
        appointment.end_date = end
        appointment.save(update_fields=["end_date"])
        summary.appointments_ended.append(
            _("%(name)s — %(position)s, beëindigd op %(end)s")
            % {"name": appointment.person.name, "position": appointment.position.title, "end": _show_date(end)}
        )
    new = []
    for plan in planner.appointment_plans:
        position, person = positions[plan.code], people[plan.person_key]
        appointment = plan.existing or Appointment(position=position, person=person, start_date=plan.start)
        appointment.position = position  # as just written, with its new portfolio
        before = (appointment.pk, appointment.end_date, appointment.portfolio)
        appointment.end_date = plan.end
        if plan.portfolio is not None:
            # Dated portfolios: only a portfolio other than the position's own is kept on the appointment.
            appointment.portfolio = "" if plan.portfolio == position.portfolio else plan.portfolio
        label = _("%(name)s — %(position)s, %(period)s") % {
            "name": person.name,
            "position": appointment.held_title,
            "period": _period(plan.start, plan.end),
        }
        if appointment.pk is None:
            new.append(appointment)
            summary.appointments_created.append(label)
        elif before[1] != appointment.end_date:
            appointment.save(update_fields=["end_date", "portfolio"])
            summary.appointments_updated.append(label)
        elif before[2] != appointment.portfolio:
            appointment.save(update_fields=["portfolio"])
            summary.portfolios_changed.append(label)
    Appointment.objects.bulk_create(new)
