"""Aftercare: support offered at intake and again at closure, the reporter's
answer, the closing step that needs a recorded closure offer, and the check
for disadvantage (benadeling) three months after closure: "ja" opens a linked
case routed by the protocol, "nee" is recorded; bad input changes nothing."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from meldpunt import throttle
from meldpunt.audit.models import AuditEvent
from meldpunt.cases import actions
from meldpunt.cases.models import Case, CaseEvent, Outcome, State
from meldpunt.cases.workflow import MISSING_MESSAGES, StepIncomplete
from meldpunt.nazorg import retaliation, support
from meldpunt.nazorg.models import DisadvantageAnswer, ReporterNotice, SupportAnswer, SupportOffer, SupportOption
from meldpunt.notifications.models import Notification
from tests.conftest import verified_client
from tests.factories import report_about, walk_to
from tests.test_report_form import URL, valid
from tests.test_translations import compiled_english  # noqa: F401  (fixture)

INBOX = "/voorbeeldstad/postvak/melding/"
BENADELING = "/voorbeeldstad/postvak/benadeling/"
QUESTION = "Heeft u sinds uw melding benadeling ervaren?"
STORY = "Sinds mijn melding word ik niet meer uitgenodigd voor het overleg over de sporthal."


def open_inbox(code, language="nl") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.post("/voorbeeldstad/postvak/", {"code": str(code)}).status_code == 302
    return client


def handler():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="behandelaar1")


@pytest.fixture
def reported(organisation, person):
    throttle.forget()
    return report_about(organisation, person("Henk Bosman"))


def closed(case):
    walk_to(case, State.AFGESLOTEN, staff_user=handler())
    case.refresh_from_db()
    return case


def question_form(page: str) -> dict:
    token = page.split('name="vraag" value="', 1)[1].split('"', 1)[0]
    zaak = page.split('name="zaak" value="', 1)[1].split('"', 1)[0]
    return {"vraag": token, "zaak": zaak}


def counts(case):
    return (
        Case.objects.count(),
        DisadvantageAnswer.objects.count(),
        SupportAnswer.objects.count(),
        CaseEvent.objects.filter(case=case).count(),
        AuditEvent.objects.count(),
    )


# Support offered ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_receipt_page_and_the_inbox_offer_the_organisations_support(organisation):
    throttle.forget()
    client = Client()
    client.post(URL, valid())
    receipt = client.get("/voorbeeldstad/melden/ontvangen/").content.decode()
    assert "Steun voor u" in receipt
    assert "Vertrouwenspersoon" in receipt and "Mirjam Hoekstra" in receipt  # the demo's fictional counsellor
    assert "Bedrijfsmaatschappelijk werk" in receipt
    case = Case.objects.get()
    offer = SupportOffer.objects.get(case=case)
    assert offer.moment == SupportOffer.Moment.INTAKE
    assert [o["name"] for o in offer.options] == [o.name for o in support.active_options(organisation)]
    inbox = client.get(INBOX).content.decode()
    assert 'data-testid="support-form"' in inbox and "Ik wil nu geen steun" in inbox


@pytest.mark.django_db
def test_the_reporters_answer_is_sealed_audited_shown_to_the_handler_and_told_without_content(reported):
    case, code = reported
    client = open_inbox(code)
    offer = SupportOffer.objects.get(case=case)
    vp = offer.options[0]["id"]
    note = "Bel mij liever na vijf uur, mijn collega's zitten naast mij."
    before = Notification.objects.filter(case=case).count()
    response = client.post(
        f"/voorbeeldstad/postvak/steun/{offer.public_id}/", {"steun": [str(vp)], "toelichting": note}
    )
    assert response.status_code == 302
    answer = SupportAnswer.objects.get(case=case)
    assert answer.wanted == [vp] and answer.text == note
    assert note.encode() not in bytes(answer.sealed_text)
    assert AuditEvent.objects.filter(action="case.support_answered", case_reference=case.reference).exists()
    told = Notification.objects.filter(case=case)[: Notification.objects.filter(case=case).count() - before]
    assert told and all(note not in n.reason for n in told)
    assert "Vertrouwenspersoon" in client.get(INBOX).content.decode().split('data-testid="support-answer"')[1]
    page = verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/").content.decode()
    offers = page.split('data-testid="support-offers"', 1)[1]
    assert "Antwoord van de melder" in offers and note.replace("'", "&#x27;") in offers


@pytest.mark.django_db
def test_bad_answers_to_a_support_offer_change_nothing(reported, organisation, person):
    case, code = reported
    client = open_inbox(code)
    offer = SupportOffer.objects.get(case=case)
    url = f"/voorbeeldstad/postvak/steun/{offer.public_id}/"
    other_case, _code = report_about(organisation, person("Erik Peters"))
    before = counts(case)
    # Tried: an empty answer (no support chosen, not "none" either).
    response = client.post(url, {"toelichting": "Ik weet het nog niet."})
    assert response.status_code == 400
    assert "Kies welke steun u wilt" in response.content.decode()
    assert "Ik weet het nog niet." in response.content.decode()  # what was typed stays
    # Tried: an over-long note.
    response = client.post(url, {"geen": "ja", "toelichting": "x" * 2001})
    assert response.status_code == 400 and "ten hoogste 2000" in response.content.decode()
    # Tried: an option that was not offered (form tampering).
    other = SupportOption.objects.create(organisation=organisation, name="Iets anders", contact="-", active=False)
    before = counts(case)
    assert client.post(url, {"steun": [str(other.pk)]}).status_code == 400
    # Tried: the offer of another case (URL tampering).
    other_offer = SupportOffer.objects.get(case=other_case)
    assert client.post(f"/voorbeeldstad/postvak/steun/{other_offer.public_id}/", {"geen": "ja"}).status_code == 404
    assert counts(case) == before
    assert not SupportAnswer.objects.exists()
    # Answering twice: the first answer stands, nothing more is stored.
    assert client.post(url, {"geen": "ja"}).status_code == 302
    after = counts(case)
    assert client.post(url, {"steun": [str(offer.options[0]["id"])]}).status_code == 302
    assert counts(case) == after
    assert "Uw eerste antwoord blijft staan" in client.get(INBOX).content.decode()
    assert SupportAnswer.objects.get().wanted == []


# The closure check ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_closing_without_a_recorded_aftercare_offer_is_refused_with_the_message(reported):
    case, _code = reported
    walk_to(case, State.NAZORG, staff_user=handler())
    # The intake offer is not the closure offer.
    assert SupportOffer.objects.filter(case=case, moment=SupportOffer.Moment.INTAKE).exists()
    given = actions.StepInput(reason="Afgerond.", outcome=Outcome.GEGROND)
    with pytest.raises(StepIncomplete) as refused:
        actions.take_step(case, "afsluiten", given, staff_user=handler())
    assert set(refused.value.errors) == {"aftercare"}
    page = verified_client("behandelaar1").post(
        f"/behandelen/zaak/{case.reference}/status/", {"step": "afsluiten", "reason": "Afgerond.", "outcome": "gegrond"}
    )
    assert page.status_code == 400
    assert str(MISSING_MESSAGES["aftercare"]) in page.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.NAZORG
    # Offered again through the inbox: now it closes, and the inbox shows the closure offer.
    client = verified_client("behandelaar1")
    assert client.post(f"/behandelen/zaak/{case.reference}/nazorg/aanbieden/").status_code == 302
    assert SupportOffer.objects.filter(case=case, moment=SupportOffer.Moment.CLOSURE, via="inbox").exists()
    actions.take_step(case, "afsluiten", given, staff_user=handler())
    assert Case.objects.get(pk=case.pk).state == State.AFGESLOTEN


@pytest.mark.django_db
def test_a_reopened_case_needs_a_new_closure_offer(reported):
    case = closed(reported[0])
    given = actions.StepInput(reason="Nieuwe informatie.", outcome=Outcome.GEGROND)
    actions.take_step(case, "heropenen", given, staff_user=handler())
    walk_to(case, State.NAZORG, staff_user=handler())
    facts = actions.case_facts(Case.objects.get(pk=case.pk))
    assert not facts.aftercare_offered


# The question about disadvantage --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_question_appears_three_months_after_closure_not_before(reported):
    case, code = reported
    case = closed(case)
    with time_machine.travel(case.closed_at + datetime.timedelta(days=88), tick=False):
        assert QUESTION not in open_inbox(code).get(INBOX).content.decode()
    with time_machine.travel(case.closed_at + datetime.timedelta(days=93), tick=False):
        page = open_inbox(code).get(INBOX).content.decode()
        assert QUESTION in page


@pytest.mark.django_db
def test_yes_opens_a_linked_case_routed_like_the_first_visible_both_ways(reported):
    case, code = reported
    case = closed(case)
    first_recipients = sorted(case.routing_decisions.first().recipients.values_list("person__name", flat=True))
    with time_machine.travel(case.closed_at + datetime.timedelta(days=95), tick=False):
        client = open_inbox(code)
        form = question_form(client.get(INBOX).content.decode())
        response = client.post(BENADELING, {**form, "antwoord": "ja", "tekst": STORY})
        assert response.status_code == 302
        follow_up = Case.objects.get(follows_from=case)
        assert follow_up.content["description"] == STORY
        assert STORY.encode() not in bytes(follow_up.sealed_content)
        assert sorted(follow_up.subjects.values_list("person__name", flat=True)) == ["Henk Bosman"]
        decision = follow_up.routing_decisions.first()
        assert sorted(decision.recipients.values_list("person__name", flat=True)) == first_recipients
        assert "Burgemeester" in " ".join(decision.recipients.values_list("explanation", flat=True)) or first_recipients
        assert follow_up.state == State.ONTVANGSTBEVESTIGD and follow_up.feedback_due is not None
        assert AuditEvent.objects.filter(action="case.created", case_reference=follow_up.reference).exists()
        assert AuditEvent.objects.filter(action="case.disadvantage_answered", case_reference=case.reference).exists()
        # The question is gone; the same code leads to the new case.
        page = client.get(INBOX).content.decode()
        assert QUESTION not in page and "Uw melding over benadeling" in page
        client.post(f"/voorbeeldstad/postvak/gekoppeld/{follow_up.public_id}/")
        page = client.get(INBOX).content.decode()
        assert STORY in page and 'data-testid="follows-from"' in page
        # The handler sees the link both ways.
        staff = verified_client("behandelaar1")
        first_page = staff.get(f"/behandelen/zaak/{case.reference}/").content.decode()
        assert f">{follow_up.reference}</a>" in first_page.split('data-testid="aftercare"')[1]
        new_page = staff.get(f"/behandelen/zaak/{follow_up.reference}/").content.decode()
        assert f">{case.reference}</a>" in new_page.split('data-testid="follows-from"')[1]
        # Answering twice changes nothing.
        before = counts(case)
        again = client.post(f"/voorbeeldstad/postvak/gekoppeld/{case.public_id}/")
        assert again.status_code == 302
        assert client.post(BENADELING, {**form, "antwoord": "ja", "tekst": STORY}).status_code == 302
        assert counts(case) == before
        assert Case.objects.filter(follows_from=case).count() == 1


@pytest.mark.django_db
def test_no_is_recorded_and_the_question_goes(reported):
    case, code = reported
    case = closed(case)
    with time_machine.travel(case.closed_at + datetime.timedelta(days=95), tick=False):
        client = open_inbox(code)
        form = question_form(client.get(INBOX).content.decode())
        assert client.post(BENADELING, {**form, "antwoord": "nee"}).status_code == 302
        assert DisadvantageAnswer.objects.get(case=case).answer == "nee"
        assert not Case.objects.filter(follows_from=case).exists()
        assert QUESTION not in client.get(INBOX).content.decode()
        assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.DISADVANTAGE).count() == 1


@pytest.mark.django_db
def test_bad_answers_to_the_question_change_nothing(reported, organisation, person):
    case, code = reported
    case = closed(case)
    other, _other_code = report_about(organisation, person("Erik Peters"))
    with time_machine.travel(case.closed_at + datetime.timedelta(days=95), tick=False):
        client = open_inbox(code)
        form = question_form(client.get(INBOX).content.decode())
        before = counts(case)
        # Tried: "ja" with an empty answer.
        response = client.post(BENADELING, {**form, "antwoord": "ja", "tekst": "   "})
        assert response.status_code == 400 and "Vertel kort wat er is gebeurd" in response.content.decode()
        # Tried: no choice at all.
        assert client.post(BENADELING, {**form, "tekst": STORY}).status_code == 400
        # Tried: an over-long text; what was typed is kept on the page.
        long_text = "Het gebeurde weer. " * 6000
        response = client.post(BENADELING, {**form, "antwoord": "ja", "tekst": long_text})
        assert response.status_code == 400 and "ten hoogste" in response.content.decode()
        assert "Het gebeurde weer." in response.content.decode()
        # Tried: the form of another case (tampering with the hidden case id).
        assert client.post(BENADELING, {**form, "zaak": str(other.public_id), "antwoord": "nee"}).status_code == 404
        # Tried: a closure that is not this case's (tampering with the question).
        assert client.post(BENADELING, {**form, "vraag": "123", "antwoord": "nee"}).status_code == 404
        # Tried: opening another case's inbox through the link.
        assert client.post(f"/voorbeeldstad/postvak/gekoppeld/{other.public_id}/").status_code == 404
        assert counts(case) == before


@pytest.mark.django_db
def test_the_question_is_not_answerable_before_it_is_due(reported):
    case, code = reported
    case = closed(case)
    client = open_inbox(code)
    token = retaliation.closure_token(case.closed_at)
    response = client.post(BENADELING, {"zaak": str(case.public_id), "vraag": token, "antwoord": "nee"})
    assert response.status_code == 404
    assert not DisadvantageAnswer.objects.exists()


@pytest.mark.django_db
def test_disadvantage_can_be_reported_from_the_inbox_at_any_time(reported):
    case, code = reported
    client = open_inbox(code)
    assert 'data-testid="report-disadvantage"' in client.get(INBOX).content.decode()
    response = client.post(BENADELING, {"zaak": str(case.public_id), "tekst": STORY})
    assert response.status_code == 302
    follow_up = Case.objects.get(follows_from=case)
    assert follow_up.content["description"] == STORY
    assert Case.objects.get(pk=case.pk).state == State.ONTVANGSTBEVESTIGD  # the first case goes on
    # Tried: an empty report.
    response = client.post(BENADELING, {"zaak": str(case.public_id), "tekst": ""})
    assert response.status_code == 400
    assert Case.objects.filter(follows_from=case).count() == 1


@pytest.mark.django_db
def test_a_named_reporter_with_an_address_is_emailed_once_without_content(organisation, person):
    throttle.forget()
    case, code = report_about(
        organisation, person("Henk Bosman"), anonymous=False, name="Sanne Visser", email="sanne@example.org"
    )
    case = closed(case)
    mail.outbox.clear()
    assert retaliation.queue_notices(case.closed_at + datetime.timedelta(days=30)) == 0
    later = case.closed_at + datetime.timedelta(days=95)
    with time_machine.travel(later, tick=False):
        assert retaliation.queue_notices() == 1
        assert retaliation.queue_notices() == 0  # once per closure
        notice = ReporterNotice.objects.get(case=case)
        assert retaliation.send_one(notice.pk) == "sent"
        assert retaliation.send_one(notice.pk) == "already sent"
    (sent,) = mail.outbox
    assert sent.to == ["sanne@example.org"]
    assert "vraag voor u klaar" in sent.body and "/voorbeeldstad/postvak/" in sent.body
    for secret in (case.content["description"], "Henk Bosman", case.reference):
        assert secret not in sent.body and secret not in sent.subject


# The functional admin -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_edits_the_options_and_the_months(organisation):
    client = verified_client("beheerder")
    page = client.get("/beheer/nazorg/").content.decode()
    assert "Vertrouwenspersoon" in page and "Mirjam Hoekstra" in page
    option = SupportOption.objects.filter(organisation=organisation).first()
    data = {"kind": option.kind, "name": option.name, "name_en": "", "contact": "", "contact_en": "", "order": "10"}
    # Tried: an option without contact text.
    response = client.post(f"/beheer/nazorg/steun/{option.pk}/", data)
    assert response.status_code == 400 and "Schrijf op hoe de melder deze steun bereikt" in response.content.decode()
    data["contact"] = "Spreekuur op dinsdag, kamer 2.14 (fictief)."
    data["active"] = "on"
    assert client.post(f"/beheer/nazorg/steun/{option.pk}/", data).status_code == 302
    assert SupportOption.objects.get(pk=option.pk).contact == data["contact"]
    # Tried: zero and too many months; what was typed stays.
    for typed in ("0", "25", "drie"):
        response = client.post("/beheer/nazorg/", {"retaliation_check_months": typed})
        assert response.status_code == 400 and f'value="{typed}"' in response.content.decode()
    assert retaliation.check_months(organisation) == 3
    assert client.post("/beheer/nazorg/", {"retaliation_check_months": "6"}).status_code == 302
    assert retaliation.check_months(organisation) == 6
    assert AuditEvent.objects.filter(action="organisation.aftercare_settings_changed").exists()


@pytest.mark.django_db
def test_the_check_follows_the_organisations_setting(reported, organisation):
    case, code = reported
    case = closed(case)
    support.save_check_months(organisation, 1, staff_user=handler())
    with time_machine.travel(case.closed_at + datetime.timedelta(days=32), tick=False):
        assert retaliation.question_for(Case.objects.get(pk=case.pk)) is not None
    assert timezone.now() < case.closed_at + datetime.timedelta(days=1)


@pytest.mark.django_db
def test_the_demo_has_a_closed_case_whose_inbox_asks_the_question(organisation):
    from meldpunt.demo.aftercare import DEMO_CODE, load_aftercare

    throttle.forget()
    line = load_aftercare(organisation)
    assert str(DEMO_CODE) in line
    assert load_aftercare(organisation) == line  # loading again adds nothing
    case = Case.objects.get(organisation=organisation)
    assert case.state == State.AFGESLOTEN and case.closed_at < timezone.now() - datetime.timedelta(days=100)
    page = open_inbox(DEMO_CODE).get(INBOX).content.decode()
    assert QUESTION in page
    assert "Anouk de Boer" in page  # the demo's fictional company social worker


@pytest.mark.django_db
def test_the_inbox_offers_support_and_asks_the_question_in_english(reported, compiled_english):  # noqa: F811
    case, code = reported
    case = closed(case)
    with time_machine.travel(case.closed_at + datetime.timedelta(days=95), tick=False):
        page = open_inbox(code, "en").get(INBOX).content.decode()
    assert "Support for you" in page and "Confidential counsellor (vertrouwenspersoon)" in page
    assert "Have you experienced any disadvantage since your report?" in page
    assert QUESTION not in page and "Steun voor u" not in page
