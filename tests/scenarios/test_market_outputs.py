"""The files of ``scenario run --out``: every table row carries its unit, and every chart says what it shows
(firm, product and region by name, the real unit, the case, the date of the data and the publishers)."""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from html import escape, unescape
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chipshift.api.market_runs import Variant, scenario_compare, scenario_run
from chipshift.io.store import Store
from chipshift.reports import labels, palette
from chipshift.reports.chart_style import marker_style, spread, value_axis
from chipshift.reports.market_run_files import write_outputs
from chipshift.scenarios import linked_case as linked
from chipshift.scenarios.market_case_check import linked_outputs

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)

REPO = Path(__file__).resolve().parents[2]
AI = REPO / "examples" / "china-ai-accelerators.yaml"
MICRON = REPO / "examples" / "micron-china.yaml"
MICRON_LINKED = REPO / "examples" / "micron-china-linked.yaml"
ASML = REPO / "examples" / "asml-china-rush.yaml"
GALLIUM = REPO / "examples" / "gallium-export-controls.yaml"
#: Prior draws per calibration round where a test checks what a run writes, not how well it fits: rougher
#: posteriors, the same code paths, a fraction of the time.
CALIBRATION_DRAWS = 400


def svg_text(path: Path) -> str:
    """The words of a matplotlib SVG (its text is drawn as paths, each string kept in a comment)."""
    return "\n".join(re.findall(r"<!-- (.*?) -->", path.read_text(encoding="utf-8")))


#: A run's report, the folder its files were written to and its HTML report.
LinkedRun = tuple[dict[str, Any], Path, str]


@pytest.fixture(scope="module")
def micron_linked_run(bundled_store: Store, tmp_path_factory: pytest.TempPathFactory) -> LinkedRun:
    """Micron's linked case run once without draws, its files written and its HTML report rendered: the tests of
    where its published figures stand and how they are labelled read the one run. What they check is where the
    figures stand and what names them, and that the case fits (the model line says so), not the calibration's
    precision: a rougher posterior from fewer prior draws takes a fraction of the time."""
    from chipshift.web.market_report import render

    report = scenario_run(bundled_store, MICRON_LINKED, draws=0, calibration_draws=CALIBRATION_DRAWS)
    out = tmp_path_factory.mktemp("micron-linked")
    write_outputs(report, out)
    return report, out, render(report, {}, MICRON_LINKED.name)


