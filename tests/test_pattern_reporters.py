"""Pattern alerts count different reporters, not reports (docs/patterns.md):
one named reporter's several reports count once (by a keyed hash of their
e-mail address, phone number or name, never stored readable), every anonymous
receipt code and every signal a staff member registers is its own source, and
the organisation's own threshold (/beheer/patroon/, 2 to 20) decides.

Actors (meldpunt/demo/data.py, all fictional): wethouder Henk Bosman,
burgemeester Marieke van Dalen, handler behandelaar1, functioneel beheerder
"beheerder".
"""

import pytest
from django.contrib.auth import get_user_model

from meldpunt.audit.models import AuditEvent
from meldpunt.cases import patterns
from meldpunt.cases.actions import submit_report
from meldpunt.cases.models import Case, Channel, Kind
from meldpunt.crypto import name_keys
from meldpunt.notifications.models import Notification
from meldpunt.registry.actions import add_conflict
from tests.conftest import verified_client
from tests.factories import ReportInputFactory, accused

EMAIL = "anna.jansen@example.nl"


def named_report(organisation, about, *, name="Anna Jansen", email=EMAIL, phone="", **fields):
    data = ReportInputFactory(subjects=[accused(about)], anonymous=False, name=name, email=email, phone=phone)
    return submit_report(organisation, data, **fields)[0]


def anonymous_report(organisation, about):
    return submit_report(organisation, ReportInputFactory(subjects=[accused(about)]))[0]


def alerted(case) -> set[str]:
    return set(
        Notification.objects.filter(case=case, kind=Notification.Kind.PATTERN).values_list("person__name", flat=True)
    )


def test_one_named_reporters_three_reports_are_no_pattern_a_second_reporter_is(organisation, person):
    """Tried: Anna Jansen reports three times about wethouder Henk Bosman, writing her
    address in different capitals (and once with spaces around it); then Pieter de Graaf
    reports about him."""
    wethouder = person("Henk Bosman")
    first = named_report(organisation, wethouder, email=EMAIL)
    second = named_report(organisation, wethouder, email="Anna.Jansen@Example.NL")
    third = named_report(organisation, wethouder, email="  ANNA.JANSEN@example.nl ")
    assert not Notification.objects.filter(kind=Notification.Kind.PATTERN).exists()
    keys = {case.reporter_key for case in Case.objects.filter(pk__in=[first.pk, second.pk, third.pk])}
    assert len(keys) == 1

    other = named_report(organisation, wethouder, name="Pieter de Graaf", email="p.degraaf@example.nl")
    assert {"Marieke van Dalen", "Ingrid Vos"} <= alerted(other)
    assert "Henk Bosman" not in alerted(other)  # never the accused
    reason = Notification.objects.filter(case=other, kind=Notification.Kind.PATTERN, person__name="Ingrid Vos").get()
    assert reason.reason == f"Zaak {other.reference} gaat over dezelfde persoon als 3 eerdere zaken."


def test_the_reporter_key_is_a_keyed_hash_never_the_address(organisation, person):
    case = named_report(organisation, person("Henk Bosman"))
    stored = Case.objects.filter(pk=case.pk).values_list("reporter_key", flat=True).get()
    assert len(stored) == 64 and "anna" not in stored and "jansen" not in stored
    # Not the outsider key of the same text, and not a plain digest of it.
    assert stored not in name_keys(f"organisation:{organisation.pk}", "email:" + EMAIL)
    assert stored == patterns.reporter_key(organisation.pk, ReportInputFactory(anonymous=False, email=EMAIL), "melding")
    # An anonymous report keeps no key at all, even when a name was typed before ticking "anoniem".
    anonymous = ReportInputFactory(anonymous=True, name="Anna Jansen", email=EMAIL)
    assert patterns.reporter_key(organisation.pk, anonymous, Kind.MELDING) == ""


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("", EMAIL, ""), ("Iemand Anders", "ANNA.jansen@EXAMPLE.nl", "0612345678")),  # the address decides
        (("Anna Jansen", "", "+31 6 1234 5678"), ("A. Jansen", "", "06-12345678")),  # the phone's digits
        (("Anna Jansen", "", "0031612345678"), ("", "", "06 12 34 56 78")),
        (("Anna  Jansen", "", ""), ("anna jansen", "", "")),  # only a name: folded
        (("Ánna Jansen", "", ""), ("Anna Jansen", "", "")),
    ],
)
def test_one_identity_however_written(one, other):
    assert patterns.normalised_identity(*one) == patterns.normalised_identity(*other) != ""


def test_different_identities_stay_apart():
    assert patterns.normalised_identity("", "anna@example.nl", "") != patterns.normalised_identity(
        "", "anne@example.nl", ""
    )
    assert patterns.normalised_identity("Anna Jansen", "", "") != patterns.normalised_identity("Anna Jansens", "", "")
    assert patterns.normalised_identity("", "", "") == ""


def test_anonymous_reports_each_count_as_their_own_reporter(organisation, person):
    """Tried: two anonymous reports about the wethouder (two receipt codes)."""
    wethouder = person("Henk Bosman")
    anonymous_report(organisation, wethouder)
    second = anonymous_report(organisation, wethouder)
    assert "Marieke van Dalen" in alerted(second)


