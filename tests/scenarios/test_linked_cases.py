"""Linked market cases: reading a case, rules acting through the engine's reach, and the outputs by period."""

from __future__ import annotations

import copy
import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from chipshift.api.data import load_world
from chipshift.domain.period import Period
from chipshift.domain.rules import rule_from_record
from chipshift.errors import DataError
from chipshift.io.store import Store
from chipshift.io.tables import parse_yaml
from chipshift.scenarios import linked_case as lc
from chipshift.scenarios.linked_parse import parse_linked
from chipshift.scenarios.market_run import RuleContext

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)

REPO = Path(__file__).resolve().parents[2]
GALLIUM = REPO / "examples" / "gallium-export-controls.yaml"
EPISODES = REPO / "src" / "chipshift" / "data" / "episodes"
#: Prior draws per calibration round in these tests: rougher posteriors, the same code paths, a fraction of the time.
FAST = 400


def _load(store: Store, doc: dict[str, Any]) -> tuple[lc.LinkedCase, lc.Governed]:
    facts = {f["id"]: f for f in store.rows("facts")}
    params = {p["id"]: p for p in store.rows("parameters")}
    case = parse_linked(doc, facts, params, "test.yaml")
    world, parents = load_world(store)
    ctx = RuleContext([rule_from_record(r) for r in store.rows("rules")], world, parents)
    return case, lc.govern(case, ctx, "test.yaml")


def _quarter_labels(case: lc.LinkedCase) -> list[str]:
    """The case's quarters by label ("2024Q3"), in run order, as its outputs name them (`period_labels`)."""
    return [label for label, at in lc.period_labels(case).items() if "Q" in label and len(at) == 1]


def _episode_setup(name: str) -> dict[str, Any]:
    """A bundled episode's case without its episode block and outcomes, read as the loader reads it."""
    path = EPISODES / f"{name}.yaml"
    doc = parse_yaml(path.read_text(encoding="utf-8"), path.name)[0]
    return {k: v for k, v in doc.items() if k not in ("episode", "outcomes")}


def _gallium() -> dict[str, Any]:
    return dict(yaml.safe_load(GALLIUM.read_text()))


def test_an_export_licence_raises_the_price_abroad_and_lowers_it_at_home(bundled_store: Store) -> None:
    case, governed = _load(bundled_store, _gallium())
    out = lc.outputs(case, lc.run(case, governed, lc.default_draws(case)))
    periods, row, _ = out["price@ROW"]
    before, after = row[periods.index("2023Q2"), 0], row[periods.index("2023Q4"), 0]
    assert before == pytest.approx(1.0) and after > 1.5
    periods, home, _ = out["price@CHN"]
    assert home[periods.index("2023Q4"), 0] < 1.0
    # the licence is China's: it governs Chinese producers' sales abroad only, from the quarter of 1 August 2023
    assert governed.pairs[0].tolist() == [[False, False], [True, False]]
    assert governed.holds[0][:, 1, 0, 0].tolist()[:4] == [False, False, True, True]
    shares = out["share:china_producers@ROW"][1]
    assert np.all((shares >= 0) & (shares <= 100))


def test_outputs_come_by_quarter_calendar_and_fiscal_year(bundled_store: Store) -> None:
    doc = _gallium()
    doc["sellers"][0]["firm"] = "chalco"
    doc["fiscal_year_end"] = {"chalco": 6}
    doc["rules"] = []
    case, governed = _load(bundled_store, doc)
    out = lc.outputs(case, lc.run(case, governed, lc.default_draws(case, 3)))
    periods, values, unit = out["revenue:chalco"]
    assert unit == "usd_m" and values.shape == (len(periods), 3)
    assert {"2023Q1", "2023", "2024", "FY2024"} <= set(periods) and "2025" not in periods  # 2025 is half a year
    q = [values[periods.index(f"2024Q{k}")] for k in (1, 2, 3, 4)]
    np.testing.assert_allclose(values[periods.index("2024")], sum(q))
    fy = [values[periods.index(p)] for p in ("2023Q3", "2023Q4", "2024Q1", "2024Q2")]  # July 2023 to June 2024
    np.testing.assert_allclose(values[periods.index("FY2024")], sum(fy))


def test_a_rule_named_where_it_cannot_reach_is_refused(bundled_store: Store) -> None:
    doc = _gallium()
    doc["rules"][0]["markets"] = ["CHN"]  # an export control does not reach buyers at home
    with pytest.raises(DataError, match="does not reach china_producers"):
        _load(bundled_store, doc)


def test_reading_errors_name_the_field(bundled_store: Store) -> None:
    doc = copy.deepcopy(_gallium())
    doc["markets"][1]["shares"]["nobody"] = 5
    doc["rules"][0].pop("approval")
    with pytest.raises(DataError) as err:
        _load(bundled_store, doc)
    fields = {p.field for p in err.value.problems}
    assert {"markets[1].shares.nobody", "rules[0].approval"} <= fields


def test_draws_vary_the_answer_and_each_draw_runs_as_alone(bundled_store: Store) -> None:
    case, governed = _load(bundled_store, _gallium())
    draws = lc.default_draws(case, 2)
    draws["approval"] = np.array([0.2, 0.9])
    both = lc.outputs(case, lc.run(case, governed, draws))["price@ROW"][1]
    assert both[:, 0].max() > both[:, 1].max()  # fewer licences, a higher price abroad
    one = lc.default_draws(case, 1)
    one["approval"] = np.array([0.9])
    alone = lc.outputs(case, lc.run(case, governed, one))["price@ROW"][1]
    np.testing.assert_allclose(alone[:, 0], both[:, 1], rtol=1e-9)


def test_parameters_marked_fit_keep_their_priors_when_no_observation_is_fitted(bundled_store: Store) -> None:
    from chipshift.scenarios import linked_analysis

    doc = _gallium()
    doc["parameters"]["approval"]["fit"] = True  # every observation of the example is out of sample
    case, governed = _load(bundled_store, doc)
    calibration = linked_analysis.bayesian_calibration(case, governed, {}, draws=FAST)
    assert calibration.targets == () and calibration.error is None
    assert calibration.posterior.method == "prior" and not calibration.posterior.evaluations


def test_offerings_step_down_as_rules_bar_them_and_wait_for_a_required_permission(bundled_store: Store) -> None:
    """Nvidia's China line sells the A800/H800 class until the October 2023 rule, then the H20 (licensed from
    April 2025), nothing once China's guidance bars the H20 and before the H200 permission of December 2025
    (a part through the grey channel when the case states a grey share), and the H200 with its 25% fee after
    it."""
    doc = dict(yaml.safe_load((REPO / "examples" / "china-ai-linked.yaml").read_text()))
    doc["timing"] = "mid-quarter"  # whole quarters (a quarter a rule starts in is shared by days otherwise)
    case, governed = _load(bundled_store, doc)
    assert lc.GREY not in case.params  # the model's default has no grey channel
    draws = lc.default_draws(case)
    path = lc.run(case, governed, draws)
    quarters = [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in case.quarters]
    nvidia = path.quantity[:, 0, 0, 0]  # market CHN, seller nvidia-china
    sold = {q: bool(x > 0) for q, x in zip(quarters, nvidia, strict=True)}
    assert sold["2023Q3"] and sold["2024Q2"] and sold["2025Q2"]
    assert not sold["2025Q3"] and not sold["2025Q4"]
    assert sold["2026Q1"]
    grey = lc.run(case, governed, {**draws, lc.GREY: np.full(1, 0.1)}).quantity[:, 0, 0, 0]
    q3 = grey[quarters.index("2025Q3")]
    assert 0 < q3 < 0.5 * nvidia[quarters.index("2025Q2")] and 0 < grey[quarters.index("2025Q4")] < q3 * 2
    price = path.price[:, 0, 0, 0]
    assert price[quarters.index("2026Q1")] / path.seller_price[quarters.index("2026Q1"), 0, 0] == pytest.approx(1.25)
    # the rush: orders pulled forward in the quarter before the April 2025 licence requirement
    assert nvidia[quarters.index("2025Q1")] > 1.2 * nvidia[quarters.index("2024Q4")]


