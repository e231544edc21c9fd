"""The market model: Armington/CES demand, the exact partial equilibrium, GSIM/SMART layers, dynamics.

Pure computation on numpy arrays, no IO. Modules: `ces` (demand primitives), `model` (the `Market` and
`Shocks` inputs), `equilibrium` (the batched solver), `linked` (firms selling into several markets from one
supply: regions, segments, licence caps), `gsim` and `smart` (linearised reference models
kept for validation and WITS-compatible reporting), `dynamics` (ramps, learning, lagged adjustment).
Equations and worked examples: the research note market-models.md, sections 1-4 and 7.
"""

from chipshift.market.equilibrium import MarketResult, solve_market
from chipshift.market.errors import ConvergenceError, ConvergenceWarning, MarketInputError
from chipshift.market.linked import LinkedMarkets, LinkedResult, LinkedShocks, solve_linked
from chipshift.market.model import Market, Shocks

__all__ = [
    "ConvergenceError",
    "ConvergenceWarning",
    "LinkedMarkets",
    "LinkedResult",
    "LinkedShocks",
    "Market",
    "MarketInputError",
    "MarketResult",
    "Shocks",
    "solve_linked",
    "solve_market",
]
