"""The council figures read the cases from the figures index alone on
PostgreSQL (an index-only scan of ``case_figures``), never the wide case rows:
the index holds every column they count (``cases.models.FIGURES_COLUMNS``).
A column counted by the figures but missing from the index makes this fail."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from meldpunt.cijfers import figures
from tests.factories import report_about, walk_to


@pytest.mark.django_db
def test_the_figures_read_only_the_figures_index(organisation, person):
    if connection.vendor != "postgresql":
        pytest.skip("covering indexes (INCLUDE) are PostgreSQL's; SQLite keeps the plain index")
    report_about(organisation, person("Henk Bosman"))
    closed, _code = report_about(organisation, person("Pieter de Groot"))
    walk_to(closed, "afgesloten")  # a closed case: the handling-time percentiles are computed too
    today = datetime.date.today()
    period = figures.Period(today - datetime.timedelta(days=400), today + datetime.timedelta(days=1), "test")
    with CaptureQueriesContext(connection) as captured:
        figures.count(organisation, period)
    # The queries that read the cases themselves: the counts and the percentiles.
    of_cases = [q["sql"] for q in captured.captured_queries if q["sql"].replace('"', "").count("FROM cases_case WHERE")]
    assert len(of_cases) == 2, of_cases
    with transaction.atomic(), connection.cursor() as cursor:
        # Any other way of reading the rows is priced out, so the plan shows whether the index covers the query.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_indexscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        for sql in of_cases:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index Only Scan using case_figures on cases_case" in plan, plan
