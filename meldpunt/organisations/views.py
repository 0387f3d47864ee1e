"""The installation administrator's page (``/installatie/organisaties/``): every
organisation, and a form to create one. Same code path as ``manage.py
create_organisation`` (``meldpunt.organisations.actions``)."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from meldpunt.accounts.decorators import installation_admin_required
from meldpunt.nlds import NLDesignFormMixin
from meldpunt.organisations.actions import create_organisation
from meldpunt.organisations.models import Organisation


class OrganisationForm(NLDesignFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Naam"), max_length=200)
    slug = forms.CharField(
        label=gettext_lazy("Slug"), max_length=50, help_text=gettext_lazy("Het adres: /slug/, bijvoorbeeld waterdam.")
    )
    integrity_office_name = forms.CharField(
        label=gettext_lazy("Naam integriteitsbureau"), max_length=200, initial="Integriteitsbureau"
    )
    integrity_office_email = forms.EmailField(label=gettext_lazy("E-mail integriteitsbureau"), required=False)
    admin_name = forms.CharField(label=gettext_lazy("Naam eerste functioneel beheerder"), max_length=200)
    admin_email = forms.EmailField(label=gettext_lazy("E-mail eerste functioneel beheerder"), required=False)
    admin_username = forms.CharField(label=gettext_lazy("Gebruikersnaam eerste functioneel beheerder"), max_length=60)


@installation_admin_required
def organisation_list(request):
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = create_organisation(**form.cleaned_data, staff_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = OrganisationForm()
    context = {
        "organisations": Organisation.objects.order_by("name"),
        "form": form,
        "show_errors": form.is_bound,
        "created": created,
    }
    return render(request, "organisations/list.html", context, status=400 if form.errors else 200)
