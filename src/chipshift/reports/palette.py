"""The one palette of chipshift's charts: the chart files (``reports.chart_style``), the offline report
(``web.svg``) and the pages (``charts.js``, which the server hands it: the ``data-palette`` of each page and the
``colours`` of a market run's chart texts) draw their series in these colours, and a series takes its colour by its
name (``assign``), never by where it falls in one chart, so that a firm, a publisher or a side of a comparison looks
the same in every chart of a run and in every medium.

Each colour stands out from the charts' white background by at least 3:1 (WCAG 2.1, success criterion 1.4.11,
non-text contrast), so that a line, a bar or a marker is seen without its legend's help."""

from __future__ import annotations

import math
from collections.abc import Iterable

#: Series colours: the model first, then published estimates, suppliers and the sides of a comparison (twelve
#: before one repeats).
PALETTE = ("#1f4e79", "#d6604d", "#4d9221", "#8073ac", "#c8720f", "#35978f", "#c51b7d", "#7f6000", "#2b8cbe",
           "#8c510a", "#542788", "#b2182b")
#: The model's line and band, in every chart that draws it.
MODEL = PALETTE[0]
#: The model's value for a year or fiscal year on a quarterly chart: a wide light bar in the model's colour behind
#: its quarterly line (pixels wide, opacity), so that where the two are equal it shows as a halo round the line.
SPAN_WIDTH = 10
SPAN_OPACITY = 0.3
BACKGROUND = "#ffffff"
#: WCAG 2.1's least contrast for graphical objects (1.4.11).
NON_TEXT_CONTRAST = 3.0


def _luminance(colour: str) -> float:
    """A ``#rrggbb`` colour's relative luminance (WCAG 2.1)."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str = BACKGROUND) -> float:
    """The contrast ratio of two ``#rrggbb`` colours (WCAG 2.1), 1 to 21."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


#: How many second cues a series has (``styles``): a name that shares its colour with an earlier one (past the
#: palette's eleven colours they repeat) in a chart they are both drawn in takes the next cue, so that no two series
#: of a chart look alike. Its marks by cue: a published figure a diamond, a triangle or a square
#: (``POINT_SHAPES``); a part of a stack plain, striped across or striped upright (``BAR_STRIPES``). The chart files,
#: the report and the pages draw them alike.
CUES = 3
POINT_SHAPES = ("diamond", "triangle", "square")
BAR_STRIPES = ("none", "across", "upright")


def _lab(colour: str) -> tuple[float, float, float]:
    """A ``#rrggbb`` colour in CIELAB (D65), where distance is about as the eye sees it."""
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
               for c in (int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(v: float) -> float:
        return v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def difference(a: str, b: str) -> float:
    """How far apart two ``#rrggbb`` colours look: their CIELAB distance (CIE76 delta E; about 2.3 is the least
    the eye tells apart, and colours under ``DISTINCT`` are easily taken for each other in a small mark)."""
    return math.dist(_lab(a), _lab(b))


#: The least difference (``difference``) between the colours of two series drawn in one chart, where the palette
#: allows it: the palette's nearest pairs (an olive and a brown, two reds, an orange and a brown) fall below it.
DISTINCT = 25.0


def styles(names: Iterable[str], model: str | None = None,
           charts: Iterable[Iterable[str]] | None = None) -> dict[str, tuple[str, int]]:
    """Each distinct name its colour and cue, in the order given: ``model`` (the model's line) ``MODEL`` and cue 0,
    the others the rest of the palette in turn (a name never takes the model's colour), each with the lowest cue
    (``CUES``) that no earlier name of its colour drawn in one chart with it has. A name's colour in turn gives way
    to the next in turn when a name drawn in one chart with it (or the model) already has it or a colour less
    than ``DISTINCT`` from it, and, when every colour left is that close, to the one left that differs most from
    theirs; only when they hold every colour does a colour come again, with another cue. ``charts``: the names
    each chart draws together; None: every name in one chart (past eleven names the colours come again with cue 1,
    then 2). Given the same names and charts, the same looks: the one assignment of a run, which every chart of it
    and every medium reads."""
    out: dict[str, tuple[str, int]] = {} if model is None else {model: (MODEL, 0)}
    order = list(dict.fromkeys(name for name in names if name != model))
    groups = [set(chart) for chart in charts] if charts is not None else [set(order)]
    beside: dict[str, set[str]] = {name: set() for name in order}
    for group in groups:
        for name in group & beside.keys():
            beside[name] |= group - {name}
    others = PALETTE[1:]
    for k, name in enumerate(order):
        near = {out[o][0] for o in beside[name] if o in out} | {MODEL}
        turn = [others[(k + j) % len(others)] for j in range(len(others))]
        free = [c for c in turn if c not in near]
        if free:
            # the first in turn far enough from every colour beside it, else the free one that differs most
            colour = next((c for c in free if min(difference(c, n) for n in near) >= DISTINCT),
                          max(free, key=lambda c: min(difference(c, n) for n in near)))
        else:
            colour = turn[0]
        taken = {out[o][1] for o in beside[name] if o in out and out[o][0] == colour}
        out[name] = (colour, next(c for c in range(len(taken) + 1) if c not in taken) % CUES)
    return out


def assign(names: Iterable[str], model: str | None = None) -> dict[str, str]:
    """Each distinct name its colour (``styles``): past eleven names the colours repeat, each then with another
    cue (``styles``)."""
    return {name: colour for name, (colour, _) in styles(names, model).items()}
