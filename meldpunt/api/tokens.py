"""Personal API tokens for staff: the rules, in one place.

* A token belongs to one staff login and opens exactly what that login may
  open on the staff pages (``meldpunt.cases.access`` decides, per request).
* Only an account with a second factor (TOTP or passkey) gets a token, and a
  token stops working as soon as its account has no second factor left, is
  deactivated or is no longer linked to a registry person.
* The token is shown once, when it is made; only its SHA-256 digest is stored.
* Every token has an expiry (at most ``MAX_DAYS`` days) and can be revoked
  by its owner at any time. Making and revoking are audited.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from meldpunt import crypto
from meldpunt.accounts.models import StaffAccount
from meldpunt.accounts.passkeys import factor_count
from meldpunt.api.models import ApiToken
from meldpunt.audit.log import actor_for_user, record

PREFIX = "mpt_"
DIGEST_PURPOSE = "api-token"
LIFETIME_DAYS = (7, 30, 90)
MAX_DAYS = max(LIFETIME_DAYS)
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


class NoSecondFactor(Exception):
    """The account has no second factor; it gets no API token."""


def _digest(token: str) -> str:
    return crypto.token_digest(token, DIGEST_PURPOSE)


def tokens_of(user):
    return ApiToken.objects.filter(user=user)


def create_token(user, name: str, days: int) -> tuple[ApiToken, str]:
    """Make a token for ``user`` valid ``days`` days; returns the row and the token (shown once)."""
    if factor_count(user) < 1:
        raise NoSecondFactor
    if days not in LIFETIME_DAYS:
        raise ValueError(days)
    account = StaffAccount.objects.select_related("person__organisation").get(user=user)
    token = PREFIX + crypto.new_token()
    now = timezone.now()
    with transaction.atomic():
        row = ApiToken.objects.create(
            user=user,
            name=name,
            token_hash=_digest(token),
            prefix=token[: len(PREFIX) + 4],
            created_at=now,
            expires_at=now + datetime.timedelta(days=days),
        )
        record(
            "account.api_token_created",
            actor=actor_for_user(user),
            organisation=account.organisation,
            token_id=row.pk,
            name=name,
            expires_at=row.expires_at.isoformat(),
        )
    return row, token


def revoke_token(user, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s tokens (``ApiToken.DoesNotExist`` for someone else's)."""
    with transaction.atomic():
        row = tokens_of(user).select_for_update().get(pk=token_id)
        if row.revoked_at is None:
            row.revoked_at = timezone.now()
            row.save(update_fields=["revoked_at"])
            account = StaffAccount.objects.select_related("person__organisation").filter(user=user).first()
            record(
                "account.api_token_revoked",
                actor=actor_for_user(user),
                organisation=account.organisation if account else None,
                token_id=row.pk,
                name=row.name,
            )
    return row


def staff_for_token(token: str) -> StaffAccount | None:
    """The staff account a presented token opens, or None: unknown, expired or
    revoked token, deactivated login, no second factor left, or no registry person."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    now = timezone.now()
    row = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_digest(token), revoked_at=None, expires_at__gt=now)
        .first()
    )
    if row is None or not row.user.is_active or factor_count(row.user) < 1:
        return None
    account = StaffAccount.objects.select_related("user", "person__organisation").filter(user=row.user).first()
    if account is None:
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return account


class AttemptsRefused(Exception):
    """Too many wrong tokens lately, from this client or from all together: nothing is checked."""

    def __init__(self, until):
        super().__init__(until)
        self.until = until


def _why_refused(token: str):
    """Why a presented token opened nothing, and the row it names (None when unknown)."""
    row = None
    if token.startswith(PREFIX) and len(token) <= 100:
        row = ApiToken.objects.select_related("user").filter(token_hash=_digest(token)).first()
    if row is None:
        return "unknown", None
    if row.revoked_at is not None:
        return "revoked", row
    if row.expires_at <= timezone.now():
        return "expired", row
    if not row.user.is_active:
        return "inactive", row
    if factor_count(row.user) < 1:
        return "no_second_factor", row
    return "no_person", row


def check(request, token: str) -> StaffAccount | None:
    """The staff account ``token`` opens, under the limits on wrong tokens
    (``meldpunt.throttle``): raises ``AttemptsRefused`` without checking while
    this client or all clients together presented too many wrong tokens; a
    wrong token is counted and audited (``api.token_refused``: why, and the
    token's id and owner's organisation when it names one of ours; never the
    token or the address). Refused checks are not audited: nothing was tried."""
    from meldpunt import throttle

    until = throttle.api_token_refused_until(request)
    if until is not None:
        raise AttemptsRefused(until)
    staff = staff_for_token(token)
    if staff is not None:
        return staff
    filled = throttle.count_api_token_failure(request)
    reason, row = _why_refused(token)
    detail = {"reason": reason}
    if row is not None:
        detail["token_id"] = row.pk
    if filled:
        detail["limit_reached"] = filled
    account = StaffAccount.objects.select_related("person__organisation").filter(user=row.user).first() if row else None
    record(
        "api.token_refused",
        actor="api",  # whoever presented it; not necessarily the token's owner
        organisation=account.organisation if account is not None else None,
        **detail,
    )
    return None
