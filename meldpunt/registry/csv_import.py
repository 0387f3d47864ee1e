"""Import the registry (positions, holders, reporting lines, deputies) from a CSV file.

One row per position, upserted by its code, so importing the same file twice
changes nothing. The whole file is checked first; every problem is reported
with its line number, and if there is any problem nothing is stored.

Semantics, also explained on the import page:

* A column that is missing from the header leaves that field as it is; a
  column that is present but empty clears it (portefeuille, afdeling,
  rapporteert_aan, plaatsvervanger).
* ``naam`` names who holds the position from ``begindatum`` to ``einddatum``.
  People are recognised by name (and by e-mail address when several people
  share a name); someone new is added to the registry.
* A new holder ends the open appointment of the previous holder on the day
  before the new ``begindatum``.
* An empty ``naam`` means a vacancy: the row changes no appointments; end a
  previous holder's appointment on the registry page.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.audit.log import record
from meldpunt.dates import long_date
from meldpunt.input_rules import describe_character, forbidden_in_single_line
from meldpunt.registry.models import Appointment, Category, Person, Position

MAX_BYTES = 2 * 1024 * 1024
CODE_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
DUTCH_DATE = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$")


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str
    max_length: int = 0


COLUMNS = [
    Column(
        "code",
        True,
        gettext_lazy(
            "Korte, unieke sleutel van de functie, bijvoorbeeld weth-wonen. Alleen letters, cijfers, - en _. "
            "Bestaat de code al, dan wordt die functie bijgewerkt."
        ),
        60,
    ),
    Column("functie", True, gettext_lazy("De naam van de functie, bijvoorbeeld Wethouder Wonen."), 200),
    Column("categorie", True, gettext_lazy("Soort functie; kies uit de lijst hieronder."), 0),
    Column(
        "portefeuille",
        False,
        gettext_lazy("Voor bestuurders: de portefeuille, bijvoorbeeld Wonen, Ruimtelijke ordening."),
        300,
    ),
    Column("afdeling", False, gettext_lazy("De afdeling of het team."), 200),
    Column(
        "rapporteert_aan",
        False,
        gettext_lazy(
            "Code van de functie waar deze functie aan rapporteert. Die functie staat in het bestand "
            "of al in het register."
        ),
    ),
    Column(
        "plaatsvervanger",
        False,
        gettext_lazy("Code van de functie die deze functie waarneemt bij afwezigheid of een vacature."),
    ),
    Column(
        "naam",
        False,
        gettext_lazy(
            "Wie de functie bekleedt. Leeg betekent vacant: de bestaande benoemingen van de functie blijven dan "
            "zoals ze zijn."
        ),
        200,
    ),
    Column("email", False, gettext_lazy("E-mailadres van de persoon. Niet verplicht."), 254),
    Column(
        "begindatum",
        False,
        gettext_lazy("Verplicht als er een naam staat: vanaf wanneer, als JJJJ-MM-DD of DD-MM-JJJJ."),
    ),
    Column(
        "einddatum",
        False,
        gettext_lazy("Tot en met wanneer, als JJJJ-MM-DD of DD-MM-JJJJ. Leeg als de benoeming doorloopt."),
    ),
]
# How the holder is called (optional; see meldpunt.registry.resolve) and the
# office's own addresses. Several values in one cell are separated by "|".
NAME_COLUMNS = {
    "roepnaam": "roepnaam",
    "voornamen": "voornamen",
    "voorletters": "voorletters",
    "tussenvoegsel": "tussenvoegsel",
    "achternaam": "achternaam",
    "andere_namen": "aliases",
    "andere_emails": "other_emails",
    "accounts": "handles",
}
LIST_SEPARATOR = "|"
COLUMNS += [
    Column("roepnaam", False, gettext_lazy("Roepnaam van de persoon, bijvoorbeeld Bram."), 100),
    Column("voornamen", False, gettext_lazy("Officiële voornamen, bijvoorbeeld Abraham Johannes."), 200),
    Column("voorletters", False, gettext_lazy("Voorletters, bijvoorbeeld A.J."), 30),
    Column("tussenvoegsel", False, gettext_lazy("Tussenvoegsel, bijvoorbeeld van der."), 30),
    Column("achternaam", False, gettext_lazy("Achternaam zonder tussenvoegsel, bijvoorbeeld Veld."), 200),
    Column(
        "andere_namen", False, gettext_lazy("Andere namen of schrijfwijzen van de persoon, gescheiden door |."), 1000
    ),
    Column("andere_emails", False, gettext_lazy("Andere e-mailadressen van de persoon, gescheiden door |."), 1000),
    Column("accounts", False, gettext_lazy("Accounts op sociale media van de persoon, gescheiden door |."), 1000),
    Column(
        "functie_email", False, gettext_lazy("E-mailadres van de functie zelf, bijvoorbeeld wethouder.wonen@..."), 254
    ),
    Column("functie_accounts", False, gettext_lazy("Accounts van de functie zelf, gescheiden door |."), 1000),
]
COLUMN_NAMES = [c.name for c in COLUMNS]
REQUIRED_COLUMNS = [c.name for c in COLUMNS if c.required]
MAX_LENGTHS = {c.name: c.max_length for c in COLUMNS if c.max_length}
HEADER_ALIASES = {"e-mail": "email", "e_mail": "email", "e-mailadres": "email", "emailadres": "email"}

EXAMPLE_ROWS = [
    ["burgemeester", "Burgemeester", "burgemeester", "Openbare orde, Integriteit", "", "", "weth-wonen",
     "Marieke van Dalen", "m.vandalen@voorbeeldstad.example", "2020-03-01", ""],
    ["weth-wonen", "Wethouder Wonen", "wethouder", "Wonen, Ruimtelijke ordening", "", "", "",
     "Henk Bosman", "h.bosman@voorbeeldstad.example", "01-06-2022", ""],
    ["gemeentesecretaris", "Gemeentesecretaris", "gemeentesecretaris", "", "Directie", "", "dir-ruimte",
     "Willem Jacobs", "w.jacobs@voorbeeldstad.example", "2019-01-01", ""],
    ["dir-ruimte", "Directeur Ruimte", "directeur", "", "Ruimte", "gemeentesecretaris", "",
     "Karin Mulder", "k.mulder@voorbeeldstad.example", "2019-01-01", ""],
    ["mgr-vergunningen", "Manager Vergunningen", "manager", "", "Vergunningen", "dir-ruimte", "",
     "", "", "", ""],
]  # fmt: skip


def example_csv() -> str:
    """The example file offered on the import page: semicolons, as Dutch Excel writes them."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    writer.writerows(EXAMPLE_ROWS)
    return out.getvalue()


