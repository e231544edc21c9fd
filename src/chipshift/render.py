"""Turn an API report into text: a terminal table, JSON or CSV. Front-end code; no computation."""

from __future__ import annotations

import csv
import difflib
import io
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from chipshift.errors import ChipshiftError, NotFoundError


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def to_json(report: Any) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str)


#: The widest a column of single tokens (ids, codes, numbers) is kept whole in a terminal table.
MAX_ID_WIDTH = 40
#: What joins a list of plain values in one CSV cell.
LIST_SEPARATOR = "; "


def _csv_cell(value: Any) -> Any:
    """A list of plain values joined by ``LIST_SEPARATOR``; a mapping, or a list holding one, as JSON (nothing
    is lost)."""
    if isinstance(value, list) and not any(isinstance(v, dict | list) for v in value):
        return LIST_SEPARATOR.join("" if v is None else str(v) for v in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def to_csv(records: list[dict[str, Any]]) -> str:
    """Records as CSV, one column per key any record has."""
    out = io.StringIO()
    if not records:
        return ""
    fields = list(dict.fromkeys(k for r in records for k in r))
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _csv_cell(v) for k, v in record.items()})
    return out.getvalue()


def tables_of(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The answer's tables (its lists of records), by name."""
    return {k: v for k, v in report.items() if _is_table(v)}


def write_csv_folder(report: dict[str, Any], folder: Path) -> list[Path]:
    """Every table of ``report`` as ``folder/NAME.csv`` and its single values as ``folder/summary.csv``
    (key, value); each file is written whole or not at all. Returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    single = [{"key": k, "value": _csv_cell(v)} for k, v in report.items() if not _is_table(v)]
    files = {**tables_of(report), **({"summary": single} if single else {})}
    written = []
    for name, records in files.items():
        target = folder / f"{name}.csv"
        partial = target.with_suffix(".csv.partial")
        partial.write_text(to_csv(records), encoding="utf-8")
        partial.replace(target)
        written.append(target)
    return written


def write_workbook(report: dict[str, Any], path: Path) -> list[str]:
    """Every table of ``report`` as a sheet of an Excel workbook at ``path``, after a `summary` sheet of its
    single values (key, value); written whole or not at all. Returns the sheet names."""
    from openpyxl import Workbook  # only this writer needs it

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "summary"
    summary.append(["key", "value"])
    for key, value in report.items():
        if not _is_table(value):
            summary.append([key, _sheet_cell(_csv_cell(value))])
    names = ["summary"]
    for name, records in tables_of(report).items():
        sheet = book.create_sheet(_sheet_name(name, names))
        fields = list(dict.fromkeys(k for r in records for k in r))
        sheet.append(fields)
        for record in records:
            sheet.append([_sheet_cell(_csv_cell(record.get(f))) for f in fields])
        names.append(sheet.title)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    book.save(partial)
    partial.replace(path)
    return names


def _sheet_name(name: str, taken: list[str]) -> str:
    """A sheet title Excel accepts (at most 31 characters, none of []:*?/\\), unique in the workbook."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31]
    title, k = base, 2
    while title in taken:
        title = f"{base[:28]}~{k}"
        k += 1
    return title


def _sheet_cell(value: Any) -> Any:
    """A value a worksheet cell holds: numbers, booleans and text (long text cut at Excel's cell limit)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:32767]


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
    return str(value)


def print_report(report: dict[str, Any], fmt: Format, primary: str | None, console: Console,
                 columns: dict[str, list[str]] | None = None, *, table: str | None = None,
                 out_dir: Path | None = None, notes: Console | None = None) -> None:
    """Print ``report``. CSV prints one table: ``table``, else the ``primary`` one, and names the others on
    ``notes`` (stderr) so none is dropped unseen; with ``out_dir`` it writes every table to that folder instead.
    The other formats print everything."""
    if (table or out_dir) and fmt is not Format.csv:
        raise ChipshiftError("--table and --out choose CSV tables: give them with --format csv")
    if fmt is Format.json:
        console.print_json(to_json(report)) if console.is_terminal else print(to_json(report))
        return
    if fmt is Format.csv:
        _print_csv(report, primary, table, out_dir, notes or Console(stderr=True))
        return
    for key, value in report.items():
        if _is_table(value):
            continue
        if isinstance(value, list) and not value:
            continue
        console.print(f"[bold]{key}[/bold]: {_cell(value)}", highlight=False, soft_wrap=True)
    for key, value in report.items():
        if not _is_table(value):
            continue
        shown = (columns or {}).get(key) or list(dict.fromkeys(k for r in value for k in r))
        grid = Table(title=f"{key} ({len(value)})", title_justify="left", show_lines=False)
        rows = [[_cell(record.get(name)) for name in shown] for record in value]
        for k, name in enumerate(shown):
            cells = [row[k] for row in rows]
            if all(" " not in c for c in cells):  # ids and codes: never split across lines; words wrap
                width = min(MAX_ID_WIDTH, max([len(name), *map(len, cells)]))
                grid.add_column(name, no_wrap=True, min_width=width, overflow="ellipsis")
            else:
                grid.add_column(name, overflow="fold")
        for row in rows:
            grid.add_row(*row)
        console.print(grid)


def _print_csv(report: dict[str, Any], primary: str | None, table: str | None, out_dir: Path | None,
               notes: Console) -> None:
    tables = tables_of(report)
    if out_dir is not None:
        for path in write_csv_folder(report, out_dir):
            print(path)
        return
    chosen: str | None = table
    if table is not None:
        if table not in report or not isinstance(report[table], list):
            names = sorted(k for k, v in report.items() if isinstance(v, list))
            raise NotFoundError("table", table, difflib.get_close_matches(table, names, n=3), names)
    else:
        chosen = primary if primary is not None else next(iter(tables), None)
    print(to_csv(report.get(chosen, []) if chosen else []), end="")
    others = [name for name in tables if name != chosen]
    if others:
        notes.print(f"note: the answer has {len(others)} more table(s), not printed: {', '.join(others)}. "
                    "--table NAME prints one; --out DIR writes them all.", highlight=False, soft_wrap=True)
