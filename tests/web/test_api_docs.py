"""docs/web.md's table of the API's operations is generated from the app's OpenAPI document, so it names the
answer model every route declares; a route or model changed without its docs fails here."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from chipshift.web.api_docs import END, START, openapi, render, section

REPO = Path(__file__).resolve().parents[2]


def test_the_operations_table_of_docs_web_follows_the_routes() -> None:
    document = openapi()
    generated = render(document)
    assert section((REPO / "docs" / "web.md").read_text(encoding="utf-8")) == generated, (
        "docs/web.md's operations are stale: replace the section with `python -m chipshift.web.api_docs`")
    assert generated.startswith(START) and generated.endswith(END)
    # every operation of the API is listed, and each one answering JSON names the models it answers with
    listed = set(re.findall(r"^\| `(\w+) (/api/\S+)` \|", generated, re.MULTILINE))
    declared = {(m.upper(), p) for p, ops in document["paths"].items() if p.startswith("/api/") for m in ops}
    assert listed == declared
    assert "a plain" not in generated
    answers = (REPO / "docs" / "answers.md").read_text(encoding="utf-8")
    for name in re.findall(r"\[(\w+)\]\(answers\.md#(\w+)\)", generated):
        assert f"\n## {name[0]}\n" in answers and name[1] == name[0].lower(), name  # the link finds its section
    # a route's model changed shows in the table
    changed = copy.deepcopy(document)
    ok = changed["paths"]["/api/v1/exposure"]["get"]["responses"]["200"]["content"]["application/json"]
    ok["schema"] = {"$ref": "#/components/schemas/SomethingElse"}
    assert "[SomethingElse](answers.md#somethingelse)" in render(changed)


def test_vocabularies_and_references_are_declared_in_the_openapi_document() -> None:
    """Segments and rule kinds are closed vocabularies: the document lists them (from the data format's own lists,
    docs/data-format.md), and scenario references carry their form."""
    from chipshift.domain.rules import RuleKind
    from chipshift.schemas.vocabulary import SEGMENTS

    document = openapi()

    def schema(path: str, name: str) -> dict[str, Any]:
        method = next(iter(document["paths"][path]))
        [found] = [p for p in document["paths"][path][method]["parameters"] if p["name"] == name]
        return dict(found["schema"])

    for path in ("/api/v1/exposure", "/api/v1/availability", "/api/v1/restrictions"):
        assert schema(path, "segment")["enum"] == list(SEGMENTS)
        pattern = str(schema(path, "scenario")["pattern"])
        assert all(re.match(pattern, ref) for ref in ("baseline", "example:duv-immersion-china", "saved:team-1"))
        assert not re.match(pattern, "../etc/passwd") and not re.match(pattern, "example:../x/y")
    assert set(schema("/api/v1/rules", "kind")["enum"]) == {k.value for k in RuleKind}
    assert "pattern" in schema("/api/v1/scenarios/{ref}", "ref")
