"""Ingestion speed and memory: articles of ~1,000 words per second on one core, and memory flat in the number
of documents. Run: ``.venv/bin/python benchmarks/bench_ingest.py [--docs 300]``.

The articles are built from the evaluation set (tests/ingest/eval): bodies are concatenated, in rotating
order, until a document reaches ~1,000 words, and one reference list is appended. The knowledge base is
read once from a fresh store of the bundled data (as the CLI does once per command).
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from chipshift import api
from chipshift.config import Settings
from chipshift.ingest.command import read_document
from chipshift.ingest.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "ingest" / "eval"


def corpus(n: int, words: int = 1000) -> list[bytes]:
    bodies, refs = [], []
    for path in sorted(EVAL.glob("*.txt")) + sorted(EVAL.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        parts = re.split(r"\n#* ?References\n", text, maxsplit=1)
        body, tail = parts[0], parts[1] if len(parts) > 1 else ""
        bodies.append(body.strip())
        refs.append(tail)
    docs = []
    for i in range(n):
        parts, count, j = [], 0, i
        while count < words:
            kept = []
            for sentence in re.split(r"(?<=[.!?\]])\s+(?=[A-Z])", bodies[j % len(bodies)]):
                if count >= words:
                    break
                kept.append(sentence)
                count += len(sentence.split())
            parts.append(" ".join(kept))
            j += 1
        docs.append(("\n\n".join(parts) + "\n\nReferences\n" + refs[i % len(refs)]).encode())
    return docs


def run(kb: KnowledgeBase, docs: list[bytes]) -> tuple[float, int]:
    words = 0
    start = time.perf_counter()
    for i, data in enumerate(docs):
        report = read_document(f"doc{i}.txt", data, kb, "2025-10-20", None)
        words += report["document"]["words"]
    return time.perf_counter() - start, words


def peak_memory(kb: KnowledgeBase, docs: list[bytes]) -> int:
    gc.collect()
    tracemalloc.start()
    run(kb, docs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--docs", type=int, default=300)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, api.open_store(Settings(store_path=Path(tmp) / "s.duckdb")) as st:
        t0 = time.perf_counter()
        kb = KnowledgeBase.from_store(st)
        kb.gazetteer  # noqa: B018 - build the name index once, outside the timing
        setup = time.perf_counter() - t0
    docs = corpus(args.docs)
    run(kb, docs[:10])  # warm up (regex compilation)
    seconds, words = run(kb, docs)
    long_doc = corpus(1, words=10000)
    long_s, long_words = run(kb, long_doc * 5)
    small = peak_memory(kb, docs[:30])
    large = peak_memory(kb, docs[:300] if len(docs) >= 300 else docs)
    print(f"knowledge base snapshot and name index: {setup * 1000:.0f} ms (once per command)")
    print(f"{len(docs)} documents, {words / len(docs):,.0f} words each on average, one core (single process)")
    print(f"throughput: {len(docs) / seconds:,.1f} documents/s ({words / seconds:,.0f} words/s); "
          f"{1000 * seconds / len(docs):.1f} ms per document")
    print(f"a {long_words / 5:,.0f}-word document: {1000 * long_s / 5:.0f} ms "
          f"({long_words / long_s:,.0f} words/s: linear in length)")
    print(f"peak traced memory: 30 documents {small / 1e6:.1f} MB, {min(300, len(docs))} documents "
          f"{large / 1e6:.1f} MB "
          f"(ratio {large / small:.2f}: flat in the number of documents)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
