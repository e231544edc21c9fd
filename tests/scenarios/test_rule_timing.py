"""Rules that take effect within a quarter (a linked case's `timing`): with `days` (the default), a quarter in which
a rule entry starts or stops is shared by the days it holds; with `mid-quarter`, the quarter follows the rule's
state on its middle day. The expected shares are counted from the calendar here, day by day."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from chipshift.api.data import load_world
from chipshift.domain.rules import rule_from_record
from chipshift.io.store import Store
from chipshift.scenarios import linked_case as lc
from chipshift.scenarios.linked_parse import parse_linked
from chipshift.scenarios.market_run import RuleContext

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)

REPO = Path(__file__).resolve().parents[2]
GALLIUM = REPO / "examples" / "gallium-export-controls.yaml"
RULE = "E-CN-GAGE-2023"  # China's gallium and germanium licences, in force from 1 August 2023


def _load(store: Store, doc: dict[str, Any], effective: str | None = None) -> tuple[lc.LinkedCase, lc.Governed]:
    """The case and its governed rules; `effective` moves the rule's first day."""
    facts = {f["id"]: f for f in store.rows("facts")}
    params = {p["id"]: p for p in store.rows("parameters")}
    case = parse_linked(doc, facts, params, "test.yaml")
    world, parents = load_world(store)
    records = [dict(r) | ({"effective": effective} if effective and r["id"] == RULE else {})
               for r in store.rows("rules")]
    ctx = RuleContext([rule_from_record(r) for r in records], world, parents)
    return case, lc.govern(case, ctx, "test.yaml")


def _doc(timing: str | None, effect: str = "licence") -> dict[str, Any]:
    doc = dict(yaml.safe_load(GALLIUM.read_text()))
    if timing is not None:
        doc["timing"] = timing
    if effect == "ban":
        doc["rules"] = [{"rule": RULE, "sellers": ["china_producers"], "markets": ["ROW"]}]
    return doc


def _days_before(first: date, after: date, start: date) -> float:
    """The share of the quarter's days (`first` to `after`, exclusive) before the rule's first day."""
    days = [first + timedelta(d) for d in range((after - first).days)]
    return sum(1 for d in days if d < start) / len(days)


def _quarter(case: lc.LinkedCase, label: str) -> int:
    return [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in case.quarters].index(label)


def _row_quantity(case: lc.LinkedCase, governed: lc.Governed, draws: dict[str, Any], label: str) -> float:
    out = lc.outputs(case, lc.run(case, governed, draws))
    periods, values, _ = out["quantity:china_producers@ROW"]
    return float(values[periods.index(label), 0])


def test_the_default_timing_is_by_days(bundled_store: Store) -> None:
    assert _load(bundled_store, _doc(None, "ban"))[0].timing == lc.DAYS


def test_mid_quarter_timing_follows_the_middle_day(bundled_store: Store) -> None:
    case, governed = _load(bundled_store, _doc("mid-quarter", "ban"))
    assert case.timing == lc.MID_QUARTER
    banned, _, licences, _ = lc._offerings(case, governed, np.ones((len(case.quarters), 2, 2, 2)),
                                           lc.default_draws(case), 1)
    t = _quarter(case, "2023Q3")
    assert banned[t, 1, 0] and not banned[t - 1, 1, 0]  # 1 August is before the quarter's middle day
    assert licences == []


@pytest.mark.parametrize(("effective", "quarter", "first", "after"), [
    ("2023-08-01", "2023Q3", date(2023, 7, 1), date(2023, 10, 1)),  # before the middle day
    ("2023-09-20", "2023Q3", date(2023, 7, 1), date(2023, 10, 1)),  # after it
    ("2024-02-29", "2024Q1", date(2024, 1, 1), date(2024, 4, 1)),  # a leap year's quarter
])
def test_a_ban_from_within_a_quarter_licenses_the_days_before_it(bundled_store: Store, effective: str,
                                                                  quarter: str, first: date, after: date) -> None:
    case, governed = _load(bundled_store, _doc("days", "ban"), effective)
    banned, _, licences, _ = lc._offerings(case, governed, np.ones((len(case.quarters), 2, 2, 2)),
                                           lc.default_draws(case), 1)
    t = _quarter(case, quarter)
    open_share = _days_before(first, after, date.fromisoformat(effective))
    assert 0.0 < open_share < 1.0
    assert not banned[t, 1, 0] and banned[t + 1, 1, 0] and not banned[t - 1, 1, 0]
    (lic,) = [x for x in licences if x.start <= t < x.end and x.pairs[1, 0]]
    assert lic.approval[0] == pytest.approx(open_share, abs=1e-12) and lic.delay[0] == 0.0
    assert not any(x.start <= t + 1 < x.end for x in licences)  # later quarters: banned outright
    # the quarter's flow is that share of what buyers would take without the cap
    draws = lc.default_draws(case)
    shared = _row_quantity(case, governed, draws, quarter)
    free = _row_quantity(*_load(bundled_store, _doc("days", "ban") | {"rules": []}), draws, quarter)
    assert shared == pytest.approx(open_share * free, rel=1e-6)


