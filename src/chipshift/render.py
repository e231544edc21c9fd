"""Turn an API report into text: a terminal table, JSON or CSV. Front-end code; no computation."""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def to_json(report: Any) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str)


def to_csv(records: list[dict[str, Any]]) -> str:
    """Records as CSV; nested values are written as JSON so that nothing is lost."""
    out = io.StringIO()
    if not records:
        return ""
    fields = list(dict.fromkeys(k for r in records for k in r))
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                         for k, v in record.items()})
    return out.getvalue()


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
                 columns: dict[str, list[str]] | None = None) -> None:
    """Print ``report``. CSV prints the ``primary`` table only; the others print everything."""
    if fmt is Format.json:
        console.print_json(to_json(report)) if console.is_terminal else print(to_json(report))
        return
    if fmt is Format.csv:
        records = report.get(primary, []) if primary else []
        print(to_csv(records), end="")
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
        table = Table(title=f"{key} ({len(value)})", title_justify="left", show_lines=False)
        for name in shown:
            table.add_column(name, overflow="fold")
        for record in value:
            table.add_row(*(_cell(record.get(name)) for name in shown))
        console.print(table)
