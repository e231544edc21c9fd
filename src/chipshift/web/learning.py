"""The market model's error, learned once for everyone using the store, in a process of its own.

Bands (market runs with draws) add the model's error on outcomes it was not fitted to, learned by running the
bundled back-test library (``api.backtest.library_error``): minutes of computation. A server learns it as it
starts, and again when a write of data changes what it depends on (``api.backtest.library_version``), in a child
process (spawned, at a lower priority) so that nothing the server answers waits for it. Until it is learned, a
run that needs it is refused at once (``StillLearning``: 429 with a Retry-After estimated from the learning's
progress); runs without draws are answered as usual.

One process learns for all: the child takes the store's claim (``Store.claim``; on PostgreSQL the first serving
process's child gets it) and, on PostgreSQL, keeps its progress in the store; the children of other serving
processes follow that progress and take the value the first one keeps. When the value comes, the serving process
keeps it in its store (a DuckDB file's learner works on a copy) and hands it to its market workers with each run
(``compute.use_error``).
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chipshift.api import backtest as backtest_api
from chipshift.io.store import Store, is_postgres, open_at
from chipshift.scenarios.backtest import ErrorModel

_log = logging.getLogger(__name__)

#: What a learner tells the serving process: ``("progress", done, total, started)`` (started: seconds since the
#: epoch), ``("learned", version, value)`` (the JSON value kept in the store) or ``("failed", message)``.
Report = Callable[[tuple[Any, ...]], None]
#: A learner: ``learn(location, report)`` learns the error of the store at ``location`` and reports as it goes.
Learn = Callable[[str, Report], None]

#: The claim one process at a time holds while it learns, and the key of the progress it keeps.
CLAIM = "learn-library-error"
PROGRESS = "library_error_progress"
#: How often a process that follows another's learning reads its progress.
FOLLOW_S = 2.0
#: The Retry-After before the first episode is done (no pace to estimate from yet).
FIRST_RETRY_S = 30


@dataclass(frozen=True)
class Progress:
    """How far a learning has gone: ``done`` of ``total`` episodes, started at ``started`` (seconds since the
    epoch)."""

    done: int
    total: int
    started: float

    def seconds_left(self, now: float) -> float | None:
        """The time the rest should take at the pace so far; None before the first episode is done."""
        if self.done <= 0 or self.total <= 0:
            return None
        return max(now - self.started, 0.0) / self.done * max(self.total - self.done, 0)


class StillLearning(Exception):
    """A run needs the model's error, which is being learned: retry after ``retry_after`` seconds."""

    def __init__(self, progress: Progress | None, now: float) -> None:
        left = progress.seconds_left(now) if progress is not None else None
        self.progress = progress
        self.retry_after = max(1, math.ceil(left)) if left is not None else FIRST_RETRY_S
        if progress is None or progress.done <= 0:
            where = "it has just started"
        else:
            where = f"{progress.done} of {progress.total} episodes run, about {_duration(left or 0)} left"
        self.message = (f"the market model's error is being learned from the back-test library ({where}); runs "
                        f"with bands (draws) are answered once it is: retry in {self.retry_after} s, or run "
                        "without draws now")
        super().__init__(self.message)


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


@dataclass(frozen=True)
class Learned:
    """The model's error of ``version`` (None when no episode loads), as ``use_error`` hands it to a worker."""

    version: str
    error: ErrorModel | None


# -- the learning process --------------------------------------------------------------------------------------


def learn_library_error(location: str, report: Report,
                        learn_error: Callable[[Store, Callable[[int, int], None]], ErrorModel | None]
                        = backtest_api.library_error) -> None:
    """Learn the model's error of the store at ``location`` (``learn_error(store, progress)``: the bundled
    library's run), or, while another process holds the claim, follow that one's progress until it keeps the
    value."""
    store = open_at(location)
    try:
        version = backtest_api.library_version(store)
        while True:
            with store.claim(CLAIM) as mine:
                if mine:
                    found, kept = store.derived(backtest_api.LIBRARY_ERROR, version)
                    if not found:
                        kept = backtest_api.library_error_value(learn_error(store, _reporting(store, version,
                                                                                              report)))
                        store.keep_derived(backtest_api.LIBRARY_ERROR, version, kept)
                    report(("learned", version, kept))
                    return
            found, kept = store.derived(backtest_api.LIBRARY_ERROR, version)
            if found:
                report(("learned", version, kept))
                return
            found, progress = store.derived(PROGRESS, version)
            if found:
                report(("progress", progress["done"], progress["total"], progress["started"]))
            time.sleep(FOLLOW_S)
    finally:
        store.close()


