"""Browser tests: headless Chromium through Playwright against the live server.

One browser for the whole session, a fresh context (cookies, storage) per
test or per actor. Every page visited is saved as a full-page screenshot in
test-artifacts/screenshots/<test>/<nn>-<page>.png.
"""

import os
import re
from pathlib import Path

import pytest

from meldpunt import throttle

# Playwright's sync API runs an event loop in this thread; Django would
# otherwise refuse database access from the test body.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from meldpunt.demo.loader import load_demo  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """A test database of this run's own: the shared file in state/ may be
    created and dropped by another test run at the same moment."""
    from django.conf import settings

    for alias, db_settings in settings.DATABASES.items():
        test = db_settings.setdefault("TEST", {})
        if db_settings["ENGINE"] in ("django.db.backends.sqlite3", "meldpunt.sqlite_writers"):
            test["NAME"] = str(tmp_path_factory.mktemp("db") / f"test-{alias}.sqlite3")
        else:
            test["NAME"] = f"{test.get('NAME') or 'test_' + db_settings['NAME']}_browser_{os.getpid()}"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        # Fail, not skip: a journey that cannot run must not look like a pass.
        pytest.fail(f"{CHROMIUM} is not installed; `make test` installs Debian's chromium when run as root")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db, live_server, settings):
    """Gemeente Voorbeeldstad, visible to the live server's thread.

    Its seven staff passwords are hashed with a fast hasher: Argon2 would
    spend most of each test's setup on them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No earlier attempts counted: the browser tests of one worker all come
    # from one address and would otherwise share one client's budget of reports.
    throttle.forget()
    return load_demo()


@pytest.fixture
def new_context(browser):
    """Make browser contexts (one per actor); all are closed after the test."""
    contexts = []

    def make(*, javascript=True, viewport=DESKTOP, locale="nl-NL", **options):
        context = browser.new_context(java_script_enabled=javascript, viewport=viewport, locale=locale, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


class Screenshots:
    def __init__(self, directory: Path):
        self.directory = directory
        self.count = 0
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob("*.png"):
            old.unlink()

    def __call__(self, page, name: str) -> None:
        self.count += 1
        path = str(self.directory / f"{self.count:02d}-{name}.png")
        try:
            page.screenshot(path=path, full_page=True)
        except PlaywrightError as error:
            # Chromium now and then refuses to capture a page of a context that
            # is not in front ("Unable to capture screenshot"). The screenshot is
            # a record, not an assertion: bring the page to the front and once more.
            if "Unable to capture screenshot" not in str(error):
                raise
            page.bring_to_front()
            page.wait_for_load_state()
            page.screenshot(path=path, full_page=True)


@pytest.fixture
def shot(request):
    """shot(page, "name") saves the page as the next numbered screenshot of this test."""
    return Screenshots(ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name))
