"""Quality on the hand-labelled evaluation set (tests/ingest/eval): fails when precision or recall drops.

Measured values are in docs/ingest.md; the floors below sit slightly under them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from chipshift.ingest.evaluation import evaluate, load_cases
from chipshift.ingest.kb import KnowledgeBase

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)

EVAL = Path(__file__).resolve().parent / "eval"
REPO = Path(__file__).resolve().parents[2]

FLOORS = {  # kind: (precision, recall); measured 0.970/1.000, 0.769/0.870, 1.000/1.000, 1.000/1.000 (events 0.833
    # before an export control naming two or three firms it reaches was given once per firm: one misread event, of
    # TSMC and SMIC, became two)
    "claims": (0.95, 0.97),
    "events": (0.76, 0.84),
    "references": (0.97, 0.97),
    "findings": (0.90, 0.95),
}
#: The real-article set (tests/ingest/eval-real): twenty-nine batches, all development data now (docs/ingest.md gives
#: each batch's first, out-of-sample score and each round's figures). Floors just under the values measured after the
#: last round, with the shipped learned reading of measures (ingest/binding.py, trained on every batch), each figure
#: rounded down.
REAL = Path(__file__).resolve().parent / "eval-real"
REAL_FLOORS = {"dev": {"claims": (0.84, 0.88), "events": (0.65, 0.62)},
               "test": {"claims": (0.73, 0.75), "events": (0.63, 0.46)},
               "test2": {"claims": (0.70, 0.64), "events": (1.00, 0.80)},
               "test3": {"claims": (0.73, 0.80), "events": (0.50, 0.45)},
               "test4": {"claims": (0.80, 0.78), "events": (0.68, 0.68)},
               "test5": {"claims": (0.75, 0.80), "events": (0.64, 0.61)},
               "test6": {"claims": (0.70, 0.67), "events": (0.63, 0.54)},
               "test7": {"claims": (0.51, 0.55), "events": (0.42, 0.47)},
               "test8": {"claims": (0.79, 0.87), "events": (0.33, 0.26)},
               "test9": {"claims": (0.77, 0.76), "events": (0.37, 0.30)},
               "test10": {"claims": (0.46, 0.44), "events": (0.64, 0.45)},
               "test11": {"claims": (0.63, 0.73), "events": (0.37, 0.50)},
               "test12": {"claims": (0.75, 0.76), "events": (0.86, 0.54)},
               "test13": {"claims": (0.58, 0.64), "events": (0.75, 0.75)},
               "test14": {"claims": (0.55, 0.46), "events": (0.69, 0.56)},
               "test15": {"claims": (0.71, 0.76), "events": (0.63, 0.50)},
               "test16": {"claims": (0.70, 0.77), "events": (0.37, 0.28)},
               "test17": {"claims": (0.75, 0.72), "events": (0.50, 0.30)},
               "test18": {"claims": (0.53, 0.44), "events": (0.37, 0.21)},
               "test19": {"claims": (0.73, 0.71), "events": (1.00, 1.00)},
               "test20": {"claims": (0.63, 0.55), "events": (0.54, 0.50)},
               "test21": {"claims": (0.74, 0.62), "events": (0.00, 1.00)},
               "test22": {"claims": (0.51, 0.40), "events": (0.62, 0.50)},
               "test23": {"claims": (0.48, 0.43), "events": (0.60, 0.60)},
               "test24": {"claims": (0.63, 0.61), "events": (0.57, 1.00)},
               "test25": {"claims": (0.62, 0.73), "events": (1.00, 1.00)},
               "test26": {"claims": (0.20, 0.11), "events": (0.46, 0.26)},
               "test27": {"claims": (0.46, 0.61), "events": (1.00, 0.60)},
               "test28": {"claims": (0.72, 0.78), "events": (0.00, 0.00)},
               "test29": {"claims": (0.82, 0.86), "events": (1.00, 0.50)},
               "test30": {"claims": (0.56, 0.64), "events": (0.83, 0.41)},
               "test31": {"claims": (0.68, 0.63), "events": (0.63, 0.46)},
               "test32": {"claims": (0.50, 0.52), "events": (0.40, 0.40)},
               "test33": {"claims": (0.00, 1.00), "events": (0.67, 0.61)},
               "test34": {"claims": (0.66, 0.68), "events": (0.66, 0.66)},
               "test35": {"claims": (0.42, 0.37), "events": (0.00, 0.00)},
               "test36": {"claims": (0.67, 0.51), "events": (0.22, 1.00)},
               "test37": {"claims": (0.50, 0.53), "events": (0.00, 0.00)},
               "test38": {"claims": (0.40, 0.57), "events": (0.53, 0.46)},
               "test39": {"claims": (0.21, 0.09), "events": (0.20, 0.15)},
               "test40": {"claims": (0.52, 0.68), "events": (0.50, 0.60)},
               "test41": {"claims": (0.35, 0.42), "events": (0.50, 0.40)},
               "test42": {"claims": (0.51, 0.48), "events": (0.44, 0.40)},
               "test43": {"claims": (0.60, 0.61), "events": (0.44, 0.57)},
               "test44": {"claims": (0.67, 0.59), "events": (0.50, 0.50)},
               "test45": {"claims": (0.82, 0.78), "events": (0.75, 0.50)},
               "test46": {"claims": (0.46, 0.40), "events": (0.42, 0.21)},
               "test47": {"claims": (0.45, 0.32), "events": (0.87, 0.58)},
               "test48": {"claims": (0.48, 0.25), "events": (1.00, 0.00)},
               "test49": {"claims": (0.54, 0.49), "events": (0.25, 0.12)}}


@pytest.fixture(scope="module")
def result(kb: KnowledgeBase) -> dict[str, Any]:
    return evaluate(load_cases(EVAL, REPO), kb)


def test_at_least_15_public_articles_with_their_original_address() -> None:
    labels = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in EVAL.glob("*.yaml")]
    own = [x for x in labels if not x.get("path")]
    assert len(own) >= 15
    assert all(re.match(r"^https?://", str(x.get("original_url"))) for x in own)


def test_fixtures_are_condensed_articles() -> None:
    for doc in EVAL.iterdir():
        if doc.suffix in (".txt", ".md", ".html"):
            words = len(re.findall(r"\w+", re.sub(r"<[^>]+>|https?://\S+", " ", doc.read_text(encoding="utf-8"))))
            assert 200 <= words <= 900, (doc.name, words)


@pytest.mark.parametrize("kind", list(FLOORS))
def test_precision_and_recall_floors(result: dict[str, Any], kind: str) -> None:
    score = result["scores"][kind]
    precision, recall = FLOORS[kind]
    assert score["expected"] > 0
    assert score["precision"] >= precision, (kind, score)
    assert score["recall"] >= recall, (kind, score)


def test_the_real_article_set_is_split_by_a_rule_fixed_before_any_run() -> None:
    """Each document sits in the half the parity of the CRC-32 of its name gives, and its labels name the
    original article: at least 40 documents, most without reference markers."""
    import zlib

    docs = [*REAL.glob("dev/*.yaml"), *REAL.glob("test/*.yaml")]
    assert len(docs) >= 40  # test2/ to test18/: later batches, each held out until its first score
    assert all(len(list(REAL.glob(f"{batch}/*.yaml"))) >= 16
               for batch in (f"test{n}" for n in range(2, 19)))
    for p in docs:
        assert p.parent.name == ("dev" if zlib.crc32(p.stem.encode()) % 2 == 0 else "test"), p
        assert re.match(r"^https?://", str(yaml.safe_load(p.read_text(encoding="utf-8")).get("original_url")))
    texts = [q.read_text(encoding="utf-8") for p in REAL.glob("*/*.yaml") for q in p.parent.glob(p.stem + ".*")
             if q.suffix != ".yaml"]
    assert sum(not re.search(r"\[\d+\]", t) for t in texts) > 0.8 * len(texts)


@pytest.mark.parametrize("half", list(REAL_FLOORS))
def test_real_article_floors(kb: KnowledgeBase, half: str) -> None:
    scores = evaluate(load_cases(REAL / half, REPO), kb)["scores"]
    for kind, (precision, recall) in REAL_FLOORS[half].items():
        assert scores[kind]["precision"] >= precision, (half, kind, scores[kind])
        assert scores[kind]["recall"] >= recall, (half, kind, scores[kind])


def _claim(value: float, **fields: Any) -> dict[str, Any]:
    base = {"entity": "samsung", "metric": "revenue", "value": value, "unit": "krw_tn", "period": "2023Q3",
            "region": None, "span": None}
    return {**base, **fields}


def test_claim_losses_name_the_field_wrong_and_where_the_figure_stands() -> None:
    """A missed label is paired with the prediction of the same figure (at any scale) that differs in the fewest
    fields; a figure with no prediction is never found, read or not; unpaired predictions are false."""
    from chipshift.ingest.evaluation import claim_losses

    text = "Samsung said so.\n\nFirm | 2024 | 2023 | 2022\nSamsung | 1.5 | 2.5 | 3.5\nSK hynix | 4.5 | 5.5 | 6.5\n"
    in_table = [text.index("2.5"), text.index("2.5") + 3]
    missed = [_claim(67.4, period="2023"),  # period wrong
              {**_claim(668.5, period="2023Q2"), "unit": "krw_bn"},  # at another scale: unit and period wrong
              _claim(2.5, period="2023", entity="samsung"),  # in the table, entity wrong
              _claim(12.2, metric="revenue_growth", unit="pct_yoy"),  # sign wrong
              _claim(9.9),  # read as a figure, never claimed
              _claim(4.4)]  # not read at all
    extra = [_claim(67.4, period="2022"), _claim(0.6685, period="2023Q3"),
             _claim(2.5, period="2023", entity="skhynix", span=in_table),
             _claim(-12.2, metric="revenue_growth", unit="pct_yoy"), _claim(77.0)]
    quantities = [{"value": 9.9, "span": [3, 6]}]
    losses = claim_losses(missed, extra, quantities, text)
    assert losses == {"missed: wrong period, prose": 1, "missed: wrong period+other, prose": 1,
                      "missed: wrong entity, table": 1, "missed: wrong sign, prose": 1,
                      "missed: never found (figure read), prose": 1, "missed: never found (figure not read)": 1,
                      "false, prose": 1}


def _event(kind: str = "export_control", imposed_by: str = "USA", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"kind": kind, "imposed_by": imposed_by, "sellers": {}, "targets": {},
                            "announced": None, "effective": None, "date_note": None}
    return {**base, **fields}


def test_event_losses_name_the_field_wrong() -> None:
    """A missed label that an already paired prediction matches in full is one event for several labelled; else it
    pairs with the unmatched prediction sharing its kind or imposer with the fewest fields wrong (dates named by
    how they miss); without one it is given to another label's event (same kind and imposer) or not found.
    Unpaired predictions are false, by whether a matched prediction or a label shares their imposer."""
    from chipshift.ingest.evaluation import event_losses

    found = _event(sellers={"firms": ["nvidia", "amd"]}, targets={"countries": ["CHN"]}, announced="2025-04-09")
    wrong_month = _event("raw_material_export_control", "CHN", announced="2023-07")
    doc_dated = _event("entity_listing", announced="2025-01-16", date_note="document date (the text gives none)")
    coarse = _event("relaxation", announced="2025")
    wrong_kind = _event("procurement_ban", "NLD")
    stray = _event("export_control", "KOR")
    same_measure = _event(announced="2022-10")
    predicted = [found, wrong_month, doc_dated, coarse, wrong_kind, stray, same_measure]
    missed = [{"kind": "export_control", "imposed_by": "USA", "target": "CHN", "seller": "amd"},  # split by firm
              {"kind": "raw_material_export_control", "imposed_by": "CHN", "date": "2023-08-01"},
              {"kind": "entity_listing", "imposed_by": "USA", "date": "2025-01-15"},
              {"kind": "relaxation", "imposed_by": "USA", "date": "2025-07"},
              {"kind": "export_control", "imposed_by": "NLD"},  # kind wrong
              {"kind": "raw_material_export_control", "imposed_by": "CHN", "target": "USA"},  # its event is taken
              {"kind": "procurement_ban", "imposed_by": "JPN"}]  # nothing like it
    extra = [wrong_month, doc_dated, coarse, wrong_kind, stray, same_measure]
    losses = event_losses(missed, extra, predicted)
    assert losses == {"missed: one event for several labelled": 1, "missed: date: wrong month": 1,
                      "missed: date: the document's date": 1, "missed: date coarser than labelled": 1,
                      "missed: wrong kind": 1, "missed: its kind and imposer given to another label's event": 1,
                      "missed: not found": 1, "false: another event of a measure found": 1,
                      "false: nothing like it labelled": 1}


def test_labels_written_with_an_old_id_are_read_with_the_current_one(tmp_path: Path) -> None:
    """A label's entity or region written with an id the data has since replaced (``LABEL_ALIASES``) is read as the
    current id; other ids and every other field are kept as written."""
    from chipshift.ingest.evaluation import LABEL_ALIASES

    old, new = next(iter(LABEL_ALIASES.items()))
    (tmp_path / "a.txt").write_text("North America bought tools.", encoding="utf-8")
    claims_written: list[dict[str, Any]] = [
        {"entity": old, "metric": "equipment_purchases", "value": 1.5, "unit": "usd_bn", "period": "2020Q3"},
        {"entity": "CHN", "metric": "equipment_purchases", "value": 2.5, "unit": "usd_bn", "region": old},
        {"entity": "EUR", "metric": "equipment_purchases", "value": 3.5, "unit": "usd_bn", "note": old}]
    events = [{"kind": "export_control", "imposed_by": "USA"}]
    labels = {"date": "2020-01-01", "claims": claims_written, "events": events}
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(labels), encoding="utf-8")
    (case,) = load_cases(tmp_path, tmp_path)
    claims = case.labels["claims"]
    assert [c["entity"] for c in claims] == [new, "CHN", "EUR"]
    assert claims[1]["region"] == new and claims[2]["note"] == old
    assert {k: v for k, v in claims[0].items() if k != "entity"} == \
        {k: v for k, v in claims_written[0].items() if k != "entity"}
    assert case.labels["events"] == events and case.labels["date"] == "2020-01-01"


def test_firms_outside_the_data_compare_by_their_names() -> None:
    """``same_outside_firm``: a label may shorten the name the reader's id was made from, or write a run of its
    words by their initials; it may not name another firm that shares some words, nor cover less than half of the
    name."""
    from chipshift.ingest.evaluation import same_outside_firm

    assert same_outside_firm("tianjin-phytium", "tianjin-phytium-information-technology")
    assert same_outside_firm("nsc-jinan", "national-supercomputing-center-jinan")
    assert same_outside_firm("cas-national-time-service-center",
                             "national-time-service-center-chinese-academy-of-sciences")
    assert same_outside_firm("shanghai-quantumctek", "shanghai-quantumcteck")  # one letter apart
    assert not same_outside_firm("shanghai-quantumctek", "quantumctek")
    assert not same_outside_firm("changsha-netforward", "changzhou-netforward-microelectronics")
    assert not same_outside_firm("gmc-semiconductor", "jicun-semiconductor-technology")
    assert not same_outside_firm("sangon", "sangon-biotech-shanghai-research-institute")  # 1 of 5 words


def test_an_id_the_label_made_outside_the_data_compares_with_the_name_the_data_gives() -> None:
    """A label written before the data held an entity names it by an id made from its name ("americas",
    "shanghai-fudan-microelectronics"); the reader's id for it compares by the data's name for that id. An id the
    data holds compares only as an id."""
    from chipshift.ingest.evaluation import same_name
    known = {"AME": "Americas", "APO": "Asia Pacific/All Other", "fudan-micro": "Shanghai Fudan Microelectronics",
             "samsung": "Samsung Electronics", "EUR": "Europe"}
    assert same_name("americas", "AME", known) and same_name("asia-pacific-other", "APO", known)
    assert same_name("shanghai-fudan-microelectronics", "fudan-micro", known)
    assert not same_name("samsung-foundry", "samsung", known) and not same_name("EUR", "AME", known)
    assert not same_name("europe", "APO", known)


_ID_WORD = st.from_regex(r"[a-z]{3,9}", fullmatch=True)


@settings(max_examples=80, deadline=None)
@given(st.lists(_ID_WORD, min_size=1, max_size=5, unique=True), st.data())
def test_a_label_matches_the_id_it_shortens(words: list[str], data: st.DataObject) -> None:
    """Any id matches itself, and a label made of at least half of an id's words (in any order) matches it."""
    from chipshift.ingest.evaluation import same_outside_firm

    full = "-".join(words)
    kept = data.draw(st.lists(st.sampled_from(words), min_size=(len(words) + 1) // 2, max_size=len(words),
                              unique=True))
    assert same_outside_firm(full, full)
    assert same_outside_firm("-".join(kept), full)


