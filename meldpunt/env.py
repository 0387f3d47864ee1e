"""Strict readers for environment variables.

Every setting Meldpunt reads from the environment goes through one of these
helpers, so a wrong value stops the process at start-up with a message that
names the variable, instead of being silently ignored. Every variable is
documented in README.md ("Configuration").
"""

import os

from django.core.exceptions import ImproperlyConfigured

PREFIX = "MELDPUNT_"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    return os.environ.get(PREFIX + name)


def get_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value.strip()


def get_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{PREFIX}{name} must be true or false, not {value!r}")


def get_int(name: str, default: int, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{PREFIX}{name} must be at least {minimum}, not {number}")
    return number


def get_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
