"""Safeguards around what Meldpunt keeps: the key file, the secret key file,
the stored receipt hash and the files a request may hold in memory."""

import base64
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from meldpunt import crypto, private_files
from meldpunt.cases.models import Case
from meldpunt.cases.receipts import SECRET_DIGITS, ReceiptCode, find_case, secret_matches
from tests.factories import report_about

ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _key_line(key_id: str, byte: int) -> str:
    return f"{key_id} {base64.b64encode(bytes([byte]) * crypto.KEY_BYTES).decode()}\n"


# The key file ---------------------------------------------------------------------------------------


def test_a_key_file_with_a_duplicate_key_id_is_refused(tmp_path):
    """Tried: two lines with the id k1 and different keys (the second would
    silently have replaced the first, which wraps the existing cases)."""
    path = tmp_path / "kek.key"
    path.write_text(_key_line("k1", 1) + _key_line("k2", 2) + _key_line("k1", 3))
    with pytest.raises(ImproperlyConfigured, match="line 3: key id 'k1' appears more than once"):
        crypto.KeyRing.from_file(path)


def test_meldpunt_does_not_start_with_a_duplicate_key_id(tmp_path):
    """Tried: `manage.py check` (any start-up) with such a key file."""
    path = tmp_path / "kek.key"
    path.write_text(_key_line("k1", 1) + _key_line("k1", 3))
    environment = {
        key: value for key, value in os.environ.items() if key not in ("MELDPUNT_SECRET_KEY", "MELDPUNT_KEY_FILE")
    }
    environment.update(MELDPUNT_KEY_FILE=str(path), MELDPUNT_STATE_DIR=str(tmp_path / "state"))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "key id 'k1' appears more than once" in result.stderr


# Files only Meldpunt may read -----------------------------------------------------------------------


@pytest.fixture
def interrupted_after_writing(monkeypatch):
    """Start-up dies right after a file was written, before any chmod could
    run; with a usual umask a file created plainly would be world-readable."""
    previous = os.umask(0o022)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("stopped before chmod")

    monkeypatch.setattr(os, "chmod", crash)
    monkeypatch.setattr(Path, "chmod", crash)
    yield
    os.umask(previous)


def _others_may_read(path: Path) -> bool:
    return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)


def test_the_generated_secret_key_is_never_readable_by_others(tmp_path, monkeypatch, interrupted_after_writing):
    from meldpunt import settings as meldpunt_settings

    monkeypatch.delenv("MELDPUNT_SECRET_KEY", raising=False)
    monkeypatch.setattr(meldpunt_settings, "STATE_DIR", tmp_path / "state")
    try:
        secret = meldpunt_settings._secret_key()
    except KeyboardInterrupt:
        secret = None
    path = tmp_path / "state" / "secret_key"
    assert path.exists()
    assert not _others_may_read(path)
    assert secret is None or path.read_text() == secret
    # A second start reads the same key.
    assert meldpunt_settings._secret_key() == path.read_text()


def test_the_key_file_is_never_readable_by_others(tmp_path, interrupted_after_writing):
    path = tmp_path / "keys" / "kek.key"
    assert crypto.create_key_file(path)
    assert not _others_may_read(path)
    assert crypto.KeyRing.from_file(path).active_id


def test_a_private_file_that_exists_is_left_alone(tmp_path):
    """Tried: two processes creating the secret key at once; the second finds the first's."""
    path = tmp_path / "secret_key"
    assert private_files.create_private_file(path, "first")
    assert not private_files.create_private_file(path, "second")
    assert path.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left behind


# The stored receipt hash ----------------------------------------------------------------------------


def test_an_empty_stored_hash_never_matches_even_an_all_zero_secret():
    zeros = ReceiptCode(lookup="123456", secret="0" * SECRET_DIGITS)
    assert not secret_matches(zeros, "")
    assert not secret_matches(zeros, None)


@pytest.mark.django_db
def test_the_database_refuses_an_empty_receipt_hash(organisation, person):
    case, code = report_about(organisation, person("Henk Bosman"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(receipt_hash="")
    zeros = ReceiptCode(lookup=code.lookup, secret="0" * SECRET_DIGITS)
    assert find_case(organisation, str(zeros)) is None
    assert find_case(organisation, str(code)) == case


# Files per request ----------------------------------------------------------------------------------


def test_a_request_holds_the_bytes_of_no_more_files_than_the_form_accepts(settings):
    """Tried: 10 files of 2,000 bytes in one request, where the form takes 5."""
    settings.ATTACHMENT_MAX_FILES = 5
    files = [SimpleUploadedFile(f"b{i}.pdf", PDF + b" " * (2000 - len(PDF))) for i in range(10)]
    request = RequestFactory().post("/voorbeeldstad/melden/", {"files": files})
    received = request.FILES.getlist("files")
    assert [upload.size for upload in received] == [2000] * 10  # every file counted, with its real size
    assert sum(len(upload.read()) for upload in received) == 5 * 2000


def test_django_refuses_whole_only_what_the_form_could_not_explain(settings):
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 2 * settings.ATTACHMENT_MAX_FILES


@pytest.mark.django_db
def test_ten_files_get_the_forms_message_and_keep_what_was_typed(client, organisation):
    files = [SimpleUploadedFile(f"b{i}.pdf", PDF) for i in range(10)]
    response = client.post(
        "/voorbeeldstad/melden/",
        {
            "action": "verstuur",
            "relation": "inwoner",
            "anonymous": "ja",
            "description": "Tien bestanden bij mijn melding.",
            "contact_context": "hulpvraag",
            "told_before": "nee",
            "wishes": ["gehoord"],
            "files": files,
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "hoogstens 5 bestanden" in page
    assert "Tien bestanden bij mijn melding." in page
    assert not Case.objects.exists()
