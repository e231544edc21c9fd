"""Claims: (entity, metric, value, unit, period) read from the sentences around each quantity.

Rule based and explainable: the metric comes from the nearest cue word, the entity from the nearest fitting
mention (or the paragraph's subject when the sentence says "it" or "the company"), the period from the
nearest period mention (resolved against the document date and the firm's fiscal calendar).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chipshift.domain.period import Period
from chipshift.ingest import periods as P
from chipshift.ingest.binding import Binding, features, shipped
from chipshift.ingest.cues import (
    _CHANGE_RE,
    _COMPARISON_BASE,
    _CUES_BY_NAME,
    _DOWN_RE,
    _FORECAST,
    _PRONOUN,
    _QOQ,
    _RANKING,
    _REGION_CUE,
    _UP_RE,
    _YOY,
    sentence_cues,
)
from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.model import Claim, Conversion, Marker, Mention, PeriodMention, Quantity, Sentence, Window

FINANCIAL = {"revenue", "net_profit", "operating_profit", "gross_margin", "charge", "investment"}
SHARES = {"market_share", "localization_rate", "import_share", "revenue_share_region", "revenue_share_product",
          "equipment_purchases_share", "gross_margin"}


@dataclass(frozen=True)
class Context:
    text: str
    kb: KnowledgeBase
    doc_date: date | None
    dominant_period: str | None
    fiscal_text: bool = False  # the text speaks of fiscal years (firms' quarters are then read on their calendar)
    # where the countries of a list of a flow's destinations are named ("Phones by market:" over "- China: ..."),
    # and where each item of such a list starts
    destinations: frozenset[int] = frozenset()
    destination_items: frozenset[int] = frozenset()


#: A line that opens a list of where a flow went: "Phones by market, January-June 2022:", "Main buyers:".
_DESTINATIONS_LEAD = re.compile(r"\bby\s+(?:market|destination|country|countries)\b|\b(?:main\s+|largest\s+|top\s+)?"
                                r"(?:buyers|destinations|export\s+markets)\b", re.I)


def listed_destinations(text: str, mentions: list[Mention]) -> tuple[frozenset[int], frozenset[int]]:
    """Where the countries of a list of a flow's destinations are named, and where each item of it starts: the
    items ("- United States: 6.61 billion USD, up 53.7%"), one to a line, under a line ending with a colon that says
    the list is by market or destination. Each item's country is where the flow went, not who sent it."""
    countries = {m.start: m for m in mentions if m.kind in ("country", "agency") and m.entity}
    found: set[int] = set()
    items: set[int] = set()
    listing = False
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if line.strip().endswith(":") and _DESTINATIONS_LEAD.search(line):
            listing = True
            continue
        if not listing:
            continue
        item = re.match(r"\s*(?:[-•*]\s*)?(?=[A-Z][^:\n]{0,40}:)", line)
        if item is None:  # no longer an item ("- Name: figure"): the list has ended
            listing = False
            continue
        items.add(start + item.end())
        first = countries.get(start + item.end())
        if first is not None and re.match(r"\s*(?:\([^)]*\))?\s*:", text[first.end:first.end + 40]):
            found.add(first.start)
    return frozenset(found), frozenset(items)


def dominant_period(mentions: list[PeriodMention]) -> str | None:
    """The period the document is mostly about, when one quarter/half/fiscal label clearly dominates."""
    labels = Counter(m.label for m in mentions if m.label and m.kind in ("quarter", "fiscal", "half", "span"))
    if not labels:
        return None
    label, n = labels.most_common(1)[0]
    return label if n >= 2 and n >= 0.5 * sum(labels.values()) else None


@dataclass
class Running:
    """What the text has established so far: the firm it is about, the period, the last money metric."""

    subject: dict[int, str]
    doc_subject: str | None = None
    main: str | None = None  # the firm the headline names
    country: str | None = None
    period: str | None = None
    money_family: str | None = None
    share_family: str | None = None  # the measure of the last share stated (a percent level, not a change)
    trade_family: str | None = None  # the last trade flow named, with or without a figure (for weights)
    periods: Counter[str] = field(default_factory=Counter)  # the periods of the claims so far
    recent: tuple[int, str] | None = None  # the paragraph and period of the last claim
    month: str | None = None  # the last month the text named ("September 2023"), for figures of month-on-month
    market: str | None = None  # the one country whose market the headline names ("China's smartphone market")


def extract(text: str, sentences: list[Sentence], quantities: list[Quantity], conversions: list[Conversion],
            mentions: list[Mention], period_mentions: list[PeriodMention], markers: list[Marker],
            kb: KnowledgeBase, doc_date: date | None, binding: Binding | None = None,
            trace: list[dict[str, Any]] | None = None) -> list[Claim]:
    """The claims of the prose. ``binding`` is the learned reading of each figure's measure (the shipped one when
    None; ``binding.RULES_ONLY`` for the rules alone); ``trace`` collects each figure's features (for training)."""
    binding = binding if binding is not None else shipped()
    ctx = Context(text, kb, doc_date, dominant_period([p for p in period_mentions]), speaks_fiscal(text),
                  *listed_destinations(text, mentions))
    secondary = {(c.target.start, c.target.end) for c in conversions}
    claims: list[Claim] = []
    run = Running(subject={}, main=main_firm(sentences, mentions), market=market_region(sentences, mentions))
    last_period: dict[int, str] = {}
    lone = Counter(s.paragraph for s in sentences)  # sentences per paragraph (a heading is a paragraph of one)
    wq, wm, wp, wk = Window(quantities), Window(mentions), Window(period_mentions), Window(markers)
    for s in sentences:
        if s.in_references:
            continue
        qs = [q for q in wq.between(s.start, s.end) if (q.start, q.end) not in secondary]
        ments = wm.between(s.start, s.end)
        pms = wp.between(s.start, s.end)
        cites = sorted({n for mk in wk.between(s.start, s.end + 1) for n in mk.numbers})
        firms = [m for m in ments if m.kind == "firm"]
        respectively = _respectively(s, qs, firms)
        bracketed = _bracketed(s, qs, ments)
        # a paragraph naming no firm: a sentence opening with "it" or "its" speaks of the firm of the last paragraph
        # that named one, any other of the firm the headline names
        subject = run.subject.get(s.paragraph) or \
            ((run.doc_subject if _OPENS_WITH_IT.match(s.text) else run.main) or run.doc_subject)
        cues = sentence_cues(s.text) if qs else []
        trade = [c[2] for c in (cues or sentence_cues(s.text)) if c[2] in ("imports", "exports")]
        if trade:  # the flow a sentence names, with or without figures ("China's gallium exports rose in July.")
            run.trade_family = trade[-1]
        made: list[str] = []
        previous: Claim | None = None  # the claim of the sentence's last figure
        guided = False  # a figure of the sentence is guidance: the periods it names are the forecast's
        for q in qs:
            if _in_range(s, q, qs):
                continue
            family, distance = _family(ctx, s, q, qs, ments, run, cues)
            base_of = _base_of_level(ctx, q, previous)
            if base_of is not None:  # "43 per cent of its revenue ..., against 24 per cent a year earlier"
                family, distance = base_of, 0
            ruled = family if family is not None and family != "other" and distance <= 160 else None
            carried = last_period.get(s.paragraph) or \
                (run.recent[1] if run.recent and run.recent[0] == s.paragraph else run.period)
            forced = respectively.get(q.start) or bracketed.get(q.start)
            claim = None if ruled is None else \
                _bind(ctx, s, q, qs, ments, pms, subject, carried, forced, run, ruled, distance)
            if binding.active or trace is not None:
                names = features(s, q, qs, ments, cues, family, distance, run.money_family, run.share_family) + \
                    _claim_features(ctx, s, pms, claim)
                if trace is not None:
                    trace.append({"features": names, "value": q.value, "kind": q.kind, "unit": q.unit,
                                  "sentence": s.text, "rule": ruled, "span": (q.start, q.end)})
                # the base of a level a comparison names is the level's measure by construction: the rule stands
                chosen, learned = (ruled, False) if base_of is not None else binding.decide(names, ruled)
                if chosen is None:
                    continue
                if learned:
                    claim = _bind(ctx, s, q, qs, ments, pms, subject, carried, forced, run, chosen, 100)
            previous = claim
            forecast = claim is not None and claim.metric in _GUIDED and \
                bool(_GUIDANCE_WORD.search(s.text[:q.start - s.start]))
            guided = guided or forecast  # a firm's forecast: its periods do not carry to the figures that follow
            if claim is None or _guidance(s, q, qs, claim):
                continue
            _segment_revenue(ctx, s, q, qs, ments, claim)
            claim.citations = cites
            claim.id = f"C{len(claims) + 1}"
            # read, and left out of the ledger (its period and measure still carry on)
            if not (_per_share(s, q) or _adjusted(s, q) or _unlisted_measure(s, q, qs) or
                    _others_expectation(s, q, qs) or _volume_change(s, q, qs, claim) or _amount_of_change(s, q)):
                claims.append(claim)
            if claim.period and not forecast and not _is_base(s, q, pms) and not _year_ago(s, q, qs):
                run.periods[claim.period] += 1
                run.recent = (s.paragraph, claim.period)
                if run.period is None or run.periods[claim.period] > run.periods[run.period]:
                    run.period = claim.period  # the period most of the text's figures are of, the earlier one
                    # established on a tie, carries into later paragraphs
                made.append(claim.period)
            if q.kind == "money" or (q.kind in ("count", "mass") and claim.metric in ("imports", "exports")):
                run.money_family = claim.metric
            if claim.unit == "pct":
                run.share_family = claim.metric
            if claim.entity in ctx.kb.countries:
                run.country = claim.entity
        countries = [m.entity for m in ments if m.kind == "country" and m.entity and not _in_masthead_name(s, m)]
        if countries and run.country is None:  # the country the text opens with, for its trade figures
            run.country = countries[0]
        if firms:
            first = firms[0].entity or ""
            run.subject[s.paragraph] = first
            run.doc_subject = run.doc_subject or first
            if s.paragraph == 0 or not run.subject.get(s.paragraph - 1):
                run.doc_subject = first
        # a period named just after a base figure ("after only 96 kilograms in June") is the base's, not the text's
        base_ends = [q.end for q in qs if _is_base(s, q, pms)]
        named = [p for p in pms if p.label and p.kind != "date" and not _base_mention(s, p) and
                 not any(0 <= p.start - e <= 20 and not re.search(r"[,;]", ctx.text[e:p.start]) for e in base_ends)]
        # of the periods a sentence names, the most specific one it ends with ("for the first half of the year,
        # as fabs hunted for substitutes after last year's sanctions" is about the first half)
        specific = [p.label for p in named if p.kind in ("quarter", "half", "span", "fiscal", "month")]
        months = [p.label for p in named if p.kind == "month" and p.label and re.fullmatch(r"\d{4}-\d\d", p.label)]
        if months:
            run.month = months[-1]
        labelled = made or ([] if guided else specific or [p.label for p in named if p.label])
        if labelled:
            last_period[s.paragraph] = labelled[-1]
            if not made and run.period is None:  # the period the text opens with carries into later paragraphs
                run.period = labelled[-1]
            if not made and s.text.strip() and lone[s.paragraph] == 1 and len(s.text) <= 100 and \
                    not re.search(r"[.!?;]\W*$", s.text.strip()):
                run.period = labelled[-1]  # a heading's period holds for the paragraphs under it
    _fix_from_to(ctx, claims)
    return dedupe(claims)


#: Changes on the month before: "month-to-month sales", "m/m", "from the previous month".
_MONTH_ON_MONTH = re.compile(r"\bmonth[- ](?:to|on|over)[- ]month\b|\bm/m\b|\bfrom\s+the\s+(?:previous|prior|"
                            r"preceding)\s+month\b", re.I)
#: A site's masthead or breadcrumb line, whose names are the publisher's, not the text's: "KED Global | Economy",
#: "Silicon UK > Cloud > Datacentre".
_MASTHEAD = re.compile(r"[^.!?\n]{1,60}?\s(?:\||>|»|›)\s[^.!?\n]{1,80}")


def _in_masthead_name(s: Sentence, m: Mention) -> bool:
    """A country named on a masthead line only as part of a site's or section's name ("KED Global | Economy",
    "Silicon UK > Cloud"): the world, or a name joined to another capitalised word; "TRADE DATA | South Korea,
    May 2024" names the text's country."""
    if not _MASTHEAD.fullmatch(s.text.strip()):
        return False
    before, after = s.text[:m.start - s.start], s.text[m.end - s.start:]
    return m.entity == "WLD" or bool(re.search(r"[A-Z][\w&.-]*\s$", before) or re.match(r"\s[A-Z]", after))


#: What stands between a level and the same measure's earlier level it is compared with: "43 per cent of
#: Tokyo Electron's revenue in the third quarter, against 24 per cent", "41%, up from 36%", "27% versus 31%".
_BASE_AFTER_LEVEL = re.compile(r"^[^.;%\d]{0,60}?(?:,\s*|\s+)(?:against|compared\s+(?:with|to)|versus|vs\.?|"
                               r"(?:up|down)\s+from|from)\s+(?:about\s+|around\s+|nearly\s+|roughly\s+|just\s+)?$",
                               re.I)
