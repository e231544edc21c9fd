"""Read data files into typed rows, checked cell by cell against the table's declared schema.

Every row keeps the file and line it came from, so later cross-table checks can point at it.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chipshift.domain.period import parse_partial_date
from chipshift.errors import Problem
from chipshift.schemas.tables import Column, TableSchema

LIST_SEPARATOR = ";"
#: How a boolean is spelled in a CSV cell (any case); a blank cell is unknown.
CSV_TRUE = "true"
CSV_FALSE = "false"
#: Files larger than these are refused before they are read (bounded time and memory).
MAX_YAML_BYTES = 5 * 1024 * 1024
MAX_CSV_BYTES = 50 * 1024 * 1024


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


def coerce(column: Column, raw: Any, from_text: bool = False) -> Any:
    """Turn a raw cell into the column's type. Raises ValueError.

    ``from_text`` marks a cell read from CSV, where every value is text: a boolean is then spelled ``true`` or
    ``false``. A value from YAML or JSON must already be a boolean where one is declared."""
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
        value = parse_bool(raw, from_text)
    elif column.dtype == "list":
        items = raw if isinstance(raw, list) else str(raw).split(LIST_SEPARATOR)
        value = [str(i).strip() for i in items if str(i).strip()]
    elif column.dtype == "json":
        value = json.loads(raw) if isinstance(raw, str) else raw
    else:  # pragma: no cover - the DType literal is exhaustive
        raise AssertionError(column.dtype)
    _check_value(column, value)
    return value


def parse_bool(raw: Any, from_text: bool = False) -> bool:
    """A boolean: a real one from YAML or JSON; in a CSV cell (``from_text``) the word true or false, any case.

    Anything else (a quoted "no", 1, "yes") is refused rather than guessed at. Raises ValueError."""
    if isinstance(raw, bool):
        return raw
    if from_text and isinstance(raw, str) and raw.strip().lower() in (CSV_TRUE, CSV_FALSE):
        return raw.strip().lower() == CSV_TRUE
    shown = f"the text {raw!r}" if isinstance(raw, str) else repr(raw)
    hint = "" if from_text else " (write true or false, without quotes)"
    raise ValueError(f"expected true or false, got {shown}{hint}")


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
               field_lines: dict[str, int], problems: list[Problem], from_text: bool = False) -> Row:
    values: dict[str, Any] = {}
    for column in schema.columns:
        cell = raw.get(column.name)
        try:
            values[column.name] = coerce(column, cell, from_text)
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
        text = read_bounded(path, MAX_CSV_BYTES).decode("utf-8-sig")
    except TooLarge as exc:
        table.problems.append(Problem(str(exc), name, check="file_format"))
        return table
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
                             table.problems, from_text=True)
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


class TooLarge(ValueError):
    """A file over its size limit, refused before it is parsed."""


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, refusing a file over ``limit`` bytes: by its size before reading, and (for files
    whose size is not known in advance) as soon as more than ``limit`` bytes have come in."""
    too_large = TooLarge(f"the file is larger than {limit // (1024 * 1024)} MB, the limit for this kind of file; "
                         "it was not read")
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size > limit:
            raise too_large
        chunks: list[bytes] = []
        total = 0
        while chunk := handle.read(min(1 << 16, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise too_large
    return b"".join(chunks)


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
    """Parse a YAML file, remembering lines; a syntax error becomes a Problem naming its line.

    A file over ``MAX_YAML_BYTES`` is refused unread; aliases, duplicate keys and nesting deeper than
    the parser can follow are refused with the line where they occur."""
    name = display or path.name
    try:
        text = read_bounded(path, MAX_YAML_BYTES).decode("utf-8")
    except TooLarge as exc:
        return None, [Problem(str(exc), name, check="file_format")]
    except UnicodeDecodeError as exc:
        return None, [Problem(f"not UTF-8 text ({exc.reason})", name, check="file_format")]
    except OSError as exc:
        return None, [Problem(f"cannot read: {exc.strerror}", name, check="file_format")]
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text as ``load_yaml`` does (``name`` labels the problems)."""
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        return None, [Problem(f"the text is larger than {MAX_YAML_BYTES // (1024 * 1024)} MB, the limit for YAML",
                              name, check="file_format")]
    import yaml  # loaded with the first YAML file read: most commands read none

    from chipshift.io.yaml_lines import AliasRefused, FastLineLoader, LineLoader

    if FastLineLoader is not None:  # libyaml reads a well-formed file; anything else is read again below
        fast = FastLineLoader(text)
        try:
            document = fast.get_single_data()
            if not fast.duplicates:
                return document, []
        except (yaml.YAMLError, RecursionError):
            pass
        finally:
            fast.dispose()
    try:  # a character YAML does not allow is refused as the reader is made, before anything is parsed
        loader = LineLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text[:exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        return None, [Problem(f"YAML syntax error: {exc.reason} (character #x{exc.character:04x})"
                              if isinstance(exc.character, int) else f"YAML syntax error: {exc.reason}", name, line,
                              check="file_format")]
    try:
        document = loader.get_single_data()
    except AliasRefused as exc:
        return None, [Problem(f"YAML aliases (*{exc.anchor}) are not allowed: write the value out in full", name,
                              exc.problem_mark.line + 1, check="file_format")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(f"YAML syntax error: {reason}", name, line, check="file_format")]
    except RecursionError:
        return None, [Problem("YAML nested too deeply to read", name, check="file_format")]
    finally:
        loader.dispose()
    if loader.duplicates:
        return None, [Problem(f"duplicate key '{key}' (first on line {first}): each key may appear once", name, line,
                              key, check="file_format")
                      for key, line, first in loader.duplicates]
    return document, []


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
