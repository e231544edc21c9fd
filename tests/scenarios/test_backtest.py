"""Back-tests: the scores against their definitions, the posterior against quadrature, episodes' hindsight
checks, and ``chipshift backtest`` end to end (serial and on a dask LocalCluster, same numbers)."""

from __future__ import annotations

import json
import math
import re
import shutil
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from typer.testing import CliRunner, Result

from chipshift.cli import app
from chipshift.io.bundled import bundled_data_dir
from chipshift.io.store import Store
from chipshift.scenarios.backtest import (
    EpisodeResult,
    Prediction,
    conformity,
    crps,
    error_model,
    interval_score,
    score,
    score_library,
    scorecard,
    span_of,
    stretch_of,
    stretched,
)
from chipshift.scenarios.linked_case import Outcome
from chipshift.scenarios.posterior import Posterior, Prior, Target, combine, log_likelihood, sample
from tests.conftest import StoreAt

BUNDLED_DATA = bundled_data_dir()

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)

# -- scores ----------------------------------------------------------------------------------------------------


def crps_pairwise(x: np.ndarray, y: float) -> float:
    """CRPS of an empirical distribution from its definition, E|X - y| - E|X - X'| / 2, over all pairs."""
    return float(np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :])))


@given(st.lists(st.floats(-100, 100), min_size=1, max_size=40), st.floats(-150, 150))
@settings(max_examples=60, deadline=None)
def test_crps_matches_its_definition(xs: list[float], y: float) -> None:
    x = np.array(xs)
    assert crps(x, y) == pytest.approx(crps_pairwise(x, y), abs=1e-9)
    assert crps(x, y) >= -1e-12


def test_crps_of_a_normal_sample_matches_the_closed_form() -> None:
    rng = np.random.default_rng(1)
    mu, sd, y = 1.0, 2.0, 2.5
    z = (y - mu) / sd
    exact = sd * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))
    assert crps(rng.normal(mu, sd, 200_000), y) == pytest.approx(exact, rel=0.01)


def test_interval_score_is_width_plus_penalty_outside() -> None:
    assert interval_score(1.0, 3.0, 2.0) == 2.0
    assert interval_score(1.0, 3.0, 4.0, alpha=0.1) == 2.0 + 20.0 * 1.0
    assert interval_score(1.0, 3.0, 0.5, alpha=0.5) == 2.0 + 4.0 * 0.5


def test_score_reads_direction_size_and_coverage() -> None:
    outcome = Outcome("share:x", "2025", value=7.0, source="f", reference="2023", reference_value=14.0)  # -7
    sample = np.linspace(-12.0, 0.0, 1001)  # median -6, p5 -11.4, p95 -0.6, p25 -9, p75 -3
    s = score(outcome, sample, model_value=8.0, horizon=1.0)
    assert s.observed_change == -7.0
    assert s.median == pytest.approx(-6.0)
    assert s.direction_hit and s.within_size and s.in50 and s.in90
    far = score(outcome, sample + 20.0, model_value=22.0, horizon=1.0)  # median +14: wrong way, outside both intervals
    assert not far.direction_hit and not far.within_size and not far.in50 and not far.in90
    card = scorecard([s, far])
    assert (card.direction, card.size, card.coverage50, card.coverage90) == (0.5, 0.5, 0.5, 0.5)
    flat = score(Outcome("p", "2025", 5.0, "f", "2023", 5.0), sample, 1.0, horizon=1.0)
    assert flat.direction_hit is None  # no observed change: not counted for direction
    assert scorecard([flat]).direction is None


def test_a_flow_over_a_quarter_is_measured_from_a_quarter_of_its_yearly_reference() -> None:
    """Imports of 16,861 in a quarter against 63,184 in the year before rose (a quarter of the year is 15,796): the
    change is measured from the reference at the outcome period's length, so a model that has the quarter at
    14,000 got the direction wrong, however much smaller a quarter is than a year. Shares are not scaled."""
    assert span_of("2022Q4", "2021") == 0.25 and span_of("2021", "2020Q3") == 4.0
    assert span_of("2023H1", "2022") == 0.5 and span_of("FY2024", "2023") == 1.0
    outcome = Outcome("value@ARG", "2022Q4", value=16861.0, source="f", reference="2021", reference_value=63184.0)
    base = 63184.0 / 4
    s = score(outcome, np.full(101, 14000.0 - base), model_value=14000.0, horizon=1.0, span=0.25)
    assert s.observed_change == pytest.approx(16861.0 - base) and s.reference_value == pytest.approx(base)
    assert s.direction_hit is False
    unscaled = score(outcome, np.full(101, 14000.0 - 63184.0), model_value=14000.0, horizon=1.0)
    assert unscaled.direction_hit is True  # what a year's level against a quarter's made of it


