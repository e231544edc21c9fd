"""Tables in text: a header line and rows whose cells line up (columns two or more spaces apart, tabs, or `|`, as
flattened text tables and Markdown tables come, and as `text` writes an HTML table's rows), read by their column
headers into claims.

A table is a header of at least three cells followed by at least two rows with as many cells, all but the row's
label numbers. The row label names the entity (a firm or a country through the knowledge base's names; "Total"
is the world when the rows are countries); each column header says what its cells are: a period ("Q3 2020",
"Revenue 4Q24"), a change on the previous quarter or year ("QoQ", "YoY", "3Q20/2Q20"), a share ("Share 4Q24").
The caption (the text just above the header) gives the unit of the levels ("US$ million", "in billions of US
dollars") and what they measure (revenue, equipment billings, imports, exports); levels without a unit in the
caption are skipped, and so are tables whose rows name no known entity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from chipshift.ingest import periods as P
from chipshift.ingest.cues import sentence_cues
from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.model import Claim

_SPLIT = re.compile(r"\s*\|\s*|\t+|\s{2,}")
_NUMBER = re.compile(r"^\(?[-−–]?\s?(?:US)?\$?\d[\d,]*(?:\.\d+)?\s?%?\)?$")
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
_RANK = re.compile(r"^(?:rank(?:ing)?|#|no\.?|position)$", re.I)
_QOQ = re.compile(r"\bq\s*o\s*q\b|\bq/q\b|sequential|quarter[- ]on[- ]quarter", re.I)
_YOY = re.compile(r"\by\s*o\s*y\b|\by/y\b|year[- ]on[- ]year|year[- ]over[- ]year", re.I)
_CHANGE = re.compile(r"change|growth|\bchg\b|%\s*\+/-|\+/-", re.I)
_SHARE = re.compile(r"\bshare\b", re.I)
_TOTAL = re.compile(r"^(?:total|worldwide|world|global|all regions)$", re.I)
_SCALE = {"thousand": "k", "million": "m", "billion": "bn", "trillion": "tn"}
_CURRENCY = [(re.compile(r"US\$|USD|U\.S\.\s+dollars?|US\s+dollars?|\$", re.I), "usd"),
             (re.compile(r"RMB|CNY|yuan", re.I), "cny"), (re.compile(r"EUR|euros?|€", re.I), "eur"),
             (re.compile(r"KRW|won", re.I), "krw"), (re.compile(r"JPY|yen", re.I), "jpy"),
             (re.compile(r"NT\$|TWD", re.I), "twd")]
_LEVEL = {"revenue": "revenue", "market_size": "revenue", "equipment_purchases": "equipment_purchases",
          "imports": "imports", "exports": "exports"}
_GROWTH = {"revenue": "revenue_growth", "equipment_purchases": "equipment_purchases_growth",
           "imports": "trade_growth", "exports": "trade_growth"}


@dataclass(frozen=True)
class Cell:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Table:
    start: int
    end: int
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _cells(start: int, line: str) -> list[Cell]:
    """The cells of a line (``start``: its offset in the text), with their offsets."""
    out, pos = [], 0
    for m in [*_SPLIT.finditer(line), None]:
        end = len(line) if m is None else m.start()
        chunk = line[pos:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            text = chunk.strip()
            out.append(Cell(text, start + pos + lead, start + pos + lead + len(text)))
        if m is not None:
            pos = m.end()
    return out


def find(text: str) -> list[Table]:
    """Every table in the text (see the module's description)."""
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        start, line = lines[i]
        header = _cells(start, line)
        if len(header) >= 3 and sum(not _NUMBER.match(c.text) for c in header) >= 2:
            rows = []
            j = i + 1
            if j < len(lines) and _RULE.match(lines[j][1]):  # a Markdown table's line under its header
                j += 1
            while j < len(lines):
                cells = _cells(*lines[j])
                numeric = [c for c in cells if _NUMBER.match(c.text)]
                if len(cells) != len(header) or len(numeric) < max(1, len(cells) - 2):
                    break
                rows.append(tuple(cells))
                j += 1
            if len(rows) >= 2:
                caption = text[max(0, start - 300):start]
                tables.append(Table(start, lines[j - 1][0] + len(lines[j - 1][1]), caption,
                                    tuple(c.text for c in header), tuple(rows)))
                i = j
                continue
        i += 1
    return tables


def _unit(caption: str) -> str | None:
    """The unit of the table's levels from its caption: usd_m for "US$ million", usd_bn for "billions of US
    dollars"; None when the caption gives none."""
    scale = re.search(r"\b(thousand|million|billion|trillion)s?\b", caption, re.I)
    if not scale:
        return None
    for pattern, code in _CURRENCY:
        if pattern.search(caption):
            return f"{code}_{_SCALE[scale.group(1).lower()]}"
    return None


def _number(cell: str) -> float | None:
    t = cell.replace(",", "").replace("US$", "").replace("$", "").replace("%", "").replace("−", "-").replace("–", "-")
    t = t.strip()
    negative = t.startswith("(") and t.endswith(")")
    try:
        value = float(t.strip("()").replace(" ", ""))
    except ValueError:
        return None
    return -value if negative else value


def _column(head: str, doc: date | None) -> tuple[str, list[str]]:
    """What a column holds ("level", "share", "qoq", "yoy", "change", "skip") and the periods its header names."""
    labels = [p.label for p in P.extract(head, doc) if p.label and p.kind != "date"]
    if _RANK.match(head.strip()):
        return "skip", labels
    if _SHARE.search(head):
        return "share", labels
    if _QOQ.search(head):
        return "qoq", labels
    if _YOY.search(head):
        return "yoy", labels
    if len(labels) >= 2 or "/" in head:
        if len(labels) >= 2 and P.previous_quarter(labels[0]) == labels[1]:
            return "qoq", labels
        if len(labels) >= 2 and P.shift_year(labels[0], -1) == labels[1]:
            return "yoy", labels
        return "change", labels
    if _CHANGE.search(head):
        return "change", labels
    return "level", labels


def claims(tables: list[Table], kb: KnowledgeBase, doc: date | None, prose: Sequence[Claim] = ()) -> list[Claim]:
    """The claims each table's cells make (ids are set by the caller). A caption that names no measure takes the
    one the prose around the tables states most (`prose`: the claims read from the text), else revenue."""
    out: list[Claim] = []
    counts: dict[str, int] = {}
    for c in prose:
        base = next((f for f in _LEVEL if c.metric == f or c.metric == _GROWTH.get(f)), None)
        if base is not None:
            counts[base] = counts.get(base, 0) + 1
    told = max(counts, key=lambda f: counts[f]) if counts else "revenue"
    for table in tables:
        caption_cues = sentence_cues(table.caption)
        family = next((name for _, _, name in reversed(caption_cues) if name in _LEVEL), told)
        unit = _unit(table.caption)
        title = next((line for line in reversed(table.caption.split("\n")) if line.strip()), "")
        shares = bool(_SHARE.search(title))  # "Global Foundry Market Share (%)": its percent cells are shares
        region = next((m.entity for m in kb.gazetteer.link(title) if m.kind == "country" and m.entity), None)
        caption_periods = [p.label for p in P.extract(table.caption, doc) if p.label and p.kind != "date"]
        columns = [_column(h, doc) for h in table.header]
        current = next((labels[0] for kind, labels in columns if kind == "level" and labels),
                       caption_periods[-1] if caption_periods else None)
        entities = []
        for row in table.rows:
            label = next((c for c in row if not _NUMBER.match(c.text)), None)
            linked = kb.gazetteer.link(label.text) if label else []
            entity = next((m.entity for m in linked if m.kind in ("firm", "country") and m.entity), None)
            entities.append((label, entity, next((m.kind for m in linked if m.entity == entity), None)))
        kinds = {k for _, e, k in entities if e}
        if not kinds:
            continue
        for row, (label, entity, kind) in zip(table.rows, entities, strict=True):
            if entity is None and label is not None and _TOTAL.match(label.text) and kinds == {"country"}:
                entity, kind = "WLD", "country"
            if entity is None or label is None:
                continue
            metric_family = _LEVEL[family]
            if kind == "firm" and metric_family in ("imports", "exports", "equipment_purchases"):
                metric_family = "revenue"
            for cell, (col, labels) in zip(row, columns, strict=True):
                if cell is label or col == "skip" or not _NUMBER.match(cell.text):
                    continue
                value = _number(cell.text)
                if value is None:
                    continue
                period = labels[0] if labels else current
                if col == "share" or (col == "level" and shares and cell.text.endswith("%")):
                    metric, cell_unit = "market_share", "pct"
                elif col in ("qoq", "yoy", "change"):
                    metric = _GROWTH.get(metric_family, "revenue_growth")
                    cell_unit = {"qoq": "pct_qoq", "yoy": "pct_yoy"}.get(col, "pct_change")
                else:
                    if unit is None or cell.text.endswith("%"):
                        continue
                    metric, cell_unit = metric_family, unit
                out.append(Claim("", entity, kb.name_of(entity), metric, value, cell_unit, period, cell.start,
                                 cell.end, (cell.start, cell.end), (table.start, table.end),
                                 region=region if metric == "market_share" and kind == "firm" else None,
                                 confidence=0.6, text=cell.text))
    return out
