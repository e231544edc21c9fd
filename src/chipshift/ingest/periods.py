"""Dates and periods in text, resolved to chipshift period labels (2023, 2023Q2, 2023H1, FY2023, 2025-10-17,
2025Q1..2025Q3) against the document date where they are relative ("last year", "Q3", "quarterly")."""

from __future__ import annotations

import re
from datetime import date, timedelta

from chipshift.ingest.model import PeriodMention

MONTHS = {"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
          "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
          "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12}
_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                "eleven": 11}
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_MON = r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|" \
       r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_MON2 = _MON.replace("(?P<mon>", "(?P<mon2>")

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # "the fiscal year ended March 31, 2024", "the business year that ended in March 2024", "the year ending March
    # 2024": the twelve months to the end of that month, labelled by the calendar year they end in
    ("fiscal_ended", re.compile(rf"\b(?:(?:fiscal|financial|business)\s+)?year\s+(?:that\s+)?(?:ended|ending|ends)\s+"
                                rf"(?:on\s+|in\s+)?(?:{_MON}\s+(?:\d{{1,2}},?\s+)?{_YEAR}|(?:\d{{1,2}}\s+)?{_MON2}\s+"
                                rf"(?P<year2>(?:19|20)\d\d))", re.I)),
    # "the June quarter", "the September 2020 quarter": the calendar quarter ending in that month; "the August
    # quarter" (a firm whose quarters end in other months): the three months ending in that month
    ("month_quarter", re.compile(r"\b(?:the|its|a)\s+(?P<mon>January|February|March|April|May|June|July|August|"
                                 r"September|October|November|December)\s+(?:(?P<year>(?:19|20)\d\d)\s+)?"
                                 r"quarter\b")),
    # "the quarter ended September 27, 2020", "three months ended 30 June 2024": the three months to that day
    ("quarter_ended", re.compile(rf"\b(?:quarters?|three\s+months)\s+(?:that\s+)?end(?:ed|ing)\s+(?:on\s+)?"
                                 rf"(?:{_MON}\s+(?P<d>\d{{1,2}}),?\s+{_YEAR}|(?P<d2>\d{{1,2}})\s+{_MON2}\s+"
                                 rf"(?P<year2>(?:19|20)\d\d))", re.I)),
    # "January-March quarter", "the April–June period", "January and February", "Jan.-Feb. 2023"
    ("month_range", re.compile(rf"\b{_MON}\s*(?:[-–—]?(?:to|through)[-–—]?|-|–|—|/|and)\s*{_MON2}"
                               rf"(?![\s.]*\d{{1,2}}\b(?![\d,.]))"
                               rf"(?:\s+(?:period|quarter|months))?(?:,?\s+(?:of\s+)?{_YEAR})?", re.I)),
    # "the first 20 days of October", "Oct. 1-20", "from Oct. 1 to 20, 2024": days of one month
    ("day_range", re.compile(rf"\bfirst\s+(?P<n>ten|twenty|\d{{1,2}})\s+days\s+of\s+{_MON}(?:,?\s+{_YEAR})?|"
                             rf"\b{_MON2}\s+(?P<d>\d{{1,2}})\s*(?:-|–|to|through)\s*(?P<d2>\d{{1,2}})(?![\d,.]\d)"
                             rf"(?:,?\s+(?P<year2>(?:19|20)\d\d))?", re.I)),
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
    ("apa", re.compile(rf"\(\s*{_YEAR},\s*{_MON}\s+(?P<d>\d{{1,2}})\s*\)")),
    ("mdy", re.compile(rf"\b{_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?\b")),
    ("dmy", re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON}(?:,?\s+{_YEAR})?\b")),
    ("cn_date", re.compile(r"(?P<year>(?:19|20)\d\d)年(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?")),
    ("fiscal_q", re.compile(r"\b(?:(?P<ord>first|second|third|fourth)[\s-]+(?:fiscal\s+)?quarter\s+(?:of\s+)?fiscal"
                            r"(?:\s+year)?\s+'?(?P<y1>\d{2,4})|fiscal\s+(?:year\s+)?'?(?P<y2>(?:19|20)?\d\d)\s+"
                            r"(?P<ord2>first|second|third|fourth)\s+quarter|Q(?P<q>[1-4])\s+(?:of\s+)?"
                            r"(?:FY\s?|fiscal\s+(?:year\s+)?)'?(?P<y3>\d{2,4})|(?:FY|fiscal\s+)'?(?P<y4>\d{2,4})\s*Q"
                            r"(?P<q2>[1-4])|FQ(?P<q3>[1-4])[-\s]?'?(?P<y5>\d{2}|(?:19|20)\d\d))\b", re.I)),
    ("fiscal_q_rel", re.compile(r"\b(?:its\s+|the\s+)?(?:fiscal\s+(?P<ord>first|second|third|fourth)|"
                                r"(?P<ord2>first|second|third|fourth)\s+fiscal)[\s-]+quarter\b", re.I)),
    ("fiscal", re.compile(r"\b(?:fiscal(?:\s+year)?|financial\s+year|FY)\s?'?(?P<y>(?:19|20)\d\d|\d\d)\b", re.I)),
    ("fiscal_rel", re.compile(r"\b(?:last|prior|previous|its\s+last|its\s+prior)\s+(?:fiscal|financial|business)"
                              r"\s+year\b", re.I)),
    ("quarters_span", re.compile(rf"\bfirst\s+(?:three\s+quarters|nine\s+months)(?:\s+of\s+{_YEAR})?\b", re.I)),
    ("months_span", re.compile(rf"\bfirst\s+(?P<n>two|three|four|five|six|seven|eight|nine|ten|eleven|\d{{1,2}})"
                               rf"\s+months(?:\s+of\s+(?:the\s+year\s+)?{_YEAR})?\b", re.I)),
    # "this year's first half", "last year's second-half sales": that half of the year named
    ("year_half", re.compile(r"\b(?P<rel>last|this)\s+year['’]s\s+(?P<which>first|second)[\s-]+half\b", re.I)),
    ("half_span", re.compile(rf"\bfirst[\s-]+(?:half|six\s+months)(?:\s+of\s+(?:the\s+year\s+)?{_YEAR})?\b",
                             re.I)),
    ("second_half", re.compile(rf"\bsecond[\s-]+half(?:\s+of\s+{_YEAR})?\b", re.I)),
    ("quarter_words", re.compile(rf"\b(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter"
                                 rf"(?:\s+(?:of\s+)?(?:{_YEAR}|(?P<rel>last|this|the\s+(?:previous|prior|"
                                 rf"preceding))\s+year))?\b", re.I)),
    # "9M24", "9M 2024", "6M23": the first n months of that year (a broker's shorthand; not "3M 2024", the firm);
    # "Q1-Q3 2024", "1-3Q24", "1Q-3Q24": a run of quarters of one year
    ("months_short", re.compile(r"\b(?P<n>[4-9]|1[01])M\s?'?(?P<y>(?:19|20)\d\d|\d\d)(?!\d)\b")),
    ("quarter_run", re.compile(r"\b(?:Q(?P<a>[1-4])\s*(?:-|–|to)\s*Q(?P<b>[1-4])|(?P<a2>[1-4])Q?\s*(?:-|–)\s*"
                               r"(?P<b2>[1-4])Q)\s?'?(?P<y>(?:19|20)\d\d|\d\d)(?!\d)\b")),
    ("quarter", re.compile(r"\b(?:Q(?P<q>[1-4])|(?P<q2>[1-4])Q)(?:\s?'?(?P<y>(?:19|20)\d\d|\d\d)(?!\d))?\b")),
    ("half", re.compile(r"\b(?:H(?P<h>[12])|(?P<h2>[12])H)(?:\s?'?(?P<y>(?:19|20)\d\d|\d\d)(?!\d))?\b")),
    ("year_span", re.compile(r"\b(?:between\s+)?(?P<a>(?:19|20)\d\d)\s*(?:-|–|to|and|through)\s*"
                             r"(?P<b>(?:19|20)\d\d)\b")),
    ("month_year", re.compile(rf"\b{_MON}\s+{_YEAR}\b")),
    # "in September", "for the month of March": a month without a year, the latest one by the document date
    # "In March", "compared with March of last year", "against February": the month of the year the text says,
    # else the latest one by the document date
    ("month_alone", re.compile(r"\b(?:[Ii]n|[Ff]or|[Dd]uring|of|through|until|since|[Aa]gainst|with|than|[Ll]ast)\s+"
                               r"(?:the\s+month\s+of\s+)?"
                               r"(?P<mon>January|February|March|April|May|June|July|August|September|October|"
                               r"November|December)\b(?!\s*\d)(?:,?\s+(?:of\s+)?(?P<rel>last|this|the\s+previous|"
                               r"the\s+prior|that|the\s+same)\s+year\b)?")),
    # "that year", "the same year": the year the text last named
    ("that_year", re.compile(r"\b(?:in\s+)?(?:that|the\s+same)\s+year\b", re.I)),
    ("last_month", re.compile(r"\b(?:last|the\s+previous|the\s+past)\s+month\b", re.I)),
    # "on Monday", "on Friday": a news story's weekday, the latest such day by the document date
    # "on Monday", and a weekday owning what happened on it ("Monday's U.S. action", "Tuesday's announcement")
    ("weekday", re.compile(r"\b[Oo]n\s+(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
                           r"(?!,?\s+(?:\d|January|February|March|April|May|June|July|August|September|October|"
                           r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b)|"
                           r"\b(?P<wd2>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)['’]s\b")),
    # "yesterday", "today", "last Tuesday", "two days ago": a day counted back from the document date;
    # "this month", "earlier this month": the document's month
    ("relative_day", re.compile(r"\b(?P<rd>[Yy]esterday|[Tt]oday|last\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
                                r"Saturday|Sunday)|(?:two|three|four|five|six|[2-6])\s+days\s+ago)\b|"
                                r"\b(?P<rm>(?:[Ee]arlier\s+|[Ll]ater\s+)?[Tt]his\s+month)\b")),
    ("relative", re.compile(r"\b(?P<rel>last\s+year|this\s+year|next\s+year|a\s+year\s+(?:earlier|ago|before)|"
                            r"the\s+previous\s+year|the\s+prior\s+year|year[- ]ago|same\s+period\s+(?:of\s+)?last\s+"
                            r"year|last\s+quarter|the\s+previous\s+quarter|the\s+prior\s+quarter|this\s+quarter|"
                            r"quarterly|the\s+latest\s+quarter|the\s+quarter)\b", re.I)),
    ("year", re.compile(r"(?<![\d$.,-])(?<!Act of )(?<!ACT OF )(?P<year>(?:19|20)\d\d)"
                        r"(?![\d%]|\.\d|\s?(?:percent|%|billion|million))")),
]


