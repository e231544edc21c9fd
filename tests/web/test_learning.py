"""The market model's error learned in the background (``web/learning.py``): while it is learned, a market run with
draws is refused at once with 429, a Retry-After and a message saying how far the learning is (REST and MCP); a
run without draws is answered; once learned, runs with draws are answered with it; one process learns for all the
serving processes of a PostgreSQL store.

The learning is a fake: it reports one episode of four done, then waits for a file the test writes, so nothing
here depends on how fast the machine is."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from mcp.server.mcpserver.exceptions import ToolError
from tests.conftest import StoreAt
from tests.postgres_cluster import Cluster
from tests.web.conftest import EXAMPLES

from chipshift import api
from chipshift.api import backtest as backtest_api
from chipshift.config import Settings
from chipshift.io.store import Store, open_at
from chipshift.mcp_server import Tools
from chipshift.scenarios.backtest import ErrorModel
from chipshift.web import Limits, create_app
from chipshift.web.learning import Learned, Learner, Progress, StillLearning, learn_library_error
from chipshift.web.scenarios import Catalog

WAIT_S = 120.0  # the longest anything here waits for a condition (a bound, not a measure)
FAKE_ERROR = ErrorModel(0.25, 7.0)


def slow_error(folder: str, store: Store, progress: Callable[[int, int], None]) -> ErrorModel:
    """A fake run of the library (in the learning process): one episode of four done, then it waits for the
    test's release; each start is recorded."""
    with (Path(folder) / "learnings").open("a") as record:
        record.write("started\n")
    progress(0, 4)  # as the library's run: its episodes loaded
    progress(1, 4)
    deadline = time.monotonic() + WAIT_S
    while not (Path(folder) / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    progress(4, 4)
    return FAKE_ERROR


def fake_learn(folder: Path) -> Callable[..., None]:
    return functools.partial(learn_library_error, learn_error=functools.partial(slow_error, str(folder)))


def learnings(folder: Path) -> int:
    path = folder / "learnings"
    return len(path.read_text().splitlines()) if path.exists() else 0


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {WAIT_S:g} s"
        time.sleep(0.05)


def state(learner: Learner) -> Learned | StillLearning | None:
    try:
        return learner.require()
    except StillLearning as exc:
        return exc


def learning_at(learner: Learner, done: int) -> bool:
    now = state(learner)
    return isinstance(now, StillLearning) and now.progress is not None and now.progress.done == done


@pytest.fixture
def fresh_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing learned in this process before (other tests may have learned the same version)."""
    monkeypatch.setattr(backtest_api, "_LEARNED", {})


@pytest.fixture
def learning_store(store_at: StoreAt) -> Iterator[tuple[Settings, Store]]:
    settings = Settings(store_path=store_at("learning"))
    with api.open_store(settings) as store:
        yield settings, store


def test_runs_with_draws_are_refused_at_once_while_the_error_is_learned(
        learning_store: tuple[Settings, Store], tmp_path: Path, fresh_memory: None) -> None:
    settings, store = learning_store
    app = create_app(settings, store=store, examples_dir=EXAMPLES, learn_at_start=True,
                     limits=Limits(market_processes=1), learn=fake_learn(tmp_path))
    learner = app.state.chipshift.learner
    assert learner is not None
    bands = {"case": "china-ai-accelerators", "draws": 20, "seed": 3}
    with TestClient(app) as c:
        until(lambda: learning_at(learner, 1), "the learning started at start and reported its progress")
        refused = c.post("/api/v1/market/run", json=bands)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        body = refused.json()
        assert body["field"] == "draws"
        assert "being learned from the back-test library (1 of 4 episodes run" in body["message"]
        compared = c.post("/api/v1/market/compare", json={"a": "china-ai-accelerators", "draws": 20})
        assert compared.status_code == 429 and "retry-after" in compared.headers
        # a run without draws does not need the error: answered as usual
        point = c.post("/api/v1/market/run", json={**bands, "draws": 0})
        assert point.status_code == 200 and point.json()["draws"] == 0
        # the MCP server's tools refuse the same way, naming the parameter
        tools = Tools(settings, store, Catalog(EXAMPLES), None, learner)
        with pytest.raises(ToolError, match=r"^draws: the market model's error is being learned .* retry after"):
            tools.scenario_run(case="china-ai-accelerators", draws=20)
        with pytest.raises(ToolError, match="being learned"):
            tools.scenario_compare(a="china-ai-accelerators", draws=20)

        (tmp_path / "release").touch()
        until(lambda: isinstance(state(learner), Learned), "the error was learned")
        answered = c.post("/api/v1/market/run", json=bands)
        assert answered.status_code == 200, answered.text
        assert answered.json()["draws"] == 20
        assert any(row.get("p95") is not None for row in answered.json()["outputs"])
    assert learnings(tmp_path) == 1, "learned once, when the server started"
    version = backtest_api.library_version(store)
    assert store.derived(backtest_api.LIBRARY_ERROR, version) == (True, {"scale": 0.25, "dof": 7.0, "stretch": 1.0})
    assert backtest_api.library_error(store) == FAKE_ERROR  # what a run in this process now uses


def test_a_learned_error_kept_in_the_store_is_not_learned_again(
        learning_store: tuple[Settings, Store], tmp_path: Path, fresh_memory: None) -> None:
    _, store = learning_store
    version = backtest_api.library_version(store)
    store.keep_derived(backtest_api.LIBRARY_ERROR, version, {"scale": 0.5, "dof": 3.0, "stretch": 1.4})
    learner = Learner(store, lambda: str(store.path), learn=fake_learn(tmp_path))
    assert learner.require() == Learned(version, ErrorModel(0.5, 3.0, 1.4))
    assert learnings(tmp_path) == 0


def test_one_process_learns_for_every_server_of_a_postgres_store(postgres: Cluster, tmp_path: Path,
                                                                fresh_memory: None) -> None:
    """Two serving processes' learners on one database: the first's learning process takes the store's claim
    and learns; the second's follows its progress in the store and takes the value it keeps."""
    url = postgres.database("learning_shared")
    with open_at(url) as first_store, open_at(url) as second_store:
        first = Learner(first_store, lambda: url, learn=fake_learn(tmp_path))
        second = Learner(second_store, lambda: url, learn=fake_learn(tmp_path))
        try:
            until(lambda: learning_at(first, 1), "the first learner started")
            until(lambda: learning_at(second, 1), "the second learner follows the first's progress")
            assert learnings(tmp_path) == 1
            (tmp_path / "release").touch()
            until(lambda: isinstance(state(first), Learned) and isinstance(state(second), Learned),
                  "both have the error")
        finally:
            first.close()
            second.close()
        assert state(second) == Learned(backtest_api.library_version(second_store), FAKE_ERROR)
    assert learnings(tmp_path) == 1, "one learning for both"


def test_retry_after_is_the_time_left_at_the_pace_so_far() -> None:
    started = 1_000_000.0
    assert Progress(0, 90, started).seconds_left(started + 50) is None
    assert Progress(30, 90, started).seconds_left(started + 60) == pytest.approx(120.0)
    assert StillLearning(Progress(30, 90, started), started + 60).retry_after == 120
    late = StillLearning(Progress(30, 90, started), started + 60.2)
    assert late.retry_after == 121 and "30 of 90 episodes run, about 2 min left" in late.message
    assert StillLearning(None, started).retry_after == 30  # no pace yet
    assert "it has just started" in StillLearning(None, started).message
