"""The handlers' case list and case page: the reporter's deadlines, filters and
case-number search (issue 15, points 8 and 9)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meldpunt.cases import actions, deadlines
from meldpunt.cases.models import Case, Channel, Kind, Message, State
from meldpunt.cases.worklist import with_deadlines
from meldpunt.dates import long_date
from tests.conftest import verified_client
from tests.factories import ReportInputFactory, report_about, walk_to

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HOME = "/behandelen/"


def received_on(case: Case, day: datetime.datetime) -> Case:
    """Move a case back in time as if it had been received (and acknowledged) on ``day``."""
    case.received_at = case.acknowledged_at = day
    case.acknowledgement_due = deadlines.acknowledgement_due(day)
    case.feedback_due = deadlines.feedback_due(day, day)
    case.save(update_fields=["received_at", "acknowledged_at", "acknowledgement_due", "feedback_due"])
    return case


def cell(page: str, case: Case, testid: str) -> str:
    """The text of one deadline cell of a case's row."""
    row = page[page.index(f'data-reference="{case.reference}"') :].split("</tr>")[0]
    html = row[row.index(f'data-testid="{testid}">') :].split("</td>")[0].split(">", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def rows(page: str) -> list[str]:
    """The case numbers in the list, in the order shown."""
    return re.findall(r'data-testid="case-row" data-reference="([^"]+)"', page)


@pytest.fixture
def three_cases(organisation, person):
    """An overdue case (1 October, no contact), a fresh one (today) and a
    signal by telephone received on 1 December that a handler answered."""
    now = timezone.now()
    late, _ = report_about(organisation, person("Henk Bosman"))
    received_on(late, now - datetime.timedelta(days=20))
    fresh, _ = report_about(organisation)
    answered, _ = actions.submit_report(organisation, ReportInputFactory(), kind=Kind.SIGNAAL, channel=Channel.TELEFOON)
    received_on(answered, now - datetime.timedelta(days=10))
    actions.post_message(answered, Message.Author.BEHANDELAAR, "Dank voor uw melding.")
    return late, fresh, answered


@pytest.mark.django_db
def test_case_page_shows_first_contact_and_feedback_deadlines_as_the_reporter_was_told(organisation, person):
    # Received on 1 December 2026 at 13:06: the receipt promised contact within
    # 7 days and feedback within 3 months of the (immediate) acknowledgement.
    case, _ = report_about(organisation, person("Henk Bosman"))
    received_on(case, datetime.datetime(2026, 12, 1, 13, 6, tzinfo=AMSTERDAM))
    page = verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/").content.decode()
    assert "eerste contact uiterlijk 8 december 2026" in page
    assert "terugkoppeling uiterlijk 1 maart 2027" in page
    assert "1 december 2026, 13:06" in page


@pytest.mark.django_db
def test_case_list_shows_both_deadlines_and_overdue_cases_first(three_cases):
    late, fresh, answered = three_cases
    page = verified_client("behandelaar1").get(HOME).content.decode()
    # Sorted by "received, newest first" by default, but the overdue case leads.
    assert rows(page) == [late.reference, fresh.reference, answered.reference]
    assert cell(page, late, "first-contact").startswith("uiterlijk ")
    assert cell(page, late, "first-contact").endswith("verlopen")
    assert cell(page, answered, "first-contact") == "contact gehad"
    assert cell(page, answered, "feedback") == f"uiterlijk {long_date(answered.feedback_due)}"


@pytest.mark.django_db
def test_sorting_by_a_deadline_column_keeps_overdue_first(three_cases):
    late, fresh, answered = three_cases
    client = verified_client("behandelaar1")
    by_feedback = rows(client.get(HOME, {"sorteer": "terugkoppeling"}).content.decode())
    # answered (feedback due 10 days earlier than fresh) before fresh; overdue first.
    assert by_feedback == [late.reference, answered.reference, fresh.reference]
    by_contact = rows(client.get(HOME, {"sorteer": "eerste_contact"}).content.decode())
    # Not yet contacted (earliest due first), then the contacted one.
    assert by_contact == [late.reference, fresh.reference, answered.reference]
    by_number = rows(client.get(HOME, {"sorteer": "zaak"}).content.decode())
    assert by_number == [late.reference, fresh.reference, answered.reference]


@pytest.mark.django_db
def test_filters_by_state_kind_channel_and_overdue(three_cases):
    late, fresh, answered = three_cases
    walk_to(fresh, State.BEOORDELING)
    client = verified_client("behandelaar1")
    assert rows(client.get(HOME, {"status": "beoordeling"}).content.decode()) == [fresh.reference]
    assert rows(client.get(HOME, {"soort": "signaal"}).content.decode()) == [answered.reference]
    assert rows(client.get(HOME, {"kanaal": "online"}).content.decode()) == [late.reference, fresh.reference]
    assert rows(client.get(HOME, {"termijn": "verlopen"}).content.decode()) == [late.reference]
    combined = client.get(HOME, {"soort": "melding", "kanaal": "telefoon"}).content.decode()
    assert rows(combined) == [] and "Geen zaken gevonden met deze filters." in combined


@pytest.mark.django_db
def test_search_by_case_number_whole_or_part(three_cases):
    late, fresh, answered = three_cases
    client = verified_client("behandelaar1")
    assert rows(client.get(HOME, {"zaak": late.reference}).content.decode()) == [late.reference]
    number = answered.reference.split("-")[1]
    assert rows(client.get(HOME, {"zaak": f"  {number} "}).content.decode()) == [answered.reference]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"status": "gesloten"},
        {"soort": "'; DROP TABLE cases_case; --"},
        {"kanaal": "x" * 5000},
        {"termijn": "ja"},
        {"sorteer": "sealed_content"},
        {"sorteer": "-received_at"},
        {"zaak": "2026-\x00"},
        {"zaak": "<script>alert(1)</script>"},
        {"zaak": "9" * 500},
    ],
    ids=lambda q: next(iter(q)),
)
def test_bad_filter_values_are_ignored(three_cases, query):
    late, fresh, answered = three_cases
    response = verified_client("behandelaar1").get(HOME, query)
    assert response.status_code == 200
    assert rows(response.content.decode()) == [late.reference, fresh.reference, answered.reference]


