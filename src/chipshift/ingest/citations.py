"""Citation markers ([1], [2, 3], [1-3]) and the reference list (publisher, title, date, URL)."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from chipshift.ingest import periods
from chipshift.ingest.model import Marker, Reference

_HEADING = re.compile(r"^[ \t#*_]*(references|sources|notes|bibliography|works cited|citations|footnotes)"
                      r"[ \t*_:]*$", re.I | re.M)
_ENTRY = re.compile(r"^[ \t]*(?:\[(?P<a>\d{1,3})\]|(?P<b>\d{1,3})[.)])[ \t]+(?P<body>\S.*)$", re.M)
_MARKER = re.compile(r"\[(?P<n>\d{1,3}(?:\s*[-–,]\s*\d{1,3})*)\]")
_URL = re.compile(r"https?://[^\s<>\"”’)\]]+[^\s<>\"”’)\].,;:]")

#: Publishers by the site a URL points to (used when the entry does not name one).
SITES = {"reuters.com": "Reuters", "bloomberg.com": "Bloomberg", "scmp.com": "South China Morning Post",
         "trendforce.com": "TrendForce", "techinasia.com": "Tech in Asia", "brookings.edu": "Brookings Institution",
         "ft.com": "Financial Times", "wsj.com": "The Wall Street Journal", "nytimes.com": "The New York Times",
         "bis.gov": "Bureau of Industry and Security", "bis.doc.gov": "Bureau of Industry and Security",
         "federalregister.gov": "Federal Register", "technode.com": "TechNode", "tomshardware.com": "Tom's Hardware",
         "nikkei.com": "Nikkei Asia", "asia.nikkei.com": "Nikkei Asia", "digitimes.com": "DigiTimes",
         "semi.org": "SEMI", "csis.org": "CSIS", "cset.georgetown.edu": "CSET", "micron.com": "Micron",
         "nvidia.com": "Nvidia", "asml.com": "ASML", "japantimes.co.jp": "The Japan Times",
         "nltimes.nl": "NL Times", "yuantalks.com": "YuanTalks", "iconnect007.com": "I-Connect007",
         "business-standard.com": "Business Standard", "investing.com": "Investing.com"}


def references_start(text: str) -> int | None:
    """Where the reference list begins: a 'References' heading, or a trailing run of numbered entries."""
    headings = list(_HEADING.finditer(text))
    if headings:
        return headings[-1].start()
    entries = [m for m in _ENTRY.finditer(text) if _URL.search(m.group("body"))]
    if len(entries) >= 2 and len(text) - entries[0].start() < 0.5 * len(text):
        return entries[0].start()
    return None


def references(text: str, start: int | None, links: tuple[tuple[int, int, str], ...] = ()) -> list[Reference]:
    if start is None:
        return []
    out: list[Reference] = []
    for m in _ENTRY.finditer(text, start):
        number = int(m.group("a") or m.group("b"))
        body = m.group("body").strip()
        b_start = m.start("body")
        url_m = _URL.search(body)
        url = url_m.group() if url_m else None
        if url is None:
            for s, _e, href in links:
                if b_start <= s < m.end():
                    url = href
                    break
        out.append(_parse(number, m.start(), m.end(), body, url))
    return out


def _parse(number: int, start: int, end: int, body: str, url: str | None) -> Reference:
    plain = _URL.sub("", body).strip().rstrip(".").strip()
    date_label: str | None = None
    author: str | None = None
    title: str | None = None
    publisher: str | None = None
    apa = re.search(r"\(\s*((?:19|20)\d\d)(?:,\s*([A-Za-z]+\.?\s+\d{1,2}|[A-Za-z]+))?\s*\)\.?", plain)
    mentions = periods.extract(plain, None)
    dates = [p for p in mentions if p.kind in ("date", "month") and p.label]
    if dates:
        date_label = dates[0].label
    elif apa and apa.group(2) and apa.group(2).lower().rstrip(".") in periods.MONTHS:
        date_label = f"{apa.group(1)}-{periods.month_number(apa.group(2)):02d}"
    elif apa:
        date_label = apa.group(1)
    elif any(p.kind == "year" for p in mentions):
        date_label = next(p.label for p in mentions if p.kind == "year")
    if apa:
        before, after = plain[: apa.start()].strip(), plain[apa.end():].strip()
        parts = [p.strip() for p in re.split(r"(?<=[^A-Z\s][.?!])\s+", after) if p.strip()]
        if re.fullmatch(r"[^.]{2,60},\s*(?:[A-Z]\.\s*)+(?:,?\s*(?:&|and)\s*[^.]+)?", before) or \
                re.fullmatch(r"[A-Z][\w'-]+(?:,\s*[A-Z]\.)+", before):
            author = before.rstrip(".")
            title = parts[0].rstrip(".") if parts else None
            publisher = parts[1].rstrip(".") if len(parts) > 1 else None
        else:
            title = before.rstrip(".") or None
            publisher = parts[0].rstrip(".") if parts else None
    else:
        quoted = re.search(r"[\"“](.+?)[\"”]", plain)
        if quoted:
            title = quoted.group(1).rstrip(",.")
            rest = (plain[: quoted.start()] + " " + plain[quoted.end():]).strip(" ,.")
            pieces = [p.strip(" ,.") for p in re.split(r"[,.;]\s+", rest) if p.strip(" ,.")]
            pieces = [p for p in pieces if not periods.extract(p, None) or not re.search(r"\d", p)]
            publisher = pieces[0] if pieces else None
        else:
            pieces = [p.strip(" ,.") for p in re.split(r"(?<=[^A-Z\s][.])\s+|\s+[—–|]\s+", plain) if p.strip(" ,.")]
            pieces = [p for p in pieces if not (re.search(r"\d", p) and periods.extract(p, None) and len(p) < 30)]
            if pieces:
                title = max(pieces, key=len)
                others = [p for p in pieces if p is not title]
                publisher = others[0] if others else None
    if publisher is None and url:
        publisher = site_publisher(url)
    return Reference(number, start, end, body, url, title, publisher, date_label, author)


def site_publisher(url: str) -> str | None:
    host = (urlparse(url).hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    for site, name in SITES.items():
        if host == site or host.endswith("." + site):
            return name
    return None


def markers(text: str, end: int | None) -> list[Marker]:
    """Citation markers in the body (before the reference list), not entry numbers at a line start."""
    out: list[Marker] = []
    limit = len(text) if end is None else end
    for m in _MARKER.finditer(text, 0, limit):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not text[line_start:m.start()].strip():
            continue  # an entry number, not a marker
        numbers: list[int] = []
        for part in re.split(r"\s*,\s*", m.group("n")):
            if re.search(r"[-–]", part):
                a, b = (int(x) for x in re.split(r"\s*[-–]\s*", part))
                numbers.extend(range(a, b + 1) if 0 < b - a < 50 else (a, b))
            else:
                numbers.append(int(part))
        out.append(Marker(tuple(numbers), m.start(), m.end()))
    return out
