"""One report per report form, and the receipt shown once (issue 15, points 2 and 3).

The report form carries a one-time submission token (``TOKEN_FIELD``) from its
first render through every round trip. Storing a report claims the token:
the digest of the token is written, unique, in the same transaction as the
case (``claim``). The same token posted again — a reload of the POST, back
and send again, a double click, two requests at once — finds that row
(``AlreadySent``) and stores nothing.

After sending, the browser is redirected to the receipt page (Post/Redirect/
Get). The receipt code is shown there from a *one-time view*:

* the database row holds the code sealed under a key derived from the token
  (``meldpunt.crypto.seal_for_token_holder``) and the time the view ends;
* the token itself lives only in the reporter's browser, in a cookie limited
  to this organisation's pages (``COOKIE``), HttpOnly, SameSite=Strict, that
  lasts ``RECEIPT_VIEW_SECONDS``.

So the receipt page can be reloaded or switched to another language and
still shows the code, for ``RECEIPT_VIEW_SECONDS`` or until the reporter goes
to the inbox, whichever comes first; then the sealed code is erased. A
database dump holds the token's digest and a ciphertext whose key needs the
token: the receipt code is never at rest in a form anyone can read.
"""

import datetime
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from meldpunt import crypto
from meldpunt.melden.models import Submission

TOKEN_FIELD = "verzendtoken"  # noqa: S105 - a form field name, not a secret
COOKIE = "meldpunt_ontvangst"
RECEIPT_VIEW_SECONDS = 30 * 60
_DIGEST = "submission-token"
_SEAL = "receipt-view"
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


class AlreadySent(Exception):
    """A report was already stored with this token."""


def posted_token(request) -> str | None:
    token = request.POST.get(TOKEN_FIELD, "")
    return token if _TOKEN_SHAPE.fullmatch(token) else None


def token_for_form(request) -> str:
    """The token the form carries: the one it came with, else a new one."""
    return (posted_token(request) if request.method == "POST" else None) or crypto.new_token()


def find(organisation, token: str | None, *, purpose: str = _DIGEST) -> Submission | None:
    if not token:
        return None
    return (
        Submission.objects.filter(token_digest=crypto.token_digest(token, purpose), case__organisation=organisation)
        .select_related("case")
        .first()
    )


def claim(token: str, *, purpose: str = _DIGEST, request_digest: str = ""):
    """``on_stored`` for ``actions.submit_report``: claim the token beside the case, in its transaction.
    (The API's Idempotency-Key is such a token, under its own ``purpose``, with the digest of the request.)"""

    def on_stored(case, code) -> None:
        row = Submission(
            token_digest=crypto.token_digest(token, purpose),
            request_digest=request_digest,
            case=case,
            sealed_receipt=crypto.seal_for_token_holder(token, f"{_SEAL}|{case.public_id}", str(code)),
            receipt_until=timezone.now() + datetime.timedelta(seconds=RECEIPT_VIEW_SECONDS),
        )
        # No savepoint: a token claimed already ends the whole submission
        # (AlreadySent leaves submit_report's transaction, which rolls back).
        try:
            with transaction.atomic(savepoint=False):
                row.save()
        except IntegrityError:
            raise AlreadySent from None

    return on_stored


def receipt_code(submission: Submission | None, token: str | None) -> str | None:
    """The receipt code while the one-time view is open, else None."""
    if submission is None or not token or submission.sealed_receipt is None:
        return None
    if submission.receipt_until <= timezone.now():
        end_view(submission)
        return None
    try:
        return crypto.open_for_token_holder(token, f"{_SEAL}|{submission.case.public_id}", submission.sealed_receipt)
    except crypto.DecryptionError:
        return None


def end_view(submission: Submission | None) -> None:
    if submission is not None and submission.sealed_receipt is not None:
        Submission.objects.filter(pk=submission.pk).update(sealed_receipt=None)
        submission.sealed_receipt = None


# A process looks for ended views at most once in this many seconds.
ERASE_EVERY = 60
_erased_at = float("-inf")


def erase_expired_views() -> None:
    """Ended views lose their sealed code even if nobody looks again (called on
    every submission; looks at most once a minute per process, so a busy
    server does not ask it with every report, and an ended view's ciphertext
    stays at most that much longer than its half hour; the receipt page
    itself never opens an ended view). Looked for first: mostly there is
    none, and a read does not wait for SQLite's one writer."""
    global _erased_at
    now = timezone.now()
    if 0 <= now.timestamp() - _erased_at < ERASE_EVERY:  # (a clock set back looks again)
        return
    _erased_at = now.timestamp()
    ended = Submission.objects.filter(receipt_until__lte=now, sealed_receipt__isnull=False)
    if ended.exists():
        ended.update(sealed_receipt=None)


def remember_in_browser(response, organisation, token: str) -> None:
    from django.conf import settings

    response.set_cookie(
        COOKIE,
        token,
        max_age=RECEIPT_VIEW_SECONDS,
        path=f"/{organisation.slug}/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def forget_in_browser(response, organisation) -> None:
    response.delete_cookie(COOKIE, path=f"/{organisation.slug}/", samesite="Strict")


def browser_token(request) -> str | None:
    token = request.COOKIES.get(COOKIE, "")
    return token if _TOKEN_SHAPE.fullmatch(token) else None
