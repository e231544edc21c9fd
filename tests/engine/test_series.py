"""Restriction answers over a range of dates: the dates a step gives, and a series that agrees with the
answers asked one date at a time."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chipshift import api
from chipshift.errors import ChipshiftError
from chipshift.io.store import Store

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)


def test_month_steps_keep_the_day_or_the_months_last_day() -> None:
    assert api.series_dates("2024-01-31", "2024-05-01", "1m") == [
        date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
    assert api.series_dates("2023-07-01", "2025-07-01", "1y") == [date(2023, 7, 1), date(2024, 7, 1), date(2025, 7, 1)]
    assert api.series_dates("2024-01-01", "2024-01-20", "7d") == [date(2024, 1, 1), date(2024, 1, 8), date(2024, 1, 15)]
    assert api.series_dates("2024-01-01", "2024-01-01", "3m") == [date(2024, 1, 1)]
    for huge in ("10000y", "99999m", "9999999d"):  # a step past the last date there is ends the series
        assert api.series_dates("2024-01-01", "9999-12-31", huge) == [date(2024, 1, 1)], huge


@pytest.mark.parametrize(("start", "end", "every", "message"), [
    ("2024-01-01", "2023-01-01", "1y", "before"),
    ("2024-01-01", "2025-01-01", "1w", "not a step"),
    ("2024-01-01", "2025-01-01", "0m", "not a step"),
    ("2024-01-01", "2025-01-01", "m", "not a step"),
    ("2000-01-01", "2030-01-01", "1d", "more than"),
    ("2024-13-01", "2025-01-01", "1y", "not a date"),
])
def test_bad_ranges_are_refused(start: str, end: str, every: str, message: str) -> None:
    with pytest.raises(ChipshiftError, match=message):
        api.series_dates(start, end, every)


@given(st.dates(date(1990, 1, 1), date(2040, 1, 1)), st.integers(0, 3000), st.integers(1, 40),
       st.sampled_from("ymd"))
def test_series_dates_are_increasing_within_the_range_and_start_at_the_start(
        first: date, span: int, n: int, unit: str) -> None:
    if unit == "d":
        span = min(span, (api.restrictions.MAX_SERIES_DATES - 1) * n)  # more dates are refused (tested above)
    last = date.fromordinal(first.toordinal() + span)
    dates = api.series_dates(first, last, f"{n}{unit}")
    assert dates[0] == first and dates[-1] <= last
    assert all(a < b for a, b in itertools.pairwise(dates))


def test_exposure_over_time_agrees_with_each_date_asked_alone(bundled_store: Store) -> None:
    series = api.exposure_over_time(bundled_store, "CHN", "2018-01-01", "2025-01-01", "1y")
    assert series.dates == tuple(date(y, 1, 1) for y in range(2018, 2026))
    assert series.destination_name == "China"
    for when in (date(2019, 1, 1), date(2023, 1, 1), date(2025, 1, 1)):
        alone = {r.stage: r for r in api.exposure(bundled_store, "CHN", when).by_stage}
        rows = [r for r in series.by_stage if r.at == when]
        assert {r.stage for r in rows} == set(alone)
        for row in rows:
            for key in ("barred_lower_weighted_pct", "barred_upper_weighted_pct", "barred_lower_mean_pct",
                        "barred_upper_mean_pct"):
                assert getattr(row, key) == getattr(alone[row.stage], key)
    # the October 2022 controls came into force between the 2022 and 2023 dates, and reach China
    changes = {c.at: c for c in series.rule_changes}
    assert "E-OCT2022" in changes[date(2023, 1, 1)].rules_started
    assert "E-OCT2022" not in changes[date(2022, 1, 1)].rules_started
    # each rule that changed by its name too, for the pages and tables that list them (never an id alone)
    named = {r for c in series.rule_changes for r in (*c.rules_started, *c.rules_ended)}
    assert set(series.rule_names) == named and series.rule_names["E-OCT2022"]
    assert all(name and name != rule for rule, name in series.rule_names.items())


def test_series_list_only_the_rules_that_change_a_figure_and_count_the_others(bundled_store: Store) -> None:
    # China's bans on Australian barley and Taiwanese pineapples, and Argentina's beef export ban, reach China but
    # cover goods outside the chip supply chain: they change no figure, so the series' rule lists leave them out
    series = api.exposure_over_time(bundled_store, "CHN", "2018-01-01", "2025-01-01", "1y")
    listed = {r for c in series.rule_changes for r in (*c.rules_started, *c.rules_ended)}
    off_chain = {"E-CN-AUS-BARLEY-MAY2020", "E-CN-TWN-PINEAPPLE-MAR2021", "E-AR-BEEF-EXPORT-MAY2021",
                 "E-CN-AUS-BARLEY-LIFT-AUG2023"}  # the lifting of the barley duties relaxes an idle rule only
    assert not listed & off_chain and off_chain <= set(series.rules_left_out)
    assert {"E-OCT2022", "E-HUAWEI-2019", "E-CN-MICRON-2023"} <= listed
    assert not listed & set(series.rules_left_out) and "change no figure" in series.rules_left_out_why
    assert set(series.rule_names) == listed
    availability = api.availability_over_time(bundled_store, "CHN", "2020-01-01", "2022-01-01", "1y")
    assert "E-CN-TWN-PINEAPPLE-MAR2021" in availability.rules_left_out


def test_availability_over_time_of_euv_tools_falls_when_the_dutch_licences_stop(bundled_store: Store) -> None:
    series = api.availability_over_time(bundled_store, "CHN", "2018-01-01", "2020-01-01", "1y",
                                        input_name="EUV lithography tools")
    by_date = {r.at.isoformat(): r for r in series.inputs}
    assert by_date["2018-01-01"].available_pct == 100.0 and by_date["2018-01-01"].barred_by == ()
    assert by_date["2020-01-01"].available_pct == 0.0 and "E-NL-EUV-2019" in by_date["2020-01-01"].barred_by


def test_cli_series_draws_a_chart_and_refuses_half_ranges(tmp_path: Path, bundled_store: Store) -> None:
    from typer.testing import CliRunner

    from chipshift.cli import app

    runner = CliRunner()
    base = ["--store", str(bundled_store.path)]
    ok = runner.invoke(app, [*base, "exposure", "CHN", "--from", "2022-01-01", "--to", "2024-01-01",
                             "--chart", str(tmp_path / "exposure"), "--format", "csv"])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.splitlines()[0].startswith("at,stage,stage_name,barred_lower_weighted_pct")
    assert (tmp_path / "exposure.png").stat().st_size > 0 and (tmp_path / "exposure.svg").stat().st_size > 0
    for args in (["--from", "2022-01-01"], ["--at", "2023-01-01", "--from", "2022-01-01", "--to", "2024-01-01"],
                 ["--at", "2023-01-01", "--chart", str(tmp_path / "x")]):
        bad = runner.invoke(app, [*base, "exposure", "CHN", *args])
        assert bad.exit_code == 2, bad.output


def test_a_series_without_a_range_takes_the_scenarios_own(tmp_path: Path, bundled_store: Store) -> None:
    from typer.testing import CliRunner

    from chipshift.cli import app

    duv = Path(__file__).resolve().parents[2] / "examples" / "duv-immersion-china.yaml"
    scenario = api.load_scenario(bundled_store, duv)
    assert api.series_range(scenario) == (date(2022, 6, 30), date(2026, 6, 30), "6m", "scenario")
    assert api.series_range(scenario, "2024-01-01", every="1y") == (date(2024, 1, 1), date(2026, 6, 30), "1y",
                                                                     "request")
    assert api.series_range(None, end="2025-03-31") == (date(2020, 1, 1), date(2025, 3, 31), "1y", "default")
    series = api.exposure_over_time(bundled_store, "CHN", scenario=scenario)
    assert series.range_given_by == "scenario" and series.dates[:2] == (date(2022, 6, 30), date(2022, 12, 30))
    # on the command line, --chart alone draws the scenario's range (else the default)
    ok = CliRunner().invoke(app, ["--store", str(bundled_store.path), "exposure", "CHN", "--scenario", str(duv),
                                  "--chart", str(tmp_path / "duv"), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert '"range_given_by": "scenario"' in ok.stdout and (tmp_path / "duv.svg").stat().st_size > 0


def test_localization_over_time_follows_the_share_tables(bundled_store: Store) -> None:
    history = api.localization(bundled_store, "CHN").history
    gallium = {r.period: r for r in history if r.input == "gallium"}
    assert {"2022", "2025"} <= set(gallium) and all(r.localization_lower_pct > 95 for r in gallium.values())
    dram = [r for r in history if r.input == "dram"]
    assert [r.period for r in dram] == sorted(r.period for r in dram) and len(dram) >= 10
    latest = dram[-1]  # CXMT named in the latest table; what the table leaves to others may be Chinese too
    assert latest.localization_lower_pct > 0 and "ChangXin Memory Technologies" in latest.domestic_providers
    assert all(r.localization_lower_pct <= r.localization_upper_pct <= 100 for r in history)
    one = api.localization(bundled_store, "CHN", "gallium").history
    assert one and {r.input for r in one} == {"gallium"}


def test_localization_over_time_without_a_range_takes_the_default(bundled_store: Store) -> None:
    # documented default: 1 January five years before the last date (today), every year; the dates from the start
    today = date.today()
    series = api.localization_over_time(bundled_store, "CHN")
    assert (series.from_, series.every, series.range_given_by) == (date(today.year - 5, 1, 1), "1y", "default")
    assert series.dates == tuple(date(today.year - 5 + k, 1, 1) for k in range(6)) and series.to == series.dates[-1]
    asked = api.localization_over_time(bundled_store, "CHN", "2019-01-01", "2021-01-01")
    assert asked.range_given_by == "request" and asked.dates == (date(2019, 1, 1), date(2020, 1, 1), date(2021, 1, 1))
    # a series given its end alone starts on 1 January five years before it
    ended = api.localization_over_time(bundled_store, "CHN", end="2024-06-30", every="6m")
    assert ended.dates[0] == date(2019, 1, 1) and ended.dates[-1] == date(2024, 1, 1) and len(ended.dates) == 11


def test_cli_localization_draws_its_history(tmp_path: Path, bundled_store: Store) -> None:
    from typer.testing import CliRunner

    from chipshift.cli import app

    result = CliRunner().invoke(app, ["--store", str(bundled_store.path), "localization", "CHN", "--chart",
                                      str(tmp_path / "loc"), "--format", "csv", "--table", "history"])
    assert result.exit_code == 0, result.output
    head = result.stdout.splitlines()[0].split(",")
    assert head[:3] == ["input", "name", "period"] and {"localization_lower_pct", "localization_upper_pct"} <= set(head)
    svg = (tmp_path / "loc.svg").read_text(encoding="utf-8")
    assert "Share of world supply from firms or plants of China" in svg and "Gallium" in svg


def test_localization_at_dates_takes_the_latest_table_begun_actual_before_forecast() -> None:
    from chipshift.engine.analyses import localization_at_dates

    def row(period: str, lower: float, forecast: bool = False) -> dict[str, object]:
        return {"input": "x", "name": "X", "period": period, "localization_lower": lower,
                "localization_upper": lower, "domestic_providers": [], "forecast": forecast}

    history = [row("2020", 0.1), row("2022Q3", 0.2), row("2023", 0.3), row("2024", 0.9, forecast=True)]
    dates = [date(2019, 6, 1), date(2022, 7, 1), date(2023, 6, 1), date(2024, 6, 1)]
    got = {r["at"]: (r["period"], r["localization_lower"]) for r in localization_at_dates(history, dates)}
    assert "2019-06-01" not in got  # no table had begun
    assert got["2022-07-01"] == ("2022Q3", 0.2) and got["2023-06-01"] == ("2023", 0.3)
    assert got["2024-06-01"] == ("2023", 0.3)  # a forecast only where no actual table has begun
    only_forecast = localization_at_dates([row("2024", 0.9, forecast=True)], [date(2025, 1, 1)])
    assert [r["period"] for r in only_forecast] == ["2024"]


def test_cli_localization_over_a_range_of_dates(tmp_path: Path, bundled_store: Store) -> None:
    import json

    from typer.testing import CliRunner

    from chipshift.cli import app
    from chipshift.domain.period import Period

    runner = CliRunner()
    base = ["--store", str(bundled_store.path), "localization", "CHN"]
    result = runner.invoke(app, [*base, "--input", "dram", "--from", "2019-01-01", "--to", "2025-01-01", "--every",
                                 "6m", "--chart", str(tmp_path / "series"), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dates"][0] == "2019-01-01" and report["dates"][-1] == "2025-01-01" and len(report["dates"]) == 13
    history = [r for r in report["history"] if not r["forecast"]]
    for row in report["series"]:
        when = date.fromisoformat(row["at"])
        begun = [r for r in history if Period.parse(r["period"]).start <= when]
        latest = max(begun, key=lambda r: Period.parse(r["period"]).start)
        assert (row["period"], row["localization_lower_pct"]) == (latest["period"], latest["localization_lower_pct"])
    assert len({r["period"] for r in report["series"]}) >= 3  # the tables change over the range
    svg = (tmp_path / "series.svg").read_text(encoding="utf-8")
    assert "Share of world supply from firms or plants of China, by product, 2019-01-01 to 2025-01-01" in svg
    csv = runner.invoke(app, [*base, "--from", "2022-01-01", "--to", "2024-01-01", "--format", "csv"])
    assert csv.stdout.splitlines()[0].startswith("at,input,name,period,localization_lower_pct,localization_upper_pct")
    for args in (["--from", "2022-01-01"], ["--to", "2022-01-01"], ["--from", "2022-01-01", "--to", "2021-01-01"]):
        bad = runner.invoke(app, [*base, *args])
        assert bad.exit_code == 2, bad.output
