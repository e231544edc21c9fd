"""Entity linking: firms, countries, products and agencies named in the text, through the knowledge base's
names and aliases plus a small built-in lexicon of demonyms, capitals used as metonyms, and agencies.

Matching is a longest-first lookup of token n-grams in a dictionary (linear in the text's length, whatever
the number of names). Short or all-capital names match case-sensitively. Unknown capitalised names are
returned as candidates.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chipshift.ingest.model import Mention, Sentence

if TYPE_CHECKING:
    from chipshift.ingest.kb import KnowledgeBase

_TOKEN = re.compile(r"[A-Za-z0-9]+|[\u4e00-\u9fff]")

DEMONYMS: dict[str, tuple[str, ...]] = {
    "USA": ("American", "Americans", "U.S.", "US", "Washington", "White House", "United States",
            "Trump administration", "Biden administration", "Obama administration"),
    "CHN": ("Chinese", "Beijing", "Chinese mainland", "PRC", "中国"),
    "NLD": ("Dutch", "The Hague"),
    "JPN": ("Japanese", "Tokyo"),
    "KOR": ("Korean", "South Korean", "Seoul"),
    "TWN": ("Taiwanese", "Taipei"),
    "DEU": ("German", "Berlin"),
    "EUR": ("European", "EU", "European Union", "Brussels"),
    "GBR": ("British", "London"),
    "IND": ("Indian",), "RUS": ("Russian", "Moscow"), "SGP": ("Singaporean",), "MYS": ("Malaysian",),
    "VNM": ("Vietnamese",), "WLD": ("global", "worldwide", "world's", "world"),
}
_METONYMS = {"Washington", "White House", "Trump administration", "Biden administration", "Obama administration",
             "Beijing", "The Hague", "Tokyo", "Seoul", "Taipei", "Berlin", "Brussels",
             "London", "Moscow"}
AGENCIES: dict[str, tuple[str, str]] = {
    "Bureau of Industry and Security": ("USA", "Commerce/BIS"), "BIS": ("USA", "Commerce/BIS"),
    "Commerce Department": ("USA", "Commerce/BIS"), "Department of Commerce": ("USA", "Commerce/BIS"),
    "U.S. Commerce Department": ("USA", "Commerce/BIS"), "US Commerce Department": ("USA", "Commerce/BIS"),
    "Cyberspace Administration of China": ("CHN", "Cyberspace Administration of China"),
    "CAC": ("CHN", "Cyberspace Administration of China"),
    "Ministry of Commerce": ("CHN", "MOFCOM"), "MOFCOM": ("CHN", "MOFCOM"),
    "commerce ministry": ("CHN", "MOFCOM"),
    "General Administration of Customs": ("CHN", "General Administration of Customs"),
    "GACC": ("CHN", "General Administration of Customs"),
    "Ministry of Industry and Information Technology": ("CHN", "MIIT"), "MIIT": ("CHN", "MIIT"),
    "State Administration for Market Regulation": ("CHN", "SAMR"), "SAMR": ("CHN", "SAMR"),
    "METI": ("JPN", "METI"), "Ministry of Economy, Trade and Industry": ("JPN", "METI"),
    "trade ministry": ("JPN", "METI"),
    "Dutch government": ("NLD", "Dutch government"), "Dutch Cabinet": ("NLD", "Dutch government"),
    "European Commission": ("EUR", "European Commission"),
}
PRODUCT_PHRASES: dict[str, str] = {
    "server chips": "server_dram", "server memory chips": "server_dram", "server memory": "server_dram",
    "server DRAM": "server_dram", "memory chips": "memory", "AI accelerators": "ai_accelerator",
    "AI processors": "ai_accelerator", "AI chip": "ai_accelerator", "accelerators": "ai_accelerator",
    "chipmaking equipment": "sme", "chip-making equipment": "sme", "chipmaking tools": "sme",
    "chip-making tools": "sme", "chip manufacturing equipment": "sme", "chipmaking machinery": "sme",
    "semiconductor equipment": "sme", "lithography": "sme", "lithography systems": "sme",
    "lithography machines": "sme", "wafer fab equipment": "sme", "chip equipment": "sme",
    "rare earth": "rare_earths", "rare-earth": "rare_earths", "integrated circuits": "semiconductors",
    "semiconductors": "semiconductors", "AI server": "ai_server", "AI servers": "ai_server",
    "GPUs": "data_center_gpu", "HBM": "hbm", "high-bandwidth memory": "hbm",
}
_COMMON_WORD_ALIASES = {"various", "memory", "chips", "processors", "resists", "lam", "ics", "world", "global",
                        "worldwide", "lg"}
_STOP_CAPS = {"the", "a", "an", "this", "that", "these", "those", "it", "its", "in", "on", "at", "for", "but", "and",
              "yet", "while", "as", "if", "when", "what", "who", "why", "how", "he", "she", "they", "we", "i", "our",
              "their", "there", "then", "so", "not", "no", "after", "before", "since", "with", "by", "from", "to",
              "of", "or", "let", "ai", "ceo", "cfo", "q1", "q2", "q3", "q4", "gdp", "still", "meanwhile", "however",
              "also", "even", "both", "some", "many", "most", "such", "one", "two", "more", "less", "despite",
              "under", "over", "among", "according", "references", "sources", "notes", "exclusive", "year",
              "quarter", "fiscal", "analysts", "shares", "revenue", "sales", "industry", "market", "overall",
              "combined", "together", "total", "earlier", "later", "last", "next", "first", "second", "third",
              "fourth", "new", "latest", "further", "other", "others", "chinese", "american", "asked", "rmb", "usd",
              "cny", "eur", "krw", "jpy", "twd", "yuan", "dollars", "qoq", "yoy", "hbm", "dram", "nand", "ssd"}
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_ORG_SUFFIX = re.compile(r"\b(Technologies|Technology|Corp|Corporation|Inc|Group|Holdings?|Semiconductors?|"
                         r"Electronics|Ltd|Co|Institution|Institute|Administration|Ministry|Bureau|Agency|"
                         r"Department|University|Research|Securities|Insights|Capital|Partners|Association|"
                         r"Commission|Council|Systems|Micro|Memory|Devices|Foundry|Labs?)\b")


def tokens(text: str) -> list[tuple[int, int, str]]:
    """Word tokens (start, end, raw), with possessive 's dropped."""
    out = []
    for m in _TOKEN.finditer(text):
        raw = m.group()
        if raw in ("s", "S") and m.start() > 0 and text[m.start() - 1] in "'’":
            continue
        out.append((m.start(), m.end(), raw))
    return out


