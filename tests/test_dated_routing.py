"""The protocol follows the time of the events, not only who holds which office today.

The case of the source documents: a citizen reports after the wethouder
resigned, about what he did during his term. Gerard Wolters (fictional) was
wethouder Wonen of Gemeente Voorbeeldstad from 1 June 2018 to 31 May 2022 and
holds no office now.
"""

import datetime
import re

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from meldpunt.cases.actions import SubjectInput, submit_report
from meldpunt.cases.models import Case
from meldpunt.notifications.models import Notification
from meldpunt.protocol.routing import EventPeriod, Holding, Named, PositionInfo, Protocol, RegistryView, Rule, route
from tests.conftest import verified_client
from tests.factories import ReportInputFactory
from tests.test_report_form import valid


def report_on(organisation, person, start=None, end=None):
    report = ReportInputFactory(
        subjects=[SubjectInput(role="beschuldigde", person=person)], period_start=start, period_end=end
    )
    case, _code = submit_report(organisation, report)
    return case


def recipients(case) -> set[str]:
    return {r.person.name for r in case.routing_decisions.first().recipients.all()}


@pytest.mark.django_db
def test_a_report_after_the_resignation_about_his_term_reaches_the_burgemeester_and_the_secretary(organisation, person):
    gerard = person("Gerard Wolters")
    case = report_on(organisation, gerard, datetime.date(2019, 3, 1), datetime.date(2020, 11, 30))

    decision = case.routing_decisions.get()
    assert decision.categories == ["wethouder"]
    assert recipients(case) == {"Marieke van Dalen", "Willem Jacobs"}
    assert set(Notification.objects.filter(case=case).values_list("person__name", flat=True)) >= {
        "Marieke van Dalen",
        "Willem Jacobs",
    }
    explanation = decision.recipients.get(person__name="Marieke van Dalen").explanation
    assert "was wethouder Wonen van juni 2018 tot mei 2022" in explanation
    assert gerard.name not in recipients(case)
    # The burgemeester opens it; the routing on the case page says on what it rests.
    page = verified_client("burgemeester").get(f"/behandelen/zaak/{case.reference}/").content.decode()
    assert "was wethouder Wonen van juni 2018 tot mei 2022" in page


@pytest.mark.django_db
def test_a_report_about_events_after_he_left_goes_by_the_extern_rule(organisation, person):
    case = report_on(organisation, person("Gerard Wolters"), datetime.date(2023, 5, 1), datetime.date(2023, 5, 2))
    assert case.routing_decisions.get().categories == ["extern"]
    assert "Marieke van Dalen" not in recipients(case)
    assert recipients(case) == {"Ingrid Vos", "Daan Schouten"}  # the integrity office


@pytest.mark.django_db
def test_a_period_spanning_his_term_and_after_applies_both_rules(organisation, person):
    case = report_on(organisation, person("Gerard Wolters"), datetime.date(2021, 9, 1), datetime.date(2023, 3, 1))
    assert case.routing_decisions.get().categories == ["extern", "wethouder"]
    assert recipients(case) == {"Marieke van Dalen", "Willem Jacobs", "Ingrid Vos", "Daan Schouten"}


@pytest.mark.django_db
def test_without_a_date_his_most_recent_office_counts(organisation, person):
    case = report_on(organisation, person("Gerard Wolters"))
    assert case.routing_decisions.get().categories == ["wethouder"]
    assert recipients(case) == {"Marieke van Dalen", "Willem Jacobs"}


@pytest.mark.django_db
def test_through_the_public_form_a_dated_report_about_the_former_wethouder_reaches_the_burgemeester(
    organisation, person
):
    """The seventh report of the source documents, sent as a citizen sends it."""
    client = Client()
    page = client.get("/voorbeeldstad/melden/").content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    hidden.pop("csrfmiddlewaretoken", None)
    data = valid(**hidden, period_start="2019-04-12", period_end="")
    data[f"persoon_{person('Gerard Wolters').pk}"] = "beschuldigde"
    response = client.post("/voorbeeldstad/melden/", data, follow=True)
    assert response.status_code == 200
    case = Case.objects.get()
    assert "wethouder" in case.routing_decisions.get().categories
    assert {"Marieke van Dalen", "Willem Jacobs"} <= recipients(case)


def test_a_period_spanning_two_positions_applies_the_union_of_both_rules():
    """Pure routing: someone who was raadslid, then wethouder."""
    positions = {
        1: PositionInfo(1, "Raadslid", "raadslid"),
        2: PositionInfo(2, "Wethouder Sport", "wethouder"),
        3: PositionInfo(3, "Burgemeester", "burgemeester"),
        4: PositionInfo(4, "Griffier", "griffier"),
        5: PositionInfo(5, "Gemeentesecretaris", "gemeentesecretaris"),
    }
    today = datetime.date(2026, 12, 1)
    holdings = [
        Holding(10, 1, datetime.date(2014, 3, 1), datetime.date(2018, 3, 31)),
        Holding(10, 2, datetime.date(2018, 4, 1), datetime.date(2021, 7, 31)),
        Holding(20, 3, datetime.date(2010, 1, 1)),
        Holding(21, 4, datetime.date(2010, 1, 1)),
        Holding(22, 5, datetime.date(2010, 1, 1)),
    ]
    registry = RegistryView(positions, holdings, today=today)
    protocol = Protocol(
        1,
        {
            "raadslid": Rule("raadslid", ("role:burgemeester", "role:griffier")),
            "wethouder": Rule("wethouder", ("role:burgemeester", "role:gemeentesecretaris")),
            "extern": Rule("extern", ("role:behandelaar",)),
        },
    )
    spanning = route(registry, protocol, [Named(10)], EventPeriod(datetime.date(2017, 1, 1), datetime.date(2019, 1, 1)))
    assert spanning.categories == ["raadslid", "wethouder"]
    assert spanning.recipient_ids() == {20, 21, 22}
    only_council = route(
        registry, protocol, [Named(10)], EventPeriod(datetime.date(2015, 1, 1), datetime.date(2015, 2, 1))
    )
    assert only_council.categories == ["raadslid"]
    assert only_council.recipient_ids() == {20, 21}