#: The measure family of a level in percent, by its metric.
_LEVEL_FAMILY = {"revenue_share_region": "revenue_share", "revenue_share_product": "revenue_share",
                 "market_share": "market_share", "localization_rate": "localization_rate",
                 "import_share": "import_share", "gross_margin": "gross_margin"}


#: Years and quarters, which name no figure between a level and its base.
_PERIOD_WORDS = re.compile(r"\b(?:(?:Q[1-4]|H[12]|[1-4]Q|FY)\s?)?(?:19|20)\d\d\b|\b(?:Q[1-4]|[1-4]Q\d\d|H[12])\b")
#: Quarters and halves written with figures ("1Q24", "Q2"), which are no figures a range could end with.
_QUARTER_WORDS = re.compile(r"\b(?:[1-4]Q\d\d|Q[1-4](?:\s?(?:19|20)?\d\d)?|[12]H\d\d|H[12](?:\s?(?:19|20)?\d\d)?)\b")
#: What stands between two like levels of a list, each with its own period: "75.5% of revenue in Q1 2023, against
#: 69.1% in Q4 2022 and 75.4% in Q1 2022".
_NEXT_IN_LIST = re.compile(r"^\s+(?:in|for|during)\s+(?:the\s+)?[^.;%,]{1,25}?(?:,\s*(?:and\s+)?|,?\s+and\s+)$", re.I)
#: What a figure of its own measure opens with ("... and 30% of the revenue", "and 12% from phones").
_OWN_MEASURE = re.compile(r"\s*(?:of|from|came|went|were|was)\b", re.I)


def _base_of_level(ctx: Context, q: Quantity, previous: Claim | None) -> str | None:
    """The family of the level a percentage is the earlier value of ("..., against 24 per cent a year earlier"):
    the previous figure's in the sentence when that figure is a level in percent (a share, a margin) and only the
    words of such a comparison stand between them, or only the period of the previous figure and "and" when this
    one names no measure of its own ("..., against 69.1% in Q4 2022 and 75.4% in Q1 2022")."""
    if previous is None or q.kind != "percent" or previous.unit != "pct" or \
            previous.metric not in _LEVEL_FAMILY or previous.quantity[1] > q.start:
        return None
    between = _PERIOD_WORDS.sub("P", ctx.text[previous.quantity[1]:q.start])  # "in Q1 2023" names no figure
    if _BASE_AFTER_LEVEL.match(between):
        return _LEVEL_FAMILY[previous.metric]
    if _NEXT_IN_LIST.match(between) and not _OWN_MEASURE.match(ctx.text[q.end:q.end + 12]):
        return _LEVEL_FAMILY[previous.metric]
    return None


def _claim_features(ctx: Context, s: Sentence, pms: list[PeriodMention], claim: Claim | None) -> list[str]:
    """Features of the claim the rules bound (for the learned reading): its metric, whether its entity is named in
    the sentence, where its period comes from, and whether the sentence speaks of a forecast."""
    out = ["forecast"] if _FORECAST.search(s.text) else []
    if claim is None:
        return [*out, "claim=none"]
    named = ctx.text[s.start:s.end].lower()
    own = claim.period is not None and any(p.label == claim.period for p in pms)
    period = "none" if claim.period is None else "own" if own else "carried"
    shape = "none" if claim.period is None else re.sub(r"\d", "9", claim.period)
    out += [f"claim={claim.metric}", f"claim_unit={claim.unit}", f"period={period}", f"period_shape={shape}",
            f"entity_named={'y' if ctx.kb.name_of(claim.entity or '').lower() in named else 'n'}"]
    if claim.unit.startswith("pct") or claim.unit == "pct":
        v = abs(claim.value)
        size = "lt1" if v < 1 else "lt10" if v < 10 else "lt50" if v < 50 else "lt100" if v <= 100 else "gt100"
        out.append(f"pct_size={size}")
    return out


_OPENS_WITH_IT = re.compile(r"\W*(?:it|its|it's|they|their)\b", re.I)
#: A sentence that goes on about the figure just given ("That was down 4.4 percent year-on-year.", "That is a
#: decline of 14.6%", "The figure was ..."): a change in it is of the measure last given in money or units.
_OPENS_WITH_THAT = re.compile(r"\W*(?:that|this|the figure|the total|the amount)\b(?!\s+(?:is|was)\s+(?:why|"
                              r"because|how|what|when))", re.I)
#: A level given as "with 27.2 per cent", "at 21 percent": in a text stating market shares, another share.
_SHARE_LEVEL = re.compile(r"\b(?:with|at)\s+(?:about|around|nearly|roughly|some|almost|just\s+over|over)?\s*$",
                          re.I)
#: A change written as a comparison after its figure ("22.7% more than a year earlier", "10.8 per cent fewer").
_MORE_THAN = re.compile(r"\s*(?:more|less|fewer|smaller|larger|bigger)\b", re.I)


#: A stock code after a firm's name: "(002371 CH)", "(NASDAQ: KLAC)", "(NYSE: MP)", "(688041.SS)", "(HKG: 1347)".
_TICKER = re.compile(r"^[\w.,&' -]{0,40}?\(\s*(?:(?:NASDAQ|NYSE|TSE|TWSE|HKEX|HKG|KRX|SSE|SZSE|LSE|Euronext|OTC)"
                     r"\s*[:：]\s*)?[A-Z0-9]{1,6}(?:\.[A-Z]{1,3}|\s+[A-Z]{2})?\s*\)")


#: Words that make a text's or a sentence's market the world's: "global shipments", "the world's PC market".
_WORLD_MARKET = re.compile(r"\b(?:global|worldwide|world(?:'s)?|international)\b", re.I)
#: Words of a market a headline names with its country: "China's smartphone market", "China PC shipments".
_MARKET_WORD = re.compile(r"\b(?:market|smartphones?|phones?|PCs?|tablets?|shipments|vendors|brands)\b", re.I)


def _opening(sentences: list[Sentence]) -> list[Sentence]:
    """The headline and opening sentence: the first two sentences that are no masthead."""
    return [s for s in sentences if s.text.strip() and not _MASTHEAD.fullmatch(s.text.strip())][:2]


def market_region(sentences: list[Sentence], mentions: list[Mention]) -> str | None:
    """The one country whose market the text is about, named in its headline or opening sentence beside a word of a
    market ("China smartphone shipments", "mainland China's PC market"), when those name no other country and no
    world market."""
    opening = _opening(sentences)
    found: set[str] = set()
    for s in opening:
        if _WORLD_MARKET.search(s.text):
            return None
        countries = [m for m in mentions if s.start <= m.start < s.end and m.kind == "country" and m.entity and
                     m.entity != "WLD"]
        for m in countries:
            near = s.text[max(0, m.start - s.start - 30):m.end - s.start + 40]
            if m.entity and _MARKET_WORD.search(near):
                found.add(m.entity)
    return found.pop() if len(found) == 1 else None


def headline_market(sentences: list[Sentence], mentions: list[Mention]) -> str | None:
    """The market whose shares the text gives: the world's when its headline or opening sentence speaks of a world
    market or its shares ("Global EV battery market share in 2023"), else the one country's ``market_region``
    names, else None."""
    opening = _opening(sentences)
    if any(_WORLD_MARKET.search(s.text) and (_MARKET_WORD.search(s.text) or re.search(r"\bshares?\b", s.text, re.I))
           for s in opening):
        return "WLD"
    return market_region(sentences, mentions)


def main_firm(sentences: list[Sentence], mentions: list[Mention]) -> str | None:
    """The firm the document is about: the first firm of its headline (a short opening paragraph) when the text
    names it again or names no other firm."""
    firms = [m for m in mentions if m.kind == "firm" and m.entity]
    if not firms or not sentences:
        return None
    counts = Counter(m.entity for m in firms)
    head = sentences[0]
    if head.paragraph == 0 and head.end - head.start <= 200 and not head.in_references:
        named = [m for m in firms if head.start <= m.start < head.end]
        if named and (counts[named[0].entity] >= 2 or len(counts) == 1):  # named again, or the only firm named
            return named[0].entity
        if named and _TICKER.match(head.text[named[0].end - head.start:]):
            return named[0].entity  # "Naura Technology (002371 CH): Q3 2024 Earnings Update": its stock code
    return None


def document_firm(sentences: list[Sentence], mentions: list[Mention]) -> str | None:
    """The firm the document is about: its headline's (``main_firm``), else the firm named in at least half of
    the mentions of firms, and twice or more, one of them in the first three sentences (a firm named only further
    down, "a supply deal with Apple", is not what a release about a firm the data does not hold is about)."""
    main = main_firm(sentences, mentions)
    if main is not None:
        return main
    counts = Counter(m.entity for m in mentions if m.kind == "firm" and m.entity)
    if not counts:
        return None
    firm, n = counts.most_common(1)[0]
    early = sentences[min(2, len(sentences) - 1)].end if sentences else 0
    named_early = any(m.entity == firm and m.start < early for m in mentions)
    return firm if n >= 2 and n * 2 >= sum(counts.values()) and named_early else None


def _base_mention(s: Sentence, p: PeriodMention) -> bool:
    """A period given as the base of a comparison ("than in the first quarter", "from a year earlier") or as the
    background of the firm's story ("since it listed in 2020"); "over the first 11 months" is the time the figure
    covers, not a base."""
    before = s.text[max(0, p.start - s.start - 25): p.start - s.start]
    if re.match(r"(?:first|past|last)\b", p.text, re.I) and re.search(r"\bover\s+(?:the\s+)?$", before, re.I):
        return False
    return bool(_COMPARISON_BASE.search(before) or _BACKGROUND_YEAR.search(before))


def _is_base(s: Sentence, q: Quantity, pms: list[PeriodMention]) -> bool:
    return bool(_FROM_BEFORE.search(s.text[max(0, q.start - s.start - 15):q.start - s.start]))


#: A year named as the background of a firm's story, not the time of its figures: "its first profitable year since
#: it listed in 2020", "founded in 2016".
_BACKGROUND_YEAR = re.compile(r"\b(?:since|listed|listing|founded|established|incorporated|went\s+public)\b"
                              r"[^,.;\d]{0,20}?\b(?:in\s+)?$", re.I)

#: A figure given as the base of a comparison: "from 4,260", "after only 96 kilograms", "twice the 4,260 kilograms".
_FROM_BEFORE = re.compile(r"\b(?:from|after(?:\s+only|\s+just)?|(?:twice|double|triple|half)\s+the)\s+"
                          r"(?:about\s+|around\s+)?$")


def _in_range(s: Sentence, q: Quantity, qs: list[Quantity]) -> bool:
    """Ranges are not point claims, as the labelling conventions have it: guidance ("between 18% and 20%", "flat or
    up 2%"), the second figure of "20-25%", and either end of two figures of one kind joined by "to" or a dash
    (``range_end``)."""
    left = s.text[max(0, q.start - s.start - 30):q.start - s.start]
    if re.search(r"\b(?:flat|unchanged|steady)\s+or\s+(?:by\s+)?$|\bor\s+(?:up|down|higher|lower)\s*(?:by\s+)?$",
                 left, re.I):
        return True
    if re.search(r"\d\s*(?:to|-|–)\s*$", _QUARTER_WORDS.sub("P", left)):  # not "from 15.7% in 1Q24 to 16.4%"
        return True
    for other in qs:
        if other is q or other.kind != q.kind:
            continue
        a, b = (other, q) if other.start < q.start else (q, other)
        between = s.text[a.end - s.start:b.start - s.start]
        before = s.text[max(0, a.start - s.start - 12):a.start - s.start]
        if re.fullmatch(r"\s*(?:and|to|-|–)\s*", between) and re.search(r"between\s*$|range\s+of\s*$", before, re.I):
            return True
    return range_end(s, q, qs)


def _respectively(s: Sentence, qs: list[Quantity], firms: list[Mention]) -> dict[int, Mention]:
    if "respectively" not in s.text.lower() or len(firms) < 2:
        return {}
    for kind in ("money", "percent", "fold", "points"):
        same = [q for q in qs if q.kind == kind]
        if len(same) == len(firms):
            return {q.start: f for q, f in zip(same, firms, strict=True)}
    return {}


#: A figure in brackets just after a name: "the Americas (43.9%), China (19.2%)", "Samsung (41%), SK hynix (29%)".
_OPEN_BRACKET = re.compile(r"^\s*\(\s*(?:up\s+|down\s+)?$", re.I)


def _bracketed(s: Sentence, qs: list[Quantity], ments: list[Mention]) -> dict[int, Mention]:
    """Figures listed in brackets after the firms or countries they are of, two or more in the sentence: each
    figure is its name's."""
    named = [m for m in ments if m.kind in ("firm", "country") and m.entity]
    out: dict[int, Mention] = {}
    for q in qs:
        before = [m for m in named if m.end <= q.start and _OPEN_BRACKET.match(s.text[m.end - s.start:
                                                                                      q.start - s.start])]
        if before:
            out[q.start] = before[-1]
    return out if len(out) >= 2 else {}


