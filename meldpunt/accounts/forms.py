import secrets

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.nlds import NLDesignFormMixin


class StaffLoginForm(NLDesignFormMixin, AuthenticationForm):
    """Username, password and the six digits of the authenticator app, in one step.
    A recovery code is accepted in place of the six digits, once.

    An empty field gets "vul ... in". Anything else that is wrong (unknown
    username, wrong password, no second factor set up, wrong, used or
    throttled code) gets one neutral message, after the same work: the
    password is always hashed (Django's backend hashes even for an unknown
    username) and one TOTP code is always checked, against a throw-away key
    when there is no account or device to check it against. Nothing on the
    page tells which part was right.
    """

    otp_token = forms.CharField(
        label=_("Code uit uw authenticator-app"),
        help_text=_("Telefoon kwijt? Typ dan een van uw herstelcodes."),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": _("Vul de code uit uw authenticator-app in.")},
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Deze combinatie van gebruikersnaam, wachtwoord en code klopt niet. Controleer ze en probeer het opnieuw."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = _("Vul uw gebruikersnaam in.")
        self.fields["password"].error_messages["required"] = _("Vul uw wachtwoord in.")

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        token = (self.cleaned_data.get("otp_token") or "").replace(" ", "")
        if not (username and password and token):
            return self.cleaned_data  # the empty fields already carry "vul ... in"
        user = authenticate(self.request, username=username, password=password)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user is not None else None
        if device is not None:
            # verify_token refuses while django-otp throttles the device after wrong codes.
            verified = device.verify_token(token)
        else:
            TOTP(secrets.token_bytes(20)).verify(int(token) if token.isascii() and token.isdigit() else -1)
            verified = False
        if not verified and user is not None:
            # A recovery code (django-otp's static device) instead of the app's code; each works once.
            recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
            if recovery is not None and recovery.verify_token(token.lower()):
                device, verified = recovery, True
        if not verified:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        self.confirm_login_allowed(user)
        user.otp_device = device  # django_otp marks the session verified at login
        self.user_cache = user
        return self.cleaned_data