def test_a_licence_from_within_a_quarter_applies_in_the_share_of_days_it_holds(bundled_store: Store) -> None:
    case, governed = _load(bundled_store, _doc("days"))
    draws = {**lc.default_draws(case), "approval": np.array([0.4]), "delay_wedge": np.array([0.25])}
    _, _, licences, _ = lc._offerings(case, governed, np.ones((len(case.quarters), 2, 2, 2)), draws, 1)
    t = _quarter(case, "2023Q3")
    held = 1.0 - _days_before(date(2023, 7, 1), date(2023, 10, 1), date(2023, 8, 1))  # 62 of 92 days
    (first,) = [x for x in licences if x.start <= t < x.end]
    assert first.approval[0] == pytest.approx((1.0 - held) + held * 0.4, abs=1e-12)
    assert first.delay[0] == pytest.approx(held * 0.25, abs=1e-12)
    (later,) = [x for x in licences if x.start <= t + 1 < x.end]
    assert later.approval[0] == pytest.approx(0.4) and later.delay[0] == pytest.approx(0.25)


def test_a_licence_from_after_the_middle_day_still_acts_on_its_quarter(bundled_store: Store) -> None:
    case, governed = _load(bundled_store, _doc("days"), "2023-09-01")
    draws = {**lc.default_draws(case), "approval": np.array([0.4]), "delay_wedge": np.array([0.0])}
    _, _, licences, _ = lc._offerings(case, governed, np.ones((len(case.quarters), 2, 2, 2)), draws, 1)
    t = _quarter(case, "2023Q3")
    held = 1.0 - _days_before(date(2023, 7, 1), date(2023, 10, 1), date(2023, 9, 1))  # 30 of 92 days
    (first,) = [x for x in licences if x.start <= t < x.end]
    assert first.approval[0] == pytest.approx((1.0 - held) + held * 0.4, abs=1e-12)


def test_rules_that_change_on_a_quarters_first_day_run_as_at_its_middle(bundled_store: Store) -> None:
    """Nothing to share: both timings give the same run, figure for figure."""
    outs = []
    for timing in ("mid-quarter", "days"):
        case, governed = _load(bundled_store, _doc(timing), "2023-07-01")
        outs.append(lc.outputs(case, lc.run(case, governed, lc.default_draws(case, 3))))
    assert outs[0].keys() == outs[1].keys()
    for name, (periods, values, unit) in outs[0].items():
        assert outs[1][name][0] == periods and outs[1][name][2] == unit
        assert np.array_equal(outs[1][name][1], values, equal_nan=True), name


@settings(max_examples=12, deadline=None)
@given(st.integers(min_value=0, max_value=91))
def test_a_later_ban_never_lowers_the_quarters_flow(bundled_store: Store, day: int) -> None:
    """Monotonicity: moving a ban's first day later within 2023Q3 never lowers that quarter's flow to the
    barred pair, and a ban from the quarter's first day leaves none."""
    start = date(2023, 7, 1) + timedelta(day)
    flows = []
    for when in (start, start + timedelta(1)):
        case, governed = _load(bundled_store, _doc("days", "ban"), when.isoformat())
        flows.append(_row_quantity(case, governed, lc.default_draws(case), "2023Q3"))
    assert flows[1] >= flows[0] * (1 - 1e-9)
    if day == 0:
        assert flows[0] == 0.0


def test_with_a_licence_lag_the_days_before_the_rule_license_in_full(bundled_store: Store) -> None:
    """A case that states `licence_lag_days` and shares quarters by days: in the rule's first quarter the days
    before it license in full, the days after it and outside the wait the approval share, the wait nothing."""
    doc = _doc(None)
    doc["parameters"]["licence_lag_days"] = {"from": "licence_lag_days"}
    case, governed = _load(bundled_store, doc)
    t = _quarter(case, "2023Q3")
    first, after, start = date(2023, 7, 1), date(2023, 10, 1), date(2023, 8, 1)
    days = [first + timedelta(d) for d in range((after - first).days)]
    for lag in (0.0, 30.0, 63.0, 100.0):
        draws = {**lc.default_draws(case), "approval": np.array([0.4]), "delay_wedge": np.array([0.2]),
                 "licence_lag_days": np.array([lag])}
        _, _, licences, _ = lc._offerings(case, governed, np.ones((len(case.quarters), 2, 2, 2)), draws, 1)
        (lic,) = [x for x in licences if x.start <= t < x.end]
        before = sum(1 for d in days if d < start) / len(days)
        licensed = sum(1 for d in days if (d - start).days >= lag) / len(days)
        assert lic.approval[0] == pytest.approx(before + 0.4 * licensed, abs=1e-12), lag
        assert lic.delay[0] == pytest.approx((1.0 - before) * 0.2, abs=1e-12)
