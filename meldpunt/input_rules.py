"""The input rules every form applies, in one place (docs/security.md, "Input rules").

``InputRulesMixin`` is part of ``meldpunt.nlds.NLDesignFormMixin``, which
every form of the product uses, so a new field gets these rules without
anyone remembering them:

- a choice of a database row (``ModelChoiceField``) accepts only a strict id
  (``meldpunt.ids``); anything else is the field's own "not in the list"
  message, never a server error;
- control characters: a single-line text field (every ``CharField`` whose
  widget is not a ``Textarea``: names, phone, e-mail, functions, codes, the
  login username) REFUSES C0 and C1 control characters (NUL, tab, CR, LF,
  ...), DEL, the Unicode line and paragraph separators and the bidi
  embedding, override and isolate characters (U+202A-U+202E, U+2066-U+2069),
  so that nothing is stored that would break a line or show a name reversed
  to the handler. Refused, not silently replaced: the form comes back with
  everything typed and a message naming the character. Leading and trailing
  whitespace is stripped first (Django's default), so a pasted name ending
  in a line break is simply accepted without it;
- a multi-line text field (``Textarea``) keeps line breaks and tabs: CR LF
  and a lone CR become LF before anything is checked (so a length counts as
  the server stores it), and any other C0 or C1 control character or DEL is
  refused in the same way.

- lengths: no text field carries the browser's ``maxlength``, which cuts a
  pasted text without a word; the server counts (Python ``len`` after the
  line breaks are normalised) and refuses a text that is too long with a
  message naming the limit, showing the whole text again. A multi-line
  field's limit is shown in its help text.

Passwords are left exactly as typed.
"""

import unicodedata

from django import forms
from django.core import validators as django_validators
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meldpunt.ids import parse_id

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_SEPARATORS = frozenset("\u2028\u2029")


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F


def forbidden_in_single_line(ch: str) -> bool:
    return _is_control(ch) or ch in BIDI_CONTROLS or ch in LINE_SEPARATORS


def forbidden_in_multi_line(ch: str) -> bool:
    return _is_control(ch) and ch not in "\n\t"


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def describe_character(ch: str) -> str:
    """'U+202E (RIGHT-TO-LEFT OVERRIDE)': a character nobody can see, named so that it can be found."""
    name = unicodedata.name(ch, "")
    if not name and ord(ch) < 0x20:
        name = {"\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\x00": "NUL"}.get(ch, "CONTROL")
    return f"U+{ord(ch):04X} ({name})" if name else f"U+{ord(ch):04X}"


SINGLE_LINE_MESSAGE = _(
    "Hier staat een onzichtbaar teken dat in dit veld niet kan: %(character)s. Dat kan een regeleinde, tab, "
    "stuurteken of leesrichtingsteken zijn. Typ de tekst opnieuw in, zonder te plakken."
)
MULTI_LINE_MESSAGE = _(
    "In de tekst staat een onzichtbaar stuurteken dat wij niet kunnen bewaren: %(character)s. "
    "Regeleinden en tabs mogen wel. Haal het teken weg of typ dat stuk opnieuw in."
)


LONG_TEXT_MESSAGE = _(
    "Deze tekst is te lang: hoogstens %(limit)s tekens, nu %(count)s. Er is niets weggelaten. Kort de tekst in, "
    "of stuur dit deel nu en de rest later als aanvulling in uw postvak."
)


def _characters(count: int) -> str:
    return number_format(count, force_grouping=True)


def max_length_check(limit: int):
    """Refuse a text longer than ``limit`` characters, saying both numbers."""

    def check(value) -> None:
        if len(value) > limit:
            raise ValidationError(
                LONG_TEXT_MESSAGE,
                code="max_length",
                params={"limit": _characters(limit), "count": _characters(len(value))},
            )

    return check


def check_single_line(value) -> None:
    """Refuse a control, line-separator or bidi character in a single-line value."""
    for ch in str(value):
        if forbidden_in_single_line(ch):
            raise ValidationError(
                SINGLE_LINE_MESSAGE, code="control_character", params={"character": describe_character(ch)}
            )


def check_multi_line(value) -> None:
    """Refuse a control character other than tab and line feed in a (normalised) multi-line value."""
    for ch in str(value):
        if forbidden_in_multi_line(ch):
            raise ValidationError(
                MULTI_LINE_MESSAGE, code="control_character", params={"character": describe_character(ch)}
            )


def _strict_id_to_python(field: forms.ModelChoiceField):
    original = field.to_python

    def to_python(value):
        if value in field.empty_values or isinstance(value, Model):
            return original(value)
        parsed = parse_id(value if isinstance(value, str) else str(value))
        if parsed is None:
            raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice")
        return original(str(parsed))

    return to_python


def is_multi_line(field) -> bool:
    return isinstance(field.widget, forms.Textarea)


def is_text(field) -> bool:
    return isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)


class InputRulesMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        multi_line = []
        for name, field in self.fields.items():
            # self.fields are this form's own copies, so changing them here changes no other form.
            if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
                if field.to_field_name in (None, "pk", "id"):
                    field.to_python = _strict_id_to_python(field)
            if is_text(field):
                # Our rule covers NUL too, with a message that says what to do.
                field.validators = [
                    v for v in field.validators if not isinstance(v, django_validators.ProhibitNullCharactersValidator)
                ]
                field.validators.append(check_multi_line if is_multi_line(field) else check_single_line)
                # The server counts and says so; the browser's maxlength would cut a paste silently.
                field.widget.attrs.pop("maxlength", None)
                if is_multi_line(field):
                    multi_line.append(self.add_prefix(name))
                    if field.max_length is not None:
                        self._limit_multi_line(field)
        if self.is_bound and multi_line:
            self.data = _with_normalised_newlines(self.data, multi_line)

    def _limit_multi_line(self, field):
        field.validators = [v for v in field.validators if not isinstance(v, django_validators.MaxLengthValidator)]
        field.validators.append(max_length_check(field.max_length))
        limit = gettext("Hoogstens %(limit)s tekens.") % {"limit": _characters(field.max_length)}
        field.help_text = f"{field.help_text} {limit}" if field.help_text else limit


def _with_normalised_newlines(data, keys):
    data = data.copy()
    for key in keys:
        if key not in data:
            continue
        if hasattr(data, "setlist"):
            data.setlist(key, [normalise_newlines(v) if isinstance(v, str) else v for v in data.getlist(key)])
        elif isinstance(data[key], str):
            data[key] = normalise_newlines(data[key])
    return data
