"""SMART (WITS) single-market effects of a tariff change: creation, diversion, price effect, revenue.

A "WITS-compatible" reporting layer (research note 1.2 and 1.4), linear in tariff changes and meant for
small ones; bans belong to the exact solver in `equilibrium`. One importer, partners ``k``; base imports
``M_k`` are values at world price 1, so they double as quantities. With ``d_k = (t_k - t'_k) / (1 + t_k)``
the relative fall in partner k's domestic price:

    creation    TC_k = eta * M_k * d_k                                  (infinitely elastic export supply)
    price eff.  PE_k = TC_k / (1 + eta / eps) - TC_k                    (0 when eps >= 99, WITS's "infinite")
    diversion   TD_k = sigma * M_k * (d_k - sum_j w_j d_j),  w = M / sum M
                losses capped at existing trade (TD_k >= -M_k); gains scaled so that sum_k TD_k = 0
    total       TC_k + TD_k + PE_k

For two groups the diversion formula is the note's ``sigma M_B M_O / (M_B + M_O) (d_B - d_O)``; it is the
linearisation of CES relative demand with the import total held fixed. The note flags its transcription
of SMART as to be checked against Laird & Yeats (1986) and Jammes & Olarreaga (2005); treat these numbers
as compatible with WITS's documented behaviour, not as a certified replication.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chipshift.market.ces import FloatArray, as_float
from chipshift.market.errors import MarketInputError

__all__ = ["INFINITE_SUPPLY_ELASTICITY", "SmartResult", "harberger_gain", "smart_effects"]

#: WITS's convention: an export supply elasticity of 99 or more stands for infinity.
INFINITE_SUPPLY_ELASTICITY = 99.0


@dataclass(frozen=True)
class SmartResult:
    """Per-partner trade effects (value at base world prices) and the market-level revenue change."""

    creation: FloatArray
    diversion: FloatArray
    price_effect: FloatArray
    total: FloatArray
    world_price_change: FloatArray  #: proportional; 0 with infinitely elastic export supply
    tariff_revenue_change: float  #: TR1 - TR0
    welfare: FloatArray  #: consumer gain per partner, 1/2 (t - t') * total change


def smart_effects(
    imports: npt.ArrayLike,
    tariff_before: npt.ArrayLike,
    tariff_after: npt.ArrayLike,
    *,
    import_demand_elasticity: float,
    substitution_elasticity: float = 1.5,
    export_supply_elasticity: float = INFINITE_SUPPLY_ELASTICITY,
) -> SmartResult:
    """SMART effects of moving ad-valorem tariffs from `tariff_before` to `tariff_after` (0.1 = 10 %).

    Elasticities are magnitudes (> 0). The defaults are WITS's: substitution 1.5, export supply 99.

    >>> r = smart_effects([100.0, 100.0], [0.1, 0.1], [0.0, 0.1], import_demand_elasticity=1.0)
    >>> r.creation.round(3).tolist(), r.diversion.round(3).tolist()
    ([9.091, 0.0], [6.818, -6.818])
    """
    m = as_float(imports, "imports")
    t0 = as_float(tariff_before, "tariff_before")
    t1 = as_float(tariff_after, "tariff_after")
    if m.ndim != 1 or t0.shape != m.shape or t1.shape != m.shape:
        raise MarketInputError("imports and tariffs must be vectors of the same length")
    if np.any(m < 0.0) or not np.all(np.isfinite(m)) or m.sum() <= 0.0:
        raise MarketInputError("imports must be finite, >= 0 and not all zero")
    if np.any(t0 <= -1.0) or np.any(t1 <= -1.0) or not (np.all(np.isfinite(t0)) and np.all(np.isfinite(t1))):
        raise MarketInputError("tariffs must be finite ad-valorem rates > -1")
    eta, sig, eps = import_demand_elasticity, substitution_elasticity, export_supply_elasticity
    for name, val in (("import_demand_elasticity", eta), ("substitution_elasticity", sig), ("export", eps)):
        if not (val > 0.0) or np.isnan(val):
            raise MarketInputError(f"{name} must be > 0 (a magnitude), got {val}")
    d = (t0 - t1) / (1.0 + t0)
    creation = eta * m * d
    elastic = eps >= INFINITE_SUPPLY_ELASTICITY
    price_effect = np.zeros_like(m) if elastic else creation / (1.0 + eta / eps) - creation
    w = m / m.sum()
    diversion = sig * m * (d - np.sum(w * d))
    losses = np.minimum(diversion, 0.0)
    capped = np.maximum(losses, -m)
    gains = np.maximum(diversion, 0.0)
    lost, gained = -capped.sum(), gains.sum()
    scale = lost / gained if gained > 0.0 else 0.0
    diversion = capped + gains * scale
    total = creation + diversion + price_effect
    with np.errstate(invalid="ignore", divide="ignore"):
        p_star = np.zeros_like(m) if elastic else np.where(m > 0.0, total / m / eps, 0.0)
    m1 = m + total
    revenue = float(np.sum(t1 * (1.0 + p_star) * m1) - np.sum(t0 * m))
    welfare = 0.5 * (t0 - t1) * total
    return SmartResult(creation, diversion, price_effect, total, p_star, revenue, welfare)


def harberger_gain(tariff: float, import_share: float, elasticity: float) -> float:
    """Aggregate gain from removing a uniform tariff, ``1/2 [t/(1+t)]^2 m e`` (share of GDP; WE-2).

    >>> round(harberger_gain(0.10, 0.2, 3.0), 7)
    0.0024793
    """
    if tariff <= -1.0 or import_share < 0.0 or elasticity < 0.0:
        raise MarketInputError("need tariff > -1, import_share >= 0 and elasticity >= 0")
    return 0.5 * (tariff / (1.0 + tariff)) ** 2 * import_share * elasticity
