"""Who owns how much of whom, and what a set of owners holds in aggregate over every chain of stakes.

A stake is one owner's equity share of one firm (percent), or a stake of unknown size. What a set of owners
holds of a firm is the sum, over every chain of stakes from one of them down to the firm, of the product of
the chain's shares: a parent's 60% of a firm that owns 100% of a fab counts 60%; two listed parties' 30% each
count 60%. That is how the US 50% Affiliates Rule aggregates ownership ("directly or indirectly, individually
or in the aggregate"). A stake of unknown size can be anything the firm's other known stakes leave, so an
aggregate is a range: low counts it as nothing, high as all it can be. Pure computation.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

#: The aggregate share at which ownership counts as control (the Affiliates Rule's threshold), percent.
CONTROL = 50.0


@dataclass(frozen=True)
class Stake:
    owner: str
    firm: str
    share: float | None  # percent; None: the stake is known, its size is not
    as_of: str = ""
    source: str = ""


@dataclass(frozen=True)
class Holding:
    """What a set of owners holds of one firm, in aggregate: a range (percent) and the chains behind it."""

    firm: str
    low: float
    high: float
    chains: tuple[tuple[Stake, ...], ...]  # each chain from one of the owners down to the firm

    @property
    def controlled(self) -> bool | None:
        """At least CONTROL percent: True, False, or None when the unknown stakes decide it."""
        if self.low >= CONTROL:
            return True
        if self.high < CONTROL:
            return False
        return None


def latest(stakes: Iterable[Stake]) -> tuple[Stake, ...]:
    """Each owner's latest stake in each firm (by `as_of`; partial dates compare as text, which orders ISO dates)."""
    best: dict[tuple[str, str], Stake] = {}
    for s in stakes:
        key = (s.owner, s.firm)
        if key not in best or s.as_of > best[key].as_of:
            best[key] = s
    return tuple(best.values())


def holdings(owners: Collection[str], stakes: Iterable[Stake]) -> dict[str, Holding]:
    """What ``owners`` hold together of every firm they reach through stakes (not of themselves), low and high.

    Chains stop at a cycle and never pass through one of the owners again (what an owner holds is counted from
    that owner). A stake of unknown size counts 0 low and, high, what the firm's known stakes leave."""
    current = latest(stakes)
    by_owner: dict[str, list[Stake]] = {}
    known: dict[str, float] = {}
    for s in current:
        by_owner.setdefault(s.owner, []).append(s)
        if s.share is not None:
            known[s.firm] = known.get(s.firm, 0.0) + s.share
    room = {firm: max(0.0, 100.0 - total) for firm, total in known.items()}
    start = set(owners)
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    chains: dict[str, list[tuple[Stake, ...]]] = {}

    def walk(node: str, lo: float, hi: float, chain: tuple[Stake, ...], seen: frozenset[str]) -> None:
        for s in by_owner.get(node, []):
            if s.firm in seen or s.firm in start:
                continue
            share_lo = 0.0 if s.share is None else s.share / 100.0
            share_hi = room.get(s.firm, 100.0) / 100.0 if s.share is None else s.share / 100.0
            lo2, hi2 = lo * share_lo, hi * share_hi
            low[s.firm] = low.get(s.firm, 0.0) + lo2
            high[s.firm] = high.get(s.firm, 0.0) + hi2
            chains.setdefault(s.firm, []).append((*chain, s))
            walk(s.firm, lo2, hi2, (*chain, s), seen | {s.firm})

    for owner in sorted(start):
        walk(owner, 1.0, 1.0, (), frozenset({owner}))
    return {firm: Holding(firm, min(100.0, 100.0 * low[firm]), min(100.0, 100.0 * high[firm]), tuple(chains[firm]))
            for firm in sorted(low)}


def controlling_parents(stakes: Iterable[Stake]) -> dict[str, str]:
    """Each firm's controlling owner: one holding CONTROL percent or more of it, over every chain, for certain.
    A firm whose control the data leaves open has none here."""
    current = latest(stakes)
    out: dict[str, str] = {}
    for owner in sorted({s.owner for s in current}):
        for firm, held in holdings([owner], current).items():
            direct = any(s.owner == owner and s.firm == firm for s in current)
            if direct and held.controlled and firm not in out:
                out[firm] = owner
    return out


class Ownership(dict[str, str]):
    """Each firm's controlling owner (``controlling_parents``), as a mapping, with the stakes it comes from,
    so what several owners hold in aggregate can be worked out (``stakes_of``)."""

    def __init__(self, stakes: Iterable[Stake] = ()) -> None:
        current = latest(stakes)
        super().__init__(controlling_parents(current))
        self.stakes = current


def stakes_of(parents: Mapping[str, str]) -> tuple[Stake, ...]:
    """The stakes behind a firm -> controlling owner mapping: an ``Ownership``'s own, else each link read as a
    whole (100%) stake."""
    if isinstance(parents, Ownership):
        return parents.stakes
    return tuple(Stake(owner, firm, 100.0) for firm, owner in parents.items())


def stakes_from_rows(rows: Iterable[Mapping[str, object]]) -> tuple[Stake, ...]:
    """Stakes from ownership table rows."""
    out = []
    for r in rows:
        share = r.get("share")
        out.append(Stake(str(r["owner"]), str(r["firm"]), None if share is None else float(str(share)),
                         str(r.get("as_of") or ""), str(r.get("source") or "")))
    return tuple(out)
