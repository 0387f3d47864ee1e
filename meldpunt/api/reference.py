"""The API reference page: rendered by Meldpunt from its own OpenAPI schema.

Plain HTML with the site's stylesheets: no script, no CDN, so it works under
the strict Content-Security-Policy like every other page.
"""

from django.shortcuts import render

from meldpunt.api import problems
from meldpunt.api.main import PREFIX, api

METHODS = ("get", "post", "put", "patch", "delete")


def _type_of(schema: dict, components: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_of(s, components) for s in schema["anyOf"])
    kind = schema.get("type", "")
    if kind == "array":
        return f"[{_type_of(schema.get('items', {}), components)}]"
    if schema.get("format"):
        kind = f"{kind} ({schema['format']})"
    if schema.get("enum"):
        kind += ": " + ", ".join(str(v) if v != "" else '""' for v in schema["enum"])
    return kind


def _fields(schema: dict, components: dict) -> list[dict]:
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": _type_of(field, components),
            "required": name in required,
            "description": field.get("description", "") or field.get("title", ""),
        }
        for name, field in schema.get("properties", {}).items()
    ]


def operations(schema: dict) -> list[dict]:
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            media, content = next(iter(body.items()), (None, {}))
            found.append(
                {
                    "id": operation.get("operationId", ""),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tag": (operation.get("tags") or [""])[0],
                    "token": bool(operation.get("security")),
                    "parameters": [
                        {"name": p["name"], "where": p["in"], "type": _type_of(p.get("schema", {}), components)}
                        for p in operation.get("parameters", [])
                    ],
                    "body_media": media,
                    "body_note": operation.get("requestBody", {}).get("description", ""),
                    "body": _fields(content.get("schema", {}), components) if media else [],
                    "responses": [
                        {
                            "status": status,
                            "description": response.get("description", ""),
                            "media": ", ".join(response.get("content", {})),
                            "type": ", ".join(
                                _type_of(c.get("schema", {}), components) for c in response.get("content", {}).values()
                            ),
                        }
                        for status, response in sorted(operation.get("responses", {}).items(), key=lambda r: str(r[0]))
                    ],
                }
            )
    return found


def reference(request):
    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    context = {
        "schema": schema,
        "operations": operations(schema),
        "schemas": [(name, _fields(s, components)) for name, s in sorted(components.items())],
        "problem_types": [
            {"kind": kind, "status": status, "title": title, "explanation": problems.EXPLANATION[kind]}
            for kind, (status, title) in problems.TYPES.items()
        ],
        "openapi_url": f"{PREFIX}/openapi.json",
    }
    return render(request, "api/reference.html", context)
