"""Files and charts from a market run: tables as CSV, Parquet and JSON; charts as PNG and SVG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt
import pandas as pd

PALETTE = ("#1f5a99", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#2e4057")


def _series(report: dict[str, Any], output: str) -> pd.DataFrame:
    rows = [r for r in report["outputs"] if r["output"] == output]
    return pd.DataFrame(rows)


def _observed(report: dict[str, Any], output: str) -> list[dict[str, Any]]:
    return [r for r in report["calibration"]["table"] if r["output"] == output]


def _label(published: dict[str, Any]) -> str:
    """Publisher, and the definition where one is stated (so that definitions are not mixed up)."""
    definition = published.get("definition") or ""
    short = definition if len(definition) <= 38 else definition[:37] + "…"
    return f"{published['publisher']} ({short})" if short else str(published["publisher"])


def _save(fig: Any, stem: Path) -> list[str]:
    written = []
    for ext in ("png", "svg"):
        path = stem.with_suffix(f".{ext}")
        fig.savefig(path, dpi=150, bbox_inches="tight", metadata={"Date": None} if ext == "svg" else None)
        written.append(path.name)
    plt.close(fig)
    return written


def trajectory(report: dict[str, Any], output: str, title: str, ylabel: str, stem: Path) -> list[str]:
    """The model's path with its Monte Carlo band, and the published figures it is compared with."""
    data = _series(report, output)
    if data.empty:
        return []
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    if "p5" in data:
        ax.fill_between(data["year"], data["p5"], data["p95"], color=PALETTE[0], alpha=0.18,
                        label=f"5-95% of {report['draws']:,} draws")
        ax.plot(data["year"], data["median"], color=PALETTE[0], ls="--", lw=1, label="median of draws")
    ax.plot(data["year"], data["value"], color=PALETTE[0], lw=2.2, marker="o", ms=4, label="model (fitted)")
    colours: dict[str, str] = {}
    seen_labels: set[str] = set()
    plotted: set[tuple[int, str, float]] = set()
    for c in report["published_beside_model"]:
        if c["output"] != output:
            continue
        for p in c["published"]:
            name = _label(p)
            if (c["year"], name, p["value"]) in plotted:
                continue
            plotted.add((c["year"], name, p["value"]))
            colour = colours.setdefault(name, PALETTE[1 + len(colours) % (len(PALETTE) - 1)])
            label = name if name not in seen_labels else None
            seen_labels.add(name)
            ax.scatter([c["year"]], [p["value"]], s=30, color=colour, zorder=3, label=label,
                       edgecolors="white", linewidths=0.5)
    for obs in _observed(report, output):
        if obs["fitted_to"]:
            ax.scatter([obs["year"]], [obs["observed"]], s=90, facecolors="none", edgecolors="black", zorder=4,
                       label="fitted to" if "fitted to" not in seen_labels else None)
            seen_labels.add("fitted to")
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    ax.set_xticks(sorted(set(data["year"])))
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _save(fig, stem)


def quarterly(report: dict[str, Any], output: str, title: str, ylabel: str, stem: Path) -> list[str]:
    """A linked run's output by quarter with its Monte Carlo band and the observations of it."""
    data = pd.DataFrame([r for r in report["outputs"] if r["output"] == output and "Q" in str(r["period"])])
    if data.empty:
        return []
    x = list(range(len(data)))
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    if "p5" in data:
        ax.fill_between(x, data["p5"].astype(float), data["p95"].astype(float), color=PALETTE[0], alpha=0.18,
                        label=f"5-95% of {report['draws']:,} draws")
        ax.plot(x, data["median"].astype(float), color=PALETTE[0], ls="--", lw=1, label="median of draws")
    ax.plot(x, data["value"].astype(float), color=PALETTE[0], lw=2.2, marker="o", ms=4, label="model")
    periods = list(data["period"])
    seen = [o for o in _observed(report, output) if o["period"] in periods]
    if seen:
        ax.scatter([periods.index(o["period"]) for o in seen], [o["observed"] for o in seen], s=60, marker="D",
                   color=PALETTE[1], zorder=4, label="observed")
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    ax.set_xticks(x, periods, rotation=45, fontsize=8)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    sources = sorted({str(o.get("fact") or o.get("basis") or o.get("source") or "") for o in seen} - {""})
    note = f"Model: chipshift linked markets, case {report['scenario']} ({report.get('digest', '')})."
    if sources:
        note += " Observed: " + "; ".join(s if len(s) <= 110 else s[:109] + "…" for s in sources) + "."
    fig.text(0.01, 0.005, note, fontsize=6, color="#555555", ha="left", va="bottom", wrap=True)
    fig.subplots_adjust(bottom=0.3)
    return _save(fig, stem)