def test_bands_are_stretched_to_hold_their_share_of_the_other_episodes_outcomes() -> None:
    """Split conformal, as documented: an outcome's conformity is how far outside its 90% band's half-width it lies
    (1 at the edge); the stretch is the (n + 1)-corrected 90% quantile of the others' conformity."""
    assert stretch_of([]) == 1.0
    assert stretch_of([0.5] * 9 + [3.0]) == 3.0  # ceil(11 * 0.9) = 10th of 10
    assert stretch_of([float(k) for k in range(1, 20)]) == 18.0  # ceil(20 * 0.9) = 18th of 19
    outcome = Outcome("value@x", "2025", value=math.e ** 2, source="f", reference="2024", reference_value=1.0)
    p = Prediction(outcome, np.ones(3), np.zeros(3), 0.0, 1.0, 1.0)
    logs = np.linspace(-1.0, 1.0, 2001)  # median 0, 95% point 0.9: the observed log level 2 lies 2 / 0.9 out
    assert conformity(p, logs) == pytest.approx(2.0 / 0.9, rel=1e-3)
    assert conformity(p, logs, 0.5) == pytest.approx(2.0 / 0.5, rel=1e-3)  # at the 50% band: its 75% point, 0.5


@settings(max_examples=60, deadline=None)
@given(st.floats(1.0, 4.0), st.booleans(), st.integers(0, 10_000))
def test_a_band_stretched_at_its_ends_is_the_band_of_the_stretched_draws(factor: float, percent: bool,
                                                                         seed: int) -> None:
    """A market case's bands get the library's stretch at their ends: by the documented semantics (every draw moved
    about the median in logs, log-odds for a percentage), the 5% and 95% points of the stretched draws are where
    the stretched ends lie, and the median does not move."""
    rng = np.random.default_rng(seed)
    logs = rng.normal(0.0, 0.7, 4001)
    draws = 100.0 / (1.0 + np.exp(-logs)) if percent else 50.0 * np.exp(logs)
    low, middle, high = (float(v) for v in np.percentile(draws, [5, 50, 95]))

    def scale(x: np.ndarray) -> np.ndarray:
        return np.log(x / (100.0 - x)) if percent else np.log(x)

    m = float(np.median(scale(draws)))
    moved = m + factor * (scale(draws) - m)
    wide = 100.0 / (1.0 + np.exp(-moved)) if percent else np.exp(moved)
    want_low, want_high = (float(v) for v in np.percentile(wide, [5, 95]))
    got_low, got_high = stretched(low, middle, high, factor, percent)
    assert got_low == pytest.approx(want_low, rel=1e-6) and got_high == pytest.approx(want_high, rel=1e-6)
    assert stretched(low, middle, high, 1.0, percent) == (low, high)
    assert stretched(0.0, middle, high, factor, percent)[0] == 0.0  # a level at nothing stays there


def test_an_observed_zero_is_held_by_a_band_at_what_figures_resolve() -> None:
    """A level below what a published figure resolves counts at that resolution on both sides: a band of predicted
    trickles (0.2-0.4% of the reference level) holds an observed zero, as a band well above it does not."""

    def logs(x: object) -> np.ndarray:  # the documented scale: logs, a level floored at 0.5% of the reference's
        return np.asarray(np.log(np.maximum(np.asarray(x, dtype=float), 0.005 * 100.0)))

    def log_odds(x: object) -> np.ndarray:  # a percentage: log-odds, floored half a point from either edge
        q = np.clip(np.asarray(x, dtype=float) / 100.0, 0.005, 0.995)
        return np.asarray(np.log(q / (1.0 - q)))

    outcome = Outcome("quantity:x@W", "2024Q2", value=0.0, source="f", reference="2023Q2", reference_value=100.0)
    trickle = np.linspace(-99.8, -99.6, 1001)  # levels 0.2-0.4: under the 0.5 a figure of 100 resolves
    s = score(outcome, trickle, model_value=0.3, horizon=1.0, scaled=logs)
    assert s.in90 and s.in50 and s.direction_hit and s.within_size
    above = score(outcome, trickle + 5.0, model_value=5.3, horizon=1.0, scaled=logs)  # ten times the resolution
    assert not above.in90 and not above.in50
    # a share's zero against predicted shares under half a point
    share = Outcome("share:x@W", "2024", value=0.0, source="f", reference="2023", reference_value=60.0)
    assert score(share, np.linspace(-59.8, -59.6, 1001), model_value=0.3, horizon=1.0, scaled=log_odds).in90


# -- posterior ---------------------------------------------------------------------------------------------------


def test_competing_estimates_widen_a_target() -> None:
    one = combine("o", "2024", [(10.0, 0.05, "a")])
    two = combine("o", "2024", [(10.0, 0.05, "a"), (14.4, 0.05, "b")])
    assert one.error == pytest.approx(0.05)
    assert two.value == pytest.approx(12.0)
    assert two.error == pytest.approx(math.hypot(0.05, 0.5 * math.log(1.44)))
    assert two.sources == ("a", "b")


def test_pert_prior_has_its_mode_at_the_default() -> None:
    prior = Prior("p", 0.0, 2.0, 10.0)
    grid = np.linspace(0.01, 9.99, 999)
    assert grid[np.argmax(prior.log_density(grid))] == pytest.approx(2.0, abs=0.02)
    draws = prior.sample(np.random.default_rng(0), 100_000)
    assert draws.mean() == pytest.approx(prior.mean, rel=0.01)
    assert draws.std() == pytest.approx(prior.sd, rel=0.02)
    assert np.isneginf(prior.log_density(np.array([-1.0, 11.0]))).all()


