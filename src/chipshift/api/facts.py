"""Facts added by a user (the web API's ``POST /api/v1/facts``): one source and its fact records, checked
with the declared schemas and the same checks the bundled data passes, stored in one transaction with ids
prefixed ``user-`` (a prefix the bundled data never uses, kept when the bundle reloads)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chipshift import checks
from chipshift.errors import DataError, Problem
from chipshift.io.bundled import Bundle
from chipshift.io.store import USER_PREFIX, Store
from chipshift.io.tables import Row, Table, records_to_table
from chipshift.schemas import tables as schemas

if TYPE_CHECKING:
    from chipshift.api.answers import AddFactsAnswer

#: The checks of ``chipshift.checks`` that apply to one source and its facts.
FACT_CHECKS = (checks.check_references, checks.check_metric_units, checks.check_share_range, checks.check_periods,
               checks.check_quotes_show_values)
MAX_FACTS = 500


def _user_id(value: Any) -> Any:
    return value if not isinstance(value, str) or not value or value.startswith(USER_PREFIX) else USER_PREFIX + value


def _located(problem: Problem) -> Problem:
    """A problem located by record and field (``facts.3.unit``, ``source.url``) instead of file and line."""
    where = problem.file or ""
    field = f"{where}.{problem.field}" if problem.field else where
    return Problem(problem.message, None, None, field, problem.severity, problem.check)


def add_facts(store: Store, source: Mapping[str, Any], facts: Sequence[Mapping[str, Any]]) -> AddFactsAnswer:
    """Check ``source`` (a row of ``sources``) and ``facts`` (rows of ``facts``; ``source`` may be left out)
    and store them, ids prefixed ``user-``; ``DataError`` naming ``facts.<index>.<field>`` or
    ``source.<field>`` otherwise, and nothing is written. Posting the same source again replaces its facts."""
    problems: list[Problem] = []
    if not facts:
        problems.append(Problem("give at least one fact", field="facts"))
    if len(facts) > MAX_FACTS:
        problems.append(Problem(f"at most {MAX_FACTS} facts at once", field="facts"))
    if problems:
        raise DataError(problems)
    raw_source = {k: v for k, v in source.items()}
    source_id = _user_id(raw_source.get("id"))
    raw_source["id"] = source_id
    sources_table = records_to_table([raw_source], schemas.SOURCES, "source")
    facts_table = Table(schemas.FACTS)
    for i, fact in enumerate(facts):
        record = dict(fact)
        given = record.get("source")
        if given not in (None, "", source.get("id"), source_id):
            problems.append(Problem(f"names source '{given}': the facts of one request rest on its source "
                                    f"('{source.get('id')}')", field=f"facts.{i}.source", check="references"))
        record["source"] = source_id
        record["id"] = _user_id(record.get("id"))
        facts_table.extend(records_to_table([record], schemas.FACTS, f"facts.{i}"))
    problems += [_located(p) for p in sources_table.problems + facts_table.problems]

    # ids: unique within the request and not already used by facts of another source
    existing = {r["id"]: r["source"] for r in store.rows("facts")}
    seen: dict[str, int] = {}
    for i, row in enumerate(facts_table.rows):
        fid = row["id"]
        if fid is None:
            continue
        if fid in seen:
            problems.append(Problem(f"duplicate id '{fid}' (also facts.{seen[fid]})", field=f"facts.{i}.id",
                                    check="unique_ids"))
        elif fid in existing and existing[fid] != source_id:
            problems.append(Problem(f"id '{fid}' is already used by a fact of source '{existing[fid]}'",
                                    field=f"facts.{i}.id", check="unique_ids"))
        seen.setdefault(fid, i)

    # the bundled data's checks, against what the store knows
    empty = {name: Table(schemas.BY_NAME[name]) for name in ("countries", "firms", "input_links", "rules",
                                                             "party_reviews", "ownership")}
    bundle = Bundle({**empty, "sources": sources_table, "facts": facts_table}, Path("."))
    inputs = store.input_ids()
    ctx = checks.Context({r["id"] for r in store.rows("countries")}, {r["id"] for r in store.rows("firms")},
                         inputs, {r["id"] for r in store.rows("sources")} | {source_id},
                         {r["id"] for r in store.rows("rules")}, inputs)
    for check in FACT_CHECKS:
        problems += [_located(p) for p in check(bundle, ctx)]
    problems += _default_problems(store, facts_table, source_id)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(errors)
    rows = [r.values for r in facts_table.rows]
    counts = store.store_user_facts(sources_table.rows[0].values, rows)
    from chipshift.api.answers import AddFactsAnswer

    return AddFactsAnswer.model_validate({"stored": counts, "source": source_id, "facts": [r["id"] for r in rows],
                                          "warnings": [p.as_dict() for p in problems]})


def _default_problems(store: Store, facts_table: Table, source_id: str) -> list[Problem]:
    """``check_defaults`` over the new facts and the stored ones of the same figures (new rows first, so a
    second default is reported on the new one)."""
    keys = {checks.quantity_key(r) for r in facts_table.rows if r["default"]}
    stored = [Row(dict(r), f"stored fact {r['id']}", 0) for r in store.rows("facts")
              if r["source"] != source_id and r["default"]]
    table = Table(schemas.FACTS, rows=[*facts_table.rows, *(r for r in stored if checks.quantity_key(r) in keys)])
    bundle = Bundle({"facts": table}, Path("."))
    found = checks.check_defaults(bundle, None)  # type: ignore[arg-type]  # ctx is not used
    return [_located(p) for p in found if p.file and p.file.startswith("facts.")]
