"""The market model: Armington/CES demand, exact partial equilibrium, GSIM/SMART layers, dynamics.

Pure computation on numpy arrays; no IO. See ``docs`` in the research note market-models.md for the
equations and worked examples these modules are tested against.
"""

from chipshift.market.equilibrium import MarketResult, solve_market
from chipshift.market.errors import ConvergenceError, ConvergenceWarning, MarketInputError
from chipshift.market.model import Market, Shocks

__all__ = [
    "ConvergenceError",
    "ConvergenceWarning",
    "Market",
    "MarketInputError",
    "MarketResult",
    "Shocks",
    "solve_market",
]
