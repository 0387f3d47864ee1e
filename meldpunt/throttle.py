"""Rate limits: receipt-code attempts and report submissions (per client and
for the whole installation), failed staff logins (per client and per
username; a username's allowance is larger than one client's), and wrong
staff API tokens (per client and for the whole installation).

Every limit is "at most N in any period of W seconds", kept as a sliding
window in the shared cache (``Window``): nothing resets on the minute, so a
burst at the end of one minute is still counted at the start of the next.

A request that a limit refuses is counted nowhere: it cost no argon2 check
and stored nothing, so one client hammering the door exhausts only its own
allowance, never the installation's.

The client's address is never stored or logged: it is turned into an HMAC
under a key derived from the secret key and today's date, and only that
(irreversible, different every day) value is used in a cache key, which
expires after two windows.
"""

import datetime
import hashlib
import hmac
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone


def _client_token(request) -> str:
    address = request.META.get(settings.CLIENT_ADDRESS_HEADER, "") or request.META.get("REMOTE_ADDR", "")
    # A proxy appends the address it saw to X-Forwarded-For; earlier entries
    # come from the client and can be forged, so the last one counts.
    address = address.split(",")[-1].strip()
    day_key = hmac.new(settings.SECRET_KEY.encode(), timezone.now().strftime("%Y-%m-%d").encode(), hashlib.sha256)
    return hmac.new(day_key.digest(), address.encode(), hashlib.sha256).hexdigest()[:32]


def _subject_token(subject: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), subject.lower().encode(), hashlib.sha256).hexdigest()[:32]


# A window is kept as counts per slot of 1/SLOTS of its length, in one cache
# entry: a hit counts until its whole slot has left the window, so no more
# than the limit is ever let through in any period of the window's length,
# and a client may be refused at most 1/SLOTS of the window longer than exact.
SLOTS = 60
UNREAD = object()  # a window's cache entry not read yet


