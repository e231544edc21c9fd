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
    capitalised: bool = False  # a firm's name: it names the firm only written with a capital ("Sharp", not "sharp")


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
                          len(name) > 3 else min(confidence, 0.8), via, priority,
                          capitalised=kind == "firm" and toks[0][:1].isupper())
            table.setdefault(key, []).append(entry)

        for kind, named in (("firm", kb.firms), ("country", kb.countries), ("input", kb.inputs)):
            for n in named.values():
                add(n.name, n.id, kind, 0.95, "name", 3)
                if kind == "firm" and n.name.isalpha() and n.name.islower() and len(n.name) <= 4:
                    # a short brand written in lower case ("vivo") is written capitalised at a sentence's or a
                    # table row's start ("5. Vivo | 31.6"), which a short name's case-sensitive match would miss
                    add(n.name.capitalize(), n.id, kind, 0.9, "name", 3)
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
        worded: list[int] = []  # the mentions of names that must be capitalised (words too: "Sharp")
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
                fitting = [e for e in entries if (not e.form or e.form == raw) and
                           (not e.capitalised or raw[0][:1].isupper())]
                if not fitting:
                    continue
                best = max(fitting, key=lambda e: (e.priority, e.confidence))
                out.append(Mention(start, end, text[start:end], best.entity, best.kind,  # type: ignore[arg-type]
                                   best.confidence, best.via))
                if best.capitalised:
                    worded.append(len(out) - 1)
                i += n
                matched = True
                break
            if not matched:
                i += 1
        # a one-word firm name found only in a headline standing alone in title case names the firm only if the
        # text names it elsewhere too: the headline's capitals may have made a word of it ("... Warns of Sharp
        # Decline in China Sales"), and a story about a firm names it again
        dropped = {k for k in worded if " " not in out[k].text and _headline(text, out[k].start) and not any(
            m.entity == out[k].entity and not _headline(text, m.start) for m in out)}
        return [m for k, m in enumerate(out) if k not in dropped]


_CURRENCY_AFTER = re.compile(r"[.]?\s+dollars?\b", re.I)


def _headline(text: str, at: int) -> bool:
    """Offset ``at`` stands in a line of its own (blank lines or the text's ends around it) written in title case."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    end = len(text) if end < 0 else end
    alone = (start < 2 or text[start - 2] == "\n") and (end >= len(text) - 1 or text[end + 1] == "\n")
    return alone and title_case(text[start:end])


def title_case(text: str) -> bool:
    """A line written in title case ("Commerce Adds 11 Entities to the Entity List for Supporting PRC Military
    Modernization"): four words of four letters or more at least, and nine in ten of them capitalised."""
    words = re.findall(r"\b[A-Za-z][a-z'’-]{3,}\b", text)
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.9 * len(words)


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


#: A company form written after a name: "Co., Ltd.", "Co. Ltd.", "Corp", "Inc.", "Limited".
_LEGAL = r"(?:,?\s+(?:Co|Corp|Inc|Ltd|LLC|PLC|GmbH)\b\.?|,?\s+(?:Corporation|Limited|Company)\b)" \
         r"(?:,?\s+(?:Ltd\b\.?|Limited\b))?"
_NAME_WORD = r"(?!(?:Co|Corp|Inc|Ltd|LLC|PLC|GmbH|Corporation|Limited|Company)\b)" \
             r"(?:[A-Z][\w'’&.-]*[\w'’]|[A-Z]|\([A-Z][\w ]{0,20}\))"
#: A proper name: capitalised words (also "Xi'an", "H3C", "(HK)", "(Wuxi)"), joined by "of", "for", "at" or "de",
#: optionally followed by a company form.
_NAME = re.compile(rf"(?:[Tt]he\s+)?{_NAME_WORD}(?:\s+(?:(?:of|for|at|de|&)\s+)?{_NAME_WORD})*(?:{_LEGAL})?")
_LEGAL_AT_END = re.compile(rf"(?:{_LEGAL})$")
_LIST_SEPARATOR = re.compile(r",\s+(?:and\s+)?|\s+and\s+|;\s+")
_ENUMERATOR = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|[-•*·])\s+")
#: Last words of names of lists, laws, public bodies and kinds of firm ("Russian Companies"), not of a firm.
_NOT_FIRM_END = re.compile(r"\b(?:List|Rules?|Regulations?|Register|Act|Law|Order|Framework|Department|Ministry|"
                           r"Bureau|Administration|Commission|Committee|Council|Congress|Army|Party|Government|Office|"
                           r"Agency|Companies|Firms|Entities|Enterprises|Businesses|Makers|Chipmakers|Suppliers)"
                           r"(?:\s*\([^)]*\))?$")
_NOT_NAMES = {"the", "a", "an", "it", "its", "they", "their", "this", "that", "these", "those", "according", "in",
              "on", "at", "for", "but", "and", "as", "after", "before", "while", "since", "among", "including",
              "altogether", "finally", "also", "other", "others", "both"}


