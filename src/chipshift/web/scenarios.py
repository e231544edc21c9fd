"""Scenarios the web front-end offers: the baseline, the shipped examples and the saved ones.

A reference is 'baseline', 'example:NAME' (a YAML file of the examples folder) or 'saved:ID' (a row
of the store's ``scenarios`` table). Only names from the listing resolve, never a path.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from chipshift import api
from chipshift.api.cases import data_needed
from chipshift.errors import NotFoundError
from chipshift.io.store import Store

if TYPE_CHECKING:
    from chipshift.api.answers import SavedScenarioRecord, ScenarioListAnswer

ScenarioArg = Path | dict[str, Any] | None
#: Values of a scenario file's top-level 'kind' that make it a restriction scenario (none: the default).
RESTRICTION_KINDS = (None, "restrictions")
#: The form of a scenario reference (which names exist is the listing's to say).
SCENARIO_REFERENCE = r"^(baseline|example:[^/\\]+|saved:.+)$"


def default_examples_dir() -> Path | None:
    """The repository's ``examples/`` beside the source tree (an editable install), when present."""
    candidate = Path(__file__).resolve().parents[3] / "examples"
    return candidate if candidate.is_dir() else None


class Catalog:
    """Lists and resolves scenario references."""

    def __init__(self, examples_dir: Path | None, saved_generation: Callable[[], int] = lambda: 0) -> None:
        """``saved_generation``: the count of writes to the saved scenarios (the store's), part of the cache key
        of every answer that reads a saved scenario."""
        self.examples_dir = examples_dir
        self._saved_generation = saved_generation
        self._parsed: dict[Path, tuple[int, Any]] = {}

    def _documents(self) -> dict[str, tuple[Path, dict[str, Any]]]:
        """Every example file with its parsed content (unreadable files are left out)."""
        if self.examples_dir is None or not self.examples_dir.is_dir():
            return {}
        out = {}
        for path in sorted(self.examples_dir.glob("*.yaml")):
            try:
                stamp = path.stat().st_mtime_ns
                cached = self._parsed.get(path)
                if cached is None or cached[0] != stamp:
                    cached = (stamp, _plain(yaml.safe_load(path.read_text(encoding="utf-8")) or {}))
                    self._parsed[path] = cached
            except (OSError, yaml.YAMLError):
                continue
            if isinstance(cached[1], dict):
                out[path.stem] = (path, cached[1])
        return out

    def _example_files(self) -> dict[str, Path]:
        """Restriction scenarios only: files of another kind (e.g. 'kind: market') are for other pages."""
        return {stem: path for stem, (path, doc) in self._documents().items() if doc.get("kind") in RESTRICTION_KINDS}

    def market_files(self) -> dict[str, Path]:
        """The market-model cases ('kind: market'), by file stem: what the Results page runs."""
        return {stem: path for stem, (path, doc) in self._documents().items() if doc.get("kind") == "market"}

    def market_descriptions(self) -> dict[str, dict[str, Any]]:
        """Each market case's name, description and file name (as written in the file); a linked case's
        regions and products joined, and its first and last quarter as its years."""
        return {stem: {"case": stem, "name": doc.get("name", stem),
                       "description": str(doc.get("description") or "").strip(), "file": path.name,
                       **(_linked_span(doc) if doc.get("model") == "linked" else {
                           "region": doc.get("region"), "product": doc.get("product"),
                           "years": [doc.get("start_year"), doc.get("end_year")]})}
                for stem, (path, doc) in self._documents().items() if doc.get("kind") == "market"}

    def listing(self, store: Store) -> ScenarioListAnswer:
        """The scenarios a question may run under, by reference (and the shipped files of other kinds); an example
        that needs data this store lacks says what and how to get it (``api.cases.data_needed``)."""
        from chipshift.api.answers import ScenarioListAnswer

        examples, others = [], []
        for stem, (path, doc) in self._documents().items():
            entry = {"ref": f"example:{stem}", "name": doc.get("name", stem), "description": doc.get("description", ""),
                     "at": doc.get("at"), "file": path.name, "kind": "example"}
            if doc.get("kind") in RESTRICTION_KINDS:
                examples.append({**entry, "needs": data_needed(store, path)})
            else:
                others.append({**entry, "kind": str(doc.get("kind"))})
        saved = [{"ref": f"saved:{r['id']}", "id": r["id"], "name": r["name"], "description": r["description"],
                  "at": (r["document"] or {}).get("at"), "digest": r["digest"], "saved_at": r["saved_at"],
                  "kind": "saved"} for r in store.rows("scenarios", order_by="id")]
        return ScenarioListAnswer.model_validate({
            "baseline": {"ref": "baseline", "name": "baseline", "kind": "baseline",
                         "description": "the bundled rules as they stand"},
            "examples": examples, "saved": saved,
            "other_examples": others,
            "other_examples_note": "scenario files of other kinds (the market model's); the Results page (/results) "
                                   "runs them"})

    def resolve(self, store: Store, ref: str | None) -> ScenarioArg:
        """What the API's ``scenario`` argument takes for a reference (None for the baseline)."""
        if ref is None or ref.strip() in ("", "baseline"):
            return None
        kind, _, name = ref.partition(":")
        if kind == "example":
            files = self._example_files()
            if name in files:
                return files[name]
            raise NotFoundError("scenario", ref, [f"example:{n}" for n in files][:5])
        if kind == "saved":
            rows = store.rows("scenarios", id=name)
            if rows:
                return dict(rows[0]["document"])
            raise NotFoundError("scenario", ref, [f"saved:{r['id']}" for r in store.rows("scenarios")][:5])
        raise NotFoundError("scenario", ref, ["baseline", *[f"example:{n}" for n in self._example_files()]][:5])

    def document(self, store: Store, ref: str) -> dict[str, Any]:
        """The scenario behind a reference as a plain mapping (what the builder edits)."""
        resolved = self.resolve(store, ref)
        if resolved is None:
            return {"name": "baseline", "description": "", "at": None, "baseline": True, "add": [], "remove": [],
                    "edit": []}
        if isinstance(resolved, Path):
            return plain_document(resolved.read_text(encoding="utf-8"))
        return resolved

    def cache_key(self, ref: str | None) -> str:
        """A key that changes when the referenced example file changes, or (for a saved one, and for the
        listing, ``None``) when the saved scenarios do."""
        if ref is None or ref.startswith("saved:"):
            return f"{ref or 'listing'}@{self._saved_generation()}"
        name = ref.partition(":")[2] if ref.startswith("example:") else ""
        if self.examples_dir is not None and name.replace("-", "").replace("_", "").isalnum():
            try:
                return f"{ref}@{(self.examples_dir / f'{name}.yaml').stat().st_mtime_ns}"
            except OSError:
                pass
        return ref or "baseline"