def test_a_restriction_scenario_adds_and_removes_rules_for_a_linked_case(bundled_store: Store,
                                                                         tmp_path: Path) -> None:
    from chipshift.api.market_runs import scenario_run

    def price_abroad(report: dict[str, Any]) -> float:
        return float(next(r["value"] for r in report["outputs"]
                          if r["output"] == "price@ROW" and r["period"] == "2024"))

    base = scenario_run(bundled_store, GALLIUM, calibration_draws=FAST)
    lifted = tmp_path / "lift.yaml"
    lifted.write_text("name: no gallium licences\nremove: [E-CN-GAGE-2023]\n")
    without = scenario_run(bundled_store, GALLIUM, restrictions=lifted, calibration_draws=FAST)
    assert price_abroad(without) == pytest.approx(1.0)
    assert price_abroad(base) > 1.5
    banned = tmp_path / "ban.yaml"
    banned.write_text(
        "name: China bans gallium exports\nadd:\n  - id: X-GA-BAN\n    name: China bans gallium exports\n"
        "    imposed_by: CHN\n    kind: raw_material_export_control\n    policy: ban\n"
        "    products: [{input: gallium}]\n    sellers: {hq_in: [CHN]}\n    targets: {countries: [WLD]}\n"
        "    effective: '2024-01-01'\n    summary: A hypothetical full ban.\n")
    ban = scenario_run(bundled_store, GALLIUM, restrictions=banned, calibration_draws=FAST)
    assert ban["restrictions"]["rules_added_acting"] == ["X-GA-BAN"]
    assert price_abroad(ban) > price_abroad(base)  # the ban bars what the licence let through

    def exports(report: dict[str, Any]) -> float:
        return float(next(r["value"] for r in report["outputs"]
                          if r["output"] == "volume_index:china_producers@ROW" and r["period"] == "2024"))

    assert exports(ban) == 0.0 < exports(base)  # the model's default has no grey channel
    assert ban["digest"] != base["digest"]


def test_a_market_with_sourced_values_spends_what_the_sources_say(bundled_store: Store) -> None:
    """Sourced market values are what buyers bought: the demand shift is found that makes the modelled
    purchases follow them (relative to the first quarter), through a supply cut and its price rise. China's
    phones are counted in units, so units bought follow the sources."""
    doc = dict(yaml.safe_load((REPO / "examples" / "huawei-phones-supply-cut.yaml").read_text()))
    case, governed = _load(bundled_store, doc)
    draws = lc.default_draws(case, 2)
    draws["sigma"] = np.array([1.5, 5.0])
    path = lc.run(case, governed, draws)
    spent = (path.quantity + path.from_stock).sum(axis=3)[:, :, 0]
    target = lc.market_path(case.markets[0], case, draws, 2)
    last = max(Period.parse(label).end for label in case.markets[0].values)
    through = [q.year < last.year or (q.year == last.year and q.month + 2 <= last.month) for q in case.quarters]
    assert any(through)
    np.testing.assert_allclose((spent / spent[:1])[through], (target / target[:1])[through], rtol=1e-3)


def test_after_its_last_sourced_period_a_market_follows_its_outlook_and_its_rules_move_its_spending(
        bundled_store: Store) -> None:
    """The sources say what buyers spent up to the last sourced period, not after: from there the market's
    demand grows at its outlook (`growth`), so a rush before an announced licence raises its spending above
    the outlook and the licence moves it again. Here India's PCs: one sourced year (2022), the licence
    announced in 2023Q3 and in force from 2023Q4."""
    doc = _episode_setup("india-pc-import-licence-2023")
    case, governed = _load(bundled_store, doc)
    draws = lc.default_draws(case, 1)
    label = _quarter_labels(case)
    at = {name: label.index(name) for name in ("2022Q4", "2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q4")}
    run = lc.run(case, governed, draws)
    found = lc.demand(case, governed, draws)[:, 0, 0]
    spent = run.quantity.sum(axis=3)[:, 0, 0]  # computers: bought in units
    outlook = lc.market_path(case.markets[0], case, draws, 1)[:, 0]
    # through 2022 spending follows the sources (relative to the first quarter)
    np.testing.assert_allclose(spent[: at["2022Q4"] + 1] / spent[0], outlook[: at["2022Q4"] + 1] / outlook[0],
                               rtol=2e-3)
    # after it the demand shift moves with the outlook, from the last one the sources gave
    growth = float(draws["market_growth"][0])
    for name in ("2023Q1", "2023Q2", "2023Q4", "2024Q4"):
        years = (case.quarters[at[name]] - case.quarters[at["2022Q4"]]).days / 365.25
        assert found[at[name]] / found[at["2022Q4"]] == pytest.approx((1.0 + growth) ** years, rel=1e-2)
    # before the announcement nothing acts: spending is the outlook's; the rush lifts it, the licence moves it
    assert spent[at["2023Q2"]] / spent[0] == pytest.approx(outlook[at["2023Q2"]] / outlook[0], rel=1e-2)
    assert spent[at["2023Q3"]] / spent[0] > 1.2 * outlook[at["2023Q3"]] / outlook[0]
    assert spent[at["2023Q4"]] / spent[0] != pytest.approx(outlook[at["2023Q4"]] / outlook[0], rel=1e-2)


