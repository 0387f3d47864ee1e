import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_lifecycle"),
        ("registry", "0005_person_name_fields"),
        ("escalation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="escalation",
            name="external_address",
            field=models.CharField(blank=True, max_length=254),
        ),
        migrations.AddField(
            model_name="escalation",
            name="external_emailed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="EscalationRecipient",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalation_recipients",
                        to="cases.case",
                    ),
                ),
                (
                    "escalation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="reached", to="escalation.escalation"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="registry.person"
                    ),
                ),
                (
                    "position",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="registry.position",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["person", "case"], name="escalation_recipient_person")],
            },
        ),
    ]
