"""Errors and warnings of the market model.

Bad input raises `MarketInputError` (a `ValueError` as well as a `ChipshiftError`), naming the field and
what is wrong with it. A solver that stops before meeting its tolerance raises `ConvergenceError`, or, when
asked to, warns with `ConvergenceWarning` and returns NaN for the draws concerned: never a silent number.
"""

from __future__ import annotations

from chipshift.errors import ChipshiftError


class MarketInputError(ChipshiftError, ValueError):
    """A market, shock or parameter is invalid (wrong sign, shape, label, or out of the model's domain)."""


class ConvergenceError(ChipshiftError, ArithmeticError):
    """The equilibrium solver did not meet its tolerance for some draws."""

    def __init__(self, message: str, failed: tuple[int, ...]) -> None:
        self.failed = failed
        super().__init__(message)


class ConvergenceWarning(RuntimeWarning):
    """Some draws did not converge; their results were set to NaN."""
