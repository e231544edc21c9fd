"""Arithmetic inside a document: N-fold vs percent, stated conversions vs exchange rates, parts vs whole,
before/after figures vs the stated change. Every finding explains itself in plain words.

Tolerances come from how precisely each figure is written: "14-fold" may be 13.5-14.5, "$79.6 million"
79.55-79.65; two figures agree when their intervals meet.
"""

from __future__ import annotations

import re
import statistics
from datetime import date

from chipshift.domain.period import Period
from chipshift.ingest.kb import KnowledgeBase, Rate
from chipshift.ingest.model import Claim, Conversion, Finding, Quantity, Sentence, Severity

GROWTH = {"revenue_growth", "investment_growth", "trade_growth", "market_growth", "equipment_purchases_growth"}
_SHARE_GROUPS = {"market_share": "market_share", "localization_rate": "domestic_vs_imported",
                 "import_share": "domestic_vs_imported", "revenue_share_region": "revenue_share_region"}


def _fmt(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".") if abs(x) < 1000 else f"{x:,.0f}"


#: The words that name what a change is of ("revenue", "imports"), whose modifiers tell one measure from another.
_MEASURE = re.compile(r"\b(?:revenues?|sales|turnover|imports?|exports?|shipments|income|profits?|spending|"
                      r"purchases|orders|investment)\b", re.I)
#: Words in a measure's modifiers that do not change what is measured.
_GENERIC = {"total", "overall", "quarterly", "annual", "yearly", "monthly", "its", "their", "the", "a", "an", "of",
            "from", "in", "for", "net", "group", "company", "firm", "reported", "fiscal", "year", "quarter", "month",
            "this", "that", "these", "whole", "global", "worldwide", "combined", "by", "value", "s", "increase",
            "increases", "rise", "surge", "jump", "growth", "gain", "decline", "fall", "drop", "climb", "boost"}
_CLAUSE = re.compile(r"[;:]|,\s+(?:and|but|while|whereas)\b")  # within the sentence the splitter gives
_WORD = re.compile(r"[A-Za-z][\w-]*")
_BOUND = re.compile(r"\b(?P<more>more\s+than|over|at\s+least|upwards\s+of)\s*$|"
                    r"\b(?P<less>nearly|almost|close\s+to|just\s+under|under|less\s+than)\s*$", re.I)


def _modifiers(c: Claim, text: str, names: set[str]) -> frozenset[str] | None:
    """The words that qualify the measure a change is of, in the figure's clause: before the measure word nearest the
    figure ("data center revenue", "China revenue", "automotive-related sales") and after it in an "of" or "from"
    phrase ("revenue of the consumer group", "imports of Dutch lithography tools"); generic words and the entity's
    own names left out. None when the clause names no measure ("it more than doubled")."""
    s0, s1 = c.sentence
    sentence = text[s0:s1]
    at = c.quantity[0] - s0
    starts = [0, *(m.end() for m in _CLAUSE.finditer(sentence) if m.end() <= at)]
    ends = [m.start() for m in _CLAUSE.finditer(sentence) if m.start() >= at]
    clause_start, clause_end = max(starts), min(ends, default=len(sentence))
    clause = sentence[clause_start:clause_end]
    rel = at - clause_start
    measures = list(_MEASURE.finditer(clause))
    if not measures:
        return None
    m = min(measures, key=lambda x: abs(x.start() - rel))
    figure_end = rel + (c.quantity[1] - c.quantity[0])
    start = max(0, m.start() - 40, figure_end if figure_end <= m.start() else 0)
    before = _WORD.findall(clause[start:m.start()])[-3:]
    after = re.match(r"\s+(?:of|from)\s+((?:[A-Za-z][\w-]*\s*){1,5})", clause[m.end():])
    following = _WORD.findall(after.group(1)) if after else []
    # a figure or a verb ends the modifiers: before the measure, keep what follows the last; after it, what comes first
    cut = max((k for k, w in enumerate(before) if _ENDS_MODIFIERS.fullmatch(w)), default=-1)
    stop = next((k for k, w in enumerate(following) if _ENDS_MODIFIERS.fullmatch(w)), len(following))
    words = [*before[cut + 1:], *following[:stop]]
    out = {w.lower().removesuffix("'s").removesuffix("’s") for w in words}
    return frozenset(w for w in out if w not in _GENERIC and w not in names)


#: Words that end a measure's modifiers: verbs of change and the words around a figure ("rose", "a record").
_ENDS_MODIFIERS = re.compile(r"(?:rose|grew|jumped|surged|fell|dropped|declined|climbed|soared|was|were|is|are|had|has|"
                   r"posted|reported|booked|said|saw|posting|increased|decreased|tripled|doubled|up|down|"
                   r"stunning|staggering|record|strong|sharp|with|and|to|as|than|by)", re.I)


