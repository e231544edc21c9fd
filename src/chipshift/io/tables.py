"""Read data files into typed rows, checked cell by cell against the table's declared schema.

Every row keeps the file and line it came from, so later cross-table checks can point at it.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from chipshift.domain.period import parse_partial_date
from chipshift.errors import Problem
from chipshift.schemas.tables import Column, TableSchema

LIST_SEPARATOR = ";"
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0", ""}


@dataclass(frozen=True)
class Row:
    """One record: typed values by column, and where it came from."""

    values: dict[str, Any]
    file: str
    line: int
    field_lines: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)

    def line_of(self, column: str) -> int:
        return self.field_lines.get(column, self.line)

    def problem(self, column: str | None, message: str, check: str, severity: str = "error") -> Problem:
        line = self.line_of(column) if column else self.line
        return Problem(message, self.file, line, column, severity, check)


@dataclass
class Table:
    schema: TableSchema
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def extend(self, other: Table) -> None:
        self.rows.extend(other.rows)
        self.problems.extend(other.problems)
        self.files.extend(other.files)

    def ids(self) -> set[str]:
        if len(self.schema.primary_key) != 1:
            raise ValueError(f"table {self.schema.name} has no single-column key")
        key = self.schema.primary_key[0]
        return {r[key] for r in self.rows if r[key] is not None}


def coerce(column: Column, raw: Any) -> Any:
    """Turn a raw cell (text from CSV, or a YAML value) into the column's type. Raises ValueError."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return [] if column.dtype == "list" else None
    if column.dtype == "str" or column.dtype == "date":
        value: Any = raw.isoformat() if hasattr(raw, "isoformat") else str(raw).strip()
        if column.dtype == "date" and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            try:
                parse_partial_date(value)
            except ValueError as exc:
                raise ValueError(f"'{value}' is not a calendar date ({exc})") from None
    elif column.dtype == "float":
        if isinstance(raw, bool):
            raise ValueError(f"expected a number, got {raw!r}")
        value = float(str(raw).replace(",", "")) if isinstance(raw, str) else float(raw)
        if value != value:  # NaN
            raise ValueError("NaN is not a value; leave the cell blank for unknown")
    elif column.dtype == "int":
        text = str(raw).strip()
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(f"expected a whole number, got '{text}'")
        value = int(text)
    elif column.dtype == "bool":
        if isinstance(raw, bool):
            value = raw
        else:
            text = str(raw).strip().lower()
            if text not in _TRUE | _FALSE:
                raise ValueError(f"expected true or false, got '{raw}'")
            value = text in _TRUE
    elif column.dtype == "list":
        items = raw if isinstance(raw, list) else str(raw).split(LIST_SEPARATOR)
        value = [str(i).strip() for i in items if str(i).strip()]
    elif column.dtype == "json":
        value = json.loads(raw) if isinstance(raw, str) else raw
    else:  # pragma: no cover - the DType literal is exhaustive
        raise AssertionError(column.dtype)
    _check_value(column, value)
    return value


def _check_value(column: Column, value: Any) -> None:
    if column.allowed is not None:
        for item in value if isinstance(value, list) else [value]:
            if item not in column.allowed:
                raise ValueError(f"'{item}' is not one of: {', '.join(sorted(column.allowed))}")
    if column.pattern is not None:
        for item in value if isinstance(value, list) else [value]:
            if not re.match(column.pattern, str(item)):
                raise ValueError(f"'{item}' does not match the pattern {column.pattern}")
    if column.minimum is not None and value < column.minimum:
        raise ValueError(f"{value} is below the minimum {column.minimum:g}")
    if column.maximum is not None and value > column.maximum:
        raise ValueError(f"{value} is above the maximum {column.maximum:g}")


def _typed_row(schema: TableSchema, raw: dict[str, Any], file: str, line: int,
               field_lines: dict[str, int], problems: list[Problem]) -> Row:
    values: dict[str, Any] = {}
    for column in schema.columns:
        cell = raw.get(column.name)
        try:
            values[column.name] = coerce(column, cell)
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            problems.append(Problem(str(exc), file, field_lines.get(column.name, line), column.name,
                                    check="cell_types"))
            values[column.name] = None
            continue
        if column.required and values[column.name] in (None, []):
            problems.append(Problem("is required but empty", file, field_lines.get(column.name, line),
                                    column.name, check="required_fields"))
    return Row(values, file, line, field_lines)


