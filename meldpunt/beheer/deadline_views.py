"""The functional admin's page for the organisation's deadline settings
(``meldpunt.escalation.configuration``)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from meldpunt.beheer.views import _posted, _render_form, admin_required
from meldpunt.escalation.configuration import DeadlineSettingsForm, save_settings


@admin_required
def deadlines(request):
    form = DeadlineSettingsForm.of(request.organisation, _posted(request))
    if request.method == "POST" and form.is_valid():
        refreshed = save_settings(request.organisation, form.cleaned_data, staff_user=request.user)
        if refreshed:
            messages.success(
                request,
                _("De termijnen zijn opgeslagen. De termijnen van %(count)s lopende zaken zijn opnieuw berekend.")
                % {"count": refreshed},
            )
        else:
            messages.success(request, _("De termijnen zijn opgeslagen."))
        return redirect("beheer:deadlines")
    return _render_form(request, "beheer/deadlines.html", {}, form)
