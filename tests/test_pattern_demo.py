"""The demo has a small pattern across years, so a newcomer sees an alert and a timeline."""

from django.core.management import call_command

from meldpunt.cases.models import Case, SubjectLink
from meldpunt.demo.pattern import load_pattern
from meldpunt.notifications.models import Notification
from tests.conftest import verified_client


def test_the_demo_pattern_links_four_spellings_to_one_person_and_alerts(organisation, person):
    assert load_pattern(organisation) == 4
    gerard = person("Gerard Wolters")
    links = SubjectLink.objects.filter(person=gerard, role=SubjectLink.Role.BESCHULDIGDE)
    assert links.count() == 4 and set(links.values_list("origin", flat=True)) == {"automatisch"}
    mayor = person("Marieke van Dalen")
    assert Notification.objects.filter(person=mayor, kind=Notification.Kind.PATTERN).count() == 3
    newest = Case.objects.order_by("-pk").first()
    page = verified_client("burgemeester").get(f"/behandelen/zaak/{newest.reference}/").content.decode()
    assert "3 eerdere zaken over deze persoon" in page and "Tijdlijn van deze persoon" in page
    # Loading again adds nothing.
    assert load_pattern(organisation) == 0 and Case.objects.count() == 4


def test_load_demo_loads_the_pattern_once(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    call_command("load_demo", stdout=open("/dev/null", "w"))
    about_him = SubjectLink.objects.filter(person__name="Gerard Wolters", role=SubjectLink.Role.BESCHULDIGDE)
    assert about_him.count() == 4
