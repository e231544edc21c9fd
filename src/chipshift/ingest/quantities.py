"""Quantities in text: percentages, percentage points, N-fold, currency amounts with scale words, counts.

Each quantity keeps its exact span and is normalised to a vocabulary unit code (``pct``, ``pct_points``,
``ratio``, ``usd_bn``, ``cny_m``, ``krw_tn`` ...). Conversions written in the text ("567 million yuan
($79.6 million)") are paired.
"""

from __future__ import annotations

import dataclasses
import itertools
import re

from chipshift.ingest.model import Conversion, Quantity

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
          "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
          "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
          "hundred": 100}
_VERB_FOLD = {"doubled": 2.0, "double": 2.0, "tripled": 3.0, "triple": 3.0, "quadrupled": 4.0, "halved": 0.5}
SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
          "bln": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12, "万亿": 1e12, "亿": 1e8, "億": 1e8,
          "万": 1e4, "萬": 1e4, "千": 1e3}
_PRE = {"us$": "USD", "us $": "USD", "usd": "USD", "$": "USD", "nt$": "TWD", "hk$": "HKD", "rmb": "CNY",
        "cny": "CNY", "¥": "CNY", "￥": "CNY", "€": "EUR", "eur": "EUR", "₩": "KRW", "krw": "KRW", "jpy": "JPY",
        "twd": "TWD", "£": "GBP", "a$": "AUD"}
_POST = {"yuan": "CNY", "rmb": "CNY", "renminbi": "CNY", "cny": "CNY", "us dollars": "USD", "dollars": "USD",
         "usd": "USD", "u.s. dollars": "USD", "euros": "EUR", "euro": "EUR", "eur": "EUR", "won": "KRW",
         "krw": "KRW", "yen": "JPY",
         "jpy": "JPY", "元": "CNY", "美元": "USD", "人民币": "CNY", "taiwan dollars": "TWD", "nt dollars": "TWD",
         "韩元": "KRW", "日元": "JPY"}
_SCALE_RE = r"(?:(?i:trillion|billion|million|thousand|bn|mn|mln|bln|tn|trn)|[mbkMBK])(?![A-Za-z])|万亿|亿|億|万|萬|千"
_MONEY_PRE = re.compile(
    rf"(?P<cur>US\s?\$|NT\$|HK\$|A\$|RMB|Rmb|CNY|USD|EUR|KRW|JPY|TWD|[$¥￥€₩£])\s?(?P<num>{_NUM})"
    rf"(?:\s?(?P<scale>{_SCALE_RE}))?")
_MONEY_POST = re.compile(
    rf"(?<![A-Za-z0-9_$¥€₩£.])(?P<num>{_NUM})\s?(?:(?P<scale>{_SCALE_RE})\s?)?"
    r"(?P<cur>yuan|RMB|renminbi|CNY|US dollars|U\.S\. dollars|Taiwan dollars|NT dollars|dollars|USD|euros?|EUR|won|"
    r"KRW|yen|JPY|"
    r"美元|人民币|韩元|日元|元)(?![A-Za-z])", re.I)
#: A dash just after a percentage joins a range ("20%-25%"), so it is no minus sign.
_PERCENT = re.compile(rf"(?:(?<![A-Za-z0-9_.%％])(?P<neg>[-−–])|(?<![A-Za-z0-9_.]))(?P<num>{_NUM})\s?"
                      r"(?:%|％|percent\b|per cent\b|pct\b)", re.I)
_POINTS = re.compile(rf"(?<![A-Za-z0-9_.])(?P<neg>[-−–])?(?P<num>{_NUM})\s?(?:percentage[- ]points?|pp\b|ppts?\b|"
                     r"% points?|basis points|bps\b)", re.I)
_FOLD = re.compile(rf"(?<![A-Za-z0-9_.])(?P<num>{_NUM}|{'|'.join(_WORDS)})(?:[- ]?fold\b|\s?(?:x|×)(?![\w])|"
                   r"\s+times\b(?!\s+(?:a|per|as)\b))", re.I)