def outside_firm_id(name: str) -> str:
    """The id of a firm the data does not hold, made from its name as the text writes it: lower case, the company
    form and a leading "the" dropped, words joined by hyphens, apostrophes and hyphens before a small letter dropped
    ("Xi'an Aerospace Huaxun Technology" is ``xian-aerospace-huaxun-technology``, "Sunway Micro-electronics"
    ``sunway-microelectronics``, "High-Performance" ``high-performance``, "Shanghai Fudan Microelectronics
    (HK) Co., Ltd." ``shanghai-fudan-microelectronics-hk``)."""
    name = _LEGAL_AT_END.sub("", name.strip().rstrip("."))
    name = re.sub(r"^[Tt]he\s+", "", name)
    name = re.sub(r"(?<=\w)(?:['’]|-(?=[a-z]))(?=\w)", "", name)
    words = re.findall(r"[A-Za-z0-9]+", name)
    return "-".join(w.lower() for w in words)


#: A stock listing written after a firm's name: "(NYSE: MP)", "(Nasdaq: SMCI)", "(SSE: 688256)", "(603501.SH)",
#: "(0981.HK)", "(TSE: 8035)".
_LISTING = re.compile(r"\s*\((?:(?:NYSE|NASDAQ|Nasdaq|NYSE American|SSE|SZSE|SHA|SHE|STAR|HKEX|HKG|HK|TSE|TYO|TWSE|"
                      r"TPEx|KRX|KOSDAQ|KOSPI|ASX|LSE|TSX|Euronext|SIX|BSE|NSE|SGX)\s*:\s*[A-Z0-9.]{1,10}|"
                      r"\d{4,6}\.(?:SH|SZ|SS|HK|T|TW|TWO|KS|KQ))\)")
#: Last words that say what kind of firm a name is: dropped for the name's short form ("GigaDevice
#: Semiconductor" is also "GigaDevice").
_FIRM_KIND_WORDS = {"semiconductor", "semiconductors", "technology", "technologies", "tech", "electronics",
                    "microelectronics", "materials", "group", "holdings", "holding", "computer", "systems",
                    "devices", "integrated", "circuits", "circuit", "international", "industries", "industrial",
                    "corporation", "company", "limited", "science", "sciences", "information"}
#: Words a firm's short form must not be ("Super" alone, "China", "Shanghai"), besides the common capitalised words
#: (``_STOP_CAPS``).
_WEAK_SHORT = {"super", "china", "shanghai", "beijing", "shenzhen", "national", "global", "united", "general",
               "advanced", "applied", "great", "asia", "japan", "korea"}


def outside_firms(text: str, linked: list[Mention]) -> list[Mention]:
    """Firms the knowledge base does not hold, named in ``text`` with a mark that makes the name a firm's: a
    company form ("MP Materials Corp.", "GigaDevice Semiconductor Inc.") or a stock listing ("Super Micro Computer
    (Nasdaq: SMCI)"). Each becomes a firm mention with ``outside_firm_id`` as its entity, and so does every other
    place the text writes the name without its form, or its short form (the name without its last words of kind,
    "GigaDevice" for "GigaDevice Semiconductor", when that is a single distinctive word of four letters or more).
    Names overlapping a linked mention, names of lists, laws and bodies (``_is_name``) and names of one word
    without a listing (research firms and the like, "TrendForce Corp.", are quoted more than they report) are left
    out."""
    covered = bytearray(len(text) + 1)
    for m in linked:
        covered[m.start:m.end] = b"\x01" * (m.end - m.start)
    names: dict[str, str] = {}  # name as written without its form -> id
    for named in _NAME.finditer(text):
        whole = named.group().rstrip(".")
        listing = _LISTING.match(text, named.end())
        formed = _LEGAL_AT_END.search(whole)
        if not (formed or listing) or 1 in covered[named.start():named.end()] or "\n" in named.group():
            continue
        base = _without_lead(text, re.sub(r"^[Tt]he\s+", "", _LEGAL_AT_END.sub("", whole)).strip(" ,"))
        if not base or not _is_name(base) or base.split()[0].lower() in _STOP_CAPS or \
                (" " not in base and not listing):  # "TrendForce Corp.": a one-word name is a firm by its listing
            continue
        names.setdefault(base, outside_firm_id(base))
    if not names:
        return []
    forms: dict[str, str] = dict(names)
    for base, firm in names.items():
        words = base.split()
        while len(words) > 1 and words[-1].lower() in _FIRM_KIND_WORDS:
            words = words[:-1]
        if len(words) == 1 and len(words[0]) >= 4 and words[0].lower() not in _WEAK_SHORT | _STOP_CAPS:
            forms.setdefault(words[0], firm)
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
                         + r")(?![\w-])")
    out: list[Mention] = []
    for hit in pattern.finditer(text):
        if 1 in covered[hit.start():hit.end()]:
            continue
        out.append(Mention(hit.start(), hit.end(), hit.group(), forms[hit.group()], "firm", 0.6, "outside"))
        covered[hit.start():hit.end()] = b"\x01" * (hit.end() - hit.start())
    return out


