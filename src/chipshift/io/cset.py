"""Import of CSET's Emerging Technology Observatory supply-chain dataset (CC BY-NC 4.0).

The tables are read from a folder the user names, checked, and mapped onto chipshift's entities:
countries by ISO3 code, firms by name or alias (new ones get a slug id), nodes keep their N-ids.
Quirks handled here (see the dataset's README): providers repeat per alias; names are not join keys;
a blank share is unknown, never zero; bucket nodes sit beside their children; stage-level shares are
by plant location while node shares are by headquarters. Nothing is copied into the project.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chipshift.errors import DataError, Problem
from chipshift.io.tables import Row, Table, TooLarge, read_bounded, read_csv
from chipshift.schemas import cset as cs

ORIGIN = "cset"
TITLE = "Emerging Technology Observatory Advanced Semiconductor Supply Chain Dataset"
LICENCE = "CC BY-NC 4.0 (Creative Commons Attribution-NonCommercial 4.0 International)"
ATTRIBUTION = (
    "Data: Emerging Technology Observatory (ETO), Center for Security and Emerging Technology, "
    "Georgetown University - Advanced Semiconductor Supply Chain Dataset, "
    "github.com/georgetown-cset/eto-chip-explorer. Licensed CC BY-NC 4.0; non-commercial use only."
)
#: CSET's non-ISO country providers and the chipshift ids they map to.
COUNTRY_ALIASES = {"Various countries": "XVC", "Various": "XVC", "EUR": "EUR"}
#: What each stage-level chart measures (stages.csv captions): S1 by firm HQ, S2/S3 by plant location.
STAGE_BASIS = {"S1": "headquarters", "S2": "site_location", "S3": "site_location"}

#: Numeric country shares of a node summing outside this range (percent) are reported by node id.
SHARE_SUM_RANGE = (90.0, 110.0)
#: The dataset's own description, whose tables of files and schemas state each table's row count.
README = "README.md"

_SIZE = re.compile(r"\$\s*([\d.,]+)\s*(billion|million|thousand)?", re.IGNORECASE)
_YEAR = re.compile(r"\((\d{4})\)")
_SCALE = {"billion": 1e9, "million": 1e6, "thousand": 1e3, None: 1.0}


@dataclass
class CsetImport:
    """Rows ready for the store, keyed by store table name, plus counts for the import report."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Expected:
    """A table's size as the dataset's README states it: data rows, and distinct values of a key column."""

    rows: int | None = None
    distinct: int | None = None
    distinct_column: str | None = None


def _count(text: str) -> int | None:
    digits = text.strip().replace(",", "")
    return int(digits) if digits.isdigit() else None


_HEADING = re.compile(r"^#{2,6}\s+`([^`]+)`\s*\(([^)]*)\)")
_ROWS = re.compile(r"([\d,]+)\s+(?:data\s+)?rows")
_DISTINCT = re.compile(r"([\d,]+)\s+distinct\s+`?(\w+)`?")


def documented_counts(readme_text: str) -> dict[str, Expected]:
    """Row counts the dataset's README states, by file name: from a table whose header has a 'data rows'
    column (first column: the file), and from schema headings such as ``### `providers.csv` (403 rows, 396
    distinct `provider_id`)``. Files it does not mention are left out."""
    rows: dict[str, int] = {}
    distinct: dict[str, tuple[int, str]] = {}
    column: int | None = None
    for line in readme_text.splitlines():
        text = line.strip()
        if not text.startswith("|"):
            column = None
            heading = _HEADING.match(text)
            if heading:
                name, inside = heading.group(1), heading.group(2)
                found_rows = _ROWS.search(inside)
                if found_rows and _count(found_rows.group(1)) is not None:
                    rows.setdefault(name, _count(found_rows.group(1)) or 0)
                found_distinct = _DISTINCT.search(inside)
                if found_distinct and _count(found_distinct.group(1)) is not None:
                    distinct[name] = (_count(found_distinct.group(1)) or 0, found_distinct.group(2))
            continue
        cells = [c.strip() for c in text.strip("|").split("|")]
        lowered = [c.lower() for c in cells]
        if "data rows" in lowered:
            column = lowered.index("data rows")
            continue
        if column is None or column >= len(cells) or set(cells[0]) <= set("-: "):
            continue
        value = _count(cells[column])
        if value is not None:
            rows[cells[0].strip("`")] = value  # the table of files wins over the headings
    return {name: Expected(rows.get(name), *(distinct.get(name) or (None, None)))
            for name in {*rows, *distinct}}


def parse_market_size(text: str | None) -> tuple[float | None, int | None]:
    """'$13 billion (2025)' -> (13e9, 2025). Unknown parts stay None; a qualifier is left to the text."""
    if not text:
        return None, None
    m = _SIZE.search(text)
    if not m:
        return None, None
    scale = m.group(2).lower() if m.group(2) else None
    value = float(m.group(1).replace(",", "")) * _SCALE[scale]
    year = _YEAR.search(text)
    return value, int(year.group(1)) if year else None


