"""The answers that run the market model or read documents are typed too: each is its model, its JSON reads back as
the same answer, and it holds the same keys and values as the plain report the model computes (on small runs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chipshift.api import answers, backtest, documents
from chipshift.api import market_runs as market_api
from chipshift.api.answers_docs import QUESTIONS
from chipshift.ingest.kb import KnowledgeBase
from chipshift.io.store import Store
from chipshift.web import market_cases as market
from chipshift.web.scenarios import Catalog, default_examples_dir
from tests.test_answers import SLOW

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
ARTICLES = [REPO.parent / "shared/data/articles/chip-war-opinion-2025-10.txt",
            *sorted((REPO / "tests/ingest/eval").glob("*.txt"))[:3],
            *sorted((REPO / "tests/ingest/eval").glob("*.html"))[:1]]
FAST = 100  # calibration draws: the fewest a run takes


def _same(answer: answers.Answer, model: type[answers.Answer], report: dict[str, Any],
          ignore: tuple[str, ...] = ()) -> None:
    """``answer`` is ``model``, reads back from its JSON, and its JSON is ``report`` (keys, order and values; the
    keys in ``ignore`` differ between two runs, e.g. the seconds taken)."""
    assert type(answer) is model
    mine = json.loads(json.dumps(answer.as_report()))
    assert answer.__pydantic_validator__.validate_python(mine).as_report() == answer.as_report()  # not patched
    theirs = json.loads(json.dumps(report, default=str))
    for key in ignore:
        assert key in mine and key in theirs, key
        mine.pop(key), theirs.pop(key)
    assert json.dumps(mine) == json.dumps(theirs)  # types too: an integer stays an integer


def _built_from(monkeypatch: pytest.MonkeyPatch, model: type[answers.Answer]) -> list[dict[str, Any]]:
    """The reports ``model`` is built from from now on (each run's own: seconds taken differ between runs)."""
    seen: list[dict[str, Any]] = []
    validate = model.model_validate

    def kept(value: dict[str, Any]) -> answers.Answer:
        seen.append(json.loads(json.dumps(value, default=str)))
        return validate(value)

    monkeypatch.setattr(model, "model_validate", kept)
    return seen


def test_the_slow_questions_are_documented() -> None:
    assert {name for name, _ in QUESTIONS} >= SLOW


@pytest.mark.store_input  # the market model's answers: the store is only its input
@pytest.mark.parametrize("case", ["micron-china.yaml", "gallium-export-controls.yaml"])
def test_a_market_run_is_its_model(bundled_store: Store, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _built_from(monkeypatch, answers.MarketRunAnswer)
    answer = market_api.run_case(bundled_store, EXAMPLES / case, calibration_draws=FAST)
    _same(answer, answers.MarketRunAnswer, plain[0])
    linked = case.startswith("gallium")
    assert (answer.model == "linked") is linked and (answer.periods is not None) is linked
    assert (answer.years is not None) is not linked and all(r.p5 is None for r in answer.outputs)
    assert "case" not in answer.as_report() and "p5" not in answer.as_report()["outputs"][0]  # keys left out


@pytest.mark.store_input  # the market model's answers: the store is only its input
def test_a_shipped_case_run_and_comparison_are_their_models(bundled_store: Store,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = Catalog(default_examples_dir())
    runs = _built_from(monkeypatch, answers.MarketRunAnswer)
    run = market.run(bundled_store, catalog, "micron-china", 0, 1)
    _same(run, answers.MarketRunAnswer, runs[0])
    assert run.case == "micron-china" and run.facts and all(p.facts is not None for p in run.parameters)
    comparisons = _built_from(monkeypatch, answers.MarketComparisonAnswer)
    compared = market.compare(bundled_store, catalog, "micron-china", b_parameters={"sigma": 2.5})
    _same(compared, answers.MarketComparisonAnswer, comparisons[0])
    assert compared.facts and compared.outputs and compared.variants["b"].parameters == {"sigma": 2.5}
    side = market_api.Variant(EXAMPLES / "micron-china.yaml", {"sigma": 2.5})
    plain = market_api.compare_cases(bundled_store, EXAMPLES / "micron-china.yaml", side, calibration_draws=FAST)
    _same(plain, answers.MarketComparisonAnswer, comparisons[1])
    assert plain.outputs is None and "note" not in plain.as_report()  # what the web adds
    assert [f.fact for f in plain.facts] == [f.fact for f in compared.facts], "the cited facts: the answer's own"


@pytest.mark.store_input  # the market model's answers: the store is only its input
def test_the_backtest_is_its_model(bundled_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _built_from(monkeypatch, answers.BacktestAnswer)
    answer = backtest.backtest(bundled_store, backtest.library()[:1], draws=10, steps=20, alone=True)
    _same(answer, answers.BacktestAnswer, plain[0])
    assert answer.scorecard.episodes == 1 and answer.scorecard.outcomes == len(answer.outcomes)
    assert answer.as_report()["outcomes"][0]["from"] == answer.outcomes[0].from_


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.name)
def test_a_document_read_is_its_model(bundled_store: Store, article: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = KnowledgeBase.from_store(bundled_store)
    plain = _built_from(monkeypatch, answers.IngestAnswer)
    read = documents.analyse(lambda: kb, article.read_text(encoding="utf-8"), article.name, None, "2025-10-20", None)
    _same(read, answers.IngestAnswer, plain[0])
    assert not read.accepted and read.stored is None and read.details[0].document.name == article.name
    _same(documents.ingest(bundled_store, [str(article)], date="2025-10-20"), answers.IngestAnswer, plain[1])