def month_number(text: str) -> int:
    key = text.lower().rstrip(".")
    return MONTHS.get(key) or MONTHS[key[:3]]


def _year(text: str | None, doc: date | None) -> int | None:
    if not text:
        return None
    y = int(text)
    if y < 100:
        return 2000 + y
    return y


def quarter_of(d: date) -> int:
    return (d.month - 1) // 3 + 1


def latest_quarter(doc: date) -> tuple[int, int]:
    """The last calendar quarter completed before ``doc``."""
    q = quarter_of(doc) - 1
    return (doc.year, q) if q >= 1 else (doc.year - 1, 4)


def fiscal_year_of(d: date, fy_end_month: int) -> int:
    """The fiscal year (labelled by the calendar year it ends in) that contains ``d``."""
    return d.year if d.month <= fy_end_month else d.year + 1


def extract(text: str, doc: date | None) -> list[PeriodMention]:
    """Every period or date mention, non-overlapping, resolved where the text and document date allow."""
    found: list[PeriodMention] = []
    taken = bytearray(len(text) + 1)
    low = text.lower()
    for kind, pattern in _PATTERNS:
        needs = _NEEDS.get(kind)
        if needs and not any(n in low for n in needs):
            continue
        for m in pattern.finditer(text):
            s, e = m.span()
            if 1 in taken[s:e]:
                continue
            mention = _resolve(kind, m, doc)
            if mention is not None:
                found.append(mention)
                taken[s:e] = b"\x01" * (e - s)
    for m in _ELLIPSIS.finditer(text):
        s, e = m.span("ord")
        if 1 in taken[s:e] or "quarter" not in text[max(0, s - 90):s].lower():
            continue
        q = _ORD[m.group("ord").lower()]
        label = None
        if doc is not None:
            label = f"{doc.year if (q - 1) * 3 + 1 <= doc.month else doc.year - 1}Q{q}"
        found.append(PeriodMention(s, e, m.group("ord"), label, "quarter", "year_inferred"))
    found.sort(key=lambda p: p.start)
    last_year: str | None = None
    for i, p in enumerate(found):
        if p.note == "that_year":
            if last_year is None:
                found[i] = PeriodMention(p.start, p.end, p.text, None if p.kind == "year" else p.label, p.kind,
                                         "that year: no year named before")
            elif p.kind == "year":
                found[i] = PeriodMention(p.start, p.end, p.text, last_year, "year", "that_year")
            elif p.label:
                found[i] = PeriodMention(p.start, p.end, p.text, last_year + p.label[4:], p.kind, "that_year")
        elif p.kind == "year" and p.label:
            last_year = p.label
    return found


