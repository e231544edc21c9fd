"""The API's request models carry exactly the fields the declared schemas have (no drift)."""

from __future__ import annotations

from chipshift.schemas import tables
from chipshift.web import models


def test_rule_models_follow_the_rules_schema() -> None:
    declared = set(tables.RULES.column_names) - {"origin"}  # the origin is set by whoever stores the rule
    assert set(models.RuleRecord.model_fields) == declared
    assert set(models.RuleEdit.model_fields) == declared


def test_rule_codes_follow_the_vocabulary() -> None:
    kinds = tables.RULES.column("kind").allowed
    policies = tables.RULES.column("policy").allowed
    assert kinds is not None and policies is not None
    record = models.RuleRecord.model_fields
    assert set(_literal_values(record["kind"].annotation)) == set(kinds) != set()
    assert set(_literal_values(record["policy"].annotation)) == set(policies)


def _literal_values(annotation: object) -> list[str]:
    """Every string literal inside an annotation (Literal[...], Optional[...], list[...])."""
    found: list[str] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        if isinstance(arg, str):
            found.append(arg)
        else:
            found.extend(_literal_values(arg))
    return found