_VERB = re.compile(r"\b(?P<verb>doubled|tripled|quadrupled|halved)\b", re.I)
#: Counts: "16 lithography systems", "479.5 billion IC units", "1.65 million AI accelerator cards": the thing
#: counted may follow after up to two words that name it ("lithography", "AI accelerator"), never a unit of
#: length ("7 nm chips" counts nothing) nor a word that starts a phrase of its own ("of", "in", "per" ...); the
#: figure stands alone ("2100i lithography systems" and "5G phones" are names, not counts).
_COUNT = re.compile(rf"(?<![A-Za-z0-9_$.])(?P<num>{_NUM})(?!\w)\s?(?:(?P<scale>trillion|billion|million|thousand)\s)?"
                    r"(?:(?!(?:of|in|on|to|and|or|from|the|a|an|per|for|at|by|with|than|nm|nanometers?|"
                    r"nanometres?|mm|inch|percent|per\s+cent)\b)[A-Za-z][\w/-]*\s){0,2}"
                    r"(?P<what>units|chips|wafers|servers|GPUs|accelerators|cards|ICs|integrated circuits|"
                    r"employees|people|tools|machines|systems|racks|pieces|handsets|smartphones|phones)\b")
#: Wafer rates: "70,000 wafer starts per month", "120,000 WSPM", "100,000 12-inch wafers a month", "50k wpm".
_WAFER_RATE = re.compile(rf"(?<![A-Za-z0-9_$.])(?P<num>{_NUM})\s?(?P<scale>thousand|k)?\s?(?:"
                         r"(?:(?:12|8)-inch\s+|300\s?mm\s+|200\s?mm\s+)?wafers?(?:\s+starts)?\s+(?:per|a|each)\s+"
                         r"month|\(?WSPM\)?|wpm|wafers?/month)\b", re.I)
#: Weights: "9,007 kilograms", "58,152 tonnes", "8.63 metric tons", "1,200 kg" (kilograms as kg, tonnes as t).
_MASS = re.compile(rf"(?<![A-Za-z0-9_$.])(?P<num>{_NUM})\s?(?:(?P<scale>thousand|million)\s)?"
                   r"(?P<what>kilo(?:gram)?s?|kg|(?:metric\s+)?(?:tonnes?|tons?))\b", re.I)
#: Power and energy: "114 GW of modules", "10,532 MW", "705.5 GWh of batteries", "3 gigawatt-hours" (solar capacity in
#: watts of peak rating, battery capacity in watt-hours).
_POWER = re.compile(rf"(?<![A-Za-z0-9_$.])(?P<num>{_NUM})\s?(?P<what>GWh|MWh|GW|MW|gigawatt[- ]hours?|"
                    r"megawatt[- ]hours?|gigawatts?|megawatts?)(?![A-Za-z])", re.I)
#: The vocabulary's unit of each power or energy word, by its first letter and whether it counts hours.
_POWER_UNITS = {("g", False): "gw", ("m", False): "mw", ("g", True): "gwh", ("m", True): "mwh"}
#: What makes an amount a price per unit of weight, just after it (a bracketed conversion may come between, or
#: the amount may itself be that conversion): "a kilogram", "/kg", "per metric ton", "($1,826.48) per kilogram".
_PER_MASS = re.compile(r"\s*\)?\s*(?:\([^()]{0,30}\)\s*)?(?:(?:per|a|an)\s+(?:metric\s+)?"
                       r"(?P<unit>kilograms?|kilo|kg|tonnes?|tons?)|/\s*(?P<short>kg|t|tonnes?))\b", re.I)
_APPROX = re.compile(r"(?:about|around|roughly|nearly|almost|approximately|approx\.|some|close to|over|"
                     r"more than|less than|up to|at least|~|≈|约|近|超过)\s*$", re.I)
_URL = re.compile(r"https?://\S+")

_UNIT_PREFIX = {"USD": "usd", "CNY": "cny", "EUR": "eur", "KRW": "krw", "JPY": "jpy", "TWD": "twd", "HKD": "hkd",
                "GBP": "gbp", "AUD": "aud"}


