"""One date format per language, for every page, e-mail and message.

Dutch: "1 december 2026", with a time "1 december 2026, 13:06"; English:
"1 December 2026", "1 December 2026, 13:06". Never ISO dates or month
abbreviations on a page. Templates use the filters ``|datum`` and
``|datum_tijd`` (a template builtin, see settings.TEMPLATES); Python code
calls ``long_date`` and ``long_datetime``.
"""

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

DATE = "j F Y"
DATETIME = "j F Y, H:i"

register = template.Library()


def _as_moment(value):
    """A date or an aware datetime in local time, from a date, datetime or ISO string."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value) if "T" in value else datetime.date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value
    return None


def long_date(value) -> str:
    moment = _as_moment(value)
    return date_format(moment, DATE) if moment is not None else ""


def long_datetime(value) -> str:
    moment = _as_moment(value)
    if moment is None:
        return ""
    if not isinstance(moment, datetime.datetime):
        return date_format(moment, DATE)
    return date_format(moment, DATETIME)


register.filter("datum", long_date)
register.filter("datum_tijd", long_datetime)