#: Substrings a pattern cannot match without (a cheap filter before the regex scan).
_NEEDS: dict[str, tuple[str, ...]] = {
    "iso": ("-",), "apa": ("(",), "day_range": tuple(m for m in MONTHS if len(m) == 3),
    "cn_date": ("年",), "fiscal_q": ("fiscal", "fy", "fq"), "fiscal_q_rel": ("fiscal",),
    "fiscal": ("fiscal", "fy", "financial year"), "fiscal_rel": ("fiscal", "financial", "business"),
    "quarters_span": ("first",), "months_span": ("months",), "half_span": ("first",), "second_half": ("second",),
    "year_half": ("year's", "year’s"),
    "quarter_words": ("quarter",), "quarter": ("q",), "months_short": ("m",),
    "quarter_run": ("q",), "half": ("h",), "relative": ("year", "quarter"),
    "month_range": tuple(m for m in MONTHS if len(m) == 3),
    "month_alone": tuple(m for m in MONTHS if len(m) == 3), "fiscal_ended": ("year",),
    "month_quarter": ("quarter",), "that_year": ("year",), "last_month": ("month",),
    "quarter_ended": ("ended", "ending"),
    "mdy": tuple(m for m in MONTHS if len(m) == 3), "dmy": tuple(m for m in MONTHS if len(m) == 3),
    "month_year": tuple(m for m in MONTHS if len(m) == 3), "weekday": ("day",),
    "relative_day": ("day", "month"),
}
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ELLIPSIS = re.compile(r"\b(?:in\s+|for\s+|to\s+)?the\s+(?P<ord>first|second|third|fourth)\b(?=\s*(?:[,.;)]|and\b|$))",
                       re.I)


