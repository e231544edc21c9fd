"""Terminal tables and CSV from an answer, read back as text and checked against the documented rules: a table fits
the console's width; ids and codes are never split across lines, text wraps within its cell; only the declared
secondary columns are left out, and they are named; past that, each record is a block of lines; lists of records
inside a row are tables of their own, led by their parent row's key; no cell holds JSON."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.console import Console

from chipshift.render import Format, print_report, tables_of, to_csv, write_csv_folder, write_workbook

NAME = "US Entity List: Fujian Jinhua, a DRAM maker in Jinjiang, Fujian province"
RULES = {"rules": [{"id": "E-JINHUA-2018", "kind": "entity_listing", "name": NAME, "imposed_by": "USA",
                    "policy": "presumption_of_denial", "source": "federal-register-2018-23693"}]}


def render(report: dict[str, Any], width: int, **options: Any) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    print_report(report, Format.table, None, console, **options)
    return console.export_text()


def grid_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "│" in line]


def test_every_line_fits_and_ids_stay_whole_while_words_wrap() -> None:
    for width in (50, 80, 120):
        text = render(RULES, width, columns={"rules": ["id", "kind", "name"]})
        assert all(cell_len(line) <= width for line in text.splitlines()), width
        assert any("E-JINHUA-2018" in line for line in grid_lines(text)), width  # whole, on one line
        assert any("entity_listing" in line for line in grid_lines(text)), width
    narrow = render(RULES, 50, columns={"rules": ["id", "kind", "name"]})
    assert len(grid_lines(narrow)) > 1  # the name wrapped over several lines of its cell
    words = " ".join(cell for line in grid_lines(narrow) for cell in line.split("│")[3:4]).split()
    assert " ".join(words) == NAME  # wrapped at spaces: every word whole


def test_only_declared_secondary_columns_are_left_out_and_they_are_named() -> None:
    columns = {"rules": ["id", "kind", "imposed_by", "policy", "source", "name"]}
    wide = render(RULES, 200, columns=columns, secondary={"rules": ["source", "policy"]})
    header = next(line for line in wide.splitlines() if "┃" in line)
    assert all(column in header for column in columns["rules"]) and "not shown" not in wide
    narrow = render(RULES, 80, columns=columns, secondary={"rules": ["source", "policy"]})
    assert "federal-register-2018-23693" not in narrow  # the last declared secondary column goes first
    assert "not shown at 80 columns: source" in narrow
    assert any("E-JINHUA-2018" in line and "USA" in line for line in grid_lines(narrow))
    # without secondary columns to leave out, a table too wide for the console is a block of lines per record
    blocks = render(RULES, 60, columns=columns)
    assert not grid_lines(blocks) and "not shown" not in blocks
    assert "source: federal-register-2018-23693" in blocks and "  id: E-JINHUA-2018" in blocks
    assert all(cell_len(line) <= 60 for line in blocks.splitlines())


AVAILABILITY = {"destination": "CHN", "scenario": {"name": "baseline", "digest": "ab12"}, "inputs": [
    {"input": "ai_accelerator", "name": "AI accelerators", "available_lower_pct": 0.0,
     "rules": ["E-OCT2022", "E-OCT2023"],
     "barred": [], "maybe_barred": [{"provider": "nvidia", "name": "Nvidia", "share_pct": 53.6,
                                     "rules": ["E-OCT2022"]},
                                    {"provider": "amd", "name": "Advanced Micro Devices", "share_pct": 7.0,
                                     "rules": ["E-OCT2022", "E-OCT2023"]}]},
    {"input": "dram", "name": "DRAM", "available_lower_pct": 100.0, "rules": [], "barred": [], "maybe_barred": []}]}


def test_lists_of_records_in_a_row_are_tables_of_their_own_and_no_cell_holds_json() -> None:
    tables = tables_of(AVAILABILITY)
    assert list(tables) == ["inputs", "inputs.maybe_barred"]
    assert tables["inputs.maybe_barred"] == [
        {"input": "ai_accelerator", "provider": "nvidia", "name": "Nvidia", "share_pct": 53.6, "rules": ["E-OCT2022"]},
        {"input": "ai_accelerator", "provider": "amd", "name": "Advanced Micro Devices", "share_pct": 7.0,
         "rules": ["E-OCT2022", "E-OCT2023"]}]
    for records in tables.values():
        for row in csv.reader(io.StringIO(to_csv(records))):
            for cell in row:
                assert not cell.startswith(("{", "[")), cell
    rows = list(csv.DictReader(io.StringIO(to_csv(tables["inputs"]))))
    assert [r["maybe_barred"] for r in rows] == ["nvidia; amd", ""]  # the records' labels
    assert rows[0]["rules"] == "E-OCT2022; E-OCT2023"  # a list of plain values: one cell, joined
    text = render(AVAILABILITY, 100)
    assert "scenario.name: baseline" in text and "{" not in text
    assert "inputs.maybe_barred (2)" in text and "Advanced Micro Devices" in text


def test_the_csv_folder_holds_every_table_and_the_single_values(tmp_path: Path) -> None:
    written = {p.name for p in write_csv_folder(AVAILABILITY, tmp_path)}
    assert written == {"inputs.csv", "inputs.maybe_barred.csv", "summary.csv"}
    summary = {r["key"]: r["value"] for r in csv.DictReader(io.StringIO((tmp_path / "summary.csv").read_text()))}
    assert summary == {"destination": "CHN", "scenario.name": "baseline", "scenario.digest": "ab12"}
    nested = list(csv.DictReader(io.StringIO((tmp_path / "inputs.maybe_barred.csv").read_text())))
    assert [(r["input"], r["provider"]) for r in nested] == [("ai_accelerator", "nvidia"), ("ai_accelerator", "amd")]
    json.dumps(AVAILABILITY)  # the answer itself is left as it was
    assert AVAILABILITY["inputs"][0]["maybe_barred"][0]["provider"] == "nvidia"  # type: ignore[index]


def test_declared_columns_come_first_in_csv_files_and_workbooks_and_none_is_left_out(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    columns = {"inputs": ["name", "available_lower_pct", "a_column_no_row_has"]}
    every = set(tables_of(AVAILABILITY)["inputs"][0])
    write_csv_folder(AVAILABILITY, tmp_path, columns)
    head = (tmp_path / "inputs.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert head[:3] == ["name", "available_lower_pct", "input"] and set(head) == every
    write_workbook(AVAILABILITY, tmp_path / "answer.xlsx", columns)
    sheet = load_workbook(tmp_path / "answer.xlsx")["inputs"]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == head
    out = io.StringIO()
    console = Console(file=out)
    with contextlib.redirect_stdout(out):
        print_report(AVAILABILITY, Format.csv, "inputs", console, columns, notes=Console(file=io.StringIO()))
    assert out.getvalue().splitlines()[0].split(",") == head
