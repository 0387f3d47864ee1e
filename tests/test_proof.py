"""The proof of filing (meldpunt/bewijs, docs/proof.md).

Through the real report form: the proof is made at submission, offered on the
receipt page and in the inbox (PDF, text, the submitted document), and the
public page /bewijs/ says "Geldig" with the organisation and time. Every
single-field change, a forged, truncated or re-signed proof, another
organisation's proof, an image, a huge file, binary garbage and an empty paste
give "Niet geldig" or a clear message, never a 500. A proof made before a key
rotation still verifies; one whose key was removed does not.
"""

import base64
import datetime
import hashlib
import json
import random
import secrets
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given, settings, strategies

from meldpunt import signing
from meldpunt.audit.models import AuditEvent
from meldpunt.bewijs import proof
from meldpunt.bewijs.models import FilingProof
from meldpunt.cases.models import Case
from meldpunt.demo.cases import load_demo_cases
from meldpunt.organisations.models import Organisation
from tests.test_attack_uploads import PNG, REPORT, send_report

RECEIVED = datetime.datetime(2026, 11, 30, 9, 15, 2, tzinfo=datetime.UTC)
DIGEST = hashlib.sha256(b"een melding").hexdigest()
ATTACHMENT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_proof(organisation, *, reference="2026-0007", received=RECEIVED, sha256=DIGEST, signer=None) -> str:
    """A proof as Meldpunt writes it, signed by ``signer`` (default: the organisation it names)."""
    key_id = signing.signing_ring().active_id
    text = proof.statement(
        slug=organisation.slug,
        name=organisation.name,
        reference=reference,
        received_at=received,
        sha256=sha256,
        key_id=key_id,
    )
    signature = signing.sign(organisation if signer is None else signer, text.encode())
    return proof.armour(text, signature.signature)


def change_field(armoured: str, field: str, value: str) -> str:
    lines = armoured.splitlines()
    (index,) = [i for i, line in enumerate(lines) if line.startswith(f"{field}: ")]
    lines[index] = f"{field}: {value}"
    return "\n".join(lines) + "\n"


def one_changed_character(value: str) -> str:
    last = value[-1]
    return value[:-1] + ("0" if last != "0" else "1")


def verdict_of(response) -> str:
    content = response.content.decode()
    assert response.status_code == 200, content[:2000]
    if '<h2 class="utrecht-heading-2">Geldig</h2>' in content:
        return "geldig"
    assert '<h2 class="utrecht-heading-2">Niet geldig</h2>' in content, content[:3000]
    return "niet geldig"


def check_pasted(text: str):
    return Client().post("/bewijs/", {"proof_text": text})


def check_uploaded(data: bytes, name="bewijs.txt", content_type="text/plain", document: bytes | None = None):
    files = {"proof_file": SimpleUploadedFile(name, data, content_type=content_type)}
    if document is not None:
        files["document"] = SimpleUploadedFile("melding.json", document, content_type="application/json")
    return Client().post("/bewijs/", files)


@pytest.fixture
def two_organisations(db):
    first = Organisation.objects.create(name="Gemeente Voorbeeldstad", slug="voorbeeldstad")
    second = Organisation.objects.create(name="Gemeente Anderdorp", slug="anderdorp")
    return first, second


@pytest.fixture
def key_file_at(settings, tmp_path):
    def use(text: str):
        path = tmp_path / f"signing-{secrets.token_hex(3)}.key"
        path.write_text(text)
        settings.SIGNING_KEY_FILE = path
        signing.clear_cache()

    yield use
    signing.clear_cache()


def key_line(key_id: str) -> str:
    return f"{key_id} {base64.b64encode(secrets.token_bytes(32)).decode()}\n"


# Through the real form --------------------------------------------------------------------------------


@pytest.fixture
def filed(organisation):
    """A report sent through the public form with one attachment; the reporter's client has the inbox open."""
    client, response = send_report([("verslag.pdf", ATTACHMENT, "application/pdf")])
    assert response.status_code == 302
    case = Case.objects.get()
    return client, case


def test_a_report_from_the_form_has_a_proof_that_verifies_on_the_public_page(filed):
    client, case = filed
    receipt = client.get("/voorbeeldstad/melden/ontvangen/").content.decode()
    assert 'data-testid="filing-proof"' in receipt and proof.BEGIN in receipt

    text = client.get("/voorbeeldstad/postvak/bewijs/tekst/")
    assert text["Content-Disposition"] == f'attachment; filename="bewijs-{case.reference}.txt"'
    armoured = text.content.decode()
    assert f"zaak: {case.reference}\n" in armoured and "organisatie: voorbeeldstad\n" in armoured
    assert f"ontvangen: {proof.utc_text(case.received_at)}\n" in armoured

    page = check_pasted(armoured)
    assert verdict_of(page) == "geldig"
    content = page.content.decode()
    assert "Gemeente Voorbeeldstad (voorbeeldstad)" in content and case.reference in content
    # Nothing beyond what the proof says: not the report's text, not its state.
    assert REPORT["description"] not in content and case.get_state_display() not in content