def _number(text: str) -> tuple[float, int]:
    key = text.lower()
    if key in _WORDS:
        return float(_WORDS[key]), 0
    clean = text.replace(",", "")
    decimals = len(clean.split(".")[1]) if "." in clean else 0
    return float(clean), decimals


def money_unit(currency: str, base: float, written_scale: float) -> tuple[str, float]:
    """The vocabulary unit for an amount (in the currency's base unit) and the factor dividing into it."""
    prefix = _UNIT_PREFIX.get(currency, currency.lower())
    if currency == "KRW":
        return ("krw_tn", 1e12) if max(written_scale, abs(base)) >= 1e11 else ("krw_bn", 1e9)
    if currency in ("JPY", "TWD"):
        return f"{prefix}_bn", 1e9
    magnitude = max(written_scale, abs(base) if written_scale == 1 else 0)
    if magnitude >= 1e8:
        return f"{prefix}_bn", 1e9
    if magnitude >= 1e4:
        return f"{prefix}_m", 1e6
    return prefix, 1.0


#: A figure spelled out as a broadcaster's script reads it: "57-point-zero-seven", "five-point-one".
_DIGIT_WORDS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                "seven": "7", "eight": "8", "nine": "9"}
_DIGIT_WORD = "|".join(_DIGIT_WORDS)
_SPOKEN = re.compile(rf"(?<![\w.-])(?P<whole>\d+|{_DIGIT_WORD}|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                     rf"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
                     rf"-point(?P<decimals>(?:-(?:\d|{_DIGIT_WORD}))+)(?![\w-])", re.I)
_TENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
         "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
         "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}


def _spoken(m: re.Match[str]) -> str:
    """The figure in digits, right-aligned in the span it replaces (so offsets stay and the unit after it still
    follows): "57-point-zero-seven" -> "...57.07"."""
    whole = m.group("whole").lower()
    head = whole if whole.isdigit() else _DIGIT_WORDS.get(whole) or str(_TENS[whole])
    tail = "".join(d if d.isdigit() else _DIGIT_WORDS[d.lower()] for d in m.group("decimals").split("-") if d)
    figure = f"{head}.{tail}"
    return figure.rjust(len(m.group()))


def _masked(text: str, spoken: list[re.Match[str]]) -> str:
    """The text as the patterns scan it: addresses blanked, figures spelled out (``spoken``) written in digits."""
    masked = _URL.sub(lambda m: " " * len(m.group()), text)
    for m in spoken:
        masked = masked[:m.start()] + _spoken(m) + masked[m.end():]
    return masked


def _approx(text: str, start: int) -> bool:
    return bool(_APPROX.search(text[max(0, start - 22): start]))


#: Words that say which currency a bare "¥" is: the yen's and Japan's, or the yuan's and China's.
_YEN_WORDS = re.compile(r"\b(?:yen|JPY)\b|円|日元", re.I)
_YUAN_WORDS = re.compile(r"\b(?:yuan|RMB|renminbi|CNY)\b|人民币|(?<![美日韩港])元", re.I)
_JAPAN_WORDS = re.compile(r"\b(?:Japan|Japanese|Tokyo)\b")
_CHINA_WORDS = re.compile(r"\b(?:China|Chinese|Beijing|mainland)\b")


#: "¥445 billion ($3 billion)": an amount in "¥" with its value in dollars beside it.
_SIGN_IN_DOLLARS = re.compile(r"[¥￥]\s?(?P<a>\d[\d,]*(?:\.\d+)?)\s?(?P<sa>trillion|billion|million|bn|mn)?\s*"
                              r"\(\s*(?:US\s?)?\$\s?(?P<b>\d[\d,]*(?:\.\d+)?)\s?(?P<sb>trillion|billion|million|bn|mn)?",
                              re.I)


def _dollar_rate(m: re.Match[str]) -> float | None:
    a = float(m.group("a").replace(",", "")) * SCALES.get((m.group("sa") or "").lower(), 1.0)
    b = float(m.group("b").replace(",", "")) * SCALES.get((m.group("sb") or "").lower(), 1.0)
    return a / b if b else None