def _resolve(kind: str, m: re.Match[str], doc: date | None) -> PeriodMention | None:
    s, e, t = m.start(), m.end(), m.group()
    g = m.groupdict()
    if kind == "day_range":
        month = month_number(g.get("mon") or g.get("mon2") or "")
        first, last = (1, {"ten": 10, "twenty": 20}.get(g["n"].lower()) or int(g["n"])) if g.get("n") else \
            (int(g["d"]), int(g["d2"]))
        year = _year(g.get("year") or g.get("year2"), doc)
        note = None
        if year is None:
            if doc is None:
                return PeriodMention(s, e, t, None, "span", "no year and no document date")
            year, note = (doc.year if month <= doc.month else doc.year - 1), "year_inferred"
        try:
            date(year, month, last)
        except ValueError:
            return None
        if not 1 <= first < last:
            return None
        return PeriodMention(s, e, t, f"{year}-{month:02d}-{first:02d}..{year}-{month:02d}-{last:02d}", "span", note)
    if kind == "iso":
        return PeriodMention(s, e, t, f"{g['year']}-{g['m']}-{g['d']}", "date")
    if kind in ("apa", "mdy", "dmy", "cn_date"):
        month = int(g["m"]) if kind == "cn_date" else month_number(g["mon"])
        year = _year(g.get("year"), doc)
        note = None
        if year is None:
            if doc is None:
                return PeriodMention(s, e, t, None, "date", "no year and no document date")
            year = doc.year if month <= doc.month + 1 else doc.year - 1
            note = "year taken from the document date"
        day = g.get("d")
        if day is None:
            return PeriodMention(s, e, t, f"{year}-{month:02d}", "month", note)
        try:
            date(year, month, int(day))
        except ValueError:
            return None
        return PeriodMention(s, e, t, f"{year}-{month:02d}-{int(day):02d}", "date", note)
    if kind == "fiscal_q":
        q = _ORD.get((g.get("ord") or g.get("ord2") or "").lower()) or \
            int(g.get("q") or g.get("q2") or g.get("q3") or 0)
        y = _year(g.get("y1") or g.get("y2") or g.get("y3") or g.get("y4") or g.get("y5"), doc)
        return PeriodMention(s, e, t, f"FY{y}Q{q}", "fiscal")
    if kind == "fiscal_q_rel":
        q = _ORD[(g.get("ord") or g.get("ord2") or "first").lower()]
        return PeriodMention(s, e, t, None, "relative", f"fiscal_quarter:{q}")
    if kind == "fiscal":
        return PeriodMention(s, e, t, f"FY{_year(g['y'], doc)}", "fiscal")
    if kind == "fiscal_ended":  # a fiscal year is labelled by the calendar year it ends in
        ends = str(g.get("year") or g.get("year2"))
        if month_number(g.get("mon") or g.get("mon2") or "") == 12:
            return PeriodMention(s, e, t, ends, "year")  # a year ending in December is the calendar year
        return PeriodMention(s, e, t, f"FY{ends}", "fiscal")
    if kind == "month_alone":
        month = month_number(g["mon"])
        if doc is None:
            return PeriodMention(s, e, t, None, "month", "no year and no document date")
        year = doc.year if month <= doc.month else doc.year - 1
        note = "year_inferred"
        if g.get("rel"):
            rel = g["rel"].lower()
            if rel in ("that", "the same") or rel.startswith("the same"):
                note = "that_year"  # the year is set from the text's last named year (``extract``)
            else:
                year = doc.year if rel == "this" else doc.year - 1
        start = t.lower().find(g["mon"].lower())
        return PeriodMention(s + start, e, t[start:], f"{year}-{month:02d}", "month", note)
    if kind == "that_year":
        return PeriodMention(s, e, t, None, "year", "that_year")
    if kind == "quarter_ended":
        month = month_number(g.get("mon") or g.get("mon2") or "")
        year = int(g.get("year") or g.get("year2") or 0)
        if int(g.get("d") or g.get("d2") or 0) <= 7:  # a 52/53-week quarter ending in the first days of a month
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        first_year, first = (year, month - 2) if month > 2 else (year - 1, month + 10)
        return PeriodMention(s, e, t, f"{first_year}-{first:02d}..{year}-{month:02d}", "span")
    if kind == "month_quarter":
        month = month_number(g["mon"])
        y = _year(g.get("year"), doc)
        if y is None:
            if doc is None:
                return PeriodMention(s, e, t, None, "quarter", "no year and no document date")
            y = doc.year if month < doc.month else doc.year - 1
        note = None if g.get("year") else "year_inferred"
        if month % 3:
            first_year, first_month = (y, month - 2) if month > 2 else (y - 1, month + 10)
            return PeriodMention(s, e, t, f"{first_year}-{first_month:02d}..{y}-{month:02d}", "span", note)
        return PeriodMention(s, e, t, f"{y}Q{month // 3}", "quarter", note)
    if kind == "last_month":
        if doc is None:
            return PeriodMention(s, e, t, None, "month", "no document date")
        y, mo = (doc.year, doc.month - 1) if doc.month > 1 else (doc.year - 1, 12)
        return PeriodMention(s, e, t, f"{y}-{mo:02d}", "month", "last_month")
    if kind == "relative_day":
        if doc is None:
            return PeriodMention(s, e, t, None, "date", "relative day without a document date")
        if g.get("rm"):
            return PeriodMention(s, e, t, f"{doc.year}-{doc.month:02d}", "month", "this_month")
        day = _days_back(g["rd"], doc)
        return PeriodMention(s, e, t, day.isoformat(), "date", "relative day: by the document date")
    if kind == "weekday":
        g["wd"] = g.get("wd") or g["wd2"]
        start = t.find(g["wd"])
        if doc is None:
            return PeriodMention(s + start, e, t[start:], None, "date", "weekday without a document date")
        day = doc - timedelta(days=(doc.weekday() - _WEEKDAYS.index(g["wd"])) % 7)
        return PeriodMention(s + start, e, t[start:], day.isoformat(), "date",
                             "weekday: the latest by the document date")
    if kind == "fiscal_rel":
        return PeriodMention(s, e, t, None, "relative", "last_fiscal_year")
    if kind == "quarters_span":
        y = _year(g.get("year"), doc) or (doc.year if doc else None)
        return PeriodMention(s, e, t, f"{y}Q1..{y}Q3" if y else None, "span",
                             None if g.get("year") else "year_inferred")
    if kind in ("months_span", "months_short"):  # "the first nine months of 2024", "9M24"
        n = _COUNT_WORDS.get(g["n"].lower()) or int(g["n"])
        named = g.get("year") or g.get("y")
        y = _year(named, doc) or (doc.year if doc else None)
        if n == 9:
            return PeriodMention(s, e, t, f"{y}Q1..{y}Q3" if y else None, "span")
        if n == 6:
            return PeriodMention(s, e, t, f"{y}H1" if y else None, "half")
        return PeriodMention(s, e, t, f"{y}-01..{y}-{n:02d}" if y else None, "span",
                             None if named else "year_inferred")
    if kind == "quarter_run":
        a, b = int(g.get("a") or g["a2"]), int(g.get("b") or g["b2"])
        if a >= b:
            return None
        y = _year(g["y"], doc)
        return PeriodMention(s, e, t, f"{y}Q{a}..{y}Q{b}" if (a, b) != (1, 2) else f"{y}H1", "span")
    if kind == "year_half":
        if doc is None:
            return PeriodMention(s, e, t, None, "half", "no document date")
        y = doc.year if g["rel"].lower() == "this" else doc.year - 1
        return PeriodMention(s, e, t, f"{y}H{1 if g['which'].lower() == 'first' else 2}", "half")
    if kind == "half_span":
        y = _year(g.get("year"), doc) or (doc.year if doc else None)
        return PeriodMention(s, e, t, f"{y}H1" if y else None, "half", None if g.get("year") else "year_inferred")
    if kind == "second_half":
        y = _year(g.get("year"), doc) or (doc.year if doc else None)
        return PeriodMention(s, e, t, f"{y}H2" if y else None, "half", None if g.get("year") else "year_inferred")
    if kind == "month_range":
        return _month_range(s, e, t, month_number(g["mon"]), month_number(g["mon2"]), _year(g.get("year"), doc), doc)
    if kind in ("quarter_words", "quarter"):
        q = _ORD[g["ord"].lower()] if kind == "quarter_words" else int(g.get("q") or g.get("q2") or 0)
        y = _year(g.get("year") or g.get("y"), doc)
        if y is None and g.get("rel") and doc is not None:
            y = doc.year if g["rel"].lower() == "this" else doc.year - 1
        if y is not None:
            return PeriodMention(s, e, t, f"{y}Q{q}", "quarter")
        if doc is None:
            return PeriodMention(s, e, t, None, "quarter", f"quarter:{q}")
        y = doc.year if (q - 1) * 3 + 1 <= doc.month else doc.year - 1
        return PeriodMention(s, e, t, f"{y}Q{q}", "quarter", "year_inferred")
    if kind == "half":
        h = int(g.get("h") or g.get("h2") or 0)
        y = _year(g.get("y"), doc) or (doc.year if doc else None)
        return PeriodMention(s, e, t, f"{y}H{h}" if y else None, "half", None if g.get("y") else "year_inferred")
    if kind == "year_span":
        a, b = int(g["a"]), int(g["b"])
        if b <= a:
            return None
        return PeriodMention(s, e, t, f"{a}..{b}", "span")
    if kind == "month_year":
        return PeriodMention(s, e, t, f"{g['year']}-{month_number(g['mon']):02d}", "month")
    if kind == "relative":
        return relative(s, e, t, g["rel"].lower(), doc)
    if kind == "year":
        return PeriodMention(s, e, t, g["year"], "year")
    return None


