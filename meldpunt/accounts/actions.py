"""Staff accounts: who may give whom a login, and every change to a login, as named actions.

The rules, in one place:

- A login belongs to one person of one organisation's registry
  (``StaffAccount``). It grants nothing by itself: what its holder may do
  follows from the positions that person holds today.
- The functional admin (a current ``functioneel_beheerder`` position) of an
  organisation gives a login to any person of that organisation's registry,
  whatever their positions, deactivates and reactivates it and resets its
  second factor. Never for their own person: nobody creates, resets or
  reactivates their own login (``check_may_manage``). A person of another
  organisation does not exist for them (the pages give 404).
- A command on the server (``staff_user=None``) may do the same for any
  person: it is run by whoever operates the installation.
- A new login gets no password: it gets a one-time set-up link, valid
  ``SETUP_LINK_HOURS``, with which its holder chooses a password and enrols
  an authenticator app (TOTP); only the SHA-256 of the link's token is
  stored. A reset of the second factor removes every second factor and the
  recovery codes and makes a new link; the holder keeps their password
  (the link asks for it) unless the admin also asked for a new one.
- Every action writes an audit event (``account.*``) in the same transaction.

``create_staff_account(person, username, *, staff_user) -> (account, setup_url)``
is the entry point for other code (the registry import) that gives people a login.
"""

import datetime
import hashlib
import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from meldpunt.accounts.models import SetupLink, StaffAccount
from meldpunt.audit.log import actor_for_user, record
from meldpunt.registry.models import Person

RECOVERY_CODE_COUNT = 10
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,59}")


class AccountRefused(ValidationError):
    """The action is not allowed or the input is wrong; the message says why, for the admin."""


# Who may ------------------------------------------------------------------------------------------


def staff_account_of(user) -> StaffAccount | None:
    if user is None or not user.is_authenticated:
        return None
    return StaffAccount.objects.filter(user=user).select_related("person__organisation").first()


def check_may_manage(staff_user, person: Person) -> None:
    """Raise unless ``staff_user`` may create or change the login of ``person``.

    ``PermissionDenied`` for someone who is not the functional admin of the
    person's organisation; ``AccountRefused`` for the admin's own person.
    ``staff_user=None`` is a command on the server, which may."""
    if staff_user is None:
        return
    own = staff_account_of(staff_user)
    if own is None or own.person.organisation_id != person.organisation_id or not own.is_registry_admin:
        raise PermissionDenied
    if own.person_id == person.pk:
        raise AccountRefused(
            _("U kunt geen login voor uzelf maken of wijzigen. Vraag dit aan een andere functioneel beheerder."),
            code="own_account",
        )


def clean_username(username: str) -> str:
    """Lower case, 2 to 60 characters, not taken by anyone in this installation."""
    username = (username or "").strip().lower()
    if not username:
        raise AccountRefused(_("Vul een gebruikersnaam in."), code="required")
    if not USERNAME.fullmatch(username):
        raise AccountRefused(
            _(
                "Een gebruikersnaam heeft 2 tot 60 tekens: kleine letters, cijfers, punten, streepjes of "
                "liggende streepjes, en begint met een letter of cijfer."
            ),
            code="username_invalid",
        )
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise _username_taken(username)
    return username


def _username_taken(username: str) -> AccountRefused:
    return AccountRefused(
        _("De gebruikersnaam %(username)s is al in gebruik. Kies een andere.") % {"username": username},
        code="username_taken",
    )


# Set-up links ----------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def setup_url(token: str) -> str:
    return settings.BASE_URL + reverse("accounts:setup", args=[token])


def _new_link(user, actor: str) -> tuple[str, SetupLink]:
    """Void the user's open links and make a new one; the token exists only in the returned URL."""
    now = timezone.now()
    SetupLink.objects.filter(user=user, used_at=None, voided_at=None).update(voided_at=now)
    token = secrets.token_urlsafe(32)
    link = SetupLink.objects.create(
        user=user,
        token_hash=hash_token(token),
        created_at=now,
        created_by=actor,
        expires_at=now + datetime.timedelta(hours=settings.SETUP_LINK_HOURS),
    )
    return setup_url(token), link


