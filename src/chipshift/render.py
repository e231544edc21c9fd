"""Turn an API report into text: a terminal table, JSON or CSV. Front-end code; no computation."""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import shutil
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from chipshift.errors import ChipshiftError, NotFoundError
from chipshift.reports.labels import GLOSSARY_COLUMNS, define


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def to_json(report: Any) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str)


#: What joins a list of plain values in one cell (CSV and workbook), and a list of records' labels in its row.
LIST_SEPARATOR = "; "
#: A column of text wraps at spaces; it is never narrower than its longest word up to this many characters (a
#: longer word folds).
MIN_WORD_WIDTH = 12
#: The width tables take when the output is not a terminal and $COLUMNS is not set.
PIPE_WIDTH = 200


def output_width() -> int:
    """The width tables are fitted to: $COLUMNS when set, else the terminal's, else ``PIPE_WIDTH``."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return PIPE_WIDTH


def _plain(value: Any) -> Any:
    """A cell's value with no structure left: a list joined by ``LIST_SEPARATOR``, a mapping as ``key=value``
    pairs joined by ", "."""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join("" if v is None else str(_plain(v)) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    return value


def _csv_cell(value: Any) -> Any:
    """A value as one CSV or workbook cell (``_plain``)."""
    return _plain(value)


def _label(record: dict[str, Any]) -> str:
    """What names a record in its parent's row: its first plain value."""
    for value in record.values():
        if value is not None and not isinstance(value, dict | list):
            return str(value)
    return ""


def _flatten(record: dict[str, Any], prefix: str = "") -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """A record's cells and the lists of records it holds. A mapping becomes one column per key (``a.b``), a list
    of plain values stays one cell, a list of records is returned apart (by its dotted name) and its cell holds
    the records' labels joined by ``LIST_SEPARATOR``."""
    cells: dict[str, Any] = {}
    nested: dict[str, list[dict[str, Any]]] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            inner, deeper = _flatten(value, f"{name}.")
            cells.update(inner)
            nested.update(deeper)
        elif _is_table(value):
            nested[name] = value
            cells[name] = LIST_SEPARATOR.join(_label(r) for r in value)
        else:
            cells[name] = None if isinstance(value, dict) else value
    return cells, nested


#: Columns that, with the first, say which row of its table a nested record belongs to.
_ROW_KEYS = ("at", "period", "year")


def _collect(name: str, rows: list[dict[str, Any]], out: dict[str, list[dict[str, Any]]]) -> None:
    """``rows`` flattened as table ``name`` into ``out``, and each list of records they hold as a table of its
    own, ``name.field``, whose rows start with their parent row's key (its first column, and its date)."""
    flat_rows: list[dict[str, Any]] = []
    children: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        cells, nested = _flatten(row)
        flat_rows.append(cells)
        first = next(iter(cells), None)
        keys = [k for k in (first, *_ROW_KEYS) if k is not None and k in cells]
        for field, records in nested.items():
            for record in records:
                parent = {(k if k not in record else f"{name}.{k}"): cells[k] for k in dict.fromkeys(keys)}
                children.setdefault(field, []).append({**parent, **record})
    out[name] = flat_rows
    for field, records in children.items():
        _collect(f"{name}.{field}", records, out)


def tables_of(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The answer's tables by name, flattened: its lists of records (also inside a mapping, as ``a.b``), and the
    lists of records their rows hold (``table.field``)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, rows in _flatten(report)[1].items():
        _collect(name, rows, out)
    return out


def single_values(report: dict[str, Any]) -> dict[str, Any]:
    """The answer's values outside its tables, a mapping's keys as ``a.b``."""
    cells, tables = _flatten(report)
    return {k: v for k, v in cells.items() if k not in tables}


def fields_of(records: list[dict[str, Any]], declared: list[str] | None = None) -> list[str]:
    """A table's columns in order: the ``declared`` ones its records have, in their stated order, then every other
    key a record has, in the order first met (none is left out)."""
    present = list(dict.fromkeys(k for r in records for k in r))
    first = [c for c in dict.fromkeys(declared or []) if c in present]
    return [*first, *(c for c in present if c not in first)]


def to_csv(records: list[dict[str, Any]], declared: list[str] | None = None) -> str:
    """Records as CSV, one column per key any record has, the ``declared`` ones first (``fields_of``; a caller
    flattens nested records first: ``tables_of``)."""
    out = io.StringIO()
    if not records:
        return ""
    fields = fields_of(records, declared)
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _csv_cell(v) for k, v in record.items()})
    return out.getvalue()


