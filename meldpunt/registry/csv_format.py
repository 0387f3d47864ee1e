"""The registry CSV file: its columns, how a file is read and checked line by
line, and the example file. What the rows mean and how they are stored is
``meldpunt.registry.csv_import``, which re-exports the names the pages use."""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.dates import long_date
from meldpunt.registry import import_accounts
from meldpunt.registry.models import Category

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
