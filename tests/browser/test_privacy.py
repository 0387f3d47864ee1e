"""A reporter's browser talks to Meldpunt only, and pages may not run inline script."""

import pytest

from tests.browser.conftest import PHONE
from tests.browser.journeys import report_anonymously

# What the page looks like is the same whatever database is behind it: the SQLite run only (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.database_independent]


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed.setdefault(words[0].lower(), words[1:])
    return parsed


def test_reporter_pages_load_nothing_from_elsewhere_and_forbid_inline_script(demo, live_server, new_context, shot):
    context = new_context(javascript=False, viewport=PHONE)
    requests, documents = [], []
    context.on("request", lambda request: requests.append(request.url))
    context.on(
        "response",
        lambda response: documents.append(response) if response.request.resource_type == "document" else None,
    )
    page = context.new_page()

    report_anonymously(page, live_server.url, shot)

    assert requests
    elsewhere = [url for url in requests if not (url.startswith(live_server.url + "/") or url.startswith("data:"))]
    assert elsewhere == [], f"requests to other places: {elsewhere}"

    # start, report form, search round trip, receipt (answer to the post), inbox
    assert len(documents) >= 5, [r.url for r in documents]
    for response in documents:
        policy = response.headers.get("content-security-policy")
        assert policy, f"no Content-Security-Policy on {response.url}"
        parsed = directives(policy)
        script_src = parsed.get("script-src", parsed.get("default-src"))
        assert script_src is not None, f"{response.url}: {policy}"
        assert "'unsafe-inline'" not in script_src, f"{response.url}: {policy}"
        assert "'unsafe-eval'" not in script_src, f"{response.url}: {policy}"
