"""The linked-markets format (``model: linked``): declared once beside the single-market one, checked before
reading, run through the API and the command line (outputs by period with their unit, bands with draws), bad
files exit 2 naming file, line and field."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from chipshift.api.data import load_world
from chipshift.api.market_runs import Variant, scenario_compare, scenario_run, to_frame
from chipshift.domain.rules import rule_from_record
from chipshift.errors import DataError
from chipshift.io.store import Store
from chipshift.io.tables import parse_yaml
from chipshift.reports import labels
from chipshift.scenarios import linked_case as lc
from chipshift.scenarios.linked_parse import parse_linked
from chipshift.scenarios.market_case_check import check_case, linked_output, linked_outputs
from chipshift.scenarios.market_run import RuleContext
from chipshift.schemas import market_case as schema
from tests.scenarios.conftest import RunCase

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)

REPO = Path(__file__).resolve().parents[2]
GALLIUM = REPO / "examples" / "gallium-export-controls.yaml"
EXAMPLES = REPO / "examples"
#: Prior draws per calibration round in these tests: rougher posteriors, the same code paths, a fraction of the time.
FAST = 400
LINKED = sorted(p for p in (REPO / "examples").glob("*.yaml") if yaml.safe_load(p.read_text()).get("model") == "linked")


def _records(shape: schema.Shape) -> Iterator[schema.Record]:
    if isinstance(shape, schema.Record):
        yield shape
        for key in shape.keys:
            yield from _records(key.shape)
    elif isinstance(shape, schema.ListOf):
        yield from _records(shape.item)
    elif isinstance(shape, schema.MapOf):
        yield from _records(shape.value)
    elif isinstance(shape, schema.OneOf):
        for option in shape.options:
            yield from _records(option)


def test_the_linked_declaration_is_complete() -> None:
    for record in _records(schema.LINKED_CASE):
        names = record.names
        assert len(set(names)) == len(names)
        for key in record.keys:
            assert key.description.strip(), key.name
            for other in (*key.required_without, *key.requires, *key.requires_any, *key.excludes):
                assert other in names, (key.name, other)
            assert key.when is None or key.when[0] in names
    patterns = [o.pattern for o in schema.LINKED_OUTPUTS]
    assert len(set(patterns)) == len(patterns) and all(o.description for o in schema.LINKED_OUTPUTS)


def _known(store: Store) -> dict[schema.Ref, set[str]]:
    world, _ = load_world(store)
    return {"fact": {f["id"] for f in store.rows("facts")}, "rule": {r["id"] for r in store.rows("rules")},
            "firm": {f["id"] for f in store.rows("firms")},
            "catalogue_parameter": {p["id"] for p in store.rows("parameters")}, "input": set(world.index),
            "country": {c["id"] for c in store.rows("countries")},
            "document": {s["id"] for s in store.rows("sources")}}


@pytest.mark.parametrize("path", LINKED, ids=[p.stem for p in LINKED])
def test_shipped_linked_cases_are_clean(bundled_store: Store, path: Path) -> None:
    document, problems = parse_yaml(path.read_text(), path.name)
    assert problems == []
    assert check_case(document, path.name, _known(bundled_store)) == []


def _case(store: Store, doc: dict[str, Any]) -> tuple[lc.LinkedCase, lc.Governed]:
    case = parse_linked(doc, {f["id"]: f for f in store.rows("facts")}, {p["id"]: p for p in store.rows("parameters")},
                        "test.yaml")
    world, parents = load_world(store)
    return case, lc.govern(case, RuleContext([rule_from_record(r) for r in store.rows("rules")], world, parents))


def test_declared_outputs_are_the_outputs_a_run_gives(bundled_store: Store) -> None:
    """What the check accepts in an observation is exactly what the run produces (a new output of the model
    is declared in ``LINKED_OUTPUTS``); a reported run works out rationed demand, a calibration's runs do not."""
    gallium = yaml.safe_load(GALLIUM.read_text())
    with_firm = json.loads(json.dumps(gallium))
    with_firm["sellers"][0] |= {"firm": "chalco", "domestic_in": ["CHN", "ROW"]}
    with_firm["rules"] = []  # the licence binds China's producers, not a named firm
    for doc in [gallium, with_firm] + [yaml.safe_load(p.read_text()) for p in LINKED if p != GALLIUM]:
        case, governed = _case(bundled_store, doc)
        produced = set(lc.series(case, lc.run(case, governed, lc.default_draws(case), rationing=True)))
        assert linked_outputs(doc) == produced, doc["name"]
        calibrating = set(lc.series(case, lc.run(case, governed, lc.default_draws(case))))
        assert produced - calibrating == {n for n in produced if n.startswith("rationed:")}
        assert all(linked_output(name) is not None for name in produced)