#: A segment of a firm's sales that the text names in words rather than through the knowledge base's products: a
#: process node ("3-nanometer", "28/22nm", "7nm and below", "7-nanometer and more advanced"), or a few words ending
#: in a noun of a product line ("core etching tools", "cloud products", "the specialty portfolio").
_NODE = r"\d{1,2}(?:/\d{1,2})?\s?-?\s?(?:nanometers?|nm)\b(?:\s+(?:and|or)\s+(?:below|smaller|more\s+advanced))?"
_SEGMENT = re.compile(rf"(?P<node>{_NODE})|(?P<line>\b(?:[A-Za-z][\w/-]*\s+){{1,2}}(?:products|tools|equipment|"
                      r"business|segment|division|portfolio|processors|shipments))\b", re.I)
#: Ways a share of revenue names its segment just before the figure: "3-nanometer shipments made up 20%",
#: "Revenue from 22/28nm: 35%", "lifts 22/28nm share of revenue to 32%", "would make up 75 per cent".
_SHARE_VERB = re.compile(r"(?:\s+(?:shipments|products|process(?:es)?|technolog(?:y|ies)|nodes?))?"
                         r"\s*(?:,\s*)?(?:together\s+|would\s+|have\s+|has\s+)?(?:made\s+up|make\s+up|makes\s+up|"
                         r"accounted\s+for|accounts?\s+for|represented|contributed)\s+(?:about\s+|around\s+|nearly\s+|"
                         r"roughly\s+|some\s+|almost\s+|over\s+)?$", re.I)
_SHARE_OF_REVENUE = re.compile(r"\s*(?::|share\s+of\s+(?:its\s+|total\s+)?(?:wafer\s+)?revenue\s+(?:to|at|of|was|"
                               r"reached)?)\s*$", re.I)


def _segment_before(text: str) -> re.Match[str] | None:
    """The segment named last in ``text`` (the words before a figure, from the previous figure or clause on)."""
    found = list(_SEGMENT.finditer(text))
    return found[-1] if found else None


def _product_share_before(s: Sentence, q: Quantity, qs: list[Quantity]) -> bool:
    """A percentage that a segment named just before it claims as its share of revenue: "Revenue from 22/28nm: 35%",
    "22/28nm share of revenue to 32%", "3-nanometer shipments made up 20% [of total wafer revenue]"; or one of a
    list going on from such a share without repeating its words ("... made up 20% of total wafer revenue, 5-nanometer
    32% and 7-nanometer 17%"), when only a process node stands between it and the figure before."""
    rel = q.start - s.start
    prev = [p for p in qs if p.end <= q.start]
    start = (prev[-1].end - s.start) if prev else 0
    left = s.text[start:rel]
    seg = _segment_before(left)
    if seg is None:
        return False
    after = left[seg.end():]
    if _SHARE_OF_REVENUE.fullmatch(after) and (":" not in after or re.search(r"revenue\s+from\s+$",
                                                                               left[:seg.start()], re.I)):
        return True
    opens_with_share = bool(re.match(r"\W*of\s+(?:its\s+|total\s+)?(?:\w+\s+)?(?:revenue|sales)\b", s.text, re.I))
    if opens_with_share and _SHARE_VERB.fullmatch(after):
        return True
    if seg.group("node") and re.fullmatch(r"\s*", after) and prev and prev[-1].kind == "percent" and \
            re.fullmatch(r"\s*,?\s*(?:and\s+|or\s+)?", left[:seg.start()]):
        before = prev[-1]
        return bool(re.match(r"\s*(?:of|of its|of the)\s+(?:\w+\s+){0,2}(?:revenue|sales)",
                             s.text[before.end - s.start:], re.I)) or \
            opens_with_share or _product_share_before(s, before, qs)
    return False


#: A share of a firm's sales named before its figure: "China's share of its revenue climb[ed] from 23% to 44%",
#: "the share of revenue from China rose to 44%", "China's sales share hit 41%".
_SHARE_OF_SALES = re.compile(r"\bshare\s+of\s+(?:(?:its|their|the|total|overall|annual|quarterly|group|"
                             r"[A-Z][\w.&-]*(?:['’]s?)?)\s+){0,3}(?:net\s+)?(?:revenues?|sales|turnover)\b|"
                             r"\b(?:revenue|sales)\s+share\b|"
                             # "China's share of the business": of the firm's whole business, no line of it named
                             r"\bshare\s+of\s+(?:the|its|their)\s+business\b", re.I)


def _share_of_sales_before(s: Sentence, q: Quantity, qs: list[Quantity]) -> bool:
    """A percentage of a share of sales named earlier in its clause, with only percentages tied to it between
    ("from 23% to 44%") and no other measure named after the share ("... share of revenue, while its margin rose
    to 40%" is not)."""
    rel = q.start - s.start
    left = re.split(r"[;]|,\s+(?:while|but|whereas)\b|\.\s", s.text[:rel])[-1]
    found = list(_SHARE_OF_SALES.finditer(left))
    if not found:
        return False
    tail = left[found[-1].end():]
    if len(tail) > 90 or any(name not in ("revenue", "market_share") for _, _, name in sentence_cues(tail)):
        return False
    offset = rel - len(left) + found[-1].end()  # where the tail starts in the sentence
    between = [p for p in qs if s.start + offset <= p.start and p.end <= q.start]
    return all(p.kind == "percent" for p in between) and not re.search(r"\bmarket\b", tail, re.I)


def _product_named(s: Sentence, q: Quantity, qs: list[Quantity]) -> str | None:
    """The segment a share of revenue is of, as the text writes it (lower case), when the knowledge base names no
    product near the figure: the segment named just before the figure in its clause, else just before the verb
    that gives the share ("core etching tools would make up 75 per cent")."""
    rel = q.start - s.start
    prev = [p for p in qs if p.end <= q.start]
    left = s.text[(prev[-1].end - s.start) if prev else 0:rel]
    left = re.split(r"[;]|,\s+(?:and|while|but)\b", left)[-1]
    seg = _segment_before(left)
    if seg is None:
        return None
    after = left[seg.end():]
    if not (_SHARE_VERB.fullmatch(after) or _SHARE_OF_REVENUE.fullmatch(after) or re.fullmatch(r"\s*", after)
            or re.fullmatch(r"\s+(?:\w+\s+){0,5}and\s+(?:made\s+up|accounted\s+for|represented)\s+$", after)):
        return None
    name = re.sub(r"\s+", " ", seg.group()).strip().lower()
    return re.sub(r"^(?:its|their|the|his|her)\s+", "", name) or None


def _metric(ctx: Context, s: Sentence, q: Quantity, qs: list[Quantity],
            cues: list[tuple[int, int, str]]) -> tuple[str | None, int]:
    """The metric family cued nearest to q (left within the sentence, or just right of it), with distance."""
    rel = q.start - s.start
    left = s.text[:rel]
    right = s.text[rel + len(q.text): rel + len(q.text) + 50]
    if q.kind in ("percent", "points"):
        if re.match(r"^\s*(?:of|of its|of the)\s+(?:(?!(?:china|world|global|market|industry|country|domestic|"
                    r"the)\b)[\w.&-]+(?:['’]s?)?\s+){0,3}(?:revenue|sales|turnover)", right, re.I):
            return "revenue_share", 0  # "71% of Micron's total revenue", "20% of the company's sales"
        if q.kind == "percent" and (_product_share_before(s, q, qs) or _share_of_sales_before(s, q, qs)):
            return "revenue_share", 0
        if re.match(r"^\s*(?:of\s+)?(?:the\s+)?(?:global\s+|world\s+|overall\s+|total\s+)?(?:\w+\s+){0,3}market"
                    r"(?!\s+(?:value|size|revenue))|^\s*(?:market\s+)?share", right, re.I):
            return "market_share", 0
        if re.match(r"^\s*(?:of\s+(?:the\s+)?(?:\w+['’]s\s+)?(?:\w+\s+){0,3}(?:inference\s+|training\s+)?"
                    r"performance)", right, re.I):
            return "relative_performance", 0
        if re.match(r"^\s*(?:gross\s+)?margin", right, re.I):
            return "gross_margin", 0
    if q.kind == "price":
        return "price", 0  # the unit says it: money per kilogram or tonne
    if q.kind in ("count", "rate"):
        family, distance = _volume_measure(s, q, cues)
        if family in ("production", "shipments", "capacity") and q.kind == "count" and \
                re.search(r"wafers$", q.text, re.I):
            return None, 10**6  # a yearly count of wafers is a wafer rate the vocabulary words otherwise
        return family, distance
    if q.kind == "fold" and re.match(r"^\s*(?:faster|more powerful|the performance)", right, re.I):
        return "relative_performance", 0
    best: tuple[str | None, int] = (None, 10**6)
    q_end = rel + len(q.text)
    allowed = ("revenue", "net_profit", "investment", "imports", "exports", "charge", "orders", "other") \
        if q.kind == "money" else ("revenue", "market_share", "other", "imports", "exports", "investment")
    if q.kind == "mass":  # a weight is traded, not a share ("Germany took 5,000 kilograms")
        cues = [c for c in cues if c[2] in ("imports", "exports", "other")]
    if q.kind == "money":  # "the data center segment brought in $41.1 billion": money brought in is earned
        cues = [(a, b, "revenue" if name == "imports" and re.match(r"br", s.text[a:b], re.I) else name)
                for a, b, name in cues]
    blocker = None
    best_end = -1  # where the nearest cue on the left ends
    for c_start, c_end, name in cues:
        if c_end <= rel:
            if rel - c_end < best[1]:
                best, best_end = (name, rel - c_end), c_end
            if name == "other":
                blocker = c_end
        elif c_start >= q_end and c_start - q_end < min(best[1], 26) and c_end - q_end <= 40 and name in allowed:
            best, best_end = (name, c_start - q_end), -1
    # a cue for something that is not a claim ("utilisation", "R&D") before the figure wins, unless a clause break
    # or the figure's own cue comes between ("higher utilisation ... lifted revenue by 1.7% to USD 2.2 billion")
    if blocker is not None and best[0] != "other" and not re.search(r"[,;:]", left[blocker:]) and \
            not (best_end > blocker and re.search(r"\b(?:and|but|while|yet|lifted|raised|pushed|drove|helped)\b",
                                                 left[blocker:best_end])):
        return "other", 0
    return best


#: Words that say a count or a wafer rate is an output, a quantity shipped or a capacity ("China produced 37.6
#: billion integrated circuits", "IC output ... totalled 395.3 billion units", "AMD shipped about 160,000 cards");
#: "U.S.-made" names an origin, not an output.
_VOLUME_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("production", re.compile(r"\bproduc(?:ed|es|ing|tion)\b|\boutput\b|\bturned\s+out\b|(?<![-\w])made\b|"
                              r"\bmanufactured\b|\bmak(?:es|ing)\b|\bfabricated\b", re.I)),
    ("shipments", re.compile(r"\bship(?:ped|s|ping|ments?)\b|\bdeliver(?:ed|ies|s)\b|\bsold\b", re.I)),
    ("capacity", re.compile(r"\bcapacity\b|\bcapacities\b", re.I)),
]


#: Units shipped or made, as a change is of them: "shipments rose 15%", "output fell 19%" (not "sold", which is
#: also said of money).
_VOLUME_CHANGE_CUES = re.compile(r"\b(?P<shipments>ship(?:ped|ments?)|deliver(?:ies|ed))\b|"
                                 r"\b(?P<production>production|output|produced)\b", re.I)


def _volume_change_cue(s: Sentence, q: Quantity, cues: list[tuple[int, int, str]]) -> tuple[str, int] | None:
    """A percentage that is a change of units shipped or made: a word of shipments or output before it in its
    clause, nearer than any other cue, with a word of change between them ("Vivo's shipments rose 15%", "PC
    shipments in China fell 19% year on year"); None otherwise."""
    rel = q.start - s.start
    clause = re.split(r"[;:]|,\s+(?:while|whereas|but|and)\s", s.text[:rel])[-1]
    offset = rel - len(clause)
    found = list(_VOLUME_CHANGE_CUES.finditer(clause))
    if not found:
        return None
    m = found[-1]
    if re.search(r"\b(?:bit|bits|wafer|wafers)\s+$", clause[:m.start()], re.I):
        return None  # a memory maker's bit shipments or a foundry's wafers: a measure of its own the labels leave
    between = clause[m.end():]
    if not _CHANGE_RE.search(between) or re.search(r"\d", between) or len(between) > 60:
        return None
    if any(offset + m.end() < b <= rel for _, b, name in cues if name not in ("market_share", "imports", "exports")):
        return None  # another measure is named nearer ("shipments rose, lifting revenue 15%")
    return ("shipments" if m.group("shipments") else "production"), len(between)


