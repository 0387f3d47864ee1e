"""The protocol editor (/beheer/protocol/): the functional admin reads the
protocol in plain words, edits it into a new version, previews who would get
a report about someone, and cannot save a protocol that leaves a category
without a recipient or points a report at the accused's own category.

Actors (meldpunt/demo/data.py, all fictional): functioneel beheerder Rob
Lammers ("beheerder"), burgemeester Marieke van Dalen, wethouder Wonen and
locoburgemeester Henk Bosman, gemeentesecretaris Willem Jacobs, handlers
Ingrid Vos and Daan Schouten.
"""

import html
import re

import pytest
from django.urls import reverse

from meldpunt.audit.models import AuditEvent
from meldpunt.protocol import validation
from meldpunt.protocol.defaults import DEFAULT_RULES
from meldpunt.protocol.models import AccusedCategory, ProtocolVersion
from meldpunt.protocol.versions import current_version, save_version
from meldpunt.registry.models import Position
from tests.conftest import verified_client
from tests.factories import report_about

PAGES = ["beheer:protocol", "beheer:protocol_edit", "beheer:protocol_preview"]


@pytest.fixture
def admin(organisation):
    return verified_client("beheerder")


def text(response) -> str:
    return html.unescape(response.content.decode())


def form_data(organisation, **changes) -> dict:
    """What the edit page posts for the version in force, with ``changes``
    as {"wethouder-recipients": [...], "note": "..."}."""
    version = current_version(organisation)
    data = {"based_on": version.number, "note": ""}
    for rule in version.rules.all():
        prefix = rule.category
        data[f"{prefix}-recipients"] = list(rule.recipients)
        data[f"{prefix}-escalation"] = list(rule.escalation)
        data[f"{prefix}-exclusions"] = list(rule.exclusions)
        data[f"{prefix}-first_contact_days"] = rule.first_contact_days
        data[f"{prefix}-assessment_days"] = rule.assessment_days
        data[f"{prefix}-escalation_interval_days"] = rule.escalation_interval_days
    data.update(changes)
    return data


def section(page: str, testid: str) -> str:
    """The content of the element marked with ``data-testid``."""
    return re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', page, re.S)[2]


def checkbox(page: str, name: str, value: str) -> str:
    """The <input> tag of one checkbox."""
    return re.search(rf'<input type="checkbox" name="{re.escape(name)}" value="{re.escape(value)}"[^>]*>', page)[0]


def versions(organisation) -> int:
    return ProtocolVersion.objects.filter(organisation=organisation).count()


# Reading the protocol --------------------------------------------------------------------------------


def test_admin_reads_the_protocol_in_plain_words(admin, organisation):
    page = text(admin.get(reverse("beheer:protocol")))
    assert "Een melding over een wethouder gaat meteen naar: burgemeester, gemeentesecretaris." in page
    assert (
        "Een melding over een wethouder gaat meteen naar: burgemeester, gemeentesecretaris. "
        "Verloopt een termijn, dan gaat zij naar: burgemeester." in page
    )
    assert "Een melding over een raadslid gaat meteen naar: burgemeester, griffier." in page
    assert section(page, "protocol-version") == "1 (geldt nu)"
    assert "automatisch (standaardprotocol)" in page
    # The table names every category, with plain names for the recipients.
    for label in AccusedCategory.labels:
        assert f'scope="row">{label}</th>' in page
    assert "Locoburgemeester (plaatsvervanger van de burgemeester)" in page
    assert "eerste contact: 7" in page

    home = text(admin.get(reverse("beheer:home")))
    assert reverse("beheer:protocol") in home
    assert reverse("beheer:protocol_preview") in home


def test_the_default_protocol_passes_its_own_checks(organisation):
    rules = [{"category": c, "recipients": r, "escalation": e} for c, (r, e) in DEFAULT_RULES.items()]
    assert validation.problems(organisation, rules) == []


