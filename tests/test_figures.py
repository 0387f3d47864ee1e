"""Council figures (meldpunt/cijfers): correct counts on a small known data set,
small cells suppressed so that none can be derived from what is shown, the
CSV equal to the page, the PDF readable, and the council seeing no case."""

import csv
import datetime
import io
import itertools
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.utils import timezone

from meldpunt.audit.models import AuditEvent
from meldpunt.cases.models import Behaviour, Case, Channel, Kind, Relation
from meldpunt.cijfers import figures, report
from meldpunt.cijfers.forms import year_period
from meldpunt.cijfers.groups import accused_group
from meldpunt.cijfers.suppression import Grid, suppress
from tests import demo_snapshot
from tests.conftest import verified_client
from tests.factories import no_patterns, report_about, walk_to

YEAR = timezone.localdate().year
QUERY = {"soort": "jaar", "jaar": YEAR}


# --- Deriving suppressed cells -------------------------------------------------------------------------------------
#
# What a reader knows: every shown number; that a "< 5" is 1, 2, 3 or 4; that an "x" is 0 or at least 5;
# that no count exceeds the number of cases of the period (taken as known, which only helps the reader); and
# every line: the cells of a row add up to its total, those of a column to the column total, the row totals
# and the column totals to the grand total, in every table, where the column totals of all tables are the same
# cells. A suppressed cell is DERIVABLE when exactly one value of its range is part of some assignment of all
# suppressed cells that satisfies every line. The check enumerates (backtracking over the suppressed cells,
# checking each line as soon as its cells are all known): exact, for the small tables of a test.


def reader_view(tables: list[report.Table]):
    """The shown text per cell id and the lines, as a reader of the page (or the CSV) sees them."""
    cells, lines = {}, []
    for table in tables:
        rows = [r.key for r in table.rows]
        for row in table.rows:
            for col, cell in zip(["m", "s", "t"], row.cells, strict=True):
                cells[(table.key, row.key, col)] = cell.text
        for col, cell in zip(["m", "s", "t"], table.total.cells, strict=True):
            cells[("alle", col)] = cell.text
        for row in rows:
            lines.append(([(table.key, row, "m"), (table.key, row, "s")], (table.key, row, "t")))
        for col in ("m", "s", "t"):
            lines.append(([(table.key, row, col) for row in rows], ("alle", col)))
    lines.append(([("alle", "m"), ("alle", "s")], ("alle", "t")))
    return cells, lines


def feasible_values(cells: dict, lines, bound: int) -> dict:
    """For each suppressed cell, the values it takes in some solution (stopping at two): a search over the
    suppressed cells that narrows every cell's interval through every line after each choice (exact: a value
    counts only when a full assignment satisfying every line is found)."""
    unknown = [c for c, text in cells.items() if text in (report.SMALL_TEXT, report.HIDDEN_TEXT)]
    small = {c for c in unknown if cells[c] == report.SMALL_TEXT}
    start = {
        c: ((int(text),) * 2 if c not in unknown else (1, 4) if c in small else (0, bound)) for c, text in cells.items()
    }

    def allowed(cell, value):
        return 1 <= value <= 4 if cell in small else value == 0 or value >= 5 if cell in unknown else True

    def narrow(box):
        changed = True
        while changed:
            changed = False
            for parts, total in lines:
                members = [(p, 1) for p in parts] + [(total, -1)]
                for cell, sign in members:
                    lo_rest = sum(box[o][0] if s > 0 else -box[o][1] for o, s in members if o != cell)
                    hi_rest = sum(box[o][1] if s > 0 else -box[o][0] for o, s in members if o != cell)
                    lo, hi = (-hi_rest, -lo_rest) if sign > 0 else (lo_rest, hi_rest)
                    new_lo, new_hi = max(box[cell][0], lo), min(box[cell][1], hi)
                    while new_lo <= new_hi and not allowed(cell, new_lo):
                        new_lo += 1
                    while new_hi >= new_lo and not allowed(cell, new_hi):
                        new_hi -= 1
                    if new_lo > new_hi:
                        return None
                    if (new_lo, new_hi) != box[cell]:
                        box[cell] = (new_lo, new_hi)
                        changed = True
        return box

    def solvable(box):
        box = narrow(dict(box))
        if box is None:
            return False
        open_cells = [c for c in unknown if box[c][0] < box[c][1]]
        if not open_cells:
            return True
        cell = min(open_cells, key=lambda c: box[c][1] - box[c][0])
        lo, hi = box[cell]
        return any(solvable({**box, cell: (v, v)}) for v in range(lo, hi + 1) if allowed(cell, v))

    found = {}
    for cell in unknown:
        found[cell] = set()
        lo, hi = start[cell]
        for value in range(lo, hi + 1):
            if allowed(cell, value) and solvable({**start, cell: (value, value)}):
                found[cell].add(value)
                if len(found[cell]) > 1:
                    break
    return found