def _volume_measure(s: Sentence, q: Quantity, cues: list[tuple[int, int, str]]) -> tuple[str | None, int]:
    """What a count or a wafer rate measures: the trade flow, output, shipments or capacity named nearest to it (on
    its left in the sentence, or within 25 characters on its right); a trade cue wins over a volume cue at the same
    place ("outbound shipments" are exports); "production capacity" is a capacity."""
    rel, rel_end = q.start - s.start, q.end - s.start
    found = [(a, b, name) for a, b, name in cues if name in ("imports", "exports")]
    found += [(m.start(), m.end(), name) for name, pattern in _VOLUME_CUES for m in pattern.finditer(s.text)]
    rank = {"imports": 0, "exports": 0, "capacity": 1, "production": 2, "shipments": 2}
    near = []
    for a, b, name in found:
        if b <= rel:
            near.append((rel - b, rank[name], name))
        elif a >= rel_end and a - rel_end <= 25:
            near.append((a - rel_end, rank[name], name))
    if not near:
        return None, 10**6
    distance, _, best = min(near)
    return best, distance


#: A segment of a firm named as whose sales a figure is: "Revenue from its semiconductor systems unit ... came in at
#: $5.26 billion", "Revenue of the consumer group grew ... to CNY339 billion", "The mobile phone division made sales
#: of 44.2 trillion won", "cloud computing sales rose 8.5 per cent to CNY38.5 billion", "Semiconductor systems revenue:
#: USD 4.76 billion".
_SEGMENT_NOUN = r"(?:unit|division|group|segment|business|arm)"
_SEGMENT_LABEL = re.compile(r"^\W*(?P<seg>(?:[A-Za-z][\w&/-]*\s+){1,3})(?:revenues?|sales)\s*:\s*$", re.I)
_SALES_OF_SEGMENT = re.compile(rf"\b(?:revenues?|sales)\s+(?:from|of|at)\s+(?:its|the|their)\s+"
                               rf"(?P<seg>(?:[\w&/-]+\s+){{1,3}}{_SEGMENT_NOUN})\b", re.I)
_SEGMENT_SALES = re.compile(rf"(?P<seg>\b(?:[\w&/-]+\s+){{1,3}}{_SEGMENT_NOUN})(?:['’]s)?\s+(?:\w+\s+){{0,2}}"
                            r"(?:revenues?|sales)\b", re.I)
#: Words before "revenue" or "sales" that do not name a segment: the whole firm's, a period's, a place's.
_NOT_SEGMENT = re.compile(r"\b(?:total|net|gross|quarterly|annual|yearly|monthly|full-year|record|overall|group|"
                          r"company|consolidated|global|worldwide|fiscal|first|second|third|fourth|half|year|quarter|its|their|"
                          r"the|a|an|of|and|in|to|from|with|for|by|operating|overseas|foreign|domestic|export|"
                          r"exports|import|combined|same|comparable|reported|adjusted|organic|weekly|daily|"
                          r"[a-z]+-quarter|\w*\d\w*|\w+['’]s)\b", re.I)


def _segment_revenue(ctx: Context, s: Sentence, q: Quantity, qs: list[Quantity], ments: list[Mention],
                     claim: Claim) -> None:
    """A firm's revenue figure whose clause says it is the sales of a segment (``_SALES_OF_SEGMENT``,
    ``_SEGMENT_SALES``) is that segment's revenue (``revenue_by_product``), with the segment as the text writes it
    unless the knowledge base names a product there; a qualifier that is a period, a place, a firm or the whole
    firm's ("total", "quarterly", "China sales") names no segment."""
    if claim.metric != "revenue" or claim.entity not in ctx.kb.firms:
        return
    rel = q.start - s.start
    left = re.split(r"[;:]\s|,\s+(?:and|while|but|whereas)\b|\band\s+(?=[\w-]+\s+[\w-]*\s*(?:revenue|sales)\b)",
                    s.text[:rel])[-1]
    line = s.text[:rel].split("\n")[-1]
    if _SEGMENT_LABEL.search(line):
        left = line  # a list item: "Semiconductor systems revenue: USD 4.76 billion"
    offset = rel - len(left)
    found = None
    for m in _SALES_OF_SEGMENT.finditer(left):
        found = (m.start("seg"), m.group("seg"))
    if found is None:
        for m in _SEGMENT_SALES.finditer(left):
            words = [w for w in re.findall(r"[\w&/-]+", m.group("seg")) if not _NOT_SEGMENT.fullmatch(w)]
            if len(words) >= 2:  # a segment named by at least one word of its own ("the mobile phone division")
                found = (m.start("seg"), m.group("seg"))
    label = _SEGMENT_LABEL.search(left)
    if found is None and label:  # a list item naming the segment: "Semiconductor systems revenue: USD 4.76 billion"
        words = [w for w in re.findall(r"[\w&/-]+", label.group("seg")) if not _NOT_SEGMENT.fullmatch(w)]
        if len(words) == len(re.findall(r"[\w&/-]+", label.group("seg"))):
            found = (label.start("seg"), label.group("seg"))
    if found is None:
        return
    a = s.start + offset + found[0]
    b = a + len(found[1])
    if any(m.kind in ("firm", "country", "agency") and m.start < b and m.end > a for m in ments):
        return  # "Nvidia revenue", "China sales": the firm's own or a place's
    known = [m.entity for m in ments if m.kind == "input" and m.entity and m.start < b and m.end > a]
    name = re.sub(r"\s+", " ", found[1]).strip().lower()
    name = re.sub(r"^(?:its|their|the)\s+", "", name)
    claim.metric = "revenue_by_product"
    claim.product = known[0] if known else name


#: A firm's guidance given as a range, which the labelling conventions do not count as claims: a centre and a
#: margin ("revenue of $7.20 billion, plus or minus $500 million"), or two ends ("expects revenue of $530 million to
#: $550 million", "guided gross margin to between 18% and 20%"). A single figure a firm expects ("expects charges of
#: about $5.5 billion") stays a claim.
_PLUS_OR_MINUS = re.compile(r"\bplus\s+or\s+minus\b|\+/-|±", re.I)
_GUIDANCE_WORD = re.compile(r"\b(?:expects?|expected|expecting|anticipates?|projects?|forecasts?|"
                            r"guid(?:ance|ed|es|ing)|outlook|targets?)\b", re.I)
#: What a firm gives guidance on: its own financial figures (a tracker's or an analyst's forecast of a market or a
#: share is a claim of its own).
_GUIDED = FINANCIAL | {"revenue_growth", "revenue_by_region", "revenue_share_region", "revenue_share_product",
                       "orders", "operating_profit"}


def _guidance(s: Sentence, q: Quantity, qs: list[Quantity], claim: Claim) -> bool:
    """Figure q is one end or the centre of a firm's guidance range on its own financial figures: its sentence says
    "plus or minus", or it speaks of guidance ("expects", "forecast", "guided", "outlook") and q is one end of a range
    ("$530 million to $550 million", "18%-20%", "between 18% and 20%"; not "from A to B", a change)."""
    if claim.metric not in _GUIDED:
        return False
    if _PLUS_OR_MINUS.search(s.text):
        return True
    if not _GUIDANCE_WORD.search(s.text):
        return False
    return range_end(s, q, qs, ascending=False)


#: Words before the first of two figures that make "A to B" a change, not a range ("rose 20% to 25%").
_CHANGE_BEFORE = re.compile(r"\b(?:from|rose|rising|risen|fell|falling|fallen|grew|growing|grown|increased?|"
                            r"decreased?|jumped|climbed|dropped|declined|surged|soared|slipped|slid|cut|"
                            r"raised|lowered|revised|boosted|trimmed)\s+(?:by\s+)?$", re.I)


def range_end(s: Sentence, q: Quantity, qs: list[Quantity], ascending: bool = True) -> bool:
    """Figure q is one end of a range written as two figures of one kind: "240 million yuan to 328 million yuan",
    "20%-25%", "between 18% and 20%"; not "from A to B" or "rose 20% to 25%", a change. With ``ascending`` the
    first end must be the smaller, as a range's is (a fall "of 30% to 20%" is read as the figures it names)."""
    same = [x for x in qs if x.kind == q.kind and x.start >= s.start and x.end <= s.end]
    for a, b in itertools.pairwise(same):
        if q is not a and q is not b:
            continue
        between = s.text[a.end - s.start:b.start - s.start]
        before = s.text[max(0, a.start - s.start - 20):a.start - s.start]
        if not re.fullmatch(r"\s*(?:to|and|-|–|—)\s*", between) or _CHANGE_BEFORE.search(before):
            continue
        if between.strip() == "and" and not re.search(r"\bbetween\s*$", before, re.I):
            continue
        if ascending and not (a.value is not None and b.value is not None and a.unit == b.unit and
                              0 <= a.value < b.value):
            continue
        return True
    return False


#: A figure per share ("$1.41 a share", "$4.28 per diluted share", "US$0.200" after "earnings per ADS:"): not a
#: measure of the firm's whole (per-share figures are not claims, as in the tables).
_PER_SHARE_AFTER = re.compile(r"^\s*(?:a|per|/)\s*(?:diluted\s+|basic\s+|fully\s+diluted\s+)?(?:share|ADS|ADR)\b", re.I)
_PER_SHARE_BEFORE = re.compile(r"\b(?:EPS|earnings\s+per\s+(?:diluted\s+|basic\s+)?(?:share|ADS|ADR))\b[^.;\d]{0,25}$",
                               re.I)
#: A measure named as adjusted ("Non-GAAP net income of", "adjusted gross margin(1) of", "On a non-GAAP adjusted
#: basis the year's gross margin was"): the firm's own reworking of a reported figure, left out as the tables leave
#: out non-GAAP columns; a GAAP figure named after it ("on a U.S. GAAP basis") is reported again.
_ADJUSTED = re.compile(r"\bnon-?\s?GAAP\b|\badjusted\b|\bpro\s+forma\b", re.I)
_GAAP = re.compile(r"(?<!non-)(?<!non)(?<!non )\bGAAP\b", re.I)


def timeless(claim: Claim) -> bool:
    """A claim to which neither its text nor the other statements of its measure give a period: a firm's results, a
    flow, a change or a price is a figure of some period, so without one it is too weakly read to report; a share of
    supply ("China produces about 80% of the gallium used worldwide") may stand without one."""
    return claim.period is None and claim.metric != "market_share"


#: Measures the vocabulary has no word for, named just before a figure: a trade balance, an operating or net
#: margin, expenses. A figure so named is not the measure the sentence or the text gives otherwise (a surplus after
#: exports and imports is neither; an operating margin after a gross margin is not one).
_UNLISTED_MEASURE = re.compile(
    r"\b(?:surplus|deficit|operating\s+margins?|(?:net\s+)?profit\s+margins?|net\s+margins?|expenses|EBITDA|"
    r"(?:its\s+|the\s+)?(?:shares|stock)\s+(?:had\s+|have\s+|has\s+)?(?:gained|lost|rose|fell|jumped|climbed|"
    r"dropped|slid|surged|tumbled|were\s+(?:up|down)|(?:was|is)\s+(?:up|down))|proceeds)\b|"
    # money raised, the figure just after the verb ("raising about 4.2 billion yuan", "raised to about $7.5
    # billion"; not "raise their market share to 40%")
    r"\brais(?:ed|ing|es?)\s+(?:to\s+)?(?:about\s+|around\s+|some\s+|nearly\s+)?(?:US)?$", re.I)


def _unlisted_measure(s: Sentence, q: Quantity, qs: list[Quantity]) -> bool:
    """Figure q's own measure, named between the figure before it (or its sentence's start) and it, within 40
    characters, is one the vocabulary lacks ("leaving a trade surplus of $5 billion", "its operating margin
    47.5%", "Operating expenses came to $545 million", a share price's move, "shares had gained 37%", or money
    raised, "raising about 4.2 billion yuan")."""
    prev = max((x.end for x in qs if x.end <= q.start), default=s.start)
    return bool(_UNLISTED_MEASURE.search(s.text[max(prev, q.start - 40) - s.start:q.start - s.start]))


#: Others' expectations of a figure, named just before it ("the analyst consensus of", "against estimates of",
#: "market expectations that had already been lowered to") or just after it ("$7.89 billion expected", "the $4.21
#: billion the market expected", "$7.13 billion forecast" after "short of the").
_EXPECTATION_BEFORE = re.compile(r"\b(?:consensus|estimates|expectations?)\b[^.;\d]{0,35}$", re.I)
_EXPECTATION_AFTER = re.compile(r"^\s*(?:expected|estimated|forecast)\b|^\s*(?:the\s+)?(?:market|analysts?|"
                                r"investors|wall\s+street)\s+(?:had\s+)?(?:expected|estimated|forecast|"
                                r"anticipated|projected|was\s+expecting|were\s+expecting)", re.I)


def _others_expectation(s: Sentence, q: Quantity, qs: list[Quantity]) -> bool:
    """Figure q is what analysts, the market or a consensus expected, not a figure the firm reported: named so
    between the figure before (or the sentence's start) and it, or just after it."""
    prev = max((x.end for x in qs if x.end <= q.start), default=s.start)
    return bool(_EXPECTATION_BEFORE.search(s.text[prev - s.start:q.start - s.start]) or
                _EXPECTATION_AFTER.match(s.text[q.end - s.start:]))


