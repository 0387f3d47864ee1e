"""Reading, creating and describing protocol versions."""

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from meldpunt.protocol.defaults import DEFAULT_RULES
from meldpunt.protocol.models import AccusedCategory, ProtocolRule, ProtocolVersion
from meldpunt.protocol.routing import DEPUTY_OF, DIRECT_MANAGER, EXTERNAL, MANAGER_ABOVE_MANAGER, ROLE, Protocol, Rule
from meldpunt.registry.models import Category


def recipient_choices() -> list[tuple[str, str]]:
    """Every recipient code a rule can use, with its plain name."""
    labels = dict(Category.choices)
    labels[Category.BEHANDELAAR] = _("Integriteitsbureau")
    roles = [
        (ROLE + c, labels[c])
        for c in ("burgemeester", "gemeentesecretaris", "griffier", "behandelaar", "directeur", "vertrouwenspersoon")
    ]
    return roles + [
        (DEPUTY_OF + "burgemeester", _("Locoburgemeester (plaatsvervanger van de burgemeester)")),
        (DEPUTY_OF + "gemeentesecretaris", _("Plaatsvervanger van de gemeentesecretaris")),
        (MANAGER_ABOVE_MANAGER, _("De manager boven de leidinggevende van de beschuldigde")),
        (EXTERNAL, _("Extern adres (bijvoorbeeld de Commissaris van de Koning)")),
    ]


def exclusion_choices() -> list[tuple[str, str]]:
    """Who a rule can keep away: anyone a recipient code names, the accused's
    own manager, and whole groups such as all wethouders (so that a deputy
    chain never reaches a colleague of the accused)."""
    groups = [
        (ROLE + "wethouder", _("Alle wethouders")),
        (ROLE + "raadslid", _("Alle raadsleden")),
        (ROLE + "manager", _("Alle managers")),
        (ROLE + "medewerker", _("Alle medewerkers")),
    ]
    recipients = [(code, label) for code, label in recipient_choices() if code != EXTERNAL]
    return [(DIRECT_MANAGER, _("De directe leidinggevende van de beschuldigde"))] + recipients + groups


def describe(code: str) -> str:
    return str(dict(recipient_choices() + exclusion_choices()).get(code, code))


def _in_sentence(label: str) -> str:
    """A label inside a sentence: lower-case first letter, proper nouns kept."""
    return label[:1].lower() + label[1:]


def current_version(organisation) -> ProtocolVersion:
    """The version in force; the default protocol is created the first time."""
    version = ProtocolVersion.objects.filter(organisation=organisation).order_by("-number").first()
    return version or install_defaults(organisation)


@transaction.atomic
def install_defaults(organisation, user=None) -> ProtocolVersion:
    existing = ProtocolVersion.objects.select_for_update().filter(organisation=organisation).order_by("-number").first()
    if existing:
        return existing
    rules = [
        {"category": category, "recipients": recipients, "escalation": escalation}
        for category, (recipients, escalation) in DEFAULT_RULES.items()
    ]
    return save_version(organisation, rules, user=user, note=_("Standaardprotocol"))


@transaction.atomic
def save_version(organisation, rules: list[dict], *, user=None, note: str = "") -> ProtocolVersion:
    last = ProtocolVersion.objects.select_for_update().filter(organisation=organisation).order_by("-number").first()
    version = ProtocolVersion.objects.create(
        organisation=organisation, number=(last.number + 1) if last else 1, created_by=user, note=note
    )
    ProtocolRule.objects.bulk_create(ProtocolRule(version=version, **rule) for rule in rules)
    from meldpunt.audit.log import actor_for_user, record

    record("protocol.saved", actor=actor_for_user(user), organisation=organisation, version=version.number)
    return version


def as_protocol(version: ProtocolVersion) -> Protocol:
    # The rules are kept on the instance (a version's rules never change), so
    # the deadlines of the same routing read no more (``escalation.service.rules_from``).
    prefetch_related_objects([version], "rules")
    return Protocol(
        number=version.number,
        rules={
            r.category: Rule(r.category, tuple(r.recipients), tuple(r.exclusions), tuple(r.escalation))
            for r in version.rules.all()
        },
    )


def summary(version: ProtocolVersion) -> list[str]:
    """One plain sentence per category."""
    labels = dict(AccusedCategory.choices)
    lines = []
    for rule in version.rules.all():
        recipients = ", ".join(_in_sentence(describe(c)) for c in rule.recipients)
        line = _("Een melding over een %(who)s gaat meteen naar: %(to)s.") % {
            "who": labels.get(rule.category, rule.category).lower(),
            "to": recipients,
        }
        if rule.escalation:
            line += " " + _("Verloopt een termijn, dan gaat zij naar: %(to)s.") % {
                "to": ", ".join(_in_sentence(describe(c)) for c in rule.escalation)
            }
        if rule.exclusions:
            line += " " + _("Nooit naar: %(who)s.") % {
                "who": ", ".join(_in_sentence(describe(c)) for c in rule.exclusions)
            }
        lines.append(line)
    return lines
