"""Consistency checks over the bundled tables: one small named function per rule.

Each check takes the bundle (and what else it needs) and returns the problems it finds; ``validate``
runs them all. Cell-level checks (types, allowed codes, required fields) happen while reading, in
``chipshift.io.tables``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from chipshift.domain.ownership import latest, stakes_from_rows
from chipshift.domain.period import Period, parse_partial_date
from chipshift.domain.rules import COMPARATORS, EVERY_INPUT
from chipshift.engine.attributes import fact_attributes
from chipshift.errors import Problem
from chipshift.io.bundled import Bundle
from chipshift.io.tables import Row
from chipshift.schemas import vocabulary as voc
from chipshift.schemas.cset import CSET_HINT

#: Attributes that rule thresholds may test.
RULE_ATTRIBUTES = (
    "process_node_nm",
    "dram_half_pitch_nm",
    "nand_layers",
    "tpp",
    "performance_density",
    "memory_bandwidth_density",
)
CURRENCY_ENTITIES = ("CNY", "USD", "KRW", "JPY", "TWD", "EUR")
EXTERNAL_INPUT = re.compile(r"^[NS]\d+$")  # CSET node and stage ids, checked once CSET is imported


class Context:
    """Id sets the checks look things up in."""

    def __init__(self, countries: set[str], firms: set[str], inputs: set[str], sources: set[str], rules: set[str],
                 external_inputs: set[str] | None) -> None:
        self.countries = countries
        self.firms = firms
        self.inputs = inputs | (external_inputs or set())
        self.external_known = external_inputs is not None
        self.sources = sources
        self.rules = rules
        self.attribute_carriers: dict[str, set[str]] = {}

    @classmethod
    def of_bundle(cls, bundle: Bundle, external_inputs: set[str] | None) -> Context:
        ctx = cls(bundle["countries"].ids(), bundle["firms"].ids(), bundle["inputs"].ids(), bundle["sources"].ids(),
                  bundle["rules"].ids(), external_inputs)
        for row in bundle["inputs"].rows:
            attributes = row["attributes"]
            for attribute in attributes if isinstance(attributes, dict) else {}:
                ctx.attribute_carriers.setdefault(attribute, set()).add(row["id"])
        # inputs also carry the attributes their default performance facts state (as the engine reads them)
        stated, _ = fact_attributes((row.values for row in bundle["facts"].rows), bundle["inputs"].ids())
        for input_id, attributes in stated.items():
            for attribute in attributes:
                ctx.attribute_carriers.setdefault(attribute, set()).add(input_id)
        return ctx

    def input_problem(self, row: Row, field: str, input_id: str) -> Problem | None:
        if input_id == EVERY_INPUT or input_id in self.inputs:
            return None
        if EXTERNAL_INPUT.match(input_id) and not self.external_known:
            return row.problem(field, f"refers to CSET node '{input_id}'; import the CSET dataset to check it",
                               "references", "notice")
        hint = ""
        if EXTERNAL_INPUT.match(input_id) and not any(EXTERNAL_INPUT.match(known) for known in self.inputs):
            hint = f"; {CSET_HINT}"
        return row.problem(field, f"unknown input id '{input_id}'{hint}", "references")


def check_unique_ids(bundle: Bundle, ctx: Context) -> list[Problem]:
    """Fact ids are unique across all facts files (each file's own duplicates are caught on read)."""
    out: list[Problem] = []
    for table in ("facts", "sources"):
        for row in bundle[table].rows:
            if str(row["id"]).startswith("doc-"):
                out.append(row.problem("id", "ids starting 'doc-' are reserved for accepted documents", "unique_ids"))
            elif str(row["id"]).startswith("user-"):
                out.append(row.problem("id", "ids starting 'user-' are reserved for facts added through the API",
                                       "unique_ids"))
    first: dict[str, Row] = {}
    for row in bundle["facts"].rows:
        fid = row["id"]
        if fid in first and first[fid].file != row.file:
            out.append(row.problem("id", f"duplicate id '{fid}' (also {first[fid].file}:{first[fid].line})",
                                   "unique_ids"))
        first.setdefault(fid, row)
    return out


def check_references(bundle: Bundle, ctx: Context) -> list[Problem]:
    """Every id a row names exists in the table it refers to."""
    out: list[Problem] = []
    lookup = {"countries": ctx.countries, "firms": ctx.firms, "sources": ctx.sources, "rules": ctx.rules}
    for name in ("countries", "firms", "input_links", "facts", "party_reviews", "ownership"):
        table = bundle[name]
        for column in table.schema.columns:
            if column.references is None:
                continue
            for row in table.rows:
                values = row[column.name]
                for value in values if isinstance(values, list) else [values]:
                    if value is None:
                        continue
                    if column.references == "inputs":
                        problem = ctx.input_problem(row, column.name, value)
                        if problem:
                            out.append(problem)
                    elif value not in lookup[column.references]:
                        out.append(row.problem(column.name, f"unknown {column.references[:-1]} id '{value}'",
                                               "references"))
    for row in bundle["facts"].rows:
        for part in (row["entity"] or "").split("+"):
            if not _known_entity(part, ctx):
                out.append(row.problem("entity", f"unknown entity '{part}' (not a firm, country, input, "
                                                 f"currency or '{voc.GROUP_PREFIX}…' bucket)", "references"))
    return out


def _known_entity(part: str, ctx: Context) -> bool:
    return (part in ctx.firms or part in ctx.countries or part in ctx.inputs or part in CURRENCY_ENTITIES
            or (part.startswith(voc.GROUP_PREFIX) and len(part) > len(voc.GROUP_PREFIX)))


def check_rule_references(bundle: Bundle, ctx: Context) -> list[Problem]:
    """Rules name existing imposers, products, sellers and targets, with well-formed thresholds."""
    return rule_reference_problems(bundle["rules"].rows, ctx)


def rule_reference_problems(rows: Iterable[Row], ctx: Context) -> list[Problem]:
    """The checks of ``check_rule_references`` over any rule rows (bundled or from a scenario file)."""
    out: list[Problem] = []
    for row in rows:
        if row["source"] and row["source"] not in ctx.sources and row["origin"] != "scenario":
            out.append(row.problem("source", f"unknown source id '{row['source']}'", "references"))
        for relaxed in row["relaxes"] or []:
            if relaxed not in ctx.rules:
                out.append(row.problem("relaxes", f"unknown rule id '{relaxed}'", "references"))
        imposer = row["imposed_by"]
        if imposer and imposer not in ctx.countries and imposer not in ctx.firms:
            out.append(row.problem("imposed_by", f"'{imposer}' is neither a country nor a firm id", "references"))
        out.extend(_check_products(row, ctx))
        for part, kinds in (("sellers", {"hq_in": ctx.countries, "firms": ctx.firms}),
                            ("targets", {"countries": ctx.countries, "firms": ctx.firms,
                                         "segments": set(voc.SEGMENTS), "notices": None})):
            spec = row[part] or {}
            if not isinstance(spec, dict):
                out.append(row.problem(part, "must be a mapping", "rule_shape"))
                continue
            for key, ids in spec.items():
                if (key, part) in (("fdp", "sellers"), ("affiliates", "targets")):
                    if not isinstance(ids, bool):
                        out.append(row.problem(part, f"{key} must be true or false", "rule_shape"))
                    continue
                if key not in kinds:
                    allowed = [*kinds, "fdp" if part == "sellers" else "affiliates"]
                    out.append(row.problem(part, f"unknown key '{key}' (allowed: {', '.join(allowed)})",
                                           "rule_shape"))
                    continue
                allowed_ids = kinds[key]
                for value in ids if isinstance(ids, list) else [ids]:
                    if not isinstance(value, str):
                        out.append(row.problem(part, f"{key}: {value!r} is not text", "rule_shape"))
                    elif key == "notices" and not re.fullmatch(r"\d+ FR \d+", value):
                        out.append(row.problem(part, f"notices: {value!r} is not a Federal Register citation such "
                                                     "as '89 FR 96837'", "rule_shape"))
                    elif allowed_ids is not None and value not in allowed_ids:
                        out.append(row.problem(part, f"{key}: unknown id '{value}'", "references"))
    return out


def _check_products(row: Row, ctx: Context) -> Iterable[Problem]:
    products = row["products"]
    if products is None:
        return
    if not isinstance(products, list):
        yield row.problem("products", "must be a list of {input, where} selectors", "rule_shape")
        return
    for selector in products:
        if not isinstance(selector, dict) or not isinstance(selector.get("input"), str):
            yield row.problem("products", f"selector {selector!r} needs an 'input' (an input id)", "rule_shape")
            continue
        problem = ctx.input_problem(row, "products", str(selector["input"]))
        if problem:
            yield problem
        if "part" in selector and not isinstance(selector["part"], bool):
            yield row.problem("products", f"part: {selector['part']!r} must be true or false", "rule_shape")
        where = selector.get("where") or {}
        if not isinstance(where, dict):
            yield row.problem("products", f"where: {where!r} must map attributes to thresholds", "rule_thresholds")
            continue
        for attribute, test in where.items():
            carriers = ctx.attribute_carriers.get(attribute, set())
            if attribute in RULE_ATTRIBUTES and selector["input"] in ctx.inputs and not carriers:
                yield row.problem("products", f"threshold on '{attribute}', which no input carries yet: the rule's "
                                              "reach stays 'maybe' until inputs state it", "rule_thresholds",
                                  "warning")
            if attribute not in RULE_ATTRIBUTES:
                yield row.problem("products", f"threshold on unknown attribute '{attribute}' (known: "
                                              f"{', '.join(RULE_ATTRIBUTES)})", "rule_thresholds")
            if not isinstance(test, dict) or not test or any(op not in COMPARATORS for op in test):
                yield row.problem("products", f"threshold {attribute}: {test!r} must map comparators "
                                              f"({', '.join(COMPARATORS)}) to values", "rule_thresholds")
                continue
            for op, value in test.items():
                if op != "eq" and not _is_number(value):
                    yield row.problem("products", f"threshold {attribute} {op}: {value!r} is not a number "
                                                  f"('{op}' compares numbers)", "rule_thresholds")
                elif op == "eq" and not (_is_number(value) or isinstance(value, str | bool)):
                    yield row.problem("products", f"threshold {attribute} eq: {value!r} is not a number, text or "
                                                  "true/false", "rule_thresholds")


def _is_number(value: object) -> bool:
    """A real number (not a boolean, not NaN)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def check_input_attributes(bundle: Bundle, ctx: Context) -> list[Problem]:
    """Attributes are a mapping; those rule thresholds compare are numbers."""
    out: list[Problem] = []
    for row in bundle["inputs"].rows:
        attributes = row["attributes"]
        if attributes is None:
            continue
        if not isinstance(attributes, dict):
            out.append(row.problem("attributes", f"must be a JSON object of attribute: value, got {attributes!r}",
                                   "input_attributes"))
            continue
        for name, value in attributes.items():
            if name in RULE_ATTRIBUTES and not _is_number(value):
                out.append(row.problem("attributes", f"{name}: {value!r} is not a number (rule thresholds compare "
                                                     "it with numbers)", "input_attributes"))
    return out


def check_rule_dates(bundle: Bundle, ctx: Context) -> list[Problem]:
    """A rule ends after it starts; a relaxation names what it relaxes and comes after it."""
    return rule_date_problems(bundle["rules"].rows)


def rule_date_problems(rule_rows: Iterable[Row]) -> list[Problem]:
    """The checks of ``check_rule_dates`` over any rule rows."""
    rows = list(rule_rows)
    out: list[Problem] = []
    starts: dict[str, str] = {}
    announced: dict[str, str] = {}
    for row in rows:
        start = row["effective"] or row["announced"]
        if start:
            starts[row["id"]] = start
            announced[row["id"]] = row["announced"] or start
        if not start:
            out.append(row.problem("effective", "rule has neither an effective nor an announced date",
                                   "rule_dates", "warning"))
        if start and row["ended"] and parse_partial_date(row["ended"]) < parse_partial_date(start):
            out.append(row.problem("ended", f"ends ({row['ended']}) before it starts ({start})", "rule_dates"))
        if row["announced"] and row["effective"] and (
                parse_partial_date(row["effective"]) < parse_partial_date(row["announced"])):
            out.append(row.problem("effective", f"effective {row['effective']} before announced "
                                                f"{row['announced']} (retroactive or reported late)",
                                   "rule_dates", "notice"))
        if row["kind"] == "relaxation" and not row["relaxes"]:
            out.append(row.problem("relaxes", "a relaxation must name the rules it relaxes", "rule_dates",
                                   "warning"))
    for row in rows:
        start = starts.get(row["id"])
        for earlier in row["relaxes"] or []:
            # A suspension may come before the relaxed rule takes effect, but not before it is announced.
            if start and earlier in announced and parse_partial_date(start) < parse_partial_date(announced[earlier]):
                out.append(row.problem("relaxes", f"relaxes '{earlier}', which is announced later "
                                                  f"({announced[earlier]})", "rule_dates"))
    return out


BARRING_POLICIES = ("ban", "presumption_of_denial")
ALLOWING_POLICIES = ("fee", "lifted")


def check_rule_conflicts(bundle: Bundle, ctx: Context) -> list[Problem]:
    """No two rules of one imposer bar and allow the same products for the same targets and sellers at the same
    time, unless the later one is a relaxation that names the earlier."""
    return rule_conflict_problems(bundle["rules"].rows)


def rule_conflict_problems(rule_rows: Iterable[Row]) -> list[Problem]:
    rows = [r for r in rule_rows if r["kind"] != "relaxation" and (r["effective"] or r["announced"])]
    out: list[Problem] = []
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            policies = {a["policy"], b["policy"]}
            if a["imposed_by"] != b["imposed_by"] or not (policies & set(BARRING_POLICIES)) or not (
                    policies & set(ALLOWING_POLICIES)):
                continue
            if (not (_products(a) & _products(b)) or _targets(a) != _targets(b) or _sellers(a) != _sellers(b)
                    or not _overlap(a, b)):
                continue
            allowing = a if a["policy"] in ALLOWING_POLICIES else b
            barring = b if allowing is a else a
            out.append(allowing.problem("policy", f"contradicts rule '{barring['id']}' (same imposer, products and "
                                                  "targets at the same time): make it a relaxation that "
                                                  "names it in 'relaxes'", "rule_conflicts"))
    return out


def _products(row: Row) -> set[str]:
    return {str(p.get("input")) for p in row["products"] or [] if isinstance(p, dict)}


def _targets(row: Row) -> tuple[tuple[str, ...], ...]:
    t = row["targets"] or {}
    return tuple(tuple(sorted(t.get(k) or [])) for k in ("countries", "firms", "segments"))


def _sellers(row: Row) -> tuple[tuple[str, tuple[str, ...]], ...]:
    s = row["sellers"]
    s = s if isinstance(s, dict) else {}
    return tuple((str(k), tuple(sorted(str(x) for x in v))) for k, v in sorted(s.items()) if isinstance(v, list))


def _overlap(a: Row, b: Row) -> bool:
    def window(r: Row) -> tuple[Any, Any]:
        start = parse_partial_date(r["effective"] or r["announced"])
        end = parse_partial_date(r["ended"]) if r["ended"] else None
        return start, end

    (s1, e1), (s2, e2) = window(a), window(b)
    return (e1 is None or s2 < e1) and (e2 is None or s1 < e2)


def check_metric_units(bundle: Bundle, ctx: Context) -> list[Problem]:
    """A fact's unit measures what its metric measures; metrics about products name the product."""
    out: list[Problem] = []
    for row in bundle["facts"].rows:
        metric, unit = voc.METRICS.get(row["metric"]), voc.UNITS.get(row["unit"])
        if metric is None or unit is None:
            continue
        if unit.dimension not in metric.dimensions:
            out.append(row.problem("unit", f"'{unit.code}' ({unit.dimension}) does not fit metric "
                                           f"'{metric.code}' (takes {', '.join(metric.dimensions)})",
                                   "metric_units"))
        if metric.needs_product and not row["product"]:
            out.append(row.problem("product", f"metric '{metric.code}' needs a product", "metric_units"))
    return out


def check_share_range(bundle: Bundle, ctx: Context) -> list[Problem]:
    """Shares are percentages in [0, 100]."""
    out: list[Problem] = []
    for row in bundle["facts"].rows:
        unit = voc.UNITS.get(row["unit"])
        value = row["value"]
        if unit is not None and unit.dimension == "share" and value is not None and not 0 <= value <= 100:
            out.append(row.problem("value", f"share {value:g}% is outside [0, 100]", "share_range"))
    return out


def check_periods(bundle: Bundle, ctx: Context) -> list[Problem]:
    """Periods follow the period grammar."""
    out: list[Problem] = []
    for row in bundle["facts"].rows:
        if row["period"] is None:
            continue
        try:
            Period.parse(row["period"])
        except ValueError as exc:
            out.append(row.problem("period", str(exc), "periods"))
    return out


def check_defaults(bundle: Bundle, ctx: Context) -> list[Problem]:
    """At most one default per group of facts stating the same thing, and a default says why."""
    out: list[Problem] = []
    groups: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for row in bundle["facts"].rows:
        groups[quantity_key(row)].append(row)
        if row["default"] and not row["note"]:
            out.append(row.problem("note", "a default fact must say in 'note' why it is the default", "defaults"))
        elif not row["default"] and (row["note"] or "").lower().startswith("default:"):
            out.append(row.problem("note", "the note says this fact is the default, but 'default' is false",
                                   "defaults", "warning"))
    for rows in groups.values():
        defaults = [r for r in rows if r["default"]]
        if len(defaults) > 1:
            others = ", ".join(f"{r.file}:{r.line}" for r in defaults[1:])
            out.append(defaults[0].problem("default", f"several defaults for the same figure (also {others})",
                                           "defaults"))
    return out


#: The columns that together name one quantity: facts agreeing on all of them state the same figure.
QUANTITY_COLUMNS = ("entity", "metric", "product", "region", "segment", "basis", "definition", "period")
#: Source reliabilities better than 'weak' (a figure on one of these is not weak-only).
BETTER_THAN_WEAK = ("primary", "tracker", "press", "reprint")


def quantity_key(row: Mapping[str, Any] | Row) -> tuple[Any, ...]:
    """The quantity a fact states (see ``QUANTITY_COLUMNS``)."""
    return tuple(row[c] for c in QUANTITY_COLUMNS)



def check_reported_firm_figures_on_weak_sources(bundle: Bundle, ctx: Context) -> list[Problem]:
    """A figure a firm reported (status 'reported', entity a firm) whose only sources are weak pages: the
    firm's filing or release exists, so cite it (or a better copy of it)."""
    reliability = {r["id"]: r["reliability"] for r in bundle["sources"].rows}
    groups: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for row in bundle["facts"].rows:
        groups[quantity_key(row)].append(row)
    out = []
    for rows in groups.values():
        if any(reliability.get(r["source"]) in BETTER_THAN_WEAK for r in rows):
            continue
        for row in rows:
            if row["status"] == "reported" and row["entity"] in ctx.firms:
                out.append(row.problem("source", f"{row['entity']} reported this figure, but its only source is a "
                                                 "weak page: cite the firm's filing or release", "weak_sources",
                                       "warning"))
    return out


def check_quotes_show_values(bundle: Bundle, ctx: Context) -> list[Problem]:
    """The quote shows the number (or a plain rescaling of it); otherwise the note must explain."""
    out: list[Problem] = []
    for row in bundle["facts"].rows:
        value, quote = row["value"], row["quote"]
        if value is None or not quote or _quote_shows(value, quote):
            continue
        severity = "notice" if row["note"] else "warning"
        out.append(row.problem("quote", f"the quote does not show {value:g}; "
                                        f"{'see note' if row['note'] else 'explain the derivation in note'}",
                               "quote_shows_value", severity))
    return out


def _quote_shows(value: float, quote: str) -> bool:
    text = quote.replace(",", "").replace("\u00a0", " ")
    numbers = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)}
    scales = (1, 100, 1000, 0.01, 0.001, 10, 0.1, 10000, 0.0001)
    target = abs(value)
    return any(abs(n * s - target) <= 1e-6 * max(1.0, target) for n in numbers for s in scales)


