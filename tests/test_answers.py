"""The typed answers of ``chipshift.api``: frozen models that follow the declared tables and vocabulary, whose JSON
validates against their own schema, and whose reference (docs/answers.md, the README's JSON section) is
generated from them."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, ValidationError

from chipshift import api
from chipshift.api import answers
from chipshift.api.answers_docs import QUESTIONS, UNITS, _models, readme_section, render, render_readme
from chipshift.config import Settings, store_location
from chipshift.io import csl
from chipshift.io.store import Store
from chipshift.schemas import tables
from chipshift.schemas import vocabulary as voc
from chipshift.web import market_cases as market
from chipshift.web.scenarios import Catalog, default_examples_dir

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
REPO = Path(__file__).resolve().parents[1]
AT = "2025-12-31"


def _literal(alias: Any) -> set[str]:
    assert get_origin(alias) is Literal
    return set(get_args(alias))


def test_docs_and_readme_follow_the_models() -> None:
    assert (REPO / "docs" / "answers.md").read_text(encoding="utf-8") == render(), (
        "docs/answers.md is stale: run `python -m chipshift.api.answers_docs > docs/answers.md`")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme_section(readme) == render_readme(), (
        "the README's JSON section is stale: replace it with `python -m chipshift.api.answers_docs readme`")


def test_the_reference_changes_when_a_model_does(monkeypatch: pytest.MonkeyPatch) -> None:
    before = render(), render_readme()
    monkeypatch.setattr(answers.Chokepoint.model_fields["hhi"], "description", "something else")
    monkeypatch.setattr(answers.Chokepoint.model_fields["hhi"], "default", None)  # no longer required
    assert render() != before[0] and render_readme() != before[1]


def test_coded_values_follow_the_vocabulary() -> None:
    def allowed(table: tables.TableSchema, column: str) -> set[str]:
        values = table.column(column).allowed
        assert values is not None
        return set(values)

    assert _literal(answers.RuleKind) == allowed(tables.RULES, "kind")
    assert _literal(answers.Policy) == allowed(tables.RULES, "policy")
    assert _literal(answers.RuleStatus) == allowed(tables.RULES, "status")
    assert _literal(answers.Reliability) == allowed(tables.SOURCES, "reliability")
    assert _literal(answers.FactStatus) == set(voc.STATUSES)
    assert _literal(answers.ShareBasis) == set(voc.SHARE_BASES)
    assert _literal(answers.Segment) == set(voc.SEGMENTS)
    assert _literal(answers.Chain) == set(voc.CHAINS)
    assert _literal(answers.Severity) == {"error", "warning", "notice"}
    assert _literal(answers.ScreeningList) == set(csl.LIST_CODES.values())
    assert _literal(answers.InputKind) == allowed(tables.INPUTS, "kind")
    assert _literal(answers.InputRelation) == allowed(tables.INPUT_LINKS, "relation")
    assert _literal(answers.CountryRow.model_fields["kind"].annotation) == allowed(tables.COUNTRIES, "kind")


def test_row_models_follow_the_tables_they_show() -> None:
    assert set(answers.SourceRow.model_fields) == set(tables.SOURCES.column_names)
    assert set(answers.FactRow.model_fields) >= set(tables.FACTS.column_names)
    for name in tables.FACTS.column_names:
        assert answers.FactRow.model_fields[name].description == tables.FACTS.column(name).description, name
    # the source is shown as its row; a note on why a rule changes no figure is for `data validate`
    shown = set(tables.RULES.column_names) - {"origin", "source", "unquantified"}
    assert shown <= set(answers.RuleAnswer.model_fields)
    for name in shown:
        assert answers.RuleAnswer.model_fields[name].description == tables.RULES.column(name).description, name


def test_every_answer_is_frozen_and_has_no_unknown_keys() -> None:
    for model in _models():
        assert model.model_config.get("frozen") and model.model_config.get("extra") == "forbid", model.__name__
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
    side = answers.DiffSide(at=date(2025, 1, 1), scenario="baseline")
    with pytest.raises(ValidationError):
        side.scenario = "other"
    with pytest.raises(ValidationError, match="extra"):
        answers.DiffSide.model_validate({"at": "2025-01-01", "scenario": "baseline", "colour": "red"})
    with pytest.raises(ValidationError, match="kind"):
        answers.RuleLifted.model_validate({"id": "X", "name": "x", "kind": "embargo", "start": None, "lifted_by": []})


#: The questions that run the market model, tested below on small runs.
SLOW = {"chipshift.api.backtest.backtest", "chipshift.api.market_runs.run_case",
        "chipshift.api.market_runs.compare_cases", "chipshift.api.documents.ingest"}


def test_each_answer_is_its_model_and_its_json_validates_against_it(bundled_store: Store) -> None:
    got: dict[str, BaseModel] = {
        "restrictions_list": api.restrictions_list(bundled_store, "Huawei", AT),
        "restriction_show": api.restriction_show(bundled_store, "E-OCT2022"),
        "restrictions_timeline": api.restrictions_timeline(bundled_store, "CHN", "2020-01-01", "2024-12-31"),
        "restrictions_search": api.restrictions_search(bundled_store, "USA", target="Huawei", product="dram",
                                                       start="2019-01-01", end="2025-12-31", status="official"),
        "availability": api.availability(bundled_store, "CHN", at=AT),
        "availability_over_time": api.availability_over_time(bundled_store, "CHN", "2022-01-01", "2024-01-01",
                                                             input_name="dram"),
        "exposure": api.exposure(bundled_store, "CHN", AT),
        "exposure_over_time": api.exposure_over_time(bundled_store, "CHN", "2022-01-01", "2024-01-01"),
        "chokepoints": api.chokepoints(bundled_store, over_time=True),
        "localization": api.localization(bundled_store, "CHN"),
        "localization_over_time": api.localization_over_time(bundled_store, "CHN", "2019-01-01", "2025-01-01"),
        "impairment": api.impairment(bundled_store, "CHN", AT),
        "diff": api.diff(bundled_store, "CHN", "2022-01-01", AT),
        "rules_in_force_at": api.rules_in_force_at(bundled_store, AT),
        "list_facts": api.list_facts(bundled_store, "Micron", "market_share"),
        "list_sources": api.list_sources(bundled_store, "Micron"),
        "validate_data": api.validate_data(Settings(store_path=store_location(bundled_store.path)), bundled_store),
        "overview": api.overview(bundled_store),
        "review": api.review(bundled_store, today=date(2026, 12, 3)),
        "search_names": api.search_names(bundled_store, "micron"),
        "list_countries": api.list_countries(bundled_store),
        "vocabulary": api.vocabulary(),
        "sources_with_facts": api.sources_with_facts(bundled_store),
        "show_source": api.show_source(bundled_store, "bis-20221007-advanced-computing-sme-rule"),
        "explorer_tree": api.explorer_tree(bundled_store),
        "input_detail": api.input_detail(bundled_store, "N20"),
        "firm_detail": api.firm_detail(bundled_store, "ASML"),
        "check_scenario": api.check_scenario(bundled_store, EXAMPLES / "duv-immersion-china.yaml"),
        "scenario_run": api.scenario_run(bundled_store, EXAMPLES / "duv-immersion-china.yaml", "CHN",
                                         date(2026, 6, 30)),
        "compare_scenarios": api.compare_scenarios(bundled_store, "CHN", None, None, date(2024, 6, 30),
                                                   EXAMPLES / "duv-immersion-china.yaml", date(2026, 6, 30),
                                                   [2024, 2026], ("baseline", "DUV")),
        "dossier (a firm)": api.dossier(bundled_store, "Micron", AT),
        "dossier (an input)": api.dossier(bundled_store, "dram", AT),
        "dossier (a country)": api.dossier(bundled_store, "CHN", AT),
        "show_firm": api.show_firm(bundled_store, "hisilicon", AT),
        "show_input": api.show_input(bundled_store, "dram"),
        "input_listings": api.input_listings(bundled_store, "dram"),
        "chipshift.web.scenarios.Catalog.listing": Catalog(default_examples_dir()).listing(bundled_store),
        "chipshift.web.market_cases.cases": market.cases(Catalog(default_examples_dir()), bundled_store),
    }
    # writes and imported datasets: tests/web/test_api_facts.py, test_api_scenarios.py, tests/test_cset.py,
    # tests/test_csl.py, tests/test_baci.py
    assert set(got) == {name for name, _ in QUESTIONS} - {"facts.add_facts", "chipshift.web.scenarios.save",
                                                          "chipshift.web.routes.scenarios.upload_scenario",
                                                          "chipshift.web.routes.scenarios.delete_scenario",
                                                          "search_parties", "trade", "import_cset", "import_baci",
                                                          "import_csl", *SLOW}
    for name, model in ((name, model) for name, model in QUESTIONS if name in got):
        answer = got[name]
        assert type(answer) is model, name
        assert isinstance(answer, answers.Answer)
        report = answer.as_report()
        assert model.model_validate(report).as_report() == report, name  # the JSON reads back as the same answer
        schema = model.model_json_schema(mode="serialization")
        assert set(schema["required"]) <= set(report), name  # every required key is there
        for key, value in _percents(report):  # a share in percent: 0-100 (a change of one: +/-100 points; a sum
            # of published shares may pass 100)
            low, high = (-100.0, 100.0) if key.startswith("change_") else (0.0, 1e9 if "_sum_" in key else 100.0)
            assert low <= value <= high, (name, key, value)
    # percent, not a fraction of 1: China may still buy all of some input's supply and none of another's
    available = got["availability"]
    assert isinstance(available, answers.AvailabilityAnswer)
    uppers = [r.available_upper_pct for r in available.inputs if r.available_upper_pct is not None]
    assert max(uppers) == 100.0 and min(uppers) == 0.0
    diff = got["diff"]
    assert isinstance(diff, answers.DiffAnswer)
    assert diff.from_.at == date(2022, 1, 1) and diff.as_report()["from"] == {"at": "2022-01-01",
                                                                              "scenario": "baseline"}
    listed = got["restrictions_list"]
    assert isinstance(listed, answers.RestrictionsAnswer)
    assert all(r.reach in ("whole", "partial") for r in listed.rules)
    everyone = api.restrictions_list(bundled_store, None, AT).as_report()
    assert "note" not in everyone and "reach" not in everyone["rules"][0]  # keys left out without a target


def _percents(value: Any, key: str = "") -> list[tuple[str, float]]:
    """Every number under a key ending in ``_pct`` in an answer's JSON, with its key."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _percents(v, k)]
    if isinstance(value, list):
        return [p for v in value for p in _percents(v, key)]
    return [(key, float(value))] if key.endswith("_pct") and isinstance(value, int | float) else []


