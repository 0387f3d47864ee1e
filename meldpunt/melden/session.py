"""The reporter's access to their own case, held in a short session.

After a correct receipt code (or right after submitting) the session holds
the case's public id and the time of the last page view; nothing else about
the reporter is kept. The session cookie ends when the browser closes, and
the session ends after 30 minutes without a page view.
"""

import time

from meldpunt.cases.models import Case

SESSION_KEY = "melder_case"
LAST_SEEN_KEY = "melder_last_seen"
REPORTER_IDLE_SECONDS = 30 * 60


def open_inbox(request, case: Case) -> None:
    """A new session key (no fixation) whose first write holds the open inbox."""
    start_inbox(request.session, case)
    request.session.cycle_key()


def start_inbox(store, case: Case) -> None:
    """Open the inbox of ``case`` in a session store (the browser's, or an API inbox session)."""
    store[SESSION_KEY] = str(case.public_id)
    store[LAST_SEEN_KEY] = int(time.time())
    store.set_expiry(0)  # a browser-session cookie


def close_inbox(request) -> None:
    request.session.flush()


def reporter_case(request, organisation) -> Case | None:
    return case_in(request.session, organisation)


def case_in(store, organisation) -> Case | None:
    """The case whose inbox this session store holds open, or None (also after
    ``REPORTER_IDLE_SECONDS`` without a request, which ends the session)."""
    public_id = store.get(SESSION_KEY)
    if not public_id:
        return None
    now = int(time.time())
    if now - store.get(LAST_SEEN_KEY, 0) > REPORTER_IDLE_SECONDS:
        store.flush()
        return None
    store[LAST_SEEN_KEY] = now  # every page view keeps the inbox open
    return Case.objects.filter(organisation=organisation, public_id=public_id).select_related("organisation").first()
