"""A throwaway PostgreSQL cluster for the tests: Debian's server programs, run by a user other than root, with
its data in a temporary folder and a free port on 127.0.0.1; stopped and removed afterwards.

Tests that need it are skipped when PostgreSQL is not installed, except in CI (``CI=true``), where
``scripts/run-tests`` installs it and a missing server is a failure.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import psycopg

#: Who runs the server when the tests run as root (PostgreSQL refuses root): Debian's package creates
#: 'postgres'; without it a system user of this name is created.
FALLBACK_USER = "chipshift-pg"
SUPERUSER = "chipshift"


def server_programs() -> Path | None:
    """The folder of initdb and pg_ctl (Debian keeps them out of PATH, one folder per major version)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_user() -> str | None:
    """None when this process may run the server itself; else the unprivileged user to run it as."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", FALLBACK_USER):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", FALLBACK_USER],
                   check=True, capture_output=True)
    return FALLBACK_USER


@dataclass
class Cluster:
    """A running server; ``database()`` makes a new, empty database and returns its URL."""

    programs: Path
    folder: Path
    port: int
    user: str | None
    _numbers: Iterator[int] = field(default_factory=count)

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def database(self, prefix: str = "test") -> str:
        name = f"{prefix}_{next(self._numbers)}"
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run([*prefix, *args], check=True, capture_output=True, text=True, timeout=120)


@contextlib.contextmanager
def cluster() -> Iterator[Cluster]:
    """Start a cluster (initdb, then pg_ctl start) and stop and remove it afterwards. Raises LookupError when
    PostgreSQL is not installed."""
    programs = server_programs()
    if programs is None:
        raise LookupError("PostgreSQL's server programs (initdb, pg_ctl) are not installed: on Debian, "
                          "apt-get install postgresql (scripts/run-tests does)")
    user = _server_user()
    folder = Path(tempfile.mkdtemp(prefix="chipshift-pg-"))
    if user:
        shutil.chown(folder, user)
    running = Cluster(programs, folder, _free_port(), user)
    data = folder / "data"
    try:
        running.run(str(programs / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "--no-locale",
                    "-E", "UTF8", "--no-sync")
        # durability is not wanted of a cluster removed at the end: no fsync, and the socket in its own folder
        options = (f"-p {running.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        running.run(str(programs / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options,
                    "-w", "-t", "60", "start")
        try:
            yield running
        finally:
            running.run(str(programs / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    except subprocess.CalledProcessError as exc:
        log = folder / "server.log"
        tail = log.read_text()[-2000:] if log.exists() else ""
        raise RuntimeError(f"the test cluster failed: {exc.cmd}: {exc.stderr}\n{tail}") from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)
