"""Start-up benchmark: how long the command line takes to answer, beside a bare interpreter in the same run.

Run: .venv/bin/python benchmarks/bench_startup.py [--repeat 10] [--before SRC]
``--before SRC`` also runs each chipshift command from another checkout's ``src`` folder (e.g. a worktree of
an earlier commit), interleaved with the current one. Each command runs as its own process, alternating with
the others so that a busy machine slows all of them alike; the median wall time of each is printed with its
ratio to `python -c pass`. The query runs on a temporary store that holds the bundled data (loaded once
before timing), so it measures a query, not a load. Targets: `--help` under 0.3 s, a small query under 0.6 s.
Two queries are timed: a small one (the market-share facts about one firm: a lookup in the store) and
`show firm`, which also runs the restriction engine for the rules reaching the firm (numpy). The machine's
load average is printed before and after: on a shared machine the absolute times move with it, the ratios
to `python -c pass` much less. ``python -X importtime -m chipshift ...`` shows where a command's start goes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "chipshift"]


def wall(command: list[str], env: dict[str, str]) -> float:
    """Seconds from start to exit of one process."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--before", type=Path, help="another checkout's src folder, timed beside this one")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CHIPSHIFT_STORE": str(Path(tmp) / "store.duckdb")}
        subprocess.run([*CLI, "data", "overview"], check=True, stdout=subprocess.DEVNULL, env=env)  # load once
        before = {**env, "PYTHONPATH": str(args.before.resolve())} if args.before else None
        if before:
            subprocess.run([*CLI, "data", "overview"], check=True, stdout=subprocess.DEVNULL, env=before)
        chipshift = {"chipshift --help": ["--help"],
                     "chipshift facts --entity Micron --metric market_share -f json":
                         ["facts", "--entity", "Micron", "--metric", "market_share", "--format", "json"],
                     "chipshift show firm Micron --format json": ["show", "firm", "Micron", "--format", "json"]}
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([sys.executable, "-c", "pass"], env)}
        for name, arguments in chipshift.items():
            commands[name] = ([*CLI, *arguments], env)
            if before:
                commands[f"{name} (before)"] = ([*CLI, *arguments], before)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, (command, command_env) in commands.items():
                times[name].append(wall(command, command_env))
    base = statistics.median(times["python -c pass"])
    width = max(map(len, times)) + 1
    print(f"{'command':<{width}} {'median s':>9} {'min s':>7} {'x python -c pass':>17}  ({args.repeat} runs each)")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<{width}} {median:>9.3f} {min(values):>7.3f} {median / base:>17.1f}")
    print(f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
