"""Small SVG charts written as text, for the offline HTML report (the pages draw theirs in the browser).

Shares are in percent (0-100), as every answer gives them; unknown values (None) are drawn as unknown, never as
zero.
"""

from __future__ import annotations

import math
import textwrap
import unicodedata
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from chipshift.reports.labels import OTHER_BASIS_LEGEND, BandAxis, DataEnd, band_axis, number, tick, tick_steps
from chipshift.reports.palette import BAR_STRIPES, MODEL, POINT_SHAPES, SPAN_OPACITY, SPAN_WIDTH
from chipshift.reports.palette import PALETTE as PALETTE  # re-exported: the one palette of every medium

FONT = ('system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", Arial, "chipshift CJK", '
        'sans-serif')
GRID, MUTED = "#e3e8ee", "#5b6b7c"
_REDS = ((255, 245, 240), (252, 187, 161), (251, 106, 74), (203, 24, 29), (153, 0, 13))


def _point(x: float, y: float, fill: str, stroke: str, cue: int = 0, css: str = "", inner: str = "") -> str:
    """A published figure's mark at (x, y), by its series' cue (``palette.POINT_SHAPES``): a diamond, a triangle
    or a square; ``css``: its class; ``inner``: its tooltip."""
    shape = POINT_SHAPES[cue % len(POINT_SHAPES)]
    attrs = f' class="{css}"' if css else ""
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="1.5" data-shape="{shape}"'
    if shape == "triangle":
        return (f'<polygon{attrs} points="{x:.1f},{y - 5.5:.1f} {x + 5:.1f},{y + 3.5:.1f} {x - 5:.1f},{y + 3.5:.1f}" '
                f'{paint}>{inner}</polygon>')
    turn = f' transform="rotate(45 {x:.1f} {y:.1f})"' if shape == "diamond" else ""
    return f'<rect{attrs} x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {paint}{turn}>{inner}</rect>'


def _stripes(x: float, y: float, w: float, h: float, cue: int) -> str:
    """The stripes over a part of a stack by its series' cue (``palette.BAR_STRIPES``): none, across or upright,
    white lines 4 px apart."""
    kind = BAR_STRIPES[cue % len(BAR_STRIPES)]
    line = '<line x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}" stroke="#fff" stroke-width="1.2"/>'
    if kind == "across":
        return "".join(line.format(x, x + w, y + k, y + k) for k in range(2, int(h), 4))
    if kind == "upright":
        return "".join(line.format(x + k, x + k, y, y + h) for k in range(2, int(w), 4))
    return ""


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _pct(v: float | None, digits: int = 0) -> str:
    return "unknown" if v is None else f"{v:.{digits}f}%"


def _open(width: int, height: float, title: str) -> list[str]:
    """An SVG drawn ``width`` x ``height``: shown wider where the page has room, never narrower (its text stays
    at the size drawn)."""
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:g}" '
            f'viewBox="0 0 {width} {height:g}" font-family=\'{FONT}\' font-size="12" role="img" '
            f'style="min-width:{width}px" aria-label="{escape(title)}"><title>{escape(title)}</title>'
            f'<rect width="{width}" height="{height:g}" fill="#fff"/>']


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _wrap(text: str, px: float, size: float) -> list[str]:
    """``text`` in lines of at most ``px`` pixels at ``size``: about 0.58 of the size a character, a full size for
    a wide (Chinese, Japanese, Korean) one; between words, and between any two wide characters (a run of them
    has no spaces), so that a Chinese title or footer wraps within the chart as a Latin one does."""
    if not any(_wide(ch) for ch in text):
        return textwrap.wrap(text, max(8, int(px / (size * 0.58))))
    room = max(8 * size * 0.58, px)
    # each wide character a token of its own, each run of other characters one (its spaces kept with it)
    tokens: list[str] = []
    for ch in text:
        if _wide(ch) or not tokens or ch.isspace() != tokens[-1].isspace() or _wide(tokens[-1][-1]):
            tokens.append(ch)
        else:
            tokens[-1] += ch
    lines: list[str] = []
    line, used = "", 0.0
    for token in tokens:
        w = sum(size if _wide(ch) else size * 0.58 for ch in token)
        if token.isspace():
            if line:
                line, used = line + " ", used + size * 0.58
            continue
        if line and used + w > room:
            lines.append(line.rstrip())
            line, used = "", 0.0
        while w > room:  # a word longer than a line: cut where it fills one
            k = max(1, int(room / (size * 0.58)))
            lines.append(token[:k])
            token = token[k:]
            w = sum(size if _wide(ch) else size * 0.58 for ch in token)
        line, used = line + token, used + w
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _frame(width: int, height: float, title: str, body: list[str], footer: str | None = None) -> str:
    """A chart: its title above (wrapped to its width), the ``body`` drawn for a box ``width`` x ``height``, and
    under it the footer (what its figures rest on), all inside the picture; in a box it fills, which scrolls
    sideways, reached by Tab, where the page is narrower than a chart reads (the reports' style sheet)."""
    head, foot = _wrap(title, width - 16, 13), _wrap(footer, width - 16, 10) if footer else []
    room = len(head) * 17 + 8
    total = room + height + (len(foot) * 13 + 8 if foot else 0)
    out = _open(width, total, title)
    out += [f'<text class="chart-title" x="8" y="{18 + i * 17}" font-size="13" font-weight="700">{escape(line)}'
            '</text>' for i, line in enumerate(head)]
    out += [f'<g transform="translate(0 {room})">', *body, "</g>"]
    out += [f'<text class="footer" x="8" y="{room + height + 10 + i * 13:g}" font-size="10" fill="{MUTED}">'
            f'{escape(line)}</text>' for i, line in enumerate(foot)]
    out.append("</svg>")
    return (f'<div class="chart" tabindex="0" role="region" aria-label="chart: {escape(title)}">'
            + "".join(out) + "</div>")


