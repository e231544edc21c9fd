"""Compiled kernel of the linked-markets solver: the equations of `chipshift.market.linked`, one draw at a time.

Each draw is a small system (one log seller price per firm, one licence rent per capped pair), so the work
is in evaluating prices, flows and the semismooth Jacobian, and solving a dense system of a dozen or so
unknowns. Done per draw in compiled loops, the draw's arrays stay in cache; done for the whole batch with
array operations, every step writes a temporary the size of the batch. The equations, the Newton step, its
cap and the backtracking line search are those `linked.solve_linked` documents.

Arrays are per draw: pairs ``(b, m, f)``, firms ``(b, f)``, markets ``(b, m)``; `pairs` ``(q, 2)`` are the
(market, firm) pairs that may carry a licence cap.

Every division is guarded or has a positive denominator by construction, so the kernels are compiled with
numpy's error model (no test for a zero divisor before each division, as Python's model needs).
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np

#: The weight of each argument of the Fischer-Burmeister function at its kink (0, 0).
_CORNER = 1.0 - 1.0 / math.sqrt(2.0)


@numba.njit(cache=True, inline="always", error_model="numpy")
def _fb(a: float, b: float) -> tuple[float, float, float]:
    """``phi(a, b) = a + b - sqrt(a^2 + b^2)`` and the weights of da and db in its derivative; b = inf (no
    constraint) gives phi = a."""
    if not math.isfinite(b):
        return a, 1.0, 0.0
    radius = math.sqrt(a * a + b * b)
    if radius < 1e-300:
        return a + b - radius, _CORNER, _CORNER
    return a + b - radius, 1.0 - a / radius, 1.0 - b / radius


@numba.njit(cache=True, inline="always", error_model="numpy")
def _prices(i: int, s0: Any, x_per_s: Any, log_tau: Any, log_a: Any, extra: Any, allowed: Any, log_d: Any,
            sigma: Any, eta: Any, inv_tau: Any, inv_u: Any, u: Any, full_rho: Any, log_p: Any, log_pi: Any,
            share: Any, flow: Any, sales: Any, kappa: Any, powers: Any) -> None:
    """Draw i's buyer prices (log), price indices (log), value shares, flows and firm sales, written into the
    buffers `log_p` ... `sales` from seller prices `u` and licence rents `full_rho` (markets x firms);
    `inv_tau` and `x_per_s` hold the draw's constants (`_draw_constants`), `inv_u` is a buffer of one per firm.

    The flow is the value share over the buyer price times the market's spending,
    ``x_mf = x0_mf (s_mf / s0_mf) p^_mf^(-1) P^_m^(1 - eta_m) D^_m``, which is the CES flow of the module
    `linked` written with one exponential per firm and market instead of one per pair.

    The value shares ``s0 (p^ / a^)^(1 - sigma)``, normalised, are taken as ``kappa_mf v^_f^(1 - sigma_m)``
    (`kappa` from `_draw_constants`, `powers` a buffer of one per firm), one exponential per firm for each
    value of sigma rather than one per pair; where a sum of them leaves the range in which that is exact to
    rounding (or a pair carries a licence rent), the market is worked out as before, each term scaled by the
    largest so that none overflows."""
    nm, nf = s0.shape[1], s0.shape[2]
    for f in range(nf):
        sales[f] = 0.0
        inv_u[f] = math.exp(-u[f])
    g_powers = math.nan  # the 1 - sigma that `powers` holds v^^(1 - sigma) for
    for m in range(nm):
        sig = sigma[i, m]
        g = 1.0 - sig
        any_allowed = False
        for f in range(nf):
            log_p[m, f] = u[f] + log_tau[i, m, f] + full_rho[m, f]
            any_allowed = any_allowed or allowed[i, m, f]
        lp_m = math.inf
        solved = False
        if any_allowed and g != 0.0:  # v^^g per firm once for each g, times each pair's constant
            if g != g_powers:
                for f in range(nf):
                    powers[f] = math.exp(g * u[f])
                g_powers = g
            total = 0.0
            plain = True
            for f in range(nf):
                if allowed[i, m, f]:
                    k = kappa[m, f]
                    plain = plain and k > 0.0 and k < math.inf and full_rho[m, f] == 0.0
                    t = k * powers[f]
                    share[m, f] = t
                    total += t
                else:
                    share[m, f] = 0.0
            if plain and 1e-200 < total < 1e200:
                lp_m = math.log(total) / g
                for f in range(nf):
                    share[m, f] /= total
                solved = True
        if solved or not any_allowed:
            pass
        elif g == 0.0:  # Cobb-Douglas: the geometric mean; undefined when a source is removed
            total_w = 0.0
            excluded = 0.0
            acc = 0.0
            for f in range(nf):
                total_w += s0[i, m, f]
            for f in range(nf):
                w = s0[i, m, f] / total_w
                if allowed[i, m, f] and w > 0.0:
                    acc += w * (log_p[m, f] - log_a[i, m, f])
                else:
                    excluded += w
            lp_m = math.nan if excluded > 0.0 else acc
            for f in range(nf):
                share[m, f] = s0[i, m, f] if allowed[i, m, f] else 0.0
        else:
            top = -math.inf
            for f in range(nf):
                if allowed[i, m, f]:
                    z = g * (log_p[m, f] - log_a[i, m, f])
                    share[m, f] = z  # kept for the next loop
                    if z > top:
                        top = z
            if not math.isfinite(top):
                top = 0.0
            total = 0.0
            for f in range(nf):
                if allowed[i, m, f]:
                    t = s0[i, m, f] * math.exp(share[m, f] - top)
                    share[m, f] = t
                    total += t
                else:
                    share[m, f] = 0.0
            if total > 0.0:
                lp_m = (math.log(total) + top) / g
                for f in range(nf):
                    share[m, f] /= total
            else:  # nothing left to price: shares at a unit index, as the flows below
                lp_m = math.inf
                for f in range(nf):
                    if allowed[i, m, f]:
                        share[m, f] = s0[i, m, f] * math.exp(g * (log_p[m, f] - log_a[i, m, f]))
        log_pi[m] = lp_m
        lp = lp_m if math.isfinite(lp_m) else 0.0
        spend = math.exp((1.0 - eta[i, m]) * lp + log_d[i, m])
        for f in range(nf):
            if allowed[i, m, f]:
                per_price = inv_tau[m, f] * inv_u[f]
                if full_rho[m, f] != 0.0:
                    per_price *= math.exp(-full_rho[m, f])
                flow[m, f] = x_per_s[m, f] * share[m, f] * per_price * spend
            else:
                flow[m, f] = 0.0
            sales[f] += flow[m, f] + extra[i, m, f]


@numba.njit(cache=True, inline="always", error_model="numpy")
def _draw_constants(i: int, s0: Any, x0: Any, log_tau: Any, log_a: Any, sigma: Any, allowed: Any, inv_tau: Any,
                    x_per_s: Any, kappa: Any) -> None:
    """What draw i's evaluations share, for the pairs in the choice set (the others' is never read):
    ``exp(-log_tau)`` into `inv_tau`, ``x0 / s0`` (baseline flow per unit of value share) into `x_per_s`, and
    ``s0 (tau^ / a^)^(1 - sigma)``, each pair's weight in its market's price index at unit seller prices, into
    `kappa` (`_prices`)."""
    for m in range(log_tau.shape[1]):
        g = 1.0 - sigma[i, m]
        for f in range(log_tau.shape[2]):
            if allowed[i, m, f]:
                lt = log_tau[i, m, f]
                inv_tau[m, f] = math.exp(-lt) if lt != 0.0 else 1.0
                x_per_s[m, f] = x0[i, m, f] / s0[i, m, f]
                z = g * (lt - log_a[i, m, f])
                kappa[m, f] = s0[i, m, f] * math.exp(z) if z != 0.0 else s0[i, m, f]


@numba.njit(cache=True, inline="always", error_model="numpy")
def _supply_weight(eps: float) -> tuple[float, float]:
    """``eps / (1 + eps)`` and ``1 / (1 + eps)`` (1 and 0 for a flat supply, eps = inf)."""
    if not math.isfinite(eps):
        return 1.0, 0.0
    return eps / (1.0 + eps), 1.0 / (1.0 + eps)


@numba.njit(cache=True, error_model="numpy")
def _residual(i: int, s0: Any, x_per_s: Any, log_tau: Any, log_a: Any, log_quota: Any, extra: Any, allowed: Any,
              active: Any, log_c: Any, eps: Any, log_k: Any, log_d: Any, sigma: Any, eta: Any, sales0: Any,
              pairs: Any, u: Any, rho: Any, inv_tau: Any, inv_u: Any, full_rho: Any, log_p: Any, log_pi: Any,
              share: Any, flow: Any, sales: Any, res: Any, w_price: Any, w_cap: Any, w_rho: Any,
              w_quota: Any, kappa: Any, powers: Any) -> float:
    """Draw i's residual (into `res`) at `u`, `rho`; returns the sum of squared residuals (NaN when one is).
    The buffers `log_p` ... `sales` and the weights `w_price` ... `w_quota` are left holding the state there,
    which is all `_jacobian` reads."""
    nm, nf = s0.shape[1], s0.shape[2]
    nq = pairs.shape[0]
    for m in range(nm):
        for f in range(nf):
            full_rho[m, f] = 0.0
    for q in range(nq):
        full_rho[pairs[q, 0], pairs[q, 1]] = rho[q]
    _prices(i, s0, x_per_s, log_tau, log_a, extra, allowed, log_d, sigma, eta, inv_tau, inv_u, u, full_rho, log_p,
            log_pi, share, flow, sales, kappa, powers)
    merit = 0.0
    for f in range(nf):
        safe = sales[f] if sales[f] > 0.0 else 1.0
        log_s = math.log(safe / sales0[i, f]) if sales0[i, f] > 0.0 else math.inf
        k_price, k_sales = _supply_weight(eps[i, f])
        # price side: log v - log w(X), scaled by eps / (1 + eps); capacity side: log K - log X
        phi, wp, wc = _fb(k_price * (u[f] - log_c[i, f]) - k_sales * log_s, log_k[i, f] - log_s)
        w_price[f] = wp
        w_cap[f] = wc
        res[f] = phi if active[i, f] else u[f] - log_c[i, f]
        merit += res[f] * res[f]
    for q in range(nq):
        m, f = pairs[q, 0], pairs[q, 1]
        gap = math.inf
        if allowed[i, m, f]:
            sig = sigma[i, m]
            lp = log_pi[m] if math.isfinite(log_pi[m]) else 0.0
            log_x = (sig - 1.0) * log_a[i, m, f] - sig * log_p[m, f] + (sig - eta[i, m]) * lp + log_d[i, m]
            gap = log_quota[i, m, f] - log_x
        phi, wr, wq = _fb(rho[q], gap)
        res[nf + q] = phi
        w_rho[q] = wr
        w_quota[q] = wq
        merit += phi * phi
    return merit


@numba.njit(cache=True, error_model="numpy")
def _jacobian(i: int, s0: Any, allowed: Any, active: Any, eps: Any, sigma: Any, eta: Any, pairs: Any,
              share: Any, flow: Any, sales: Any, jac: Any, w_price: Any, w_cap: Any, w_rho: Any, w_quota: Any,
              d_sales: Any) -> None:
    """Draw i's semismooth Jacobian (into `jac`) at the state the last `_residual` left in the buffers."""
    nm, nf = s0.shape[1], s0.shape[2]
    nq = pairs.shape[0]
    n = nf + nq
    for a in range(n):
        for c in range(n):
            jac[a, c] = 0.0
    # d log x_mf / d log p_mg = (sigma_m - eta_m) s_mg - sigma_m [f == g], for allowed pairs (m, f);
    # d_sales[f, g] = d log sales_f / d u_g = sum_m weight_mf * that, weight the flow's part of the sales
    for f in range(nf):
        for g in range(nf):
            d_sales[f, g] = 0.0
    for m in range(nm):
        sig = sigma[i, m]
        slope = sig - eta[i, m]
        for f in range(nf):
            if flow[m, f] == 0.0:
                continue
            weight = flow[m, f] / (sales[f] if sales[f] > 0.0 else 1.0)
            for g in range(nf):
                d_sales[f, g] += weight * slope * share[m, g]
            d_sales[f, f] -= weight * sig
    for f in range(nf):
        if not active[i, f]:
            jac[f, f] = 1.0
            continue
        k_price, k_sales = _supply_weight(eps[i, f])
        for g in range(nf):
            jac[f, g] = -(w_price[f] * k_sales + w_cap[f]) * d_sales[f, g]
        jac[f, f] += w_price[f] * k_price
    for q in range(nq):
        mq, gq = pairs[q, 0], pairs[q, 1]
        sig = sigma[i, mq]
        slope = sig - eta[i, mq]
        # columns of rho_q in the firm rows: d log sales_f / d rho_q = weight_mf * d log x_mf / d log p_mg
        for f in range(nf):
            if not active[i, f]:
                continue
            weight = flow[mq, f] / (sales[f] if sales[f] > 0.0 else 1.0)
            d = weight * slope * share[mq, gq]
            if f == gq:
                d -= weight * sig
            k_price, k_sales = _supply_weight(eps[i, f])
            jac[f, nf + q] = -(w_price[f] * k_sales + w_cap[f]) * d
        # the cap's row: -d log x_q / d u_g and -d log x_q / d rho_q'
        jac[nf + q, nf + q] = w_rho[q]
        if not allowed[i, mq, gq]:
            continue
        for g in range(nf):
            dx = slope * share[mq, g] - (sig if g == gq else 0.0)
            jac[nf + q, g] = -w_quota[q] * dx
        for r in range(nq):
            if pairs[r, 0] == mq:
                g = pairs[r, 1]
                dx = slope * share[mq, g] - (sig if g == gq else 0.0)
                jac[nf + q, nf + r] -= w_quota[q] * dx