def test_posterior_matches_quadrature_on_a_one_parameter_model() -> None:
    """model(theta) = theta against one published figure; the reference posterior mean is computed on a grid
    of (theta, model error) from the prior densities and the lognormal likelihood written out here."""
    theta_prior, error_prior = Prior("theta", 1.0, 4.0, 10.0), Prior("model_error", 0.02, 0.10, 0.50)
    target = Target("o", "2024", 6.0, 0.1, ("f",))
    th = np.linspace(1.0005, 9.9995, 1500)
    me = np.linspace(0.0201, 0.4999, 400)
    tt, mm = np.meshgrid(th, me, indexing="ij")
    a, b = theta_prior.shape
    ea, eb = error_prior.shape
    log_prior = ((a - 1) * np.log((tt - 1.0) / 9.0) + (b - 1) * np.log(1 - (tt - 1.0) / 9.0)
                 + (ea - 1) * np.log((mm - 0.02) / 0.48) + (eb - 1) * np.log(1 - (mm - 0.02) / 0.48))
    var = 0.1**2 + mm**2
    log_like = -0.5 * (np.log(tt) - np.log(6.0)) ** 2 / var - 0.5 * np.log(var)
    w = np.exp(log_prior + log_like - np.max(log_prior + log_like))
    exact_mean = float(np.sum(w * tt) / np.sum(w))
    exact_sd = float(np.sqrt(np.sum(w * (tt - exact_mean) ** 2) / np.sum(w)))

    for min_ess, method in ((0.0, "importance"), (math.inf, "emcee")):  # each sampler on its own
        post = sample([theta_prior, error_prior], lambda d: d["theta"][None, :], [target], steps=1500, seed=3,
                      min_ess=min_ess)
        assert post.method == method
        theta = post.samples[:, 0]
        assert theta.mean() == pytest.approx(exact_mean, abs=0.08)
        assert theta.std() == pytest.approx(exact_sd, rel=0.15)
        assert post.summary[0].identified  # the figure narrows theta well below its prior
    assert 0.2 < post.acceptance < 0.9  # emcee's
    assert sample([theta_prior, error_prior], lambda d: d["theta"][None, :], [target]).method == "importance"


def test_adaptive_importance_sampling_finds_a_sharp_posterior_the_prior_misses() -> None:
    """Two parameters each pinned by a figure of 1% error, far from their priors' modes: the prior's draws give
    too few effective draws, adaptive rounds reach the threshold, and the means and sds match quadrature."""
    priors = [Prior("a", 1.0, 2.0, 10.0), Prior("b", 1.0, 2.0, 10.0), Prior("model_error", 0.02, 0.03, 0.04)]
    targets = [Target("a", "2024", 7.0, 0.01, ("f",)), Target("b", "2024", 8.0, 0.01, ("g",))]

    def model(d: dict[str, np.ndarray]) -> np.ndarray:
        return np.vstack([d["a"], d["b"]])

    post = sample(priors, model, targets, prior_draws=4000, min_ess=1000, seed=11)
    assert post.method == "adaptive importance"
    assert post.importance_ess >= 1000 and post.evaluations <= 4000 * 4
    for j, (name, value) in enumerate((("a", 7.0), ("b", 8.0))):
        grid = np.linspace(priors[j].low + 1e-4, priors[j].high - 1e-4, 20001)
        aa, bb = priors[j].shape
        u = (grid - priors[j].low) / (priors[j].high - priors[j].low)
        # the model error is narrow (0.02-0.04): integrate it at its prior mean, it barely widens the 1% error
        sd = math.hypot(0.01, priors[2].mean)
        log_w = (aa - 1) * np.log(u) + (bb - 1) * np.log1p(-u) - 0.5 * ((np.log(grid) - math.log(value)) / sd) ** 2
        w = np.exp(log_w - log_w.max())
        mean = float(np.sum(w * grid) / np.sum(w))
        sd_exact = float(np.sqrt(np.sum(w * (grid - mean) ** 2) / np.sum(w)))
        assert post.summary[j].mean == pytest.approx(mean, rel=0.01), name
        assert post.summary[j].sd == pytest.approx(sd_exact, rel=0.15), name


def test_likelihood_rules_out_a_missing_or_non_positive_model_value() -> None:
    t = Target("o", "2024", 5.0, 0.1, ("f",))
    ll = log_likelihood(np.array([[5.0, 0.0, np.nan]]), [t], np.full(3, 0.1))
    assert np.isfinite(ll[0]) and np.isneginf(ll[1:]).all()


def test_an_unidentified_parameter_and_one_against_its_bound_are_named() -> None:
    priors = [Prior("free", 0.0, 0.5, 1.0), Prior("pushed", 0.0, 0.5, 1.0), Prior("model_error", 0.02, 0.1, 0.5)]
    target = Target("o", "2024", 1e-6, 0.05, ("f",))  # wants `pushed` at its low end; `free` plays no part

    def model(d: dict[str, np.ndarray]) -> np.ndarray:
        return np.asarray(d["pushed"])[None, :]

    post = sample(priors, model, [target], steps=600, seed=5)
    by = {p.name: p for p in post.summary}
    assert not by["free"].identified
    assert by["pushed"].at_bound == "low"


# -- episodes: loading -------------------------------------------------------------------------------------------

