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
from meldpunt.registry import import_accounts, revision
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
        gettext_lazy(
            "Voor bestuurders: de portefeuille in de periode van die regel, bijvoorbeeld Wonen, Ruimtelijke "
            "ordening. Staat de functie op meer regels, dan is de portefeuille op de laatste regel die van de "
            "functie; eerdere regels met een andere portefeuille houden die bij hun benoeming."
        ),
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
    Column(
        "gebruikersnaam",
        False,
        gettext_lazy(
            "Niet verplicht. Geeft deze persoon een login met deze gebruikersnaam; na het inlezen ziet u één keer "
            "een instellink per nieuwe login. Heeft de persoon al een login, laat het vak dan leeg of vul dezelfde "
            "gebruikersnaam in."
        ),
        60,
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
HEADER_ALIASES = {
    "e-mail": "email",
    "e_mail": "email",
    "e-mailadres": "email",
    "emailadres": "email",
    "login": "gebruikersnaam",
}
# The columns of position fields, to name what differs between two rows of one position.
FIELD_COLUMNS = {"title": "functie", "category": "categorie", "unit": "afdeling"}

# Gemeente Voorbeeldstad with its history (every name is made up): two successive
# wethouders Wonen, the wethouder Financiën whose portfolio grew on 1 January 2025,
# the locoburgemeester (the wethouder Wonen, the burgemeester's plaatsvervanger)
# and a login for a handler of the integrity office.
EXAMPLE_ROWS = [
    ["burgemeester", "Burgemeester", "burgemeester", "Openbare orde, Integriteit", "", "", "weth-wonen",
     "Marieke van Dalen", "m.vandalen@voorbeeldstad.example", "2020-03-01", "", ""],
    ["weth-wonen", "Wethouder Wonen", "wethouder", "Wonen, Ruimtelijke ordening", "", "", "weth-financien",
     "Gerard Wolters", "", "2018-06-01", "2022-05-31", ""],
    ["weth-wonen", "Wethouder Wonen", "wethouder", "Wonen, Ruimtelijke ordening", "", "", "weth-financien",
     "Henk Bosman", "h.bosman@voorbeeldstad.example", "01-06-2022", "", ""],
    ["weth-financien", "Wethouder Financiën", "wethouder", "Financiën", "", "", "",
     "Pieter de Groot", "p.degroot@voorbeeldstad.example", "2022-06-01", "2024-12-31", ""],
    ["weth-financien", "Wethouder Financiën", "wethouder", "Financiën, Economie", "", "", "",
     "Pieter de Groot", "p.degroot@voorbeeldstad.example", "2025-01-01", "", ""],
    ["gemeentesecretaris", "Gemeentesecretaris", "gemeentesecretaris", "", "Directie", "", "dir-ruimte",
     "Willem Jacobs", "w.jacobs@voorbeeldstad.example", "2019-01-01", "", ""],
    ["dir-ruimte", "Directeur Ruimte", "directeur", "", "Ruimte", "gemeentesecretaris", "",
     "Karin Mulder", "k.mulder@voorbeeldstad.example", "2019-01-01", "", ""],
    ["mgr-vergunningen", "Manager Vergunningen", "manager", "", "Vergunningen", "dir-ruimte", "",
     "", "", "", "", ""],
    ["integriteit-1", "Behandelaar Integriteit", "behandelaar", "", "Integriteitsbureau", "gemeentesecretaris",
     "", "Ingrid Vos", "i.vos@voorbeeldstad.example", "2019-01-01", "", "behandelaar1"],
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
    portfolios_changed: list[str] = field(default_factory=list)
    # New logins from the gebruikersnaam column, each with its one-time set-up link: shown once.
    accounts_created: list["import_accounts.NewAccount"] = field(default_factory=list)

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
                self.portfolios_changed,
                self.accounts_created,
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
    if "naam" not in seen and seen & {"email", "begindatum", "einddatum", import_accounts.COLUMN, *NAME_COLUMNS}:
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
