"""Report submission rate limits: a script cannot flood the protocol's
recipients, a refused reporter loses nothing typed and is told when to send."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from meldpunt import throttle
from meldpunt.cases.models import Case

URL = "/voorbeeldstad/melden/"
# 10:50 Amsterdam time; counting windows slide with the clock, so the tests freeze it.
MOMENT = datetime.datetime(2026, 3, 2, 9, 50, tzinfo=datetime.UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def empty_rate_limits(db):
    throttle.forget()
    yield
    throttle.forget()


def report(description="Hij maakte opmerkingen over mijn uiterlijk tijdens het spreekuur.", **extra):
    return {
        "action": "verstuur",
        "relation": "inwoner",
        "anonymous": "nee",
        "name": "Sanne Voorbeeld",
        "email": "sanne@example.org",
        "description": description,
        "contact_context": "hulpvraag",
        "told_before": "nee",
        "wishes": ["gehoord"],
        **extra,
    }


@pytest.mark.django_db
@override_settings(REPORT_SUBMISSIONS_PER_CLIENT=3, REPORT_SUBMISSIONS_WINDOW=3600)
def test_the_fourth_report_from_one_client_is_refused_with_everything_kept(organisation):
    """Tried: four reports within a minute from one address, limit 3 an hour;
    the fourth with an attachment."""
    reporter = Client(REMOTE_ADDR="198.51.100.20")
    with time_machine.travel(MOMENT, tick=False):
        for number in range(3):
            assert reporter.post(URL, report(f"Voorval nummer {number}.")).status_code == 302
        response = reporter.post(
            URL, report("Het vierde voorval, op de gang.", files=[SimpleUploadedFile("brief.pdf", PDF)])
        )
    page = response.content.decode()
    assert response.status_code == 429
    assert "Uw melding is nog niet verstuurd" in page
    # An hour after the first report (10:50 in Amsterdam), counted in minutes, it has slid out.
    assert "Verstuur haar vanaf 11:51 opnieuw" in page
    assert "Kies uw bijlagen dan opnieuw" in page
    assert int(response["Retry-After"]) == 61 * 60
    assert "Het vierde voorval, op de gang." in page
    assert 'value="Sanne Voorbeeld"' in page and 'value="sanne@example.org"' in page
    assert Case.objects.count() == 3

    # Another client still gets through.
    assert Client(REMOTE_ADDR="192.0.2.30").post(URL, report()).status_code == 302
    assert Case.objects.count() == 4


@pytest.mark.django_db
@override_settings(REPORT_SUBMISSIONS_PER_CLIENT=2, REPORT_SUBMISSIONS_WINDOW=3600)
def test_a_refused_client_can_send_again_once_the_window_has_slid(organisation):
    reporter = Client(REMOTE_ADDR="198.51.100.21")
    with time_machine.travel(MOMENT, tick=False) as clock:
        reporter.post(URL, report())
        reporter.post(URL, report())
        clock.shift(datetime.timedelta(minutes=50))
        assert reporter.post(URL, report()).status_code == 429
        clock.shift(datetime.timedelta(minutes=11))
        assert reporter.post(URL, report()).status_code == 302
    assert Case.objects.count() == 3


@pytest.mark.django_db
@override_settings(REPORT_SUBMISSIONS_PER_CLIENT=100, REPORT_SUBMISSIONS_GLOBAL_PER_HOUR=3)
def test_the_global_limit_holds_over_many_addresses(organisation):
    """Tried: four reports from four addresses within a minute, installation limit 3 an hour."""
    with time_machine.travel(MOMENT, tick=False):
        for number in range(3):
            assert Client(REMOTE_ADDR=f"198.51.100.{number}").post(URL, report()).status_code == 302
        response = Client(REMOTE_ADDR="203.0.113.9").post(URL, report())
    assert response.status_code == 429
    assert "Verstuur haar vanaf 11:51 opnieuw" in response.content.decode()
    assert Case.objects.count() == 3


@pytest.mark.django_db
@override_settings(REPORT_SUBMISSIONS_PER_CLIENT=1)
def test_refused_input_and_searches_do_not_count(organisation):
    """Tried: a form with the description left empty and a registry search, then a
    real report, all from one address with a limit of one report."""
    reporter = Client(REMOTE_ADDR="198.51.100.22")
    with time_machine.travel(MOMENT, tick=False):
        assert reporter.post(URL, report(description="")).status_code == 400
        assert reporter.post(URL, report(action="zoek", search="Bosman")).status_code == 200
        assert reporter.post(URL, report()).status_code == 302
    assert Case.objects.count() == 1


@pytest.mark.django_db
@override_settings(REPORT_SUBMISSIONS_PER_CLIENT=1)
def test_the_refusal_in_english(organisation):
    reporter = Client(REMOTE_ADDR="198.51.100.23")
    reporter.cookies["django_language"] = "en"
    with time_machine.travel(MOMENT, tick=False):
        reporter.post(URL, report())
        response = reporter.post(URL, report())
    assert response.status_code == 429
    assert "Your report has not been sent yet" in response.content.decode()
