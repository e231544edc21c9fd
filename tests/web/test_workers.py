"""Heavy computations in worker processes (``web/compute.py``): admission control (a full pool refuses at once
with 429 and Retry-After), the time limit (504, never 503), writes and quick questions answered while the pool
is busy, and the same answers, byte for byte, as computed on the serving process's threads.

Fake jobs wait for a file the test writes, so nothing here depends on how fast the machine is."""

from __future__ import annotations

import asyncio
import functools
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import StoreAt
from tests.web.conftest import AUTH, EXAMPLES, TOKEN

from chipshift.config import Settings
from chipshift.io.store import Store, open_at
from chipshift.web import Limits, create_app
from chipshift.web.compute import Call, Context, StoreCopies
from chipshift.web.errors import ApiError
from chipshift.web.runtime import Runner

WAIT_S = 60.0  # the longest a fake job waits for its release (a bound, not a measure)


def wait_for_release(context: Context, folder: str, name: str) -> dict[str, Any]:
    """A fake heavy job (run in a worker process): says it started, then waits until the test releases it."""
    (Path(folder) / f"{name}.started").touch()
    deadline = time.monotonic() + WAIT_S
    while not (Path(folder) / f"{name}.release").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return {"job": name, "rules": context.store.count("rules")}


def started(folder: Path, name: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not (folder / f"{name}.started").exists():
        assert time.monotonic() < deadline, f"the fake job {name} never started"
        time.sleep(0.02)


@pytest.fixture
def small_store(store_at: StoreAt) -> Iterator[Store]:
    """An empty store (tables, no data): enough for fake jobs."""
    with open_at(store_at("workers")) as store:
        yield store


def process_runner(store: Store, **limits: Any) -> Runner:
    runner = Runner(Limits(**limits), generation=store.generation)
    runner.copies = StoreCopies(store, None)
    return runner


def test_a_full_pool_refuses_at_once_with_429_and_retry_after(small_store: Store, tmp_path: Path) -> None:
    """One market worker, no place to wait: while a slow job holds it, the next market run is refused at once
    (429, Retry-After) while scenario runs still go to their own worker; once it ends, a market run is taken."""
    runner = process_runner(small_store, market_processes=1, market_waiting=0, run_processes=1)

    async def scenario() -> tuple[int, str, bytes, bytes, bytes]:
        slow = asyncio.ensure_future(runner.compute(None, Call(wait_for_release, (str(tmp_path), "slow")),
                                                    market=True))
        await asyncio.to_thread(started, tmp_path, "slow")
        try:
            await runner.compute(None, Call(wait_for_release, (str(tmp_path), "refused")), market=True)
            refused = (0, "")
        except ApiError as exc:
            refused = (exc.status, (exc.headers or {}).get("Retry-After", ""))
        (tmp_path / "run.release").touch()
        run = await runner.compute(None, Call(wait_for_release, (str(tmp_path), "run")))
        (tmp_path / "slow.release").touch()
        first = await slow
        (tmp_path / "after.release").touch()
        after = await runner.compute(None, Call(wait_for_release, (str(tmp_path), "after")), market=True)
        return (*refused, bytes(first.body), bytes(run.body), bytes(after.body))

    try:
        status, retry_after, first, run, after = asyncio.run(scenario())
    finally:
        runner.close()
    assert (status, retry_after) == (429, "10")
    assert not (tmp_path / "refused.started").exists(), "a refused job must not run"
    assert first == b'{"job": "slow", "rules": 0}' and run == b'{"job": "run", "rules": 0}'
    assert after == b'{"job": "after", "rules": 0}'


def test_a_job_past_its_time_limit_is_stopped_and_answers_504(small_store: Store, tmp_path: Path) -> None:
    """Past the limit (counted in the worker, from when it takes the job up) the job is stopped and the client
    gets 504 with a message, never 503; the worker is free at once for the next job."""
    runner = process_runner(small_store, run_processes=1, max_pending=1, run_timeout_s=1.0)

    async def scenario() -> tuple[ApiError, bytes]:
        with pytest.raises(ApiError) as late:  # never released: only the limit ends it
            await runner.compute(None, Call(wait_for_release, (str(tmp_path), "late")))
        (tmp_path / "next.release").touch()
        answer = await runner.compute(None, Call(wait_for_release, (str(tmp_path), "next")))
        return late.value, bytes(answer.body)

    try:
        late, answer = asyncio.run(scenario())
    finally:
        runner.close()
    assert late.status == 504 and "longer than its limit of 1 s and was stopped" in late.message
    assert (tmp_path / "late.started").exists() and answer == b'{"job": "next", "rules": 0}'


def test_what_a_market_worker_does_first_is_not_counted_against_the_runs_limit(small_store: Store,
                                                                               tmp_path: Path) -> None:
    """A market worker first makes sure of what market runs need (the model's error, learned again after a write
    of data: minutes on a busy machine) under a limit of its own: a run behind that preparation is answered, not
    stopped at its own limit with 504 (which threw the preparation away, so that every later run met it again).
    A preparation past its own limit is stopped and answered 504."""
    runner = process_runner(small_store, market_processes=1, market_timeout_s=1.0, learn_timeout_s=WAIT_S)
    learn = Call(wait_for_release, (str(tmp_path), "learn"))

    async def scenario() -> bytes:
        (tmp_path / "run.release").touch()
        run = asyncio.ensure_future(runner.compute(
            None, Call(wait_for_release, (str(tmp_path), "run"), first=learn), market=True, timeout_s=1.0))
        await asyncio.to_thread(started, tmp_path, "learn")
        await asyncio.sleep(2.0)  # the preparation outlasts a run's limit of 1 s
        (tmp_path / "learn.release").touch()
        return bytes((await run).body)

    try:
        answer = asyncio.run(scenario())
    finally:
        runner.close()
    assert answer == b'{"job": "run", "rules": 0}'

    runner = process_runner(small_store, market_processes=1, learn_timeout_s=1.0)
    never = Call(wait_for_release, (str(tmp_path), "never"), first=Call(wait_for_release, (str(tmp_path), "stuck")))

    async def stuck() -> ApiError:
        with pytest.raises(ApiError) as late:  # the preparation is never released: only its limit ends it
            await runner.compute(None, never, market=True)
        return late.value

    try:
        late = asyncio.run(stuck())
    finally:
        runner.close()
    assert late.status == 504 and "longer than its limit of 1 s" in late.message
    assert not (tmp_path / "never.started").exists(), "the run must not start when its preparation failed"


def test_an_error_in_a_worker_is_the_same_json_error(web_settings: Settings, web_store: Store) -> None:
    """An unknown target in a scenario run computed in a worker: the 422 naming the field, as on a thread."""
    body = {"ref": "example:duv-immersion-china", "target": "Atlantis", "at": "2024-01-01"}
    answers = []
    for limits in (Limits(), Limits(run_processes=1)):
        with TestClient(create_app(web_settings, store=web_store, limits=limits, examples_dir=EXAMPLES)) as c:
            r = c.post("/api/v1/run", json=body)
            answers.append((r.status_code, r.content))
    assert answers[0] == answers[1] and answers[0][0] == 422


def test_writes_and_quick_questions_are_answered_while_the_pool_is_busy(web_settings: Settings, web_store: Store,
                                                                        tmp_path: Path) -> None:
    """A slow job holds the only market worker: a market run is refused at once (429, Retry-After), while a
    save, an exposure and an input's page are answered."""
    app = create_app(web_settings, write_token=TOKEN, store=web_store, examples_dir=EXAMPLES,
                     limits=Limits(market_processes=1, market_waiting=0, run_processes=1))
    runner = app.state.chipshift.runner
    with TestClient(app) as c:
        assert c.portal is not None
        slow = c.portal.start_task_soon(functools.partial(
            runner.compute, None, Call(wait_for_release, (str(tmp_path), "slow")), market=True))
        try:
            started(tmp_path, "slow")
            refused = c.post("/api/v1/market/run", json={"case": "china-ai-accelerators", "draws": 0, "seed": 3})
            assert refused.status_code == 429 and refused.headers["retry-after"] == "10"
            body = {"id": "while-the-pool-is-busy", "scenario": {"name": "busy", "at": "2025-06-30", "remove": []}}
            assert c.post("/api/v1/scenarios", json=body, headers=AUTH).status_code == 201
            assert c.get("/api/v1/exposure", params={"target": "CHN", "at": "2023-03-01"}).status_code == 200
            assert c.get("/api/v1/inputs/dram").status_code == 200
            assert not slow.done(), "the slow job was still under way while the others were answered"
        finally:
            (tmp_path / "slow.release").touch()
            c.delete("/api/v1/scenarios/while-the-pool-is-busy", headers=AUTH)
        assert bytes(slow.result(timeout=WAIT_S).body).startswith(b'{"job": "slow"')


def test_answers_from_workers_are_the_same_bytes(web_settings: Settings, web_store: Store) -> None:
    """Scenario runs and comparisons, a saved scenario's run, market runs and comparisons: the same bytes from a
    worker process as from the serving process's threads."""
    saved = {"id": "same-bytes", "scenario": {"name": "same bytes", "at": "2024-06-30", "remove": ["E-OCT2022"]}}
    requests: list[tuple[str, dict[str, Any]]] = [
        ("/api/v1/run", {"ref": "example:duv-immersion-china", "target": "CHN", "at": "2023-05-17"}),
        ("/api/v1/run", {"ref": "saved:same-bytes", "target": "CHN"}),
        ("/api/v1/run", {"scenario": {"name": "inline", "at": "2024-02-01", "remove": ["E-OCT2022"]}}),
        ("/api/v1/compare", {"left": {"ref": "baseline", "at": "2023-01-01"},
                             "right": {"ref": "example:duv-immersion-china"}}),
        ("/api/v1/market/run", {"case": "china-ai-accelerators", "draws": 0, "seed": 11}),
        ("/api/v1/market/compare", {"a": "gallium-export-controls", "b_scenario": "saved:same-bytes"}),
    ]
    bodies: list[list[tuple[int, bytes]]] = []
    for limits in (Limits(), Limits(run_processes=1, market_processes=1)):
        app = create_app(web_settings, write_token=TOKEN, store=web_store, limits=limits, examples_dir=EXAMPLES)
        with TestClient(app) as c:
            assert c.post("/api/v1/scenarios", json=saved, headers=AUTH).status_code == 201
            try:
                answers = [c.post(path, json=body) for path, body in requests]
            finally:
                c.delete("/api/v1/scenarios/same-bytes", headers=AUTH)
            bodies.append([(r.status_code, r.content) for r in answers])
    threads, workers = bodies
    assert [status for status, _ in threads] == [200] * len(requests)
    for (path, _), (status, here), (status_there, there) in zip(requests, threads, workers, strict=True):
        assert status_there == status and untimed(here) == untimed(there), path


def untimed(body: bytes) -> bytes:
    """The answer without the seconds a market run reports it took (they differ between any two runs)."""
    return re.sub(rb'"(elapsed_s|seconds)": [0-9.e+-]+', rb'"\1": 0', body)


SERVER_KILLED = """
import os, signal, sys
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
from chipshift.web import compute
pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=compute.start_worker,
                           initargs=(0,))
print(pool.submit(os.getpid).result(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; only its parent's reaping is left


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_process_ends_when_its_server_is_killed_outright(tmp_path: Path) -> None:
    """A server killed with SIGKILL cannot stop its worker processes: each ends itself within a few seconds
    instead of waiting for jobs forever (they were left running, holding memory and store connections)."""
    out = tmp_path / "worker.pid"
    with out.open("w") as sink:  # a file, not a pipe: a worker left running would hold a pipe open
        server = subprocess.Popen([sys.executable, "-c", SERVER_KILLED], stdout=sink, stderr=subprocess.STDOUT)
        assert server.wait(timeout=120) == -signal.SIGKILL, out.read_text()
    worker = int(out.read_text().split()[0])
    deadline = time.monotonic() + 15
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    still = _running(worker)
    if still:
        os.kill(worker, signal.SIGKILL)
    assert not still, "the worker process outlived its killed server"
