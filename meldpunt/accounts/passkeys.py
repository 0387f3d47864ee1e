"""Passkeys (WebAuthn, ``django-otp-webauthn``) as a second factor beside TOTP.

A passkey never replaces the password: the login page checks username and
password first ("Inloggen met een passkey"), remembers that user for a few
minutes in the session (not logged in yet), and the next page asks the
browser for one of *that user's* passkeys. Only when the passkey answers is
the user logged in, with the session verified by that passkey.

Enrolment and removal happen on the account page (``/account/``) of a staff
member whose session is already verified; removing the last second factor
is refused, and both are audited (``account.passkey_added``,
``account.passkey_removed``).

The browser side is the library's own JavaScript (its static files, served
by Meldpunt like every other static file) plus ``meldpunt/passkeys.js``; all
of it external files, so the strict CSP (no inline script) stays. Only staff
pages load it; reporter pages have no script.
"""

import time
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.db import transaction
from django.http import Http404, JsonResponse
from django.middleware import csrf
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.utils import rewrite_exceptions

from meldpunt import throttle
from meldpunt.accounts import actions
from meldpunt.accounts.decorators import staff_required
from meldpunt.accounts.forms import StaffLoginForm
from meldpunt.accounts.models import StaffAccount
from meldpunt.accounts.views import LoginView
from meldpunt.audit.log import actor_for_user, record

# The user whose password matched, waiting for their passkey: {"user", "at", "next"}.
PENDING_KEY = "meldpunt_passkey_login"
PENDING_SECONDS = 5 * 60


# Rules -------------------------------------------------------------------------------------------


class LastFactor(Exception):
    """Removing this passkey would leave the account without a second factor."""


class FactorInUse(Exception):
    """This passkey verified the current session; log in with another factor to remove it."""