# Properties over generated dated registries ---------------------------------------------------------

TODAY = datetime.date(2026, 12, 1)
CATEGORY_OF = {1: "raadslid", 2: "wethouder", 3: "medewerker", 4: "directeur"}


@st.composite
def dated_histories(draw):
    """Someone (person 1) with up to four successive or overlapping terms, and an event period."""
    positions = {pid: PositionInfo(pid, f"P{pid}", category) for pid, category in CATEGORY_OF.items()}
    positions[9] = PositionInfo(9, "Behandelaar", "behandelaar")
    holdings = [Holding(50, 9, datetime.date(2000, 1, 1))]
    for _term in range(draw(st.integers(0, 4))):
        start = datetime.date(2010, 1, 1) + datetime.timedelta(days=draw(st.integers(0, 6000)))
        end = draw(st.one_of(st.none(), st.integers(0, 3000).map(lambda d, s=start: s + datetime.timedelta(days=d))))
        holdings.append(Holding(1, draw(st.sampled_from(sorted(CATEGORY_OF))), start, end))
    first = datetime.date(2010, 1, 1) + datetime.timedelta(days=draw(st.integers(0, 6000)))
    last = first + datetime.timedelta(days=draw(st.integers(0, 2000)))
    given = draw(st.booleans())
    period = EventPeriod(first, last, given) if given else EventPeriod(last, last, False)
    return RegistryView(positions, holdings, today=TODAY), period


EVERY_RULE = Protocol(
    1, {c: Rule(c, ("role:behandelaar",)) for c in ["raadslid", "wethouder", "medewerker", "directeur", "extern"]}
)


@settings(max_examples=300, deadline=None)
@given(history=dated_histories())
def test_every_position_held_during_the_events_or_now_counts_and_extern_only_when_fitting(history):
    registry, period = history
    decision = route(registry, EVERY_RULE, [Named(1)], period)
    mine = [h for h in registry.holdings if h.person == 1]
    during = {CATEGORY_OF[h.position] for h in mine if h.covers(period.first, period.last)}
    now = {CATEGORY_OF[h.position] for h in mine if h.covers(TODAY, TODAY)}
    # A position held during the events, or held now, is never forgotten.
    assert during | now <= set(decision.categories)
    # Someone holding a position now is never "extern".
    if now:
        assert "extern" not in decision.categories
    # Nobody then nor now, with a date given: only the rule for outsiders.
    if period.given and not (during | now):
        assert decision.categories == ["extern"]
    # Without a date and nothing then nor now: the most recent term counts, if there was one.
    if not period.given and not (during | now):
        ended = [h for h in mine if h.end is not None and h.end < period.last]
        if ended:
            latest = max(h.end for h in ended)
            assert set(decision.categories) == {CATEGORY_OF[h.position] for h in ended if h.end == latest}
        else:
            assert decision.categories == ["extern"]
    # Whatever the dates, the accused is never told and the integrity office always is.
    assert 1 not in decision.recipient_ids()
    assert 50 in decision.recipient_ids()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "datum, category, recipient",
    [
        ("2019-04-12", "Wethouder", "Marieke van Dalen"),
        ("12-04-2019", "Wethouder", "Marieke van Dalen"),
        ("2024-01-01", "Externe persoon", "Ingrid Vos"),
        ("", "Wethouder", "Marieke van Dalen"),
    ],
)
def test_the_what_if_preview_takes_a_date_of_the_events(organisation, person, datum, category, recipient):
    from django.urls import reverse

    admin = verified_client("beheerder")
    url = reverse("beheer:protocol_preview")
    page = admin.get(url, {"persoon": person("Gerard Wolters").pk, "datum": datum}).content.decode()
    categories = re.search(r'data-testid="categories">([^<]*)<', page).group(1)
    assert categories == category
    assert recipient in re.search(r'data-testid="recipients">(.*?)</ul>', page, re.S).group(1)
    assert "was wethouder Wonen van juni 2018 tot mei 2022" in page or category == "Externe persoon"


@pytest.mark.django_db
def test_the_what_if_preview_refuses_a_date_it_cannot_read_and_keeps_the_person(organisation, person):
    from django.urls import reverse

    gerard = person("Gerard Wolters")
    response = verified_client("beheerder").get(
        reverse("beheer:protocol_preview"), {"persoon": gerard.pk, "datum": "31-02-2019"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Vul een datum in als dag-maand-jaar" in page
    assert f'value="{gerard.pk}" selected' in page


@pytest.mark.django_db
def test_the_routing_explanation_names_the_locoburgemeester(organisation, person):
    case = report_on(organisation, person("Marieke van Dalen"))
    explanation = case.routing_decisions.get().recipients.get(person__name="Henk Bosman").explanation
    assert explanation.startswith("Wethouder Wonen (locoburgemeester): ")
    assert "De persoon is burgemeester sinds maart 2020." in explanation
