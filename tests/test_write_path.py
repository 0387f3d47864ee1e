"""The submission's write path: SQLite in WAL mode, and the per-organisation
case number and audit chain head taken last in the transaction."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meldpunt.audit.log import verify_all
from meldpunt.cases.actions import FileInput
from meldpunt.cases.models import Case
from tests.factories import report_about


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


@pytest.mark.django_db
def test_case_number_and_audit_head_are_locked_after_the_other_rows(organisation, person):
    # Tried: a report about a registry person with one file; the queries it ran, in order.
    with CaptureQueriesContext(connection) as queries:
        case, code = report_about(
            organisation, person("Henk Bosman"), files=[FileInput("brief.txt", "text/plain", b"om 14:00 gebeld")]
        )
    sql = [q["sql"].lower() for q in queries.captured_queries]

    def first(pattern):
        return next(i for i, text in enumerate(sql) if re.search(pattern, text))

    counter = first(r"cases_casecounter")
    audit_head = first(r"audit_audithead")
    for row in (
        r"insert into \"cases_case\"",
        r"insert into \"cases_subjectlink\"",
        r"insert into \"cases_attachment\"",
    ):
        assert first(row) < counter, row
    assert counter < audit_head
    stored = Case.objects.get(pk=case.pk)
    assert re.fullmatch(r"\d{4}-\d{4}", stored.reference)
    assert all(report.ok for report in verify_all())


@pytest.mark.django_db
def test_numbers_follow_each_other_without_gaps(organisation, person):
    # Tried: three reports in a row; their numbers are consecutive.
    numbers = [int(report_about(organisation, person("Henk Bosman"))[0].reference.split("-")[1]) for _ in range(3)]
    assert numbers == list(range(numbers[0], numbers[0] + 3))
