"""A single-market case calibrated by its posterior: it recovers a parameter from figures the model itself made,
its bands hold what they were fitted to, and the model's error widens them after the last fitted year."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from chipshift.api.data import load_world
from chipshift.domain.rules import rule_from_record
from chipshift.io.store import Store
from chipshift.scenarios import market_posterior as mp
from chipshift.scenarios.backtest import ErrorModel
from chipshift.scenarios.market_case import MarketCase, parse_case
from chipshift.scenarios.market_run import RuleContext, default_draws, outputs, simulate
from chipshift.scenarios.posterior import LITERAL_ERROR, STATUS_ERROR

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)

REPO = Path(__file__).resolve().parents[2]
MICRON = REPO / "examples" / "micron-china.yaml"


def _case(store: Store, doc: dict[str, Any]) -> tuple[MarketCase, RuleContext]:
    facts = {f["id"]: f for f in store.rows("facts")}
    params = {p["id"]: p for p in store.rows("parameters")}
    rules = [rule_from_record(r) for r in store.rows("rules")]
    world, parents = load_world(store)
    return parse_case(doc, facts, params, {r.id for r in rules}, "test.yaml"), RuleContext(rules, world, parents)


def _synthetic(store: Store, w_cii: float) -> tuple[MarketCase, RuleContext, dict[int, float]]:
    """micron-china with its revenue-share observations replaced by the model's own at ``w_cii`` (the rest at
    their defaults), as literals."""
    doc = copy.deepcopy(yaml.safe_load(MICRON.read_text(encoding="utf-8")))
    case, rules = _case(store, doc)
    draws = default_draws(case, 1) | {"w_cii": np.array([w_cii])}
    years, values = outputs(simulate(case, rules, draws))["revenue_share"]
    made = {y: float(values[years.index(y), 0]) for y in (2023, 2024, 2025)}
    doc["observations"] = [{"output": "revenue_share", "year": y, "value": round(v, 4), "unit": "pct",
                            "basis": "made by the model at a known share in critical infrastructure"}
                           for y, v in made.items()]
    case, rules = _case(store, doc)
    return case, rules, made


def test_targets_take_the_error_of_their_kind_and_literals_their_own(bundled_store: Store) -> None:
    case, _ = _case(bundled_store, yaml.safe_load(MICRON.read_text(encoding="utf-8")))
    errors = {"micron-revenue-share-chn-fy2023-readhub": STATUS_ERROR["estimate"]}
    targets = {t.period: t for t in mp.targets(case, errors) if t.output == "revenue_share"}
    assert targets["2023"].error == STATUS_ERROR["estimate"]
    assert targets["2024"].error == LITERAL_ERROR  # a fact the errors do not know counts as a literal


def test_the_posterior_recovers_a_share_the_model_made_and_its_bands_widen_after_the_last_fitted_year(
        bundled_store: Store) -> None:
    truth = 0.45  # the prior's mode is 0.2 on [0, 0.6]
    case, rules, made = _synthetic(bundled_store, truth)
    calibration = mp.bayesian_calibration(case, rules, {}, seed=3, draws=2_000)
    prior = next(p for p in calibration.posterior.priors if p.name == "w_cii")
    prior_median = float(np.median(prior.sample(np.random.default_rng(0), 20_000)))
    assert abs(calibration.medians["w_cii"] - truth) < abs(prior_median - truth)
    assert calibration.origin == 2026.0 and calibration.rmse is not None
    error = ErrorModel(scale=0.6, dof=2.0)
    bands = mp.predictive_bands(case, rules, calibration, 2_000, error=error, seed=5)["revenue_share"]
    for year, value in made.items():
        i = bands["years"].index(year)
        assert bands["p5"][i] <= value <= bands["p95"][i]
    width = {y: bands["p95"][i] - bands["p5"][i] for i, y in enumerate(bands["years"])}
    assert width[2027] > width[2026] > width[2025]  # the track record's error grows with the years after 2025
    without = mp.predictive_bands(case, rules, calibration, 2_000, error=None, seed=5)["revenue_share"]
    j = without["years"].index(2027)
    assert without["p95"][j] - without["p5"][j] < width[2027]
    wider = mp.predictive_bands(case, rules, calibration, 2_000, error=ErrorModel(0.6, 2.0, stretch=2.0),
                                seed=5)["revenue_share"]
    assert wider["median"] == bands["median"]
    for i, year in enumerate(bands["years"]):
        if year + 0.5 > calibration.origin:  # the library's stretch acts where its error does: after the origin
            assert wider["p5"][i] < bands["p5"][i] and wider["p95"][i] > bands["p95"][i]
        else:
            assert (wider["p5"][i], wider["p95"][i]) == (bands["p5"][i], bands["p95"][i])