def _axis_label(text: str | None, width: int) -> list[str]:
    """The value axis's label (what the values are, in their unit), above the axis's top tick at the left edge."""
    if not text:
        return []
    return [f'<text class="axis-label" x="8" y="12" font-size="11" fill="{MUTED}">'
            f'{escape(_clip(text, max(8, int((width - 16) / 6.4))))}</text>']


def _legend(names: Sequence[str], x0: float, room: float) -> tuple[list[tuple[float, int, str]], int]:
    """Legend entries (x, row, name) from ``x0``, left to right, on a new row when the next would pass
    ``x0 + room``: names whole unless one alone is wider than the room."""
    items: list[tuple[float, int, str]] = []
    x, row = x0, 0
    for name in names:
        text = _clip(name, max(8, int((room - 26) / 7)))
        w = 18 + len(text) * 7 + 18
        if x > x0 and x + w > x0 + room:
            row, x = row + 1, x0
        items.append((x, row, text))
        x += w
    return items, (row + 1 if names else 0)


def ranges(rows: list[tuple[str, list[tuple[float | None, float | None]]]], series: list[str], title: str,
           width: int = 760, footer: str | None = None) -> str:
    """Per row, one band per series from lower to upper, in percent (e.g. barred share before and after)."""
    n = len(series)
    band, gap = 14, 10
    label_w: float = min(300, max([60, *(len(_clip(r[0], 42)) * 7 for r in rows)])) + 12
    legend, legend_rows = _legend(series, label_w, width - label_w - 8)
    top = 26 + legend_rows * 20
    plot_w = width - label_w - 110
    height = top + len(rows) * (n * band + gap) + 10
    out: list[str] = []
    for k, (x, row, name) in enumerate(legend):
        out.append(f'<rect x="{x}" y="{8 + row * 20}" width="12" height="12" fill="{PALETTE[k]}"/>'
                   f'<text class="legend" x="{x + 18}" y="{18 + row * 20}">{escape(name)}</text>')
    for t in (0, 25, 50, 75, 100):
        x = label_w + plot_w * t / 100
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 6}" y2="{height - 6}" stroke="{GRID}"/>'
                   f'<text x="{x:.1f}" y="{top - 10}" text-anchor="middle" fill="{MUTED}" font-size="11">'
                   f'{t}%</text>')
    for i, (label, values) in enumerate(rows):
        y = top + i * (n * band + gap)
        out.append(f'<text x="{label_w - 8}" y="{y + n * band / 2 + 4:.1f}" text-anchor="end">'
                   f'{escape(_clip(label, 42))}</text>')
        for k, (lo, hi) in enumerate(values):
            yy = y + k * band
            if lo is None and hi is None:
                out.append(f'<text x="{label_w + 4}" y="{yy + band - 3}" fill="{MUTED}" font-size="11">unknown</text>')
                continue
            lo_v = lo if lo is not None else 0.0
            hi_v = hi if hi is not None else lo_v
            color = PALETTE[k % len(PALETTE)]
            text = _pct(lo_v) if abs(hi_v - lo_v) < 0.05 else f"{_pct(lo_v)}–{_pct(hi_v)}"
            bar_w = max(2.0, plot_w * (hi_v - lo_v) / 100)
            out.append(f'<rect x="{label_w + plot_w * lo_v / 100:.1f}" y="{yy + 2}" width="{bar_w:.1f}" '
                       f'height="{band - 4}" fill="{color}" fill-opacity="0.35" stroke="{color}"/>'
                       f'<text x="{label_w + plot_w + 8:.1f}" y="{yy + band - 3}" fill="{MUTED}" font-size="11">'
                       f'{text}</text>')
    return _frame(width, height, title, out, footer)


