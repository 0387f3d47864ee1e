"""The reporter's access to their own case, held in a short session.

After a correct receipt code (or right after submitting) the session holds
the case's public id; nothing else about the reporter is kept. The session
ends when the browser closes or after 30 minutes without activity.
"""

from meldpunt.cases.models import Case

SESSION_KEY = "melder_case"
REPORTER_SESSION_SECONDS = 30 * 60


def open_inbox(request, case: Case) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = str(case.public_id)
    request.session.set_expiry(REPORTER_SESSION_SECONDS)


def close_inbox(request) -> None:
    request.session.flush()


def reporter_case(request, organisation) -> Case | None:
    public_id = request.session.get(SESSION_KEY)
    if not public_id:
        return None
    return Case.objects.filter(organisation=organisation, public_id=public_id).select_related("organisation").first()
