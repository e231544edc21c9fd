"""Claims against the knowledge base (agrees / disagrees / new, with the stored values and their sources, and a
note when definitions differ) and citations against their references."""

from __future__ import annotations

import calendar
import math
import re
from datetime import date
from functools import lru_cache
from typing import Any

from chipshift.domain.period import Period
from chipshift.ingest.entities import DEMONYMS, tokens
from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.model import RANKED_REVENUE, Claim, Event, Finding, Marker, Reference
from chipshift.ingest.periods import fiscal_quarter_end
from chipshift.schemas import vocabulary as voc

_GROWTH_UNITS = {"pct_yoy", "pct_qoq", "pct_change"}


def _same_period(a: str, b: str, fy_end: int | None) -> bool:
    """The same period label, or a fiscal and a calendar label of a firm whose fiscal year is the calendar year
    (a firm whose fiscal year end the data does not hold has its fiscal labels compared only with fiscal ones)."""
    if a == b:
        return True
    if fy_end == 12:
        return a.removeprefix("FY") == b.removeprefix("FY")
    return False


def _monthly(period: str | None) -> bool:
    """A month's period ("2024-05"): a month's change of unnamed basis is as often on the month before (as customs
    and trade briefs give them, "almost +20% on April") as on the same month a year earlier, so it is compared with
    no stored change of a named basis."""
    return period is not None and re.fullmatch(r"\d{4}-\d\d", period) is not None


def _comparable(claim: Claim, fact: dict[str, Any]) -> float | None:
    """The fact's value in the claim's unit, or None when the two cannot be compared."""
    cu, fu = claim.unit, str(fact["unit"])
    if cu in _GROWTH_UNITS or cu == "ratio":
        fv = float(fact["value"])
        if fu == cu or (fu in _GROWTH_UNITS and cu in _GROWTH_UNITS and "pct_change" in (fu, cu)
                        and not _monthly(claim.period)):
            return fv
        if cu == "ratio" and fu in ("pct_yoy", "pct_change"):
            return fv / 100 + 1
        if fu == "ratio" and cu in ("pct_yoy", "pct_change"):
            return (fv - 1) * 100
        return None
    a, b = voc.UNITS.get(cu), voc.UNITS.get(fu)
    if a is None or b is None or a.dimension != b.dimension:
        return None
    return float(fact["value"]) * float(b.factor) / float(a.factor)


def _holds(claim: Claim, stored: float, tol: float) -> bool:
    """Whether a stored value agrees with the claim: within its tolerance, or on the right side of it when the
    document gives a bound ("topped $100 billion" agrees with a stored $159 billion)."""
    if claim.bound == "min":
        return stored >= claim.value - tol
    if claim.bound == "max":
        return stored <= claim.value + tol
    return abs(stored - claim.value) <= tol


def _tolerance(claim: Claim) -> float:
    unit = voc.UNITS.get(claim.unit)
    dim = unit.dimension if unit else ""
    v = abs(claim.value)
    approx = 0.05 * v if claim.approx else 0.0
    if dim == "share":
        return max(0.5, claim.precision, approx)
    if dim == "growth":
        return max(1.0, 0.01 * v, claim.precision, approx)
    if dim == "ratio":
        return max(0.03 * v, claim.precision, approx)
    return max(0.02 * v, claim.precision, approx)


def like_quantities(claim: Claim, fact: dict[str, Any], fy_end: int | None) -> bool:
    """Whether a stored fact measures what the claim measures: the same period, the same product (a figure that
    names no product, a firm's or a country's whole, is unlike one that names a product), the same region
    (mainland China and China with Hong Kong alike, with a note on their definitions), the whole firm (a claim
    names no business segment, so a stored segment's figure is unlike it; a firm's revenue in a ranking is its
    revenue in the ranked market, unlike the revenue it reports), and a measurement, not a forecast. Metric and
    entity are matched by the caller; units by `_comparable`."""
    if not _same_period(str(claim.period), str(fact["period"]), fy_end):
        return False
    if fact.get("status") == "forecast" or (fact.get("segment") or "all") != "all":
        return False
    if (claim.product or None) != (fact.get("product") or None):
        return False
    if claim.definition == RANKED_REVENUE and fact.get("definition") != RANKED_REVENUE:
        return False
    return _same_region(claim.region or None, fact.get("region") or None)


