"""Notifications: in the app and by e-mail, sent by the background worker.

A submitted report creates a notification for each protocol recipient in the
same transaction; ``manage.py db_worker`` (django-tasks with the database
backend) e-mails each one exactly once. Neither carries report content.

The worker runs in this process through ``call_command``. It opens and closes
its own transactions and checks for stale connections, which a test wrapped
in one transaction does not allow, so these tests use ``transactional_db``.
"""

import datetime
import re
import signal
import threading
from collections import Counter

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from meldpunt.cases.models import Case
from meldpunt.notifications.models import Notification
from meldpunt.notifications.service import requeue_unsent, send_digest, send_email
from tests.conftest import verified_client
from tests.factories import no_patterns, report_about

pytestmark = pytest.mark.django_db(transaction=True)

DESCRIPTION = "Hij stuurde mij berichten over mijn uiterlijk na het spreekuur"
REPORTER_NAME = "Jolanda Vermeulen-Testmelder"
REPORTER_EMAIL = "jolanda.testmelder@example.org"
# The protocol's recipients for a report about a wethouder, and the integrity
# office's two handlers, who are told of every new case.
PROTOCOL_ADDRESSES = ["m.vandalen@voorbeeldstad.example", "w.jacobs@voorbeeldstad.example"]
HANDLER_ADDRESSES = ["d.schouten@voorbeeldstad.example", "i.vos@voorbeeldstad.example"]
# The integrity office's own address (Organisation.integrity_office_email), told beside its handlers.
OFFICE_ADDRESS = "integriteit@voorbeeldstad.example"
EVERYONE = sorted(PROTOCOL_ADDRESSES + HANDLER_ADDRESSES + [OFFICE_ADDRESS])


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


def run_worker() -> None:
    """Drain the task queue the way production does, then give pytest its signal handlers back."""
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {s: signal.getsignal(s) for s in signals}
    try:
        call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0)
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def submit_about_wethouder(organisation, person):
    case, _code = report_about(
        organisation,
        person("Henk Bosman"),
        description=DESCRIPTION,
        anonymous=False,
        name=REPORTER_NAME,
        email=REPORTER_EMAIL,
    )
    return case


def test_report_about_wethouder_notifies_burgemeester_secretaris_and_integrity_office(organisation, person):
    case = submit_about_wethouder(organisation, person)
    notifications = Notification.objects.filter(case=case)
    assert {(n.person.name if n.person else "office address", n.kind) for n in notifications} == {
        ("Marieke van Dalen", "routed"),
        ("Willem Jacobs", "routed"),
        ("Ingrid Vos", "new_case"),
        ("Daan Schouten", "new_case"),
        ("office address", "new_case"),
    }
    assert Notification.objects.count() == 5
    assert all(n.emailed_at is None for n in notifications)
    # One e-mail task per notification, stored with them; nothing sent before the worker runs.
    assert DBTaskResult.objects.ready().count() == 5
    assert mail.outbox == []


def test_worker_sends_one_email_each_without_report_content(organisation, person, settings):
    case = submit_about_wethouder(organisation, person)

    run_worker()

    assert sorted(m.to[0] for m in mail.outbox) == EVERYONE
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    link = settings.BASE_URL + reverse("behandelen:case", args=[case.reference])
    for message in mail.outbox:
        notification = Notification.objects.get(pk=message.extra_headers["X-Meldpunt-Notification"])
        assert message.to == [OFFICE_ADDRESS if notification.to_office else notification.person.email]
        text = message.subject + "\n" + message.body
        assert "Gemeente Voorbeeldstad" in text
        assert case.reference in message.subject and case.reference in message.body
        assert notification.reason and notification.reason in message.body
        assert link in message.body
        assert message.extra_headers["X-Meldpunt-Notification"] == str(notification.pk)
        full = message.message().as_string()
        for secret in [DESCRIPTION, "uiterlijk", REPORTER_NAME, "Vermeulen", REPORTER_EMAIL]:
            assert secret not in text and secret not in full
        assert "Henk Bosman" not in text
    assert Notification.objects.filter(case=case, emailed_at__isnull=True).count() == 0
    assert DBTaskResult.objects.successful().count() == 5


