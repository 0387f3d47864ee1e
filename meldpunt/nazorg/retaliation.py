"""The check for disadvantage (benadeling) after a report.

* **The question** is computed when the inbox is opened, not stored ahead:
  a case that closed (``afgesloten``) at least the organisation's
  ``retaliation_check_months`` ago (``cases.deadlines.retaliation_check_at``)
  and whose reporter has not answered for that closure is asked "Heeft u
  sinds uw melding benadeling ervaren?". Reopening and closing again asks
  again, for the new closure.
* **"Nee"** is recorded (``DisadvantageAnswer``), audited, and the question is
  gone. **"Ja"**, with what happened, opens a new case that follows from the
  first (``Case.follows_from``): stored by ``cases.actions.submit_report``
  like any report (routing by the protocol, deadlines, notifications, audit,
  encryption), about the same accused, with the reporter's answer as its
  content. Answering twice changes nothing: the first answer stands.
* **At any time** the reporter can report disadvantage from the inbox: the same
  new linked case, without a question.
* **The same receipt code** opens the new case: it gets its own code like any
  case, but that code is never shown; the first case's inbox links to it and
  it links back (``may_switch``). A frightened reporter keeps one code, and
  whoever holds it reaches nothing more than before.
* **A named reporter who left an e-mail address** gets one e-mail, without
  content, when the question is due (``queue_notices``, run by the daily
  task ``nazorg.tasks.aftercare_notices``).
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from meldpunt.audit.log import record
from meldpunt.cases import deadlines
from meldpunt.cases.models import Case, CaseEvent, State, SubjectLink, Wish
from meldpunt.cases.validators import MAX_TEXT
from meldpunt.nazorg.models import RETALIATION_CHECK_MONTHS, AftercareSettings, DisadvantageAnswer, ReporterNotice
from meldpunt.nazorg.support import REPORTER, AnswerRefused, tell_handlers

logger = logging.getLogger(__name__)


def check_months(organisation) -> int:
    found = AftercareSettings.objects.filter(organisation=organisation).values_list(
        "retaliation_check_months", flat=True
    )
    return next(iter(found), RETALIATION_CHECK_MONTHS)


def question_for(case: Case, now=None) -> dict | None:
    """The question the inbox asks now, or None: ``closed_at`` (which closure
    it is about, sent back with the answer) and ``since`` (when it was due)."""
    if case.state != State.AFGESLOTEN or case.closed_at is None:
        return None
    now = now or timezone.now()
    due = deadlines.retaliation_check_at(case.closed_at, check_months(case.organisation))
    if now < due:
        return None
    if DisadvantageAnswer.objects.filter(case=case, closed_at=case.closed_at).exists():
        return None
    return {"closed_at": case.closed_at, "token": closure_token(case.closed_at), "since": due}


def closure_token(closed_at: datetime.datetime) -> str:
    """The closure a question is about, as the form sends it back."""
    return str(int(closed_at.timestamp() * 1_000_000))


class NotAsked(Exception):
    """No question about this closure is waiting (not due yet, another closure, or tampered with)."""


def _checked_text(text: str, *, required: bool) -> str:
    text = text.strip()
    if required and not text:
        raise AnswerRefused({"text": _("Vertel kort wat er is gebeurd: uw antwoord wordt een nieuwe melding.")})
    if len(text) > MAX_TEXT:
        raise AnswerRefused(
            {
                "text": _("Uw tekst is %(length)s tekens; het kunnen er ten hoogste %(max)s zijn.")
                % {"length": len(text), "max": MAX_TEXT}
            }
        )
    return text


def answer_question(case: Case, token: str, answer: str, text: str = "") -> tuple[DisadvantageAnswer, bool]:
    """Record the answer to the question about the closure ``token`` names.
    Returns the answer and whether it is new; a second answer to the same
    question changes nothing. ``NotAsked`` when no such question waits
    (the first answer of an already answered question is returned instead)."""
    if answer not in DisadvantageAnswer.Answer.values:
        raise AnswerRefused({"answer": _("Kies 'Ja' of 'Nee'.")})
    if case.closed_at is None or token != closure_token(case.closed_at):
        raise NotAsked
    earlier = DisadvantageAnswer.objects.filter(case=case, closed_at=case.closed_at).first()
    if earlier is not None:
        return earlier, False
    if question_for(case) is None:
        raise NotAsked
    text = _checked_text(text, required=answer == DisadvantageAnswer.Answer.JA)
    return _record(case, answer, text, closed_at=case.closed_at)


def report_disadvantage(case: Case, text: str) -> DisadvantageAnswer:
    """The reporter reports disadvantage from the inbox, without a question (any time)."""
    text = _checked_text(text, required=True)
    return _record(case, DisadvantageAnswer.Answer.JA, text, closed_at=None)[0]


def _record(case: Case, answer: str, text: str, *, closed_at) -> tuple[DisadvantageAnswer, bool]:
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)
            if closed_at is not None:
                earlier = DisadvantageAnswer.objects.filter(case=locked, closed_at=closed_at).first()
                if earlier is not None:
                    return earlier, False
            follow_up = _open_follow_up(locked, text) if answer == DisadvantageAnswer.Answer.JA else None
            stored = DisadvantageAnswer.objects.create(
                case=locked, at=now, closed_at=closed_at, answer=answer, follow_up=follow_up
            )
            _timeline(locked, now, answer, follow_up, asked=closed_at is not None)
            record(
                "case.disadvantage_answered",
                actor=REPORTER,
                organisation=locked.organisation,
                case=locked,
                answer=answer,
                asked=closed_at is not None,
                **({"follow_up": follow_up.reference} if follow_up else {}),
            )
            if follow_up is not None:
                tell_handlers(locked, _("De melder meldde benadeling; daarvoor is een nieuwe zaak geopend."))
            else:
                tell_handlers(locked, _("De melder beantwoordde de vraag naar benadeling."))
    except IntegrityError:
        # The same question answered at the same moment in another request: that answer stands.
        earlier = DisadvantageAnswer.objects.filter(case=case, closed_at=closed_at).first()
        if closed_at is None or earlier is None:
            raise
        return earlier, False
    return stored, True


def _open_follow_up(first: Case, text: str) -> Case:
    """The new case, stored like any report (``submit_report``): about the first
    case's accused, by the same reporter, with the answer as its content."""
    from meldpunt.cases.actions import ReportInput, SubjectInput, submit_report

    content = first.content
    subjects = []
    for link in first.subjects.filter(role=SubjectLink.Role.BESCHULDIGDE).select_related("person").order_by("pk"):
        described = link.description()
        subjects.append(
            SubjectInput(
                role=SubjectLink.Role.BESCHULDIGDE,
                person=link.person,
                name="" if link.person else described.get("name", ""),
                function="" if link.person else described.get("function", ""),
            )
        )
    report = ReportInput(
        relation=first.relation,
        anonymous=first.anonymous,
        description=text,
        wishes=[Wish.ACTIE],
        subjects=subjects,
        name=content.get("name", ""),
        email=content.get("email", ""),
        phone=content.get("phone", ""),
    )

    def link_to_first(case, _code):
        Case.objects.filter(pk=case.pk).update(follows_from=first)
        case.follows_from = first

    follow_up, _code = submit_report(first.organisation, report, on_stored=link_to_first)
    return follow_up