_VOLUME_WORD = re.compile(r"\b(?:shipments?|shipped|volumes?|bits?)\b", re.I)
_VALUE_WORD = re.compile(r"\b(?:revenues?|sales|prices?|ASPs?|value|earnings|profits?|income)\b", re.I)


def _volume_change(s: Sentence, q: Quantity, qs: list[Quantity], claim: Claim) -> bool:
    """A percentage whose measure, named between the figure before (or the sentence's start) and it within 40
    characters, is a volume shipped ("its bit shipments fell 5 percent", "shipped 2.6% more wafers", "lifted its
    wafer shipments by 17.7%") with no word of value after that: a change of volume, which the vocabulary has no
    word for, is not the revenue or market growth the sentence goes on to give. (Shipments abroad are exports, and
    "3-nanometer shipments made up 20% of total wafer revenue" a share of revenue: those claims stay.)"""
    if q.kind != "percent" or claim.metric not in ("revenue_growth", "market_growth"):
        return False
    prev = max((x.end for x in qs if x.end <= q.start), default=s.start)
    window = s.text[max(prev, q.start - 40) - s.start:q.start - s.start]
    found = list(_VOLUME_WORD.finditer(window))
    return bool(found) and not _VALUE_WORD.search(window[found[-1].end():])


#: Words just before an amount that make it the size of a change, not a level: "up ¥51.0 billion (1.1%)", "rose
#: by $2 billion", "an increase of $300 million" (a level follows "to": "rose 5% to $2 billion").
_CHANGE_AMOUNT_BEFORE = re.compile(r"(?:\b(?:up|down|higher|lower)\s+(?:by\s+)?|\b(?:r[oi]se|grew|fell|dropped|"
                                   r"declined|increased|decreased|jumped|climbed|slipped|slid|shrank|surged|"
                                   r"plunged|gained)\s+(?:by\s+)?|\b(?:increase|decrease|rise|drop|decline|fall|"
                                   r"gain|jump)\s+of\s+)(?:about\s+|around\s+|nearly\s+|roughly\s+|some\s+|"
                                   r"almost\s+|more\s+than\s+|over\s+)?$", re.I)


def _amount_of_change(s: Sentence, q: Quantity) -> bool:
    """An amount of money given as the size of a change ("up ¥51.0 billion from ¥4,496.2 billion"): no measure
    the vocabulary has a word for."""
    return q.kind == "money" and bool(_CHANGE_AMOUNT_BEFORE.search(s.text[max(0, q.start - s.start - 40):
                                                                          q.start - s.start]))


def _per_share(s: Sentence, q: Quantity) -> bool:
    """Figure q is an amount per share (earnings per share, per ADS, "40.1 million shares at 104.66 yuan each")."""
    return q.kind == "money" and bool(_PER_SHARE_AFTER.match(s.text[q.end - s.start:]) or
                                      re.match(r"\s*(?:each|apiece)\b", s.text[q.end - s.start:]) or
                                      _PER_SHARE_BEFORE.search(s.text[:q.start - s.start]))


def _adjusted(s: Sentence, q: Quantity) -> bool:
    """Figure q is of a measure its line calls adjusted or non-GAAP before it, with no GAAP named after that word
    ("GAAP net income of $332 million" is reported; a list item on the next line is a measure of its own)."""
    before = s.text[:q.start - s.start].rsplit("\n", 1)[-1]
    found = list(_ADJUSTED.finditer(before))
    return bool(found) and not _GAAP.search(before[found[-1].end():])


def _claim(ctx: Context, s: Sentence, q: Quantity, qs: list[Quantity], ments: list[Mention],
           pms: list[PeriodMention], subject: str | None, last_period: str | None,
           forced: Mention | None, run: Running, cues: list[tuple[int, int, str]]) -> Claim | None:
    family, distance = _family(ctx, s, q, qs, ments, run, cues)
    if family is None or family == "other" or distance > 160:
        return None
    return _bind(ctx, s, q, qs, ments, pms, subject, last_period, forced, run, family, distance)


def _family(ctx: Context, s: Sentence, q: Quantity, qs: list[Quantity], ments: list[Mention], run: Running,
            cues: list[tuple[int, int, str]]) -> tuple[str | None, int]:
    """The family of the measure the rules read for figure q (None: no cue), with the cue's distance."""
    family, distance = _metric(ctx, s, q, qs, cues)
    if q.kind == "percent" and run.trade_family is None and not any(c[2] in ("imports", "exports") for c in cues):
        volume = _volume_change_cue(s, q, cues)  # "Lenovo's shipments fell 24%": not in a text on trade flows
        if volume is not None and (family is None or volume[1] < distance):
            family, distance = volume
    if family is None and q.kind == "rate":
        family, distance = "production", 100  # wafer starts are output unless a capacity is named
    if family is None and q.kind == "mass" and run.trade_family:
        family, distance = run.trade_family, 100
    if family is None and q.kind == "percent" and run.trade_family and any(x.kind == "mass" for x in qs) and \
            _CHANGE_RE.search(s.text[max(0, q.start - s.start - 25):q.end - s.start + 15]):
        family, distance = run.trade_family, 100  # "2,295 tonnes in February, up 144.06% from 940.61 tonnes"
    if family is None and run.money_family and (_RANKING.search(s.text) or (q.kind in ("money", "percent") and (
            any(m.kind in ("firm", "country") for m in ments) or _PRONOUN.search(s.text) or
            (q.kind == "percent" and _OPENS_WITH_THAT.match(s.text)))) or (q.kind == "mass")):
        base = run.money_family.replace("revenue_by_region", "revenue")
        near = s.text[max(0, q.start - s.start - 25):q.end - s.start + 15]
        if q.kind in ("money", "mass") or _CHANGE_RE.search(near) or _MORE_THAN.match(s.text[q.end - s.start:]):
            family, distance = base, 100
    if family is None and q.kind == "percent" and run.share_family == "market_share" and (
            any(m.kind in ("firm", "country") for m in ments) or _PRONOUN.search(s.text)) and \
            _SHARE_LEVEL.search(s.text[max(0, q.start - s.start - 25):q.start - s.start]) and \
            not _CHANGE_RE.search(s.text[max(0, q.start - s.start - 25):q.end - s.start + 15]):
        family, distance = "market_share", 100  # "Micron moved into second with 27.2 per cent", "at 21 percent"
    return family, distance


def _bind(ctx: Context, s: Sentence, q: Quantity, qs: list[Quantity], ments: list[Mention],
          pms: list[PeriodMention], subject: str | None, last_period: str | None, forced: Mention | None,
          run: Running, family: str, distance: int) -> Claim | None:
    """The claim of figure q once its measure's family is known: the metric (level or change), sign, unit, entity,
    region, product and period."""
    rel0 = q.start - s.start
    before_q = s.text[:rel0]
    if family == "market_share" and q.kind == "percent":
        loc = _CUES_BY_NAME["localization_rate"].search(before_q)
        imp = _CUES_BY_NAME["import_share"].search(before_q)
        if imp and (not loc or imp.start() > loc.start()):
            family = "import_share"
        elif loc:
            family = "localization_rate"
    rel = q.start - s.start
    left_window = s.text[max(0, rel - 70):rel]
    right_window = s.text[rel + len(q.text): rel + len(q.text) + 30]
    # "7.9% above the previous month", "6.8% fewer than a year earlier": a comparative after the figure
    changing = bool(_CHANGE_RE.search(left_window[-45:])) or bool(re.match(r"^\s*(?:higher|lower|up|down|more|"
                                                                           r"less|increase|decrease|growth|rise|"
                                                                           r"jump|surge|gain|above|below|fewer|"
                                                                           r"smaller|larger|bigger|greater)",
                                                                           right_window, re.I))
    level_before = re.search(r"(?:\bto|\bfrom|\bat|\bwas|\bof|reached|hit|held|with|against|versus|vs\.?|"
                             r"compared\s+(?:with|to)|,)\s*(?:about|around|nearly|"
                             r"roughly|some|almost|over)?\s*$", left_window)
    if q.kind == "percent" and family in ("market_share", "localization_rate", "import_share", "gross_margin",
                                          "equipment_purchases") and level_before and \
            not re.search(r"\bby\s*$|(?:increase|rise|growth|gain|decline|drop|decrease|fall|jump|surge)\s+of\s*$",
                          left_window):
        changing = False
    if forced is not None and not changing and q.kind == "percent" and left_window.rstrip().endswith("("):
        # a list of names with their figures in brackets after a verb of change ("sales rose in Asia Pacific/All
        # Other (3.4%), Europe (3.0%), the Americas (2.4%)"): each figure is a change, however far from the verb
        clause = re.split(r"[;:]", before_q)[-1]
        changing = bool(_CHANGE_RE.search(clause)) and not re.search(r"\bshares?\b", clause, re.I)
    metric = _choose_metric(family, q, changing)
    if metric is None:
        return None
    if forced is not None and forced.kind == "country" and metric in ("revenue", "revenue_growth"):
        metric = {"revenue": "market_size", "revenue_growth": "market_growth"}[metric]  # a region's sales: its market
    value, unit = q.value, q.unit
    if metric.endswith("_growth") or metric in ("market_growth", "trade_growth", "market_share_change"):
        if q.kind == "percent":
            unit = _change_basis(s, q, qs) or \
                ("pct_yoy" if _YOY.search(s.text) else "pct_qoq" if _QOQ.search(s.text) else "pct_change")
        down = [m.end() for m in _DOWN_RE.finditer(left_window)]
        up = [m.end() for m in _UP_RE.finditer(left_window)]
        if (value > 0 and down and (not up or max(down) > max(up))) or \
                re.match(r"^\s*(?:lower|down|less|fewer|below|smaller|declin\w*|drop\w*|fall\w*|decreas\w*|"
                         r"contraction|slump\w*)",
                         right_window, re.I):
            value = -abs(value) if q.kind in ("percent", "points") else value
    if metric in ("net_profit", "operating_profit") and (
            re.search(r"loss(?:es)?\s+(?:of\s+)?(?:about\s+|around\s+|nearly\s+|roughly\s+)?$", left_window, re.I)
            or _lost(left_window[-60:]) or _lost(_LIST_ITEMS.sub(" ", s.text[max(0, rel - 250):rel])[-60:]) or
            _SIGNED_LOSS.search(left_window[-3:]) or
            _LOSS_AFTER.match(right_window)):
        value = -abs(value)
    if q.kind == "count" and metric in ("imports", "exports") and _MEASURE_WORDS.search(s.text):
        return None  # "controls on 23 chipmaking tools": items a measure names, not goods that moved
    entity, _kind, confidence = _entity(ctx, s, q, metric, ments, subject, forced)
    if entity is None and run.country and (run.country != "WLD" or metric != "production") and \
            metric in ("production", "imports", "exports", "trade_growth",
                                                     "equipment_purchases",
                                                     "equipment_purchases_growth", "investment", "investment_growth",
                                                     "localization_rate", "import_share"):
        entity, confidence = run.country, 0.5
    if entity is None:
        return None
    region = product = definition = None
    if metric in ("revenue", "revenue_share") or metric == "revenue_share_region":
        region, definition = _region(ctx, s, q, ments, entity)
        if metric == "revenue_share" or metric == "revenue_share_region":
            metric = "revenue_share_region" if region else "revenue_share_product"
        elif region:
            metric = "revenue_by_region"
    if metric == "revenue_share_product":
        product = _nearest(ments, q, {"input"}) or _product_named(s, q, qs)
        if product is None:
            return None
    if metric in ("market_share", "market_size", "market_growth", "localization_rate", "import_share",
                  "imports", "exports", "trade_growth", "equipment_purchases", "equipment_purchases_growth",
                  "relative_performance", "market_share_change"):
        product = _product_after(s, q, ments, exclude=entity) or _nearest(ments, q, {"input"}, exclude=entity)
        if metric in ("imports", "exports", "trade_growth"):
            # a receiving country is the region of the figure it goes on to name, not of the others
            partners = [m for m in ments if (_partner(s, m, metric) or m.start in ctx.destinations) and
                        m.entity != entity and not (
                _receiver(s, m) and not (m.end <= q.start and not any(m.end <= x.start < q.start for x in qs)))]
            line_start = ctx.text.rfind("\n", 0, q.start) + 1
            listed = [m for m in partners if m.start in ctx.destinations and line_start <= m.start < q.start]
            if listed:  # a list item's figures go to the country the item names
                region = listed[-1].entity
            elif any(line_start <= d < q.start for d in ctx.destination_items):
                region = None  # an item of a list of destinations that names no country known
            elif partners:
                region = min(partners, key=lambda m: abs(m.start - q.start)).entity
        countries = [m for m in ments if m.kind in ("country", "agency") and m.entity != "WLD"]
        # a country naming a firm's nationality ("the Taiwanese fabless designer") is not the market shared
        markets = [m for m in countries if not _FIRM_BY_KIND.match(s.text[m.end - s.start:])]
        if metric in ("market_share", "market_share_change") and markets:
            region = markets[0].entity
        if metric in ("market_share", "market_share_change") and region is None and \
                not _WORLD_MARKET.search(s.text):
            region = run.market  # the one country's market the headline is about
        if metric == "relative_performance":
            rival = _nearest(ments, q, {"input", "firm"}, exclude=entity, right_only=True)
            definition = f"{ctx.kb.name_of(entity)} vs {ctx.kb.name_of(rival)}" if rival else None
    if metric in ("shipments", "shipments_growth") and entity not in ctx.kb.countries:
        # a maker's shipments in a country's market: the country the sentence names ("shipped 13.1 million units in
        # China"), else the one market the headline names
        where = [m for m in ments if m.kind == "country" and m.entity not in (None, "WLD", entity) and
                 not _FIRM_BY_KIND.match(s.text[m.end - s.start:])]
        region = where[0].entity if where else (
            None if _WORLD_MARKET.search(s.text) else run.market)
    if "mainland" in s.text.lower() and region in ("CHN", None) and metric.startswith("revenue"):
        definition = definition or "mainland China"
    period = _period(ctx, s, q, [p for p in pms if not _base_mention(s, p)], entity, last_period, qs,
                     growth=metric.endswith("growth"))
    if run.month and period != run.month and _MONTH_ON_MONTH.search(s.text) and \
            not any(p.label and p.kind != "date" for p in pms):
        # "By region, month-to-month sales rose in Europe (3.0%)" in a release on September and the third
        # quarter: a sentence of monthly changes naming no period is of the last month the text named
        period = run.month
    if unit == "pct_change" and period:
        unit = _basis_of_base_period(s, q, pms, period) or unit
    days = [p for p in pms if p.kind == "date" and p.label]
    if metric == "price" and days:  # a price is quoted on a day: "($1,826.48) per kilogram on Wednesday"
        period = min(days, key=lambda p: abs(p.start - q.start)).label
    conf = min(0.95, confidence * (0.6 + 0.25 * (distance < 40) + 0.15 * (period is not None)))
    return Claim(id="", entity=entity, entity_name=ctx.kb.name_of(entity), metric=metric, value=round(value, 6),
                 unit=unit, period=period, start=s.start, end=s.end, quantity=(q.start, q.end),
                 sentence=(s.start, s.end), region=region, product=product, definition=definition, approx=q.approx,
                 bound=_bound(s, q), confidence=round(conf, 2), precision=q.precision, text=q.text)


