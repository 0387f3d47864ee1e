"""The English translation: complete, well-formed, and really shown on the public pages.

The interface is written in Dutch; locale/en/LC_MESSAGES/django.po holds the
English. The compiled .mo files are built (``make messages``), not committed,
so the first fixture compiles them when they are missing or older than the
.po file.
"""

import html
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.signals import setting_changed
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
PO_FILE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
ORG = "voorbeeldstad"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


# Reading a .po file ----------------------------------------------------------------------------------
# polib is not a dependency; this reads just what the checks need.


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid[:70]!r}"


def _unquote(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text.strip()[1:-1])


def read_po(path: Path) -> list[Entry]:
    """Every live entry except the header; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = Entry(number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := re.match(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line):
            keyword, index, value = match.groups()
            target = (keyword, int(index or 0))
            if keyword == "msgstr":
                entry.msgstr[target[1]] = _unquote(value)
            elif keyword == "msgid":
                entry.msgid = _unquote(value)
            elif keyword == "msgid_plural":
                entry.msgid_plural = _unquote(value)
        elif line.startswith('"') and target is not None:
            keyword, index = target
            if keyword == "msgstr":
                entry.msgstr[index] += _unquote(line)
            elif keyword == "msgid":
                entry.msgid += _unquote(line)
            elif keyword == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + _unquote(line)
    return [e for e in entries if e.msgid or e.msgid_plural]


def problems_in(entries: list[Entry]) -> list[str]:
    problems = []
    for entry in entries:
        expected_forms = 2 if entry.msgid_plural is not None else 1
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.label}")
        if len(entry.msgstr) < expected_forms or not all(entry.msgstr.values()):
            problems.append(f"untranslated: {entry.label}")
            continue
        wanted = set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
        for text in entry.msgstr.values():
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {entry.label} → {text[:70]!r}")
    return problems


# Compiled catalogue ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def compiled_english():
    """Compile the .mo when it is missing or stale, and make Django reload its catalogues."""
    if not MO_FILE.exists() or MO_FILE.stat().st_mtime < PO_FILE.stat().st_mtime:
        call_command("compilemessages", locale=["en"], ignore_patterns=[".venv", "node_modules"], verbosity=0)
        # Let Django forget catalogues it loaded before the .mo existed, as when LOCALE_PATHS changes.
        setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)
    assert MO_FILE.exists(), f"{MO_FILE} was not compiled"
    return MO_FILE


@pytest.fixture
def english(client, compiled_english):
    client.cookies["django_language"] = "en"
    return client


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


# The catalogue ---------------------------------------------------------------------------------------


def test_every_entry_is_translated_and_not_fuzzy():
    entries = read_po(PO_FILE)
    assert len(entries) > 300, "the catalogue looks empty; run makemessages"
    problems = problems_in(entries)
    assert not problems, "locale/en/LC_MESSAGES/django.po:\n" + "\n".join(problems)


def test_header_names_the_language():
    header = PO_FILE.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert '"Language: en\\n"' in header
    assert "#, fuzzy" not in header, "a fuzzy header makes msgfmt ignore it"


def test_the_reader_notices_problems():
    """The checks above would catch what they claim to catch."""
    sample = [
        Entry(1, "Ja", msgstr={0: ""}),
        Entry(2, "Nee", msgstr={0: "No"}, flags={"fuzzy"}),
        Entry(3, "%(counter)s functie", "%(counter)s functies", {0: "%(counter)s position", 1: ""}),
        Entry(4, "Zaak %(ref)s", msgstr={0: "Case %(reference)s"}),
        Entry(5, "Status", msgstr={0: "Status"}),
    ]
    problems = problems_in(sample)
    assert [p.split(":")[0] for p in problems] == ["untranslated", "fuzzy", "untranslated", "placeholders differ"]


@pytest.mark.skipif(shutil.which("xgettext") is None or shutil.which("msgmerge") is None, reason="needs GNU gettext")
def test_catalogue_covers_every_string_in_the_code(tmp_path, monkeypatch):
    """Run makemessages on a copy of the code: a string added since the last
    makemessages, or changed, shows up here as untranslated."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "meldpunt", copy / "meldpunt", ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copytree(ROOT / "locale", copy / "locale", ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["en"], verbosity=0)
    problems = problems_in(read_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    assert not problems, (
        "strings in the code without an English translation; run `manage.py makemessages -l en "
        "--ignore=.venv --ignore=node_modules --ignore=state --ignore=tests` and translate them:\n"
        + "\n".join(problems)
    )


# The public pages in English -------------------------------------------------------------------------


def test_start_page_in_english(english, organisation):
    text = page_text(english.get(f"/{ORG}/"))
    assert '<html lang="en">' in text
    for shown in [
        "Reporting point for undesirable behaviour",
        "Report undesirable behaviour to Gemeente Voorbeeldstad",
        "Talk to someone first?",
        "Who reads your report?",
        "Within 7 days a handler will contact you through that inbox.",
        "You can report anonymously",
        "Make a report",
        "Go to my inbox",
        "I already have a receipt code",
    ]:
        assert shown in text, shown
    for dutch in [
        "Melding maken",
        "Meldpunt ongewenst gedrag",
        "Eerst met iemand praten?",
        "Wie leest uw melding?",
        "Anoniem melden kan",
        "Naar mijn postvak",
        "Ik heb al een ontvangstcode",
    ]:
        assert dutch not in text, dutch


def test_report_form_in_english(english, organisation):
    text = page_text(english.get(f"/{ORG}/melden/"))
    assert '<html lang="en">' in text
    for shown in [
        "Make a report",
        "1. About you",
        "2. Who is it about?",
        "3. What happened?",
        "4. What would you like?",
        "5. Attachments",
        "Resident or citizen",
        "I would rather not say",
        "To be heard",
        "(optional)",
        "Send report",
    ]:
        assert shown in text, shown
    for dutch in [
        "Melding versturen",
        "Over wie gaat het?",
        "Inwoner of burger",
        "Zeg ik liever niet",
        "Gehoord worden",
        "niet verplicht",
        "Na het versturen",
    ]:
        assert dutch not in text, dutch


def test_inbox_login_in_english(english, organisation):
    text = page_text(english.get(f"/{ORG}/postvak/"))
    assert '<html lang="en">' in text
    for shown in ["Open your inbox", "Your receipt code", "Open inbox", "Lost your code?"]:
        assert shown in text, shown
    for dutch in ["Uw postvak openen", "Postvak openen", "Uw ontvangstcode", "Code kwijt?"]:
        assert dutch not in text, dutch


def test_dutch_stays_the_default(client, compiled_english, organisation):
    """Without a language choice the pages stay Dutch, so the checks above are not vacuous."""
    text = page_text(client.get(f"/{ORG}/"))
    assert '<html lang="nl">' in text
    assert "Melding maken" in text and "Make a report" not in text


def test_report_form_labels_in_english(english, organisation):
    """The labels come from the form class (gettext_lazy), not from the template."""
    text = page_text(english.get(f"/{ORG}/melden/"))
    for shown in [
        "What is your relation to the organisation?",
        "Do you want to stay anonymous?",
        "Yes, I am reporting anonymously",
        "Your name",
        "Search by name or position",
        "What would you like to happen?",
    ]:
        assert shown in text, shown
    for dutch in [
        "Wat is uw relatie tot de organisatie?",
        "Wilt u anoniem blijven?",
        "Ja, ik meld anoniem",
        "Uw naam",
        "Zoek op naam of functie",
        "Wat wilt u dat er gebeurt?",
    ]:
        assert dutch not in text, dutch
