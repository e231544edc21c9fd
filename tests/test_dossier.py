"""Dossiers: everything about a firm, an input or a country in one answer, written as a workbook or CSV files."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from chipshift import api
from chipshift.api import answers
from chipshift.cli import app
from chipshift.errors import NotFoundError
from chipshift.io.store import Store


def test_a_firms_dossier_holds_its_facts_rules_and_every_source_they_cite(bundled_store: Store) -> None:
    report = api.dossier(bundled_store, "Micron", at="2025-06-30")
    assert isinstance(report, answers.FirmDossier)
    assert (report.entity, report.entity_kind, report.at) == ("micron", "firm", date(2025, 6, 30))
    assert any(f.id == "micron-revenue-share-chn-fy2023-readhub" for f in report.facts)
    # as a seller, China's 2023 ban on its chips in critical infrastructure binds it, for certain
    binding = {r.id: r for r in report.rules_binding_its_sales}
    assert binding["E-CN-MICRON-2023"].reach == "certain" and "dram" in binding["E-CN-MICRON-2023"].inputs
    # whom it cuts off, in words
    assert binding["E-CN-MICRON-2023"].buyers_cut_off == "China; critical information infrastructure"
    assert "E-NL-EUV-2019" not in binding  # a rule on tools it does not sell
    cited = {row.source for rows in (report.facts, report.rules_reaching_it, report.rules_binding_its_sales)
             for row in rows}
    assert cited <= {s.id for s in report.sources}
    assert all(s.url and s.publisher for s in report.sources)
    body = report.as_report()
    assert list(body)[:3] == ["entity", "entity_kind", "at"] and body["at"] == "2025-06-30"


def test_a_country_and_an_input_resolve_and_a_name_nothing_has_is_refused(bundled_store: Store) -> None:
    china = api.dossier(bundled_store, "China", at="2025-06-30")
    assert isinstance(china, answers.CountryDossier) and china.entity == "CHN"
    assert {"S1", "S2", "S3"} <= {r.stage for r in china.exposure_by_stage}
    assert any(f.id == "cambricon" for f in china.firms_headquartered)
    dram = api.dossier(bundled_store, "DRAM")
    assert isinstance(dram, answers.InputDossier) and dram.entity == "dram" and dram.kind == "chip"
    with pytest.raises(NotFoundError):
        api.dossier(bundled_store, "no such thing at all")


def test_the_dossier_is_written_whole_as_a_workbook_or_a_folder(bundled_store: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--store", str(bundled_store.path)]
    book = tmp_path / "micron.xlsx"
    result = runner.invoke(app, [*base, "dossier", "Micron", "--at", "2025-06-30", "--out", str(book)])
    assert result.exit_code == 0, result.output
    sheets = {ws.title: ws for ws in load_workbook(book).worksheets}
    assert next(iter(sheets)) == "summary" and {"facts", "rules_reaching_it", "sources"} <= set(sheets)
    header = [c.value for c in next(sheets["facts"].iter_rows(max_row=1))]
    assert {"value", "unit", "source", "quote"} <= set(header)
    # the declared columns first, in their order, then the rest
    assert header[:9] == ["metric", "product", "region", "definition", "period", "value", "unit", "status",
                          "publisher"]
    sources = [c.value for c in next(sheets["sources"].iter_rows(max_row=1))]
    assert sources == ["id", "publisher", "original_publisher", "title", "published", "reliability", "url"]
    assert not list(tmp_path.glob("*.partial"))
    folder = tmp_path / "china"
    result = runner.invoke(app, [*base, "dossier", "CHN", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    with open(folder / "sources.csv", newline="", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) > 10
    with open(folder / "exposure_by_input.csv", newline="", encoding="utf-8") as f:
        head = next(csv.reader(f))
    assert head == ["input", "name", "stages", "barred_lower_pct", "barred_upper_pct", "barred_pct",
                    "barred_providers", "view", "maybe_barred_providers"]
    with open(folder / "exposure_by_stage.csv", newline="", encoding="utf-8") as f:
        head = next(csv.reader(f))
    assert head[:6] == ["stage", "inputs", "barred_lower_mean_pct", "barred_upper_mean_pct",
                        "barred_lower_weighted_pct", "barred_upper_weighted_pct"]
    shown = runner.invoke(app, [*base, "dossier", "CHN", "--at", "2025-06-30"], env={"COLUMNS": "160"})
    assert shown.exit_code == 0, shown.output
    stage_table = shown.stdout[shown.stdout.index("exposure_by_stage ("):]
    table_lines = stage_table.split("└", 1)[0].splitlines()
    head_rows = [line.split("┃")[1:-1] for line in table_lines if "┃" in line]  # a heading may fold over lines
    headings = ["".join(part.strip() for part in column) for column in zip(*head_rows, strict=True)]
    assert headings[:3] == ["stage", "inputs", "barred_lower_mean_pct"], headings
    assert runner.invoke(app, [*base, "dossier", "no such thing at all"]).exit_code == 2
