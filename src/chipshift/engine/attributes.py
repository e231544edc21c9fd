"""Input attributes from sourced performance facts, so that rules' thresholds can be decided.

A rule selects products by attribute thresholds (``{input: ai_accelerator, where: {tpp: {gte: 4800}}}``);
an input that does not carry the attribute is reached only as *maybe*. The figures that decide such
thresholds — a chip's total processing performance (TPP), its performance density and its process node —
are kept as sourced facts (metric ``performance``, entity and product = the chip's input id). This
module turns the default ones into input attributes, merged under the ``attributes`` column of the
inputs table: a value written in that column wins, a fact only fills an attribute the column leaves
empty, and a disagreement between the two (or between two default facts) is reported, never hidden.

Pure functions over plain records (the store's rows); nothing here reads files or the store.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from chipshift.domain.period import Period
from chipshift.schemas import vocabulary as voc

#: The fact metric whose figures become attributes.
METRIC = "performance"
#: Unit dimension -> (attribute name, factor of the attribute's own unit to the dimension's base unit).
ATTRIBUTE_OF_DIMENSION: Mapping[str, tuple[str, float]] = {
    "tpp": ("tpp", 1.0),
    "performance_density": ("performance_density", 1.0),
    "memory_bandwidth_density": ("memory_bandwidth_density", 1.0),
    "length": ("process_node_nm", 1e-9),
}
COLUMN = "inputs.csv attributes"


@dataclass(frozen=True)
class AttributeValue:
    """An attribute taken from a fact: its value in the attribute's unit and the fact it rests on."""

    value: float
    fact: str
    period: str


@dataclass(frozen=True)
class AttributeConflict:
    """Two statements of one attribute of one input that disagree; ``kept`` is the one used."""

    input: str
    attribute: str
    kept: Any
    kept_from: str  # "inputs.csv attributes" or "fact <id>"
    other: Any
    other_from: str

    @property
    def message(self) -> str:
        return (f"{self.input}: {self.attribute} is {self.kept!r} by {self.kept_from} but {self.other!r} by "
                f"{self.other_from}; {self.kept_from} is used")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, int | float) or not isinstance(b, int | float):
        return bool(a == b)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


def _period_end(period: str) -> date:
    """The period's last day; an unreadable period sorts first."""
    try:
        return Period.parse(period).end
    except ValueError:
        return date.min


def fact_attributes(facts: Iterable[Mapping[str, Any]], input_ids: Iterable[str],
                    ) -> tuple[dict[str, dict[str, AttributeValue]], list[AttributeConflict]]:
    """Attributes stated by default performance facts, per input id.

    A fact counts when its metric is ``performance``, it is marked default, its entity is an input id (its
    product, when given, the same id) and its unit measures TPP, performance density or length (a process
    node, converted to nm). Where several default facts state one attribute, the one of the latest period
    is used (then the lowest fact id); those that disagree with it are reported as conflicts.
    """
    known = set(input_ids)
    candidates: dict[tuple[str, str], list[AttributeValue]] = {}
    for f in facts:
        if f.get("metric") != METRIC or not f.get("default"):
            continue
        entity, product = f.get("entity"), f.get("product")
        if entity not in known or (product and product != entity):
            continue
        unit = voc.UNITS.get(str(f.get("unit")))
        if unit is None or unit.dimension not in ATTRIBUTE_OF_DIMENSION:
            continue
        value = f.get("value")
        if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(float(value)):
            continue
        attribute, factor = ATTRIBUTE_OF_DIMENSION[unit.dimension]
        converted = float(value) * unit.factor / factor
        candidates.setdefault((str(entity), attribute), []).append(
            AttributeValue(round(converted, 9), str(f.get("id")), str(f.get("period"))))
    out: dict[str, dict[str, AttributeValue]] = {}
    conflicts: list[AttributeConflict] = []
    for (input_id, attribute), values in sorted(candidates.items()):
        ordered = sorted(values, key=lambda v: v.fact)
        latest = max(ordered, key=lambda v: _period_end(v.period))
        out.setdefault(input_id, {})[attribute] = latest
        conflicts += [AttributeConflict(input_id, attribute, latest.value, f"fact {latest.fact}", v.value,
                                        f"fact {v.fact}")
                      for v in ordered if v is not latest and not _same(v.value, latest.value)]
    return out, conflicts


def merge_attributes(column: Mapping[str, Any] | None, from_facts: Mapping[str, AttributeValue], input_id: str,
                     ) -> tuple[dict[str, Any], list[AttributeConflict]]:
    """One input's attributes: the column's values, with facts filling the attributes it leaves empty."""
    merged: dict[str, Any] = dict(column or {})
    conflicts: list[AttributeConflict] = []
    for attribute, stated in sorted(from_facts.items()):
        current = merged.get(attribute)
        if current is None:
            merged[attribute] = stated.value
        elif not _same(current, stated.value):
            conflicts.append(AttributeConflict(input_id, attribute, current, COLUMN, stated.value,
                                               f"fact {stated.fact}"))
    return merged, conflicts


def input_attributes(inputs: Iterable[Mapping[str, Any]], facts: Iterable[Mapping[str, Any]],
                     ) -> tuple[list[dict[str, Any]], list[AttributeConflict]]:
    """The input records with their ``attributes`` completed from default performance facts.

    Returns new records (the given ones are not changed) and every conflict found: between the column and
    a fact (the column wins) and between default facts (the latest wins).
    """
    rows = [dict(r) for r in inputs]
    stated, conflicts = fact_attributes(facts, (r["id"] for r in rows))
    for row in rows:
        from_facts = stated.get(row["id"])
        if not from_facts:
            continue
        row["attributes"], found = merge_attributes(row.get("attributes"), from_facts, row["id"])
        conflicts += found
    return rows, conflicts
