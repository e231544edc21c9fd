"""The command line, driven in-process: formats, exit codes, messages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Protocol

import pytest
from typer.testing import CliRunner, Result

from chipshift.cli import app, command_reference
from chipshift.config import Settings
from tests.conftest import StoreAt

REPO = Path(__file__).resolve().parents[1]


class Run(Protocol):
    """``chipshift ARGS...`` on a store of its own: on the mini data, or on ``data`` (None: the bundled data)."""

    def __call__(self, *args: str, data: Path | None = ..., env: dict[str, str] | None = None) -> Result: ...


@pytest.fixture
def run(store_at: StoreAt, mini_data: Path) -> Run:
    runner = CliRunner()
    store = store_at("cli")

    def invoke(*args: str, data: Path | None = mini_data, env: dict[str, str] | None = None) -> Result:
        base = ["--store", str(store)] + (["--data-dir", str(data)] if data else [])
        return runner.invoke(app, [*base, *args], env=env)

    return invoke


def test_help_lists_commands(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("data", "import", "show", "sources", "facts"):
        assert command in result.output


def test_validate_json(run: Run) -> None:
    result = run("data", "validate", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] and report["errors"] == 0
    assert report["counts"]["facts"] == 1 and report["counts"]["rules"] == 1


def test_validate_broken_exits_2_with_location(run: Run, mini_data: Path) -> None:
    path = mini_data / "sources.csv"
    path.write_text(path.read_text().replace("2022-05-18", "18 May 2022"))
    result = run("data", "validate", "--format", "json")
    assert result.exit_code == 2
    problem = json.loads(result.output)["problems"][0]
    assert (problem["file"], problem["line"], problem["field"]) == ("sources.csv", 2, "published")
    result = run("data", "overview")
    assert result.exit_code == 2
    assert "sources.csv:2, field 'published'" in result.output


def test_import_show_and_csv(run: Run, cset_dir: Path) -> None:
    result = run("import", "cset", str(cset_dir), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["provision"] == 1300
    result = run("show", "input", "euv lithography tools", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["provider"], float(r["share_pct"])) for r in rows] == [("NLD", 100.0)]
    result = run("show", "input", "EUV lithography tools")
    assert "Netherlands" in result.output and "CC BY-NC 4.0" in result.output


def test_csv_names_the_tables_it_does_not_print_and_writes_them_all(run: Run, tmp_path: Path) -> None:
    answer = json.loads(run("show", "input", "DRAM", "--format", "json").stdout)
    tables = [k for k, v in answer.items() if isinstance(v, list) and v and all(isinstance(r, dict) for r in v)]
    assert len(tables) >= 2, "the check needs an answer with several tables"
    main = run("show", "input", "DRAM", "--format", "csv")
    assert main.exit_code == 0
    for other in tables[1:]:
        assert other in main.stderr  # named, not dropped unseen
    chosen = run("show", "input", "DRAM", "--format", "csv", "--table", tables[-1])
    assert len(list(csv.DictReader(io.StringIO(chosen.stdout)))) == len(answer[tables[-1]])
    folder = tmp_path / "dram"
    written = run("show", "input", "DRAM", "--format", "csv", "--out", str(folder))
    assert written.exit_code == 0, written.output
    for name in tables:
        rows = csv.DictReader(io.StringIO((folder / f"{name}.csv").read_text(encoding="utf-8")))
        assert len(list(rows)) == len(answer[name])
    summary = {r["key"]: r["value"]
               for r in csv.DictReader(io.StringIO((folder / "summary.csv").read_text(encoding="utf-8")))}
    assert summary["name"] == answer["name"]
    lists = [k for k, v in answer.items() if isinstance(v, list) and v and not isinstance(v[0], dict | list)]
    for key in lists:  # a list of plain values: one cell, joined, not JSON
        assert summary[key] == "; ".join(str(v) for v in answer[key])


def test_csv_options_refuse_what_they_cannot_do(run: Run) -> None:
    unknown = run("show", "firm", "Micron", "--format", "csv", "--table", "suplies")
    assert unknown.exit_code == 2 and "no table named 'suplies'" in unknown.output
    wrong_format = run("show", "firm", "Micron", "--table", "facts")
    assert wrong_format.exit_code == 2 and "--format csv" in wrong_format.output


def test_unknown_name_suggests(run: Run) -> None:
    result = run("show", "firm", "Micronn")
    assert result.exit_code == 2
    assert "Did you mean" in result.output and "Micron Technology" in result.output


def test_unknown_metric_suggests(run: Run) -> None:
    result = run("facts", "--entity", "Samsung", "--metric", "revenu")
    assert result.exit_code == 2 and "revenue" in result.output


def test_facts_and_sources(run: Run) -> None:
    result = run("facts", "--entity", "SK hynix", "--metric", "market_share", "--format", "json")
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)["facts"]
    assert facts[0]["value"] == 70.8 and facts[0]["publisher"] == "TrendForce"
    result = run("sources", "--for", facts[0]["id"], "--format", "json")
    sources = json.loads(result.output)["sources"]
    assert [s["id"] for s in sources] == ["trendforce-20220518-dram-1q22"]


def test_missing_cset_folder(run: Run, tmp_path: Path) -> None:
    result = run("import", "cset", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "not a folder" in result.output


def test_cli_docs_are_current() -> None:
    assert (REPO / "docs" / "cli.md").read_text() == command_reference(), (
        "docs/cli.md is stale: run `python -m chipshift.cli_docs > docs/cli.md`")


def test_data_format_docs_are_current() -> None:
    from chipshift.schemas.docs import render

    assert (REPO / "docs" / "data-format.md").read_text() == render(), (
        "docs/data-format.md is stale: run `python -m chipshift.schemas.docs > docs/data-format.md`")


def test_market_case_docs_are_current() -> None:
    from chipshift.schemas.docs import render_market_case

    assert (REPO / "docs" / "market-case.md").read_text() == render_market_case(), (
        "docs/market-case.md is stale: run `python -m chipshift.schemas.docs market-case > docs/market-case.md`")


def test_facts_about_a_currency(run: Run) -> None:
    result = run("facts", "--entity", "CNY", "--format", "json", data=None)
    assert result.exit_code == 0, result.output
    assert all(f["metric"] == "exchange_rate" for f in json.loads(result.output)["facts"])


def test_ingest_and_accept_survive_a_data_reload(run: Run, mini_data: Path) -> None:
    article = REPO.parent / "shared" / "data" / "articles" / "chip-war-opinion-2025-10.txt"
    result = run("ingest", str(article), "--date", "2025-10-20", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["documents"][0]["claims"] >= 3
    result = run("ingest", str(article), "--date", "2025-10-20", "--url", "https://example.org/opinion",
                 "--accept", "--format", "json")
    assert result.exit_code == 0, result.output
    stored = json.loads(run("facts", "--entity", "cambricon", "--format", "json").output)["facts"]
    accepted = [f for f in stored if f["id"].startswith("doc-")]
    assert accepted and all(f["status"] == "claim" for f in accepted)
    path = mini_data / "sources.csv"  # change the bundle: the store reloads it, keeping accepted documents
    path.write_text(path.read_text().replace("test fixture", "test fixture (edited)"))
    stored = json.loads(run("facts", "--entity", "cambricon", "--format", "json").output)["facts"]
    assert [f["id"] for f in stored if f["id"].startswith("doc-")] == [f["id"] for f in accepted]


def test_ingest_html_and_bad_input(run: Run, tmp_path: Path) -> None:
    article = REPO.parent / "shared" / "data" / "articles" / "chip-war-opinion-2025-10.txt"
    result = run("ingest", str(article), "--date", "2025-10-20", "--format", "html")
    assert result.exit_code == 0 and "<html" in result.output.lower()
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run("ingest", str(empty))
    assert result.exit_code == 2 and "empty.txt" in result.output


def test_scenario_run_set(run: Run) -> None:
    micron = str(REPO / "examples" / "micron-china.yaml")
    result = run("scenario", "run", micron, "--set", "sigma=2.5", "--set", "w_cii=0.3", "--format", "json",
                 data=None)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    rows = {p["id"]: p for p in report["parameters"]}
    assert rows["sigma"]["value"] == 2.5 and rows["sigma"]["overridden"]
    assert rows["w_cii"]["value"] == 0.3 and not rows["w_cii"]["fitted"]
    for bad, message in (("sigma", "expected ID=NUMBER"), ("sigma=abc", "expected ID=NUMBER"),
                         ("nope=1", "unknown parameter 'nope'"), ("w_cii=5", "parameters.w_cii")):
        result = run("scenario", "run", micron, "--set", bad, data=None)
        assert result.exit_code == 2, result.output
        assert message in result.output


def test_ownership_is_shown_and_bad_stakes_are_refused(run: Run, mini_data: Path) -> None:
    """A firm's owners come from the ownership table with their sources; a firm owning itself or known stakes
    above 100% are refused with file, line and field."""
    result = run("show", "firm", "Solidigm", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["parent"] == "sk-hynix"
    assert [(o["owner"], o["share_pct"], o["source"]) for o in report["owners"]] == [
        ("sk-hynix", 100.0, "trendforce-20220518-dram-1q22")]
    owner = json.loads(run("show", "firm", "SK hynix", "--format", "json").output)
    assert owner["subsidiaries"] == ["Solidigm"] and [s["firm"] for s in owner["stakes_held"]] == ["solidigm"]
    path = mini_data / "ownership.csv"
    path.write_text(path.read_text(encoding="utf-8")
                    + "micron,solidigm,10,2023,trendforce-20220518-dram-1q22,a stake of 10%,\n"
                    + "micron,micron,5,2023,trendforce-20220518-dram-1q22,5%,\n", encoding="utf-8")
    result = run("data", "validate", "--format", "json")
    assert result.exit_code == 2
    found = {(p["file"], p["line"], p["field"]) for p in json.loads(result.output)["problems"]
             if p["severity"] == "error"}
    assert ("ownership.csv", 4, "firm") in found  # owns itself
    assert any(f == "ownership.csv" and field == "share" for f, _, field in found)  # 110% of solidigm


def test_the_package_runs_as_a_module() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "chipshift", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "backtest" in done.stdout


def test_restrictions_timeline(run: Run, tmp_path: Path) -> None:
    result = run("restrictions", "timeline", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["list_changes_recorded"] == 0 and report["count"] == len(report["events"]) >= 1
    assert all(e["event"].startswith("rule") for e in report["events"])
    bad = run("restrictions", "timeline", "--from", "2026-13-01")
    assert bad.exit_code == 2 and "--from" in bad.output and "2026-13-01" in bad.output


def test_a_lookup_loads_neither_the_engine_nor_the_data_checks(mini_settings: Settings) -> None:
    """A query on a store that already holds the bundled files starts without numpy (the engine), PyYAML, the
    name matcher and the data checks: those load with the first command that needs them."""
    import subprocess
    import sys

    env = {"CHIPSHIFT_STORE": str(mini_settings.store_path), "PATH": ""}
    base = [sys.executable, "-m", "chipshift", "--data-dir", str(mini_settings.data_dir)]
    subprocess.run([*base, "data", "overview"], check=True, capture_output=True, timeout=300, env=env)  # load
    probe = ("import sys; from chipshift.cli import app\n"
             "sys.argv = ['chipshift', '--data-dir', sys.argv[1], 'facts', '--product', 'dram', '--format', 'json']\n"
             "try:\n    app()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
             "heavy = ('numpy', 'yaml', 'rapidfuzz', 'chipshift.checks', 'chipshift.engine', 'pandas')\n"
             "print(sorted(m for m in sys.modules if m.startswith(heavy)), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, str(mini_settings.data_dir)], capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["facts"], done.stdout[:500]
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_tables_name_countries_firms_inputs_and_metrics_in_words_and_json_keeps_the_ids(run: Run) -> None:
    """On the bundled data: Micron's headquarters and its facts' metrics, products and regions read as words in
    the terminal, as ids and codes in JSON."""
    wide = {"COLUMNS": "250"}
    firm = json.loads(run("show", "firm", "Micron", "--format", "json", data=None).stdout)
    assert firm["hq_country"] == "USA"
    shown = run("show", "firm", "Micron", data=None, env=wide).stdout
    assert "hq_country: United States" in shown.splitlines()
    hbm = next(f for f in firm["facts"] if f["metric"] == "capacity" and f["product"] == "hbm")
    assert hbm["region"] == "WLD" and hbm["unit"] == "wafers_per_month"
    facts = [line.split("│")[1:-1] for line in shown.split("\nfacts (")[1].splitlines() if line.startswith("│")]
    rows = [[cell.strip() for cell in row] for row in facts]
    assert ["production capacity of the entity", "HBM", "World"] in [row[:3] for row in rows]
    assert not {"capacity", "hbm", "WLD", "wafers_per_month"} & {cell for row in rows for cell in row}
    # a top country and the coalition by name; the JSON keeps the codes
    points = json.loads(run("chokepoints", "--format", "json", data=None).stdout)
    assert points["coalition"] == ["USA", "JPN", "NLD"]
    table = run("chokepoints", data=None, env=wide).stdout
    assert "coalition: United States, Japan, Netherlands" in table.splitlines()
    h20 = next(line for line in table.splitlines() if line.startswith("│ nvidia_h20 "))
    assert [c.strip() for c in h20.split("│")[1:5]] == ["nvidia_h20", "Nvidia H20", "firm headquarters",
                                                         "United States"]


def test_rule_kinds_and_policies_read_as_words_in_tables_and_as_codes_in_json(run: Run) -> None:
    listed = json.loads(run("restrictions", "list", "--format", "json", data=None).stdout)["rules"]
    assert {"presumption_of_denial", "case_by_case"} <= {r["policy"] for r in listed}
    table = run("restrictions", "list", data=None, env={"COLUMNS": "250"}).stdout
    cells = {c.strip() for line in table.splitlines() if line.startswith("│") for c in line.split("│")}
    assert {"presumption of denial", "case by case", "export control", "entity listing"} <= cells
    assert not {"presumption_of_denial", "case_by_case", "export_control", "entity_listing"} & cells


def test_a_buyer_segment_reads_as_words_in_a_table() -> None:
    from chipshift.cli import in_words

    shown = in_words({"markets": [{"id": "CHN-dc", "segment": "data_center", "region": "CHN"}]}, {"CHN": "China"})
    assert shown["markets"] == [{"id": "CHN-dc", "segment": "data center", "region": "China"}]


def test_exposure_names_the_production_stages_in_words(run: Run, cset_dir: Path) -> None:
    assert run("import", "cset", str(cset_dir), data=None).exit_code == 0
    exposure = run("exposure", "CHN", data=None, env={"COLUMNS": "250"}).stdout
    stages = exposure.split("\nby_stage (")[1].split("└")[0]
    assert "│ Fabrication " in stages and "│ S2 " not in stages
    answer = json.loads(run("exposure", "CHN", "--format", "json", data=None).stdout)
    assert "S2" in {s["stage"] for s in answer["by_stage"]}


#: Commands whose table is checked at 80 and 120 columns: the table, its id column and the columns it must show.
TABLES = {("availability", "CHN"): ("inputs", "input", ["input", "name", "available_lower_pct", "available_upper_pct"]),
          ("facts", "--entity", "Micron"): ("facts", "period", ["entity", "metric", "period", "value", "unit"]),
          ("show", "firm", "Micron"): ("facts", "period", ["metric", "product", "period", "value", "unit"]),
          ("chokepoints", "--all"): ("inputs", "input", ["input", "name", "top_country", "top_share_pct"])}


@pytest.mark.parametrize("width", [80, 120])
def test_tables_fit_the_terminal_keep_ids_whole_and_leave_out_only_named_columns(run: Run, width: int) -> None:
    from rich.cells import cell_len

    for command, (name, id_column, needed) in TABLES.items():  # over the bundled data
        answer = json.loads(run(*command, "--format", "json", data=None).stdout)
        assert answer[name], command
        shown = run(*command, data=None, env={"COLUMNS": str(width)})
        assert shown.exit_code == 0, shown.output
        lines = shown.stdout.splitlines()
        assert all(cell_len(line) <= width for line in lines), (command, width)
        start = lines.index(next(line for line in lines if line.startswith(f"{name} (")))
        body = lines[start:]
        for record in answer[name]:  # every id whole on one line, in a cell or a record's block
            assert any(f" {record[id_column]} " in f"{line} " for line in body), (command, record[id_column])
        if body[1] == "[1]":  # a block per record: every column named
            assert all(any(line.strip().startswith(f"{c}:") for line in body) for c in needed), command
            continue
        body = body[:next(k for k, line in enumerate(body) if line.startswith("└")) + 2]  # this table, its note
        head_rows = [line.split("┃")[1:-1] for line in body if "┃" in line]  # a heading may fold over lines
        headings = ["".join(part.strip() for part in column) for column in zip(*head_rows, strict=True)]
        named = next((line for line in body if line.startswith(f"not shown at {width} columns: ")), "")
        missing = [c for c in needed if c not in headings]
        assert not missing, (command, width, missing)
        assert all(c not in headings for c in named.removeprefix(f"not shown at {width} columns: ")
                   .split(" (")[0].split(", ") if named), named  # what it names is what it left out
        csv_text = run(*command, "--format", "csv", data=None).stdout
        assert not any(cell.startswith(("{", "[")) for row in csv.reader(io.StringIO(csv_text)) for cell in row)


def test_a_rules_reach_is_said_with_what_it_means_as_the_pages_say_it(run: Run) -> None:
    """A firm's view and its dossier print each rule's reach ("whole", "partial") with its meaning from the one
    glossary the pages use (``labels.TERMS``, handed to each page), under the table that shows it; a single value
    (a rule's ``buyers_reach``) after it."""
    from rich.console import Console

    from chipshift.render import Format, print_report
    from chipshift.reports import labels
    from chipshift.web.routes.pages import render

    wide = {"COLUMNS": "250"}
    for args in (("show", "firm", "Huawei"), ("dossier", "Huawei")):
        shown = run(*args, data=None, env=wide).stdout
        assert f'reach "whole": {labels.TERMS["whole"]}' in shown.splitlines(), args
    rules = [{"id": "R1", "reach": "whole"}, {"id": "R2", "reach": "partial"}, {"id": "R3", "reach": "whole"}]
    console = Console(width=200, record=True)
    print_report({"id": "R2", "buyers_reach": "partial", "rules_naming_it": rules}, Format.table, None, console)
    text = console.export_text()
    assert f"buyers_reach: partial ({labels.TERMS['partial']})" in text.splitlines()
    assert f'reach "whole": {labels.TERMS["whole"]}; "partial": {labels.TERMS["partial"]}' in text.splitlines()
    assert "the rule reaches only some of the destination&#x27;s buyers" in render("rule")  # the pages' glossary
