"""The aftercare parts of shared pages, each one line in its template:
``{% load nazorg %}{% nazorg_receipt %}`` on the receipt page, ``{% nazorg_inbox %}``
in the inbox and ``{% nazorg_case %}`` on the case page."""

from django import template

from meldpunt.cases.access import cases_visible_to
from meldpunt.cases.models import Case
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.nazorg import retaliation, support
from meldpunt.nazorg.models import DisadvantageAnswer, SupportOption

register = template.Library()


def _base(context) -> dict:
    return {"csrf_token": context.get("csrf_token"), "request": context.get("request")}


@register.inclusion_tag("nazorg/includes/receipt.html", takes_context=True)
def nazorg_receipt(context):
    organisation = context["organisation"]
    return {**_base(context), "organisation": organisation, "options": support.active_options(organisation)}


def _option_texts(case: Case, offer) -> list[dict]:
    """The options of an offer with today's contact texts (an option switched off since keeps its name)."""
    if offer is None:
        return []
    found = {o.pk: o for o in SupportOption.objects.filter(organisation=case.organisation)}
    rows = []
    for offered in offer.options:
        option = found.get(offered["id"])
        rows.append(
            {
                "id": offered["id"],
                "name": option.localised_name if option else offered["name"],
                "contact": option.localised_contact if option and option.active else "",
            }
        )
    return rows


@register.inclusion_tag("nazorg/includes/inbox.html", takes_context=True)
def nazorg_inbox(context):
    case = context["case"]
    offers = support.offers_of(case)
    newest = offers[0] if offers else None
    return {
        **_base(context),
        "organisation": context["organisation"],
        "case": case,
        "offer": newest,
        "options": _option_texts(case, newest)
        or [
            {"id": o.pk, "name": o.localised_name, "contact": o.localised_contact}
            for o in support.active_options(case.organisation)
        ],
        "answer": newest.answered if newest else None,
        "question": retaliation.question_for(case),
        "follow_ups": retaliation.follow_ups(case),
        "follows_from": case.follows_from,
        "max_text": retaliation.MAX_TEXT,
    }


@register.inclusion_tag("nazorg/includes/case.html", takes_context=True)
def nazorg_case(context):
    case = context["case"]
    linked = [c.pk for c in retaliation.follow_ups(case)] + [case.follows_from_id]
    staff = getattr(context.get("request"), "staff", None)
    visible = set(cases_visible_to(staff).filter(pk__in=linked).values_list("pk", flat=True)) if staff else set()
    return {
        **_base(context),
        "case": case,
        "handles": context.get("handles"),
        "is_open": case.state in OPEN_STATES,
        "offers": support.offers_of(case),
        "disadvantage": list(DisadvantageAnswer.objects.filter(case=case).select_related("follow_up")),
        # Only the linked cases this staff member may open themselves.
        "follow_ups": [c for c in retaliation.follow_ups(case) if c.pk in visible],
        "follows_from": case.follows_from if case.follows_from_id in visible else None,
        "question": retaliation.question_for(case),
        "closure_offered": support.offered_for_closure(case),
    }