def test_without_stocks_sourced_spending_is_met_exactly_by_demand_the_model_itself_clears(
        bundled_store: Store) -> None:
    """A case without stocks or licence caps matches its sourced values in one run: spending follows the
    sources (relative to the first quarter) to rounding, and the demand shifts it reports, run through the
    plain quarterly simulation with the markets' own demand elasticities, give that same path."""
    import dataclasses

    from chipshift.market.linked_path import simulate_linked

    doc = dict(yaml.safe_load((REPO / "examples" / "micron-china-linked.yaml").read_text()))
    doc["timing"] = "mid-quarter"  # no licence for the days before a ban in its first quarter
    case, governed = _load(bundled_store, doc)
    draws = lc.default_draws(case, 3)
    draws["sigma"] = np.array([1.5, 4.0, 8.0])
    base, plan, paths = lc._plan(case, governed, draws)
    assert not plan.cuts and not plan.rushes and not plan.licences
    path = lc.run(case, governed, draws)
    found = lc.demand(case, governed, draws)
    through = lc._sourced_quarters(case)  # (quarters, markets): through each market's last sourced period
    assert through.any() and not through.all()  # the case runs past its sources
    spent = path.value.sum(axis=3)
    held = np.broadcast_to(through[:, None, :], spent.shape)
    np.testing.assert_allclose((spent / spent[:1])[held], (paths / paths[:1])[held], rtol=1e-9)
    again = simulate_linked(base, dataclasses.replace(plan, demand=found), rationing=False)
    np.testing.assert_allclose(again.value, path.value, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(again.seller_price, path.seller_price, rtol=1e-9)

def test_an_empty_restriction_scenario_changes_nothing_and_demand_is_held_under_one(bundled_store: Store,
                                                                                    tmp_path: Path) -> None:
    """Under a scenario the demand found from the sources under the case's own rules is held: a scenario that
    changes nothing gives the same run, and one that lifts the cut moves spending away from the sources."""
    from chipshift.api.market_runs import scenario_run

    case = REPO / "examples" / "huawei-phones-supply-cut.yaml"
    same = tmp_path / "same.yaml"
    same.write_text("name: nothing changes\n")
    lifted = tmp_path / "lifted.yaml"
    lifted.write_text("name: no cut\nremove: [E-HUAWEI-FDPR-AUG2020]\n")
    own, unchanged, uncut = (scenario_run(bundled_store, case, restrictions=r, calibration_draws=FAST)
                             for r in (None, same, lifted))

    def table(report: dict[str, Any], output: str) -> dict[str, float]:
        return {r["period"]: r["value"] for r in report["outputs"] if r["output"] == output}

    assert table(unchanged, "share:huawei@CHN") == table(own, "share:huawei@CHN")
    assert table(uncut, "share:huawei@CHN")["2022"] > 3 * table(own, "share:huawei@CHN")["2022"]
    assert table(uncut, "value@CHN")["2022"] != pytest.approx(table(own, "value@CHN")["2022"], rel=1e-3)


def test_monte_carlo_reports_its_progress(bundled_store: Store) -> None:
    from chipshift.api.market_runs import scenario_run

    seen: list[tuple[int, int]] = []
    report = scenario_run(bundled_store, GALLIUM, draws=1200, calibration_draws=FAST,
                          progress=lambda done, total: seen.append((done, total)))
    assert seen == [(500, 1200), (1000, 1200), (1200, 1200)] and report["draws"] == 1200


def test_a_central_start_keeps_each_draws_own_growth(bundled_store: Store) -> None:
    """Starting demand matching from a central run's demand is a first guess for the markets matched to sourced
    values only: a market sized by `value` and `growth` keeps each draw's own growth path."""
    from chipshift.api.cases import load
    from chipshift.scenarios import backtest as bt
    from chipshift.scenarios import linked_case as linked

    case, _, governed = load(bundled_store, REPO / "examples" / "asml-china-rush.yaml")
    assert isinstance(case, linked.LinkedCase) and governed is not None
    draws = bt._with(case, {"china_growth": np.array([0.1, 0.9])}, 2)
    start = linked.demand(case, governed, bt._with(case, {}, 1))
    plain = linked.outputs(case, linked.run(case, governed, draws))["revenue_share:asml@CHN"]
    started = linked.outputs(case, linked.run(case, governed, draws, start))["revenue_share:asml@CHN"]
    year = plain[0].index("2024")
    assert started[1][year, 1] > started[1][year, 0] + 5.0  # faster growth in China, more of ASML's sales there
    assert np.allclose(started[1], plain[1], rtol=1e-3)


def test_a_half_year_the_case_names_is_a_period_of_its_outputs(bundled_store: Store) -> None:
    """A figure stated by calendar half-year ("2024H1", as firms that report half-years give it) is a period of
    the run when an observation names it: the sum or share of its two quarters. Half-years the case does not
    name are no periods, so a case's outputs stay by quarter and year."""
    doc = _gallium()
    doc["observations"].append({"output": "volume_index:china_producers@ROW", "period": "2024H1", "value": 0.6,
                                "basis": "a half-year's figure, for the test", "fit": False})
    case, _ = _load(bundled_store, doc)
    labels = lc.period_labels(case)
    assert labels["2024H1"] == [labels["2024Q1"][0], labels["2024Q2"][0]]
    assert "2024H2" not in labels and "2023H1" not in labels
    plain, _ = _load(bundled_store, _gallium())
    assert not any("H" in label for label in lc.period_labels(plain))


def test_the_librarys_stretch_widens_a_linked_cases_bands_only_after_its_origin(bundled_store: Store) -> None:
    """The bands of a published output after the case's origin get the stretch the back-test gives its draws:
    the medians stay, the ends move out; periods by the origin keep the posterior's own bands."""
    from chipshift.scenarios import linked_analysis
    from chipshift.scenarios.backtest import ErrorModel

    case, governed = _load(bundled_store, _gallium())
    calibration = linked_analysis.bayesian_calibration(case, governed, {}, draws=FAST)

    def bands(stretch: float) -> dict[str, dict[str, Any]]:
        return linked_analysis.predictive_bands(case, governed, calibration, 300,
                                                error=ErrorModel(0.3, math.inf, stretch), seed=4)

    plain, wide = bands(1.0), bands(2.0)
    moved = 0
    for name, band in plain.items():
        assert wide[name]["median"] == band["median"]
        for i, period in enumerate(band["periods"]):
            low, high = wide[name]["p5"][i], wide[name]["p95"][i]
            if case.period_middle(name, period) <= calibration.origin:
                assert (low, high) == (band["p5"][i], band["p95"][i])
            else:
                assert low <= band["p5"][i] and high >= band["p95"][i]
                moved += high > band["p95"][i]
    assert moved


def test_a_linked_case_is_calibrated_by_its_posterior(bundled_store: Store) -> None:
    """The parameters marked fit are weighed by the observations: the fitted ones narrow from their priors and
    the central run sits near what it was fitted to; every ranged parameter reports its posterior."""
    from chipshift.api.market_runs import scenario_run

    report = scenario_run(bundled_store, REPO / "examples" / "huawei-phones-supply-cut.yaml",
                          calibration_draws=FAST)
    calibration = report["calibration"]
    assert calibration["procedure"].startswith("Bayesian") and calibration["sampler"]["method"] != "prior"
    rows = {p["id"]: p for p in report["parameters"]}
    for name in calibration["fitted"]:
        post = rows[name]["posterior"]
        assert post["sd"] < post["prior_sd"] and post["p5"] <= calibration["fitted"][name] <= post["p95"]
    fitted = [r for r in calibration["table"] if r["fitted_to"]]
    assert fitted and all(abs(r["model"] / r["observed"] - 1.0) < 0.5 for r in fitted)
    assert all(rows[p]["posterior"] is not None for p in rows if rows[p]["high"] > rows[p]["low"])


def test_the_model_error_in_bands_grows_with_the_years_after_the_last_fitted_observation() -> None:
    """Written from the documented semantics: after the origin a value moves by scale * sqrt(years) * t (in logs,
    log-odds for a percentage); by the origin by the posterior's own error; zeros stay zero."""
    from datetime import date

    from chipshift.scenarios.backtest import ErrorModel
    from chipshift.scenarios.linked_analysis import _with_model_error

    case = _periods_only()
    n = 200_000
    rng = np.random.default_rng(3)
    values = np.full((3, n), 2.0)
    own = np.full(n, 0.05)
    periods = ["2024Q1", "2025Q4", "2027Q4"]  # by the origin; 1.375 years after it; 3.375 years after it
    moved = _with_model_error(case, "price@X", periods, values, date(2024, 6, 30), ErrorModel(0.4, math.inf),
                              own, rng)
    spread = np.log(moved).std(axis=1)
    assert spread[0] == pytest.approx(0.05, rel=0.02)
    assert spread[1] == pytest.approx(0.4 * math.sqrt((date(2025, 11, 15) - date(2024, 6, 30)).days / 365.25),
                                      rel=0.02)
    assert spread[2] == pytest.approx(0.4 * math.sqrt((date(2027, 11, 15) - date(2024, 6, 30)).days / 365.25),
                                      rel=0.02)
    shares = np.vstack([np.full(n, 20.0), np.zeros(n), np.full(n, 100.0)])
    moved = _with_model_error(case, "share:a@X", periods, shares, date(2024, 6, 30), ErrorModel(0.4, math.inf),
                              own, rng)
    assert np.all((moved[0] > 0.0) & (moved[0] < 100.0)) and np.all(moved[1] == 0.0) and np.all(moved[2] == 100.0)



def test_an_index_at_its_base_quarter_keeps_no_model_error() -> None:
    """A price index is 1 at its base quarter in every draw by definition: no error moves it there, while the
    quarters after it keep theirs."""
    from datetime import date

    from chipshift.scenarios.backtest import ErrorModel
    from chipshift.scenarios.linked_analysis import _with_model_error

    n = 10_000
    values = np.vstack([np.full(n, 1.0), np.full(n, 1.2)])
    moved = _with_model_error(_periods_only(), "price@X", ["2024Q1", "2024Q2"], values, date(2024, 6, 30),
                              ErrorModel(0.4, math.inf), np.full(n, 0.1), np.random.default_rng(5))
    assert np.all(moved[0] == 1.0) and np.log(moved[1]).std() == pytest.approx(0.1, rel=0.05)
    # a share that happens to be 1% everywhere is no index: it keeps its error
    shares = _with_model_error(_periods_only(), "share:a@X", ["2024Q1"], np.full((1, n), 1.0), date(2024, 6, 30),
                               ErrorModel(0.4, math.inf), np.full(n, 0.1), np.random.default_rng(5))
    assert shares.std() > 0.0

def _periods_only() -> Any:
    """The smallest stand-in for a linked case that `_with_model_error` reads: period middles by label."""
    from chipshift.domain.period import Period

    class Stub:
        def period_middle(self, output: str, label: str) -> Any:
            p = Period.parse(label)
            return p.end - (p.end - p.start) / 2

    return Stub()




def _share(case: lc.LinkedCase, path: Any, market: int, seller: int, quarter: str) -> float:
    quarters = [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in case.quarters]
    value = path.value[quarters.index(quarter), 0, market, :]
    return float(value[seller] / value.sum())


def test_a_seller_that_exits_is_still_bought_in_part_through_the_grey_channel(bundled_store: Store) -> None:
    """Apple's and Samsung's exits from Russia (market exits: third parties may resell), in a case that states a
    grey share: each keeps a part of what buyers would take from it that grows with the grey share, none
    without it; the shares stay in [0, 1]."""
    doc = dict(yaml.safe_load((EPISODES / "russia-phone-exits-2022.yaml").read_text()))
    for key in ("episode", "outcomes"):  # run as a plain case (YAML reads its dates as dates, not as text)
        doc.pop(key)
    doc["parameters"]["grey_share"] = {"default": 0.1, "low": 0.0, "high": 0.5, "basis": "a test's range"}
    case, governed = _load(bundled_store, doc)
    apple = [s.id for s in case.sellers].index("apple")
    base = lc.default_draws(case)
    shares = []
    for grey in (0.0, 0.1, 0.3, 0.5):
        path = lc.run(case, governed, {**base, lc.GREY: np.full_like(base[lc.GREY], grey)})
        shares.append(_share(case, path, 0, apple, "2022Q4"))
        assert 0.0 <= shares[-1] <= 1.0
    assert shares[0] == 0.0 and all(a < b for a, b in itertools.pairwise(shares))
    before = _share(case, path, 0, apple, "2021Q3")
    assert shares[-1] < before  # even the widest grey channel serves less than the seller did


def test_a_procurement_ban_leaves_no_grey_channel(bundled_store: Store) -> None:
    """China's ban on Micron in critical information infrastructure binds the operators themselves: whatever the
    grey share a case states, Micron sells them nothing once it holds."""
    doc = dict(yaml.safe_load((EPISODES / "micron-cii-ban-2023.yaml").read_text()))
    for key in ("episode", "outcomes"):
        doc.pop(key)
    doc["parameters"]["grey_share"] = {"default": 0.5, "low": 0.0, "high": 0.5, "basis": "a test's range"}
    case, governed = _load(bundled_store, doc)
    micron = [s.id for s in case.sellers].index("micron")
    base = lc.default_draws(case)
    path = lc.run(case, governed, {**base, lc.GREY: np.full_like(base[lc.GREY], 0.5)})
    assert _share(case, path, 0, micron, "2024Q2") == 0.0


def test_a_ban_where_sigma_can_fall_below_one_is_refused_naming_the_market(bundled_store: Store) -> None:
    """With sigma below 1 every source of a CES market is essential: no price lets buyers do without a barred one,
    so a ban reaching a market whose sigma's range starts below 1 is refused at load, naming the market's sigma,
    rather than failing in the middle of a run; a range that starts at 1 draws above it and is accepted."""
    doc = dict(yaml.safe_load((EPISODES / "micron-cii-ban-2023.yaml").read_text()))
    for key in ("episode", "outcomes"):
        doc.pop(key)
    doc["parameters"]["sigma"] = {**doc["parameters"]["sigma"], "low": 0.8}
    with pytest.raises(DataError) as raised:
        _load(bundled_store, doc)
    assert any(p.field == "markets[0].sigma" and "E-CN-MICRON-2023" in p.message for p in raised.value.problems)
    doc["parameters"]["sigma"] = {**doc["parameters"]["sigma"], "low": 1.0}
    _load(bundled_store, doc)


@pytest.mark.parametrize("example", ["micron-china-linked", "huawei-phones-supply-cut", "asml-china-rush"])
def test_a_run_that_asks_for_it_reports_rationed_demand_as_the_solver_gives_it(bundled_store: Store,
                                                                                example: str) -> None:
    """Rationed demand comes out of the runs that ask for it (the reported run and its bands), as `rationed:`
    per seller, summed over a period's quarters; it is what a plain quarterly run of the demand found gives
    with rationing on: found with spending held (the seed case), by rounds (counted, with a supply cut), or
    with stocks (a rush). Runs that do not ask for it (calibration) have no such output."""
    import dataclasses

    from chipshift.market.linked_path import simulate_linked

    doc = dict(yaml.safe_load((REPO / "examples" / f"{example}.yaml").read_text()))
    case, governed = _load(bundled_store, doc)
    draws = lc.default_draws(case, 3)
    draws["sigma"] = np.array([1.5, 4.0, 8.0])
    path = lc.run(case, governed, draws, rationing=True)
    base, plan, _ = lc._plan(case, governed, draws)
    again = simulate_linked(base, dataclasses.replace(plan, demand=lc.demand(case, governed, draws)), rationing=True)
    np.testing.assert_allclose(path.rationed, again.rationed, rtol=1e-7, atol=1e-9)
    assert np.all(path.rationed >= 0.0) and np.all(path.rationed[~path.at_capacity] == 0.0)
    out = lc.outputs(case, path)
    for f, seller in enumerate(case.sellers):
        periods, values, unit = out[f"rationed:{seller.id}"]
        label = [p for p in periods if p.isdigit()][-1]  # the last whole calendar year
        year = periods.index(label)
        quarters = [t for t, q in enumerate(case.quarters) if str(q.year) == label]
        assert values[year, 1] == pytest.approx(path.rationed[quarters, 1, f].sum(), rel=1e-9, abs=1e-12)
        assert unit == ((seller.price_unit and "units") or case.value_unit)  # as its quantities
    if example == "micron-china-linked":
        assert path.at_capacity.any() and path.rationed.max() > 0.0  # CXMT's build-out binds
    assert not any(k.startswith("rationed:") for k in lc.outputs(case, lc.run(case, governed, draws)))


@pytest.mark.parametrize("example", ["huawei-phones-supply-cut", "micron-china-linked"])
def test_shares_are_of_units_where_values_are_counts_and_of_value_where_they_are_money(
        bundled_store: Store, example: str) -> None:
    """A case whose values are counts of items (phones) reports market sizes and shares in units, as the
    trackers count them, so a cut seller's higher price does not raise its share; a case in money reports
    them in value. Checked on the run's last calendar year, summed over its quarters."""
    doc = dict(yaml.safe_load((REPO / "examples" / f"{example}.yaml").read_text()))
    case, governed = _load(bundled_store, doc)
    path = lc.run(case, governed, lc.default_draws(case, 1))
    out = lc.outputs(case, path)
    last = case.quarters[-1].year
    quarters = [t for t, q in enumerate(case.quarters) if q.year == last]
    assert len(quarters) == 4
    counted = example == "huawei-phones-supply-cut"
    flows = (path.quantity if counted else path.value)[quarters, 0].sum(axis=0)  # (markets, sellers)
    for m, market in enumerate(case.markets):
        periods, total, _ = out[f"value@{market.id}"]
        year = periods.index(str(last))
        if counted:  # items bought, in the case's unit (in money the case's unit may scale it)
            assert total[year, 0] == pytest.approx(flows[m].sum(), rel=1e-9)
        for f, seller in enumerate(case.sellers):
            if market.shares.get(seller.id) is not None:
                share = out[f"share:{seller.id}@{market.id}"][1][year, 0]
                assert share == pytest.approx(100.0 * flows[m, f] / flows[m].sum(), rel=1e-9, abs=1e-9)
    if counted:  # the prices do differ, so a share of value would be another number
        price = path.price[quarters, 0, 0]
        sold = np.isfinite(price)
        assert np.nanmax(np.where(sold, price, np.nan)) > 1.05 * np.nanmin(np.where(sold, price, np.nan))


def test_buyers_substitute_more_as_time_passes_after_a_rule_first_holds(bundled_store: Store) -> None:
    """In a case that states `sigma_long_run_ratio`, a market's `sigma` is the short-run elasticity: from the
    quarter a rule first holds it rises to that ratio times itself, 90% of the way in `sigma_adjustment_months`
    (docs/market.md); a case that does not state it keeps its elasticity fixed. With
    sellers whose supply is infinitely elastic (prices fixed) and a tariff-like licence wedge w on imports, the
    imports' value share in quarter t is the CES share ``s0 (1 + w)^(1 - sigma_t) / (s0 (1 + w)^(1 - sigma_t)
    + 1 - s0)``, with ``sigma_t = sigma (1 + (ratio - 1)(1 - 10^(-(t - t0 + 1/2) / (months / 3))))``."""
    doc = dict(yaml.safe_load((EPISODES / "us-steel-232-tariffs-2018.yaml").read_text()))
    for key in ("episode", "outcomes"):
        doc.pop(key)
    doc["sellers"][0].pop("supply_elasticity")  # US mills at a fixed price too
    doc["timing"] = "mid-quarter"  # the tariff's first quarter whole, as the reference below has it
    assert "sigma_long_run_ratio" not in _load(bundled_store, doc)[0].params  # not the model's default
    doc["parameters"]["sigma_long_run_ratio"] = {"from": "sigma_long_run_ratio"}
    doc["parameters"]["sigma_adjustment_months"] = {"from": "adjustment_months"}
    case, governed = _load(bundled_store, doc)
    assert (case.params["sigma_long_run_ratio"].low, case.params["sigma_long_run_ratio"].high) == (2.0, 3.4)
    imports = [s.id for s in case.sellers].index("imports")
    quarters = [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in case.quarters]
    t0 = quarters.index("2018Q2")  # Proclamation 9705's tariff from 23 March 2018: after the middle of 2018Q1
    s0 = _share(case, lc.run(case, governed, lc.default_draws(case)), 0, imports, "2017Q1")
    sigma, wedge, months = 4.0, 0.2, 15.0
    for ratio in (1.0, 2.3, 3.4):
        draws = lc.default_draws(case) | {"sigma": np.array([sigma]), "tariff_wedge": np.array([wedge]),
                                          "sigma_long_run_ratio": np.array([ratio]),
                                          "sigma_adjustment_months": np.array([months])}
        path = lc.run(case, governed, draws)
        for t, quarter in enumerate(quarters):
            if t < t0:
                expected = s0
            else:
                rise = 1.0 - 10.0 ** (-(t - t0 + 0.5) / (months / 3.0))
                s_t = sigma * (1.0 + (ratio - 1.0) * rise)
                kept = s0 * (1.0 + wedge) ** (1.0 - s_t)
                expected = kept / (kept + 1.0 - s0)
            assert _share(case, path, 0, imports, quarter) == pytest.approx(expected, rel=1e-6), (ratio, quarter)
    # the months to adjust are 15 unless the case states them
    doc["parameters"].pop("sigma_adjustment_months")
    alone, alone_governed = _load(bundled_store, doc)
    draws = lc.default_draws(alone) | {"sigma_long_run_ratio": np.array([2.3])}
    stated = lc.default_draws(case) | {"sigma_long_run_ratio": np.array([2.3]),
                                       "sigma_adjustment_months": np.array([15.0])}
    assert _share(alone, lc.run(alone, alone_governed, draws), 0, imports, "2019Q4") == pytest.approx(
        _share(case, lc.run(case, governed, stated), 0, imports, "2019Q4"), rel=1e-9)


# -- licences that take time to issue ---------------------------------------------------------------------------

def _days_outside_wait(first: str, after: str, begin: str, lag: float) -> float:
    """The documented semantics, by hand: the share of a quarter's days (``first`` to ``after``, exclusive) that
    are not in the wait for the first licences, the ``lag`` days from ``begin``."""
    q0, q1 = (np.datetime64(first), np.datetime64(after))
    w0 = np.datetime64(begin)
    days = float((q1 - q0) / np.timedelta64(1, "D"))
    wait = [q0 + np.timedelta64(d, "D") for d in range(int(days))]
    waiting = sum(1 for d in wait if w0 <= d and float((d - w0) / np.timedelta64(1, "D")) < lag)
    return 1.0 - waiting / days


def _gallium_quantity(case: lc.LinkedCase, governed: lc.Governed, draws: dict[str, Any], quarter: str) -> float:
    out = lc.outputs(case, lc.run(case, governed, draws))
    periods, values, _ = out["quantity:china_producers@ROW"]
    return float(values[periods.index(quarter), 0])


def test_a_licence_requirement_licenses_nothing_until_its_first_licences_are_issued(bundled_store: Store) -> None:
    """China's gallium licences from 1 August 2023, in a case that states `licence_lag_days`: the first quarter
    under the rule (2023Q3, 92 days) licenses the approval share times the share of its days outside the wait,
    and so does the next one when the wait reaches into it; without a delay wedge (which may leave the cap
    slack) the flow is that share of what buyers would take without the cap."""
    doc = _gallium()
    assert "licence_lag_days" not in _load(bundled_store, doc)[0].params  # not the model's default
    doc["parameters"]["licence_lag_days"] = {"from": "licence_lag_days"}
    doc["timing"] = "mid-quarter"  # its days before the rule under it too (test_rule_timing has them by days)
    case, governed = _load(bundled_store, doc)
    prior = case.params["licence_lag_days"]
    assert (prior.low, prior.default, prior.high) == (40.0, 63.0, 90.0)
    assert governed.licence_from == (Period.parse("2023-08-01").start,)
    base = lc.default_draws(case)
    no_wedge = {**base, "approval": np.array([1.0]), "delay_wedge": np.array([0.0])}
    uncapped = _gallium_quantity(case, governed, {**no_wedge,
                                                  "licence_lag_days": np.array([0.0])}, "2023Q3")
    for lag, quarter, first, after in ((30.0, "2023Q3", "2023-07-01", "2023-10-01"),
                                       (63.0, "2023Q3", "2023-07-01", "2023-10-01"),
                                       (63.0, "2023Q4", "2023-10-01", "2024-01-01"),
                                       (100.0, "2023Q3", "2023-07-01", "2023-10-01")):
        share = _days_outside_wait(first, after, "2023-08-01", lag)
        draws = {**base, "licence_lag_days": np.array([lag])}
        _, _, licences, _ = lc._offerings(case, governed, np.ones((len(case.quarters), 1, 2, 2)), draws, 1)
        t = [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in case.quarters].index(quarter)
        (lic,) = [x for x in licences if x.start <= t < x.end]
        assert lic.approval[0] == pytest.approx(0.5 * share, abs=1e-12)
        if quarter == "2023Q3":  # the cap binds: the flow is the licensed share of the uncapped flow
            flow = _gallium_quantity(case, governed, {**no_wedge, "licence_lag_days": np.array([lag])}, quarter)
            assert flow == pytest.approx(share * uncapped, rel=1e-6)
    assert _days_outside_wait("2023-07-01", "2023-10-01", "2023-08-01", 100.0) == pytest.approx(31 / 92)


def test_no_wait_for_licences_gives_the_model_as_it_is(bundled_store: Store) -> None:
    """A lag of 0 days gives exactly the run of a case that states none."""
    doc = _gallium()
    case, governed = _load(bundled_store, doc)
    without = lc.outputs(case, lc.run(case, governed, lc.default_draws(case)))
    doc["parameters"]["licence_lag_days"] = {"from": "licence_lag_days"}
    lagged, lagged_governed = _load(bundled_store, doc)
    draws = {**lc.default_draws(lagged), "licence_lag_days": np.array([0.0])}
    with_zero = lc.outputs(lagged, lc.run(lagged, lagged_governed, draws))
    assert without.keys() == with_zero.keys()
    for name, (periods, values, unit) in without.items():
        assert with_zero[name][0] == periods and with_zero[name][2] == unit
        assert np.array_equal(with_zero[name][1], values, equal_nan=True), name


def test_a_longer_wait_never_raises_the_restricted_flow(bundled_store: Store) -> None:
    """Monotonicity: the licensed pair's flow in the first quarters under the rule falls (or stays) as the wait
    lengthens, and a wait that covers the quarter's days after the rule's start leaves nothing but its days
    before it."""
    doc = _gallium()
    doc["parameters"]["licence_lag_days"] = {"from": "licence_lag_days"}
    case, governed = _load(bundled_store, doc)
    base = lc.default_draws(case)
    for quarter in ("2023Q3", "2023Q4"):
        flows = [_gallium_quantity(case, governed, {**base, "licence_lag_days": np.array([lag])}, quarter)
                 for lag in (0.0, 10.0, 40.0, 63.0, 90.0, 150.0, 200.0)]
        assert all(b <= a * (1 + 1e-9) for a, b in itertools.pairwise(flows)), (quarter, flows)
        assert flows[-1] < flows[0]


def _fee_episodes() -> list[Path]:
    """The bundled episodes that state an ad-valorem fee or duty (a rule whose `policy` is `fee`) as a licence."""
    rules = {r["id"]: r for r in yaml.safe_load((REPO / "src" / "chipshift" / "data" / "rules.yaml").read_text())}
    out = []
    for path in sorted(EPISODES.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        entries = doc.get("rules") or []
        if any(e.get("effect") == "licence" and rules[e["rule"]].get("policy") == "fee" for e in entries):
            out.append(path)
    return out


def test_the_bundled_fee_episodes_are_found() -> None:
    names = {p.stem for p in _fee_episodes()}
    assert {"china-us-soybean-tariff-2018", "eu-bev-duties-2024", "us-steel-232-tariffs-2018",
            "india-solar-duty-rush-2022", "aus-wine-duties-2020"} <= names


@pytest.mark.parametrize("path", _fee_episodes(), ids=lambda p: p.stem)
def test_a_fee_stated_as_a_licence_takes_no_wait(bundled_store: Store, path: Path) -> None:
    """A duty or fee a case writes as a licence (approval 1, or a cleared share, and a wedge) issues no licences:
    whatever the wait a case states, its runs are the same as without one."""
    doc = dict(parse_yaml(path.read_text(encoding="utf-8"), path.name)[0])  # dates as the loader reads them
    for key in ("episode", "outcomes"):
        doc.pop(key)
    case, governed = _load(bundled_store, doc)
    policy = {r["id"]: r.get("policy") for r in bundled_store.rows("rules")}
    fees = [k for k, e in enumerate(governed.entries) if e.effect == "licence" and policy[e.rule] == "fee"]
    assert fees and all(governed.licence_from[k] is None for k in fees)
    if any(d is not None for d in governed.licence_from):  # another rule of the episode requires licences
        return
    draws = lc.default_draws(case)
    without = lc.outputs(case, lc.run(case, governed, draws))
    lagged = lc.outputs(case, lc.run(case, governed, {**draws, "licence_lag_days": np.array([90.0])}))
    for name, (_, values, _) in without.items():
        assert np.array_equal(lagged[name][1], values, equal_nan=True), name


def test_only_rules_that_require_licences_by_their_own_data_wait_for_them(bundled_store: Store) -> None:
    rules = {r["id"]: rule_from_record(r) for r in bundled_store.rows("rules")}
    assert lc.licence_requirement(rules["E-CN-GAGE-2023"])  # licence_required
    assert lc.licence_requirement(rules["E-HUAWEI-2019"])  # presumption_of_denial
    assert lc.licence_requirement(rules["E-IN-RICE-WHITE-BAN-JUL2023"])  # case_by_case
    assert not lc.licence_requirement(rules["E-CN-US-SOY-TARIFF-JUL2018"])  # a fee
    assert not lc.licence_requirement(rules["E-AR-BEEF-EXPORT-MAR2006"])  # a ban
    assert not lc.licence_requirement(rules["E-H20-RESUME-JUL2025"])  # a relaxation, though licences follow it


def test_a_case_stating_stock_use_pair_draws_its_stock_in_place_of_the_taxed_pairs_purchases(
        bundled_store: Store) -> None:
    """`stock_use: pair` (docs/backtest.md, "A stock that stands in for what it was bought as") reaches the run:
    in Canada's EV surtax case, the cars stocked from China before the surtax are drawn in its first quarter, and
    what buyers then buy from China falls further than as the model is (`market`), while the other sellers, whose
    sales the whole draw lowered there, lose less of them. Before the surtax the two runs are the same."""
    doc = _episode_setup("canada-china-ev-surtax-rush-2024")
    doc["timing"] = "mid-quarter"  # the surtax's first quarter whole, so the draw falls in it alone
    runs = {}
    for use in ("market", "pair"):
        case, governed = _load(bundled_store, {**doc, "stock_use": use})
        assert case.stock_use == use
        runs[use] = lc.run(case, governed, lc.default_draws(case, 1))
    label = _quarter_labels(case)
    q4, china = label.index("2024Q4"), [s.id for s in case.sellers].index("china")
    market, pair = runs["market"].quantity[:, 0, 0, :], runs["pair"].quantity[:, 0, 0, :]
    assert runs["pair"].from_stock[q4, 0, 0, china] > 0.0
    np.testing.assert_allclose(pair[:q4], market[:q4], rtol=1e-9)
    assert pair[q4, china] < market[q4, china]
    others = [f for f in range(pair.shape[1]) if f != china]
    assert (pair[q4, others] > market[q4, others]).all()


def test_a_case_stating_stock_holders_some_takes_the_catalogues_share_and_its_rush_is_that_share(
        bundled_store: Store) -> None:
    """`stock_holders: some`, the default (docs/backtest.md, "Stocks held by some buyers, not all"): the loader
    adds the catalogue's `rush_buyer_share` prior (parameters.csv: 40%, from 33.84% to 47%, as fractions) to a
    case with a rush, and a case may state its own; `all` takes none. In Canada's EV surtax case, at a share of
    one half, the stock of cars from China is half of what all buyers stocking to the cap hold, and its first
    quarter's draw is half too."""
    doc = _episode_setup("canada-china-ev-surtax-rush-2024")
    doc["timing"] = "mid-quarter"
    some, _ = _load(bundled_store, {**doc, "stock_holders": "some"})
    prior = some.params[lc.RUSH_BUYER_SHARE]
    assert (prior.default, prior.low, prior.high) == pytest.approx((0.40, 0.3384, 0.47))
    assert _load(bundled_store, doc)[0].params[lc.RUSH_BUYER_SHARE] == prior
    assert lc.RUSH_BUYER_SHARE not in _load(bundled_store, {**doc, "stock_holders": "all"})[0].params
    runs = {}
    for holders in ("all", "some"):
        case, governed = _load(bundled_store, {**doc, "stock_holders": holders})
        draws = {**lc.default_draws(case, 1), lc.RUSH_BUYER_SHARE: np.array([0.5])}
        runs[holders] = lc.run(case, governed, draws)
    label = _quarter_labels(case)
    q3, q4 = label.index("2024Q3"), label.index("2024Q4")
    china = [s.id for s in case.sellers].index("china")
    stock = {h: r.buyer_stock[q3, 0, 0, china] for h, r in runs.items()}
    drawn = {h: r.from_stock[q4, 0, 0, china] for h, r in runs.items()}
    assert stock["all"] > 0.0 and stock["some"] == pytest.approx(0.5 * stock["all"], rel=0.05)
    assert drawn["some"] == pytest.approx(0.5 * drawn["all"], rel=0.05)


def test_a_case_stating_rush_timing_late_buys_its_stock_just_before_the_rule(bundled_store: Store) -> None:
    """`rush_timing: late` (docs/backtest.md, "Rushes as late as sellers allow") reaches the run: in the EU's
    fertilizer case, proposed in 2025Q1 with the duty from 2025Q3, buyers who order from the announcement build
    their stock in 2025Q1; late, with room at the sellers, they build none of it before 2025Q2 and all of it
    there, and hold the same stock when the duty starts."""
    doc = _episode_setup("eu-russian-fertilizer-duty-rush-2025")
    runs = {}
    for timing in ("announced", "late"):
        case, governed = _load(bundled_store, {**doc, "rush_timing": timing})
        assert case.rush_timing == timing
        runs[timing] = lc.run(case, governed, lc.default_draws(case, 1))
    label = _quarter_labels(case)
    q1, q2 = label.index("2025Q1"), label.index("2025Q2")
    russia = [s.id for s in case.sellers].index("russia")
    early, late = (runs[t].buyer_stock[:, 0, 0, russia] for t in ("announced", "late"))
    assert early[q1] > 0.0 and late[q1] == pytest.approx(0.0, abs=1e-9)
    assert late[q2] == pytest.approx(early[q2], rel=0.02)


def _pays_to_hold(wedge: float, yearly_carrying: float, quarters: float) -> bool:
    """The storage-arbitrage condition as docs/backtest.md states it: a stock bought just before a price rise of
    `wedge` and used `quarters` later pays while 1 + wedge >= (1 + c)^quarters, c the quarterly carrying rate."""
    quarterly = (1.0 + yearly_carrying) ** 0.25 - 1.0
    return bool(1.0 + wedge >= (1.0 + quarterly) ** quarters)


def _longest_paying_hold(wedge: float, yearly_carrying: float) -> float:
    """The longest hold that still pays, found by bisection on the condition itself (not its closed form)."""
    lo, hi = 0.0, 1000.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        lo, hi = (mid, hi) if _pays_to_hold(wedge, yearly_carrying, mid) else (lo, mid)
    return lo


@pytest.mark.parametrize(("wedge", "yearly", "expected"), [(0.03, 0.20, 0.65), (0.25, 0.20, 4.9),
                                                           (0.015, 0.2009, 0.33)])
def test_a_fee_rush_covers_no_more_quarters_than_the_fee_pays_to_hold(wedge: float, yearly: float,
                                                                      expected: float) -> None:
    """docs/backtest.md, "A rush before a fee stocks no more than the fee pays to hold": a 3% tax at a 20% yearly
    carrying rate pays a stock of 0.65 quarters, a 25% tariff 4.9 quarters; each is the longest hold for which
    the condition holds."""
    entry = lc.RuleEntry("R", effect="licence", approval=1.0, delay="d")
    got = lc.fee_rush_quarters(entry, {"d": np.array([wedge]), lc.STOCK_CARRYING_COST: np.array([yearly])}, 1)
    assert got[0] == pytest.approx(_longest_paying_hold(wedge, yearly), rel=1e-6)
    assert got[0] == pytest.approx(expected, abs=0.01)


def test_bans_licence_caps_and_rules_without_a_wedge_are_not_limited_by_the_carrying_cost() -> None:
    draws = {"d": np.array([0.1, 0.1]), "a": np.array([1.0, 0.6]), lc.STOCK_CARRYING_COST: np.array([0.2, 0.2])}
    assert np.isinf(lc.fee_rush_quarters(lc.RuleEntry("R"), draws, 2)).all()  # a ban
    assert np.isinf(lc.fee_rush_quarters(lc.RuleEntry("R", effect="licence", approval=0.5), draws, 2)).all()
    capped = lc.fee_rush_quarters(lc.RuleEntry("R", effect="licence", approval="a", delay="d"), draws, 2)
    assert np.isfinite(capped[0]) and np.isinf(capped[1])  # per draw: only where everything is let through


@settings(max_examples=200, deadline=None)
@given(wedge=st.floats(0.0, 2.0), more=st.floats(0.0, 1.0), yearly=st.floats(0.01, 0.6),
       dearer=st.floats(0.0, 0.5))
def test_a_larger_fee_never_shortens_and_a_dearer_stock_never_lengthens_the_hold_that_pays(
        wedge: float, more: float, yearly: float, dearer: float) -> None:
    entry = lc.RuleEntry("R", effect="licence", approval=1.0, delay="d")

    def hold(d: float, c: float) -> float:
        return float(lc.fee_rush_quarters(entry, {"d": np.array([d]), lc.STOCK_CARRYING_COST: np.array([c])}, 1)[0])
    base = hold(wedge, yearly)
    assert base >= 0.0 and _pays_to_hold(wedge, yearly, base * (1 - 1e-9))
    assert hold(wedge + more, yearly) >= base - 1e-12
    assert hold(wedge, yearly + dearer) <= base + 1e-12


def test_a_case_stating_rush_limit_carrying_cost_stocks_only_what_the_vat_rise_pays_to_hold(
        bundled_store: Store) -> None:
    """`rush_limit: carrying_cost`, the default since 6 December 2026 (docs/backtest.md, "A rush bought as late as
    it pays, and no more than it pays to hold"), reaches the run: the loader adds the catalogue's
    `stock_carrying_cost` prior (parameters.csv: 20.09%, from 12.86% to 25%, as fractions) to a case with a rush,
    and `cap` takes none; in Germany's VAT case (a 1.5% wedge on every car,
    a cap of three months, one quarter) the stock held when the VAT rises is the share of the cap's stock that
    the wedge pays to hold (0.33 quarters of use of the one quarter), and it is drawn sooner. A rush before a ban
    (Poland's LPG from Russia) runs the same either way."""
    doc = _episode_setup("germany-vat-car-rush-2006")
    doc["timing"] = "mid-quarter"
    limited, _ = _load(bundled_store, {**doc, "rush_limit": "carrying_cost"})
    prior = limited.params[lc.STOCK_CARRYING_COST]
    assert (prior.default, prior.low, prior.high) == pytest.approx((0.2009, 0.1286, 0.25))
    assert _load(bundled_store, doc)[0].params[lc.STOCK_CARRYING_COST] == prior
    assert lc.STOCK_CARRYING_COST not in _load(bundled_store, {**doc, "rush_limit": "cap"})[0].params
    runs = {}
    for limit in ("cap", "carrying_cost"):
        case, governed = _load(bundled_store, {**doc, "rush_limit": limit})
        draws = {**lc.default_draws(case, 1), lc.STOCK_CARRYING_COST: np.array([0.2009])}
        runs[limit] = lc.run(case, governed, draws)
    label = _quarter_labels(case)
    q4 = label.index("2006Q4")
    held = {k: r.buyer_stock[q4, 0, 0, 0] for k, r in runs.items()}
    share = _longest_paying_hold(0.015, 0.2009) / 1.0
    assert held["cap"] > 0.0 and held["carrying_cost"] == pytest.approx(share * held["cap"], rel=0.02)
    ban = _episode_setup("poland-russian-lpg-ban-rush-2024")
    outs = {}
    for limit in ("cap", "carrying_cost"):
        case, governed = _load(bundled_store, {**ban, "rush_limit": limit})
        draws = {**lc.default_draws(case, 1), lc.STOCK_CARRYING_COST: np.array([0.2009])}
        outs[limit] = lc.outputs(case, lc.run(case, governed, draws))
    for name, (_, values, _) in outs["cap"].items():
        assert np.array_equal(outs["carrying_cost"][name][1], values, equal_nan=True), name


def test_a_fee_rush_without_a_carrying_cost_is_refused_naming_the_key(bundled_store: Store) -> None:
    """A case built without the loader, with a rush before a fee and no `stock_carrying_cost` to limit it, is refused
    with the key to set; a rush before a ban needs none."""
    import dataclasses

    case, governed = _load(bundled_store, _episode_setup("germany-vat-car-rush-2006"))
    bare = dataclasses.replace(case, params={k: p for k, p in case.params.items() if k != lc.STOCK_CARRYING_COST})
    with pytest.raises(DataError) as refused:
        lc.run(bare, governed, lc.default_draws(bare, 1))
    assert "stock_carrying_cost" in str(refused.value) and "rush_limit" in str(refused.value)
    ban, banned = _load(bundled_store, _episode_setup("poland-russian-lpg-ban-rush-2024"))
    bare_ban = dataclasses.replace(ban, params={k: p for k, p in ban.params.items() if k != lc.STOCK_CARRYING_COST})
    lc.run(bare_ban, banned, lc.default_draws(bare_ban, 1))


def test_with_licence_rent_unpaid_a_capped_seller_is_paid_its_own_price_and_sells_as_much(
        bundled_store: Store) -> None:
    """`licence_rent: unpaid` (docs/backtest.md, "A licence rations, it does not auction"): where a licence cap binds,
    buyers pay the seller's price with the wedge, so the seller's receipts in the capped market are its seller price
    times the quantity, while with `kept` (the default) they carry the rent on top; the quantities, the price index
    and the quarters before the rule are the same either way. TSMC's revenue from Chinese customers under the foundry
    rule of January 2025 (one seller, an approval of 0.7 by default)."""
    doc = _episode_setup("tsmc-foundry-rule-2025")
    assert _load(bundled_store, doc)[0].licence_rent == lc.RENT_KEPT
    runs, outs = {}, {}
    for rent in (lc.RENT_KEPT, lc.RENT_UNPAID):
        case, governed = _load(bundled_store, {**doc, "licence_rent": rent})
        runs[rent] = lc.run(case, governed, lc.default_draws(case, 1))
        outs[rent] = lc.outputs(case, runs[rent])
    kept, unpaid = runs[lc.RENT_KEPT], runs[lc.RENT_UNPAID]
    label = _quarter_labels(case)
    m, f = list(kept.markets).index("CHN"), 0
    after = label.index("2025Q2")
    assert kept.licence_rent[after, 0, m, f] > 0.0  # the cap binds
    own_price = unpaid.seller_price[after, 0, f] * unpaid.quantity[after, 0, m, f]
    assert unpaid.revenue[after, 0, m, f] == pytest.approx(own_price, rel=1e-9)
    assert kept.revenue[after, 0, m, f] > 1.5 * own_price
    np.testing.assert_allclose(unpaid.quantity, kept.quantity)
    np.testing.assert_allclose(unpaid.composite_price, kept.composite_price)
    periods, kept_share, _ = outs[lc.RENT_KEPT]["revenue_share:tsmc@CHN"]
    unpaid_share = outs[lc.RENT_UNPAID]["revenue_share:tsmc@CHN"][1]
    for p in ("2024Q2", "2024Q3", "2024Q4"):
        assert unpaid_share[periods.index(p), 0] == pytest.approx(kept_share[periods.index(p), 0])
    for p in ("2025Q1", "2025Q3"):
        assert unpaid_share[periods.index(p), 0] < kept_share[periods.index(p), 0]
    assert unpaid_share[periods.index("2025Q3"), 0] < unpaid_share[periods.index("2024Q3"), 0]
