"""Creating notifications and getting them out.

A notification row and the background task that e-mails it are written in
the same transaction as the change that caused them (django-tasks with the
database backend), so either both exist or neither does. Any number of
``db_worker`` processes can run the tasks. ``send_email`` claims a
notification in a short transaction, sends with no transaction open (so a
slow mail server holds no lock that a submission waits for), then marks it
sent. A failed send (mail server down) is tried again later by a new
deferred task, so a notification is not lost to a hiccup. The delivery
guarantee is at least once; see ``send_email``.
"""

import contextlib
import datetime
import logging
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from meldpunt.notifications.models import Notification
from meldpunt.notifications.together import already_told, is_new_case, kept_notifications, queue_emails, store
from meldpunt.organisations.models import Organisation
from meldpunt.registry.models import Person

logger = logging.getLogger(__name__)

# Seconds to wait before each new attempt after a failed send; after the
# last one the task fails and stays visible in the task results.
RETRY_DELAYS = (30, 120, 600, 1800, 3600, 6 * 3600)


def notify(
    person_id: int,
    organisation,
    case,
    kind: str,
    reason: str,
    *,
    office_copy: bool = False,
    person: Person | None = None,
) -> Notification:
    """Store a notification for a person and queue its e-mail, in the caller's
    transaction. When the person has no e-mail address and no copy goes to the
    integrity office's address (``office_copy``), nobody is e-mailed: the
    functional admins get an alert (``alert_unreachable``). ``person``: the
    Person row, when the caller has it (with its name and e-mail address)."""
    notification = store(
        Notification(
            organisation=organisation,
            person_id=person_id,
            case=case,
            kind=kind,
            reason=reason[:500],
            created_at=timezone.now(),
        )
    )
    if kind == Notification.Kind.UNREACHABLE:
        return notification
    if person is None or person.pk != person_id:
        person = Person.objects.only("name", "email").get(pk=person_id)
    if case is not None and not office_copy and kind in (Notification.Kind.ROUTED, Notification.Kind.REROUTED):
        # The protocol told the integrity office (one of its handlers): so is the office's address.
        if _is_office_handler(person, case):
            office_copy = notify_office(organisation, case, kind, reason) is not None
    if not person.email and not office_copy:
        alert_unreachable(organisation, person)
    return notification


def notify_each(wanted: list[tuple[Person, object, object, str, str]]) -> list[Notification]:
    """``notify`` for many ``(person, organisation, case, kind, reason)`` at
    once (the escalation sweep's batch): the rows in one insert, one e-mail
    task each, the same alert for a person without an e-mail address. Not for
    the kinds that copy the office or are alerts themselves."""
    assert not {kind for _p, _o, _c, kind, _r in wanted} & {
        Notification.Kind.ROUTED,
        Notification.Kind.REROUTED,
        Notification.Kind.UNREACHABLE,
    }
    created_at = timezone.now()
    notifications = Notification.objects.bulk_create(
        Notification(
            organisation=organisation,
            person_id=person.pk,
            case=case,
            kind=kind,
            reason=reason[:500],
            created_at=created_at,
        )
        for person, organisation, case, kind, reason in wanted
    )
    queue_emails(notifications)
    for person, organisation, _case, _kind, _reason in wanted:
        if not person.email:
            alert_unreachable(organisation, person)
    return notifications


def notify_office(
    organisation, case, kind: str, reason: str, *, any_kind: bool = False, may_hear: bool | None = None
) -> Notification | None:
    """Queue an e-mail to the integrity office's own address
    (``Organisation.integrity_office_email``), beside the handlers' own
    notifications; None when the organisation has none, or when a handler
    may not open the case (the office mailbox is shared by all handlers, so
    it never hears of a case that names one of them). An office e-mail about
    the case of the same kind (``any_kind``: of any kind) that is not sent
    yet covers this one: the office gets one e-mail per event, not one per
    handler. ``may_hear``: ``office_may_hear(case)``, when the caller knows it already."""
    if not organisation.integrity_office_email:
        return None
    if not (office_may_hear(case) if may_hear is None else may_hear):
        return None
    kept = [n for n in kept_notifications() if n.to_office and n.case_id == case.pk and (any_kind or n.kind == kind)]
    if kept:
        return kept[0]
    if is_new_case(case):
        return store(_office_notification(organisation, case, kind, reason))
    pending = Notification.objects.filter(case=case, to_office=True, emailed_at__isnull=True)
    if not any_kind:
        pending = pending.filter(kind=kind)
    covering = pending.first()
    if covering is not None:
        return covering
    return store(_office_notification(organisation, case, kind, reason))