def read_csv(path: Path, schema: TableSchema, display: str | None = None) -> Table:
    """Read a CSV file whose header names the schema's columns (order free, none missing or extra)."""
    name = display or path.name
    table = Table(schema, files=[name])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        table.problems.append(Problem(f"not UTF-8 text ({exc.reason} at byte {exc.start})", name,
                                      check="file_format"))
        return table
    except OSError as exc:
        table.problems.append(Problem(f"cannot read: {exc.strerror}", name, check="file_format"))
        return table
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = next(reader)
    except StopIteration:
        table.problems.append(Problem("the file is empty (a header row is required)", name, 1,
                                      check="file_format"))
        return table
    except csv.Error as exc:
        table.problems.append(Problem(f"malformed CSV: {exc}", name, 1, check="file_format"))
        return table
    header = [h.strip() for h in header]
    missing = [c.name for c in schema.columns if c.name not in header and c.required]
    extra = [h for h in header if h not in schema.column_index]
    for col in missing:
        table.problems.append(Problem("required column is missing from the header", name, 1, col,
                                      check="file_format"))
    for col in extra:
        table.problems.append(Problem(f"unknown column (table '{schema.name}' has: "
                                      f"{', '.join(schema.column_names)})", name, 1, col,
                                      check="file_format"))
    if missing or extra:
        return table
    seen: dict[tuple[Any, ...], int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                table.problems.append(Problem(f"has {len(record)} cells, the header has {len(header)}",
                                              name, line, check="file_format"))
                continue
            row = _typed_row(schema, dict(zip(header, record, strict=True)), name, line, {},
                             table.problems)
            _check_key(schema, row, seen, table.problems)
            table.rows.append(row)
    except csv.Error as exc:
        table.problems.append(Problem(f"malformed CSV: {exc}", name, reader.line_num, check="file_format"))
    return table


def _check_key(schema: TableSchema, row: Row, seen: dict[tuple[Any, ...], int],
               problems: list[Problem]) -> None:
    if not schema.primary_key:
        return
    key = tuple(row[k] for k in schema.primary_key)
    if any(k is None for k in key):
        return
    if key in seen:
        problems.append(row.problem(schema.primary_key[0],
                                    f"duplicate {'/'.join(schema.primary_key)} {key if len(key) > 1 else key[0]!r}"
                                    f" (first on line {seen[key]})", "unique_ids"))
    else:
        seen[key] = row.line


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping and of each of its keys."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__lines__"] = lines
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Keep dates as written ('2019-12' and '2019-12-01' alike) instead of turning some into date objects.
_LineLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def strip_lines(value: Any) -> Any:
    """Remove the line bookkeeping from a parsed YAML value."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k not in ("__line__", "__lines__")}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


def read_yaml_records(path: Path, schema: TableSchema, display: str | None = None,
                      key: str | None = None, defaults: dict[str, Any] | None = None) -> Table:
    """Read a YAML list of mappings (or a mapping whose ``key`` holds such a list) as table rows."""
    name = display or path.name
    table = Table(schema, files=[name])
    document, problems = load_yaml(path, name)
    if problems:
        table.problems.extend(problems)
        return table
    records = document.get(key) if key and isinstance(document, dict) else document
    table.extend(records_to_table(records, schema, name, defaults))
    table.files = [name]
    return table


def load_yaml(path: Path, display: str | None = None) -> tuple[Any, list[Problem]]:
    """Parse a YAML file, remembering lines; a syntax error becomes a Problem naming its line."""
    name = display or path.name
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader), []
    except UnicodeDecodeError as exc:
        return None, [Problem(f"not UTF-8 text ({exc.reason})", name, check="file_format")]
    except OSError as exc:
        return None, [Problem(f"cannot read: {exc.strerror}", name, check="file_format")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(f"YAML syntax error: {reason}", name, line, check="file_format")]


def records_to_table(records: Any, schema: TableSchema, name: str, defaults: dict[str, Any] | None = None,
                     field_name: str | None = None) -> Table:
    """Typed rows from a parsed YAML list of mappings (as returned by ``load_yaml``)."""
    table = Table(schema, files=[name])
    if records is None:
        records = []
    if not isinstance(records, list):
        table.problems.append(Problem(f"expected a list of {schema.name}", name, 1, field_name, check="file_format"))
        return table
    seen: dict[tuple[Any, ...], int] = {}
    for record in records:
        if not isinstance(record, dict):
            table.problems.append(Problem(f"each entry must be a mapping, got {record!r}", name,
                                          check="file_format"))
            continue
        line = record.get("__line__", 0)
        field_lines = record.get("__lines__", {})
        unknown = [k for k in record if k not in schema.column_index and not k.startswith("__")]
        for k in unknown:
            table.problems.append(Problem(f"unknown field (allowed: {', '.join(schema.column_names)})",
                                          name, field_lines.get(k, line), k, check="file_format"))
        raw = {**(defaults or {}), **{k: strip_lines(v) for k, v in record.items() if not k.startswith("__")}}
        row = _typed_row(schema, raw, name, line, field_lines, table.problems)
        _check_key(schema, row, seen, table.problems)
        table.rows.append(row)
    return table
