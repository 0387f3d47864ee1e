"""The category of behaviour: the reporter's optional choice on the report form (and the API, which
takes the same form), and the handler's own assessment on the case page, kept apart and audited."""

import io

import pytest
from django.core.management import call_command

from meldpunt.audit.models import AuditEvent
from meldpunt.cases.models import Case
from tests.conftest import verified_client
from tests.factories import report_about
from tests.test_report_form import URL, valid


@pytest.mark.django_db
def test_the_reporter_may_choose_a_category(client, organisation):
    response = client.post(URL, valid(behaviour="machtsmisbruik"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.behaviour_reported, case.behaviour_assessed) == ("machtsmisbruik", "")


@pytest.mark.django_db
def test_the_category_is_optional(client, organisation):
    assert client.post(URL, valid()).status_code == 302
    assert Case.objects.get().behaviour_reported == ""


@pytest.mark.django_db
def test_a_category_not_on_the_list_is_refused_and_the_text_kept(client, organisation):
    """Tried: a made-up category typed into the request."""
    response = client.post(URL, valid(behaviour="roddelen"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Na mijn inspraak bij de raadsvergadering kreeg ik berichten." in page
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_the_form_offers_the_categories(client, organisation):
    page = client.get(URL).content.decode()
    assert "Wat voor gedrag was het?" in page
    for label in ("Seksuele intimidatie", "Agressie en geweld", "Pesten", "Discriminatie", "Machtsmisbruik"):
        assert label in page


@pytest.mark.django_db
def test_the_handler_assesses_apart_from_the_reporter(organisation):
    case, _code = report_about(organisation, behaviour="pesten")
    client = verified_client("behandelaar1")
    url = f"/behandelen/zaak/{case.reference}/soort-gedrag/"
    response = client.post(url, {"behaviour": "discriminatie"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.behaviour_reported, case.behaviour_assessed) == ("pesten", "discriminatie")
    event = AuditEvent.objects.get(action="case.behaviour_assessed")
    assert (event.case_reference, event.detail["was"], event.detail["now"]) == (case.reference, "", "discriminatie")
    page = client.get(f"/behandelen/zaak/{case.reference}/").content.decode()
    assert 'data-testid="behaviour-reported">Pesten<' in page
    assert 'data-testid="behaviour-assessed">Discriminatie<' in page
    # The same answer again changes nothing and is no new event.
    client.post(url, {"behaviour": "discriminatie"})
    assert AuditEvent.objects.filter(action="case.behaviour_assessed").count() == 1


@pytest.mark.django_db
def test_a_made_up_assessment_changes_nothing(organisation):
    """Tried: a category not on the list, posted to the assessment."""
    case, _code = report_about(organisation)
    response = verified_client("behandelaar1").post(
        f"/behandelen/zaak/{case.reference}/soort-gedrag/", {"behaviour": "roddelen"}, follow=True
    )
    assert "Kies een soort gedrag uit de lijst." in response.content.decode()
    case.refresh_from_db()
    assert case.behaviour_assessed == ""
    assert not AuditEvent.objects.filter(action="case.behaviour_assessed").exists()


@pytest.mark.django_db
def test_the_demo_has_two_years_of_history_for_the_figures():
    from django.utils import timezone

    from meldpunt.cijfers import report
    from meldpunt.cijfers.forms import year_period
    from meldpunt.organisations.models import Organisation

    call_command("load_demo", stdout=io.StringIO())
    organisation = Organisation.objects.get(slug="voorbeeldstad")
    last_year = timezone.localdate().year - 1
    shown = report.build(organisation, year_period(last_year))
    texts = [cell.text for table in shown.tables for row in table.rows for cell in row.cells]
    assert "< 5" in texts and any(t.isdigit() and int(t) >= 5 for t in texts)
    assert shown.table("accused_group").total.cells[-1].text == "52"
    before = Case.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert Case.objects.count() == before
