"""The functional admin sets the organisation's deadlines on /beheer/termijnen/;
bad values are refused with a clear message, and the protocol editor refuses
zero or negative days for the rules' deadlines and escalation interval."""

import html

import pytest
from django.urls import reverse

from meldpunt.audit.models import AuditEvent
from meldpunt.cases import deadlines
from meldpunt.escalation.models import DueDate
from meldpunt.organisations.models import Organisation
from tests.conftest import verified_client
from tests.factories import report_about
from tests.test_protocol_editor import form_data, versions

pytestmark = pytest.mark.django_db

URL = "/beheer/termijnen/"
GOOD = {
    "acknowledgement_days": "7",
    "feedback_months": "3",
    "reminder_days": "2",
    "meeting_days": "10",
    "count_working_days": "on",
}


@pytest.fixture
def admin(organisation):
    return verified_client("beheerder")


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_admin_shortens_the_feedback_deadline_and_open_cases_follow(admin, organisation, person):
    case, _code = report_about(organisation, person("Lotte Jansen"))
    before = DueDate.objects.get(case=case, kind=deadlines.FEEDBACK).due_at
    response = admin.post(URL, GOOD | {"feedback_months": "2", "reminder_days": "4"}, follow=True)
    assert "De termijnen zijn opgeslagen. De termijnen van 1 lopende zaken zijn opnieuw berekend." in text(response)
    organisation.refresh_from_db()
    assert (organisation.feedback_months, organisation.reminder_days) == (2, 4)
    after = DueDate.objects.get(case=case, kind=deadlines.FEEDBACK).due_at
    assert after == deadlines.add_months(case.acknowledged_at, 2) and after < before
    event = AuditEvent.objects.get(action="organisation.deadlines_changed")
    assert event.detail["before"]["feedback_months"] == 3 and event.detail["after"]["feedback_months"] == 2
    # Saving the same values again changes nothing and audits nothing.
    admin.post(URL, GOOD | {"feedback_months": "2", "reminder_days": "4"})
    assert AuditEvent.objects.filter(action="organisation.deadlines_changed").count() == 1


REFUSED = {
    "acknowledgement in 0 days": (
        {"acknowledgement_days": "0"},
        "'Ontvangstbevestiging binnen (dagen)' moet ten minste 1 zijn; 0 of minder kan niet.",
    ),
    "acknowledgement in -2 days": (
        {"acknowledgement_days": "-2"},
        "'Ontvangstbevestiging binnen (dagen)' moet ten minste 1 zijn; 0 of minder kan niet.",
    ),
    "acknowledgement in 8 days, more than the law allows": (
        {"acknowledgement_days": "8"},
        "'Ontvangstbevestiging binnen (dagen)' mag ten hoogste 7 zijn.",
    ),
    "feedback in 0 months": (
        {"feedback_months": "0"},
        "'Inhoudelijke terugkoppeling binnen (maanden)' moet ten minste 1 zijn; 0 of minder kan niet.",
    ),
    "feedback in 4 months, more than the law allows": (
        {"feedback_months": "4"},
        "'Inhoudelijke terugkoppeling binnen (maanden)' mag ten hoogste 3 zijn.",
    ),
    "a reminder 0 days before": (
        {"reminder_days": "0"},
        "'Herinnering aan de eigenaar (dagen vóór een termijn)' moet ten minste 1 zijn; 0 of minder kan niet.",
    ),
    "a reminder -1 days before": (
        {"reminder_days": "-1"},
        "'Herinnering aan de eigenaar (dagen vóór een termijn)' moet ten minste 1 zijn; 0 of minder kan niet.",
    ),
    "a reminder 31 days before": (
        {"reminder_days": "31"},
        "'Herinnering aan de eigenaar (dagen vóór een termijn)' mag ten hoogste 30 zijn.",
    ),
    "letters for days": ({"reminder_days": "twee"}, "Vul een heel aantal dagen in, in cijfers."),
    "nothing for months": ({"feedback_months": ""}, "Vul een aantal maanden in."),
}


@pytest.mark.parametrize("bad", REFUSED.values(), ids=REFUSED.keys())
def test_bad_settings_are_refused_keeping_what_was_typed(admin, organisation, bad):
    changes, message = bad
    response = admin.post(URL, GOOD | changes)
    assert response.status_code == 400
    page = text(response)
    assert message in page
    [(field, typed)] = changes.items()
    assert f'name="{field}" value="{typed}"' in page or (typed == "" and f'name="{field}"' in page)
    stored = Organisation.objects.get(pk=organisation.pk)
    assert (stored.acknowledgement_days, stored.feedback_months, stored.reminder_days) == (7, 3, 2)
    assert not AuditEvent.objects.filter(action="organisation.deadlines_changed").exists()


def test_the_settings_page_speaks_english_too(admin, organisation):
    admin.cookies["django_language"] = "en"
    response = admin.post(URL, GOOD | {"feedback_months": "0"})
    assert "0 or less is not possible" in text(response)


@pytest.mark.parametrize("field", ["first_contact_days", "assessment_days", "escalation_interval_days"])
@pytest.mark.parametrize("typed", ["0", "-3"])
def test_the_protocol_editor_refuses_zero_or_negative_days(admin, organisation, field, typed):
    labels = {
        "first_contact_days": "Eerste contact met de melder binnen (dagen)",
        "assessment_days": "Beoordeling binnen (dagen)",
        "escalation_interval_days": "Daarna opnieuw escaleren na (dagen)",
    }
    response = admin.post(reverse("beheer:protocol_edit"), form_data(organisation, **{f"wethouder-{field}": typed}))
    assert response.status_code == 400
    page = text(response)
    assert f"'{labels[field]}' moet een heel aantal dagen zijn, van 1 tot en met 365." in page
    assert f'name="wethouder-{field}" value="{typed}"' in page
    assert versions(organisation) == 1