GALLIUM = """
kind: market
model: linked
name: gallium-test
start: 2023Q2
end: 2024Q2
value_unit: usd_m
sellers:
  - {id: china_producers, country: CHN, product: gallium, supply_elasticity: {param: supply_china}}
  - {id: other_producers, country: ROW, product: gallium, supply_elasticity: 0.2}
markets:
  - {id: CHN, region: CHN, product: gallium, value: {value: 190, unit: usd_m, basis: "test"},
     shares: {china_producers: 100}, sigma: {param: sigma}, demand_elasticity: 0.5}
  - id: ROW
    region: ROW
    product: gallium
    value: {value: 28, unit: usd_m, basis: "test"}
    shares:
      china_producers: {value: 91.7, unit: pct, basis: "test"}
      other_producers: {value: 8.3, unit: pct, basis: "test"}
    sigma: {param: sigma}
    demand_elasticity: 0.5
rules:
  - {rule: E-CN-GAGE-2023, effect: licence, approval: {param: approval}, delay: 0.3, sellers: [china_producers],
     markets: [ROW]}
parameters:
  sigma: {default: 20, low: 10, high: 40, basis: "free: test"}
  supply_china: {default: 1.0, low: 0.3, high: 3.0, basis: "free: test"}
  approval: {default: 0.5, low: 0.1, high: 0.9, basis: "free: test"}
observations:
  - {output: "price@ROW", period: 2023Q2, value: 1.0, basis: "the index's base"}
  - {output: "price@CHN", period: 2023Q2, value: 1.0, basis: "the index's base"}
episode:
  as_of: 2023-07-02
  mechanism: raw_material_control
  summary: "China's gallium export licences (test)"
outcomes:
  - {output: "price@ROW", period: 2023Q4, from: 2023Q2, value: 2.14, basis: "test figure"}
  - {output: "price@CHN", period: 2023Q3, from: 2023Q2, value: 0.91, basis: "test figure"}
"""


@pytest.fixture(scope="module")
def store(session_store_at: StoreAt) -> Path | str:
    return session_store_at("backtest")


def _run(store: Path | str, tmp_path: Path, text: str, *args: str) -> Result:
    path = tmp_path / "episode.yaml"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(app, ["--store", str(store), "backtest", str(path), *args])


@pytest.mark.parametrize(("old", "new", "message"), [
    ("  - {output: \"price@ROW\", period: 2023Q2, value: 1.0",
     "  - {output: \"price@ROW\", period: 2023Q3, value: 1.0",
     "2023Q3 ends after the episode's as_of date 2023-07-02"),
    ("period: 2023Q3, from: 2023Q2, value: 0.91", "period: 2023Q2, from: 2023Q2, value: 0.91",
     "is over by the episode's as_of date"),
    ("period: 2023Q4, from: 2023Q2, value: 2.14", "period: 2023Q4, from: 2023Q1, value: 2.14",
     "no observation of 'price@ROW' in 2023Q1"),
    ("    value: {value: 28, unit: usd_m, basis: \"test\"}\n", "    value: {fact: hbm-size-wld-2025-fool}\n",
     "fact 'hbm-size-wld-2025-fool' was published 2025-06-26, after the episode's as_of date"),
    ("period: 2023Q4, from: 2023Q2, value: 2.14, basis: \"test figure\"", "period: 2023Q4, from: 2023Q2",
     "outcomes[0]"),
    ("sigma: {default: 20, low: 10, high: 40", "sigma: {default: 20, low: 50, high: 40",
     "low 50 is above high 40"),
    ("period: 2023Q3, from: 2023Q2, value: 0.91", "period: 2025H1, from: 2023Q2, value: 0.91",
     "2025H1 is not a period of the run's 'price@CHN'"),
])
def test_hindsight_and_bad_outcomes_are_refused(store: Path | str, tmp_path: Path, old: str, new: str,
                                                message: str) -> None:
    assert old in GALLIUM
    result = _run(store, tmp_path, GALLIUM.replace(old, new))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "episode.yaml:" in result.output


def test_a_case_without_an_episode_is_not_backtested(store: Path | str, tmp_path: Path) -> None:
    text = GALLIUM.split("episode:")[0]
    result = _run(store, tmp_path, text)
    assert result.exit_code == 2
    assert "not a back-test episode" in result.output


# -- episodes: running -------------------------------------------------------------------------------------------


