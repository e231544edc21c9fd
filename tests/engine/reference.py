"""A plain, loop-by-loop reference for availability: the semantics spelled out, to check the fast path."""

from __future__ import annotations

import math

import numpy as np

from chipshift.engine.reach import YES, Compiled
from chipshift.engine.world import View, World


def reference(w: World, view: View, compiled: Compiled, active: np.ndarray, d: int) -> list[tuple[float, float, float]]:
    """Availability bounds by plain loops over pairs and rules: the semantics, spelled out."""
    out = []
    for i in range(w.n_inputs):
        pairs = list(view.pairs_of(i))
        if not pairs:
            out.append((math.nan, math.nan, math.nan))
            continue
        status = {}
        for j in pairs:
            p = int(view.pair_provider[j])
            state = "allowed"
            for r in range(len(compiled.rules)):
                if not active[r] or compiled.match[r, d] != YES or compiled.strength[r] == 0:
                    continue
                relaxed = any(active[x] and compiled.match[x, d] == YES
                              and (compiled.cover[x, i] > 0 or not compiled.rules[x].products)
                              for x in compiled.relaxed_by[r])
                if relaxed or compiled.cover[r, i] == 0 or compiled.bind[r, d, p] == 0:
                    continue
                certain = compiled.cover[r, i] == YES and compiled.bind[r, d, p] == YES and compiled.strength[r] == YES
                if certain:
                    state = "barred"
                elif state == "allowed":
                    state = "maybe"
            status[j] = state
        shares = {j: float(view.pair_share[j]) for j in pairs}
        known = {j: s for j, s in shares.items() if not math.isnan(s)}
        unknown = [j for j in pairs if j not in known]
        total = sum(known.values())
        allowed = sum(s for j, s in known.items() if status[j] == "allowed")
        maybe = sum(s for j, s in known.items() if status[j] == "maybe")
        if not unknown and total == 0:
            out.append((math.nan, math.nan, math.nan))  # no quantified supply
            continue
        if not unknown:
            scale = total
            lo, hi = allowed / scale, (allowed + maybe) / scale
            out.append((min(lo, 1), min(hi, 1), min(lo, 1)))
            continue
        scale = max(total, 1.0)
        rest = min(max(1.0 - total, 0.0), 1.0)
        states = {status[j] for j in unknown}
        lo = allowed / scale + (rest if states == {"allowed"} else 0.0)
        hi = (allowed + maybe) / scale + (rest if states & {"allowed", "maybe"} else 0.0)
        out.append((min(lo, 1), min(hi, 1), math.nan))
    return out