def _same_measure(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    """Two changes are of one measure when their modifiers agree: both none, or some word in common; a change whose
    clause names no measure ("it more than doubled") is of none the check can tell."""
    if a is None or b is None:
        return False
    return a == b or bool(a & b)


#: How far below a figure "nearly" or "almost" reaches: a tenth ("nearly tripled" is 2.7 to 3 times).
NEARLY = 0.1


def _bounds(lo: float, hi: float, value: float, c: Claim, text: str) -> tuple[float, float]:
    """A figure's interval: its rounding, opened on one side by "more than" (at least) or closed to a tenth below
    it by "nearly" (at most, and not far off)."""
    bound = _BOUND.search(text[max(0, c.quantity[0] - 20):c.quantity[0]])
    if bound and bound.group("more"):
        return lo, float("inf")
    if bound and bound.group("less"):
        return value - NEARLY * abs(value), hi
    return lo, hi


def fold_vs_percent(claims: list[Claim], text: str, names: dict[str, set[str]] | None = None) -> list[Finding]:
    """A change written as a fold and as a percentage of one measure (one firm's, product's, region's and period's,
    and the same words qualifying it in the text) that do not agree, each read as a bound where the text says "more
    than" or "nearly"; `names`: each entity's names, lower case, left out of the qualifying words."""
    out: list[Finding] = []
    folds = [c for c in claims if c.metric in GROWTH and c.unit == "ratio"]
    pcts = [c for c in claims if c.metric in GROWTH and c.unit.startswith("pct") and c.unit != "pct_points"]
    own = names or {}
    for f in folds:
        for p in pcts:
            if (f.entity, f.metric, f.product, f.region) != (p.entity, p.metric, p.product, p.region) or (
                    f.period and p.period and f.period != p.period):
                continue  # two statements of the same change: one firm's growth in one product, region and period
            entity_names = own.get(f.entity or "", set())
            if not _same_measure(_modifiers(f, text, entity_names), _modifiers(p, text, entity_names)):
                continue  # "Revenue rose 38%" and "data center revenue tripled" are changes of two measures
            implied = 1 + p.value / 100
            lo, hi = _bounds(1 + (p.value - p.precision) / 100, 1 + (p.value + p.precision) / 100, implied, p, text)
            f_lo, f_hi = _bounds(f.value - f.precision, f.value + f.precision, f.value, f, text)
            ft, pt = text[f.quantity[0]:f.quantity[1]], text[p.quantity[0]:p.quantity[1]]
            spans = (f.quantity, p.quantity)
            if hi >= f_lo and lo <= f_hi:
                out.append(Finding("fold_vs_percent", "info",
                                   f"“{pt}” and “{ft}” agree: a {_fmt(p.value)}% increase is {_fmt(1 + p.value / 100)}"
                                   f" times the earlier figure.", spans, (f.id, p.id)))
                continue
            misread = f_lo <= p.value / 100 <= f_hi
            message = (f"“{pt}” means {_fmt(1 + p.value / 100)} times the earlier figure, but “{ft}” means "
                       f"{_fmt(f.value)} times, which is a {_fmt((f.value - 1) * 100)}% increase. The two statements "
                       "of the same change do not agree")
            message += (": the text seems to read “N-fold” as “N × 100%”." if misread else ".")
            out.append(Finding("fold_vs_percent", "warning", message, spans, (f.id, p.id),
                               {"percent": p.value, "fold": f.value, "fold_implied_by_percent": 1 + p.value / 100}))
    return out


def nearest_rate(rates: list[Rate], when: date | None) -> Rate | None:
    if not rates:
        return None
    if when is None:
        return max(rates, key=lambda r: r.end)
    inside = [r for r in rates if r.start <= when <= r.end]
    pool = inside or rates
    return min(pool, key=lambda r: (abs((r.start - when).days) + abs((r.end - when).days), r.end - r.start))


def period_rate(rates: list[Rate], period: str | None, when: date | None) -> Rate | None:
    """The rate for a period: the mean of the rates observed inside it, else the one nearest the date."""
    if period:
        try:
            p = Period.parse(period)
        except ValueError:
            p = None
        if p is not None and p.end > p.start:
            inside = [r for r in rates if p.start <= r.start and r.end <= p.end]
            if inside:
                mean = sum(r.value for r in inside) / len(inside)
                return Rate(period, p.start, p.end, round(mean, 4), ", ".join(r.fact for r in inside[:3]),
                            f"mean of {len(inside)} rate(s) observed in {period}", None)
    return nearest_rate(rates, when)


def conversions(convs: list[Conversion], kb: KnowledgeBase, when: date | None, text: str,
                claims: list[Claim] | None = None) -> list[Finding]:
    out: list[Finding] = []
    by_pair: dict[tuple[str, str], list[tuple[Conversion, float, float]]] = {}
    for c in convs:
        a, b = c.source, c.target
        if not a.currency or not b.currency or a.base == 0 or b.base == 0:
            continue
        pair = (a, b) if b.currency == "USD" else (b, a)
        foreign, usd = pair
        if usd.currency != "USD":
            continue
        implied = foreign.base / usd.base
        rel_prec = foreign.precision / max(abs(foreign.value), 1e-9) + usd.precision / max(abs(usd.value), 1e-9)
        by_pair.setdefault((str(foreign.currency), "USD"), []).append((c, implied, rel_prec))
    period_of = {c.quantity[0]: c.period for c in claims or []}
    for (cur, _), items in by_pair.items():
        rates = kb.rates(cur)
        median = statistics.median(i[1] for i in items)
        for conv, implied, rel_prec in items:
            rate = period_rate(rates, period_of.get(conv.source.start), when)
            phrase = text[conv.span[0]:conv.span[1] + 1].strip()
            if rate is not None:
                dev = implied / rate.value - 1
                tol = max(0.015, rel_prec)
                detail = {"implied_rate": round(implied, 4), "rate": rate.value, "rate_period": rate.period,
                          "rate_fact": rate.fact, "deviation_pct": round(100 * dev, 2), "currency": cur}
                where = f"{rate.value:g} {cur.lower()} per US dollar ({rate.period}, {rate.publisher or rate.fact})"
                if abs(dev) <= tol:
                    out.append(Finding("conversion", "info",
                                       f"The conversion “{phrase}” is consistent: it implies {implied:.4g} "
                                       f"{cur.lower()} per dollar; the knowledge base has {where}.",
                                       (conv.span,), (), detail))
                else:
                    severity: Severity = "notice" if abs(dev) <= 0.05 else "warning"
                    out.append(Finding("conversion", severity,
                                       f"The conversion “{phrase}” implies {implied:.4g} {cur.lower()} per dollar, "
                                       f"{abs(dev) * 100:.1f}% {'above' if dev > 0 else 'below'} the rate for that "
                                       f"date in the knowledge base: {where}.", (conv.span,), (), detail))
                continue
            if len(items) >= 2 and abs(implied / median - 1) > max(0.015, rel_prec):
                out.append(Finding("conversion", "warning",
                                   f"The conversion “{phrase}” implies {implied:.5g} {cur.lower()} per dollar, while "
                                   f"the document's other {cur}/USD conversions imply about {median:.5g}: one of "
                                   "the figures is probably wrong.", (conv.span,), (),
                                   {"implied_rate": round(implied, 4), "document_median": round(median, 4)}))
            else:
                out.append(Finding("conversion", "notice",
                                   f"The conversion “{phrase}” implies {implied:.5g} {cur.lower()} per dollar; the "
                                   f"knowledge base has no {cur} rate to check it against" +
                                   (" (it agrees with the document's other conversions)." if len(items) >= 2 else "."),
                                   (conv.span,), (), {"implied_rate": round(implied, 4)}))
    return out


def parts_sum(claims: list[Claim], countries: frozenset[str] = frozenset()) -> list[Finding]:
    """Shares of one whole (by several entities or regions) must not add up to more than 100%. Firms' shares of a
    market and countries' shares (``countries``: the country ids) are shares of different wholes, summed apart."""
    out: list[Finding] = []
    groups: dict[tuple[object, ...], list[Claim]] = {}
    for c in claims:
        group = _SHARE_GROUPS.get(c.metric)
        if group is None or c.unit != "pct" or c.period is None:
            continue
        if group == "market_share":
            key: tuple[object, ...] = (group, c.product, c.region, c.period, c.entity in countries)
            part = c.entity
        elif group == "domestic_vs_imported":
            key = (group, c.entity, c.product, c.period)
            part = c.metric
        else:
            key = (group, c.entity, c.period)
            part = c.region
        bucket = groups.setdefault(key, [])
        if all((x.entity if group == "market_share" else x.metric if group == "domestic_vs_imported" else x.region)
               != part for x in bucket):
            bucket.append(c)
    for key, parts in groups.items():
        if len(parts) < 2:
            continue
        total = sum(p.value for p in parts)
        slack = sum(p.precision for p in parts) + 0.5
        if total > 100 + slack:
            names = ", ".join(f"{p.entity_name or p.entity} {p.value:g}%" for p in parts)
            out.append(Finding("parts_sum", "error",
                               f"These shares of the same whole ({key[0]}, {parts[0].period}) add up to {total:.1f}%, "
                               f"more than 100%: {names}.", tuple(p.quantity for p in parts),
                               tuple(p.id for p in parts), {"total": round(total, 3)}))
    return out


_FROM = re.compile(r"\bfrom\s+(?:about|around|roughly|nearly|just|only|some)?\s*$", re.I)
_TO = re.compile(r"(?:\bto|\breach(?:ed|ing)?|\bhit(?:ting)?|\bat)\s+(?:just|about|around|roughly|nearly|only|some|"
                 r"a record|a record-high)?\s*$", re.I)
_DOWN = re.compile(r"decreas|fell|fall|declin|\bdown\b|drop|slump|shr[ai]nk|plung|slip|lower|contract|tumbl", re.I)


def before_after(sentences: list[Sentence], quantities: list[Quantity], text: str) -> list[Finding]:
    """'from A to B' with a stated change C (percent, fold or points) in the same sentence or next to it."""
    out: list[Finding] = []
    by_paragraph: dict[int, list[Sentence]] = {}
    for s in sentences:
        by_paragraph.setdefault(s.paragraph, []).append(s)
    for s in sentences:
        if s.in_references:
            continue
        qs = [q for q in quantities if s.start <= q.start < s.end]
        for a in qs:
            if not _FROM.search(text[max(s.start, a.start - 25):a.start]):
                continue
            bs = [b for b in qs if b is not a and b.kind == a.kind and b.unit == a.unit and
                  _TO.search(text[max(s.start, b.start - 25):b.start]) and abs(b.start - a.start) < 120]
            if not bs or a.value == 0:
                continue
            b = min(bs, key=lambda x: abs(x.start - a.start))
            lo_pair, hi_pair = min(a.start, b.start), max(a.end, b.end)
            changes = [c for c in qs if c not in (a, b) and c.kind in ("percent", "fold", "points") and
                       not (a.kind == "percent" and c.kind != "points") and
                       not any(x.kind == a.kind and x not in (a, b) and
                               min(c.end, lo_pair) <= x.start < max(c.start, hi_pair) for x in qs)]
            if not changes:
                continue
            c = min(changes, key=lambda x: abs(x.start - b.start))
            finding = _compare_change(a, b, c, text)
            if finding is not None:
                out.append(finding)
    return out


def _compare_change(a: Quantity, b: Quantity, c: Quantity, text: str) -> Finding | None:
    a_lo, a_hi = a.value - a.precision, a.value + a.precision
    b_lo, b_hi = b.value - b.precision, b.value + b.precision
    if a_lo <= 0:
        return None
    stated = abs(c.value)
    c_lo, c_hi = stated - c.precision, stated + c.precision
    if c.kind == "points":
        d_lo, d_hi = b_lo - a_hi, b_hi - a_lo  # the change's interval, negative for a fall
        lo, hi = (0.0 if d_lo < 0 < d_hi else min(abs(d_lo), abs(d_hi))), max(abs(d_lo), abs(d_hi))
        implied = b.value - a.value
        what = f"{_fmt(abs(implied))} percentage points"
    elif c.kind == "fold":
        lo, hi = b_lo / a_hi, b_hi / a_lo
        implied = b.value / a.value
        what = f"{_fmt(implied)} times"
    else:
        r_lo, r_hi = (b_lo / a_hi - 1) * 100, (b_hi / a_lo - 1) * 100
        lo, hi = min(abs(r_lo), abs(r_hi)), max(abs(r_lo), abs(r_hi))
        if r_lo < 0 < r_hi:
            lo = 0.0
        implied = (b.value / a.value - 1) * 100
        what = f"a change of {implied:+.1f}%"
    at, bt, ct = text[a.start:a.end], text[b.start:b.end], text[c.start:c.end]
    spans = ((a.start, a.end), (b.start, b.end), (c.start, c.end))
    details = {"before": a.value, "after": b.value, "stated_change": c.value, "implied_change": round(implied, 4)}
    if hi >= c_lo and lo <= c_hi:
        return Finding("before_after", "info", f"From {at} to {bt} is {what}, consistent with the stated “{ct}”.",
                       spans, (), details)
    return Finding("before_after", "warning",
                   f"From {at} to {bt} is {what}, but the text states “{ct}”. The before and after figures do "
                   "not match the stated change.", spans, (), details)
