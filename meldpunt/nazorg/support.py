"""Support for the reporter: the organisation's options, the offers made on a
case (at intake, and again at closure) and the reporter's answers.

* Every report is offered the organisation's active options the moment it is
  stored (``offer_at_intake``, called by ``cases.actions.submit_report`` in its
  transaction); the receipt page and the inbox show them.
* Before a case can close a handler offers support again: through the inbox
  (``offer_at_closure``), or by recording an offer made in a conversation
  (``cases.actions.record_aftercare_offer``, which calls ``record_offer``).
  The lifecycle's need ``aftercare`` (``cases.workflow``) is met by such a
  closure offer since the case was last reopened (``offered_for_closure``).
* The reporter answers each offer once in the inbox (``answer_offer``): which
  options they want, or none, with a note sealed under the case key. The
  answer is audited and the case's owner and handlers are told (no content).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.audit.log import actor_for_user, record
from meldpunt.cases.models import Case, CaseEvent
from meldpunt.nazorg.models import SupportAnswer, SupportOffer, SupportOption

REPORTER = "melder"
MAX_NOTE = 2000

# A new organisation's options; the vertrouwenspersoon's contact text is the
# organisation's support text (``Organisation.support_text``) when it has one.
DEFAULT_OPTIONS = [
    (
        SupportOption.Kind.VERTROUWENSPERSOON,
        "Vertrouwenspersoon",
        "Confidential counsellor (vertrouwenspersoon)",
        "De vertrouwenspersoon luistert, denkt met u mee en vertelt niemand iets zonder uw toestemming. "
        "Het integriteitsbureau geeft u de contactgegevens.",
        "The confidential counsellor listens, thinks along with you and tells nobody anything without your "
        "consent. The integrity office gives you the contact details.",
    ),
    (
        SupportOption.Kind.BEDRIJFSMAATSCHAPPELIJK_WERK,
        "Bedrijfsmaatschappelijk werk",
        "Company social work (bedrijfsmaatschappelijk werk)",
        "Voor medewerkers: gesprekken over hoe het met u gaat, op het werk en daarbuiten. Vraag uw "
        "leidinggevende of de afdeling HR om een afspraak, of het integriteitsbureau.",
        "For employees: talks about how you are doing, at work and beyond. Ask your manager, HR or the "
        "integrity office for an appointment.",
    ),
    (
        SupportOption.Kind.EXTERN,
        "Externe begeleiding",
        "External support",
        "Buiten de organisatie: het Huis voor Klokkenluiders geeft gratis en vertrouwelijk advies, en uw "
        "huisarts kan u doorverwijzen naar een psycholoog.",
        "Outside the organisation: the Dutch Whistleblowers Authority (Huis voor Klokkenluiders) gives free "
        "and confidential advice, and your GP can refer you to a psychologist.",
    ),
]


class AnswerRefused(Exception):
    """An answer that cannot be recorded as given; ``errors`` maps the field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


def ensure_defaults(organisation) -> None:
    """Give an organisation without support options the default list (once)."""
    if SupportOption.objects.filter(organisation=organisation).exists():
        return
    for order, (kind, name, name_en, contact, contact_en) in enumerate(DEFAULT_OPTIONS, start=1):
        if kind == SupportOption.Kind.VERTROUWENSPERSOON and organisation.support_text.strip():
            contact, contact_en = organisation.support_text, organisation.support_text_en
        SupportOption.objects.create(
            organisation=organisation,
            kind=kind,
            name=name,
            name_en=name_en,
            contact=contact,
            contact_en=contact_en,
            order=order * 10,
        )


def active_options(organisation) -> list[SupportOption]:
    return list(SupportOption.objects.filter(organisation=organisation, active=True))


def _snapshot(organisation) -> list[dict]:
    return [{"id": o.pk, "name": o.name} for o in active_options(organisation)]


def offer_at_intake(case: Case) -> SupportOffer:
    """The first offer, stored with the report (in the caller's transaction)."""
    options = _snapshot(case.organisation)
    if not options:  # an organisation without options gets the default list first
        ensure_defaults(case.organisation)
        options = _snapshot(case.organisation)
    return SupportOffer.objects.create(case=case, at=timezone.now(), moment=SupportOffer.Moment.INTAKE, options=options)


def record_offer(case: Case, *, event: CaseEvent | None = None, staff_user=None, via=SupportOffer.Via.HANDLER):
    """A closure offer, in the caller's transaction (the handler's recorded
    offer passes its timeline entry)."""
    ensure_defaults(case.organisation)
    return SupportOffer.objects.create(
        case=case,
        at=event.at if event is not None else timezone.now(),
        moment=SupportOffer.Moment.CLOSURE,
        via=via,
        options=_snapshot(case.organisation),
        staff_user=staff_user,
        event=event,
    )


def offer_at_closure(case: Case, *, staff_user) -> SupportOffer:
    """A handler offers support again through the inbox, before closing. The
    timeline says so and the audit trail has it; the reporter sees the
    options with an answer form in the inbox."""
    from meldpunt.cases.actions import _event

    actor = actor_for_user(staff_user)
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)
        now = timezone.now()
        event = _event(
            locked,
            CaseEvent.Kind.AFTERCARE,
            now,
            actor=actor,
            staff_user=staff_user,
            occurred_on=timezone.localdate(),
            detail={"via": SupportOffer.Via.INBOX},
        )
        offer = record_offer(locked, event=event, staff_user=staff_user, via=SupportOffer.Via.INBOX)
        if locked.aftercare_offered_at is None:
            Case.objects.filter(pk=locked.pk).update(aftercare_offered_at=now)
            case.aftercare_offered_at = now
        record("case.aftercare_offered", actor=actor, organisation=locked.organisation, case=locked, via="inbox")
    return offer