@pytest.fixture(scope="module")
def ai_run(bundled_store: Store, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    report = scenario_run(bundled_store, AI, draws=20, seed=5)
    out = tmp_path_factory.mktemp("ai")
    write_outputs(report, out)
    return report, out


def test_every_output_row_has_its_unit(ai_run: tuple[dict[str, Any], Path]) -> None:
    _, out = ai_run
    for frame in (pd.read_csv(out / "outputs.csv"), pd.read_parquet(out / "outputs.parquet")):
        assert list(frame.columns[:5]) == ["output", "title", "year", "value", "unit"]
        units = frame.groupby("output")["unit"].unique()
        assert list(units["revenue_share"]) == ["pct"] and list(units["localization"]) == ["pct"]
        assert list(units["revenue:cambricon"]) == ["cny_m"]  # the unit of Cambricon's base-year fact
        assert list(units["unmet"]) == ["pct"] and list(units["share:nvidia"]) == ["pct"]


def test_every_table_of_a_run_names_its_outputs_in_words(ai_run: tuple[dict[str, Any], Path]) -> None:
    report, out = ai_run
    for name in ("outputs", "calibration", "sensitivity"):
        frame = pd.read_csv(out / f"{name}.csv")
        titles = dict(zip(frame["output"], frame["title"], strict=False))
        assert all(isinstance(t, str) and t and ":" not in t and "@" not in t for t in titles.values()), name
        # the words its chart is titled with
        assert all(titles[o] == report["output_text"][o]["title"] for o in titles if o in report["output_text"])
    titles = dict(zip(*(pd.read_parquet(out / "outputs.parquet")[c] for c in ("output", "title")), strict=False))
    assert titles["revenue:cambricon"].startswith("Cambricon's revenue")
    assert "Nvidia" in titles["revenue_share"] and "China" in titles["revenue_share"]


def test_no_cell_of_a_linked_run_file_holds_a_mapping(micron_linked_run: LinkedRun) -> None:
    """A parameter's posterior summary is one column a measure (``posterior.mean``, ``posterior.p95`` ...), as the
    other tables of the project give a mapping, never a mapping printed in a cell."""
    report, files, _ = micron_linked_run
    for name in ("parameters", "outputs", "calibration", "sensitivity"):
        frame = pd.read_csv(files / f"{name}.csv")
        assert not frame.astype(str).apply(lambda col: col.str.startswith("{")).any().any(), name
    parameters = pd.read_csv(files / "parameters.csv").set_index("id")
    fitted = [p for p in report["parameters"] if p.get("posterior")]
    assert fitted and {"posterior.mean", "posterior.p5", "posterior.p95"} <= set(parameters.columns)
    for p in fitted:
        assert parameters.loc[p["id"], "posterior.mean"] == pytest.approx(p["posterior"]["mean"])


def test_every_parameter_row_has_its_unit(ai_run: tuple[dict[str, Any], Path]) -> None:
    _, out = ai_run
    frame = pd.read_csv(out / "parameters.csv")
    assert list(frame.columns[:3]) == ["id", "value", "unit"]
    units = dict(zip(frame["id"], frame["unit"], strict=True))
    assert units["sigma"] == "elasticity (no unit)" and units["adjustment_months"] == "months"
    assert units["q_h20"] == "ratio to the baseline offering"
    assert units["market_growth"] == units["domestic_capacity_growth"] == "fraction per year"
    assert frame["unit"].notna().all()


def test_every_chart_file_is_titled_and_described(ai_run: tuple[dict[str, Any], Path]) -> None:
    """An SVG's first elements are its chart's title and description (the footer's words), which screen readers
    announce and searches find; its metadata carries them too, not the library that drew it."""
    _, out = ai_run
    files = sorted(out.glob("*.svg"))
    assert files
    for path in files:
        svg = path.read_text(encoding="utf-8")
        head = svg[svg.index("<svg"):svg.index("<metadata")]
        titles = re.findall(r"<title>(.*?)</title>", head)
        (desc,) = re.findall(r"<desc>(.*?)</desc>", head, re.S)
        assert len(titles) == 1 and titles[0] and head.index("<title>") < head.index("<desc>"), path.name
        assert "Case: china-ai-accelerators" in desc, path.name
        meta, creator = re.findall(r"<dc:title>(.*?)</dc:title>", svg)  # the work's, then its creator's
        assert unescape(meta) == unescape(titles[0]) and creator.startswith("chipshift"), path.name
    cambricon = (out / "revenue_cambricon.svg").read_text(encoding="utf-8")
    assert "<title>Cambricon&#x27;s revenue, model and reported</title>" in cambricon


def test_charts_name_firm_product_region_and_the_real_unit(ai_run: tuple[dict[str, Any], Path]) -> None:
    _, out = ai_run
    share = svg_text(out / "revenue_share.svg")
    assert "Nvidia's share of revenue from China, by fiscal year" in share and "CHN" not in share
    localization = svg_text(out / "localization.svg")
    assert "Domestic suppliers' share of AI accelerator spending, China (localization)" in localization
    assert "ai_accelerator" not in localization
    cambricon = svg_text(out / "revenue_cambricon.svg")
    assert "Cambricon's revenue, model and reported" in cambricon
    assert "revenue, million yuan (CNY)" in cambricon and "unit of the base-year fact" not in cambricon
    shares = svg_text(out / "shares.svg")
    assert "Huawei Technologies" in shares and "Suppliers' shares of AI accelerator spending, China" in shares
    # the sellers that are no firm by the region they produce in, never by their codes
    assert "China's other producers" in shares and "other-domestic" not in shares and "other domestic" not in shares
    # the legend top down as the bars stack the suppliers: the bars stack the outputs in the order of their ids
    # from the bottom (huawei, nvidia, other-domestic), so the legend lists them the other way round
    legend = [shares.index(name) for name in ("China's other producers", "Nvidia", "Huawei Technologies")]
    assert legend == sorted(legend), shares


def test_sellers_that_are_no_firm_are_named_by_where_they_produce() -> None:
    assert labels.seller_name("micron", "Micron Technology", "United States") == "Micron Technology"
    assert labels.seller_name("china_producers", None, "China") == "China's producers"
    assert labels.seller_name("others", None, "Taiwan") == "Taiwan's other producers"
    assert labels.seller_name("usa", None, "United States") == "the United States' producers"
    assert labels.seller_name("other_producers", None, "Rest of the world") == (
        "other producers in the rest of the world")
    assert labels.seller_name("state_buyers") == "state buyers"  # nowhere to name: its code in words


def test_a_linked_run_names_its_groups_of_producers_in_words(bundled_store: Store) -> None:
    report = scenario_run(bundled_store, REPO / "examples" / "gallium-export-controls.yaml", draws=0)
    owners = report["names"]["owners"]
    assert owners["china_producers"] == "China's producers"
    assert owners["other_producers"] == "other producers in the rest of the world"
    titles = " ".join(t["title"] for t in report["output_text"].values())
    assert "Share of gallium spending going to China's producers, China" in titles
    assert not re.search(r"china_producers|china producers|other_producers", titles, re.IGNORECASE), titles


def test_footer_names_case_data_date_and_publishers_of_the_points_shown(
        ai_run: tuple[dict[str, Any], Path]) -> None:
    report, out = ai_run
    text = " ".join(svg_text(out / "localization.svg").split("\n"))
    assert "Case: china-ai-accelerators (china-ai-accelerators.yaml" in text
    assert f"Data: figures published up to {report['data_as_of']}" in text and report["data_as_of"] >= "2025"
    shown = {p["publisher"] for c in report["published_beside_model"] if c["output"] == "localization"
             for p in c["published"]}
    assert len(shown) >= 3
    sources = text.split("Sources of the published figures shown:", 1)[1]
    # each publisher once, two a figure names together ("Reuters; Bloomberg") each by itself
    named = [p.strip() for p in sources.split(". ", 1)[0].split("; ")]
    assert len(named) == len(set(named)) and {part for p in shown for part in p.split("; ")} <= set(named)
    # each published point is labelled with its publisher, and the band with the model that draws it
    assert all(publisher in text for publisher in shown) and "chipshift model: 5-95% of 20 draws" in text


def test_a_chart_of_model_outputs_alone_names_the_publishers_its_case_cites(
        ai_run: tuple[dict[str, Any], Path]) -> None:
    # the suppliers' shares have no published figure beside them: the footer still says what the figures are and
    # names the publishers of the facts the case cites (the demand no allowed source serves, 0% throughout, has no
    # chart: the table of charts left out says so)
    report, out = ai_run
    assert not (out / "unmet.svg").exists() and "unmet" in set(pd.read_csv(out / "charts_left_out.csv")["output"])
    text = " ".join(svg_text(out / "shares.svg").split("\n"))
    assert "No published figure is shown: model outputs, resting on the case's parameters" in text
    cited = sorted(set(report["publishers"].values()))
    assert cited and cited[0] in text


def test_micron_revenue_share_names_micron_and_china(bundled_store: Store, tmp_path: Path) -> None:
    report = scenario_run(bundled_store, MICRON)
    written = write_outputs(report, tmp_path)
    assert "revenue_share.svg" in written
    # no demand goes unserved in any year (0% throughout): no chart of it, the table of charts left out says so
    assert "unmet.svg" not in written and "charts_left_out.csv" in written
    title = svg_text(tmp_path / "revenue_share.svg")
    assert "Micron's share of revenue from China, by fiscal year" in title
    assert "% of Micron's revenue" in title


def test_linked_charts_name_market_and_firm_in_words(bundled_store: Store, tmp_path: Path) -> None:
    report = scenario_run(bundled_store, ASML, draws=10, seed=2)
    write_outputs(report, tmp_path)
    price = svg_text(tmp_path / "price_CHN.svg")
    assert re.search(r"lithography tool price, China \(index, \d{4}Q\d = 1\)", price), price
    assert "Case: asml-china-rush" in price
    tornado = svg_text(tmp_path / "tornado_revenue_share_asml_CHN.svg")
    assert "What moves: ASML's share of revenue from China" in tornado and "revenue_share:asml@CHN" not in tornado
    assert re.search(r"central run: \d+(\.\d+)?%", tornado)
    # its footer says how the sensitivity was computed (Sobol' indices from the evaluations of their design), never
    # the run's draws, which it does not use
    said = " ".join(tornado.split())
    evaluations = report["sensitivity_method"]["evaluations"]
    assert f"Sobol' indices from {evaluations:,} model evaluations" in said and "Monte Carlo" not in said, said
    # each parameter in words with its unit (its code after them), never by its code alone
    flat = " ".join(tornado.split())  # a label wraps over lines
    assert "Share of licence requests approved: Dutch licence requirement for advanced chipmaking tools" in flat
    assert report["names"]["rules"] == {"E-NL-SME-2023": "Dutch licence requirement for advanced chipmaking tools"}
    assert "(fraction of requested sales; approval)" in flat and "Growth of demand:" in flat
    assert report["names"]["regions"]["CHN"] == "China"
    # the headline output the published figures are of, by quarter, each figure with its publisher
    share = svg_text(tmp_path / "revenue_share_asml_CHN.svg")
    assert "ASML's share of revenue from China" in share and "Bloomberg, " in share and "observed: " not in share
    # a linked run's sensitivity rows carry their unit already: one unit column, never two
    header = (tmp_path / "sensitivity.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header.count("unit") == 1 and pd.read_csv(tmp_path / "sensitivity.csv")["unit"].notna().all()
    # each observation names the publisher of its fact beside the fact's id
    calibration = pd.read_csv(tmp_path / "calibration.csv")
    with_fact = calibration[calibration["fact"].notna()]
    assert len(with_fact) and with_fact["publisher"].notna().all()


def test_numbers_keep_their_precision_and_say_points_or_percent() -> None:
    assert labels.number(0.25, "pct") == "0.25%"
    assert labels.number(-100.0, "pct_points") == "-100 points"
    assert labels.number(2.5, "pct_points") == "+2.5 points"
    assert labels.number(86.3597, "pct") == "86.4%" and labels.number(40000.0, "cny_m") == "40,000"
    assert labels.number(-0.0001, "pct") == "-0.0001%" and labels.number(None) == "unknown"
    assert labels.unit_words("cny_m") == "million yuan (CNY)" and labels.unit_words("pct") == "percent"


def test_publishers_look_different_in_a_chart() -> None:
    styles = [marker_style(k) for k in range(40)]
    assert len(set(styles)) == len(styles)
    assert all(a[0] != b[0] and a[1] != b[1] for a, b in itertools.pairwise(styles))


def test_text_the_font_cannot_draw_is_marked_not_boxed(monkeypatch: pytest.MonkeyPatch) -> None:
    from chipshift.reports import chart_style as charts
    from chipshift.reports.chart_style import printable

    latin = frozenset(range(0x250)) | {ord("€")}  # a font without Chinese, Japanese or Korean
    monkeypatch.setattr(charts, "_glyphs", lambda: latin)
    assert printable("preliminary results, 业绩快报 of 27 Feb 2025") == \
        "preliminary results, [Chinese text] of 27 Feb 2025"
    assert printable("半導体の輸出 2024") == "[Japanese text] 2024"  # kana among the Han characters
    assert printable("반도체 수출") == "[Korean text] [Korean text]"
    assert printable("a \u2603 b") == "a […] b"  # a symbol of no known language
    assert printable("5-95% ± €") == "5-95% ± €"


def test_tables_of_a_run_carry_the_unit_of_each_row(ai_run: tuple[dict[str, Any], Path]) -> None:
    _, out = ai_run
    calibration = pd.read_csv(out / "calibration.csv")
    assert list(calibration.columns[:7]) == ["output", "title", "year", "observed", "model", "error", "unit"]
    units = dict(zip(calibration["output"], calibration["unit"], strict=True))
    assert units["localization"] == "pct" and units["revenue:cambricon"] == "cny_m"
    sensitivity = pd.read_csv(out / "sensitivity.csv")
    assert "unit" in sensitivity.columns and sensitivity["unit"].notna().all()
    assert set(sensitivity.loc[sensitivity["output"] == "revenue:cambricon", "unit"]) <= {"cny_m"}


def test_published_figures_of_one_year_stand_side_by_side() -> None:
    offsets = [spread(k, 6) for k in range(6)]
    assert offsets == sorted(offsets) and len(set(offsets)) == 6
    assert abs(sum(offsets)) < 1e-9 and max(offsets) - min(offsets) <= 0.36 + 1e-9
    assert spread(0, 1) == 0.0


@pytest.mark.parametrize(("value_unit", "words", "axis"), [
    ("units_m", "share of smartphone units bought, China", "% of units bought"),
    ("usd_bn", "share of smartphone spending, China", "% of market value"),
])
def test_a_chart_of_shares_says_units_where_the_case_counts_items(value_unit: str, words: str, axis: str) -> None:
    """A linked case whose values are counts reports shares of units, and its charts say so; in money,
    shares of spending."""
    from chipshift.reports.labels import describe

    report = {"model": "linked", "value_unit": value_unit, "periods": ["2020Q2"],
              "outputs": [{"output": "share:huawei@CHN", "unit": "pct"}, {"output": "value@CHN", "unit": value_unit}],
              "markets": [{"id": "CHN", "product": "smartphones", "region": "CHN"}],
              "names": {"owners": {"huawei": "Huawei"}, "products": {"smartphones": "smartphones"},
                        "regions": {"CHN": "China"}}}
    share = describe(report, "share:huawei@CHN")
    assert share.title == f"Huawei's {words}" and share.axis == axis
    size = describe(report, "value@CHN")
    assert size.title == ("Smartphone units bought, China" if value_unit == "units_m" else "Smartphone spending, China")
    # a flow is charted by quarter, and its axis says so; a share is no flow
    assert size.axis.endswith(" per quarter") and not share.axis.endswith(" per quarter")
    assert labels.is_flow(report, "value@CHN") and not labels.is_flow(report, "share:huawei@CHN")


@pytest.mark.parametrize(("value_unit", "title"), [
    ("units_m", "Share of smartphone units bought from other makers, China"),
    ("usd_bn", "Share of smartphone spending going to other makers, China"),
])
def test_a_group_of_sellers_share_says_bought_once(value_unit: str, title: str) -> None:
    """A group's share in a case counted in units is of the units bought from it ("bought" once), in money of the
    spending going to it."""
    from chipshift.reports.labels import describe

    report = {"model": "linked", "value_unit": value_unit, "periods": ["2020Q2"],
              "outputs": [{"output": "share:others@CHN", "unit": "pct"}],
              "markets": [{"id": "CHN", "product": "smartphones", "region": "CHN"}],
              "names": {"owners": {"others": "other makers"}, "groups": {"others": "other makers"},
                        "products": {"smartphones": "smartphones"}, "regions": {"CHN": "China"}}}
    assert describe(report, "share:others@CHN").title == title


def test_titles_read_as_an_analyst_writes_them() -> None:
    """Firm (by its short name), what of which product, then where: never "Micron Technology (HBM)'s share of
    buyers' spending in all its product's markets"."""
    report: dict[str, Any] = {"model": "linked", "value_unit": "usd_bn", "periods": ["2021Q4"],
              "outputs": [{"output": "share:micron-hbm", "unit": "pct"}, {"output": "share:micron@dram-dc",
                                                                         "unit": "pct"},
                          {"output": "price@dram-dc", "unit": "index"}, {"output": "localization@CHN", "unit": "pct"},
                          {"output": "revenue_share:micron@CHN", "unit": "pct"}],
              "markets": [{"id": "hbm", "product": "hbm", "region": "ROW", "segment": None},
                          {"id": "dram-dc", "product": "dram", "region": "CHN", "segment": "data_center"}],
              "names": {"owners": {"micron": "Micron Technology", "micron-hbm": "Micron Technology (HBM)"},
                        "short": {"micron": "Micron", "micron-hbm": "Micron"},
                        "seller_products": {"micron": "DRAM", "micron-hbm": "HBM"},
                        "products": {"hbm": "HBM", "dram": "DRAM"}, "regions": {"ROW": "Rest of the world",
                                                                              "CHN": "China"},
                        "segments": {"data_center": "data center"}}}
    titles = {o["output"]: labels.describe(report, o["output"]).title for o in report["outputs"]}
    assert titles == {
        "share:micron-hbm": "Micron's share of HBM spending, all markets",
        "share:micron@dram-dc": "Micron's share of DRAM spending, China, data center buyers",
        "price@dram-dc": "DRAM price, China, data center buyers (index, 2021Q4 = 1)",
        "localization@CHN": "Domestic sellers' share of DRAM spending, China (localization)",
        "revenue_share:micron@CHN": "Micron's share of revenue from China"}
    # a group of producers is named after what the title is about, never with a possessive
    report["names"]["short"]["others"] = "other producers in the rest of the world"
    report["names"]["groups"] = {"others": "other producers in the rest of the world"}
    report["outputs"].append({"output": "share:others@hbm", "unit": "pct"})
    assert labels.describe(report, "share:others@hbm").title == (
        "Share of HBM spending going to other producers in the rest of the world, Rest of the world")
    # the rest of the world after "from" as a sentence names it; a country as it is
    report["outputs"].append({"output": "revenue_share:micron@ROW", "unit": "pct"})
    assert labels.describe(report, "revenue_share:micron@ROW").title == (
        "Micron's share of revenue from the rest of the world")
    assert labels.short_name("Micron Technology", ["Micron", "Micron Technology Inc."]) == "Micron"
    assert labels.short_name("ChangXin Memory Technologies", ["CXMT", "ChangXin Memory"]) == "CXMT"
    assert labels.short_name("Nvidia", ["NVIDIA", "Nvidia Corporation"]) == "Nvidia"
    assert labels.short_name("SK hynix", ["SK Hynix", "SK hynix Inc.", "Hynix"]) == "SK hynix"


def test_parameters_in_words_name_what_they_set_and_where() -> None:
    """A parameter is named by what the key it fills sets, for the seller, market, rule or offering it sets it in
    (by the run's names); one filling a key in every market says so; a model parameter filling no key takes the
    model's description."""
    document = {
        "markets": [{"id": "CHN", "sigma": {"param": "sigma"}, "growth": {"param": "china_growth"},
                     "shares": {"acme": {"param": "acme_share"}}},
                    {"id": "ROW", "sigma": {"param": "sigma"}}],
        "sellers": [{"id": "acme", "firm": "acme", "quality_growth": {"param": "qg"},
                     "offerings": [{"label": "X1", "quality": {"param": "q_x1"}}]},
                    {"id": "other", "quality_growth": {"param": "qg"}}],
        "rules": [{"rule": "E-TEST", "approval": {"param": "approval"}}],
        "parameters": {"sigma": {}, "adjustment_months": {}, "unused": {}},
    }
    names = {"owners": {"acme": "Acme Corp"}, "markets": {"CHN": "Widgets, China", "ROW": "Widgets, Rest of the world"}}
    words = labels.parameter_words(document, names)
    assert words["sigma"] == "Substitution elasticity between sellers: every market"
    assert words["china_growth"] == "Growth of demand: Widgets, China"
    assert words["acme_share"] == "Starting share of Acme Corp: Widgets, China"
    assert words["qg"] == "Quality growth: Acme Corp; other"
    assert words["q_x1"] == "Quality: Acme Corp's X1"
    assert words["approval"] == "Share of licence requests approved: rule E-TEST"  # a rule the names lack: its id
    named = labels.parameter_words(document, names | {"rules": {"E-TEST": "Test licence requirement"}})
    assert named["approval"] == "Share of licence requests approved: Test licence requirement"
    assert words["adjustment_months"].startswith("Months for buyers to close 90%")
    assert "unused" not in words


def test_a_footer_of_a_case_citing_no_fact_says_so() -> None:
    # a case whose figures are all its own values (no fact or document cited) has no sources to point to: the footer
    # says that, and sends no one to a file
    report = {"scenario": "gallium-export-controls", "file": "examples/gallium-export-controls.yaml",
              "digest": "abc", "model": "linked", "draws": 0, "publishers": {},
              "rests_on": {"facts": [], "documents": []}}
    text = labels.footer(report, [])
    assert "cites no sourced figure" in text and "results.json" not in text
    cited = labels.footer({**report, "publishers": {"f": "Fastmarkets"}, "rests_on": {"facts": ["f"], "documents": []}},
                          [], quotes_in="the Sources section")
    assert "publishers: Fastmarkets; each with its source in the Sources section" in cited
    # a document a stated value names counts as a source too, and a figure the chart draws is named first
    documented = {**report, "documents": {"d": {"publisher": "USGS"}}, "rests_on": {"facts": [], "documents": ["d"]}}
    assert "cites no sourced figure" not in labels.footer(documented, [])
    both = labels.footer(documented, ["Reuters"])
    assert "shown: Reuters. The model rests on figures the case cites from: USGS" in both
    # a publisher of two figures drawn is named once, also where a legend names it with another
    twice = labels.footer(documented, ["AInvest", "Reuters", "Reuters; Bloomberg"])
    assert "shown: AInvest; Reuters; Bloomberg. The model" in twice
    # a run written before ``rests_on`` (an older results.json): every cited fact's publisher
    assert "publishers: Fastmarkets" in labels.footer({**report, "publishers": {"f": "Fastmarkets"}, "rests_on": None},
                                                      [])


def test_a_chart_of_model_outputs_names_the_sources_its_case_rests_on(bundled_store: Store) -> None:
    """The gallium case states its market values with bases naming the facts they come from, and shows its
    observations beside the model only (not fitted to): a chart of model outputs alone names the publishers of the
    facts its bases name, never "no sourced figure"; the facts of an observation shown only on its own chart are no
    part of the set-up."""
    import yaml

    gallium = REPO / "examples" / "gallium-export-controls.yaml"
    report = scenario_run(bundled_store, gallium, draws=0)
    # the reference, from the documented rule: every word of a basis outside an unfitted observation that is a fact
    # id of the store
    document = yaml.safe_load(gallium.read_text(encoding="utf-8"))
    bases = [m["value"]["basis"] for m in document["markets"]] + [
        s["basis"] for m in document["markets"] for s in m["shares"].values() if isinstance(s, dict)]
    known = {f["id"]: f for f in bundled_store.facts()}
    named = {word.strip("(),.") for basis in bases for word in basis.split()} & set(known)
    assert {"chn-production-gallium-2024-usgs-mcs2026", "eur-price-gallium-fastmarkets-high-2023-06-30"} <= named
    assert set(report["rests_on"]["facts"]) == named
    observed_only = {"chn-exports-gallium-2024-rawmaterials", "chn-price-gallium-smm-2023-08-31"}
    assert not observed_only & set(report["rests_on"]["facts"])
    assert set(report["facts"]) >= named and all(report["facts"][f]["quote"] for f in named)
    text = report["output_text"]["share:china_producers@ROW"]["footer"]
    assert "no sourced figure" not in text
    for fact in named:
        assert str(known[fact]["original_publisher"] or known[fact]["publisher"]) in text, fact
    # the chart that draws an observation names its document, then what the set-up rests on
    price = report["output_text"]["price@ROW"]["footer"]
    assert price.index("Fastmarkets, \"A make-or-break year") < price.index("The model rests on figures")


def test_the_model_line_says_whether_anything_was_fitted() -> None:
    assert labels.model_label({"calibration": {"fitted": {"q_h20": 0.6}}}) == "chipshift model (fitted)"
    assert labels.model_label({"calibration": {"fitted": {}}}, "model") == "model (not fitted)"


def test_figures_of_a_fiscal_year_stand_on_the_quarters_it_spans(micron_linked_run: LinkedRun) -> None:
    """Micron's published China revenue shares are of fiscal years (to September): each stands over the quarters
    its fiscal year spans, beside the model's value for that year, in the chart files and the HTML report."""
    report, files, html = micron_linked_run
    rows = [r for r in report["calibration"]["table"] if r["output"] == "revenue_share:micron@CHN"]
    assert {r["period"]: r["quarters"] for r in rows}["FY2022"] == ["2021Q4", "2022Q3"]
    assert all("quarters" not in r for r in report["calibration"]["table"] if re.fullmatch(r"\d{4}Q\d", r["period"]))
    chart = " ".join(svg_text(files / "revenue_share_micron_CHN.svg").split())  # legends wrap over lines
    assert "model, for a year or fiscal year (across its quarters)" in chart
    assert "chipshift model (fitted)" in chart  # the case fits parameters: its line says so, as the yearly charts do
    assert "IDX Channel, FY2022: mainland China" in chart  # the observation's publisher, period and basis
    assert "No published figure is shown" not in chart and "Sources of the published figures shown" in chart
    section = html.split("<h2>Published figures beside the model</h2>", 1)[1].split("<h2>", 1)[0]
    (micron,) = [c for c in re.findall(r"<svg.*?</svg>", section, re.S)
                 if "Micron&#x27;s share of revenue from China" in c]
    assert 'class="model-span"' in micron and "IDX Channel, FY2022, mainland China: 11%" in micron
    # the spans behind the model's quarterly line (drawn before it)
    assert micron.rindex('class="model-span"') < micron.index('fill="none" stroke="#1f4e79" stroke-width="2.2"')
    assert 'class="axis-label"' in micron
    # every output that figures are observed for has its chart, those figures on it with their publishers (CXMT's
    # share of the world's DRAM, Micron's of HBM), in the files and in the report
    for output in {r["output"] for r in report["calibration"]["table"]} - {"revenue_share:micron@CHN"}:
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in output)
        text = " ".join(svg_text(files / f"{stem}.svg").split())
        assert "Sources of the published figures shown" in text, output
        assert labels.describe(report, output).title.replace("'", "&#x27;") in section, output


def test_a_basis_is_shortened_at_a_clause_or_its_asides_never_mid_word() -> None:
    # a note after a semicolon goes; a semicolon inside brackets is part of the basis
    assert labels.short_definition("China region as cited by CFM; Micron's own figure differs") == \
        "China region as cited by CFM"
    assert labels.short_definition("China (blog; basis not stated)") == "China (blog; basis not stated)"
    # a long one loses its bracketed asides (who reported it), a short one keeps them
    long = "mainland China market's share of Micron's sales (Bloomberg data, as reported on 1 April 2023)"
    assert labels.short_definition(long) == "mainland China market's share of Micron's sales"
    assert labels.short_definition("world DRAM revenue (Omdia)") == "world DRAM revenue (Omdia)"
    assert labels.short_definition(None) == ""


def test_no_legend_or_label_of_a_run_is_cut(micron_linked_run: LinkedRun) -> None:
    report, _, _ = micron_linked_run
    for output in {r["output"] for r in report["outputs"]}:
        for point in labels.figure_points(report, output):
            assert "..." not in point.legend and "…" not in point.legend, point.legend
            assert point.basis != "as the case file states it"


def test_published_points_name_publisher_period_and_basis_and_mark_a_longer_period(
        micron_linked_run: LinkedRun) -> None:
    """Each figure beside a linked run's quarterly line says who published it, for what period and on what basis;
    a figure of a year or fiscal year is drawn hollow and footnoted, a basis its publisher leaves unstated is
    named: in the chart files, the report and the answer the web page draws from (one list for all three)."""
    report, files, html = micron_linked_run
    output = "revenue_share:micron@CHN"
    points = labels.figure_points(report, output)
    (blog,) = [p for p in points if p.publisher == "ademcetinkaya.com"]
    assert blog.period == "FY2023" and "basis not stated" in blog.basis and blog.other_basis
    assert blog.label == "ademcetinkaya.com, FY2023, China (blog; basis not stated), claim: 25%"
    (cxmt,) = [p for p in labels.figure_points(report, "share:cxmt") if p.publisher == "Omdia"]
    assert cxmt.period == "2025Q3" and not cxmt.other_basis  # a quarter's figure on a quarterly line
    note = labels.other_basis_note(points) or ""
    assert "(fiscal year: FY2022, FY2023, FY2024, FY2025)" in note
    assert "Basis not stated by its publisher: ademcetinkaya.com (FY2023)." in note
    chart = " ".join(svg_text(files / "revenue_share_micron_CHN.svg").split())
    assert "observed: " not in chart and "published: " not in chart
    assert "Readhub, FY2023, FY2024, FY2025: mainland China" in chart and labels.OTHER_BASIS_LEGEND in chart
    assert "Hollow diamonds are figures of a longer period" in chart and "ademcetinkaya.com (FY2023)" in chart
    (micron,) = [c for c in re.findall(r"<svg.*?</svg>", html, re.S)
                 if "Micron&#x27;s share of revenue from China" in c and "published" in c]
    assert "<title>ademcetinkaya.com, FY2023, China (blog; basis not stated), claim: 25%</title>" in micron
    words = " ".join(re.sub(r"<[^>]+>", " ", micron).split())  # legends and footers wrap over lines
    assert re.search(r'class="published"[^>]*fill="#fff"', micron) and labels.OTHER_BASIS_LEGEND in words
    assert "Basis not stated by its publisher: ademcetinkaya.com (FY2023)" in words
    web = report["output_text"][output]
    assert [p["label"] for p in web["points"]] == [p.label for p in points]
    assert "Hollow diamonds are figures of a longer period" in web["footer"]


def test_linked_charts_mark_where_the_sourced_data_end(micron_linked_run: LinkedRun) -> None:
    """A linked run's charts by quarter run past its last sourced figure into the model's projection: every medium
    marks the last quarter with sourced values ("data | model") from the one place (``labels.data_end``), the chart
    files, the HTML report and the answer the Results page draws from."""
    report, files, html = micron_linked_run
    end = labels.data_end(report)
    assert end is not None and end.label == labels.DATA_END_LABEL == "data | model"
    # the latest figure of the run is Omdia's share of CXMT in 2025Q3; the run goes on to 2027Q4
    assert end.period == "2025Q3" and report["periods"][1] > end.period and "2025Q3" in end.note
    for stem in ("revenue_share_micron_CHN", "price_hbm"):
        drawn = (files / f"{stem}.svg").read_text(encoding="utf-8")
        assert 'id="data-end"' in drawn and "data | model" in svg_text(files / f"{stem}.svg"), stem
    charts = re.findall(r"<svg.*?</svg>", html, re.S)
    marked = [c for c in charts if '<g class="data-end">' in c]
    assert len(marked) >= 2 and all("data | model" in c and "Sourced figures up to 2025Q3" in c for c in marked)
    assert all(text["data_end"] == dataclasses.asdict(end) for output, text in report["output_text"].items()
               if output != "shares")
    # a run whose figures reach its last quarter, or of another model, has no mark
    assert labels.data_end({**report, "model": "single"}) is None
    assert labels.data_end({**report, "outputs": [r for r in report["outputs"] if r["period"] <= "2025Q3"]}) is None


def test_an_index_reads_one_way_in_titles_axes_and_tornados(micron_linked_run: LinkedRun) -> None:
    """A price index is said one way (``labels.index_words``: "index, 2021Q4 = 1") in a chart's title and axis and
    in the tornado's title and axis, never "1 in the first quarter" beside "2021Q4 = 1"."""
    report, files, html = micron_linked_run
    assert labels.index_words(report) == "index, 2021Q4 = 1"
    text = labels.describe(report, "price@hbm")
    assert text.title.endswith("(index, 2021Q4 = 1)") and text.axis == "price (index, 2021Q4 = 1)"
    # every index a linked run titles says its base: a seller's price above its supply curve too
    for output in {r["output"] for r in report["outputs"] if r.get("unit") == "index"}:
        assert labels.describe(report, output).title.endswith("(index, 2021Q4 = 1)"), output
    tornados = sorted(files.glob("tornado_price_*.svg"))
    assert tornados
    for path in tornados:
        words = " ".join(svg_text(path).split())
        assert "1 in the first quarter" not in words and "first quarter = 1" not in words, path.name
        assert words.count("index, 2021Q4 = 1") >= 2, (path.name, words[:400])  # the title's and the axis's
    assert "An index: index, 2021Q4 = 1." in html


def test_parameters_are_shown_at_four_significant_figures() -> None:
    """A parameter's value as the pages and tables show it (``labels.parameter_shown``), the run's own value kept in
    full beside it."""
    assert labels.parameter_shown(3.57715891) == 3.577 and labels.parameter_shown(0.0123456) == 0.01235
    assert labels.parameter_shown(12345.678) == 12346 and labels.parameter_shown(0.0) == 0.0
    assert labels.parameter_shown(-2.0) == -2.0 and labels.parameter_shown(250.04) == 250.0


def test_a_share_axis_ends_at_100_percent_where_no_figure_passes_it() -> None:
    """A share held at 100% (China's producers in China's gallium market) is drawn on an axis ending at 100%, not
    padded to 104%; a figure above 100% (a change, an overshoot) keeps its room."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([2023, 2024, 2025], [100.0, 100.0, 100.0])
    value_axis(ax, "pct")
    assert ax.get_ylim()[1] == 100 and ax.get_ylim()[0] < 100
    assert not ax.lines[0].get_clip_on()  # the line on the edge drawn whole
    fig2, marks = plt.subplots()
    band = marks.fill_between([2023, 2024], [90.0, 95.0], [99.0, 100.0])
    points = marks.scatter([2024], [100.0], marker="D")  # a published figure at 100%
    value_axis(marks, "pct")
    assert marks.get_ylim()[1] == 100 and not points.get_clip_on() and band.get_clip_on()
    plt.close(fig2)
    over, axis = plt.subplots()
    axis.plot([2023, 2024], [90.0, 110.0])
    value_axis(axis, "pct")
    assert axis.get_ylim()[1] > 110
    plt.close(fig)
    plt.close(over)


def test_axis_ticks_take_their_decimals_from_their_step() -> None:
    """Ticks 0.25 apart read 0.25, 0.50, 0.75 on every axis (the chart files', the report's), never 0.2, 0.5, 0.8
    (one decimal, rounded); a whole step has none; a negative zero reads 0."""
    import matplotlib.pyplot as plt

    from chipshift.web import svg

    assert [labels.tick_decimals(s) for s in (0.25, 0.5, 5, 1.25, 12500)] == [2, 1, 0, 2, 0]
    # an axis to 50 in five steps of 10 (never four of 12.5), to 100 in four of 25
    assert [labels.tick_steps(t) for t in (1, 2, 2.5, 5, 50, 100)] == [4, 4, 5, 5, 5, 4]
    assert [labels.tick(v, 0.25) for v in (0, 0.25, 0.5, 0.75)] == ["0.00", "0.25", "0.50", "0.75"]
    assert labels.tick(-1e-9, 0.5, "pct") == "0.0%" and labels.tick(40000, 10000) == "40,000"
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0.1, 0.9])
    value_axis(ax, None)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    assert ax.yaxis.get_major_formatter().format_ticks(list(ax.get_yticks())) == ["0.00", "0.25", "0.50", "0.75",
                                                                                 "1.00"]
    plt.close(fig)
    chart = svg.trajectory([{"x": 2024, "value": 0.9}, {"x": 2025, "value": 0.95}], [], [], "Price", "")
    ticks = re.findall(r'text-anchor="end" font-size="11" fill="#5b6b7c">([^<]+)</text>', chart)
    assert ticks == ["0.00", "0.25", "0.50", "0.75", "1.00"], ticks


#: Episodes whose sellers include groups of producers (a country's, the rest of the world's), read for their
#: outputs only (never run or scored here), and every thirteenth of the rest of the library.
GROUP_EPISODES = ("algeria-gme-closure-2021", "gazprom-gas-cuts-2022", "china-us-gallium-ban-2024",
                  "japan-korea-hf-2019", "iran-oil-sanctions-2018", "china-urea-export-inspection-2021")
EPISODES = REPO / "src" / "chipshift" / "data" / "episodes"


def _case_titles(store: Store, path: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Every output a linked case produces (as its file declares them) with the title a run of it gives it; the
    case's groups of producers and its products, by name."""
    from chipshift.api.backtest import _output_titles
    from chipshift.api.cases import load
    from chipshift.api.market_runs import _linked_names

    case = load(store, path)[0]
    assert isinstance(case, linked.LinkedCase)
    title = _output_titles(store, case)
    names = _linked_names(store, case)
    return ({o: title(o) for o in sorted(linked_outputs(labels.case_document(str(path))))}, names["groups"],
            names["products"])


def _linked_files() -> list[Path]:
    examples = [p for p in sorted((REPO / "examples").glob("*.yaml"))
                if "model: linked" in p.read_text(encoding="utf-8")]
    episodes = sorted(EPISODES.glob("*.yaml"))
    sample = [p for p in episodes if p.stem in GROUP_EPISODES] + [p for p in episodes[::13]
                                                                  if p.stem not in GROUP_EPISODES]
    return examples + sample


def test_titles_of_every_output_read_as_plain_english(bundled_store: Store,
                                                     ai_run: tuple[dict[str, Any], Path]) -> None:
    """Every output of every bundled linked example, of a sample of episodes and of a single-market example (China's
    AI accelerators, whose domestic source is a group): a title opens with a capital and
    names a group of producers without a possessive ("Algeria's producers' share" reads as an inverted sentence),
    a product that is a common noun in lower case inside it ("natural gas", not "Natural gas"), no region as "to
    Rest of the world", and no code."""
    checked = 0
    groups_seen = 0
    single = ai_run[0]
    cases = [(AI, {o: t["title"] for o, t in single["output_text"].items()}, single["names"]["groups"],
              single["names"]["products"])]
    assert single["output_text"]["share:other-domestic"]["title"] == (
        "Share of AI accelerator spending going to China's other producers, China")
    for path, titles, groups, products in [*cases, *((p, *_case_titles(bundled_store, p)) for p in _linked_files())]:
        # a product's name in sentence case with no other capital or digit is a common noun ("Natural gas")
        common = [p for p in products.values() if p[:1].isupper() and p[1:] == p[1:].lower()
                  and not any(c.isdigit() for c in p)]
        groups_seen += len(groups)
        for output, title in titles.items():
            where = f"{path.name}: {output}: {title}"
            assert title[:1].isupper(), where
            assert not any(f"{group}'" in title for group in groups.values()), where
            assert not any(p in title[1:] for p in common), where
            assert not re.search(r"\b(to|from|in) Rest of\b", title), where
            assert "_" not in title and not any(code in title for code in groups if "-" in code or "_" in code), where
            checked += 1
    assert checked > 500 and groups_seen >= 8


def test_titles_of_a_group_of_producers(bundled_store: Store) -> None:
    titles = _case_titles(bundled_store, EPISODES / "algeria-gme-closure-2021.yaml")[0]
    assert titles["volume_index:algeria@ESP"] == (
        "Natural gas deliveries from Algeria's producers to Spain (index, 2021Q1 = 1)")
    assert titles["share:algeria@ESP"] == "Share of natural gas spending going to Algeria's producers, Spain"
    assert titles["price:algeria@ESP"] == "Price of natural gas from Algeria's producers, Spain"
    assert titles["revenue_share:algeria@ESP"] == "Share of the revenue of Algeria's producers from Spain"
    assert titles["revenue:algeria"] == "Revenue of Algeria's producers"
    assert titles["volume_index:usa@ESP"] == (
        "Natural gas deliveries from the United States' producers to Spain (index, 2021Q1 = 1)")
    gallium = _case_titles(bundled_store, REPO / "examples" / "gallium-export-controls.yaml")[0]
    assert gallium["quantity:other_producers@ROW"] == (
        "Gallium deliveries from other producers in the rest of the world to the rest of the world")
    assert gallium["rationed:china_producers"] == (
        "Demand for gallium from China's producers beyond their capacity (rationed)")
    # a firm keeps its possessive
    asml = _case_titles(bundled_store, ASML)[0]
    assert asml["revenue_share:asml@CHN"] == "ASML's share of revenue from China"


def _flat_report(values: dict[str, list[float]], file: str | None = None) -> dict[str, Any]:
    """A linked run of two quarters in one market (China's gallium) with ``values`` for its outputs (percent)."""
    return {"model": "linked", "value_unit": "usd_m", "periods": ["2023Q1", "2023Q2"], "file": file,
            "markets": [{"id": "CHN", "region": "CHN", "product": "gallium", "segment": None},
                        {"id": "ROW", "region": "ROW", "product": "gallium", "segment": None}],
            "outputs": [{"output": o, "period": p, "value": v, "unit": "pct"} for o, vs in values.items()
                        for p, v in zip(["2023Q1", "2023Q2"], vs, strict=True)],
            "names": {"regions": {"CHN": "China", "ROW": "Rest of the world"}, "products": {"gallium": "Gallium"},
                      "owners": {"sole": "China's producers", "barred": "Acme Metals"},
                      "short": {"sole": "China's producers", "barred": "Acme"},
                      "groups": {"sole": "China's producers"}}}


def test_a_share_that_never_moves_says_so_and_why_instead_of_a_chart(tmp_path: Path) -> None:
    """A share at 100% (a sole supplier) or 0% (a barred seller) in every quarter would be a blank line along an
    edge of its axis: the run says, in words, what it is, that it holds there throughout and why."""
    case = tmp_path / "case.yaml"
    case.write_text("sellers:\n  - {id: sole, country: CHN, product: gallium}\n  - {id: barred, firm: barred, "
                    "product: gallium}\nmarkets:\n  - {id: CHN, region: CHN, product: gallium, shares: {sole: 60, "
                    "barred: 40}}\n", encoding="utf-8")
    report = _flat_report({"share:sole@CHN": [100.0, 100.0], "share:barred@CHN": [0.0, 0.0],
                           "localization@CHN": [100.0, 100.0], "share:sole@ROW": [40.0, 55.0],
                           "revenue_share:barred@ROW": [0.0, 0.0]}, str(case))
    sole = labels.unchanging(report, "share:sole@CHN")
    assert sole == ("Share of gallium spending going to China's producers, China: 100% in every quarter from 2023Q1 "
                    "to 2023Q2, so it has no chart: China's producers are the only seller with a share of the "
                    "gallium market in China.")
    barred = labels.unchanging(report, "share:barred@CHN")
    assert barred is not None and barred.startswith("Acme's share of gallium spending, China: 0% in every quarter")
    # it had a share at the start and sells nothing: a rule keeps it out
    assert "Acme sells nothing there: the case gives it a share of the gallium market in China at the start, and " \
           "its rules keep it out from the first quarter" in barred
    # in the rest of the world the case gives it no share: it never gets one
    row = labels.unchanging(report, "revenue_share:barred@ROW")
    assert row is not None and "gives it no share of the gallium market in the rest of the world at the start" in row
    assert "is domestic there (China's producers)" in (labels.unchanging(report, "localization@CHN") or "")
    assert labels.unchanging(report, "share:sole@ROW") is None  # it moves: charted
    # demand no allowed seller serves, at 0% throughout, would be a flat line along the axis's foot: no chart, a
    # sentence saying so in place of it; above 0% anywhere, its chart stays
    flat = _flat_report({"unmet@CHN": [0.0, 0.0]})
    unmet = labels.unchanging(flat, "unmet@CHN") or ""
    assert "0% in every quarter from 2023Q1 to 2023Q2, so it has no chart: every buyer's demand is served by a " \
           "seller the rules allow" in unmet, unmet
    assert labels.unchanging(_flat_report({"unmet@CHN": [0.0, 2.0]}), "unmet@CHN") is None
    # a band that leaves the edge keeps its chart, and an output not in percent has none of this
    report["outputs"][0] |= {"p5": 96.0, "p95": 100.0}
    assert labels.unchanging(report, "share:sole@CHN") is None
    assert labels.unchanging({**report, "outputs": [{**r, "unit": "usd_m"} for r in report["outputs"]]},
                             "share:barred@CHN") is None


def test_run_files_leave_out_the_chart_of_a_share_that_never_moves(bundled_store: Store, tmp_path: Path) -> None:
    """China's gallium market has one seller, China's producers: its localization is 100% in every quarter, so the
    files draw no chart of it and list it, with why, in charts_left_out.csv; the rest of the world's is drawn."""
    report = scenario_run(bundled_store, REPO / "examples" / "gallium-export-controls.yaml", draws=0)
    written = write_outputs(report, tmp_path)
    assert "localization_CHN.svg" not in written and not (tmp_path / "localization_CHN.svg").exists()
    assert "localization_ROW.svg" in written
    left = pd.read_csv(tmp_path / "charts_left_out.csv")
    row = left[left["output"] == "localization@CHN"].iloc[0]
    assert row["title"] == "Domestic sellers' share of gallium spending, China (localization)"
    assert "100% in every quarter from 2023Q1 to 2025Q2" in row["note"] and "(China's producers)" in row["note"]
    # the rest of the world's producers sell nothing in China: their revenue share from China is 0% throughout
    assert "revenue_share:other_producers@CHN" in set(left["output"])
    assert not (tmp_path / "revenue_share_other_producers_CHN.svg").exists()
    # nor a tornado, where no parameter moves it: every bar would be of zero length
    assert not (tmp_path / "tornado_localization_CHN.svg").exists()
    assert (tmp_path / "tornado_localization_ROW.svg").exists()
    # the run's answer carries the same sentence for the web
    assert report["output_text"]["localization@CHN"]["unchanging"] == row["note"]
    assert report["output_text"]["localization@ROW"].get("unchanging") is None


def test_a_comparison_leaves_out_a_share_flat_on_both_sides_and_names_each_side_where_they_differ(
        bundled_store: Store, tmp_path: Path) -> None:
    """China's producers sell no gallium in the rest of the world on either side, for two reasons: under side a's
    ban they had a share at the start and the rule keeps them out from the first quarter; side b's case gives them
    none at the start. The comparison has no chart of their share (each run alone has none) and says each side's
    sentence after the side's name; their share of China's market, 100% on both sides for one reason, is said once
    for both."""
    ban = {"name": "no gallium exports", "add": [{
        "id": "X-GA-EXPORT-BAN-2021", "name": "China bars gallium exports", "imposed_by": "CHN",
        "kind": "raw_material_export_control", "policy": "ban", "products": [{"input": "gallium"}],
        "sellers": {"hq_in": ["CHN"]}, "targets": {"countries": ["WLD"]}, "effective": "2021-01-01",
        "summary": "A hypothetical ban on every export of gallium from China."}]}
    document = yaml.safe_load(GALLIUM.read_text(encoding="utf-8"))
    row = next(m for m in document["markets"] if m["id"] == "ROW")
    row["shares"] = {"other_producers": {"value": 100, "unit": "pct", "basis": "no Chinese exports"}}
    document |= {"name": "gallium-at-home", "rules": [],
                 "observations": [o for o in document["observations"] if "@ROW" not in o["output"]]}
    home = tmp_path / "gallium-at-home.yaml"
    home.write_text(yaml.safe_dump(document), encoding="utf-8")
    report = scenario_compare(bundled_store, Variant(GALLIUM, restrictions=ban), home)
    # each side by its case's title (the copy keeps the description, so the title), what changed after it
    assert (report["case_a"], report["case_b"]) == ("gallium-export-controls", "gallium-at-home")
    assert (report["a"], report["b"]) == (f"{report['title_a']} (under no gallium exports)", report["title_b"])
    text = report["output_text"]
    alone = {side: scenario_run(bundled_store, *args)["output_text"] for side, args in (
        ("a", (GALLIUM, 0, 20261125, None, ban)), ("b", (home, 0)))}
    output = "share:china_producers@ROW"
    a, b = alone["a"][output]["unchanging"], alone["b"][output]["unchanging"]
    assert a and b and a != b and "its rules keep them out from the first quarter" in a and "gives them no share" in b
    assert text[output]["unchanging"] == f"On side a, {report['a']}: {a} On side b, {report['b']}: {b}"
    home_market = "share:china_producers@CHN"
    assert text[home_market]["unchanging"] == (f"On both sides (a: {report['a']}; b: {report['b']}): "
                                               f"{alone['a'][home_market]['unchanging']}")
    # a share at an edge on one side only (the web's test shows one), or on neither, keeps its chart
    assert labels.unchanging_on_both_sides(None, b, ("x", "y")) is None
    assert labels.unchanging_on_both_sides(a, None, ("x", "y")) is None


def test_a_case_is_titled_and_its_parameters_named_in_words() -> None:
    """A case is headed by its description's first sentence (short), never its file's name; a calibration statement
    names each parameter by what it sets, its id after it."""
    assert labels.case_title("gallium-export-controls", "China required licences for exports of gallium from 1 "
                             "August 2023 (announced 3 July). Chinese producers can still sell at home.") == (
        "China required licences for exports of gallium from 1 August 2023")
    short = labels.case_title("micron-china", "Who takes Micron's place in China's DRAM market, and what happens to "
                              "Micron's share of revenue from mainland China, FY2022-FY2027.")
    assert short == ("Who takes Micron's place in China's DRAM market, and what happens to Micron's share of revenue "
                     "from mainland China, FY2022-FY2027")  # whole: within the limit
    long = labels.case_title("micron-china-linked", (
        "Who takes Micron's place in China's DRAM market after the 2023 ban in critical information infrastructure "
        "and Micron's 2025 exit from China's data centres, and what happens to Micron's share of revenue from "
        "mainland China as HBM and the rest of the world's DRAM grow, FY2022-FY2027. More follows."))
    # a longer one ends at its last clause within the limit, never mid-clause nor with an ellipsis
    assert long == ("Who takes Micron's place in China's DRAM market after the 2023 ban in critical information "
                    "infrastructure and Micron's 2025 exit from China's data centres")
    assert "…" not in long and len(long) <= labels.CASE_TITLE
    assert labels.case_title("my-case", None) == "my case"
    statement = "the observations do not pin down q_h20, sigma: their posterior is nearly as wide as the prior"
    assert labels.with_parameter_names(statement, {"q_h20": "Quality: Nvidia's H20", "sigma": "Substitution "
                                                   "elasticity between sellers"}) == (
        "the observations do not pin down quality: Nvidia's H20 (q_h20), substitution elasticity between sellers "
        "(sigma): their posterior is nearly as wide as the prior")


def test_a_difference_that_rounds_to_nothing_reads_0_not_minus_0() -> None:
    """A comparison's b - a that rounds to nothing is 0, never -0 (the Compare page's table prints it as it comes)."""
    import math

    from chipshift.api.market_runs import difference

    d = difference(1.00001, 1.0)
    assert d == 0 and math.copysign(1.0, d) == 1.0 and str(d) == "0.0"
    assert difference(1.0, 0.5) == -0.5 and difference(None, 1.0) is None


def test_run_files_leave_out_a_chart_of_unmet_demand_at_0_everywhere(tmp_path: Path) -> None:
    """A single market's demand no allowed source serves, 0% in every year and draw: no unmet chart, the table of
    charts left out says what it is and why."""
    from chipshift.reports.market_run_files import LEFT_OUT, left_out

    report = {"region": "CHN", "product": "dram", "years": [2023, 2025], "names": {}, "outputs": [
        {"output": "unmet", "year": y, "value": 0.0, "p5": 0.0, "p95": 0.0, "unit": "pct"} for y in (2023, 2024, 2025)]}
    charted, notes = left_out(report, ["unmet"], tmp_path)
    assert charted == [] and notes == [LEFT_OUT]
    (note,) = pd.read_csv(tmp_path / LEFT_OUT)["note"]
    assert "0% in every year from 2023 to 2025 and in every draw, so it has no chart" in note


def test_a_series_has_one_colour_in_the_files_the_report_and_the_web(bundled_store: Store, tmp_path: Path) -> None:
    """One palette, a series' colour chosen by its name once for the whole run: a publisher's diamonds are drawn in
    the colour the web's chart text gives it (``output_text[...]["colours"]``), in the chart files and in the report,
    and in every chart of the run that shows it; the model's line keeps the first colour."""
    from chipshift.reports import palette
    from chipshift.web.market_report import render

    report = scenario_run(bundled_store, REPO / "examples" / "micron-china-linked.yaml", draws=0,
                          calibration_draws=CALIBRATION_DRAWS)
    write_outputs(report, tmp_path)
    html = render(report, {}, "micron-china-linked.yaml")
    run = labels.series_colours(report)
    assert run[labels.model_label(report)] == palette.MODEL
    assert labels.run_colours(report).items() <= run.items()  # the files and the report read the answer's
    checked = 0
    for output, text in report["output_text"].items():
        points = [p for p in labels.figure_points(report, output) if not p.other_basis]
        if not points or text.get("unchanging"):
            continue
        web = text["colours"]
        assert web[labels.model_label(report)] == palette.MODEL
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in output)
        drawn = (tmp_path / f"{stem}.svg").read_text(encoding="utf-8")
        (chart,) = [c for c in re.findall(r"<svg.*?</svg>", html, re.S)
                    if text["title"].replace("'", "&#x27;") in c and 'class="published"' in c]
        for p in points:
            colour = web[p.publisher]
            assert colour == run[p.publisher], (output, p.publisher)  # the same in every chart of the run
            assert f"fill: {colour}" in drawn, (output, p.publisher)  # the chart file's diamond
            assert re.search(rf'class="published"[^>]*fill="{colour}"[^>]*><title>{re.escape(escape(p.label))}',
                             chart), (output, p.publisher)  # the report's
            checked += 1
    assert checked >= 3


