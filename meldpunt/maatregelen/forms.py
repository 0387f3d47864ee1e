"""The forms of the measures register: recording a measure, the reporter's
answer in the inbox, and a consent conversation a handler records. They check
the shape of what was typed; ``maatregelen.rules`` decides what may be stored,
and its messages go back at these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meldpunt.behandelen.forms import NeededFieldsMixin, _date_field, _line_field, _text_field
from meldpunt.maatregelen.models import Measure
from meldpunt.maatregelen.rules import MeasureInput
from meldpunt.nlds import NLDesignFormMixin
from meldpunt.registry.models import Person

KIND_MESSAGE = _("Kies een soort maatregel uit de lijst.")
BURDEN_MESSAGE = _("Kies wie deze maatregel belast: de beschuldigde, de melder, de organisatie of iemand anders.")


class MeasureForm(NeededFieldsMixin, NLDesignFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Soort maatregel"),
        required=False,
        choices=[("", "—"), *Measure.Kind.choices],
        error_messages={"invalid_choice": KIND_MESSAGE},
    )
    burdens = forms.ChoiceField(
        label=_("Wie belast deze maatregel?"),
        required=False,
        choices=Measure.Burden.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Belast de maatregel de melder (overplaatsen, weghouden uit overleggen, andere taken), dan is een "
            "onderbouwing nodig en gaat hij pas in als de melder instemt."
        ),
        error_messages={"invalid_choice": BURDEN_MESSAGE},
    )
    decided_on = _date_field(_("Datum van het besluit"))
    decision_maker = forms.ModelChoiceField(
        label=_("Besluit door"),
        queryset=Person.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": _(
                "Kies iemand uit de lijst: wie de zaak mag openen. Iemand die de zaak noemt, besluit nooit over "
                "een maatregel."
            )
        },
    )
    decision_maker_other = _line_field(_("Of: besluit door iemand buiten de lijst (bijvoorbeeld het college)"))
    reason = _text_field(_("Reden"), rows=3)
    justification = _text_field(_("Onderbouwing (nodig als de maatregel de melder belast)"), rows=3)
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(Measure.State.GENOMEN, _("Genomen: gaat nu in")), (Measure.State.VOORGESTELD, _("Voorgesteld"))],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Kies of de maatregel genomen is of voorgesteld.")},
    )
    optional = ("decision_maker_other", "justification")
    id_prefix = "measure"

    def __init__(self, *args, organisation_people, decision_makers, **kwargs):
        kwargs.setdefault("initial", {"state": Measure.State.GENOMEN})
        super().__init__(*args, **kwargs)
        # Any person of the organisation passes the form; the rules refuse one who may not decide.
        self.fields["decision_maker"].queryset = organisation_people
        self.fields["decision_maker"].widget.choices = [("", "—"), *[(p.pk, p.name) for p in decision_makers]]
        self.fields["justification"].help_text = _(
            "De melder leest deze onderbouwing in het postvak: schrijf haar in gewone woorden."
        )

    def measure_input(self) -> MeasureInput:
        data = self.cleaned_data
        return MeasureInput(
            kind=data.get("kind") or "",
            burdens=data.get("burdens") or "",
            decided_on=data.get("decided_on"),
            decision_maker=data.get("decision_maker"),
            decision_maker_other=data.get("decision_maker_other") or "",
            reason=data.get("reason") or "",
            justification=data.get("justification") or "",
            take_now=data.get("state") != Measure.State.VOORGESTELD,
        )


ANSWERS = [(Measure.Consent.AKKOORD, _("Ik ga akkoord")), (Measure.Consent.NIET_AKKOORD, _("Ik ga niet akkoord"))]


class ReporterConsentForm(NLDesignFormMixin, forms.Form):
    """The reporter's answer to a proposed measure that burdens them."""

    answer = forms.ChoiceField(
        label=_("Uw antwoord"),
        choices=ANSWERS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies of u akkoord gaat of niet."),
            "invalid_choice": _("Kies of u akkoord gaat of niet."),
        },
    )
    remark = _text_field(_("Wilt u er iets over zeggen?"), rows=3)

    def __init__(self, *args, measure, **kwargs):
        kwargs.setdefault("auto_id", f"id_consent_{measure.public_id.hex[:12]}_%s")
        super().__init__(*args, **kwargs)
        self.measure = measure


class ConsentConversationForm(NeededFieldsMixin, NLDesignFormMixin, forms.Form):
    """Consent a named reporter gave (or refused) in a conversation."""

    answer = forms.ChoiceField(
        label=_("Antwoord van de melder"),
        required=False,
        choices=[(Measure.Consent.AKKOORD, _("Akkoord")), (Measure.Consent.NIET_AKKOORD, _("Niet akkoord"))],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Kies het antwoord van de melder: akkoord of niet akkoord.")},
    )
    date = _date_field(_("Datum van het gesprek"))
    held_by = _line_field(_("Gesprek gevoerd door"))
    remark = _text_field(_("Wat zei de melder erover?"), rows=2)
    optional = ("remark",)

    def __init__(self, *args, measure, **kwargs):
        kwargs.setdefault("auto_id", f"id_consentgesprek_{measure.public_id.hex[:12]}_%s")
        super().__init__(*args, **kwargs)
        self.measure = measure

    def agreed(self):
        answer = self.cleaned_data.get("answer")
        return None if not answer else answer == Measure.Consent.AKKOORD