def parse_share(raw: str | None, as_fraction: bool) -> float | None:
    """A share cell in any of the dataset's historic forms: '61.0', '61%', or a fraction (0.61)."""
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip().rstrip("%").strip()
    value = float(text)
    return value * 100.0 if as_fraction else value


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("&", " and ")).strip("-")


def read_cset(folder: Path, countries: set[str], firms: list[dict[str, Any]],
              allow_partial: bool = False) -> CsetImport:
    """Read and check the CSET tables in ``folder``; map them onto chipshift ids.

    ``countries`` are the known country ids; ``firms`` the known firms (id, name, aliases) to match
    CSET's organisations against. Raises DataError listing every problem (file, line, field). A table
    whose row count differs from the count the folder's README states is refused (a copy cut short
    imports silently otherwise) unless ``allow_partial``, which turns that into a warning.
    """
    if not folder.is_dir():
        raise DataError([Problem("is not a folder with the CSET tables", str(folder), check="file_format")])
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    for schema in cs.TABLES:
        assert schema.file is not None
        path = folder / schema.file
        if not path.exists():
            problems.append(Problem("required CSET table is missing", schema.file, check="file_format"))
            continue
        tables[schema.name] = read_csv(path, schema, schema.file)
        problems.extend(tables[schema.name].problems)
    result = CsetImport()
    expected = _readme_counts(folder)
    if not expected:
        result.warnings.append(f"no {README} beside the tables stating their row counts: a table cut short could "
                               "not be detected")
    for problem in _count_problems(expected, tables):
        if allow_partial:
            result.warnings.append(f"{problem} (imported anyway: --allow-partial)")
        else:
            problems.append(problem)
    if problems:
        raise DataError(problems)
    inputs = {r["input_id"]: r for r in tables["cset_inputs"].rows}
    stages = {r["stage_id"]: r for r in tables["cset_stages"].rows}
    provider_ids, provider_rows = _providers(tables["cset_providers"], countries, firms, problems, result)
    _provision(tables["cset_provision"], inputs, stages, provider_ids, problems, result)
    _report_names_as_aliases(tables["cset_provision"], provider_ids, result)
    links = _sequence(tables["cset_sequence"], inputs, problems)
    if problems:
        raise DataError(problems)
    result.warnings += _share_sum_warnings(result.rows["provision"])
    node_stages = _stages_of(inputs, links)
    result.rows["stages"] = [
        {"id": s["stage_id"], "name": s["stage_name"], "description": s["description"],
         "market_size_text": s["market_share_chart_global_market_size_info"],
         "share_basis": s["market_share_chart_caption"], "origin": ORIGIN}
        for s in stages.values()
    ]
    result.rows["inputs"] = []
    for node in inputs.values():
        size_text = node["market_share_chart_global_market_size_info"]
        size, size_year = parse_market_size(size_text)
        result.rows["inputs"].append({
            "id": node["input_id"], "name": node["input_name"], "aliases": [], "kind": node["type"],
            "stages": sorted(node_stages.get(node["input_id"], set())), "attributes": None,
            "market_size_usd": size, "market_size_year": size_year, "market_size_text": size_text,
            "year": node["year"], "description": node["description"], "origin": ORIGIN,
        })
    result.rows["input_links"] = [
        {"child": c, "parent": p, "relation": rel, "origin": ORIGIN} for c, p, rel in links
    ]
    result.rows["external_ids"] += [
        {"origin": ORIGIN, "external_id": i, "external_name": r["input_name"], "entity": i, "entity_kind": "input"}
        for i, r in inputs.items()
    ]
    result.counts.update({
        "stages": len(stages), "inputs": len(inputs), "providers": len(provider_rows),
        "provider_rows": len(tables["cset_providers"].rows), "provision": len(result.rows["provision"]),
        "sequence": len(tables["cset_sequence"].rows),
        "provision_blank_shares": sum(1 for r in result.rows["provision"] if r["share_pct"] is None),
        "firms_matched": sum(1 for kind in provider_ids.values() if kind[1] == "firm") - len(result.rows["firms"]),
    })
    return result


def _readme_counts(folder: Path) -> dict[str, Expected]:
    """The row counts the folder's README states (none when there is no readable README)."""
    readme = folder / README
    try:
        return documented_counts(read_bounded(readme, 5 * 1024 * 1024).decode("utf-8")) if readme.is_file() else {}
    except (OSError, UnicodeDecodeError, TooLarge):
        return {}


