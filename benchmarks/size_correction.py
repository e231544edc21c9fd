"""Would a learned scale on the model's changes bring more back-test outcomes within ±50% of the observed
change? Each outcome's median change is multiplied by the inverse of the median ratio (in logs) of predicted
to observed change over the right-signed outcomes of the *other* episodes (leave one episode out), with one
scale for all outcomes or one per mechanism (at least three ratios, else none).

Run from the repository root:
    .venv/bin/chipshift backtest -f json > scorecard.json
    .venv/bin/python benchmarks/size_correction.py scorecard.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

Outcome = Mapping[str, Any]


def within(outcome: Outcome, scale: float) -> bool:
    """Whether the scaled median change is within ±50% of the observed change."""
    observed = float(outcome["observed_change"])
    return abs(scale * float(outcome["median_change"]) - observed) <= 0.5 * abs(observed)


def scale_from(others: Sequence[Outcome]) -> float:
    """The inverse of the median predicted/observed ratio of the right-signed outcomes; 1 with fewer than 3."""
    ratios = [r for r in (o["median_change"] / o["observed_change"] for o in others) if r > 0]
    return 1.0 / float(np.exp(np.median(np.log(ratios)))) if len(ratios) >= 3 else 1.0


def share_within(outcomes: Sequence[Outcome], same_group: Callable[[Outcome, Outcome], bool]) -> float:
    hits = [within(o, scale_from([p for p in outcomes if p["episode"] != o["episode"] and same_group(o, p)]))
            for o in outcomes]
    return float(np.mean(hits))


def main() -> None:
    text = Path(sys.argv[1]).read_text() if len(sys.argv) > 1 else sys.stdin.read()
    report = json.loads(text)
    outcomes = [o for o in report["outcomes"] if o["observed_change"] != 0 and o["median_change"] != 0]
    print(f"{len(outcomes)} outcomes with a change observed and predicted")
    print(f"within ±50% as the model gives them: {np.mean([within(o, 1.0) for o in outcomes]):.1%}")
    print(f"with one scale for all, leave-one-episode-out: {share_within(outcomes, lambda a, b: True):.1%}")
    print(f"with one scale per mechanism, leave-one-episode-out: "
          f"{share_within(outcomes, lambda a, b: a['mechanism'] == b['mechanism']):.1%}")


if __name__ == "__main__":
    main()
