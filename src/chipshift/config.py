"""Settings: made by the entry points and passed in; nothing here runs at import."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_store_path() -> Path:
    """$CHIPSHIFT_STORE, else $XDG_DATA_HOME/chipshift/chipshift.duckdb (~/.local/share by default)."""
    explicit = os.environ.get("CHIPSHIFT_STORE")
    if explicit:
        return Path(explicit).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "chipshift" / "chipshift.duckdb"


@dataclass(frozen=True)
class Settings:
    store_path: Path
    data_dir: Path | None = None  # None: the package's bundled data

    @classmethod
    def from_env(cls, store: Path | None = None, data_dir: Path | None = None) -> Settings:
        return cls(store_path=store or default_store_path(), data_dir=data_dir)