def _without_lead(text: str, name: str) -> str:
    """``name`` without the words before it that are no part of it: a capitalised common word
    ("Shares of MP Materials", "Chipmaker GigaDevice Semiconductor"), known by the text writing it in lower case
    elsewhere or by its being one of the common capitalised words (``_STOP_CAPS``, months), with the joining word
    after it."""
    words = name.split()
    while len(words) > 1:
        first = words[0].lower()
        common = first in _STOP_CAPS or first in _MONTHS or \
            re.search(rf"(?<![\w-]){re.escape(first)}(?![\w-])", text) is not None
        if not common:
            break
        words = words[1:]
        if words and words[0] in ("of", "for", "at", "de", "&"):
            words = words[1:]
    return " ".join(words)


def ranked_firm_id(label: str) -> str | None:
    """The id of a firm the knowledge base does not hold, named by a row of a table whose other named rows are all
    firms (a ranking of carmakers or battery makers, "BYD", "Li Auto", "SK On"): the label is a firm's when it is
    a proper name of at most five words that is no list's, law's or body's and no "Others" row; None otherwise."""
    text = re.sub(r"\s*\([^)]*\)$", "", label.strip())  # a bracketed aside after the name ("Geely (incl. Zeekr)")
    if not text or len(text.split()) > 5 or not _is_name(text) or \
            re.fullmatch(r"(?:the\s+)?(?:others?|other\s+\w+|rest(?:\s+of\s+\w+)?|(?:sub)?totalt?|top\s*\d+|"
                         r"gesamt|insgesamt|summe|sonstige)", text, re.I):
        return None
    return outside_firm_id(text) or None


def _is_name(text: str) -> bool:
    m = _NAME.fullmatch(text)
    if m is None:
        return False
    first = re.sub(r"^[Tt]he\s+", "", text).split()[0].lower()
    return first not in _NOT_NAMES and first not in _MONTHS and not _NOT_FIRM_END.search(text.rstrip("."))


def listed_names(text: str, enumerated: bool = False) -> list[list[tuple[int, int]]]:
    """The spans (in ``text``, one sentence or line) of the proper names it lists, one list per run: two or more
    names in a row separated by commas or "and" ("Hunan Goke Microelectronics, New H3C Semiconductor Technologies
    Co., Ltd. and Yunchip Microelectronics"; the first may close a clause, "... are Tianjin Phytium Information
    Technology", and the last open one, "Yunchip Microelectronics were added"), or one name ending in a company form
    ("Jicun Semiconductor Technology Co., Ltd."); a line that is only a name after an enumerator ("3. Sangon Biotech
    (Shanghai) Co., Ltd."; ``enumerated``: the enumerator stood just before the text) is one. Which names are firms,
    and which are countries or agencies, is the caller's to decide."""
    lead = _ENUMERATOR.match(text)
    offset = lead.end() if lead else 0
    body = text[offset:].rstrip().rstrip(".")
    if body and (lead or enumerated or _LEGAL_AT_END.search(body)) and \
            all(_is_name(part) for part in re.split(r",\s+(?=[A-Z])", _LEGAL_AT_END.sub("", body))):
        return [[(offset, offset + len(body))]]  # "2. National Time Service Center, Chinese Academy of Sciences"
    protected = [(m.start(), m.end()) for m in re.finditer(_LEGAL, text)]
    cuts = [m for m in _LIST_SEPARATOR.finditer(text) if not any(a <= m.start() < b for a, b in protected)]
    bounds = [0, *[x for m in cuts for x in (m.start(), m.end())], len(text)]
    chunks = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    out: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []

    def close() -> None:
        nonlocal run
        if len(run) < 2:
            run = [s for s in run if _LEGAL_AT_END.search(text[s[0]:s[1]].rstrip("."))]
        if run:
            out.append(run)
        run = []

    for k, (a, b) in enumerate(chunks):
        chunk = text[a:b].rstrip().rstrip(".")
        if chunk and _is_name(chunk):  # a name standing alone between separators goes on with the list
            run.append((a, a + len(chunk)))
            continue
        m = _NAME.match(chunk) if k > 0 and run else None
        if m and m.end() < len(chunk) and chunk[m.end():m.end() + 1] == " " and _is_name(m.group()):
            run.append((a, a + m.end()))  # the last name of a list opens the clause that follows it
        close()
        if k + 1 < len(chunks):  # the first name of a list closes the clause before it
            tail = next((m for m in _NAME.finditer(chunk) if m.end() == len(chunk)), None)
            if tail and tail.start() > 0 and _is_name(tail.group()):
                run = [(a + tail.start(), a + tail.end())]
    close()
    taken = [x for r in out for x in r]
    for m in _NAME.finditer(text):  # a name with its company form, wherever it stands
        a, b = m.start(), m.end()
        name = m.group().rstrip(".")
        if _LEGAL_AT_END.search(name) and _is_name(name) and not any(x < b and a < y for x, y in taken):
            out.append([(a, a + len(name))])
    return sorted(out)