#: Words that make a figure a bound: "topped $100 billion", "more than 40%"; "less than 2%", "up to $800 million".
_AT_LEAST = re.compile(r"\b(?:more\s+than|over|above|at\s+least|in\s+excess\s+of|upwards\s+of|topp(?:ed|ing|s)|"
                       r"exceed(?:ed|ing|s)?|surpass(?:ed|ing|es)?|passed|beyond)\s*$", re.I)
_AT_MOST = re.compile(r"\b(?:less\s+than|fewer\s+than|under|below|up\s+to|at\s+most|no\s+more\s+than)\s*$", re.I)


def _bound(s: Sentence, q: Quantity) -> str | None:
    """"min" when the words just before the figure make it a lower bound, "max" an upper one, else None."""
    before = s.text[max(0, q.start - s.start - 30):q.start - s.start]
    return "min" if _AT_LEAST.search(before) else "max" if _AT_MOST.search(before) else None


#: Words of a trade measure (controls, curbs, bans, licences): a count in such a sentence is of listed items.
_MEASURE_WORDS = re.compile(r"\b(?:controls?|restrict\w*|curbs?|licen[cs]\w*|bans?|banned)\b", re.I)
#: What a change is measured against, named beside its figure: the same period a year before, the quarter
#: before, or another month ("41.6 per cent more than in May": a change, neither of the two).
_NEAR_YOY = re.compile(_YOY.pattern + r"|(?:previous|prior|preceding) year|the year before|last year['’]s|"
                       r"a year (?:earlier|ago|"
                       r"before)|same (?:period|quarter|month) (?:of |in )?(?:the )?(?:last|previous|prior) year|"
                       # "shipped in June of last year"
                       r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                       r"quarter|half|period|months?)\s+of\s+last\s+year", re.I)
_NEAR_QOQ = re.compile(_QOQ.pattern + r"|(?:previous|prior|preceding) quarter|three months (?:earlier|before)|"
                       r"\bon[- ]quarter\b|quarter[- ]on[- ]quarter", re.I)
_NEAR_OTHER = re.compile(r"month[- ](?:on|over)[- ]month|\bm-?o-?m\b|(?:than|from|over)\s+(?:in\s+)?(?:January|"
                         r"February|March|April|May|June|July|August|September|October|November|December)\b", re.I)


def _change_basis(s: Sentence, q: Quantity, qs: list[Quantity]) -> str | None:
    """The unit of a percentage change by the comparison named beside its figure: after it up to the next figure
    or the end of its clause ("up 36.0% year-over-year and 12.9% from the previous quarter"), else before it back
    to the figure before ("Against three months earlier, revenue dropped 25.2 per cent"); None when neither
    names one (the sentence then decides)."""
    later = sorted(x.start for x in qs if x.start > q.start)
    nxt = later[0] if later else s.end
    # "7.8% more than the $839.4 million of 4Q19 (QoQ)": the figure after "than" or "from" is the change's base, and
    # the comparison may be named after it
    if later and re.search(r"\b(?:than|from)\s+(?:the\s+|a\s+|its\s+)?$", s.text[q.end - s.start:nxt - s.start]):
        nxt = later[1] if len(later) > 1 else s.end
    prev = max((x.end for x in qs if x.end <= q.start), default=s.start)
    after = re.split(r"[;.]\s", s.text[q.end - s.start:nxt - s.start])[0]
    before = s.text[prev - s.start:q.start - s.start]
    for window in (after, before):
        found = [(m.start(), name) for name, pattern in (("pct_yoy", _NEAR_YOY), ("pct_qoq", _NEAR_QOQ),
                                                         ("pct_change", _NEAR_OTHER))
                 for m in [pattern.search(window)] if m]
        if found:
            return min(found)[1] if window is after else max(found)[1]
    return None


def _basis_of_base_period(s: Sentence, q: Quantity, pms: list[PeriodMention], period: str) -> str | None:
    """The basis of a change whose sentence names its base as a period ("Compared with the second quarter of 2024,
    revenue was 12.8% higher", "17.1% more than in February 2024", "a jump of almost 40 percent from the first
    quarter"): for a quarter's or a month's figure, year on year when the base nearest the figure is the same period
    a year before, quarter on quarter when it is the quarter before; None otherwise. A year or a half compared with
    the one before ("14% more than in 2022") stays a plain change, as the labels of most batches write it."""
    if not re.fullmatch(r"(?:FY)?\d{4}(?:Q[1-4]|-\d\d)", period):
        return None
    bases = [p for p in pms if p.label and p.kind != "date" and _base_mention(s, p)]
    if not bases:
        return None
    base = min(bases, key=lambda p: abs(p.start - q.start)).label
    if _same_days(base, P.shift_year(period, -1)):
        return "pct_yoy"
    if _same_days(base, P.previous_quarter(period)):
        return "pct_qoq"
    return None


