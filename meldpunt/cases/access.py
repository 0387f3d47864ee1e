"""Who may see and who may change which case: the one place that decides it.

Every staff page, every notification e-mail and every API fetches cases only
through these functions. A case you may not see does not exist for you:
``access_case`` raises ``Http404``, never "forbidden", so nobody learns that a
case about them exists. ``access_case_for_handling`` is the door for every
view that changes a case: it gives the same 404 to whoever may only read it.

Rules (docs/security.md, "Access"; docs/protocol.md):
* Everything is scoped to the person's own organisation.
* Handlers of the integrity office (a position with category "behandelaar"
  held today) see the organisation's cases.
* Protocol recipients (the burgemeester, the gemeentesecretaris, ...) see
  the cases routed to them (``CaseRecipient``, rewritten only by
  ``meldpunt.protocol.service``), for as long as they hold the position
  through which the protocol reached them; so do the people an escalation
  of an overdue deadline reached (``EscalationRecipient``).
* Nobody sees a case that names them, as accused or as involved, or that
  names someone they have a registered conflict with, or from which a
  protocol rule excludes them (``RuleExclusion``), whatever their position.
  Named people and conflicts are checked live on every request from the
  case's current subjects, so adding an accused takes access away at once.
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from meldpunt.accounts.models import StaffAccount
from meldpunt.cases.models import Case, SubjectLink
from meldpunt.protocol.models import CaseRecipient, RuleExclusion
from meldpunt.registry.models import Appointment, Category, Conflict, Person, conflicted_with, today


def _never_for(person: Person, conflicted: set[int]) -> Q:
    """The cases this person may never open: they name the person or someone
    in ``conflicted`` (the person and those with a conflict with them), or a
    protocol rule excludes the person."""
    named = SubjectLink.objects.filter(person_id__in=conflicted).values("case_id")
    by_rule = RuleExclusion.objects.filter(person=person).values("case_id")
    return Q(pk__in=named) | Q(pk__in=by_rule)


def _may_open(person: Person, handler: bool, conflicted: set[int]) -> Q:
    """The cases ``person`` may open (the rules of the module docstring), as a condition on Case."""
    condition = Q(organisation_id=person.organisation_id)
    if not handler:
        condition &= Q(pk__in=_routed_to(person).values("case_id")) | Q(pk__in=_escalated_to(person).values("case_id"))
    return condition & ~_never_for(person, conflicted)


def handlers_today(organisation_id: int) -> list[Person]:
    """The people of the organisation who hold a position of the integrity office today, by id."""
    held = Appointment.objects.filter(Appointment.held_on(today()), position__category=Category.BEHANDELAAR)
    return list(Person.objects.filter(organisation_id=organisation_id, appointments__in=held).distinct().order_by("pk"))


def is_handler(person: Person) -> bool:
    """Whether ``person`` holds a position of the integrity office today."""
    return Appointment.objects.filter(
        Appointment.held_on(today()), person=person, position__category=Category.BEHANDELAAR
    ).exists()


def _standing(recipients: QuerySet[CaseRecipient]) -> QuerySet[CaseRecipient]:
    """The recipient rows that still stand: the position through which the
    protocol reached the person is held by them today (an appointment that ran
    out since the last routing gives no access), or none was needed (the
    functional admin as recipient of last resort)."""
    holds = Appointment.objects.filter(
        Appointment.held_on(today()), person_id=OuterRef("person_id"), position_id=OuterRef("position_id")
    )
    return recipients.filter(Q(position__isnull=True) | Exists(holds))


def _routed_to(person: Person) -> QuerySet[CaseRecipient]:
    return _standing(CaseRecipient.objects.filter(person=person))


def _escalated_to(person: Person):
    """The escalations of a deadline that reached ``person`` (``meldpunt.escalation``),
    standing while they hold the position through which it reached them."""
    from meldpunt.escalation.models import EscalationRecipient

    return _standing(EscalationRecipient.objects.filter(person=person))


def cases_visible_to_person(person: Person, *, handler: bool | None = None) -> QuerySet[Case]:
    """The cases ``person`` may open. ``handler`` may be passed when already known."""
    handler = is_handler(person) if handler is None else handler
    return Case.objects.filter(_may_open(person, handler, conflicted_with([person.pk])))


def how_many_each_may_open(people: list[tuple[Person, bool]], cases: QuerySet[Case]) -> dict[int, int]:
    """How many of ``cases`` each of ``people`` (``(person, is_handler)``) may
    open: the rule of ``cases_visible_to_person``, for several people in two
    queries whatever their number (their conflicts; one count per person in
    one statement). The pattern check tells each recipient how many earlier
    cases they can see."""
    if not people:
        return {}
    ids = {person.pk for person, _handler in people}
    pairs = Conflict.objects.filter(Q(person_id__in=ids) | Q(other_id__in=ids)).values_list("person_id", "other_id")
    conflicted = {pk: {pk} for pk in ids}
    for a, b in pairs:
        for pk in {a, b} & ids:
            conflicted[pk].update((a, b))
    counts = cases.order_by().aggregate(
        **{
            f"person_{person.pk}": Count("pk", filter=_may_open(person, handler, conflicted[person.pk]))
            for person, handler in people
        }
    )
    return {person.pk: counts[f"person_{person.pk}"] for person, _handler in people}


def cases_visible_to(staff: StaffAccount) -> QuerySet[Case]:
    return cases_visible_to_person(staff.person, handler=staff.is_handler)


def may_open(person: Person, case: Case) -> bool:
    """The same rule for one person and one case (notification e-mails use it
    right before sending, so whoever lost access since is not e-mailed)."""
    return cases_visible_to_person(person).filter(pk=case.pk).exists()


def people_who_may_open(people, case: Case, *, all_handlers_today: bool = False) -> set[int]:
    """The ids of those of ``people`` who may open ``case``: the rule of
    ``may_open``, for many people and one case in a few queries whatever their
    number (a new case's notifications check every handler of the office).
    ``all_handlers_today``: the caller has just read ``people`` as the office's
    handlers today (``handlers_today()``), so that is not asked again."""
    return people_who_may_open_each({case: people}, all_handlers_today=all_handlers_today)[case.pk]


def people_who_may_open_each(
    wanted: dict[Case, list[Person]], *, all_handlers_today: bool = False
) -> dict[int, set[int]]:
    """``people_who_may_open`` for several cases at once (the escalation sweep's
    batch), in the same few queries however many cases and people: per case id,
    the ids of its people who may open it."""
    ids = {
        case.pk: {person.pk for person in people if person.organisation_id == case.organisation_id}
        for case, people in wanted.items()
    }
    everyone = set().union(*ids.values())
    if not everyone:
        return {case_id: set() for case_id in ids}
    case_ids = [case_id for case_id, people in ids.items() if people]
    if all_handlers_today:
        handlers = everyone
    else:
        handlers = set(
            Appointment.objects.filter(
                Appointment.held_on(today()), person_id__in=everyone, position__category=Category.BEHANDELAAR
            ).values_list("person_id", flat=True)
        )
    routed: set[tuple[int, int]] = set()
    if everyone - handlers:
        from meldpunt.escalation.models import EscalationRecipient

        for model in (CaseRecipient, EscalationRecipient):
            rows = model.objects.filter(case_id__in=case_ids, person_id__in=everyone - handlers)
            routed.update(_standing(rows).values_list("case_id", "person_id"))
    named: dict[int, set[int]] = {case_id: set() for case_id in ids}
    for case_id, person_id in SubjectLink.objects.filter(case_id__in=case_ids, person__isnull=False).values_list(
        "case_id", "person_id"
    ):
        named[case_id].add(person_id)
    all_named = set().union(*named.values())
    if all_named:
        pairs = list(
            Conflict.objects.filter(Q(person_id__in=all_named) | Q(other_id__in=all_named)).values_list(
                "person_id", "other_id"
            )
        )
        for people in named.values():
            people.update({p for a, b in pairs if a in people or b in people for p in (a, b)})
    by_rule = set(
        RuleExclusion.objects.filter(case_id__in=case_ids, person_id__in=everyone).values_list("case_id", "person_id")
    )
    return {
        case_id: {
            person
            for person in people
            if (person in handlers or (case_id, person) in routed)
            and person not in named[case_id]
            and (case_id, person) not in by_rule
        }
        for case_id, people in ids.items()
    }


def may_handle(staff: StaffAccount) -> bool:
    """Handlers work on cases (messages, states, re-classification, registering
    reports on someone's behalf); protocol recipients read and follow."""
    return staff.is_handler


def could_be_reference(reference: str) -> bool:
    """Whether a case number from a URL can be looked up at all: one with a NUL
    character (which PostgreSQL refuses to compare, a server error) or longer
    than any case number is simply no case."""
    return "\x00" not in reference and len(reference) <= Case._meta.get_field("reference").max_length


def access_case(staff: StaffAccount, reference: str) -> Case:
    """The case for reading, or 404."""
    if not could_be_reference(reference):
        raise Http404
    try:
        return cases_visible_to(staff).get(reference=reference)
    except Case.DoesNotExist:
        raise Http404 from None


def access_case_for_handling(staff: StaffAccount, reference: str) -> Case:
    """The case for changing it, or 404 for whoever may not see it or may only read it."""
    if not may_handle(staff):
        raise Http404
    return access_case(staff, reference)


# Who sees the council figures (meldpunt.cijfers): counts only, never a case.
FIGURES_CATEGORIES = {
    Category.BEHANDELAAR,
    Category.BURGEMEESTER,
    Category.GEMEENTESECRETARIS,
    Category.RAADSLID,
    Category.GRIFFIER,
}


# Categories whose work is oversight or the registry, not cases: their holders
# open a case only when the protocol routes one to them.
NO_CASE_WORK = {Category.RAADSLID, Category.GRIFFIER, Category.AUDITOR, Category.FUNCTIONEEL_BEHEERDER}


def works_on_cases(staff: StaffAccount) -> bool:
    """Whether the case list is part of this staff member's work: a category
    outside ``NO_CASE_WORK`` (every handler, the burgemeester, a wethouder, …),
    or a case they may open all the same (a griffier to whom the protocol routed
    a report about a raadslid). Council members, the griffie, auditors and
    functional admins otherwise start on their own page and see no case links."""
    if staff.current_categories() - NO_CASE_WORK:
        return True
    return cases_visible_to(staff).exists()


def may_see_figures(staff: StaffAccount) -> bool:
    """Handlers, the burgemeester, the gemeentesecretaris, council members and
    the griffie. The council role opens no case: its people see a case only as
    the protocol routes one to them (the griffier for a report about a raadslid)."""
    return bool(FIGURES_CATEGORIES & staff.current_categories())