#: What the documented rule (docs/answers.md, "Units") calls a share: a number whose description speaks of a
#: share, a fraction or a percent.
SHARE_WORDS = re.compile(r"\b(share|fraction|percent|percentage points)\b", re.IGNORECASE)


def _number_kinds(annotation: Any) -> set[type]:
    """The kinds of number a field's type admits (int, float), through ``X | None``."""
    members = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    return {m for m in members if m in (int, float)}


def test_every_share_is_a_percent_with_its_unit_in_its_key() -> None:
    assert "## Units\n\n" + "\n".join(UNITS) in render()  # the rule is the reference's
    wrong = []
    for model in _models():
        for name, field in model.model_fields.items():
            key, description = field.alias or name, field.description or ""
            kinds = _number_kinds(field.annotation)
            is_share = float in kinds and SHARE_WORDS.search(description) is not None
            if is_share and not key.endswith("_pct"):
                wrong.append(f"{model.__name__}.{key}: a share whose key does not end in _pct")
            if key.endswith("_pct") and not (kinds and "percent" in description):
                wrong.append(f"{model.__name__}.{key}: ends in _pct but is not a number said to be in percent")
            if kinds and "fraction" in description:
                wrong.append(f"{model.__name__}.{key}: a fraction")
    assert not wrong, "\n".join(wrong)


