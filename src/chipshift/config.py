"""Settings: made by the entry points and passed in; nothing here runs at import."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: URL schemes of a PostgreSQL store (``--store`` or $CHIPSHIFT_STORE); anything else is a file.
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def store_location(value: Path | str) -> Path | str:
    """A store given on the command line or in the environment: a ``postgresql://`` URL stays a string (the
    team's shared store), anything else is the path of a DuckDB file."""
    text = str(value)
    if text.startswith(POSTGRES_SCHEMES):
        return text
    return Path(text).expanduser()


def default_store_path() -> Path | str:
    """$CHIPSHIFT_STORE (a file or a ``postgresql://`` URL), else $XDG_DATA_HOME/chipshift/chipshift.duckdb
    (~/.local/share by default)."""
    explicit = os.environ.get("CHIPSHIFT_STORE")
    if explicit:
        return store_location(explicit)
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "chipshift" / "chipshift.duckdb"


@dataclass(frozen=True)
class Settings:
    store_path: Path | str  # a DuckDB file, or a PostgreSQL database's ``postgresql://`` URL (a str)
    data_dir: Path | None = None  # None: the package's bundled data

    @classmethod
    def from_env(cls, store: Path | str | None = None, data_dir: Path | None = None) -> Settings:
        return cls(store_path=store_location(store) if store else default_store_path(), data_dir=data_dir)
