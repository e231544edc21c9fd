"""The one palette of chipshift's charts: the chart files (``reports.chart_style``), the offline report
(``web.svg``) and the pages (``charts.js``, which the server hands it: the ``data-palette`` of each page and the
``colours`` of a market run's chart texts) draw their series in these colours, and a series takes its colour by its
name (``assign``), never by where it falls in one chart, so that a firm, a publisher or a side of a comparison looks
the same in every chart of a run and in every medium.

Each colour stands out from the charts' white background by at least 3:1 (WCAG 2.1, success criterion 1.4.11,
non-text contrast), so that a line, a bar or a marker is seen without its legend's help."""

from __future__ import annotations

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


def styles(names: Iterable[str], model: str | None = None,
           charts: Iterable[Iterable[str]] | None = None) -> dict[str, tuple[str, int]]:
    """Each distinct name its colour and cue, in the order given: ``model`` (the model's line) ``MODEL`` and cue 0,
    the others the rest of the palette in turn (a name never takes the model's colour), each with the lowest cue
    (``CUES``) that no earlier name of its colour drawn in one chart with it has. ``charts``: the names each chart
    draws together; None: every name in one chart (past eleven names the colours come again with cue 1, then 2).
    Given the same names and charts, the same looks: the one assignment of a run, which every chart of it and
    every medium reads."""
    out: dict[str, tuple[str, int]] = {} if model is None else {model: (MODEL, 0)}
    order = list(dict.fromkeys(name for name in names if name != model))
    groups = [set(chart) for chart in charts] if charts is not None else [set(order)]
    beside: dict[str, set[str]] = {name: set() for name in order}
    for group in groups:
        for name in group & beside.keys():
            beside[name] |= group - {name}
    others = PALETTE[1:]
    for k, name in enumerate(order):
        colour = others[k % len(others)]
        taken = {out[o][1] for o in beside[name] if o in out and out[o][0] == colour}
        out[name] = (colour, next(c for c in range(len(taken) + 1) if c not in taken) % CUES)
    return out


def assign(names: Iterable[str], model: str | None = None) -> dict[str, str]:
    """Each distinct name its colour (``styles``): past eleven names the colours repeat, each then with another
    cue (``styles``)."""
    return {name: colour for name, (colour, _) in styles(names, model).items()}
