"""Hostile uploads and downloads, through the public report form and the pages
that serve attachments.

Tried: files whose extension lies about their bytes; polyglots that are a
valid file of an accepted type and HTML or JavaScript at once; a zip bomb
dressed as a .docx; files larger than the limit and more files than allowed;
file names with path parts, control and bidi characters, quotes, non-ASCII
letters and more than 200 characters (sent as a browser does, with the
RFC 7578 ``filename*``); traversal in download URLs. Every accepted file is
downloaded again by the handler and by the reporter: always as an attachment,
with ``X-Content-Type-Options: nosniff``, a sandboxing CSP, the type Meldpunt
sniffed (never the one the client sent) and a well-formed
``Content-Disposition`` (RFC 6266, with RFC 5987 ``filename*`` for non-ASCII).
"""

import io
import re
import tracemalloc
import zipfile
from urllib.parse import quote, unquote

import pytest
from django.test import Client, RequestFactory

from meldpunt.cases.models import Case
from tests.conftest import verified_client
from tests.factories import report_about

REPORT = {
    "action": "verstuur",
    "relation": "inwoner",
    "anonymous": "ja",
    "description": "Na het spreekuur kreeg ik berichten over mijn uiterlijk.",
    "told_before": "nee",
    "wishes": "gehoord",
}
BOUNDARY = "----meldpunt-aanval"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cf00000301010018dd8db00000000049454e44ae426082"
)
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


