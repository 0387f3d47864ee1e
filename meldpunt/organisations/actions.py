"""Setting up an organisation, as one named action: the command
``manage.py create_organisation`` and the installation administrator's page
(``/installatie/organisaties/``) both call ``create_organisation``.

It creates, in one transaction: the organisation (slug, name, integrity
office name and e-mail), its default protocol, the first functional admin as
a registry person with a position in the category ``functioneel_beheerder``
and an appointment from today, and that person's staff login with a
one-time set-up link (``meldpunt.accounts.actions``). A taken or reserved
slug, or a taken username, stores nothing and says so.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from meldpunt.accounts import actions as accounts
from meldpunt.accounts.models import StaffAccount
from meldpunt.audit.log import actor_for_user, record
from meldpunt.organisations.models import Organisation
from meldpunt.protocol.versions import install_defaults
from meldpunt.registry.models import Appointment, Category, Person, Position, today

# The first path segments the installation uses itself: an organisation's public pages live at /<slug>/.
RESERVED_SLUGS = {"account", "behandelen", "beheer", "installatie", "taal", "static", "media", "admin", "api", "bewijs"}


@dataclass
class NewOrganisation:
    organisation: Organisation
    admin: StaffAccount
    setup_url: str


def check_slug(slug: str) -> str:
    slug = (slug or "").strip().lower()
    if not slug:
        raise ValidationError(_("Vul een korte naam voor het adres in (slug)."), code="required")
    try:
        validate_slug(slug)
    except ValidationError:
        raise ValidationError(
            _("Een slug bestaat uit kleine letters, cijfers en streepjes, bijvoorbeeld gemeente-waterdam."),
            code="invalid",
        ) from None
    if slug in RESERVED_SLUGS:
        raise ValidationError(_("Het adres /%(slug)s/ gebruikt Meldpunt zelf. Kies een andere slug.") % {"slug": slug})
    existing = Organisation.objects.filter(slug=slug).first()
    if existing is not None:
        raise ValidationError(
            _("Er is al een organisatie met de slug %(slug)s (%(name)s). Er is niets veranderd.")
            % {"slug": slug, "name": existing.name},
            code="slug_taken",
        )
    return slug


def create_organisation(
    *,
    slug: str,
    name: str,
    integrity_office_name: str,
    integrity_office_email: str,
    admin_name: str,
    admin_email: str,
    admin_username: str,
    staff_user=None,
) -> NewOrganisation:
    """Create an organisation with its first functional admin; raises
    ``ValidationError`` (a message for whoever asked) and stores nothing
    when something is missing or taken. ``staff_user``: the installation
    administrator, or None for a command on the server."""
    slug = check_slug(slug)
    if not (name or "").strip():
        raise ValidationError(_("Vul de naam van de organisatie in."), code="required")
    if not (admin_name or "").strip():
        raise ValidationError(_("Vul de naam van de eerste functioneel beheerder in."), code="required")
    for address in (integrity_office_email, admin_email):
        if address:
            validate_email(address)
    actor = actor_for_user(staff_user)
    with transaction.atomic():
        try:
            with transaction.atomic():
                organisation = Organisation.objects.create(
                    slug=slug,
                    name=name.strip(),
                    integrity_office_name=(integrity_office_name or "").strip() or "Integriteitsbureau",
                    integrity_office_email=(integrity_office_email or "").strip(),
                )
        except IntegrityError:
            raise ValidationError(
                _("Er is al een organisatie met de slug %(slug)s. Er is niets veranderd.") % {"slug": slug},
                code="slug_taken",
            ) from None
        install_defaults(organisation)
        position = Position.objects.create(
            organisation=organisation,
            code="functioneel-beheerder",
            title=_("Functioneel beheerder"),
            category=Category.FUNCTIONEEL_BEHEERDER,
        )
        person = Person.objects.create(organisation=organisation, name=admin_name.strip(), email=admin_email or "")
        Appointment.objects.create(position=position, person=person, start_date=today())
        record("organisation.created", actor=actor, organisation=organisation, slug=slug, admin=person.pk)
        account, url = accounts.create_account(person, admin_username, actor=actor)
    return NewOrganisation(organisation, account, url)
