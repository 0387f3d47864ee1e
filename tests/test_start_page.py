"""Where a staff member starts, and whether the navigation offers the case list
(cases.access.works_on_cases): council members, the griffie, auditors and
functional admins see no case links and start on their own page, unless the
protocol routed a case to them."""

import pytest

from tests.conftest import verified_client
from tests.factories import report_about

CASE_LIST_LINK = 'href="/behandelen/"'


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, start",
    [("raadslid", "/cijfers/"), ("griffier", "/cijfers/"), ("auditor", "/audit/"), ("beheerder", "/beheer/")],
)
def test_who_works_on_no_case_starts_on_their_own_page_without_case_links(organisation, username, start):
    client = verified_client(username)
    response = client.get("/behandelen/")
    assert response.status_code == 302 and response["Location"] == start
    own_page = client.get(start).content.decode()
    assert CASE_LIST_LINK not in own_page and "Mijn zaken" not in own_page
    assert "Uitloggen" in own_page


@pytest.mark.django_db
def test_a_griffier_with_a_routed_report_about_a_raadslid_gets_the_case_list(organisation, person):
    # The default protocol sends a report about a raadslid to the burgemeester and the griffier.
    case, _code = report_about(organisation, person("Ruud Meijer"))
    client = verified_client("griffier")
    page = client.get("/behandelen/")
    assert page.status_code == 200
    assert case.reference in page.content.decode() and CASE_LIST_LINK in page.content.decode()
    assert client.get(f"/behandelen/zaak/{case.reference}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["behandelaar1", "burgemeester", "wethouder"])
def test_whoever_works_on_cases_starts_on_the_case_list(organisation, username):
    page = verified_client(username).get("/behandelen/")
    assert page.status_code == 200 and CASE_LIST_LINK in page.content.decode()
