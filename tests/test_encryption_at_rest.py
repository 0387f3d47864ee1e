"""A database dump must reveal no report text, name or e-mail address.

We submit a report through the public form with recognisable text in every
field, then read the raw storage: the SQLite file on SQLite, a pg_dump of
the test database on PostgreSQL.
"""

import shutil
import subprocess

import pytest
from django.db import connection

from meldpunt.cases.models import Case
from meldpunt.demo.loader import load_demo

SECRET_TEXT = "ZwanenmeerOnthulling wethouder stuurde mij berichten"
SECRET_NAME = "Femke Uniekenaam"
SECRET_EMAIL = "femke.uniek@voorbeeld-melder.example"
SECRET_MESSAGE = "AntwoordMetGeheimWoord Kwartelkoning"
SECRET_FILE = b"BijlageInhoudGeheim Roerdomp"
SECRET_FREE_NAME = "Onbekende Buitenstaander Reigerbek"


def _submit(client, organisation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/{organisation.slug}/melden/",
        {
            "action": "verstuur",
            "relation": "inwoner",
            "anonymous": "nee",
            "name": SECRET_NAME,
            "email": SECRET_EMAIL,
            "description": SECRET_TEXT,
            "told_before": "ja",
            "told_before_details": "Aan mijn buurvrouw Grutto",
            "wishes": ["actie"],
            "vrij_naam_1": SECRET_FREE_NAME,
            "vrij_functie_1": "chauffeur",
            "vrij_rol_1": "beschuldigde",
            "files": [SimpleUploadedFile("notitie.txt", SECRET_FILE, content_type="text/plain")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]  # stored, on to the receipt
    client.post(f"/{organisation.slug}/postvak/melding/", {"body": SECRET_MESSAGE})
    return Case.objects.get()


def _secrets():
    return [SECRET_TEXT, SECRET_NAME, SECRET_EMAIL, SECRET_MESSAGE, SECRET_FILE.decode(), SECRET_FREE_NAME, "Grutto"]


@pytest.mark.django_db(transaction=True)
def test_raw_database_holds_no_report_content(client):
    organisation = load_demo()
    case = _submit(client, organisation)

    # The application can read it all back...
    assert case.content["description"] == SECRET_TEXT
    assert case.content["email"] == SECRET_EMAIL
    assert [m.body for m in case.messages.filter(author="melder")] == [SECRET_MESSAGE]
    assert case.attachments.get().read() == SECRET_FILE

    # ...but the stored bytes hold none of it.
    if connection.vendor == "sqlite":
        connection.close()
        raw = open(connection.settings_dict["NAME"], "rb").read()
        for wal in ("-wal", "-journal"):
            try:
                raw += open(connection.settings_dict["NAME"] + wal, "rb").read()
            except FileNotFoundError:
                pass
    else:
        pg_dump = shutil.which("pg_dump")
        assert pg_dump, "pg_dump is needed to check the PostgreSQL dump"
        params = connection.settings_dict
        raw = subprocess.run(
            [
                pg_dump,
                "-h",
                params["HOST"] or "127.0.0.1",
                "-p",
                str(params["PORT"] or 5432),
                "-U",
                params["USER"],
                params["NAME"],
            ],
            check=True,
            capture_output=True,
        ).stdout
    assert len(raw) > 10_000  # we really read the database
    assert b"Voorbeeldstad" in raw  # plain registry data is there, so the search is meaningful
    for secret in _secrets():
        assert secret.encode() not in raw, f"{secret!r} found in the raw database"
        assert secret.encode("utf-16-le") not in raw


@pytest.mark.django_db
def test_ciphertext_is_bound_to_its_case(organisation, person):
    """A sealed value copied into another case does not decrypt there."""
    from meldpunt.crypto import DecryptionError
    from tests.factories import report_about

    first, _ = report_about(organisation, person("Henk Bosman"))
    second, _ = report_about(organisation, person("Henk Bosman"))
    second.sealed_content = first.sealed_content
    second.save()
    second = Case.objects.get(pk=second.pk)
    with pytest.raises(DecryptionError):
        _ = second.content


@pytest.mark.django_db
def test_each_case_has_its_own_data_key(organisation, person):
    from tests.factories import report_about

    first, _ = report_about(organisation, person("Henk Bosman"))
    second, _ = report_about(organisation, person("Henk Bosman"))
    assert bytes(first.wrapped_key) != bytes(second.wrapped_key)
    assert first.key._key != second.key._key
