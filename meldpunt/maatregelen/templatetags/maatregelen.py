"""The measures register on shared pages, each with one line in their template:

* ``{% measure_register %}`` on the case page: the register, and for whoever
  may decide (``rules.may_decide``) the forms;
* ``{% reporter_measures %}`` in the reporter's inbox: the measures that burden
  them, in plain words, with the question for consent;
* ``{% reporter_burden_counts %}`` on the handler's case list: how many
  measures burden reporters, proposed and taken apart.

A form sent with a mistake is on the request (``views.FORMS_ATTRIBUTE``) for
that one response, so the partial shows it bound, with what was typed."""

from django import template

from meldpunt.cases.access import cases_visible_to
from meldpunt.maatregelen import rules
from meldpunt.maatregelen.forms import ConsentConversationForm, ReporterConsentForm
from meldpunt.maatregelen.models import Measure
from meldpunt.maatregelen.views import FORMS_ATTRIBUTE, NOTICES_ATTRIBUTE, measure_form

register = template.Library()


def _measures(case, **filters) -> list[Measure]:
    found = list(
        Measure.objects.filter(case=case, **filters).select_related(
            "decision_maker", "created_by", "consent_recorded_by"
        )
    )
    for measure in found:
        measure.case = case
    return found


@register.inclusion_tag("maatregelen/case_register.html", takes_context=True)
def measure_register(context):
    request, case = context["request"], context["case"]
    decides = rules.may_decide(request.staff, case)
    bound = getattr(request, FORMS_ATTRIBUTE, {})
    notices = getattr(request, NOTICES_ATTRIBUTE, {})
    rows = []
    for measure in _measures(case):
        key = str(measure.public_id)
        awaiting = rules.awaiting_consent(measure)
        # Sent with a mistake (also for an anonymous reporter, to say why not); blank for a named reporter.
        conversation = bound.get(f"consent:{key}")
        if conversation is None and decides and awaiting and not case.anonymous:
            conversation = ConsentConversationForm(measure=measure)
        rows.append(
            {
                "measure": measure,
                "sealed": measure.sealed,
                "consent": measure.consent_sealed,
                "awaiting": awaiting,
                "notice": notices.get(key, ""),
                "conversation_form": conversation,
                "may_take": decides and measure.state == Measure.State.VOORGESTELD,
            }
        )
    burdening = [r["measure"] for r in rows if r["measure"].burdens_reporter]
    return {
        "case": case,
        "rows": rows,
        "decides": decides,
        "form": (bound.get("record") or measure_form(case)) if decides else None,
        "proposed_for_reporter": sum(m.state == Measure.State.VOORGESTELD for m in burdening),
        "taken_for_reporter": sum(m.state == Measure.State.GENOMEN for m in burdening),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.inclusion_tag("maatregelen/inbox_measures.html", takes_context=True)
def reporter_measures(context):
    request, case, organisation = context["request"], context["case"], context["organisation"]
    bound = getattr(request, FORMS_ATTRIBUTE, {})
    rows = []
    for measure in _measures(case, burdens=Measure.Burden.MELDER):
        awaiting = rules.awaiting_consent(measure)
        rows.append(
            {
                "measure": measure,
                "meaning": rules.MEANING_FOR_REPORTER.get(measure.kind, ""),
                "justification": measure.sealed.get("justification", ""),
                "remark": measure.consent_sealed.get("remark", ""),
                "awaiting": awaiting,
                "form": (bound.get(str(measure.public_id)) or ReporterConsentForm(measure=measure))
                if awaiting
                else None,
            }
        )
    return {"rows": rows, "organisation": organisation, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("maatregelen/burden_counts.html", takes_context=True)
def reporter_burden_counts(context):
    request = context["request"]
    counts = rules.reporter_burden_counts(cases_visible_to(request.staff))
    return {"proposed": counts[Measure.State.VOORGESTELD], "taken": counts[Measure.State.GENOMEN]}
