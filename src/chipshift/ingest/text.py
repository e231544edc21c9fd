"""Bytes to plain text: decoding with clear refusals, HTML main-text extraction, Markdown stripping.

Spans everywhere else in the pipeline index the plain text returned here (``Extracted.text``); for a plain
text file that is the decoded file itself.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Literal

from chipshift.errors import DataError, Problem

#: Largest document accepted, in bytes (a long report is ~200 KB of HTML; 5 MiB leaves ample room).
MAX_BYTES = 5 * 1024 * 1024

Kind = Literal["text", "html", "markdown"]


@dataclass(frozen=True)
class Extracted:
    text: str
    kind: Kind
    title: str | None = None
    date: str | None = None
    url: str | None = None
    links: tuple[tuple[int, int, str], ...] = ()
    warnings: tuple[str, ...] = field(default=())


def _refuse(name: str, message: str) -> DataError:
    return DataError([Problem(message, file=name, check="ingest_input")])


def decode(data: bytes, name: str) -> str:
    """Decode a document's bytes, refusing empty, oversized, binary, badly encoded and truncated input."""
    if len(data) > MAX_BYTES:
        raise _refuse(name, f"the file is {len(data):,} bytes; the limit is {MAX_BYTES:,} bytes (5 MiB). "
                            "Split it or extract the article first.")
    if not data.strip():
        raise _refuse(name, "the file is empty: there is no text to read.")
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise _refuse(name, f"the file starts with a {codec} byte-order mark but is not valid {codec} "
                                    f"(byte {exc.start}).") from exc
            return _check_text(text, name)
    head = data[:8192]
    if b"\x00" in head:
        raise _refuse(name, "the file looks binary (it contains NUL bytes): give a text, HTML or Markdown file.")
    declared = _declared_charset(head)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if declared and declared not in ("utf-8", "utf8"):
            try:
                return _check_text(data.decode(declared), name)
            except (LookupError, UnicodeDecodeError):
                pass
        if exc.start >= len(data) - 3 and exc.reason in ("unexpected end of data", "invalid continuation byte"):
            raise _refuse(name, "the file ends in the middle of a character: it looks truncated. "
                                "Download or copy it again.") from exc
        line = data[: exc.start].count(b"\n") + 1
        raise _refuse(name, f"the file is not valid UTF-8 (byte {exc.start}, line {line}) and declares no other "
                            "encoding: save it as UTF-8.") from exc
    return _check_text(text, name)


def _declared_charset(head: bytes) -> str | None:
    m = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", head, re.I)
    return m.group(1).decode("ascii").lower() if m else None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _check_text(text: str, name: str) -> str:
    sample = text[:20000]
    control = len(_CONTROL.findall(sample))
    if sample and control / len(sample) > 0.02:
        raise _refuse(name, "the file looks binary (it is full of control characters): give a text, HTML or "
                            "Markdown file.")
    if "\ufffd" * 3 in sample:
        raise _refuse(name, "the text contains runs of replacement characters (�): it was badly converted "
                            "before it got here. Save the original as UTF-8.")
    return text


def sniff(name: str, text: str) -> Kind:
    lower = name.lower()
    if lower.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if lower.endswith((".md", ".markdown")):
        return "markdown"
    if lower.endswith(".txt"):
        return "text"
    head = text[:2000].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")) or len(re.findall(r"</?(p|div|span|a|body)\b", head)) >= 3:
        return "html"
    if re.search(r"^#{1,6} \S|\[[^\]]+\]\(https?://", text[:5000], re.M):
        return "markdown"
    return "text"


def extract(text: str, kind: Kind, name: str = "-") -> Extracted:
    """Plain text of a decoded document; raises DataError when nothing readable is left."""
    if kind == "html":
        result = _from_html(text)
    elif kind == "markdown":
        result = _from_markdown(text)
    else:
        result = Extracted(text=text, kind="text")
    if not result.text.strip():
        raise _refuse(name, "no readable text was found in the document" +
                            (" (the HTML has no main text)" if kind == "html" else "") + ".")
    return result


# -- HTML --------------------------------------------------------------------------------------------

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "iframe", "nav", "header", "footer", "aside",
              "form", "button", "select", "object", "canvas", "head"}
