"""`chipshift ingest`: the IO edge. Reads files (or stdin, or a URL when no file is given), runs the pure
pipeline, and with ``accept`` stores the accepted claims, the document as their source and the candidate
rules in one transaction. Bad input raises DataError before anything is stored."""

from __future__ import annotations

import re
import sys
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlparse

from chipshift.domain.period import Period
from chipshift.errors import DataError, Problem
from chipshift.ingest import text as T
from chipshift.ingest.binding import Binding
from chipshift.ingest.citations import site_publisher
from chipshift.ingest.html import render_html
from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.ledger import analyse
from chipshift.io.store import Store
from chipshift.schemas import tables as schemas
from chipshift.schemas import vocabulary as voc

__all__ = ["accept_rows", "ingest_command", "read_document", "render_html", "table_view"]

FETCH_TIMEOUT_S = 15


def read_document(name: str, data: bytes, kb: KnowledgeBase, when: str | None, url: str | None,
                  binding: Binding | None = None, trace: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Decode, extract and analyse one document's bytes (raises DataError on bad input); ``binding`` and
    ``trace``: see ``claims.extract``."""
    decoded = T.decode(data, name)
    extracted = T.extract(decoded, T.sniff(name, decoded), name)
    try:
        return analyse(extracted, kb, name, when, url, binding, trace)
    except ValueError as exc:
        raise DataError([Problem(str(exc), file=name, field="date", check="ingest_input")]) from exc


def _fetch(url: str) -> tuple[str, bytes]:
    if not re.match(r"^https?://\S+$", url):
        raise DataError([Problem(f"'{url}' is not an http(s) URL", field="url", check="ingest_input")])
    request = urllib.request.Request(url, headers={"User-Agent": "chipshift-ingest"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
            data = response.read(T.MAX_BYTES + 1)
            kind = response.headers.get_content_type()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DataError([Problem(f"could not fetch {url}: {exc} (is the network available? Save the page and "
                                 "pass the file instead)", field="url", check="ingest_input")]) from exc
    name = urlparse(url).path.rsplit("/", 1)[-1] or "page"
    if kind == "text/html" and not name.endswith((".html", ".htm")):
        name += ".html"
    return name, data


def ingest_command(store: Store, files: list[str], url: str | None, date: str | None,
                   accept: bool) -> dict[str, Any]:
    """Analyse ``files`` ('-' = stdin; a URL is fetched only when no file is given) and, with ``accept``, store
    the accepted claims and candidate rules. Returns a JSON-ready report; raises DataError on bad input."""
    if date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise DataError([Problem(f"--date '{date}' is not a date (use YYYY-MM-DD)", field="date",
                                 check="ingest_input")])
    inputs: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    if not files and url:
        inputs.append(_fetch(url))
    elif not files:
        raise DataError([Problem("give one or more files ('-' reads standard input) or --url", check="ingest_input")])
    for name in files:
        try:
            if name == "-":
                inputs.append(("-", sys.stdin.buffer.read(T.MAX_BYTES + 1)))
            else:
                with open(name, "rb") as handle:
                    inputs.append((name, handle.read(T.MAX_BYTES + 1)))
        except OSError as exc:
            problems.append(Problem(f"cannot read the file: {exc.strerror or exc}", file=name, check="ingest_input"))
    kb = KnowledgeBase.from_store(store)
    reports: list[dict[str, Any]] = []
    for name, data in inputs:
        try:
            reports.append(read_document(name, data, kb, date, url))
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    stored: dict[str, Any] | None = None
    if accept:
        sources, facts, rules, skipped = [], [], [], []
        for report in reports:
            source, f, r, s = accept_rows(report, kb)
            sources.append(source)
            facts += f
            rules += r
            skipped += s
        stored = {**store.store_documents(sources, facts, rules), "skipped": skipped,
                  "source_ids": [s["id"] for s in sources]}
    return _combine(reports, stored)


def _combine(reports: list[dict[str, Any]], stored: dict[str, Any] | None) -> dict[str, Any]:
    def rows(key: str) -> list[dict[str, Any]]:
        return [{"document": r["document"]["name"], **row} for r in reports for row in r[key]]
    return {
        "files": len(reports),
        "accepted": stored is not None,
        "stored": stored,
        "documents": [{k: r["document"][k] for k in ("name", "title", "kind", "date", "date_source", "url", "words",
                                                      "source_id")} |
                      {"claims": len(r["claims"]), "events": len(r["events"]), "findings": len(r["findings"]),
                       "loaded": len(r["loaded_language"])} for r in reports],
        "claims": rows("claims"),
        "events": rows("events"),
        "references": rows("references"),
        "findings": rows("findings"),
        "loaded_language": rows("loaded_language"),
        "candidates": rows("candidates"),
        "details": reports,
    }


def table_view(report: dict[str, Any]) -> dict[str, Any]:
    """The report slimmed for a terminal table: no texts, spans or nested details."""
    keep = {
        "claims": ["document", "id", "entity", "metric", "bound", "value", "unit", "period", "region", "text",
                   "citations", "kb", "confidence"],
        "events": ["document", "id", "kind", "imposed_by", "sellers", "targets", "products", "announced",
                   "effective", "modality", "citations", "known_rule"],
        "references": ["document", "number", "publisher", "title", "date", "url"],
        "findings": ["document", "id", "severity", "check", "message"],
        "loaded_language": ["document", "text", "category"],
        "candidates": ["document", "name", "count", "kind_guess"],
    }
    out: dict[str, Any] = {"files": report["files"], "accepted": report["accepted"]}
    if report.get("stored"):
        out["stored"] = {k: v for k, v in report["stored"].items() if k != "skipped"}
    out["documents"] = report["documents"]
    for key, columns in keep.items():
        out[key] = [{c: row.get(c) for c in columns} for row in report[key]]
    return out


def _valid(schema: schemas.TableSchema, row: dict[str, Any]) -> str | None:
    for c in schema.columns:
        value = row.get(c.name)
        if value is None:
            if c.required:
                return f"{c.name} is missing"
            continue
        if c.allowed is not None and c.dtype == "str" and value not in c.allowed:
            return f"{c.name} '{value}' is not an allowed code"
        if c.pattern and isinstance(value, str) and not re.match(c.pattern, value):
            return f"{c.name} '{value}' does not match {c.pattern}"
    return None


def accept_rows(report: dict[str, Any], kb: KnowledgeBase) -> tuple[dict[str, Any], list[dict[str, Any]],
                                                                     list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows for the store: the document as a source, its storable claims as facts (status 'claim') and its
    events as rules (origin 'document', flagged unreviewed). Claims that cannot be stored are listed."""
    doc = report["document"]
    name = doc["name"]
    if not doc["url"]:
        raise DataError([Problem("--accept stores the document as a source, which needs its address: pass --url "
                                 "(the page the text came from)", file=name, field="url", check="ingest_accept")])
    if not doc["date"]:
        raise DataError([Problem("--accept needs the document's date: pass --date YYYY-MM-DD", file=name,
                                 field="date", check="ingest_accept")])
    host = urlparse(doc["url"]).hostname or "document"
    source = {"id": doc["source_id"], "publisher": site_publisher(doc["url"]) or host.removeprefix("www."),
              "original_publisher": None, "title": (doc["title"] or name)[:300], "url": doc["url"],
              "published": doc["date"], "published_approx": doc["date_source"] != "given",
              "reliability": "weak", "note": f"ingested document (chipshift ingest), sha256 {doc['sha256'][:16]}; "
                                            "claims unreviewed"}
    problem = _valid(schemas.SOURCES, source)
    if problem:
        raise DataError([Problem(f"the document cannot be stored as a source: {problem}", file=name,
                                 check="ingest_accept")])
    text = doc["text"]
    known = set(kb.firms) | set(kb.countries) | set(kb.inputs)
    facts, skipped = [], []
    for c in report["claims"]:
        reason = _unstorable(c, known)
        if reason is None:
            s, e = c["sentence"]
            row = {"id": f"{doc['source_id']}-{c['id'].lower()}", "entity": c["entity"], "metric": c["metric"],
                   "product": c["product"], "region": c["region"], "segment": None, "basis": None,
                   "definition": c["definition"], "period": c["period"], "value": float(c["value"]),
                   "unit": c["unit"], "status": "claim", "source": doc["source_id"],
                   "quote": re.sub(r"\s+", " ", text[s:e])[:400], "default": False,
                   "note": f"from document, unreviewed; knowledge base check: {c['kb']}"}
            reason = _valid(schemas.FACTS, row)
            if reason is None:
                facts.append(row)
                continue
        skipped.append({"claim": c["id"], "reason": reason})
    rules = []
    for e in report["events"]:
        rule = dict(e["candidate_rule"])
        reason = None if rule["imposed_by"] in known else f"imposer '{rule['imposed_by']}' is not a known id"
        outside = [f for side in ("targets", "sellers") for f in (rule.get(side) or {}).get("firms") or []
                   if f not in kb.firms]
        if reason is None and outside:
            reason = f"firm '{outside[0]}' (an id made from its name in the text) is not in the knowledge base"
        reason = reason or _valid(schemas.RULES, rule)
        if reason is None:
            rules.append(rule)
        else:
            skipped.append({"event": e["id"], "reason": reason})
    return source, facts, rules, skipped


def _unstorable(c: dict[str, Any], known: set[str]) -> str | None:
    if c["entity"] not in known:
        return f"entity '{c['entity']}' is not in the knowledge base"
    metric = voc.METRICS.get(c["metric"])
    if metric is None:
        return f"metric '{c['metric']}' is not in the vocabulary"
    unit = voc.UNITS.get(c["unit"])
    if unit is None or unit.dimension not in metric.dimensions:
        return f"unit '{c['unit']}' does not fit metric '{c['metric']}'"
    if metric.needs_product and not c["product"]:
        return f"metric '{c['metric']}' needs a product the text does not name"
    if c["product"] and c["product"] not in known:
        return f"product '{c['product']}' (as the text names it) is not in the knowledge base"
    if c["period"] is None:
        return "no period in the text"
    try:
        Period.parse(c["period"])
    except ValueError:
        return f"period '{c['period']}' cannot be read"
    return None
