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


def assign(names: Iterable[str], model: str | None = None) -> dict[str, str]:
    """Each distinct name its colour, in the order given: ``model`` (the model's line) ``MODEL``, the others the
    rest of the palette in turn (a name never takes the model's colour; past eleven names they repeat). Given the
    same names, the same colours: the one assignment of a run, which every chart of it and every medium reads."""
    out: dict[str, str] = {} if model is None else {model: MODEL}
    others = PALETTE[1:]
    for name in names:
        if name not in out:
            out[name] = others[(len(out) - (model is not None)) % len(others)]
    return out
