"""Rate limits: receipt-code attempts (per client and for the whole
installation) and failed staff logins (per client and per username).

The client's address is never stored or logged: it is turned into an HMAC
under a key derived from the secret key and today's date, and only that
(irreversible, different every day) value is used as a cache key, which
expires after the window.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


def _client_token(request) -> str:
    address = request.META.get(settings.CLIENT_ADDRESS_HEADER, "") or request.META.get("REMOTE_ADDR", "")
    # A proxy appends the address it saw to X-Forwarded-For; earlier entries
    # come from the client and can be forged, so the last one counts.
    address = address.split(",")[-1].strip()
    day_key = hmac.new(settings.SECRET_KEY.encode(), timezone.now().strftime("%Y-%m-%d").encode(), hashlib.sha256)
    return hmac.new(day_key.digest(), address.encode(), hashlib.sha256).hexdigest()[:32]


def _hit(key: str, timeout: int) -> int:
    # get + set rather than incr: the database cache's incr resets the
    # expiry. Two requests at the same instant may count as one; the limits
    # are far below what guessing a code would need, so that is harmless.
    count = (cache.get(key) or 0) + 1
    cache.set(key, count, timeout)
    return count


def allow_receipt_attempt(request) -> bool:
    """Count one attempt; False when this client or everyone together tried too often."""
    now = int(timezone.now().timestamp())
    window = settings.RECEIPT_ATTEMPTS_WINDOW
    global_count = _hit(f"receipt-attempts:all:{now // 60}", 60)
    client_count = _hit(f"receipt-attempts:client:{_client_token(request)}:{now // window}", window)
    return (
        client_count <= settings.RECEIPT_ATTEMPTS_PER_CLIENT
        and global_count <= settings.RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE
    )


def _subject_token(subject: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), subject.lower().encode(), hashlib.sha256).hexdigest()[:32]


def _login_keys(request, username: str) -> list[str]:
    bucket = int(timezone.now().timestamp()) // settings.LOGIN_FAILURES_WINDOW
    return [
        f"login-failures:client:{_client_token(request)}:{bucket}",
        f"login-failures:user:{_subject_token(username)}:{bucket}",
    ]


def login_blocked(request, username: str) -> bool:
    """True when this client, or anyone trying this username, failed too often lately."""
    return any((cache.get(key) or 0) >= settings.LOGIN_FAILURES_ALLOWED for key in _login_keys(request, username))


def count_login_failure(request, username: str) -> None:
    for key in _login_keys(request, username):
        _hit(key, settings.LOGIN_FAILURES_WINDOW)
