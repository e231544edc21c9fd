"""Load benchmark of the shared server: 20 clients on an uncached mix of questions, and a write every second.

Run: .venv/bin/python benchmarks/bench_server_load.py [--cset ../shared/data/cset-eto] [--seconds 60]
     [--store postgresql://USER@127.0.0.1:PORT/DBNAME [--workers N]] [--learned]
Builds a temporary store (bundled data + CSET import; with ``--store``, in that PostgreSQL database, which
should be empty), starts `chipshift.web` with uvicorn and a write token in
a child process on 127.0.0.1 and a free port (with ``--workers N``, ``chipshift serve --workers N``: N worker
processes on the PostgreSQL store), then for ``--seconds`` runs ``--clients`` threads, each asking in
turn (every request distinct, so nothing is answered from the cache):
- exposure of China at a distinct date (GET /api/v1/exposure),
- an input's page (GET /api/v1/inputs/{id}), every input in turn (the page has no date, so an input asked a
  second time is answered from the cache),
- a restriction scenario at a distinct date (POST /api/v1/run),
- a market case with a distinct seed and a few draws (POST /api/v1/market/run),
while one more thread saves a new scenario every second (POST /api/v1/scenarios). The server learns the market
model's error as it starts (minutes), and meanwhile refuses market runs with draws at once with 429; with
``--learned`` the load starts once a market run with draws is answered (asked again after each Retry-After, at
most 30 s apart), and the wait, the refusals and their Retry-After are printed. At the end every save
answered 201 is looked up in the listing: a missing one is a lost write. It prints, per kind, the count,
statuses and p50/p95 wall time, and checks the targets: no error (a market run refused with 429 is an
answer), no lost write, write p95 under 200 ms, exposure and input-page p95 under 500 ms.
Everything stays on 127.0.0.1 and is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web import free_port, pct, temporary_store, wait_until_up

REPO = Path(__file__).resolve().parents[1]
TOKEN = "bench-token"
SERVER = """
import sys, uvicorn
from pathlib import Path
from chipshift.config import Settings, store_location
from chipshift.web import Limits, create_app
limits = Limits.for_server()  # what `chipshift serve` runs with: heavy computations in worker processes
app = create_app(Settings(store_path=store_location(sys.argv[1])), write_token=sys.argv[3],
                 examples_dir=Path(sys.argv[4]), limits=limits, learn_at_start=True)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False, ws="none")