@numba.njit(cache=True, error_model="numpy")
def _lu_solve(a: Any, b: Any, out: Any) -> bool:
    """Solve ``a x = b`` by Gaussian elimination with partial pivoting (`a` and `b` are overwritten); False
    when a pivot is exactly zero, as LAPACK's gesv reports a singular matrix."""
    n = a.shape[0]
    for k in range(n):
        p = k
        best = abs(a[k, k])
        for r in range(k + 1, n):
            if abs(a[r, k]) > best:
                best = abs(a[r, k])
                p = r
        if best == 0.0:
            return False
        if p != k:
            for c in range(n):
                a[k, c], a[p, c] = a[p, c], a[k, c]
            b[k], b[p] = b[p], b[k]
        for r in range(k + 1, n):
            factor = a[r, k] / a[k, k]
            if factor != 0.0:
                for c in range(k, n):
                    a[r, c] -= factor * a[k, c]
                b[r] -= factor * b[k]
    for k in range(n - 1, -1, -1):
        acc = b[k]
        for c in range(k + 1, n):
            acc -= a[k, c] * out[c]
        out[k] = acc / a[k, k]
    return True


@numba.njit(cache=True, error_model="numpy")
def newton(s0: Any, x0: Any, log_tau: Any, log_a: Any, log_quota: Any, extra: Any, allowed: Any, active: Any,
           log_c: Any, eps: Any, log_k: Any, log_d: Any, sigma: Any, eta: Any, sales0: Any, e0: Any, wedge: Any,
           p0: Any, v0: Any, pairs: Any, start: Any, tol: float, max_iter: int, row0: int, lag: int, u_out: Any,
           rho_out: Any, iters: Any, resid: Any, done: Any, log_pi_out: Any, sales_out: Any, out: Any, at_quota: Any,
           firm_out: Any, bound: Any, market_out: Any) -> None:
    """Semismooth Newton for every draw, from `start` (log seller prices; NaN or inf: from marginal cost).
    With ``lag > 0``, a draw whose `start` is not finite starts instead from the converged solutions `u_out`
    holds in the rows ``lag`` and ``2 lag`` before its own (the same draw one and two quarters earlier, when a
    batch is laid out quarter by quarter): from the line through them, or from the first alone when only it
    has converged; should it not converge from there, it is solved again from marginal cost. A full step
    (capped at 4 in logs) is tried first; where it does not lower the squared residual by the Armijo margin
    it is halved, up to 30 times. The Jacobian is built only at iterates that take a step.
    Each draw's outputs are worked out at its last iterate while its state is at hand (`_outputs`).
    Writes draw i's results into row ``row0 + i`` of the arrays the caller gives (`linked._kernel_buffers`),
    which may hold more rows than the batch (a run of several spans of quarters, each solved on its own, fills
    one set): log seller prices ``(rows, f)``, licence rents ``(rows, q)``, iterations, final residual (max
    norm), whether each draw converged, log price indices ``(rows, m)``, sales ``(rows, f)``, and `_outputs`'
    arrays: pairs ``(7, rows, m, f)``, at quota, firms ``(3, rows, f)``, at capacity, markets ``(3, rows, m)``."""
    b, nm, nf = s0.shape
    nq = pairs.shape[0]
    n = nf + nq
    inv_tau = np.empty((nm, nf))
    x_per_s = np.empty((nm, nf))
    inv_u = np.empty(nf)
    full_rho = np.zeros((nm, nf))
    log_p = np.empty((nm, nf))
    log_pi = np.empty(nm)
    share = np.empty((nm, nf))
    flow = np.empty((nm, nf))
    sales = np.empty(nf)
    res = np.empty(n)
    jac = np.empty((n, n))
    trial_res = np.empty(n)
    w_price = np.empty(nf)
    w_cap = np.empty(nf)
    w_rho = np.empty(nq)
    w_quota = np.empty(nq)
    d_sales = np.empty((nf, nf))
    u = np.empty(nf)
    rho = np.empty(nq)
    u_try = np.empty(nf)
    rho_try = np.empty(nq)
    step = np.empty(n)
    rhs = np.empty(n)
    lu = np.empty((n, n))
    kappa = np.empty((nm, nf))
    powers = np.empty(nf)
    for i in range(b):
        row = row0 + i
        iters[row] = 0
        for f in range(nf):
            bound[row, f] = False
        _draw_constants(i, s0, x0, log_tau, log_a, sigma, allowed, inv_tau, x_per_s, kappa)
        earlier = row - lag if lag > 0 else -1
        chained = earlier >= 0 and done[earlier]
        for attempt in range(2):  # from the earlier row's solution if chained, then (or else) from marginal cost
            if attempt == 1:
                if not chained or done[row]:
                    break
                chained = False
            resid[row] = np.inf
            done[row] = False
            from_row = earlier if chained else -1
            _solve_draw(i, row, s0, x_per_s, log_tau, log_a, log_quota, extra, allowed, active, log_c, eps, log_k,
                        log_d, sigma, eta, sales0, pairs, start, from_row, tol, max_iter, u_out,
                        iters, resid, done, inv_tau, inv_u, full_rho, log_p, log_pi, share, flow, sales, res, jac,
                        trial_res, w_price, w_cap, w_rho, w_quota, d_sales, u, rho, u_try, rho_try, step, rhs, lu,
                        kappa, powers)
        # the buffers hold the state at the last iterate: every path through `_solve_draw` ends on an evaluation
        u_out[row] = u
        rho_out[row] = rho
        log_pi_out[row] = log_pi
        sales_out[row] = sales
        _outputs(i, row, e0, log_c, eps, log_k, log_d, eta, extra, allowed, active, wedge, sales0, p0, v0, u,
                 full_rho, log_p, log_pi, flow, sales, out, firm_out, at_quota, bound, market_out, log_tau, powers)