def write_csv_folder(report: dict[str, Any], folder: Path, columns: dict[str, list[str]] | None = None) -> list[Path]:
    """Every table of ``report`` as ``folder/NAME.csv`` (its ``columns`` declared first, in their order:
    ``fields_of``) and its single values as ``folder/summary.csv`` (key, value); each file is written whole or not
    at all. Returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    single = [{"key": k, "value": _csv_cell(v)} for k, v in single_values(report).items()]
    files = {**tables_of(report), **({"summary": single} if single else {})}
    written = []
    for name, records in files.items():
        target = folder / f"{name}.csv"
        partial = target.with_suffix(".csv.partial")
        partial.write_text(to_csv(records, (columns or {}).get(name)), encoding="utf-8")
        partial.replace(target)
        written.append(target)
    return written


def write_workbook(report: dict[str, Any], path: Path, columns: dict[str, list[str]] | None = None) -> list[str]:
    """Every table of ``report`` as a sheet of an Excel workbook at ``path`` (its ``columns`` declared first, in
    their order: ``fields_of``), after a `summary` sheet of its single values (key, value); written whole or not
    at all. Returns the sheet names."""
    from openpyxl import Workbook  # only this writer needs it

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "summary"
    summary.append(["key", "value"])
    for key, value in single_values(report).items():
        summary.append([key, _sheet_cell(_csv_cell(value))])
    names = ["summary"]
    for name, records in tables_of(report).items():
        sheet = book.create_sheet(_sheet_name(name, names))
        fields = fields_of(records, (columns or {}).get(name))
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
    """A value as a terminal cell: numbers without exponents, lists joined by ", ", unknown as "—"."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
    return str(value)


def _is_token_column(cells: list[str]) -> bool:
    """Ids, codes, dates and numbers: cells without spaces, kept whole on one line."""
    return all(" " not in c for c in cells)


def _header_width(name: str) -> int:
    """The narrowest a column's heading may be: its longest part between underscores (it folds there)."""
    return max(cell_len(part) for part in name.split("_")) + (1 if "_" in name else 0)


def _heading(name: str, width: int) -> str:
    """A column's heading in lines of at most ``width`` characters, broken after underscores."""
    lines: list[str] = []
    for part in name.split("_"):
        if lines and cell_len(lines[-1]) + 1 + cell_len(part) <= width:
            lines[-1] = f"{lines[-1]}_{part}"
        elif lines:
            lines[-1] += "_"
            lines.append(part)
        else:
            lines.append(part)
    return "\n".join(lines)


def _column_widths(names: list[str], rows: list[list[str]], width: int) -> list[int] | None:
    """Each column's width in a table ``width`` characters wide, or None when the table cannot fit: a column of
    tokens takes its widest cell (never less), a column of text at least its longest word (up to
    ``MIN_WORD_WIDTH``) and what is left in proportion to its widest cell, wrapping at spaces; a heading folds
    to its column's width."""
    free = width - (3 * len(names) + 1)  # a border and a space each side of every cell
    natural, least, wraps = [], [], []
    for k, name in enumerate(names):
        cells = [row[k] for row in rows]
        widest = max([0, *map(cell_len, cells)])
        token = _is_token_column(cells)
        words = max([0, *(cell_len(w) for c in cells for w in c.split())])
        heading = _header_width(name)
        natural.append(max(widest, cell_len(name)))
        least.append(max(heading, widest if token else min(words, MIN_WORD_WIDTH)))
        wraps.append(not token)
    if sum(least) > free:
        return None
    if sum(natural) <= free:
        return natural
    low, high = 1, max(natural)
    while low < high:  # the largest cap on every column's width that fits, none below its least
        cap = (low + high + 1) // 2
        used = sum(min(n, max(m, cap)) for n, m in zip(natural, least, strict=True))
        low, high = (cap, high) if used <= free else (low, cap - 1)
    return [min(n, max(m, low)) for n, m in zip(natural, least, strict=True)]


