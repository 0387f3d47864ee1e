"""Cases that came in before deadlines were stored get their DueDate rows.

``escalation.service.refresh`` needs the real models (routing decisions,
protocol rules through the case); a migration has only historical ones, so
this is a small reimplementation of it: the same pure rules
(``meldpunt.cases.deadlines``: they take plain values and touch no model),
the organisation's settings and the strictest protocol rule of the case's
latest routing decision, no rounds sent yet. A case that is long overdue
therefore gets one escalation at the next sweep (the sweep catches up to the
round that is due, it does not send the missed ones one by one).
"""

from django.db import migrations

from meldpunt.cases import deadlines

OPEN_STATES = {"ontvangen", "ontvangstbevestigd", "beoordeling", "onderzoek", "besluit", "terugkoppeling", "nazorg"}


def rules_for(case, ProtocolRule, RoutingDecision):
    organisation = case.organisation
    decision = RoutingDecision.objects.filter(case=case).order_by("-decided_at", "-pk").first()
    rules = []
    if decision is not None:
        rules = list(ProtocolRule.objects.filter(version_id=decision.version_id, category__in=decision.categories))
    defaults = deadlines.DeadlineRules()
    return deadlines.DeadlineRules(
        acknowledgement_days=organisation.acknowledgement_days,
        feedback_months=organisation.feedback_months,
        first_contact_days=min((r.first_contact_days for r in rules), default=defaults.first_contact_days),
        assessment_days=min((r.assessment_days for r in rules), default=defaults.assessment_days),
        escalation_interval_days=min(
            (r.escalation_interval_days for r in rules), default=defaults.escalation_interval_days
        ),
        reminder_days=organisation.reminder_days,
        working_days=organisation.count_working_days,
    )


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    DueDate = apps.get_model("escalation", "DueDate")
    ProtocolRule = apps.get_model("protocol", "ProtocolRule")
    RoutingDecision = apps.get_model("protocol", "RoutingDecision")
    missing = Case.objects.exclude(pk__in=DueDate.objects.values("case_id")).select_related("organisation")
    rows = []
    for case in missing.iterator():
        rules = rules_for(case, ProtocolRule, RoutingDecision)
        still_open = case.state in OPEN_STATES
        clock = deadlines.CaseClock(
            received_at=case.received_at,
            acknowledged_at=case.acknowledged_at,
            first_contact_at=case.first_contact_at,
            assessed_at=case.assessed_at,
            feedback_given_at=case.feedback_given_at,
            still_open=still_open,
        )
        for deadline in deadlines.case_deadlines(clock, rules):
            rows.append(
                DueDate(
                    case=case,
                    kind=deadline.kind,
                    due_at=deadline.due_at,
                    met_at=deadline.met_at,
                    next_action_at=deadlines.next_action_at(
                        deadline, still_open=still_open, reminded=False, escalations=0, rules=rules
                    ),
                )
            )
    DueDate.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0002_escalation_recipients"),
        ("protocol", "0002_case_recipient_position"),
        ("organisations", "0003_deadline_settings"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
