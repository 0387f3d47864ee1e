"""The JSON API (django-ninja): one NinjaAPI, its error answers and its OpenAPI schema.

Served under /api/v1/; the schema at /api/v1/openapi.json and the reference
page, rendered by Meldpunt from that schema, at /api/ (docs/api.md).
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from meldpunt.api import problems, reporter, staff, tokens

VERSION = "1"
PREFIX = f"/api/v{VERSION}"


class MeldpuntAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        return problem_responses(schema)


api = MeldpuntAPI(
    title="Meldpunt API",
    version=VERSION,
    description="Reports and the reporter's inbox; cases for staff with a personal API token. See /api/.",
    urls_namespace="api",
    docs_url=None,
)
api.add_router("", reporter.router)
api.add_router("", staff.router)
api.add_exception_handler(reporter.InboxClosed, reporter.inbox_closed)
api.add_exception_handler(tokens.AttemptsRefused, lambda request, exc: problems.too_many(exc.until))


def problem_responses(schema: dict) -> dict:
    """Every error answer is application/problem+json, and every operation documents
    the errors any request can get: 400 for input the schema refuses, 404 for a
    path that names nothing, 401 where a token is needed."""
    problem_ref = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            schemes = {name for entry in operation.get("security", ()) for name in entry}
            # A staff token may be refused unchecked after too many wrong ones (429).
            expected = (400, 404) + ((401,) if schemes else ()) + ((429,) if "StaffToken" in schemes else ())
            for status in expected:
                if status not in responses and str(status) not in responses:
                    responses[status] = {}
            for status, response in responses.items():
                if int(status) >= 400:
                    response["content"] = {problems.CONTENT_TYPE: problem_ref}
                    response["description"] = str(problems.TYPES[problems.KIND_BY_STATUS[int(status)]][1])
    return schema


@api.exception_handler(ValidationError)
def refused_by_schema(request, exc):
    return problems.invalid(problems.schema_errors(exc.errors))


@api.exception_handler(AuthenticationError)
def not_authenticated(request, exc):
    return problems.problem(
        problems.UNAUTHENTICATED,
        _("Stuur een geldig token mee: Authorization: Bearer <token>."),
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return problems.not_found()


@api.exception_handler(HttpError)
def unreadable(request, exc):
    # Ninja raises HttpError(400) for a body it cannot parse (not JSON).
    if exc.status_code == 400:
        return problems.invalid([{"field": "", "detail": _("De inhoud van het verzoek is geen geldige JSON.")}])
    raise exc


@api.exception_handler(Exception)
def request_limits(request, exc):
    response = problems.request_limit(exc)
    if response is None:
        raise exc
    return response
