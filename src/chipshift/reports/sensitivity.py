"""Charts of a global sensitivity analysis (`chipshift.scenarios.sensitivity.sobol` rows): a tornado per
headline output, PNG and SVG."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from chipshift.reports import labels
from chipshift.reports.chart_style import PALETTE, footnote, save, tick_step, wrap


def _fixed(x: float | None) -> str:
    """Two decimals, without a sign on what rounds to zero."""
    value = float(x or 0.0)
    return f"{0.0 if abs(value) < 0.005 else value:5.2f}"


def _indices_label(row: Mapping[str, Any]) -> str:
    """``S1  0.33 ± 0.23   ST  0.53 ± 0.21``, or that there are none."""
    if row.get("total") is None or row.get("first_order") is None:
        return "S1, ST: none"
    return (f"S1 {_fixed(row['first_order'])} ± {_fixed(row['first_order_ci'])}   "
            f"ST {_fixed(row['total'])} ± {_fixed(row['total_ci'])}")


def parameter_label(code: str, words: Mapping[str, str], units: Mapping[str, str]) -> str:
    """A parameter as a tornado's row names it: its words (wrapped), then its unit and its code on a line of their
    own; its code alone where it has no words."""
    first = wrap(words.get(code) or code, PARAMETER_WIDTH)
    unit = units.get(code)
    return f"{first}\n({unit}; {code})" if unit else (f"{first}\n({code})" if code in words else first)


#: Characters a tornado's parameter label holds on a line before it wraps.
PARAMETER_WIDTH = 44


def tornado(rows: Sequence[Mapping[str, Any]], output: str, title: str, stem: Path, label: str | None = None,
            footer: str | None = None, parameters: Mapping[str, str] | None = None,
            units: Mapping[str, str] | None = None, unit_text: str | None = None) -> list[str]:
    """One output's tornado: for each parameter, bars from the central run's value to the output with that
    parameter alone at its low end and at its high end; parameters ordered by total Sobol' index (largest on
    top), first-order and total indices (± 95% half-widths) printed beside each bar. `title` heads the chart;
    the output (`label`, its words, else its code), its period and unit follow it; `footer` (the case, its data
    and sources) goes under the note on the indices. Each parameter is named by its words in `parameters`
    (``labels.parameter_words``) with its unit in `units` (``labels.parameter_units``) and its code; `unit_text`:
    the output's unit in the run's words (``labels.run_unit_words``: an index as its titles say it, "index, 2023Q1 =
    1"), else the unit code's words. Returns the files written (none when `rows` lack `output`)."""
    data = sorted((r for r in rows if r["output"] == output), key=lambda r: int(r["rank"]))
    if not data:
        return []
    first = data[0]
    central, period, code = first["central"], first["period"], first.get("unit")
    unit = unit_text or (labels.unit_words(code) if code else "")
    name = label or output
    n = len(data)
    names = [parameter_label(str(r["parameter"]), parameters or {}, units or {}) for r in data]
    lines = max(name.count("\n") + 1 for name in names)
    height = 2.2 + max(0.42, 0.05 + 0.13 * lines) * n
    fig, ax = plt.subplots(figsize=(9.0, height))
    fig.subplots_adjust(top=1 - 1.0 / height, bottom=0.85 / height, right=0.72)
    y = list(range(n))[::-1]  # rank 1 on top
    for row, yi in zip(data, y, strict=True):
        for key, colour, legend in (("at_low", PALETTE[0], "parameter at its low end"),
                                    ("at_high", PALETTE[1], "parameter at its high end")):
            value = row.get(key)
            if value is None or central is None:
                continue
            ax.barh(yi, value - central, left=central, height=0.6, color=colour, alpha=0.85,
                    label=legend if yi == y[0] else None)
        ax.annotate(_indices_label(row), xy=(1.02, yi), xycoords=("axes fraction", "data"), va="center",
                    ha="left", fontsize=7.5, family="monospace", color="#333333")
    if central is not None:
        ax.axvline(central, color="black", lw=1, label=f"central run: {labels.number(central, code)}")
    ax.set_yticks(y, names, fontsize=8)
    ax.set_ylim(-0.7, n - 0.3)
    if unit and name.endswith(f" ({unit})"):  # the unit after it says it (an index): once is enough
        name = name.removesuffix(f" ({unit})")
    if unit and title.endswith(f" ({unit})"):
        title = title.removesuffix(f" ({unit})")
    ax.set_xlabel(f"{name} in {period}" + (f" ({unit})" if unit else ""))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: labels.tick(v, tick_step(ax.xaxis), code)))
    ax.set_title(f"{title}\n{period}" + (f", {unit}" if unit else "")
                 + ": one parameter at a time, ordered by total Sobol' index", loc="left", fontsize=10,
                 pad=22)
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=7, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3,
              borderaxespad=0.2)
    reasons = sorted({str(r["reason"]) for r in data if r.get("reason")})
    note = "S1: first-order index, ST: total index, over every ranged parameter varied uniformly together."
    if reasons:
        note += " " + "; ".join(r[:1].upper() + r[1:] for r in reasons) + "."
    footnote(fig, ax, note + (" " + footer if footer else ""))
    return save(fig, stem)
