from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.nlds import NLDesignFormMixin


class StaffLoginForm(NLDesignFormMixin, AuthenticationForm):
    """Username, password and the six digits of the authenticator app, in one step.

    The second factor is checked only after the password matched; a wrong
    password and a wrong code give different, plain messages.
    """

    otp_token = forms.CharField(
        label=_("Code uit uw authenticator-app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "no_device": _("Voor dit account is nog geen tweede factor ingesteld. Vraag de functioneel beheerder."),
        "throttled": _("Te veel verkeerde codes. Wacht een minuut en probeer het opnieuw."),
        "invalid_token": _("De code uit uw authenticator-app klopt niet of is verlopen."),
    }

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise forms.ValidationError(self.error_messages["no_device"], code="no_device")
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        token = (cleaned.get("otp_token") or "").replace(" ", "")
        if not device.verify_token(token):
            raise forms.ValidationError(self.error_messages["invalid_token"], code="invalid_token")
        user.otp_device = device  # django_otp marks the session verified at login
        return cleaned
