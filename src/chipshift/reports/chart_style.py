"""The one chart style of chipshift's files: colours and markers, value axes, legends and footnotes, text the
font cannot draw, and charts saved as PNG and SVG. Used by the market run's charts (``reports.market_run_files``),
the back-test's, the sensitivity's and the timelines'."""

from __future__ import annotations

import functools
import itertools
import re
import textwrap
from html import escape
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no screen

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.collections import PolyCollection
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from chipshift.reports import fonts, labels, palette

#: Series colours: the one palette of the files, the report and the pages (``reports.palette``), each series by its
#: name (``labels.series_colours``).
PALETTE = palette.PALETTE
MODEL = palette.MODEL
#: Marker shapes of published estimates: with the colours, every publisher of a chart looks different.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
LEGEND_WIDTH = 46  # characters a legend line holds before it wraps (labels are wrapped, never cut)
FOOTER_WIDTH = 150


def _fall_back_to_cjk_font() -> None:
    """Characters the charts' font lacks are drawn in the system's CJK font, where it has one."""
    families = list(matplotlib.rcParams["font.family"])
    if fonts.cjk_font() is not None and fonts.CJK_FAMILY not in families:
        matplotlib.rcParams["font.family"] = [*families, fonts.CJK_FAMILY]


_fall_back_to_cjk_font()


@functools.cache
def _glyphs() -> frozenset[int]:
    """The characters the charts' fonts draw: their own and, where the system has it, the CJK font they fall back
    to (``fonts.cjk_font``)."""
    files = [font_manager.findfont(font_manager.FontProperties()), fonts.cjk_font()]
    return frozenset(code for file in files if file is not None for code in FT2Font(file).get_charmap())


def printable(text: str) -> str:
    """``text`` with each run of characters the charts' fonts lack (a source's title in Korean, on a machine
    without a CJK font) named by its language, "[Korean text]", rather than drawn as empty boxes."""
    glyphs = _glyphs()
    out: list[str] = []
    missing: list[str] = []
    for char in text:
        if ord(char) in glyphs or char in "\n\t":
            if missing:
                out.append(f"[{fonts.language(''.join(missing))}]")
                missing = []
            out.append(char)
        else:
            missing.append(char)
    if missing:
        out.append(f"[{fonts.language(''.join(missing))}]")
    return "".join(out)


def wrap(text: str, width: int = LEGEND_WIDTH) -> str:
    """``text`` as drawn (``printable``), wrapped at ``width`` characters."""
    return "\n".join(textwrap.wrap(printable(text), width)) or text


def marker_style(k: int) -> tuple[str, str]:
    """The marker of a chart's ``k``-th publisher (0-based), with a colour by position for a name the run gives
    none (``labels.series_colours`` gives every series of a run its colour by name): both change from one to the
    next, and no two of the first 110 are alike."""
    colours = PALETTE[1:]
    return colours[k % len(colours)], MARKERS[k % len(MARKERS)]


#: A series' second cue past the palette's colours (``palette.styles``), in matplotlib's words: its published
#: figures' markers (a diamond, a triangle, a square: ``palette.POINT_SHAPES``) and its stack parts' hatching (none,
#: across, upright: ``palette.BAR_STRIPES``), drawn in white over the part's colour.
CUE_MARKERS = ("D", "^", "s")
CUE_HATCHES = ("", "---", "|||")

#: The one point style of a published figure on a linked run's chart, in the files as on the web and in the report:
#: a diamond (past the palette's colours its cue's shape, ``CUE_MARKERS``), in its publisher's colour of the run
#: (``labels.series_colours``; ``figure_colour`` where the run gives none), hollow where its period is longer than
#: the line's (``labels.FigurePoint.other_basis``).
FIGURE_MARKER = "D"
FIGURE_SIZE = 30


def figure_colour(k: int) -> str:
    """The colour of a chart's ``k``-th group of published figures (0-based): the palette after the model's."""
    return PALETTE[1 + k % (len(PALETTE) - 1)]


def tick_step(axis: Any) -> float:
    """The step between an axis's major ticks (1 where it has fewer than two)."""
    locs = sorted(float(v) for v in axis.get_majorticklocs())
    steps = [b - a for a, b in itertools.pairwise(locs) if b - a > 0]
    return min(steps) if steps else 1.0