def test_worker_twice_and_duplicate_tasks_send_nothing_more(organisation, person):
    case = submit_about_wethouder(organisation, person)
    run_worker()
    assert len(mail.outbox) == 5
    sent_at = dict(Notification.objects.filter(case=case).values_list("pk", "emailed_at"))

    run_worker()
    assert len(mail.outbox) == 5

    # Even a second task for the same notification (a retry, a re-queue by hand) sends nothing.
    for pk in sent_at:
        send_email.enqueue(pk)
    run_worker()
    assert len(mail.outbox) == 5
    assert dict(Notification.objects.filter(case=case).values_list("pk", "emailed_at")) == sent_at
    assert set(DBTaskResult.objects.filter(return_value="already sent").values_list("status", flat=True)) == {
        "SUCCESSFUL"
    }


def test_person_without_email_gets_in_app_notification_only_and_the_admin_is_alerted(organisation, person):
    """Tried: the gemeentesecretaris has no e-mail address in the registry; two reports
    about a wethouder arrive."""
    secretaris = person("Willem Jacobs")
    secretaris.email = ""
    secretaris.save(update_fields=["email"])

    case = submit_about_wethouder(organisation, person)
    report_about(organisation, person("Henk Bosman"))
    run_worker()

    assert Notification.objects.filter(case=case, person=secretaris).exists()
    assert secretaris.email not in {m.to[0] for m in mail.outbox}
    assert Notification.objects.get(case=case, person=secretaris).emailed_at is None
    page = verified_client("secretaris").get(reverse("behandelen:notifications")).content.decode()
    assert case.reference in page

    # Nobody got his e-mail, so the functional admin is alerted: once while unread,
    # in the app and by e-mail, naming him but not the case.
    admin = person("Rob Lammers")
    alerts = Notification.objects.filter(person=admin, kind=Notification.Kind.UNREACHABLE)
    assert alerts.count() == 1
    alert = alerts.get()
    assert "Willem Jacobs" in alert.reason and "geen e-mailadres" in alert.reason
    assert case.reference not in alert.reason
    to_admin = [m for m in mail.outbox if m.to == [admin.email]]
    assert len(to_admin) == 1 and case.reference not in to_admin[0].subject + to_admin[0].body
    assert "Willem Jacobs" in verified_client("beheerder").get(reverse("behandelen:notifications")).content.decode()