@dataclass(frozen=True)
class Window:
    """At most ``limit`` hits in any ``seconds`` seconds, counted under ``key``."""

    key: str
    limit: int
    seconds: int

    @property
    def _slot_seconds(self) -> float:
        return self.seconds / SLOTS

    @property
    def cache_key(self) -> str:
        return f"{self.key}:{self.seconds}"

    def _counts(self, now: float, stored=UNREAD) -> tuple[int, dict[int, int]]:
        """The current slot, and the hits per slot that still count. ``stored``:
        the cache entry when the caller read it already (``_take`` reads all its windows at once)."""
        current = int(now // self._slot_seconds)
        if stored is UNREAD:
            stored = cache.get(self.cache_key)
        return current, {slot: n for slot, n in (stored or {}).items() if slot >= current - SLOTS}

    def free_at(self, now: float, stored=UNREAD) -> float:
        """The first moment (seconds since the epoch) at which one more hit is allowed."""
        _current, counts = self._counts(now, stored)
        used, moment = sum(counts.values()), now
        for slot in sorted(counts):
            if used < self.limit:
                break
            used -= counts[slot]
            moment = (slot + SLOTS + 1) * self._slot_seconds  # when this slot stops counting
        return moment

    def hit(self, now: float, stored=UNREAD) -> None:
        # get + set rather than an atomic update: two requests at the same
        # instant may count as one. The limits are far below what guessing a
        # code would need, so that is harmless.
        current, counts = self._counts(now, stored)
        counts[current] = counts.get(current, 0) + 1
        cache.set(self.cache_key, counts, math.ceil(self.seconds + 2 * self._slot_seconds))


def _take(windows: list[Window]) -> datetime.datetime | None:
    """Count one hit in every window and return None, or, when any window is
    full, count nothing and return the moment from which all would allow one."""
    now = timezone.now().timestamp()
    # The windows are read in one query, and what was read is what is counted on.
    stored = cache.get_many([window.cache_key for window in windows])
    free_at = max(window.free_at(now, stored.get(window.cache_key)) for window in windows)
    if free_at > now:
        return datetime.datetime.fromtimestamp(math.ceil(free_at), tz=datetime.UTC)
    # One write transaction for all windows (the cache is a database table):
    # one commit, and on SQLite one turn at the write lock instead of one per window.
    with transaction.atomic():
        for window in windows:
            window.hit(now, stored.get(window.cache_key))
    return None


def receipt_attempt_refused_until(request) -> datetime.datetime | None:
    """None when this receipt-code attempt may go ahead (and is counted); else
    the moment from which this client may try again."""
    return _take(
        [
            Window(
                f"receipt-attempts:client:{_client_token(request)}",
                settings.RECEIPT_ATTEMPTS_PER_CLIENT,
                settings.RECEIPT_ATTEMPTS_WINDOW,
            ),
            Window("receipt-attempts:all", settings.RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE, 60),
        ]
    )


def allow_receipt_attempt(request) -> bool:
    """Count one attempt; False when this client or everyone together tried too often."""
    return receipt_attempt_refused_until(request) is None


def report_submission_refused_until(request) -> datetime.datetime | None:
    """None when this report may be stored (and is counted); else the moment
    from which this client may send it again. Call it before argon2 runs."""
    return _take(
        [
            Window(
                f"report-submissions:client:{_client_token(request)}",
                settings.REPORT_SUBMISSIONS_PER_CLIENT,
                settings.REPORT_SUBMISSIONS_WINDOW,
            ),
            Window("report-submissions:all", settings.REPORT_SUBMISSIONS_GLOBAL_PER_HOUR, 60 * 60),
        ]
    )


def _api_token_windows(request) -> list[Window]:
    # One client's allowance is far below the installation's, and a refused
    # check is counted nowhere, so a single client cannot use up the global budget.
    return [
        Window(
            f"api-token-failures:client:{_client_token(request)}",
            settings.API_TOKEN_FAILURES_PER_CLIENT,
            settings.API_TOKEN_FAILURES_WINDOW,
        ),
        Window("api-token-failures:all", settings.API_TOKEN_FAILURES_GLOBAL_PER_MINUTE, 60),
    ]


def api_token_refused_until(request) -> datetime.datetime | None:
    """Before a staff API token is checked: None when the check may go ahead,
    else the moment from which this client may try again (it, or all clients
    together, presented too many wrong tokens lately). Counts nothing."""
    now = timezone.now().timestamp()
    free_at = max(window.free_at(now) for window in _api_token_windows(request))
    return datetime.datetime.fromtimestamp(math.ceil(free_at), tz=datetime.UTC) if free_at > now else None


def count_api_token_failure(request) -> list[str]:
    """Count one wrong token in every window; returns the windows it filled
    ("client", "all"): from now on they refuse until they free up."""
    now = timezone.now().timestamp()
    filled = []
    with transaction.atomic():
        for scope, window in zip(("client", "all"), _api_token_windows(request), strict=True):
            window.hit(now)
            if window.free_at(now) > now:
                filled.append(scope)
    return filled


def _login_windows(request, username: str) -> list[Window]:
    # A username allows more failures than one client may make, so that one
    # client cannot lock a staff member out; many clients together still can't guess.
    seconds = settings.LOGIN_FAILURES_WINDOW
    return [
        Window(f"login-failures:client:{_client_token(request)}", settings.LOGIN_FAILURES_ALLOWED, seconds),
        Window(f"login-failures:user:{_subject_token(username)}", settings.LOGIN_FAILURES_PER_USERNAME, seconds),
    ]


def login_blocked(request, username: str) -> bool:
    """True when this client, or anyone trying this username, failed too often lately."""
    now = timezone.now().timestamp()
    return any(window.free_at(now) > now for window in _login_windows(request, username))


def count_login_failure(request, username: str) -> None:
    now = timezone.now().timestamp()
    for window in _login_windows(request, username):
        window.hit(now)
