"""An appointment may hold its own portfolio (dated portfolios, docs/adr/0004-dated-portfolios.md).

Existing appointments keep an empty portfolio: they held the position's own.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_conflict_created_at_pair_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="portfolio",
            field=models.CharField(
                blank=True,
                help_text="Leeg: de portefeuille van de functie.",
                max_length=300,
                verbose_name="portefeuille in deze periode",
            ),
        ),
    ]
