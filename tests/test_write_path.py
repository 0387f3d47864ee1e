"""The submission's write path: SQLite in WAL mode, and the per-organisation
case number and audit chain head taken last in the transaction."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meldpunt.audit.log import verify_all
from meldpunt.audit.models import AuditEvent
from meldpunt.cases.actions import FileInput, ReportInput, submit_report
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
def test_case_number_is_taken_apart_and_the_audit_head_last(organisation, person):
    # Tried: a report about a registry person with one file; the queries it ran, in order.
    with CaptureQueriesContext(connection) as queries:
        case, code = report_about(
            organisation, person("Henk Bosman"), files=[FileInput("brief.txt", "text/plain", b"om 14:00 gebeld")]
        )
    sql = [q["sql"].lower() for q in queries.captured_queries]

    def first(pattern):
        return next(i for i, text in enumerate(sql) if re.search(pattern, text))

    def last(pattern):
        return max(i for i, text in enumerate(sql) if re.search(pattern, text))

    # The counter row is locked in a transaction (here: a savepoint) of its own, ended before the case is stored.
    counter = last(r"cases_casecounter")
    case_row = first(r"insert into \"cases_case\"")
    assert counter < case_row
    assert any(re.match(r"(release savepoint|commit)", text) for text in sql[counter:case_row])
    # The audit chain's head is locked after every other row of the submission.
    audit_head = first(r"audit_audithead")
    for row in (
        r"insert into \"cases_subjectlink\"",
        r"insert into \"cases_attachment\"",
        r"insert into \"protocol_caserecipient\"",
        r"insert into \"notifications_notification\"",
        r"insert into \"bewijs_filingproof\"",
    ):
        assert last(row) < audit_head, row
    assert not any(re.match(r'update "cases_case" set "reference"', text) for text in sql), "stored with its number"
    stored = Case.objects.get(pk=case.pk)
    assert re.fullmatch(r"\d{4}-\d{4}", stored.reference)
    assert AuditEvent.objects.filter(case_reference=stored.reference, action="case.created").count() == 1
    assert all(report.ok for report in verify_all())


UNSTORED = ReportInput(relation="inwoner", anonymous=True, description="Niet opgeslagen.", wishes=[], subjects=[])


@pytest.mark.django_db
def test_a_submission_that_fails_after_taking_its_number_leaves_an_explained_gap(organisation, person):
    # Tried: a report whose storing fails after the number was taken (the form's one-time token refused).
    before = report_about(organisation, person("Henk Bosman"))[0]

    def refuse(_case, _code):
        raise RuntimeError("token already used")

    with pytest.raises(RuntimeError):
        submit_report(organisation, UNSTORED, on_stored=refuse)
    after = report_about(organisation, person("Henk Bosman"))[0]
    first, second = (int(case.reference.split("-")[1]) for case in (before, after))
    assert second == first + 2
    unused = f"{before.reference.split('-')[0]}-{first + 1:04d}"
    assert not Case.objects.filter(reference=unused).exists()
    event = AuditEvent.objects.get(action="case.number_unused")
    assert event.case_reference == unused and event.actor == "system"
    assert all(report.ok for report in verify_all())


@pytest.mark.django_db
def test_numbers_follow_each_other_without_gaps(organisation, person):
    # Tried: three reports in a row; their numbers are consecutive.
    numbers = [int(report_about(organisation, person("Henk Bosman"))[0].reference.split("-")[1]) for _ in range(3)]
    assert numbers == list(range(numbers[0], numbers[0] + 3))


@pytest.mark.django_db(transaction=True)
def test_reports_sent_at_once_each_get_their_own_number_the_first_of_a_year_too():
    """Tried: eight reports at the same moment (eight threads, each with its own
    connection) in a year that has no case yet, so all eight race to start
    the year's counter; on SQLite and PostgreSQL alike. Every report gets a
    number, no number twice, none skipped."""
    import threading

    from django.db import connections

    from meldpunt.cases.models import CaseCounter
    from meldpunt.demo.loader import load_demo
    from meldpunt.organisations.models import Organisation
    from tests.factories import ReportInputFactory

    load_demo()
    organisation = Organisation.objects.get(slug="voorbeeldstad")
    CaseCounter.objects.filter(organisation=organisation).delete()
    start, references, errors = threading.Barrier(8), [], []

    def send():
        try:
            start.wait(timeout=30)
            references.append(submit_report(organisation, ReportInputFactory())[0].reference)
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    year = references[0].split("-")[0]
    assert sorted(references) == [f"{year}-{n:04d}" for n in range(1, 9)]
    assert CaseCounter.objects.get(organisation=organisation, year=int(year)).last == 8


@pytest.mark.django_db
def test_postgresql_prepares_the_statements_a_connection_repeats(organisation, person):
    # Tried: six reports in a row on one connection; the fifth use of a statement prepares it,
    # so the server parses and plans the submission's statements once per connection.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    for _ in range(6):
        report_about(organisation, person("Henk Bosman"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any(text.startswith('INSERT INTO "cases_case"') for text in prepared), prepared
    assert Case.objects.count() == 6
