"""GSIM (Francois & Hall): linearised multi-market partial equilibrium, as in research note section 2.2.

A compatibility and validation layer, not chipshift's main solver: it is linear in the world-price
changes and meant for small tariff changes. Indices: exporter ``i`` (rows), importer ``j`` (columns);
``M_ij`` base flows at world prices, ``T_ij = 1 + t_ij`` tariff powers; hats are proportional changes.

    theta_ij = M_ij T_ij / sum_k M_kj T_kj                 import shares at internal prices
    phi_ij   = M_ij / sum_j M_ij                           export shares at world prices
    N_ii,j   = theta_ij E_m,j - (1 - theta_ij) E_s,j       own-price demand elasticity
    N_ik,j   = theta_kj (E_m,j + E_s,j)                    cross-price demand elasticity
    P^_ij    = P*^_i + T^_ij,   T^_ij = T1_ij / T0_ij - 1
    M^_ij    = N_ii,j P^_ij + sum_{k != i} N_ik,j P^_kj
    sum_j phi_ij M^_ij = E_x,i P*^_i                        one clearing condition per exporter

The clearing conditions are linear in the world-price changes ``P*^`` and are solved directly. Welfare
follows the GSIM4x4 script the note reproduces, with one correction: consumer surplus uses
``-R P^ - 1/2 R E_m P^^2`` for price rises and falls alike (the script's ``sign(P^)`` factor makes a price
rise cost consumers *more* than the rectangle, which is the wrong side of the demand curve). For price
falls the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chipshift.market.ces import FloatArray, as_float
from chipshift.market.errors import MarketInputError

__all__ = ["GsimResult", "solve_gsim"]


@dataclass(frozen=True)
class GsimResult:
    """Solution of a GSIM scenario; region-indexed vectors follow `labels`."""

    labels: tuple[str, ...]
    world_price_change: FloatArray  #: P*^_i per exporter
    internal_price_change: FloatArray  #: P^_ij (exporter x importer)
    import_change: FloatArray  #: M^_ij, proportional change in quantity
    new_flows: FloatArray  #: M1_ij = M_ij (1 + M^_ij)(1 + P*^_i), at new world prices
    composite_price_change: FloatArray  #: per importer
    producer_surplus: FloatArray  #: change, per exporter
    consumer_surplus: FloatArray  #: change, per importer
    tariff_revenue: FloatArray  #: change, per importer
    welfare: FloatArray  #: producer + consumer surplus + tariff revenue, per region


def _region_vector(values: npt.ArrayLike, n: int, name: str) -> FloatArray:
    arr = as_float(values, name)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != n):
        raise MarketInputError(f"{name} must be a scalar or one value per region ({n})")
    if not np.all(np.isfinite(arr)):
        raise MarketInputError(f"{name} must be finite")
    return np.broadcast_to(arr, (n,)).astype(np.float64)


def solve_gsim(
    labels: Sequence[str],
    flows: npt.ArrayLike,
    tariff_before: npt.ArrayLike,
    tariff_after: npt.ArrayLike,
    *,
    import_elasticity: npt.ArrayLike,
    export_supply_elasticity: npt.ArrayLike,
    substitution_elasticity: npt.ArrayLike,
) -> GsimResult:
    """Solve GSIM for a change of bilateral tariff powers (``T = 1 + t``), exporter rows x importer columns.

    `import_elasticity` is the composite import demand elasticity ``E_m`` (negative, as in GSIM), per
    importer; `export_supply_elasticity` ``E_x > 0`` per exporter; `substitution_elasticity` ``E_s > 0``
    per importer. Every exporter needs some exports (its export shares are undefined otherwise).
    """
    labs = tuple(labels)
    n = len(labs)
    if n == 0 or len(set(labs)) != n:
        raise MarketInputError("GSIM needs unique region labels")
    m = as_float(flows, "flows")
    t0 = as_float(tariff_before, "tariff_before")
    t1 = as_float(tariff_after, "tariff_after")
    for name, arr in (("flows", m), ("tariff_before", t0), ("tariff_after", t1)):
        if arr.shape != (n, n):
            raise MarketInputError(f"{name} must be {n} x {n} (exporter rows, importer columns), got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise MarketInputError(f"{name} must be finite")
    if np.any(m < 0.0):
        raise MarketInputError("flows must be >= 0")
    if np.any(t0 <= 0.0) or np.any(t1 <= 0.0):
        raise MarketInputError("tariff powers T = 1 + t must be > 0 (a tariff of 10 % is 1.10)")
    e_m = _region_vector(import_elasticity, n, "import_elasticity")
    e_x = _region_vector(export_supply_elasticity, n, "export_supply_elasticity")
    e_s = _region_vector(substitution_elasticity, n, "substitution_elasticity")
    if np.any(e_m > 0.0):
        raise MarketInputError("import_elasticity is E_m <= 0 in GSIM's sign convention")
    if np.any(e_x <= 0.0) or np.any(e_s <= 0.0):
        raise MarketInputError("export supply and substitution elasticities must be > 0")
    exports = m.sum(axis=1)
    imports_internal = (m * t0).sum(axis=0)
    if np.any(exports <= 0.0):
        raise MarketInputError(f"regions without exports: {[labs[i] for i in np.flatnonzero(exports <= 0.0)]}")

    with np.errstate(invalid="ignore", divide="ignore"):
        theta = np.where(imports_internal > 0.0, m * t0 / imports_internal, 0.0)
    phi = m / exports[:, None]
    t_hat = t1 / t0 - 1.0
    total = e_m + e_s  # per importer j
    # M^_ij = total_j * sum_k theta_kj P^_kj - E_s,j P^_ij, with P^_kj = P*_k + T^_kj.
    # Clearing: sum_j phi_ij M^_ij - E_x,i P*_i = 0, linear in P*.
    a = (phi * total[None, :]) @ theta.T - np.diag((phi * e_s[None, :]).sum(axis=1) + e_x)
    shift = (theta * t_hat).sum(axis=0)  # sum_k theta_kj T^_kj, per importer
    rhs = -((phi * (total * shift)[None, :]).sum(axis=1) - (phi * e_s[None, :] * t_hat).sum(axis=1))
    try:
        p_star = np.linalg.solve(a, rhs)
    except np.linalg.LinAlgError as exc:
        raise MarketInputError(f"GSIM clearing conditions are singular: {exc}") from None

    p_int = p_star[:, None] + t_hat
    m_hat = total[None, :] * (theta * p_int).sum(axis=0)[None, :] - e_s[None, :] * p_int
    m_new = m * (1.0 + m_hat) * (1.0 + p_star[:, None])
    comp = (theta * ((1.0 + p_star[:, None]) * t1 / t0 - 1.0)).sum(axis=0)
    r_j = imports_internal
    cs = -r_j * comp - 0.5 * r_j * e_m * comp**2
    ps = p_star * exports * (1.0 + 0.5 * e_x * p_star)
    tr = (m_new * (t1 - 1.0)).sum(axis=0) - (m * (t0 - 1.0)).sum(axis=0)
    out = GsimResult(
        labels=labs,
        world_price_change=p_star,
        internal_price_change=p_int,
        import_change=m_hat,
        new_flows=m_new,
        composite_price_change=comp,
        producer_surplus=ps,
        consumer_surplus=cs,
        tariff_revenue=tr,
        welfare=ps + cs + tr,
    )
    for val in vars(out).values():
        if isinstance(val, np.ndarray):
            val.setflags(write=False)
    return out