def multipart(fields: dict, files: list[tuple[str, bytes, str]]) -> bytes:
    """A multipart body as a browser sends it: the file name percent-encoded in
    ``filename*`` beside an ASCII ``filename`` (quotes and line breaks escaped)."""
    parts = []
    for key, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    for name, data, content_type in files:
        ascii_name = name.encode("ascii", "replace").decode()
        ascii_name = ascii_name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        disposition = f'form-data; name="files"; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(name, safe="")}'
        header = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n"
        parts.append(header.encode() + data + b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def send_report(files: list[tuple[str, bytes, str]], client: Client | None = None):
    client = client or Client()
    body = multipart(REPORT, files)
    response = client.post("/voorbeeldstad/melden/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    return client, response


def errors(response) -> str:
    return " ".join(re.findall(r"error-message[^>]*>\s*(?:<p>)?([^<]+)", response.content.decode()))


def stored_attachment():
    case = Case.objects.get()
    return case, case.attachments.get()


# RFC 6266: attachment; filename="quoted-string" (no control characters; \ and " escaped)
# or attachment; filename*=utf-8''percent-encoded (RFC 5987 attr-chars only).
QUOTED = re.compile(r'attachment; filename="((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"')
EXTENDED = re.compile(r"attachment; filename\*=utf-8''([A-Za-z0-9!#$&+.^_`|~%-]*)")


def disposition_name(header: str) -> str:
    """The file name a browser reads from a well-formed Content-Disposition; fails on any other."""
    if match := QUOTED.fullmatch(header):
        return re.sub(r"\\(.)", r"\1", match[1])
    if match := EXTENDED.fullmatch(header):
        return unquote(match[1], errors="strict")
    raise AssertionError(f"malformed Content-Disposition: {header!r}")


def assert_served_as_attachment(response, name: str, content_type: str, data: bytes) -> None:
    assert response.status_code == 200
    assert disposition_name(response["Content-Disposition"]) == name
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == content_type
    assert (
        "sandbox" in response["Content-Security-Policy"] and "default-src 'none'" in response["Content-Security-Policy"]
    )
    assert b"".join(response.streaming_content) == data


def download_both_ways(client: Client, name: str, content_type: str, data: bytes) -> None:
    """The handler and the reporter (``client``, whose inbox is open) each download the file."""
    case, attachment = stored_attachment()
    handler = verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/bijlage/{attachment.public_id}/")
    assert_served_as_attachment(handler, name, content_type, data)
    reporter = client.get(f"/voorbeeldstad/postvak/bijlage/{attachment.public_id}/")
    assert_served_as_attachment(reporter, name, content_type, data)


# Hostile file names ---------------------------------------------------------------------------------------

LONG_STEM = "verslag-van-het-gesprek-" * 12  # 288 characters before the extension
HOSTILE_NAMES = [
    # (name sent, name stored and offered for download)
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\Windows\\win.ini.txt", "win.ini.txt"),
    ("/var/lib/meldpunt/kek.key.txt", "kek.key.txt"),
    ("regel\r\neen.txt", "regeleen.txt"),
    ("nul\x00teken.txt", "nulteken.txt"),
    ("kleur\x1b[31mrood.txt", "kleur[31mrood.txt"),
    ("tab\tnaam.txt", "tabnaam.txt"),
    ("factuur\u202efdp.txt", "factuurfdp.txt"),  # RIGHT-TO-LEFT OVERRIDE: would read "factuurtxt.pdf"
    ("\u2066geisoleerd\u2069.txt", "geisoleerd.txt"),
    ('aanhalings"teken.txt', 'aanhalings"teken.txt'),
    ("puntkomma; filename=evil.exe.txt", "puntkomma; filename=evil.exe.txt"),
    ("procent%22%0d%0a.txt", "procent%22%0d%0a.txt"),
    ("één verslag – café ☕.txt", "één verslag – café ☕.txt"),
    (LONG_STEM + ".txt", LONG_STEM[:196] + ".txt"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("sent, stored", HOSTILE_NAMES)
def test_a_hostile_file_name_is_stored_harmless_and_downloaded_well_formed(organisation, sent, stored):
    data = b"Gewone tekst.\n"
    client, response = send_report([(sent, data, "text/html")])
    assert response.status_code == 302, errors(response)
    _case, attachment = stored_attachment()
    assert attachment.filename == stored
    assert len(stored) <= 200 and "/" not in stored and "\\" not in stored
    assert all(ch.isprintable() for ch in stored)
    download_both_ways(client, stored, "text/plain", data)


@pytest.mark.django_db
def test_a_name_of_more_than_200_characters_keeps_its_extension(organisation):
    """Tried: a 292-character name ending in .pdf (found: it was cut at 200
    characters, lost ".pdf" and was refused as a type we do not accept)."""
    client, response = send_report([(LONG_STEM + ".pdf", PDF, "application/pdf")])
    assert response.status_code == 302, errors(response)
    _case, attachment = stored_attachment()
    assert attachment.filename.endswith(".pdf") and len(attachment.filename) == 200


# Disguised types and polyglots ----------------------------------------------------------------------------

DISGUISED = [
    # (name, bytes): the extension is accepted, the bytes are something else.
    ("verslag.pdf", b"<html><script>alert(1)</script></html>"),
    ("foto.jpg", b"<?php system($_GET['c']); ?>"),
    ("foto.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("programma.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"PE\x00\x00"),
    ("gif-script.jpg", b"GIF89a/*\x00\x00\x00\x00*/=1;alert(document.domain)//"),
    ("archief.docx", b"PK\x03\x04" + b"\x00" * 26 + b"niet echt een document"),
    ("binair.txt", b"\x00\x01\x02\x03 ELF"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name, data", DISGUISED)
def test_a_file_whose_bytes_are_not_its_extension_is_refused_and_nothing_stored(organisation, name, data):
    _client, response = send_report([(name, data, "image/jpeg")])
    assert response.status_code == 400
    assert f"Het bestand &#x27;{name}&#x27; is geen echt" in response.content.decode()
    assert "Na het spreekuur kreeg ik berichten" in response.content.decode()  # what was typed is kept
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "name",
    ["pagina.html", "pagina.htm", "beeld.svg", "script.js", "programma.exe", "animatie.gif", "zonder-extensie"],
)
@pytest.mark.django_db
def test_a_type_that_could_run_in_a_browser_is_refused(organisation, name):
    _client, response = send_report([(name, b"<script>alert(1)</script>", "text/plain")])
    assert response.status_code == 400
    assert "heeft een soort die wij niet aannemen" in response.content.decode()
    assert not Case.objects.exists()


POLYGLOTS = [
    # Real files of an accepted type that are also HTML/JavaScript: accepted (their
    # bytes are what they say), and harmless because they are never rendered.
    ("pdf-html.pdf", PDF + b"<html><body><script>alert(document.cookie)</script></body></html>", "application/pdf"),
    ("jpeg-html.jpg", JPEG + b"<script>alert(1)</script>", "image/jpeg"),
    ("png-html.png", PNG + b"<html><script>alert(1)</script></html>", "image/png"),
    ("tekst-html.txt", b"<!DOCTYPE html><html><script>alert(1)</script></html>\n", "text/plain"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name, data, content_type", POLYGLOTS)
def test_a_polyglot_is_only_ever_served_as_a_download_of_its_sniffed_type(organisation, name, data, content_type):
    client, response = send_report([(name, data, "text/html")])
    assert response.status_code == 302, errors(response)
    download_both_ways(client, name, content_type, data)


@pytest.mark.django_db
def test_a_zip_bomb_dressed_as_docx_is_never_unpacked(organisation):
    """Tried: a .docx whose word/document.xml unpacks to 200 MB of zeros (about
    200 KB packed). It is stored and served as the bytes that were sent; nothing
    unpacks it, so the request stays small and quick."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as entry:
            zeros = b"\x00" * (1024 * 1024)
            for _ in range(200):
                entry.write(zeros)
    bomb = packed.getvalue()
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    client, response = send_report([("bom.docx", bomb, "application/octet-stream")])
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if response.status_code == 400:
        assert "is geen echt .docx-bestand" in response.content.decode()
    else:
        assert response.status_code == 302
        _case, attachment = stored_attachment()
        assert attachment.size == len(bomb)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        download_both_ways(client, "bom.docx", mime, bomb)
    assert peak < 40 * 1024 * 1024, f"peak memory {peak / 2**20:.0f} MiB"


# Size and number ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_naming_the_limit(organisation, settings):
    """Tried: 30 MB against a limit of 2 MB; the form says it is too large and keeps the text."""
    settings.ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    _client, response = send_report([("groot.txt", b"a" * (30 * 1024 * 1024), "text/plain")])
    assert response.status_code == 400
    page = response.content.decode()
    assert "Het bestand &#x27;groot.txt&#x27; is te groot (30,0" in page and "Het maximum is 2,0" in page
    assert "Na het spreekuur kreeg ik berichten" in page
    assert not Case.objects.exists()


def test_reading_a_huge_upload_holds_only_the_first_bytes(settings):
    """Tried: 30 MB in one file part, limit 2 MB. Parsing the request (with the
    configured upload handlers) holds at most the first 2 MB + 1 byte of it."""
    settings.ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    body = multipart(REPORT, [("groot.txt", b"a" * (30 * 1024 * 1024), "text/plain")])
    request = RequestFactory().post("/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    del body
    tracemalloc.start()
    upload = request.FILES["files"]
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert upload.size == 30 * 1024 * 1024
    assert len(upload.read()) == settings.ATTACHMENT_MAX_BYTES + 1
    assert peak < 8 * 1024 * 1024, f"peak memory {peak / 2**20:.0f} MiB"


@pytest.mark.django_db
def test_more_files_than_allowed_are_refused_with_a_message(organisation, settings):
    files = [(f"deel-{n}.txt", b"tekst\n", "text/plain") for n in range(settings.ATTACHMENT_MAX_FILES + 1)]
    _client, response = send_report(files)
    assert response.status_code == 400
    assert f"U kunt hoogstens {settings.ATTACHMENT_MAX_FILES} bestanden meesturen." in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_far_more_files_than_allowed_are_refused_whole_with_a_page(organisation, settings):
    """Tried: 50 file parts in one request (Django's DATA_UPLOAD_MAX_NUMBER_FILES)."""
    files = [(f"deel-{n}.txt", b"tekst\n", "text/plain") for n in range(50)]
    _client, response = send_report(files)
    assert response.status_code == 400
    assert not Case.objects.exists()


# Download URLs --------------------------------------------------------------------------------------------

TRAVERSALS = [
    "/behandelen/zaak/{ref}/bijlage/../../../../state/kek.key",
    "/behandelen/zaak/{ref}/bijlage/..%2f..%2f..%2fstate%2fkek.key/",
    "/behandelen/zaak/{ref}/bijlage/%2e%2e%2f%2e%2e%2fmeldpunt%2fsettings.py/",
    "/behandelen/zaak/..%2f..%2fstate/bijlage/{id}/",
    "/behandelen/zaak/{ref}%00/bijlage/{id}/",
    "/voorbeeldstad/postvak/bijlage/..%2f..%2fstate%2fkek.key/",
    "/voorbeeldstad/postvak/bijlage/{id}%2f..%2f..%2f/",
    "/static/../state/kek.key",
    "/static/..%2f..%2fstate%2fkek.key",
    "/static/%2e%2e/%2e%2e/meldpunt/settings.py",
    "/static/meldpunt/..%5c..%5c..%5cstate%5ckek.key",
]


@pytest.mark.django_db
@pytest.mark.parametrize("template", TRAVERSALS)
def test_path_traversal_in_a_download_url_finds_nothing(organisation, person, key_file, template):
    case, _code = report_about(organisation, person("Henk Bosman"))
    url = template.format(ref=case.reference, id="00000000-0000-0000-0000-000000000000")
    for client in (verified_client("behandelaar1"), Client()):
        response = client.get(url)
        assert response.status_code in (302, 404), f"{url}: {response.status_code}"
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert key_file.read_bytes()[:16] not in content
        assert b"SECRET_KEY" not in content
