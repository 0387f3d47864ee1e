"""Rate limits: receipt-code attempts and report submissions (per client and
for the whole installation), failed staff logins (per client and per
username; a username's allowance is larger than one client's), and wrong
staff API tokens (per client and for the whole installation).

Every limit is "at most N in any period of W seconds", kept as a sliding
window (``Window``) in the database (``SlotCount``, one row per window and
slot): nothing resets on the minute, so a burst at the end of one minute is
still counted at the start of the next.

Counting is atomic: a hit is one upsert that adds 1 to the slot's row, and
the check reads the windows after that, in the same short transaction; the
row stays locked until the commit, so concurrent requests of one client (or
against the global window) are counted one after the other and no more than
the limit ever get through, however many arrive at once (only at a slot's
boundary may two requests both get the last place). Rows are never culled to
make room, as a cache would: only slots that no longer count are deleted.

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
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
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


# A window is kept as counts per slot of 1/SLOTS of its length, one row per
# slot: a hit counts until its whole slot has left the window, so no more
# than the limit is ever let through in any period of the window's length,
# and a client may be refused at most 1/SLOTS of the window longer than exact.
SLOTS = 60
# How often (seconds) a process deletes the slots that no longer count.
PRUNE_EVERY = 60
_pruned_at = 0.0


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
    def row_key(self) -> str:
        return f"{self.key}:{self.seconds}"

    def slot(self, now: float) -> int:
        return int(now // self._slot_seconds)

    def slot_expires(self, slot: int) -> float:
        """When a hit in ``slot`` stops counting (seconds since the epoch)."""
        return (slot + SLOTS + 1) * self._slot_seconds

    def free_at(self, now: float, counts: dict[int, int]) -> float:
        """The first moment (seconds since the epoch) at which one more hit is
        allowed, given the hits per slot that still count (``_counted``)."""
        used, moment = sum(counts.values()), now
        for slot in sorted(counts):
            if used < self.limit:
                break
            used -= counts[slot]
            moment = self.slot_expires(slot)
        return moment


def _counted(windows: list[Window], now: float) -> list[dict[int, int]]:
    """Per window, its hits per slot that still count (one query for all)."""
    from meldpunt.throttle.models import SlotCount

    oldest = {window.row_key: window.slot(now) - SLOTS for window in windows}
    counts: dict[str, dict[int, int]] = {key: {} for key in oldest}
    for key, slot, hits in SlotCount.objects.filter(key__in=oldest).values_list("key", "slot", "hits"):
        if slot >= oldest[key]:
            counts[key][slot] = hits
    return [counts[window.row_key] for window in windows]


# The one statement written by hand: Django's ORM has no "add 1 on conflict".
# Only the number of "(%s, %s, 1, %s)" groups varies; every value is a parameter.
_UPSERT = (
    'INSERT INTO "throttle_slotcount" ("key", "slot", "hits", "expires") VALUES {rows} '
    'ON CONFLICT ("key", "slot") DO UPDATE SET "hits" = "throttle_slotcount"."hits" + 1'
)


def _count(windows: list[Window], now: float) -> None:
    """One more hit in every window's current slot, in one statement that adds
    1 in the database, so no hit is lost between two requests; the slot's row
    stays locked until the caller's transaction ends."""
    rows = [(window.row_key, window.slot(now), window.slot_expires(window.slot(now))) for window in windows]
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT.format(rows=", ".join(["(%s, %s, 1, %s)"] * len(rows))),
            [value for row in rows for value in row],
        )


def _prune(now: float) -> None:
    """Delete the slots that no longer count, at most once a minute per process."""
    global _pruned_at
    if now - _pruned_at < PRUNE_EVERY:
        return
    from meldpunt.throttle.models import SlotCount

    _pruned_at = now
    SlotCount.objects.filter(expires__lt=now).delete()


def forget() -> None:
    """Every count gone (for tests that start from no earlier attempts)."""
    from meldpunt.throttle.models import SlotCount

    SlotCount.objects.all().delete()


def _refused_until(windows: list[Window], now: float, counted: list[dict[int, int]]) -> datetime.datetime | None:
    free_at = max(window.free_at(now, counts) for window, counts in zip(windows, counted, strict=True))
    return datetime.datetime.fromtimestamp(math.ceil(free_at), tz=datetime.UTC) if free_at > now else None


def _take(windows: list[Window]) -> datetime.datetime | None:
    """Count one hit in every window and return None, or, when any window is
    full, count nothing and return the moment from which all would allow one."""
    now = time.time()
    with transaction.atomic():
        _count(windows, now)
        counted = _counted(windows, now)
        if any(sum(counts.values()) > window.limit for window, counts in zip(windows, counted, strict=True)):
            # Refused: counted nowhere (this hit is undone), so it uses up no one's allowance.
            transaction.set_rollback(True)
            for window, counts in zip(windows, counted, strict=True):
                counts[window.slot(now)] -= 1
            return _refused_until(windows, now, counted)
    _prune(now)
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
    windows, now = _api_token_windows(request), time.time()
    return _refused_until(windows, now, _counted(windows, now))


def count_api_token_failure(request) -> list[str]:
    """Count one wrong token in every window; returns the windows it filled
    ("client", "all"): from now on they refuse until they free up."""
    windows, now = _api_token_windows(request), time.time()
    with transaction.atomic():
        _count(windows, now)
        counted = _counted(windows, now)
    _prune(now)
    return [
        scope
        for scope, window, counts in zip(("client", "all"), windows, counted, strict=True)
        if window.free_at(now, counts) > now
    ]


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
    windows, now = _login_windows(request, username), time.time()
    return _refused_until(windows, now, _counted(windows, now)) is not None


def count_login_failure(request, username: str) -> None:
    now = time.time()
    with transaction.atomic():
        _count(_login_windows(request, username), now)
    _prune(now)