# -- through the command line -----------------------------------------------------------------------------------


def test_the_gallium_case_runs_through_the_command_line(cli: RunCase) -> None:
    result = cli(GALLIUM.read_text(encoding="utf-8"), "--format", "json", name="gallium.yaml")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["model"] == "linked" and report["periods"][0] == "2023Q1"
    price = {r["period"]: r for r in report["outputs"] if r["output"] == "price@ROW"}
    assert {"2023Q1", "2023Q4", "2024"} <= set(price) and all(r["unit"] == "index" for r in price.values())
    assert price["2023Q1"]["value"] == pytest.approx(1.0) and price["2023Q4"]["value"] > 1.5
    assert "p5" not in price["2023Q4"], "no bands without draws"
    assert {r["period"] for r in report["calibration"]["table"]} and report["sensitivity"]
    assert all("rank" in r for r in report["sensitivity"])
    table = cli(GALLIUM.read_text(encoding="utf-8"), name="gallium.yaml")
    # the table names the headline outputs by their charts' titles (the JSON keeps the codes)
    assert table.exit_code == 0 and "Gallium price, Rest of the world (index, 2023Q1 = 1)" in table.output
    assert "price@ROW" not in table.output and "revenue:" not in table.output
    csv = cli(GALLIUM.read_text(encoding="utf-8"), "--format", "csv", name="gallium.yaml")
    assert csv.exit_code == 0 and csv.output.splitlines()[0] == "output,period,value,unit"


def test_a_literal_observation_names_its_document_or_draws_a_named_warning(bundled_store: Store, cli: RunCase,
                                                                          tmp_path: Path) -> None:
    """A literal observation's ``source`` is carried to the run, which gives the document's publisher, title and
    date; the charts' legends name its publisher and period (not "stated in the case file"). A literal without
    one is let through with the warning ``unsourced_literal``, naming file, line and field."""
    doc = yaml.safe_load(GALLIUM.read_text())
    case, _ = _case(bundled_store, doc)
    assert case.warnings == ()
    assert [o.document for o in case.observations][:2] == ["fastmarkets-20231218-gallium-2024-preview",
                                                            "budrigannews-20230920-china-ga-ge-exports-aug"]
    report = scenario_run(bundled_store, GALLIUM, calibration_draws=FAST)
    assert "warnings" not in report or not report["warnings"]
    rows = {(r["output"], r["period"]): r for r in report["calibration"]["table"]}
    assert rows[("price@ROW", "2023Q4")]["source"] == "fastmarkets-20231218-gallium-2024-preview"
    fastmarkets = report["documents"]["fastmarkets-20231218-gallium-2024-preview"]
    assert fastmarkets["publisher"] == "Fastmarkets" and fastmarkets["published"] == "2023-12-18"
    assert fastmarkets["title"].startswith("A make-or-break year") and fastmarkets["url"].startswith("https://")
    from chipshift.reports.labels import observation_source
    from chipshift.reports.market_run_files import write_outputs

    assert observation_source(report, rows[("price@CHN", "2023Q3")]) == \
        'Reuters, "China exported no germanium, gallium in Aug due to export curbs", 2023-09-20'
    write_outputs(report, tmp_path)
    words = " ".join(" ".join(re.findall(r"<!-- (.*?) -->", (tmp_path / "price_CHN.svg").read_text())).split())
    assert "Reuters, 2023Q3" in words and "stated in the case file" not in words, words
    calibration = (tmp_path / "calibration.csv").read_text(encoding="utf-8")
    assert "Fastmarkets" in calibration and "2023-12-18" in calibration
    # without its source, the literal is still read, with a named warning
    text = GALLIUM.read_text(encoding="utf-8").replace(", source: budrigannews-20230920-china-ga-ge-exports-aug", "")
    del doc["observations"][1]["source"]
    case, _ = _case(bundled_store, doc)
    (warning,) = case.warnings
    assert (warning.check, warning.severity, warning.field) == ("unsourced_literal", "warning",
                                                                "observations[1].source")
    result = cli(text, name="unsourced.yaml")
    assert result.exit_code == 0, result.output
    line = text.splitlines().index(next(x for x in text.splitlines() if "price@CHN" in x)) + 1
    assert f"warning: unsourced_literal: unsourced.yaml:{line}, field 'observations[1].source'" in result.output