def _timeline(first: Case, now, answer: str, follow_up: Case | None, *, asked: bool) -> None:
    from meldpunt.cases.actions import _event

    if follow_up is None:
        text = _("De melder antwoordde op de vraag naar benadeling: nee.")
    else:
        text = _("De melder meldde benadeling; nieuwe zaak %(ref)s.") % {"ref": follow_up.reference}
    _event(
        first,
        CaseEvent.Kind.DISADVANTAGE,
        now,
        actor=REPORTER,
        sealed={"text": text},
        detail={"answer": answer, "asked": asked, **({"follow_up": follow_up.pk} if follow_up else {})},
    )
    if follow_up is not None:
        follow_up.__dict__.pop("key", None)
        _event(
            follow_up,
            CaseEvent.Kind.DISADVANTAGE,
            now,
            actor=REPORTER,
            sealed={"text": _("Benadeling gemeld na zaak %(ref)s.") % {"ref": first.reference}},
            detail={"follows_from": first.pk},
        )


def follow_ups(case: Case) -> list[Case]:
    return list(Case.objects.filter(follows_from=case).order_by("received_at", "pk"))


def may_switch(current: Case, target: Case) -> bool:
    """Whether the inbox of ``current`` may open ``target``: a case that follows
    from it, or the case it follows from (one code for both)."""
    return current.organisation_id == target.organisation_id and (
        target.follows_from_id == current.pk or current.follows_from_id == target.pk
    )


