"""Form markup for screen readers on every page (issue 15, point 10):
every aria-describedby points at an element that exists, a field is marked
aria-invalid only when its error is shown, the person search round trip
returns to the person section."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from meldpunt import throttle
from tests.conftest import verified_client
from tests.factories import report_about

ORG = "voorbeeldstad"


class Elements(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag

    @property
    def ids(self) -> set[str]:
        return {attrs["id"] for _tag, attrs in self.elements if attrs.get("id")}


def problems(name: str, page: str) -> list[str]:
    parsed = Elements(page)
    ids, found = parsed.ids, []
    for tag, attrs in parsed.elements:
        for target in attrs.get("aria-describedby", "").split():
            if target not in ids:
                found.append(f"{name}: <{tag} name={attrs.get('name')!r}> aria-describedby={target!r} does not exist")
        if attrs.get("aria-invalid") == "true":
            field = attrs.get("name", "")
            error_id = f"id_{field}_error"
            described = attrs.get("aria-describedby", "").split()
            if error_id not in ids or error_id not in described:
                found.append(f"{name}: <{tag} name={field!r}> is aria-invalid without its shown error {error_id!r}")
    return found


def pages() -> dict[str, tuple[Client, str, dict | None]]:
    """(client, url, POST data or None) for every page with a form, in its states."""
    reporter, handler, admin = Client(), verified_client("behandelaar1"), verified_client("beheerder")
    form = f"/{ORG}/melden/"
    base = {"relation": "inwoner", "anonymous": "ja", "wishes": ["gehoord"]}
    return {
        "start": (reporter, f"/{ORG}/", None),
        "report form": (reporter, form, None),
        "search round trip": (reporter, form, {**base, "search": "wethouder", "action": "zoek"}),
        "search with nothing found": (reporter, form, {**base, "search": "Qwxyz", "action": "zoek"}),
        "refused report": (reporter, form, {"relation": "", "description": ""}),
        "inbox login": (reporter, f"/{ORG}/postvak/", None),
        "wrong receipt code": (reporter, f"/{ORG}/postvak/", {"code": "000000 0000 0000"}),
        "staff login": (Client(), "/account/inloggen/", None),
        "refused staff login": (Client(), "/account/inloggen/", {"username": "x", "password": "y", "otp_token": "1"}),
        "case list": (handler, "/behandelen/?status=nonsense", None),
        "register": (handler, "/behandelen/registreren/", None),
        "refused register": (handler, "/behandelen/registreren/", {"kind": "signaal"}),
        "registry": (admin, "/beheer/", None),
        "new person": (admin, "/beheer/personen/nieuw/", None),
        "refused person": (admin, "/beheer/personen/nieuw/", {"name": ""}),
        "new position": (admin, "/beheer/functies/nieuw/", None),
        "conflicts": (admin, "/beheer/conflicten/nieuw/", None),
        "protocol editor": (admin, "/beheer/protocol/wijzigen/", None),
        "protocol preview": (admin, "/beheer/protocol/wat-als/", None),
    }


@pytest.mark.django_db
def test_every_aria_reference_exists_and_only_shown_errors_are_invalid(organisation, person):
    throttle.forget()
    case, _code = report_about(organisation, person("Henk Bosman"))
    found = []
    all_pages = pages()
    all_pages["case"] = (verified_client("behandelaar1"), f"/behandelen/zaak/{case.reference}/", None)
    all_pages["refused message"] = (all_pages["case"][0], f"/behandelen/zaak/{case.reference}/", {"body": ""})
    for name, (client, url, data) in all_pages.items():
        response = client.post(url, data) if data is not None else client.get(url)
        assert response.status_code in (200, 400), (name, response.status_code)
        found += problems(name, response.content.decode())
    assert found == [], "\n".join(found)


@pytest.mark.django_db
def test_the_checks_notice_broken_references():
    page = (
        '<input name="a" aria-describedby="gone">'
        '<input name="b" aria-invalid="true">'
        '<div id="id_c_error"></div><input name="c" aria-invalid="true" aria-describedby="id_c_error">'
    )
    assert len(problems("sample", page)) == 2


@pytest.mark.django_db
def test_search_returns_to_the_person_section(organisation):
    page = Client().get(f"/{ORG}/melden/").content.decode()
    parsed = Elements(page)
    buttons = [a for tag, a in parsed.elements if tag == "button" and a.get("value") == "zoek"]
    assert buttons and buttons[0].get("formaction", "").endswith("#personen")
    assert "personen" in parsed.ids
    # The search box is a search field, inside a search landmark.
    search = [a for tag, a in parsed.elements if tag == "input" and a.get("name") == "search"]
    assert search[0].get("type") == "search"
    assert any(a.get("role") == "search" for _tag, a in parsed.elements)