def _office_notification(organisation, case, kind: str, reason: str) -> Notification:
    return Notification(
        organisation=organisation, to_office=True, case=case, kind=kind, reason=reason[:500], created_at=timezone.now()
    )


def functional_admins(organisation) -> list[Person]:
    from meldpunt.registry.models import Appointment, Category, today

    held = Appointment.objects.filter(Appointment.held_on(today()), position__category=Category.FUNCTIONEEL_BEHEERDER)
    return list(Person.objects.filter(organisation=organisation, appointments__in=held).distinct().order_by("pk"))


def alert_unreachable(organisation, person: Person) -> None:
    """A notification for ``person`` could not be e-mailed to anyone: tell the
    functional admins (in the app and by e-mail), once while unread. The alert
    names the person, never the case."""
    reason = _(
        "%(name)s kreeg een notificatie die niemand per e-mail bereikte: in het register staat voor "
        "%(name)s geen e-mailadres. Vul het adres aan in het register."
    ) % {"name": person.name}
    kept = {
        n.person_id
        for n in kept_notifications()
        if n.kind == Notification.Kind.UNREACHABLE and n.reason == reason[:500]
    }
    for admin in functional_admins(organisation):
        waiting = Notification.objects.filter(
            person=admin, kind=Notification.Kind.UNREACHABLE, reason=reason[:500], read_at__isnull=True
        )
        if admin.pk not in kept and not waiting.exists():
            notify(admin.pk, organisation, None, Notification.Kind.UNREACHABLE, reason)


def recipients_without_address(organisation) -> list[tuple[str, list[str]]]:
    """The people notifications can reach today who have no e-mail address in
    the registry, with their positions: holders of every position the
    protocol in force names (for any accused), of the deputies down each
    chain, and of the integrity office and the functional admin positions.
    For the warning on the functional admin's registry and protocol pages."""
    from meldpunt.protocol.routing import EXTERNAL, _positions_for
    from meldpunt.protocol.snapshot import registry_view
    from meldpunt.protocol.versions import as_protocol, current_version

    registry = registry_view(organisation)
    protocol = as_protocol(current_version(organisation))
    everyone = list(registry.positions.values())
    reached = {p.id for p in registry.positions_in("behandelaar") + registry.positions_in("functioneel_beheerder")}
    for rule in protocol.rules.values():
        for code in rule.recipients:
            if code != EXTERNAL:
                reached.update(p.id for p in _positions_for(code, registry, everyone))
    chain = list(reached)
    while chain:
        deputy = registry.positions[chain.pop()].deputy
        if deputy in registry.positions and deputy not in reached:
            reached.add(deputy)
            chain.append(deputy)
    holders: dict[int, list[str]] = {}
    for position_id in sorted(reached):
        for person_id in registry.holders(position_id):
            holders.setdefault(person_id, []).append(registry.positions[position_id].title)
    missing = Person.objects.filter(pk__in=holders, email="").order_by("name")
    return [(person.name, holders[person.pk]) for person in missing]


def handlers_who_may_open(case) -> list[Person]:
    """The integrity office's handlers today who may open ``case`` (not named
    in it, not conflicted, not excluded by a rule)."""
    return _office_handlers(case)[0]


# Within ``office_answer_kept(case)`` the answer of ``_office_handlers`` for
# that case is worked out once and kept until the block ends.
_kept_office_answer: ContextVar[dict | None] = ContextVar("kept_office_answer", default=None)