def _same_days(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    if a == b:
        return True
    try:
        pa, pb = Period.parse(a), Period.parse(b)
    except ValueError:
        return False
    return pa.fiscal == pb.fiscal and (pa.start, pa.end) == (pb.start, pb.end)


#: A loss named just before the figure, with a few words between ("a net loss attributable to shareholders of",
#: "the company lost"), and no profit word after it.
_LOSS_NEAR = re.compile(r"\b(?:net\s+)?loss(?:es)?\b(?P<mid>(?:\s+[\w-]+){0,5})"
                        r"\s+(?:of|was|were|came\s+to|totall?ed|"
                        r"reached|narrowed\s+to|widened\s+to)\s+(?:about\s+|around\s+|nearly\s+|roughly\s+|"
                        r"more\s+than\s+|over\s+|almost\s+|some\s+|just\s+over\s+|just\s+under\s+)?$"
                        r"|\blost\s+(?:about\s+|around\s+|nearly\s+|roughly\s+|some\s+)?$", re.I)


#: A profit written with a minus sign ("came to -0.343 billion yuan", "(−$5.2 million)"), not a range ("2-3").
_SIGNED_LOSS = re.compile(r"(?:^|[\s(])[-−–]\s?$")
#: A loss named right after its figure ("a $664.5 mln operating loss", "12.7 trillion won loss").
_LOSS_AFTER = re.compile(r"^\s*(?:(?:net|operating|quarterly|annual|pre-tax|pretax)\s+){0,2}loss(?:es)?\b", re.I)


#: The items of a list before a figure ("losses of 1.84 billion yuan in 2022, 1.673 billion yuan in 2023 and ..."):
#: taken away, what is left ends with the words that govern the whole list.
_LIST_ITEMS = re.compile(r"(?:(?:US)?[$€¥₩]?\s?\d[\d.,]*\s*(?:trillion|billion|million|bn|mn|m)?\s*"
                         r"(?:yuan|won|yen|dollars|euros|RMB|NT\$)?\s+(?:in|for)\s+(?:the\s+)?[\w-]+"
                         r"(?:\s+(?:quarter|half|year))?\s*(?:,\s*and|,|and)\s+)+$", re.I)


def _lost(left: str) -> bool:
    """A loss is named just before the figure, and no profit between ("swinging from a loss to a net profit of"
    is a profit)."""
    m = _LOSS_NEAR.search(left)
    return m is not None and not re.search(r"profit|income|earnings", m.group("mid") or "", re.I)


def _choose_metric(family: str, q: Quantity, changing: bool) -> str | None:
    kind = q.kind
    if kind == "money":
        if family in ("revenue", "net_profit", "operating_profit", "investment", "imports", "exports",
                      "equipment_purchases", "charge", "market_size", "orders"):
            return family
        return None
    if kind == "price":
        return "price" if q.unit in ("usd_per_kg", "cny_per_kg") else None
    if kind == "rate":
        return family if family in ("production", "capacity") else None
    if kind == "count":
        return family if family in ("imports", "exports", "production", "shipments", "capacity") else None
    if kind == "mass":
        return {"imports": "imports", "exports": "exports"}.get(family)
    if kind == "points":
        return "market_share_change" if family in ("market_share", "localization_rate") else None
    growth = {"revenue": "revenue_growth", "investment": "investment_growth", "imports": "trade_growth",
              "exports": "trade_growth", "market_size": "market_growth", "market_share": "market_growth",
              "equipment_purchases": "equipment_purchases_growth"}
    if kind == "fold":
        if family == "relative_performance":
            return "relative_performance"
        return growth.get(family)
    # percent
    if family == "revenue_share":
        return "revenue_share"
    if changing and family in growth:
        return growth[family]
    if changing and family in ("shipments", "production"):
        return f"{family}_growth"
    if family in ("market_share", "localization_rate", "import_share", "gross_margin", "relative_performance"):
        return family
    if family == "equipment_purchases":
        return "equipment_purchases_share"
    return None


#: A firm named as the owner of the revenue a share is of: "share of TSMC's revenue", "54% of Micron's total sales".
_OWNS_REVENUE = re.compile(r"['’]s?\s+(?:[\w-]+\s+){0,2}?(?:revenues?|sales|turnover)\b", re.I)


def _revenue_owner(s: Sentence, q: Quantity, ments: list[Mention]) -> Mention | None:
    """The firm whose revenue a share is of, named as its owner in the figure's clause ("the U.S. market's share of
    TSMC's revenue dropped below 60% ... as low as 54%"), before the figure or just after it ("54% of TSMC's
    revenue"); not a firm the sentence names for another reason ("with China's Huawei buying up chips")."""
    owners = [m for m in ments if m.kind == "firm" and m.entity and
              _OWNS_REVENUE.match(s.text[m.end - s.start:m.end - s.start + 40]) and
              re.search(r"\bof\s+(?:the\s+)?$", s.text[max(0, m.start - s.start - 9):m.start - s.start])]
    before = [m for m in owners if m.end <= q.start and
              not re.search(r"[;.]", s.text[m.end - s.start:q.start - s.start])]
    after = [m for m in owners if m.start >= q.end and m.start - q.end <= 12]
    return after[0] if after else (before[-1] if before else None)


def _entity(ctx: Context, s: Sentence, q: Quantity, metric: str, ments: list[Mention], subject: str | None,
            forced: Mention | None) -> tuple[str | None, str | None, float]:
    if forced is not None:
        return forced.entity, forced.kind, forced.confidence
    want: tuple[str, ...]
    if metric in ("imports", "exports", "trade_growth"):
        # a trade partner ("shipments to China", "imports from Japan") is the flow's region, not its trader
        ments = [m for m in ments if _partner(s, m, metric) is None and m.start not in ctx.destinations and
                 not _qualifier(s, m)]
        want = ("country", "agency")
    elif metric in ("localization_rate", "import_share"):
        want = ("country", "agency")
    elif metric in ("market_size", "market_growth"):
        world = re.search(r"\b(?:global|world(?:wide)?|world's|industry)\b", s.text, re.I)
        countries = [m for m in ments if m.kind == "country" and m.entity != "WLD"]
        if world or not countries:
            return "WLD", "country", 0.7
        return countries[0].entity, "country", countries[0].confidence
    elif metric == "relative_performance":
        want = ("input", "firm")
    elif metric in ("equipment_purchases", "equipment_purchases_growth", "equipment_purchases_share"):
        globe = [m for m in ments if m.entity == "WLD" and m.end <= q.start]
        if globe and not [m for m in ments if m.kind == "country" and m.entity != "WLD" and globe[-1].end < m.start
                          < q.start]:
            return "WLD", "country", globe[-1].confidence
        want = ("country", "firm")
    elif metric == "price":
        return _market_of_price(ctx, s, q, ments)
    elif metric in ("production", "shipments", "capacity", "production_growth", "shipments_growth"):
        # the maker named before the figure, else the firm the text is about ("the company turned out 100,000
        # units a month -- a quarter of SK hynix's output" is the company's), else a name after it
        for kind in ("firm", "country"):
            m = _nearest_mention(ments, q, {kind}, metric, left_only=True)
            if m is not None:
                return m.entity, m.kind, m.confidence
        if subject:
            return subject, "firm", 0.6 if _PRONOUN.search(s.text) else 0.45
        want = ("firm", "country")
    elif metric == "investment" or metric == "investment_growth" or metric in ("market_share", "market_share_change"):
        want = ("firm", "country")
    else:
        want = ("firm",)
    if "firm" in want and subject is not None:
        # "put the Taiwanese fabless designer at 32%": a firm named by its nationality and kind is the firm the
        # text is about (when that is its nationality), not its country
        named = [m for m in ments if m.end <= q.start]
        last = named[-1] if named else None
        hq = ctx.kb.firms[subject].hq if subject in ctx.kb.firms else None
        if last is not None and last.kind == "country" and last.entity == hq and \
                _FIRM_BY_KIND.match(s.text[last.end - s.start:]):
            return subject, "firm", 0.6
    if metric in ("revenue_share", "revenue_share_region", "revenue_share_product"):
        owner = _revenue_owner(s, q, ments)
        if owner is not None:
            return owner.entity, owner.kind, owner.confidence
    if "firm" in want:
        ahead = _ahead_of_rival(s, q, ments)
        if ahead is not None:
            return ahead.entity, ahead.kind, ahead.confidence
    for kind in want:
        m = _nearest_mention(ments, q, {kind}, metric, left_only=True)
        if m is not None:
            return m.entity, m.kind, m.confidence
    for kind in want:
        m = _nearest_mention(ments, q, {kind}, metric)
        if m is not None:
            return m.entity, m.kind, m.confidence
    if subject and "firm" in want:
        return subject, "firm", 0.6 if _PRONOUN.search(s.text) else 0.45
    return None, None, 0.0


#: A firm named as the rival another passes or follows: "followed Samsung Electronics", "moved past HP", "ahead of
#: Dell", "overtook SK hynix", "behind TSMC".
_RIVAL_BEFORE = re.compile(r"\b(?:follow(?:ed|s|ing)|trail(?:ed|s|ing)|(?:moved|slipped|edged)\s+(?:past|ahead\s+of|"
                           r"behind)|past|ahead\s+of|behind|overt(?:ook|aking|akes)|beat(?:ing|s)?|surpass(?:ed|es|ing)|"
                           r"displac(?:ed|ing)|replac(?:ed|ing)|than)\s+(?:the\s+)?$", re.I)


def _ahead_of_rival(s: Sentence, q: Quantity, ments: list[Mention]) -> Mention | None:
    """The firm a ranking's sentence is about, when the firm named last before the figure is only the rival it
    passes or follows ("Micron followed Samsung Electronics in third place with 21%"): the firm named before the
    rival, with no other figure between it and this one."""
    firms = [m for m in ments if m.kind == "firm" and m.entity and m.end <= q.start]
    if len(firms) < 2 or not _RIVAL_BEFORE.search(s.text[max(0, firms[-1].start - s.start - 25):
                                                        firms[-1].start - s.start]):
        return None
    subject = firms[-2]
    if subject.entity == firms[-1].entity or re.search(r"\d", s.text[subject.end - s.start:firms[-1].start - s.start]):
        return None
    return subject


#: A firm named by its kind after its nationality: "Taiwanese fabless designer", "South Korean chipmaker".
_FIRM_BY_KIND = re.compile(r"^\s+(?:[\w-]+\s+){0,2}?(?:chipmaker|company|firm|designer|maker|manufacturer|group|"
                           r"foundry|supplier|vendor|giant|producer)\b", re.I)


def _market_of_price(ctx: Context, s: Sentence, q: Quantity, ments: list[Mention]) -> tuple[str, str, float]:
    """Where a price is quoted: the country or region named with "in" before the figure ("dysprosium prices in
    Europe rose to $910/kg"), else China for a price in yuan (a domestic quote), else the world market; a price in
    brackets after another is the same quote converted ("13,250 yuan ($1,826.48) per kilogram")."""
    before = s.text[:q.start - s.start]
    for m in reversed([m for m in ments if m.kind == "country" and m.end <= q.start]):
        if m.entity and re.search(r"\bin\s+(?:the\s+)?$", s.text[max(0, m.start - s.start - 8):m.start - s.start]):
            return m.entity, "country", m.confidence
    pair = re.search(r"(?P<cur>yuan|RMB|CNY|元|¥)[^()]{0,5}\(\s*$", before, re.I)
    if q.currency == "CNY" or pair:
        return "CHN", "country", 0.5
    return "WLD", "country", 0.5


_PARTNER = re.compile(r"\b(?:to|from|into|towards?|for|bound\s+for|destined\s+for|with)\s+(?:the\s+)?"
                      r"(?:mainland\s+)?$", re.I)


_PLACE = r"(?:the\s+)?[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)*"
_LINK_WORD = r"(?:and|or|notably|including|especially|such\s+as|mainly|chiefly)"
_LIST_LINK = rf"(?:\s*,\s*(?:{_LINK_WORD}\s+)?|\s+{_LINK_WORD}\s+)"
#: A place named in a list that opens with a trade partner: "to Europe, notably Ireland, Finland, the Czech Republic
#: and " before "Germany".
_PARTNER_LIST = re.compile(rf"\b(?:to|from|into)\s+{_PLACE}(?:{_LIST_LINK}{_PLACE})*{_LIST_LINK}(?:the\s+)?$")


def _partner(s: Sentence, m: Mention, metric: str) -> str | None:
    """The country a trade flow goes to or comes from ("exports to the United States", "imports from Japan"); of
    exports, also the country named as their buyer ("The Netherlands was the largest buyer ..., taking ...")."""
    if m.kind != "country" or not m.entity or m.entity == "WLD":
        return None
    before = s.text[max(0, m.start - s.start - 25):m.start - s.start]
    if _ORIGIN_OF_EXPORTS.search(s.text[max(0, m.start - s.start - 60):m.start - s.start]):
        return None  # "chip exports from South Korea to China": the exporter, not a partner
    if _PARTNER.search(before) or (m.via == "demonym" and re.search(r"\b(?:imports?|exports?|shipments)\s+of\s+$",
                                                                   before, re.I)):
        return m.entity  # "imports of Dutch lithography tools": the goods' origin
    if metric == "exports" and _BUYER.match(s.text[m.end - s.start:]):
        return m.entity
    if _PARTNER_LIST.search(s.text[max(0, m.start - s.start - 160):m.start - s.start]):
        return m.entity  # "exports to Europe, notably Ireland, Finland and Germany": each a destination
    return m.entity if _receiver(s, m) else None


def _qualifier(s: Sentence, m: Mention) -> bool:
    """A country named in brackets just after another place, qualifying it ("Hong Kong (China)"): no trader."""
    before = s.text[max(0, m.start - s.start - 40):m.start - s.start]
    return bool(re.search(r"[A-Z][\w.'-]*\s*\(\s*$", before)) and s.text[m.end - s.start:].lstrip().startswith(")")


#: Exports named by where they come from: "chip exports from South Korea", "shipments of memory from Korea".
_ORIGIN_OF_EXPORTS = re.compile(r"\b(?:exports?|shipments?|outbound\s+shipments)\s+(?:of\s+)?(?:[\w-]+\s+){0,3}?"
                                r"from\s+(?:the\s+)?$", re.I)
#: A country taking a flow as a sentence's subject: "Germany took 5,000 kilograms", "Japan received 352".
_RECEIVES = re.compile(r"(?:,\s[^,.;\d]{1,30},)?\s+(?:took|received|bought|got|absorbed|purchased)\b", re.I)
#: An aside between a country and its figure: "Vietnam, third, 456 tons".
_ASIDE = r"(?:,\s[^,.;\d]{1,30},)?"
#: A country named as the buyer of another's exports: "The Netherlands was the largest EU buyer of Chinese antimony".
_BUYER = re.compile(r"\s+(?:was|were|is|are|became|remained)\s+(?:the\s+|a\s+)?(?:[\w-]+\s+){0,3}(?:buyer|"
                    r"importer|destination|customer)\b", re.I)
#: A flow named as going to destinations listed after it: "Most of it went to two destinations, Japan with 2,004
#: kilograms and Germany with 2,000 kilograms".
_DESTINATIONS = re.compile(r"\bdestinations?\b|\b(?:went|sent|shipped|exported)\s+to\b", re.I)


def _receiver(s: Sentence, m: Mention) -> bool:
    """The country receives the flow: the subject of "took", "received" ..., or a country in the list that goes on
    with the verb left out ("Germany took 5,000 kilograms and Japan 4,007 kilograms")."""
    after = s.text[m.end - s.start:]
    if _RECEIVES.match(after):
        return True
    before = s.text[:m.start - s.start]
    if re.match(r"\s+with\s+(?:about\s+|around\s+|nearly\s+|some\s+)?\d", after) and _DESTINATIONS.search(before):
        return True
    return bool(re.match(_ASIDE + r"\s+\d", after) and re.search(r"(?:,|\band)\s+$", before) and
                _RECEIVES.search(before))


def _nearest_mention(ments: list[Mention], q: Quantity, kinds: set[str], metric: str,
                     left_only: bool = False) -> Mention | None:
    fitting = [m for m in ments if m.kind in kinds and m.entity and not (m.entity == "WLD" and kinds == {"country"})]
    if metric in ("revenue_share", "revenue_share_region") and "firm" in kinds:
        firms = [m for m in fitting if m.kind == "firm"]
        if firms:
            return firms[0]
    left = [m for m in fitting if m.end <= q.start]
    if left_only:
        return left[-1] if left else None
    if not fitting:
        return None
    if left:
        return left[-1]
    return fitting[0]


def _product_after(s: Sentence, q: Quantity, ments: list[Mention], exclude: str | None = None) -> str | None:
    """The product a figure is written of, right after it: "721 kilograms of germanium", "7.58 tons of gallium
    products" (in "1,530 kilograms of gallium and 721 kilograms of germanium" each amount takes its own metal, not
    the one nearest)."""
    for m in ments:
        if m.kind == "input" and m.entity and m.entity != exclude and m.start >= q.end and \
                re.fullmatch(r"\s+of\s+(?:the\s+)?", s.text[q.end - s.start:m.start - s.start]):
            return m.entity
    return None


def _nearest(ments: list[Mention], q: Quantity, kinds: set[str], exclude: str | None = None,
             right_only: bool = False) -> str | None:
    fitting = [m for m in ments if m.kind in kinds and m.entity and m.entity != exclude]
    if right_only:
        fitting = [m for m in fitting if m.start >= q.end]
    if not fitting:
        return None
    return min(fitting, key=lambda m: abs(m.start - q.start)).entity


#: A release's dateline: the place in capitals, then the date and the wire, then a dash ("TAIPEI, July 25, 2024
#: /PRNewswire/ --", "SHANGHAI, China, May 11, 2023 –").
_DATELINE_HEAD = re.compile(r"\s*(?:[A-Z][A-Z.'’-]*\s?){1,4}")
_DATELINE_TAIL = re.compile(r"(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?,?\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?|"
                            r"\d{1,2}\s+[A-Z][a-z]{2,8}\s+\d{4})?\s*(?:/[^/\n]{2,40}/|\([^)\n]{2,40}\))?\s*(?:--|—|–|-)\s")


def _in_dateline(s: Sentence, m: Mention) -> bool:
    """Mention m is the place of a release's dateline, at the head of its sentence."""
    return bool(_DATELINE_HEAD.fullmatch(s.text[:m.end - s.start]) and _DATELINE_TAIL.match(s.text[m.end - s.start:]))


def _region(ctx: Context, s: Sentence, q: Quantity, ments: list[Mention], entity: str) -> tuple[str | None,
                                                                                                str | None]:
    hq = ctx.kb.firms[entity].hq if entity in ctx.kb.firms else None
    for m in ments:
        if m.kind != "country" or m.entity in (None, "WLD"):
            continue
        before = s.text[max(0, m.start - s.start - 20): m.start - s.start]
        if re.match(r"\s?[-‑–]\s?(?:based|headquartered|listed|owned|backed)\b", s.text[m.end - s.start:]):
            continue  # "U.S.-based Western Digital": where a firm is from, not where it sells
        if _in_dateline(s, m):
            continue  # "TAIPEI, July 25, 2024 /PRNewswire/ --": where the release was issued
        after = re.match(r"['’]s?\s+", s.text[m.end - s.start:])
        if after and any(f.kind == "firm" and f.start == m.end + after.end() for f in ments):
            continue  # "China's Huawei": a firm's nationality, not a region of sales
        if _REGION_CUE.search(before) or s.text[m.end - s.start: m.end - s.start + 25].lower().lstrip().startswith(
                ("accounted", "made up", "represented", "contributed", "generated")) or m.entity != hq:
            if m.entity == hq and not _REGION_CUE.search(before):
                continue
            definition = None
            low = s.text.lower()
            if "mainland" in low:
                definition = "mainland China"
            elif re.search(r"including hong kong|incl\. hong kong|greater china", low):
                return "CHK", "China including Hong Kong"
            return m.entity, definition
    return None, None


def _period(ctx: Context, s: Sentence, q: Quantity, pms: list[PeriodMention], entity: str | None,
            last_period: str | None, qs: list[Quantity], growth: bool = False) -> str | None:
    fy_end = ctx.kb.fiscal_year_end(entity)
    after = s.text[q.end - s.start: q.end - s.start + 45].lower()
    labelled = [p for p in pms if p.kind != "date" or p.label]
    # in a list of pairs ("in 2021 they grew 17%, in 2020 by 22%, and in 2019 by 6.6%") a period just before a
    # figure ("by" at most between) is that figure's
    leads = {id(p): x for p in labelled for x in qs if p.end <= x.start and
             re.fullmatch(r"\s*(?:by|of|at)?\s*", s.text[p.end - s.start:x.start - s.start])}
    attached = [p for p in labelled if leads.get(id(p)) is not q and (
        any(x is not q and x.end <= p.start and p.start - x.end <= 15 and
            not (q.end <= p.start and p.start - q.end <= 15) for x in qs) or
        (id(p) in leads and any(r.end <= q.start for r in labelled)))]
    labelled = [p for p in labelled if p not in attached]
    tail = _list_tail(s, q, qs)
    beyond = [x.start for x in qs if x.start > tail.start]
    own = _base_label(ctx, labelled, tail, fy_end, beyond[0] if beyond else s.end, s)
    if own is None and growth:
        # "shipped 141.04 billion chips in the first half, 6.8% fewer than a year earlier": a change after a level
        # is of the level's period
        earlier = [x for x in qs if x.end <= q.start]
        level = earlier[-1] if earlier else None  # the figure just before, unless a base ("from $13.45 billion")
        held = [p for p in attached if level is not None and level.end <= p.start and p.end <= q.start and p.label
                and p.kind != "date" and not _base_mention(s, p) and not _is_base(s, level, pms)]
        own = held[-1].label if held else None
    base = own or last_period or ctx.dominant_period
    before = s.text[:q.start - s.start].lower()
    clause = re.split(r"[;:]|,\s+(?:while|whereas|but|and)\s|\bagainst\b|\bcompared\b", before)[-1]
    if base and own is None and _FULL_YEAR.search(clause):
        base = _year_of(base)
    if base and fy_end != 12 and ctx.doc_date and ctx.fiscal_text:
        # a firm reporting on a fiscal calendar: its "third quarter" is the fiscal one that ended last, and "the
        # quarter ended December 31, 2023" is the fiscal quarter ending then
        m = re.fullmatch(r"\d{4}Q([1-4])", base)
        span = re.fullmatch(r"(\d{4})-(\d\d)\.\.(\d{4})-(\d\d)", base)
        # a quarter named by its months ("the December quarter", "the quarter ended December 31, 2023") is the
        # fiscal quarter holding those months
        by_months = m and own == base and any(p.label == own and _MONTH_WORD.search(p.text) for p in labelled)
        if m and by_months:
            end_year, end_month = int(base[:4]), int(m.group(1)) * 3
            base = f"FY{end_year if end_month <= fy_end else end_year + 1}Q{4 - ((fy_end - end_month) % 12) // 3}"
        elif m:
            base = P.fiscal_quarter(ctx.doc_date, fy_end, int(m.group(1)))
        elif span and (int(span.group(3)) * 12 + int(span.group(4))) - (int(span.group(1)) * 12 +
                                                                        int(span.group(2))) == 2:
            end_year, end_month = int(span.group(3)), int(span.group(4))
            if (fy_end - end_month) % 3 == 0:
                fy = end_year if end_month <= fy_end else end_year + 1
                base = f"FY{fy}Q{4 - ((fy_end - end_month) % 12) // 3}"
    if growth:
        return base
    ago = _year_ago(s, q, qs)
    # the phrase speaks of the nearest figure before it: "rose to $23.68 billion from $34.1 billion the previous
    # year" puts only $34.1 billion a year back; "the same period of 2024" is a year back only from a period of 2025
    if ago and not (ago.group("year") and base and not re.match(rf"(?:FY)?{int(ago.group('year')) + 1}", base)):
        return P.shift_year(base, -1) if base else None
    if own is None and base and _YEAR_AGO_BEFORE.search(clause):
        return P.shift_year(base, -1)
    prior = re.search(r"^[^.;]{0,30}(?:previous|prior|preceding) quarter", after)
    # "... against $41.2 billion in the previous quarter" speaks of the figure just before it, not of one further
    # back ("$46.7 billion, 6% more than in the previous quarter": the 6% is the change, $46.7 billion is current)
    if prior and base and not any(q.end <= x.start < q.end + prior.end() for x in qs if x is not q):
        prev = P.previous_quarter(base)
        if prev:
            return prev
    return base


#: What parts the members of a list of figures: a comma, "and", "or", and "respectively" after the last.
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)")