def offered_for_closure(case: Case, *, since=None) -> bool:
    """Whether support was offered for the case's closure (after ``since``, the
    last reopening). The fact behind the lifecycle's need ``aftercare``."""
    offers = SupportOffer.objects.filter(case=case, moment=SupportOffer.Moment.CLOSURE)
    if since is not None:
        offers = offers.filter(at__gte=since)
    return offers.exists()


def offers_of(case: Case) -> list[SupportOffer]:
    """The case's offers, newest first, each with its answer (or none)."""
    offers = list(SupportOffer.objects.filter(case=case).order_by("-at", "-pk"))
    answers = {a.offer_id: a for a in SupportAnswer.objects.filter(case=case).select_related("offer")}
    for offer in offers:
        offer.answered = answers.get(offer.pk)
    return offers


def open_offer(case: Case) -> SupportOffer | None:
    """The newest offer if the reporter has not answered it yet."""
    offer = SupportOffer.objects.filter(case=case).order_by("-at", "-pk").first()
    if offer is None or SupportAnswer.objects.filter(offer=offer).exists():
        return None
    return offer


def answer_offer(case: Case, offer_id, *, wanted: list[str], none: bool, note: str) -> tuple[SupportAnswer, bool]:
    """Record the reporter's answer to one of their case's offers. Returns the
    answer and whether it is new: a second answer to the same offer changes
    nothing (the first stands). An offer of another case does not exist here
    (``SupportOffer.DoesNotExist``)."""
    offer = SupportOffer.objects.get(case=case, public_id=offer_id)
    note = note.strip()
    errors = {}
    offered = {o["id"] for o in offer.options}
    try:
        chosen = sorted({int(pk) for pk in wanted})
    except (TypeError, ValueError):
        chosen = [-1]
    if not set(chosen) <= offered:
        errors["wanted"] = _("Kies uit de steun die hierboven staat.")
    elif none and chosen:
        errors["wanted"] = _("Kies steun, of 'Ik wil nu geen steun', niet allebei.")
    elif not none and not chosen:
        errors["wanted"] = _("Kies welke steun u wilt, of 'Ik wil nu geen steun'.")
    if len(note) > MAX_NOTE:
        errors["note"] = _("Uw toelichting is %(length)s tekens; het kunnen er ten hoogste %(max)s zijn.") % {
            "length": len(note),
            "max": MAX_NOTE,
        }
    if errors:
        raise AnswerRefused(errors)
    answer = SupportAnswer(offer=offer, case=case, at=timezone.now(), wanted=chosen)
    if note:
        answer.sealed_text = case.key.seal_text(f"support-answer:{answer.public_id}", note)
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)
        existing = SupportAnswer.objects.filter(offer=offer).first()
        if existing is not None:
            return existing, False
        answer.save()
        record(
            "case.support_answered",
            actor=REPORTER,
            organisation=locked.organisation,
            case=locked,
            moment=offer.moment,
            wanted=len(chosen),
        )
        tell_handlers(locked, _("De melder heeft geantwoord op het aanbod van steun."))
    return answer, True


def tell_handlers(case: Case, reason: str) -> None:
    """The case's owner and the integrity office's handlers who may open it
    are told, in the app and by e-mail, without content (in the caller's transaction)."""
    from meldpunt.cases.access import people_who_may_open
    from meldpunt.notifications import service as notification_service
    from meldpunt.notifications.models import Notification

    people = {p.pk for p in notification_service.handlers_who_may_open(case)}
    if case.owner_id is not None and people_who_may_open([case.owner], case) >= {case.owner_id}:
        people.add(case.owner_id)
    kind = Notification.Kind.REPORTER_MESSAGE
    office = notification_service.notify_office(case.organisation, case, kind, reason)
    for person_id in sorted(people):
        notification_service.notify(person_id, case.organisation, case, kind, reason, office_copy=office is not None)


# The functional admin's changes ------------------------------------------------------------------------


def save_option(option: SupportOption, *, staff_user, created: bool) -> SupportOption:
    """Store a support option (new or changed) and audit it, in one transaction."""
    with transaction.atomic():
        option.save()
        record(
            "organisation.support_option_saved",
            actor=actor_for_user(staff_user),
            organisation=option.organisation,
            option=option.pk,
            created=created,
            active=option.active,
        )
    return option


def save_check_months(organisation, months: int, *, staff_user) -> bool:
    """Set how many months after closure the inbox asks about disadvantage; audited. Whether it changed."""
    from meldpunt.nazorg.models import AftercareSettings

    with transaction.atomic():
        found, _created = AftercareSettings.objects.select_for_update().get_or_create(organisation=organisation)
        before = found.retaliation_check_months
        if before == months and not _created:
            return False
        found.retaliation_check_months = months
        found.save(update_fields=["retaliation_check_months"])
        record(
            "organisation.aftercare_settings_changed",
            actor=actor_for_user(staff_user),
            organisation=organisation,
            before={"retaliation_check_months": before},
            after={"retaliation_check_months": months},
        )
    return True
