from django import template

from meldpunt.cases.access import may_see_figures as _may_see_figures

register = template.Library()


@register.filter
def may_see_figures(staff) -> bool:
    return staff is not None and _may_see_figures(staff)


@register.inclusion_tag("cijfers/_case_behaviour.html", takes_context=True)
def behaviour_case(context):
    """The category of behaviour on the case page: the reporter's choice and the
    handler's assessment, with the form to set it for whoever handles the case."""
    from meldpunt.behandelen.behaviour_views import BehaviourForm

    case = context["case"]
    return {
        "case": case,
        "handles": context.get("handles"),
        "form": BehaviourForm(initial={"behaviour": case.behaviour_assessed}),
        "request": context.get("request"),
    }
