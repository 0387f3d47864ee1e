"""Forms of the functional admin's aftercare page: the support options and
how long after closure the inbox asks about disadvantage."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meldpunt.nazorg.models import AftercareSettings, SupportOption
from meldpunt.nlds import NLDesignFormMixin


class SupportOptionForm(NLDesignFormMixin, forms.ModelForm):
    class Meta:
        model = SupportOption
        fields = ["kind", "name", "name_en", "contact", "contact_en", "order", "active"]
        widgets = {
            "contact": forms.Textarea(attrs={"rows": 4}),
            "contact_en": forms.Textarea(attrs={"rows": 4}),
            "order": forms.TextInput(attrs={"inputmode": "numeric", "size": "4"}),
        }
        help_texts = {
            "name": _("Zoals de melder het leest, bijvoorbeeld 'Vertrouwenspersoon'."),
            "contact": _("Wie, en hoe de melder die bereikt: telefoonnummer, e-mailadres, spreekuur."),
            "name_en": _("Leeg: de Nederlandse naam."),
            "contact_en": _("Leeg: de Nederlandse tekst."),
            "order": _("Een lager getal staat hoger in de lijst."),
            "active": _("Uitgezet: niet meer aangeboden; eerdere aanbiedingen blijven zoals ze waren."),
        }
        error_messages = {
            "name": {"required": _("Vul de naam van deze steun in.")},
            "contact": {"required": _("Schrijf op hoe de melder deze steun bereikt.")},
            "order": {"invalid": _("Vul een heel getal in, in cijfers.")},
        }


class AftercareSettingsForm(NLDesignFormMixin, forms.Form):
    retaliation_check_months = forms.IntegerField(
        label=_("Vraag naar benadeling (maanden na het afsluiten)"),
        help_text=_(
            "Zoveel maanden nadat een zaak is afgesloten, vraagt het postvak de melder of die sindsdien "
            "benadeling heeft ervaren. Van 1 tot en met 24."
        ),
        min_value=1,
        max_value=24,
        error_messages={
            "required": _("Vul een aantal maanden in."),
            "invalid": _("Vul een heel aantal maanden in, in cijfers."),
            "min_value": _("Ten minste 1 maand; 0 of minder kan niet."),
            "max_value": _("Ten hoogste 24 maanden."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": "4"}),
    )

    @classmethod
    def of(cls, organisation, data=None):
        found = AftercareSettings.objects.filter(organisation=organisation).first()
        months = found.retaliation_check_months if found else AftercareSettings().retaliation_check_months
        return cls(data, initial={"retaliation_check_months": months})
