"""Bad input gets an error that names file, line and field, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipshift import api, checks
from chipshift.config import Settings
from chipshift.errors import DataError, Problem
from chipshift.io.bundled import load_bundle
from chipshift.io.store import Store

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
    with Store(mini_settings.store_path) as store:
        assert store.count("facts") == before


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


def test_impossible_date(mini_data: Path) -> None:
    text = (mini_data / "rules.yaml").read_text().replace("effective: '2023-05-21'", "effective: '0000'")
    (mini_data / "rules.yaml").write_text(text)
    p = _only(_problems(mini_data))
    assert p.field == "effective" and "not a calendar date" in p.message