@pytest.mark.parametrize("username", ["behandelaar1", "burgemeester"])
def test_only_the_functional_admin_sees_the_protocol_pages(organisation, username):
    client = verified_client(username)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("beheer:protocol_version", args=[1])).status_code == 403
    assert client.post(reverse("beheer:protocol_edit"), form_data(organisation, note="x")).status_code == 403
    assert versions(organisation) == 1


# Editing ---------------------------------------------------------------------------------------------


def test_an_edit_becomes_version_2_which_routes_new_and_existing_cases(admin, organisation, person):
    before, _ = report_about(organisation, person("Henk Bosman"))
    assert before.routing_decisions.first().version.number == 1

    edit = admin.get(reverse("beheer:protocol_edit"))
    assert edit.status_code == 200
    page = edit.content.decode()
    assert "checked" in checkbox(page, "wethouder-recipients", "role:burgemeester")
    assert "checked" not in checkbox(page, "wethouder-recipients", "role:behandelaar")

    response = admin.post(
        reverse("beheer:protocol_edit"),
        form_data(
            organisation,
            **{
                "wethouder-recipients": ["role:burgemeester", "role:gemeentesecretaris", "role:behandelaar"],
                "wethouder-first_contact_days": "5",
                "note": "Besluit college: ook het integriteitsbureau bij wethouders",
            },
        ),
    )
    assert response.status_code == 302
    assert response.url == reverse("beheer:protocol")

    version = current_version(organisation)
    assert version.number == 2
    assert version.created_by.username == "beheerder"
    rule = version.rules.get(category="wethouder")
    assert rule.recipients == ["role:burgemeester", "role:gemeentesecretaris", "role:behandelaar"]
    assert rule.first_contact_days == 5
    # The other rules are carried over unchanged, in their own order.
    assert version.rules.get(category="burgemeester").recipients == list(DEFAULT_RULES["burgemeester"][0])
    assert AuditEvent.objects.filter(action="protocol.saved", actor="staff:beheerder").exists()

    after, _ = report_about(organisation, person("Henk Bosman"))
    decision = after.routing_decisions.first()
    assert decision.version.number == 2
    assert {r.person.name for r in decision.recipients.all()} == {
        "Marieke van Dalen",
        "Willem Jacobs",
        "Ingrid Vos",
        "Daan Schouten",
    }
    # The case that was already there follows version 2 too (the integrity office is now
    # a recipient, so nobody new needs telling there: its handlers see every case anyway).
    latest = before.routing_decisions.first()
    assert (latest.version.number, latest.trigger) == (2, "protocol_published")
    assert {r.person.name for r in latest.recipients.all()} == {r.person.name for r in decision.recipients.all()}

    page = text(admin.get(reverse("beheer:protocol")))
    assert "Versie 2 van het protocol is opgeslagen." in page
    assert (
        "Een melding over een wethouder gaat meteen naar: burgemeester, gemeentesecretaris, integriteitsbureau." in page
    )
    assert "Rob Lammers" in page
    assert "Besluit college" in page
    old = text(admin.get(reverse("beheer:protocol_version", args=[1])))
    assert "Deze versie geldt niet meer" in old
    assert "Een melding over een wethouder gaat meteen naar: burgemeester, gemeentesecretaris." in old


def test_saving_without_a_change_makes_no_new_version(admin, organisation):
    response = admin.post(reverse("beheer:protocol_edit"), form_data(organisation), follow=True)
    assert "Er is niets veranderd. Versie 1 blijft van kracht." in text(response)
    assert versions(organisation) == 1