#: Mainland China and China with Hong Kong (and Macau): one region for comparing figures, with a note on definitions.
_CHINA = {"CHN", "CHK", "CHM"}


def _same_region(a: str | None, b: str | None) -> bool:
    return a == b or (a is not None and b is not None and {a, b} <= _CHINA)


def against_kb(claims: list[Claim], kb: KnowledgeBase, written: date | None = None) -> list[Finding]:
    """Each claim against the stored facts of the same entity, metric, period, product and region: agrees,
    disagrees, new (nothing stored for that entity, metric and period), or not comparable (figures stored for
    that entity, metric and period only for other products or regions, or in units that do not convert; or a
    figure that disagrees while the document gives another for the same measure that agrees, so that this one
    most likely measures something else; or a figure for a period that had not ended on ``written``, the
    document's date, which is an expectation, and which agrees with a stored figure or is not compared)."""
    out: list[Finding] = []
    compared: list[tuple[Claim, list[tuple[dict[str, Any], float]], bool]] = []
    for c in claims:
        if c.entity is None or c.period is None:
            c.kb = "not_checked"
            continue
        fy_end = kb.fiscal_year_end(c.entity) if kb.knows_fiscal_year(c.entity) else None
        stored: list[tuple[dict[str, Any], float]] = []
        unlike: list[dict[str, Any]] = []
        loose: list[tuple[dict[str, Any], float]] = []  # unlike, but not contradicting: one side names no product
        for f in kb.facts_for(c.entity, c.metric):
            if not _same_period(c.period, str(f["period"]), fy_end or 12):
                continue
            value = _comparable(c, f)
            if value is not None and like_quantities(c, f, fy_end):
                stored.append((f, value))
                continue
            unlike.append(f)
            if value is not None and _not_contradicting(c, f):
                loose.append((f, value))
        tol = _tolerance(c)
        end = _period_end(c.period, fy_end)
        if written is not None and end is not None and end > written and (stored or unlike) and \
                not any(_holds(c, v, tol) for _, v in stored + loose):
            c.kb = "not_comparable"
            out.append(Finding("kb", "info", f"Not comparable: the document's figure is for {c.period}, which had not "
                                             f"ended when it was written ({written.isoformat()}), so it is an "
                                             f"expectation; the knowledge base holds what was measured.",
                               (c.quantity,), (c.id,), {"stored": [_shown(f, v, c.unit) for f, v in stored]}))
            continue
        if not stored and any(_holds(c, v, tol) for _, v in loose):
            # the same figure stored for a narrower or a wider measure: the document most likely states that one
            f, v = next((f, v) for f, v in loose if _holds(c, v, tol))
            c.kb = "agrees"
            out.append(Finding("kb", "info", f"Agrees with the knowledge base: {_num(v)} {c.unit} for {f['period']} "
                                             f"({f.get('publisher')}), stored as {_measures([f])}.",
                               (c.quantity,), (c.id,), {"stored": [_shown(f, v, c.unit)]}))
            continue
        if not stored and unlike:
            c.kb = "not_comparable"
            out.append(Finding("kb", "info", f"Not comparable: the knowledge base holds {c.metric} of "
                                             f"{c.entity_name or c.entity} for {c.period} only as "
                                             f"{_measures(unlike)}; the document's figure is {_measure(c)}.",
                               (c.quantity,), (c.id,), {"unlike": [str(f["id"]) for f in unlike]}))
            continue
        if not stored:
            c.kb = "new"
            out.append(Finding("kb", "notice", f"New: the knowledge base has no {c.metric} of "
                                               f"{c.entity_name or c.entity} for {c.period} to compare with.",
                               (c.quantity,), (c.id,)))
            continue
        compared.append((c, stored, any(_holds(c, v, tol) for _, v in stored)))
    agreed = {_measure_key(c): c for c, _, agrees in compared if agrees}
    for c, stored, agrees in compared:
        tol = _tolerance(c)
        shown = [_shown(f, v, c.unit) for f, v in stored]
        note = _definitions(c, [f for f, _ in stored])
        sibling = agreed.get(_measure_key(c))
        if agrees:
            c.kb = "agrees"
            f, v = next((f, v) for f, v in stored if _holds(c, v, tol))
            out.append(Finding("kb", "info", f"Agrees with the knowledge base: {_num(v)} {c.unit} for {f['period']} "
                                             f"({f.get('publisher')}).{note}", (c.quantity,), (c.id,),
                               {"stored": shown}))
        elif sibling is not None:
            c.kb = "not_comparable"
            other = sibling.text or _num(sibling.value)
            out.append(Finding("kb", "info", f"Not compared: the document also gives {other} for this measure, "
                                             f"which agrees with the knowledge base, so this figure most likely "
                                             f"measures something else.", (c.quantity,), (c.id,),
                               {"stored": shown, "agreeing_claim": sibling.id}))
        elif _far_off(c, [v for _, v in stored]):
            c.kb = "not_comparable"
            nearest = min((v for _, v in stored), key=lambda v: abs(math.log(c.value / v)))
            out.append(Finding("kb", "info", f"Not compared: the document's {_num(c.value)} {c.unit} is "
                                             f"{_num(c.value / nearest)} times the stored {_num(nearest)} {c.unit}, "
                                             f"further apart than estimates of one quantity; it most likely "
                                             f"measures something else, or is written at another scale: check "
                                             f"it.{note}", (c.quantity,), (c.id,), {"stored": shown}))
        else:
            c.kb = "disagrees"
            listing = "; ".join(f"{_num(v)} {c.unit} ({f.get('publisher')}, {f['period']}"
                                f"{': ' + _short(str(f['definition'])) if f.get('definition') else ''})"
                                for f, v in stored[:4])
            out.append(Finding("kb", "warning", f"Disagrees with the knowledge base: the document says {_num(c.value)} "
                                                f"{c.unit}; stored figures are {listing}.{note}", (c.quantity,),
                               (c.id,), {"stored": shown, "tolerance": round(tol, 4)}))
    return out