def yen_sign_currency(text: str) -> str:
    """The currency "¥" stands for in ``text``: as its own conversions to dollars say ("¥445 billion ($3
    billion)": about 150 to the dollar is the yen, about 7 the yuan); else the yen where the text names the yen
    (and not the yuan), or names neither and speaks of Japan more than of China; else the yuan."""
    rates = [r for r in (_dollar_rate(m) for m in _SIGN_IN_DOLLARS.finditer(text)) if r]
    if rates and all(r > 50 for r in rates):
        return "JPY"
    if rates and all(3 < r < 12 for r in rates):
        return "CNY"
    yen, yuan = bool(_YEN_WORDS.search(text)), bool(_YUAN_WORDS.search(text))
    if yen != yuan:
        return "JPY" if yen else "CNY"
    if not yen and len(_JAPAN_WORDS.findall(text)) > len(_CHINA_WORDS.findall(text)):
        return "JPY"
    return "CNY"


def extract(text: str) -> list[Quantity]:
    """Every quantity in ``text``, in order, without overlaps (money wins over percent wins over counts); a "¥"
    is the yen or the yuan as the text says (``yen_sign_currency``)."""
    spoken = list(_SPOKEN.finditer(text)) if "-point-" in text.lower() else []
    scan = _masked(text, spoken)
    yen_sign = yen_sign_currency(text) if "¥" in text or "￥" in text else "CNY"
    found: list[Quantity] = []
    taken = bytearray(len(text) + 1)

    def add(q: Quantity) -> None:
        if 1 not in taken[q.start:q.end]:
            found.append(q)
            taken[q.start:q.end] = b"\x01" * (q.end - q.start)

    for pattern in (_MONEY_PRE, _MONEY_POST):
        for m in pattern.finditer(scan):
            cur_text = m.group("cur")
            key = re.sub(r"\s+", " ", cur_text.lower())
            currency = _PRE.get(key.replace(" ", "") if key.startswith("us") else key) if pattern is _MONEY_PRE \
                else _POST.get(key)
            if currency is None:
                continue
            if key in ("¥", "￥"):
                currency = yen_sign
            num, decimals = _number(m.group("num"))
            scale_word = m.group("scale")
            if scale_word is None and pattern is _MONEY_PRE and key == "$" and _looks_like_year(m.group("num")):
                continue
            scale = SCALES.get(scale_word.lower() if scale_word and scale_word.isascii() else (scale_word or ""), 1.0)
            base = num * scale
            per = _PER_MASS.match(scan, m.end())
            if per is not None:  # a price per unit of weight: "$575 a kilogram", "$39,000 per metric ton"
                per_kg = 1e3 if (per.group("unit") or per.group("short")).lower().startswith("t") else 1.0
                add(Quantity("price", base / per_kg, f"{_UNIT_PREFIX.get(currency, currency.lower())}_per_kg",
                             m.start(), m.end(), text[m.start():m.end()], currency, base / per_kg,
                             0.5 * 10.0 ** (-decimals) * scale / per_kg, _approx(scan, m.start())))
                continue
            unit, factor = money_unit(currency, base, scale)
            precision = 0.5 * 10.0 ** (-decimals) * scale / factor
            add(Quantity("money", base / factor, unit, m.start(), m.end(), text[m.start():m.end()], currency,
                         base, precision, _approx(scan, m.start())))
    for m in _POINTS.finditer(scan):
        num, decimals = _number(m.group("num"))
        sign = -1.0 if m.group("neg") else 1.0
        factor = 0.01 if "basis" in m.group().lower() or "bps" in m.group().lower() else 1.0
        add(Quantity("points", sign * num * factor, "pct_points", m.start(), m.end(), text[m.start():m.end()],
                     base=sign * num * factor, precision=0.5 * 10.0 ** (-decimals) * factor,
                     approx=_approx(scan, m.start())))
    for m in _PERCENT.finditer(scan):
        num, decimals = _number(m.group("num"))
        sign = -1.0 if m.group("neg") else 1.0
        add(Quantity("percent", sign * num, "pct", m.start(), m.end(), text[m.start():m.end()], base=sign * num,
                     precision=0.5 * 10.0 ** (-decimals), approx=_approx(scan, m.start())))
    for m in _FOLD.finditer(scan):
        num, decimals = _number(m.group("num"))
        if num <= 1 and "fold" not in m.group().lower():
            continue
        add(Quantity("fold", num, "ratio", m.start(), m.end(), text[m.start():m.end()], base=num,
                     precision=0.5 * 10.0 ** (-decimals), approx=_approx(scan, m.start())))
    for m in _VERB.finditer(scan):
        value = _VERB_FOLD[m.group("verb").lower()]
        add(Quantity("fold", value, "ratio", m.start(), m.end(), text[m.start():m.end()], base=value,
                     precision=0.05, approx=False))
    for m in _WAFER_RATE.finditer(scan):
        num, decimals = _number(m.group("num"))
        thousands = bool(m.group("scale"))
        add(Quantity("rate", num, "wafers_k_per_month" if thousands else "wafers_per_month", m.start(), m.end(),
                     text[m.start():m.end()], base=num * (1e3 if thousands else 1.0),
                     precision=0.5 * 10.0 ** (-decimals), approx=_approx(scan, m.start())))
    for m in _COUNT.finditer(scan):
        num, decimals = _number(m.group("num"))
        if _looks_like_year(m.group("num")) and not m.group("scale"):
            continue
        scale = SCALES.get((m.group("scale") or "").lower(), 1.0)
        unit, factor = {1e9: ("units_bn", 1e9), 1e6: ("units_m", 1e6), 1e3: ("units_k", 1e3)}.get(
            scale, ("units", 1.0))
        add(Quantity("count", num * scale / factor, unit, m.start(), m.end(), text[m.start():m.end()],
                     base=num * scale, precision=0.5 * 10.0 ** (-decimals) * scale / factor,
                     approx=_approx(scan, m.start())))
    for m in _MASS.finditer(scan):
        num, decimals = _number(m.group("num"))
        scale = SCALES.get((m.group("scale") or "").lower(), 1.0)
        unit = "kg" if m.group("what").lower().startswith("k") else "t"
        add(Quantity("mass", num * scale, unit, m.start(), m.end(), text[m.start():m.end()], base=num * scale,
                     precision=0.5 * 10.0 ** (-decimals) * scale, approx=_approx(scan, m.start())))
    for m in _POWER.finditer(scan):
        num, decimals = _number(m.group("num"))
        what = m.group("what").lower()
        unit = _POWER_UNITS[(what[0], what.endswith("h") or "hour" in what)]
        add(Quantity("count", num, unit, m.start(), m.end(), text[m.start():m.end()], base=num,
                     precision=0.5 * 10.0 ** (-decimals), approx=_approx(scan, m.start())))
    # a figure spelled out ("57-point-zero-seven billion") spans its words, not just the digits written for them
    if spoken:
        found = [_spanning(q, text, spoken) for q in found]
    return sorted(found, key=lambda q: q.start)


def _spanning(q: Quantity, text: str, spoken: list[re.Match[str]]) -> Quantity:
    """``q`` widened to the spelled-out figure its digits were written for, if any."""
    for m in spoken:
        if m.start() < q.start < m.end():
            return dataclasses.replace(q, start=m.start(), text=text[m.start():q.end])
    return q


def _looks_like_year(num: str) -> bool:
    return bool(re.fullmatch(r"(19|20)\d\d", num))


_CONVERSION_GAP = re.compile(r"^\s*(?:[(（\[]\s*(?:about|approximately|around|roughly|approx\.|some|or|~|≈|约)?\s*|"
                             r",?\s*(?:or|equivalent to|about|roughly|approximately|around)\s+"
                             r"(?:about|approximately|around|roughly)?\s*)$", re.I)


def conversions(text: str, quantities: list[Quantity]) -> list[Conversion]:
    """Pairs of amounts in different currencies that the text gives as equal."""
    money = [q for q in quantities if q.kind == "money"]
    out: list[Conversion] = []
    for a, b in itertools.pairwise(money):
        if a.currency == b.currency or b.start - a.end > 30:
            continue
        if _CONVERSION_GAP.match(text[a.end:b.start]):
            out.append(Conversion(a, b))
    return out
