"""First login: the set-up link page, and the recovery codes shown once.

``/account/instellen/<token>/`` (``accounts:setup``) is where a new staff
member (or one whose second factor was reset) chooses a password, or types
their current one, scans the QR code (or types the secret) into an
authenticator app and confirms one code. Then they are logged in, with the
session verified by that authenticator, and see their recovery codes once
(``accounts:recovery_codes``). The rules are in ``meldpunt/accounts/actions.py``.
"""

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import password_validation
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from meldpunt.accounts import actions
from meldpunt.accounts.actions import AccountRefused, LinkInvalid
from meldpunt.accounts.decorators import verified_required
from meldpunt.nlds import NLDesignFormMixin

CODES_SESSION_KEY = "meldpunt_recovery_codes"


class SetupForm(NLDesignFormMixin, forms.Form):
    """A new password (twice) or the current one, and the first code of the authenticator app."""

    password1 = forms.CharField(
        label=gettext_lazy("Kies een wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Minstens 12 tekens. Een zin van een paar woorden is goed te onthouden."),
        error_messages={"required": gettext_lazy("Vul een wachtwoord in.")},
    )
    password2 = forms.CharField(
        label=gettext_lazy("Hetzelfde wachtwoord nog een keer"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("Vul het wachtwoord nog een keer in.")},
    )
    current_password = forms.CharField(
        label=gettext_lazy("Uw wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": gettext_lazy("Vul uw wachtwoord in.")},
    )
    code = forms.CharField(
        label=gettext_lazy("Code uit de app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": gettext_lazy("Vul de code uit de app in.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.choose_password = not user.has_usable_password()
        if self.choose_password:
            del self.fields["current_password"]
        else:
            del self.fields["password1"], self.fields["password2"]

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        password_validation.validate_password(password, self.user)
        return password

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Dit wachtwoord klopt niet."), code="wrong_password")
        return password

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("De twee wachtwoorden zijn niet gelijk."))
        return cleaned


def secret_of(device) -> str:
    """The TOTP secret as an authenticator app asks to type it: base32 in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device) -> str:
    """The otpauth:// address as an inline SVG QR code (segno; nothing leaves the server)."""
    title = _("QR-code voor uw authenticator-app")
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, title=title, dark="#000", light="#fff", border=4, svgclass="meldpunt-qr"
    )


LINK_MESSAGES = {
    "unknown": gettext_lazy(
        "Deze instellink bestaat niet. Controleer of u de hele link hebt gekopieerd, of vraag de functioneel "
        "beheerder om een nieuwe."
    ),
    "used": gettext_lazy(
        "Deze instellink is al gebruikt. Log in met uw gebruikersnaam, wachtwoord en de code uit uw "
        "authenticator-app. Lukt dat niet, vraag de functioneel beheerder dan om een nieuwe link."
    ),
    "void": gettext_lazy(
        "Deze instellink geldt niet meer: er is daarna een nieuwe gemaakt. Gebruik de nieuwste link, of vraag "
        "de functioneel beheerder om een nieuwe."
    ),
    "expired": gettext_lazy(
        "Deze instellink is verlopen. Een link is %(hours)s uur geldig. Vraag de functioneel beheerder om een nieuwe."
    ),
    "inactive": gettext_lazy("Deze login is gedeactiveerd. Vraag de functioneel beheerder wat er aan de hand is."),
}


def _refused(request, error: LinkInvalid):
    message = LINK_MESSAGES[error.reason] % {"hours": settings.SETUP_LINK_HOURS}
    return render(request, "accounts/setup_refused.html", {"message": message}, status=410)


@never_cache
def setup(request, token):
    try:
        link = actions.open_link(token)
    except LinkInvalid as error:
        return _refused(request, error)
    user = link.user
    device = actions.pending_device(user)
    form = SetupForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        new_password = form.cleaned_data["password1"] if form.choose_password else None
        try:
            codes = actions.complete_setup(
                link, device=device, code=form.cleaned_data["code"], new_password=new_password
            )
        except AccountRefused as error:
            form.add_error("code", error)
        except LinkInvalid as error:
            return _refused(request, error)
        else:
            device.refresh_from_db()
            user.refresh_from_db()  # the new password, for the session hash
            auth_login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            otp_login(request, device)
            request.session[CODES_SESSION_KEY] = codes
            return redirect("accounts:recovery_codes")
    context = {
        "form": form,
        "show_errors": form.is_bound,
        "username": user.get_username(),
        "qr": qr_svg(device),
        "secret": secret_of(device),
        "expires_at": link.expires_at,
    }
    return render(request, "accounts/setup.html", context, status=400 if form.errors else 200)


@never_cache
@verified_required
def recovery_codes(request):
    """The recovery codes just made, shown this once: a reload shows them no more."""
    codes = request.session.pop(CODES_SESSION_KEY, None)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "left": actions.recovery_codes_left(request.user)},
    )


@verified_required
@require_POST
def new_recovery_codes(request):
    request.session[CODES_SESSION_KEY] = actions.new_recovery_codes(request.user)
    return redirect("accounts:recovery_codes")