def test_the_one_palette_stands_out_from_the_background_and_the_pages_take_it_from_the_server() -> None:
    """Every series colour has at least 3:1 contrast against the charts' white (WCAG non-text contrast); the
    files' and the report's palettes are that one, and the web's script has no colours of its own: each page
    carries the palette the server gives it."""
    from chipshift.reports import chart_style, palette
    from chipshift.web import svg
    from chipshift.web.routes.pages import render

    assert all(palette.contrast(c) >= palette.NON_TEXT_CONTRAST for c in palette.PALETTE), [
        (c, round(palette.contrast(c), 2)) for c in palette.PALETTE]
    assert chart_style.PALETTE == svg.PALETTE == palette.PALETTE
    script = (REPO / "src" / "chipshift" / "web" / "static" / "js" / "charts.js").read_text(encoding="utf-8")
    assert not re.search(r'\[\s*"#[0-9a-fA-F]{6}"\s*,\s*"#', script)  # no list of colours of its own
    assert f'data-palette="{" ".join(palette.PALETTE)}"' in render("results")
    # by name, never by position: the same names, the same colours; a name never takes the model's
    first = palette.assign(["IDC", "Omdia"], model="chipshift model (fitted)")
    assert palette.assign(["IDC", "Omdia", "TrendForce"], model="chipshift model (fitted)").items() >= first.items()
    assert palette.MODEL not in [c for name, c in first.items() if name != "chipshift model (fitted)"]


