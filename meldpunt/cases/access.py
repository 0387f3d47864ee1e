"""Who may see which case: the one place that decides it.

Every staff page and every API fetches cases only through these functions.
A case you may not see does not exist for you: ``access_case`` raises
``Http404``, never "forbidden", so nobody learns that a case about them exists.

Rules (docs/security.md, "Access"):
* Everything is scoped to the staff member's own organisation.
* Handlers of the integrity office (a current position in the registry
  with category "behandelaar") see the organisation's cases.
* Nobody sees a case that names them, as accused or as involved, whatever
  their position.
"""

from django.db.models import QuerySet
from django.http import Http404

from meldpunt.accounts.models import StaffAccount
from meldpunt.cases.models import Case


def cases_visible_to(staff: StaffAccount) -> QuerySet[Case]:
    cases = Case.objects.filter(organisation=staff.organisation)
    if not staff.is_handler:
        return cases.none()
    return cases.exclude(subjects__person=staff.person)


def access_case(staff: StaffAccount, reference: str) -> Case:
    try:
        return cases_visible_to(staff).get(reference=reference)
    except Case.DoesNotExist:
        raise Http404 from None


def may_register_cases(staff: StaffAccount) -> bool:
    return staff.is_handler