def test_the_submitted_document_is_the_report_as_sent_and_its_digest_is_in_the_proof(filed):
    client, case = filed
    armoured = client.get("/voorbeeldstad/postvak/bewijs/tekst/").content.decode()
    response = client.get("/voorbeeldstad/postvak/bewijs/melding/")
    assert response["Content-Disposition"] == f'attachment; filename="melding-{case.reference}.json"'
    document = response.content
    assert f"sha256: {hashlib.sha256(document).hexdigest()}\n" in armoured

    fields = json.loads(document)
    assert fields["description"] == REPORT["description"]
    assert fields["attachments"] == [
        {"name": "verslag.pdf", "size": len(ATTACHMENT), "sha256": hashlib.sha256(ATTACHMENT).hexdigest()}
    ]
    assert fields["channel"] == "online" and fields["wishes"] == ["gehoord"] and fields["anonymous"] is True
    # Canonical: sorted keys, no whitespace between tokens, UTF-8.
    assert proof.canonical_json(fields) == document
    # Opening the content is audited.
    assert AuditEvent.objects.filter(action="case.read", case_reference=case.reference, actor="melder").exists()

    # The public page checks the document against the proof.
    matching = check_uploaded(armoured.encode(), document=document)
    assert verdict_of(matching) == "geldig"
    assert "De gekozen tekst hoort bij dit bewijs" in matching.content.decode()
    altered = document.replace(b"uiterlijk", b"Uiterlijk")
    other = check_uploaded(armoured.encode(), document=altered)
    assert verdict_of(other) == "geldig"
    assert "De gekozen tekst hoort niet bij dit bewijs" in other.content.decode()


def test_the_pdf_shows_the_case_number_and_digest(filed):
    client, case = filed
    response = client.get("/voorbeeldstad/postvak/bewijs/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="bewijs-{case.reference}.pdf"'
    assert response.content.startswith(b"%PDF")
    assert shutil.which("pdftotext"), "pdftotext (Debian's poppler-utils) is needed; make test installs it"
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
    text = text.decode()
    digest = FilingProof.objects.get(case=case).statement.split("sha256: ")[1].split("\n")[0]
    assert case.reference in text and "Gemeente Voorbeeldstad" in text
    assert f"sha256: {digest}" in text
    assert "Bewijs van indiening" in text


def test_the_inbox_offers_the_proof_after_logging_in_with_the_code(organisation):
    client = Client()
    client.post("/voorbeeldstad/melden/", REPORT)
    code = client.get("/voorbeeldstad/melden/ontvangen/").content.decode().split('data-testid="receipt-code">')[1]
    code = code.split("<")[0]
    later = Client()
    assert later.get("/voorbeeldstad/postvak/bewijs/tekst/").status_code == 302  # no inbox session: the code first
    assert later.post("/voorbeeldstad/postvak/", {"code": code}).status_code == 302
    inbox = later.get("/voorbeeldstad/postvak/melding/").content.decode()
    for testid in ("filing-proof", "proof-pdf", "proof-text", "proof-document", "proof-block"):
        assert f'data-testid="{testid}"' in inbox
    assert verdict_of(check_pasted(later.get("/voorbeeldstad/postvak/bewijs/tekst/").content.decode())) == "geldig"


def test_a_case_without_a_proof_offers_none(filed):
    client, case = filed
    FilingProof.objects.filter(case=case).delete()  # as for a report from before proofs existed
    assert 'data-testid="filing-proof"' not in client.get("/voorbeeldstad/postvak/melding/").content.decode()
    assert client.get("/voorbeeldstad/postvak/bewijs/").status_code == 404


def test_the_demo_reports_have_proofs_naming_their_shown_time_of_receipt(organisation):
    load_demo_cases(organisation)
    cases = list(Case.objects.filter(organisation=organisation))
    assert cases and all(FilingProof.objects.filter(case=c).exists() for c in cases)
    for case in cases:
        armoured = FilingProof.objects.get(case=case).armoured()
        assert f"ontvangen: {proof.utc_text(case.received_at)}\n" in armoured
    assert verdict_of(check_pasted(armoured)) == "geldig"


# Every change, every bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, change",
    [
        ("organisatie", lambda v: "anderdorp"),  # the proof of one organisation presented as another's
        ("naam", lambda v: "Gemeente Anderdorp"),
        ("zaak", one_changed_character),  # the case number
        ("ontvangen", lambda v: v.replace("09:15:02", "09:15:03")),  # the date and time, one second later
        ("ontvangen", lambda v: v.replace("2026-11-30", "2026-11-29")),  # the day before
        ("sha256", one_changed_character),  # one changed byte in the digest
        ("sleutel", lambda v: "s00000000"),
        ("handtekening", lambda v: base64.b64encode(secrets.token_bytes(64)).decode()),  # a forged signature
    ],
)
def test_every_single_field_change_is_not_valid(two_organisations, field, change):
    first, _ = two_organisations
    armoured = make_proof(first)
    assert verdict_of(check_pasted(armoured)) == "geldig"
    value = next(line.split(": ", 1)[1] for line in armoured.splitlines() if line.startswith(f"{field}: "))
    assert verdict_of(check_pasted(change_field(armoured, field, change(value)))) == "niet geldig"


