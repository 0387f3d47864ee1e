"""The organisation signing keys (meldpunt/signing.py): sign and verify,
one organisation's signature is not another's, rotation keeps old signatures
valid, a removed key verifies nothing, bad input gives False and never raises."""

import base64
import random
import secrets

import pytest
from django.core.exceptions import ImproperlyConfigured

from meldpunt import signing
from meldpunt.organisations.models import Organisation

MESSAGE = b"MELDPUNT-TEST v1\nzaak 2026-0001\n"


@pytest.fixture
def two_organisations(db):
    first = Organisation.objects.create(name="Gemeente Voorbeeldstad", slug="voorbeeldstad")
    second = Organisation.objects.create(name="Gemeente Anderdorp", slug="anderdorp")
    return first, second


@pytest.fixture
def key_file_at(settings, tmp_path):
    """Point the settings at a signing key file written by the test; the
    session's key file is back in place afterwards."""

    def use(text: str):
        path = tmp_path / f"signing-{secrets.token_hex(3)}.key"
        path.write_text(text)
        settings.SIGNING_KEY_FILE = path
        signing.clear_cache()
        return path

    yield use
    signing.clear_cache()


def line(key_id: str) -> str:
    return f"{key_id} {base64.b64encode(secrets.token_bytes(32)).decode()}\n"


def test_a_signature_verifies_for_its_organisation_and_message(two_organisations):
    first, _ = two_organisations
    signature = signing.sign(first, MESSAGE)
    assert len(signature.signature) == 64
    assert signing.verify(first, signature.key_id, MESSAGE, signature.signature)
    assert not signing.verify(first, signature.key_id, MESSAGE + b" ", signature.signature)


def test_another_organisations_key_does_not_verify(two_organisations):
    first, second = two_organisations
    signature = signing.sign(first, MESSAGE)
    assert not signing.verify(second, signature.key_id, MESSAGE, signature.signature)
    assert not signing.verify(None, signature.key_id, MESSAGE, signature.signature)
    assert signing.public_keys(first)[0].raw != signing.public_keys(second)[0].raw


def test_the_installation_signs_with_its_own_key(two_organisations):
    first, _ = two_organisations
    signature = signing.sign(None, MESSAGE)
    assert signing.verify(None, signature.key_id, MESSAGE, signature.signature)
    assert not signing.verify(first, signature.key_id, MESSAGE, signature.signature)


def test_the_published_public_key_verifies_with_plain_ed25519(two_organisations):
    first, _ = two_organisations
    signature = signing.sign(first, MESSAGE)
    [public] = signing.public_keys(first)
    assert public.active and public.key_id == signature.key_id and len(public.raw) == 32
    assert base64.b64decode(public.b64) == public.raw
    assert signing.verify_with_public_key(public.raw, MESSAGE, signature.signature)
    assert not signing.verify_with_public_key(public.raw, MESSAGE, bytes(64))


def test_keys_are_stable_across_a_reread_of_the_file(two_organisations):
    first, _ = two_organisations
    before = signing.public_keys(first)
    signing.clear_cache()
    assert signing.public_keys(first) == before


def test_rotation_keeps_old_signatures_valid_and_signs_with_the_new_key(two_organisations, key_file_at):
    first, _ = two_organisations
    old = line("soud")
    key_file_at(old)
    before = signing.sign(first, MESSAGE)
    assert before.key_id == "soud"

    key_file_at(line("snieuw") + old)  # rotation: a new first line, the old key kept below it
    after = signing.sign(first, MESSAGE)
    assert after.key_id == "snieuw"
    assert signing.verify(first, "soud", MESSAGE, before.signature)
    assert signing.verify(first, "snieuw", MESSAGE, after.signature)
    assert not signing.verify(first, "snieuw", MESSAGE, before.signature)
    keys = signing.public_keys(first)
    assert [(k.key_id, k.active) for k in keys] == [("snieuw", True), ("soud", False)]


def test_a_removed_key_verifies_nothing(two_organisations, key_file_at):
    first, _ = two_organisations
    key_file_at(line("sgestolen"))
    stolen = signing.sign(first, MESSAGE)
    key_file_at(line("svervanger"))  # after a compromise the old line is removed
    assert not signing.verify(first, "sgestolen", MESSAGE, stolen.signature)
    assert [k.key_id for k in signing.public_keys(first)] == ["svervanger"]


@pytest.mark.parametrize(
    "key_id, message, signature",
    [
        ("onbekend", MESSAGE, bytes(64)),  # a key id that is not in the file
        (None, MESSAGE, bytes(64)),  # no key id
        ("ACTIVE", MESSAGE, b""),  # an empty signature
        ("ACTIVE", MESSAGE, bytes(63)),  # a truncated signature
        ("ACTIVE", MESSAGE, bytes(65)),  # a signature too long
        ("ACTIVE", MESSAGE, "x" * 64),  # a signature that is text, not bytes
        ("ACTIVE", "tekst", bytes(64)),  # a message that is text, not bytes
        ("ACTIVE", None, bytes(64)),  # no message
        ("ACTIVE", MESSAGE, None),  # no signature
        ("ACTIVE", MESSAGE, random.Random(9).randbytes(64)),  # random bytes
    ],
)
def test_bad_input_gives_false_and_never_raises(two_organisations, key_id, message, signature):
    first, _ = two_organisations
    if key_id == "ACTIVE":
        key_id = signing.signing_ring().active_id
    assert signing.verify(first, key_id, message, signature) is False


def test_an_unsaved_organisation_does_not_verify_and_cannot_sign(db):
    unsaved = Organisation(name="Gemeente Nergens", slug="nergens")
    assert signing.verify(unsaved, signing.signing_ring().active_id, MESSAGE, bytes(64)) is False
    with pytest.raises(ValueError):
        signing.sign(unsaved, MESSAGE)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "holds no key"),
        ("sa c2hvcnQ=\n", "must be 32 bytes"),
        ("sa\n", "expected"),
        (line("sdubbel") + line("sdubbel"), "more than once"),
    ],
)
def test_a_wrong_key_file_is_refused(key_file_at, text, problem):
    key_file_at(text)
    with pytest.raises(ImproperlyConfigured, match=problem):
        signing.check_signing_key_file()


def test_create_signing_key_file_writes_a_private_file_once(tmp_path):
    path = tmp_path / "keys" / "signing.key"
    assert signing.create_signing_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    first = path.read_text()
    assert not signing.create_signing_key_file(path)
    assert path.read_text() == first
    ring = signing.SigningRing.from_file(path)
    assert ring.active_id.startswith("s") and len(ring.seeds[ring.active_id]) == 32


def test_create_key_also_makes_the_signing_key_file_and_leaves_it_alone_after(settings, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    settings.KEY_FILE = tmp_path / "kek.key"
    settings.SIGNING_KEY_FILE = tmp_path / "signing.key"
    out = StringIO()
    call_command("create_key", stdout=out)
    assert "Created signing key" in out.getvalue()
    first = settings.SIGNING_KEY_FILE.read_text()
    out = StringIO()
    call_command("create_key", stdout=out)
    assert "already exists; left unchanged" in out.getvalue()
    assert settings.SIGNING_KEY_FILE.read_text() == first
    signing.clear_cache()
