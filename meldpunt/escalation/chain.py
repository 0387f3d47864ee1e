"""Who an escalation goes to, as a pure function on the routing's snapshot.

The protocol rule of each accused's category lists escalation codes
(``ProtocolRule.escalation``); they resolve exactly as routing resolves its
recipient codes (``meldpunt.protocol.routing``): to positions, to their
holders today, and down the deputy chain when a position is vacant or its
holder is excluded. Excluded, always: everyone the case names, everyone
conflicted with them and whoever the rule's exclusions name (the routing
decision's ``excluded``). ``external`` sends the escalation to the
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
    route,
)


@dataclass
class Chain:
    # person id -> the position through which the escalation reaches them (None: a functional admin)
    people: dict[int, int | None] = field(default_factory=dict)
    external: bool = False


def escalation_chain(registry: RegistryView, protocol: Protocol, named: list[Named], period: EventPeriod) -> Chain:
    excluded = route(registry, protocol, named, period).excluded
    chain = Chain()
    for category, _person, positions, _holdings in accused_categories(registry, named, period):
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
