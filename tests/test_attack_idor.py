"""Guessing what is not yours (IDOR): other case numbers, other attachment ids,
across cases and across organisations, through the pages.

Case numbers are sequential per organisation (2026-0001, 2026-0002, ...) and
easy to guess, so they must protect nothing: a case you may not see answers
exactly like a case that does not exist. Attachment ids are random UUIDs,
and even a right one opens only under the case (or inbox) it belongs to.

Tried: the burgemeester (who sees the case about the wethouder) walks the
numbers 2026-0001..0005 on every case page; a handler puts case B's
attachment id under case A; a reporter puts another case's attachment id in
their inbox's download URL; the handler of Gemeente Anderstad, whose own case
has the same number 2026-0001, asks for Voorbeeldstad's attachment under it;
an Anderstad reporter's inbox session opens Voorbeeldstad's inbox; a
Voorbeeldstad receipt code is typed at Anderstad.
"""

import re

import pytest
from django.test import Client

from meldpunt.cases.actions import FileInput
from meldpunt.organisations.models import Organisation
from tests.conftest import verified_client
from tests.factories import report_about
from tests.test_access_matrix import USERNAMES, another_organisation

PAGES = ["", "logboek/", "bijlage/{attachment}/"]
POSTS = [
    ("", {"body": "Geraden zaaknummer."}),
    ("status/", {"state": "in_behandeling"}),
    ("persoon/", {"role": "betrokkene"}),
]


def text_file(name):
    return FileInput(name=name, content_type="text/plain", data=f"Inhoud van {name}\n".encode())


@pytest.fixture
def cases(organisation, person):
    """Case A about the wethouder (routed to the burgemeester), case B about an employee (not)."""
    a, code_a = report_about(organisation, person("Henk Bosman"), files=[text_file("a.txt")])
    b, code_b = report_about(organisation, person("Lotte Jansen"), files=[text_file("b.txt")])
    return {
        "a": a,
        "b": b,
        "code_a": str(code_a),
        "code_b": str(code_b),
        "attachment_a": str(a.attachments.get().public_id),
        "attachment_b": str(b.attachments.get().public_id),
    }


def normalised(response, number: str) -> str:
    """The page without what differs between any two requests: the CSRF token and
    the address asked for (the language switch returns to it)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return page.replace(number, "NUMMER")


@pytest.mark.django_db
def test_guessed_case_numbers_answer_like_numbers_that_do_not_exist(cases):
    burgemeester = verified_client("burgemeester")
    a, b = cases["a"], cases["b"]
    assert burgemeester.get(f"/behandelen/zaak/{a.reference}/").status_code == 200
    missing = "2026-0005"
    for page in PAGES:
        path = page.format(attachment=cases["attachment_b"])
        forbidden = burgemeester.get(f"/behandelen/zaak/{b.reference}/{path}")
        absent = burgemeester.get(f"/behandelen/zaak/{missing}/{path}")
        assert forbidden.status_code == absent.status_code == 404, path
        assert normalised(forbidden, b.reference) == normalised(absent, missing), (
            f"{path}: the answer tells that {b.reference} exists"
        )
    messages_before = b.messages.count()
    for path, data in POSTS:
        assert burgemeester.post(f"/behandelen/zaak/{b.reference}/{path}", data).status_code == 404
    assert b.reference not in burgemeester.get("/behandelen/").content.decode()
    assert b.reference not in burgemeester.get("/behandelen/?zaak=2026").content.decode()
    assert b.messages.count() == messages_before


@pytest.mark.django_db
def test_an_attachment_opens_only_under_its_own_case(cases):
    handler = verified_client("behandelaar1")
    a, b = cases["a"], cases["b"]
    assert handler.get(f"/behandelen/zaak/{a.reference}/bijlage/{cases['attachment_a']}/").status_code == 200
    assert handler.get(f"/behandelen/zaak/{a.reference}/bijlage/{cases['attachment_b']}/").status_code == 404
    assert handler.get(f"/behandelen/zaak/{b.reference}/bijlage/{cases['attachment_a']}/").status_code == 404


@pytest.mark.django_db
def test_a_reporter_opens_only_their_own_attachments(cases):
    reporter = Client()
    assert reporter.post("/voorbeeldstad/postvak/", {"code": cases["code_a"]}).status_code == 302
    assert reporter.get(f"/voorbeeldstad/postvak/bijlage/{cases['attachment_a']}/").status_code == 200
    assert reporter.get(f"/voorbeeldstad/postvak/bijlage/{cases['attachment_b']}/").status_code == 404
    inbox = reporter.get("/voorbeeldstad/postvak/melding/").content.decode()
    assert "a.txt" in inbox and "b.txt" not in inbox


@pytest.mark.django_db
def test_another_organisation_reaches_nothing_of_voorbeeldstad(cases):
    other = another_organisation()
    own_case, own_code = report_about(other, files=[text_file("anderstad.txt")])
    assert own_case.reference == cases["a"].reference  # numbers are per organisation: the same number
    outsider = verified_client(USERNAMES["other_org"])
    page = outsider.get(f"/behandelen/zaak/{own_case.reference}/").content.decode()
    assert "anderstad.txt" in page and "a.txt" not in page
    for attachment in (cases["attachment_a"], cases["attachment_b"]):
        assert outsider.get(f"/behandelen/zaak/{own_case.reference}/bijlage/{attachment}/").status_code == 404
    assert outsider.get(f"/behandelen/zaak/{cases['b'].reference}/").content.decode().count("Lotte Jansen") == 0

    # An Anderstad reporter's inbox session is no session at Voorbeeldstad.
    reporter = Client()
    assert reporter.post("/anderstad/postvak/", {"code": str(own_code)}).status_code == 302
    assert reporter.get("/voorbeeldstad/postvak/melding/").status_code == 302
    assert reporter.get(f"/voorbeeldstad/postvak/bijlage/{cases['attachment_a']}/").status_code == 404
    assert reporter.get(f"/anderstad/postvak/bijlage/{cases['attachment_a']}/").status_code == 404

    # A Voorbeeldstad code typed at Anderstad opens nothing.
    stranger = Client()
    response = stranger.post("/anderstad/postvak/", {"code": cases["code_a"]})
    assert response.status_code == 400
    assert stranger.get("/anderstad/postvak/melding/").status_code == 302
    assert Organisation.objects.count() == 2
