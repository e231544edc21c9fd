"""Which rules touch the data: a rule that, taken alone on the day it takes effect, changes no availability
figure for any buyer it targets is idle — the inputs it covers carry no supply shares held by the sellers
it binds, or it covers no input at all. The data should say why (a rule's ``unquantified`` field)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from chipshift.domain.rules import Rule, RuleKind
from chipshift.engine.analyses import situation
from chipshift.engine.availability import availability, pair_status
from chipshift.engine.reach import NO, Destination, product_reach, rule_start, target_destinations
from chipshift.engine.world import VIEWS, World


@dataclass(frozen=True)
class Idle:
    """A rule that changes no availability figure, and what it covers."""

    rule: str
    covered: int  # inputs its products cover
    with_shares: int  # of those, inputs with any provider share


def _figures(world: World, rules: Sequence[Rule], dest: Destination, at: date,
             firm_parents: dict[str, str]) -> np.ndarray:
    s = situation(world, rules, dest, at, firm_parents)
    parts = []
    for name in VIEWS:
        view = world.view(name)
        a = availability(world, view, pair_status(world, view, s.compiled, s.active, s.dest_index, s.sure))
        parts += [np.nan_to_num(a.lower[0], nan=-1.0), np.nan_to_num(a.upper[0], nan=-1.0)]
    return np.concatenate(parts)


def idle_rules(world: World, rules: Sequence[Rule], firm_parents: dict[str, str]) -> list[Idle]:
    """The rules (relaxations and rules without a start date aside) that change no availability figure.

    Each is taken alone (an ownership rule with its imposer's listings, against the listings alone) on the
    day it takes effect, for each buyer it targets, and compared with no rule at all."""
    out = []
    baseline: dict[tuple[Destination, date, tuple[str, ...]], np.ndarray] = {}
    for rule in rules:
        start = rule_start(rule)
        if rule.kind is RuleKind.RELAXATION or start is None:
            continue
        context = [r for r in rules if r.kind is RuleKind.ENTITY_LISTING and r.imposed_by == rule.imposed_by
                   and not r.targets.affiliates] if rule.targets.affiliates else []
        changed = False
        for dest in target_destinations(rule, world, context, firm_parents):
            key = (dest, start, tuple(r.id for r in context))
            if key not in baseline:
                baseline[key] = _figures(world, context, dest, start, firm_parents)
            if not np.array_equal(_figures(world, [*context, rule], dest, start, firm_parents), baseline[key]):
                changed = True
                break
        if not changed:
            cover = product_reach(rule, world, firm_parents)
            reached = np.flatnonzero(cover != NO)
            shared = [i for i in reached if any(len(world.view(v).pairs_of(int(i))) for v in VIEWS)]
            out.append(Idle(rule.id, len(reached), len(shared)))
    return out