def _count_problems(expected: dict[str, Expected], tables: dict[str, Table]) -> list[Problem]:
    """Each table whose size differs from what the README states, as a problem naming the table and both
    counts."""
    out: list[Problem] = []
    for schema in cs.TABLES:
        table, stated = tables.get(schema.name), expected.get(schema.file or "")
        if table is None or stated is None:
            continue
        if stated.rows is not None and len(table.rows) != stated.rows:
            out.append(Problem(f"has {len(table.rows):,} data rows, but the dataset's {README} states "
                               f"{stated.rows:,}: the table looks cut short or altered", schema.file,
                               check="cset_counts"))
        column = stated.distinct_column
        if stated.distinct is not None and column is not None and column in schema.column_index:
            found = len({r[column] for r in table.rows if r[column] is not None})
            if found != stated.distinct:
                out.append(Problem(f"has {found:,} distinct {column} values, but the dataset's {README} states "
                                   f"{stated.distinct:,}: the table looks cut short or altered", schema.file,
                                   field=column, check="cset_counts"))
    return out


def _share_sum_warnings(provision: list[dict[str, Any]]) -> list[str]:
    """Nodes (and stages) whose numeric country shares sum far from 100%, by id."""
    sums: dict[str, float] = defaultdict(float)
    numeric: dict[str, int] = defaultdict(int)
    blank: dict[str, int] = defaultdict(int)
    for row in provision:
        if row["provider_kind"] != "country":
            continue
        if row["share_pct"] is None:
            blank[row["input"]] += 1
        else:
            sums[row["input"]] += row["share_pct"]
            numeric[row["input"]] += 1
    low, high = SHARE_SUM_RANGE
    out = []
    for node in sorted(numeric, key=lambda n: (n[0], int(n[1:]) if n[1:].isdigit() else 0, n)):
        total = sums[node]
        if not low <= total <= high:
            unknown = f"; {blank[node]} more listed without a share" if blank[node] else ""
            out.append(f"{node}: its country shares sum to {total:g}%, outside [{low:g}, {high:g}]{unknown}")
    return out


def _providers(table: Table, countries: set[str], firms: list[dict[str, Any]], problems: list[Problem],
               result: CsetImport) -> tuple[dict[str, tuple[str, str]], dict[str, Row]]:
    """One provider per P-id (rows repeat per alias); map each to a chipshift country or firm."""
    by_id: dict[str, list[Row]] = defaultdict(list)
    for row in table.rows:
        by_id[row["provider_id"]].append(row)
    known_names: dict[str, str] = {}
    for firm in firms:
        for name in (firm["name"], *(firm.get("aliases") or [])):
            known_names.setdefault(name.casefold(), firm["id"])
    taken = {f["id"] for f in firms}
    mapped: dict[str, tuple[str, str]] = {}
    result.rows["firms"] = []
    result.rows["external_ids"] = []
    for pid, rows in by_id.items():
        first = rows[0]
        for other in rows[1:]:
            for col in ("provider_name", "provider_type", "country"):
                if other[col] and first[col] and other[col] != first[col]:
                    problems.append(other.problem(col, f"provider {pid} has '{other[col]}' here but "
                                                       f"'{first[col]}' on line {first.line}", "cset_providers"))
        names = [first["provider_name"]] + [a.replace("\u00a0", " ").strip() for r in rows
                                            if (a := r["alias"]) and a.strip()]
        if first["provider_type"] == "country":
            code = COUNTRY_ALIASES.get(first["provider_name"], first["provider_name"])
            if code not in countries:
                problems.append(first.problem("provider_name", f"unknown country code '{code}'", "cset_providers"))
                continue
            mapped[pid] = (code, "country")
            for name in dict.fromkeys(names):
                result.rows["external_ids"].append({"origin": ORIGIN, "external_id": pid, "external_name": name,
                                                    "entity": code, "entity_kind": "country"})
            continue
        hq = COUNTRY_ALIASES.get(first["country"] or "", first["country"])
        if not hq or hq not in countries:
            problems.append(first.problem("country", f"firm {pid} has unknown headquarters '{first['country']}'",
                                          "cset_providers"))
            continue
        firm_id = next((known_names[n.casefold()] for n in names if n.casefold() in known_names), None)
        if firm_id is None:
            firm_id = slug(first["provider_name"]) or pid.lower()
            if firm_id in taken:
                firm_id = f"{firm_id}-{pid.lower()}"
            taken.add(firm_id)
            result.rows["firms"].append({
                "id": firm_id, "name": first["provider_name"],
                "aliases": [n for n in dict.fromkeys(names[1:]) if n != first["provider_name"]],
                "hq_country": hq, "parent": None, "fiscal_year_end": None, "origin": ORIGIN, "note": None,
            })
            for n in names:
                known_names.setdefault(n.casefold(), firm_id)
        mapped[pid] = (firm_id, "firm")
        for name in dict.fromkeys(names):
            result.rows["external_ids"].append({"origin": ORIGIN, "external_id": pid, "external_name": name,
                                                "entity": firm_id, "entity_kind": "firm"})
    return mapped, {pid: rows[0] for pid, rows in by_id.items()}