@dataclass
class Problem:
    line: int | None
    message: str

    def __str__(self):
        if self.line is None:
            return self.message
        return _("Regel %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class RegistryImportError(Exception):
    """The file was refused; nothing was stored."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Summary:
    """What an import changed, in words an admin recognises."""

    positions_created: list[str] = field(default_factory=list)
    positions_updated: list[str] = field(default_factory=list)
    positions_unchanged: list[str] = field(default_factory=list)
    people_created: list[str] = field(default_factory=list)
    people_updated: list[str] = field(default_factory=list)
    appointments_created: list[str] = field(default_factory=list)
    appointments_updated: list[str] = field(default_factory=list)
    appointments_ended: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            [
                self.positions_created,
                self.positions_updated,
                self.people_created,
                self.people_updated,
                self.appointments_created,
                self.appointments_updated,
                self.appointments_ended,
            ]
        )


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


# Reading ---------------------------------------------------------------------------------------------


def _show_date(day: datetime.date) -> str:
    return long_date(day)


def _period(start: datetime.date, end: datetime.date | None) -> str:
    if end is None:
        return _("sinds %(start)s") % {"start": _show_date(start)}
    return _("van %(start)s tot en met %(end)s") % {"start": _show_date(start), "end": _show_date(end)}


def _normalise_header(name: str) -> str:
    name = name.strip().lower().replace(" ", "_")
    return HEADER_ALIASES.get(name, name)


def read_rows(data: bytes) -> tuple[list[str], list[Row]]:
    """Decode and split the file; raise RegistryImportError for problems of the file as a whole."""
    if len(data) > MAX_BYTES:
        raise RegistryImportError(
            [
                Problem(
                    None,
                    _(
                        "Het bestand is te groot (%(size)s MB). Een importbestand mag hoogstens 2 MB zijn; "
                        "splits het in kleinere bestanden."
                    )
                    % {"size": f"{len(data) / (1024 * 1024):.1f}".replace(".", ",")},
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RegistryImportError(
            [
                Problem(
                    line,
                    _(
                        "Het bestand is niet in UTF-8 opgeslagen, daardoor is deze regel niet te lezen. "
                        "Kies in Excel bij Opslaan als: „CSV UTF-8 (door komma's gescheiden)”."
                    ),
                )
            ]
        ) from None
    if not text.strip():
        raise RegistryImportError([Problem(None, _("Het bestand is leeg."))])

    first_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[Problem] = []
    header: list[str] | None = None
    rows: list[Row] = []
    previous_line = 0
    try:
        for cells in reader:
            line, previous_line = previous_line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [_normalise_header(cell) for cell in cells]
                problems += _check_header(header, line, delimiter)
                if problems:
                    raise RegistryImportError(problems)
                continue
            if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
                problems.append(
                    Problem(
                        line,
                        _(
                            "Deze regel heeft %(found)s velden, de kopregel %(expected)s. Staat er een "
                            "„%(delimiter)s” in een waarde? Zet die waarde dan tussen aanhalingstekens."
                        )
                        % {"found": len(cells), "expected": len(header), "delimiter": delimiter},
                    )
                )
                continue
            values = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
            rows.append(Row(line, values))
    except csv.Error as error:
        problems.append(Problem(reader.line_num, _("Deze regel is geen geldige CSV (%(error)s).") % {"error": error}))
    if header is not None and not rows and not problems:
        problems.append(Problem(None, _("Het bestand bevat alleen een kopregel en geen functies.")))
    if problems:
        raise RegistryImportError(problems)
    return header or [], rows


def _check_header(header: list[str], line: int, delimiter: str) -> list[Problem]:
    problems = []
    seen = set()
    for name in header:
        if not name:
            continue
        if name in seen:
            problems.append(
                Problem(line, _("De kolom „%(column)s” staat twee keer in de kopregel.") % {"column": name})
            )
        elif name not in COLUMN_NAMES:
            problems.append(
                Problem(
                    line,
                    _("Onbekende kolom „%(column)s”. Mogelijke kolommen: %(columns)s.")
                    % {"column": name, "columns": ", ".join(COLUMN_NAMES)},
                )
            )
        seen.add(name)
    if "naam" not in seen and seen & {"email", "begindatum", "einddatum", *NAME_COLUMNS}:
        problems.append(
            Problem(
                line,
                _("Er is een kolom email, begindatum of einddatum, maar geen kolom naam. Voeg de kolom naam toe."),
            )
        )
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            problems.append(
                Problem(
                    line,
                    _(
                        "De verplichte kolom „%(column)s” ontbreekt in de kopregel. Gevonden kolommen: "
                        "%(found)s (gescheiden door „%(delimiter)s”)."
                    )
                    % {"column": name, "found": ", ".join(h for h in header if h) or "-", "delimiter": delimiter},
                )
            )
    return problems


def parse_date(value: str) -> datetime.date:
    """YYYY-MM-DD or DD-MM-YYYY (also with slashes); ValueError otherwise."""
    if match := ISO_DATE.match(value):
        year, month, day = match.groups()
    elif match := DUTCH_DATE.match(value):
        day, month, year = match.groups()
    else:
        raise ValueError(value)
    return datetime.date(int(year), int(month), int(day))


def _category(value: str) -> str | None:
    wanted = value.strip().lower().replace(" ", "_")
    for category in Category:
        if wanted in (category.value, str(category.label).lower().replace(" ", "_")):
            return category.value
    return None


# Planning --------------------------------------------------------------------------------------------


@dataclass
class _PositionPlan:
    row: Row
    code: str
    fields: dict
    reports_to: str | None = None
    deputy: str | None = None
    existing: Position | None = None


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


class _Planner:
    def __init__(self, organisation, header: list[str], rows: list[Row]):
        self.organisation = organisation
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
                self.read_holder(plan)

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
        if key in self.position_plans:
            self.problem(
                row,
                _(
                    "De code „%(code)s” staat ook al op regel %(line)s. "
                    "Elke functie mag maar één keer in het bestand staan."
                )
                % {"code": code, "line": self.position_plans[key].row.line},
            )
            return
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
        plan = _PositionPlan(row, key, fields, existing=self.positions.get(key))
        plan.reports_to = row.get("rapporteert_aan").lower() or None
        plan.deputy = row.get("plaatsvervanger").lower() or None
        self.position_plans[key] = plan

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

    def read_holder(self, plan: _PositionPlan):
        row = plan.row
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
        self.plan_appointment(plan, person_key, start, end)

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

    def plan_appointment(self, plan: _PositionPlan, person_key, start, end):
        row = plan.row
        person_pk = person_key if isinstance(person_key, int) else None
        existing = self.appointments.get(plan.existing.pk, []) if plan.existing else []
        same = next((a for a in existing if a.person_id == person_pk and a.start_date == start), None)
        appointment = _AppointmentPlan(plan.code, person_key, start, end, existing=same)
        to_end = []
        for other in existing:
            if other is same or not _overlaps(other, start, end):
                continue
            if same is None and other.person_id != person_pk and other.end_date is None and other.start_date < start:
                to_end.append(other)
            elif other.person_id == person_pk:
                self.problem(
                    row,
                    _(
                        "%(name)s bekleedt deze functie volgens het register al (%(period)s). "
                        "Zet in het bestand die begindatum, of pas de benoeming aan op de registerpagina."
                    )
                    % {"name": other.person.name, "period": _period(other.start_date, other.end_date)},
                )
                return
            else:
                self.problem(
                    row,
                    _(
                        "In die periode bekleedt %(name)s deze functie al (%(period)s). "
                        "Een functie heeft één bekleder tegelijk."
                    )
                    % {"name": other.person.name, "period": _period(other.start_date, other.end_date)},
                )
                return
        for other in to_end:
            self.to_end[other.pk] = (other, start - datetime.timedelta(days=1))
        self.appointment_plans.append(appointment)


def _list(cell: str) -> str:
    """'@bram | @bvdveld' → '@bram\\n@bvdveld': the one-per-line form the registry stores."""
    return "\n".join(part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip())


def _overlaps(appointment: Appointment, start: datetime.date, end: datetime.date | None) -> bool:
    starts_in_time = end is None or appointment.start_date <= end
    ends_in_time = appointment.end_date is None or appointment.end_date >= start
    return starts_in_time and ends_in_time


# Writing ---------------------------------------------------------------------------------------------


def import_registry(organisation, data: bytes, *, actor: str = "system") -> Summary:
    """Check the whole file and store it, or raise RegistryImportError and store nothing."""
    header, rows = read_rows(data)
    planner = _Planner(organisation, header, rows)
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
    people = {}
    for key, plan in planner.person_plans.items():
        person = plan.existing
        if person is None:
            person = Person.objects.create(organisation=organisation, name=plan.name, email=plan.email, **plan.names)
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
    return people


def _write_appointments(planner: _Planner, positions, people, summary: Summary):
    for appointment, end in planner.to_end.values():
        appointment.end_date = end
        appointment.save(update_fields=["end_date"])
        summary.appointments_ended.append(
            _("%(name)s — %(position)s, beëindigd op %(end)s")
            % {"name": appointment.person.name, "position": appointment.position.title, "end": _show_date(end)}
        )
    for plan in planner.appointment_plans:
        position, person = positions[plan.code], people[plan.person_key]
        label = _("%(name)s — %(position)s, %(period)s") % {
            "name": person.name,
            "position": position.title,
            "period": _period(plan.start, plan.end),
        }
        if plan.existing is None:
            Appointment.objects.create(position=position, person=person, start_date=plan.start, end_date=plan.end)
            summary.appointments_created.append(label)
        elif plan.existing.end_date != plan.end:
            plan.existing.end_date = plan.end
            plan.existing.save(update_fields=["end_date"])
            summary.appointments_updated.append(label)
