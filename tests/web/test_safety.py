"""Limits and safety: body size, time bound, overload, auth defaults, binding, no network assets."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import StoreAt
from tests.web.conftest import limited_client

from chipshift.config import Settings
from chipshift.io.store import Store
from chipshift.web import Limits, serve

STATIC = Path(__file__).resolve().parents[2] / "src" / "chipshift" / "web"


def test_large_bodies_get_413(web_settings: Settings, web_store: Store) -> None:
    with limited_client(web_settings, web_store, Limits(max_body_bytes=1000)) as c:
        big = {"scenario": {"name": "x" * 100, "description": "y" * 5000}}
        r = c.post("/api/v1/run", json=big)
        assert r.status_code == 413 and r.json()["field"] == "body"
        chunked = c.post("/api/v1/scenarios/upload", content=iter([b"name: x\n" * 100, b"#" * 2000]),
                         headers={"content-type": "application/yaml"})
        assert chunked.status_code == 413
        streamed_json = c.post("/api/v1/run", content=iter([b'{"scenario": {"name": "', b"x" * 2000, b'"}}']),
                               headers={"content-type": "application/json"})
        assert streamed_json.status_code == 413 and streamed_json.json()["field"] == "body"
        assert c.post("/api/v1/run", json={"ref": "baseline"}).status_code == 200


def test_market_runs_beyond_their_threads_are_refused_at_once_with_429() -> None:
    """One market thread, no place to wait: while a market run is under way, a second is refused at once
    (429, Retry-After) and other questions still run."""
    import asyncio
    import threading

    from chipshift.web.errors import ApiError
    from chipshift.web.runtime import Runner

    runner = Runner(Limits(market_workers=1, market_waiting=0))
    release = threading.Event()

    async def scenario() -> tuple[int, str, int]:
        first = asyncio.ensure_future(runner.run(lambda: release.wait(5), market=True))
        await asyncio.sleep(0.05)
        try:
            await runner.run(lambda: 1, market=True)
            refused = (0, "")
        except ApiError as exc:
            refused = (exc.status, (exc.headers or {}).get("Retry-After", ""))
        other = await runner.run(lambda: 7)
        release.set()
        await first
        return (*refused, other)

    try:
        assert asyncio.run(scenario()) == (429, "10", 7)
    finally:
        runner.close()


def test_answers_are_compressed_and_carry_validators(client: TestClient) -> None:
    r = client.get("/api/v1/sources", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    tag = r.headers["etag"]
    assert tag.startswith('W/"')
    again = client.get("/api/v1/sources", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = client.get("/api/v1/overview", headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag


def test_every_answer_carries_a_request_id_and_logs_one_line(client: TestClient,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    import json as json_module
    import logging

    from chipshift.web.http import JsonLogFormatter

    with caplog.at_level(logging.INFO, logger="chipshift.web.access"):
        given = client.get("/api/v1/overview", headers={"X-Request-ID": "abc-123"})
        made = client.get("/api/v1/overview", headers={"X-Request-ID": "not a plain token!"})
    assert given.headers["x-request-id"] == "abc-123"
    assert re.fullmatch(r"[0-9a-f]{16}", made.headers["x-request-id"])
    lines = [r for r in caplog.records if r.name == "chipshift.web.access"]
    assert [r.getMessage().split()[:3] for r in lines] == [["GET", "/api/v1/overview", "200"]] * 2
    entry = json_module.loads(JsonLogFormatter().format(lines[0]))
    assert entry["request_id"] == "abc-123" and entry["level"] == "INFO" and entry["message"].startswith("GET")


def test_a_computation_logs_under_its_request_id() -> None:
    """A record written inside a computation (on the runner's threads) carries the id of the request."""
    import asyncio
    import logging

    from chipshift.web.http import _stamp_request_id, request_id
    from chipshift.web.runtime import Runner

    runner = Runner(Limits())
    seen: list[str] = []

    def computation() -> int:
        record = logging.LogRecord("chipshift.test", logging.INFO, __file__, 0, "inside", None, None)
        _stamp_request_id(record)
        seen.append(record.__dict__["request_id"])
        return 1

    async def answer() -> None:
        request_id.set("req-7")
        await runner.run(computation)
        await runner.run(computation, market=True)

    try:
        asyncio.run(answer())
    finally:
        runner.close()
    assert seen == ["req-7", "req-7"]


def test_options_and_405_name_every_method_of_the_path(client: TestClient) -> None:
    r = client.options("/api/v1/scenarios")
    assert r.status_code == 204 and r.headers["allow"] == "GET, OPTIONS, POST"
    r = client.put("/api/v1/scenarios", json={})
    assert r.status_code == 405 and r.headers["allow"] == "GET, OPTIONS, POST"
    assert client.options("/api/v1/no-such-thing").status_code == 404


def test_writes_do_not_queue_behind_computations(web_settings: Settings, web_store: Store) -> None:
    """With no room for computations (every read is refused with 429), a save still goes through."""
    from tests.web.conftest import AUTH, EXAMPLES, TOKEN

    from chipshift.web import create_app

    app = create_app(web_settings, write_token=TOKEN, store=web_store, limits=Limits(max_pending=0),
                     examples_dir=EXAMPLES)
    with TestClient(app) as c:
        assert c.get("/api/v1/overview").status_code == 429
        body = {"id": "while-busy", "scenario": {"name": "while busy", "at": "2025-06-30", "remove": []}}
        assert c.post("/api/v1/scenarios", json=body, headers=AUTH).status_code == 201
        assert c.delete("/api/v1/scenarios/while-busy", headers=AUTH).status_code == 200


def test_a_saved_scenario_leaves_unrelated_answers_cached(client: TestClient) -> None:
    from tests.web.conftest import AUTH

    client.get("/api/v1/overview")
    assert client.get("/api/v1/overview").headers["x-cache"] == "hit"
    listed = client.get("/api/v1/scenarios")
    body = {"id": "cache-check", "scenario": {"name": "cache check", "at": "2025-06-30", "remove": []}}
    assert client.post("/api/v1/scenarios", json=body, headers=AUTH).status_code == 201
    try:
        assert client.get("/api/v1/overview").headers["x-cache"] == "hit"  # saved scenarios: not its input
        relisted = client.get("/api/v1/scenarios")
        assert relisted.headers["x-cache"] == "miss" and relisted.json() != listed.json()
        assert "saved:cache-check" in {s["ref"] for s in relisted.json()["saved"]}
    finally:
        client.delete("/api/v1/scenarios/cache-check", headers=AUTH)


def test_runs_are_bounded_in_time(web_settings: Settings, web_store: Store) -> None:
    with limited_client(web_settings, web_store, Limits(run_timeout_s=0.000_001)) as c:
        r = c.post("/api/v1/compare", json={"right": {"ref": "example:duv-immersion-china"}})
        assert r.status_code == 504 and "longer than" in r.json()["message"]


def test_the_time_limit_counts_from_when_a_computation_starts() -> None:
    """Questions on one thread, each within the limit: the last waits its turn longer than the limit and is
    answered all the same; one that computes past the limit is not."""
    import asyncio

    from chipshift.web.errors import ApiError
    from chipshift.web.runtime import Runner

    runner = Runner(Limits(workers=1, run_timeout_s=1.2))

    def work(seconds: float) -> float:
        time.sleep(seconds)
        return seconds

    async def ask() -> list[object]:
        calls = [runner.run(lambda: work(0.5)) for _ in range(4)] + [runner.run(lambda: work(3.0))]
        answers: list[object] = await asyncio.gather(*calls, return_exceptions=True)
        return answers

    try:
        *quick, slow = asyncio.run(ask())
    finally:
        runner.close()
    assert quick == [0.5] * 4  # the fourth waited 1.5 s for the others
    assert isinstance(slow, ApiError) and slow.status == 504


def test_overload_gets_429_at_once_not_a_queue(web_settings: Settings, web_store: Store) -> None:
    with limited_client(web_settings, web_store, Limits(max_pending=0)) as c:
        r = c.get("/api/v1/overview")
        assert r.status_code == 429 and "busy" in r.json()["message"] and r.headers["retry-after"]


def test_openapi_and_offline_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    for path in ("/api/v1/explorer", "/api/v1/inputs/{name}", "/api/v1/rules", "/api/v1/exposure", "/api/v1/run",
                 "/api/v1/compare", "/api/v1/scenarios", "/api/v1/sources"):
        assert path in paths
    assert all(p.startswith("/api/v1/") for p in paths)
    assert spec["paths"]["/api/v1/scenarios"]["post"]["security"]
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert not re.search(r"(src|href)=\"https?://", html), page
    assert client.get("/docs-static/swagger-ui-bundle.js").status_code == 200


@pytest.mark.parametrize("page", ["/explorer", "/restrictions", "/rules/E-OCT2022", "/exposure", "/scenarios",
                                  "/compare", "/sources"])
def test_pages_are_static_and_local(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for ref in re.findall(r"(?:src|href)=\"([^\"]+)\"", r.text):
        assert ref.startswith(("/", "#")), f"{page} refers to {ref}"  # this server's paths, or a place on the page
        if ref.startswith("/static/"):
            assert client.get(ref).status_code == 200, ref


def test_scripts_and_styles_fetch_nothing_from_elsewhere() -> None:
    for path in (STATIC / "static").rglob("*"):
        if path.suffix in (".js", ".css", ".html", ".svg"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"(fetch|import|url)\(\s*['\"]?https?://", text), path
            assert "@import" not in text and "cdn" not in text.lower(), path


def test_home_redirects_to_the_explorer(client: TestClient) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code in (302, 307) and r.headers["location"] == "/explorer"


def test_serve_binds_loopback_and_reads_the_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                   web_store: Store) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        seen.update(kwargs, token=app.state.chipshift.write_token)

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setenv("CHIPSHIFT_WRITE_TOKEN", "from-env")
    monkeypatch.setattr("chipshift.web.app.api.open_store", lambda settings: web_store)
    serve.serve(tmp_path / "store.duckdb", port=8123)
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123 and seen["token"] == "from-env"
    monkeypatch.delenv("CHIPSHIFT_WRITE_TOKEN")
    serve.serve(tmp_path / "store.duckdb", port=8123)
    assert seen["token"] is None


def test_the_same_question_asked_at_once_is_computed_once() -> None:
    import asyncio

    from chipshift.web.runtime import Runner

    runner = Runner(Limits())
    calls: list[int] = []

    def slow() -> dict[str, int]:
        calls.append(1)
        time.sleep(0.05)
        return {"answer": 42}

    async def ask_together() -> list[bytes]:
        answers = await asyncio.gather(*(runner.json(("q",), slow) for _ in range(5)))
        return [bytes(a.body) for a in answers]

    try:
        bodies = asyncio.run(ask_together())
    finally:
        runner.close()
    assert calls == [1] and len(set(bodies)) == 1


def test_the_factory_opens_and_closes_its_own_store(tmp_path: Path, store_at: StoreAt) -> None:
    from chipshift.web import create_app

    app = create_app(Settings(store_path=store_at("own")), examples_dir=tmp_path / "no-examples")
    with TestClient(app) as c:
        assert c.get("/api/v1/overview").json()["restriction_rules"] > 0
        assert c.get("/api/v1/scenarios").json()["examples"] == []
        assert [s["id"] for s in c.get("/api/v1/explorer").json()["stages"]] == ["P"], "no CSET import here"
    with pytest.raises(Exception, match="closed"):
        app.state.chipshift.store.rows("rules")