def _print_table(console: Console, name: str, records: list[dict[str, Any]], shown: list[str],
                 secondary: list[str]) -> None:
    """One table fitted to the console's width: ids whole, text wrapped at spaces; when even that is too wide,
    the declared ``secondary`` columns are left out (last first, named under the table), and past that each
    record is printed as its own block of lines."""
    rows_of = {column: [_cell(r.get(column)) for r in records] for column in shown}
    kept = list(shown)
    dropped: list[str] = []
    widths = _column_widths(kept, [list(row) for row in zip(*(rows_of[c] for c in kept), strict=True)],
                            console.width)
    for column in reversed(secondary):
        if widths is not None:
            break
        if column in kept:
            kept.remove(column)
            dropped.insert(0, column)
            widths = _column_widths(kept, [list(row) for row in zip(*(rows_of[c] for c in kept), strict=True)],
                                    console.width)
    title = f"{name} ({len(records)})"
    if widths is None:  # too narrow for a grid: one block per record, every column
        console.print(f"[bold]{title}[/bold]", highlight=False)
        for k, record in enumerate(records):
            console.print(f"[{k + 1}]", highlight=False)
            for column in shown:
                console.print(Padding(Text(f"{column}: {_cell(record.get(column))}"), (0, 0, 0, 2)), highlight=False)
        _print_terms(console, records, shown)
        return
    grid = Table(title=title, title_justify="left", show_lines=False, expand=False)
    for column, column_width in zip(kept, widths, strict=True):  # a token column is as wide as its widest cell
        grid.add_column(_heading(column, column_width), width=column_width, overflow="fold")
    for row in zip(*(rows_of[c] for c in kept), strict=True):
        grid.add_row(*row)
    console.print(grid)
    if dropped:
        console.print(Text(f"not shown at {console.width} columns: {', '.join(dropped)} (wider: COLUMNS=N; "
                           "--format csv or json has every column)"), highlight=False)
    _print_terms(console, records, kept)


def _print_terms(console: Console, records: list[dict[str, Any]], shown: list[str]) -> None:
    """Under a table, what each term of the glossary its columns show means (a rule's reach: "whole", "partial",
    "certain", "maybe"; ``labels.TERMS``), once each, as the pages define them under theirs."""
    for column in (c for c in shown if c in GLOSSARY_COLUMNS):
        terms = dict.fromkeys(str(r[column]) for r in records if define(r.get(column)))
        if terms:
            console.print(Text(f"{column} " + "; ".join(f"\"{t}\": {define(t)}" for t in terms)), highlight=False)


def print_report(report: dict[str, Any], fmt: Format, primary: str | None, console: Console,
                 columns: dict[str, list[str]] | None = None, *, table: str | None = None,
                 out_dir: Path | None = None, notes: Console | None = None,
                 secondary: dict[str, list[str]] | None = None) -> None:
    """Print ``report``. CSV prints one table: ``table``, else the ``primary`` one, and names the others on
    ``notes`` (stderr) so none is dropped unseen; with ``out_dir`` it writes every table to that folder instead;
    a table's declared ``columns`` come first in a CSV file, in their order, then every other column it has.
    The other formats print everything: a terminal table shows ``columns`` (by table; default every column) and
    may leave out only the ``secondary`` ones, when the console is too narrow for them.

    Tables are the answer's lists of records (``tables_of``): a list of records inside a row is a table of its
    own, ``table.field``, each of its rows led by its parent row's key, while the parent's cell names its records
    joined by ``LIST_SEPARATOR``; a mapping is one column per key (``field.key``). No cell holds JSON."""
    if (table or out_dir) and fmt is not Format.csv:
        raise ChipshiftError("--table and --out choose CSV tables: give them with --format csv")
    if fmt is Format.json:
        console.print_json(to_json(report)) if console.is_terminal else print(to_json(report))
        return
    if fmt is Format.csv:
        _print_csv(report, primary, table, out_dir, notes or Console(stderr=True), columns or {})
        return
    for key, value in single_values(report).items():
        if isinstance(value, list) and not value:
            continue
        # a term of the glossary with what it means, as the pages say it (a rule's reach: "partial (the rule ...)")
        meaning = define(value) if key in GLOSSARY_COLUMNS else None
        console.print(Text.assemble((key, "bold"), f": {_cell(value)}" + (f" ({meaning})" if meaning else "")),
                      highlight=False)
    for name, records in tables_of(report).items():
        shown = (columns or {}).get(name) or list(dict.fromkeys(k for r in records for k in r))
        _print_table(console, name, records, shown, (secondary or {}).get(name, []))


def _print_csv(report: dict[str, Any], primary: str | None, table: str | None, out_dir: Path | None,
               notes: Console, columns: dict[str, list[str]]) -> None:
    tables = tables_of(report)
    if out_dir is not None:
        for path in write_csv_folder(report, out_dir, columns):
            print(path)
        return
    empty = [k for k, v in report.items() if isinstance(v, list) and not v]  # tables without rows
    chosen: str | None = table
    if table is not None:
        if table not in tables and table not in empty:
            names = sorted([*tables, *empty])
            raise NotFoundError("table", table, difflib.get_close_matches(table, names, n=3), names)
    else:
        chosen = primary if primary is not None else next(iter(tables), None)
    print(to_csv(tables.get(chosen, []) if chosen else [], columns.get(chosen) if chosen else None), end="")
    others = [name for name in tables if name != chosen]
    if others:
        notes.print(f"note: the answer has {len(others)} more table(s), not printed: {', '.join(others)}. "
                    "--table NAME prints one; --out DIR writes them all.", highlight=False, soft_wrap=True)