#: How far apart (as a ratio) two positive levels of one measure may be and still be estimates of one quantity.
#: Published estimates of one figure differ by far less than this; over the real articles, the reader's figures
#: further from a like stored one than this were almost all misread (another quantity, period or scale): 8 of 9,
#: the ninth a tenfold gap between a document and the data that a reader should check.
FAR_OFF = 2.0


def _far_off(c: Claim, values: list[float]) -> bool:
    """A positive level (not a change) more than ``FAR_OFF`` times, or less than its inverse, every like stored
    figure."""
    unit = voc.UNITS.get(c.unit)
    if unit is None or unit.dimension in ("growth", "ratio") or c.value <= 0 or not values or \
            any(v <= 0 for v in values):
        return False
    return all(not 1 / FAR_OFF <= c.value / v <= FAR_OFF for v in values)


def _not_contradicting(c: Claim, fact: dict[str, Any]) -> bool:
    """A stored fact that may be what the claim states, though unlike it: products and regions differ only where
    one side names none (the reader often finds no product where the text's subject implies one)."""
    product = fact.get("product") or None
    region = fact.get("region") or None
    return (c.product is None or product is None or c.product == product) and \
        (c.region is None or region is None or _same_region(c.region, region))


def _shown(f: dict[str, Any], v: float, unit: str) -> dict[str, Any]:
    return {"value": round(v, 4), "unit": unit, "stored_value": f["value"], "stored_unit": f["unit"],
            "period": f["period"], "status": f.get("status"), "definition": f.get("definition"),
            "publisher": f.get("publisher"), "url": f.get("url"), "quote": f.get("quote"), "fact": f["id"]}


def _measure_key(c: Claim) -> tuple[str | None, ...]:
    """What a claim measures and in what unit, for finding two figures of one measure in a document: a text rarely
    states one measure twice in one unit with two values, so one of them was read wrongly; written two ways ("14-fold"
    and "1,400%") it restates the measure, and a gap between them is the document's own (`checks.fold_vs_percent`)."""
    return (c.entity, c.metric, c.period, c.product, c.region, c.definition, c.unit)


def _short(text: str, limit: int = 90) -> str:
    """A definition cut at a word before ``limit`` characters."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " ..."


def _measure(c: Claim) -> str:
    """What a claim's figure measures, in words: its period, product, region and unit."""
    ranked = f"{RANKED_REVENUE} for " if c.definition == RANKED_REVENUE else ""
    return ranked + _described(str(c.period), c.product, c.region, c.unit, None, None)