def check_sources_used(bundle: Bundle, ctx: Context) -> list[Problem]:
    """Every source supports at least one fact or rule, or is cited by id where the data explains itself: a
    rule's gaps, a fact's, a firm's or a stake's note (a firm named by a listing, a threshold read from a reprint,
    an earlier share of a stake), or a back-test episode (a figure its notes give without storing it as a fact)."""
    used = ({r["source"] for r in bundle["facts"].rows} | {r["source"] for r in bundle["rules"].rows}
            | {r["source"] for r in bundle["ownership"].rows})
    texts = [*(g for r in bundle["rules"].rows for g in (r["gaps"] or [])),
             *(r["note"] or "" for table in ("facts", "firms", "ownership") for r in bundle[table].rows),
             *bundle.episode_texts]
    cited = {token for text in texts for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9_.+:-]*[A-Za-z0-9]", text)}
    return [row.problem("id", f"source '{row['id']}' is not used by any fact or rule, nor cited in a rule's gaps, "
                              "a note or a back-test episode", "sources_used", "warning")
            for row in bundle["sources"].rows if row["id"] not in used | cited]


def check_ownership(bundle: Bundle, ctx: Context) -> list[Problem]:
    """No firm owns itself, and a firm's known stakes (each owner's latest) add up to at most 100%; a firm row's
    `parent` is not read (who owns whom is in the ownership table), so one given is a warning."""
    rows = bundle["ownership"].rows
    out = [row.problem("firm", "a firm cannot hold a stake in itself", "ownership")
           for row in rows if row["owner"] == row["firm"]]
    out += [row.problem("parent", "the parent column is not read: state the stake in ownership.csv (owner, share, "
                                  "date, source)", "ownership", "warning")
            for row in bundle["firms"].rows if row["parent"]]
    current = {(s.owner, s.firm): s for s in latest(stakes_from_rows(r.values for r in rows))}
    total: dict[str, float] = {}
    for s in current.values():
        if s.share is not None:
            total[s.firm] = total.get(s.firm, 0.0) + s.share
    for row in rows:
        firm = row["firm"]
        if total.get(firm, 0.0) > 100.0 + 0.05 and current.get((row["owner"], firm)) is not None \
                and current[(row["owner"], firm)].as_of == (row["as_of"] or ""):
            out.append(row.problem("share", f"the latest known stakes in '{firm}' add up to {total[firm]:.1f}%, "
                                            "more than 100%", "ownership"))
            total[firm] = 0.0  # said once per firm
    return out