def bands(labels: Sequence[str], series: list[tuple[str, list[float | None], list[float | None]]], title: str,
          width: int = 760, height: int = 300, footer: str | None = None,
          positions: Sequence[float] | None = None, axis: str | None = None) -> str:
    """Shares (percent) over dates: per series (name, lower bounds, upper bounds; one value per label) a solid
    line at its upper bound and a dashed one at its lower bound, in one colour; unknown values leave a gap.
    ``positions`` places the labels on the axis (e.g. days), else they are evenly spaced; ``axis``: the value
    axis's label (over the axis, under the legend)."""
    left, right, top, bottom = 50, 44, 16, 30
    at = list(positions) if positions is not None else [float(i) for i in range(len(labels))]
    legend, legend_rows = _legend([name for name, _, _ in series], left, width - left - right)
    top += legend_rows * 20 + 14
    n = len(labels)

    def X(i: int) -> float:
        return left + (0.5 if n < 2 or at[-1] == at[0] else (at[i] - at[0]) / (at[-1] - at[0])) * (width - left - right)

    def Y(v: float) -> float:
        return top + (1 - v / 100) * (height - top - bottom)

    def inside(y: float, stroke: float) -> float:
        """A line at 0% or 100% drawn inside the plot by half its width, not astride the axis (where a thick dashed
        one reads as a comb)."""
        return min(max(y, Y(100) + stroke / 2), Y(0) - stroke / 2)

    out: list[str] = []
    for k, (x, row, name) in enumerate(legend):
        out.append(f'<rect x="{x}" y="{8 + row * 20}" width="12" height="12" fill="{PALETTE[k % len(PALETTE)]}"/>'
                   f'<text class="legend" x="{x + 18}" y="{18 + row * 20}">{escape(name)}</text>')
    out.append(f'<text x="{width - right}" y="{top - 8}" text-anchor="end" font-size="11" fill="{MUTED}">solid: upper '
               'bound · dashed: lower bound</text>')
    if axis:
        out.append(f'<text class="axis-label" x="8" y="{top - 8}" font-size="11" fill="{MUTED}">{escape(axis)}</text>')
    for t in (0, 25, 50, 75, 100):
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{Y(t):.1f}" y2="{Y(t):.1f}" stroke="{GRID}"/>'
                   f'<text x="{left - 6}" y="{Y(t) + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
                   f'{t}%</text>')
    room, shown = max([len(x) for x in labels] or [4]) * 7 + 8, -1e9  # a label's width: none overlaps another
    for i, label in enumerate(labels):
        if i == n - 1 or (X(i) - shown >= room and X(n - 1) - X(i) >= room):
            shown = X(i)
            out.append(f'<text x="{X(i):.1f}" y="{height - 10}" text-anchor="middle" font-size="11" fill="{MUTED}">'
                       f'{escape(label)}</text>')
    for k, (name, lower, upper) in enumerate(series):
        # each series drawn wider than the next (2.5 px a series, as charts.js draws it), so that where two meet the
        # one under shows round the one over it, never hidden by it
        color, wider = PALETTE[k % len(PALETTE)], 2.5 * (len(series) - 1 - k)
        for values, dash in ((upper, ""), (lower, ' stroke-dasharray="5 3"')):
            run: list[str] = []
            for i, v in enumerate([*values, None]):
                if v is not None:
                    run.append(f"{X(i):.1f},{inside(Y(v), 2 + wider):.1f}")
                    continue
                if len(run) > 1:  # a point alone is drawn by its mark below
                    out.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" '
                               f'stroke-width="{2 + wider:g}"{dash}/>')
                run = []
        for i, (lo, hi) in enumerate(zip(lower, upper, strict=True)):
            if hi is not None:
                out.append(f'<circle cx="{X(i):.1f}" cy="{Y(hi):.1f}" r="{2.5 + wider / 2:g}" fill="{color}"><title>'
                           f'{escape(name)}, '
                           f'{escape(labels[i])}: {_pct(lo, 1)}–{_pct(hi, 1)}</title></circle>')
    return _frame(width, height, title, out, footer)


