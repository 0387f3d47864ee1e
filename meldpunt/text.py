"""Small text helpers for templates (a template builtin, see settings.TEMPLATES).

``|tel_links``: escapes a plain text and makes every phone number in it a
``tel:`` link, so a reporter on a phone can call the vertrouwenspersoon
with one tap. ``|tel_link``: one phone number as a link.
"""

import re

from django import template
from django.utils.html import escape, format_html, format_html_join

register = template.Library()

# Dutch numbers as people write them: 0800 000 0000, 020-123 45 67,
# 06 12345678, +31 20 123 4567, (020) 123 4567. At least 9 digits.
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().-]{7,}\d(?![\w])")


def tel_href(number: str) -> str:
    """The ``tel:`` address of a written number: +31 instead of the leading 0."""
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("+"):
        return f"tel:+{digits}"
    if digits.startswith("00"):
        return f"tel:+{digits[2:]}"
    if digits.startswith("0"):
        return f"tel:+31{digits[1:]}"
    return f"tel:{digits}"


def _is_phone(candidate: str) -> bool:
    return 9 <= len(re.sub(r"\D", "", candidate)) <= 15


@register.filter
def tel_links(text) -> str:
    if not text:
        return ""
    parts, last = [], 0
    escaped = str(text)
    for match in PHONE.finditer(escaped):
        if not _is_phone(match.group()):
            continue
        parts.append(escape(escaped[last : match.start()]))
        parts.append(format_html('<a class="utrecht-link" href="{}">{}</a>', tel_href(match.group()), match.group()))
        last = match.end()
    parts.append(escape(escaped[last:]))
    return format_html_join("", "{}", ((part,) for part in parts))


@register.filter
def tel_link(number) -> str:
    if not number or not _is_phone(str(number)):
        return escape(number or "")
    return format_html('<a class="utrecht-link" href="{}">{}</a>', tel_href(str(number)), number)
