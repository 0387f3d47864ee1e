"""Schemathesis fuzzes the API against the OpenAPI schema it serves (bounded, seeded).

For every operation of /api/v1/openapi.json, requests generated from the
schema go through the WSGI app as four callers: an anonymous visitor, the
reporter with the inbox token of their receipt code, a handler with a personal
API token, and a staff member who may not see the case (the accused
wethouder's token), with the path parameters pointing at the real
organisation and case, so the fuzzed bodies reach the endpoints' own code;
and once with the generated path parameters as they are, as the handler.

Checked for every response: never a server error, the status is one the
schema documents, the content type is the documented one, and the body
conforms to the documented schema (problem+json included).
"""

import contextlib

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from meldpunt import throttle
from meldpunt.api.tokens import create_token
from meldpunt.wsgi import application
from tests.factories import report_about

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ["anonymous", "reporter", "handler", "not_visible"]
STAFF = {"handler": "behandelaar1", "not_visible": "wethouder"}


@contextlib.contextmanager
def database_kept_open():
    """A request through the WSGI app ends with Django closing old database connections,
    which would end the test's transaction; Django's own test client leaves that out too
    (and connects it again after each of its requests, so this wraps each call)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def callers(organisation, person):
    throttle.forget()  # rate-limit windows from earlier tests
    case, code = report_about(organisation, person("Henk Bosman"))
    login = Client().post("/api/v1/voorbeeldstad/postvak/sessies", {"code": str(code)}, "application/json")
    headers = {"anonymous": {}, "reporter": {"Authorization": f"Bearer {login.json()['token']}"}}
    for role, username in STAFF.items():
        _row, token = create_token(get_user_model().objects.get(username=username), "schemathesis", 30)
        headers[role] = {"Authorization": f"Bearer {token}"}
    return case, headers


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_against_its_schema(case, callers):
    real_case, headers = callers
    if case.path_parameters:
        # First the generated path as it is (organisations, cases and files that do not exist),
        # as a handler, so look-ups of hostile values are fuzzed too.
        with database_kept_open():
            case.call_and_validate(headers=headers["handler"], checks=CHECKS)
    if "org" in (case.path_parameters or {}):
        case.path_parameters["org"] = "voorbeeldstad"
    if "reference" in (case.path_parameters or {}):
        case.path_parameters["reference"] = real_case.reference
    # Every generated request as each caller in turn (one world per operation keeps the suite fast).
    for role in ROLES:
        with database_kept_open():
            case.call_and_validate(headers=headers[role], checks=CHECKS)
