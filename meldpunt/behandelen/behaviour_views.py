"""The handler's assessment of the category of behaviour on the case page."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from meldpunt.accounts.decorators import staff_required
from meldpunt.cases.access import access_case_for_handling
from meldpunt.cases.behaviour import assess_behaviour
from meldpunt.cases.models import Behaviour
from meldpunt.nlds import NLDesignFormMixin


class BehaviourForm(NLDesignFormMixin, forms.Form):
    behaviour = forms.ChoiceField(
        label=gettext_lazy("Soort gedrag volgens uw beoordeling"),
        choices=[("", gettext_lazy("Nog niet beoordeeld"))] + list(Behaviour.choices),
        required=False,
    )


@staff_required
@require_POST
def assess(request, reference):
    case = access_case_for_handling(request.staff, reference)
    form = BehaviourForm(request.POST)
    target = reverse("behandelen:case", args=[case.reference]) + "#soort-gedrag"
    if not form.is_valid():
        messages.error(request, _("Kies een soort gedrag uit de lijst."))
        return redirect(target)
    assess_behaviour(case, form.cleaned_data["behaviour"], staff_user=request.user)
    messages.success(request, _("Soort gedrag vastgelegd."))
    return redirect(target)