def test_backtest_scores_an_episode_reproducibly(store: Path | str, tmp_path: Path) -> None:
    first = _run(store, tmp_path, GALLIUM, "--draws", "200", "--steps", "60", "--format", "json", "--alone",
                 "--out", str(tmp_path / "out"))
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    rows = {(r["output"], r["period"]): r for r in report["outcomes"]}
    row = rows[("price@ROW", "2023Q4")]
    assert row["median_change"] > 0  # licences on China's exports raise the price outside China
    assert row["p95"] - row["p5"] > row["p75"] - row["p25"] > 0  # a 90% interval is wider than a 50% one
    card = report["scorecard"]
    assert card["outcomes"] == 2 and card["episodes"] == 1
    assert 0.0 <= card["coverage90_pct"] <= 100.0
    (episode,) = report["episodes"]
    assert episode["fitted_to"] and episode["sampler"]["evaluations"] > 0
    assert {p["parameter"] for p in episode["parameters"]} == {"sigma", "supply_china", "approval", "model_error"}
    assert {Path(f).name for f in report["files"]} >= {"outcomes.csv", "backtest.png", "backtest.json"}
    assert any("scored alone" in w for w in report["warnings"])
    # each outcome says what it is in words, and the chart names its rows so, not by their codes
    assert re.fullmatch(r"Gallium price, Rest of the world \(index, \d{4}Q\d = 1\)", row["title"]), row["title"]
    chart = (tmp_path / "out" / "backtest.svg").read_text(encoding="utf-8")
    assert "Gallium price, Rest of the world" in chart and "price@ROW" not in chart
    # every row of the tables says the unit of its figures: the outcomes' levels and changes, the parameters'
    for outcomes in (pd.read_csv(tmp_path / "out" / "outcomes.csv"), pd.read_parquet(tmp_path / "out" /
                                                                                      "outcomes.parquet")):
        assert list(outcomes.columns).index("unit") == list(outcomes.columns).index("observed") + 1
        assert set(outcomes["unit"]) == {"index"}  # prices of a linked case are indices
    # lead times, from as_of 2023-07-02 to the middle of each quarter (a quarter at least): 2023Q4's middle is
    # mid-November, about 0.375 years on; 2023Q3's, mid-August, is less than a quarter on
    assert row["horizon_years"] == pytest.approx(0.375, abs=0.01)
    assert rows[("price@CHN", "2023Q3")]["horizon_years"] == pytest.approx(0.25)
    (band,) = report["scorecard_by_horizon"]
    assert band["group"] == "under 6 months" and band["outcomes"] == 2 and band["episodes"] == 1
    assert [g["group"] for g in report["scorecard_by_mechanism"]] == [episode["mechanism"]]
    scorecard = pd.read_csv(tmp_path / "out" / "scorecard.csv")
    changes = [f"change:{g['group']}" for g in report["scorecard_by_change"]]
    assert changes and set(changes) <= {"change:rose", "change:fell", "change:unchanged"}
    assert list(scorecard["set"]) == ["all", "held_out", "horizon:under 6 months",
                                      f"mechanism:{episode['mechanism']}", *changes]
    assert scorecard["unit"].str.contains("percent of the outcomes").all()
    posterior = pd.read_csv(tmp_path / "out" / "posterior.csv")
    assert dict(zip(posterior["parameter"], posterior["unit"], strict=True)) == {
        "sigma": "elasticity (no unit)", "supply_china": "elasticity (no unit)",
        "approval": "fraction of requested sales", "model_error": "log scale (log-odds for a percentage)"}
    again = json.loads(_run(store, tmp_path, GALLIUM, "--draws", "200", "--steps", "60", "--format",
                            "json", "--alone").stdout)
    assert again["outcomes"] == report["outcomes"]


