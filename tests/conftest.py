"""Shared fixtures: the demo municipality, named actors, and logged-in staff.

Actors are people of Gemeente Voorbeeldstad (meldpunt/demo/data.py, all
fictional): "the handler" is Ingrid Vos of the integrity office, "the
wethouder" is Henk Bosman (Wonen), and so on.
"""

import os

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt import crypto
from meldpunt.registry.models import Person
from tests import demo_snapshot

DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


def uses_the_database(item) -> bool:
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))) or item.get_closest_marker("django_db")


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL run (`make test-postgres`) leaves out what cannot differ between
    databases, since the SQLite run has just run it: tests that touch no database
    (pure functions, hypothesis properties of routing and deadlines, the docs and
    translation checks) and tests marked `database_independent` (how browser pages
    look). MELDPUNT_TEST_ALL=1 runs everything on PostgreSQL too."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return
    if os.environ.get("MELDPUNT_TEST_ALL") == "1":
        return
    kept, left_out = [], []
    for item in items:
        independent = not uses_the_database(item) or item.get_closest_marker("database_independent")
        (left_out if independent else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """The SQLite test database (and the `-writers.lock` file beside it,
    meldpunt/sqlite_writers) in this run's temporary directory, not in state/:
    nothing is left there after a run. tests/browser/conftest.py does the same."""
    from django.conf import settings

    for alias, db_settings in settings.DATABASES.items():
        if db_settings["ENGINE"] in ("django.db.backends.sqlite3", "meldpunt.sqlite_writers"):
            test = db_settings.setdefault("TEST", {})
            test["NAME"] = str(tmp_path_factory.mktemp("db") / f"test-{alias}.sqlite3")


@pytest.fixture(autouse=True, scope="session")
def key_file(tmp_path_factory):
    """Every test session gets its own key-encryption key, never the developer's."""
    from django.conf import settings

    path = tmp_path_factory.mktemp("keys") / "kek.key"
    crypto.create_key_file(path)
    settings.KEY_FILE = path
    crypto.keyring.cache_clear()
    yield path
    crypto.keyring.cache_clear()


@pytest.fixture(autouse=True, scope="session")
def signing_key_file(tmp_path_factory):
    """Every test session gets its own signing key, never the developer's."""
    from django.conf import settings

    from meldpunt import signing

    path = tmp_path_factory.mktemp("signing") / "signing.key"
    signing.create_signing_key_file(path)
    settings.SIGNING_KEY_FILE = path
    signing.clear_cache()
    yield path
    signing.clear_cache()


@pytest.fixture(autouse=True, scope="session")
def audit_key_file(tmp_path_factory):
    """Every test session gets its own audit key, never the developer's."""
    from django.conf import settings

    from meldpunt.audit.keys import audit_keys, create_audit_key_file

    path = tmp_path_factory.mktemp("audit-keys") / "audit.key"
    create_audit_key_file(path)
    settings.AUDIT_KEY_FILE = path
    audit_keys.cache_clear()
    yield path
    audit_keys.cache_clear()


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Staff passwords are argon2-hashed in production; in tests the demo's
    seven accounts would cost a second per test, so use a fast hasher.
    Receipt codes keep their real argon2id parameters."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


@pytest.fixture
def organisation(db):
    """Gemeente Voorbeeldstad: load_demo()'s rows, inserted again after the first
    time in this process (tests/demo_snapshot.py)."""
    return demo_snapshot.demo()


@pytest.fixture
def person(organisation):
    def find(name: str) -> Person:
        return Person.objects.get(organisation=organisation, name=name)

    return find


def verified_client(username: str) -> Client:
    """A client logged in as a demo staff member with the second factor passed."""
    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


@pytest.fixture
def handler_client(organisation):
    return verified_client("behandelaar1")


@pytest.fixture
def staff_client(organisation):
    return verified_client


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in Dutch: a request in English leaves its language
    active in the thread, which would leak into the next test's direct calls."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
