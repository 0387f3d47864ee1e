"""The handlers' case list as a working list: filters, case-number search,
deadline columns and their order.

Which cases a staff member may see is decided elsewhere
(``meldpunt.cases.access.cases_visible_to``); everything here narrows and
orders that queryset, never widens it. The filter values come from the query
string: a value that is not one of the choices is ignored, so a hand-edited or
stale link shows the unfiltered list instead of an error.

Deadlines towards the reporter (``meldpunt.cases.deadlines``):

* first contact: a handler writes to the reporter within 7 days of receipt
  (what the receipt page promises); met by the first handler message;
* feedback: substantive feedback within 3 months of the acknowledgement.

A deadline is overdue when it has passed, nothing met it and the case is
still open; overdue cases come first whatever column the list is sorted by.
"""

import re

from django import forms
from django.core.validators import RegexValidator
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from meldpunt.cases import deadlines
from meldpunt.cases.models import Channel, Kind, Message, State
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.nlds import NLDesignFormMixin

OVERDUE = "verlopen"

SORTS = {
    # key: (label, ordering after "overdue first")
    "ontvangen": (_("Ontvangen, nieuwste eerst"), ("-received_at", "-pk")),
    "eerste_contact": (_("Eerste contact, eerstvolgende eerst"), ("contacted", "acknowledgement_due", "pk")),
    "terugkoppeling": (_("Terugkoppeling, eerstvolgende eerst"), ("-still_open", "feedback_due", "pk")),
    "zaak": (_("Zaaknummer"), ("reference", "pk")),
}
DEFAULT_SORT = "ontvangen"

CASE_NUMBER = re.compile(r"^[0-9][0-9-]{0,19}$")


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def with_deadlines(cases: QuerySet, now) -> QuerySet:
    """Annotate each case with ``contacted``, ``still_open``,
    ``first_contact_overdue``, ``feedback_overdue`` and ``overdue``."""
    handler_message = Message.objects.filter(case=OuterRef("pk"), author=Message.Author.BEHANDELAAR)
    cases = cases.annotate(contacted=Exists(handler_message), still_open=_flag(Q(state__in=OPEN_STATES)))
    cases = cases.annotate(
        first_contact_overdue=_flag(Q(still_open=True, contacted=False, acknowledgement_due__lt=now)),
        feedback_overdue=_flag(Q(still_open=True, feedback_due__lt=now)),
    )
    return cases.annotate(overdue=_flag(Q(first_contact_overdue=True) | Q(feedback_overdue=True)))


def _choices(choices) -> list:
    return [("", _("Alle"))] + list(choices)


class CaseFilterForm(NLDesignFormMixin, forms.Form):
    """The filters above the case list, read from GET parameters."""

    zaak = forms.CharField(
        label=_("Zaaknummer"),
        required=False,
        max_length=20,
        validators=[RegexValidator(CASE_NUMBER)],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "type": "search"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_choices(State.choices))
    soort = forms.ChoiceField(label=_("Soort"), required=False, choices=_choices(Kind.choices))
    kanaal = forms.ChoiceField(label=_("Kanaal"), required=False, choices=_choices(Channel.choices))
    termijn = forms.ChoiceField(
        label=_("Termijn"),
        required=False,
        choices=[("", _("Alle")), (OVERDUE, _("Alleen verlopen termijnen"))],
    )
    sorteer = forms.ChoiceField(
        label=_("Sorteren op"),
        required=False,
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
    )

    def values(self) -> dict:
        """The valid filter values; anything invalid counts as not given."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


def filter_cases(cases: QuerySet, values: dict, now) -> QuerySet:
    """Narrow and order ``cases`` (already limited by the access rule)."""
    cases = with_deadlines(cases, now)
    if values.get("status"):
        cases = cases.filter(state=values["status"])
    if values.get("soort"):
        cases = cases.filter(kind=values["soort"])
    if values.get("kanaal"):
        cases = cases.filter(channel=values["kanaal"])
    if values.get("termijn") == OVERDUE:
        cases = cases.filter(overdue=True)
    if values.get("zaak"):
        cases = cases.filter(reference__contains=values["zaak"])
    _label, order = SORTS.get(values.get("sorteer") or DEFAULT_SORT, SORTS[DEFAULT_SORT])
    return cases.order_by("-overdue", *order)


def accused_names(case) -> list[str]:
    """Who the case is about, for the list: registry names, or a plain word for a typed name.

    Uses the prefetched ``subjects__person``; names of the involved are left out."""
    names = []
    for subject in case.subjects.all():
        if subject.role != subject.Role.BESCHULDIGDE:
            continue
        names.append(subject.person.name if subject.person else str(_("niet in register")))
    return names


def deadline_status(case, now) -> deadlines.DeadlineStatus:
    """The same status as ``Case.deadlines``, from the list's annotations (no query per case)."""
    return deadlines.status(
        first_contact_due_at=case.acknowledgement_due,
        feedback_due_at=case.feedback_due,
        contacted=case.contacted,
        still_open=case.still_open,
        now=now,
    )
