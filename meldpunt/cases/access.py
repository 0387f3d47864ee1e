"""Who may see which case: the one place that decides it.

Every staff page and every API fetches cases only through these functions.
A case you may not see does not exist for you: ``access_case`` raises
``Http404``, never "forbidden", so nobody learns that a case about them exists.

Rules (docs/security.md, "Access"; docs/protocol.md):
* Everything is scoped to the staff member's own organisation.
* Handlers of the integrity office (a current position in the registry
  with category "behandelaar") see the organisation's cases.
* Protocol recipients (the burgemeester, the gemeentesecretaris, ...) see
  the cases routed to them.
* Nobody sees a case that names them, as accused or as involved, or that
  names someone they have a registered conflict with, or from which a
  protocol rule excludes them, whatever their position. This is checked on
  every request from the case's current subjects, so adding an accused
  takes access away at once.
"""

from django.db.models import QuerySet
from django.http import Http404

from meldpunt.accounts.models import StaffAccount
from meldpunt.cases.models import Case, SubjectLink
from meldpunt.protocol.models import CaseRecipient, RuleExclusion
from meldpunt.registry.models import conflicted_with


def without_excluded(cases: QuerySet[Case], person) -> QuerySet[Case]:
    """Leave out the cases this person may never open."""
    conflicted = conflicted_with([person.pk])
    named = SubjectLink.objects.filter(person_id__in=conflicted).values("case_id")
    by_rule = RuleExclusion.objects.filter(person=person).values("case_id")
    return cases.exclude(pk__in=named).exclude(pk__in=by_rule)


def cases_visible_to(staff: StaffAccount) -> QuerySet[Case]:
    cases = Case.objects.filter(organisation=staff.organisation)
    if not staff.is_handler:
        cases = cases.filter(pk__in=CaseRecipient.objects.filter(person=staff.person).values("case_id"))
    return without_excluded(cases, staff.person)


def may_handle(staff: StaffAccount) -> bool:
    """Handlers work on cases (messages, states, re-classification, registering
    reports on someone's behalf); protocol recipients read and follow."""
    return staff.is_handler


def access_case(staff: StaffAccount, reference: str) -> Case:
    try:
        return cases_visible_to(staff).get(reference=reference)
    except Case.DoesNotExist:
        raise Http404 from None
