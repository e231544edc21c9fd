"""Market scenarios: the seed cases, calibration, Monte Carlo, and the runner's invariants."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from chipshift.api.data import load_world
from chipshift.api.market_runs import load_case, scenario_compare, scenario_run
from chipshift.domain.rules import Rule, RuleKind, Sellers, rule_from_record
from chipshift.engine.reach import Destination
from chipshift.errors import DataError
from chipshift.io.store import Store
from chipshift.scenarios import market_analysis as analysis
from chipshift.scenarios import market_posterior
from chipshift.scenarios.market_case import MarketCase, parse_case
from chipshift.scenarios.market_run import RuleContext, default_draws, outputs, simulate

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)

REPO = Path(__file__).resolve().parents[2]
MICRON = REPO / "examples" / "micron-china.yaml"
AI = REPO / "examples" / "china-ai-accelerators.yaml"


def _single(store: Store, path: Path) -> tuple[MarketCase, RuleContext]:
    """A single-market case file, loaded against the store."""
    case, rules = load_case(store, path)
    assert isinstance(case, MarketCase)
    return case, rules


def _case(store: Store, doc: dict[str, Any]) -> tuple[MarketCase, RuleContext]:
    facts = {f["id"]: f for f in store.rows("facts")}
    params = {p["id"]: p for p in store.rows("parameters")}
    rules = [rule_from_record(r) for r in store.rows("rules")]
    world, parents = load_world(store)
    return parse_case(doc, facts, params, {r.id for r in rules}, "test.yaml"), RuleContext(rules, world, parents)


def test_seed_cases_run_and_compare_with_published(bundled_store: Store) -> None:
    micron = scenario_run(bundled_store, MICRON)
    table = {(r["output"], r["year"]): r for r in micron["calibration"]["table"]}
    assert {("revenue_share", 2023), ("revenue_share", 2024), ("revenue_share", 2025)} <= set(table)
    base = next(r for r in micron["outputs"] if r["output"] == "revenue_share" and r["year"] == 2022)
    assert base["value"] == pytest.approx(11.0)  # the base year reproduces its fact
    shares = [r for r in micron["outputs"] if r["output"] == "share:micron@data_center"]
    assert shares[-1]["value"] == pytest.approx(0.0)  # exited from China's data centres
    assert micron["calibration"]["statement"]
    ai = scenario_run(bundled_store, AI)
    published = {(c["output"], c["year"]): c["published"] for c in ai["published_beside_model"]}
    values_2025 = {p["value"] for p in published[("localization", 2025)]}
    assert {40.0, 41.0} <= values_2025  # TrendForce and IDC side by side
    loc = {r["year"]: r["value"] for r in ai["outputs"] if r["output"] == "localization"}
    assert loc[2023] < loc[2024] < loc[2025]


def test_labelled_frame(bundled_store: Store, tmp_path: Path) -> None:
    from chipshift.api.market_runs import to_frame

    report = scenario_run(bundled_store, AI)
    frame = to_frame(report)
    fitted = next(r for r in report["calibration"]["table"] if (r["output"], r["year"]) == ("localization", 2024))
    assert frame.loc[("localization", 2024), "value"] == pytest.approx(fitted["model"], abs=1e-3)
    # calibration brings the central run nearer Morgan Stanley's 34% for 2024 than the prior's central run
    doc = yaml.safe_load(AI.read_text())
    for obs in doc["observations"]:
        obs["fit"] = False
    unfitted = tmp_path / "unfitted.yaml"
    unfitted.write_text(yaml.safe_dump(doc), encoding="utf-8")
    prior_run = scenario_run(bundled_store, unfitted)
    at_prior = next(r for r in prior_run["calibration"]["table"] if (r["output"], r["year"]) == ("localization", 2024))
    assert abs(fitted["error"]) < abs(at_prior["error"])
    assert frame.attrs["scenario"] == "china-ai-accelerators" and frame.attrs["sources"]
    assert len(report["digest"]) == 16 and report["digest"] == scenario_run(bundled_store, AI)["digest"]


def test_no_rules_no_growth_stays_put(bundled_store: Store) -> None:
    doc = yaml.safe_load(MICRON.read_text())
    doc = copy.deepcopy(doc)
    doc["bans"] = []
    doc.pop("market_value")
    for s in doc["sources"]:
        for key in ("quality_growth", "capacity_growth", "capacity", "learning_rate"):
            s.pop(key, None)
    case, rules = _case(bundled_store, doc)
    out = outputs(simulate(case, rules, default_draws(case, 3)))
    _, share = out["share:samsung"]
    assert np.allclose(share, share[0][None, :], atol=1e-9)
    total = sum(out[f"share:{s.id}"][1] for s in case.sources)
    assert np.allclose(total, 100.0)


def test_batched_draws_match_single_runs(bundled_store: Store) -> None:
    case, rules = _single(bundled_store, AI)
    draws = default_draws(case, 4)
    draws["sigma"] = np.array([1.5, 2.5, 3.7, 5.0])
    draws["domestic_quality_growth"] = np.array([0.0, 0.1, 0.3, 0.6])
    together = outputs(simulate(case, rules, draws))
    for b in range(4):
        alone = outputs(simulate(case, rules, {k: v[b: b + 1] for k, v in draws.items()}))
        for name, (_, values) in together.items():
            assert np.allclose(values[:, b], alone[name][1][:, 0], rtol=1e-9, atol=1e-9), name


def test_removing_a_source_raises_the_others(bundled_store: Store) -> None:
    doc = yaml.safe_load(MICRON.read_text())
    with_exit, rules = _case(bundled_store, doc)
    doc["bans"] = [b for b in doc["bans"] if b["rule"] != "E-MICRON-EXIT-OCT2025"]
    without_exit, _ = _case(bundled_store, doc)
    banned = outputs(simulate(with_exit, rules, default_draws(with_exit, 1)))
    open_ = outputs(simulate(without_exit, rules, default_draws(without_exit, 1)))
    for source in ("samsung", "sk-hynix", "cxmt"):
        years, after = banned[f"share:{source}@data_center"]
        _, before = open_[f"share:{source}@data_center"]
        assert after[years.index(2027), 0] > before[years.index(2027), 0]
        assert after[years.index(2024), 0] == pytest.approx(before[years.index(2024), 0])


def test_predictive_bands_are_seeded_and_bounded(bundled_store: Store) -> None:
    case, rules = _single(bundled_store, AI)
    calibration = market_posterior.bayesian_calibration(case, rules, {}, seed=7, draws=1_000)
    a = market_posterior.predictive_bands(case, rules, calibration, 300, error=None, seed=7, chunk=128)
    b = market_posterior.predictive_bands(case, rules, calibration, 300, error=None, seed=7, chunk=128)
    assert a == b
    band = a["localization"]
    assert all(lo <= mid <= hi for lo, mid, hi in zip(band["p5"], band["median"], band["p95"], strict=True))
    assert band["draws"] == 300 and band["kept"] <= analysis.RESERVOIR


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows", [1, 2, 7, 400, 900])
def test_reservoir_percentiles_are_numpys_to_the_bit(rows: int, dtype: type[np.floating[Any]]) -> None:
    rng = np.random.default_rng(rows)
    values = (rng.standard_normal((rows, 12)) * 10.0 ** rng.uniform(-6, 6, 12)).astype(dtype)
    values[:, 1] = np.nan
    values[-1, 2] = np.nan
    values[:, 3] = np.inf
    values[: rows // 2 + 1, 4] = -np.inf
    values[:, 5] = 0.25
    reservoir = analysis.Reservoir((12,), 500, rng, dtype)
    reservoir.add(values)
    kept = reservoir.values[: min(rows, 500)]
    with np.errstate(invalid="ignore"):
        expected = np.percentile(kept, analysis.BAND, axis=0)
    got = reservoir.percentiles()
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_reservoir_keeps_what_one_row_at_a_time_would(dtype: type[np.floating[Any]]) -> None:
    """Algorithm R one row at a time, written from its definition: the first `size` rows fill the slots; row
    number n after them (counting from 0) draws u and replaces slot floor(u (n + 1)) when that is below `size`.
    The reservoir, fed in batches of several sizes, keeps the same rows, given the same draws of u."""
    size, width = 50, 3
    stream = np.random.default_rng(1).standard_normal((1_000, width))
    batches = [7, 60, 1, 200, 332, 400]
    reservoir = analysis.Reservoir((width,), size, np.random.default_rng(5), dtype)
    at = 0
    for n in batches:
        reservoir.add(stream[at:at + n])
        at += n
    rng = np.random.default_rng(5)
    expected = np.empty((size, width), dtype=dtype)
    seen = 0
    for n in batches:
        free = max(0, min(size - seen, n))
        draws = rng.random(n - free) if n > free else np.empty(0)
        for j in range(n):
            row = stream[seen + j]
            if seen + j < size:
                expected[seen + j] = row
            else:
                slot = int(draws[j - free] * (seen + j + 1))
                if slot < size:
                    expected[slot] = row
        seen += n
    assert reservoir.seen == 1_000
    np.testing.assert_array_equal(reservoir.values, expected)


def test_sensitivity_ranks(bundled_store: Store) -> None:
    case, rules = _single(bundled_store, AI)
    rows = analysis.sensitivity(case, rules, {}, ["localization"])
    ranks = [r["rank"] for r in rows]
    assert ranks == list(range(1, len(rows) + 1))
    assert rows[0]["swing"] >= rows[-1]["swing"]


def test_compare(bundled_store: Store) -> None:
    report = scenario_compare(bundled_store, AI, AI)
    assert report["differences"] and all(r["difference"] == 0 for r in report["differences"])


@pytest.mark.parametrize("edit,message", [
    (lambda d: d["sources"][0].update(share={"fact": "no-such-fact"}), "unknown fact"),
    (lambda d: d["parameters"].pop("sigma"), "sigma"),
    (lambda d: d.update(kind="restriction"), "not a market scenario"),
    (lambda d: d["sources"][0].update(share=40), "basis"),
    (lambda d: d["bans"].append({"rule": "E-NOPE", "source": "micron"}), "unknown rule"),
    (lambda d: d["sources"].pop(0), "sum to"),
    (lambda d: d["parameters"].update(sigma={"default": 40, "low": 30, "high": 50, "basis": "x"}), "sensible"),
    (lambda d: d["sources"][0].update(id="samsnug"), "not a known firm"),
])
def test_bad_scenarios(bundled_store: Store, tmp_path: Path, edit: Callable[[dict[str, Any]], object],
                       message: str) -> None:
    doc = yaml.safe_load(MICRON.read_text())
    edit(doc)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(DataError, match=message):
        scenario_run(bundled_store, path)


def test_low_sigma_bans_are_quantity_constraints(bundled_store: Store) -> None:
    case, rules = _single(bundled_store, MICRON)
    draws = default_draws(case, 2)
    draws["sigma"] = np.array([0.8, 3.7])
    out = outputs(simulate(case, rules, draws))
    years, micron_dc = out["share:micron@data_center"]
    assert micron_dc[years.index(2027)] == pytest.approx([0.0, 0.0], abs=1e-9)  # barred either way
    _, samsung = out["share:samsung@data_center"]
    assert np.all(np.isfinite(samsung))


def test_overrides_are_held_and_reported(bundled_store: Store) -> None:
    base = scenario_run(bundled_store, MICRON)
    sigma = next(p for p in base["parameters"] if p["id"] == "sigma")
    value = round((sigma["low"] + sigma["high"]) / 2, 3)
    report = scenario_run(bundled_store, MICRON, draws=50, seed=3, overrides={"sigma": value, "w_dc": 0.3})
    rows = {p["id"]: p for p in report["parameters"]}
    assert rows["sigma"]["value"] == value and rows["sigma"]["overridden"] is True
    assert rows["sigma"]["monte_carlo"] is False and (rows["sigma"]["low"], rows["sigma"]["high"]) == (
        sigma["low"], sigma["high"])  # the sourced range is still shown
    assert rows["w_dc"]["value"] == 0.3 and rows["w_dc"]["fitted"] is False and rows["w_dc"]["fittable"] is True
    assert "w_dc" not in report["calibration"]["fitted"] and "w_cii" in report["calibration"]["fitted"]
    assert not rows["w_cii"]["overridden"]
    assert "sigma" not in {r["parameter"] for r in report["sensitivity"]}
    assert report["overrides"] == {"sigma": value, "w_dc": 0.3}
    last = [r for r in report["outputs"] if r["output"] == "revenue_share"][-1]
    assert last["value"] != [r for r in base["outputs"] if r["output"] == "revenue_share"][-1]["value"]


@pytest.mark.parametrize(("overrides", "field"), [({"sigma": 1e6}, "parameters.sigma"),
                                                   ({"w_dc": -0.1}, "parameters.w_dc"),
                                                   ({"no_such": 1.0}, "parameters.no_such")])
def test_bad_overrides(bundled_store: Store, overrides: dict[str, float], field: str) -> None:
    with pytest.raises(DataError) as info:
        scenario_run(bundled_store, MICRON, overrides=overrides)
    assert [p.field for p in info.value.problems] == [field]
    assert "micron-china.yaml" in str(info.value)


def test_a_relaxation_lifts_only_its_own_products_and_sellers_in_the_market(bundled_store: Store) -> None:
    """Japan's 2019 controls on South Korea: the Dec 2019 relaxation covers photoresist only, so the same
    rule's bar on hydrogen fluoride holds until the 2023 lift (the engine's reach decides both)."""
    world, parents = load_world(bundled_store)
    rules = [rule_from_record(r) for r in bundled_store.rows("rules")]
    context = RuleContext(rules, world, parents)
    when = [date(y, m, 15) for y in range(2019, 2025) for m in (2, 5, 8, 11)]
    in_2021 = when.index(date(2021, 5, 15))
    korea = Destination("KOR")
    japanese = [f["id"] for f in bundled_store.rows("firms") if f["hq_country"] == "JPN"]
    seller, rival = japanese[0], japanese[1]
    photoresist = context.holds("E-JP-KR-2019", "photoresist", seller, korea, when)
    fluoride = context.holds("E-JP-KR-2019", "hydrogen_fluoride", seller, korea, when)
    assert not photoresist[in_2021] and fluoride[in_2021]
    assert not fluoride[-1]  # lifted in March 2023
    # a relaxation naming one seller leaves another seller's ban in place
    for_one = Rule("X", "x", "JPN", RuleKind.RELAXATION, "t", "s", "q", policy="lifted",
                   sellers=Sellers(firms=(seller,)), relaxes=("E-JP-KR-2019",), effective="2020-01-01")
    scoped = RuleContext([*rules, for_one], world, parents)
    assert not scoped.holds("E-JP-KR-2019", "hydrogen_fluoride", seller, korea, when)[in_2021]
    assert scoped.holds("E-JP-KR-2019", "hydrogen_fluoride", rival, korea, when)[in_2021]
