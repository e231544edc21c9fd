"""Loaded language: intensifiers, value judgements, certainty markers and charged metaphors, flagged apart
from the factual claims so a reader can weigh the figures without the framing."""

from __future__ import annotations

import re

from chipshift.ingest.model import Loaded, Sentence

_LEXICON: dict[str, tuple[str, ...]] = {
    "intensifier": (
        "spectacularly", "spectacular", "stunning", "staggering", "skyrocketed", "skyrocketing", "explosive",
        "massive", "massively", "enormous", "huge", "dramatically", "dramatic", "perfectly", "extremely",
        "remarkable", "remarkably", "unprecedented", "whopping", "stellar", "astonishing", "astounding",
        "breathtaking", "mind-boggling", "jaw-dropping", "meteoric", "phenomenal", "colossal", "relentless",
        "booming", "stark", "historic proportions", "largely", "utterly", "incredibly", "blistering",
    ),
    "value_judgement": (
        "self-sabotage", "blunder", "failed policy", "coercion", "bullying", "cripple", "crippled", "kneecap",
        "backfired", "spectacularly backfired", "shrewd", "reckless", "misguided", "foolish", "disastrous",
        "titan", "champions", "giant", "giants", "unilateral tech supremacy", "tech supremacy", "abuse",
        "humiliating", "desperate", "draconian", "naked", "weaponize", "weaponise", "hegemony", "arrogant",
        "not just a failed", "strategic blunder", "self-defeating", "long-running campaign", "passive recipient",
    ),
    "certainty": (
        "clearly", "clear retaliation", "obviously", "undeniably", "undoubtedly", "the reason is simple",
        "it is a clear pattern", "no longer needs", "speak louder than words", "make no mistake",
        "there is no doubt", "of course", "arguably", "is over", "the era of",
    ),
    "metaphor": (
        "tale of two", "walking away", "stark warning", "ground is shifting", "fill the void", "locked out",
        "cut off", "choke", "chokehold", "stranglehold", "war", "arms race", "iron curtain", "silicon curtain",
    ),
}
_EXPLAIN = {
    "intensifier": "an intensifier: it amplifies the figure or event without adding information",
    "value_judgement": "a value judgement: the author's assessment, not a checkable fact",
    "certainty": "a certainty marker: it presents an interpretation as settled",
    "metaphor": "a charged metaphor: it frames the facts rather than stating them",
}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
#: first word -> [(phrase words, category)], longest phrase first
_INDEX: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _category, _words in _LEXICON.items():
    for _phrase in _words:
        _key = tuple(_phrase.lower().split())
        _INDEX.setdefault(_key[0], []).append((_key, _category))
for _entries in _INDEX.values():
    _entries.sort(key=lambda x: -len(x[0]))


def flag(sentences: list[Sentence]) -> list[Loaded]:
    out: list[Loaded] = []
    for s in sentences:
        if s.in_references:
            continue
        words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(s.text)]
        lowered = [w[2] for w in words]
        i = 0
        while i < len(words):
            for phrase, category in _INDEX.get(lowered[i], ()):
                if tuple(lowered[i:i + len(phrase)]) == phrase:
                    a, b = words[i][0], words[i + len(phrase) - 1][1]
                    out.append(Loaded(s.start + a, s.start + b, s.text[a:b], category,  # type: ignore[arg-type]
                                      _EXPLAIN[category]))
                    i += len(phrase) - 1
                    break
            i += 1
    return out