def test_rules_shown_to_readers_come_with_their_names(bundled_store: Store) -> None:
    """Answers listing rules by id (a rule's relaxations, the rules only one side of a comparison has) name each,
    so that no page shows an id alone."""
    rule = api.restriction_show(bundled_store, "E-OCT2022")
    assert "E-H200-DEC2025" in rule.relaxed_by
    assert set(rule.rule_names) == {*rule.relaxed_by, *(rule.relaxes or ())}
    assert rule.rule_names["E-H200-DEC2025"] == "US allows Nvidia H200 sales to China against a 25% fee"
    relaxation = api.restriction_show(bundled_store, "E-H200-DEC2025")
    assert relaxation.relaxes and set(relaxation.rule_names) >= set(relaxation.relaxes)
    duv = EXAMPLES / "duv-immersion-china.yaml"
    changes = api.diff(bundled_store, "CHN", at="2026-06-30", against=duv)
    compared = api.compare_scenarios(bundled_store, "CHN", None, None, date(2026, 6, 30), duv, date(2026, 6, 30),
                                     [2026], ("baseline", "duv"))
    assert set(changes.rule_names) == {*changes.rules_added, *changes.rules_removed}
    assert set(compared.rule_names) == {*compared.rules_added, *compared.rules_removed,
                                        *(r for v in compared.views_apart for r in v.rules)}
    for answer in (changes, compared):
        assert "X-DUV-JPN" in answer.rules_added
        assert answer.rule_names["X-DUV-JPN"] == "Japan bars all DUV lithography tools for China"