@pytest.mark.django_db
def test_a_bad_value_does_not_undo_the_good_ones(three_cases):
    late, fresh, answered = three_cases
    page = verified_client("behandelaar1").get(HOME, {"soort": "signaal", "status": "nonsense"}).content.decode()
    assert rows(page) == [answered.reference]


@pytest.mark.django_db
def test_filters_never_show_more_than_the_access_rule_allows(three_cases, person):
    # The burgemeester was routed the report about the wethouder (late), not
    # the others; filtering or searching for them shows nothing more.
    late, fresh, answered = three_cases
    client = verified_client("burgemeester")
    assert rows(client.get(HOME).content.decode()) == [late.reference]
    assert rows(client.get(HOME, {"zaak": answered.reference}).content.decode()) == []
    assert rows(client.get(HOME, {"soort": "signaal"}).content.decode()) == []
    # The accused wethouder sees nothing, whatever the filter.
    assert rows(verified_client("wethouder").get(HOME, {"zaak": late.reference}).content.decode()) == []


@pytest.mark.django_db
def test_database_and_python_agree_on_what_is_overdue(three_cases):
    now = timezone.now()
    for case in with_deadlines(Case.objects.all(), now):
        fresh = Case.objects.get(pk=case.pk)
        assert fresh.deadlines.overdue == case.overdue
        assert fresh.deadlines.first_contact_overdue == case.first_contact_overdue
        assert fresh.deadlines.feedback_overdue == case.feedback_overdue


def test_overdue_rule_without_a_database():
    due = datetime.datetime(2026, 12, 8, tzinfo=AMSTERDAM)
    after, before = due + datetime.timedelta(minutes=1), due - datetime.timedelta(minutes=1)
    assert deadlines.is_overdue(due, after, done=False, still_open=True)
    assert not deadlines.is_overdue(due, before, done=False, still_open=True)
    assert not deadlines.is_overdue(due, after, done=True, still_open=True)
    assert not deadlines.is_overdue(due, after, done=False, still_open=False)


@pytest.mark.django_db
def test_protocol_page_says_escalation_is_not_executed_yet(organisation):
    client = verified_client("beheerder")
    for url in ("/beheer/protocol/", "/beheer/protocol/wijzigen/"):
        page = client.get(url).content.decode()
        assert "Escalatie werkt nog niet." in page, url
