"""`chipshift mcp`: the MCP server's tools, called through the `mcp` package's own client (in process over
memory streams, and once over stdio as a subprocess), answer what the `chipshift.api` functions answer."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult

from chipshift import api
from chipshift.api import documents
from chipshift.config import Settings
from chipshift.io.store import Store
from chipshift.mcp_server import answer, build_server
from chipshift.web.runtime import encode

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
TOKEN = "mcp-test-token"
AT = "2025-12-31"
CII = "critical_information_infrastructure"
#: Firm shares of DRAM, so that the small store has an input the rule on Micron reaches.
SHARES = """id,entity,metric,product,region,segment,basis,definition,period,value,unit,status,source,quote,default,note
t-dram-samsung,samsung,market_share,dram,WLD,all,revenue,,2022Q1,43.0,pct,estimate,trendforce-20220518-dram-1q22,q,false,
t-dram-sk-hynix,sk-hynix,market_share,dram,WLD,all,revenue,,2022Q1,28.0,pct,estimate,trendforce-20220518-dram-1q22,q,false,
t-dram-micron,micron,market_share,dram,WLD,all,revenue,,2022Q1,23.0,pct,estimate,trendforce-20220518-dram-1q22,q,false,
"""
READ_TOOLS = {"overview", "data_review", "data_validate", "search_names", "show_firm", "show_input", "facts",
              "sources", "restrictions_list", "restriction_show", "restrictions_timeline", "restrictions_search",
              "availability", "exposure",
              "chokepoints", "localization", "impairment", "diff", "search_parties", "trade", "scenario_list",
              "market_cases", "scenario_run", "scenario_compare", "backtest", "read_document", "dossier",
              "exposure_over_time", "availability_over_time", "localization_over_time"}
WRITE_TOOLS = {"import_cset", "import_baci", "import_csl", "add_facts", "accept_document", "save_scenario"}
#: A scenario given inline: China also bars Micron's DRAM from every buyer.
BAN = {"name": "China bars Micron everywhere", "at": AT, "add": [{
    "id": "T-CN-MICRON-ALL", "name": "China bars Micron from every buyer", "imposed_by": "CHN",
    "kind": "procurement_ban", "policy": "ban", "products": [{"input": "memory"}], "sellers": {"firms": ["micron"]},
    "targets": {"countries": ["CHN"]}, "effective": "2025-01-01", "summary": "A test scenario."}]}
T = TypeVar("T")


@pytest.fixture
def settings(mini_settings: Settings) -> Settings:
    assert mini_settings.data_dir is not None
    (mini_settings.data_dir / "facts" / "shares.csv").write_text(SHARES, encoding="utf-8")
    return mini_settings


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with api.open_store(settings) as opened:
        yield opened


def session(settings: Settings, store: Store, token: str | None,
            body: Callable[[Client], Awaitable[T]]) -> T:
    """Run ``body`` with a client connected in process to a server over ``store``."""
    async def main() -> T:
        async with Client(build_server(settings, store, token, examples_dir=EXAMPLES)) as client:
            return await body(client)

    return anyio.run(main)


def calls(settings: Settings, store: Store, wanted: list[tuple[str, dict[str, Any]]],
          token: str | None = None) -> list[CallToolResult]:
    async def body(client: Client) -> list[CallToolResult]:
        return [await client.call_tool(name, args) for name, args in wanted]

    return session(settings, store, token, body)


def plain(value: Any) -> Any:
    """An API answer as the REST API sends it."""
    return json.loads(encode(value))


def error(result: CallToolResult) -> str:
    assert result.is_error, result.structured_content
    text = result.content[0].text  # type: ignore[union-attr]
    assert "Traceback" not in text
    return str(text)


def test_read_only_by_default_with_typed_input_schemas(settings: Settings, store: Store) -> None:
    listed = session(settings, store, None, lambda client: client.list_tools())
    tools = {t.name: t for t in listed.tools}
    assert set(tools) == READ_TOOLS  # no tool that writes without a token
    for tool in tools.values():
        assert tool.description and len(tool.description) > 40, tool.name
        assert tool.annotations is not None and tool.annotations.read_only_hint, tool.name
        assert tool.input_schema["type"] == "object"
    availability = tools["availability"].input_schema
    props = availability["properties"]
    assert props["target"]["type"] == "string" and props["target"]["default"] == "CHN"
    assert "country" in props["target"]["description"]
    assert {"type": "string", "format": "date"} in props["at"]["anyOf"]
    assert {"enum": ["country", "firm"], "type": "string"} in props["view"]["anyOf"]
    assert set(props) == {"target", "input", "at", "scenario", "scenario_document", "segment", "view"}
    assert "required" not in availability
    assert tools["show_firm"].input_schema["required"] == ["name"]
    assert tools["chokepoints"].input_schema["properties"]["threshold"]["maximum"] == 100
    assert tools["trade"].input_schema["properties"]["hs"]["pattern"]


def test_typed_answers_are_the_output_schemas_of_their_tools(settings: Settings, store: Store) -> None:
    from chipshift.api import answers

    listed = session(settings, store, None, lambda client: client.list_tools())
    tools = {t.name: t for t in listed.tools}
    typed: dict[str, type[answers.Answer]] = {"restrictions_list": answers.RestrictionsAnswer,
                                              "restriction_show": answers.RuleAnswer,
                                              "restrictions_timeline": answers.TimelineAnswer,
                                              "availability": answers.AvailabilityAnswer,
                                              "exposure": answers.ExposureAnswer,
                                              "exposure_over_time": answers.ExposureSeriesAnswer,
                                              "availability_over_time": answers.AvailabilitySeriesAnswer,
                                              "localization_over_time": answers.LocalizationSeriesAnswer,
                                              "chokepoints": answers.ChokepointsAnswer,
                                              "localization": answers.LocalizationAnswer,
                                              "impairment": answers.ImpairmentAnswer, "diff": answers.DiffAnswer,
                                              "overview": answers.OverviewAnswer,
                                              "data_validate": answers.ValidationAnswer,
                                              "facts": answers.FactsAnswer, "sources": answers.SourcesAnswer,
                                              "search_parties": answers.PartiesAnswer, "trade": answers.TradeAnswer,
                                              "scenario_list": answers.ScenarioListAnswer,
                                              "market_cases": answers.MarketCasesAnswer,
                                              "show_firm": answers.FirmAnswer, "show_input": answers.InputAnswer,
                                              "restrictions_search": answers.RuleSearchAnswer,
                                              "search_names": answers.NameSearchAnswer,
                                              "data_review": answers.ReviewAnswer}
    for name, model in typed.items():
        schema = tools[name].output_schema
        assert schema is not None and schema["title"] == model.__name__, name
        assert set(schema["properties"]) == {f.alias or k for k, f in model.model_fields.items()}, name
    policy = str(tools["restrictions_list"].output_schema)
    assert "presumption_of_denial" in policy and "entity_listing" in policy
    dossier = tools["dossier"].output_schema  # one of three models, told apart by entity_kind
    assert dossier is not None and dossier["type"] == "object"
    assert dossier["discriminator"]["propertyName"] == "entity_kind"
    kinds = {ref["$ref"].rsplit("/", 1)[-1] for ref in dossier["oneOf"]}
    assert kinds == {"FirmDossier", "InputDossier", "CountryDossier"}
    for kind in kinds:
        assert set(dossier["$defs"][kind]["properties"]) == set(getattr(answers, kind).model_fields), kind


def test_every_tool_declares_its_output_schema(settings: Settings, store: Store) -> None:
    """Read and write tools alike: an object schema naming the answer's keys (or, for the dossier, one of three
    such schemas), never a bare object; and a dossier of each kind of entity has the keys its declared schema
    names for that kind."""
    async def body(client: Client) -> tuple[Any, list[CallToolResult]]:
        listed = await client.list_tools()
        dossiers = [await client.call_tool("dossier", {"entity": name, "at": AT}) for name in ("Micron", "dram", "CHN")]
        return listed, dossiers

    listed, dossiers = session(settings, store, TOKEN, body)
    tools = {t.name: t for t in listed.tools}
    assert set(tools) == READ_TOOLS | WRITE_TOOLS
    for name, tool in tools.items():
        schema = tool.output_schema
        assert schema is not None and schema.get("type") == "object", name
        assert "properties" in schema or "oneOf" in schema, name
    for result, kind in zip(dossiers, ("firm", "input", "country"), strict=True):
        assert not result.is_error, result.content
        content = result.structured_content
        assert content is not None and content["entity_kind"] == kind
        declared = tools["dossier"].output_schema
        assert declared is not None
        definition = declared["$defs"][declared["discriminator"]["mapping"][kind].rsplit("/", 1)[-1]]
        assert set(definition.get("required", [])) <= set(content) <= set(definition["properties"]), kind


def test_read_tools_answer_what_the_api_answers(settings: Settings, store: Store) -> None:
    wanted: list[tuple[str, dict[str, Any], Callable[[], Any]]] = [
        ("overview", {}, lambda: api.overview(store)),
        ("show_firm", {"name": "micron", "at": AT}, lambda: api.show_firm(store, "micron", AT)),
        ("show_input", {"name": "DRAM"}, lambda: api.show_input(store, "DRAM")),
        ("facts", {"entity": "Micron", "metric": "market_share"},
         lambda: api.list_facts(store, "Micron", "market_share")),
        ("sources", {"about": "E-CN-MICRON-2023"}, lambda: api.list_sources(store, "E-CN-MICRON-2023")),
        ("restrictions_list", {"target": "CHN", "at": AT, "segment": CII},
         lambda: api.restrictions_list(store, "CHN", AT, None, CII)),
        ("restriction_show", {"rule_id": "E-CN-MICRON-2023"}, lambda: api.restriction_show(store, "E-CN-MICRON-2023")),
        ("restrictions_timeline", {"target": "CHN"}, lambda: api.restrictions_timeline(store, "CHN").as_report()),
        ("restrictions_search", {"product": "dram", "start": "2023-01-01"},
         lambda: api.restrictions_search(store, product="dram", start="2023-01-01")),
        ("availability", {"target": "CHN", "at": AT, "segment": CII},
         lambda: api.availability(store, "CHN", None, AT, None, CII)),
        ("exposure", {"target": "CHN", "at": AT, "segment": CII}, lambda: api.exposure(store, "CHN", AT, None, CII)),
        ("chokepoints", {"threshold": 30, "show_all": True}, lambda: api.chokepoints(store, 30, None, True)),
        ("localization", {"country": "USA", "input": "dram"}, lambda: api.localization(store, "USA", "dram")),
        ("impairment", {"target": "CHN", "at": AT, "threshold": 90},
         lambda: api.impairment(store, "CHN", AT, None, 90)),
        ("data_review", {}, lambda: api.review(store)),
        ("dossier", {"entity": "Micron", "at": AT}, lambda: api.dossier(store, "Micron", AT)),
        ("exposure_over_time", {"target": "CHN", "start": "2022-01-01", "end": "2024-01-01"},
         lambda: api.exposure_over_time(store, "CHN", "2022-01-01", "2024-01-01")),
        ("exposure_over_time", {"target": "CHN"}, lambda: api.exposure_over_time(store, "CHN")),
        ("availability_over_time", {"target": "CHN", "input": "dram", "start": "2022-01-01", "end": "2024-01-01",
                                    "every": "6m"},
         lambda: api.availability_over_time(store, "CHN", "2022-01-01", "2024-01-01", "6m", "dram")),
        ("localization_over_time", {"country": "USA", "start": "2021-01-01", "end": "2023-01-01", "input": "dram"},
         lambda: api.localization_over_time(store, "USA", "2021-01-01", "2023-01-01", input_name="dram")),
    ]
    results = calls(settings, store, [(name, args) for name, args, _ in wanted])
    for (name, _, expected), result in zip(wanted, results, strict=True):
        assert not result.is_error, (name, result.content)
        assert result.structured_content == plain(expected()), name
        assert json.loads(result.content[0].text) == result.structured_content, name  # type: ignore[union-attr]
    availability = next(r for (name, _, _), r in zip(wanted, results, strict=True) if name == "availability")
    assert availability.structured_content is not None
    [dram] = availability.structured_content["inputs"]
    assert dram["input"] == "dram" and dram["rules"] == ["E-CN-MICRON-2023"]


def test_scenarios_by_reference_or_inline(settings: Settings, store: Store) -> None:
    inline, diff, listed, both = calls(settings, store, [
        ("availability", {"target": "CHN", "at": AT, "scenario_document": BAN}),
        ("diff", {"target": "CHN", "at": AT, "against_document": BAN}),
        ("scenario_list", {}),
        ("availability", {"scenario": "baseline", "scenario_document": BAN}),
    ])
    from chipshift.web.models import ScenarioDoc

    document = ScenarioDoc.model_validate(BAN).document()
    assert inline.structured_content == plain(api.availability(store, "CHN", None, AT, document))
    assert inline.structured_content is not None
    assert inline.structured_content["inputs"][0]["rules"] == ["T-CN-MICRON-ALL"]
    assert diff.structured_content == plain(api.diff(store, "CHN", AT, None, None, document))
    assert diff.structured_content is not None and diff.structured_content["rules_added"] == ["T-CN-MICRON-ALL"]
    assert listed.structured_content is not None and listed.structured_content["baseline"]["ref"] == "baseline"
    assert "scenario_document" in error(both)


def test_read_document_reads_without_storing(settings: Settings, store: Store) -> None:
    from chipshift.ingest.kb import KnowledgeBase

    text = "Micron held 23% of the DRAM market in the first quarter of 2022, TrendForce said."
    facts_before = store.count("facts")
    [result] = calls(settings, store, [("read_document", {"text": text, "date": "2022-06-01"})])
    expected = documents.analyse(lambda: KnowledgeBase.from_store(store), text, None, None, "2022-06-01", None)
    assert result.structured_content == plain(expected)
    assert store.count("facts") == facts_before


def test_write_tools_absent_without_the_token(settings: Settings, store: Store) -> None:
    [result] = calls(settings, store, [("save_scenario", {"id": "x", "scenario": BAN, "write_token": TOKEN})])
    assert "save_scenario" in error(result)
    assert store.rows("scenarios") == []


def test_write_tools_need_the_right_token(settings: Settings, store: Store) -> None:
    listed = session(settings, store, TOKEN, lambda client: client.list_tools())
    tools = {t.name: t for t in listed.tools}
    assert set(tools) == READ_TOOLS | WRITE_TOOLS
    for name in WRITE_TOOLS:
        annotations = tools[name].annotations
        assert annotations is not None and annotations.read_only_hint is False
        assert "write_token" in tools[name].input_schema["required"]
    wrong, missing, right, used = calls(settings, store, [
        ("save_scenario", {"id": "ban", "scenario": BAN, "write_token": "not-the-token"}),
        ("save_scenario", {"id": "ban", "scenario": BAN}),
        ("save_scenario", {"id": "ban", "scenario": BAN, "write_token": TOKEN}),
        ("availability", {"target": "CHN", "at": AT, "scenario": "saved:ban"}),
    ], token=TOKEN)
    assert "write_token" in error(wrong) and "wrong token" in error(wrong)
    assert "write_token" in error(missing)
    assert not right.is_error and right.structured_content is not None
    assert right.structured_content["ref"] == "saved:ban"
    assert [r["id"] for r in store.rows("scenarios")] == ["ban"]
    assert used.structured_content is not None
    assert used.structured_content["inputs"][0]["rules"] == ["T-CN-MICRON-ALL"]


def test_bad_arguments_name_the_parameter(settings: Settings, store: Store) -> None:
    unknown_firm, unknown_target, unknown_rule, bad_date, threshold, missing, scenario, case, neither, episode = calls(
        settings, store, [
            ("show_firm", {"name": "Micronn"}),
            ("availability", {"target": "Atlantis", "at": AT}),
            ("restriction_show", {"rule_id": "E-NOPE"}),
            ("exposure", {"at": "31/12/2025"}),
            ("chokepoints", {"threshold": 120}),
            ("show_input", {}),
            ("exposure", {"scenario": "example:no-such-scenario"}),
            ("scenario_run", {"case": "no-such-case"}),
            ("scenario_run", {}),
            ("backtest", {"episodes": ["no-such-episode"], "alone": True}),
        ])
    assert "name: no firm named 'Micronn'" in error(unknown_firm) and "Micron Technology" in error(unknown_firm)
    assert "target: no country or firm named 'Atlantis'" in error(unknown_target)
    assert "rule_id: no rule named 'E-NOPE'" in error(unknown_rule)
    assert "\nat\n" in error(bad_date) and "valid date" in error(bad_date)
    assert "\nthreshold\n" in error(threshold) and "less than or equal to 100" in error(threshold)
    assert "\nname\n" in error(missing) and "required" in error(missing)
    assert "scenario: no scenario named 'example:no-such-scenario'" in error(scenario)
    assert "case: no market case named 'no-such-case'" in error(case)
    assert "case:" in error(neither)
    assert "episodes: no episode named 'no-such-episode'" in error(episode)


def test_a_given_market_case_with_errors_names_its_line(settings: Settings, store: Store) -> None:
    [result] = calls(settings, store, [("scenario_run", {"case_yaml": "kind: restrictions\nname: x\n"})])
    message = error(result)
    assert "case.yaml:1" in message and "kind" in message


def test_answers_are_encoded_as_the_rest_api_encodes_them() -> None:
    result = answer({"at": date(2025, 12, 31), "share": float("nan"), "rows": [{"value": float("inf")}]})
    assert result.structured_content == {"at": "2025-12-31", "share": None, "rows": [{"value": None}]}
    assert json.loads(result.content[0].text) == result.structured_content  # type: ignore[union-attr]


def test_chipshift_mcp_over_stdio(settings: Settings, store: Store) -> None:
    """The command itself: started by a client as a subprocess, same store options as the other commands."""
    store.close()  # the subprocess opens the store file itself
    env = {**os.environ, "CHIPSHIFT_STORE": str(settings.store_path), "CHIPSHIFT_MCP_TOKEN": TOKEN}
    command = StdioServerParameters(command=sys.executable, env=env, args=[
        "-m", "chipshift", "--data-dir", str(settings.data_dir), "mcp"])

    async def main() -> tuple[set[str], CallToolResult]:
        async with Client(command) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            return names, await client.call_tool("show_firm", {"name": "Micron", "at": AT})

    names, firm = anyio.run(main)
    assert names == READ_TOOLS | WRITE_TOOLS  # the token from CHIPSHIFT_MCP_TOKEN
    with api.open_store(settings) as reopened:
        assert firm.structured_content == plain(api.show_firm(reopened, "Micron", AT))



def test_the_command_line_starts_without_the_mcp_package() -> None:
    import subprocess

    probe = "import sys, chipshift.cli; assert not [m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types')]"
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=120)