def _list_tail(s: Sentence, q: Quantity, qs: list[Quantity]) -> Quantity:
    """The last figure of the list of like figures that ``q`` begins or belongs to ("RMB5bn, RMB6.5bn, RMB1bn and
    RMB0.5bn respectively in 1H25"; not "39,817 tons, 7.5% less"): the period after a list is each member's, so
    the list's last figure stands in for ``q`` where the period after it is looked for; ``q`` itself when no
    figure follows it as a list member."""
    tail = q
    for x in sorted((x for x in qs if x.start >= q.end), key=lambda x: x.start):
        if x.kind != q.kind or not _LIST_GAP.fullmatch(s.text[tail.end - s.start:x.start - s.start]):
            break
        tail = x
    return tail


def _year_ago(s: Sentence, q: Quantity, qs: list[Quantity]) -> re.Match[str] | None:
    """The year-ago phrase just after figure q that speaks of it (no other figure between): the figure is the base
    of a comparison, a year before the period in context, and its period does not carry on."""
    ago = _YEAR_AGO_AFTER.search(s.text[q.end - s.start: q.end - s.start + 45].lower())
    if ago is None or any(q.end <= x.start < q.end + ago.end() for x in qs if x is not q):
        return None
    return ago


#: "... compared with $33.74 billion a year earlier": the figure just before is of the year before.
_YEAR_AGO_AFTER = re.compile(r"^[^.;]{0,30}(?:a year (?:earlier|ago|before)|same period (?:of )?last year|year-ago|"
                             r"the (?:year|twelve months) before|the (?:previous|prior|preceding) year|"
                             r"the same (?:period|quarter|months?) (?:of|in) (?:the )?(?:previous|prior|preceding) "
                             r"(?:fiscal )?year|the same (?:(?:two|three|four|five|six|seven|eight|nine|ten|eleven|"
                             r"\d{1,2})\s+)?(?:period|quarter|months?) (?:of|in)\s+(?:fiscal\s+)?"
                             r"(?P<year>(?:19|20)\d\d)\b)", re.I)
#: "full-year revenue", "for the year", "annual sales": the figure is of the whole (fiscal) year of the period in
#: context, not of its last quarter.
_FULL_YEAR = re.compile(r"\bfull[- ]year\b|\bfor the (?:full |whole )?year\b|\bannual\b|\bwhole[- ]year\b")
#: "In the same period last year the company lost ...", "A year earlier, ...": the figure is a year before the
#: period in context.
_YEAR_AGO_BEFORE = re.compile(r"\b(?:in|during|for)\s+the\s+same\s+(?:period|quarter|months)\s+(?:of\s+)?"
                              r"(?:last|the\s+previous|the\s+prior)\s+year\b|\ba\s+year\s+(?:earlier|ago|before)"
                              r"\s*,|\bthe\s+year[- ]ago\s+(?:period|quarter)\b|\blast\s+year['’]s\s+(?:[\w-]+\s+)?$")


_MONTH_WORD = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b")
_FISCAL_TEXT = re.compile(r"\bfiscal\b|\bFY\s?'?\d", re.I)


def speaks_fiscal(text: str) -> bool:
    """The text speaks of fiscal years ("fiscal", "FY25"): firms' quarters are then read on their own calendars."""
    return bool(_FISCAL_TEXT.search(text))


def _year_of(label: str) -> str:
    """The (fiscal) year a period label falls in: 2024Q4 -> 2024, FY2025Q2 -> FY2025; others unchanged."""
    m = re.fullmatch(r"(FY)?(\d{4})(?:Q[1-4]|H[12]|-\d\d)", label)
    return f"{m.group(1) or ''}{m.group(2)}" if m else label


def _base_label(ctx: Context, pms: list[PeriodMention], q: Quantity, fy_end: int, next_start: int,
                s: Sentence | None = None) -> str | None:
    def label(p: PeriodMention) -> str | None:
        if p.note == "latest_quarter" and fy_end != 12 and ctx.doc_date and ctx.fiscal_text:
            return P.latest_fiscal_quarter(ctx.doc_date, fy_end)  # "quarterly" for a firm on a fiscal calendar
        if p.note and p.note.startswith("fiscal_quarter:") and ctx.doc_date:
            return P.fiscal_quarter(ctx.doc_date, fy_end, int(p.note.split(":")[1]))
        if p.note == "last_fiscal_year" and ctx.doc_date:
            return P.last_fiscal_year(ctx.doc_date, fy_end)
        if p.note in ("year_ago", "previous_quarter"):
            return None
        if p.kind == "date":
            return None
        return p.label
    usable = [(p, label(p)) for p in pms]
    usable = [(p, lab) for p, lab in usable if lab]
    if not usable:
        return None
    # the year a period without one takes: a year the sentence names, not as the base of a comparison ("in January
    # and February, against the same two months of 2023": January and February are of the document's year)
    years = [lab for p, lab in usable if p.kind == "year" and not (s is not None and _base_mention(s, p))]
    # prefer the mention right after the quantity, then the nearest one before it
    after = [(p, lab) for p, lab in usable if p.start >= q.end and p.start - q.end <= 40 and p.start < next_start]
    before = [(p, lab) for p, lab in usable if p.end <= q.start]
    if not after and not before:
        return None
    choice = after[0] if after else before[-1]
    p, lab = choice
    if p.note == "year_inferred" and years and years[0] and lab and p.kind in ("quarter", "half", "span"):
        return re.sub(r"\d{4}", years[0], lab)
    return lab


def _fix_from_to(ctx: Context, claims: list[Claim]) -> None:
    """In "from A to B" (or "to B from A"), A belongs to the earlier period: the previous quarter or the year
    before, as the sentence (else the whole text) says the comparison is made."""
    for x, y in itertools.pairwise(claims):
        if x.sentence != y.sentence or x.metric != y.metric or x.entity != y.entity or x.period != y.period:
            continue
        if not x.period:
            continue
        between = ctx.text[x.quantity[1]:y.quantity[0]]
        before_x = ctx.text[max(x.sentence[0], x.quantity[0] - 12):x.quantity[0]].lower()
        if "from" in before_x and re.match(r"^\s*(?:in [^,]{0,30})?\s*to\b", between):
            earlier = x
        elif re.match(r"^\s*(?:in [^,]{0,30})?,?\s*(?:up |down )?from\s+(?:about\s+)?$", between):
            earlier = y
        else:
            continue
        sentence = ctx.text[x.sentence[0]:x.sentence[1]]
        later = y if earlier is x else x
        assert later.period is not None
        if _QOQ.search(sentence) or (not _YOY.search(sentence) and _QOQ.search(ctx.text)):
            earlier.period = P.previous_quarter(later.period) or earlier.period
        elif _YOY.search(sentence) or _YOY.search(ctx.text):
            earlier.period = P.shift_year(later.period, -1) or earlier.period


def dedupe(claims: list[Claim]) -> list[Claim]:
    """The claims without repeats of one (entity, metric, value, unit, period, region, product), numbered."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for c in claims:
        key = (c.entity, c.metric, c.value, c.unit, c.period, c.region, c.product)
        if key in seen:
            continue
        seen.add(key)
        out.append(c)
    for i, c in enumerate(out, 1):
        c.id = f"C{i}"
    return out
