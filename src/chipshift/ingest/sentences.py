"""Paragraphs and sentences with their spans. Rule based: abbreviations and citation markers are respected."""

from __future__ import annotations

import re

from chipshift.ingest.model import Sentence

_BOUNDARY = re.compile(r"[.!?。！？]['\"”’)\]]*(?:\s*\[\d+(?:\s*[-–,]\s*\d+)*\])*(?=\s+|$)")
_ABBREV = {"u.s", "u.k", "u.n", "inc", "corp", "co", "ltd", "no", "mr", "ms", "mrs", "dr", "st", "vs", "e.g", "i.e",
           "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est",
           "fig", "al", "gov", "dept", "rep", "sen", "jr", "sr", "p.r", "n.v", "s.a", "plc"}
#: A line opening a list item ("-- Q4 net sales ...", "• Revenue: ...", "2) ..."): it starts a sentence.
_BULLET = re.compile(r"(?<=\n)[ \t]*(?:-{1,2}|[*•·–—▪●]|\d{1,2}[.)])[ \t]+(?=\S)")
_NEXT_START = re.compile(r"\s+[\"“‘'(\[]?[A-Z0-9\u4e00-\u9fff]")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of paragraphs: blank-line separated when the text is hard-wrapped, else one per line."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    if not lines:
        return []
    wrapped = sum(1 for s, e in lines if e - s > 40 and not re.search(r"[.!?:\"”’)\]]\s*$", text[s:e]))
    blank_separated = "\n\n" in text or "\n\r\n" in text
    if blank_separated and wrapped > len(lines) / 3:
        return [(m.start(), m.end()) for m in re.finditer(r"(?:[^\n]+\n?)+", text) if m.group().strip()]
    return [(s, e) for s, e in lines if text[s:e].strip()]


def split(text: str, references_start: int | None = None) -> list[Sentence]:
    """Sentences of every paragraph, in order."""
    out: list[Sentence] = []
    for number, (p_start, p_end) in enumerate(paragraphs(text)):
        start = p_start
        chunk = text[p_start:p_end]
        # a list item starts a sentence of its own, unless the list is introduced by a heading ending in a colon
        # ("Top suppliers, Q3 2024 (share):"), whose words the items need
        bullets = [m.start() for m in _BULLET.finditer(chunk)]
        if any(chunk[:b].rstrip().endswith(":") for b in bullets):
            bullets = []
        for m in _BOUNDARY.finditer(chunk):
            end = p_start + m.end()
            while bullets and p_start + bullets[0] < end:
                cut = p_start + bullets.pop(0)
                if cut > start:
                    _add(out, text, start, cut, number, references_start)
                    start = cut
            prev = chunk[max(0, m.start() - 12): m.start()]
            token = re.findall(r"[A-Za-z.]+$", prev)
            last = token[0].lower().strip(".") if token else ""
            if chunk[m.start()] == "." and (last in _ABBREV or (re.fullmatch(r"[a-z]", last) and
                                            prev[-2:-1].isspace())):
                continue
            if chunk[m.start()] == "." and re.fullmatch(r"[A-Z]", prev[-1:] or "") and \
                    (len(prev) < 2 or not prev[-2].isalpha()):
                continue  # an initial: "J. Villasenor"
            if m.end() < len(chunk) and not _NEXT_START.match(chunk, m.end()):
                continue
            _add(out, text, start, end, number, references_start)
            start = end
        for b in bullets:
            cut = p_start + b
            if cut > start:
                _add(out, text, start, cut, number, references_start)
                start = cut
        if start < p_end:
            _add(out, text, start, p_end, number, references_start)
    return out


def _add(out: list[Sentence], text: str, start: int, end: int, paragraph: int, refs: int | None) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, paragraph, text[start:end], refs is not None and start >= refs))
