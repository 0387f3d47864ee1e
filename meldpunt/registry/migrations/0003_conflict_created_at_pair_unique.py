"""Conflicts get the moment they were registered, and one row per pair.

Rows from before have no registration time (it was never stored), so the
field stays empty for them. A pair stored both ways round is merged into
its older row first, keeping both reasons, and a row pairing someone with
themselves is dropped, so that the new constraints (one row per pair, in
either direction; two different people) can be added.
"""

import django.db.models.functions.comparison
import django.utils.timezone
from django.db import migrations, models


def merge_reversed_pairs(apps, schema_editor):
    Conflict = apps.get_model("registry", "Conflict")
    kept = {}
    for conflict in Conflict.objects.order_by("pk"):
        if conflict.person_id == conflict.other_id:
            conflict.delete()  # a conflict with oneself means nothing
            continue
        pair = frozenset((conflict.person_id, conflict.other_id))
        first = kept.get(pair)
        if first is None:
            kept[pair] = conflict
            continue
        if conflict.reason and conflict.reason != first.reason:
            first.reason = f"{first.reason}; {conflict.reason}"[:200]
            first.save(update_fields=["reason"])
        conflict.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_conflict"),
    ]

    operations = [
        migrations.AddField(
            model_name="conflict",
            name="created_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="vastgelegd op"),
        ),
        migrations.AlterField(
            model_name="conflict",
            name="created_at",
            field=models.DateTimeField(
                blank=True, default=django.utils.timezone.now, null=True, verbose_name="vastgelegd op"
            ),
        ),
        migrations.RunPython(merge_reversed_pairs, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="conflict",
            name="conflict_unique",
        ),
        migrations.AddConstraint(
            model_name="conflict",
            constraint=models.UniqueConstraint(
                django.db.models.functions.comparison.Least("person", "other"),
                django.db.models.functions.comparison.Greatest("person", "other"),
                name="conflict_pair_unique",
                violation_error_message="Voor deze twee personen is al een belangenverstrengeling vastgelegd.",
            ),
        ),
        migrations.AddConstraint(
            model_name="conflict",
            constraint=models.CheckConstraint(
                condition=models.Q(("person", models.F("other")), _negated=True),
                name="conflict_two_people",
                violation_error_message="Kies twee verschillende personen.",
            ),
        ),
    ]
