"""The organisation's deadline settings, as the functional admin edits them
on /beheer/termijnen/: the form (clear messages for zero, negative, too
large or not a number; what was typed stays) and the action that saves them,
audits the change and rewrites the open cases' deadlines in one transaction."""

from django import forms
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from meldpunt.audit.log import actor_for_user, record
from meldpunt.cases.models import Case
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.escalation import service

FIELDS = ("acknowledgement_days", "feedback_months", "reminder_days", "meeting_days", "count_working_days")


def _number(label, low, high, unit, help_text):
    # Lazy, so that each message is in the language of the page that shows it.
    messages = {
        "required": format_lazy(_("Vul een aantal {unit} in."), unit=unit),
        "invalid": format_lazy(_("Vul een heel aantal {unit} in, in cijfers."), unit=unit),
        "min_value": format_lazy(
            _("'{label}' moet ten minste {low} zijn; 0 of minder kan niet."), label=label, low=low
        ),
        "max_value": format_lazy(_("'{label}' mag ten hoogste {high} zijn."), label=label, high=high),
    }
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=low,
        max_value=high,
        error_messages=messages,
        # A text box, so that what was typed is shown again as typed when it is refused.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": "4"}),
    )


class DeadlineSettingsForm(forms.Form):
    acknowledgement_days = _number(
        _("Ontvangstbevestiging binnen (dagen)"),
        1,
        7,
        _("dagen"),
        _("Voor meldingen die u registreert; online meldingen worden direct bevestigd. Van 1 tot en met 7."),
    )
    feedback_months = _number(
        _("Inhoudelijke terugkoppeling binnen (maanden)"),
        1,
        3,
        _("maanden"),
        _("Na de ontvangstbevestiging; de wet staat ten hoogste 3 maanden toe. Van 1 tot en met 3."),
    )
    reminder_days = _number(
        _("Herinnering aan de eigenaar (dagen vóór een termijn)"),
        1,
        30,
        _("dagen"),
        _("Van 1 tot en met 30."),
    )
    meeting_days = _number(
        _("Persoonlijk gesprek op verzoek van de melder binnen (dagen)"),
        1,
        60,
        _("dagen"),
        _(
            "Vraagt de melder om een persoonlijk gesprek, dan vindt het binnen redelijke termijn plaats; geteld "
            "zoals de interne termijnen. Van 1 tot en met 60."
        ),
    )
    count_working_days = forms.BooleanField(
        label=_("Werkdagen tellen"),
        required=False,
        help_text=_(
            "Interne termijnen, herinneringen en escalaties tellen in werkdagen: zonder weekend en "
            "Nederlandse feestdagen. De wettelijke termijnen blijven kalenderdagen."
        ),
    )

    @classmethod
    def of(cls, organisation, data=None):
        return cls(data, initial={field: getattr(organisation, field) for field in FIELDS})


def save_settings(organisation, values: dict, *, staff_user) -> int:
    """Store the new settings, audit them and rewrite the deadlines of every
    open case of the organisation. Returns how many cases were refreshed;
    nothing is written when nothing changed (and 0 is returned)."""
    with transaction.atomic():
        locked = type(organisation).objects.select_for_update().get(pk=organisation.pk)
        before = {field: getattr(locked, field) for field in FIELDS}
        after = {field: values[field] for field in FIELDS}
        if before == after:
            return 0
        for field, value in after.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(FIELDS))
        record(
            "organisation.deadlines_changed",
            actor=actor_for_user(staff_user),
            organisation=locked,
            before=before,
            after=after,
        )
        refreshed = 0
        for case in Case.objects.select_for_update().filter(organisation=locked, state__in=OPEN_STATES):
            case.organisation = locked
            service.refresh(case)
            refreshed += 1
    for field, value in after.items():
        setattr(organisation, field, value)
    return refreshed
