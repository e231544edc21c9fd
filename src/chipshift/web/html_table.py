"""An HTML table of records, shared by the scenario and market reports."""

from __future__ import annotations

from html import escape
from typing import Any


def html_table(columns: list[tuple[str, str]], rows: list[dict[str, Any]], numeric: set[str] | None = None) -> str:
    """An HTML table of ``rows`` by ``columns`` (key, label). ``numeric`` names the right-aligned columns; when
    it is None, numbers are found by type and floats written to four significant digits."""
    head = "".join(f"<th>{escape(label)}</th>" for _, label in columns)
    body = []
    for row in rows:
        cells = []
        for key, _ in columns:
            value = row.get(key)
            if numeric is None:
                is_number = isinstance(value, int | float) and not isinstance(value, bool)
                text = f"{value:,.4g}" if isinstance(value, float) else "" if value is None else str(value)
                cells.append(f"<td{' class=num' if is_number else ''}>{escape(text)}</td>")
                continue
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            cls = ' class="num"' if key in numeric else ""
            cells.append(f"<td{cls}>{escape('' if value is None else str(value))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
