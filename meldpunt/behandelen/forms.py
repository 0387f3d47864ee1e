"""The forms of the case page: each asks exactly what one step or one timeline
entry needs. They check the shape of what was typed (a date, a choice from the
list); whether it may be done is decided by ``cases.actions`` and
``cases.ownership``, whose messages the view puts back at these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meldpunt.cases import validators
from meldpunt.cases.forms import MessageForm
from meldpunt.cases.models import Investigation
from meldpunt.cases.workflow import CLOSING_OUTCOMES, INVESTIGATION, OUTCOME, REASON, REFERRED_TO
from meldpunt.nlds import NLDesignFormMixin
from meldpunt.registry.models import EndReason, Person


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Vul een datum in als dag-maand-jaar, bijvoorbeeld 14-03-2026.")},
    )


def _text_field(label, rows=4):
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), max_length=validators.MAX_TEXT
    )


def _line_field(label):
    return forms.CharField(label=label, required=False, max_length=validators.MAX_SHORT)


class NeededFieldsMixin:
    """Fields the action needs are shown as needed, not "niet verplicht"; the
    form lets them through empty so that the action's message (one place) says
    what is missing. ``id_prefix`` keeps the ids of the page's forms apart."""

    optional = ()
    id_prefix = ""

    def __init__(self, *args, **kwargs):
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.needed = name not in self.optional


class StepForm(NeededFieldsMixin, NLDesignFormMixin, forms.Form):
    """One lifecycle step: only the fields its ``Step.needs`` name. Empty
    fields are not refused here; the step table says what is missing."""

    reason = _text_field(_("Reden"))
    outcome = forms.ChoiceField(
        label=_("Uitkomst"),
        required=False,
        choices=[("", "—"), *[(o.value, o.label) for o in CLOSING_OUTCOMES]],
        error_messages={
            "invalid_choice": _(
                "Kies een uitkomst uit de lijst: gegrond, ongegrond of niet vast te stellen. Het vertrek van de "
                "beschuldigde is geen uitkomst: het beëindigt de zaak niet."
            )
        },
    )
    referred_to = _line_field(_("Doorverwezen naar"))
    investigation = forms.ChoiceField(
        label=_("Soort onderzoek"),
        required=False,
        choices=[("", "—"), *Investigation.choices],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Kies of het onderzoek intern of extern is.")},
    )
    FIELDS = (REASON, OUTCOME, REFERRED_TO, INVESTIGATION)

    def __init__(self, *args, step, **kwargs):
        kwargs.setdefault("auto_id", f"id_{step.name}_%s")
        super().__init__(*args, **kwargs)
        self.step = step
        for name in self.FIELDS:
            if name not in step.needs:
                del self.fields[name]
        if "investigation" in self.fields:
            self.fields["investigation"].choices = Investigation.choices

    def step_input(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in self.FIELDS}


class StaffMessageForm(MessageForm):
    is_feedback = forms.BooleanField(label=_("Dit bericht is de inhoudelijke terugkoppeling"), required=False)


class NoteForm(NeededFieldsMixin, NLDesignFormMixin, forms.Form):
    text = _text_field(_("Notitie"))
    id_prefix = "note"


class HearingForm(NeededFieldsMixin, NLDesignFormMixin, forms.Form):
    date = _date_field(_("Datum van het gesprek"))
    heard_by = _line_field(_("Gehoord door"))
    text = _text_field(_("Samenvatting van wat de beschuldigde zei"))
    id_prefix = "hearing"


class ConversationForm(NeededFieldsMixin, NLDesignFormMixin, forms.Form):
    date = _date_field(_("Datum van het gesprek"))
    held_by = _line_field(_("Gesprek gevoerd door"))
    text = _text_field(_("Samenvatting"))
    is_feedback = forms.BooleanField(
        label=_("In dit gesprek kreeg de melder de inhoudelijke terugkoppeling"), required=False
    )
    optional = ("is_feedback",)
    id_prefix = "conversation"


class AftercareForm(NeededFieldsMixin, NLDesignFormMixin, forms.Form):
    date = _date_field(_("Datum van het aanbod"))
    text = _text_field(_("Wat is aangeboden, en hoe"), rows=2)
    id_prefix = "aftercare"


class AccusedLeftForm(NeededFieldsMixin, NLDesignFormMixin, forms.Form):
    """An accused of the case left their position. Never a way to end the case."""

    person = forms.ModelChoiceField(
        label=_("Wie is vertrokken"),
        queryset=Person.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Kies een beschuldigde die in deze zaak staat.")},
    )
    reason = forms.ChoiceField(
        label=_("Hoe"),
        choices=[("", "—"), *EndReason.choices],
        required=False,
        error_messages={
            "invalid_choice": _("Kies hoe de beschuldigde vertrok: aftreden, einde termijn, ontslag of overlijden.")
        },
    )
    date = _date_field(_("Datum van vertrek"))

    id_prefix = "left"

    def __init__(self, *args, organisation_people, accused, **kwargs):
        super().__init__(*args, **kwargs)
        # Any person of the organisation is accepted here; the action refuses
        # one who is not an accused of this case, with its message.
        self.fields["person"].queryset = organisation_people
        self.fields["person"].widget.choices = [("", "—"), *[(p.pk, p.name) for p in accused]]


class OwnerForm(NLDesignFormMixin, forms.Form):
    """Give the case to a handler, or back to the team (empty)."""

    owner = forms.ModelChoiceField(
        label=_("Toewijzen aan"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": _("Kies een behandelaar uit de lijst.")},
    )

    def __init__(self, *args, organisation_people, eligible, team_label, **kwargs):
        super().__init__(*args, auto_id="id_owner_%s", **kwargs)
        # The list offers who may own the case; ownership.assign decides, also
        # for a person typed into the request by hand.
        self.fields["owner"].queryset = organisation_people
        self.fields["owner"].widget.choices = [("", team_label), *[(p.pk, p.name) for p in eligible]]
