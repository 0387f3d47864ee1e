from django import template

from meldpunt.cases.access import works_on_cases as _works_on_cases

register = template.Library()


@register.filter
def works_on_cases(staff) -> bool:
    """Whether the navigation offers the case list (``access.works_on_cases``)."""
    return staff is not None and _works_on_cases(staff)
