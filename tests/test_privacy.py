"""Reporters leave no trace: no address, no user agent, nothing from other sites."""

import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from meldpunt.cases.models import Case

ADDRESS = "203.0.113.77"
AGENT = "Mozilla/5.0 (UniekeBrowserHandtekening)"
REFERRER = "https://zoekmachine.example/zoek?q=melden+wethouder"
PUBLIC_PAGES = ["/voorbeeldstad/", "/voorbeeldstad/melden/", "/voorbeeldstad/postvak/"]


def _report(client):
    return client.post(
        "/voorbeeldstad/melden/",
        {
            "action": "verstuur",
            "relation": "inwoner",
            "anonymous": "ja",
            "description": "Beschrijving",
            "told_before": "nee",
            "wishes": ["gehoord"],
        },
        REMOTE_ADDR=ADDRESS,
        HTTP_USER_AGENT=AGENT,
        HTTP_REFERER=REFERRER,
        HTTP_X_FORWARDED_FOR=ADDRESS,
    )


@pytest.mark.django_db(transaction=True)
def test_no_address_agent_or_referrer_in_the_database_or_logs(client, caplog):
    from meldpunt.demo.loader import load_demo

    load_demo()
    with caplog.at_level(logging.DEBUG):
        assert _report(client).status_code == 302  # stored, on to the receipt
        client.post("/voorbeeldstad/postvak/", {"code": "1" * 24}, REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    assert Case.objects.count() == 1
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names come from the schema
            dump.extend(str(row) for row in cursor.fetchall())
    everything = "\n".join(dump) + caplog.text
    for trace in (ADDRESS, "UniekeBrowserHandtekening", "zoekmachine.example"):
        assert trace not in everything


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_strict_content_security_policy_and_privacy_headers(client, organisation, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_pages_reference_nothing_outside_meldpunt(client, organisation, url):
    page = client.get(url).content.decode()
    references = re.findall(r'(?:src|href|action)="([^"]+)"', page)
    assert references
    for reference in references:
        # tel: links (the vertrouwenspersoon's number) open the phone app; they load nothing.
        assert reference.startswith(("/", "#", "data:", "tel:")), reference


def test_stylesheets_load_nothing_from_other_sites():
    for css in Path(settings.BASE_DIR, "node_modules").glob("@*/*/dist/*.css"):
        text = css.read_text(errors="ignore")
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", text) + re.findall(r"@import\s+['\"]([^'\"]+)", text)
        for url in urls:
            assert url.startswith("data:") or not re.match(r"^[a-z]+:|^//", url), f"{css.name}: {url}"


@pytest.mark.django_db
def test_every_form_is_protected_against_cross_site_posts(organisation):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    for url, data in [
        ("/voorbeeldstad/melden/", {"action": "verstuur", "description": "x"}),
        ("/voorbeeldstad/postvak/", {"code": "1" * 24}),
        ("/account/inloggen/", {"username": "behandelaar1", "password": "x"}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 403
        assert "Het formulier is verlopen" in response.content.decode()
    assert not Case.objects.exists()


def test_production_cookie_settings(monkeypatch):
    """With MELDPUNT_HTTPS=true, cookies are secure and HTTP is redirected."""
    import importlib
    import os

    import meldpunt.settings as settings_module

    monkeypatch.setenv("MELDPUNT_HTTPS", "true")
    try:
        fresh = importlib.reload(settings_module)
        assert fresh.SESSION_COOKIE_SECURE and fresh.CSRF_COOKIE_SECURE and fresh.LANGUAGE_COOKIE_SECURE
        assert fresh.SECURE_SSL_REDIRECT and fresh.SECURE_HSTS_SECONDS >= 31536000
        assert fresh.SESSION_COOKIE_HTTPONLY
    finally:
        monkeypatch.delenv("MELDPUNT_HTTPS")
        importlib.reload(settings_module)
    assert os.environ.get("MELDPUNT_HTTPS") is None


@pytest.mark.django_db
def test_an_organisation_swaps_in_its_own_theme_without_touching_templates(client, organisation, settings):
    settings.THEME_CSS = "theme/mijnstad.css"
    settings.THEME_CLASS = "mijnstad-theme"
    page = client.get("/voorbeeldstad/").content.decode()
    assert 'href="/static/theme/mijnstad.css"' in page
    assert 'class="utrecht-document mijnstad-theme"' in page
    assert "voorbeeld-theme" not in page
