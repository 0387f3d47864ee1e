"""The functional admin's page for pattern detection: from how many different
reporters about one person an alert goes out (``Organisation.pattern_threshold``,
``meldpunt.cases.patterns``)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.beheer.views import _posted, _render_form, admin_required
from meldpunt.cases import patterns

LOW, HIGH = 2, 20


class PatternSettingsForm(forms.Form):
    pattern_threshold = forms.IntegerField(
        label=gettext_lazy("Patroonsignaal vanaf (aantal verschillende melders)"),
        help_text=gettext_lazy(
            "Gaan meldingen of signalen van zoveel verschillende melders over dezelfde persoon, dan krijgen de "
            "ontvangers volgens het protocol en het integriteitsbureau een patroonsignaal. Van 2 tot en met 20."
        ),
        min_value=LOW,
        max_value=HIGH,
        error_messages={
            "required": gettext_lazy("Vul een aantal melders in, van 2 tot en met 20."),
            "invalid": gettext_lazy("Vul een heel aantal melders in, in cijfers: van 2 tot en met 20."),
            "min_value": gettext_lazy(
                "Een patroon vraagt ten minste 2 verschillende melders; één melding is nog geen patroon."
            ),
            "max_value": gettext_lazy("Ten hoogste 20 melders: bij meer komt een patroon te laat aan het licht."),
        },
        # A text box, so that what was typed is shown again as typed when it is refused.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": "4"}),
    )


@admin_required
def pattern_settings(request):
    organisation = request.organisation
    form = PatternSettingsForm(_posted(request), initial={"pattern_threshold": organisation.pattern_threshold})
    if request.method == "POST" and form.is_valid():
        patterns.set_threshold(organisation, form.cleaned_data["pattern_threshold"], staff_user=request.user)
        messages.success(request, _("De drempel voor patroonsignalen is opgeslagen."))
        return redirect("beheer:patterns")
    return _render_form(request, "beheer/patterns.html", {}, form)