# The e-mail to a named reporter ----------------------------------------------------------------------


def queue_notices(now=None) -> int:
    """For every closed case whose question fell due and was not answered, and
    for which nothing was decided yet: e-mail a named reporter who left an
    address that a question waits (no content), once per closure. Safe to run
    any number of times and from several workers (one row per closure, unique).
    Returns how many e-mails were queued."""
    from meldpunt.nazorg.tasks import send_notice
    from meldpunt.organisations.models import Organisation

    now = now or timezone.now()
    queued = 0
    for organisation in Organisation.objects.all():
        cutoff = deadlines.add_months(now, -check_months(organisation))
        cases = (
            Case.objects.filter(organisation=organisation, state=State.AFGESLOTEN, closed_at__lte=cutoff)
            .exclude(Exists(ReporterNotice.objects.filter(case=OuterRef("pk"), closed_at=OuterRef("closed_at"))))
            .exclude(Exists(DisadvantageAnswer.objects.filter(case=OuterRef("pk"), closed_at=OuterRef("closed_at"))))
            .select_related("organisation")
        )
        for case in cases:
            if question_for(case, now) is None:
                continue
            email = "" if case.anonymous else case.content.get("email", "")
            try:
                with transaction.atomic():
                    notice = ReporterNotice.objects.create(
                        case=case, closed_at=case.closed_at, created_at=now, no_address=not email
                    )
                    if email:
                        send_notice.enqueue(notice.pk)
                        queued += 1
            except IntegrityError:
                continue  # another worker took this closure
    return queued


def notice_text(case: Case) -> tuple[str, str]:
    organisation = case.organisation
    link = settings.BASE_URL + reverse("melden:inbox_login", args=[organisation.slug])
    subject = _("%(org)s – Meldpunt: er staat een vraag voor u klaar") % {"org": organisation.name}
    body = _(
        "Er staat een vraag voor u klaar in uw postvak bij het Meldpunt van %(org)s.\n\n"
        "Open uw postvak met uw ontvangstcode: %(link)s\n\n"
        "Dit bericht bevat bewust geen inhoud. U hoeft niet te antwoorden op deze e-mail."
    ) % {"org": organisation.name, "link": link}
    return subject, body


def send_one(notice_id: int) -> str:
    with transaction.atomic():
        notice = ReporterNotice.objects.select_for_update().filter(pk=notice_id, sent_at__isnull=True).first()
        if notice is None:
            return "already sent"
        case = Case.objects.select_related("organisation").get(pk=notice.case_id)
        email = "" if case.anonymous else case.content.get("email", "")
        if not email:
            return "no address"
        with override(settings.LANGUAGE_CODE):
            subject, body = notice_text(case)
        EmailMessage(subject, body, to=[email]).send()
        notice.sent_at = timezone.now()
        notice.save(update_fields=["sent_at"])
    return "sent"
