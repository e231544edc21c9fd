"""The style sheet the HTML reports share (the scenario report and the market report): inline, nothing fetched."""

from __future__ import annotations

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans","DejaVu Sans",Arial,sans-serif;
color:#1d2733;max-width:1100px;margin:2rem auto;padding:0 1rem;font-size:14px}
h1{font-size:1.6rem}h2{font-size:1.15rem;border-bottom:1px solid #d9e0e7;padding-bottom:.3rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0}
th,td{border-bottom:1px solid #d9e0e7;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#5b6b7c}.notice{background:#fff8e1;border:1px dashed #e0b100;padding:.7rem 1rem}
blockquote{margin:.3rem 0;padding:.3rem .6rem;background:#f6f8fa;border-left:3px solid #9fb3c8;font-style:italic}
svg{max-width:100%;height:auto}
"""