def _red(t: float | None) -> str:
    """The colour of ``t`` on the reds, which run over [0, 1]."""
    if t is None:
        return "#eceff2"
    t = max(0.0, min(1.0, t))
    x = t * (len(_REDS) - 1)
    i = min(int(x), len(_REDS) - 2)
    f = x - i
    c = [round(a + (b - a) * f) for a, b in zip(_REDS[i], _REDS[i + 1], strict=True)]
    return f"rgb({c[0]},{c[1]},{c[2]})"


def heatmap(rows: list[tuple[str, str, list[float | None]]], columns: list[str], title: str,
            footer: str | None = None) -> str:
    """Rows (label, group, values in percent) by columns, coloured by value (reds, 0-100%)."""
    cell_w, cell_h, top = 110, 18, 56
    label_w = min(320, max([100, *(len(_clip(r[0], 44)) * 7 for r in rows)])) + 14
    groups = list(dict.fromkeys(r[1] for r in rows))
    height = top + len(rows) * cell_h + len(groups) * 24 + 10
    width = label_w + len(columns) * cell_w + 20
    out: list[str] = []
    for i in range(20):
        out.append(f'<rect x="{label_w + i * 11}" y="6" width="11.5" height="10" fill="{_red(i / 19)}"/>')
    out.append(f'<text x="{label_w - 6}" y="15" text-anchor="end" font-size="11" fill="{MUTED}">0%</text>'
               f'<text x="{label_w + 226}" y="15" font-size="11" fill="{MUTED}">100% barred</text>')
    for j, c in enumerate(columns):
        out.append(f'<text x="{label_w + j * cell_w + cell_w / 2}" y="{top - 10}" text-anchor="middle" '
                   f'font-weight="600" font-size="11">{escape(c)}</text>')
    y = top
    for g in groups:
        out.append(f'<text x="4" y="{y + 16}" font-weight="700">{escape(g)}</text>'
                   f'<line x1="0" x2="{width}" y1="{y + 21}" y2="{y + 21}" stroke="{GRID}"/>')
        y += 24
        for label, group, values in rows:
            if group != g:
                continue
            out.append(f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end">{escape(_clip(label, 44))}</text>')
            for j, v in enumerate(values):
                ink = "#fff" if v is not None and v > 55 else "#1d2733"
                out.append(f'<rect x="{label_w + j * cell_w + 1}" y="{y + 1}" width="{cell_w - 2}" '
                           f'height="{cell_h - 2}" fill="{_red(None if v is None else v / 100)}"/>'
                           f'<text x="{label_w + j * cell_w + cell_w / 2}" y="{y + 13}" '
                           f'text-anchor="middle" font-size="11" fill="{ink}">{_pct(v)}</text>')
            y += cell_h
    return _frame(width, height, title, out, footer)


def _num(v: float, unit: str) -> str:
    """A value on an axis or in a tooltip: a percent, a large number in full (40,000, not 4e+04), else four digits."""
    if unit == "%":
        return number(v, "pct")
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.4g}"


