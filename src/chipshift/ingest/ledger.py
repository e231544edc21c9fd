"""The pipeline in one call, and the report it returns (JSON-ready; the HTML view renders exactly this)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict
from datetime import date
from typing import Any

from chipshift.ingest import (
    checks,
    citations,
    claims,
    entities,
    events,
    kbcheck,
    language,
    periods,
    quantities,
    tables,
)
from chipshift.ingest import sentences as sent
from chipshift.ingest.binding import Binding
from chipshift.ingest.entities import DEMONYMS
from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.model import Claim, Event, Finding
from chipshift.ingest.text import Extracted

_SEVERITY_ORDER = {"error": 0, "warning": 1, "notice": 2, "info": 3}


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def analyse(doc: Extracted, kb: KnowledgeBase, name: str = "-", date_given: str | None = None,
            url: str | None = None, binding: Binding | None = None,
            trace: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Read one extracted document against the knowledge base; pure (no IO). ``binding`` and ``trace``: see
    ``claims.extract``."""
    text = doc.text
    refs_start = citations.references_start(text)
    body_end = len(text) if refs_start is None else refs_start
    refs = citations.references(text, refs_start, doc.links)
    doc_date, date_source = _document_date(date_given, doc.date, refs)
    sentences = sent.split(text, refs_start)
    body = text[:body_end]
    qs = quantities.extract(body)
    convs = quantities.conversions(text, qs)
    pms = periods.extract(body, doc_date)
    linked = kb.gazetteer.link(body)
    mentions = sorted(linked + entities.outside_firms(body, linked), key=lambda m: m.start)
    marks = citations.markers(text, refs_start)
    tabs = tables.find(body)
    prose = [q for q in qs if not any(t.start <= q.start < t.end for t in tabs)]
    from_prose = claims.extract(text, sentences, prose, convs, mentions, pms, marks, kb, doc_date, binding,
                                trace)
    cl = claims.dedupe(from_prose + tables.claims(tabs, kb, doc_date, from_prose,
                                                  claims.document_firm(sentences, mentions),
                                                  claims.speaks_fiscal(text),
                                                  claims.headline_market(sentences, mentions)))
    _borrow_periods(cl)
    cl = [c for c in cl if not claims.timeless(c)]
    for i, c in enumerate(cl, 1):
        c.id = f"C{i}"
    evs = events.extract(sentences, linked, pms, marks, refs, kb, doc_date)  # events name outside firms their own way
    findings: list[Finding] = []
    findings += checks.fold_vs_percent(cl, text, _entity_words(cl, kb))
    findings += checks.conversions(convs, kb, doc_date, text, cl)
    findings += checks.parts_sum(cl, frozenset(kb.countries))
    findings += checks.before_after(sentences, qs, text)
    findings += kbcheck.against_kb(cl, kb, doc_date)
    findings += kbcheck.citations(cl, evs, refs, marks, kb, doc_date, text)
    findings += _event_findings(evs, kb)
    findings += _uncited_references(refs, marks)
    findings += _unread_tables(tabs, cl)
    findings.sort(key=lambda f: (_SEVERITY_ORDER[f.severity], f.spans[0][0] if f.spans else 0))
    loaded = language.flag(sentences)
    source_id = source_slug(name, url or doc.url, doc_date, text)
    return {
        "document": {
            "name": name, "kind": doc.kind, "title": doc.title or _first_line(text), "url": url or doc.url,
            "date": doc_date.isoformat() if doc_date else None, "date_source": date_source,
            "chars": len(text), "words": len(re.findall(r"\w+", text)),
            "sha256": hashlib.sha256(text.encode()).hexdigest(), "source_id": source_id,
            "warnings": list(doc.warnings), "text": text,
        },
        "claims": [_claim_row(c) for c in cl],
        "events": [_event_row(e, kb, source_id, i) for i, e in enumerate(evs, 1)],
        "entities": _entity_rows(mentions),
        "candidates": entities.candidates(text, sentences, mentions),
        "quantities": [{"kind": q.kind, "value": q.value, "unit": q.unit, "currency": q.currency, "text": q.text,
                        "span": [q.start, q.end], "approx": q.approx} for q in qs],
        "conversions": [{"from": c.source.text, "to": c.target.text, "span": list(c.span)} for c in convs],
        "periods": [{"text": p.text, "label": p.label, "kind": p.kind, "span": [p.start, p.end], "note": p.note}
                    for p in pms],
        "citations": [{"numbers": list(m.numbers), "span": [m.start, m.end]} for m in marks],
        "references": [{"number": r.number, "author": r.author, "title": r.title, "publisher": r.publisher,
                        "date": r.date, "url": r.url, "span": [r.start, r.end]} for r in refs],
        "findings": [{"id": f"F{i}", "check": f.check, "severity": f.severity, "message": f.message,
                      "spans": [list(s) for s in f.spans], "claims": list(f.claims), "details": f.details}
                     for i, f in enumerate(findings, 1)],
        "loaded_language": [{"text": x.text, "category": x.category, "explanation": x.explanation,
                             "span": [x.start, x.end]} for x in loaded],
    }


