"""CEPII's BACI (reconciled UN Comtrade trade flows) as published: yearly files ``BACI_HS<rev>_Y<year>_V<release>.csv``
with columns ``t, i, j, k, v, q`` (year, exporter and importer as ISO numeric codes, HS 6-digit product, value in
thousand US dollars, quantity in metric tons), and ``country_codes_V<release>.csv`` mapping the numeric codes to
ISO3. A release comes as a zip archive or an unpacked folder; either can be imported.

Only the rows of the wanted HS headings are kept, read by DuckDB straight from the files (a year of BACI is some
ten million rows), so memory stays bounded by what is kept. Never copy the files into the project: loaders take a
path.
"""

from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chipshift.errors import DataError, Problem

if TYPE_CHECKING:
    import duckdb

ORIGIN = "baci"
TITLE = "BACI: international trade database at the product level (CEPII)"
LICENCE = "Etalab Open Licence 2.0"
ATTRIBUTION = "CEPII, BACI database (Gaulier and Zignago, 2010), from UN Comtrade"
#: The HS headings kept by default: chipmaking equipment, discrete and integrated circuits, and the raw materials
#: of China's export controls (gallium and germanium compounds and metals, rare earths, antimony).
DEFAULT_HS = ("8486", "8541", "8542", "2811", "8112", "2805", "2846", "8110")
#: UN Comtrade reports Taiwan as 'Other Asia, nes' (code 490): read as Taiwan.
OTHER_ASIA = "490"
FLOWS = re.compile(r"BACI_HS(\d+)_Y(\d{4})_V(\d+)\.csv$")
COUNTRIES = re.compile(r"country_codes_V(\d+)\.csv$")


@dataclass(frozen=True)
class BaciImport:
    frame: Any  # pandas DataFrame with the trade_flows columns
    release: str
    revision: str
    years: tuple[int, ...]
    kept: dict[str, int]  # rows kept per HS heading
    files: tuple[str, ...]


