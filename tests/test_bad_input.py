"""Bad input gets an error that names file, line and field, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chipshift import api, checks
from chipshift.config import Settings
from chipshift.errors import DataError, Problem
from chipshift.io.bundled import load_bundle
from chipshift.io.store import Store, open_at
from tests.conftest import StoreAt

REPO = Path(__file__).resolve().parents[1]
FACT_HEADER = ("id,entity,metric,product,region,segment,basis,definition,period,value,unit,status,source,quote,"
               "default,note\n")
GOOD_FACT = ("dram-share-samsung-sk-2022q1,samsung+sk-hynix,market_share,dram,WLD,all,revenue,,2022Q1,70.8,pct,"
             "estimate,trendforce-20220518-dram-1q22,\"account for a market share of 70.8%\",false,\n")


def _problems(data: Path) -> list[Problem]:
    return [p for p in checks.validate(load_bundle(data)) if p.severity == "error"]


def _write_facts(data: Path, *rows: str) -> None:
    (data / "facts" / "memory.csv").write_text(FACT_HEADER + "".join(rows), encoding="utf-8")


def _only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_mini_data_is_clean(mini_data: Path) -> None:
    assert _problems(mini_data) == []


def test_fact_without_source(mini_data: Path) -> None:
    _write_facts(mini_data, GOOD_FACT.replace("trendforce-20220518-dram-1q22", ""))
    p = _only(_problems(mini_data))
    assert (p.file, p.line, p.field) == ("facts/memory.csv", 2, "source")
    assert "required" in p.message


def test_fact_with_unknown_source(mini_data: Path) -> None:
    _write_facts(mini_data, GOOD_FACT.replace("trendforce-20220518-dram-1q22", "nowhere"))
    p = _only(_problems(mini_data))
    assert (p.file, p.line, p.field) == ("facts/memory.csv", 2, "source")
    assert "nowhere" in p.message


def test_share_outside_range(mini_data: Path) -> None:
    _write_facts(mini_data, GOOD_FACT, GOOD_FACT.replace("2022q1,", "2022q1b,").replace(",70.8,", ",170.8,"))
    p = _only(_problems(mini_data))
    assert (p.line, p.field) == (3, "value")
    assert "outside [0, 100]" in p.message


def test_unknown_entity(mini_data: Path) -> None:
    _write_facts(mini_data, GOOD_FACT.replace("samsung+sk-hynix", "samsung+hynx"))
    p = _only(_problems(mini_data))
    assert (p.line, p.field) == (2, "entity")
    assert "hynx" in p.message


def test_duplicate_id_within_and_across_files(mini_data: Path) -> None:
    _write_facts(mini_data, GOOD_FACT, GOOD_FACT)
    p = _only(_problems(mini_data))
    assert (p.file, p.line, p.field) == ("facts/memory.csv", 3, "id")
    (mini_data / "facts" / "memory.csv").write_text(FACT_HEADER + GOOD_FACT, encoding="utf-8")
    (mini_data / "facts" / "other.csv").write_text(FACT_HEADER + GOOD_FACT, encoding="utf-8")
    problems = _problems(mini_data)
    assert any(p.check == "unique_ids" and p.file == "facts/other.csv" for p in problems)


def test_bad_code_and_number(mini_data: Path) -> None:
    _write_facts(mini_data, GOOD_FACT.replace(",pct,", ",percent,").replace(",70.8,", ",seventy,"))
    problems = _problems(mini_data)
    assert {(p.field, p.line) for p in problems} == {("unit", 2), ("value", 2)}


def test_metric_unit_mismatch_and_missing_product(mini_data: Path) -> None:
    _write_facts(mini_data, GOOD_FACT.replace(",pct,", ",usd_bn,").replace(",dram,", ",,"))
    fields = {p.field for p in _problems(mini_data)}
    assert fields == {"unit", "product"}


def test_two_defaults_for_one_figure(mini_data: Path) -> None:
    second = GOOD_FACT.replace("2022q1,", "2022q1-b,")
    _write_facts(mini_data, GOOD_FACT.replace(",false,", ",true,why"), second.replace(",false,", ",true,why"))
    p = _only(_problems(mini_data))
    assert p.check == "defaults"


def test_wrong_cell_count_and_missing_column(mini_data: Path) -> None:
    _write_facts(mini_data, GOOD_FACT.replace(",false,", ",false,,extra,"))
    p = _only(_problems(mini_data))
    assert (p.file, p.line) == ("facts/memory.csv", 2)
    (mini_data / "facts" / "memory.csv").write_text(FACT_HEADER.replace(",quote", ""), encoding="utf-8")
    p = _only(_problems(mini_data))
    assert (p.line, p.field) == (1, "quote")


def test_not_utf8(mini_data: Path) -> None:
    (mini_data / "facts" / "memory.csv").write_bytes(FACT_HEADER.encode() + b"\xff\xfe broken\n")
    p = _only(_problems(mini_data))
    assert "UTF-8" in p.message


def test_yaml_syntax_error_names_line(mini_data: Path) -> None:
    text = (mini_data / "rules.yaml").read_text()
    (mini_data / "rules.yaml").write_text(text.replace("kind: procurement_ban", "kind: [procurement_ban"))
    p = _only(_problems(mini_data))
    assert p.file == "rules.yaml" and p.line is not None and "YAML" in p.message


#: Texts the two YAML readers must read alike: the good, the odd and the broken.
ODD_YAML = [
    "a: 1\nb: [x, y]\nc: {d: '2019-12', e: 2019-12-01}\n", "flag: yes\nother: on\nreal: True\n",
    "a: &x 1\nb: *x\n", "a: 1\na: 2\n", "a:\n\t- b\n", "a: [b\n", "a: b: c\n", "- a\nb: c\n",
    "\ufeffa: 1\r\nb: 2\r\n", "a: \"\\x07\"\n", "a: 'it''s'\nb: |\n  two\n  lines\n", "", "---\n...\n",
    "a: 1\n---\nb: 2\n", "[" * 5000 + "]" * 5000, "a: 1e3\nb: 0x1F\nc: .inf\nd: ~\ne: 12:30\n", "? [a]\n: b\n",
    "a: !!str 1\nb: !custom x\n", "名前: 值\n", "a: 1\nb: x\x07y\n",
]


def test_a_raw_control_character_is_a_problem_on_its_line_and_exit_2(tmp_path: Path) -> None:
    """A character YAML does not allow (a raw BEL, say) is refused as the file is read, naming its line, where
    before the reader raised its own error and the command ended in a traceback."""
    from typer.testing import CliRunner

    from chipshift.cli import app
    from chipshift.io.tables import parse_yaml

    document, problems = parse_yaml("kind: market\nname: x\x07y\n", "bel.yaml")
    assert document is None and [(p.file, p.line) for p in problems] == [("bel.yaml", 2)]
    assert "#x0007" in problems[0].message
    path = tmp_path / "bel.yaml"
    path.write_text("kind: market\nname: x\x07y\n")
    result = CliRunner().invoke(app, ["--store", str(tmp_path / "s.duckdb"), "scenario", "run", str(path)])
    assert result.exit_code == 2 and "bel.yaml:2" in result.output, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_the_fast_yaml_reader_reads_as_the_python_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """``parse_yaml`` reads with libyaml, falling back to Python's reader for what libyaml will not read: every
    bundled and example file, and odd or broken texts, read as Python's reader alone reads them (the same
    values, lines and problems)."""
    from chipshift.io import yaml_lines
    from chipshift.io.tables import parse_yaml

    assert yaml_lines.FastLineLoader is not None  # PyYAML's wheels carry libyaml
    files = [*sorted((REPO / "src" / "chipshift" / "data").rglob("*.yaml")),
             *sorted((REPO / "examples").glob("*.yaml"))]
    texts = [path.read_text(encoding="utf-8") for path in files] + ODD_YAML
    fast = [parse_yaml(text, "t.yaml") for text in texts]
    monkeypatch.setattr(yaml_lines, "FastLineLoader", None)
    assert fast == [parse_yaml(text, "t.yaml") for text in texts]


def test_rule_field_errors_name_their_line(mini_data: Path) -> None:
    text = (mini_data / "rules.yaml").read_text()
    text = text.replace("targets: {countries: [CHN]", "targets: {countries: [XXX]")
    text = text.replace("effective: '2023-05-21'", "effective: '2023-05-21'\n    ended: '2022-01-01'")
    (mini_data / "rules.yaml").write_text(text)
    problems = _problems(mini_data)
    lines = text.splitlines()
    by_field = {p.field: p for p in problems}
    assert set(by_field) == {"targets", "ended"}
    assert "XXX" in lines[by_field["targets"].line - 1]  # type: ignore[operator]
    assert "ended" in lines[by_field["ended"].line - 1]  # type: ignore[operator]


def test_threshold_on_unknown_attribute(mini_data: Path) -> None:
    text = (mini_data / "rules.yaml").read_text()
    (mini_data / "rules.yaml").write_text(text.replace("- input: memory", "- input: memory\n        where: "
                                                                           "{colour: {gte: 3}}"))
    p = _only(_problems(mini_data))
    assert p.check == "rule_thresholds" and "colour" in p.message


def test_bad_bundle_leaves_store_as_it_was(mini_settings: Settings, mini_data: Path) -> None:
    with api.open_store(mini_settings) as store:
        before = store.count("facts")
    _write_facts(mini_data, GOOD_FACT.replace(",70.8,", ",170.8,"))
    with pytest.raises(DataError) as info:
        api.open_store(mini_settings)
    assert "facts/memory.csv:2, field 'value'" in str(info.value)
    with open_at(mini_settings.store_path) as store:
        assert store.count("facts") == before


def test_store_written_before_a_new_column_gains_it(mini_settings: Settings) -> None:
    """A store whose rules table predates the optional 'unquantified' column opens, gains the column and
    reloads the bundle into it, with no row lost."""
    with api.open_store(mini_settings) as store:
        rules = store.count("rules")
        # as if the bundle changed since: the next open reloads it
        with store._transaction("derived") as con:
            con.execute("ALTER TABLE rules DROP COLUMN unquantified")
            con.execute("DELETE FROM meta")
    with api.open_store(mini_settings) as store:
        assert store.count("rules") == rules
        assert all("unquantified" in r for r in store.rows("rules"))


def test_parameter_must_match_its_fact() -> None:
    from chipshift.io.bundled import bundled_data_dir

    problems = [p for p in checks.validate(load_bundle(bundled_data_dir())) if p.check == "parameters"]
    assert problems == []


def test_parameter_mismatch_is_named(mini_data: Path) -> None:
    import shutil

    from chipshift.io.bundled import bundled_data_dir

    src = bundled_data_dir()
    for name in ("parameters.csv", "sources.csv"):
        shutil.copy(src / name, mini_data / name)
    shutil.copy(src / "facts" / "parameters.csv", mini_data / "facts" / "parameters.csv")
    (mini_data / "facts" / "memory.csv").unlink()
    text = (mini_data / "parameters.csv").read_text().replace(",3.7,1.4,5,", ",3.9,1.4,5,")
    (mini_data / "parameters.csv").write_text(text)
    problems = [p for p in _problems(mini_data) if p.check == "parameters"]
    assert [(p.file, p.line, p.field) for p in problems] == [("parameters.csv", 2, "default_fact")]


def test_contradictory_rules(mini_data: Path) -> None:
    text = (mini_data / "rules.yaml").read_text()
    second = text.split("rules:\n", 1)[1].replace("E-CN-MICRON-2023", "E-CN-MICRON-ALLOW").replace(
        "policy: ban", "policy: lifted")
    (mini_data / "rules.yaml").write_text(text + second)
    p = _only(_problems(mini_data))
    assert p.check == "rule_conflicts" and "E-CN-MICRON-2023" in p.message and p.field == "policy"


def test_a_fee_on_other_sellers_beside_a_ban_is_not_a_contradiction(mini_data: Path) -> None:
    """A fee a rule puts on some sellers while another rule of the same imposer bars another seller of the same
    products stacks with it (each binds its own sellers); only a rule allowing the very sellers a ban names at the
    same time contradicts it (the test above)."""
    text = (mini_data / "rules.yaml").read_text()
    second = text.split("rules:\n", 1)[1].replace("E-CN-MICRON-2023", "E-CN-KOREA-FEE").replace(
        "policy: ban", "policy: fee").replace("sellers: {firms: [micron]}", "sellers: {hq_in: [KOR]}")
    assert "hq_in: [KOR]" in second
    (mini_data / "rules.yaml").write_text(text + second)
    assert [p for p in _problems(mini_data) if p.check == "rule_conflicts"] == []


def test_impossible_date(mini_data: Path) -> None:
    text = (mini_data / "rules.yaml").read_text().replace("effective: '2023-05-21'", "effective: '0000'")
    (mini_data / "rules.yaml").write_text(text)
    p = _only(_problems(mini_data))
    assert p.field == "effective" and "not a calendar date" in p.message


# -- YAML files: duplicate keys, aliases, size ------------------------------------------------------------------

BILLION_LAUGHS = (
    'name: billion laughs, a bomb\n'
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'
    'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n'
    'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n'
    'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n'
    'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n'
    'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n'
)
SCENARIO = ("name: what if\n"
            "add:\n"
            "  - id: X-TEST\n"
            "    name: test rule\n"
            "    imposed_by: USA\n"
            "    kind: export_control\n"
            "    policy: ban\n"
            "    products: [{input: memory}]\n"
            "    targets: {countries: [CHN]}\n"
            "    effective: '2024-01-01'\n"
            "    summary: a test rule\n")


def _scenario_problems(store: Store, path: Path) -> list[Problem]:
    with pytest.raises(DataError) as info:
        api.load_scenario(store, path)
    return info.value.problems


def test_duplicate_key_in_rules_yaml_names_file_line_and_key(mini_data: Path) -> None:
    path = mini_data / "rules.yaml"
    text = path.read_text().replace("    policy: ban\n", "    policy: ban\n    policy: licence_required\n")
    path.write_text(text)
    p = _only(_problems(mini_data))
    assert (p.file, p.field) == ("rules.yaml", "policy")
    assert p.line is not None and text.splitlines()[p.line - 1].strip() == "policy: licence_required"
    assert "duplicate key 'policy'" in p.message and f"line {p.line - 1}" in p.message


def test_duplicate_key_in_scenario_file(mini_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(SCENARIO.replace("    policy: ban\n", "    policy: ban\n    policy: fee\n") + "name: again\n")
    problems = _scenario_problems(mini_store, path)
    assert {(p.file, p.line, p.field) for p in problems} == {("dup.yaml", 8, "policy"), ("dup.yaml", 13, "name")}


def test_billion_laughs_fails_fast_in_small_memory(mini_store: Store, tmp_path: Path) -> None:
    import time
    import tracemalloc

    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS)
    assert len(BILLION_LAUGHS) == 371
    tracemalloc.start()
    started = time.perf_counter()
    try:
        problems = _scenario_problems(mini_store, path)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 0.5 and peak < 5 * 1024 * 1024, (elapsed, peak)
    p = _only(problems)
    assert (p.file, p.line) == ("bomb.yaml", 3) and "aliases" in p.message


def test_billion_laughs_in_bundled_rules_and_market_case(mini_data: Path, mini_store: Store, tmp_path: Path) -> None:
    from chipshift.api import market_runs as market_api

    (mini_data / "rules.yaml").write_text(BILLION_LAUGHS.replace("name: billion laughs, a bomb\n", "rules: []\n"))
    p = _only(_problems(mini_data))
    assert p.file == "rules.yaml" and "aliases" in p.message
    case = tmp_path / "case.yaml"
    case.write_text("kind: market\n" + BILLION_LAUGHS)
    with pytest.raises(DataError, match="aliases"):
        market_api.load_case(mini_store, case)


def test_bomb_through_the_cli_exits_2(tmp_path: Path, store_at: StoreAt, mini_data: Path) -> None:
    from typer.testing import CliRunner

    from chipshift.cli import app

    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS)
    base = ["--store", str(store_at("cli")), "--data-dir", str(mini_data)]
    for args in (["exposure", "CHN", "--scenario", str(path)], ["scenario", "run", str(path)],
                 ["report", str(path), "--out", str(tmp_path / "report.html")]):
        result = CliRunner().invoke(app, [*base, *args])
        assert result.exit_code == 2, (args, result.output)
        assert "bomb.yaml:3" in result.output and "aliases" in result.output
    assert not (tmp_path / "report.html").exists()


def test_oversized_yaml_is_refused_unread(mini_store: Store, tmp_path: Path) -> None:
    from chipshift.io.tables import MAX_YAML_BYTES

    path = tmp_path / "huge.yaml"
    padding = "# " + "x" * 1000 + "\n"
    path.write_text(SCENARIO + padding * (MAX_YAML_BYTES // len(padding) + 1))
    p = _only(_scenario_problems(mini_store, path))
    assert p.file == "huge.yaml" and "larger than 5 MB" in p.message


def test_oversized_csv_is_refused_unread(mini_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from chipshift.io import tables

    monkeypatch.setattr(tables, "MAX_CSV_BYTES", 100)
    problems = _problems(mini_data)
    assert any(p.file == "facts/memory.csv" and "larger than" in p.message for p in problems)


# -- booleans: true or false only ---------------------------------------------------------------------------------


def test_scenario_baseline_must_be_a_boolean(mini_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "quoted.yaml"
    for spelling in ('"no"', "no", "'false'", "0", "off"):
        path.write_text(SCENARIO.replace("name: what if\n", f"name: what if\nbaseline: {spelling}\n"))
        p = _only(_scenario_problems(mini_store, path))
        assert (p.file, p.line, p.field) == ("quoted.yaml", 2, "baseline"), spelling
        assert "expected true or false" in p.message
    path.write_text(SCENARIO.replace("name: what if\n", "name: what if\nbaseline: false\n"))
    assert api.load_scenario(mini_store, path).baseline is False
    with pytest.raises(DataError, match="baseline"):  # a JSON body (the web API) is held to the same rule
        api.load_scenario(mini_store, {"name": "x", "baseline": "no"})


def test_rule_fdp_must_be_a_boolean(mini_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "fdp.yaml"
    path.write_text(SCENARIO.replace("    targets:", "    sellers: {fdp: 'yes'}\n    targets:"))
    p = _only(_scenario_problems(mini_store, path))
    assert (p.line, p.field) == (9, "sellers") and "fdp" in p.message


def test_csv_booleans_are_true_or_false(mini_data: Path) -> None:
    _write_facts(mini_data, GOOD_FACT.replace(",false,", ",yes,"))
    p = _only(_problems(mini_data))
    assert (p.file, p.line, p.field) == ("facts/memory.csv", 2, "default") and "true or false" in p.message
    _write_facts(mini_data, GOOD_FACT.replace(",false,", ",TRUE,why"))
    assert _problems(mini_data) == []
    assert load_bundle(mini_data)["facts"].rows[0]["default"] is True


def test_yaml_boolean_field_refuses_text(mini_data: Path) -> None:
    from chipshift.io.tables import records_to_table
    from chipshift.schemas.tables import FACTS

    record = {"id": "x", "entity": "micron", "metric": "revenue", "period": "2024", "value": 1.0, "unit": "usd_bn",
              "status": "reported", "source": "s", "quote": "q", "default": "no"}
    table = records_to_table([record], FACTS, "facts.yaml")
    assert [(p.field, "true or false" in p.message) for p in table.problems] == [("default", True)]


def test_market_case_flags_must_be_booleans() -> None:
    from chipshift.scenarios.market_case import parse_case

    doc: dict[str, Any] = {
        "name": "x", "region": "CHN", "product": "dram", "start_year": 2024, "end_year": 2026,
        "parameters": {"sigma": {"default": 2.0, "low": 1.0, "high": 3.0, "basis": "free", "fit": "yes"}},
        "sources": [{"id": "a", "share": 60.0, "basis": "given", "domestic": "no"},
                    {"id": "b", "share": 40.0, "basis": "given", "group": 1}],
        "observations": [],
    }
    with pytest.raises(DataError) as info:
        parse_case(doc, {}, {}, set(), "case.yaml", {"a"})
    flagged = {(p.file, p.field) for p in info.value.problems if "expected true or false" in p.message}
    assert flagged == {("case.yaml", "parameters.sigma.fit"), ("case.yaml", "sources[0].domestic"),
                       ("case.yaml", "sources[1].group")}


# -- scenarios: an added rule's id must be new ------------------------------------------------------------------


def test_scenario_adding_a_baseline_id_is_refused(mini_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "clash.yaml"
    path.write_text(SCENARIO.replace("X-TEST", "E-CN-MICRON-2023"))
    p = _only(_scenario_problems(mini_store, path))
    assert (p.file, p.line, p.field) == ("clash.yaml", 3, "id")
    assert "already in the baseline" in p.message and "edit" in p.message
    path.write_text(SCENARIO.replace("X-TEST", "E-CN-MICRON-2023") + "remove: [E-CN-MICRON-2023]\n")
    assert api.load_scenario(mini_store, path).add[0]["id"] == "E-CN-MICRON-2023"  # replaced on purpose
    path.write_text(SCENARIO.replace("X-TEST", "E-CN-MICRON-2023").replace("name: what if\n",
                                                                          "name: what if\nbaseline: false\n"))
    assert api.load_scenario(mini_store, path).baseline is False  # no baseline: nothing to clash with


def test_scenario_spec_refuses_a_clashing_add() -> None:
    from chipshift.domain.rules import Rule, RuleKind
    from chipshift.scenarios.spec import Scenario

    base = [Rule("R1", "r", "USA", RuleKind.EXPORT_CONTROL, "s", "src", "q")]
    record = {"id": "R1", "name": "again", "imposed_by": "USA", "kind": "export_control", "summary": "s",
              "source": "scenario", "quote": "q"}
    with pytest.raises(DataError, match="already has"):
        Scenario("x", add=(record,)).apply(base)
    assert [r.name for r in Scenario("x", add=(record,), remove=("R1",)).apply(base)] == ["again"]


def test_clashing_add_through_the_cli_exits_2(tmp_path: Path, store_at: StoreAt, mini_data: Path) -> None:
    from typer.testing import CliRunner

    from chipshift.cli import app

    path = tmp_path / "clash.yaml"
    path.write_text(SCENARIO.replace("X-TEST", "E-CN-MICRON-2023"))
    result = CliRunner().invoke(app, ["--store", str(store_at("s")), "--data-dir", str(mini_data),
                                      "exposure", "CHN", "--scenario", str(path)])
    assert result.exit_code == 2 and "clash.yaml:3, field 'id'" in result.output


# -- command-line values, rule thresholds, the store file ---------------------------------------------------------


@pytest.mark.parametrize("args,allowed", [
    (["availability", "CHN", "--view", "bogus"], ["country", "firm"]),
    (["availability", "CHN", "--format", "bogus"], ["table", "json", "csv"]),
    (["data", "validate", "--show", "bogus"], ["errors", "warnings", "all"]),
    (["availability", "CHN", "--segment", "bogus"], ["data_center", "critical_information_infrastructure"]),
    (["ingest", "-", "--format", "bogus"], ["table", "json", "html"]),
])
def test_fixed_choices_list_the_allowed_values(store_at: StoreAt, mini_data: Path, args: list[str],
                                               allowed: list[str]) -> None:
    from typer.testing import CliRunner

    from chipshift.cli import app

    result = CliRunner().invoke(app, ["--store", str(store_at("s")), "--data-dir", str(mini_data), *args])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "bogus" in result.output and all(a in result.output for a in allowed), result.output


def test_api_view_is_checked(mini_store: Store) -> None:
    from chipshift.errors import ChipshiftError

    with pytest.raises(ChipshiftError, match="country, firm"):
        api.availability(mini_store, "CHN", view="bogus")


def test_threshold_of_the_wrong_type_is_refused_at_load(mini_data: Path) -> None:
    path = mini_data / "rules.yaml"
    text = path.read_text().replace("- input: memory", "- input: memory\n        where: {tpp: {gte: \"high\"}}")
    path.write_text(text)
    problems = [p for p in _problems(mini_data) if p.check == "rule_thresholds"]
    p = _only(problems)
    assert (p.file, p.field) == ("rules.yaml", "products") and "'high' is not a number" in p.message
    assert p.line is not None and text.splitlines()[p.line - 1].strip() == "products:"


def test_scenario_threshold_and_edits_are_checked_at_load(mini_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "thresholds.yaml"
    path.write_text(SCENARIO.replace("[{input: memory}]", "[{input: memory, where: {tpp: {gte: high}}}]")
                    + "edit:\n  - id: E-CN-MICRON-2023\n    kind: nonsense\n"
                      "    products: [{input: memory, where: {tpp: {lt: [1]}}}]\n")
    problems = _scenario_problems(mini_store, path)
    assert {(p.line, p.field) for p in problems} == {(8, "products"), (14, "kind"), (15, "products")}


def test_input_attribute_of_the_wrong_type(mini_data: Path) -> None:
    path = mini_data / "inputs.csv"
    path.write_text(path.read_text().replace('"{""hbm"": true}"', '"{""hbm"": true, ""tpp"": ""fast""}"'))
    p = _only(_problems(mini_data))
    assert (p.file, p.field, p.check) == ("inputs.csv", "attributes", "input_attributes")


@pytest.mark.duckdb_only(reason="damages the store's file")
@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_damaged_store_file_exits_2_naming_it(tmp_path: Path, mini_data: Path, damage: str) -> None:
    from typer.testing import CliRunner

    from chipshift.cli import app

    store = tmp_path / "damaged.duckdb"
    with api.open_store(Settings(store_path=store, data_dir=mini_data)):
        pass
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"not a database\n" * 100)
    result = CliRunner().invoke(app, ["--store", str(store), "--data-dir", str(mini_data), "data", "overview"])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "damaged.duckdb" in result.output.replace("\n", "") and "store" in result.output


# -- thresholds in percent ------------------------------------------------------------------------------------------


def test_thresholds_are_percent_and_checked(mini_store: Store, store_at: StoreAt, mini_data: Path) -> None:
    from typer.testing import CliRunner

    from chipshift.cli import app
    from chipshift.errors import ChipshiftError

    report = api.impairment(mini_store, "CHN", at="2025-01-01")
    assert report.threshold_pct == 50.0
    assert api.chokepoints(mini_store).threshold_pct == 80.0
    calls: list[Callable[[], object]] = [
                 lambda: api.impairment(mini_store, "CHN", threshold_pct=150),
                 lambda: api.chokepoints(mini_store, threshold_pct=-1),
                 lambda: api.chokepoints(mini_store, threshold_pct=float("nan"))]
    for call in calls:
        with pytest.raises(ChipshiftError, match=r"outside \[0, 100\]"):
            call()
    base = ["--store", str(store_at("s")), "--data-dir", str(mini_data)]
    for args in (["chokepoints", "--threshold", "150"], ["impairment", "CHN", "--threshold", "101"],
                 ["impairment", "CHN", "--threshold", "-0.5"], ["chokepoints", "--threshold", "high"]):
        result = CliRunner().invoke(app, [*base, *args])
        assert result.exit_code == 2 and "--threshold" in result.output, (args, result.output)
    result = CliRunner().invoke(app, [*base, "impairment", "CHN", "--threshold", "40", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"threshold_pct": 40.0' in result.output


# -- chokepoint definitions over small worlds -----------------------------------------------------------------------

WORLD_COUNTRIES: list[dict[str, Any]] = [
    {"id": c, "name": c, "members": []} for c in ("USA", "JPN", "NLD", "DEU", "CHN", "XVC")
] + [{"id": "EUR", "name": "Europe", "members": ["NLD", "DEU"]}]


def _world(shares: dict[str, dict[str, float | None]]) -> Any:
    from chipshift.engine.world import build_world

    provision = [{"provider": p, "provider_kind": "country", "input": i, "share_pct": s}
                 for i, row in shares.items() for p, s in row.items()]
    return build_world([{"id": i, "name": i, "kind": "tool_resource"} for i in shares], [], provision, [],
                       WORLD_COUNTRIES)


def _chokes(shares: dict[str, dict[str, float | None]], **kwargs: Any) -> dict[str, dict[str, Any]]:
    from chipshift.engine.analyses import chokepoints

    return {r["input"]: r for r in chokepoints(_world(shares), **kwargs)}


def test_aggregates_are_left_out_of_hhi_and_countries_for_75() -> None:
    rows = _chokes({"A": {"USA": 60.0, "XVC": 40.0}, "B": {"USA": 50.0, "JPN": 30.0, "EUR": 20.0},
                    "C": {"XVC": 100.0}})
    a, b = rows["A"], rows["B"]
    assert (a["top_country"], a["top_share_pct"], a["hhi"], a["countries_for_75pct"]) == ("USA", 60.0, 3600.0, None)
    assert (b["hhi"], b["countries_for_75pct"]) == (50.0**2 + 30.0**2, 2)
    assert "C" not in rows  # a node held only by 'various countries' has no real top country


def test_shares_above_100_are_normalised_as_availability_does() -> None:
    from datetime import date

    from chipshift.domain.rules import ProductSelector, Rule, RuleKind, Sellers, Targets
    from chipshift.engine.analyses import availability_table, situation
    from chipshift.engine.reach import Destination

    shares: dict[str, dict[str, float | None]] = {"EDA": {"USA": 96.0, "JPN": 3.0, "DEU": 3.0},
                                                  "LOW": {"USA": 50.0, "JPN": 40.0}}
    rows = _chokes(shares)
    eda = rows["EDA"]
    assert eda["shares_sum_pct"] == pytest.approx(102.0)
    assert eda["top_share_pct"] == pytest.approx(96 / 1.02, abs=1e-4)
    assert eda["hhi"] == pytest.approx((96 / 1.02) ** 2 + 2 * (3 / 1.02) ** 2, abs=0.01)
    assert rows["LOW"]["top_share_pct"] == 50.0  # shares under 100% are not scaled up
    ban = Rule("R", "r", "USA", RuleKind.EXPORT_CONTROL, "s", "src", "q", policy="ban",
               products=(ProductSelector("EDA"),), sellers=Sellers(("USA",)), targets=Targets(("CHN",)),
               effective="2020-01-01")
    s = situation(_world(shares), [ban], Destination("CHN"), date(2025, 1, 1), {})
    available = next(r for r in availability_table(s) if r["input"] == "EDA")["available"]
    assert 1 - available == pytest.approx(eda["top_share_pct"] / 100, abs=1e-6)  # the same normalisation


def test_chokepoint_threshold_is_a_percent() -> None:
    shares: dict[str, dict[str, float | None]] = {"A": {"USA": 85.0, "JPN": 15.0}, "B": {"NLD": 70.0, "JPN": 30.0}}
    assert set(_chokes(shares, threshold_pct=80.0, only_above=True)) == {"A"}
    assert set(_chokes(shares, threshold_pct=60.0, only_above=True)) == {"A", "B"}


def test_a_firms_reported_figure_on_weak_sources_only_is_named(mini_data: Path) -> None:
    weak_source = ("weak-20240101-blog,Some Blog,,Micron revenue,https://example.org/blog,2024-01-01,false,weak,"
                   "test fixture\n")
    with (mini_data / "sources.csv").open("a", encoding="utf-8") as f:
        f.write(weak_source)
    reported = ("micron-revenue-fy2023-blog,micron,revenue,,WLD,,,,FY2023,15540,usd_m,reported,weak-20240101-blog,"
                "\"revenue of 15540\",true,default: only figure\n")
    _write_facts(mini_data, reported)

    def named() -> list[str]:
        return [str(p) for p in checks.validate(load_bundle(mini_data)) if p.check == "weak_sources"]

    assert len(named()) == 1 and "memory.csv:2" in named()[0]
    # a better-sourced fact of the same quantity answers it
    _write_facts(mini_data, reported, reported.replace("-blog,micron", "-tracker,micron").replace(
        "weak-20240101-blog", "trendforce-20220518-dram-1q22").replace("true,default: only figure", "false,"))
    assert named() == []


def test_a_source_cited_only_by_a_back_test_episode_counts_as_used(mini_data: Path) -> None:
    with (mini_data / "sources.csv").open("a", encoding="utf-8") as f:
        f.write("orphan-20240101-page,Some Paper,,A page,https://example.org/page,2024-01-01,false,press,fixture\n")

    def unused() -> list[str]:
        return [str(p) for p in checks.validate(load_bundle(mini_data))
                if p.check == "sources_used" and "orphan-20240101-page" in p.message]

    assert len(unused()) == 1
    (mini_data / "episodes").mkdir()
    (mini_data / "episodes" / "some-episode.yaml").write_text(
        'notes:\n  - "a figure read after as_of (orphan-20240101-page), not scored"\n', encoding="utf-8")
    assert unused() == []


@pytest.mark.parametrize("args", [
    ["scenario", "run", str(REPO / "examples" / "gallium-export-controls.yaml"), "--out", "{blocked}/run"],
    ["backtest", "--out", "{blocked}/scores"],
    ["data", "overview", "--format", "csv", "--out", "{blocked}/tables"],
    ["dossier", "CHN", "--out", "{blocked}/china.xlsx"],
])
def test_an_output_path_the_system_refuses_exits_2_naming_it(tmp_path: Path, mini_data: Path,
                                                             args: list[str]) -> None:
    """An output folder or file that cannot be made (here: under a plain file) is refused with its path, exit 2,
    and before any computing: a market case or the back-test library does not run first and fail at the end."""
    from typer.testing import CliRunner

    from chipshift.cli import app

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder\n")
    given = [a.replace("{blocked}", str(blocked)) for a in args]
    result = CliRunner().invoke(app, ["--store", str(tmp_path / "s.duckdb"), "--data-dir", str(mini_data), *given])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert str(blocked) in result.output.replace("\n", "")


@pytest.mark.parametrize("args", [
    ["scenario", "run", str(REPO / "examples" / "gallium-export-controls.yaml"), "--seed", "-1"],
    ["scenario", "compare", str(REPO / "examples" / "gallium-export-controls.yaml"), "--seed", "4294967296"],
    ["backtest", "--alone", "--seed", "-1", str(REPO / "src/chipshift/data/episodes/aus-coal-ban-2020.yaml")],
    ["backtest", "--alone", "--workers", "0", str(REPO / "src/chipshift/data/episodes/aus-coal-ban-2020.yaml")],
])
def test_seeds_and_workers_out_of_range_exit_2(tmp_path: Path, args: list[str]) -> None:
    from typer.testing import CliRunner

    from chipshift.cli import app

    result = CliRunner().invoke(app, ["--store", str(tmp_path / "s.duckdb"), *args])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert ("seed" if "--seed" in args else "worker") in result.output
def test_a_scenario_is_checked_against_the_store_as_it_is_now(mini_store: Store, tmp_path: Path) -> None:
    """The ids a scenario is checked against are read once per state of the store: a rule stored since is
    known at the next check."""
    path = tmp_path / "removes.yaml"
    path.write_text("name: without it\nremove: [doc-later-rule]\n")
    assert any("doc-later-rule" in p.message for p in _scenario_problems(mini_store, path))
    rule = {**mini_store.rows("rules")[0], "id": "doc-later-rule"}
    mini_store.store_documents([], [], [rule])
    assert api.load_scenario(mini_store, path).remove == ("doc-later-rule",)