def check_input_graph(bundle: Bundle, ctx: Context) -> list[Problem]:
    """The input hierarchy has no cycles."""
    parents: dict[str, list[str]] = defaultdict(list)
    rows: dict[str, Row] = {}
    for row in bundle["input_links"].rows:
        parents[row["child"]].append(row["parent"])
        rows.setdefault(row["child"], row)
    out: list[Problem] = []
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        if state.get(node) == 1:
            return True
        if state.get(node) == 2:
            return False
        state[node] = 1
        cyclic = any(visit(p) for p in parents.get(node, []))
        state[node] = 2
        return cyclic

    for child in list(parents):
        if child not in state and visit(child):
            out.append(rows[child].problem("child", f"the input graph has a cycle through '{child}'", "input_graph"))
    return out


def check_parameters(bundle: Bundle, ctx: Context) -> list[Problem]:
    """Parameter ranges are ordered and each end equals the fact it rests on (in the parameter's unit)."""
    out: list[Problem] = []
    facts = {r["id"]: r for r in bundle["facts"].rows}
    for row in bundle["parameters"].rows:
        low, default, high, unit = row["low"], row["default"], row["high"], voc.UNITS.get(row["unit"])
        if None in (low, default, high) or unit is None:
            continue
        if not low <= default <= high:
            out.append(row.problem("default", f"default {default:g} is outside [{low:g}, {high:g}]", "parameters"))
        for end, column in ((low, "low_fact"), (default, "default_fact"), (high, "high_fact")):
            fact = facts.get(row[column])
            if fact is None:
                out.append(row.problem(column, f"unknown fact id '{row[column]}'", "references"))
                continue
            fact_unit = voc.UNITS.get(fact["unit"])
            if fact_unit is None or fact_unit.dimension != unit.dimension:
                out.append(row.problem(column, f"fact '{fact['id']}' is in {fact['unit']}, not comparable with "
                                               f"{unit.code}", "parameters"))
                continue
            stated = fact["value"] * fact_unit.factor / unit.factor
            if abs(stated - end) > 1e-6 * max(1.0, abs(end)):
                out.append(row.problem(column, f"fact '{fact['id']}' gives {stated:g} {unit.code}, the parameter "
                                               f"says {end:g}", "parameters"))
    return out


CHECKS: tuple[Callable[[Bundle, Context], list[Problem]], ...] = (
    check_unique_ids,
    check_references,
    check_rule_references,
    check_rule_dates,
    check_rule_conflicts,
    check_metric_units,
    check_share_range,
    check_periods,
    check_defaults,
    check_quotes_show_values,
    check_sources_used,
    check_reported_firm_figures_on_weak_sources,
    check_input_graph,
    check_ownership,
    check_input_attributes,
    check_parameters,
)


def validate(bundle: Bundle, external_inputs: set[str] | None = None) -> list[Problem]:
    """Every problem in the bundle: those found while reading, then each named check's."""
    problems = list(bundle.problems)
    ctx = Context.of_bundle(bundle, external_inputs)
    for check in CHECKS:
        problems.extend(check(bundle, ctx))
    return problems
