from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_appointment_portfolio"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="voornamen",
            field=models.CharField(
                blank=True,
                help_text="Officiële voornamen, bijvoorbeeld Abraham Johannes.",
                max_length=200,
                verbose_name="voornamen",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="voorletters",
            field=models.CharField(
                blank=True, help_text="Bijvoorbeeld A.J.", max_length=30, verbose_name="voorletters"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="roepnaam",
            field=models.CharField(blank=True, help_text="Bijvoorbeeld Bram.", max_length=100, verbose_name="roepnaam"),
        ),
        migrations.AddField(
            model_name="person",
            name="tussenvoegsel",
            field=models.CharField(
                blank=True, help_text="Bijvoorbeeld van der.", max_length=30, verbose_name="tussenvoegsel"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="achternaam",
            field=models.CharField(
                blank=True,
                help_text="Zonder tussenvoegsel, bijvoorbeeld Veld.",
                max_length=200,
                verbose_name="achternaam",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="aliases",
            field=models.TextField(
                blank=True,
                help_text="Andere namen of schrijfwijzen waaronder mensen deze persoon kennen, één per regel.",
                verbose_name="andere namen",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="other_emails",
            field=models.TextField(
                blank=True,
                help_text="Eigen e-mailadressen naast het adres hierboven, één per regel.",
                verbose_name="andere e-mailadressen",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="handles",
            field=models.TextField(
                blank=True,
                help_text="Bijvoorbeeld @bramvdveld, één per regel.",
                verbose_name="accounts op sociale media",
            ),
        ),
        migrations.AddField(
            model_name="position",
            name="email",
            field=models.EmailField(
                blank=True,
                help_text="Bijvoorbeeld wethouder.wonen@gemeente.nl.",
                max_length=254,
                verbose_name="e-mailadres van de functie",
            ),
        ),
        migrations.AddField(
            model_name="position",
            name="handles",
            field=models.TextField(
                blank=True,
                help_text="Accounts op sociale media van de functie, één per regel.",
                verbose_name="accounts van de functie",
            ),
        ),
    ]
