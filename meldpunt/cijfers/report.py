"""The council figures as shown: tables with their suppressed cells, the
indicators, and one list of rows that the page, the CSV and the PDF all
render (so they cannot differ)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.cases.models import Behaviour, Channel, Kind, Outcome
from meldpunt.cijfers import figures, groups
from meldpunt.cijfers.suppression import Grid, Suppressed, is_small, percentage, suppress

SMALL_TEXT = "< 5"
HIDDEN_TEXT = "x"
COLS = [Kind.MELDING, Kind.SIGNAAL]


@dataclass
class Cell:
    value: int
    text: str
    suppressed: bool


@dataclass
class Row:
    key: str
    label: str
    cells: list[Cell]  # meldingen, signalen, totaal


@dataclass
class Table:
    key: str
    title: str
    description: str
    rows: list[Row]
    total: Row
    section: str = "figures"

    @property
    def chart_rows(self):
        return [(row.label, row.cells[-1]) for row in self.rows]


@dataclass
class Indicator:
    key: str
    label: str
    text: str
    section: str = "figures"


@dataclass
class Figures:
    organisation: object
    period: figures.Period
    tables: list[Table]
    indicators: list[Indicator]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def indicator(self, key: str) -> Indicator:
        return next(i for i in self.indicators if i.key == key)

    def csv_rows(self) -> list[list[str]]:
        """Every shown figure, as the page shows it: table, row, meldingen, signalen, totaal."""
        head = [_("Tabel"), _("Rij"), _("Meldingen"), _("Signalen"), _("Totaal")]
        rows = [head]
        for table in self.tables:
            for row in [*table.rows, table.total]:
                rows.append([str(table.title), str(row.label), *(cell.text for cell in row.cells)])
        for indicator in self.indicators:
            rows.append([str(_("Kengetallen")), str(indicator.label), "", "", indicator.text])
        return rows


def _dimension_rows(key: str) -> list[tuple[object, str]]:
    """(value in the cube, label) for each row of a dimension's table."""
    if key in ("behaviour_reported", "behaviour_assessed"):
        empty = _("Niet opgegeven") if key == "behaviour_reported" else _("Nog niet beoordeeld")
        return [*((value, label) for value, label in Behaviour.choices), ("", empty)]
    if key == "relation":
        return [(group, label) for group, label in groups.RELATION_LABELS.items()]
    if key == "accused_group":
        return [(group, groups.ACCUSED_LABELS[group]) for group in groups.ACCUSED_ORDER]
    if key == "channel":
        return list(Channel.choices)
    if key == "outcome":
        return [*Outcome.choices, ("", _("Nog geen uitkomst"))]
    if key == "anonymous":
        return [(True, _("Anoniem")), (False, _("Met naam"))]
    raise KeyError(key)


def _row_of(key: str, value):
    if key == "relation":
        return groups.RELATION_GROUPS.get(value, groups.EXTERN)
    if key == "accused_group":
        return value if value in groups.ACCUSED_LABELS else groups.ONBEKEND
    return value


TABLES = [
    (
        "behaviour_reported",
        gettext_lazy("Soort gedrag volgens de melder"),
        gettext_lazy("Wat de melder koos bij het melden. Een signaal heeft geen keuze van een melder."),
    ),
    (
        "behaviour_assessed",
        gettext_lazy("Soort gedrag volgens de behandelaar"),
        gettext_lazy("De beoordeling van de behandelaar, apart van de keuze van de melder."),
    ),
    (
        "relation",
        gettext_lazy("Relatie van de melder"),
        gettext_lazy("Intern: medewerker of oud-medewerker. Extern: iedereen anders, ook wie dat liever niet zegt."),
    ),
    (
        "accused_group",
        gettext_lazy("Over wie"),
        gettext_lazy("Bestuurder: burgemeester, wethouder of raadslid. Ambtenaar: iedereen in dienst."),
    ),
    ("channel", gettext_lazy("Kanaal"), gettext_lazy("Hoe de melding of het signaal binnenkwam.")),
    (
        "outcome",
        gettext_lazy("Uitkomst"),
        gettext_lazy("Hoe de zaak eindigde; zaken die nog lopen hebben nog geen uitkomst."),
    ),
    (
        "anonymous",
        gettext_lazy("Anonieme meldingen"),
        gettext_lazy("Meldingen en signalen zonder naam van de melder, naast die met naam."),
    ),
]


