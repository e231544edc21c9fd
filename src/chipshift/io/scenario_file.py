"""Read a scenario file (YAML): rules to add, remove or edit on top of the baseline.

```yaml
name: DUV immersion for China
description: US, Japan and the Netherlands add every DUV immersion tool for China
at: 2026-06-30        # optional default date of evaluation
over: {from: 2022-01-01, to: 2026-06-30, every: 6m}  # optional range of dates for answers over time
                      # (to: default the scenario's date; every: whole years, months or days, default 1y)
baseline: true        # start from the bundled rules (default); true or false, nothing else
remove: [E-H200-DEC2025]
edit:
  - {id: E-H20-APR2025, policy: ban}
add:                  # new ids only: a baseline rule is changed with edit (or removed, then added)
  - id: X-DUV-ALL
    name: ...
    imposed_by: NLD
    kind: export_control
    ...               # the fields of a bundled rule; source and quote may be left out
```
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from chipshift.errors import Problem
from chipshift.io.tables import Row, Table, coerce, load_yaml, parse_bool, records_to_table, strip_lines
from chipshift.scenarios.spec import Scenario
from chipshift.schemas.tables import RULES

TOP_LEVEL = ("name", "description", "at", "over", "baseline", "add", "remove", "edit")
#: The keys of ``over``, a scenario's range of dates.
OVER_KEYS = ("from", "to", "every")
_STEP = re.compile(r"^[1-9][0-9]{0,3}[ymd]$")


def read_scenario(path: Path) -> tuple[Scenario | None, Table, list[Problem], list[Row]]:
    """The scenario, its added rules as checked rows, every problem found (file, line, field), and its edits
    as rows holding the edited fields (typed and checked; the caller merges them with the baseline)."""
    document, problems = load_yaml(path, path.name)
    if problems:
        return None, Table(RULES, files=[path.name]), problems, []
    return parse_scenario(document, path.name, str(path))


def parse_scenario(document: Any, name: str, file: str | None = None
                   ) -> tuple[Scenario | None, Table, list[Problem], list[Row]]:
    """A scenario from a parsed mapping (YAML with line marks, or plain JSON); ``name`` labels problems."""
    added = Table(RULES, files=[name])
    problems: list[Problem] = []
    edit_rows: list[Row] = []
    if not isinstance(document, dict):
        return None, added, [Problem("a scenario file is a mapping with name, add, remove, edit", name, 1,
                                     check="file_format")], edit_rows
    lines: dict[str, int] = document.get("__lines__", {})
    path = Path(file or name)
    for key in document:
        if not key.startswith("__") and key not in TOP_LEVEL:
            problems.append(Problem(f"unknown key (allowed: {', '.join(TOP_LEVEL)})", name, lines.get(key), key,
                                    check="file_format"))
    if not document.get("name"):
        problems.append(Problem("a scenario needs a name", name, 1, "name", check="required_fields"))
    defaults = {"origin": "scenario", "status": "hypothetical", "source": "scenario",
                "quote": f"hypothetical rule from scenario file {name}"}
    added = records_to_table(document.get("add"), RULES, name, defaults, "add")
    problems.extend(added.problems)
    remove = strip_lines(document.get("remove") or [])
    if not isinstance(remove, list) or not all(isinstance(r, str) for r in remove):
        problems.append(Problem("remove must be a list of rule ids", name, lines.get("remove"), "remove",
                                check="file_format"))
        remove = []
    edits_raw = document.get("edit") or []
    edits: list[dict[str, Any]] = []
    if not isinstance(edits_raw, list):
        problems.append(Problem("edit must be a list of {id, field: value}", name, lines.get("edit"), "edit",
                                check="file_format"))
        edits_raw = []
    for entry in edits_raw:
        if not isinstance(entry, dict) or "id" not in entry:
            problems.append(Problem("each edit needs an id", name, lines.get("edit"), "edit", check="file_format"))
            continue
        entry_lines = entry.get("__lines__", {})
        entry_line = entry.get("__line__", lines.get("edit"))
        typed: dict[str, Any] = {}
        for key in entry:
            if not key.startswith("__") and (key not in RULES.column_index or key in ("origin",)):
                problems.append(Problem(f"cannot edit unknown field '{key}'", name, entry_lines.get(key), key,
                                        check="file_format"))
            elif not key.startswith("__"):
                column = RULES.column_index[key]
                try:
                    typed[key] = coerce(column, strip_lines(entry[key]))
                except (ValueError, TypeError) as exc:
                    problems.append(Problem(str(exc), name, entry_lines.get(key, entry_line), key, check="cell_types"))
                    continue
                if column.required and typed[key] in (None, []):
                    problems.append(Problem("is required and cannot be emptied", name,
                                            entry_lines.get(key, entry_line), key, check="required_fields"))
        edits.append(strip_lines(entry))
        edit_rows.append(Row(typed, name, entry_line or 0, dict(entry_lines)))
    try:
        baseline = parse_bool(document.get("baseline", True))
    except ValueError as exc:
        problems.append(Problem(str(exc), name, lines.get("baseline"), "baseline", check="cell_types"))
        baseline = True
    at = document.get("at")
    over = _over(document.get("over"), None if at is None else str(at), name, lines.get("over"), problems)
    scenario = Scenario(
        name=str(document.get("name") or path.stem), description=str(document.get("description") or ""),
        at=None if at is None else str(at), add=tuple(r.values for r in added.rows), remove=tuple(remove),
        edit=tuple(edits), baseline=baseline, file=file, over=over,
    )
    return scenario, added, problems, edit_rows


def _over(raw: Any, at: str | None, name: str, line: int | None,
          problems: list[Problem]) -> tuple[str, str, str] | None:
    """A scenario's range of dates, ``{from, to, every}`` (``to`` defaults to its date ``at``, ``every`` to 1y),
    checked: ISO dates, ``from`` not after ``to``, a step of whole years, months or days; None when not given."""
    if raw is None:
        return None
    raw = strip_lines(raw)

    def bad(message: str, key: str = "over") -> None:
        problems.append(Problem(message, name, line, key, check="file_format"))

    if not isinstance(raw, dict) or set(raw) - set(OVER_KEYS) or "from" not in raw:
        bad("over is a mapping {from: DATE, to: DATE, every: STEP} (from required; to defaults to at, every to 1y)")
        return None
    span: dict[str, str] = {}
    for key in ("from", "to"):
        value = raw.get(key, at if key == "to" else None)
        if value is None:
            bad("over.to is needed when the scenario has no date (at)", "over.to")
            return None
        try:
            span[key] = date.fromisoformat(str(value)).isoformat()
        except ValueError:
            bad(f"'{value}' is not a date (YYYY-MM-DD)", f"over.{key}")
            return None
    span["every"] = str(raw.get("every", "1y")).strip().lower()
    if not _STEP.match(span["every"]):
        bad(f"'{span['every']}' is not a step: a whole number of years, months or days (1y, 6m, 30d)", "over.every")
        return None
    if span["from"] > span["to"]:
        bad(f"over.from {span['from']} is after over.to {span['to']}", "over.from")
        return None
    return span["from"], span["to"], span["every"]

