"""Chinese, Japanese and Korean text in the charts and the HTML reports: drawn in the CJK font where the machine has
it, named by its language where it has none, never drawn as empty boxes."""

from __future__ import annotations

import base64
import io
import re
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from fontTools.ttLib import TTFont

from chipshift.reports import chart_style, fonts

KOREAN, CHINESE, JAPANESE = "아시아경제", "华尔街见闻", "半導体の輸出"
NEEDS_FONT = pytest.mark.skipif(fonts.cjk_font() is None, reason="no CJK font (scripts/setup installs fonts-noto-cjk)")


def svg_words(path: Path) -> str:
    """The strings of a matplotlib SVG (its text is drawn as paths, each string kept in a comment)."""
    return "\n".join(re.findall(r"<!-- (.*?) -->", path.read_text(encoding="utf-8")))


def draw(stem: Path) -> str:
    """A chart whose title, legend and footer carry CJK text set as it comes (not made printable by the caller),
    saved with matplotlib's "Glyph ... missing" warnings turned into errors; the words of its SVG."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing")
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.set_title(f"Share of HBM, published by {KOREAN}")
        ax.plot([0, 1], [1, 2], label=f"published: Wallstreetcn ({CHINESE})")
        chart_style.legend(ax)
        chart_style.footnote(fig, ax, f"Sources: {JAPANESE}")
        chart_style.save(fig, stem)
    return svg_words(stem.with_suffix(".svg"))


@NEEDS_FONT
def test_charts_draw_cjk_text_in_the_cjk_font(tmp_path: Path) -> None:
    words = draw(tmp_path / "chart")
    assert KOREAN in words and CHINESE in words and JAPANESE in words
    assert "[Korean text]" not in words


def test_charts_without_a_cjk_font_name_the_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    latin = frozenset(range(0x250))
    monkeypatch.setattr(chart_style, "_glyphs", lambda: latin)
    monkeypatch.setitem(matplotlib.rcParams, "font.family", ["DejaVu Sans"])
    words = draw(tmp_path / "chart")
    assert "published by [Korean text]" in words and "Wallstreetcn ([Chinese text])" in words
    assert "[Japanese text]" in words
    assert not re.search("[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]", words)


PAGE = ("<!doctype html><html><head><title>t</title></head><body>"
        f"<p>{KOREAN} · {CHINESE} 2024年 · {JAPANESE}</p><svg><text>{CHINESE}</text></svg></body></html>")


@NEEDS_FONT
def test_a_report_carries_the_glyphs_of_its_cjk_text() -> None:
    html = fonts.embed_cjk(PAGE)
    (data,) = re.findall(r"src:url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", html)
    assert html.index("@font-face") < html.index("</head>") and f"font-family:'{fonts.REPORT_FAMILY}'" in html
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    covered = set(font.getBestCmap())
    needed = {ord(c) for c in KOREAN + CHINESE + JAPANESE + "年"}
    assert needed <= covered
    assert len(covered) < 200, "only the glyphs the page needs"
    assert KOREAN in html  # the text itself is kept


def test_a_report_without_a_cjk_font_names_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    html = fonts.embed_cjk(PAGE)
    assert "@font-face" not in html
    assert "<p>[Korean text] · [Chinese text] · [Japanese text]</p>" in html
    assert "<text>[Chinese text]</text>" in html


def test_a_page_without_cjk_text_is_left_as_it_is() -> None:
    page = "<html><head></head><body>Micron ± 5%</body></html>"
    assert fonts.embed_cjk(page) == page


def test_report_styles_list_the_family_a_report_carries() -> None:
    from chipshift.web import report_style, svg

    assert fonts.REPORT_FAMILY in report_style.CSS and fonts.REPORT_FAMILY in svg.FONT
