"""A scenario: rules added to, removed from or edited in the baseline. Serialisable and hashable."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from chipshift.domain.rules import Rule, rule_from_record
from chipshift.errors import DataError, Problem


@dataclass(frozen=True)
class Scenario:
    """What-if changes to the baseline rule set. ``add`` holds validated rule records."""

    name: str
    description: str = ""
    at: str | None = None  # default evaluation date
    add: tuple[dict[str, Any], ...] = ()
    remove: tuple[str, ...] = ()
    edit: tuple[dict[str, Any], ...] = ()
    baseline: bool = True  # start from the bundled rules (false: only the added rules)
    file: str | None = field(default=None, compare=False)
    over: tuple[str, str, str] | None = None  # a range of dates for answers over time: (from, to, every)

    def to_dict(self) -> dict[str, Any]:
        # ``over`` only where given: a scenario without one keeps the digest it had before ranges existed
        return {"name": self.name, "description": self.description, "at": self.at,
                **({"over": dict(zip(("from", "to", "every"), self.over, strict=True))} if self.over else {}),
                "baseline": self.baseline,
                "add": list(self.add), "remove": list(self.remove), "edit": list(self.edit)}

    @property
    def digest(self) -> str:
        """A stable hash of the scenario's content (not of the file it came from)."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def apply(self, baseline: list[Rule]) -> list[Rule]:
        """The rule set this scenario describes, in a stable order: baseline order, then additions.

        Raises DataError when an edit names a rule the set does not have, or an addition reuses the id of a
        rule it has (a baseline rule is changed with ``edit``, or removed and then added)."""
        rules = {r.id: r for r in baseline} if self.baseline else {}
        for rule_id in self.remove:
            rules.pop(rule_id, None)
        label = self.file or self.name
        for change in self.edit:
            current = rules.get(change["id"])
            if current is None:
                raise DataError([Problem(f"no baseline rule '{change['id']}' to edit", label, field="edit",
                                         check="references")])
            record = {**_record(current), **{k: v for k, v in change.items() if k != "id"}}
            rules[current.id] = rule_from_record(record)
        for record in self.add:
            if record["id"] in rules:
                raise DataError([Problem(f"adds rule '{record['id']}', which the baseline already has: change it "
                                         "with 'edit', or list it under 'remove' to replace it", label, field="add",
                                         check="unique_ids")])
            rules[record["id"]] = rule_from_record(record)
        return list(rules.values())


def _record(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id, "name": rule.name, "imposed_by": rule.imposed_by, "kind": rule.kind.value,
        "summary": rule.summary, "source": rule.source, "quote": rule.quote, "status": rule.status,
        "authority": rule.authority, "policy": rule.policy,
        "products": [{"input": p.input, "where": _where(p.where), **({"part": True} if p.part else {})}
                     for p in rule.products],
        "sellers": {"hq_in": list(rule.sellers.hq_in), "firms": list(rule.sellers.firms), "fdp": rule.sellers.fdp},
        "targets": {"countries": list(rule.targets.countries), "firms": list(rule.targets.firms),
                    "segments": list(rule.targets.segments), "affiliates": rule.targets.affiliates,
                    "notices": list(rule.targets.notices)},
        "announced": rule.announced, "effective": rule.effective, "ended": rule.ended,
        "relaxes": list(rule.relaxes), "gaps": list(rule.gaps), "origin": rule.origin,
    }


def _where(predicates: tuple[Any, ...]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for p in predicates:
        out.setdefault(p.attribute, {})[p.op] = p.value
    return out