def test_another_organisations_proof_does_not_verify_as_this_ones(two_organisations):
    first, second = two_organisations
    theirs = make_proof(second)
    assert verdict_of(check_pasted(theirs)) == "geldig"
    # Its organisation lines replaced by this one's: the signature is Anderdorp's, not Voorbeeldstad's.
    presented = change_field(change_field(theirs, "organisatie", "voorbeeldstad"), "naam", "Gemeente Voorbeeldstad")
    assert verdict_of(check_pasted(presented)) == "niet geldig"
    # Signed by Anderdorp's key while naming Voorbeeldstad.
    assert verdict_of(check_pasted(make_proof(first, signer=second))) == "niet geldig"
    # Signed by the installation's key.
    assert verdict_of(check_pasted(_signed_by_installation(first))) == "niet geldig"


def _signed_by_installation(organisation) -> str:
    text = proof.statement(
        slug=organisation.slug,
        name=organisation.name,
        reference="2026-0007",
        received_at=RECEIVED,
        sha256=DIGEST,
        key_id=signing.signing_ring().active_id,
    )
    return proof.armour(text, signing.sign(None, text.encode()).signature)


def test_a_proof_re_signed_with_a_key_of_its_own_is_not_valid(two_organisations):
    first, _ = two_organisations
    armoured = make_proof(first, sha256=hashlib.sha256(b"een andere tekst").hexdigest())
    statement = armoured.split(proof.BEGIN + "\n")[1].split(proof.SIGNATURE_FIELD + ": ")[0]
    forger = Ed25519PrivateKey.generate()
    resigned = proof.armour(statement, forger.sign(statement.encode()))
    assert verdict_of(check_pasted(resigned)) == "niet geldig"


