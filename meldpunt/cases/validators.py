"""Validation rules for what reporters and staff send us, as small functions.

Forms call these; the rules live here so the public form, the staff form
and the inbox apply the same ones.
"""

import datetime

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.cases.actions import FileInput
from meldpunt.multipart import NAMELESS

# Extension → the types the file's own bytes may show. A file is accepted
# only when its extension is listed and its content really is that type.
ALLOWED_TYPES: dict[str, set[str]] = {
    "pdf": {"pdf"},
    "jpg": {"jpg"},
    "jpeg": {"jpg"},
    "png": {"png"},
    "heic": {"heic"},
    "docx": {"docx"},
    "odt": {"odt"},
    "txt": {"txt"},
    "mp3": {"mp3"},
    "m4a": {"m4a", "mp4"},
    "mp4": {"mp4", "m4v", "mov"},
    "mov": {"mov", "mp4"},
}
ALLOWED_EXTENSIONS_TEXT = ", ".join(sorted(ALLOWED_TYPES))
# A recording of a conversation with the reporter (meldpunt.verslagen): audio only.
AUDIO_TYPES: dict[str, set[str]] = {
    "mp3": {"mp3"},
    "m4a": {"m4a", "mp4"},
    "wav": {"wav"},
    "ogg": {"ogg"},
}
# A statement about years of behaviour fits (about fifteen pages); counted as the server stores it.
MAX_TEXT = 100_000
MAX_SHORT = 200
EARLIEST_DATE = datetime.date(1950, 1, 1)


def _sniff(data: bytes) -> str | None:
    kind = filetype.guess(data)
    if kind is not None:
        return kind.extension
    # Plain text has no signature: accept UTF-8 without control bytes.
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text):
        return None
    return "txt"


def shortened_name(name: str, extension: str) -> str:
    """A file name of at most MAX_SHORT characters that keeps its extension
    (a long name cut at the end would lose it and be refused as the wrong type)."""
    if len(name) <= MAX_SHORT:
        return name
    if extension and len(extension) < MAX_SHORT - 1:
        return name[: MAX_SHORT - len(extension) - 1] + "." + extension
    return name[:MAX_SHORT]


def check_upload(upload, allowed: dict[str, set[str]] | None = None) -> FileInput:
    """One uploaded file, checked: a name, an allowed extension whose type the
    bytes really show, not empty, not too large. ``allowed`` narrows the types
    (a recording of a conversation takes audio only, ``AUDIO_TYPES``)."""
    allowed = ALLOWED_TYPES if allowed is None else allowed
    allowed_text = ", ".join(sorted(allowed))
    if upload.name == NAMELESS:
        raise ValidationError(
            _("Een van de bijlagen had geen bestandsnaam. Wij hebben haar niet bewaard: kies het bestand opnieuw."),
            code="file_nameless",
        )
    name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    name = shortened_name(name, extension)
    if extension not in allowed:
        raise ValidationError(
            _("Het bestand '%(name)s' heeft een soort die wij niet aannemen. Toegestaan: %(allowed)s."),
            params={"name": name, "allowed": allowed_text},
            code="file_type",
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("Het bestand '%(name)s' is te groot (%(size)s). Het maximum is %(max)s per bestand."),
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            },
            code="file_size",
        )
    data = upload.read()
    if not data:
        raise ValidationError(_("Het bestand '%(name)s' is leeg."), params={"name": name}, code="file_empty")
    actual = _sniff(data)
    if actual not in allowed[extension]:
        raise ValidationError(
            _("Het bestand '%(name)s' is geen echt .%(ext)s-bestand. Stuur het bestand zoals het is opgeslagen."),
            params={"name": name, "ext": extension},
            code="file_disguised",
        )
    content_type = filetype.get_type(ext=actual).mime if actual != "txt" else "text/plain"
    return FileInput(name=name, content_type=content_type, data=data)


def check_uploads(uploads) -> list[FileInput]:
    if len(uploads) > settings.ATTACHMENT_MAX_FILES:
        raise ValidationError(
            _("U kunt hoogstens %(max)d bestanden meesturen."), params={"max": settings.ATTACHMENT_MAX_FILES}
        )
    files, errors = [], []
    for upload in uploads:
        try:
            files.append(check_upload(upload))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return files


def check_period(start: datetime.date | None, end: datetime.date | None) -> list[tuple[str, str]]:
    """Problems with a reported period, as (field, message) pairs."""
    problems = []
    today = timezone.localdate()
    for field, day in (("period_start", start), ("period_end", end)):
        if day and day > today:
            problems.append((field, _("Deze datum ligt in de toekomst.")))
        elif day and day < EARLIEST_DATE:
            problems.append((field, _("Deze datum ligt te ver in het verleden.")))
    if start and end and end < start:
        problems.append(("period_end", _("De einddatum ligt voor de begindatum.")))
    return problems