@numba.njit(cache=True, error_model="numpy")
def _solve_draw(i: int, row: int, s0: Any, x_per_s: Any, log_tau: Any, log_a: Any, log_quota: Any, extra: Any,
                allowed: Any, active: Any, log_c: Any, eps: Any, log_k: Any, log_d: Any, sigma: Any, eta: Any,
                sales0: Any, pairs: Any, start: Any, earlier: int, tol: float, max_iter: int, u_out: Any, iters: Any,
                resid: Any, done: Any, inv_tau: Any, inv_u: Any, full_rho: Any, log_p: Any, log_pi: Any, share: Any,
                flow: Any, sales: Any, res: Any, jac: Any, trial_res: Any, w_price: Any, w_cap: Any, w_rho: Any,
                w_quota: Any, d_sales: Any, u: Any, rho: Any, u_try: Any, rho_try: Any, step: Any, rhs: Any,
                lu: Any, kappa: Any, powers: Any) -> None:
    """`newton`'s loop for draw i (results in row `row`), from `start`, or where that is not finite from the
    solutions in `u_out` of row `earlier` (``earlier >= 0``) and of the row as far before it, extended in a line
    (from row `earlier`'s alone when the other has not converged), else from marginal cost; adds its steps to
    ``iters[row]``."""
    nf = s0.shape[2]
    nq = pairs.shape[0]
    n = nf + nq
    before = -1  # the row as far before `earlier` as `earlier` is before `row`, if it holds a solution
    if earlier >= 0 and 2 * earlier - row >= 0 and done[2 * earlier - row]:
        before = 2 * earlier - row
    for f in range(nf):
        s = start[i, f]
        if not math.isfinite(s) and earlier >= 0:
            s = u_out[earlier, f]
            if before >= 0:
                s = 2.0 * s - u_out[before, f]
        u[f] = s if (math.isfinite(s) and active[i, f]) else log_c[i, f]
    for q in range(nq):
        rho[q] = 0.0
    _residual(i, s0, x_per_s, log_tau, log_a, log_quota, extra, allowed, active, log_c, eps, log_k, log_d, sigma,
              eta, sales0, pairs, u, rho, inv_tau, inv_u, full_rho, log_p, log_pi, share, flow, sales, res,
              w_price, w_cap, w_rho, w_quota, kappa, powers)
    for k in range(max_iter + 1):
        norm = 0.0
        for a in range(n):
            v = abs(res[a])
            if math.isnan(v):
                norm = v
                break
            norm = max(norm, v)
        resid[row] = norm
        if norm <= tol:
            done[row] = True
            break
        if k == max_iter:
            break
        _jacobian(i, s0, allowed, active, eps, sigma, eta, pairs, share, flow, sales, jac, w_price, w_cap,
                  w_rho, w_quota, d_sales)
        for a in range(n):
            rhs[a] = -res[a]
            for c in range(n):
                lu[a, c] = jac[a, c]
        if not _lu_solve(lu, rhs, step):
            step[:] = np.linalg.lstsq(jac, -res, rcond=-1.0)[0]
        biggest = 0.0
        for a in range(n):
            if not math.isfinite(step[a]):
                step[a] = 0.0
            biggest = max(biggest, abs(step[a]))
        cap = min(1.0, 4.0 / max(biggest, 1e-300))
        merit0 = 0.0
        for a in range(n):
            step[a] *= cap
            merit0 += res[a] * res[a]
        scale = 1.0
        for attempt in range(31):  # the full step, then up to 30 halvings
            if attempt > 0:
                scale *= 0.5
            for f in range(nf):
                u_try[f] = u[f] + scale * step[f]
            for q in range(nq):
                rho_try[q] = rho[q] + scale * step[nf + q]
            merit = _residual(i, s0, x_per_s, log_tau, log_a, log_quota, extra, allowed, active, log_c, eps, log_k,
                              log_d, sigma, eta, sales0, pairs, u_try, rho_try, inv_tau, inv_u, full_rho, log_p,
                              log_pi, share, flow, sales, trial_res, w_price, w_cap, w_rho, w_quota, kappa, powers)
            if math.isfinite(merit) and merit <= (1.0 - 1e-4 * scale) * merit0:
                break
        # the last trial is the new iterate: the buffers hold its state
        for f in range(nf):
            u[f] = u_try[f]
        for q in range(nq):
            rho[q] = rho_try[q]
        for a in range(n):
            res[a] = trial_res[a]
        iters[row] += 1


