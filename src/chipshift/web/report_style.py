"""The style sheet the HTML reports share (the scenario report and the market report): inline, nothing fetched.
A chart fills the page's width, down to the width it is drawn at (below it, its text would shrink past reading;
``svg._frame`` sets it on each chart); on a narrower page its box scrolls sideways, as a wide table's does:
nothing makes a phone's page wider than its screen. Text in Chinese, Japanese or Korean is drawn in the part of
the CJK font the page carries (``reports.fonts.embed_cjk``), whose family the fonts listed here end with."""

from __future__ import annotations

from html import escape

from chipshift.reports.fonts import embed_cjk

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans","DejaVu Sans",Arial,"chipshift CJK",
sans-serif;color:#1d2733;max-width:1100px;margin:2rem auto;padding:0 1rem;font-size:14px}
h1{font-size:1.6rem}h2{font-size:1.15rem;border-bottom:1px solid #d9e0e7;padding-bottom:.3rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0}
th,td{border-bottom:1px solid #d9e0e7;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#5b6b7c}.notice{background:#fff8e1;border:1px dashed #e0b100;padding:.7rem 1rem}
blockquote{margin:.3rem 0;padding:.3rem .6rem;background:#f6f8fa;border-left:3px solid #9fb3c8;font-style:italic}
svg{max-width:100%;height:auto}
.chart,.table-wrap{overflow-x:auto;margin:.5rem 0}
.chart>svg{display:block;width:100%;max-width:none}
"""


def head(title: str, css: str = "") -> str:
    """The opening of a report's page up to its body: the title, a viewport for phones and the style sheet
    (``css`` added to it)."""
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{escape(title)}</title>"
            f"<style>{CSS}{css}</style></head><body>")


def page(parts: list[str]) -> str:
    """A report's page from its ``parts`` (the first from ``head``), carrying the glyphs of its CJK text."""
    return embed_cjk("\n".join(parts))

