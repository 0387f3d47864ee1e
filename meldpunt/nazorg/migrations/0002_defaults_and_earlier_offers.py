"""Every existing organisation gets the default support options (the
vertrouwenspersoon's contact text is its support text, so no text is lost;
``Organisation.support_text`` stays, as the start page's text), and every
aftercare offer a handler recorded before becomes a closure offer, so a case
that could close before still can."""

from django.db import migrations

# As in meldpunt/nazorg/support.py DEFAULT_OPTIONS at the time of this migration.
DEFAULTS = [
    (
        "vertrouwenspersoon",
        "Vertrouwenspersoon",
        "Confidential counsellor (vertrouwenspersoon)",
        "De vertrouwenspersoon luistert, denkt met u mee en vertelt niemand iets zonder uw toestemming. "
        "Het integriteitsbureau geeft u de contactgegevens.",
        "The confidential counsellor listens, thinks along with you and tells nobody anything without your "
        "consent. The integrity office gives you the contact details.",
    ),
    (
        "bmw",
        "Bedrijfsmaatschappelijk werk",
        "Company social work (bedrijfsmaatschappelijk werk)",
        "Voor medewerkers: gesprekken over hoe het met u gaat, op het werk en daarbuiten. Vraag uw "
        "leidinggevende of de afdeling HR om een afspraak, of het integriteitsbureau.",
        "For employees: talks about how you are doing, at work and beyond. Ask your manager, HR or the "
        "integrity office for an appointment.",
    ),
    (
        "extern",
        "Externe begeleiding",
        "External support",
        "Buiten de organisatie: het Huis voor Klokkenluiders geeft gratis en vertrouwelijk advies, en uw "
        "huisarts kan u doorverwijzen naar een psycholoog.",
        "Outside the organisation: the Dutch Whistleblowers Authority (Huis voor Klokkenluiders) gives free "
        "and confidential advice, and your GP can refer you to a psychologist.",
    ),
]


def forwards(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    SupportOption = apps.get_model("nazorg", "SupportOption")
    SupportOffer = apps.get_model("nazorg", "SupportOffer")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    for organisation in Organisation.objects.all():
        if SupportOption.objects.filter(organisation=organisation).exists():
            continue
        for order, (kind, name, name_en, contact, contact_en) in enumerate(DEFAULTS, start=1):
            if kind == "vertrouwenspersoon" and organisation.support_text.strip():
                contact, contact_en = organisation.support_text, organisation.support_text_en
            SupportOption.objects.create(
                organisation=organisation,
                kind=kind,
                name=name,
                name_en=name_en,
                contact=contact,
                contact_en=contact_en,
                order=order * 10,
            )
    for event in CaseEvent.objects.filter(kind="aftercare").iterator():
        SupportOffer.objects.get_or_create(
            event=event,
            defaults={
                "case_id": event.case_id,
                "at": event.at,
                "moment": "closure",
                "via": "handler",
                "staff_user_id": event.staff_user_id,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("nazorg", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