_VOID = {"br", "img", "meta", "link", "input", "hr", "source", "wbr", "area", "base", "col", "embed", "param",
         "track"}
_BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article", "main",
          "pre", "dd", "dt", "figcaption", "caption", "table", "ul", "ol", "body", "html"}
#: Table cells: a row's cells stay on one line, " | " between them, and a table's rows on consecutive lines, so
#: that a table comes out as the rows `tables` reads.
_CELL = {"td", "th"}
_BOILER = re.compile(r"(^|[-_ ])(nav|navbar|menu|footer|sidebar|cookie|consent|share|sharing|social|advert|ads?|"
                     r"promo|related|newsletter|subscribe|comments?|breadcrumbs?|skip|banner|popup|modal|"
                     r"masthead|toolbar|paywall)([-_ ]|$)", re.I)


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.skip_depth = 0
        self.blocks: list[dict[str, object]] = []
        self.current: list[str] = []
        self.current_links: list[tuple[int, int, str]] = []
        self.link_chars = 0
        self.container = -1
        self.containers: list[str] = []
        self.container_stack: list[int] = []
        self.title: str | None = None
        self.in_title = False
        self.h1: str | None = None
        self.in_h1 = False
        self.date: str | None = None
        self.url: str | None = None
        self.href: str | None = None
        self.link_start = 0
        self.ol_counters: list[int] = []
        self.closed_html = False

    # block handling
    def _flush(self, row: bool = False) -> None:
        text = re.sub(r"[ \t\r\n\f\u00a0]+", " ", "".join(self.current)).strip()
        if text:
            self.blocks.append({"text": text, "container": self.container_stack[-1] if self.container_stack else -1,
                                "links": self.current_links, "link_chars": self.link_chars, "row": row})
        self.current, self.current_links, self.link_chars = [], [], 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta":
            prop = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if prop in ("article:published_time", "date", "pubdate", "publishdate", "datepublished", "dc.date",
                        "og:published_time") and not self.date:
                self.date = a.get("content", "")[:10] or None
            if prop == "og:url" and not self.url:
                self.url = a.get("content") or None
            return
        if tag == "link" and a.get("rel", "").lower() == "canonical" and a.get("href", "").startswith("http"):
            self.url = self.url or a["href"]
            return
        if tag == "time" and a.get("datetime") and not self.date:
            self.date = a["datetime"][:10]
        if tag in _VOID:
            if tag == "br" and not self.skip_depth:
                self.current.append("\n")
            return
        marker = " ".join((a.get("class", ""), a.get("id", ""), a.get("role", "")))
        # a table is data whatever its class says ("share-table" is a table of market shares, not share buttons)
        skipped = self.skip_depth > 0 or tag in _SKIP_TAGS or (tag != "table" and bool(_BOILER.search(marker))) or \
            a.get("aria-hidden") == "true" or "display:none" in a.get("style", "").replace(" ", "")
        if tag == "title":
            self.in_title = True
        if skipped and not self.skip_depth:
            self._flush()
        self.stack.append((tag, skipped))
        if skipped:
            self.skip_depth += 1
            return
        if tag in _BLOCK:
            self._flush()
        if tag in _CELL and "".join(self.current).strip():
            self.current.append(" | ")
        if tag in ("article", "main"):
            self.containers.append(tag)
            self.container_stack.append(len(self.containers) - 1)
        if tag == "ol":
            self.ol_counters.append(0)
        if tag == "li" and self.ol_counters:
            self.ol_counters[-1] += 1
            self.current.append(f"{self.ol_counters[-1]}. ")
        if tag == "h1":
            self.in_h1 = True
        if tag == "a" and a.get("href", "").startswith("http"):
            self.href = a["href"]
            self.link_start = len("".join(self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "html":
            self.closed_html = True
        if tag in _VOID:
            return
        # pop to the matching tag (tolerate unclosed children)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for open_tag, skipped in reversed(self.stack[i:]):
                    self._close(open_tag, skipped)
                del self.stack[i:]
                return

    def _close(self, tag: str, skipped: bool) -> None:
        if skipped:
            self.skip_depth -= 1
            return
        if tag == "a" and self.href:
            end = len("".join(self.current))
            self.current_links.append((self.link_start, end, self.href))
            self.link_chars += end - self.link_start
            self.href = None
        if tag == "h1":
            self.in_h1 = False
        if tag == "ol" and self.ol_counters:
            self.ol_counters.pop()
        if tag in _BLOCK:
            self._flush(row=tag == "tr")
        if tag in ("article", "main") and self.container_stack:
            self.container_stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title = ((self.title or "") + data).strip()
            return
        if self.skip_depth:
            return
        if self.in_h1:
            self.h1 = ((self.h1 or "") + " " + data).strip()
        self.current.append(data)


def _from_html(source: str) -> Extracted:
    parser = _Html()
    parser.feed(source)
    parser.close()
    parser._flush()
    blocks = parser.blocks
    warnings: list[str] = []
    if re.search(r"<html\b", source[:3000], re.I) and not parser.closed_html and "</body" not in source.lower():
        warnings.append("the HTML has no closing </html> or </body> tag: the page may be truncated")
    sizes: dict[int, int] = {}
    for b in blocks:
        c = int(str(b["container"]))
        if c >= 0:
            sizes[c] = sizes.get(c, 0) + len(str(b["text"]))
    if sizes:
        best = max(sizes, key=lambda c: sizes[c])
        if sizes[best] >= 200:
            blocks = [b for b in blocks if b["container"] == best]
    out: list[str] = []
    links: list[tuple[int, int, str]] = []
    pos = 0
    previous_row = False
    for b in blocks:
        text = str(b["text"])
        link_chars = int(str(b["link_chars"]))
        if link_chars > 0.8 * len(text) and not re.search(r"\d", text):
            continue  # a navigation-like block of links
        if out:
            gap = "\n" if b.get("row") and previous_row else "\n\n"
            out.append(gap)
            pos += len(gap)
        previous_row = bool(b.get("row"))
        raw_links = b["links"]
        assert isinstance(raw_links, list)
        for s, e, href in raw_links:
            links.append((pos + max(0, s - 0), pos + min(len(text), e), href))
        out.append(text)
        pos += len(text)
    title = parser.h1 or parser.title
    return Extracted(text="".join(out), kind="html", title=title, date=parser.date, url=parser.url,
                     links=tuple(links), warnings=tuple(warnings))


# -- Markdown ------------------------------------------------------------------------------------------

_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\((https?://[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_MD_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_MD_EMPH = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])|`([^`\n]+)`")


def _from_markdown(source: str) -> Extracted:
    out: list[str] = []
    links: list[tuple[int, int, str]] = []
    pos = 0
    title: str | None = None
    in_fence = False
    for raw in source.splitlines():
        line = raw
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            line = ""
        elif in_fence:
            line = ""
        heading = re.match(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if heading:
            line = heading.group(2)
            if title is None and len(heading.group(1)) == 1:
                title = line
        line = re.sub(r"^\s{0,3}>\s?", "", line)
        line = re.sub(r"^(\s*)[-*+]\s+(?=\S)", r"\1", line)
        line = re.sub(r"^\[\^(\d+)\]:\s*", r"[\1] ", line)
        line = re.sub(r"\[\^(\d+)\]", r"[\1]", line)
        line = re.sub(r"^\s*([-*_]\s*){3,}$", "", line)
        line = _MD_AUTOLINK.sub(r"\1", line)
        # emphasis and code first, then links (recording where their text lands)
        line = _MD_EMPH.sub(lambda m: m.group(2) or m.group(3) or m.group(4) or "", line)
        line = re.sub(r"</?[a-zA-Z][^>]*>", "", line)
        pieces: list[str] = []
        last = 0
        col = 0
        for m in _MD_LINK.finditer(line):
            before = line[last:m.start()]
            pieces.append(before)
            col += len(before)
            label = m.group(1) or m.group(2)
            links.append((pos + col, pos + col + len(label), m.group(2)))
            pieces.append(label)
            col += len(label)
            last = m.end()
        pieces.append(line[last:])
        line = "".join(pieces)
        out.append(line + "\n")
        pos += len(line) + 1
    return Extracted(text="".join(out), kind="markdown", title=title, links=tuple(links))