@pytest.mark.parametrize(
    "cut, reason",
    [
        (lambda t: t[: len(t) // 2], "niet volledig"),  # cut in half: no END line
        (lambda t: t.replace("-----END MELDPUNT PROOF-----\n", ""), "niet volledig"),
        (lambda t: "\n".join(line for line in t.splitlines() if not line.startswith("sha256")), "niet volledig"),
        (lambda t: t.replace("handtekening: ", "handtekening: AAAA")[:-40] + "\n" + proof.END, "veranderd"),
        (lambda t: t.split(proof.BEGIN)[1], "geen bewijs"),  # without the BEGIN line
        (lambda t: t.replace("MELDPUNT-BEWIJS v1", "MELDPUNT-BEWIJS v2"), "veranderd"),
    ],
)
def test_a_truncated_or_damaged_proof_is_not_valid_and_says_why(two_organisations, cut, reason):
    first, _ = two_organisations
    response = check_pasted(cut(make_proof(first)))
    assert verdict_of(response) == "niet geldig"
    assert reason in response.content.decode()


def test_a_proof_survives_mail_quoting_and_a_wrapped_signature(two_organisations):
    first, _ = two_organisations
    armoured = make_proof(first)
    quoted = "Zie hieronder.\r\n\r\n" + "".join(f"> {line}\r\n" for line in armoured.splitlines()) + "Groet\r\n"
    assert verdict_of(check_pasted(quoted)) == "geldig"
    signature_line = next(line for line in armoured.splitlines() if line.startswith("handtekening: "))
    wrapped = armoured.replace(signature_line, signature_line[:60] + "\n" + signature_line[60:])
    assert verdict_of(check_pasted(wrapped)) == "geldig"


def test_the_proof_as_an_uploaded_text_file_verifies(two_organisations):
    first, _ = two_organisations
    assert verdict_of(check_uploaded(make_proof(first).encode())) == "geldig"


@pytest.mark.parametrize(
    "name, data, content_type, expected",
    [
        ("foto.png", PNG, "image/png", "geen bewijs"),  # an image
        ("ruis.bin", random.Random(7).randbytes(4000), "application/octet-stream", "geen bewijs"),  # binary garbage
        ("bewijs.pdf", b"%PDF-1.7\n" + random.Random(8).randbytes(2000), "application/pdf", "PDF-bestand"),  # the PDF
        ("leeg.txt", b"\x00" * 100, "text/plain", "geen bewijs"),
    ],
)
def test_an_uploaded_file_that_is_not_a_proof_is_not_valid(db, name, data, content_type, expected):
    response = check_uploaded(data, name=name, content_type=content_type)
    assert verdict_of(response) == "niet geldig"
    assert expected in response.content.decode()


def test_a_huge_upload_is_refused_with_its_size(db):
    response = check_uploaded(b"A" * (3 * 1024 * 1024), name="groot.txt")
    assert response.status_code == 400
    assert "een bewijs is veel kleiner" in response.content.decode()


def test_a_huge_document_is_refused_with_its_size(two_organisations):
    first, _ = two_organisations
    response = check_uploaded(make_proof(first).encode(), document=b" " * (2 * 1024 * 1024))
    assert response.status_code == 400
    assert "de ingediende tekst is hoogstens" in response.content.decode()


def test_an_empty_paste_asks_for_the_proof(db):
    response = check_pasted("")
    assert response.status_code == 400
    assert "Plak het bewijs in het vak" in response.content.decode()
    # A POST without any field at all (not from the form) says the same.
    response = Client().post("/bewijs/")
    assert response.status_code == 400
    assert "Plak het bewijs in het vak" in response.content.decode()


def test_a_huge_paste_is_refused_and_kept(two_organisations):
    first, _ = two_organisations
    pasted = make_proof(first) + "x" * 30_000
    response = check_pasted(pasted)
    assert response.status_code == 400
    assert "x" * 1000 in response.content.decode()  # what was pasted is shown again


def test_both_a_paste_and_a_file_ask_for_one(two_organisations):
    first, _ = two_organisations
    armoured = make_proof(first)
    files = {"proof_text": armoured, "proof_file": SimpleUploadedFile("b.txt", armoured.encode())}
    response = Client().post("/bewijs/", files)
    assert response.status_code == 400 and "niet allebei" in response.content.decode()


def test_a_proof_naming_an_organisation_that_does_not_exist_is_not_valid(two_organisations):
    first, _ = two_organisations
    renamed = change_field(make_proof(first), "organisatie", "nergensdorp")
    assert verdict_of(check_pasted(renamed)) == "niet geldig"


@settings(max_examples=40, deadline=None)
@given(strategies.text(max_size=400))
def test_any_text_gets_a_verdict_and_never_an_exception(text):
    organisation = Organisation(pk=1, slug="voorbeeldstad", name="Gemeente Voorbeeldstad")
    verdict = proof.check(proof.BEGIN + "\n" + text, lambda slug: organisation)
    assert verdict.valid is False


# Rotation and the published keys ----------------------------------------------------------------------


def test_a_proof_made_before_a_rotation_still_verifies(two_organisations, key_file_at):
    first, _ = two_organisations
    old = key_line("soud")
    key_file_at(old)
    before = make_proof(first)
    key_file_at(key_line("snieuw") + old)  # rotation: a new first line, the old one kept
    after = make_proof(first)
    assert "sleutel: soud\n" in before and "sleutel: snieuw\n" in after
    assert verdict_of(check_pasted(before)) == "geldig"
    assert verdict_of(check_pasted(after)) == "geldig"
    keys = Client().get("/bewijs/sleutels/").content.decode()
    assert "soud" in keys and "snieuw" in keys and "ouder, alleen voor controle" in keys

    key_file_at(key_line("snieuw2"))  # after a compromise: the old keys removed
    assert verdict_of(check_pasted(before)) == "niet geldig"


def test_the_keys_page_lists_each_organisations_keys_and_the_installations(two_organisations):
    first, second = two_organisations
    page = Client().get("/bewijs/sleutels/")
    assert page.status_code == 200
    content = page.content.decode()
    for owner in (first, second, None):
        [key] = signing.public_keys(owner)
        assert key.b64 in content
    assert "Gemeente Anderdorp" in content and 'data-testid="installation-keys"' in content


def test_a_proof_verifies_with_the_published_key_and_plain_ed25519(two_organisations):
    first, _ = two_organisations
    parsed = proof.parse(make_proof(first))
    [key] = signing.public_keys(first)
    assert signing.verify_with_public_key(key.raw, parsed.statement.encode(), parsed.signature)