class LinkInvalid(Exception):
    """A set-up link that cannot be used; ``reason`` is unknown, used, void, expired or inactive."""

    def __init__(self, reason: str, link: SetupLink | None = None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


def open_link(token: str) -> SetupLink:
    """The open set-up link for this token, or ``LinkInvalid`` saying why not."""
    link = SetupLink.objects.select_related("user").filter(token_hash=hash_token(token or "")).first()
    if link is None:
        raise LinkInvalid("unknown")
    if link.used_at is not None:
        raise LinkInvalid("used", link)
    if link.voided_at is not None:
        raise LinkInvalid("void", link)
    if link.expires_at <= timezone.now():
        raise LinkInvalid("expired", link)
    if not link.user.is_active:
        raise LinkInvalid("inactive", link)
    return link


def pending_device(user) -> TOTPDevice:
    """The authenticator the set-up page shows: the same secret on every visit until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator-app"), confirmed=False)
    return device


def _organisation_of(user):
    account = staff_account_of(user)
    return account.organisation if account else None


def complete_setup(link: SetupLink, *, device: TOTPDevice, code: str, new_password: str | None) -> list[str]:
    """Confirm the authenticator with one of its codes, store the new password
    (when the link asks for one) and use up the link. Returns the recovery
    codes, to be shown once.

    Raises ``AccountRefused`` for a wrong code (django-otp counts it and slows
    down guessing) and ``LinkInvalid`` when the link was used or voided
    meanwhile."""
    code = (code or "").replace(" ", "")
    # Outside the transaction below, so that a wrong code's throttling is stored.
    if device.user_id != link.user_id or device.confirmed or not device.verify_token(code):
        raise AccountRefused(
            _("Deze code klopt niet. Typ de zes cijfers die de app nu toont; ze veranderen elke 30 seconden."),
            code="wrong_code",
        )
    with transaction.atomic():
        link = SetupLink.objects.select_for_update().select_related("user").get(pk=link.pk)
        if not link.is_open or not link.user.is_active:
            raise LinkInvalid("used" if link.used_at else "void", link)
        user = link.user
        if new_password is not None:
            user.set_password(new_password)
            user.save(update_fields=["password"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        codes = _replace_recovery_codes(user)
        record(
            "account.setup_completed",
            actor=actor_for_user(user),
            organisation=_organisation_of(user),
            username=user.get_username(),
            password_chosen=new_password is not None,
        )
    return codes


# Recovery codes --------------------------------------------------------------------------------------


def _replace_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Herstelcodes"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """New recovery codes for a logged-in staff member; the old ones stop working."""
    codes = _replace_recovery_codes(user)
    record(
        "account.recovery_codes_replaced",
        actor=actor_for_user(user),
        organisation=_organisation_of(user),
        username=user.get_username(),
    )
    return codes


def recovery_code_used(user, remaining: int) -> None:
    """Audit a login with a recovery code (the code itself is gone from the database)."""
    record(
        "account.recovery_code_used",
        actor=actor_for_user(user),
        organisation=_organisation_of(user),
        username=user.get_username(),
        remaining=remaining,
    )


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Logins ----------------------------------------------------------------------------------------------
# Who logged in and who tried, for the audit trail; never the client's address.
# A failed attempt names the account only when the typed username is one (a
# password typed into the username field is never stored); a refused attempt
# (the throttle) is not checked and not recorded.


def login_succeeded(user, factor: str) -> None:
    """``factor``: ``totp``, ``recovery_code`` or ``passkey``."""
    record("account.login", actor=actor_for_user(user), organisation=_organisation_of(user), factor=factor)


def login_failed(username: str, step: str) -> None:
    """A wrong password, code or passkey; ``step``: ``password`` or ``passkey``."""
    # A NUL character can be no username, and PostgreSQL refuses it in a query.
    known = bool(username) and "\x00" not in username
    user = get_user_model().objects.filter(username=username).first() if known else None
    record(
        "account.login_failed",
        actor="unknown",
        organisation=_organisation_of(user) if user is not None else None,
        account=actor_for_user(user) if user is not None else None,
        step=step,
    )


# The functional admin's actions ----------------------------------------------------------------------


def create_staff_account(person: Person, username: str, *, staff_user) -> tuple[StaffAccount, str]:
    """Give ``person`` a login called ``username``, with a one-time set-up link.

    Raises ``PermissionDenied`` when ``staff_user`` is not the functional
    admin of the person's organisation, ``AccountRefused`` (with a message)
    for their own person, a person who already has a login, and a malformed
    or taken username. ``staff_user=None``: a command on the server."""
    check_may_manage(staff_user, person)
    return create_account(person, username, actor=actor_for_user(staff_user))


def create_account(person: Person, username: str, *, actor: str) -> tuple[StaffAccount, str]:
    """The creation itself, without the check of who asks (for the organisation set-up)."""
    username = clean_username(username)
    with transaction.atomic():
        person = Person.objects.select_for_update().select_related("organisation").get(pk=person.pk)
        if StaffAccount.objects.filter(person=person).exists():
            raise AccountRefused(_("%(name)s heeft al een login.") % {"name": person.name}, code="has_account")
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(username, email=person.email)  # no usable password
        except IntegrityError:
            raise _username_taken(username) from None
        account = StaffAccount.objects.create(user=user, person=person)
        url, link = _new_link(user, actor)
        record(
            "account.created",
            actor=actor,
            organisation=person.organisation,
            person=person.pk,
            username=username,
            link_expires=link.expires_at.isoformat(),
        )
    return account, url


def _locked(account: StaffAccount) -> StaffAccount:
    return StaffAccount.objects.select_for_update().select_related("user", "person__organisation").get(pk=account.pk)


def deactivate_account(account: StaffAccount, *, staff_user) -> bool:
    """Switch the login off: no more logins, open sessions end at their next
    request, open set-up links are void. False when it was already off."""
    return _set_active(account, False, staff_user=staff_user)


def reactivate_account(account: StaffAccount, *, staff_user) -> bool:
    """Switch a deactivated login on again, with the second factors it had. False when it was on."""
    return _set_active(account, True, staff_user=staff_user)


def _set_active(account: StaffAccount, active: bool, *, staff_user) -> bool:
    check_may_manage(staff_user, account.person)
    with transaction.atomic():
        account = _locked(account)
        user = account.user
        if user.is_active == active:
            return False
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            SetupLink.objects.filter(user=user, used_at=None, voided_at=None).update(voided_at=timezone.now())
        record(
            "account.reactivated" if active else "account.deactivated",
            actor=actor_for_user(staff_user),
            organisation=account.organisation,
            person=account.person_id,
            username=user.get_username(),
        )
        if not active:
            from meldpunt.cases.ownership import release_unavailable

            # The handler's open cases go back to the team, and the other handlers are told.
            release_unavailable(account.organisation, actor=actor_for_user(staff_user))
    return True


def is_set_up(user) -> bool:
    """Has the holder finished a set-up link (a password and a second factor)?"""
    return user.has_usable_password() and (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def reset_second_factor(account: StaffAccount, *, staff_user, new_password: bool = False) -> str:
    """Remove every second factor (authenticator apps, passkeys, recovery
    codes) and make a new set-up link, with which the holder enrols again.
    Their open sessions end at the next request. With ``new_password`` the
    password is cleared too and the link asks for a new one. Also the way to
    renew an expired link of a login that was never set up."""
    check_may_manage(staff_user, account.person)
    with transaction.atomic():
        account = _locked(account)
        user = account.user
        if not user.is_active:
            raise AccountRefused(
                _("Deze login is gedeactiveerd. Activeer hem eerst weer."),
                code="inactive",
            )
        event = "account.second_factor_reset" if is_set_up(user) else "account.setup_link_renewed"
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        WebAuthnCredential.objects.filter(user=user).delete()
        if new_password and user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        url, link = _new_link(user, actor_for_user(staff_user))
        record(
            event,
            actor=actor_for_user(staff_user),
            organisation=account.organisation,
            person=account.person_id,
            username=user.get_username(),
            new_password=not user.has_usable_password(),
            link_expires=link.expires_at.isoformat(),
        )
    return url
