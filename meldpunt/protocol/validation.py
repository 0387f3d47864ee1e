"""Checks on a proposed protocol, before it becomes a new version.

Each check takes the proposed rules (the list of dicts that
``versions.save_version`` takes) and returns ``Problem``s in plain Dutch; an
empty list means the check passed. ``problems`` runs them all. The protocol
editor saves nothing while there is a problem, so the version in force stays
in force.

What "routes to the category itself" means: ``role:X`` reaches the
positions of registry category X, ``deputy_of:X`` reaches the deputies of
those positions (looked up in the organisation's registry). A rule for the
accused category C may not name a code that reaches category C: a report
about a wethouder must not go to (other) wethouders. The routing itself
always leaves the accused person out; this check keeps their colleagues out
of the protocol too. The relative codes (the accused's manager, the one
above) reach people above the accused, never their own category.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from meldpunt.protocol.models import AccusedCategory
from meldpunt.protocol.routing import DEPUTY_OF, DIRECT_MANAGER, EXTERNAL, MANAGER_ABOVE_MANAGER, ROLE
from meldpunt.protocol.versions import describe
from meldpunt.registry.models import Category, Position

DAY_FIELDS = ("first_contact_days", "assessment_days", "escalation_interval_days")
MIN_DAYS, MAX_DAYS = 1, 365
RELATIVE_CODES = (MANAGER_ABOVE_MANAGER, DIRECT_MANAGER)


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: a rule's category and field, or neither for the protocol as a whole."""

    message: str
    category: str | None = None
    field: str | None = None


def problems(organisation, rules: list[dict]) -> list[Problem]:
    """Everything wrong with the proposed rules, in the order of the checks below."""
    return [
        *unknown_categories(rules),
        *missing_recipients(rules),
        *unknown_codes(rules),
        *routes_to_own_category(organisation, rules),
        *recipients_also_excluded(rules),
        *missing_escalation(rules),
        *days_out_of_range(rules),
        *deputy_cycles(organisation, rules),
    ]


def category_label(category: str) -> str:
    return str(dict(AccusedCategory.choices).get(category, category))


def field_label(field: str) -> str:
    return {
        "recipients": _("Meteen naar"),
        "escalation": _("Bij een verlopen termijn naar"),
        "exclusions": _("Nooit naar"),
        "first_contact_days": _("Eerste contact met de melder binnen (dagen)"),
        "assessment_days": _("Beoordeling binnen (dagen)"),
        "escalation_interval_days": _("Daarna opnieuw escaleren na (dagen)"),
    }.get(field, field)


# The checks ------------------------------------------------------------------------------------------


def unknown_categories(rules: list[dict]) -> list[Problem]:
    """A rule for a category that does not exist, or two rules for one category."""
    known = set(AccusedCategory.values)
    found, seen = [], set()
    for rule in rules:
        category = rule.get("category")
        if category not in known:
            found.append(Problem(_("Er is een regel voor een onbekende categorie: '%(c)s'.") % {"c": category}))
        elif category in seen:
            found.append(
                Problem(
                    _("Er zijn twee regels voor '%(c)s'; elke categorie heeft precies één regel.")
                    % {"c": category_label(category)},
                    category,
                )
            )
        seen.add(category)
    return found


def missing_recipients(rules: list[dict]) -> list[Problem]:
    """Every category needs somebody who is told at once; an external address alone is not somebody."""
    by_category = {rule.get("category"): rule for rule in rules}
    found = []
    for category in AccusedCategory.values:
        recipients = _codes(by_category.get(category, {}), "recipients")
        if not recipients:
            message = _("Een melding over een %(who)s gaat nu naar niemand. Kies ten minste één ontvanger.") % {
                "who": category_label(category).lower()
            }
        elif all(code == EXTERNAL for code in recipients):
            message = _(
                "Een melding over een %(who)s gaat nu alleen naar het externe adres. Dat is een adres, geen "
                "persoon die de zaak in het meldpunt kan oppakken: kies ook een ontvanger uit de organisatie."
            ) % {"who": category_label(category).lower()}
        else:
            continue
        found.append(Problem(message, category, "recipients"))
    return found


def known_codes(field: str) -> set[str]:
    """Every code the routing can resolve, for recipients, escalation or exclusions."""
    codes = {ROLE + c for c in Category.values} | {DEPUTY_OF + c for c in Category.values} | set(RELATIVE_CODES)
    if field != "exclusions":
        codes.add(EXTERNAL)
    return codes


def unknown_codes(rules: list[dict]) -> list[Problem]:
    found = []
    for rule in rules:
        for field in ("recipients", "escalation", "exclusions"):
            value = rule.get(field) or []
            codes = value if isinstance(value, list | tuple) else [value]
            unknown = [str(code) for code in codes if code not in known_codes(field)]
            if unknown:
                found.append(
                    Problem(
                        _("'%(field)s' noemt een ontvanger die het meldpunt niet kent: %(codes)s.")
                        % {"field": field_label(field), "codes": ", ".join(unknown)},
                        rule.get("category"),
                        field,
                    )
                )
    return found


def reached_categories(organisation, code: str) -> set[str]:
    """The registry categories a code reaches in this organisation (empty for relative codes)."""
    if code.startswith(ROLE):
        return {code[len(ROLE) :]}
    if code.startswith(DEPUTY_OF):
        bases = Position.objects.filter(
            organisation=organisation, category=code[len(DEPUTY_OF) :], deputy__isnull=False
        )
        return set(bases.values_list("deputy__category", flat=True))
    return set()


