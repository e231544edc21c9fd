"""Documents read by the ingestion pipeline (``chipshift.ingest``), as typed answers (``IngestAnswer``):
``ingest`` reads files (or fetches a URL), as ``chipshift ingest`` does; ``analyse`` reads one pasted or uploaded
text (the Documents page, the REST API, the MCP tool) and only reads; ``accept`` stores its claims and candidate
rules the way ``chipshift ingest --accept`` does (one transaction, the document as their source)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chipshift.ingest.command import accept_rows, ingest_command, read_document
from chipshift.ingest.kb import KnowledgeBase
from chipshift.io.store import Store

if TYPE_CHECKING:
    from chipshift.api.answers import IngestAnswer

#: The document's kind -> a name ending the pipeline reads it by (it sniffs by name, then by content).
SUFFIX = {"text": ".txt", "html": ".html", "markdown": ".md"}


def document_name(name: str | None, kind: str | None) -> str:
    """The name the pipeline sees: the given one, made to end as the kind says (when a kind is given)."""
    base = (name or "pasted").strip() or "pasted"
    if kind is None:
        return base
    suffix = SUFFIX[kind]
    return base if base.lower().endswith(suffix) else base + suffix


def _answer(report: dict[str, Any], stored: dict[str, Any] | None) -> IngestAnswer:
    """The shape of ``ingest_command``'s answer (one document): tables tagged with the document, plus details."""
    name = report["document"]["name"]

    def rows(key: str) -> list[dict[str, Any]]:
        return [{"document": name, **row} for row in report[key]]

    document = {k: report["document"][k] for k in ("name", "title", "kind", "date", "date_source", "url", "words",
                                                     "source_id")}
    from chipshift.api.answers import IngestAnswer

    return IngestAnswer.model_validate({"files": 1, "accepted": stored is not None, "stored": stored,
            "documents": [document | {"claims": len(report["claims"]), "events": len(report["events"]),
                                      "findings": len(report["findings"]),
                                      "loaded": len(report["loaded_language"])}],
            "claims": rows("claims"), "events": rows("events"), "references": rows("references"),
            "findings": rows("findings"), "loaded_language": rows("loaded_language"),
            "candidates": rows("candidates"), "details": [report]})


def analyse(kb: Callable[[], KnowledgeBase], text: str, name: str | None, url: str | None, date: str | None,
            kind: str | None) -> IngestAnswer:
    """The ingestion report of one text (raises DataError naming the problem on bad input)."""
    report = read_document(document_name(name, kind), text.encode("utf-8"), kb(), date, url)
    return _answer(report, None)


def accept(store: Store, text: str, name: str | None, url: str | None, date: str | None,
           kind: str | None) -> IngestAnswer:
    """Analyse, then store the document as a source with its storable claims and candidate rules."""
    kb = KnowledgeBase.from_store(store)
    report = read_document(document_name(name, kind), text.encode("utf-8"), kb, date, url)
    source, facts, rules, skipped = accept_rows(report, kb)
    stored = {**store.store_documents([source], facts, rules), "skipped": skipped, "source_ids": [source["id"]]}
    return _answer(report, stored)


def ingest(store: Store, files: list[str], url: str | None = None, date: str | None = None,
           accept: bool = False) -> IngestAnswer:
    """Read ``files`` ('-': standard input; with none, the page at ``url`` is fetched) against the knowledge base
    and, with ``accept``, store their claims and candidate rules (raises DataError naming the problems)."""
    from chipshift.api.answers import IngestAnswer

    return IngestAnswer.model_validate(ingest_command(store, files, url, date, accept))