def assert_nothing_derivable(tables, bound):
    cells, lines = reader_view(tables)
    for cell, values in feasible_values(cells, lines, bound).items():
        assert len(values) > 1, f"{cell} ({cells[cell]}) can be derived: it must be {values}"


# --- A small known data set ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _known_once(django_db_setup, django_db_blocker):
    """The known data set, built once for this module (about 1.5 s a build) inside one transaction that is
    rolled back after the module's last test; every test runs in its own savepoint within it, so what one
    test writes is undone before the next, on SQLite and PostgreSQL alike."""
    with django_db_blocker.unblock(), transaction.atomic():
        organisation = demo_snapshot.demo()
        _build_known(organisation)
        yield organisation.pk
        transaction.set_rollback(True)


@pytest.fixture
def organisation(db, _known_once):
    """Gemeente Voorbeeldstad with the known data set (this module's tests about other things do not mind
    it: a refused role or a refused period shows no figure)."""
    from meldpunt.organisations.models import Organisation

    return Organisation.objects.get(pk=_known_once)


@pytest.fixture
def known(organisation):
    """This year: 3 reports about wethouder Henk Bosman (bestuurder), 6 about a manager (ambtenaar),
    5 without anyone named; 2 signals; 5 of the reports are closed."""
    return organisation


def _build_known(organisation):
    from meldpunt.registry.models import Person

    no_patterns(organisation)
    bosman = Person.objects.get(organisation=organisation, name="Henk Bosman")
    from meldpunt.registry.models import Appointment

    official = (
        Appointment.objects.filter(position__category="manager", person__organisation=organisation).first().person
    )
    made = []
    for _ in range(3):
        made.append(report_about(organisation, bosman, relation=Relation.MEDEWERKER)[0])
    for index in range(6):
        case = report_about(organisation, official, relation=Relation.INWONER)[0]
        Case.objects.filter(pk=case.pk).update(behaviour_reported=Behaviour.PESTEN if index < 5 else "")
        made.append(case)
    for _ in range(5):
        made.append(report_about(organisation, relation=Relation.STUDENT)[0])
    from meldpunt.cases.actions import submit_report
    from tests.factories import ReportInputFactory

    for _ in range(2):
        submit_report(organisation, ReportInputFactory(), kind=Kind.SIGNAAL, channel=Channel.WAARNEMING)
    for case in made[3:8]:
        walk_to(Case.objects.get(pk=case.pk), "afgesloten")


@pytest.mark.django_db
def test_routing_stores_the_accused_group(known, person):
    groups = list(Case.objects.filter(organisation=known).values_list("accused_group", flat=True))
    assert (groups.count("bestuurder"), groups.count("ambtenaar"), groups.count("onbekend")) == (3, 6, 7)
    assert accused_group(["wethouder", "extern"]) == "bestuurder"
    assert accused_group(["extern"]) == "onbekend"
    assert accused_group([]) == "onbekend"