def _provision(table: Table, inputs: dict[str, Row], stages: dict[str, Row],
               providers: dict[str, tuple[str, str]], problems: list[Problem], result: CsetImport) -> None:
    cells = [r["share_provided"] for r in table.rows if r["share_provided"]]
    # The 2025 snapshot briefly stored fractions (0.10696); a file whose every share is <= 1 is read so.
    as_fraction = bool(cells) and all("%" not in c and float(c.rstrip("%")) <= 1.0 for c in cells
                                      if _is_number(c))
    if as_fraction:
        result.notes.append("shares were stored as fractions and have been converted to percent")
    out: list[dict[str, Any]] = []
    for row in table.rows:
        pid, target = row["provider_id"], row["provided_id"]
        if pid not in providers:
            problems.append(row.problem("provider_id", f"unknown provider id '{pid}'", "cset_provision"))
            continue
        if target not in inputs and target not in stages:
            problems.append(row.problem("provided_id", f"unknown node or stage id '{target}'", "cset_provision"))
            continue
        try:
            share = parse_share(row["share_provided"], as_fraction)
        except ValueError:
            problems.append(row.problem("share_provided", f"'{row['share_provided']}' is not a share",
                                        "cset_provision"))
            continue
        if share is not None and not 0.0 <= share <= 100.0:
            problems.append(row.problem("share_provided", f"share {share:g}% is outside [0, 100]", "cset_provision"))
            continue
        provider, kind = providers[pid]
        out.append({
            "provider": provider, "provider_kind": kind, "input": target, "share_pct": share,
            "basis": STAGE_BASIS.get(target, "headquarters"), "year": row["year"],
            "source_text": row["source"], "origin": ORIGIN,
        })
    result.rows["provision"] = out


def _report_names_as_aliases(table: Table, providers: dict[str, tuple[str, str]], result: CsetImport) -> None:
    """provision.csv keeps some providers' names from the source report (Showa Denka for Showa Denko):
    keep those names as aliases so they resolve too."""
    known = {(r["external_id"], r["external_name"]) for r in result.rows["external_ids"]}
    new_firms = {f["id"]: f for f in result.rows["firms"]}
    for row in table.rows:
        pid, name = row["provider_id"], row["provider_name"]
        if pid not in providers or (pid, name) in known:
            continue
        known.add((pid, name))
        entity, kind = providers[pid]
        result.rows["external_ids"].append({"origin": ORIGIN, "external_id": pid, "external_name": name,
                                            "entity": entity, "entity_kind": kind})
        if entity in new_firms:
            new_firms[entity]["aliases"].append(name)


def _is_number(text: str) -> bool:
    try:
        float(text.rstrip("%"))
    except ValueError:
        return False
    return True


def _sequence(table: Table, inputs: dict[str, Row], problems: list[Problem]) -> list[tuple[str, str, str]]:
    links: list[tuple[str, str, str]] = []
    for row in table.rows:
        targets = [(row["goes_into_id"], "goes_into", "goes_into_id"), (row["is_type_of_id"], "is_type_of",
                                                                        "is_type_of_id")]
        given = [(t, rel, col) for t, rel, col in targets if t]
        if len(given) != 1:
            problems.append(row.problem("goes_into_id", "exactly one of goes_into_id and is_type_of_id must be set",
                                        "cset_sequence"))
            continue
        parent, relation, column = given[0]
        for node, col in ((row["input_id"], "input_id"), (parent, column)):
            if node not in inputs:
                problems.append(row.problem(col, f"unknown node id '{node}'", "cset_sequence"))
        links.append((row["input_id"], parent, relation))
    return list(dict.fromkeys(links))


def _stages_of(inputs: dict[str, Row], links: list[tuple[str, str, str]]) -> dict[str, set[str]]:
    """A node's stages: its own, or those found walking up its links to the first staged nodes.

    The walk stops at the first node with a stage and never follows process-to-process edges.
    """
    parents: dict[str, list[str]] = defaultdict(list)
    for child, parent, _ in links:
        parents[child].append(parent)
    out: dict[str, set[str]] = {}
    for node_id, node in inputs.items():
        if node["stage_id"]:
            out[node_id] = {node["stage_id"]}
            continue
        found: set[str] = set()
        seen: set[str] = set()
        frontier = list(parents.get(node_id, []))
        while frontier:
            current = frontier.pop()
            if current in seen:
                continue
            seen.add(current)
            stage = inputs[current]["stage_id"] if current in inputs else None
            if stage:
                found.add(stage)
            else:
                frontier.extend(parents.get(current, []))
        out[node_id] = found
    return out
