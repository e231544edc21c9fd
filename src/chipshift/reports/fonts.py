"""Chinese, Japanese and Korean text in chipshift's files (charts, HTML reports): drawn in the system's CJK font
where it has one, else named by its language ("[Korean text]") rather than drawn as empty boxes.

The font is Noto Sans CJK (Debian's ``fonts-noto-cjk``, which ``scripts/setup`` installs): the charts fall back to
it for characters their own font lacks, and an HTML report carries the part of it that its text needs (a subset
of a few kilobytes, inline), so that the report shows the text on a machine without such a font too."""

from __future__ import annotations

import base64
import functools
import io
import re
import unicodedata
from pathlib import Path

#: The family the charts and reports draw CJK text in (face 0 of Noto Sans CJK's collection).
CJK_FAMILY = "Noto Sans CJK JP"
#: The start of its regular face's file name (NotoSansCJK-Regular.ttc, or .otf where it comes as single files).
CJK_FILE = "NotoSansCJK-Regular"
#: The name an HTML report gives the subset of it that it carries.
REPORT_FAMILY = "chipshift CJK"
#: Runs of Chinese, Japanese and Korean characters (with the spaces, digits and punctuation between two such
#: characters): what a report without the font names by language.
CJK_RUN = re.compile(
    r"[\u1100-\u11ff\u3000-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+"
    r"(?:[\s\d.,:%-]+[\u1100-\u11ff\u3000-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    r"\uff00-\uffef]+)*")


@functools.cache
def cjk_font() -> Path | None:
    """The file of the system's CJK font, or None where it has none. A font installed after matplotlib listed the
    system's fonts (its cache) is found among the system's font files and added to the list."""
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        if entry.name == CJK_FAMILY and entry.weight in (400, "normal", "regular"):
            return Path(entry.fname)
    for file in sorted(font_manager.findSystemFonts(fontext="ttf")):
        if Path(file).name.startswith(CJK_FILE):
            font_manager.fontManager.addfont(file)
            return Path(file)
    return None


def language(chars: str) -> str:
    """What a run of characters is written in, from their Unicode names: kana make it Japanese, hangul
    Korean, Han characters alone Chinese; "…" for anything else."""
    names = [unicodedata.name(c, "") for c in chars]
    if any(n.startswith(("HIRAGANA", "KATAKANA")) for n in names):
        return "Japanese text"
    if any(n.startswith("HANGUL") for n in names):
        return "Korean text"
    if any(n.startswith("CJK") for n in names):
        return "Chinese text"
    return "…"


def name_languages(text: str) -> str:
    """``text`` with each run of CJK characters replaced by its language in brackets: "SK하이닉스" ->
    "SK[Korean text]"."""
    return CJK_RUN.sub(lambda m: f"[{language(m.group(0))}]", text)


def _subset(font: Path, text: str) -> bytes:
    """The glyphs of ``font`` that ``text`` needs, as a WOFF file."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = [0, 1, 2]  # the copyright notice and the family's name stay with it
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    loaded = TTFont(font, fontNumber=0)
    subsetter.subset(loaded)
    out = io.BytesIO()
    loaded.save(out)
    return out.getvalue()


def embed_cjk(html: str) -> str:
    """An HTML page (with a ``</head>``) as it shows its CJK text on any machine: with an ``@font-face`` carrying
    the subset of the CJK font its text needs (the page's style sheets list ``REPORT_FAMILY``), or, where this
    machine has no such font, with each run of such text named by its language. A page without CJK text is
    returned as it is."""
    used = "".join(sorted({c for run in CJK_RUN.findall(html) for c in run if not c.isspace()}))
    if not used:
        return html
    font = cjk_font()
    if font is None:
        return name_languages(html)
    data = base64.b64encode(_subset(font, used)).decode("ascii")
    face = (f"<style>@font-face{{font-family:'{REPORT_FAMILY}';src:url(data:font/woff;base64,{data}) "
            "format('woff')}</style>")
    return html.replace("</head>", face + "</head>", 1)
