"""Who is calling the API: a staff member by personal token, or a reporter by inbox session.

Both are ``Authorization: Bearer ...`` headers, never cookies, so no browser
sends them on its own and the API needs no CSRF protection.

* ``StaffToken``: a personal API token (``meldpunt.api.tokens``). What it
  opens is decided per request by ``meldpunt.cases.access``, as on the pages.
* ``InboxSession``: the token a reporter gets for their receipt code
  (``POST /api/v1/{org}/postvak/sessies``). It is a server-side session like
  the browser's inbox session (``meldpunt.melden.session``): it holds the
  case's public id, ends after 30 minutes without a request, and is ended
  by ``DELETE .../postvak/sessie``.
"""

import re
from importlib import import_module

from django.conf import settings
from ninja.security import HttpBearer

from meldpunt.api import tokens

_SESSION_KEY_SHAPE = re.compile(r"[a-z0-9]{32}")


class StaffToken(HttpBearer):
    """Personal API token of a staff member (made on the account page, /account/)."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        # Wrong tokens are limited per client and in total (tokens.check raises AttemptsRefused).
        staff = tokens.check(request, token)
        if staff is None:
            return None
        request.staff = staff
        request.organisation = staff.organisation
        return staff


class InboxSession(HttpBearer):
    """The reporter's inbox session token, from POST /api/v1/{org}/postvak/sessies."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        if not _SESSION_KEY_SHAPE.fullmatch(token):
            return None
        store = session_store(session_key=token)
        if not store.exists(token):
            return None
        return store


def session_store(session_key=None):
    """A session of the configured session engine (the same store as the browser's sessions)."""
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
