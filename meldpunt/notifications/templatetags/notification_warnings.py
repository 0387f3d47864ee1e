"""The functional admin's warning about notifications that reach nobody by e-mail."""

from django import template

from meldpunt.notifications.service import recipients_without_address

register = template.Library()


@register.inclusion_tag("notifications/unreachable_warning.html")
def unreachable_warning(organisation):
    return {
        "missing": recipients_without_address(organisation),
        "office_address": organisation.integrity_office_email,
        "office_name": organisation.integrity_office_name,
    }