def trajectory(points: list[dict[str, Any]], published: list[dict[str, Any]], observed: list[dict[str, Any]],
               title: str, unit: str = "%", width: int = 760, height: int = 320,
               x_labels: Sequence[str] | None = None, footer: str | None = None,
               model: str = "model (fitted)", axis: str | None = None,
               spans: Sequence[tuple[float, float, float, str]] = (), colours: Mapping[str, str] | None = None,
               band: BandAxis | None = None, cues: Mapping[str, int] | None = None,
               data_end: tuple[float, DataEnd] | None = None) -> str:
    """The model's value by year (points: x, value, p5?, p95?) with its p5-p95 band, published estimates
    as diamonds (published: x, value, publisher (its legend), label or tip (its tooltip), hollow: a figure of a
    longer period than the line's) and the observations fitted to circled. With ``x_labels`` the x
    values are positions 0, 1, ... named by them (e.g. quarters). ``model``: the legend of the model's line;
    ``axis``: the value axis's label, with the unit (``reports.labels.describe``'s ``axis``); ``spans``: the model's
    value for a longer period (from, to, value, label: a fiscal year across the quarters it spans); ``colours``:
    the run's colour of each series by name (``labels.chart_colours``): a published figure takes its
    ``credit``'s (its publisher where its legend says more), else its ``publisher``'s; ``band``: the value axis
    (``labels.output_band_axis``, as the chart files and the web draw it), else worked out from what is drawn;
    ``cues``: past the palette's colours, a series' second cue by name (``labels.chart_cues``): its figures drawn
    as triangles or squares (``_point``); ``data_end``: where a linked run's sourced data end (the x value half a
    step after its last quarter with sourced values, and ``labels.data_end``), a dashed rule labelled there."""
    left, right, top, bottom = 64, 200, 34 if axis else 16, 30
    # a wide band takes the axis no higher than labels.BAND_ROOM times the values drawn: past that it is cut at the
    # top, and the plot says where the band's top is (labels.band_axis: the rule of every medium)
    if band is None:
        band = band_axis([p["value"] for p in points] + [p["value"] for p in published]
                         + [o["value"] for o in observed], [p.get("p95") for p in points],
                         "pct" if unit == "%" else None)
    top_v, clipped = band.top, band.clipped
    xs = sorted({p["x"] for p in points})

    def X(x: float) -> float:
        return left + (0.5 if len(xs) < 2 else (x - xs[0]) / (xs[-1] - xs[0])) * (width - left - right)

    def Y(v: float) -> float:
        return top + (1 - min(v, top_v) / top_v) * (height - top - bottom)

    out: list[str] = _axis_label(axis, width)
    steps = tick_steps(top_v)  # each step a nice number, every tick with the decimals it needs (labels.tick)
    for i in range(steps + 1):
        t = top_v * i / steps
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{Y(t):.1f}" y2="{Y(t):.1f}" stroke="{GRID}"/>'
                   f'<text x="{left - 6}" y="{Y(t) + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
                   f'{tick(t, top_v / steps, "pct" if unit == "%" else None)}</text>')
    def name(x: Any) -> str:
        return escape(str(x_labels[int(x)] if x_labels is not None else x))

    # every k-th step named, so that the names (about 7 px a character) never run into each other
    widest = max([len(str(x_labels[int(x)] if x_labels is not None else x)) for x in xs] or [4]) * 7 + 8
    every = max(1, math.ceil(len(xs) * widest / max(1, width - left - right)))
    for i, x in enumerate(xs):
        if i % every == 0:
            out.append(f'<text x="{X(x):.1f}" y="{height - 10}" text-anchor="middle" font-size="11" '
                       f'fill="{MUTED}">{name(x)}</text>')
    if data_end is not None:
        at, end = data_end
        out.append(f'<g class="data-end"><title>{escape(end.note)}</title><line x1="{X(at):.1f}" x2="{X(at):.1f}" '
                   f'y1="{top:.1f}" y2="{height - bottom:.1f}" stroke="{MUTED}" stroke-width="1" '
                   f'stroke-dasharray="4 3"/><text x="{X(at):.1f}" y="{top + (28 if band.note else 12):.1f}" '
                   'text-anchor="middle" '
                   f'font-size="11" fill="#1d2733" stroke="#fff" stroke-width="3" paint-order="stroke">'
                   f'{escape(end.label)}</text></g>')
    color = MODEL
    legend: list[tuple[str, str, str]] = []
    banded = [p for p in points if p.get("p5") is not None and p.get("p95") is not None]
    if banded:
        poly = [f"{X(p['x']):.1f},{Y(p['p95']):.1f}" for p in banded] + \
            [f"{X(p['x']):.1f},{Y(p['p5']):.1f}" for p in reversed(banded)]
        out.append(f'<polygon points="{" ".join(poly)}" fill="{color}" fill-opacity="0.18"><title>5-95% of the draws'
                   '</title></polygon>')
        legend.append((color, "band", "model: 5-95% of draws" + (
            f" (it runs above the axis, to {_num(max(p['p95'] for p in banded), unit)})" if clipped else "")))
        if band.note:
            out.append(f'<text class="off-scale" x="{width - right - 4}" y="{top + 12}" text-anchor="end" '
                       f'font-size="11" fill="#1d2733" stroke="#fff" stroke-width="3" paint-order="stroke">'
                       f'▲ {escape(band.note)}</text>')
    # the model's value for a longer period, across the quarters it spans: a wide light bar behind the quarterly
    # line, so that where the two are equal it shows as a halo round the line rather than hiding under it
    for first, last, value, label in spans:
        out.append(f'<line class="model-span" x1="{X(first) - 6:.1f}" x2="{X(last) + 6:.1f}" y1="{Y(value):.1f}" '
                   f'y2="{Y(value):.1f}" stroke="{color}" stroke-width="{SPAN_WIDTH}" stroke-opacity="{SPAN_OPACITY}">'
                   f'<title>model, {escape(label)}: {_num(value, unit)}</title></line>')
    line = " ".join(f"{X(p['x']):.1f},{Y(p['value']):.1f}" for p in points)
    out.append(f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="2.2"/>')
    for p in points:
        out.append(f'<circle cx="{X(p["x"]):.1f}" cy="{Y(p["value"]):.1f}" r="3.5" fill="{color}"><title>model '
                   f'{name(p["x"])}: {_num(p["value"], unit)}</title></circle>')
    legend.append((color, "line", model))
    if spans:
        legend.append((color, "span", "model, for a year or fiscal year (across its quarters)"))
    publishers = list(dict.fromkeys(p["publisher"] for p in published))
    hues = colours or {}
    # each legend entry in its publisher's colour of the run, by position only where the run gives none
    shade = {name: next((hues[c] for p in published if p["publisher"] == name
                         for c in (str(p.get("credit") or name), name) if c in hues), PALETTE[(1 + k) % len(PALETTE)])
             for k, name in enumerate(publishers)}
    # and its shape by the run's cue of it (a diamond while the palette's colours suffice)
    shape = {name: next(((cues or {})[c] for p in published if p["publisher"] == name
                         for c in (str(p.get("credit") or name), name) if c in (cues or {})), 0) for name in publishers}
    at_x: dict[Any, list[int]] = {}
    for k, p in enumerate(published):
        at_x.setdefault(p["x"], []).append(k)
    slot = (width - left - right) / max(1, len(xs) - 1)
    for k, p in enumerate(published):
        c = shade[p["publisher"]]
        same = at_x[p["x"]]  # the figures of one year side by side, so that none hides another
        # (a figure of a longer period, between steps, has the room of the steps it spans)
        step = min(9.0, slot * (0.5 if float(p["x"]).is_integer() else 3) / max(1, len(same) - 1))
        x, y = X(p["x"]) + (same.index(k) - (len(same) - 1) / 2) * step, Y(p["value"])
        tip = p.get("tip") or (f'{p["publisher"]}, {p["label"] if p.get("label") else name(p["x"])}: '
                               f'{_num(p["value"], unit)}')
        fill, edge = ("#fff", c) if p.get("hollow") else (c, "#fff")
        out.append(_point(x, y, fill, edge, shape[p["publisher"]], "published", f"<title>{escape(str(tip))}</title>"))
    legend += [(shade[name], f"point{shape[name]}", str(name)) for name in publishers]
    if any(p.get("hollow") for p in published):
        legend.append((MUTED, "hollow", OTHER_BASIS_LEGEND))
    for o in observed:
        when = escape(str(o["label"])) if o.get("label") else name(o["x"])
        out.append(f'<circle cx="{X(o["x"]):.1f}" cy="{Y(o["value"]):.1f}" r="8" fill="none" stroke="#1d2733" '
                   f'stroke-width="1.5"><title>fitted to: {when} observed {_num(o["value"], unit)}</title>'
                   '</circle>')
    if observed:
        legend.append(("#1d2733", "ring", "observation fitted to"))
    y = top
    for c, kind, label in legend:
        x = width - right + 14
        lines = _wrap(label, right - 40, 11)
        if len(lines) > 6:
            lines = [*lines[:5], _clip(" ".join(lines[5:]), 28)]
        mark = {"band": f'<rect x="{x}" y="{y - 6}" width="16" height="10" fill="{c}" fill-opacity="0.25"/>',
                "line": f'<line x1="{x}" x2="{x + 16}" y1="{y}" y2="{y}" stroke="{c}" stroke-width="2.2"/>',
                "span": f'<line x1="{x}" x2="{x + 16}" y1="{y}" y2="{y}" stroke="{c}" stroke-width="{SPAN_WIDTH}" '
                        f'stroke-opacity="{SPAN_OPACITY}"/>',
                **{f"point{k}": _point(x + 8, y, c, c, k) for k in range(len(POINT_SHAPES))},
                "hollow": f'<rect x="{x + 4}" y="{y - 4}" width="8" height="8" fill="#fff" stroke="{c}" '
                          f'stroke-width="1.5" transform="rotate(45 {x + 8} {y})"/>',
                "ring": f'<circle cx="{x + 8}" cy="{y}" r="6" fill="none" stroke="{c}" stroke-width="1.5"/>'}[kind]
        out.append(f'{mark}<text class="legend" x="{x + 22}" y="{y + 4}" font-size="11">' + "".join(
            f'<tspan x="{x + 22}" dy="{13 if k else 0}">{escape(line)}</tspan>' for k, line in enumerate(lines))
            + "</text>")
        y += 18 + (len(lines) - 1) * 13
    return _frame(width, max(height, y + 10), title, out, footer)


def stack(rows: list[tuple[int, list[tuple[str, float]]]], title: str, width: int = 760, height: int = 320,
          footer: str | None = None, axis: str | None = None, colours: Mapping[str, str] | None = None,
          cues: Mapping[str, int] | None = None) -> str:
    """Shares in percent stacked by year: rows (year, [(name, share)]); ``axis``: the value axis's label;
    ``colours``: the run's colour of each part by name (``labels.chart_colours``), else by position; ``cues``: past
    the palette's colours, a part's second cue by name (``labels.chart_cues``): its stripes (``_stripes``)."""
    left, right, top, bottom = 50, 160, 34 if axis else 16, 30
    names = list(dict.fromkeys(name for _, parts in rows for name, _ in parts))
    shade = {name: (colours or {}).get(name) or PALETTE[k % len(PALETTE)] for k, name in enumerate(names)}
    slot = (width - left - right) / max(1, len(rows))
    bar = min(56.0, slot * 0.7)

    def Y(v: float) -> float:
        return top + (1 - v / 100) * (height - top - bottom)

    out: list[str] = _axis_label(axis, width)
    for t in (0, 25, 50, 75, 100):
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{Y(t):.1f}" y2="{Y(t):.1f}" stroke="{GRID}"/>'
                   f'<text x="{left - 6}" y="{Y(t) + 4:.1f}" text-anchor="end" font-size="11" '
                   f'fill="{MUTED}">{t}%</text>')
    for i, (year, parts) in enumerate(rows):
        cx, acc = left + slot * (i + 0.5), 0.0
        for name, value in parts:
            v = max(0.0, value)
            c = shade[name]
            high = max(0.0, Y(acc) - Y(acc + v))
            out.append(f'<rect x="{cx - bar / 2:.1f}" y="{Y(acc + v):.1f}" width="{bar:.1f}" '
                       f'height="{high:.1f}" fill="{c}"><title>{escape(name)} {year}: '
                       f'{v:.1f}%</title></rect>' + _stripes(cx - bar / 2, Y(acc + v), bar, high,
                                                             (cues or {}).get(name, 0)))
            acc += v
        out.append(f'<text x="{cx:.1f}" y="{height - 10}" text-anchor="middle" font-size="11" '
                   f'fill="{MUTED}">{year}</text>')
    # the legend top down, as the stack shows its parts (the first part is drawn at the bottom), each name whole
    # over as many lines as it needs
    y = top
    for name in reversed(names):
        lines = _wrap(name, right - 40, 11)
        out.append(f'<rect x="{width - right + 14}" y="{y - 6}" width="12" height="12" '
                   f'fill="{shade[name]}"/>' + _stripes(width - right + 14, y - 6, 12, 12, (cues or {}).get(name, 0))
                   + f'<text class="legend" x="{width - right + 32}" y="{y + 4}" font-size="11">' + "".join(
                       f'<tspan x="{width - right + 32}" dy="{13 if j else 0}">{escape(line)}</tspan>'
                       for j, line in enumerate(lines)) + "</text>")
        y += 18 + (len(lines) - 1) * 13
    return _frame(width, max(height, y + 10), title, out, footer)