def value_axis(ax: Any, unit: str | None) -> None:
    """Value ticks as ``labels.tick`` prints them, every tick of an axis with the decimals its step needs: 10%,
    0.25%, -100 points, 40,000; 0.25, 0.50, 0.75, never 0.2, 0.5, 0.8; a percent axis starts at
    0% (and ends at 1% or above, so that a path of zeros is drawn as zero, not as a flat middle), and ends at 100%
    where no figure drawn passes it (a share held at 100% is not drawn in an axis running to 104%; the lines and
    the published figures on that edge are drawn whole)."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: labels.tick(v, tick_step(ax.yaxis), unit)))
    if unit == "pct":
        low, high = ax.get_ylim()
        if low < 0:
            ax.set_ylim(0, max(high, 1.0))
        low, high = ax.get_ylim()
        if high > 100 >= ax.dataLim.ymax:
            ax.set_ylim(low, 100)
            for line in ax.lines:
                line.set_clip_on(False)
            for marks in ax.collections:  # a published figure at 100% drawn whole on the edge, not cut in half
                if not isinstance(marks, PolyCollection):  # (a band's fill stays within the plot)
                    marks.set_clip_on(False)


def band_axis(ax: Any, band: labels.BandAxis) -> None:
    """The value axis's top by the one rule of every medium (``labels.band_axis``): where the band runs past it,
    the axis ends at ``band.top``, the band is cut there and the plot says, at its top, where the band's top is
    ("p95 off scale: 412"); else the axis takes the whole band, as matplotlib sizes it."""
    if not band.clipped:
        return
    low, _ = ax.get_ylim()
    ax.set_ylim(min(low, 0.0), band.top)
    ax.text(0.99, 0.98, f"\u25b2 {band.note}", transform=ax.transAxes, ha="right", va="top", fontsize=7,
            color="#222222", gid="off-scale", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})


def data_end_rule(ax: Any, x: float, end: labels.DataEnd, below: bool = False) -> None:
    """The mark where a linked run's sourced data end (``labels.data_end``), as the report and the web draw it: a
    dashed vertical rule at ``x`` (half a step after the last quarter with sourced values), labelled at its top
    ("data | model"); ``below``: a line lower, under the note of a band cut at the axis."""
    ax.axvline(x, color="#444444", lw=1, ls=(0, (4, 3)), zorder=1, gid="data-end")
    ax.text(x, 0.92 if below else 0.99, end.label, transform=ax.get_xaxis_transform(), ha="center", va="top",
            fontsize=7, color="#222222", gid="data-end-label",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})


def legend(ax: Any, fontsize: float = 7, reverse: bool = False) -> None:
    """The legend right of the axes, its labels wrapped (never cut); ``reverse``: last drawn first (a stack's
    legend then lists its parts top down, as the bars show them)."""
    handles, names = ax.get_legend_handles_labels()
    if reverse:
        handles, names = handles[::-1], names[::-1]
    if handles:
        ax.legend(handles, [wrap(n) for n in names], fontsize=fontsize, frameon=False, loc="upper left",
                  bbox_to_anchor=(1.01, 1.0))


def footnote(fig: Any, ax: Any, text: str) -> None:
    """``text`` (wrapped) under everything ``ax`` draws, its tick labels and legend included."""
    _printable_texts(fig)
    fig.canvas.draw()
    box = ax.get_tightbbox(fig.canvas.get_renderer()).transformed(fig.transFigure.inverted())
    fig.text(0.01, box.y0 - 0.02, "\n".join(textwrap.wrap(printable(text), FOOTER_WIDTH)), fontsize=6.5,
             color="#444444", ha="left", va="top")


def _printable_texts(fig: Any) -> None:
    """Every text of ``fig`` (titles, axis labels, ticks, legends) as ``printable``: none is drawn as empty boxes."""
    for text in fig.findobj(Text):
        text.set_text(printable(text.get_text()))


#: Who drew a chart file, in its metadata.
CREATOR = "chipshift (charts drawn with matplotlib)"


def described(fig: Any) -> tuple[str, str]:
    """What a chart says of itself, for its file's metadata: its title (the first axes' title) and a description
    (the footer's words: case or scenario, draws, date of the data, sources), each in one line."""
    titles = [t for ax in fig.axes for t in (ax.get_title(loc="left"), ax.get_title()) if t]
    footer = " ".join(" ".join(t.get_text().split()) for t in fig.texts if t.get_text().strip())
    return (" ".join(titles[0].split()) if titles else ""), footer


def _with_title(path: Path, title: str, description: str) -> None:
    """An SVG file given its chart's title and description as its first children (``<title>``, ``<desc>``), which
    screen readers announce and searches find (its text is drawn as glyph outlines, so that its CJK titles render
    everywhere)."""
    svg = path.read_text(encoding="utf-8")
    opening = svg.index(">", svg.index("<svg")) + 1
    rest = svg.find("<metadata", opening)
    # the title the backend writes from the metadata, if any, gives way to the pair in order: title, then desc
    head = re.sub(r"\s*<(title|desc)>.*?</\1>", "", svg[opening:rest], flags=re.S)
    named = "".join(f"\n <{tag}>{escape(text)}</{tag}>" for tag, text in (("title", title), ("desc", description))
                    if text)
    path.write_text(svg[:opening] + named + head + svg[rest:], encoding="utf-8")


def save(fig: Any, stem: Path) -> list[str]:
    """``fig`` as ``stem``.png and ``stem``.svg (the SVG without a date, so that a re-run writes the same bytes,
    titled and described by ``described`` in its metadata and as its first elements); closes it and returns the
    file names."""
    _printable_texts(fig)
    title, description = described(fig)
    written = []
    for ext in ("png", "svg"):
        path = stem.with_suffix(f".{ext}")
        meta = ({"Date": None, "Title": title or None, "Description": description or None, "Creator": CREATOR}
                if ext == "svg" else {"Title": title, "Description": description, "Software": CREATOR})
        fig.savefig(path, dpi=150, bbox_inches="tight", metadata=meta)
        if ext == "svg":
            _with_title(path, title, description)
        written.append(path.name)
    plt.close(fig)
    return written


def spread(k: int, n: int, width: float = 0.36, most: float = 0.08) -> float:
    """The offset from its year of the ``k``-th of ``n`` points of one year: spread evenly over ``width`` (in
    years, or in the axis's steps) around the year, at most ``most`` apart, so that points of one year never cover
    one another."""
    if n < 2:
        return 0.0
    step = min(most, width / (n - 1))
    return (k - (n - 1) / 2) * step
