"""API tokens on the account page (/account/): make one (shown once), revoke one.

The rules are in ``meldpunt.api.tokens``; these views only ask and show."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from meldpunt.accounts.decorators import staff_required
from meldpunt.api import tokens
from meldpunt.api.models import ApiToken
from meldpunt.nlds import NLDesignFormMixin


class TokenForm(NLDesignFormMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Naam van het token"),
        max_length=100,
        help_text=gettext_lazy("Waarvoor u het gebruikt, bijvoorbeeld: koppeling zaaksysteem."),
    )
    days = forms.TypedChoiceField(
        label=gettext_lazy("Geldig"),
        coerce=int,
        choices=[(days, gettext_lazy("%(days)d dagen") % {"days": days}) for days in tokens.LIFETIME_DAYS],
        initial=30,
    )


@staff_required
@require_POST
def create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        return render(request, "api/token_form.html", {"form": form}, status=400)
    try:
        row, token = tokens.create_token(request.user, form.cleaned_data["name"], form.cleaned_data["days"])
    except tokens.NoSecondFactor:
        messages.error(request, _("Een API-token kan alleen bij een account met een tweede factor."))
        return redirect("accounts:account")
    # Shown on this answer only: the page is not cached (NoStoreMiddleware) and the token is not stored.
    return render(request, "api/token_created.html", {"row": row, "token": token}, status=201)


@staff_required
@require_POST
def revoke(request, pk):
    try:
        row = tokens.revoke_token(request.user, pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Het API-token %(name)s is ingetrokken.") % {"name": row.name})
    return redirect("accounts:account")
