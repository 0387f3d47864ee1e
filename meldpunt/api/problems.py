"""Errors of the API as RFC 9457 problem details (``application/problem+json``).

Every error has ``type`` (a link to its explanation on the API reference
page), ``title``, ``status`` and ``detail``; refused input also has
``errors``, one entry per field that was wrong, naming the field
(``field``; empty for a problem with the input as a whole) and saying what
is wrong (``detail``). The words are those of the web forms, in the
caller's language (``Accept-Language``: Dutch unless English is asked for).
"""

from django import forms
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.errors import limit_hit

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "/api/#probleem-"

INVALID, NOT_FOUND, UNAUTHENTICATED, TOO_MANY, CONFLICT, ALREADY_SENT = (
    "ongeldige-invoer",
    "niet-gevonden",
    "niet-ingelogd",
    "te-veel-verzoeken",
    "niet-mogelijk",
    "al-verstuurd",
)
# Problem type -> (status, title). The reference page explains each (meldpunt/api/reference.py).
TYPES = {
    INVALID: (400, gettext_lazy("De invoer is niet in orde")),
    UNAUTHENTICATED: (401, gettext_lazy("Niet ingelogd")),
    NOT_FOUND: (404, gettext_lazy("Niet gevonden")),
    CONFLICT: (409, gettext_lazy("Dit kan niet meer")),
    TOO_MANY: (429, gettext_lazy("Te veel verzoeken")),
    ALREADY_SENT: (409, gettext_lazy("Al verstuurd met deze sleutel")),
}
# The first kind of each status describes that status in the schema.
KIND_BY_STATUS = {status: kind for kind, (status, _title) in reversed(TYPES.items())}
EXPLANATION = {
    INVALID: gettext_lazy(
        "Een of meer velden zijn niet in orde; het veld errors noemt elk veld met wat eraan schort. "
        "Er is niets opgeslagen."
    ),
    UNAUTHENTICATED: gettext_lazy(
        "Geen geldig token meegestuurd (Authorization: Bearer ...): ontbrekend, verlopen of ingetrokken, of het "
        "account heeft geen tweede factor meer."
    ),
    NOT_FOUND: gettext_lazy(
        "Dit bestaat niet, of u mag het niet zien: beide geven hetzelfde antwoord, zodat niemand leert dat een "
        "zaak bestaat."
    ),
    CONFLICT: gettext_lazy(
        "De zaak staat in een status waarin dit niet kan (bijvoorbeeld: ingetrokken of afgesloten). Er is niets "
        "veranderd."
    ),
    TOO_MANY: gettext_lazy(
        "Vanaf uw verbinding, of in totaal, zijn in korte tijd te veel verzoeken gedaan. Retry-After zegt na hoeveel "
        "seconden het weer kan. Er is niets opgeslagen."
    ),
    ALREADY_SENT: gettext_lazy(
        "Met deze Idempotency-Key is al een melding verstuurd. Dezelfde melding opnieuw krijgt binnen een half uur "
        "hetzelfde antwoord met dezelfde ontvangstcode; een andere melding met dezelfde sleutel, of dezelfde na dat "
        "half uur, krijgt dit antwoord. Er is niets opnieuw opgeslagen."
    ),
}


def problem(kind: str, detail: str, *, errors: list[dict] | None = None, headers: dict | None = None) -> JsonResponse:
    status, title = TYPES[kind]
    body = {"type": TYPE_BASE + kind, "title": str(title), "status": status, "detail": str(detail)}
    if errors is not None:
        body["errors"] = errors
    response = JsonResponse(body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def invalid(errors: list[dict]) -> JsonResponse:
    return problem(INVALID, _("Niet alle velden zijn in orde. Er is niets opgeslagen."), errors=errors)


def not_found() -> JsonResponse:
    return problem(NOT_FOUND, _("Dit bestaat niet, of u mag het niet zien."))


def too_many(until) -> JsonResponse:
    """429 with Retry-After: the seconds until ``until`` (at least 1)."""
    import math

    from django.utils import timezone

    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    return problem(
        TOO_MANY,
        _(
            "Er zijn in korte tijd te veel verzoeken gedaan, vanaf uw verbinding of in totaal. Probeer het over "
            "%(seconds)d seconden opnieuw."
        )
        % {"seconds": seconds},
        headers={"Retry-After": str(seconds)},
    )


def field_errors(form) -> list[dict]:
    """A Django form's errors, one entry per message, naming the field ("" for the form as a whole)."""
    return [
        {"field": "" if field == "__all__" else field, "detail": str(message)}
        for field, messages in form.errors.items()
        for message in messages
    ]


# Pydantic's error types (what the schema refused before any form saw it), in the forms' words.
_OTHER = gettext_lazy("Deze waarde heeft niet de vorm die hier hoort.")


def _schema_message(error: dict) -> str:
    kind = error.get("type")
    if kind == "missing":
        return str(forms.Field.default_error_messages["required"])
    if kind in ("enum", "literal_error"):
        return str(forms.ChoiceField.default_error_messages["invalid_choice"]) % {"value": error.get("input", "")}
    return str(_OTHER)


def schema_errors(errors: list[dict]) -> list[dict]:
    """Ninja's validation errors (``loc`` = source, parameter, field...) as problem entries."""
    entries = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "code") -> "code"; ("path", "org") -> "org"; ("body", "payload") -> "".
        parts = loc[2:] if len(loc) > 2 else loc[1:] if loc[:1] in (["path"], ["query"], ["header"]) else []
        entries.append({"field": ".".join(parts), "detail": _schema_message(error)})
    return entries


def request_limit(exception) -> JsonResponse | None:
    """A request over one of Django's request limits (body size, files, fields), naming the limit."""
    if isinstance(exception, (RequestDataTooBig, TooManyFilesSent, TooManyFieldsSent)):
        return invalid([{"field": "", "detail": limit_hit(exception)}])
    return None
