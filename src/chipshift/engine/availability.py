"""Availability: the share of world supply of each input that a destination may still buy.

Evaluated for a batch of scenarios at once: each scenario is a set of active rules and a destination.
The hot path is two matrix products (scenario activations x rule reach over provider-input pairs) and
segment sums; there is no Python loop over scenarios, rules or pairs.

Unknown shares give bounds: ``lower`` assumes every unknown or uncertain part is barred, ``upper`` that
it is not. ``point`` is the strict reading (every 'maybe' barred) and exists only when every share of
the input is known; otherwise it is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import numpy.typing as npt

from chipshift.engine.reach import YES, Compiled
from chipshift.engine.world import FloatArray, View, World

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Availability:
    """Per scenario and input: bounds and point (fractions of world supply; NaN where no data)."""

    lower: FloatArray  # scenarios x inputs
    upper: FloatArray
    point: FloatArray
    has_data: BoolArray  # inputs


@dataclass(frozen=True)
class PairStatus:
    """Per scenario and provider-input pair: barred for certain, maybe barred."""

    barred: BoolArray  # scenarios x pairs
    maybe: BoolArray


def _terms(compiled: Compiled) -> list[tuple[int, tuple[int, ...]]]:
    """Inclusion-exclusion terms (rule, subset of its relaxations) for rules that can bar."""
    terms: list[tuple[int, tuple[int, ...]]] = []
    for r in range(len(compiled.rules)):
        if compiled.strength[r] == 0:
            continue
        relaxations = compiled.relaxed_by[r]
        for size in range(len(relaxations) + 1):
            terms.extend((r, subset) for subset in combinations(relaxations, size))
    return terms


def pair_status(world: World, view: View, compiled: Compiled, active: BoolArray,
                dest: npt.NDArray[np.int64], sure: BoolArray | None = None) -> PairStatus:
    """Which provider-input pairs are barred (for certain, or maybe) in each scenario.

    ``active[b, r]``: rule r is switched on and may be in force in scenario b; ``sure[b, r]`` (default:
    ``active``): it is surely in force (not inside the window of a date known only to the month or year,
    `reach.in_force_state`); ``dest[b]``: index of the scenario's destination in ``compiled.destinations``.
    A rule only maybe in force counts as a rule that may bar, and a relaxation only maybe in force as one
    that may apply.

    A rule bars a pair for certain when it reaches the whole destination, covers the input and binds the
    provider for certain, bars outright, and no relaxation in force may apply to the pair. It may bar the
    pair when each of those holds at least as 'maybe' and no relaxation in force certainly lifts it (covers
    the input, frees the provider and reaches the destination for certain, leaving nothing behind). The OR
    over rules of "rule and not any relaxation" is evaluated for all scenarios at once by
    inclusion-exclusion: prod(1 - a_x k_x) expands into signed terms, one matrix product per layer.
    """
    n_scen = active.shape[0]
    barred = np.zeros((n_scen, view.n_pairs), dtype=bool)
    maybe = np.zeros((n_scen, view.n_pairs), dtype=bool)
    if not compiled.rules or view.n_pairs == 0:
        return PairStatus(barred, maybe)
    match = compiled.match[:, dest].T  # scenarios x rules
    # 0/1 and signed counts of a few dozen terms: exact in float32, which halves the matrix products' cost
    if sure is None:
        sure = active
    sure = sure & active
    base = (sure & (match == YES)).astype(np.float32)  # a barring rule counts where it reaches the whole
    may_bar = (active & (match == YES)).astype(np.float32)
    may_apply = (active & (match > 0)).astype(np.float32)  # a relaxation that may apply
    surely_applies = (sure & (match == YES)).astype(np.float32)
    cover = compiled.cover[:, view.pair_input]  # rules x pairs
    terms = _terms(compiled)
    act_def = np.empty((n_scen, len(terms)), dtype=np.float32)
    act_any = np.empty((n_scen, len(terms)), dtype=np.float32)
    signs = np.empty(len(terms), dtype=np.float32)
    for t, (r, subset) in enumerate(terms):
        col_def, col_any = base[:, r].copy(), may_bar[:, r].copy()
        for x in subset:
            col_def *= may_apply[:, x]
            col_any *= surely_applies[:, x]
        act_def[:, t], act_any[:, t] = col_def, col_any
        signs[t] = -1.0 if len(subset) % 2 else 1.0
    for d in np.unique(dest):
        rows = np.flatnonzero(dest == d)
        # the terms by pair depend on the compiled rules alone: built once per view and destination
        key = ("pair_terms", view.name, int(d))
        if key not in compiled.memo:
            compiled.memo[key] = _pair_terms(view, compiled, terms, signs, cover, int(d))
        k_def, k_any = compiled.memo[key]
        n_def = act_def[rows] @ k_def
        n_any = act_any[rows] @ k_any
        barred[rows] = n_def > 0.5
        maybe[rows] = (n_any > 0.5) & ~barred[rows]
    return PairStatus(barred, maybe)


def _pair_terms(view: View, compiled: Compiled, terms: list[tuple[int, tuple[int, ...]]],
                signs: npt.NDArray[np.float32], cover: npt.NDArray[np.uint8], d: int
                ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Each inclusion-exclusion term's signed indicator by pair of the view, for destination ``d``: where its rule
    bars the pair for certain and each of its relaxations may free it (``k_def``), and where its rule may bar
    the pair and each of its relaxations surely frees it (``k_any``)."""
    lifts_fully = compiled.residual == 0
    bind = compiled.bind[:, d, :][:, view.pair_provider]  # rules x pairs
    definite = (cover == YES) & (bind == YES) & (compiled.strength[:, None] == YES)
    possible = (cover > 0) & (bind > 0) & (compiled.strength[:, None] > 0)
    may_free = (cover > 0) & (bind > 0)  # a relaxation that may apply to the pair
    surely_frees = (cover == YES) & (bind == YES) & lifts_fully[:, None]
    k_def = np.empty((len(terms), view.n_pairs), dtype=np.float32)
    k_any = np.empty((len(terms), view.n_pairs), dtype=np.float32)
    for t, (r, subset) in enumerate(terms):
        keep_def = definite[r].copy()
        keep_any = possible[r].copy()
        for x in subset:
            keep_def &= may_free[x]
            keep_any &= surely_frees[x]
        k_def[t] = signs[t] * keep_def
        k_any[t] = signs[t] * keep_any
    return k_def, k_any


