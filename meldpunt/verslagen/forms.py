"""Forms for minutes and meeting requests: the minutes with a registration by
phone or in person, later meetings and new versions on the case page, an
approval given in person, and the reporter's correction, approval and meeting
request in the inbox."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.cases import validators
from meldpunt.cases.models import Channel
from meldpunt.nlds import NLDesignFormMixin
from meldpunt.verslagen.actions import MinutesInput
from meldpunt.verslagen.models import Minutes

# The channels of a registration that come with minutes.
ORAL_CHANNELS = (Channel.TELEFOON, Channel.PERSOONLIJK)
AUDIO_TEXT = ", ".join(sorted(validators.AUDIO_TYPES))


class RecordingField(forms.FileField):
    """A recording of the conversation: the attachments' checks, audio types only."""

    def clean(self, data, initial=None):
        if not data:
            return None
        return validators.check_upload(data, allowed=validators.AUDIO_TYPES)


def _date(label, **kwargs):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


class _MinutesFields(NLDesignFormMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Verslag van het gesprek"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=validators.MAX_TEXT,
    )
    recording = RecordingField(label=gettext_lazy("Opname van het gesprek"), required=False)
    recording_consent = forms.BooleanField(
        label=gettext_lazy("Toestemming voor opname: de melder stemde ermee in dat het gesprek werd opgenomen"),
        required=False,
    )
    recording_consent_on = _date(gettext_lazy("Toestemming voor opname gegeven op"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recording"].help_text = _(
            "Alleen met toestemming van de melder. Een geluidsbestand (%(types)s) van hoogstens %(size)d MB; het "
            "wordt versleuteld bewaard zoals elke bijlage."
        ) % {"types": AUDIO_TEXT, "size": validators.settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        self.fields["recording_consent_on"].help_text = _("Leeg: vandaag.")

    def clean(self):
        cleaned = super().clean()
        consent = cleaned.get("recording_consent")
        if cleaned.get("recording") is not None and not consent:
            cleaned["recording"] = None
            self.add_error(
                "recording_consent",
                _(
                    "Een opname bewaren mag alleen als de melder ermee instemde. Vink de toestemming aan en vul de "
                    "datum in, of laat de opname weg. De opname is niet bewaard: kies haar opnieuw."
                ),
            )
        if consent and cleaned.get("recording_consent_on") is None and "recording_consent_on" not in self.errors:
            cleaned["recording_consent_on"] = timezone.localdate()
        day = cleaned.get("recording_consent_on")
        if day is not None and day > timezone.localdate():
            self.add_error("recording_consent_on", _("Deze datum ligt in de toekomst."))
        return cleaned

    def _input(self, occasion, channel, held_on, text) -> MinutesInput:
        data = self.cleaned_data
        return MinutesInput(
            occasion=occasion,
            channel=channel,
            held_on=held_on,
            text=text,
            recording=data.get("recording"),
            recording_consent_on=data.get("recording_consent_on") if data.get("recording_consent") else None,
        )


class RegistrationMinutesForm(_MinutesFields):
    """On the "register on behalf" page: the minutes of the call or meeting in
    which the report was made (prefix ``verslag``, beside the report's fields)."""

    prefix = "verslag"

    held_on = _date(gettext_lazy("Datum van het gesprek"), required=False)

    field_order = ["held_on", "text", "recording", "recording_consent", "recording_consent_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = _(
            "Wat de melder vertelde, zoals u het opschreef. De melder leest het verslag in het postvak, kan "
            "correcties voorstellen en keurt het goed. Leeg gelaten: de beschrijving hierboven is het verslag."
        )
        self.fields["held_on"].help_text = _("Leeg: vandaag.")

    def clean_held_on(self):
        day = self.cleaned_data.get("held_on") or timezone.localdate()
        if day > timezone.localdate():
            raise ValidationError(_("Deze datum ligt in de toekomst. Vul de datum in waarop het gebeurde."))
        return day

    def minutes_input(self, channel: str, description: str) -> MinutesInput:
        text = self.cleaned_data.get("text", "").strip() or description
        channel = Minutes.Channel.TELEFOON if channel == Channel.TELEFOON else Minutes.Channel.PERSOONLIJK
        return self._input(Minutes.Occasion.REPORT, channel, self.cleaned_data["held_on"], text)


class MeetingMinutesForm(_MinutesFields):
    """On the case page: the minutes of a later meeting with the reporter."""

    prefix = "gesprek"

    held_on = _date(gettext_lazy("Datum van het gesprek"))
    channel = forms.ChoiceField(label=gettext_lazy("Hoe"), choices=Minutes.Channel.choices)
    meets_request = forms.BooleanField(
        label=gettext_lazy("Dit is het gesprek waarom de melder vroeg"), required=False, initial=True
    )

    field_order = ["held_on", "channel", "meets_request", "text", "recording", "recording_consent"]

    def __init__(self, *args, open_request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_request = open_request
        if open_request is None:
            del self.fields["meets_request"]

    def minutes_input(self) -> MinutesInput:
        data = self.cleaned_data
        return self._input(Minutes.Occasion.MEETING, data["channel"], data["held_on"], data.get("text", ""))

    def meeting_request(self):
        return self.open_request if self.cleaned_data.get("meets_request") else None


class VersionForm(NLDesignFormMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Nieuwe versie van het verslag"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=validators.MAX_TEXT,
        help_text=gettext_lazy(
            "De hele tekst zoals hij nu moet luiden. De vorige versie blijft bewaard; de melder keurt de nieuwe "
            "opnieuw goed."
        ),
        error_messages={"required": gettext_lazy("Schrijf de nieuwe versie van het verslag.")},
    )


class InPersonApprovalForm(NLDesignFormMixin, forms.Form):
    version = forms.UUIDField(widget=forms.HiddenInput)
    day = _date(gettext_lazy("Goedgekeurd op"))
    given_to = forms.CharField(
        label=gettext_lazy("Aan wie gaf de melder de goedkeuring (en hoe)?"), max_length=validators.MAX_SHORT
    )


class CorrectionForm(NLDesignFormMixin, forms.Form):
    version = forms.UUIDField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=gettext_lazy("Wat moet er anders?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=validators.MAX_TEXT,
        help_text=gettext_lazy(
            "Schrijf wat niet klopt of ontbreekt, in uw eigen woorden. De behandelaar past het verslag aan; u "
            "leest de nieuwe versie hier."
        ),
        error_messages={"required": gettext_lazy("Schrijf wat er anders moet in het verslag.")},
    )


class ApproveForm(forms.Form):
    version = forms.UUIDField(widget=forms.HiddenInput)


class MeetingRequestForm(NLDesignFormMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Wanneer kunt u?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=gettext_lazy(
            "Bijvoorbeeld: liever 's ochtends, niet op woensdag, of op een andere plek dan het werk."
        ),
    )
