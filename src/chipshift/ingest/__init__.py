"""Document ingestion: read an article, extract sourced claims, restriction events and citations, check them.

A pipeline of small pure modules, each taking text (and a knowledge-base snapshot) and returning values:

``text`` (decode, HTML/Markdown to plain text) -> ``sentences`` -> ``quantities``, ``periods``, ``entities``
-> ``claims``, ``events``, ``citations`` -> ``checks``, ``kbcheck``, ``language`` -> ``ledger`` (the report).

``command`` is the IO edge used by the CLI (files, stdin, an optional URL, the store); ``html`` renders a
report; ``evaluation`` scores reports against hand-labelled expectations.
"""

from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.ledger import analyse

__all__ = ["KnowledgeBase", "analyse"]