def availability(world: World, view: View, status: PairStatus) -> Availability:
    """Bounds on the share of each input's world supply that is not barred."""
    n_scen = status.barred.shape[0]
    shares = view.pair_share
    known = ~np.isnan(shares)
    s = np.where(known, shares, 0.0)
    counts = np.diff(view.input_start)
    nonempty = counts > 0
    starts = view.input_start[:-1][nonempty]
    lower = np.full((n_scen, world.n_inputs), np.nan)
    upper = np.full((n_scen, world.n_inputs), np.nan)
    point = np.full((n_scen, world.n_inputs), np.nan)
    if not nonempty.any():
        return Availability(lower, upper, point, nonempty)

    def per_input(x: npt.NDArray[np.float64]) -> FloatArray:
        summed: FloatArray = np.add.reduceat(x, starts, axis=-1)
        return summed

    # Per scenario and input: the known shares allowed and maybe barred, and whether some pair of unknown
    # share is allowed, barred or maybe barred (only the unknown pairs are looked at).
    allowed = ~(status.barred | status.maybe)
    total_known = per_input(s)
    any_unknown = per_input((~known).astype(np.float64)) > 0
    a_known = per_input(np.where(allowed, s, 0.0))
    m_known = per_input(np.where(status.maybe, s, 0.0))
    u_allowed, u_barred, u_maybe = (_any_unknown(view, known, flags, starts) for flags in
                                    (allowed, status.barred, status.maybe))
    scale = np.maximum(total_known, 1.0)
    scale = np.where(any_unknown, scale, np.where(total_known > 0, total_known, 1.0))
    rest = np.where(any_unknown, np.clip(1.0 - total_known, 0.0, 1.0), 0.0)
    lo = a_known / scale + rest * (u_allowed & ~u_barred & ~u_maybe)
    hi = (a_known + m_known) / scale + rest * (u_allowed | u_maybe)
    # An input whose providers all have a known share of zero has no quantified supply: no data.
    quantified = any_unknown | (total_known > 0)
    cols = np.flatnonzero(nonempty)[quantified]
    lower[:, cols] = np.clip(lo[:, quantified], 0.0, 1.0)
    upper[:, cols] = np.clip(hi[:, quantified], 0.0, 1.0)
    point[:, cols] = np.where(any_unknown[quantified], np.nan, np.clip(lo[:, quantified], 0.0, 1.0))
    has_data = np.zeros(world.n_inputs, dtype=bool)
    has_data[cols] = True
    return Availability(lower, upper, point, has_data)


def _any_unknown(view: View, known: npt.NDArray[np.bool_], flags: BoolArray,
                 starts: npt.NDArray[np.int64]) -> BoolArray:
    """Per scenario and input (of those with pairs): is the flag set on some pair whose share is unknown."""
    unknown = np.flatnonzero(~known)
    out = np.zeros((flags.shape[0], len(starts)), dtype=bool)
    if len(unknown):
        group = np.searchsorted(starts, unknown, side="right") - 1  # each unknown pair's input (among starts)
        np.logical_or.at(out.T, group, flags[:, unknown].T)
    return out


def default_view(world: World, i: int) -> View:
    """The country view where the input has numeric country shares, else the firm view."""
    if world.by_country.known_count[i]:
        return world.by_country
    if world.by_firm.pair_count[i]:
        return world.by_firm
    return world.by_country