def _days_back(phrase: str, doc: date) -> date:
    """The day "yesterday", "today", "last Tuesday" (the latest before the document date) or "two days ago" names."""
    low = phrase.lower()
    if low == "today":
        return doc
    if low == "yesterday":
        return doc - timedelta(days=1)
    words = low.split()
    if words[0] == "last":
        back = (doc.weekday() - _WEEKDAYS.index(words[1].capitalize())) % 7 or 7
        return doc - timedelta(days=back)
    return doc - timedelta(days=_COUNT_WORDS.get(words[0]) or int(words[0]))


def _month_range(s: int, e: int, t: str, a: int, b: int, year: int | None, doc: date | None) -> PeriodMention | None:
    """Months a to b of one year: a calendar quarter or half when they are one, else a month span. Without a
    year, the latest such months that end by the document date."""
    if b <= a:
        return None
    note = None
    if year is None:
        if doc is None:
            return PeriodMention(s, e, t, None, "span", "no year and no document date")
        year, note = (doc.year if b <= doc.month else doc.year - 1), "year_inferred"
    if b - a == 2 and a % 3 == 1:
        return PeriodMention(s, e, t, f"{year}Q{(a + 2) // 3}", "quarter", note)
    if (a, b) in ((1, 6), (7, 12)):
        return PeriodMention(s, e, t, f"{year}H{1 if a == 1 else 2}", "half", note)
    return PeriodMention(s, e, t, f"{year}-{a:02d}..{year}-{b:02d}", "span", note)