@pytest.mark.django_db
def test_counts_of_a_known_data_set(known):
    counts = figures.count(known, year_period(YEAR))
    grids = {g.key: g for g in report.grids(counts)}
    accused = grids["accused_group"]
    assert accused.row_totals == {"bestuurder": 3, "ambtenaar": 6, "onbekend": 7}
    assert accused.col_totals == {"melding": 14, "signaal": 2}
    assert grids["relation"].row_totals == {"intern": 3, "extern": 13}
    assert grids["behaviour_reported"].row_totals["pesten"] == 5
    assert grids["channel"].cells[("online", "melding")] == 14
    assert grids["channel"].cells[("waarneming", "signaal")] == 2
    assert grids["outcome"].row_totals["gegrond"] == 5
    assert grids["anonymous"].row_totals == {"True": 16, "False": 0}
    # Online reports are acknowledged at once; nothing is a week old yet.
    assert counts.ack_in_time == 14 and counts.ack_base == 14
    assert counts.closed == 5 and counts.median_days is not None and counts.median_days < 1
    assert counts.p90_days >= counts.median_days


@pytest.mark.django_db
def test_three_reports_about_bestuurders_show_less_than_five(known):
    shown = report.build(known, year_period(YEAR))
    bestuurder = next(r for r in shown.table("accused_group").rows if r.key == "bestuurder")
    assert [c.text for c in bestuurder.cells] == ["< 5", "0", "< 5"]
    # The two signals are a small count too, in every table's total row.
    assert all(t.total.cells[1].text == "< 5" for t in shown.tables)
    assert_nothing_derivable(shown.tables, bound=16)


@pytest.mark.django_db
def test_page_shows_the_figures_and_a_table_beside_every_chart(known):
    response = verified_client("behandelaar1").get("/cijfers/", QUERY)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('role="img"') == len(report.TABLES)
    assert page.count("<caption") == len(report.TABLES) + 2
    assert '<title id="grafiek-accused_group-title">Over wie</title>' in page
    assert "<script" not in page.split("<main", 1)[1]
    assert AuditEvent.objects.filter(action="figures.viewed").count() == 1


class TableReader(HTMLParser):
    """The rows of every <table> on a page, as text per cell."""

    def __init__(self):
        super().__init__()
        self.tables, self.row, self.cell, self.caption = [], None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = ""
        elif tag == "caption":
            self.caption = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None:
            self.row.append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "tr":
            self.tables[-1].append(self.row)
            self.row = None
        elif tag == "caption":
            self.caption = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


@pytest.mark.django_db
def test_csv_matches_the_page(known):
    client = verified_client("behandelaar1")
    reader = TableReader()
    reader.feed(client.get("/cijfers/", QUERY).content.decode())
    from_page = set()
    for table in reader.tables:
        header, *rows = table
        if len(header) == 4:
            from_page.update((row[0], *row[1:]) for row in rows)
        else:
            from_page.update((row[0], "", "", row[1]) for row in rows)
    response = client.get("/cijfers/cijfers.csv", QUERY)
    assert response["Content-Type"].startswith("text/csv")
    _title, _head, *rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    from_csv = {tuple(row[1:]) for row in rows}
    assert from_csv == from_page
    assert ("Bestuurder", "< 5", "0", "< 5") in from_csv