def test_a_quarter_given_as_a_yearly_rate_draws_a_named_warning() -> None:
    """A figure of `values` is the amount over its own period, which the model multiplies up to a yearly rate (a
    quarter's by four): a quarter whose yearly rate comes out about four times the market's figure for a year
    (a quarter's amount given already multiplied up) draws ``values_rate``, naming the field; the quarter's own
    amount, and a quarter far from the year for a reason (a ban), do not."""
    from chipshift.scenarios.market_case import rates_apart

    year = 4.0  # a year's total: 4 a year
    quadrupled = rates_apart([{"2021": year, "2022Q2": 4.2}], "c.yaml", {"markets[0].values.2022Q2": 12})
    (warning,) = quadrupled
    assert (warning.check, warning.severity, warning.field, warning.line) == (
        "values_rate", "warning", "markets[0].values.2022Q2", 12)
    assert "2021" in warning.message and "yearly rate already" in warning.message
    assert rates_apart([{"2021": year, "2022Q2": 1.05}], "c.yaml", {}) == ()  # the quarter's own amount
    assert rates_apart([{"2021": year, "2022Q2": 0.1}], "c.yaml", {}) == ()  # a quarter after a ban: far below
    assert rates_apart([{"2022Q1": 4.2, "2022Q2": 4.4}], "c.yaml", {}) == ()  # no year to compare with
    # the market of an index: the rule reads each market's own figures
    assert len(rates_apart([{"2021": 1.0}, {"2021": year, "2021Q4": 4.0}], "c.yaml", {})) == 1


def test_no_bundled_case_gives_a_quarter_as_a_yearly_rate(bundled_store: Store) -> None:
    from chipshift.api.cases import load
    from chipshift.io.bundled import bundled_data_dir

    files = [*sorted((bundled_data_dir() / "episodes").glob("*.yaml")), *sorted(EXAMPLES.glob("*.yaml"))]
    cases = [case for path in files if path.read_text(encoding="utf-8").count("model: linked")
             for case in [load(bundled_store, path)[0]] if isinstance(case, lc.LinkedCase)]
    assert len(cases) > 150
    assert not [(c.name, w.field) for c in cases for w in c.warnings if w.check == "values_rate"]


def test_published_revenues_stand_beside_the_model_in_its_unit(bundled_store: Store) -> None:
    """A revenue published in another unit of the same currency is converted to the case's value unit; one in
    another currency is left out rather than drawn on an axis it does not belong to (Cambricon's quarterly
    revenue, published in million yuan, beside a model in billion dollars)."""
    from chipshift.api.market_runs import _linked_published

    doc = yaml.safe_load((REPO / "examples" / "china-ai-linked.yaml").read_text())
    case, _ = _case(bundled_store, doc)
    assert case.value_unit == "usd_bn"
    stored = [f for f in bundled_store.facts(entity="cambricon", metric="revenue") if f["period"] == "2025Q1"]
    assert stored and {f["unit"] for f in stored} == {"cny_m"}
    assert _linked_published(bundled_store, case, "revenue:cambricon", "2025Q1") == []
    case = dataclasses.replace(case, value_unit="cny_bn")  # the same case counted in yuan
    converted = _linked_published(bundled_store, case, "revenue:cambricon", "2025Q1")
    assert converted and all(p["unit"] == "cny_bn" for p in converted)
    assert sorted(p["value"] for p in converted) == pytest.approx(sorted(f["value"] / 1000 for f in stored))


def test_draws_give_bands(cli: RunCase) -> None:
    result = cli(GALLIUM.read_text(encoding="utf-8"), "--format", "json", "--draws", "60", "--seed", "5",
                 name="gallium.yaml")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["draws"] == 60 and report["seed"] == 5
    price = [r for r in report["outputs"] if r["output"] == "price@ROW"]
    assert all(r["p5"] <= r["median"] <= r["p95"] for r in price)
    assert any(r["p95"] - r["p5"] > 0.1 for r in price), "the licence's approval share is drawn"
    learned = report["model_error"]  # learned from the bundled back-test library, which the run used
    assert learned["learned_from"] == "the bundled back-test library" and 0.05 < learned["scale"] < 2.0
    assert 0.5 < learned["stretch"] < 5.0  # the factor that makes the library's 90% bands hold 90%
    assert "posterior" in report["bands"] and "back-test library" in report["bands"]


def _edit(*pairs: tuple[str, str]) -> str:
    """The gallium case with each pattern's first match replaced."""
    text = GALLIUM.read_text(encoding="utf-8")
    for pattern, new in pairs:
        assert re.search(pattern, text, re.M), pattern
        text = re.sub(pattern, new, text, count=1, flags=re.M)
    return text


def _line(text: str, marker: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if marker in line)


