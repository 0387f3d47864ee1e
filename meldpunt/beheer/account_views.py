"""The functional admin's page for one registry person's login
(``/beheer/personen/<id>/login/``, linked from the person's page): give a
login with a set-up link, deactivate or reactivate it, reset its second
factor. The rules are in ``meldpunt/accounts/actions.py``; a person of
another organisation does not exist here (404).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from meldpunt.accounts import actions
from meldpunt.accounts.models import SetupLink, StaffAccount
from meldpunt.beheer.views import admin_required
from meldpunt.nlds import NLDesignFormMixin
from meldpunt.registry.models import Person


class NewLoginForm(NLDesignFormMixin, forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Gebruikersnaam"),
        max_length=60,
        help_text=gettext_lazy("Kleine letters, cijfers, punten of streepjes, bijvoorbeeld a.devries."),
        error_messages={"required": gettext_lazy("Vul een gebruikersnaam in.")},
    )


class ResetForm(NLDesignFormMixin, forms.Form):
    new_password = forms.BooleanField(
        label=gettext_lazy("Ook een nieuw wachtwoord laten kiezen (wachtwoord vergeten)"),
        required=False,
    )


def _suggested_username(person: Person) -> str:
    local = person.email.split("@")[0].lower() if person.email else ""
    return local if actions.USERNAME.fullmatch(local or "") else ""


def _status(account: StaffAccount | None) -> dict:
    if account is None:
        return {}
    user = account.user
    return {
        "active": user.is_active,
        "set_up": actions.is_set_up(user),
        "apps": TOTPDevice.objects.filter(user=user, confirmed=True).count(),
        "passkeys": WebAuthnCredential.objects.filter(user=user, confirmed=True).count(),
        "recovery_codes": actions.recovery_codes_left(user),
        "open_link": SetupLink.objects.filter(user=user, used_at=None, voided_at=None).order_by("-created_at").first(),
        "last_login": user.last_login,
    }


@admin_required
def person_login(request, pk):
    person = get_object_or_404(Person, pk=pk, organisation=request.organisation)
    account = StaffAccount.objects.filter(person=person).select_related("user").first()
    own = person.pk == request.staff.person_id
    new_form = NewLoginForm(initial={"username": _suggested_username(person)})
    reset_form = ResetForm()
    context = {"person": person, "account": account, "own": own, "setup_url": None}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "create" and account is None:
                new_form = NewLoginForm(request.POST)
                if new_form.is_valid():
                    try:
                        account, context["setup_url"] = actions.create_staff_account(
                            person, new_form.cleaned_data["username"], staff_user=request.user
                        )
                    except actions.AccountRefused as error:
                        if error.code == "own_account":
                            raise
                        new_form.add_error("username", error)
                if new_form.errors:
                    status = 400
            elif action == "deactivate" and account is not None:
                actions.deactivate_account(account, staff_user=request.user)
                context["done"] = _("De login %(username)s is gedeactiveerd.") % {"username": account.user.username}
            elif action == "reactivate" and account is not None:
                actions.reactivate_account(account, staff_user=request.user)
                context["done"] = _("De login %(username)s is weer actief.") % {"username": account.user.username}
            elif action == "reset" and account is not None:
                reset_form = ResetForm(request.POST)
                reset_form.is_valid()
                context["setup_url"] = actions.reset_second_factor(
                    account, staff_user=request.user, new_password=reset_form.cleaned_data.get("new_password", False)
                )
                reset_form = ResetForm()
            else:
                status = 400
                context["refused"] = _("Deze handeling kan hier niet. Laad de pagina opnieuw.")
        except ValidationError as error:
            context["refused"] = error.messages[0]
            status = 403 if getattr(error, "code", "") == "own_account" else 400
        if account is not None:
            account.user.refresh_from_db()
    context.update(new_form=new_form, reset_form=reset_form, login=_status(account), account=account)
    return render(request, "beheer/person_login.html", context, status=status)