@dataclass(frozen=True)
class Entry:
    entity: str
    kind: str  # firm, country, input, agency
    form: tuple[str, ...]  # raw tokens for case-sensitive entries, else ()
    confidence: float
    via: str
    priority: int


class Gazetteer:
    """Token n-gram dictionary of every known name."""

    def __init__(self, table: dict[tuple[str, ...], list[Entry]]) -> None:
        self.table = table
        self.longest = max((len(k) for k in table), default=1)
        self.first: dict[str, int] = {}
        for k in table:
            self.first[k[0]] = max(self.first.get(k[0], 0), len(k))

    @classmethod
    def build(cls, kb: KnowledgeBase) -> Gazetteer:
        table: dict[tuple[str, ...], list[Entry]] = {}

        def add(name: str, entity: str, kind: str, confidence: float, via: str, priority: int) -> None:
            toks = [t[2] for t in tokens(name)]
            if not toks:
                return
            letters = re.sub(r"[^A-Za-z]", "", name)
            sensitive = len(name) <= 4 or (letters.isupper() and len(letters) >= 2)
            key = tuple(t.lower() for t in toks)
            entry = Entry(entity, kind, tuple(toks) if sensitive else (), confidence if not sensitive or
                          len(name) > 3 else min(confidence, 0.8), via, priority)
            table.setdefault(key, []).append(entry)

        for kind, named in (("firm", kb.firms), ("country", kb.countries), ("input", kb.inputs)):
            for n in named.values():
                add(n.name, n.id, kind, 0.95, "name", 3)
                for alias in n.aliases:
                    if alias.lower() in _COMMON_WORD_ALIASES:
                        continue
                    add(alias, n.id, kind, 0.9, "alias", 2)
        for country, words in DEMONYMS.items():
            if country not in kb.countries:
                continue
            for w in words:
                via = "metonym" if w in _METONYMS else "demonym"
                add(w, country, "country", 0.65 if via == "metonym" else 0.75, via, 1)
        for name, (country, authority) in AGENCIES.items():
            add(name, country, "agency", 0.9, f"agency:{authority}", 4)
        for phrase, input_id in PRODUCT_PHRASES.items():
            if input_id in kb.inputs:
                add(phrase, input_id, "input", 0.7, "phrase", 0)
        return cls(table)

    def link(self, text: str) -> list[Mention]:
        toks = tokens(text)
        keys = [t[2].lower() for t in toks]
        out: list[Mention] = []
        i = 0
        while i < len(toks):
            matched = False
            longest = self.first.get(keys[i], 0)
            for n in range(min(longest, len(toks) - i), 0, -1):
                entries = self.table.get(tuple(keys[i:i + n]))
                if not entries:
                    continue
                # names must be contiguous in the text (no sentence break between tokens)
                start, end = toks[i][0], toks[i + n - 1][1]
                if "\n" in text[start:end] or text[end:end + 1] == "$":
                    continue
                if _CURRENCY_AFTER.match(text, end):  # "US dollars", "Hong Kong dollars": a currency, not a place
                    continue
                raw = tuple(t[2] for t in toks[i:i + n])
                fitting = [e for e in entries if not e.form or e.form == raw]
                if not fitting:
                    continue
                best = max(fitting, key=lambda e: (e.priority, e.confidence))
                out.append(Mention(start, end, text[start:end], best.entity, best.kind,  # type: ignore[arg-type]
                                   best.confidence, best.via))
                i += n
                matched = True
                break
            if not matched:
                i += 1
        return out