def _measures(facts: list[dict[str, Any]]) -> str:
    """What the stored figures measure, each kind once."""
    kinds = dict.fromkeys(_described(str(f["period"]), f.get("product"), f.get("region"), str(f["unit"]),
                                     f.get("status"), f.get("segment")) for f in facts)
    shown = list(kinds)[:4]
    return "; ".join(shown) + ("; ..." if len(kinds) > 4 else "")


def _described(period: str, product: str | None, region: str | None, unit: str, status: str | None,
               segment: str | None) -> str:
    part = f"the {segment} segment, " if segment and segment != "all" else ""
    return (f"{'a forecast ' if status == 'forecast' else ''}{period}, {part}"
            f"{'for ' + product if product else 'for no product named'}, "
            f"{'in ' + region if region else 'with no region named'}, in {unit}")


def _num(v: float) -> str:
    return f"{v:,.4g}" if abs(v) < 1e5 else f"{v:,.0f}"


def _definitions(c: Claim, facts: list[dict[str, Any]]) -> str:
    defs = " ".join(str(f.get("definition") or "") for f in facts).lower()
    regions = {str(f.get("region")) for f in facts if f.get("region")}
    mine = (c.definition or "").lower()
    if "mainland" in mine and ("hong kong" in defs or regions & {"CHK", "CHM"}):
        return " Definitions differ: the document counts mainland China only; stored figures include Hong Kong."
    if c.region in ("CHK", "CHM") and "mainland" in defs:
        return " Definitions differ: the document includes Hong Kong; stored figures are for mainland China."
    if c.region == "CHN" and not mine and ("hong kong" in defs or "mainland" in defs):
        return " Definitions may differ: the document does not say whether Hong Kong is included; stored " \
               f"figures are defined as: {sorted({str(f.get('definition')) for f in facts if f.get('definition')})}."
    return ""


def citations(claims: list[Claim], events: list[Event], refs: list[Reference], markers: list[Marker],
              kb: KnowledgeBase, doc_date: date | None, text: str) -> list[Finding]:
    out: list[Finding] = []
    by_number = {r.number: r for r in refs}
    for mk in markers:
        missing = [n for n in mk.numbers if n not in by_number]
        if missing and refs:
            out.append(Finding("citation_missing_reference", "warning",
                               f"Marker [{', '.join(map(str, missing))}] has no entry in the reference list.",
                               ((mk.start, mk.end),)))
    if not refs:
        if claims:
            out.append(Finding("citation_none", "notice", "The document cites no sources: none of its "
                                                          f"{len(claims)} claims can be traced to a reference."))
        return out
    uncited: dict[tuple[int, int], list[Claim]] = {}
    for c in claims:
        if not c.citations:
            uncited.setdefault(c.sentence, []).append(c)
    for span, cs in uncited.items():
        out.append(Finding("citation_missing", "notice",
                           "No citation: " + "; ".join(f"{x.entity_name or x.entity} {x.metric} {x.text}" for x in cs)
                           + " is stated without a reference marker.", (span,), tuple(x.id for x in cs)))
    for c in claims:
        sentence = text[c.sentence[0]:c.sentence[1]]
        forecast = bool(_FORECAST.search(sentence))
        topic = _METRIC_TOPICS.get(c.metric, c.metric.split("_")[0])
        for n in c.citations:
            ref = by_number.get(n)
            if ref is not None:
                parties = [c.entity] if c.entity else []
                hq = kb.firms[c.entity].hq if c.entity in kb.firms else None
                out.extend(_mismatch(ref, [*parties, *([hq] if hq else [])], topic, None if forecast else c.period,
                                     None, (c.quantity,), (c.id,), kb, doc_date, kb.fiscal_year_end(c.entity)))
    for e in events:
        if not (e.announced or e.effective) or e.date_note:
            continue  # only dated, specific events are checked against their references
        parties = [p for p in [*e.sellers.get("firms", []), *e.targets.get("firms", []), e.imposed_by,
                               *e.targets.get("countries", [])] if p]
        for n in e.citations:
            ref = by_number.get(n)
            if ref is not None:
                out.extend(_mismatch(ref, parties, _EVENT_TOPIC, None, e.announced,
                                     tuple(e.spans[:1]), (e.id,), kb, doc_date))
    return _unique(out)


