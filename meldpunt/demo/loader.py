"""Load Gemeente Voorbeeldstad. Idempotent: running it again changes nothing."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.accounts.models import StaffAccount
from meldpunt.demo import data
from meldpunt.organisations.models import Organisation
from meldpunt.protocol.versions import install_defaults
from meldpunt.registry.models import Appointment, Person, Position


@transaction.atomic
def load_demo() -> Organisation:
    fields = dict(data.ORGANISATION)
    organisation, _ = Organisation.objects.get_or_create(slug=fields.pop("slug"), defaults=fields)

    positions = {}
    for code, title, category, portfolio, unit, _reports_to, _deputy in data.POSITIONS:
        positions[code], _ = Position.objects.get_or_create(
            organisation=organisation,
            code=code,
            defaults={"title": title, "category": category, "portfolio": portfolio, "unit": unit},
        )
    for code, *_rest, reports_to, deputy in data.POSITIONS:
        position = positions[code]
        position.reports_to = positions.get(reports_to)
        position.deputy = positions.get(deputy)
        position.save(update_fields=["reports_to", "deputy"])

    people = {}
    for name, email, code, start, end in data.APPOINTMENTS:
        people[name], _ = Person.objects.get_or_create(organisation=organisation, name=name, defaults={"email": email})
        Appointment.objects.get_or_create(
            position=positions[code], person=people[name], start_date=start, defaults={"end_date": end}
        )

    User = get_user_model()
    for username, person_name, _role in data.STAFF:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(data.DEMO_PASSWORD)
            user.save()
        StaffAccount.objects.get_or_create(user=user, defaults={"person": people[person_name]})
        TOTPDevice.objects.get_or_create(
            user=user, name="demo", defaults={"key": data.demo_totp_key(username), "confirmed": True}
        )
    install_defaults(organisation)
    return organisation