def test_an_episode_of_ones_own_takes_the_model_error_from_the_library(session_store_at: StoreAt,
                                                                      tmp_path: Path) -> None:
    """The library is the data folder's episodes: a copy of the bundled data keeping three of them (the whole
    library is run by the test below), one of which needs CSET tables this store lacks."""
    data = tmp_path / "data"
    shutil.copytree(BUNDLED_DATA, data, ignore=shutil.ignore_patterns("__pycache__"))
    kept = {"asml-china-rush-2023.yaml", "gallium-licensing-2023.yaml", "germanium-licensing-2023.yaml"}
    for path in (data / "episodes").glob("*.yaml"):
        if path.name not in kept:
            path.unlink()
    path = tmp_path / "episode.yaml"
    path.write_text(GALLIUM, encoding="utf-8")
    result = CliRunner().invoke(app, ["--store", str(session_store_at("own-episode")), "--data-dir", str(data),
                                      "backtest", str(path), "--draws", "100", "--steps", "40", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (episode,) = report["episodes"]  # the library lends its outcomes but is not scored
    assert episode["episode"] == "gallium-test" and episode["model_error"] is not None
    assert "2 other episodes" in episode["error_from"]
    # this test store has no CSET tables: the one episode that needs them lends nothing, and says so
    assert any("asml-china-rush-2023" in w and "lends nothing" in w for w in report["warnings"])


def test_a_local_cluster_gives_the_serial_numbers(store: Path | str, tmp_path: Path) -> None:
    first, second = tmp_path / "episode.yaml", tmp_path / "other.yaml"
    first.write_text(GALLIUM, encoding="utf-8")
    second.write_text(GALLIUM.replace("name: gallium-test", "name: gallium-other").replace(
        "value: 2.14", "value: 1.6").replace('basis: "test figure"', 'basis: "another figure"'), encoding="utf-8")

    def run(*extra: str) -> dict:  # type: ignore[type-arg]
        result = CliRunner().invoke(app, ["--store", str(store), "backtest", str(first), str(second), "--alone",
                                          "--draws", "100", "--steps", "40", "--format", "json", *extra])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    serial, cluster = run(), run("--workers", "2")
    assert cluster["outcomes"] == serial["outcomes"]
    assert all("1 other episodes" in e["error_from"] for e in serial["episodes"])  # each lends to the other


# -- the model error learned from the track record ------------------------------------------------------------


def _prediction(observed: float, level: float, horizon: float, percent: bool = False,
                source: str = "f") -> Prediction:
    outcome = Outcome("share:x" if percent else "price@X", "2025", observed, source, "2023", level)
    return Prediction(outcome, np.full(50, level), np.full(50, 0.1), 0.0, horizon, level, percent)


def test_the_error_model_recovers_a_known_scale_and_tail() -> None:
    rng = np.random.default_rng(4)
    horizons = rng.uniform(0.5, 3.0, 800)
    observed = 10.0 * np.exp(0.6 * np.sqrt(horizons) * rng.standard_normal(800))
    normal = error_model([_prediction(float(y), 10.0, float(h)) for y, h in zip(observed, horizons, strict=True)])
    assert normal is not None
    assert normal.scale == pytest.approx(0.6, abs=0.05) and normal.dof >= 10
    heavy = 10.0 * np.exp(0.3 * rng.standard_t(2.0, 800))  # a model that now and then misses by far
    tailed = error_model([_prediction(float(y), 10.0, 1.0) for y in heavy])
    assert tailed is not None and tailed.dof <= 3 and tailed.scale == pytest.approx(0.3, abs=0.06)
    odds = 0.6 * rng.standard_normal(800)  # percentages: the error acts on log-odds around 20%
    shares = 100.0 / (1.0 + np.exp(-(math.log(0.25) + odds)))
    on_odds = error_model([_prediction(float(y), 20.0, 1.0, True) for y in shares])
    assert on_odds is not None and on_odds.scale == pytest.approx(0.6, abs=0.05)
    assert error_model([]) is None


def test_each_episode_gets_the_error_of_the_others_only() -> None:
    def result(name: str, observed: float) -> EpisodeResult:
        post = Posterior((), np.zeros((1, 0)), 1.0, 0, 0.0, ())
        preds = tuple(_prediction(observed * (1 + 0.1 * k), 10.0, 1.0, source=f"{name}{k}") for k in range(3))
        return EpisodeResult(name, name, "supply_cut", "2023-01-01", "", post, (), preds, (), 0.0)

    base = [result("a", 12.0), result("b", 30.0), result("c", 5.0)]
    moved = [result("a", 90.0), *base[1:]]  # only episode a's outcomes change
    first, second = score_library(base), score_library(moved)
    assert first[0].error == second[0].error  # a's error comes from b and c
    assert first[1].error != second[1].error
    assert first[0].error_from == 2
    solo = score_library(base[:1])[0]
    assert solo.error is None and solo.error_from == 0
    shares = score_library([result("a", 12.0)])[0].outcomes
    assert all(s.p5 <= s.median <= s.p95 for s in shares)


# -- the bundled library -----------------------------------------------------------------------------------------


def test_the_bundled_library_loads_with_its_hindsight_checks(bundled_store: Store) -> None:
    from chipshift.api.backtest import episode_job, library
    from chipshift.schemas.market_case import MECHANISMS

    jobs = [episode_job(bundled_store, path) for path in library()]
    assert len(jobs) >= 12
    mechanisms = {job.case.episode.mechanism for job in jobs}  # type: ignore[union-attr]
    assert mechanisms == set(MECHANISMS)  # every kind of restriction has an episode
    for job in jobs:
        episode = job.case.episode
        assert episode is not None and episode.outcomes
        assert all(o.source for o in episode.outcomes)
        assert all(job.case.period_end(o.output, o.period) > episode.as_of for o in episode.outcomes)


def _read_back(verdict: bool, low: float, observed: float, high: float, reference: float = 0.0,
               percent: bool = False) -> bool:
    """Whether an interval verdict agrees with the rounded numbers the report shows beside it: the verdict is
    taken on unrounded figures and the report rounds each to 4 decimals, so an observed change within 1e-4 of
    a bound may fall on either side. Levels below what a figure resolves count at that resolution (half a point
    of a share, from either edge; 0.5% of the reference level otherwise), as the documented scores read them."""
    def level(change: float) -> float:
        value = reference + change
        if percent:
            return min(max(value, 0.5), 99.5)
        return max(value, 0.005 * abs(reference))

    lo, seen, hi = level(low), level(observed), level(high)
    near_bound = abs(seen - lo) <= 1e-4 or abs(seen - hi) <= 1e-4
    return near_bound or verdict == (lo <= seen <= hi)


def test_the_bundled_library_runs_and_is_scored(bundled_store: Store) -> None:
    from chipshift.api.backtest import backtest

    # what is checked is that every verdict and breakdown is read back from the numbers beside it, which holds
    # however rough each posterior is: a quarter of the default prior draws (and few predictive draws and
    # sampler steps) takes a fraction of the time
    report = backtest(bundled_store, draws=100, steps=40, calibration_draws=1000)
    assert report.method.calibration_draws == 1000
    card = report.scorecard
    assert card.episodes >= 12 and card.outcomes == len(report.outcomes)
    for row in report.outcomes:  # each verdict read back from the numbers beside it
        assert row.p5 is not None and row.p25 is not None and row.p75 is not None and row.p95 is not None
        assert row.observed_change is not None and row.median_change is not None
        percent = row.output.startswith(("share:", "revenue_share", "localization"))
        assert row.reference is not None
        assert _read_back(row.in90, row.p5, row.observed_change, row.p95, row.reference, percent)
        assert _read_back(row.in50, row.p25, row.observed_change, row.p75, row.reference, percent)
        if row.observed_change:
            hit = math.copysign(1, row.median_change) == math.copysign(1, row.observed_change)
            assert row.direction == ("hit" if hit else "miss")
        # read back from the rounded figures beside it: a gap within rounding of half the change may go either way
        gap = abs(row.median_change - row.observed_change) - 0.5 * abs(row.observed_change)
        assert abs(gap) <= 1e-4 or row.size == ("within" if gap <= 0 else "off")
        assert row.source
    assert all("other episodes" in e.error_from for e in report.episodes)
    # a calibration warning said of several episodes is one line, naming how many and the first few; each
    # episode's own sampler warnings keep it
    told = {w for e in report.episodes for w in e.sampler.warnings}
    for w in told:
        lines = [x for x in report.warnings if x.endswith(w) or f": {w} (" in x]
        given = [e.episode for e in report.episodes if w in e.sampler.warnings]
        assert len(lines) == 1, (w, lines)
        assert lines[0].startswith(f"{len(given)} episodes: " if len(given) > 1 else f"{given[0]}: ")
    # the breakdowns by lead time and by mechanism partition the outcomes; each band's rates are read back from
    # the outcomes whose lead time falls in it
    bands = {"under 6 months": (0.0, 0.5), "6-12 months": (0.5, 1.0), "1-2 years": (1.0, 2.0),
             "2 years or more": (2.0, math.inf)}
    assert sum(g.outcomes for g in report.scorecard_by_horizon) == card.outcomes
    assert sum(g.outcomes for g in report.scorecard_by_mechanism) == card.outcomes
    # by what the observed level did: the outcomes that rose and those that fell; the size ratio is the median of
    # predicted over observed change among the outcomes whose direction is right
    assert sum(g.outcomes for g in report.scorecard_by_change) == card.outcomes
    for group in report.scorecard_by_change:
        changes = [(r.median_change, r.observed_change) for r in report.outcomes
                   if r.median_change is not None and r.observed_change is not None and r.direction == "hit" and
                   (r.observed_change > 0, r.observed_change < 0) == (group.group == "rose", group.group == "fell")]
        inside = [r for r in report.outcomes if r.observed_change is not None and
                  (r.observed_change > 0, r.observed_change < 0) == (group.group == "rose", group.group == "fell")]
        assert len(inside) == group.outcomes
        ratios = [median / observed for median, observed in changes]
        if ratios:
            assert group.size_ratio == pytest.approx(statistics.median(ratios), rel=0.02, abs=0.01)
    for group in report.scorecard_by_horizon:
        low, high = bands[group.group]
        inside = [r for r in report.outcomes if r.horizon_years is not None and low <= r.horizon_years < high]
        assert len(inside) == group.outcomes
        assert group.coverage90_pct == pytest.approx(100.0 * sum(r.in90 for r in inside) / len(inside), abs=0.05)


def test_a_rule_named_only_in_a_cut_counts_as_the_episodes_own(store: Path | str, tmp_path: Path) -> None:
    """An episode whose restriction is announced the day after as_of and named only in a seller's cut still
    applies it (and says it is conditioned on it)."""
    from chipshift.api.backtest import episode_job
    from chipshift.api.data import open_store
    from chipshift.config import Settings
    from chipshift.scenarios.linked_case import named_rules

    text = (Path(__file__).resolve().parents[2] / "src" / "chipshift" / "data" / "episodes" /
            "cambricon-entity-list-2022.yaml").read_text(encoding="utf-8")
    path = tmp_path / "cut.yaml"
    path.write_text(text, encoding="utf-8")
    with open_store(Settings(store_path=store)) as opened:
        job = episode_job(opened, path)
    cut_rules = {s.cut.rule for s in job.case.sellers if s.cut is not None}
    assert cut_rules and cut_rules <= named_rules(job.case)
    assert cut_rules <= set(job.conditioned_on)
    assert any(start is not None for start in job.governed.cut_start)


def test_the_models_change_is_applied_to_the_observed_level() -> None:
    from chipshift.scenarios.backtest import apply_change

    def logit(p: float) -> float:
        return math.log(p / (1 - p))

    # a share: the model goes from 20% to 40%; the observed reference is 10%: moved by the same log-odds
    got = apply_change(10.0, np.array([40.0]), np.array([20.0]), percent=True)[0]
    expected = 100.0 / (1.0 + math.exp(-(logit(0.10) + logit(0.40) - logit(0.20))))
    assert got == pytest.approx(expected)
    assert 0.0 < apply_change(90.0, np.array([99.0]), np.array([50.0]), percent=True)[0] < 100.0
    # a level: the model doubles; the observed reference of 3 becomes 6
    assert apply_change(3.0, np.array([2.0, 4.0]), np.array([1.0, 2.0]), percent=False) == pytest.approx([6.0, 6.0])
    # a model share of 0 counts as half a point, not as an unbounded fall
    assert apply_change(30.0, np.array([0.0]), np.array([30.0]), percent=True)[0] == pytest.approx(0.5, rel=1e-6)


def test_fiscal_periods_end_on_the_firms_calendar() -> None:
    from chipshift.scenarios.linked_case import LinkedCase

    case = LinkedCase("c", "", "2021Q1", "2025Q4", "usd_bn", (), (), (), {}, fiscal_year_end={"nvidia": 1})
    assert case.period_end("revenue_share:nvidia@CHN", "FY2024").isoformat() == "2024-01-31"
    assert case.period_end("revenue_share:nvidia@CHN", "FY2024Q3").isoformat() == "2023-10-31"
    assert case.period_middle("revenue_share:nvidia@CHN", "FY2024").isoformat() == "2023-08-02"
    assert case.period_end("share:x", "2024Q2").isoformat() == "2024-06-30"


LATER_VALUES = ('    values: {2023Q1: {value: 28, unit: usd_m, basis: "t"}, '
                '2023Q3: {value: 40, unit: usd_m, basis: "t"}}\n')


@pytest.mark.parametrize(("old", "new", "message"), [
    ('    value: {value: 28, unit: usd_m, basis: "test"}\n', LATER_VALUES,
     "a value for 2023Q3, after the episode's as_of date"),
    ('  sigma: {default: 20, low: 10, high: 40, basis: "free: test"}', "  sigma: {from: sigma}",
     "was published 2025-07-31, after the episode's as_of date"),
])
def test_later_information_behind_literals_and_catalogue_parameters_is_refused(
        store: Path | str, tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in GALLIUM
    result = _run(store, tmp_path, GALLIUM.replace(old, new))
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_observations_the_model_cannot_give_are_named(store: Path | str, tmp_path: Path) -> None:
    # other producers sell nothing in China's market: no draw can give them a share there
    base = '  - {output: "price@CHN", period: 2023Q2, value: 1.0, basis: "the index\'s base"}\n'
    assert base in GALLIUM
    text = GALLIUM.replace(base, base + '  - {output: "share:other_producers@CHN", period: 2023Q2, value: 5.0, '
                                        'basis: "test"}\n')
    result = _run(store, tmp_path, text, "--alone", "--draws", "50", "--steps", "20")
    assert result.exit_code == 2, result.output
    assert "share:other_producers@CHN in 2023Q2" in result.output


def test_outcomes_citing_an_episodes_own_sources_lend_nothing_to_its_error() -> None:
    def result(name: str, source: str, observed: float) -> EpisodeResult:
        post = Posterior((), np.zeros((1, 0)), 1.0, 0, 0.0, ())
        preds = (_prediction(observed, 10.0, 1.0, source=source), _prediction(observed * 1.3, 10.0, 2.0,
                                                                                 source=name + "-own"))
        return EpisodeResult(name, name, "supply_cut", "2023-01-01", "", post, (), preds, (), 0.0)

    a, b, c = result("a", "shared", 12.0), result("b", "shared", 30.0), result("c", "own-c", 11.0)
    scored = score_library([a, b, c])
    # b's first outcome cites a source of a's: it lends nothing to a's error
    assert scored[0].error == error_model([b.predictions[1], *c.predictions])
    assert scored[2].error == error_model([*a.predictions, *b.predictions])


def test_an_outcome_from_a_zero_level_says_its_levels_on_the_chart() -> None:
    from chipshift.reports.backtest import zero_reference_note

    # from a level of 0 no multiple exists: the chart's row says the levels (reference plus each change) instead
    outcome = {"reference": 0.0, "observed": 30.0, "unit": "pct", "median_change": 10.2, "p5": 3.35, "p95": 44.0}
    assert zero_reference_note(outcome) == ("reference level 0, so no multiple: observed 30%; model median 10.2%, "
                                            "90% 3.35% to 44%")
    assert zero_reference_note({**outcome, "unit": "index"}).endswith("90% 3.35 index to 44 index")  # type: ignore[union-attr]
    assert zero_reference_note({**outcome, "reference": 2.0}) is None


def test_an_outcome_names_the_publishers_of_the_facts_its_source_cites(bundled_store: Store) -> None:
    """Each outcome row carries the publishers of the facts its source names (the original publisher of a copy), as
    the bundled facts and sources files record them; the chart's row names the first two."""
    import csv

    from chipshift.api.backtest import _publishers_of
    from chipshift.reports.backtest import publisher_label

    data = bundled_data_dir()
    def rows(path: Path) -> list[dict[str, str]]:
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    sources = {r["id"]: r for r in rows(data / "sources.csv")}
    facts = {r["id"]: r for path in sorted((data / "facts").glob("*.csv")) for r in rows(path)}
    fact = "tsmc-revenue-share-chn-2025q1-reuters"
    source = sources[facts[fact]["source"]]
    expected = source["original_publisher"] or source["publisher"]
    named = _publishers_of(bundled_store)
    assert named(fact) == [expected]
    other = "tsmc-revenue-share-chn-2025q3-ltn"
    second = sources[facts[other]["source"]]
    both = named(f"China's share ({fact}; and {other}, as restated)")
    assert both == list(dict.fromkeys([expected, second["original_publisher"] or second["publisher"]]))
    assert named("a figure stated in words alone") == []
    assert publisher_label({"publishers": ["A", "B", "C"]}) == "A, B and 1 more"
    assert publisher_label({"publishers": []}) == "source stated in outcomes.csv"
