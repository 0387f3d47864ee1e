"""The locoburgemeester: the wethouder whose position is the burgemeester position's deputy."""

import datetime

import pytest

from meldpunt.protocol.routing import PositionInfo
from meldpunt.registry.models import Appointment, Category, Person, Position
from meldpunt.registry.roles import locoburgemeester_ids, role_titles, title_with_roles
from tests.conftest import verified_client


def test_the_burgemeesters_deputy_wethouder_is_locoburgemeester_in_the_routing_snapshot():
    # Tried: a burgemeester whose deputy is wethouder 2; wethouder 3 deputises for wethouder 2 only,
    # and a griffier deputy of a second burgemeester position is no locoburgemeester.
    positions = [
        PositionInfo(1, "Burgemeester", "burgemeester", deputy=2),
        PositionInfo(2, "Wethouder Wonen", "wethouder", deputy=3),
        PositionInfo(3, "Wethouder Financiën", "wethouder"),
        PositionInfo(4, "Waarnemend burgemeester", "burgemeester", deputy=5),
        PositionInfo(5, "Griffier", "griffier"),
    ]
    assert locoburgemeester_ids(positions) == {2}
    assert title_with_roles("Wethouder Wonen", True) == "Wethouder Wonen (locoburgemeester)"
    assert title_with_roles("Wethouder Financiën", False) == "Wethouder Financiën"


@pytest.mark.django_db
def test_registry_pages_show_the_locoburgemeester(organisation):
    wonen = Position.objects.create(
        organisation=organisation, code="t-weth", title="Wethouder Test", category=Category.WETHOUDER
    )
    Position.objects.create(
        organisation=organisation, code="t-bm", title="Burgemeester Test", category=Category.BURGEMEESTER, deputy=wonen
    )
    other = Position.objects.create(
        organisation=organisation, code="t-weth2", title="Wethouder Twee", category=Category.WETHOUDER
    )
    person = Person.objects.create(organisation=organisation, name="Lotte Testpersoon")
    Appointment.objects.create(position=wonen, person=person, start_date=datetime.date(2022, 6, 1))
    assert role_titles(wonen) == ["locoburgemeester"]
    assert role_titles(other) == []

    admin = verified_client("beheerder")
    position_page = admin.get(f"/beheer/functies/{wonen.pk}/").content.decode()
    assert "locoburgemeester" in position_page
    assert "locoburgemeester" not in admin.get(f"/beheer/functies/{other.pk}/").content.decode()
    person_page = admin.get(f"/beheer/personen/{person.pk}/").content.decode()
    assert "Wethouder Test</a> (locoburgemeester)" in person_page
