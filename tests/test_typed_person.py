"""Text typed in "Zoek op naam of functie" is never lost when the report is sent.

The reporter types "wethouder Wonen" and presses "Melding versturen" without
pressing "Zoeken" first (issue 15, point 1).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meldpunt.cases.models import Case
from meldpunt.notifications.models import Notification
from tests.conftest import verified_client
from tests.test_report_form import URL, nothing_stored, valid

PROMPT = "Kies de persoon die u bedoelt, of beschrijf hem hieronder"


def subjects(case) -> set[tuple[str, str]]:
    return {(s.person.name if s.person else s.description()["name"], s.role) for s in case.subjects.all()}


@pytest.mark.django_db
def test_only_the_search_box_filled_brings_the_form_back_with_the_matches(client, organisation, person):
    """Tried: every field filled in, the person only typed in the search box, "Melding versturen" pressed."""
    response = client.post(URL, valid(search="wethouder Wonen", anonymous="nee", name="Getypte Naam"))
    page = response.content.decode()
    assert response.status_code == 200
    assert nothing_stored()
    assert PROMPT in page
    assert "Uw melding is nog niet verstuurd" in page
    henk = person("Henk Bosman")
    assert f'name="persoon_{henk.pk}"' in page  # to pick from
    # Everything typed is still there.
    assert 'value="wethouder Wonen"' in page
    assert 'value="Getypte Naam"' in page
    assert "Na mijn inspraak bij de raadsvergadering" in page
    assert 'value="2019-03-01"' in page
    assert 'name="zoek_getoond" value="wethouder Wonen"' in page
    assert "Er is iets nog niet goed" not in page


@pytest.mark.django_db
def test_after_picking_the_match_the_report_goes_to_the_burgemeester(client, organisation, person):
    client.post(URL, valid(search="wethouder Wonen"))
    henk = person("Henk Bosman")
    client.post(
        URL, valid(search="wethouder Wonen", zoek_getoond="wethouder Wonen", **{f"persoon_{henk.pk}": "beschuldigde"})
    )
    case = Case.objects.get()
    assert subjects(case) == {("Henk Bosman", "beschuldigde")}  # the search text was resolved, not added
    told = set(Notification.objects.filter(case=case).values_list("person__name", flat=True))
    assert "Marieke van Dalen" in told  # the burgemeester
    assert "Henk Bosman" not in told


@pytest.mark.django_db
def test_sending_again_without_picking_keeps_the_text_as_a_typed_person(client, organisation):
    """Tried: the matches were shown, the reporter picked nobody and sent again."""
    client.post(URL, valid(search="wethouder Wonen"))
    assert nothing_stored()
    client.post(URL, valid(search="wethouder Wonen", zoek_getoond="wethouder Wonen"))
    case = Case.objects.get()
    # Never silently about nobody: the typed words are kept, and subject resolution
    # links them to whoever held the portfolio in the period of the events (2019-2021).
    (link,) = case.subjects.all()
    assert (link.description()["name"], link.role) == ("wethouder Wonen", "beschuldigde")
    assert (link.person.name, link.origin) == ("Gerard Wolters", "automatisch")


@pytest.mark.django_db
def test_text_that_matches_nobody_is_stored_as_a_typed_person_at_once(client, organisation):
    client.post(URL, valid(search="de man van de balie"))
    assert subjects(Case.objects.get()) == {("de man van de balie", "beschuldigde")}


@pytest.mark.django_db
def test_changed_search_text_is_searched_again(client, organisation, person):
    """Tried: matches for "wethouder Wonen" were shown, then the reporter typed "griffier" instead and sent."""
    response = client.post(URL, valid(search="griffier", zoek_getoond="wethouder Wonen"))
    assert PROMPT in response.content.decode()
    assert "Anouk Dekker" in response.content.decode()
    assert nothing_stored()


@pytest.mark.django_db
def test_with_other_errors_the_matches_are_shown_beside_the_errors(client, organisation):
    """Tried: the search box filled and the description left empty."""
    response = client.post(URL, valid(search="wethouder Wonen", description=""))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Er is iets nog niet goed" in page and PROMPT in page and "Henk Bosman" in page
    assert nothing_stored()


@pytest.mark.django_db
def test_the_page_names_the_files_to_choose_again(client, organisation):
    pdf = SimpleUploadedFile("verslag.pdf", b"%PDF-1.4\n%%EOF\n")
    page = client.post(URL, valid(search="wethouder Wonen", files=[pdf])).content.decode()
    assert "kies ze opnieuw" in page and "verslag.pdf" in page


@pytest.mark.django_db
def test_the_request_to_pick_is_in_english_on_the_english_page(client, organisation):
    client.cookies["django_language"] = "en"
    page = client.post(URL, valid(search="wethouder Wonen")).content.decode()
    assert "Choose the person you mean, or describe them below" in page
    assert PROMPT not in page


@pytest.mark.django_db
def test_a_handler_registering_a_report_keeps_the_typed_search_too(organisation, person):
    handler = verified_client("behandelaar1")
    data = {
        "action": "verstuur",
        "kind": "melding",
        "channel": "telefoon",
        "relation": "student",
        "anonymous": "ja",
        "description": "Belde over het overleg.",
        "told_before": "nee",
        "search": "wethouder Wonen",
    }
    assert PROMPT in handler.post("/behandelen/registreren/", data).content.decode()
    assert not Case.objects.exists()
    handler.post("/behandelen/registreren/", {**data, "zoek_getoond": "wethouder Wonen"})
    # The typed words are kept; with no period given, today's wethouder Wonen is linked.
    (link,) = Case.objects.get().subjects.all()
    assert (link.description()["name"], link.person.name, link.origin) == (
        "wethouder Wonen",
        "Henk Bosman",
        "automatisch",
    )