def test_a_named_reporter_by_phone_and_online_counts_once_signals_each_count(organisation, person):
    """Tried: Anna Jansen reports online and then by phone (a handler registers it with
    her address); then the handler registers two signals of their own about the wethouder."""
    wethouder = person("Henk Bosman")
    handler = get_user_model().objects.get(username="behandelaar1")
    named_report(organisation, wethouder)
    by_phone = named_report(
        organisation, wethouder, email=EMAIL.upper(), channel=Channel.TELEFOON, registered_by=handler
    )
    assert not alerted(by_phone)
    signal = submit_report(
        organisation,
        ReportInputFactory(subjects=[accused(wethouder)], anonymous=False, name="Ingrid Vos"),
        kind=Kind.SIGNAAL,
        channel=Channel.WAARNEMING,
        registered_by=handler,
    )[0]
    assert Case.objects.get(pk=signal.pk).reporter_key == ""
    assert "Marieke van Dalen" in alerted(signal)  # Anna and the signal: two sources


def test_a_follow_up_counts_as_the_reporter_of_the_case_it_follows(organisation, person):
    """Tried: an anonymous report, and a later anonymous report marked as following from
    it (disadvantage after reporting, by the same receipt code)."""
    wethouder = person("Henk Bosman")
    first = anonymous_report(organisation, wethouder)
    later = anonymous_report(organisation, wethouder)
    rows = [
        {"pk": first.pk, "reporter_key": "", "follows_from_id": None},
        {"pk": later.pk, "reporter_key": "", "follows_from_id": first.pk},
    ]
    assert len(patterns.sources(rows)) == 1
    Case.objects.filter(pk=later.pk).update(follows_from=first)
    later.refresh_from_db()
    assert len(patterns.sources([first, later])) == 1


def test_the_organisations_threshold_decides(organisation, person):
    """Tried: the threshold set to 3; two reporters are no pattern yet, the third is."""
    organisation.pattern_threshold = 3
    organisation.save(update_fields=["pattern_threshold"])
    wethouder = person("Henk Bosman")
    named_report(organisation, wethouder)
    second = named_report(organisation, wethouder, name="Pieter de Graaf", email="p.degraaf@example.nl")
    named_report(organisation, wethouder, email=EMAIL)  # Anna again: still two reporters
    assert not Notification.objects.filter(kind=Notification.Kind.PATTERN).exists()
    third = anonymous_report(organisation, wethouder)
    assert "Marieke van Dalen" in alerted(third) and not alerted(second)


def test_alerts_obey_exclusions(organisation, person):
    """Tried: two reporters about the wethouder while the burgemeester has a registered
    conflict of interest with him, and two reporters about the burgemeester herself."""
    wethouder, mayor = person("Henk Bosman"), person("Marieke van Dalen")
    admin = get_user_model().objects.get(username="beheerder")
    add_conflict(organisation, mayor, wethouder, "partners", staff_user=admin)
    named_report(organisation, wethouder)
    second = named_report(organisation, wethouder, name="Pieter de Graaf", email="p.degraaf@example.nl")
    assert alerted(second) and "Marieke van Dalen" not in alerted(second)

    named_report(organisation, mayor)
    about_her = named_report(organisation, mayor, name="Pieter de Graaf", email="p.degraaf@example.nl")
    assert alerted(about_her) and "Marieke van Dalen" not in alerted(about_her)


# The functional admin's page ------------------------------------------------------------------------


@pytest.fixture
def admin(organisation):
    return verified_client("beheerder")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1", "ten minste 2 verschillende melders"),
        ("0", "ten minste 2 verschillende melders"),
        ("-3", "ten minste 2 verschillende melders"),
        ("21", "Ten hoogste 20 melders"),
        ("twee", "in cijfers"),
        ("2.5", "in cijfers"),
        ("", "Vul een aantal melders in"),
    ],
)
def test_a_threshold_out_of_range_is_refused_and_kept(organisation, admin, typed, message):
    response = admin.post("/beheer/patroon/", {"pattern_threshold": typed})
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert f'value="{typed}"' in page if typed else 'name="pattern_threshold"' in page
    organisation.refresh_from_db()
    assert organisation.pattern_threshold == 2
    assert not AuditEvent.objects.filter(action="organisation.pattern_threshold_changed").exists()


def test_the_admin_sets_the_threshold_and_it_is_audited(organisation, admin):
    page = admin.get("/beheer/patroon/").content.decode()
    assert 'value="2"' in page and "Patroonsignalen" in page
    response = admin.post("/beheer/patroon/", {"pattern_threshold": "4"})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.pattern_threshold == 4
    event = AuditEvent.objects.get(action="organisation.pattern_threshold_changed")
    assert (event.detail["before"], event.detail["after"], event.actor) == (2, 4, "staff:beheerder")
    assert 'value="4"' in admin.get("/beheer/patroon/").content.decode()
    # In English too.
    english = admin.post("/beheer/patroon/", {"pattern_threshold": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400


def test_a_handler_cannot_change_the_threshold(organisation):
    handler = verified_client("behandelaar1")
    assert handler.post("/beheer/patroon/", {"pattern_threshold": "20"}).status_code in (403, 404)
    organisation.refresh_from_db()
    assert organisation.pattern_threshold == 2