def passkeys_of(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def factor_count(user) -> int:
    """Second factors a user can log in with: confirmed TOTP devices and passkeys.
    (Recovery codes, where an account has them, are a way back in, not a factor.)"""
    return TOTPDevice.objects.filter(user=user, confirmed=True).count() + passkeys_of(user).count()


def has_passkey(user) -> bool:
    return passkeys_of(user).exists()


def _organisation_of(user):
    account = StaffAccount.objects.filter(user=user).select_related("person__organisation").first()
    return account.organisation if account else None


def _next_name(user) -> str:
    taken = set(WebAuthnCredential.objects.filter(user=user).values_list("name", flat=True))
    number = 1
    while f"Passkey {number}" in taken:
        number += 1
    return f"Passkey {number}"


def remove_passkey(user, passkey_id: int, *, session_device_id: str | None = None) -> WebAuthnCredential:
    """Remove one of ``user``'s passkeys, never their last second factor.

    Raises ``WebAuthnCredential.DoesNotExist`` for a passkey that is not theirs,
    ``LastFactor`` and ``FactorInUse`` as their names say."""
    with transaction.atomic():
        # One removal at a time per user: two at once must not both see "one left".
        get_user_model().objects.select_for_update().get(pk=user.pk)
        passkey = passkeys_of(user).get(pk=passkey_id)
        if factor_count(user) <= 1:
            raise LastFactor
        if session_device_id and passkey.persistent_id == session_device_id:
            raise FactorInUse
        detail = {"passkey": passkey.name, "passkey_id": passkey.pk}
        passkey.delete()
        record("account.passkey_removed", actor=actor_for_user(user), organisation=_organisation_of(user), **detail)
    return passkey


# Pages -------------------------------------------------------------------------------------------


def _config(request) -> dict:
    """What the library's JavaScript reads from the page (json_script, not inline code)."""
    return {
        "beginRegistrationUrl": reverse("accounts:passkey_register_begin"),
        "completeRegistrationUrl": reverse("accounts:passkey_register_complete"),
        "beginAuthenticationUrl": reverse("accounts:passkey_login_begin"),
        "completeAuthenticationUrl": reverse("accounts:passkey_login_complete"),
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
    }


@dataclass
class FactorRow:
    kind: str
    name: str
    device: object
    in_use: bool


@staff_required
def account(request):
    """Mijn account: the second factors this staff member has; add or remove a passkey."""
    user = request.user
    current = request.session.get(DEVICE_ID_SESSION_KEY)
    rows = [
        FactorRow("totp", _("Authenticator-app"), device, device.persistent_id == current)
        for device in TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")
    ]
    rows += [FactorRow("passkey", p.name, p, p.persistent_id == current) for p in passkeys_of(user)]
    return render(
        request,
        "accounts/account.html",
        {
            "factors": rows,
            "can_remove": len(rows) > 1,
            "passkeys_enabled": settings.PASSKEYS_ENABLED,
            "webauthn_config": _config(request),
        },
    )


@staff_required
@require_POST
def remove(request, pk):
    try:
        passkey = remove_passkey(request.user, pk, session_device_id=request.session.get(DEVICE_ID_SESSION_KEY))
    except WebAuthnCredential.DoesNotExist:
        raise Http404 from None
    except LastFactor:
        messages.error(
            request,
            _("Dit is uw enige tweede factor. Voeg eerst een andere passkey of authenticator-app toe."),
        )
    except FactorInUse:
        messages.error(
            request,
            _("U bent nu ingelogd met deze passkey. Log in met een andere tweede factor om hem te verwijderen."),
        )
    else:
        messages.success(request, _("%(name)s is verwijderd.") % {"name": passkey.name})
    return redirect("accounts:account")


class PasskeyPasswordForm(StaffLoginForm):
    """The login form's username and password, checked without the TOTP code.

    Like the code login, it tells nothing about which part was right: a wrong
    password and an account without a passkey get the same message."""

    error_messages = {
        **StaffLoginForm.error_messages,
        "invalid_login": gettext_lazy(
            "Deze combinatie van gebruikersnaam en wachtwoord klopt niet, of er is voor dit account geen passkey "
            "ingesteld. Controleer ze, of log in met de code uit uw authenticator-app."
        ),
        "passkeys_off": gettext_lazy("Inloggen met een passkey kan op dit adres niet. Gebruik uw authenticator-app."),
    }

    def clean(self):
        self._errors.pop("otp_token", None)  # the code is not asked for here
        if not settings.PASSKEYS_ENABLED:
            raise forms.ValidationError(self.error_messages["passkeys_off"], code="passkeys_off")
        cleaned = super(StaffLoginForm, self).clean()  # username and password (always hashed)
        if not (cleaned.get("username") and cleaned.get("password")):
            return cleaned  # the empty fields already carry "vul ... in"
        if not has_passkey(self.get_user()):
            raise self.get_invalid_login_error()
        return cleaned


@method_decorator(never_cache, name="dispatch")
class PasswordStepView(LoginView):
    """First step of a passkey login: the password on the login page, then on to the passkey."""

    authentication_form = PasskeyPasswordForm
    http_method_names = ["post"]

    def form_valid(self, form):
        self.request.session[PENDING_KEY] = {
            "user": form.get_user().pk,
            "at": time.time(),
            "next": self.get_redirect_url(),
        }
        return redirect("accounts:passkey_confirm")


def _pending(request) -> dict | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return pending


def _pending_user(request):
    pending = _pending(request)
    if pending is None:
        return None
    return get_user_model().objects.filter(pk=pending["user"], is_active=True).first()


@never_cache
def confirm(request):
    """Second step: the browser asks for the passkey of the user whose password matched."""
    if not settings.PASSKEYS_ENABLED or _pending_user(request) is None:
        messages.error(request, _("Log opnieuw in met uw gebruikersnaam en wachtwoord."))
        return redirect("accounts:login")
    return render(
        request,
        "accounts/passkey_login.html",
        {"webauthn_config": _config(request), "next": _pending(request).get("next", "")},
    )


# The library's JSON views, bound to Meldpunt's rules --------------------------------------------


class PasskeysOff(exceptions.OTPWebAuthnApiError):
    status_code = 404
    default_detail = gettext_lazy("Passkeys zijn op dit adres niet beschikbaar.")
    default_code = "passkeys_off"


class TooManyAttempts(exceptions.OTPWebAuthnApiError):
    status_code = 429
    default_detail = gettext_lazy("Te veel mislukte pogingen. Wacht een kwartier en probeer het dan opnieuw.")
    default_code = "throttled"


class _Registration:
    """Only a logged-in staff member whose session passed a second factor adds a passkey
    (the library alone would let an account without any factor enrol one)."""

    def check_can_register(self):
        user = self.request.user
        if not settings.PASSKEYS_ENABLED:
            raise PasskeysOff()
        if not user.is_verified():
            raise exceptions.NotVerified()
        if not StaffAccount.objects.filter(user=user).exists():
            raise exceptions.NotAuthenticated()


class RegistrationBegin(_Registration, webauthn_views.BeginCredentialRegistrationView):
    pass


@method_decorator(never_cache, name="dispatch")
class RegistrationComplete(_Registration, webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        user = self.get_user()
        state = self.get_state()  # taken from the session (and saved) before anything can fail
        with rewrite_exceptions(logger=webauthn_views._get_pywebauthn_logger()), transaction.atomic():
            passkey = self.get_helper().register_complete(user=user, state=state, data=self.request.data)
            passkey.name = _next_name(user)
            passkey.save(update_fields=["name"])
            record(
                "account.passkey_added",
                actor=actor_for_user(user),
                organisation=_organisation_of(user),
                passkey=passkey.name,
                passkey_id=passkey.pk,
            )
        messages.success(self.request, _("%(name)s is toegevoegd.") % {"name": passkey.name})
        return JsonResponse({"id": passkey.pk})


class _Authentication:
    """The passkey of the user whose password just matched, nobody else's."""

    def get_user(self):
        return _pending_user(self.request)

    def check_can_authenticate(self):
        if not settings.PASSKEYS_ENABLED:
            raise PasskeysOff()
        user = self.get_user()
        if user is None:
            raise exceptions.NotAuthenticated(detail=_("Log opnieuw in met uw gebruikersnaam en wachtwoord."))
        if throttle.login_blocked(self.request, user.get_username()):
            raise TooManyAttempts()


class AuthenticationBegin(_Authentication, webauthn_views.BeginCredentialAuthenticationView):
    pass


@method_decorator(never_cache, name="dispatch")
class AuthenticationComplete(_Authentication, webauthn_views.CompleteCredentialAuthenticationView):
    def handle_exception(self, exc):
        user = self.get_user()
        if user is not None and not isinstance(exc, TooManyAttempts):
            throttle.count_login_failure(self.request, user.get_username())
            actions.login_failed(user.get_username(), "passkey")
        return super().handle_exception(exc)

    def complete_auth(self, device):
        pending = self.request.session.pop(PENDING_KEY, {})
        self.next_url = pending.get("next", "")
        auth_login(self.request, device.user, backend=settings.AUTHENTICATION_BACKENDS[0])
        otp_login(self.request, device)
        actions.login_succeeded(device.user, "passkey")

    def get_redirect_url(self):
        url = getattr(self, "next_url", "")
        safe = url_has_allowed_host_and_scheme(
            url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        return url if safe else ""

    def get_success_url(self):
        return self.get_redirect_url() or resolve_url(settings.LOGIN_REDIRECT_URL)
