"""Document ingestion: read an article, extract sourced claims, restriction events and citations, check them.

A pipeline of small pure modules, each taking text (and a knowledge-base snapshot) and returning values:

``text`` (decode, HTML/Markdown to plain text) -> ``sentences`` -> ``quantities``, ``periods``, ``entities``
-> ``claims``, ``events``, ``citations`` -> ``checks``, ``kbcheck``, ``language`` -> ``ledger`` (the report).

``command`` is the IO edge used by the CLI (files, stdin, an optional URL, the store); ``html`` renders a
report; ``evaluation`` scores reports against hand-labelled expectations.

The two names below load on first use, so that importing one module of the pipeline does not import the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chipshift import lazy

if TYPE_CHECKING:
    from chipshift.ingest.kb import KnowledgeBase
    from chipshift.ingest.ledger import analyse

__getattr__ = lazy.attributes(__name__, {"KnowledgeBase": "chipshift.ingest.kb", "analyse": "chipshift.ingest.ledger"})

__all__ = ["KnowledgeBase", "analyse"]
