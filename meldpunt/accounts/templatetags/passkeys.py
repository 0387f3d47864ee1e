"""``{% passkeys_enabled as on %}``: whether this installation offers passkeys
(settings.PASSKEYS_ENABLED, read at render time)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def passkeys_enabled() -> bool:
    return bool(getattr(settings, "PASSKEYS_ENABLED", False))
