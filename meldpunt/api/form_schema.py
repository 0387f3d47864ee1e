"""The API's multipart request bodies, described from the web forms themselves.

Report submission and messages take ``multipart/form-data`` with the same
fields as the web form, and the endpoint hands them to that same form, so
the API and the page validate alike. This module writes the OpenAPI schema
of such a body from the form's fields (types, choices, lengths, required),
so the reference can never drift from what the form accepts.
"""

from django import forms

from meldpunt.cases.forms import FREE_SUBJECT_ROWS, PERSON_PREFIX, MultipleFileField
from meldpunt.cases.models import SubjectLink
from meldpunt.cases.validators import MAX_SHORT


def _choices(field) -> list[str]:
    return [str(value) for value, _label in field.choices if value != ""]


def field_schema(field: forms.Field) -> dict:
    if isinstance(field, MultipleFileField):
        return {"type": "array", "items": {"type": "string", "format": "binary"}}
    if isinstance(field, forms.MultipleChoiceField):
        return {"type": "array", "items": {"type": "string", "enum": _choices(field)}}
    if isinstance(field, forms.ChoiceField):
        return {"type": "string", "enum": _choices(field) + ([""] if not field.required else [])}
    if isinstance(field, forms.DateField):
        return {"type": "string", "format": "date"}
    schema = {"type": "string"}
    if isinstance(field, forms.EmailField):
        schema["format"] = "email"
    if getattr(field, "max_length", None):
        schema["maxLength"] = field.max_length
    return schema


def form_body(form_class, *, leave_out=(), extra: dict | None = None, description: str = "") -> dict:
    """An OpenAPI ``requestBody`` (multipart/form-data) for ``form_class``."""
    properties, required = {}, []
    for name, field in form_class.base_fields.items():
        if name in leave_out:
            continue
        schema = field_schema(field)
        schema["description"] = str(field.label or name)
        properties[name] = schema
        if field.required:
            required.append(name)
    properties.update(extra or {})
    encoding = {name: {"style": "form", "explode": True} for name, s in properties.items() if s["type"] == "array"}
    schema = {"type": "object", "properties": properties, "required": required}
    return {
        "required": True,
        "description": description,
        "content": {"multipart/form-data": {"schema": schema, "encoding": encoding}},
    }


def free_subject_fields() -> dict:
    """The report form's typed-in people: name, function and role per row (1 to FREE_SUBJECT_ROWS)."""
    fields = {}
    for number in range(1, FREE_SUBJECT_ROWS + 1):
        fields[f"vrij_naam_{number}"] = {"type": "string", "maxLength": MAX_SHORT, "description": f"Naam {number}"}
        fields[f"vrij_functie_{number}"] = {
            "type": "string",
            "maxLength": MAX_SHORT,
            "description": f"Functie {number}",
        }
        fields[f"vrij_rol_{number}"] = {
            "type": "string",
            "enum": list(SubjectLink.Role.values),
            "description": f"Rol {number}",
        }
    return fields


PERSON_FIELDS_NOTE = (
    f"People from the registry: one field `{PERSON_PREFIX}<registry id>` per person, its value the role "
    f"({' or '.join(SubjectLink.Role.values)}); people typed in: `vrij_naam_N`, `vrij_functie_N`, `vrij_rol_N` "
    f"(N = 1 to {FREE_SUBJECT_ROWS})."
)
