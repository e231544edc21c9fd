"""HTML view of an ingest report: each document's text with highlighted spans (claims, events, citations,
loaded language) and finding badges, followed by the claim ledger, events, references and findings. It
renders exactly the JSON report and nothing else."""

from __future__ import annotations

import itertools
from html import escape
from typing import Any

_CSS = """
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}
.doc{white-space:pre-wrap;border:1px solid #ddd;padding:1rem;border-radius:6px;background:#fcfcfc}
.claim{background:#dbeafe;border-bottom:2px solid #2563eb}.event{background:#fef3c7}
.loaded{text-decoration:underline wavy #c026d3}.cite{color:#047857;font-weight:600}
.ref{background:#ecfdf5}.badge{font-size:.7rem;padding:0 .3rem;border-radius:.6rem;margin-left:.15rem;
color:#fff;text-decoration:none;vertical-align:super}
.sev-error{background:#b91c1c}.sev-warning{background:#d97706}.sev-notice{background:#2563eb}
.sev-info{background:#059669}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .4rem;text-align:left;vertical-align:top}th{background:#f3f4f6}
.legend span{margin-right:1rem}
"""


def render_html(report: dict[str, Any]) -> str:
    """A standalone HTML page for the report returned by ``ingest_command`` (or one document's report)."""
    details = report.get("details") or [report]
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>chipshift ingest</title>",
             f"<style>{_CSS}</style></head><body><h1>chipshift ingest</h1>",
             "<p class='legend'><span class='claim'>claim</span><span class='event'>restriction event</span>"
             "<span class='loaded'>loaded language</span><span class='cite'>[n] citation</span>"
             "<span class='badge sev-error'>error</span><span class='badge sev-warning'>warning</span>"
             "<span class='badge sev-notice'>notice</span><span class='badge sev-info'>ok</span></p>"]
    for n, doc in enumerate(details):
        parts.append(_document(doc, n))
    parts.append("</body></html>")
    return "".join(parts)


def _document(r: dict[str, Any], n: int) -> str:
    d = r["document"]
    text: str = d["text"]
    marks: list[tuple[int, int, str, str]] = []  # start, end, class, title
    for c in r["claims"]:
        s, e = c["span"]
        bound = {"min": "at least ", "max": "at most "}.get(str(c.get("bound")), "")
        marks.append((s, e, "claim", f"{c['id']}: {c['entity_name'] or c['entity']} {c['metric']} = "
                                     f"{bound}{c['value']:g} {c['unit']} ({c['period'] or 'period unknown'}); "
                                     "knowledge base: "
                                     f"{str(c['kb']).replace('_', ' ')}"))
    for ev in r["events"]:
        for s, e in ev["spans"]:
            marks.append((s, e, "event", f"{ev['id']}: {ev['kind']} by {ev['imposed_by_name']}"))
    for x in r["loaded_language"]:
        s, e = x["span"]
        marks.append((s, e, "loaded", f"{x['category']}: {x['explanation']}"))
    for cit in r["citations"]:
        s, e = cit["span"]
        marks.append((s, e, "cite", "cites " + ", ".join(f"[{k}]" for k in cit["numbers"])))
    for ref in r["references"]:
        s, e = ref["span"]
        marks.append((s, e, "ref", f"reference [{ref['number']}]"))
    badges: dict[int, list[str]] = {}
    for f in r["findings"]:
        if f["spans"]:
            end = f["spans"][0][1]
            badges.setdefault(end, []).append(
                f"<a class='badge sev-{f['severity']}' href='#d{n}-{f['id']}' title='{escape(f['message'], True)}'>"
                f"{f['id']}</a>")
    bounds = sorted({0, len(text), *[m[0] for m in marks], *[m[1] for m in marks], *badges})
    body: list[str] = []
    for a, b in itertools.pairwise(bounds):
        active = [m for m in marks if m[0] <= a and b <= m[1]]
        chunk = escape(text[a:b])
        for s, e, cls, title in sorted(active, key=lambda m: m[1] - m[0]):
            del s, e
            chunk = f"<span class='{cls}' title='{escape(title, True)}'>{chunk}</span>"
        body.append(chunk)
        if b in badges:
            body.extend(badges.pop(b))
    meta = " · ".join(escape(str(x)) for x in (d["kind"], d["date"] and f"dated {d['date']} ({d['date_source']})",
                                                 d["url"], f"{d['words']} words") if x)
    out = [f"<h2>{escape(d['title'] or d['name'])}</h2><p>{escape(d['name'])} · {meta}</p>",
           f"<div class='doc'>{''.join(body)}</div>"]
    out.append(_table("Claim ledger", r["claims"], ["id", "entity_name", "metric", "bound", "value", "unit", "period",
                                                    "region", "product", "text", "citations", "kb", "confidence"]))
    out.append(_table("Restriction events", r["events"], ["id", "kind", "imposed_by_name", "sellers", "targets",
                                                          "products", "announced", "effective", "modality",
                                                          "citations", "known_rule"]))
    out.append(_table("References", r["references"], ["number", "author", "title", "publisher", "date", "url"]))
    rows = [{**f, "id": f"<a id='d{n}-{f['id']}'></a>{f['id']}"} for f in r["findings"]]
    out.append(_table("Findings", rows, ["id", "severity", "check", "message"], raw=("id",)))
    out.append(_table("Loaded language", r["loaded_language"], ["text", "category", "explanation"]))
    out.append(_table("Unknown names (candidates)", r["candidates"], ["name", "count", "kind_guess"]))
    return "".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)


def _table(title: str, rows: list[dict[str, Any]], columns: list[str], raw: tuple[str, ...] = ()) -> str:
    if not rows:
        return f"<h3>{escape(title)}</h3><p>none</p>"
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{row.get(c) if c in raw else escape(_cell(row.get(c)))}</td>"
                                    for c in columns) + "</tr>" for row in rows)
    return f"<h3>{escape(title)} ({len(rows)})</h3><table><tr>{head}</tr>{body}</table>"