def test_a_supplier_has_one_colour_in_the_stack_file_the_report_and_the_web(
        ai_run: tuple[dict[str, Any], Path]) -> None:
    """A single market's suppliers, stacked by year, in the colours the web's chart text gives them, in the chart
    file and the report alike; every series a chart of the run draws (a literal observation's document by its
    publisher too, as the Results page draws it) has its colour in that chart's text."""
    from chipshift.web.market_report import render

    report, out = ai_run
    for output, text in report["output_text"].items():
        assert set(labels.chart_series(report, output)) <= set(text["colours"]), output
    suppliers = report["output_text"]["shares"]["colours"]
    assert len(suppliers) >= 3 and len(set(suppliers.values())) == len(suppliers)
    html = render(report, {}, "china-ai-accelerators.yaml")
    drawn = (out / "shares.svg").read_text(encoding="utf-8")
    for name, colour in suppliers.items():
        assert re.search(rf'fill="{colour}"><title>{re.escape(escape(name))} \d{{4}}:', html), name
        assert f"fill: {colour}" in drawn, name


def test_a_band_ten_times_its_median_is_cut_and_marked_alike_in_the_files_the_report_and_the_web(
        ai_run: tuple[dict[str, Any], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One rule for a band too wide for its chart (``labels.band_axis``): Cambricon's revenue with a p95 ten times
    its median takes the value axis to the same top in the chart file, the report and the web's chart text, the
    band is cut there, and each medium says where the band's top is ("p95 off scale: ...") at the top of the plot."""
    import copy

    from chipshift.reports import chart_style, market_run_files
    from chipshift.web.market_report import render

    report, _ = ai_run
    output = "revenue:cambricon"
    # the web's chart text carries the value axis the shared rule gives
    assert report["output_text"][output]["band"] == labels.output_band_axis(report, output).__dict__
    wide = copy.deepcopy(report)
    for row in wide["outputs"]:
        if row["output"] == output:
            row["p95"] = 10 * row["median"]
    axis = labels.output_band_axis(wide, output)
    assert axis.clipped and axis.top < axis.band_top
    top = max(r["p95"] for r in wide["outputs"] if r["output"] == output)
    assert axis.note == f"p95 off scale: {labels.number(top)}"
    drawn = max(v for r in wide["outputs"] if r["output"] == output for v in (r["value"], r["median"]))
    assert drawn <= axis.top <= labels.nice_top(labels.BAND_ROOM * drawn * 1.05)
    # the chart file: its axis ends at that top, and the plot says where the band's top is
    figures: list[Any] = []

    def kept(fig: Any, stem: Path) -> list[str]:
        figures.append(fig)
        return chart_style.save(fig, stem)

    monkeypatch.setattr(market_run_files, "save", kept)
    market_run_files.trajectory(wide, output, tmp_path / "revenue_cambricon")
    (ax,) = figures[0].axes
    assert ax.get_ylim()[1] == pytest.approx(axis.top)
    assert f"▲ {axis.note}" in svg_text(tmp_path / "revenue_cambricon.svg")
    # the report: the same top tick, the same mark
    title = report["output_text"][output]["title"]
    (chart,) = [c for c in re.findall(r"<svg.*?</svg>", render(wide, {}, "china-ai-accelerators.yaml"), re.S)
                if escape(title) in c]
    ticks = [float(t.replace(",", "")) for t in re.findall(r'<text x="58" y="[\d.]+" text-anchor="end"[^>]*>([\d.,]+)<',
                                                          chart)]
    assert max(ticks) == pytest.approx(axis.top)
    assert f"▲ {escape(axis.note)}" in chart


def _fifteen() -> tuple[list[str], dict[str, tuple[str, int]]]:
    """Fifteen series drawn in one chart, and their looks (``palette.styles``): four past the palette's colours."""
    from chipshift.reports import palette

    names = [f"Publisher {k}" for k in range(15)]
    return names, palette.styles(names, model="chipshift model (fitted)", charts=[names])


def test_fifteen_series_of_one_chart_never_share_both_colour_and_cue() -> None:
    """Past the palette's eleven colours a series takes a second cue (a figure's shape, a stack part's stripes), by
    its name, once for the run: of fifteen series in one chart no two share both colour and cue; a name whose colour
    comes again in a chart it is never drawn in keeps cue 0 (its charts look as before)."""
    from chipshift.reports import palette

    names, looks = _fifteen()
    assert len(set(looks.values())) == len(looks) == 16
    assert [looks[n][1] for n in names] == [0] * 11 + [1] * 4
    # apart: a colour comes again, cue 0, for a name never drawn with the name that has it, and a name whose colour in
    # turn is close to one beside it (the twelfth's red, the tenth's) takes the next that is not
    apart = palette.styles(names[:12], charts=[names[:6], names[6:]])
    assert apart[names[11]][1] == 0 and apart[names[11]][0] in {apart[n][0] for n in names[:6]}
    assert all(palette.difference(apart[names[11]][0], apart[n][0]) >= palette.DISTINCT for n in names[6:11])


def test_colour_differences_are_cielab_distances() -> None:
    # CIE76 delta E over CIELAB (D65): black to white is 100; pure red is L* 53.24, a* 80.09, b* 67.20
    assert palette.difference("#000000", "#ffffff") == pytest.approx(100.0, abs=0.01)
    assert palette.difference("#ff0000", "#000000") == pytest.approx(math.hypot(53.24, 80.09, 67.20), abs=0.05)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_series_drawn_together_look_apart(data: st.DataObject) -> None:
    """Whatever the run's names and charts, when no name is drawn beside more than seven others, every two series
    of a chart (and the model's line) differ by at least ``palette.DISTINCT``."""
    names = [f"N{k}" for k in range(data.draw(st.integers(2, 30)))]
    charts = data.draw(st.lists(st.lists(st.sampled_from(names), min_size=1, max_size=8, unique=True),
                                min_size=1, max_size=12))
    beside: dict[str, set[str]] = {n: set() for n in names}
    for chart in charts:
        for n in chart:
            beside[n] |= set(chart) - {n}
    assume(all(len(b) <= 7 for b in beside.values()))
    looks = palette.styles(names, model="model", charts=charts)
    for chart in charts:
        colours = [looks[n][0] for n in chart] + [palette.MODEL]
        assert all(palette.difference(a, b) >= palette.DISTINCT for a, b in itertools.combinations(colours, 2))


def test_fifteen_series_look_different_in_the_report_and_the_files(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The report draws a series' cue as the pages do: its published figures a diamond, a triangle or a square; its
    stack part plain or striped; in the chart files a stack part is hatched and a linked run's figure takes the
    cue's marker. Fifteen series in one chart: fifteen different looks, in each medium."""
    from chipshift.reports import chart_style, market_run_files
    from chipshift.web import svg

    names, looks = _fifteen()
    colours = {n: c for n, (c, _) in looks.items()}
    cues = {n: k for n, (_, k) in looks.items() if k}
    published = [{"x": 2024 + k % 3, "value": 10.0 + k, "publisher": n} for k, n in enumerate(names)]
    chart = svg.trajectory([{"x": y, "value": 12.0} for y in (2024, 2025, 2026)], published, [], "Figures", "",
                           colours=colours, cues=cues)
    marks = re.findall(r'class="published"[^>]*?fill="(#\w+)"[^>]*data-shape="(\w+)"', chart)
    assert len(marks) == 15 and len(set(marks)) == 15, marks
    legend = re.findall(r'fill="(#\w+)" stroke="#\w+" stroke-width="1.5" data-shape="(\w+)"', chart)
    assert set(marks) <= set(legend)
    stack = svg.stack([(2024, [(n, 100 / 15) for n in names])], "Shares", colours=colours, cues=cues)
    parts = re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="[\d.]+" fill="(#\w+)"><title>'
                       r'([^<]*) 2024:.*?</rect>((?:<line [^>]*/>)*)', stack)

    def stripes(lines: str) -> str:
        ends = re.search(r'x1="([\d.]+)" x2="([\d.]+)"', lines)
        return "none" if ends is None else "upright" if ends.group(1) == ends.group(2) else "across"

    looked = {(fill, stripes(lines)) for _, fill, _, lines in parts}
    assert len(parts) == 15 and len(looked) == 15, parts
    # the files: each supplier's part hatched by its cue, over its colour
    report = {"region": "CHN", "product": "dram", "scenario": "fifteen", "draws": 0, "names": {"owners": {}},
              "outputs": [{"output": f"share:{n}", "year": 2024, "value": 100 / 15, "unit": "pct"} for n in names],
              "output_text": {"shares": {"colours": colours}}}
    monkeypatch.setattr(labels, "series_cues", lambda _report: {n: k for n, (_, k) in looks.items()})
    figures: list[Any] = []

    def kept(fig: Any, stem: Path) -> list[str]:
        figures.append(fig)
        return chart_style.save(fig, stem)

    monkeypatch.setattr(market_run_files, "save", kept)
    market_run_files.share_stack(report, tmp_path / "shares")
    bars = [(p.get_facecolor(), p.get_hatch() or "") for p in figures[0].axes[0].patches]
    assert len(bars) == 15 and len(set(bars)) == 15, bars
    assert chart_style.CUE_MARKERS[0] == "D" and len(chart_style.CUE_MARKERS) == len(chart_style.CUE_HATCHES) == 3


def test_the_parameters_a_linked_case_takes_from_the_catalogue_are_named_in_words_with_their_unit() -> None:
    """A linked case's run lists the rush's parameters its loader takes from the catalogue (the share of buyers who
    stock up, the yearly carrying cost) though its file never names them: the parameter tables, the sensitivity and
    the Results page name them in words, each with its unit, as they do the file's own parameters."""
    from chipshift.reports.market_run_files import parameter_table

    document = labels.case_document(str(ASML))
    words, units = labels.parameter_words(document), labels.parameter_units(document)
    assert words["rush_buyer_share"].startswith("Share of a rushed pair's buyers who stock up")
    assert units["stock_carrying_cost"] == "fraction of the stock's value a year"
    table = parameter_table({"file": str(ASML), "parameters": [{"id": "rush_buyer_share", "value": 0.4}]})
    assert list(table["unit"]) == ["fraction of the pair's buyers"]
    # a single market's case has none of them
    assert "rush_buyer_share" not in labels.parameter_words(labels.case_document(str(AI)))


@pytest.mark.parametrize(("episode", "one", "other", "title"), [
    ("huawei-fdpr-2020", "share:huawei@CHN", "share:honor@CHN", "Honor's share of smartphone units bought, China"),
    ("tesla-us-tax-credit-rush-2018", "quantity:model3@USA", "quantity:models_x@USA", None),
])
def test_two_sellers_of_one_product_are_told_apart_in_titles(bundled_store: Store, episode: str, one: str,
                                                              other: str, title: str | None) -> None:
    """Sellers of one product that their owner's or country's name would not tell apart (Huawei's brand Honor
    before its sale, two lines of the United States' car producers) are titled each by its own name: a brand that is
    a firm of the knowledge base by that firm's name, else the shared name with the line's id."""
    titles = _case_titles(bundled_store, EPISODES / f"{episode}.yaml")[0]
    assert titles[one] != titles[other]
    if title:
        assert titles[other] == title and titles[one] == "Huawei's share of smartphone units bought, China"
    # every output of the case has a title of its own
    assert len(set(titles.values())) == len(titles), sorted(titles.values())