def test_listed_firms_outside_the_data_are_scored_by_name_exact_ids_first(tmp_path: Path) -> None:
    """A label naming a firm the data does not hold matches a predicted listing whose id was made from the firm's
    name; labels matching an id exactly are paired first, so a longer name shared by two labels goes to the right
    one. A firm of the data is compared by its id only."""
    from chipshift.ingest.evaluation import _count, _event_match

    def listing(firm: str) -> dict[str, Any]:
        return {"kind": "entity_listing", "imposed_by": "USA", "targets": {"countries": ["CHN"], "firms": [firm]},
                "sellers": {}, "announced": "2021-11-24", "effective": None}

    predicted = [listing("shanghai-quantumcteck"), listing("quantumctek"), listing("huawei-technologies")]
    labels = [{"kind": "entity_listing", "imposed_by": "USA", "target_firm": f, "date": "2021-11-24"}
              for f in ("shanghai-quantumctek", "quantumctek", "huawei")]
    known = {"huawei": "Huawei"}
    tp, missed, extra = _count(labels, predicted, _event_match, lambda e, p: _event_match(e, p, known))
    assert tp == 2 and [m["target_firm"] for m in missed] == ["huawei"]
    assert extra == [predicted[2]]


def test_a_claim_matches_its_label_at_another_scale_but_never_on_another_basis() -> None:
    from chipshift.ingest.evaluation import _claim_match

    label = {"entity": "sk-hynix", "metric": "revenue", "value": 47.206319, "unit": "krw_tn", "period": "2025"}
    assert _claim_match(label, _claim(47206.319, entity="sk-hynix", unit="krw_bn", period="2025"))
    assert not _claim_match(label, _claim(47206.319, entity="sk-hynix", unit="usd_bn", period="2025"))
    jpy = {"entity": "tokyo-electron", "metric": "revenue", "value": 1830527, "unit": "jpy_m", "period": "FY2024"}
    assert _claim_match(jpy, _claim(1830.527, entity="tokyo-electron", unit="jpy_bn", period="FY2024"))
    growth = {"entity": "samsung", "metric": "revenue_growth", "value": 9.2, "unit": "pct_qoq", "period": "2025Q2"}
    assert not _claim_match(growth, _claim(9.2, metric="revenue_growth", unit="pct_yoy", period="2025Q2"))