@pytest.mark.django_db
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is installed by make test")
@pytest.mark.parametrize("url", ["/cijfers/cijfers.pdf?soort=jaar&jaar={year}", "/cijfers/jaarverslag/{year}.pdf"])
def test_pdf_renders_headings_and_figures(known, url, tmp_path):
    response = verified_client("burgemeester").get(url.format(year=YEAR))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "cijfers.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "Gemeente Voorbeeldstad" in text
    assert "Anonieme meldingen" in text and "Over wie" in text and "Kengetallen" in text
    assert "Bestuurder" in text and "< 5" in text
    assert "100 %" in text  # acknowledged within 7 days
    if "jaarverslag" in url:
        assert f"Jaarverslag meldingen en signalen {YEAR}" in text and "ondernemingsraad" in text


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["griffier", "raadslid"])
def test_council_sees_the_figures_and_no_case(known, username):
    client = verified_client(username)
    assert client.get("/cijfers/", QUERY).status_code == 200
    for case in Case.objects.filter(organisation=known):
        for suffix in ("", "logboek/"):
            assert client.get(f"/behandelen/zaak/{case.reference}/{suffix}").status_code == 404
        assert client.post(f"/behandelen/zaak/{case.reference}/status/", {"step": "beoordelen"}).status_code == 404
    listed = client.get("/behandelen/").content.decode()
    assert not any(case.reference in listed for case in Case.objects.filter(organisation=known))


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["vertrouwenspersoon", "beheerder", "wethouder"])
def test_others_do_not_see_the_figures(organisation, username):
    assert verified_client(username).get("/cijfers/", QUERY).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field",
    [
        ({"soort": "jaar", "jaar": "1999"}, "jaar"),  # Tried: a year before 2000.
        ({"soort": "jaar", "jaar": "twintig"}, "jaar"),  # Tried: a word as the year.
        ({"soort": "kwartaal", "jaar": "2025"}, "kwartaal"),  # Tried: a quarter without its number.
        ({"soort": "eigen", "van": "2025-05-01", "tot": "2025-04-01"}, "tot"),  # Tried: the end before the start.
        ({"soort": "eigen", "van": "32-13-2025", "tot": "2025-04-01"}, "van"),  # Tried: a day that does not exist.
    ],
)
def test_a_bad_period_is_refused_with_what_was_typed(organisation, query, field):
    response = verified_client("behandelaar1").get("/cijfers/", query)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}_fout"' in page
    for value in query.values():
        assert f'value="{value}"' in page or f'<option value="{value}" selected>' in page


@pytest.mark.django_db
def test_a_quarter_and_dates_of_ones_own(known):
    client = verified_client("behandelaar1")
    quarter = (timezone.localdate().month - 1) // 3 + 1
    page = client.get("/cijfers/", {"soort": "kwartaal", "jaar": YEAR, "kwartaal": quarter}).content.decode()
    assert f"kwartaal {quarter} {YEAR}" in page and "&lt; 5" in page
    today = timezone.localdate()
    before = today - datetime.timedelta(days=30)
    empty = client.get("/cijfers/", {"soort": "eigen", "van": str(before), "tot": str(before)})
    assert empty.status_code == 200
    reader = TableReader()
    reader.feed(empty.content.decode())
    assert all(row[1:] == ["0", "0", "0"] for table in reader.tables if len(table[0]) == 4 for row in table[1:])


# --- The suppression on its own ------------------------------------------------------------------------------------


def _grid(key, rows, values):
    cols = ["melding", "signaal"]
    cells = {(r, c): v for r, row in zip(rows, values, strict=True) for c, v in zip(cols, row, strict=True)}
    row_totals = {r: sum(row) for r, row in zip(rows, values, strict=True)}
    col_totals = {c: sum(row[i] for row in values) for i, c in enumerate(["melding", "signaal"])}
    return Grid(key, rows, ["melding", "signaal"], cells, row_totals, col_totals, sum(row_totals.values()))


def _as_tables(grids):
    hidden = suppress(grids)
    tables = []
    for grid in grids:

        def cell(value, cell_id):
            text = "< 5" if cell_id in hidden.primary else "x" if cell_id in hidden.complementary else str(value)
            return report.Cell(value, text, text in ("< 5", "x"))

        rows = [
            report.Row(
                r,
                r,
                [cell(grid.cells[(r, c)], grid.cell_id(r, c)) for c in grid.cols]
                + [cell(grid.row_totals[r], grid.row_total_id(r))],
            )
            for r in grid.rows
        ]
        total = report.Row(
            "totaal",
            "totaal",
            [cell(grid.col_totals[c], grid.col_total_id(c)) for c in grid.cols] + [cell(grid.grand, grid.grand_id())],
        )
        tables.append(report.Table(grid.key, grid.key, "", rows, total))
    return tables


