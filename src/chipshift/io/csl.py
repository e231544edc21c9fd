"""The US Consolidated Screening List (trade.gov) as published: the bulk JSON (``{"results": [...]}``, the
official field names) or its CSV form, and the snapshot in ``../shared/data/csl/`` (the same field names, fewer of
them). Public domain. Never copy the file into the project: loaders take a path.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chipshift.errors import DataError, Problem

ORIGIN = "csl"
TITLE = "US Consolidated Screening List (International Trade Administration)"
LICENCE = "public domain (a work of the US Government)"
ATTRIBUTION = "International Trade Administration, US Department of Commerce: Consolidated Screening List"
#: The largest file read (the full official JSON is some 60 MB; the snapshot 12 MB).
MAX_BYTES = 200_000_000
#: The lists by their names in the file, with short codes.
LIST_CODES = {
    "Entity List (EL) - Bureau of Industry and Security": "EL",
    "Denied Persons List (DPL) - Bureau of Industry and Security": "DPL",
    "Unverified List (UVL) - Bureau of Industry and Security": "UVL",
    "Military End User (MEU) List - Bureau of Industry and Security": "MEU",
    "Specially Designated Nationals (SDN) - Treasury Department": "SDN",
    "Sectoral Sanctions Identifications List (SSI) - Treasury Department": "SSI",
    "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department": "CMIC",
    "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department": "NS-MBS",
    "Palestinian Legislative Council List (PLC) - Treasury Department": "PLC",
    "Capta List (CAP) - Treasury Department": "CAP",
    "ITAR Debarred (DTC) - State Department": "DTC",
    "Nonproliferation Sanctions (ISN) - State Department": "ISN",
}


@dataclass(frozen=True)
class CslImport:
    rows: list[dict[str, Any]]
    by_list: dict[str, int]


def _list_field(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(";") if v.strip()]


def _countries(addresses: Any) -> list[str]:
    if isinstance(addresses, list):
        return sorted({str(a.get("country")).strip() for a in addresses if isinstance(a, dict) and a.get("country")})
    if isinstance(addresses, str):  # the CSV form: addresses joined, each ending with its country code
        return sorted({part.strip().split(",")[-1].strip() for part in addresses.split(";") if part.strip()})
    return []


def _entries(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line or position, entry) pairs from the JSON or CSV file."""
    if not path.is_file():
        raise DataError([Problem("file not found", str(path), check="file_format")])
    if path.stat().st_size > MAX_BYTES:
        raise DataError([Problem(f"larger than {MAX_BYTES:,} bytes: not a screening list", path.name,
                                 check="file_format")])
    if path.suffix.lower() == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if not {"name", "source"} <= set(reader.fieldnames or ()):
                raise DataError([Problem("a CSV screening list needs the columns 'name' and 'source'", path.name, 1,
                                         check="file_format")])
            return [(line, dict(row)) for line, row in enumerate(reader, start=2)]
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise DataError([Problem(f"not JSON: {exc}", path.name, line, check="file_format")]) from None
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list):
        raise DataError([Problem("expected an object with a 'results' list (the official bulk file's shape)",
                                 path.name, check="file_format")])
    return [(n + 1, entry) for n, entry in enumerate(results)]


def read_csl(path: Path) -> CslImport:
    """Every entry as a party row. Refused (DataError naming the file and the entry's line or position): not
    JSON or CSV of the official shape, an entry that is not an object, an entry without a name or list, an
    unknown list, the same entry twice (identical in every field)."""
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for where, entry in _entries(path):
        label = f"entry {where}" if path.suffix.lower() != ".csv" else None
        line = where if path.suffix.lower() == ".csv" else None
        if not isinstance(entry, dict):
            problems.append(Problem("an entry must be an object", path.name, line, label, check="file_format"))
            continue
        name = str(entry.get("name") or "").strip()
        source = str(entry.get("source") or "").strip()
        if not name:
            problems.append(Problem("an entry without a name", path.name, line, label or "name", check="file_format"))
            continue
        if source not in LIST_CODES:
            problems.append(Problem(f"unknown list {source!r}", path.name, line, label or "source",
                                    check="file_format"))
            continue
        number = str(entry.get("entity_number") or entry.get("id") or entry.get("_id") or "").strip()
        # one party may be listed several times (a person at several addresses); an entry repeated in every
        # field the file gives is a broken file
        key = json.dumps(entry, sort_keys=True, default=str)
        if key in seen:
            problems.append(Problem(f"the same entry twice ({name!r} on {LIST_CODES[source]}, identical to "
                                    f"{'line' if line else 'entry'} {seen[key]})", path.name, line, label,
                                    check="unique_ids"))
            continue
        seen[key] = where
        rows.append({
            "id": f"{LIST_CODES[source]}:{number or len(rows) + 1}:{len(rows) + 1}",
            "name": name, "alt_names": _list_field(entry.get("alt_names")), "list": LIST_CODES[source],
            "list_name": source, "type": entry.get("type"), "countries": _countries(entry.get("addresses")),
            "entity_number": number or None, "license_requirement": entry.get("license_requirement"),
            "license_policy": entry.get("license_policy"), "programs": _list_field(entry.get("programs")),
            "federal_register_notice": entry.get("federal_register_notice"),
            "start_date": entry.get("start_date") or None, "source_list_url": entry.get("source_list_url"),
            "origin": ORIGIN,
        })
    if problems:
        raise DataError(problems)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["list"]] = counts.get(row["list"], 0) + 1
    return CslImport(rows, dict(sorted(counts.items(), key=lambda kv: -kv[1])))
