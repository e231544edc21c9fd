"""A read-only snapshot of the knowledge base that the pure pipeline needs: names, facts, rates, rules.

Built once from the store (``KnowledgeBase.from_store``) or from plain rows (tests, benchmarks); the
analysis never touches the store itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from chipshift.domain.period import Period
from chipshift.engine.world import input_ancestors

if TYPE_CHECKING:
    from chipshift.ingest.entities import Gazetteer
    from chipshift.io.store import Store


@dataclass(frozen=True)
class Named:
    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str  # firm, country, input
    hq: str | None = None
    fiscal_year_end: int | None = None


@dataclass(frozen=True)
class Rate:
    period: str
    start: date
    end: date
    value: float
    fact: str
    publisher: str | None
    definition: str | None


@dataclass
class KnowledgeBase:
    firms: dict[str, Named] = field(default_factory=dict)
    countries: dict[str, Named] = field(default_factory=dict)
    inputs: dict[str, Named] = field(default_factory=dict)
    facts: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    #: each input with the broader inputs that cover it (``engine.world.input_ancestors``): DUV immersion tools are
    #: chipmaking tools
    broader: dict[str, frozenset[str]] = field(default_factory=dict)
    _facts_by_key: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict, repr=False)
    _gazetteer: Gazetteer | None = field(default=None, repr=False)
    _firms_by_name: dict[str, str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._facts_by_key = {}
        for f in self.facts:
            for entity in str(f["entity"]).split("+"):
                self._facts_by_key.setdefault((entity, str(f["metric"])), []).append(f)

    @classmethod
    def from_store(cls, store: Store) -> KnowledgeBase:
        def named(table: str, kind: str) -> dict[str, Named]:
            rows = {r["id"]: r for r in store.rows(table)}
            out: dict[str, Named] = {}
            for id_, name, aliases in store.names(table):
                r = rows.get(id_, {})
                out[id_] = Named(id_, name, tuple(dict.fromkeys(a for a in aliases if a)), kind,
                                 r.get("hq_country"), r.get("fiscal_year_end"))
            return out
        return cls(firms=named("firms", "firm"), countries=named("countries", "country"),
                   inputs=named("inputs", "input"), facts=store.facts(), rules=store.rows("rules"),
                   sources=store.rows("sources"),
                   broader=input_ancestors(store.rows("inputs"), store.rows("input_links")))

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            from chipshift.ingest.entities import Gazetteer
            self._gazetteer = Gazetteer.build(self)
        return self._gazetteer

    def maker_of(self, input_id: str) -> str | None:
        """The firm whose name or alias opens a product's name ("Nvidia H20" is Nvidia's, "AMD MI308" AMD's), if
        any."""
        product = self.inputs.get(input_id)
        if product is None:
            return None
        if self._firms_by_name is None:
            self._firms_by_name = {}
            for f in self.firms.values():
                for name in (f.name, *f.aliases):
                    self._firms_by_name.setdefault(name.lower(), f.id)
        words = product.name.lower().split()
        return next((self._firms_by_name[" ".join(words[:n])] for n in (2, 1)
                     if len(words) > n and " ".join(words[:n]) in self._firms_by_name), None)

    def name_of(self, entity: str | None) -> str:
        if entity is None:
            return ""
        for table in (self.firms, self.countries, self.inputs):
            if entity in table:
                return table[entity].name
        return entity

    def names_of(self, entity: str) -> tuple[str, ...]:
        for table in (self.firms, self.countries, self.inputs):
            if entity in table:
                return (table[entity].name, *table[entity].aliases)
        return (entity,)

    def facts_for(self, entity: str, metric: str) -> list[dict[str, Any]]:
        return self._facts_by_key.get((entity, metric), [])

    def rates(self, entity: str = "CNY") -> list[Rate]:
        """Exchange-rate facts of ``entity`` (units per US dollar), with parsed periods."""
        out = []
        for f in self.facts_for(entity, "exchange_rate"):
            try:
                p = Period.parse(str(f["period"]))
            except ValueError:
                continue
            out.append(Rate(str(f["period"]), p.start, p.end, float(f["value"]), str(f["id"]), f.get("publisher"),
                            f.get("definition")))
        return out

    def knows_fiscal_year(self, entity: str | None) -> bool:
        """Whether ``entity``'s fiscal year end is known: a firm's from the data, a country's the calendar year."""
        if entity in self.firms:
            return bool(self.firms[entity].fiscal_year_end)
        return True

    def fiscal_year_end(self, entity: str | None) -> int:
        if entity and entity in self.firms and self.firms[entity].fiscal_year_end:
            return int(self.firms[entity].fiscal_year_end or 12)
        return 12
