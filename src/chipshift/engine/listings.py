"""Which firms around one input are on a screening list: its providers (the firms the world holds shares for in
it) and its buyers (the firms that use it, per the supply graph), each with the entries matched to it.

A firm uses an input, per the supply graph, when it supplies a product the input goes into: a ``goes_into`` edge
from the input, or from a broader input it is a type of, to an input that is not a process (processes have no
firms in the graph: a tool that goes into lithography names no buyer). An edge between two tools or between two
materials makes the first part of the second, not used by it (CSET's dry etching tools go into 'Etch and clean
tools', electronic gases into 'ATP materials'): it names no buyers. Its buyers are the firms the world holds
shares for in that product (not in its variants).

Pure computation over a World and plain values; the store is read by ``chipshift.api``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from chipshift.engine.world import World

#: Kinds whose goes_into edges to an input of the same kind make a part of a group, not a use.
MEMBERSHIP_KINDS = frozenset({"tool_resource", "material_resource"})
#: Kinds of input no firm supplies in the graph.
PROCESS_KINDS = frozenset({"process", "ultimate_output"})

Role = Literal["provider", "buyer"]


@dataclass(frozen=True)
class Listing:
    """One screening-list entry matched to a firm."""

    party: str  # the entry's id in the store
    list: str  # the list's short code (EL, SDN ...)
    entry: str  # the entry's name as listed
    since: str | None  # the date listed, where the list gives it
    federal_register_notice: str | None
    license_policy: str | None
    score: float  # the match score (100 for a reviewed acceptance)


@dataclass(frozen=True)
class FirmOnInput:
    """A provider or buyer of an input, with its listings (none when it is on no list)."""

    firm: str
    name: str
    role: Role
    through: tuple[str, ...]  # a buyer's products the input goes into (ids); empty for a provider
    through_names: tuple[str, ...]  # the same products' names
    listings: tuple[Listing, ...]


def buyers(world: World, input_id: str) -> dict[str, tuple[str, ...]]:
    """Firm id -> the products (ids) through which it uses the input, per the supply graph (module notes)."""
    if input_id not in world.index:
        return {}
    kinds = dict(zip(world.inputs, world.input_kinds, strict=True))
    line = world.ancestors[world.index[input_id]]
    view = world.view("firm")
    out: dict[str, set[str]] = {}
    for child, product in world.feeds:
        if child not in line or product == input_id or kinds[product] in PROCESS_KINDS:
            continue
        if kinds[child] == kinds[product] and kinds[child] in MEMBERSHIP_KINDS:
            continue
        for firm in _firms(world, view.pair_input, view.pair_provider, world.index[product]):
            out.setdefault(firm, set()).add(product)
    return {firm: tuple(sorted(products)) for firm, products in sorted(out.items())}


def _firms(world: World, pair_input: np.ndarray, pair_provider: np.ndarray, i: int) -> list[str]:
    return [world.providers[p] for p in pair_provider[pair_input == i].tolist() if world.provider_kinds[p] == "firm"]


def providers(world: World, input_id: str) -> list[str]:
    """The firms the world holds shares for in the input, largest share first (unknown shares last)."""
    if input_id not in world.index:
        return []
    view = world.view("firm")
    rows = [int(k) for k in np.flatnonzero(view.pair_input == world.index[input_id])
            if world.provider_kinds[int(view.pair_provider[k])] == "firm"]
    share = {k: float(view.pair_share[k]) for k in rows}
    firm = {k: world.providers[int(view.pair_provider[k])] for k in rows}
    rows.sort(key=lambda k: (np.isnan(share[k]), -np.nan_to_num(share[k]), firm[k]))
    return [firm[k] for k in rows]


def firms_on_input(world: World, input_id: str, listings: Mapping[str, Sequence[Listing]]
                   ) -> tuple[FirmOnInput, ...]:
    """The input's providers, then its buyers, each with the listings of the firm (``listings``: firm id -> its
    matched entries). A firm that both supplies and uses the input appears in both roles."""
    names = dict(zip(world.providers, world.provider_names, strict=True))
    out = [FirmOnInput(firm, names[firm], "provider", (), (), tuple(listings.get(firm, ())))
           for firm in providers(world, input_id)]
    out += [FirmOnInput(firm, names[firm], "buyer", through,
                        tuple(world.input_names[world.index[p]] for p in through), tuple(listings.get(firm, ())))
            for firm, through in sorted(buyers(world, input_id).items(), key=lambda ft: names[ft[0]].casefold())]
    return tuple(out)