def relative(s: int, e: int, t: str, rel: str, doc: date | None) -> PeriodMention:
    rel = re.sub(r"\s+", " ", rel)
    if doc is None:
        return PeriodMention(s, e, t, None, "relative", f"{rel}: no document date")
    if rel == "last year":
        return PeriodMention(s, e, t, str(doc.year - 1), "relative", "last_year")
    if rel == "this year":
        return PeriodMention(s, e, t, str(doc.year), "relative", "this_year")
    if rel == "next year":
        return PeriodMention(s, e, t, str(doc.year + 1), "relative", "next_year")
    if rel in ("a year earlier", "a year ago", "a year before", "the previous year", "the prior year",
               "year-ago", "year ago", "same period last year", "same period of last year"):
        return PeriodMention(s, e, t, None, "relative", "year_ago")
    if rel in ("last quarter", "the previous quarter", "the prior quarter"):
        y, q = latest_quarter(doc)
        return PeriodMention(s, e, t, None, "relative", "previous_quarter")
    y, q = latest_quarter(doc)
    return PeriodMention(s, e, t, f"{y}Q{q}", "relative", "latest_quarter")


def shift_year(label: str, years: int) -> str | None:
    """``label`` moved by whole years: 2025Q3 -> 2024Q3, FY2025 -> FY2024, 2025Q1..2025Q3 -> 2024Q1..2024Q3."""
    def move(part: str) -> str | None:
        m = re.match(r"^(FY)?(\d{4})(.*)$", part)
        if not m:
            return None
        return f"{m.group(1) or ''}{int(m.group(2)) + years}{m.group(3)}"
    parts = [move(p) for p in label.split("..")]
    if any(p is None for p in parts):
        return None
    return "..".join(p for p in parts if p)