REFUSALS = {
    "no recipients": (
        {"wethouder-recipients": []},
        "Een melding over een wethouder gaat nu naar niemand. Kies ten minste één ontvanger.",
    ),
    "only the external address": (
        {"raadslid-recipients": ["external"]},
        "Een melding over een raadslid gaat nu alleen naar het externe adres.",
    ),
    "wethouder to the wethouders": (
        {"wethouder-recipients": ["role:burgemeester", "role:wethouder"]},
        "Een melding over een wethouder mag niet naar 'Alle wethouders'",
    ),
    "burgemeester to the burgemeester": (
        {"burgemeester-recipients": ["role:burgemeester", "role:gemeentesecretaris"]},
        "Een melding over een burgemeester mag niet naar 'Burgemeester'",
    ),
    "wethouder to the locoburgemeester, a wethouder": (
        {"wethouder-recipients": ["deputy_of:burgemeester", "role:gemeentesecretaris"]},
        "Een melding over een wethouder mag niet naar een andere wethouder: "
        "'Locoburgemeester (plaatsvervanger van de burgemeester)' is in het register een wethouder.",
    ),
    "a day field of 0": (
        {"manager-assessment_days": "0"},
        "'Beoordeling binnen (dagen)' moet een heel aantal dagen zijn, van 1 tot en met 365.",
    ),
    "a day field of 366": (
        {"manager-assessment_days": "366"},
        "'Beoordeling binnen (dagen)' moet een heel aantal dagen zijn, van 1 tot en met 365.",
    ),
    "a day field of abc": (
        {"griffier-first_contact_days": "abc"},
        "Vul een heel aantal dagen in, in cijfers, bijvoorbeeld 7.",
    ),
    "an unknown code posted by hand": (
        {"medewerker-recipients": ["role:behandelaar", "role:koning"]},
        "'Meteen naar' noemt een ontvanger die het meldpunt niet kent: role:koning.",
    ),
    "no escalation": (
        {"directeur-escalation": []},
        "Kies voor een melding over een directeur ten minste één ontvanger voor als een termijn verloopt.",
    ),
    "a recipient also excluded": (
        {"gemeentesecretaris-exclusions": ["role:burgemeester"]},
        "'Burgemeester' staat zowel bij 'Meteen naar' als bij 'Nooit naar'.",
    ),
}


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_bad_input_is_refused_and_the_previous_version_stays_in_force(admin, organisation, person, case):
    changes, message = case
    data = form_data(organisation, note="Mijn toelichting", **{"onbekend-first_contact_days": "9"}, **changes)
    response = admin.post(reverse("beheer:protocol_edit"), data)

    assert response.status_code == 400
    page = text(response)
    assert "Het protocol is niet opgeslagen" in page
    assert "Versie 1 blijft gelden." in page
    # Once in the list at the top, once at the fieldset of the category.
    assert page.count(message) == 2, page.count(message)
    # The message at the top leads to the field.
    assert f'href="#id_{next(iter(changes))}' in page
    assert versions(organisation) == 1
    # Everything typed is still there.
    assert 'value="Mijn toelichting"' in page
    assert 'name="onbekend-first_contact_days" value="9"' in page
    for field, value in changes.items():
        if isinstance(value, list):
            for code in value:
                assert "checked" in checkbox(page, field, code), (field, code)
        else:
            assert f'name="{field}" value="{value}"' in page

    case, _ = report_about(organisation, person("Henk Bosman"))
    assert case.routing_decisions.first().version.number == 1


def test_a_deputy_cycle_in_the_registry_is_refused_naming_the_positions(admin, organisation):
    # An older import left a cycle; Position.clean would refuse it, so save the rows directly.
    sport = Position.objects.get(organisation=organisation, code="weth-sport")
    sport.deputy = Position.objects.get(organisation=organisation, code="burgemeester")
    sport.save()

    response = admin.post(reverse("beheer:protocol_edit"), form_data(organisation, note="Nieuwe termijn"))
    assert response.status_code == 400
    page = text(response)
    assert "De plaatsvervangers in het register vormen een kring:" in page
    for name in (
        "Burgemeester (burgemeester)",
        "Wethouder Wonen (weth-wonen)",
        "Wethouder Financiën (weth-financien)",
        "Wethouder Onderwijs (weth-onderwijs)",
        "Wethouder Zorg (weth-zorg)",
        "Wethouder Sport (weth-sport)",
    ):
        assert name in page
    assert "Gemeentesecretaris (gemeentesecretaris) →" not in page
    assert versions(organisation) == 1


