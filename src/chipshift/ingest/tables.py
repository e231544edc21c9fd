"""Tables in text: a header line and rows whose cells line up (columns two or more spaces apart, tabs, or `|`, as
flattened text tables and Markdown tables come, and as `text` writes an HTML table's rows), read by their column
headers into claims.

A table is a header of at least three cells followed by at least two rows with as many cells, all but the row's
label numbers. The row label names the entity (a firm or a country through the knowledge base's names; "Total"
is the world when the rows are countries); each column header says what its cells are: a period ("Q3 2020",
"Revenue 4Q24"), a change on the previous quarter or year ("QoQ", "YoY", "3Q20/2Q20"), a share ("Share 4Q24").
The caption (the text just above the header) gives the unit of the levels ("US$ million", "in billions of US
dollars") and what they measure (revenue, equipment billings, imports, exports); when it names no unit, a note
just under the table ("Revenue is in millions of dollars.") or a caption-like line further up ("(USD in billions)"
above the headline) may state it; a column header stating its own unit ("Q1 2024 revenue (US$ billion)") gives it
to that column; cells "in RMB 100 million" are read in billions at a tenth (see ``Unit``); levels without a unit are
skipped.

A firm's own statement names its rows by measures instead ("Net sales", "Net income", "Gross margin", "Net
bookings", "Systems sold (units)"; a row so named is the statement's even when it names the firm): it is read as the
statement of the firm the document is about (see ``_statement``). A footnote mark after a figure ("2,602 (2)") is
passed over; a cell written with its scale ("$2,487 million") carries its own unit. A flattened header may leave the
label column blank and run on for a line or two without figures ("(Unaudited)", "(In millions)"); a flattened row with
empty cells is placed by where its figures stand under the header. A table flattened with single spaces ("2 Samsung
3,260 3,305 -1.4% 8.1% 9.1%") is read when its header runs on two lines, measures over periods (see
``_spaced_header``), and takes its unit from a caption just under it as well. Two more shapes are found before
the others: a table flattened onto one line under a header on the short lines above it (``_run_tables``), and a table
written one cell to a line (``_cell_line_tables``). Columns headed non-GAAP or adjusted are not read.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from chipshift.ingest import periods as P
from chipshift.ingest.cues import sentence_cues
from chipshift.ingest.entities import ranked_firm_id
from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.model import RANKED_REVENUE, Claim
from chipshift.schemas import vocabulary as voc

_SPLIT = re.compile(r"\s*\|\s*|\t+|\s{2,}")
_NUMBER = re.compile(r"^[+]?\s?\(?[-−–]?\s?(?:US)?\$?\s?\d[\d,]*(?:\.\d+)?\s?%?\)?\s?%?$")
#: A change written with its unit in words ("1.9 points", "+ 150 bps") or a figure with a footnote mark ("2,602 (2)"):
#: a table's figure, though not a value read here.
#: An empty or withheld cell ("-", "n/a", a paywalled "Upgrade") stands where a figure would: no value either.
_FIGURE = re.compile(r"^[+]?\s?[-−–]?\d[\d,]*(?:\.\d+)?\s?(?:points?|pts?|bps|pp)$|^\S+\s\(\d\)$|"
                     r"^(?:[-–—]|n/?a|upgrade|premium|locked)$", re.I)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
_RANK = re.compile(r"^(?:#|no\.?|position)$|\brank(?:ing)?\b", re.I)
_QOQ = re.compile(r"\bq\s*o\s*q\b|\bq/q\b|sequential|quarter[- ]on[- ]quarter", re.I)
_YOY = re.compile(r"\by\s*o\s*y\b|\by/y\b|year[- ]on[- ]year|year[- ]over[- ]year|"
                  r"(?:on|over|from|than)\s+(?:the\s+)?same\s+period\s+(?:of\s+)?last\s+year", re.I)
_CHANGE = re.compile(r"change|growth|\bchg\b|%\s*\+/-|\+/-", re.I)
_SHARE = re.compile(r"\bshare\b", re.I)
_TOTAL = re.compile(r"^(?:total(?:\s+market)?|worldwide|world|global|all regions|industry total)$", re.I)
#: What a row of a firm's own statement measures, by its label (the first pattern that matches wins; "skip" rows
#: are per-share figures, ratios and adjusted measures, which are not claims here).
_ROW_METRICS = [
    ("skip", re.compile(r"non-gaap|adjusted|non-recurring|per share|\beps\b|guidance|outlook|percentage|"
                        r"operating margin|net (?:profit )?margin|ratio|\bto net sales\b", re.I)),
    ("gross_margin", re.compile(r"^gross (?:profit )?margin\b", re.I)),
    ("operating_profit", re.compile(r"^operating (?:income|profit)\b", re.I)),
    ("net_profit", re.compile(r"^net (?:income|profit|earnings)\b|^profit (?:for|of) the (?:period|year)\b", re.I)),
    ("revenue_growth", re.compile(r"^(?:net |total )?(?:revenues?|sales) growth\b", re.I)),
    ("revenue", re.compile(r"^(?:net |total |operating )?(?:revenues?|sales)\b|^turnover\b", re.I)),
    ("orders", re.compile(r"^(?:net |new |total )?(?:bookings|orders(?: received| intake)?|order intake)\b", re.I)),
    # a count of what the firm sold or shipped, by a row that says it counts ("New lithography systems sold (units)")
    ("shipments", re.compile(r"\b(?:sold|shipped|shipments|deliveries|delivered)\b.*\((?:units|number|no\.)\)|"
                             r"^(?:units|number of \w+(?: \w+)?) (?:sold|shipped|delivered)\b", re.I)),
]
#: A row that gives the row above it as a share of revenue ("percent of revenue", "% of net sales").
_OF_REVENUE = re.compile(r"^(?:as\s+a\s+)?(?:percent(?:age)?|%)\s+of\s+(?:total\s+|net\s+)?(?:revenues?|sales)$",
                         re.I)
#: A statement row named by its measure alone or as the total: "Revenue", "Total revenues", "Net sales".
_PLAIN_ROW = re.compile(r"^(?:total\s+)?(?:net\s+)?(?:revenues?|sales|net\s+(?:income|profit|earnings)|operating\s+"
                        r"(?:income|profit))\s*(?:\(.*\))?\s*$", re.I)
_NON_GAAP = re.compile(r"non-gaap|adjusted|pro forma", re.I)
_ENDED = re.compile(r"\byear\s+end(?:ed|ing)\s+(?:\w+\s+\d{1,2},?\s+)?(?P<year>(?:19|20)\d\d)", re.I)
_YOY_TEXT = re.compile(r"same (?:period|quarter) of (?:the )?(?:previous|prior|last) (?:fiscal )?year|"
                       r"year[- ](?:on|over)[- ]year|from a year (?:earlier|ago)", re.I)
_SCALE = {"thousand": "k", "million": "m", "billion": "bn", "trillion": "tn"}
#: Currencies by the words and signs that name them; New Taiwan dollars first, whose sign "NT$" holds the dollar's.
_CURRENCY = [(re.compile(r"NT\$|TWD", re.I), "twd"),
             (re.compile(r"US\$|USD|U\.S\.\s+dollars?|US\s+dollars?|(?<![A-Z])\$", re.I), "usd"),
             (re.compile(r"RMB|CNY|yuan", re.I), "cny"), (re.compile(r"EUR|euros?|€", re.I), "eur"),
             (re.compile(r"KRW|won", re.I), "krw"), (re.compile(r"JPY|yen", re.I), "jpy")]
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
    notes: str = ""  # the header's own label cell and the lines between the header and the rows ("(US$ '000)")
    above: str = ""  # the short lines of the text before the caption, nearest first (for a unit stated far above)
    below: str = ""  # the first sentence of the text after the table ("Revenue is in millions of dollars.")


#: A table row flattened with single spaces ("2 Samsung 3,260 3,305 -1.4% 8.1% 9.1%"): a rank, a label of a few
#: words and two figures or more, nothing else.
_SPACED_ROW = re.compile(r"^(?:\d{1,2}\s)?[^\d\s][^\d]{0,40}?(?:\s[-+]?\$?\d[\d,]*(?:\.\d+)?%?){2,}\s*$")
_TOKEN = re.compile(r"\S+")


def _cells(start: int, line: str) -> list[Cell]:
    """The cells of a line (``start``: its offset in the text), with their offsets; a row flattened with single
    spaces is cut into its rank, its label and its figures."""
    out = _split_cells(start, line)
    if len(out) < 3 and _SPACED_ROW.match(line):
        tokens = [Cell(m.group(), start + m.start(), start + m.end()) for m in _TOKEN.finditer(line)]
        rank = [tokens.pop(0)] if re.fullmatch(r"\d{1,2}", tokens[0].text) else []
        figures = [t for t in tokens if _figure(t.text)]
        words = tokens[:len(tokens) - len(figures)]
        if words and tokens[len(words):] == figures:
            label = Cell(" ".join(w.text for w in words), words[0].start, words[-1].end)
            return [*rank, label, *figures]
    return out


def _spaced_header(upper: str, sub: str, width: int, label_cells: int) -> list[str] | None:
    """The header of a table flattened with single spaces, written on two lines: the measures over the labels
    ("Ranking Company Revenue Market share") and, under them, one word for each column of figures ("4Q21 3Q21 QoQ
    4Q21 3Q21"). The columns form groups, a new one where a period comes back; the measures' words are cut into as
    many groups where a capitalised word starts one. None when they do not fit."""
    subs = sub.split()
    words = upper.split()
    if len(subs) != width or len(words) < label_cells + 1 or any(_figure(w) for w in subs):
        return None
    groups: list[list[str]] = [[]]
    for w in subs:
        if w in groups[-1]:
            groups.append([])
        groups[-1].append(w)
    names = words[label_cells:]
    starts = [k for k, w in enumerate(names) if w[:1].isupper()]
    if len(starts) != len(groups) or starts[0] != 0:
        return None
    measure = [" ".join(names[a:b]) for a, b in itertools.pairwise([*starts, len(names)])]
    return [*words[:label_cells], *(f"{m} {w}" for m, g in zip(measure, groups, strict=True) for w in g)]


def _bar_cells(line: str) -> list[str]:
    """The cells of a bar-separated line, empty ones kept in their places ("Period Ending | Dec 31, 2024 |" under a
    header of three cells has three, the last empty)."""
    cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.strip().startswith("|") else \
        [c.strip() for c in line.split("|")]
    return cells


def _split_cells(start: int, line: str) -> list[Cell]:
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
    runs = _run_tables(text, lines) + _cell_line_tables(text, lines)
    i = 0
    while i < len(lines):
        start, line = lines[i]
        run = next((t for t in runs if t.start <= start <= t.end), None)
        if run is not None:  # a table flattened onto one line, found first (its header lines come before it)
            tables.append(run)
            i = next((k for k, (pos, _) in enumerate(lines) if pos > run.end), len(lines))
            continue
        header = _cells(start, line)
        words = sum(not _figure(c.text) or bool(_YEAR.match(c.text)) for c in header)
        spaced = _spaced_table(text, lines, i)
        if spaced is not None:
            tables.append(spaced)
            i = next((k for k, (pos, _) in enumerate(lines) if pos > spaced.end), len(lines))
            continue
        if len(header) >= 3 and words >= 2 and words > len(header) - words:
            j = i + 1
            if j < len(lines) and _RULE.match(lines[j][1]):  # a Markdown table's line under its header
                j += 1
            # a flattened table's header may run on for a line or two without figures ("(Unaudited)", "Q4 FY2019",
            # "(In millions, except per share amounts)"): their words join the header cell they stand under
            below: list[tuple[int, str]] = []
            # a bar-separated header on two lines ("Fiscal Year | FY 2024 | ..." over "Period Ending | Dec '24 | ..."):
            # each cell joins the one above it
            stacked = _bar_cells(lines[j][1]) if "|" in line and j < len(lines) and "|" in lines[j][1] else []
            if len(stacked) == len(header) and not any(_figure(c) for c in stacked[1:]):
                header = [Cell(f"{a.text} {b}".strip(), a.start, a.end) for a, b in zip(header, stacked, strict=True)]
                j += 1
            while "|" not in line and j < len(lines) and len(below) < 2 and lines[j][1].strip() and \
                    not any(_figure(c.text) for c in _cells(*lines[j])):
                below.append(lines[j])
                j += 1
            if j + 1 < len(lines) and not lines[j][1].strip() and any(_figure(c.text) for c in _cells(*lines[j + 1])):
                j += 1  # one blank line between the header and the rows (a release's plain-text statement)
            header = _grouped(header, _cells(*lines[i - 1]) if i else [])
            rows, width, first_row = _rows(lines, j, header, -1 if "|" in line else start)
            if len(rows) >= 2:
                cells = list(header)
                if width == len(header) + 1:  # the header has no cell over the rows' labels
                    cells.insert(0, Cell("", start, start))
                heads = _join_below(start, cells, below)
                notes = " ".join([heads[0] if width == len(header) else "", *(b for _, b in below)])
                last = first_row + len(rows) - 1
                caption = text[max(0, start - 300):start]
                end = lines[last][0] + len(lines[last][1])
                tables.append(Table(start, end, caption, tuple(heads),
                                    tuple(rows), notes, _above(text, start - 300), _below(text, end)))
                i = first_row + len(rows)
                continue
        i += 1
    return tables


def _title(table: Table) -> str:
    """The table's title: the last line of its caption, passing over a line of group headings the header's cells
    took ("GAAP(1)  Non-GAAP(2)", `_grouped`)."""
    lines = [x for x in table.caption.split("\n") if x.strip()]
    groups = [w for w in _SPLIT.split(lines[-1].strip()) if w] if lines else []
    if len(groups) >= 2 and all(sum(h.startswith(w + " ") for h in table.header) >= 2 for w in groups):
        lines.pop()
    return lines[-1] if lines else ""


def _grouped(header: list[Cell], above: list[Cell]) -> list[Cell]:
    """A header whose periods repeat under group headings on the line above ("GAAP(1)  Non-GAAP(2)" over "FQ1-26
    FQ4-25 FQ1-25 FQ1-26 FQ4-25 FQ1-25"): each period cell takes its group's name, in order, so the columns of a
    non-GAAP or adjusted group are left out as such (`_column`). Unchanged unless every heading but a leading label
    repeats as many times as there are group headings, in runs."""
    texts = [c.text for c in header if c.text]
    periods = [c for c in header if c.text and texts.count(c.text) >= 2]
    counts = {texts.count(c.text) for c in periods}
    if len(counts) != 1 or len(periods) < len(texts) - 1 or len(above) != next(iter(counts)) or \
            any(_figure(c.text) for c in above):
        return header
    size = len(periods) // len(above)
    if [c.text for c in periods[:size]] * len(above) != [c.text for c in periods]:
        return header
    group = {id(c): above[k // size].text for k, c in enumerate(periods)}
    return [Cell(f"{group[id(c)]} {c.text}", c.start, c.end) if id(c) in group else c for c in header]


#: A token in brackets that ends a column header ("(Q/Q)", "(YOY)", "(%)").
_BRACKETED = re.compile(r"^\(\S+\)$")


def _run_tables(text: str, lines: list[tuple[int, str]]) -> list[Table]:
    """Tables flattened onto one line: rows of a label and as many figures each, one after the other ("Taiwan 3.90
    3.21 2.90 21% 34% China 3.44 3.36 3.98 2% -14% ... Total 14.86 13.31 15.84 12% -6%"), under a header written on
    the few short lines just above (blank lines between allowed) whose words, a bracketed word joining the one
    before it ("3Q19/2Q19 (Q/Q)"), name as many columns; the header's last words may open the run's line ("(YOY)
    Taiwan ..."). At least three rows of two figures or more; labels of at most five words, not figures."""
    out: list[Table] = []
    for k, (start, line) in enumerate(lines):
        tokens = [Cell(m.group(), start + m.start(), start + m.end()) for m in _TOKEN.finditer(line)]
        if len(tokens) < 9:
            continue
        lead: list[Cell] = []
        while tokens and _BRACKETED.match(tokens[0].text) and not _figure(tokens[0].text):
            lead.append(tokens.pop(0))
        groups: list[tuple[list[Cell], list[Cell]]] = []
        for t in tokens:
            if _figure(t.text):
                if not groups:
                    break
                groups[-1][1].append(t)
            elif not groups or groups[-1][1]:
                groups.append(([t], []))
            else:
                groups[-1][0].append(t)
        width = len(groups[0][1]) if groups else 0
        if len(groups) < 3 or width < 2 or any(len(g[1]) != width or len(g[0]) > 5 for g in groups) or \
                sum(len(a) + len(b) for a, b in groups) != len(tokens):
            continue
        above: list[tuple[int, str]] = []
        j = k - 1
        while j >= 0 and len(above) < 3 and len(lines[j][1]) <= 80:
            if lines[j][1].strip():
                if lines[j][1].rstrip().endswith((".", ":", "!", "?")):
                    break
                above.insert(0, lines[j])
            elif above and j > 0 and not lines[j - 1][1].strip():  # two blank lines end the header
                break
            j -= 1
        words = [w for _, a in above for w in a.split()] + [c.text for c in lead]
        heads: list[str] = []
        for w in words:
            if _BRACKETED.match(w) and heads:
                heads[-1] = f"{heads[-1]} {w}"
            else:
                heads.append(w)
        if not above or len(heads) != width:
            continue
        head_start = above[0][0]
        rows = tuple((Cell(" ".join(c.text for c in label), label[0].start, label[-1].end), *figures)
                     for label, figures in groups)
        end = start + len(line)
        out.append(Table(head_start, end, text[max(0, head_start - 300):head_start], ("", *heads), rows, "",
                         _above(text, head_start - 300), _below(text, end)))
    return out


#: A line that only carries a sign belonging to the figure next to it: "$" before, ")", "%", "%)" after.
_SIGN_BEFORE = re.compile(r"^(?:US)?\$$|^(?:RMB|NT\$|€|¥)$")
_SIGN_AFTER = re.compile(r"^(?:\)|%|%\)|\)%)$")


def _cell_line_tables(text: str, lines: list[tuple[int, str]]) -> list[Table]:
    """Tables written one cell to a line, as a table copied out of a page comes: a header of two or more column headings
    that name periods ("FQ3-24", "Q2 2024"), each on its line, then rows of a label line and one line per column
    ("Revenue" / "$" / "6,811" / ...), each line perhaps opened by a bar ("|Q2 2020"); a sign alone on its line
    joins the figure it stands by ("$" / "6,811", "(668" / ")"). Group headings over the periods ("GAAP(1)" /
    "Non-GAAP(2)", as many as the periods repeat) are put before each column's heading. At least two rows; a label
    line followed by another label is a heading and is passed over."""
    cells: list[Cell] = []
    for start, line in lines:
        t = line.strip()
        if t.startswith("|"):  # a cell a copied page marks with a bar ("|Q2 2020"); a bar alone stands for nothing
            t = t.strip("|").strip()
            if not t:
                continue
        if not t or len(t) > 60:
            cells.append(Cell("", -1, -1))  # a blank or long line ends a run of cells
            continue
        c = Cell(t, start + line.index(t), start + line.index(t) + len(t))
        if cells and cells[-1].text and _SIGN_BEFORE.match(cells[-1].text):
            prev = cells.pop()
            c = Cell(f"{prev.text} {t}", prev.start, c.end)
        elif cells and cells[-1].text and _SIGN_AFTER.match(t) and _figure(cells[-1].text + t):
            prev = cells.pop()
            c = Cell(prev.text + t, prev.start, c.end)
        cells.append(c)
    out: list[Table] = []
    k = 0
    while k < len(cells):
        heads: list[Cell] = []
        while k + len(heads) < len(cells) and cells[k + len(heads)].text and \
                not _figure(cells[k + len(heads)].text) and _is_period(cells[k + len(heads)].text):
            heads.append(cells[k + len(heads)])
        width = len(heads)
        if width < 2:
            k += 1
            continue
        names = [h.text for h in heads]
        repeats = width // len(set(names))
        groups: list[Cell] = []
        if repeats >= 2 and len(set(names)) * repeats == width and k >= repeats and \
                all(c.text and not _figure(c.text) for c in cells[k - repeats:k]):
            groups = cells[k - repeats:k]
            size = width // repeats
            names = [f"{groups[j // size].text} {n}" for j, n in enumerate(names)]
        j = k + width
        rows: list[tuple[Cell, ...]] = []
        while j < len(cells) and cells[j].text:
            label = cells[j]
            figures = cells[j + 1: j + 1 + width]
            if not _figure(label.text) and len(figures) == width and all(_figure(f.text) for f in figures):
                rows.append((label, *figures))
                j += 1 + width
            elif not _figure(label.text) and j + 1 < len(cells) and not _figure(cells[j + 1].text) and rows:
                j += 1  # a heading inside the table
            else:
                break
        if len(rows) >= 2:
            start, end = heads[0].start, rows[-1][-1].end
            first = groups[0].start if groups else start
            out.append(Table(start, end, text[max(0, first - 300):first], ("", *names), tuple(rows), "",
                             _above(text, first - 300), _below(text, end)))
            k = j
        else:
            k += width
    return out


def _is_period(cell: str) -> bool:
    """A cell that names a period and nothing else much ("FQ3-24", "Q2 2024", "2023", "Three Months Ended ...")."""
    found = [p for p in P.extract(cell, None) if p.kind != "date"]
    return bool(found) and sum(p.end - p.start for p in found) >= len(cell) / 2


def _spaced_table(text: str, lines: list[tuple[int, str]], i: int) -> Table | None:
    """A table flattened with single spaces whose header runs on two lines (``_spaced_header``), from line ``i``;
    a caption line just under its rows ("Revenue ranking of DRAM brands, 4Q21 (in USD million)") gives its unit."""
    if i + 3 >= len(lines) or len(_split_cells(*lines[i])) >= 3:
        return None
    first = _cells(*lines[i + 2])
    if len(_split_cells(*lines[i + 2])) >= 3 or len(first) < 4 or not _SPACED_ROW.match(lines[i + 2][1]):
        return None
    label_cells = sum(not _figure(c.text) or bool(re.fullmatch(r"\d{1,2}", c.text)) for c in first[:2])
    heads = _spaced_header(lines[i][1], lines[i + 1][1], len(first) - label_cells, label_cells)
    if heads is None:
        return None
    start = lines[i][0]
    header = [Cell(h, start, start) for h in heads]
    rows, width, first_row = _rows(lines, i + 2, header, -1)
    if len(rows) < 2 or width != len(header):
        return None
    last = first_row + len(rows) - 1
    after = lines[last + 1][1] if last + 1 < len(lines) else ""
    notes = after if _unit(after) and len(after) < 120 else ""
    end = lines[last][0] + len(lines[last][1])
    return Table(start, end, text[max(0, start - 300):start], tuple(heads), tuple(rows), notes,
                 _above(text, start - 300), _below(text, end))


def _rows(lines: list[tuple[int, str]], j: int, header: list[Cell], head_start: int) -> tuple[
        list[tuple[Cell, ...]], int, int]:
    """The rows under a header from line ``j``: each as wide as the header, or one cell wider when the header
    leaves the label column blank (a row of figures one cell narrower than the header has lost its label, which is
    left empty, so the row is kept and its figures read by no one); in a flattened table (``head_start``: the header
    line's offset, else -1) a row
    with empty cells is placed under the header cells its figures stand under, and a row whose cells before its
    label are empty is placed by its label. Returns the rows, their width and the line of the first."""
    rows: list[tuple[Cell, ...]] = []
    width = label_at = 0
    first = j
    while j < len(lines):
        cells = _cells(*lines[j])
        if width and rows and len(cells) == 1 and not _figure(cells[0].text) and j + 1 < len(lines) and \
                len(_cells(*lines[j + 1])) == width:  # a heading inside the table ("Attributable to:")
            j += 1
            continue
        if len(cells) == len(header) - 1 and cells and all(_figure(c.text) for c in cells) and \
                not _figure(header[0].text):  # a row whose label cell is empty: its figures fill the columns
            cells = [Cell("", -1, -1), *cells]
        numeric = [c for c in cells if _figure(c.text)]
        if not width and len(cells) in (len(header), len(header) + 1):
            width = len(cells)
        if not width or len(numeric) < max(min(2, len(cells) - 1), len(cells) - 2):
            break
        if len(cells) != width:
            placed = _place(lines[j][0], cells, head_start, header, width) \
                if head_start >= 0 and 2 <= len(cells) < width else None
            if placed is None and rows and cells and not _figure(cells[0].text) and len(cells) == width - label_at > 1:
                # a row whose cells before its label are empty ("| | Total Market | 793,449 |")
                placed = [*(Cell("", -1, -1) for _ in range(label_at)), *cells]
            if placed is None:
                break
            cells = placed
        elif not rows:
            label_at = next((k for k, c in enumerate(cells) if not _figure(c.text)), 0)
        rows.append(tuple(cells))
        j += 1
    return rows, width, first


#: A cell written with its own scale ("$2,487 million", "RMB 1.3 billion"): a figure whose unit the cell states.
_SCALED = re.compile(r"^(?P<figure>(?:US\$|\$|NT\$|RMB|€|USD|EUR)?\s?[-−–]?\d[\d,]*(?:\.\d+)?)\s?"
                     r"(?P<scale>thousand|million|billion|trillion|mn|bn)$", re.I)


def _figure(cell: str) -> bool:
    return bool(_NUMBER.match(cell) or _FIGURE.match(cell) or _SCALED.match(cell))


def _own_unit(cell: str) -> Unit | None:
    """The unit a cell written with its scale and currency states ("$2,487 million": usd_m), else None."""
    m = _SCALED.match(cell)
    if m is None:
        return None
    word = {"bn": "billion", "mn": "million"}.get(m.group("scale").lower(), m.group("scale"))
    return _unit(f"{m.group('figure')} {word}")


def _place(line_start: int, cells: list[Cell], head_start: int, header: list[Cell], width: int) -> list[Cell] | None:
    """A flattened row with empty cells: its label first, each figure under the header cell it overlaps most
    (else the nearest one); None when two figures fall under one header cell."""
    if _figure(cells[0].text):
        return None
    offset = width - len(header)  # 1 when the header has no cell over the labels
    out = [cells[0], *(Cell("", -1, -1) for _ in range(width - 1))]
    spans = [(h.start - head_start, h.end - head_start) for h in header]
    for c in cells[1:]:
        a, b = c.start - line_start, c.end - line_start
        k = max((min(b, hb) - max(a, ha), -abs(a + b - ha - hb), k) for k, (ha, hb) in enumerate(spans))[2] + offset
        if k == 0 or out[k].text:
            return None
        out[k] = c
    return out


def _join_below(head_start: int, cells: list[Cell], below: list[tuple[int, str]]) -> list[str]:
    """The header cells' texts, each with the words of the lines under it that stand below it (words that start
    left of the first headed column belong to the label column)."""
    texts = [c.text for c in cells]
    spans = [(c.start - head_start, c.end - head_start) for c in cells]
    for start, line in below:
        for c in _cells(start, line):
            a, b = c.start - start, c.end - start
            k = 0 if a < spans[1][0] - 1 else \
                max((min(b, hb) - max(a, ha), -abs(a + b - ha - hb), k) for k, (ha, hb) in enumerate(spans))[2]
            texts[k] = f"{texts[k]} {c.text}".strip()
    return texts


def _above(text: str, end: int) -> str:
    """The lines of ``text`` before ``end`` short enough to be captions or headings (120 characters at most),
    nearest first."""
    return "\n".join(x for x in reversed(text[:max(0, end)].split("\n")) if x.strip() and len(x) <= 120)


def _below(text: str, end: int) -> str:
    """The first sentence of the text after ``end`` (a table's note: "Revenue is in millions of dollars.")."""
    rest = text[end:].lstrip()
    return re.split(r"(?<=[.!?])\s|\n", rest, maxsplit=1)[0][:200]


#: A unit stated rather than a figure written in it: a scale word not right after a number ("(USD in billions)",
#: "in millions of US dollars", not "$1.8 billion").
_STATED_SCALE = re.compile(r"(?<![\d.,]\s)(?<![\d.,])\b(?:thousands?|millions?|billions?|trillions?)\b", re.I)


def _stated_unit(lines: str, currency_from: str = "") -> Unit | None:
    """The unit the nearest caption-like line of ``lines`` states with a scale written as a unit ("© SEMI —
    equipment revenue by Region (USD in billions)"), for a table whose own caption gives none; the currency from
    the line, else from ``currency_from`` (the cells: "$5,619.9")."""
    for line in lines.split("\n"):
        if _STATED_SCALE.search(line) and not re.search(r"\d\s*(?:thousand|million|billion|trillion)", line, re.I):
            unit = _unit(line, currency_from)
            if unit:
                return unit
    return None


@dataclass(frozen=True)
class Unit:
    """The unit of a table's figures and the factor that brings a cell to it: a table "in RMB 100 million" has its
    cells in units of a hundred million yuan, written here as ``cny_bn`` with the factor 0.1 (154.4 → 15.44)."""
    code: str
    factor: float = 1.0

    def amount(self, value: float) -> tuple[str, float]:
        """A cell's figure as a vocabulary unit and value: the table's own unit where the vocabulary has it, else the
        vocabulary's unit of that currency with the largest scale not above the amount ("Millions KRW": 47,206,319 is
        47.206319 trillion won; "US$ '000": 230,037 is 230.037 million dollars; yen and New Taiwan dollars, held in
        billions only, in billions)."""
        scaled = voc.unit_scale(self.code)
        if self.code in voc.UNITS or scaled is None:
            return self.code, round(value * self.factor, 9)
        dimension, scale = scaled
        base = value * self.factor * scale
        units = sorted((u for u in voc.UNITS.values() if u.dimension == dimension), key=lambda u: float(u.factor))
        if not units:
            return self.code, round(value * self.factor, 9)
        unit = next((u for u in reversed(units) if float(u.factor) <= abs(base)), units[0])
        return unit.code, round(base / float(unit.factor), 9)



#: A scale word, or a count of them that makes another unit: "100 million" (the Chinese 亿) is a tenth of a
#: billion, "10 thousand" (万) ten thousands.
_SCALE_WORD = re.compile(r"\b(?:(?P<hundred>100|one hundred|a hundred)\s+million|(?P<ten>10|ten)\s+thousand|"
                         r"(?P<word>thousand|million|billion|trillion)s?)\b|(?P<k>['’]000)\b|(?P<yi>亿)|(?P<wan>万)",
                         re.I)


#: A scale abbreviated after a currency ("($M)", "US$ bn", "RMB mn") or alone in brackets ("Revenue (bn)").
_SCALE_ABBREVIATION = re.compile(r"(?:\$|\b(?:USD|RMB|CNY|EUR|KRW|JPY|TWD|yuan|won|yen|euros?))\s?"
                                 r"(?P<after>mn|mm|bn|m|b|k)\b|\((?P<alone>mn|bn|m)\)", re.I)


#: A unit stated as a whole currency, without a scale ("Unit: yuan   Currency: RMB", "Unit: RMB"), as Chinese filings
#: head their tables.
_WHOLE_UNIT = re.compile(r"\bunits?\s*[:：]\s*(?P<cur>yuan|RMB|CNY|US\s*dollars?|USD|NT\s*dollars?|TWD|won|KRW|yen|JPY)"
                         r"\b(?!\s*(?:thousand|million|billion|trillion|10,?000|100\s+million))", re.I)


def _unit(caption: str, currency_from: str = "") -> Unit | None:
    """The unit of the table's levels from its caption: usd_m for "US$ million", usd_bn for "billions of US
    dollars", usd_k for "(US$ '000)", cny_bn with the factor 0.1 for "RMB 100 million" (亿元 likewise); the
    currency, when the caption names none, from ``currency_from`` (the cells: "$ 4,688"); None when they give
    none."""
    scale = _SCALE_WORD.search(caption)
    if not scale:
        whole = _WHOLE_UNIT.search(caption)
        if whole:  # "Unit: yuan": figures written to the yuan, read in millions
            code = next((c for pattern, c in _CURRENCY if pattern.search(whole.group("cur"))), None)
            if code:
                return Unit(f"{code}_m", 1e-6)
        short = _SCALE_ABBREVIATION.search(caption)
        if not short:
            return None
        size = {"m": "m", "mn": "m", "mm": "m", "b": "bn", "bn": "bn", "k": "k"}[
            (short.group("after") or short.group("alone")).lower()]
        for text in (caption, currency_from):
            for pattern, code in _CURRENCY:
                if pattern.search(text):
                    return Unit(f"{code}_{size}")
        return None
    if scale.group("hundred") or scale.group("yi"):
        size, factor = "bn", 0.1
    elif scale.group("ten") or scale.group("wan"):
        size, factor = "k", 10.0
    else:
        size, factor = _SCALE[(scale.group("word") or "thousand").lower()], 1.0
    for text in (caption, currency_from):
        for pattern, code in _CURRENCY:
            if pattern.search(text):
                return Unit(f"{code}_{size}", factor)
    if scale.group("yi") or scale.group("wan") or re.search(r"元", caption):
        return Unit(f"cny_{size}", factor)
    return None


def _near_unit(caption: str, notes: str, currency_from: str) -> Unit | None:
    """The unit a caption gives nearest its table's header: the header's own label cell and the lines under it,
    then the caption's last lines from the last up ("(Millions of U.S. Dollars)" under prose that speaks of
    billions), then the whole caption."""
    for text in [notes, *reversed([x for x in caption.split("\n") if x.strip()][-4:]), caption]:
        unit = _unit(text, currency_from)
        if unit:
            return unit
    return None


#: A footnote mark after a cell's figure ("2,602 (2)"): the figure is the cell's value.
_FOOTNOTE = re.compile(r"^(?P<figure>\S+)\s\(\d\)$")


def _value(cell: str) -> float | None:
    """The value of a figure cell ("3,260", "(1,896)", "-1.4%", "2,602 (2)" with its footnote mark), else None."""
    mark = _FOOTNOTE.match(cell) or _SCALED.match(cell)
    if mark:
        cell = mark.group("figure")
        cell = re.sub(r"^(?:NT\$|RMB|USD|EUR|€)\s?", "", cell)
    return _number(cell) if _NUMBER.match(cell) else None


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
    ended = _ENDED.search(head)
    if ended and not labels:  # "Year ended March 31, 2024": the fiscal year named by the year it ended in
        labels = ["FY" + ended.group("year")]
    if _RANK.search(head.strip()) or re.search(r"guidance|outlook|forecast|non-gaap|adjusted", head, re.I):
        return "skip", labels
    years = sorted({int(y) for y in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", head)})
    if len(years) == 2 and years[1] - years[0] == 1 and _CHANGE.search(head):  # "2025-2024 Growth (%)"
        return "yoy", [str(years[1])]
    if head.strip() in ("%", "(%)", "% +/-"):
        return "change", labels
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


_THIS_MONTH = re.compile(r"\b(?:current|this)\s+month\b", re.I)
_LAST_MONTH = re.compile(r"\b(?:last|previous|prior)\s+month\b", re.I)
_LAST_YEAR = re.compile(r"\b(?:last|previous|prior)\s+year\b|\byear[- ]ago\b", re.I)


def _relative_to(header: Sequence[str], columns: list[tuple[str, list[str]]], caption_periods: list[str]) -> list[
        tuple[str, list[str]]]:
    """Columns named relative to the month the caption names ("(August 2019) ... Last Month | Current Month |
    % Change"): "Current Month" is that month, "Last Month" the one before, "Last Year" the same month a year
    before; the change column of a table comparing a month with the same month a year before is year on year."""
    month = next((p for p in reversed(caption_periods) if re.fullmatch(r"\d{4}-\d\d", p)), None)
    if month is None or not any(_THIS_MONTH.search(h) for h in header):
        return columns
    year, mon = int(month[:4]), int(month[5:])
    before = f"{year}-{mon - 1:02d}" if mon > 1 else f"{year - 1}-12"
    out: list[tuple[str, list[str]]] = []
    for head, (kind, labels) in zip(header, columns, strict=True):
        if _THIS_MONTH.search(head):
            kind, labels = "level", [month]
        elif _LAST_MONTH.search(head):
            kind, labels = "level", [before]
        elif _LAST_YEAR.search(head):
            kind, labels = "level", [f"{year - 1}-{mon:02d}"]
        out.append((kind, labels))
    if any(_LAST_YEAR.search(h) for h in header):
        out = [("yoy", [month]) if kind == "change" and not labels else (kind, labels) for kind, labels in out]
    return [(kind, [month]) if kind == "change" and not labels else (kind, labels) for kind, labels in out]


#: A column of the period a report covers ("This reporting period", "Current period") or of its year to date ("From
#: the start of the year to the end of the reporting period", "Year to date"), as listed Chinese firms' quarterly
#: reports head their key data.
_THIS_PERIOD = re.compile(r"^\s*(?:this|the|current)\s+(?:reporting\s+)?period\b|^\s*reporting\s+period\b", re.I)
_TO_DATE = re.compile(r"\bfrom\s+the\s+(?:start|beginning)\s+of\s+the\s+year\b|\byear[- ]to[- ]date\b|^\s*YTD\b",
                      re.I)


def _reporting_period(table: Table, columns: list[tuple[str, list[str]]], caption_periods: list[str],
                      doc: date | None) -> list[tuple[str, list[str]]]:
    """Columns named by the report's own period take the period the caption, else a heading above the table,
    names ("Third Quarter 2024 Report"): "This reporting period" is that quarter, "From the start of the year to the
    end of the reporting period" the months from January to its end."""
    if not any(_THIS_PERIOD.search(h) or _TO_DATE.search(h) for h in table.header):
        return columns
    named = caption_periods or [p.label for p in P.extract(table.above, doc) if p.label and p.kind != "date"]
    report = next((x for x in named if re.fullmatch(r"\d{4}(?:Q[1-4]|H[12])", x)), None)
    if report is None:
        return columns
    year, part = report[:4], report[4:]
    end_quarter = int(part[1]) * (2 if part[0] == "H" else 1)
    to_date = report if end_quarter == 1 else f"{year}Q1..{year}Q{end_quarter}" if end_quarter != 2 else f"{year}H1"
    out: list[tuple[str, list[str]]] = []
    for head, (kind, labels) in zip(table.header, columns, strict=True):
        if _TO_DATE.search(head) and not labels and kind == "level":
            labels = [to_date]
        elif _THIS_PERIOD.search(head) and not labels and kind == "level":
            labels = [report]
        out.append((kind, labels))
    return out


def claims(tables: list[Table], kb: KnowledgeBase, doc: date | None, prose: Sequence[Claim] = (),
           firm: str | None = None, fiscal: bool = False, share_market: str | None = None) -> list[Claim]:
    """The claims each table's cells make (ids are set by the caller). A caption that names no measure takes the
    one the prose around the tables states most (`prose`: the claims read from the text), else revenue. A table
    whose rows name no firm or country but measures ("Net sales", "Net income") is the statement of ``firm``, the
    firm the document is about. Firms' shares are of the market the table's title names, else of the
    ``share_market`` the document's headline names (``claims.headline_market``)."""
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
        # else a unit stated in the note just under the table, else in a caption-like line further above
        cells = " ".join(c.text for row in table.rows for c in row if _figure(c.text))
        unit = _near_unit(table.caption, table.notes, "") or _stated_unit(table.below, cells) or \
            _stated_unit(table.above, cells)
        title = _title(table)
        shares = bool(_SHARE.search(title))  # "Global Foundry Market Share (%)": its percent cells are shares
        region = next((m.entity for m in kb.gazetteer.link(title) if m.kind == "country" and m.entity),
                      share_market)
        caption_periods = [p.label for p in P.extract(table.caption, doc) if p.label and p.kind != "date"]
        columns = _relative_to(table.header, [_column(h, doc) for h in table.header], caption_periods)
        columns = _reporting_period(table, columns, caption_periods, doc)
        # a column header may state its own unit ("Q1 2024 revenue (US$ billion)"), which its levels take
        column_units = [_unit(h, cells) for h in table.header]
        current = next((labels[0] for kind, labels in columns if kind == "level" and labels),
                       caption_periods[-1] if caption_periods else None)
        entities = []
        named: list[bool] = []  # each row's label names something, not a measure or a total
        for row in table.rows:
            label = next((c for c in row if c.text and not _NUMBER.match(c.text)), None)
            # a row named by a measure is a statement's row, also when it names the firm ("Net Income
            # Attributable to KLA")
            measure = label is not None and any(name != "skip" and pattern.match(label.text)
                                                for name, pattern in _ROW_METRICS)
            linked = kb.gazetteer.link(label.text) if label and not measure else []
            entity = next((m.entity for m in linked if m.kind in ("firm", "country") and m.entity), None)
            entities.append((label, entity, next((m.kind for m in linked if m.entity == entity), None)))
            named.append(label is not None and not measure and not _TOTAL.match(label.text))
        kinds = {k for _, e, k in entities if e}
        if kinds == {"firm"}:  # a table of firms: its rows named by firms the knowledge base does not hold are firms
            entities = [(label, outside, "firm") if entity is None and label is not None and name and
                        (outside := ranked_firm_id(label.text)) else (label, entity, kind)
                        for (label, entity, kind), name in zip(entities, named, strict=True)]
        # a ranking of firms (a rank or a share column) gives each firm's revenue in the market it ranks, which is
        # not the firm's own revenue (Gartner's "semiconductor revenue" of Intel is not Intel's net revenue)
        ranking = kinds == {"firm"} and (any(col == "share" for col, _ in columns) or shares or
                                         any(_RANK.search(h.strip()) for h in table.header))
        # sales by country or region ("Europe", "China", "Total"): each row is the size or growth of its market
        regional = kinds == {"country"} and _LEVEL[family] == "revenue"
        if not kinds:
            if firm is not None and not _NON_GAAP.search(title):
                out += _statement(table, columns, firm, kb, doc, fiscal)
            continue
        for row, (label, entity, kind) in zip(table.rows, entities, strict=True):
            market = False  # the total row of a ranking of firms is the market they share
            if entity is None and label is not None and _TOTAL.match(label.text) and len(kinds) == 1:
                market = kinds == {"firm"}
                entity, kind = "WLD", "country"
            if entity is None or label is None:
                continue
            metric_family = _LEVEL[family]
            if (kind == "firm" or market) and metric_family in ("imports", "exports", "equipment_purchases"):
                metric_family = "revenue"
            for cell, (col, labels), column_unit in zip(row, columns, column_units, strict=True):
                if cell is label or col == "skip":
                    continue
                value = _value(cell.text)
                if value is None:
                    continue
                level_unit = _own_unit(cell.text) or column_unit or unit
                period = labels[0] if labels else current
                if col == "share" or (col == "level" and shares and cell.text.endswith("%")):
                    if market:  # the market's share of itself
                        continue
                    metric, cell_unit = "market_share", "pct"
                elif col in ("qoq", "yoy", "change"):
                    metric = "market_growth" if market or regional else _GROWTH.get(metric_family, "revenue_growth")
                    cell_unit = {"qoq": "pct_qoq", "yoy": "pct_yoy"}.get(col, "pct_change")
                else:
                    if level_unit is None or cell.text.endswith("%"):
                        continue
                    metric = "market_size" if (market or regional) and metric_family == "revenue" else metric_family
                    cell_unit, value = level_unit.amount(value)
                out.append(Claim("", entity, kb.name_of(entity), metric, value, cell_unit, period, cell.start,
                                 cell.end, (cell.start, cell.end), (table.start, table.end),
                                 region=region if metric == "market_share" and kind == "firm" else None,
                                 definition=RANKED_REVENUE if ranking and kind == "firm" and
                                 metric in ("revenue", "revenue_growth") else None,
                                 confidence=0.6, text=cell.text))
    return out


_MONTH_NUMBER = {m: k for k, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                               "nov", "dec"), 1)}
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b\.?"
_FISCAL_YEAR = re.compile(rf"fiscal\s+year\s+(?:is|runs)\s+(?:from\s+)?(?P<first>{_MONTH})\s*(?:-|–|to)\s*"
                          rf"(?P<last>{_MONTH})|fiscal\s+years?\s+(?:ends?|ended|ending)\s+(?:(?:in|on)\s+"
                          rf"(?:the\s+last\s+\w+\s+(?:of|in)\s+)?(?P<ends>{_MONTH})|(?P<dated>{_MONTH})\s+\d)", re.I)


def _stated_fiscal_year_end(text: str) -> int | None:
    """The month a table's fiscal year ends in, as its caption states it ("Fiscal year is Jul - Jun": June;
    "fiscal year ends in September"), or None."""
    m = _FISCAL_YEAR.search(text)
    if m is None:
        return None
    month = (m.group("last") or m.group("ends") or m.group("dated") or "").lower()[:3]
    return _MONTH_NUMBER.get(month)


def _statement(table: Table, columns: list[tuple[str, list[str]]], firm: str, kb: KnowledgeBase,
               doc: date | None, fiscal: bool = False) -> list[Claim]:
    """The claims of a firm's own statement: each row a measure (revenue, net and operating profit, gross
    margin; see ``_ROW_METRICS``), each column a period or a change. Money rows take the unit their label gives
    ("Net sales (millions of yen)"), else the one the caption gives nearest the header, the currency from the
    figures when the caption names only the scale ("(In millions)" over "$ 4,688"); changes are growth of revenue
    only, year on year when the header or the caption says so. A fiscal year of a firm whose fiscal year is the
    calendar year (as the caption states it, "Fiscal year is Jan - Dec", else as the data holds it) is that year;
    a month heading a quarterly statement ("Quarters Ended September 27, 2020" over "September 2020") is the
    quarter ending in it. In a text that speaks of fiscal years (``fiscal``), a quarter headed with its year ("Q2
    2026") of a firm whose fiscal year ends in another month than December is the firm's fiscal quarter
    (FY2026Q2), as it heads its own releases."""
    out: list[Claim] = []
    fy_end = _stated_fiscal_year_end(table.caption + " " + table.notes) or kb.fiscal_year_end(firm)
    quarterly = bool(re.search(r"\bquarter", table.caption + " " + table.notes, re.I))
    yoy_text = bool(_YOY_TEXT.search(table.caption + " " + table.notes))

    def period(labels: list[str]) -> str | None:
        if not labels:
            return None
        label = labels[0]
        if fy_end == 12:
            label = re.sub(r"^FY(\d{4})", r"\1", label)
        elif fiscal and re.fullmatch(r"\d{4}Q[1-4]", label):
            label = "FY" + label
        m = re.fullmatch(r"(\d{4})-(\d\d)", label)
        if m and quarterly and int(m.group(2)) % 3 == 0:
            label = f"{m.group(1)}Q{int(m.group(2)) // 3}"
        return label

    # a change column without a period of its own is of the level column left of it when the columns alternate
    # (level, change, level, change), else of the first level column (the current period: "... | YoY | QoQ")
    kinds = [kind for kind, _ in columns[1:] if kind != "skip"]
    alternate = len(kinds) >= 2 and kinds[0::2] == ["level"] * len(kinds[0::2]) and \
        all(k in ("qoq", "yoy", "change") for k in kinds[1::2])
    periods: list[str | None] = []
    for kind, labels in columns:
        periods.append(period(labels) if labels or kind == "level" else
                       (periods[-1] if periods and alternate else None))
    first_level = next((p for (kind, _), p in zip(columns, periods, strict=True) if kind == "level" and p), None)
    cells_text = " ".join(c.text for row in table.rows for c in row[1:])  # the currency the figures are written in
    metrics = [next((name for name, pattern in _ROW_METRICS if pattern.search(row[0].text)), None)
               if row[0].text and not _figure(row[0].text) else None for row in table.rows]
    # a row "percent of revenue" under the gross margin in money gives the gross margin in percent
    metrics = [("gross_margin" if k and metrics[k - 1] == "gross_margin" else "skip")
               if _OF_REVENUE.match(row[0].text) else m for k, (row, m) in enumerate(zip(table.rows, metrics,
                                                                                        strict=True))]
    # of two rows of one measure, the one named by the measure alone or as the total ("Revenue", "Total revenue")
    # is the measure; the other ("Operating Revenue" beside "Revenue") is a part of it
    plain = {m for row, m in zip(table.rows, metrics, strict=True) if m and _PLAIN_ROW.match(row[0].text)}
    for row, metric in zip(table.rows, metrics, strict=True):
        label = row[0]
        if metric is None or metric == "skip" or (metric in plain and not _PLAIN_ROW.match(label.text)):
            continue
        # a row may state its scale ("Revenue (bn)") where the caption states the currency ("results (RMB)")
        title = _title(table)
        unit = _unit(label.text, f"{cells_text} {table.notes} {title}") or \
            _near_unit(table.caption, table.notes, cells_text)
        for cell, (col, _labels), when in zip(row[1:], columns[1:], periods[1:], strict=True):
            value = _value(cell.text)
            if value is None or col == "skip":
                continue
            when = when or (first_level if col != "level" else None)
            if metric == "gross_margin":
                if col != "level" or not ("%" in cell.text or "%" in label.text):
                    continue
                name, cell_unit = "gross_margin", "pct"
            elif metric == "revenue_growth":  # a row of growth rates ("Revenue Growth (YoY)"), by period
                if col != "level" or not cell.text.endswith("%"):
                    continue
                name = "revenue_growth"
                cell_unit = "pct_yoy" if yoy_text or _YOY.search(label.text) else "pct_change"
            elif col in ("qoq", "yoy", "change"):
                if metric != "revenue":
                    continue
                name = "revenue_growth"
                cell_unit = {"qoq": "pct_qoq", "yoy": "pct_yoy"}.get(col, "pct_yoy" if yoy_text else "pct_change")
            elif metric == "shipments":  # counted in units, whatever the table's money unit
                if col != "level" or cell.text.endswith("%"):
                    continue
                name, cell_unit = "shipments", "units"
            elif col == "level" and (_own_unit(cell.text) or unit) is not None and not cell.text.endswith("%"):
                level_unit = _own_unit(cell.text) or unit
                assert level_unit is not None
                name = metric
                cell_unit, value = level_unit.amount(value)
            else:
                continue
            out.append(Claim("", firm, kb.name_of(firm), name, value, cell_unit, when, cell.start, cell.end,
                             (cell.start, cell.end), (table.start, table.end), confidence=0.6, text=cell.text))
    return out
