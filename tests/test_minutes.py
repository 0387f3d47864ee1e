"""Oral reports and meetings (Directive 2019/1937 art. 18, Wbk; meldpunt/verslagen):
a report made by phone is registered with minutes (or a recording, only with the
reporter's consent), the reporter reads, corrects and approves them in the inbox,
the case page shows each version and which one was approved; a meeting the
reporter asks for is a deadline that is reminded and escalated like the others."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from meldpunt import throttle
from meldpunt.audit.models import AuditEvent
from meldpunt.cases import deadlines
from meldpunt.cases.actions import FileInput
from meldpunt.cases.models import Case, CaseEvent, Channel
from meldpunt.escalation.models import DueDate, Escalation
from meldpunt.escalation.sweep import sweep
from meldpunt.melden.submissions import TOKEN_FIELD
from meldpunt.verslagen import actions
from meldpunt.verslagen.models import Correction, MeetingRequest, Minutes, MinutesVersion
from tests.conftest import verified_client
from tests.factories import ReportInputFactory, accused, no_patterns, report_about

pytestmark = pytest.mark.django_db

REGISTER = "/behandelen/registreren/"
INBOX = "/voorbeeldstad/postvak/melding/"
MINUTES_TEXT = "De melder belde op maandag. Zij vertelde over berichten van de wethouder na haar hulpvraag."
# The smallest MP3 the file-type check recognises: an ID3 header and a frame.
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 400


def open_inbox(code) -> Client:
    client = Client()
    response = client.post("/voorbeeldstad/postvak/", {"code": str(code)})
    assert response.status_code == 302
    return client


def form_token(client) -> str:
    page = client.get(REGISTER).content.decode()
    return re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', page).group(1)


def phone_report(person, token, **minutes) -> dict:
    data = {
        "action": "verstuur",
        "kind": "melding",
        "channel": "telefoon",
        "relation": "inwoner",
        "anonymous": "ja",
        "description": "Belde over berichten van de wethouder na haar hulpvraag.",
        "told_before": "nee",
        f"persoon_{person('Henk Bosman').pk}": "beschuldigde",
        TOKEN_FIELD: token,
    }
    data.update({f"verslag-{name}": value for name, value in minutes.items()})
    return data


@pytest.fixture
def handler(organisation):
    throttle.forget()
    no_patterns(organisation)
    return verified_client("behandelaar1")


def staff_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="behandelaar1")


def phone_case(organisation, person, text=MINUTES_TEXT):
    """A report registered by phone with its minutes (as the registration page stores it)."""
    report = ReportInputFactory(subjects=[accused(person("Henk Bosman"))])
    from meldpunt.cases.actions import submit_report

    user = staff_user()
    case, code = submit_report(organisation, report, channel=Channel.TELEFOON, registered_by=user)
    given = actions.MinutesInput(
        occasion=Minutes.Occasion.REPORT, channel=Minutes.Channel.TELEFOON, held_on=timezone.localdate(), text=text
    )
    minutes = actions.record_minutes(case, given, staff_user=user)
    return case, code, minutes


def audited(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# Registering a report made by phone ----------------------------------------------------------------------------


def test_a_phone_report_is_registered_with_its_minutes_sealed(handler, person):
    response = handler.post(REGISTER, phone_report(person, form_token(handler), text=MINUTES_TEXT))
    assert response.status_code == 200
    case = Case.objects.get(channel=Channel.TELEFOON)
    minutes = case.minutes.get()
    version = minutes.versions.get()
    assert (minutes.occasion, version.number, version.text) == (Minutes.Occasion.REPORT, 1, MINUTES_TEXT)
    assert MINUTES_TEXT.encode() not in bytes(version.sealed_text)
    assert case.events.filter(kind=CaseEvent.Kind.MINUTES).count() == 1
    assert audited("minutes.recorded") == 1


def test_without_minutes_text_the_description_is_the_minutes(handler, person):
    handler.post(REGISTER, phone_report(person, form_token(handler)))
    version = MinutesVersion.objects.get()
    assert version.text == "Belde over berichten van de wethouder na haar hulpvraag."


def test_a_letter_has_no_minutes(handler, person):
    data = phone_report(person, form_token(handler), text="genegeerd")
    data["channel"] = "brief"
    assert handler.post(REGISTER, data).status_code == 200
    assert Case.objects.filter(channel="brief").count() == 1 and not Minutes.objects.exists()


def test_a_recording_without_consent_is_refused_and_nothing_is_stored(handler, person):
    # Tried: an MP3 of the call with the consent box left empty.
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = phone_report(person, form_token(handler), text=MINUTES_TEXT)
    data["verslag-recording"] = SimpleUploadedFile("gesprek.mp3", MP3, content_type="audio/mpeg")
    response = handler.post(REGISTER, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Een opname bewaren mag alleen als de melder ermee instemde" in page
    assert MINUTES_TEXT in page  # what was typed stays
    assert not Case.objects.exists() and not Minutes.objects.exists()


def test_a_recording_with_consent_is_an_encrypted_attachment(handler, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = phone_report(person, form_token(handler), recording_consent="on")
    data["verslag-recording"] = SimpleUploadedFile("gesprek.mp3", MP3, content_type="audio/mpeg")
    assert handler.post(REGISTER, data).status_code == 200
    minutes = Minutes.objects.get()
    assert minutes.recording_consent_on == timezone.localdate()
    assert minutes.recording.read() == MP3 and MP3 not in bytes(minutes.recording.sealed_data)
    assert minutes.recording.content_type == "audio/mpeg"


def test_a_file_that_is_not_audio_is_refused_as_a_recording(handler, person):
    # Tried: a PDF (allowed as an attachment elsewhere) as the recording of the call.
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = phone_report(person, form_token(handler), recording_consent="on")
    data["verslag-recording"] = SimpleUploadedFile("gesprek.pdf", b"%PDF-1.4\n%fictief\n", content_type="audio/mpeg")
    response = handler.post(REGISTER, data)
    assert response.status_code == 400
    assert "heeft een soort die wij niet aannemen. Toegestaan: m4a, mp3, ogg, wav" in response.content.decode()
    assert not Case.objects.exists() and not Minutes.objects.exists()


def test_recording_without_consent_is_refused_by_the_action_too(organisation, person):
    case, _code, _minutes = phone_case(organisation, person)
    given = actions.MinutesInput(
        occasion=Minutes.Occasion.MEETING,
        channel=Minutes.Channel.PERSOONLIJK,
        held_on=timezone.localdate(),
        recording=FileInput("gesprek.mp3", "audio/mpeg", MP3),
    )
    with pytest.raises(actions.MinutesRefused) as refused:
        actions.record_minutes(case, given, staff_user=staff_user())
    assert "recording_consent_on" in refused.value.errors
    assert case.minutes.count() == 1 and case.attachments.count() == 0


# Correct, update, approve ------------------------------------------------------------------------------------------


def test_the_correction_round_trip_with_versions_and_the_approved_one(organisation, person, handler):
    case, code, minutes = phone_case(organisation, person)
    reporter = open_inbox(code)
    page = reporter.get(INBOX).content.decode()
    assert MINUTES_TEXT in page and "Lees versie 1 van het verslag" in page
    v1 = minutes.versions.get()

    url = f"/voorbeeldstad/postvak/verslag/{minutes.public_id}/"
    response = reporter.post(f"{url}correctie/", {"version": v1.public_id, "text": "Het was dinsdag, niet maandag."})
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert correction.text == "Het was dinsdag, niet maandag." and b"dinsdag" not in bytes(correction.sealed_text)

    case_page = handler.get(f"/behandelen/zaak/{case.reference}/").content.decode()
    assert "Het was dinsdag, niet maandag." in case_page and "De melder stelde een correctie voor" in case_page

    new_text = MINUTES_TEXT.replace("maandag", "dinsdag")
    staff_url = f"/behandelen/zaak/{case.reference}/verslagen/{minutes.public_id}/"
    assert handler.post(f"{staff_url}versie/", {"text": new_text}).status_code == 302
    v2 = minutes.versions.get(number=2)
    assert Correction.objects.get().answered_by == v2

    # The outdated version cannot be approved any more.
    response = reporter.post(f"{url}goedkeuren/", {"version": v1.public_id})
    assert response.status_code == 400 and "Er is intussen een nieuwere versie" in response.content.decode()
    assert not MinutesVersion.objects.filter(approved_at__isnull=False).exists()

    assert reporter.post(f"{url}goedkeuren/", {"version": v2.public_id}).status_code == 302
    v2.refresh_from_db()
    assert v2.approved_at is not None and v2.approved_by == MinutesVersion.ApprovedBy.INBOX

    case_page = handler.get(f"/behandelen/zaak/{case.reference}/").content.decode()
    assert "goedgekeurd door de melder in het postvak" in case_page
    assert "<del>maandag</del><ins>dinsdag</ins>" in case_page  # what changed
    assert "Versie 2 is goedgekeurd door de melder." in case_page
    kinds = [e.detail.get("action") for e in case.events.filter(kind=CaseEvent.Kind.MINUTES).order_by("at", "pk")]
    assert kinds == ["recorded", "correction", "version", "approved"]
    assert audited("minutes.approved") == 1 and audited("minutes.correction_proposed") == 1

    # Frozen: no correction on an approved version; a new version needs a new approval.
    response = reporter.post(f"{url}correctie/", {"version": v2.public_id, "text": "Nog iets."})
    assert response.status_code == 400 and Correction.objects.count() == 1
    handler.post(f"{staff_url}versie/", {"text": new_text + " Aanvulling."})
    assert "Versie 3 wacht op goedkeuring" in handler.get(f"/behandelen/zaak/{case.reference}/").content.decode()
    v2.refresh_from_db()
    assert v2.text == new_text and v2.approved_at is not None


def test_an_empty_correction_is_refused(organisation, person):
    # Tried: sending the correction form with only spaces.
    case, code, minutes = phone_case(organisation, person)
    reporter = open_inbox(code)
    url = f"/voorbeeldstad/postvak/verslag/{minutes.public_id}/correctie/"
    response = reporter.post(url, {"version": minutes.versions.get().public_id, "text": "   "})
    assert response.status_code == 400
    assert "Schrijf wat er anders moet in het verslag." in response.content.decode()
    assert not Correction.objects.exists()


def test_minutes_of_another_case_are_not_found_and_nothing_changes(organisation, person):
    # Tried: the reporter of one case typing the minutes id of another case into the address.
    _case, _code, other_minutes = phone_case(organisation, person)
    _mine, my_code, _my_minutes = phone_case(organisation, person, text="Mijn eigen verslag.")
    reporter = open_inbox(my_code)
    version = other_minutes.versions.get()
    base = f"/voorbeeldstad/postvak/verslag/{other_minutes.public_id}/"
    assert reporter.post(f"{base}goedkeuren/", {"version": version.public_id}).status_code == 404
    assert reporter.post(f"{base}correctie/", {"version": version.public_id, "text": "Anders."}).status_code == 404
    version.refresh_from_db()
    assert version.approved_at is None and not Correction.objects.exists()


def test_a_version_of_other_minutes_is_refused(organisation, person):
    # Tried: approving my minutes with the version id of another case's minutes.
    _case, _code, other_minutes = phone_case(organisation, person)
    _mine, my_code, my_minutes = phone_case(organisation, person, text="Mijn eigen verslag.")
    reporter = open_inbox(my_code)
    url = f"/voorbeeldstad/postvak/verslag/{my_minutes.public_id}/goedkeuren/"
    response = reporter.post(url, {"version": other_minutes.versions.get().public_id})
    assert response.status_code == 400
    assert not MinutesVersion.objects.filter(approved_at__isnull=False).exists()


def test_a_handler_records_an_approval_given_in_person_for_a_named_reporter(organisation, person, handler):
    case, _code, minutes = phone_case(organisation, person)
    Case.objects.filter(pk=case.pk).update(anonymous=False)
    url = f"/behandelen/zaak/{case.reference}/verslagen/{minutes.public_id}/goedkeuring/"
    version = minutes.versions.get()
    data = {"version": version.public_id, "day": str(timezone.localdate()), "given_to": "Ingrid Vos, telefonisch"}
    assert handler.post(url, data).status_code == 302
    version.refresh_from_db()
    assert version.approved_by == MinutesVersion.ApprovedBy.IN_PERSON and version.approval["given_to"]
    assert (
        "mondeling aan Ingrid Vos, telefonisch" in handler.get(f"/behandelen/zaak/{case.reference}/").content.decode()
    )


def test_an_approval_in_person_is_refused_for_an_anonymous_reporter(organisation, person, handler):
    case, _code, minutes = phone_case(organisation, person)
    url = f"/behandelen/zaak/{case.reference}/verslagen/{minutes.public_id}/goedkeuring/"
    data = {"version": minutes.versions.get().public_id, "day": str(timezone.localdate()), "given_to": "Ingrid Vos"}
    assert handler.post(url, data).status_code == 400
    assert not MinutesVersion.objects.filter(approved_at__isnull=False).exists()


def test_a_handler_cannot_change_minutes_of_another_case(organisation, person, handler):
    # Tried: the minutes id of case A under the address of case B.
    case_a, _code, minutes_a = phone_case(organisation, person)
    case_b, _code_b, _minutes_b = phone_case(organisation, person, text="Ander verslag.")
    url = f"/behandelen/zaak/{case_b.reference}/verslagen/{minutes_a.public_id}/versie/"
    assert handler.post(url, {"text": "Overschreven."}).status_code == 404
    assert minutes_a.versions.count() == 1


# Meeting requests ---------------------------------------------------------------------------------------------------


def test_a_meeting_request_is_a_deadline_reminded_escalated_and_met_by_the_meeting(organisation, person, handler):
    start = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0))  # a Monday
    with time_machine.travel(start, tick=False):
        case, code = report_about(organisation, person("Henk Bosman"))
        reporter = open_inbox(code)
        response = reporter.post("/voorbeeldstad/postvak/gesprek/", {"note": "Liever 's ochtends."})
        assert response.status_code == 302
        meeting = MeetingRequest.objects.get()
        assert meeting.note == "Liever 's ochtends." and b"ochtends" not in bytes(meeting.sealed_note)
        row = DueDate.objects.get(case=case, kind=deadlines.MEETING)
        # 10 working days: two weeks later.
        assert row.due_at == start + datetime.timedelta(days=14) and row.occurrence == 1
        assert "het gesprek vindt uiterlijk 16 maart 2026 plaats" in reporter.get(INBOX).content.decode()
        assert case.events.filter(kind=CaseEvent.Kind.MEETING_REQUEST).count() == 1

    with time_machine.travel(start + datetime.timedelta(days=12, hours=1), tick=False):
        sweep()
    assert Escalation.objects.filter(due_date=row, round=0).exists()  # reminded
    with time_machine.travel(start + datetime.timedelta(days=15), tick=False):
        sweep()
    assert Escalation.objects.filter(due_date=row, round=1).exists()  # escalated
    event = case.events.filter(kind=CaseEvent.Kind.ESCALATION, detail__deadline=deadlines.MEETING).last()
    assert event.detail["round"] == 1

    with time_machine.travel(start + datetime.timedelta(days=16), tick=False):
        data = {
            "gesprek-held_on": "2026-03-18",
            "gesprek-channel": "persoonlijk",
            "gesprek-meets_request": "on",
            "gesprek-text": "Gesprek op het stadhuis.",
        }
        assert handler.post(f"/behandelen/zaak/{case.reference}/verslagen/", data).status_code == 302
    row.refresh_from_db()
    meeting.refresh_from_db()
    assert row.met_at is not None and row.next_action_at is None
    assert meeting.held_at is not None and meeting.minutes.versions.get().text == "Gesprek op het stadhuis."


def test_a_second_meeting_request_while_one_is_open_is_refused(organisation, person):
    # Tried: asking for a meeting twice.
    case, code = report_about(organisation, person("Henk Bosman"))
    reporter = open_inbox(code)
    assert reporter.post("/voorbeeldstad/postvak/gesprek/", {"note": ""}).status_code == 302
    response = reporter.post("/voorbeeldstad/postvak/gesprek/", {"note": "Nog een keer."})
    assert response.status_code == 400
    assert "U heeft al om een gesprek gevraagd." in response.content.decode()
    assert MeetingRequest.objects.count() == 1
    assert DueDate.objects.filter(case=case, kind=deadlines.MEETING).count() == 1


def test_after_a_meeting_a_new_request_has_its_own_deadline(organisation, person):
    case, _code = report_about(organisation, person("Henk Bosman"))
    first = actions.request_meeting(case)
    given = actions.MinutesInput(
        occasion=Minutes.Occasion.MEETING,
        channel=Minutes.Channel.PERSOONLIJK,
        held_on=timezone.localdate(),
        text="Eerste gesprek.",
    )
    actions.record_minutes(case, given, staff_user=staff_user(), meeting_request=first)
    second = actions.request_meeting(case, "Graag nog een keer.")
    rows = {r.occurrence: r for r in DueDate.objects.filter(case=case, kind=deadlines.MEETING)}
    assert set(rows) == {first.number, second.number} == {1, 2}
    assert rows[1].met_at is not None and rows[2].met_at is None and rows[2].next_action_at is not None


def test_the_meeting_deadline_follows_the_organisation_setting(organisation, person):
    type(organisation).objects.filter(pk=organisation.pk).update(meeting_days=3, count_working_days=False)
    case, _code = report_about(organisation, person("Henk Bosman"))
    case = Case.objects.select_related("organisation").get(pk=case.pk)
    meeting = actions.request_meeting(case)
    row = DueDate.objects.get(case=case, kind=deadlines.MEETING)
    assert row.due_at == meeting.requested_at + datetime.timedelta(days=3)


def test_the_demo_has_a_phone_report_whose_minutes_wait_for_approval(organisation):
    from meldpunt.demo.minutes import load_demo_minutes

    line = load_demo_minutes(organisation)
    assert "wait for the reporter's approval" in line
    minutes = Minutes.objects.get()
    assert minutes.case.channel == Channel.TELEFOON and minutes.latest.approved_at is None
    assert load_demo_minutes(organisation) == "" and Minutes.objects.count() == 1