def test_a_cycle_is_named_once_however_it_is_reached(organisation):
    a = Position.objects.get(organisation=organisation, code="gemeentesecretaris")
    b = Position.objects.get(organisation=organisation, code="dir-sociaal")
    b.deputy = a
    b.save()
    rules = [{"category": c, "recipients": r, "escalation": e} for c, (r, e) in DEFAULT_RULES.items()]
    found = validation.deputy_cycles(organisation, rules)
    assert [p.message.split(":", 1)[1].split(".")[0].strip() for p in found] == [
        "Gemeentesecretaris (gemeentesecretaris) → Directeur Ruimte (dir-ruimte) → "
        "Directeur Sociaal Domein (dir-sociaal) → Gemeentesecretaris (gemeentesecretaris)"
    ]


def test_an_edit_based_on_an_older_version_is_not_saved_over_a_newer_one(admin, organisation):
    data = form_data(organisation, note="Mijn wijziging", **{"wethouder-first_contact_days": "3"})
    rules = [{"category": c, "recipients": r, "escalation": e} for c, (r, e) in DEFAULT_RULES.items()]
    save_version(organisation, rules, note="Tegelijk door een collega")

    response = admin.post(reverse("beheer:protocol_edit"), data)
    assert response.status_code == 409
    page = text(response)
    assert "heeft iemand anders versie 2 opgeslagen" in page
    assert 'name="wethouder-first_contact_days" value="3"' in page
    assert 'name="based_on" value="2"' in page
    assert versions(organisation) == 2

    # Sent again, it builds on version 2.
    data["based_on"] = 2
    assert admin.post(reverse("beheer:protocol_edit"), data).status_code == 302
    assert current_version(organisation).number == 3


# What if ---------------------------------------------------------------------------------------------


def preview(client, person):
    response = client.get(reverse("beheer:protocol_preview"), {"persoon": person.pk})
    assert response.status_code == 200
    return text(response)


def test_what_if_a_report_is_about_the_wethouder(admin, person):
    page = preview(admin, person("Henk Bosman"))
    recipients = section(page, "recipients")
    assert "Marieke van Dalen" in recipients
    assert "Willem Jacobs" in recipients
    assert "Henk Bosman" not in recipients
    assert "Burgemeester: omdat de melding over een wethouder gaat (protocol versie 1)" in recipients
    assert section(page, "categories") == "Wethouder"
    assert "Henk Bosman — de persoon over wie de melding gaat" in section(page, "excluded")
    assert "Geen: het protocol noemt hier geen extern adres." in page
    assert "Nee: voor elke ontvanger uit het protocol is iemand gevonden." in page


def test_what_if_a_report_is_about_the_burgemeester(admin, person):
    page = preview(admin, person("Marieke van Dalen"))
    recipients = section(page, "recipients")
    assert "Henk Bosman" in recipients
    assert "Willem Jacobs" in recipients
    assert "Marieke van Dalen" not in recipients
    assert "Commissaris van de Koning" in section(page, "external")
    assert "Marieke van Dalen — de persoon over wie de melding gaat" in section(page, "excluded")


def test_what_if_shows_the_admin_alert_when_nobody_is_left(admin, organisation, person):
    Position.objects.filter(organisation=organisation, code="griffier").update(category="medewerker")
    page = preview(admin, person("Ruud Meijer"))
    assert "<strong>Ja.</strong>" in page
    assert "integriteitsbureau: geen griffier beschikbaar (vacant of uitgesloten)" in section(page, "recipients")


def test_what_if_refuses_someone_outside_the_registry(admin):
    response = admin.get(reverse("beheer:protocol_preview"), {"persoon": "999999"})
    assert response.status_code == 400
    assert "Deze persoon staat niet in het register." in text(response)
    assert 'data-testid="recipients"' not in text(response)


def test_a_version_that_does_not_exist_is_not_found(admin):
    assert admin.get(reverse("beheer:protocol_version", args=[7])).status_code == 404
