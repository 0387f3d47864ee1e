"""The session store (meldpunt/sessions.py): a new session is written once,
a key that is taken already is never shared, and a later change is kept."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from meldpunt import sessions
from meldpunt.cases.actions import submit_report
from meldpunt.melden.session import SESSION_KEY
from meldpunt.sessions import SessionStore
from tests.factories import ReportInputFactory


def session_statements(captured) -> list[str]:
    return [q["sql"].split(None, 1)[0].upper() for q in captured.captured_queries if "django_session" in q["sql"]]


@pytest.mark.django_db
def test_opening_the_inbox_writes_the_new_session_once_and_it_opens_the_report(organisation):
    """Tried: the receipt code in a browser without a session. The session
    table sees one INSERT (no lookup of the new key, no UPDATE after it), and
    that row alone opens the inbox of this report."""
    case, code = submit_report(organisation, ReportInputFactory())
    reporter = Client()
    with CaptureQueriesContext(connection) as captured:
        assert reporter.post("/voorbeeldstad/postvak/", {"code": code}).status_code == 302
    assert session_statements(captured) == ["INSERT"]
    key = reporter.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(session_key=key).load()[SESSION_KEY] == str(case.public_id)
    assert reporter.get("/voorbeeldstad/postvak/melding/").status_code == 200


@pytest.mark.django_db
def test_a_new_session_never_takes_a_key_that_is_in_use(monkeypatch):
    """Tried: the random key of a new session comes out equal to another
    browser's session key. The INSERT fails, the store draws again, and the
    other session keeps its own data."""
    other = SessionStore()
    other["melder_case"] = "van een ander"
    other.create()
    draws = iter([other.session_key, "n" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda length, chars: next(draws))
    new = SessionStore()
    new["melder_case"] = "eigen"
    new.create()
    assert new.session_key == "n" * 32
    assert SessionStore(session_key=other.session_key).load() == {"melder_case": "van een ander"}
    assert SessionStore(session_key=new.session_key).load() == {"melder_case": "eigen"}


@pytest.mark.django_db
def test_a_change_after_the_first_write_is_written():
    """Tried: a session created, then changed in the same request, then saved
    again; and saved a third time unchanged (no statement)."""
    store = SessionStore()
    store["a"] = 1
    store.create()
    store["b"] = 2
    store.save()
    assert SessionStore(session_key=store.session_key).load() == {"a": 1, "b": 2}
    with CaptureQueriesContext(connection) as captured:
        store.save()
    assert session_statements(captured) == []
    assert Session.objects.filter(session_key=store.session_key).count() == 1
