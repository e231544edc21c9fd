"""Restriction rules as data: who imposes what on which products, sellers and targets, and when."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

EVERY_INPUT = "*"


class RuleKind(StrEnum):
    EXPORT_CONTROL = "export_control"
    LICENSE_REQUIREMENT = "license_requirement"
    ENTITY_LISTING = "entity_listing"
    IMPORT_BAN = "import_ban"
    PROCUREMENT_BAN = "procurement_ban"
    MARKET_EXIT = "market_exit"
    RAW_MATERIAL_EXPORT_CONTROL = "raw_material_export_control"
    RELAXATION = "relaxation"


#: A measure that takes a fee rather than barring, in words by the kind it is filed under: a duty, tariff or tax on
#: what buyers bring in or pay for (a VAT rise and an anti-dumping duty are both filed as import bans with a fee),
#: a duty or fee on exports.
FEE_WORDS = {RuleKind.IMPORT_BAN: "duty, tariff or tax on purchases",
             RuleKind.RAW_MATERIAL_EXPORT_CONTROL: "export duty or fee",
             RuleKind.EXPORT_CONTROL: "export fee"}


def on_goods_only(products: Iterable[str], goods: Collection[str]) -> bool:
    """Whether a rule's products (input ids) are all among ``goods`` and there is at least one: a rule on goods
    outside the semiconductor supply chain when ``goods`` are the inputs whose chain is 'other'. Every input
    (``*``) is never among them."""
    named = list(products)
    return bool(named) and all(p in goods for p in named)


def kind_words(kind: str | None, policy: str | None) -> str:
    """A rule's kind as a reader names it, taking its policy into account: a rule filed as an import ban whose
    policy is a fee is a "duty, tariff or tax on purchases", not a ban; otherwise the kind's code in words
    ("import_ban" -> "import ban")."""
    if kind is None:
        return "kind not stated"
    if policy == "fee" and kind in FEE_WORDS:
        return FEE_WORDS[RuleKind(kind)]
    return kind.replace("_", " ")


COMPARATORS = ("gte", "gt", "lte", "lt", "eq")


@dataclass(frozen=True)
class Predicate:
    """A threshold on an input attribute, e.g. ``tpp >= 4800``."""

    attribute: str
    op: str
    value: float | str | bool

    def holds(self, actual: float | str | bool) -> bool:
        if self.op == "eq":
            return actual == self.value
        if isinstance(actual, bool | str) or isinstance(self.value, bool | str):
            raise TypeError(f"'{self.op}' needs numbers, got {actual!r} and {self.value!r}")
        a, v = float(actual), float(self.value)
        return {"gte": a >= v, "gt": a > v, "lte": a <= v, "lt": a < v}[self.op]


@dataclass(frozen=True)
class ProductSelector:
    """An input (covering its descendants), narrowed by attribute thresholds; with ``part``, only some kinds of the
    input, which the data may not itemise: the input itself is covered as 'maybe' and none of its descendants
    (a rule on 23 kinds of chipmaking tools, in a store without the tool types it names)."""

    input: str
    where: tuple[Predicate, ...] = ()
    part: bool = False


@dataclass(frozen=True)
class Sellers:
    """Which providers a rule binds. Empty ``hq_in`` and ``firms`` mean: headquartered in the imposer."""

    hq_in: tuple[str, ...] = ()
    firms: tuple[str, ...] = ()
    fdp: bool = False


@dataclass(frozen=True)
class Targets:
    """Who is cut off: destination countries, named buyer firms, end-use segments (empty = any).

    ``affiliates`` marks an ownership rule (such as the US 50% Affiliates Rule): it names no one itself but,
    while in force, extends each of its imposer's entity listings to the firms its named parties own 50% or more
    of, in aggregate over every chain of stakes (the ``ownership`` table; ``domain.ownership``)."""

    countries: tuple[str, ...] = ()
    firms: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    affiliates: bool = False
    #: Firms the rule may reach: a listing extended to firms whose aggregate ownership by listed parties the
    #: data leaves on either side of the threshold (a stake of unknown size). Reached as 'maybe'.
    uncertain_firms: tuple[str, ...] = ()
    #: Federal Register notices (e.g. "89 FR 96837"): the rule also reaches the firms matched to an imported
    #: screening list's entries that cite one of them (``with_listed_targets``).
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    imposed_by: str
    kind: RuleKind
    summary: str
    source: str
    quote: str
    status: str = "official"
    authority: str | None = None
    policy: str | None = None
    products: tuple[ProductSelector, ...] = ()
    sellers: Sellers = Sellers()
    targets: Targets = Targets()
    announced: str | None = None
    effective: str | None = None
    ended: str | None = None
    relaxes: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    origin: str = "bundled"
    derived_from: tuple[str, ...] = ()  # a rule the engine derives (a listing extended to owned firms)

    @property
    def start(self) -> str | None:
        """The date from which the rule applies: effective, else announced."""
        return self.effective or self.announced


def rule_from_record(record: dict[str, object]) -> Rule:
    """A Rule from a validated record (a rules.yaml entry or a store row; JSON fields already decoded)."""

    def strings(value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, list | tuple):
            return tuple(str(v) for v in value)
        return (str(value),)

    def mapping(value: object) -> dict[str, object]:
        return dict(value) if isinstance(value, dict) else {}

    products = []
    raw_products = record.get("products")
    for selector in raw_products if isinstance(raw_products, list) else []:
        where = mapping(selector.get("where"))
        predicates = tuple(
            Predicate(str(attribute), str(op), value)  # type: ignore[arg-type]
            for attribute, test in where.items() for op, value in mapping(test).items()
        )
        products.append(ProductSelector(str(selector["input"]), predicates, part=selector.get("part") is True))
    sellers = mapping(record.get("sellers"))
    targets = mapping(record.get("targets"))
    return Rule(
        id=str(record["id"]),
        name=str(record["name"]),
        imposed_by=str(record["imposed_by"]),
        kind=RuleKind(str(record["kind"])),
        summary=str(record["summary"]),
        source=str(record["source"]),
        quote=str(record["quote"]),
        status=str(record.get("status") or "official"),
        authority=_opt(record.get("authority")),
        policy=_opt(record.get("policy")),
        products=tuple(products),
        sellers=Sellers(strings(sellers.get("hq_in")), strings(sellers.get("firms")), bool(sellers.get("fdp"))),
        targets=Targets(strings(targets.get("countries")), strings(targets.get("firms")),
                        strings(targets.get("segments")), targets.get("affiliates") is True,
                        strings(targets.get("notices"))),
        announced=_opt(record.get("announced")),
        effective=_opt(record.get("effective")),
        ended=_opt(record.get("ended")),
        relaxes=strings(record.get("relaxes")),
        gaps=strings(record.get("gaps")),
        origin=str(record.get("origin") or "bundled"),
    )


def _opt(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def with_listed_targets(rules: Sequence[Rule], firms_by_notice: Mapping[str, Iterable[str]]) -> list[Rule]:
    """The rules, each one that names Federal Register notices (``targets.notices``) also reaching the firms
    listed under them (``firms_by_notice``: notice -> firm ids, from a screening list matched to the firms)."""
    out = []
    for rule in rules:
        listed = {f for notice in rule.targets.notices for f in firms_by_notice.get(notice, ())}
        if listed - set(rule.targets.firms):
            rule = replace(rule, targets=replace(rule.targets, firms=(*rule.targets.firms,
                                                                      *sorted(listed - set(rule.targets.firms)))))
        out.append(rule)
    return out