@contextlib.contextmanager
def office_answer_kept(case):
    """Work out once who of the integrity office may open ``case``, however
    often it is asked inside the block. Only for a block in which nothing that
    decides it changes after the first question: ``submit_report``'s routing
    and notifications, where routing writes the case's recipients and rule
    exclusions before its first notification (the subjects are stored before),
    and the notifications of routing, of ``case_submitted`` and of the pattern
    check then each ask again."""
    token = _kept_office_answer.set({"case": case.pk})
    try:
        yield
    finally:
        _kept_office_answer.reset(token)


def _office_handlers(case) -> tuple[list[Person], bool]:
    """``handlers_who_may_open(case)``, and ``office_may_hear(case)``: every handler today may."""
    kept = _kept_office_answer.get()
    if kept is None or kept["case"] != case.pk:
        return _work_out_office_handlers(case)
    if "answer" not in kept:
        kept["answer"] = _work_out_office_handlers(case)
    handlers, may_hear = kept["answer"]
    return list(handlers), may_hear


def _is_office_handler(person: Person, case) -> bool:
    """Whether ``person`` is one of the integrity office's handlers today. Inside
    ``office_answer_kept(case)``: whether they are among the handlers who may
    open the case, from the kept answer. For ``notify`` that comes to the
    same: a handler who may not open the case means the office's address may
    not hear of it either."""
    kept = _kept_office_answer.get()
    if kept is not None and kept["case"] == case.pk:
        return person.pk in {handler.pk for handler in _office_handlers(case)[0]}
    from meldpunt.cases.access import is_handler

    return is_handler(person)


def _work_out_office_handlers(case) -> tuple[list[Person], bool]:
    from meldpunt.cases.access import handlers_today, people_who_may_open

    handlers = handlers_today(case.organisation_id)
    allowed = people_who_may_open(handlers, case, all_handlers_today=True)
    return [person for person in handlers if person.pk in allowed], allowed >= {person.pk for person in handlers}


def case_submitted(case) -> list[Notification]:
    """Every new case: the integrity office's handlers are told, in the app and
    by e-mail, whatever the protocol added (those it already told are not told
    twice). Called by ``submit_report`` in its transaction, after routing."""
    told = already_told(case)
    reason = _("Integriteitsbureau: elke nieuwe zaak gaat naar het integriteitsbureau.")
    handlers, may_hear = _office_handlers(case)
    # When the protocol itself went to the integrity office, the office's address has its e-mail already.
    office = notify_office(
        case.organisation, case, Notification.Kind.NEW_CASE, reason, any_kind=True, may_hear=may_hear
    )
    return [
        notify(
            person.pk,
            case.organisation,
            case,
            Notification.Kind.NEW_CASE,
            reason,
            office_copy=office is not None,
            person=person,
        )
        for person in handlers
        if person.pk not in told
    ]


def reporter_activity(case, kind: str) -> list[Notification]:
    """The reporter wrote (``CaseAttention.Kind.MESSAGE``), sent a message with
    files (``ATTACHMENT``) or withdrew (``WITHDRAWN``): the case's handlers are told
    in the app and by e-mail (no content), and the case list shows the marker
    until a handler opens the case. Called by the action in its transaction."""
    from meldpunt.notifications.models import CaseAttention

    notification_kind, reason = {
        CaseAttention.Kind.MESSAGE: (Notification.Kind.REPORTER_MESSAGE, _("De melder stuurde een nieuw bericht.")),
        CaseAttention.Kind.ATTACHMENT: (
            Notification.Kind.REPORTER_ATTACHMENT,
            _("De melder stuurde een bericht met een of meer bijlagen."),
        ),
        CaseAttention.Kind.WITHDRAWN: (Notification.Kind.WITHDRAWN, _("De melder heeft de melding ingetrokken.")),
    }[kind]
    CaseAttention.objects.update_or_create(case=case, defaults={"kind": kind, "since": timezone.now()})
    handlers, may_hear = _office_handlers(case)
    office = notify_office(case.organisation, case, notification_kind, reason, may_hear=may_hear)
    return [
        notify(person.pk, case.organisation, case, notification_kind, reason, office_copy=office is not None)
        for person in handlers
    ]