@contextmanager
def _members(path: Path) -> Iterator[Path]:
    """The release as a folder: ``path`` itself, or the zip archive unpacked into a temporary folder."""
    if path.is_dir():
        yield path
        return
    if not zipfile.is_zipfile(path):
        raise DataError([Problem("neither a folder nor a zip archive of a BACI release", str(path),
                                 check="file_format")])
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            base = Path(name).name
            if FLOWS.search(base) or COUNTRIES.search(base):
                with archive.open(name) as src, open(Path(tmp) / base, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
        yield Path(tmp)


def _countries(file: Path) -> dict[str, str]:
    """Numeric code -> ISO3, from the release's country file."""
    out: dict[str, str] = {}
    with open(file, encoding="utf-8", errors="replace", newline="") as f:
        reader = csv.DictReader(f)
        needed = {"country_code", "country_iso3"}
        if not needed <= set(reader.fieldnames or ()):
            raise DataError([Problem(f"missing columns {sorted(needed - set(reader.fieldnames or ()))}",
                                     file.name, 1, check="file_format")])
        for line, row in enumerate(reader, start=2):
            code = (row["country_code"] or "").strip()
            iso3 = (row["country_iso3"] or "").strip()
            if not code.isdigit():
                raise DataError([Problem(f"country code {code!r} is not a number", file.name, line, "country_code",
                                         check="file_format")])
            out[code] = "TWN" if code == OTHER_ASIA else iso3
    return out


def read_baci(path: Path, hs: Sequence[str] = DEFAULT_HS) -> BaciImport:
    """The flows of the wanted HS headings (2 to 6 digits) in every yearly file of a BACI release at ``path``.

    Raises DataError naming the file (and line where DuckDB gives it) for a missing file, a missing column, a
    malformed number, an exporter or importer the country file does not know, or two releases mixed."""
    wanted = [h.strip() for h in hs if h.strip()]
    bad = [h for h in wanted if not (h.isdigit() and 2 <= len(h) <= 6)]
    if bad or not wanted:
        raise DataError([Problem(f"HS headings must be 2 to 6 digits, got {bad or 'none'}", "--hs",
                                 check="arguments")])
    with _members(path) as folder:
        flows = sorted(f for f in folder.iterdir() if FLOWS.search(f.name))
        country_files = sorted(f for f in folder.iterdir() if COUNTRIES.search(f.name))
        if not flows:
            raise DataError([Problem("no BACI_HS<rev>_Y<year>_V<release>.csv file", str(path), check="file_format")])
        if not country_files:
            raise DataError([Problem("no country_codes_V<release>.csv file", str(path), check="file_format")])
        releases = {m.group(3) for f in flows if (m := FLOWS.search(f.name))}
        revisions = {m.group(1) for f in flows if (m := FLOWS.search(f.name))}
        if len(releases) > 1 or len(revisions) > 1:
            raise DataError([Problem(f"files of several releases or HS revisions ({sorted(releases | revisions)}): "
                                     "import one release at a time", str(path), check="file_format")])
        countries = _countries(country_files[-1])
        import duckdb  # loaded when a release is read, not when the command line starts

        con = duckdb.connect()
        try:
            con.register("codes", _frame({"code": list(countries), "iso3": list(countries.values())}))
            parts = []
            for file in flows:
                parts.append(_read_year(con, file, wanted))
            frame = _concat(parts)
        finally:
            con.close()
    unknown = sorted(set(frame.loc[frame["exporter"].isna(), "i"]) | set(frame.loc[frame["importer"].isna(), "j"]))
    if unknown:
        raise DataError([Problem(f"country codes {unknown[:10]} are not in the release's country file",
                                 flows[0].name, field="i/j", check="references")])
    frame = frame.drop(columns=["i", "j"])
    kept = {h: int(frame["hs6"].str.startswith(h).sum()) for h in wanted}
    return BaciImport(frame, releases.pop(), revisions.pop(), tuple(sorted(int(y) for y in frame["year"].unique())),
                      kept, tuple(f.name for f in flows))


def _read_year(con: duckdb.DuckDBPyConnection, file: Path, wanted: Sequence[str]) -> Any:
    """One yearly file's kept rows, with ISO3 codes (NULL where the country file lacks the code)."""
    import duckdb

    prefixes = " OR ".join(f"starts_with(lpad(trim(k), 6, '0'), '{h}')" for h in wanted)
    try:
        return con.execute(
            f"""
            SELECT CAST(t AS INTEGER) AS year, CAST(i AS VARCHAR) AS i, CAST(j AS VARCHAR) AS j,
                   e.iso3 AS exporter, m.iso3 AS importer, lpad(trim(k), 6, '0') AS hs6,
                   CAST(v AS DOUBLE) * 1000.0 AS value_usd, TRY_CAST(trim(CAST(q AS VARCHAR)) AS DOUBLE) AS quantity_t,
                   '{ORIGIN}' AS origin
            FROM read_csv(?, header = true, delim = ',', quote = '"',
                          columns = {{'t': 'VARCHAR', 'i': 'VARCHAR', 'j': 'VARCHAR', 'k': 'VARCHAR',
                                      'v': 'VARCHAR', 'q': 'VARCHAR'}}) AS f
            LEFT JOIN codes e ON e.code = trim(f.i)
            LEFT JOIN codes m ON m.code = trim(f.j)
            WHERE {prefixes}
            """, [str(file)]).df()
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        line = re.search(r"[Ll]ine:? (\d+)", str(exc))
        raise DataError([Problem(f"cannot read the flows: {message}", file.name,
                                 int(line.group(1)) if line else None, check="file_format")]) from None


def _frame(columns: dict[str, list[str]]) -> Any:
    import pandas as pd

    return pd.DataFrame(columns)


def _concat(parts: list[Any]) -> Any:
    import pandas as pd

    return pd.concat(parts, ignore_index=True)
