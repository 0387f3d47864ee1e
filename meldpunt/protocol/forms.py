"""The protocol editor: one group of fields per accused category, checked as a whole.

Labels use ``gettext_lazy as _`` (not ``_lazy``), so that makemessages extracts them.

The fields only read what was sent; whether the rules make sense is decided
by ``meldpunt.protocol.validation``, so the editor and any other caller
refuse the same things with the same words.
"""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meldpunt.nlds import NLDesignFormMixin
from meldpunt.protocol import validation
from meldpunt.protocol.models import AccusedCategory, ProtocolRule
from meldpunt.protocol.versions import exclusion_choices, recipient_choices
from meldpunt.registry.models import Appointment, Person, today

CODE_FIELDS = ("recipients", "escalation", "exclusions")


class CodesField(forms.MultipleChoiceField):
    """Checkboxes of recipient codes. Any code is accepted here and judged by
    the validation, so a code posted by hand gets a clear message, and a code
    an older version used is shown (and can be unticked) instead of being lost."""

    widget = forms.CheckboxSelectMultiple

    def validate(self, value):
        pass


def _days_field(label, help_text):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        error_messages={
            "required": _("Vul een aantal dagen in."),
            "invalid": _("Vul een heel aantal dagen in, in cijfers, bijvoorbeeld 7."),
        },
        # A text box, so that what was typed is shown again as typed when it is refused.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": "4"}),
    )


class RuleForm(NLDesignFormMixin, forms.Form):
    recipients = CodesField(
        label=_("Meteen naar"),
        help_text=_("Wie de melding krijgt zodra zij binnenkomt. De beschuldigde zelf krijgt haar nooit."),
    )
    escalation = CodesField(
        label=_("Bij een verlopen termijn naar"),
        help_text=_("Wie het hoort als een termijn verloopt zonder dat de zaak verder is."),
    )
    exclusions = CodesField(
        label=_("Nooit naar"),
        required=False,
        help_text=_("Wie deze meldingen nooit krijgt, ook niet als plaatsvervanger."),
    )
    first_contact_days = _days_field(_("Eerste contact met de melder binnen (dagen)"), _("Van 1 tot en met 365 dagen."))
    assessment_days = _days_field(_("Beoordeling binnen (dagen)"), _("Van 1 tot en met 365 dagen."))
    escalation_interval_days = _days_field(_("Daarna opnieuw escaleren na (dagen)"), _("Van 1 tot en met 365 dagen."))

    def __init__(self, *args, category: str, **kwargs):
        super().__init__(*args, prefix=category, **kwargs)
        self.category = category
        self.label = validation.category_label(category)
        offered = {
            "recipients": recipient_choices(),
            "escalation": recipient_choices(),
            "exclusions": exclusion_choices(),
        }
        for name in CODE_FIELDS:
            codes = [code for code, _label in offered[name]]
            extra = [c for c in self._codes_in_use(name) if c not in codes]
            self.fields[name].choices = offered[name] + [(c, validation.code_label(c)) for c in extra]
            # The fieldset's legend and description already say what the boxes are for.
            self.fields[name].widget.attrs.pop("aria-describedby", None)
            # NLDesignFormMixin takes CheckboxSelectMultiple for the RadioSelect it derives from.
            self.fields[name].widget.attrs["class"] = "utrecht-checkbox utrecht-checkbox--html-input"
        for name in validation.DAY_FIELDS:
            self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}_help"

    def _codes_in_use(self, name: str) -> list[str]:
        if self.is_bound:
            return self.data.getlist(self.add_prefix(name)) if hasattr(self.data, "getlist") else []
        return list(self.initial.get(name) or [])

    def rule(self) -> dict:
        """The rule as far as it could be read; fields that could not be read are left out.

        Codes keep the order they had in the version this edit started from;
        newly ticked ones follow in the order of the checkboxes.
        """
        data = getattr(self, "cleaned_data", {})
        rule = {"category": self.category}
        for name in CODE_FIELDS:
            ticked = list(dict.fromkeys(data.get(name) or []))
            before = [code for code in self.initial.get(name) or [] if code in ticked]
            rule[name] = before + [code for code in ticked if code not in before]
        for name in validation.DAY_FIELDS:
            if data.get(name) is not None:
                rule[name] = data[name]
        return rule