@numba.njit(cache=True, error_model="numpy")
def notional_sales(s0: Any, x0: Any, log_tau: Any, log_a: Any, extra: Any, allowed: Any, log_d: Any, sigma: Any,
                   eta: Any, pairs: Any, u: Any, rho: Any, rows: Any, firms: Any, log_price: Any) -> Any:
    """For each k, firm ``firms[k]``'s sales in draw ``rows[k]`` at log seller prices `u` of that draw with the
    firm's own replaced by ``log_price[k]`` (others' held), and licence rents `rho`: what `state` would give on
    that one draw and price, without laying out a batch of the draws."""
    nm, nf = s0.shape[1], s0.shape[2]
    out = np.empty(rows.shape[0])
    log_p = np.empty((nm, nf))
    log_pi = np.empty(nm)
    flow = np.empty((nm, nf))
    sales = np.empty(nf)
    share = np.empty((nm, nf))
    inv_tau = np.empty((nm, nf))
    x_per_s = np.empty((nm, nf))
    inv_u = np.empty(nf)
    full_rho = np.zeros((nm, nf))
    at = np.empty(nf)
    kappa = np.empty((nm, nf))
    powers = np.empty(nf)
    for k in range(rows.shape[0]):
        i, f = rows[k], firms[k]
        _draw_constants(i, s0, x0, log_tau, log_a, sigma, allowed, inv_tau, x_per_s, kappa)
        for q in range(pairs.shape[0]):
            full_rho[pairs[q, 0], pairs[q, 1]] = rho[i, q]
        for g in range(nf):
            at[g] = u[i, g]
        at[f] = log_price[k]
        _prices(i, s0, x_per_s, log_tau, log_a, extra, allowed, log_d, sigma, eta, inv_tau, inv_u, at, full_rho,
                log_p, log_pi, share, flow, sales, kappa, powers)
        out[k] = sales[f]
    return out


