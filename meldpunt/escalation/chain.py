"""Who an escalation goes to, as a pure function on the routing's snapshot.

The categories are those of the case's latest routing decision (routing runs
again whenever the registry, a conflict or the protocol changes), so the sweep
never needs the case's sealed content (a worker may run without the key
file). The protocol rule of each category lists escalation codes
(``ProtocolRule.escalation``); they resolve exactly as routing resolves its
recipient codes (``meldpunt.protocol.routing``): to positions, to their
holders today, and down the deputy chain when a position is vacant or its
holder is excluded. Excluded, always: everyone the case names, everyone
conflicted with them and whoever the rule's exclusions name (the routing
decision's ``excluded``, rebuilt here from the people the case names, the
registry's conflicts and the case's stored rule exclusions). A relative code
(the accused's manager) uses the positions the accused holds now, or held
last. ``external`` sends the escalation to the
organisation's external address (e-mail only). When the chain leaves
nobody and no external address, the integrity office's handlers get it and
then the functional admins, as in routing: an escalation never lands nowhere.
"""

from dataclasses import dataclass, field

from meldpunt.protocol.routing import (
    EXTERNAL,
    EventPeriod,
    Named,
    Protocol,
    RegistryView,
    _eligible_holder,
    _positions_for,
    accused_categories,
)


@dataclass
class Chain:
    # person id -> the position through which the escalation reaches them (None: a functional admin)
    people: dict[int, int | None] = field(default_factory=dict)
    external: bool = False


def escalation_chain(
    registry: RegistryView, protocol: Protocol, categories: list[str], named: list[Named], rule_excluded: set[int]
) -> Chain:
    excluded = registry.with_conflicts({n.person for n in named if n.person is not None}) | set(rule_excluded)
    now = EventPeriod(registry.today, registry.today, given=False)
    positions = [p for _c, _person, held, _h in accused_categories(registry, named, now) for p in held]
    chain = Chain()
    for category in categories:
        rule = protocol.rules.get(category)
        for code in rule.escalation if rule else ():
            if code == EXTERNAL:
                chain.external = True
                continue
            for target in _positions_for(code, registry, positions):
                found = _eligible_holder(registry, target, excluded)
                if found is not None:
                    chain.people.setdefault(found[0], found[1].id)
    if not chain.people and not chain.external:
        for position in registry.positions_in("behandelaar"):
            for person in registry.holders(position.id):
                if person not in excluded:
                    chain.people.setdefault(person, position.id)
    if not chain.people and not chain.external:
        for admin in sorted(registry.admins - excluded):
            chain.people[admin] = None
    return chain
