"""Shares in percent: the one unit every answer gives a share in (docs/answers.md, "Units").

The engine computes shares as fractions of a whole (0-1); an answer gives each share in percent (0-100) under a
key ending in ``_pct``. This is where a fraction the engine returns becomes an answer's percent."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

#: Decimals a percent keeps: the engine's fractions carry six, so a percent carries four.
PERCENT_DECIMALS = 4


def percent(fraction: float | None) -> float | None:
    """A fraction (0-1) in percent (0-100), rounded to ``PERCENT_DECIMALS``; None stays None."""
    return None if fraction is None else round(float(fraction) * 100.0, PERCENT_DECIMALS)


def shares_in_percent(value: Any, fractions: Collection[str]) -> Any:
    """``value`` (a record, a list of them, or records nested in records) with each key in ``fractions``
    replaced, in its place, by ``KEY_pct`` holding the same share in percent (``percent``)."""
    if isinstance(value, list | tuple):
        return [shares_in_percent(v, fractions) for v in value]
    if not isinstance(value, dict):
        return value
    return {(f"{k}_pct" if k in fractions else k): (percent(v) if k in fractions else shares_in_percent(v, fractions))
            for k, v in value.items()}
