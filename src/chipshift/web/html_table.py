"""An HTML table of records, shared by the scenario and market reports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import Any


def _float(value: float) -> str:
    """Four significant digits, and a large number in full (16,910, not 1.691e+04)."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.4g}"


def html_table(columns: list[tuple[str, str]], rows: list[dict[str, Any]], numeric: set[str] | None = None,
               links: Mapping[str, Callable[[dict[str, Any]], str | None]] | None = None,
               label: str = "table") -> str:
    """An HTML table of ``rows`` by ``columns`` (key, label). ``numeric`` names the right-aligned columns; when
    it is None, numbers are found by type and floats written to four significant digits (at least every digit
    before the point). ``links`` makes a column's cells links: the address its function gives a row (none: text).
    The table sits in a box named ``label`` that scrolls sideways, reached by Tab, when it is wider than the page."""
    head = "".join(f"<th>{escape(label)}</th>" for _, label in columns)
    body = []
    for row in rows:
        cells = []
        for key, _ in columns:
            value = row.get(key)
            if numeric is None:
                is_number = isinstance(value, int | float) and not isinstance(value, bool)
                text = _float(value) if isinstance(value, float) else "" if value is None else str(value)
                cells.append(f"<td{' class=num' if is_number else ''}>{escape(text)}</td>")
                continue
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            cls = ' class="num"' if key in numeric else ""
            text = escape("" if value is None else str(value))
            link = (links or {}).get(key)
            href = link(row) if link else None
            if href:
                text = f'<a href="{escape(href)}">{text}</a>'
            cells.append(f"<td{cls}>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(label)}">'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")
