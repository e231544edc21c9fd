"""The dataset that ships with chipshift: where its files are and how they are read."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from chipshift.errors import Problem
from chipshift.io.tables import Table, read_csv, read_yaml_records
from chipshift.schemas import tables as schemas


def bundled_data_dir() -> Path:
    """The package's own data folder."""
    return Path(str(resources.files("chipshift") / "data"))


@dataclass
class Bundle:
    """Every bundled table, read and cell-checked; cross-table checks live in ``chipshift.checks``.

    ``episode_texts`` holds the back-test episodes' files as text (``episodes/*.yaml``), so a check can see which
    sources they cite by id."""

    tables: dict[str, Table]
    root: Path
    episode_texts: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]

    @property
    def problems(self) -> list[Problem]:
        return [p for t in self.tables.values() for p in t.problems]


def load_bundle(data_dir: Path | None = None) -> Bundle:
    """Read the bundled data files from ``data_dir`` (default: the package's data folder).

    ``facts`` are read from every ``facts/*.csv`` file, so topics can live in files of their own.
    """
    root = data_dir or bundled_data_dir()
    tables: dict[str, Table] = {}
    for schema in schemas.BUNDLED:
        if schema.name == "facts":
            table = Table(schema)
            folder = root / "facts"
            files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
            if not files:
                table.problems.append(Problem("no facts files (facts/*.csv)", str(folder.name), check="file_format"))
            for path in files:
                table.extend(read_csv(path, schema, f"facts/{path.name}"))
        elif schema.file and schema.file.endswith(".yaml"):
            path = root / schema.file
            table = (read_yaml_records(path, schema, schema.file, key="rules", defaults={"origin": "bundled"})
                     if path.exists() else _missing(schema))
        else:
            assert schema.file is not None
            path = root / schema.file
            table = read_csv(path, schema, schema.file) if path.exists() else _missing(schema)
        tables[schema.name] = table
    episodes = sorted((root / "episodes").glob("*.yaml")) if (root / "episodes").is_dir() else []
    return Bundle(tables, root, tuple(path.read_text(encoding="utf-8") for path in episodes))


def _missing(schema: schemas.TableSchema) -> Table:
    return Table(schema, problems=[Problem("file is missing", schema.file, check="file_format")])