def share_stack(report: dict[str, Any], stem: Path) -> list[str]:
    """Supplier shares of the market by year, stacked."""
    shares = [r for r in report["outputs"] if r["output"].startswith("share:") and "@" not in r["output"]]
    if not shares:
        return []
    table = pd.DataFrame(shares).pivot(index="year", columns="output", values="value").fillna(0.0)
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    bottom = None
    for k, column in enumerate(table.columns):
        ax.bar(table.index, table[column], bottom=bottom, color=PALETTE[k % len(PALETTE)],
               label=column.split(":", 1)[1], width=0.7)
        bottom = table[column] if bottom is None else bottom + table[column]
    ax.set_title(f"Supplier shares, {report['product']} in {report['region']} (model, % of value)", loc="left",
                 fontsize=11)
    ax.set_ylim(0, 100)
    ax.set_xticks(list(table.index))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _save(fig, stem)


def write_outputs(report: dict[str, Any], out: Path) -> list[str]:
    """Write every table and chart of a run into ``out``; returns the file names."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    frames = {
        "outputs": pd.DataFrame(report["outputs"]),
        "calibration": pd.DataFrame(report["calibration"]["table"]),
        "parameters": pd.DataFrame(report["parameters"]),
        "sensitivity": pd.DataFrame(report["sensitivity"]),
    }
    for name, frame in frames.items():
        frame.to_csv(out / f"{name}.csv", index=False)
        written.append(f"{name}.csv")
    frames["outputs"].to_parquet(out / "outputs.parquet", index=False)
    written.append("outputs.parquet")
    (out / "results.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    written.append("results.json")
    if report.get("model") == "linked":
        for market in report["markets"]:
            where = market["region"] + (f", {market['segment']} buyers" if market.get("segment") else "")
            first = report["periods"][0]
            written += quarterly(report, f"price@{market['id']}", f"{market['product']} price, {where} (market "
                                 f"{market['id']}): index, {first} = 1", f"price index ({first} = 1)",
                                 out / f"price_{market['id']}")
        from chipshift.reports.sensitivity import tornado

        for output in dict.fromkeys(r["output"] for r in report["sensitivity"]):
            stem = "tornado_" + "".join(c if c.isalnum() or c in "-_" else "_" for c in output)
            written += tornado(report["sensitivity"], output, f"{report['scenario']}: what moves {output}",
                               out / stem)
        return written
    if any(r["output"] == "localization" for r in report["outputs"]):
        written += trajectory(report, "localization", f"Domestic (localization) share of {report['region']}'s "
                                                      f"{report['product']} market", "% of market value",
                              out / "localization")
    if any(r["output"] == "revenue_share" for r in report["outputs"]):
        written += trajectory(report, "revenue_share", f"Share of revenue from {report['region']} (fiscal years)",
                              "% of revenue", out / "revenue_share")
    for output in sorted({r["output"] for r in report["outputs"] if r["output"].startswith("revenue:")}):
        label = output.split(":", 1)[1]
        written += trajectory(report, output, f"{label.capitalize()} revenue (model vs reported)",
                              "revenue (unit of the base-year fact)", out / f"revenue_{label}")
    written += share_stack(report, out / "shares")
    return written