def _document_date(given: str | None, meta: str | None, refs: list[Any]) -> tuple[date | None, str | None]:
    if given:
        d = _parse_date(given)
        if d is None:
            raise ValueError(f"--date '{given}' is not a date (use YYYY-MM-DD)")
        return d, "given"
    d = _parse_date(meta)
    if d:
        return d, "document metadata"
    dated = [_parse_date(r.date) for r in refs if r.date and len(r.date) == 10]
    dated_ok = [x for x in dated if x]
    if dated_ok:
        return max(dated_ok), "inferred: not before the newest reference"
    return None, None


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line[:100] + ("…" if len(line) > 100 else "")


def source_slug(name: str, url: str | None, when: date | None, text: str) -> str:
    """A stable source id for the document: doc-YYYYMMDD-<words from the name or URL>-<hash>."""
    stem = url or name
    words = re.findall(r"[a-z0-9]+", stem.lower().rsplit("/", 1)[-1].rsplit(".", 1)[0] or stem.lower())
    slug = "-".join(w for w in words if w not in ("www", "html", "htm", "txt", "md", "https", "http"))[:40].strip("-")
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    day = when.strftime("%Y%m%d") if when else "undated"
    return f"doc-{day}-{slug or 'stdin'}-{digest}"


def _borrow_periods(cl: list[Claim]) -> None:
    """A claim without a period takes the period of the other statements of the same change, if they agree."""
    for c in cl:
        if c.period is not None or c.entity is None:
            continue
        same = {x.period for x in cl if x is not c and x.entity == c.entity and x.metric == c.metric and x.period}
        if len(same) == 1:
            c.period = same.pop()


def _claim_row(c: Claim) -> dict[str, Any]:
    return {"id": c.id, "entity": c.entity, "entity_name": c.entity_name, "metric": c.metric, "value": c.value,
            "unit": c.unit, "period": c.period, "region": c.region, "product": c.product,
            "definition": c.definition, "approx": c.approx, "bound": c.bound, "text": c.text, "span": list(c.quantity),
            "sentence": list(c.sentence), "citations": c.citations, "kb": c.kb, "confidence": c.confidence}


def _event_row(e: Event, kb: KnowledgeBase, source_id: str, number: int) -> dict[str, Any]:
    row = asdict(e)
    row["spans"] = [list(s) for s in e.spans]
    row["imposed_by_name"] = kb.name_of(e.imposed_by)
    row["candidate_rule"] = events.candidate_rule(e, kb, source_id, number)
    return row


def _entity_rows(mentions: list[Any]) -> list[dict[str, Any]]:
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for m in mentions:
        key = (m.entity, m.kind)
        row = rows.setdefault(key, {"id": m.entity, "kind": m.kind, "texts": [], "mentions": 0,
                                    "confidence": m.confidence, "via": m.via, "spans": []})
        row["mentions"] += 1
        if m.text not in row["texts"]:
            row["texts"].append(m.text)
        row["confidence"] = max(row["confidence"], m.confidence)
        if len(row["spans"]) < 10:
            row["spans"].append([m.start, m.end])
    return sorted(rows.values(), key=lambda r: -r["mentions"])


def _event_findings(evs: list[Event], kb: KnowledgeBase) -> list[Finding]:
    out = []
    for e in evs:
        if e.known_rule:
            out.append(Finding("event_known", "info", f"Restriction event {e.id} ({e.kind}) matches the knowledge "
                                                      f"base rule {e.known_rule}.", tuple(e.spans[:1]), (e.id,)))
        else:
            out.append(Finding("event_new", "notice", f"Restriction event {e.id} ({e.kind} by "
                                                      f"{kb.name_of(e.imposed_by)}) is not in the knowledge base: "
                                                      "a candidate rule is proposed.", tuple(e.spans[:1]), (e.id,)))
    return out


def _unread_tables(tabs: list[tables.Table], cl: list[Claim]) -> list[Finding]:
    """A table none of whose cells gave a claim: its rows or columns could not be bound (no firm, country or
    measure in its row labels, no unit for its levels, no period or measure in its column headers), so it was
    skipped rather than guessed; said so, with its header."""
    out = []
    for t in tabs:
        if any(t.start <= c.quantity[0] < t.end for c in cl):
            continue
        header = " | ".join(h for h in t.header if h)
        out.append(Finding("table_unread", "info", f"A table of {len(t.rows)} rows ({header}) was found but none of "
                                                   "its cells could be bound to a row and a column header with a "
                                                   "unit; it was skipped.", ((t.start, t.end),)))
    return out


def _uncited_references(refs: list[Any], marks: list[Any]) -> list[Finding]:
    cited = {n for m in marks for n in m.numbers}
    return [Finding("reference_uncited", "notice", f"Reference [{r.number}] is listed but never cited in the text.",
                    ((r.start, r.end),)) for r in refs if r.number not in cited]


def _entity_words(claims: list[Claim], kb: KnowledgeBase) -> dict[str, set[str]]:
    """Each claimed entity's names and demonyms as lower-case words ("micron", "technology"; "china", "chinese"), which
    name whose change it is, not which measure."""
    out: dict[str, set[str]] = {}
    for c in claims:
        if c.entity and c.entity not in out:
            names = (*kb.names_of(c.entity), *DEMONYMS.get(c.entity, ()))
            out[c.entity] = {w.lower().removesuffix("'s") for n in names for w in re.findall(r"[\w-]+", n)}
    return out
