"""The learned reading of a figure's measure: how its weights are applied and when it overrides the rules."""

from __future__ import annotations

import json
import math

import pytest

from chipshift.ingest import binding as B
from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.ledger import analyse
from chipshift.ingest.text import Extracted

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)


def _model(add: float = 0.6, drop: float = 0.8, swap: float = 0.9) -> B.Binding:
    # three classes; "l:sales" pushes towards revenue, "l:share" towards market_share, "l:staff" towards none
    return B.Binding(["market_share", "none", "revenue"], [0.0, 0.0, 0.0],
                     {"l:sales": [0.0, 0.0, 3.0], "l:share": [3.0, 0.0, 0.0], "l:staff": [0.0, 4.0, 0.0]},
                     B.Settings(add=add, drop=drop, swap=swap))


def test_probabilities_are_a_softmax_of_the_summed_weights() -> None:
    p = _model().probabilities(["l:sales", "unknown"])
    e = math.exp(3.0)
    assert math.isclose(p["revenue"], e / (e + 2))
    assert math.isclose(p["none"], 1 / (e + 2))
    assert math.isclose(sum(p.values()), 1.0)


def test_the_model_adds_drops_and_swaps_only_past_its_thresholds() -> None:
    m = _model()
    assert m.decide(["l:sales"], None) == ("revenue", True)  # p 0.91 >= add: the rules found nothing
    assert _model(add=0.95).decide(["l:sales"], None) == (None, False)
    assert m.decide(["l:staff"], "revenue") == (None, True)  # p(none) 0.96 >= drop
    assert m.decide(["l:share"], "revenue") == ("market_share", True)  # p 0.91 >= swap
    assert _model(swap=0.95).decide(["l:share"], "revenue") == ("revenue", False)
    assert m.decide([], "revenue") == ("revenue", False)  # a flat model leaves the rules alone
    assert m.decide(["l:sales"], "other") == ("revenue", True)  # "other" is not a claim family: as if none


def test_rules_only_never_changes_the_rules_choice() -> None:
    assert B.RULES_ONLY.decide(["l:sales"], None) == (None, False)
    assert B.RULES_ONLY.decide(["l:staff"], "revenue") == ("revenue", False)


def test_weights_round_trip_through_json() -> None:
    m = _model()
    again = B.Binding.from_json(m.to_json({"by": "test"}))
    assert again == m


def test_the_shipped_weights_say_how_they_were_made_and_use_known_classes() -> None:
    data = json.loads(B.WEIGHTS.read_text(encoding="utf-8"))
    assert data["made"]["by"] == "scripts/train_binding.py"
    assert data["made"]["examples"] > 1000
    assert set(data["classes"]) <= {*B.FAMILY_OF.values(), B.NONE}
    model = B.shipped()
    assert model.active and all(len(w) == len(model.classes) for w in model.weights.values())


def test_reading_is_deterministic_and_rules_only_is_available(kb: KnowledgeBase) -> None:
    text = ("Acme results\n\nTSMC said its revenue rose 12% year on year to $20.1 billion in the third quarter of "
            "2024. The firm's market share was 61% in the quarter.\n")
    doc = Extracted(text, "text")
    first = analyse(doc, kb, date_given="2024-11-01")["claims"]
    assert first == analyse(doc, kb, date_given="2024-11-01")["claims"]
    trace: list[dict[str, object]] = []
    rules = analyse(doc, kb, date_given="2024-11-01", binding=B.RULES_ONLY, trace=trace)["claims"]
    assert {(c["metric"], c["value"]) for c in rules} >= {("revenue", 20.1)}
    assert len(trace) == 3 and all(isinstance(t["features"], list) and t["features"] for t in trace)