def grids(counts: figures.Counts) -> list[Grid]:
    found = []
    for key, *_text in TABLES:
        index = figures.DIMENSIONS.index(key)
        row_keys = [str(value) for value, _label in _dimension_rows(key)]
        cells = {(r, c): 0 for r in row_keys for c in COLS}
        for combination, number in counts.cube.items():
            row = str(_row_of(key, combination[index]))
            cells[(row, combination[-1])] += number
        row_totals = {r: sum(cells[(r, c)] for c in COLS) for r in row_keys}
        col_totals = {c: sum(cells[(r, c)] for r in row_keys) for c in COLS}
        found.append(Grid(key, row_keys, list(COLS), cells, row_totals, col_totals, sum(col_totals.values())))
    return found


def _cell(value: int, cell_id, hidden: Suppressed) -> Cell:
    if cell_id in hidden.primary:
        return Cell(value, SMALL_TEXT, True)
    if cell_id in hidden.complementary:
        return Cell(value, HIDDEN_TEXT, True)
    return Cell(value, str(value), False)


def _count_text(value: int) -> str:
    return SMALL_TEXT if is_small(value) else str(value)


def _percent_text(part: int, base: int) -> str:
    if base == 0:
        return "–"
    value = percentage(part, base)
    return HIDDEN_TEXT if value is None else f"{value} %"


def _days_text(days: float | None, closed: int) -> str:
    if days is None:
        return "–"
    if is_small(closed):
        return HIDDEN_TEXT
    return _("%(days)s dagen") % {"days": f"{days:.1f}".replace(".", ",")}


def build(organisation, period: figures.Period, now=None) -> Figures:
    counts = figures.count(organisation, period, now)
    all_grids = grids(counts)
    hidden = suppress(all_grids)
    tables = []
    for grid, (key, title, description) in zip(all_grids, TABLES, strict=True):
        labels = dict((str(value), label) for value, label in _dimension_rows(key))
        rows = [
            Row(
                r,
                labels[r],
                [_cell(grid.cells[(r, c)], grid.cell_id(r, c), hidden) for c in COLS]
                + [_cell(grid.row_totals[r], grid.row_total_id(r), hidden)],
            )
            for r in grid.rows
        ]
        total = Row(
            "totaal",
            _("Totaal"),
            [_cell(grid.col_totals[c], grid.col_total_id(c), hidden) for c in COLS]
            + [_cell(grid.grand, grid.grand_id(), hidden)],
        )
        section = "anonymous" if key == "anonymous" else "figures"
        tables.append(Table(key, title, description, rows, total, section))

    c = counts
    indicators = [
        Indicator("ack", _("Ontvangst binnen 7 dagen bevestigd"), _percent_text(c.ack_in_time, c.ack_base)),
        Indicator(
            "feedback",
            _("Inhoudelijke terugkoppeling op tijd (binnen 3 maanden)"),
            _percent_text(c.feedback_in_time, c.feedback_base),
        ),
        Indicator("median", _("Behandelduur, mediaan"), _days_text(c.median_days, c.closed)),
        Indicator("p90", _("Behandelduur, 90e percentiel"), _days_text(c.p90_days, c.closed)),
        Indicator("overdue", _("Zaken met een verstreken termijn, nu"), _count_text(c.overdue_now)),
        Indicator("escalations", _("Escalaties"), _count_text(c.escalations)),
        Indicator("patterns", _("Patroonsignaleringen (zaken)"), _count_text(c.pattern_alerts)),
        Indicator(
            "measures_taken",
            _("Maatregelen die de melder belasten, genomen"),
            _count_text(c.measures_burdening_reporter),
        ),
        Indicator(
            "measures_proposed",
            _("Maatregelen die de melder belasten, voorgesteld"),
            _count_text(c.measures_burdening_reporter_proposed),
        ),
        Indicator(
            "anon_ack",
            _("Anonieme meldingen: ontvangst binnen 7 dagen bevestigd"),
            _percent_text(c.anon_ack_in_time, c.anon_ack_base),
            "anonymous",
        ),
        Indicator(
            "anon_feedback",
            _("Anonieme meldingen: terugkoppeling op tijd"),
            _percent_text(c.anon_feedback_in_time, c.anon_feedback_base),
            "anonymous",
        ),
    ]
    return Figures(organisation, period, tables, indicators)