def test_failed_send_is_tried_again_later(organisation, person, monkeypatch):
    case = submit_about_wethouder(organisation, person)

    def broken(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    run_worker()
    assert Notification.objects.filter(case=case, emailed_at__isnull=True).count() == 5
    retries = DBTaskResult.objects.filter(status="READY")
    assert retries.count() == 5
    assert all(r.args_kwargs["args"][1] == 2 for r in retries)

    monkeypatch.undo()
    retries.update(run_after=timezone.now())
    run_worker()
    assert len(mail.outbox) == 5
    assert Notification.objects.filter(case=case, emailed_at__isnull=True).count() == 0


def test_notifications_page_lists_case_for_burgemeester_not_for_wethouder(organisation, person):
    case = submit_about_wethouder(organisation, person)
    run_worker()
    url = reverse("behandelen:notifications")

    mayor = verified_client("burgemeester").get(url)
    assert mayor.status_code == 200
    page = mayor.content.decode()
    assert case.reference in page
    assert reverse("behandelen:case", args=[case.reference]) in page
    assert DESCRIPTION not in page and REPORTER_NAME not in page

    wethouder = verified_client("wethouder").get(url)
    assert wethouder.status_code == 200
    assert case.reference not in wethouder.content.decode()


def test_email_of_a_worker_that_died_mid_send_is_queued_again(organisation, person):
    case = submit_about_wethouder(organisation, person)
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Notification.objects.filter(case=case).update(created_at=an_hour_ago)
    # One task was claimed by a worker that then died; the others are still waiting.
    dead, *waiting = DBTaskResult.objects.order_by("enqueued_at")
    DBTaskResult.objects.filter(pk=dead.pk).update(status="RUNNING", started_at=an_hour_ago)
    # Its claim on the notification ran out long ago.
    Notification.objects.filter(pk=dead.args_kwargs["args"][0]).update(
        claimed_until=an_hour_ago, claim_token="dead-worker"
    )

    call_command("resend_notifications", verbosity=0)
    assert DBTaskResult.objects.filter(status="READY").count() == 5  # the waiting ones, and one new
    call_command("resend_notifications", verbosity=0)
    assert DBTaskResult.objects.filter(status="READY").count() == 5  # nothing piles up

    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == EVERYONE
    assert not Notification.objects.filter(case=case, emailed_at__isnull=True).exists()
    call_command("resend_notifications", verbosity=0)
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_recent_unsent_notifications_are_left_to_their_task(organisation, person):
    submit_about_wethouder(organisation, person)
    call_command("resend_notifications", verbosity=0)
    assert DBTaskResult.objects.count() == 5


def test_an_email_queued_before_reclassification_is_not_sent_to_the_newly_excluded(organisation, person):
    """Tried: the burgemeester is named in the case after her e-mail was queued."""
    from django.contrib.auth import get_user_model

    from meldpunt.cases.actions import SubjectInput, add_subject

    case, _ = report_about(organisation, person("Pieter de Groot"))
    mayor = person("Marieke van Dalen")
    handler = get_user_model().objects.get(username="behandelaar1")
    add_subject(case, SubjectInput(role="beschuldigde", person=mayor), staff_user=handler)
    run_worker()
    recipients = {address for message in mail.outbox for address in message.to}
    assert mayor.email not in recipients
    assert "w.jacobs@voorbeeldstad.example" in recipients


def test_resend_does_not_keep_queuing_for_someone_excluded_since(organisation, person):
    from django.contrib.auth import get_user_model

    from meldpunt.cases.actions import SubjectInput, add_subject
    from meldpunt.notifications.service import requeue_unsent

    case, _ = report_about(organisation, person("Pieter de Groot"))
    mayor = person("Marieke van Dalen")
    handler = get_user_model().objects.get(username="behandelaar1")
    add_subject(case, SubjectInput(role="beschuldigde", person=mayor), staff_user=handler)
    run_worker()
    assert Notification.objects.get(person=mayor, case=case).emailed_at is None
    requeued = requeue_unsent(datetime.timedelta(0))
    assert Notification.objects.get(person=mayor, case=case).pk not in requeued


def test_someone_who_left_office_after_the_email_was_queued_is_not_emailed(organisation, person):
    """Tried: a report about a wethouder is queued for the burgemeester and the
    gemeentesecretaris; then the functional admin ends the burgemeester's
    appointment (as of yesterday) on the registry page; then the worker runs."""
    from meldpunt.registry.models import Appointment

    case = submit_about_wethouder(organisation, person)
    mayor = person("Marieke van Dalen")
    appointment = Appointment.objects.get(person=mayor, end_date__isnull=True)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = verified_client("beheerder").post(
        reverse("beheer:appointment_end", args=[appointment.pk]), {"end_date": yesterday}
    )
    assert response.status_code == 302

    run_worker()

    recipients = {address for message in mail.outbox for address in message.to}
    assert mayor.email not in recipients
    # The gemeentesecretaris still is, and so is the burgemeester's deputy now told in her
    # place (the locoburgemeester is the accused, so his deputy, wethouder Financiën).
    assert recipients == {
        "w.jacobs@voorbeeldstad.example",
        person("Pieter de Groot").email,
        *HANDLER_ADDRESSES,
        OFFICE_ADDRESS,
    }
    assert Notification.objects.get(case=case, person=mayor).emailed_at is None
    assert DBTaskResult.objects.filter(return_value="recipient excluded").count() == 1


class BlockingBackend(locmem.EmailBackend):
    """A mail server that hangs until the test lets it answer."""

    entered = threading.Event()
    release = threading.Event()

    def send_messages(self, messages):
        BlockingBackend.entered.set()
        BlockingBackend.release.wait(60)
        return super().send_messages(messages)


@pytest.fixture
def slow_mail_server(settings):
    BlockingBackend.entered.clear()
    BlockingBackend.release.clear()
    settings.EMAIL_BACKEND = "tests.test_notifications.BlockingBackend"
    yield BlockingBackend
    BlockingBackend.release.set()


def test_a_slow_mail_server_blocks_no_submission_and_no_other_worker(organisation, person, slow_mail_server):
    """Tried: the worker is in the middle of sending the burgemeester's e-mail and the
    mail server does not answer. Meanwhile a reporter submits another report, the
    burgemeester's notification is marked read, and a second worker takes a duplicate
    task for the same notification."""
    case = submit_about_wethouder(organisation, person)
    first = Notification.objects.get(case=case, person=person("Marieke van Dalen"))
    outcome = {}

    def worker():
        try:
            outcome["result"] = send_email.call(first.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert slow_mail_server.entered.wait(30), "the worker never reached the mail server"
        # Both writes commit while the send hangs (they would wait for the send's
        # transaction before: on SQLite for the write lock, on PostgreSQL for the row).
        second, _code = report_about(organisation, person("Fatima El Amrani"))
        assert Case.objects.filter(pk=second.pk).exists()
        assert Notification.objects.filter(pk=first.pk).update(read_at=timezone.now()) == 1
        # The duplicate task sees the claim and sends nothing.
        assert send_email.call(first.pk) == "being sent"
        assert mail.outbox == []
    finally:
        slow_mail_server.release.set()
        thread.join(60)
    assert outcome["result"] == "sent"
    assert [m.to for m in mail.outbox] == [["m.vandalen@voorbeeldstad.example"]]
    first.refresh_from_db()
    assert first.emailed_at is not None and first.read_at is not None
    assert first.claimed_until is None


def test_a_send_whose_mark_failed_is_sent_again_once_the_claim_runs_out(organisation, person, monkeypatch):
    """Tried: the mail server accepts the e-mails, then the database refuses the
    'sent' marks (the crash window between send and mark). Delivery is at least
    once: the claim keeps the e-mail from going out again at once; after it runs
    out, resend_notifications queues it and it is sent a second time."""
    from django.db import OperationalError

    case = submit_about_wethouder(organisation, person)
    mayor = person("Marieke van Dalen")
    notification = Notification.objects.get(case=case, person=mayor)

    def database_gone(ids, token):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("meldpunt.notifications.service._mark_sent", database_gone)
    run_worker()
    monkeypatch.undo()
    assert sorted(m.to[0] for m in mail.outbox) == EVERYONE
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"FAILED"}
    notification.refresh_from_db()
    assert notification.emailed_at is None and notification.claimed_until > timezone.now()

    # While the claims stand, neither a duplicate task nor resend_notifications sends them.
    assert send_email.call(notification.pk) == "being sent"
    assert requeue_unsent(datetime.timedelta(0)) == []

    Notification.objects.filter(pk=notification.pk).update(claimed_until=timezone.now())
    assert requeue_unsent(datetime.timedelta(0)) == [notification.pk]
    run_worker()
    assert [m.to[0] for m in mail.outbox].count(mayor.email) == 2
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def case_numbers(message) -> set[str]:
    return set(re.findall(r"\b\d{4}-\d{4}\b", message.subject + "\n" + message.body))


def test_a_flood_of_reports_reaches_the_burgemeester_in_two_emails_each_case_once(organisation, person, settings):
    """Tried: 20 reports about wethouder Henk Bosman within a minute, with the
    default digest setting (10 minutes)."""
    assert settings.EMAIL_DIGEST_MINUTES == 10
    no_patterns(organisation)  # no pattern alerts here: tests/test_pattern_alerts.py
    cases = [report_about(organisation, person("Henk Bosman"), description=DESCRIPTION)[0] for _ in range(20)]
    mayor = person("Marieke van Dalen")

    run_worker()
    # The first e-mail goes out at once; the rest wait for one digest at the end of the ten minutes.
    assert [m.to for m in mail.outbox].count([mayor.email]) == 1
    digests = DBTaskResult.objects.filter(task_path=send_digest.module_path, status="READY")
    assert digests.count() == 5  # the burgemeester, the gemeentesecretaris, the two handlers, the office
    assert all(task.run_after > timezone.now() for task in digests)

    digests.update(run_after=timezone.now())  # the ten minutes have passed
    run_worker()
    to_mayor = [m for m in mail.outbox if m.to == [mayor.email]]
    assert len(to_mayor) == 2
    references = {case.reference for case in cases}
    per_message = [case_numbers(m) for m in to_mayor]
    assert set().union(*per_message) == references
    assert sum(len(numbers) for numbers in per_message) == 20  # no case in both
    digest = to_mayor[1]
    assert Counter(line.split(" ")[2] for line in digest.body.splitlines() if line.startswith("- zaak ")) == {
        reference: 1 for reference in references - per_message[0]
    }
    for reference in references - per_message[0]:
        assert settings.BASE_URL + reverse("behandelen:case", args=[reference]) in digest.body
    assert DESCRIPTION not in digest.body and "Henk Bosman" not in digest.body
    assert sorted(digest.extra_headers["X-Meldpunt-Notifications"].split(",")) == sorted(
        str(pk) for pk in Notification.objects.filter(person=mayor, bundled=True).values_list("pk", flat=True)
    )
    # In the app it stays one notification per case, all of them e-mailed now.
    assert Notification.objects.filter(person=mayor).count() == 20
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert len(mail.outbox) == 10  # two each: burgemeester, gemeentesecretaris, two handlers, office address

    # Running the worker or the resend command again sends nothing more.
    run_worker()
    assert requeue_unsent(datetime.timedelta(0)) == []
    assert len(mail.outbox) == 10


def test_without_digests_every_notification_has_its_own_email(organisation, person, settings):
    """Tried: three reports about a wethouder with MELDPUNT_EMAIL_DIGEST_MINUTES=0."""
    settings.EMAIL_DIGEST_MINUTES = 0
    no_patterns(organisation)  # no pattern alerts here: tests/test_pattern_alerts.py
    for _ in range(3):
        report_about(organisation, person("Henk Bosman"))
    run_worker()
    assert [m.to for m in mail.outbox].count(["m.vandalen@voorbeeldstad.example"]) == 3
    assert not DBTaskResult.objects.filter(task_path=send_digest.module_path).exists()


def test_looking_at_notifications_marks_nothing_read_a_post_or_opening_the_case_does(organisation, person, settings):
    """Tried: the burgemeester has three new notifications. She looks at the page
    (twice), marks one read with its button, opens the second case, and then uses
    'Alles als gelezen markeren'; the gemeentesecretaris tries to mark hers."""
    no_patterns(organisation)  # no pattern alerts here: tests/test_pattern_alerts.py
    cases = [report_about(organisation, person("Henk Bosman"))[0] for _ in range(3)]
    mayor = person("Marieke van Dalen")
    url = reverse("behandelen:notifications")
    client = verified_client("burgemeester")

    def unread() -> set[str]:
        return set(
            Notification.objects.filter(person=mayor, read_at__isnull=True).values_list("case__reference", flat=True)
        )

    for _ in range(2):
        page = client.get(url).content.decode()
        assert page.count("Markeer als gelezen") == 3 and "Alles als gelezen markeren" in page
    assert unread() == {c.reference for c in cases}

    first = Notification.objects.get(person=mayor, case=cases[0])
    response = client.post(url, {"notification": first.pk})
    assert response.status_code == 302 and response.url == url
    assert unread() == {cases[1].reference, cases[2].reference}

    assert client.get(reverse("behandelen:case", args=[cases[1].reference])).status_code == 200
    assert unread() == {cases[2].reference}

    # Someone else's notification cannot be marked from another account.
    theirs = Notification.objects.get(person=person("Willem Jacobs"), case=cases[2])
    verified_client("secretaris").post(url, {"notification": Notification.objects.get(person=mayor, case=cases[2]).pk})
    assert unread() == {cases[2].reference}
    client.post(url, {"notification": theirs.pk})
    assert Notification.objects.get(pk=theirs.pk).read_at is None

    client.post(url, {"all": "1"})
    assert unread() == set()
    page = client.get(url).content.decode()
    assert "Markeer als gelezen" not in page and "Alles als gelezen markeren" not in page
    assert all(c.reference in page for c in cases)


def open_inbox(code):
    from django.test import Client

    from meldpunt import throttle

    throttle.forget()  # the receipt-attempt limits start afresh
    client = Client()
    assert client.post("/voorbeeldstad/postvak/", {"code": str(code)}).status_code == 302
    return client


def markers(client) -> dict[str, str]:
    """The case list as its reader sees it: case number -> marker text, for rows that have one."""
    page = client.get(reverse("behandelen:home")).content.decode()
    rows = re.findall(r'data-reference="([^"]+)">(.*?)</tr>', page, flags=re.S)
    found = {}
    for reference, row in rows:
        marker = re.search(r'data-testid="reporter-activity">([^<]+)<', row)
        if marker:
            found[reference] = marker.group(1)
    return found


def test_a_reporters_reply_alerts_the_handlers_and_marks_the_case_until_a_handler_reads_it(
    organisation, person, settings
):
    """Tried: the reporter answers in the inbox (one text, then one with a file) and then
    withdraws; a handler opens the case in between. (Digests off, to see each e-mail.)"""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.EMAIL_DIGEST_MINUTES = 0
    case, code = report_about(organisation, person("Henk Bosman"))
    other, _code = report_about(organisation, person("Henk Bosman"))
    run_worker()
    mail.outbox = []
    reply = "Het gebeurde ook op de nieuwjaarsreceptie."
    reporter = open_inbox(code)
    assert reporter.post("/voorbeeldstad/postvak/melding/", {"body": reply}).status_code == 302

    handlers = {"Ingrid Vos", "Daan Schouten"}
    told = Notification.objects.filter(case=case, kind=Notification.Kind.REPORTER_MESSAGE, person__isnull=False)
    assert {n.person.name for n in told} == handlers  # the burgemeester reads along, but is not alerted
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(HANDLER_ADDRESSES + [OFFICE_ADDRESS])
    for message in mail.outbox:
        assert case.reference in message.subject and "Nieuw bericht van de melder" in message.body
        assert reply not in message.body and "nieuwjaarsreceptie" not in message.message().as_string()

    first, second, mayor = (
        verified_client("behandelaar1"),
        verified_client("behandelaar2"),
        verified_client("burgemeester"),
    )
    assert markers(first) == markers(second) == {case.reference: "Nieuw bericht"}
    assert markers(mayor) == {}  # a handler's working marker
    assert "Nieuw bericht van de melder" in first.get(reverse("behandelen:notifications")).content.decode()

    # One handler reads the case: the marker is gone for both, and her notification is read.
    assert reply in first.get(reverse("behandelen:case", args=[case.reference])).content.decode()
    assert markers(first) == markers(second) == {}
    assert told.get(person__name="Ingrid Vos").read_at is not None
    assert told.get(person__name="Daan Schouten").read_at is None
    # The burgemeester opening the case does not count as a handler reading it.
    reporter.post(
        "/voorbeeldstad/postvak/melding/",
        {"body": "Zie de bijlage.", "files": [SimpleUploadedFile("verslag.txt", b"Verslag van de avond")]},
    )
    mayor.get(reverse("behandelen:case", args=[case.reference]))
    assert markers(first) == {case.reference: "Nieuw bericht met bijlage"}
    assert Notification.objects.filter(case=case, kind=Notification.Kind.REPORTER_ATTACHMENT).count() == 3  # + office

    reporter.post("/voorbeeldstad/postvak/intrekken/")
    assert markers(second) == {case.reference: "Ingetrokken door de melder"}
    withdrawn = Notification.objects.filter(case=case, kind=Notification.Kind.WITHDRAWN, person__isnull=False)
    assert {n.person.name for n in withdrawn} == handlers
    mail.outbox = []
    run_worker()
    # The message with a file and the withdrawal, to each handler and the office's address.
    assert sorted(m.to[0] for m in mail.outbox) == sorted((HANDLER_ADDRESSES + [OFFICE_ADDRESS]) * 2)
    assert other.reference not in markers(first)


def test_every_new_case_tells_the_integrity_office_once_and_never_a_named_handler(organisation, person, settings):
    """Tried: a report about an employee (the protocol itself routes to the integrity
    office) and a report naming handler Ingrid Vos as accused. (Digests off.)"""
    settings.EMAIL_DIGEST_MINUTES = 0
    employee_case, _ = report_about(organisation, person("Lotte Jansen"))
    per_handler = Counter(
        Notification.objects.filter(case=employee_case, person__name__in=["Ingrid Vos", "Daan Schouten"]).values_list(
            "person__name", flat=True
        )
    )
    assert per_handler == {"Ingrid Vos": 1, "Daan Schouten": 1}

    about_handler, _ = report_about(organisation, person("Ingrid Vos"))
    told = set(Notification.objects.filter(case=about_handler).values_list("person__name", flat=True))
    assert "Daan Schouten" in told and "Ingrid Vos" not in told
    run_worker()
    about_her = [m for m in mail.outbox if about_handler.reference in m.subject]
    assert "i.vos@voorbeeldstad.example" not in {m.to[0] for m in about_her}
    assert "d.schouten@voorbeeldstad.example" in {m.to[0] for m in about_her}


def test_the_integrity_office_address_gets_what_the_office_gets_but_never_a_case_naming_a_handler(
    organisation, person, settings
):
    """Tried: a report about a wethouder, a reply from its reporter, and a report naming
    handler Ingrid Vos; then the same with the office's address left empty. (Digests off.)"""
    settings.EMAIL_DIGEST_MINUTES = 0
    case, code = report_about(organisation, person("Henk Bosman"), description=DESCRIPTION)
    open_inbox(code).post("/voorbeeldstad/postvak/melding/", {"body": "Nog een aanvulling."})
    about_handler, _ = report_about(organisation, person("Ingrid Vos"))
    run_worker()
    to_office = [m for m in mail.outbox if m.to == [OFFICE_ADDRESS]]
    assert sorted(m.subject for m in to_office) == [f"Gemeente Voorbeeldstad – Meldpunt: zaak {case.reference}"] * 2
    assert {"Nieuwe zaak voor het integriteitsbureau", "Nieuw bericht van de melder"} == {
        kind
        for m in to_office
        for kind in Notification.Kind.labels
        if m.body.startswith(f"Gemeente Voorbeeldstad – zaak {case.reference}\n\n{kind}.")
    }
    assert all(DESCRIPTION not in m.body and "aanvulling" not in m.body for m in to_office)
    # The office mailbox is shared by all handlers, so it never hears of a case naming one.
    assert not Notification.objects.filter(case=about_handler, to_office=True).exists()
    # Nor does the notifications page of anyone show the office's rows.
    assert Notification.objects.filter(to_office=True, person__isnull=False).count() == 0

    # A handler without an address is still reached through the office's address: no alert.
    vos = person("Ingrid Vos")
    vos.email = ""
    vos.save(update_fields=["email"])
    report_about(organisation, person("Lotte Jansen"))
    assert not Notification.objects.filter(kind=Notification.Kind.UNREACHABLE).exists()
    # Without the office's address nobody gets her e-mail: the admin is alerted.
    organisation.integrity_office_email = ""
    organisation.save(update_fields=["integrity_office_email"])
    later, _ = report_about(organisation, person("Lotte Jansen"))
    assert not Notification.objects.filter(case=later, to_office=True).exists()
    alert = Notification.objects.get(kind=Notification.Kind.UNREACHABLE)
    assert alert.person.name == "Rob Lammers" and "Ingrid Vos" in alert.reason


def test_the_functional_admin_is_warned_of_recipients_without_an_address(organisation, person):
    """Tried: the demo registry (every recipient has an address; the raadsleden, who
    receive nothing under the default protocol, have none); then the burgemeester's
    address is removed, and then the office's."""
    admin = verified_client("beheerder")
    pages = [reverse("beheer:home"), reverse("beheer:protocol")]
    for url in pages:
        assert 'data-testid="unreachable-warning"' not in admin.get(url).content.decode()

    mayor = person("Marieke van Dalen")
    mayor.email = ""
    mayor.save(update_fields=["email"])
    for url in pages:
        page = admin.get(url).content.decode()
        warning = page[page.index('data-testid="unreachable-warning"') :]
        warning = warning[: warning.index("</div>")]
        assert "Marieke van Dalen (Burgemeester)" in warning
        assert "Ruud Meijer" not in warning  # a raadslid: not a recipient
        assert "eigen e-mailadres" not in warning

    organisation.integrity_office_email = ""
    organisation.save(update_fields=["integrity_office_email"])
    assert "Het Integriteitsbureau heeft geen eigen e-mailadres" in admin.get(pages[0]).content.decode()