_CURRENCY_AFTER = re.compile(r"[.]?\s+dollars?\b", re.I)
_CAPS = re.compile(r"[A-Z][\w&-]*(?:[ ](?:of|and|for|de|in)?[ ]?[A-Z][\w&-]*)*")


def candidates(text: str, sentences: list[Sentence], linked: list[Mention]) -> list[dict[str, object]]:
    """Capitalised names that did not link: likely firms, agencies or people worth adding as aliases."""
    starts = {s.start for s in sentences}
    body = [s for s in sentences if not s.in_references]
    covered = bytearray(len(text) + 1)
    for m in linked:
        covered[m.start:m.end] = b"\x01" * (m.end - m.start)
    found: Counter[str] = Counter()
    where: dict[str, list[tuple[int, int]]] = {}
    for s in body:
        for cap in _CAPS.finditer(s.text):
            start, end = s.start + cap.start(), s.start + cap.end()
            if 1 in covered[start:end]:
                continue
            words = cap.group().split()
            while words and words[0].lower() in _STOP_CAPS | _MONTHS:
                words = words[1:]
            while words and words[-1].lower() in _STOP_CAPS | _MONTHS | {"of", "and", "for", "in", "de"}:
                words = words[:-1]
            if not words:
                continue
            name = " ".join(words)
            at_start = start in starts and len(words) == 1
            org = bool(_ORG_SUFFIX.search(name))
            if at_start and not org:
                continue
            if len(words) == 1 and not org and ((name.isupper() and len(name) <= 2) or len(name) <= 2):
                continue
            found[name] += 1
            where.setdefault(name, []).append((start, end))
    out: list[dict[str, object]] = []
    for name, count in found.most_common():
        multi = " " in name
        org = bool(_ORG_SUFFIX.search(name))
        if not (org or multi or count >= 2 or re.search(r"[A-Z].*[A-Z]", name)):
            continue
        guess = "agency" if re.search(r"Ministry|Administration|Bureau|Department|Commission|Agency", name) \
            else "organisation" if org else "name"
        out.append({"name": name, "count": count, "kind_guess": guess, "spans": [list(s) for s in where[name][:5]]})
    return out
