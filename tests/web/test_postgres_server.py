"""The server on a PostgreSQL store: several servers (as uvicorn workers would be) share one database and
see each other's writes at once; `chipshift serve --store postgresql://...` serves while the CLI queries and
writes to the same store."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from tests.postgres_cluster import Cluster
from tests.web.conftest import AUTH, EXAMPLES, TOKEN

from chipshift.config import Settings
from chipshift.web import create_app

LIFT_H20 = {"name": "lift H20", "at": "2025-06-30", "remove": ["E-H20-APR2025"]}
SRC = Path(__file__).resolve().parents[2] / "src"


def _saved(client: TestClient) -> set[str]:
    return {s["ref"] for s in client.get("/api/v1/scenarios").json()["saved"]}


def _call(base: str, path: str, body: Any = None) -> tuple[int, Any]:
    """(status, JSON) of a GET, or of a POST of ``body`` with the write token."""
    data = None if body is None else json.dumps(body).encode()
    headers = {} if body is None else {**AUTH, "Content-Type": "application/json"}
    request = urllib.request.Request(base + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_two_servers_share_one_store(postgres: Cluster) -> None:
    settings = Settings(store_path=postgres.database("web"))
    first = create_app(settings, write_token=TOKEN, examples_dir=EXAMPLES)
    second = create_app(settings, write_token=TOKEN, examples_dir=EXAMPLES)
    with TestClient(first) as a, TestClient(second) as b:
        assert _saved(b) == set()  # answered, and cached by the second server
        exposure = b.get("/api/v1/exposure", params={"target": "CHN", "at": "2025-06-01"})
        assert exposure.status_code == 200
        r = a.post("/api/v1/scenarios", json={"id": "lift-h20", "scenario": LIFT_H20}, headers=AUTH)
        assert r.status_code == 201
        assert _saved(b) == {"saved:lift-h20"}  # the write is seen at once: the generation is the database's
        ran = b.post("/api/v1/run", json={"ref": "saved:lift-h20"}).json()
        assert "E-H20-APR2025" in ran["diff"]["rules_removed"]
        assert b.delete("/api/v1/scenarios/lift-h20", headers=AUTH).json() == {"deleted": "lift-h20"}
        assert _saved(a) == set()
        same = a.get("/api/v1/exposure", params={"target": "CHN", "at": "2025-06-01"})
        assert same.json() == exposure.json()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serving(args: list[str], env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A `chipshift serve` process on a free port, once it answers; and its address."""
    port = _free_port()
    log = log_path.open("w")
    server = subprocess.Popen([sys.executable, "-m", "chipshift.cli", "serve", "--port", str(port), *args], env=env,
                              stdout=subprocess.DEVNULL, stderr=log)
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        assert server.poll() is None, f"the server exited: {log_path.read_text()}"
        assert time.monotonic() < deadline, "the server did not answer within 90 s"
        try:
            if _call(base, "/api/v1/overview")[0] == 200:
                return server, base
        except OSError:  # not listening yet
            time.sleep(0.2)


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    server.wait(timeout=30)


def test_serve_on_postgres_beside_the_cli(postgres: Cluster, tmp_path: Path) -> None:
    url = postgres.database("serve")
    env = {**os.environ, "PYTHONPATH": str(SRC), "CHIPSHIFT_STORE": url}
    server, base = _serving(["--write-token", TOKEN], env, tmp_path / "server.log")
    try:
        assert _call(base, "/api/v1/scenarios", {"id": "team", "scenario": LIFT_H20})[0] == 201
        # the CLI queries the same store while the server runs
        query = subprocess.run([sys.executable, "-m", "chipshift.cli", "restrictions", "list", "--target", "CHN",
                                "--format", "json"], env=env, capture_output=True, text=True, timeout=120)
        assert query.returncode == 0, query.stderr
        assert json.loads(query.stdout)["rules"]
        assert {s["ref"] for s in _call(base, "/api/v1/scenarios")[1]["saved"]} == {"saved:team"}
    finally:
        _stop(server)


def test_workers_share_a_postgres_store_and_refuse_a_file(postgres: Cluster, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC), "CHIPSHIFT_STORE": postgres.database("workers")}
    server, base = _serving(["--workers", "2", "--write-token", TOKEN], env, tmp_path / "workers.log")
    try:
        for k in range(6):  # saves and reads land on either worker: each sees every save at once
            assert _call(base, "/api/v1/scenarios", {"id": f"w{k}", "scenario": LIFT_H20})[0] == 201
            assert {s["ref"] for s in _call(base, "/api/v1/scenarios")[1]["saved"]} == {f"saved:w{j}"
                                                                                       for j in range(k + 1)}
    finally:
        _stop(server)
    on_file = subprocess.run([sys.executable, "-m", "chipshift.cli", "--store", str(tmp_path / "s.duckdb"), "serve",
                              "--workers", "2"], env={**os.environ, "PYTHONPATH": str(SRC)}, capture_output=True,
                             text=True, timeout=120)
    assert on_file.returncode == 2 and "PostgreSQL store" in on_file.stderr