def attention_for(cases) -> dict:
    """The "nieuw bericht" markers of these cases, by case id."""
    from meldpunt.notifications.models import CaseAttention

    return {a.case_id: a for a in CaseAttention.objects.filter(case__in=[c.pk for c in cases])}


def mark_read(notifications) -> int:
    """Mark these notifications (a queryset, already limited to one person's) read."""
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now())


def visible_notifications(staff):
    """What was sent to this staff member, limited to cases they may still open
    (the notifications page and the API show the same)."""
    from meldpunt.cases.access import cases_visible_to

    mine = Notification.objects.filter(person=staff.person).select_related("case")
    return mine.filter(Q(case__isnull=True) | Q(case__in=cases_visible_to(staff).values("pk")))


def case_opened(person, case) -> None:
    """Someone opened a case page: their notifications about it count as read,
    and when they are a handler, the case's "nieuw bericht" marker goes."""
    from meldpunt.cases.access import is_handler
    from meldpunt.notifications.models import CaseAttention

    now = timezone.now()
    mark_read(Notification.objects.filter(person=person, case=case))
    if is_handler(person):
        CaseAttention.objects.filter(case=case, since__lte=now).delete()


def email_text(notification: Notification) -> tuple[str, str]:
    organisation = notification.organisation
    heading = organisation.name
    if notification.case is not None:
        heading += " – " + _("zaak %(ref)s") % {"ref": notification.case.reference}
        link = settings.BASE_URL + reverse("behandelen:case", args=[notification.case.reference])
        subject = _("%(org)s – Meldpunt: zaak %(ref)s") % {"org": organisation.name, "ref": notification.case.reference}
    else:
        link = settings.BASE_URL + reverse("behandelen:notifications")
        subject = _("%(org)s – Meldpunt: actie nodig") % {"org": organisation.name}
    body = _(
        "%(kind)s.\n\nWaarom u dit krijgt: %(reason)s\n\nOpen de zaak (inloggen met tweede factor): %(link)s\n\n"
        "Dit bericht bevat bewust geen inhoud van de melding. Stuur het niet door."
    ) % {"kind": notification.get_kind_display(), "reason": notification.reason, "link": link}
    return subject, heading + "\n\n" + body


def digest_text(organisation, notifications: list[Notification]) -> tuple[str, str]:
    """One e-mail for several notifications: the case numbers and links, each
    case once, in the order they came; no reasons and no content."""
    cases: dict[str, list[str]] = {}
    other = []
    for notification in sorted(notifications, key=lambda n: (n.created_at, n.pk)):
        kind = notification.get_kind_display()
        if notification.case is None:
            other.append(kind)
            continue
        kinds = cases.setdefault(notification.case.reference, [])
        if kind not in kinds:
            kinds.append(kind)
    lines = [
        _("- zaak %(ref)s (%(kinds)s): %(link)s")
        % {
            "ref": reference,
            "kinds": "; ".join(kinds),
            "link": settings.BASE_URL + reverse("behandelen:case", args=[reference]),
        }
        for reference, kinds in cases.items()
    ]
    overview = settings.BASE_URL + reverse("behandelen:notifications")
    if other:
        lines.append(_("- %(kinds)s: %(link)s") % {"kinds": "; ".join(sorted(set(other))), "link": overview})
    subject = _("%(org)s – Meldpunt: %(count)s notificaties") % {"org": organisation.name, "count": len(notifications)}
    body = _(
        "U kreeg kort geleden al een e-mail van Meldpunt. Wat daarna voor u binnenkwam, staat hieronder "
        "in één e-mail (%(count)s notificaties):\n\n%(lines)s\n\n"
        "Waarom u elke notificatie krijgt, staat op uw notificatiepagina (inloggen met tweede factor): "
        "%(overview)s\n\nDit bericht bevat bewust geen inhoud van meldingen. Stuur het niet door."
    ) % {"count": len(notifications), "lines": "\n".join(lines), "overview": overview}
    return subject, organisation.name + "\n\n" + body