def routes_to_own_category(organisation, rules: list[dict]) -> list[Problem]:
    """A rule may not send a report (at once or on escalation) to the accused's own category."""
    found = []
    for rule in rules:
        category = rule.get("category")
        for field in ("recipients", "escalation"):
            for code in _codes(rule, field):
                if category not in reached_categories(organisation, code):
                    continue
                if code.startswith(DEPUTY_OF):
                    message = _(
                        "Een melding over een %(who)s mag niet naar een andere %(who)s: '%(code)s' is in het "
                        "register een %(who)s. Kies een andere ontvanger."
                    )
                else:
                    message = _(
                        "Een melding over een %(who)s mag niet naar '%(code)s': zo wijst het protocol naar de "
                        "functie van de beschuldigde zelf of van een collega. Kies een andere ontvanger."
                    )
                found.append(
                    Problem(
                        message % {"who": category_label(category).lower(), "code": code_label(code)}, category, field
                    )
                )
    return found


def recipients_also_excluded(rules: list[dict]) -> list[Problem]:
    found = []
    for rule in rules:
        both = [code for code in _codes(rule, "recipients") if code in _codes(rule, "exclusions")]
        if both:
            found.append(
                Problem(
                    _("'%(codes)s' staat zowel bij 'Meteen naar' als bij 'Nooit naar'. Kies één van beide.")
                    % {"codes": ", ".join(code_label(c) for c in both)},
                    rule.get("category"),
                    "exclusions",
                )
            )
    return found


def missing_escalation(rules: list[dict]) -> list[Problem]:
    return [
        Problem(
            _("Kies voor een melding over een %(who)s ten minste één ontvanger voor als een termijn verloopt.")
            % {"who": category_label(rule.get("category")).lower()},
            rule.get("category"),
            "escalation",
        )
        for rule in rules
        if not rule.get("escalation")
    ]


def days_out_of_range(rules: list[dict]) -> list[Problem]:
    """Deadlines are whole days from 1 to 365. A field that is left out keeps the model's default."""
    found = []
    for rule in rules:
        for field in DAY_FIELDS:
            if field not in rule or rule[field] is None:
                continue
            value = rule[field]
            if isinstance(value, bool) or not isinstance(value, int) or not MIN_DAYS <= value <= MAX_DAYS:
                found.append(
                    Problem(
                        _("'%(field)s' moet een heel aantal dagen zijn, van %(min)s tot en met %(max)s.")
                        % {"field": field_label(field), "min": MIN_DAYS, "max": MAX_DAYS},
                        rule.get("category"),
                        field,
                    )
                )
    return found


def deputy_cycles(organisation, rules: list[dict]) -> list[Problem]:
    """Deputy chains the protocol relies on must end somewhere.

    The registry refuses a new cycle (``Position.clean``), but data from an
    older import can hold one. Routing stops where the circle closes, so a
    deputy outside it is never reached.
    """
    positions = {p.pk: p for p in Position.objects.filter(organisation=organisation)}
    starts = _named_positions(positions, rules)
    cycles, found = set(), []
    for start in sorted(starts):
        cycle = _cycle_from(positions, start)
        if cycle and frozenset(cycle) not in cycles:
            cycles.add(frozenset(cycle))
            names = " → ".join(_position_name(positions[pk]) for pk in [*cycle, cycle[0]])
            found.append(
                Problem(
                    _(
                        "De plaatsvervangers in het register vormen een kring: %(chain)s. Een melding kan dan bij "
                        "niemand buiten die kring terechtkomen. Pas eerst in het register de plaatsvervanger van "
                        "een van deze functies aan."
                    )
                    % {"chain": names}
                )
            )
    return found


# Helpers ---------------------------------------------------------------------------------------------


def code_label(code: str) -> str:
    """The plain name of a code, also for valid codes the editor does not offer as a checkbox."""
    label = str(describe(code))
    if label != code:
        return label
    categories = dict(Category.choices)
    if code.startswith(ROLE) and code[len(ROLE) :] in categories:
        return str(categories[code[len(ROLE) :]])
    if code.startswith(DEPUTY_OF) and code[len(DEPUTY_OF) :] in categories:
        return _("Plaatsvervanger van de %(role)s") % {"role": str(categories[code[len(DEPUTY_OF) :]]).lower()}
    if code == DIRECT_MANAGER:
        return _("De directe leidinggevende van de beschuldigde")
    return code


def _codes(rule: dict, field: str) -> list[str]:
    """The codes of one field, leaving out anything that is not a code (``unknown_codes`` reports it)."""
    value = rule.get(field) or []
    return [code for code in value if isinstance(code, str)] if isinstance(value, list | tuple) else []


def _position_name(position) -> str:
    return f"{position.title} ({position.code})"


def _named_positions(positions: dict, rules: list[dict]) -> set[int]:
    """The positions whose deputy chains the rules can walk."""
    codes = {code for rule in rules for f in ("recipients", "escalation", "exclusions") for code in _codes(rule, f)}
    named = set()
    for code in codes:
        if code.startswith(ROLE) or code.startswith(DEPUTY_OF):
            category = code.split(":", 1)[1]
            named |= {pk for pk, p in positions.items() if p.category == category}
        elif code in RELATIVE_CODES:
            # Any manager of someone, and the one above them.
            named |= {p.reports_to_id for p in positions.values() if p.reports_to_id in positions}
    return named


def _cycle_from(positions: dict, start: int) -> list[int] | None:
    """The cycle the deputy chain from ``start`` ends in, in chain order, or None when it ends."""
    path, index = [], {}
    current = start
    while current in positions:
        if current in index:
            return path[index[current] :]
        index[current] = len(path)
        path.append(current)
        current = positions[current].deputy_id
    return None