_EVENT_TOPIC = r"ban|bar|curb|control|restrict|licen|sanction|entity list|blacklist|exit|withdraw|retreat|stop|halt|" \
               r"block|prohibit|order"
_METRIC_TOPICS = {"revenue": "revenue|sales|earn|result|quarter|market share|position|rank",
                  "revenue_growth": "revenue|sales|soar|surge|grow|rise|jump|fold|result",
                  "net_profit": "profit|earn|loss|result", "market_share": "share|market|lead|rank",
                  "market_size": "market|revenue|sales", "market_growth": "market|revenue|sales|grow",
                  "revenue_by_region": "revenue|sales|china", "revenue_share_region": "revenue|sales|china"}
_FORECAST = re.compile(r"\b(?:expect\w*|guid\w*|forecast\w*|project\w*|outlook|aims?|plans?|will)\b", re.I)


@lru_cache(maxsize=4096)
def _token_key(text: str) -> str:
    """A text's tokens, lower case, joined by single spaces (how names and titles are compared)."""
    return " ".join(t[2].lower() for t in tokens(text))


def _mentions(title: str, entity: str, kb: KnowledgeBase) -> bool:
    words = f" {_token_key(title)} "
    for name in (*kb.names_of(entity), *DEMONYMS.get(entity, ())):
        key = _token_key(name)
        if key and f" {key} " in words:
            return True
        first = key.split(" ")[0] if key else ""
        if len(first) > 4 and f" {first} " in words:
            return True
    return False


def _mismatch(ref: Reference, parties: list[str], topic: str, period: str | None, event_date: str | None,
              spans: tuple[tuple[int, int], ...], ids: tuple[str, ...], kb: KnowledgeBase,
              doc_date: date | None, fy_end: int | None = None) -> list[Finding]:
    out: list[Finding] = []
    label = f"[{ref.number}]" + (f" “{ref.title}”" if ref.title else "")
    where = f"{ref.title} {ref.url or ''}"
    if ref.title and parties and not any(_mentions(where, p, kb) for p in parties) and \
            not re.search(rf"\b(?:{topic})", where, re.I):
        who = " or ".join(dict.fromkeys(kb.name_of(p) for p in parties))
        out.append(Finding("citation_mismatch", "warning",
                           f"Reference {label} mentions neither {who} nor the topic of the statement it is cited for: "
                           "it does not appear to support it.", spans, ids, {"reference": ref.number}))
    if ref.date:
        try:
            published = Period.parse(ref.date)
        except ValueError:
            return out
        if doc_date and published.start > doc_date:
            out.append(Finding("citation_date", "warning", f"Reference {label} is dated {ref.date}, after the "
                                                           f"document ({doc_date.isoformat()}).", spans, ids))
        if period:
            end = _period_end(period, fy_end)
            if end is not None and published.end < end:
                out.append(Finding("citation_date", "warning",
                                   f"Reference {label} is dated {ref.date}, before the end of {period}: it cannot "
                                   "report a figure for that period (at most a forecast).", spans, ids))
        if event_date:
            try:
                when = Period.parse(event_date)
            except ValueError:
                return out
            if published.end < when.start:
                out.append(Finding("citation_date", "warning",
                                   f"Reference {label} is dated {ref.date}, before the event it is cited for "
                                   f"({event_date}).", spans, ids))
    return out


def _period_end(label: str, fy_end: int | None) -> date | None:
    """The last day of a period; a fiscal one (FY2025, FY2026Q1) on the firm's fiscal calendar, None when that
    calendar is not known (its calendar-year reading would be a guess) or the label is not a period."""
    try:
        period = Period.parse(label)
    except ValueError:
        return None
    if not period.fiscal:
        return period.end
    m = re.fullmatch(r"FY(\d{4})(?:Q([1-4]))?", label.split("..")[-1])
    if fy_end is None or m is None:
        return None
    year, month = fiscal_quarter_end(int(m.group(1)), int(m.group(2) or 4), fy_end)
    return date(year, month, calendar.monthrange(year, month)[1])


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    out = []
    for f in findings:
        key = (f.check, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