def office_may_hear(case) -> bool:
    """Whether the integrity office's shared address may hear of ``case``:
    every handler today may open it."""
    return _office_handlers(case)[1]


def still_allowed(notification: Notification) -> bool:
    """Whether the recipient may open the case right now: the full access rule
    (handler today, or a recipient who still holds the position that reached
    them, and not excluded), checked again right before every send. For the
    office's address: every handler may."""
    from meldpunt.cases.access import may_open

    if notification.to_office:
        return office_may_hear(notification.case)
    return may_open(notification.person, notification.case)


def claim_lease() -> datetime.timedelta:
    """How long a claim lasts: long enough for the slowest send (an SMTP
    conversation is several steps, each allowed ``EMAIL_TIMEOUT``), short
    enough that a dead worker's notification is sent by the next
    ``resend_notifications`` run (default: older than 15 minutes)."""
    return datetime.timedelta(seconds=max(300, 10 * settings.EMAIL_TIMEOUT))


def digest_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.EMAIL_DIGEST_MINUTES)


def _recipient_key(notification: Notification) -> str:
    if notification.to_office:
        return f"office:{notification.organisation_id}"
    return f"person:{notification.person_id}"


def _same_recipient(key: str) -> Q:
    kind, _sep, pk = key.partition(":")
    if kind == "office":
        return Q(organisation_id=int(pk), to_office=True)
    return Q(person_id=int(pk))


def _lock_recipient(key: str) -> None:
    """Take the recipient's lock, so two workers decide about one recipient's
    e-mails one after the other (single or digest). ``no_key``: a submission
    that adds a notification for them does not wait for it."""
    kind, _sep, pk = key.partition(":")
    model = Organisation if kind == "office" else Person
    list(model.objects.select_for_update(no_key=True).filter(pk=int(pk)).values_list("pk"))


def _address(notification: Notification) -> str:
    if notification.to_office:
        return notification.organisation.integrity_office_email
    return notification.person.email


def _bundle(notification: Notification, key: str, now) -> bool:
    """Whether ``notification`` waits for a digest e-mail: the recipient had an
    e-mail less than ``EMAIL_DIGEST_MINUTES`` ago, one is being sent to them
    right now, or a digest is already waiting. If so it is marked bundled, and
    the digest task is queued for the end of that time when none waits yet."""
    window = digest_window()
    if not window:
        return False
    mine = Notification.objects.filter(_same_recipient(key)).exclude(pk=notification.pk)
    last = mine.filter(emailed_at__isnull=False).aggregate(last=Max("emailed_at"))["last"]
    waiting = mine.filter(bundled=True, emailed_at__isnull=True).exists()
    in_flight = mine.filter(claimed_until__gt=now).exists()
    if not (waiting or in_flight or (last is not None and last > now - window)):
        return False
    notification.bundled = True
    notification.save(update_fields=["bundled"])
    if not _digest_queued(key):
        send_digest.using(run_after=max(now, (last or now) + window)).enqueue(key)
    return True


def _digest_tasks():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=send_digest.module_path)


def _digest_queued(key: str) -> bool:
    """Whether a digest task for this recipient waits to run (a running one has
    already chosen what it sends)."""
    waiting = _digest_tasks().filter(status="READY").values_list("args_kwargs", flat=True)
    return any(row.get("args", [None])[0] == key for row in waiting)


