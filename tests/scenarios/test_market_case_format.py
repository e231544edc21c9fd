"""The market-case format: declared once, checked before parsing, literals with a basis, bad files exit 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from chipshift.api.market_runs import scenario_run
from chipshift.io.store import Store
from chipshift.io.tables import parse_yaml
from chipshift.scenarios.market_case_check import check_case
from chipshift.schemas import market_case as schema
from tests.scenarios.conftest import RunCase

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)

REPO = Path(__file__).resolve().parents[2]
MICRON = REPO / "examples" / "micron-china.yaml"
AI = REPO / "examples" / "china-ai-accelerators.yaml"


def _records(record: schema.Record) -> Iterator[schema.Record]:
    yield record
    for key in record.keys:
        shape = key.shape
        inner = shape.item if isinstance(shape, schema.ListOf) else shape.value if isinstance(
            shape, schema.MapOf) else shape
        if isinstance(inner, schema.Record):
            yield from _records(inner)


def test_the_declaration_is_complete() -> None:
    records = [*_records(schema.CASE), schema.STATED_FORM]
    for record in records:
        names = record.names
        assert len(set(names)) == len(names)
        for key in record.keys:
            assert key.description.strip(), key.name
            for other in (*key.required_without, *key.requires, *key.requires_any, *key.excludes):
                assert other in names, (key.name, other)
            assert key.unless is None or isinstance(record.key(key.unless).shape, schema.Flag)


@pytest.mark.parametrize("path", [MICRON, AI], ids=["micron", "ai"])
def test_shipped_cases_are_clean(bundled_store: Store, path: Path) -> None:
    document, problems = parse_yaml(path.read_text(), path.name)
    assert problems == []
    known: dict[schema.Ref, set[str]] = {
        "fact": {f["id"] for f in bundled_store.rows("facts")}, "rule": {r["id"] for r in bundled_store.rows("rules")},
        "firm": {f["id"] for f in bundled_store.rows("firms")},
        "catalogue_parameter": {p["id"] for p in bundled_store.rows("parameters")},
        "input": {i["id"] for i in bundled_store.rows("inputs")},
        "country": {c["id"] for c in bundled_store.rows("countries")},
        "document": {s["id"] for s in bundled_store.rows("sources")}}
    assert check_case(document, path.name, known) == []


# -- bad files through the command line: exit 2, every problem with file, line and field ---------------------------


def _edit(path: Path, *pairs: tuple[str, str]) -> str:
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _line(text: str, marker: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if marker in line)


SAMSUNG = "  - {id: samsung, share: {fact: dram-share-samsung-2022q2-scmr}}"
OBS_2023 = "  - {output: revenue_share, year: 2023, fact: micron-revenue-share-chn-fy2023-readhub}"
BAN_CII = "  - {rule: E-CN-MICRON-2023, source: micron, segments: [critical_information_infrastructure]}"

# (edits of micron-china.yaml, marker of the line named, field, words of the message)
BAD = {
    "missing region": ((("region: CHN\n", ""),), "kind: market", "region", "required key 'region' is missing"),
    "source without id": (((SAMSUNG, "  - {share: {fact: dram-share-samsung-2022q2-scmr}}"),),
                          "dram-share-samsung-2022q2", "sources[0].id", "required key 'id'"),
    "observation without year": (((OBS_2023, OBS_2023.replace("year: 2023, ", "")),),
                                 "micron-revenue-share-chn-fy2023-readhub", "observations[0].year",
                                 "required key 'year'"),
    "unknown key": ((("    domestic: true\n", "    domestic: true\n    capactiy: 3\n"),), "capactiy",
                    "sources[3].capactiy", "unknown key 'capactiy' (did you mean capacity"),
    "text for a number": ((("w_dc: {default: 0.3,", "w_dc: {default: '0.3',"),), "w_dc:",
                          "parameters.w_dc.default", "got the text '0.3' (write it without quotes)"),
    "quoted boolean": ((("low: 0.0, high: 0.6, fit: true, basis: \"free: share of Micron's China sales to data",
                         "low: 0.0, high: 0.6, fit: 'true', basis: \"free: share of Micron's China sales to data"),),
                       "w_dc:", "parameters.w_dc.fit", "expected true or false, got the text 'true'"),
    "quoted year": ((("start_year: 2021", "start_year: '2021'"),), "start_year", "start_year",
                    "expected a whole number, got the text '2021' (write it without quotes)"),
    "out of range": ((("fiscal_offset_months: 3 ", "fiscal_offset_months: 13 "),), "fiscal_offset_months",
                     "fiscal_offset_months", "13 is outside the allowed range [0, 12]"),
    "a bare figure": ((("  2022: {fact: micron-revenue-fy2022-sec}", "  2022: 30.76"),), "  2022: 30.76",
                      "other_revenue.2022", "a bare number is not allowed here"),
    "unknown firm": (((SAMSUNG, SAMSUNG.replace("id: samsung", "id: samsnug")),), "samsnug", "sources[0].id",
                     "'samsnug' is not a known firm (did you mean samsung"),
    "unknown rule": (((BAN_CII, BAN_CII.replace("MICRON-2023", "MICRON-2032")),), "E-CN-MICRON-2032",
                     "bans[0].rule", "unknown rule 'E-CN-MICRON-2032' (did you mean E-CN-MICRON-2023"),
    "unknown fact": (((SAMSUNG, SAMSUNG.replace("samsung-2022q2", "samsnug-2022q2")),), "samsnug",
                     "sources[0].share.fact", "unknown fact 'dram-share-samsnug-2022q2-scmr' (did you mean "
                                              "dram-share-samsung-2022q2-scmr"),
    "unknown parameter": ((("learning_rate: {param: learning_rate}", "learning_rate: {param: learnig_rate}"),),
                          "learnig_rate", "sources[3].learning_rate.param",
                          "unknown parameter 'learnig_rate' (did you mean learning_rate"),
    "unknown segment": (((BAN_CII, BAN_CII.replace("[critical_information_infrastructure]", "[data_centre]")),),
                        "data_centre", "bans[0].segments[0]", "unknown segment 'data_centre' (did you mean "
                                                              "data_center"),
    "unknown source": (((BAN_CII, BAN_CII.replace("source: micron", "source: micorn")),), "micorn",
                       "bans[0].source", "unknown source 'micorn' (did you mean micron"),
    "unknown input": ((("product: dram", "product: drma"),), "product:", "product",
                      "unknown input 'drma' (did you mean dram"),
    "unknown output": ((('output: "share:cxmt"', 'output: "share:cxtm"'),), "share:cxtm", "observations[3].output",
                       "unknown output 'share:cxtm' (did you mean share:cxmt"),
    "observation outside the run": (((OBS_2023, OBS_2023.replace("2023", "2029", 1)),), "year: 2029",
                                    "observations[0].year", "FY2029 is outside the run (FY2022-FY2027)"),
    "literal without basis": (((OBS_2023, "  - {output: revenue_share, year: 2023, value: 14.03}"),), "value: 14.03",
                              "observations[0].value", "'value' needs 'basis' beside it"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_case_exits_2_naming_file_line_and_field(cli: RunCase, case: str) -> None:
    edits, marker, field, words = BAD[case]
    text = _edit(MICRON, *edits)
    result = cli(text)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"bad.yaml:{_line(text, marker)}, field '{field}': " in result.output, result.output
    assert words in result.output, result.output


def test_a_cset_input_in_a_store_without_cset_names_the_import(cli_without_cset: RunCase) -> None:
    text = _edit(MICRON, ("product: dram", "product: N22"))
    result = cli_without_cset(text)
    assert result.exit_code == 2, result.output
    assert f"bad.yaml:{_line(text, 'product:')}, field 'product': " in result.output, result.output
    assert ("unknown input 'N22'; ids like this one are the CSET supply-chain tables' inputs: "
            "`chipshift import cset PATH`") in result.output, result.output


def test_every_problem_of_a_file_is_listed_at_once(cli: RunCase) -> None:
    edits = [pair for name in ("missing region", "source without id", "observation without year", "unknown key",
                               "quoted boolean", "out of range", "unknown rule", "unknown output")
             for pair in BAD[name][0]]
    result = cli(_edit(MICRON, *edits))
    assert result.exit_code == 2
    assert "8 problem(s)" in result.output, result.output
    for name in ("region", "sources[0].id", "observations[0].year", "sources[3].capactiy", "parameters.w_dc.fit",
                 "fiscal_offset_months", "bans[0].rule", "observations[3].output"):
        assert f"field '{name}'" in result.output


def test_a_file_that_is_not_a_case(cli: RunCase) -> None:
    result = cli("- kind: market\n")
    assert result.exit_code == 2 and "bad.yaml:1" in result.output and "not a market scenario" in result.output
    result = cli("kind: market\nname: [\n")
    assert result.exit_code == 2 and "YAML syntax error" in result.output


# -- literals with a basis -----------------------------------------------------------------------------------------


def _run(store: Store, tmp_path: Path, text: str, **kwargs: Any) -> dict[str, Any]:
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return scenario_run(store, path, **kwargs)


def test_a_literal_observation_is_fitted_to_and_shown_with_its_basis(bundled_store: Store, tmp_path: Path) -> None:
    basis = "Micron's FY2023 revenue from mainland China over its total revenue (readhub, Oct 2025)"
    literal = (f"  - {{output: revenue_share, year: 2023, value: 14.03, unit: pct, basis: \"{basis}\", "
               "source: readhub-20251018-micron-china}")
    report = _run(bundled_store, tmp_path, _edit(MICRON, (OBS_2023, literal)))
    row = next(r for r in report["calibration"]["table"] if (r["output"], r["year"]) == ("revenue_share", 2023))
    assert row["observed"] == 14.03 and row["basis"] == basis and row["fact"] is None
    assert row["source"] == "readhub-20251018-micron-china" and row["fitted_to"] is True
    by_fact = scenario_run(bundled_store, MICRON)
    # the same figure fits about the same; only its error differs (a literal's, not that of the fact's kind)
    assert report["calibration"]["fitted"].keys() == by_fact["calibration"]["fitted"].keys()
    ranges = {p["id"]: p["high"] - p["low"] for p in report["parameters"]}
    for name, value in report["calibration"]["fitted"].items():
        assert abs(value - by_fact["calibration"]["fitted"][name]) < 0.1 * ranges[name]
    assert "micron-revenue-share-chn-fy2023-readhub" not in report["sources"]


def test_a_literal_observation_through_the_command_line(cli: RunCase) -> None:
    literal = "  - {output: revenue_share, year: 2023, value: 14.03, basis: 'readhub, Oct 2025'}"
    result = cli(_edit(MICRON, (OBS_2023, literal)), "--format", "json", name="literal.yaml")
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)["calibration"]["table"]
    assert {"output": "revenue_share", "year": 2023, "observed": 14.03, "fitted_to": True, "fact": None,
            "basis": "readhub, Oct 2025", "source": None}.items() <= table[0].items()
    # a literal without the document it was read from is let through with a named warning, on stderr
    assert "warning: unsourced_literal: literal.yaml:" in result.stderr


def test_literal_base_figures_give_the_same_run(bundled_store: Store, tmp_path: Path) -> None:
    text = _edit(AI, ("base_year: 2023, fact: cambricon-revenue-2023-stockanalysis}",
                      "base_year: 2023, value: 709.39, unit: cny_m, basis: 'Cambricon 2023 revenue (stockanalysis)'}"),
                 ("firm_share_base: {fact: nvidia-revenue-share-chn-fy2024-technovate}",
                  "firm_share_base: {value: 17, unit: pct, basis: 'Nvidia FY2024 10-K, via technovate'}"),
                 ("  2024: {fact: nvidia-revenue-fy2024-moomoo}",
                  "  2024: {value: 60.922, unit: usd_bn, basis: 'Nvidia FY2024 revenue (moomoo)'}"))
    literal, by_fact = _run(bundled_store, tmp_path, text), scenario_run(bundled_store, AI)
    assert literal["outputs"] == by_fact["outputs"]
    assert literal["calibration"]["table"] == by_fact["calibration"]["table"]


def test_literal_in_another_unit_than_its_output_is_refused(bundled_store: Store, tmp_path: Path) -> None:
    from chipshift.errors import DataError

    obs = '  - {output: "revenue:cambricon", year: 2024, fact: cambricon-revenue-2024-cambricon-20250418, fit: false}'
    text = _edit(AI, (obs, '  - {output: "revenue:cambricon", year: 2024, value: 1.17, unit: cny_bn, basis: x}'))
    with pytest.raises(DataError, match="in cny_bn, the revenue's base figure in cny_m") as info:
        _run(bundled_store, tmp_path, text)
    assert [p.field for p in info.value.problems] == ["observations[6].unit"]


# -- nothing fitted ------------------------------------------------------------------------------------------------


def test_nothing_fitted_says_why_and_has_an_rmse_only_with_observations(bundled_store: Store, tmp_path: Path) -> None:
    held = scenario_run(bundled_store, AI, overrides={"q_h20": 0.5, "domestic_quality_growth": 0.2})
    calibration = held["calibration"]
    assert calibration["fitted"] == {} and calibration["rmse"] is not None  # the observations weigh the rest
    assert calibration["statement"] == (
        "no parameter is fitted: quality: Nvidia's H20 (q_h20), quality growth: Huawei Technologies; China's other "
        "producers (domestic_quality_growth) are held at given values (overrides, --set); the observations marked "
        "fit weigh the other ranged parameters")
    assert "pinned down" not in calibration["statement"]
    json.dumps(held, allow_nan=False)  # valid JSON: null, never NaN
    text = AI.read_text(encoding="utf-8").replace("fit: true", "fit: false")
    unmarked = _run(bundled_store, tmp_path, text)["calibration"]
    # its observations without a `fit` key are still fitted to: they weigh every ranged parameter
    assert unmarked["rmse"] is not None and unmarked["procedure"].startswith("Bayesian")
    assert unmarked["statement"] == ("no parameter is fitted: none is marked fit; the observations marked fit weigh "
                                     "every ranged parameter")
    assert unmarked["fitted"] == {} and unmarked["sampler"]["method"] != "prior"
    no_obs = _run(bundled_store, tmp_path, AI.read_text(encoding="utf-8").replace("year: 2024, fact: chn-",
                                                                                  "year: 2024, fit: false, fact: chn-")
                  .replace("year: 2025, fact: nvidia", "year: 2025, fit: false, fact: nvidia"))
    assert no_obs["calibration"]["fitted"] == {} and no_obs["calibration"]["rmse"] is None
    assert "no observation is marked fit, so quality: Nvidia's H20 (q_h20), quality growth: Huawei Technologies; " \
        "China's other producers (domestic_quality_growth) keep their priors" in (
        no_obs["calibration"]["statement"])
    assert not any(p["fitted"] for p in no_obs["parameters"])


def test_nothing_fitted_in_the_table_output(cli: RunCase) -> None:
    doc = yaml.safe_load(AI.read_text(encoding="utf-8").replace("fit: true", "fit: false"))
    for obs in doc["observations"]:
        obs["fit"] = False
    result = cli(yaml.safe_dump(doc), name="unfitted.yaml")
    assert result.exit_code == 0, result.output
    assert "calibration: no parameter is fitted: none is marked fit, and every ranged parameter keeps its prior" in (
        " ".join(result.output.split()))
    assert "rmse: —" in result.output and "nan" not in result.output.lower()
