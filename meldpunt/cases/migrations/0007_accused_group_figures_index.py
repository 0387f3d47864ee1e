from django.conf import settings
from django.db import migrations, models

BESTUURDER = {"wethouder", "raadslid", "burgemeester"}
AMBTENAAR = {"gemeentesecretaris", "griffier", "directeur", "manager", "medewerker"}


def backfill(apps, schema_editor):
    """Each case's group from its latest routing decision (the rule of cijfers.groups.accused_group)."""
    Case = apps.get_model("cases", "Case")
    RoutingDecision = apps.get_model("protocol", "RoutingDecision")
    latest = {}
    for case_id, categories in RoutingDecision.objects.order_by("decided_at", "pk").values_list(
        "case_id", "categories"
    ):
        latest[case_id] = set(categories or ())
    by_group = {"bestuurder": [], "ambtenaar": [], "onbekend": []}
    for case_id in Case.objects.values_list("pk", flat=True):
        categories = latest.get(case_id, set())
        group = "bestuurder" if categories & BESTUURDER else "ambtenaar" if categories & AMBTENAAR else "onbekend"
        by_group[group].append(case_id)
    for group, ids in by_group.items():
        for start in range(0, len(ids), 500):
            Case.objects.filter(pk__in=ids[start : start + 500]).update(accused_group=group)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_reporter_key"),
        ("organisations", "0006_meeting_days"),
        ("protocol", "0002_case_recipient_position"),
        ("registry", "0007_auditor_category"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="accused_group",
            field=models.CharField(blank=True, default="", editable=False, max_length=20),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["organisation", "received_at"], name="case_org_received"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