"""


class Client:
    """One keep-alive connection; records (kind, status, wall ms) of each request."""

    def __init__(self, port: int, log: list[tuple[str, int, float]], lock: threading.Lock) -> None:
        self.con = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
        self.log, self.lock = log, lock

    def ask(self, kind: str, method: str, path: str, body: Any = None) -> int:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"} if body else {}
        start = time.perf_counter()
        try:
            self.con.request(method, path, body=json.dumps(body) if body else None, headers=headers)
            response = self.con.getresponse()
            response.read()
            status = response.status
        except OSError:
            self.con.close()
            status = 0  # the connection failed: an error
        with self.lock:
            self.log.append((kind, status, (time.perf_counter() - start) * 1000))
        return status


def wait_until_learned(port: int, limit_s: float = 1800) -> None:
    """Ask for a market run with draws until it is answered (not 429), after each Retry-After (at most 30 s)."""
    started = time.monotonic()
    refused: list[int] = []
    while time.monotonic() - started < limit_s:
        con = http.client.HTTPConnection("127.0.0.1", port, timeout=300)  # a new one: the server closes idle ones
        con.request("POST", "/api/v1/market/run", body=json.dumps({"case": "micron-china", "draws": 20, "seed": 1}),
                    headers={"Content-Type": "application/json"})
        response = con.getresponse()
        body = response.read()
        con.close()
        if response.status != 429:
            print(f"learned: a market run with draws answered {response.status} after {time.monotonic() - started:.0f}"
                  f" s; refused {len(refused)} times before, Retry-After {refused[:1]} ... {refused[-1:]} s")
            return
        if not refused:
            print(f"while learning: {json.loads(body)['message']}")
        refused.append(int(response.headers["Retry-After"]))
        time.sleep(min(refused[-1], 30))
    raise SystemExit(f"the model's error was not learned within {limit_s:g} s")


def run_load(port: int, inputs: list[str], seconds: float, clients: int) -> tuple[list[tuple[str, int, float]], int]:
    """The mix for ``seconds``; returns the log and the number of lost writes."""
    log: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    saved: list[str] = []
    counter = iter(range(10**9))
    first = date(2019, 1, 1)

    def reader() -> None:
        client = Client(port, log, lock)
        kinds = ("exposure", "input page", "scenario run", "market run")
        while time.monotonic() < stop:
            kind = kinds[next(counter) % len(kinds)]
            n = next(counter)
            day = (first + timedelta(days=n % 2500)).isoformat()
            if kind == "exposure":
                client.ask(kind, "GET", f"/api/v1/exposure?target=CHN&at={day}")
            elif kind == "input page":
                client.ask(kind, "GET", f"/api/v1/inputs/{inputs[n % len(inputs)]}")
            elif kind == "scenario run":
                client.ask(kind, "POST", "/api/v1/run", {"ref": "example:duv-immersion-china", "target": "CHN",
                                                        "at": day})
            else:
                client.ask(kind, "POST", "/api/v1/market/run", {"case": "micron-china", "draws": 20, "seed": n})

    def writer() -> None:
        client = Client(port, log, lock)
        while time.monotonic() < stop:
            started = time.monotonic()
            scenario_id = f"load-{next(counter)}"
            body = {"id": scenario_id, "scenario": {"name": scenario_id, "at": "2025-06-30", "remove": []}}
            if client.ask("save scenario", "POST", "/api/v1/scenarios", body) == 201:
                saved.append(scenario_id)
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))

    threads = [threading.Thread(target=reader) for _ in range(clients)] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    con.request("GET", "/api/v1/scenarios")
    listed = {s["ref"] for s in json.loads(con.getresponse().read())["saved"]}
    return log, sum(1 for s in saved if f"saved:{s}" not in listed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cset", type=Path, default=REPO.parent / "shared" / "data" / "cset-eto")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--store", help="a PostgreSQL database (postgresql:// URL, empty) instead of a DuckDB file")
    parser.add_argument("--learned", action="store_true",
                        help="start the load once the server has learned the market model's error")
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes (chipshift serve --workers; above 1 needs --store)")
    args = parser.parse_args()
    if args.workers > 1 and not args.store:
        parser.error("--workers above 1 needs a PostgreSQL --store")
    from chipshift.io.store import open_at

    store_path: Path | str = args.store or temporary_store(args.cset, "chipshift-bench-load-")
    folder = None if args.store else Path(store_path).parent
    if args.store:
        from chipshift import api
        from chipshift.config import Settings

        with api.open_store(Settings(store_path=args.store)) as filling:
            api.import_cset(filling, args.cset)
    with open_at(store_path) as store:
        inputs = [r["id"] for r in store.rows("inputs")]
        random.Random(7).shuffle(inputs)
    port = free_port()
    if args.workers > 1:  # the command itself; its workers find the shipped examples beside the package
        env = {**os.environ, "CHIPSHIFT_WRITE_TOKEN": TOKEN}
        server = subprocess.Popen([sys.executable, "-m", "chipshift", "--store", str(store_path), "serve",
                                   "--port", str(port), "--workers", str(args.workers)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(store_path), str(port), TOKEN,
                                   str(REPO / "examples")])
    try:
        wait_until_up(port, server, 120)
        if args.learned:
            wait_until_learned(port)
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        log, lost = run_load(port, inputs, args.seconds, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    by_kind: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for kind, status, ms in log:
        by_kind[kind].append((status, ms))
    print(f"{args.clients} clients and one writer for {args.seconds:g} s on 127.0.0.1, store: "
          f"{'PostgreSQL' if args.store else 'DuckDB'}, {args.workers} server process(es); load average before: "
          f"{load_before}, after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'kind':<14} {'n':>5} {'statuses':<28} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, rows in sorted(by_kind.items()):
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(Counter(s for s, _ in rows).items()))
        times = [ms for _, ms in rows]
        print(f"{kind:<14} {len(rows):>5} {statuses:<28} {pct(times, 0.5):>8.1f} {pct(times, 0.95):>8.1f}")
    answered = {"save scenario": {201}, "market run": {200, 429}}
    errors = sum(1 for kind, status, _ in log if status not in answered.get(kind, {200}))
    p95 = {kind: pct([ms for _, ms in rows], 0.95) for kind, rows in by_kind.items()}
    checks = {
        "no errors": errors == 0,
        "no lost writes": lost == 0,
        "write p95 < 200 ms": p95.get("save scenario", float("inf")) < 200,
        "exposure p95 < 500 ms": p95.get("exposure", float("inf")) < 500,
        "input page p95 < 500 ms": p95.get("input page", float("inf")) < 500,
    }
    print(f"errors: {errors}; lost writes: {lost}")
    for name, ok in checks.items():
        print(f"{'met ' if ok else 'MISSED'} {name}")


if __name__ == "__main__":
    main()