# (edits of the gallium case as (pattern, replacement), marker of the line named, field, words of the message)
BAD = {
    "missing key": (((r"(id: other_producers, country: ROW), product: gallium", r"\1"),), "id: other_producers",
                    "sellers[1].product", "required key 'product' is missing"),
    "unknown seller in shares": (((r"^      other_producers:", "      other_prodcers:"),), "other_prodcers:",
                                 "markets[1].shares.other_prodcers",
                                 "unknown seller 'other_prodcers' (did you mean other_producers"),
    "unknown rule": (((r"rule: E-CN-GAGE-2023", "rule: E-CN-GAGE-2032"),), "E-CN-GAGE-2032", "rules[0].rule",
                     "unknown rule 'E-CN-GAGE-2032' (did you mean E-CN-GAGE-2023"),
    "unknown output": (((r'output: "price@ROW"', 'output: "price@RoW"'),), "price@RoW", "observations[0].output",
                       "unknown output 'price@RoW' (did you mean price@ROW"),
    "quoted number": (((r"sigma: \{default: ([0-9.]+)", r"sigma: {default: '\1'"),), "  sigma: {default:",
                      "parameters.sigma.default", "(write it without quotes)"),
    "bare money": (((r"^    value: \{value: ([0-9.]+), unit: usd_m, basis: .*$", r"    value: \1"),), "    value: ",
                   "markets[0].value", "a bare number is not allowed here"),
    "not a quarter": (((r"^start: 2023Q1", "start: 2023"),), "start:", "start",
                      "expected a quarter such as 2023Q1, got 2023"),
    "unknown model": (((r"^model: linked", "model: lnked"),), "model:", "model", "(did you mean linked?)"),
    "approval on a ban": (((r"effect: licence", "effect: ban"),), "approval:", "rules[0].approval",
                          "'approval' applies only with 'effect: licence'"),
    "observation outside the run": (((r'(output: "price@ROW", period: )2023Q4', r"\g<1>2027Q4"),), "2027Q4",
                                    "observations[0].period", "2027Q4 is not a period of the run's 'price@ROW'"),
    "money in another currency": (((r"value: \{value: ([0-9.]+), unit: usd_m", r"value: {value: \1, unit: cny_m"),),
                                  "unit: cny_m", "markets[0].value", "give every value in a unit of currency_usd"),
    "a pair the rule cannot reach": (((r"markets: \[ROW\]", "markets: [CHN]"),), "- rule: E-CN-GAGE-2023",
                                     "rules[0]", "does not reach china_producers"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_linked_case_exits_2_naming_file_line_and_field(cli: RunCase, case: str) -> None:
    edits, marker, field, words = BAD[case]
    text = _edit(*edits)
    result = cli(text)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"bad.yaml:{_line(text, marker)}, field '{field}': " in result.output, result.output
    assert words in result.output, result.output


def test_every_problem_of_a_linked_file_is_listed_at_once(cli: RunCase) -> None:
    names = ("missing key", "unknown seller in shares", "unknown rule", "unknown output", "quoted number")
    result = cli(_edit(*(pair for name in names for pair in BAD[name][0])))
    assert result.exit_code == 2
    assert "5 problem(s)" in result.output, result.output
    for name in names:
        assert f"field '{BAD[name][2]}'" in result.output


def test_a_series_is_named_and_checked() -> None:
    doc = yaml.safe_load(GALLIUM.read_text())
    doc["series"] = {"world": {"2023": {"value": 300, "unit": "usd_m", "basis": "x"}}}
    doc["markets"][1].pop("value")
    doc["markets"][1]["values"] = "wrld"
    problems = check_case(doc, "x.yaml", {})
    assert [(p.field, p.message) for p in problems] == [
        ("markets[1].values", "unknown series 'wrld' (did you mean world?)")]
    doc["markets"][1]["values"] = ["world"]
    assert "expected the name of a series or a mapping of period to values" in check_case(doc, "x.yaml", {})[0].message


# -- the API and the reports ----------------------------------------------------------------------------------------


def test_a_linked_run_compares_by_period(bundled_store: Store) -> None:
    frame = to_frame(scenario_run(bundled_store, GALLIUM, calibration_draws=FAST))
    assert frame.index.names == ["output", "period"] and frame.loc[("price@ROW", "2023Q1"), "unit"] == "index"
    report = scenario_compare(bundled_store, GALLIUM, GALLIUM)
    assert report["differences"] and all(d["difference"] in (0, None) for d in report["differences"])
    assert {"output", "period", "unit", "a", "b", "difference"} == set(report["differences"][0])
    assert report["only_in_a"] == report["only_in_b"] == [] and report["same_case"]


def test_variants_of_one_case_side_by_side(bundled_store: Store, tmp_path: Path) -> None:
    def row(report: dict[str, Any], output: str, period: str) -> dict[str, Any]:
        return next(r for r in report["differences"] if r["output"] == output and r["period"] == period)

    more = scenario_compare(bundled_store, GALLIUM, Variant(GALLIUM, {"approval": 0.9}), draws=40, seed=3)
    assert (more["a"], more["b"]) == ("as shipped", "approval=0.9")
    price = row(more, "price@ROW", "2024")
    assert price["b"] < price["a"] and price["difference"] == pytest.approx(price["b"] - price["a"], abs=1e-4)
    assert price["a_p5"] <= price["a_p95"] and price["b_p5"] <= price["b_p95"]
    assert "own 5-95% band" in more["bands"] and more["variants"]["b"]["parameters"] == {"approval": 0.9}
    # each chart of the comparison carries its value axis by the wide-band rule of every medium (labels.band_axis),
    # over both sides' values and bands by quarter, as the Results page, the files and the report have theirs
    quarters = [r for r in more["differences"] if r["output"] == "price@ROW" and "Q" in r["period"]]
    expected = labels.band_axis([v for r in quarters for v in (r["a"], r["b"])],
                                [v for r in quarters for v in (r["a_p95"], r["b_p95"])], "index")
    assert more["output_text"]["price@ROW"]["band"] == dataclasses.asdict(expected)
    assert all("band" in words for output, words in more["output_text"].items()
               if any(r["output"] == output and "Q" in r["period"] and r.get("a_p95") is not None
                      for r in more["differences"]))
    # under a restriction scenario that removes China's licence requirement (a file, or the same as a mapping)
    lifted = {"name": "no gallium licences", "remove": ["E-CN-GAGE-2023"]}
    (tmp_path / "lift.yaml").write_text(yaml.safe_dump(lifted))
    for scenario in (tmp_path / "lift.yaml", lifted):
        report = scenario_compare(bundled_store, GALLIUM, Variant(GALLIUM, restrictions=scenario))
        assert report["b"] in ("under lift", "under no gallium licences")
        assert row(report, "price@ROW", "2024")["b"] == pytest.approx(1.0)
        assert row(report, "price@ROW", "2023Q1")["difference"] == 0  # before the rule


def test_published_estimates_beside_a_linked_run(bundled_store: Store) -> None:
    micron = REPO / "examples" / "micron-china-linked.yaml"
    if not micron.exists():
        pytest.skip("no linked Micron case")
    report = scenario_run(bundled_store, micron, calibration_draws=FAST)
    beside = [c for c in report["published_beside_model"] if c["output"] == "revenue_share:micron@CHN"]
    assert beside and any(c["published"] for c in beside) and all(c["period"].startswith("FY") for c in beside)
    assert set(report["sources"]) >= {r["fact"] for r in report["calibration"]["table"] if r["fact"]}
    json.dumps(report, allow_nan=False)


def test_the_html_report_of_a_linked_case(bundled_store: Store, tmp_path: Path) -> None:
    from chipshift.web.market_report import write_market_report

    html = write_market_report(bundled_store, GALLIUM, tmp_path / "g.html", draws=40).read_text(encoding="utf-8")
    assert "Prices by quarter" in html and html.count("<svg") >= 2 and ">2023Q3</text>" in html
    assert "<script" not in html and "fill-opacity=\"0.18\"" in html, "bands from the draws"


def test_a_counted_cases_quantities_are_read_in_its_unit_whatever_unit_the_source_gave(bundled_store: Store) -> None:
    """A case counting phones in millions compares an outcome with its reference in one unit: a quantity stated
    in thousands reads as millions, one in millions as it is, and one in money is refused, naming the field."""
    doc = yaml.safe_load((REPO / "examples" / "huawei-phones-supply-cut.yaml").read_text(encoding="utf-8"))
    assert doc["value_unit"] == "units_m"
    doc["observations"] = [
        {"output": "quantity:huawei@CHN", "period": "2021", "value": 142000, "unit": "units_k", "basis": "test",
         "fit": False},
        {"output": "quantity:huawei@CHN", "period": "2022", "value": 120.5, "unit": "units_m", "basis": "test",
         "fit": False}]
    case, _ = _case(bundled_store, doc)
    assert [o.value for o in case.observations] == [pytest.approx(142.0), pytest.approx(120.5)]
    doc["observations"][1] |= {"value": 900.0, "unit": "usd_m"}
    with pytest.raises(DataError) as info:
        _case(bundled_store, doc)
    assert [p.field for p in info.value.problems] == ["observations[1]"]