def previous_quarter(label: str) -> str | None:
    m = re.fullmatch(r"(FY)?(\d{4})Q([1-4])", label)
    if not m:
        return None
    y, q = int(m.group(2)), int(m.group(3))
    y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    return f"{m.group(1) or ''}{y}Q{q}"


def last_fiscal_year(doc: date, fy_end_month: int) -> str:
    """The last fiscal year completed before ``doc`` (FY labelled by the calendar year it ends in)."""
    current = fiscal_year_of(doc, fy_end_month)
    return f"FY{current - 1}"


def fiscal_quarter_end(fy: int, q: int, fy_end_month: int) -> tuple[int, int]:
    """(year, month) in which quarter q of fiscal year fy ends: (4 - q) * 3 months before the fiscal year's end."""
    month, year = fy_end_month - (4 - q) * 3, fy
    while month <= 0:
        month, year = month + 12, year - 1
    return year, month


def fiscal_quarter(doc: date, fy_end_month: int, q: int) -> str:
    """``FYyyyyQq`` for the most recent fiscal quarter q that ended before ``doc``."""
    fy = fiscal_year_of(doc, fy_end_month)
    end_year, end_month = fiscal_quarter_end(fy, q, fy_end_month)
    if date(end_year, end_month, 1) > doc:
        fy -= 1
    return f"FY{fy}Q{q}"


def latest_fiscal_quarter(doc: date, fy_end_month: int) -> str:
    """``FYyyyyQq`` for the last fiscal quarter that ended before ``doc`` (any q)."""
    return max((fiscal_quarter(doc, fy_end_month, q) for q in (1, 2, 3, 4)),
               key=lambda label: fiscal_quarter_end(int(label[2:6]), int(label[7]), fy_end_month))