class ProtocolForm:
    """The whole protocol: a ``RuleForm`` per category, a note, and the
    version it was based on (so that two admins do not overwrite each other)."""

    def __init__(self, data=None, *, version):
        self.version = version
        rules = {r.category: r for r in version.rules.all()}
        self.rules = [
            RuleForm(data, category=category, initial=_initial(rules.get(category)))
            for category in AccusedCategory.values
        ]
        self.meta = ProtocolMetaForm(data, initial={"based_on": version.number})
        self.is_bound = data is not None
        self.problems: list[validation.Problem] = []

    def is_valid(self, organisation) -> bool:
        read = all([form.is_valid() for form in self.rules]) & self.meta.is_valid()
        self.problems = validation.problems(organisation, self.cleaned_rules())
        by_category = {form.category: form for form in self.rules}
        for problem in self.problems:
            form = by_category.get(problem.category)
            if form is not None:
                form.add_error(problem.field if problem.field in form.fields else None, problem.message)
        return read and not self.problems

    def cleaned_rules(self) -> list[dict]:
        return [form.rule() for form in self.rules]

    def unchanged(self) -> bool:
        """True when the rules are the same as in the version this edit started from."""
        before = {r.category: _comparable(_as_dict(r)) for r in self.version.rules.all()}
        return all(before.get(rule["category"]) == _comparable(rule) for rule in self.cleaned_rules()) and len(
            before
        ) == len(self.rules)

    @property
    def general_problems(self) -> list[str]:
        return [p.message for p in self.problems if p.category is None] + list(self.meta.non_field_errors())

    @property
    def invalid_rules(self) -> list[RuleForm]:
        return [form for form in self.rules if form.errors]


class ProtocolMetaForm(NLDesignFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Toelichting bij deze wijziging"),
        max_length=500,
        required=False,
        help_text=_("Bijvoorbeeld: na het besluit van het college van 12 maart. Staat in de lijst van versies."),
        error_messages={"max_length": _("Houd de toelichting korter dan 500 tekens.")},
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)


class WhatIfForm(NLDesignFormMixin, forms.Form):
    persoon = forms.ModelChoiceField(
        label=_("Persoon uit het register"),
        queryset=Person.objects.none(),
        empty_label=_("Kies een persoon"),
        error_messages={
            "required": _("Kies een persoon."),
            "invalid_choice": _("Deze persoon staat niet in het register. Kies een persoon uit de lijst."),
        },
    )
    datum = forms.DateField(
        label=_("Datum van de gebeurtenissen (niet verplicht)"),
        required=False,
        help_text=_(
            "Het protocol kijkt naar de functies die de persoon toen had en nu heeft. Zonder datum telt vandaag, "
            "en bij iemand die nu geen functie meer heeft zijn laatste functie."
        ),
        # type="date" needs ISO values; the Dutch default input format would leave the field empty.
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        error_messages={"invalid": _("Vul een datum in als dag-maand-jaar, bijvoorbeeld 12-04-2017.")},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["persoon"]
        field.queryset = Person.objects.filter(organisation=organisation).order_by("name")
        current = {}
        for appointment in Appointment.objects.filter(
            Appointment.held_on(today()), person__organisation=organisation
        ).select_related("position"):
            current.setdefault(appointment.person_id, []).append(appointment.position.title)
        field.label_from_instance = lambda person: (
            f"{person.name} ({', '.join(sorted(current[person.pk]))})"
            if person.pk in current
            else gettext("%(name)s (geen huidige functie)") % {"name": person.name}
        )


def _initial(rule: ProtocolRule | None) -> dict:
    if rule is None:
        return {name: ProtocolRule._meta.get_field(name).default for name in validation.DAY_FIELDS}
    return _as_dict(rule)


def _as_dict(rule: ProtocolRule | None) -> dict | None:
    if rule is None:
        return None
    return {
        "recipients": list(rule.recipients),
        "escalation": list(rule.escalation),
        "exclusions": list(rule.exclusions),
        **{name: getattr(rule, name) for name in validation.DAY_FIELDS},
    }


def _comparable(rule: dict) -> tuple:
    return tuple(sorted(rule.get(name) or []) for name in CODE_FIELDS) + tuple(
        rule.get(name) for name in validation.DAY_FIELDS
    )