@numba.njit(cache=True, inline="always", error_model="numpy")
def _outputs(i: int, r: int, e0: Any, log_c: Any, eps: Any, log_k: Any, log_d: Any, eta: Any, extra: Any,
             allowed: Any, active: Any, wedge: Any, sales0: Any, p0: Any, v0: Any, u: Any, full_rho: Any, log_p: Any,
             log_pi: Any, flow: Any, sales: Any, out: Any, firm_out: Any, at_quota: Any, bound: Any,
             market_out: Any, log_tau: Any, exp_u: Any) -> None:
    """Draw i's outputs at its solution (`linked._assemble` documents them) from the state the solver leaves
    in its buffers (`u`, `full_rho`, `log_p` ... `sales`), into row r of `out` ``(7, rows, m, f)``: price,
    quantity, value, revenue, share, licence rent (and `at_quota`); `firm_out` ``(3, rows, f)``: seller price,
    marginal cost, capacity rent (and `bound`, at capacity); `market_out` ``(3, rows, m)``: composite price,
    composite quantity, unmet demand. `p0` ``(m, f)`` and `v0` ``(f,)`` are the baseline's buyer and seller prices.
    A division by zero gives what numpy gives (inf), as the batch arrays this replaces did. `exp_u` is a
    buffer of one per firm: ``exp(u)``, which is a pair's price ratio where no wedge change or rent adds to it."""
    nm, nf = extra.shape[1], extra.shape[2]
    for f in range(nf):
        e = eps[i, f]
        inv_eps = 1.0 / e if math.isfinite(e) else 0.0
        k_price, k_sales = _supply_weight(e)
        exp_u[f] = math.exp(u[f])
        log_s = math.nan
        if sales[f] > 0.0:
            log_s = math.log(sales[f] / sales0[i, f]) if sales0[i, f] > 0.0 else math.inf
        if active[i, f]:
            seller = v0[f] * exp_u[f]
            mc = v0[f] * math.exp(log_c[i, f] + inv_eps * log_s)
            at_cap = (log_k[i, f] - log_s < k_price * (u[f] - log_c[i, f]) - k_sales * log_s
                      and math.isfinite(log_k[i, f]))
            rent = 0.0
            if at_cap:
                gap = seller - mc
                rent = gap if (gap > 0.0 or math.isnan(gap)) else 0.0
            bound[r, f] = at_cap
        else:
            seller = mc = rent = math.nan
        firm_out[0, r, f] = seller
        firm_out[1, r, f] = mc
        firm_out[2, r, f] = rent
    for m in range(nm):
        total = 0.0
        closed = True
        for f in range(nf):
            closed = closed and not allowed[i, m, f]
            q = flow[m, f] + extra[i, m, f]
            out[1, r, m, f] = q
            at_quota[r, m, f] = allowed[i, m, f] and full_rho[m, f] > 0.0
            if allowed[i, m, f] or extra[i, m, f] > 0.0:  # selling there
                rho = full_rho[m, f]
                # log_p = u + log_tau + rho, so its exponential is exp(u) itself where both are 0
                p = p0[m, f] * (exp_u[f] if (log_tau[i, m, f] == 0.0 and rho == 0.0) else math.exp(log_p[m, f]))
                out[0, r, m, f] = p
                out[2, r, m, f] = p * q
                out[3, r, m, f] = p * q / (1.0 + wedge[i, m, f])
                out[5, r, m, f] = firm_out[0, r, f] * (math.expm1(rho) if rho != 0.0 else 0.0)
                total += p * q
            else:  # no value: nothing to divide
                out[0, r, m, f] = math.nan
                out[2, r, m, f] = 0.0
                out[3, r, m, f] = 0.0
                out[5, r, m, f] = math.nan
        for f in range(nf):
            value = out[2, r, m, f]
            out[4, r, m, f] = value / total if (total > 0.0 and value != 0.0) else 0.0
        market_out[0, r, m] = math.exp(log_pi[m])
        if closed:
            market_out[1, r, m] = 0.0
            market_out[2, r, m] = e0[i, m] * math.exp(log_d[i, m])
        else:
            market_out[1, r, m] = e0[i, m] * math.exp(log_d[i, m] - eta[i, m] * log_pi[m])
            market_out[2, r, m] = 0.0
