"""The public verification form: a proof pasted or uploaded, and optionally the submitted document."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.nlds import NLDesignFormMixin

# A proof is under 1 kB; the limits leave room for a pasted e-mail around it.
PROOF_MAX_CHARS = 20_000
PROOF_MAX_BYTES = 64 * 1024
# The submitted document: the report's text (at most 100,000 characters,
# up to 4 bytes each in UTF-8) and its people and attachment names.
DOCUMENT_MAX_BYTES = 1024 * 1024

PDF = "pdf"


class VerifyForm(NLDesignFormMixin, forms.Form):
    proof_text = forms.CharField(
        label=gettext_lazy("Plak hier het bewijs"),
        required=False,
        max_length=PROOF_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "Het blok tekst van -----BEGIN MELDPUNT PROOF----- tot en met -----END MELDPUNT PROOF-----, "
            "zoals het op het bewijs staat."
        ),
    )
    proof_file = forms.FileField(
        label=gettext_lazy("Of kies het bewijs als tekstbestand"),
        required=False,
        help_text=gettext_lazy("Het bestand bewijs-….txt dat u uit het postvak heeft gedownload."),
    )
    document = forms.FileField(
        label=gettext_lazy("Ook de ingediende tekst controleren"),
        required=False,
        help_text=gettext_lazy(
            "Het bestand melding-….json uit het postvak. Meldpunt zegt dan of dit precies de tekst is waar het "
            "bewijs bij hoort. Het bestand wordt niet bewaard."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The paste or the file: not optional, although each may be left empty.
        self.fields["proof_text"].needed = True

    def clean_proof_file(self):
        upload = self.cleaned_data.get("proof_file")
        if upload and upload.size > PROOF_MAX_BYTES:
            raise forms.ValidationError(
                _("Dit bestand is %(size)s; een bewijs is veel kleiner (hoogstens %(max)s). Kies het tekstbestand."),
                params={"size": filesizeformat(upload.size), "max": filesizeformat(PROOF_MAX_BYTES)},
            )
        return upload

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload and upload.size > DOCUMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("Dit bestand is %(size)s; de ingediende tekst is hoogstens %(max)s."),
                params={"size": filesizeformat(upload.size), "max": filesizeformat(DOCUMENT_MAX_BYTES)},
            )
        return upload

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        text, upload = data.get("proof_text", ""), data.get("proof_file")
        if text and upload:
            raise forms.ValidationError(_("Plak het bewijs óf kies het bestand, niet allebei."))
        if not text and not upload:
            raise forms.ValidationError(_("Plak het bewijs in het vak, of kies het bewijs als tekstbestand."))
        return data

    def proof(self) -> str:
        """The text to check, or ``PDF`` when a PDF file was chosen (it cannot be read here)."""
        upload = self.cleaned_data.get("proof_file")
        if not upload:
            return self.cleaned_data["proof_text"]
        upload.seek(0)
        data = upload.read(PROOF_MAX_BYTES + 1)
        if data.startswith(b"%PDF"):
            return PDF
        return data.decode("utf-8", errors="replace")

    def document_bytes(self) -> bytes | None:
        upload = self.cleaned_data.get("document")
        if not upload:
            return None
        upload.seek(0)
        return upload.read(DOCUMENT_MAX_BYTES + 1)