def _claim(notification_id: int) -> tuple[Notification, str] | str:
    """In one short transaction: check the notification still needs its
    e-mail and claim it for this worker. Returns the notification and the
    claim token, or why there is nothing to send (now)."""
    now = timezone.now()
    found = Notification.objects.filter(pk=notification_id).first()
    if found is None:
        return "already sent"
    key = _recipient_key(found)
    with transaction.atomic():
        _lock_recipient(key)
        # Lock only the notification row: the case is an outer join (admin
        # alerts have none), which PostgreSQL refuses to lock.
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("person", "organisation", "case")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return "already sent"
        if notification.bundled:
            return "bundled"
        if notification.claimed_until is not None and notification.claimed_until > now:
            # Another worker is sending it right now; if that worker dies, its
            # claim runs out and ``requeue_unsent`` queues the e-mail again.
            return "being sent"
        if not _address(notification):
            return "no address"
        if notification.case is not None and not still_allowed(notification):
            # Since it was queued the person left the position that reached
            # them, or a re-classification excluded them.
            return "recipient excluded"
        if _bundle(notification, key, now):
            return "bundled"
        token = uuid.uuid4().hex
        notification.claimed_until = now + claim_lease()
        notification.claim_token = token
        notification.save(update_fields=["claimed_until", "claim_token"])
    return notification, token


def _release(notification_ids: list[int], token: str) -> None:
    Notification.objects.filter(pk__in=notification_ids, claim_token=token, emailed_at__isnull=True).update(
        claimed_until=None, claim_token=""
    )


def _mark_sent(notification_ids: list[int], token: str) -> int:
    """Mark the claimed notifications sent, only while this worker's claim
    stands, with an audit event per notification e-mailed (in the same transaction)."""
    with transaction.atomic():
        claimed = Notification.objects.filter(pk__in=notification_ids, claim_token=token)
        sent = list(claimed.select_for_update(of=("self",)).select_related("organisation", "case").order_by("pk"))
        claimed.update(emailed_at=timezone.now(), claimed_until=None, claim_token="")
        _audit_emailed(sent)
    return len(sent)


def _audit_emailed(notifications: list[Notification]) -> None:
    """``notification.emailed``: which notification, of what kind, to whom
    (a registry person's id or the office address) and about which case; never
    the address or the text."""
    from meldpunt.audit.log import record_many

    by_organisation: dict[int, list[Notification]] = {}
    for notification in notifications:
        by_organisation.setdefault(notification.organisation_id, []).append(notification)
    for group in by_organisation.values():
        entries = [
            (
                "notification.emailed",
                n.case,
                {
                    "notification": n.pk,
                    "kind": n.kind,
                    "to": "office" if n.to_office else f"person:{n.person_id}",
                    "digest": n.bundled,
                },
            )
            for n in group
        ]
        record_many(entries, actor="system", organisation=group[0].organisation)


def _deliver(message: EmailMessage, ids: list[int], token: str, retry, attempt: int) -> str:
    """Send with no transaction open, then mark sent; on failure release the
    claim and queue ``retry`` for later."""
    try:
        message.send()
    except Exception:
        if attempt > len(RETRY_DELAYS):
            # The task fails and stays visible; ``requeue_unsent`` picks it up later.
            _release(ids, token)
            raise
        delay = RETRY_DELAYS[attempt - 1]
        with transaction.atomic():
            _release(ids, token)
            retry(timezone.now() + datetime.timedelta(seconds=delay))
        logger.warning("notification(s) %s: sending failed (attempt %s), trying again in %ss", ids, attempt, delay)
        return "retry"
    if _mark_sent(ids, token) < len(ids):
        logger.warning("notification(s) %s: sent after the claim ran out; may be sent twice", ids)
    return "sent"


@task()
def send_email(notification_id: int, attempt: int = 1) -> str:
    """E-mail one notification: claim it (short transaction, committed), send
    with no transaction open and no lock held, then mark it sent. When the
    recipient had an e-mail less than ``EMAIL_DIGEST_MINUTES`` ago it is
    bundled instead, for ``send_digest``.

    Delivery is at least once: a worker that dies, or whose database goes
    away, after the mail server accepted the message and before the mark is
    committed leaves a claim that runs out (``claim_lease``), after which the
    e-mail is sent again. Outside that window each notification is e-mailed
    once, however many workers or duplicate tasks there are.
    """
    claimed = _claim(notification_id)
    if isinstance(claimed, str):
        return claimed
    notification, token = claimed
    subject, body = email_text(notification)
    message = EmailMessage(
        subject,
        body,
        to=[_address(notification)],
        headers={"X-Meldpunt-Notification": str(notification.pk)},
    )

    def retry(when):
        send_email.using(run_after=when).enqueue(notification_id, attempt + 1)

    return _deliver(message, [notification.pk], token, retry, attempt)