@pytest.mark.parametrize(
    "a, b",
    [
        # Two tables over the same 24 cases, with small cells in rows, columns and totals.
        ([[3, 0], [10, 2], [7, 2]], [[12, 4], [8, 0]]),
        ([[1, 1], [5, 5], [6, 6]], [[0, 3], [12, 9]]),
        ([[4, 0], [0, 4], [9, 9]], [[13, 0], [0, 13]]),
        ([[2, 0], [0, 0], [20, 6]], [[1, 1], [21, 5]]),
    ],
)
def test_no_suppressed_cell_can_be_derived(a, b):
    grids = [_grid("a", [f"a{i}" for i in range(len(a))], a), _grid("b", [f"b{i}" for i in range(len(b))], b)]
    assert grids[0].col_totals == grids[1].col_totals
    tables = _as_tables(grids)
    for grid, table in zip(grids, tables, strict=True):
        for (r, c), value in grid.cells.items():
            shown = next(row for row in table.rows if row.key == r).cells[["melding", "signaal"].index(c)].text
            assert (shown == "< 5") == (1 <= value <= 4)
    assert_nothing_derivable(tables, bound=max(g.grand for g in grids))


def test_random_tables_leave_nothing_derivable():
    import random

    rng = random.Random(14)
    for _ in range(12):
        rows = rng.randint(2, 4)
        a = [[rng.choice([0, 1, 2, 3, 5, 8, 12]) for _ in range(2)] for _ in range(rows)]
        tables = _as_tables([_grid("a", [f"a{i}" for i in range(rows)], a)])
        assert_nothing_derivable(tables, bound=sum(itertools.chain(*a)))


def test_the_check_finds_a_cell_given_away_by_a_total():
    """The derivation check itself: with only the small cell hidden, its row total gives it away."""
    grid = _grid("a", ["a0", "a1"], [[3, 10], [6, 7]])
    table = _as_tables([grid])[0]
    for row in table.rows:
        row.cells = [
            report.Cell(c.value, "< 5" if 1 <= c.value <= 4 else str(c.value), 1 <= c.value <= 4) for c in row.cells
        ]
    table.total.cells = [report.Cell(c.value, str(c.value), False) for c in table.total.cells]
    cells, lines = reader_view([table])
    assert feasible_values(cells, lines, bound=26) == {("a", "a0", "m"): {3}}


@pytest.mark.django_db
def test_overdue_escalations_pattern_alerts_and_measures_are_counted(known, person):
    from meldpunt.cases import deadlines
    from meldpunt.escalation.models import DueDate, Escalation
    from meldpunt.maatregelen.models import Measure
    from meldpunt.notifications.models import Notification

    now = timezone.now()
    open_cases = list(Case.objects.filter(organisation=known, closed_at__isnull=True).order_by("pk")[:2])
    for case in open_cases:
        DueDate.objects.filter(case=case, kind=deadlines.FEEDBACK).update(
            due_at=now - datetime.timedelta(days=1), next_action_at=now, met_at=None
        )
    due = DueDate.objects.get(case=open_cases[0], kind=deadlines.FEEDBACK)
    for round_ in (0, 1, 2):  # a reminder and two escalation rounds
        Escalation.objects.create(due_date=due, round=round_, sent_at=now)
    for _ in range(2):  # one case, two recipients: one pattern alert
        Notification.objects.create(
            organisation=known,
            person=person("Ingrid Vos"),
            case=open_cases[1],
            kind=Notification.Kind.PATTERN,
            reason="-",
            created_at=now,
        )
    for state in ("voorgesteld", "vervallen"):
        Measure.objects.create(
            case=open_cases[0],
            kind="overplaatsing",
            burdens="melder",
            state=state,
            decided_on=now.date(),
            sealed_text=b"-",
            created_at=now,
        )
    counts = figures.count(known, year_period(YEAR))
    assert (counts.overdue_now, counts.escalations, counts.pattern_alerts) == (2, 2, 1)
    assert (counts.measures_burdening_reporter, counts.measures_burdening_reporter_proposed) == (0, 2)
    shown = report.build(known, year_period(YEAR))
    assert shown.indicator("overdue").text == "< 5" and shown.indicator("escalations").text == "< 5"
    # Another year counts none of it.
    assert figures.count(known, year_period(YEAR - 1)).overdue_now == 0