def _reporting(store: Store, version: str, report: Report) -> Callable[[int, int], None]:
    """What reports the progress: the episodes done, timed from when the first one started (the library's run
    says 0 done once its episodes are loaded, which takes a while and says nothing of the pace)."""
    first: list[float] = []
    shared = is_postgres(store.path)  # other serving processes read it there; a DuckDB copy is this one's alone

    def progress(done: int, total: int) -> None:
        if not first or done == 0:
            first[:] = [time.time()]
        started = first[0]
        report(("progress", done, total, started))
        if shared:
            store.keep_derived(PROGRESS, version, {"done": done, "total": total, "started": started})

    return progress


def _child(learn: Learn, location: str, sender: Any, nice: int) -> None:
    from chipshift.web.compute import start_worker

    start_worker(nice)
    try:
        learn(location, sender.send)
    except Exception as exc:  # told to the serving process, which logs it
        sender.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


# -- the serving process's side --------------------------------------------------------------------------------


class Learner:
    """The serving process's view of the learning: ``require()`` answers the learned error, or raises
    ``StillLearning`` (starting the learning when what it depends on changed and nobody learns it)."""

    def __init__(self, store: Store, where: Callable[[], str], *, nice: int = 0,
                 learn: Learn = learn_library_error) -> None:
        """``where()``: where the learning process finds the store (its URL, or a DuckDB file's copy)."""
        self._store = store
        self._where = where
        self._nice = nice
        self._learn = learn
        self._lock = threading.Lock()
        self._checked: tuple[int, str] | None = None  # (the store's generation, its version) when last read
        self._learning: str | None = None  # the version being learned
        self._progress: Progress | None = None
        self._failed: set[str] = set()
        self._process: Any = None

    def start(self) -> None:
        """Start learning, if it must, in the background (what the server does as it starts)."""
        threading.Thread(target=self._start, daemon=True, name="chipshift-learn").start()

    def _start(self) -> None:
        try:
            self.require()
        except StillLearning:
            pass
        except Exception:  # the store closed under it: the first run with bands tries again
            _log.warning("the model's error was not looked up at start", exc_info=True)

    def require(self) -> Learned | None:
        """The learned error of the store as it is now; None when learning it failed (the caller learns it
        itself, as without a learner). Reads the store when its data changed since the last call: call it off
        the event loop."""
        version = self._version()
        with self._lock:
            if self._learning == version:
                raise StillLearning(self._progress, time.time())
        if version in self._failed:
            return None
        found, error = backtest_api.known_library_error(self._store, version)
        if found:
            backtest_api.remember_library_error(version, error)
            return Learned(version, error)
        with self._lock:
            if self._learning != version:
                self._begin(version)
            raise StillLearning(self._progress, time.time())

    def _version(self) -> str:
        generation = self._store.generation()
        checked = self._checked
        if checked is not None and checked[0] == generation:
            return checked[1]
        version = backtest_api.library_version(self._store)
        self._checked = (generation, version)
        return version

    def _begin(self, version: str) -> None:
        """Start a learning process (under the lock), and a thread that reads what it reports."""
        context = multiprocessing.get_context("spawn")  # not fork: this process has threads and connections
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(self._learn, self._where(), sender, self._nice),
                                  daemon=True, name="chipshift-learn")
        process.start()
        sender.close()
        self._stop()
        self._learning, self._progress, self._process = version, None, process
        threading.Thread(target=self._follow, args=(version, receiver), daemon=True,
                         name="chipshift-learn-reports").start()

    def _follow(self, version: str, receiver: Any) -> None:
        outcome = "the learning process ended without an answer"
        try:
            while True:
                try:
                    message = receiver.recv()
                except (EOFError, OSError):
                    break
                if message[0] == "progress":
                    with self._lock:
                        if self._learning == version:
                            self._progress = Progress(int(message[1]), int(message[2]), float(message[3]))
                elif message[0] == "learned":
                    self._keep(str(message[1]), message[2])
                    outcome = ""
                    break
                else:
                    outcome = str(message[1])
                    break
        finally:
            receiver.close()
            with self._lock:
                if self._learning == version:
                    self._learning = None
                    if outcome:
                        self._failed.add(version)
        if outcome:
            _log.warning("the model's error was not learned: %s", outcome)

    def _keep(self, version: str, value: Any) -> None:
        error = backtest_api.error_of_value(value)
        backtest_api.remember_library_error(version, error)
        try:
            if not self._store.derived(backtest_api.LIBRARY_ERROR, version)[0]:
                self._store.keep_derived(backtest_api.LIBRARY_ERROR, version, value)
        except Exception:  # kept in this process all the same
            _log.warning("the learned error was not kept in the store", exc_info=True)

    def _stop(self) -> None:
        process = self._process
        if process is not None and process.is_alive():
            process.terminate()
        self._process = None

    def close(self) -> None:
        """Stop a learning under way (its answer has no one left to go to)."""
        with self._lock:
            self._learning = None
            self._stop()
