"""Web benchmark: server time of the Explorer and Exposure pages, and the scenario-run endpoint under
20 concurrent clients on loopback.

Run: .venv/bin/python benchmarks/bench_web.py [--cset ../shared/data/cset-eto] [--requests 2000]
Builds a temporary store (bundled data + CSET import), starts `chipshift.web` with uvicorn in a child
process on 127.0.0.1 and a free port, then measures:
- server time (the Server-Timing header: time spent in the app) of each page's HTML and of the JSON it
  renders, cold (first answer for those parameters) and warm (answered from the cache);
- POST /api/v1/run with `hey` (Debian package; 20 concurrent clients) for one scenario (cached after the
  first run), and with a Python client for distinct scenarios (every run computed, nothing cached).
Everything stays on 127.0.0.1; each load run is bounded in requests and time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SERVER = """
import sys, uvicorn
from pathlib import Path
from chipshift.config import Settings
from chipshift.web import create_app
app = create_app(Settings(store_path=Path(sys.argv[1])), examples_dir=Path(sys.argv[3]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False, ws="none")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(port: int, method: str, path: str, body: Any = None) -> tuple[int, float, float]:
    """(status, server ms from Server-Timing, wall ms)."""
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    payload = json.dumps(body).encode() if body is not None else None
    start = time.perf_counter()
    con.request(method, path, body=payload, headers={"Content-Type": "application/json"} if payload else {})
    response = con.getresponse()
    response.read()
    wall = (time.perf_counter() - start) * 1000
    timing = response.getheader("server-timing") or "app;dur=nan"
    con.close()
    return response.status, float(timing.split("dur=")[1]), wall


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def server_times(port: int) -> list[tuple[str, str, float, float]]:
    """(page, what, cold ms, warm p95 ms) for the Explorer and Exposure pages and their JSON."""
    rows = []
    cases = [
        ("Explorer", "GET /explorer (HTML)", ["/explorer"]),
        ("Explorer", "GET /api/v1/explorer", ["/api/v1/explorer"]),
        ("Explorer", "GET /api/v1/inputs/{id} (30 inputs)", [f"/api/v1/inputs/N{i}" for i in range(1, 31)]),
        ("Explorer", "GET /api/v1/inputs/dram (facts, conflicts)", ["/api/v1/inputs/dram"]),
        ("Exposure", "GET /exposure (HTML)", ["/exposure"]),
        ("Exposure", "GET /api/v1/exposure (20 dates)",
         [f"/api/v1/exposure?target=CHN&at=20{y:02d}-{m:02d}-28" for y in range(21, 26) for m in (3, 6, 9, 12)]),
        ("Exposure", "GET /api/v1/localization", ["/api/v1/localization?country=CHN"]),
    ]
    for page, label, paths in cases:
        cold = [request(port, "GET", p)[1] for p in paths]
        warm = [request(port, "GET", p)[1] for p in paths for _ in range(5)]
        rows.append((page, label, max(cold), pct(warm, 0.95)))
    return rows


def hey(port: int, body: dict[str, Any], n: int, concurrency: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(body, f)
    out = subprocess.run(["hey", "-n", str(n), "-c", str(concurrency), "-m", "POST", "-T", "application/json",
                          "-D", f.name, "-t", "30", "-o", "csv", f"http://127.0.0.1:{port}/api/v1/run"],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    lines = out.strip().splitlines()[1:]
    latencies = [float(line.split(",")[0]) * 1000 for line in lines]
    statuses = [int(line.split(",")[6]) for line in lines]
    return summary(latencies, statuses)


def python_load(port: int, bodies: list[dict[str, Any]], concurrency: int) -> dict[str, float]:
    """``concurrency`` threads, each with one keep-alive connection, sending the bodies in turn."""
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    queue = list(bodies)

    def worker() -> None:
        con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                body = queue.pop()
            start = time.perf_counter()
            con.request("POST", "/api/v1/run", body=json.dumps(body), headers={"Content-Type": "application/json"})
            response = con.getresponse()
            response.read()
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)
                statuses.append(response.status)
        con.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = summary(latencies, statuses)
    result["rps"] = len(latencies) / (time.perf_counter() - started)
    return result


def summary(latencies: list[float], statuses: list[int]) -> dict[str, float]:
    return {"n": len(latencies), "ok": sum(1 for s in statuses if s == 200), "p50": pct(latencies, 0.5),
            "p95": pct(latencies, 0.95), "p99": pct(latencies, 0.99), "mean": statistics.fmean(latencies)}


def distinct_scenarios(rule_ids: list[str], n: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        removed = sorted(rng.sample(rule_ids, rng.randint(1, 4)))
        out.append({"scenario": {"name": f"bench-{i}", "remove": removed}, "target": "CHN",
                    "at": f"20{rng.randint(22, 26)}-{rng.randint(1, 12):02d}-15"})
    return out


def wait_until_up(port: int, server: subprocess.Popen[bytes], seconds: float) -> None:
    """Wait for the server on ``port`` to answer; SystemExit when it has not within ``seconds`` or has died."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if request(port, "GET", "/api/v1/vocabulary")[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit("the server did not start")
        time.sleep(0.2)


def temporary_store(cset: Path, prefix: str) -> Path:
    """A store in a new temporary folder with the bundled data and, when the folder exists, the CSET import."""
    sys.path.insert(0, str(REPO / "src"))
    from chipshift import api
    from chipshift.config import Settings

    store_path = Path(tempfile.mkdtemp(prefix=prefix)) / "store.duckdb"
    with api.open_store(Settings(store_path=store_path)) as store:
        if cset.is_dir():
            api.import_cset(store, cset)
    return store_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cset", type=Path, default=REPO.parent / "shared" / "data" / "cset-eto")
    parser.add_argument("--requests", type=int, default=2000, help="requests of the cached-run load")
    parser.add_argument("--distinct", type=int, default=300, help="requests of the uncached-run load")
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    from chipshift.io.store import Store

    store_path = temporary_store(args.cset, "chipshift-bench-web-")
    folder = store_path.parent
    with Store(store_path) as store:
        rule_ids = [r["id"] for r in store.rows("rules")]
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(store_path), str(port), str(REPO / "examples")])
    try:
        wait_until_up(port, server, 60)
        print("== server time (Server-Timing), ms: cold = slowest first answer, warm = p95 of repeats")
        print(f"{'page':10} {'request':48} {'cold':>8} {'warm p95':>9}")
        for page, label, cold, warm in server_times(port):
            print(f"{page:10} {label:48} {cold:8.1f} {warm:9.1f}")
        same = {"ref": "example:duv-immersion-china", "target": "CHN"}
        print(f"== POST /api/v1/run, {args.concurrency} concurrent clients on loopback (ms)")
        if shutil.which("hey"):
            r = hey(port, same, args.requests, args.concurrency)
            print(f"hey, one scenario (cached after the first run): n={r['n']:.0f} ok={r['ok']:.0f} "
                  f"p50={r['p50']:.1f} p95={r['p95']:.1f} p99={r['p99']:.1f}")
        else:
            print("hey not found (apt-get install hey): the cached-run load is skipped")
        r = python_load(port, distinct_scenarios(rule_ids, args.distinct), args.concurrency)
        print(f"python client, {args.distinct} distinct scenarios (none cached): n={r['n']:.0f} ok={r['ok']:.0f} "
              f"p50={r['p50']:.1f} p95={r['p95']:.1f} p99={r['p99']:.1f} throughput={r['rps']:.1f}/s")
        single = [request(port, "POST", "/api/v1/run", b)[1] for b in distinct_scenarios(rule_ids, 400)[300:330]]
        print(f"one client, distinct scenarios: server time p50={pct(single, 0.5):.1f} p95={pct(single, 0.95):.1f}")
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