def save(store: Store, scenario_id: str, document: dict[str, Any]) -> SavedScenarioRecord:
    """Check the scenario against the store, then save it; returns the saved row."""
    from chipshift.api.answers import SavedScenarioRecord

    scenario = api.load_scenario(store, document)
    record = {"id": scenario_id, "name": scenario.name, "description": scenario.description,
              "document": document, "digest": scenario.digest,
              "saved_at": datetime.now(UTC).isoformat(timespec="seconds")}
    store.save_scenario(record)
    return SavedScenarioRecord.model_validate({"ref": f"saved:{scenario_id}", **record})


def to_yaml(document: dict[str, Any]) -> str:
    """A scenario file for a document: the same keys a hand-written file has, unset ones left out."""
    keep = {k: v for k, v in document.items() if v not in (None, [], "") or k == "name"}
    header = "# chipshift scenario (load with --scenario FILE)\n"
    return header + yaml.safe_dump(keep, sort_keys=False, allow_unicode=True, width=100)


def plain_document(text: str) -> dict[str, Any]:
    """A scenario file's text as the document the builder edits (dates as text, keys as written)."""
    doc = _plain(yaml.safe_load(text) or {})
    return {"name": doc.get("name", "scenario"), "description": str(doc.get("description") or "").strip(),
            "at": doc.get("at"), **({"over": doc["over"]} if doc.get("over") is not None else {}),
            "baseline": doc.get("baseline", True), "add": doc.get("add") or [],
            "remove": doc.get("remove") or [], "edit": doc.get("edit") or []}


def content_key(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, default=str)


def _plain(value: Any) -> Any:
    """YAML values as JSON would give them (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _linked_span(doc: dict[str, Any]) -> dict[str, Any]:
    """A linked case's regions, products and quarters, as written (unchecked: the run checks them)."""
    given = doc.get("markets")
    markets = [m for m in given if isinstance(m, dict)] if isinstance(given, list) else []
    return {"region": ", ".join(dict.fromkeys(str(m.get("region")) for m in markets)),
            "product": ", ".join(dict.fromkeys(str(m.get("product")) for m in markets)),
            "years": [doc.get("start"), doc.get("end")]}