@task()
def send_digest(recipient: str, attempt: int = 1) -> str:
    """E-mail every bundled notification of one recipient (``person:<id>``, or
    ``office:<organisation id>`` for the integrity office's address) in
    one digest: claimed together, sent, marked together; the same guarantee
    as ``send_email``. Notifications about cases the recipient may no longer
    open are left out (and never e-mailed)."""
    now = timezone.now()
    with transaction.atomic():
        _lock_recipient(recipient)
        waiting = list(
            Notification.objects.select_for_update(of=("self",))
            .select_related("person", "organisation", "case")
            .filter(_same_recipient(recipient), bundled=True, emailed_at__isnull=True)
            .exclude(claimed_until__gt=now)
            .order_by("created_at", "pk")
        )
        allowed = [n for n in waiting if n.case is None or still_allowed(n)]
        # Whoever may no longer open a case is never e-mailed about it; those
        # stay unsent and no longer wait for a digest.
        Notification.objects.filter(pk__in=[n.pk for n in waiting if n not in allowed]).update(bundled=False)
        if not allowed:
            return "nothing to send"
        if not _address(allowed[0]):
            return "no address"
        token = uuid.uuid4().hex
        ids = [n.pk for n in allowed]
        Notification.objects.filter(pk__in=ids).update(claimed_until=now + claim_lease(), claim_token=token)
    subject, body = digest_text(allowed[0].organisation, allowed)
    message = EmailMessage(
        subject,
        body,
        to=[_address(allowed[0])],
        headers={"X-Meldpunt-Notifications": ",".join(str(pk) for pk in ids)},
    )

    def retry(when):
        send_digest.using(run_after=when).enqueue(recipient, attempt + 1)

    return _deliver(message, ids, token, retry, attempt)


def requeue_unsent(older_than: datetime.timedelta) -> list[int]:
    """Queue a new e-mail task for every notification that should have gone out but has
    no live task: its worker died mid-send (the task stays RUNNING and its claim runs
    out), or every retry failed. A notification whose claim still stands is left alone;
    bundled ones get a digest task for their recipient when none waits.

    Safe to run at any time and from several machines: a second task for a notification
    that is sent, or being sent, sends nothing.
    Returns the notification ids queued again.
    """
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - older_than
    unsent = list(
        Notification.objects.filter(emailed_at__isnull=True, created_at__lte=cutoff)
        .exclude(claimed_until__gt=timezone.now())
        .select_related("person", "organisation", "case")
    )
    if not unsent:
        return []
    live = DBTaskResult.objects.filter(task_path__in=[send_email.module_path, send_digest.module_path]).filter(
        Q(status="READY") | Q(status="RUNNING", started_at__gt=cutoff)
    )
    pending = {
        (row[0], row[1]["args"][0]) for row in live.values_list("task_path", "args_kwargs") if row[1].get("args")
    }
    queued, digests = [], set()
    for notification in unsent:
        # A recipient who may no longer open the case is never e-mailed; do not keep queuing them.
        if not _address(notification):
            continue
        if notification.case_id is not None and not still_allowed(notification):
            continue
        if notification.bundled:
            key = _recipient_key(notification)
            if (send_digest.module_path, key) in pending:
                continue
            digests.add(key)
        elif (send_email.module_path, notification.pk) in pending:
            continue
        else:
            send_email.enqueue(notification.pk)
        queued.append(notification.pk)
    for key in sorted(digests):
        send_digest.enqueue(key)
    if queued:
        logger.warning("queued %s unsent notification e-mail(s) again", len(queued))
    return sorted(queued)
