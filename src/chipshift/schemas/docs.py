"""Render the reference pages from the declarations: ``python -m chipshift.schemas.docs > docs/data-format.md``
(the data tables) and ``python -m chipshift.schemas.docs market-case > docs/market-case.md`` (the market-case
file format)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

from chipshift.schemas import cset, market_case, tables, vocabulary
from chipshift.schemas.market_case import (
    Day,
    Flag,
    Key,
    ListOf,
    MapOf,
    Number,
    OneOf,
    PeriodLabel,
    Quarter,
    Record,
    Shape,
    Text,
    Whole,
)


def _codes(mapping: object) -> str:
    return ", ".join(f"`{k}`" for k in mapping)  # type: ignore[attr-defined]


def render() -> str:
    out = [
        "# Data format reference",
        "",
        "Generated from `src/chipshift/schemas/` by `python -m chipshift.schemas.docs`; a test fails when it",
        "drifts. Bundled files live in `src/chipshift/data/`; list cells are `;`-separated; blank means unknown.",
        "",
    ]
    for schema in tables.ALL:
        where = f" — file `{schema.file}`" if schema.file else " — store only"
        if schema.name == "facts":
            where = " — files `facts/*.csv`"
        out += [f"## `{schema.name}`{where}", "", schema.description, ""]
        if schema.primary_key:
            out += [f"Key: {', '.join(f'`{k}`' for k in schema.primary_key)}", ""]
        out += ["| column | type | required | description |", "|---|---|---|---|"]
        for c in schema.columns:
            extra = []
            if c.allowed is not None and len(c.allowed) <= 12:
                extra.append(f"one of {_codes(c.allowed)}")
            elif c.allowed is not None:
                extra.append("a code from the vocabulary below")
            if c.references:
                extra.append(f"refers to `{c.references}`")
            if c.minimum is not None or c.maximum is not None:
                extra.append(f"range [{c.minimum:g}, {c.maximum:g}]" if c.minimum is not None and c.maximum is not None
                             else f"min {c.minimum}" if c.minimum is not None else f"max {c.maximum}")
            if c.unit:
                extra.append(f"unit {c.unit}")
            desc = c.description + (f" ({'; '.join(extra)})" if extra else "")
            out.append(f"| `{c.name}` | {c.dtype} | {'yes' if c.required else ''} | {desc} |")
        out.append("")
    out += ["## Vocabulary", "", "### Metrics", "", "| metric | category | unit dimensions | product | description |",
            "|---|---|---|---|---|"]
    for m in vocabulary.METRICS.values():
        out.append(f"| `{m.code}` | {m.category} | {', '.join(m.dimensions)} | "
                   f"{'required' if m.needs_product else ''} | {m.description} |")
    out += ["", "### Units", "", "| unit | dimension | factor | description |", "|---|---|---|---|"]
    for u in vocabulary.UNITS.values():
        out.append(f"| `{u.code}` | {u.dimension} | {u.factor:g} | {u.description} |")
    reliabilities = tables.SOURCES.column("reliability").allowed or {}
    for title, mapping in (("Statuses", vocabulary.STATUSES), ("Reliabilities", reliabilities),
                           ("Share bases", vocabulary.SHARE_BASES), ("Segments", vocabulary.SEGMENTS),
                           ("Input kinds", vocabulary.INPUT_KINDS)):
        out += ["", f"### {title}", ""] + [f"- `{k}`: {v}" for k, v in mapping.items()]
        if title == "Reliabilities":
            out += ["", DEFAULTS_AND_REVIEW]
    out += ["", "## CSET/ETO tables as published (read by `chipshift import cset`)", ""]
    for schema in cset.TABLES:
        cols = ", ".join(f"`{c.name}`{'*' if c.required else ''}" for c in schema.columns)
        out.append(f"- `{schema.file}`: {schema.description} Columns (* required): {cols}")
    return "\n".join(out) + "\n"


DEFAULTS_AND_REVIEW = """\
A fact's `status` says what kind of number it is; its source's `reliability` says how far the page
can be trusted. The two are separate: a firm's revenue read on a weak page is `reported` on a `weak` source.
Facts that agree on entity, metric, product, region, segment, basis, definition and period state one
quantity; of two or more, exactly one is the `default` (the one models and summaries use), chosen as the
best source (the firm's or the agency's own filing, then a tracker's release, then the press), then the
latest revision, and its `note` says why. `chipshift data validate` refuses a second default and warns
about a figure a firm reported whose only sources are weak; `chipshift data review` lists the facts on
weak sources only (the aim: under 10% of all facts), defaults on weak sources where a better-sourced fact
states the same quantity (the aim: none), groups with no default, and series whose newest figure is older
than a stated age."""


_FORM_NAMES = {"literal": "literal", "fact": "`{fact}`", "stated": "`{value, basis}`", "param": "`{param}`"}


def _shape_type(shape: Shape, at: str) -> str:
    """The Type column: what a value of ``shape`` is, pointing at the section of a nested record."""
    if isinstance(shape, Text):
        return "text"
    if isinstance(shape, Whole):
        return "whole number"
    if isinstance(shape, Flag):
        return "true/false"
    if isinstance(shape, PeriodLabel):
        return "period"
    if isinstance(shape, Quarter):
        return "quarter, e.g. 2023Q1"
    if isinstance(shape, Day):
        return "date, e.g. 2023-07-03" + (", or with a UTC time, e.g. 2026-12-04T22:40Z" if shape.time else "")
    if isinstance(shape, OneOf):
        return " or ".join(_shape_type(o, at) for o in shape.options)
    if isinstance(shape, Number):
        return "number: " + " or ".join([_FORM_NAMES[f] for f in shape.forms] + [f"`{w}`" for w in shape.words])
    if isinstance(shape, Record):
        return f"mapping, see `{at}`"
    if isinstance(shape, ListOf):
        item = shape.item
        return f"list of entries, see `{at}[]`" if isinstance(item, Record) else f"list of {_shape_type(item, at)}"
    value = shape.value
    shown = f"a mapping, see `{at}.<{shape.key_name}>`" if isinstance(value, Record) else _shape_type(value, at)
    return f"mapping of {shape.key_name} to {shown}"


def _range(low: float | None, high: float | None) -> str | None:
    if low is not None and high is not None:
        return f"range [{low:g}, {high:g}]"
    if low is not None:
        return f"at least {low:g}"
    return None if high is None else f"at most {high:g}"


def _shape_notes(shape: Shape) -> list[str]:
    if isinstance(shape, ListOf | MapOf) and not isinstance(shape.value if isinstance(shape, MapOf) else shape.item,
                                                            Record):
        inner = _shape_notes(shape.value if isinstance(shape, MapOf) else shape.item)
    else:
        inner = []
    notes: list[str] = []
    if isinstance(shape, OneOf):
        return [n for o in shape.options for n in _shape_notes(o)]
    if isinstance(shape, Text):
        if shape.allowed is not None:
            notes.append(f"one of {_codes(shape.allowed)}" if len(shape.allowed) <= 12 else
                         "a unit code of [data-format.md](data-format.md#units)" if set(shape.allowed) <= set(
                             vocabulary.UNITS) else "a segment of [data-format.md](data-format.md#segments)"
                         if set(shape.allowed) <= set(vocabulary.SEGMENTS) else f"one of {_codes(shape.allowed)}")
        if shape.refers_to:
            notes.append(f"names {_a(market_case.REFERENCES[shape.refers_to].noun)}")
    elif isinstance(shape, Whole | Number) and (span := _range(shape.minimum, shape.maximum)):
        notes.append(span)
    if isinstance(shape, Number):
        figures = "facts and stated values" if "stated" in shape.forms else "facts"
        if shape.units:
            notes.append(f"{figures} in {', '.join(f'`{u}`' for u in shape.units)}")
        if shape.scaled:
            notes.append(f"{figures} enter in their dimension's base unit, so 30% is 0.30")
        if shape.literal_basis:
            notes.append(f"a literal needs `{shape.literal_basis}`")
        notes += [f"`{w}`: {d}" for w, d in shape.words.items()]
    if isinstance(shape, ListOf) and shape.min_items:
        notes.append(f"at least {shape.min_items}")
    if isinstance(shape, MapOf):
        if shape.required:
            notes.append(f"must hold {', '.join(f'`{k}`' for k in shape.required)}")
        if shape.defines:
            notes.append(f"each key defines {_a(market_case.REFERENCES[shape.defines].noun)}")
    return inner + notes


def _default(key: Key) -> str | None:
    if key.default_text is not None:
        return key.default_text
    if key.default is None:
        return None
    if isinstance(key.default, bool):
        return f"`{str(key.default).lower()}`"
    if isinstance(key.default, tuple):
        return "none" if not key.default else ", ".join(map(str, key.default))
    if isinstance(key.default, str):
        return f"`{key.default!r}`" if key.default else "empty"
    if hasattr(key.default, "items"):
        return "`{" + ", ".join(f"{k}: {v}" for k, v in key.default.items()) + "}`"
    return f"`{key.default}`"


def _key_row(key: Key, at: str) -> str:
    notes = _shape_notes(key.shape)
    if key.defines:
        notes.append(f"defines {_a(market_case.REFERENCES[key.defines].noun)}")
    if key.unless:
        notes.append(f"need not be one when `{key.unless}: true`")
    if key.requires:
        notes.append(f"needs {' and '.join(f'`{k}`' for k in key.requires)}")
    if key.requires_any:
        notes.append(f"needs {' or '.join(f'`{k}`' for k in key.requires_any)}")
    if key.excludes:
        notes.append(f"not with {' or '.join(f'`{k}`' for k in key.excludes)}")
    if key.when and not key.required:
        notes.append(f"only with `{key.when[0]}: {key.when[1]}`")
    if (default := _default(key)) is not None:
        notes.append(f"default {default}")
    required = "yes" if key.required else (
        f"unless {' or '.join(f'`{k}`' for k in key.required_without)}" if key.required_without else "")
    if key.required and key.when:
        required = f"with `{key.when[0]}: {key.when[1]}` (only then)"
    desc = key.description + (f" ({'; '.join(notes)})" if notes else "")
    return f"| `{key.name}` | {_shape_type(key.shape, _join(at, key.name))} | {required} | {desc} |"


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _join(at: str, name: str) -> str:
    return f"{at}.{name}" if at else name


def _records(record: Record, at: str) -> Iterator[tuple[str, Record]]:
    """Every record of the declaration, depth first, with the path that names its section."""
    yield at, record
    for key in record.keys:
        shape, path = key.shape, _join(at, key.name)
        if isinstance(shape, ListOf):
            shape, path = shape.item, f"{path}[]"
        elif isinstance(shape, MapOf):
            path = f"{path}.<{shape.key_name}>"
            shape = shape.value
        if isinstance(shape, Record):
            yield from _records(shape, path)


def _key_table(record: Record, at: str) -> list[str]:
    return ["| key | type | required | description |", "|---|---|---|---|",
            *(_key_row(k, at) for k in record.keys), ""]


def render_market_case() -> str:
    """The market-case file format (docs/market-case.md), from ``schemas.market_case``."""
    out = [
        "# Market case format reference",
        "",
        "Generated from `src/chipshift/schemas/market_case.py` by `python -m chipshift.schemas.docs market-case`; a",
        "test fails when it drifts. A market case is a YAML scenario file with `kind: market` (e.g.",
        "`examples/micron-china.yaml`), run by `chipshift scenario run FILE`; [market.md](market.md) describes the",
        "model. A file is checked in two rounds, each listing every problem with the file, line and field path",
        "(`sources[2].share`); bad input exits with code 2.",
        "",
        "1. Against the declaration below: required and unknown keys (with the nearest allowed ones), types (text",
        "   where a number belongs, a quoted `\"true\"`), allowed values and ranges, and references to the ids the",
        "   store or the case defines (with the nearest known ones).",
        "2. The figures together: baseline shares summing to 100 within "
        "5 points (then normalised), each parameter's",
        "   range holding its default and staying inside the sensible range of the model parameters below, at most",
        "   one segment taking the `rest`, years inside the run, observations in the unit of their output, and one",
        "   currency per series.",
        "",
        "## Numbers",
        "",
        "Every number traces to a source. The type column lists the forms a key takes:",
        "",
        "| form | written as |",
        "|---|---|",
        *(f"| {_FORM_NAMES[name]} | {text} |" for name, (_, _, text) in market_case.NUMBER_FORMS.items()),
        "",
        "A bare literal is allowed only where the form list says so (model choices such as a quality or a",
        "segment weight, or a literal share with its `basis` beside it); a figure read from somewhere is a fact",
        "or a stated value. The keys of a stated value:",
        "",
        *_key_table(market_case.STATED_FORM, "{value}"),
        "",
        "What a run rests on (`rests_on` in its results, named by its charts' footers): the facts its numbers",
        "cite (`{fact: ID}`), the fact ids a `basis` names in its words (written out in full, e.g.",
        "`chn-production-gallium-2024-usgs-mcs2026`), the facts behind the catalogue rows its parameters take",
        "(`from`), and the documents its stated values name as `source`; an observation counts when the run is",
        "fitted to it. An observation shown beside the model only (`fit: false`) and an episode's outcomes set",
        "nothing up: the chart that draws one names its source itself. A footer says the case cites no sourced",
        "figure only when none of these exists.",
    ]
    for at, record in _records(market_case.CASE, ""):
        out += [f"## {f'`{at}`' if at else 'Top level'}", "", *_key_table(record, at)]
    out += ["## References", "", "| reference | what it names |", "|---|---|"]
    out += [f"| {r.noun} | {r.description} |" for r in market_case.REFERENCES.values()]
    out += ["", "## Outputs", "", "What a case produces, in percent for shares; an observation's `output` names one.",
            "", "| output | what it is |", "|---|---|"]
    out += [f"| `{name}` | {text} |" for name, text in market_case.OUTPUTS.items()]
    out += ["", "## Model parameters", "",
            "Parameter ids the model gives a meaning to; a range outside the sensible one is refused.", "",
            "| id | required | sensible range | description |", "|---|---|---|---|"]
    out += [f"| `{p.id}` | {'yes' if p.required else ''} | [{p.sensible[0]:g}, {p.sensible[1]:g}] | {p.description} |"
            for p in market_case.MODEL_PARAMETERS.values()]
    return "\n".join(out + _linked_part()) + "\n"


def _linked_part() -> list[str]:
    """The linked-markets format (``model: linked``), from ``schemas.market_case.LINKED_CASE``."""
    out = [
        "",
        "## Linked markets (`model: linked`)",
        "",
        "A case with `model: linked` (e.g. `examples/gallium-export-controls.yaml`) has sellers (a firm's or a",
        "country's product line) selling into several markets (a product in a region, optionally one buyer",
        "segment) from one supply, run quarter by quarter. Rules act on (market, seller) pairs through the",
        "restriction engine's reach: bans, licences, rushes before an announced ban, and cuts of a seller's",
        "input. It is checked in the same two rounds: against the declaration below, then the figures together",
        "(values in units of `value_unit`'s dimension; a market's shares summing to 100 within 5 points when all",
        "are figures; sellers selling their markets' product; parameters' ranges holding their defaults;",
        "observations in their output's unit and inside the run's periods; `fiscal_year_end` naming sellers'",
        "firms). Running it then refuses a rule entry that names a pair its rule cannot reach. The model's",
        "parameters are the case's own: the sensible ranges above apply to single-market cases only.",
        "",
        "A case that states a parameter `grey_share` gives every seller a ban cuts off entirely (every offering",
        "barred) a grey channel (stock, third parties, smuggling): buyers get that share of what they would take",
        "from it, as under a licence with that approval; a procurement ban binds the buyers themselves and",
        "leaves none. Without the parameter a ban bars the seller outright (docs/market.md says why).",
        "",
        "A case that states a parameter `sigma_long_run_ratio` (the catalogue has one: `{from:",
        "sigma_long_run_ratio}`, 2 to 3.4) reads each market's `sigma` as its buyers' short-run elasticity: from",
        "the first quarter any of its rules holds (or cuts a seller's input) the elasticity rises towards that",
        "ratio times itself, closing 90% of the gap in `sigma_adjustment_months` (15 unless stated; the catalogue's",
        "`adjustment_months`). Without it each elasticity stays as stated (docs/backtest.md says why).",
        "",
        "A case that states a parameter `licence_lag_days` (the catalogue has one: `{from: licence_lag_days}`,",
        "40 to 90 days, mode 63) has licences take time to issue: a rule entry with `effect: licence` whose rule",
        "requires licences by its own data (`rules.yaml`: not a relaxation, and `policy` `licence_required`,",
        "`case_by_case` or `presumption_of_denial`) licenses nothing for that many days from the rule's",
        "effective date (its day, not only its quarter); a quarter the wait touches gets `approval` times the",
        "share of its days outside the wait, later quarters the whole `approval`. An entry under a ban or a fee",
        "(`policy` `ban` or `fee`) is left as it is. Without the parameter licences are issued at once",
        "(docs/backtest.md says why).",
        "",
    ]
    shown: dict[int, str] = {id(market_case.PARAMETER): "parameters.<parameter id>",
                             id(market_case.CAPACITY): "sources[].capacity"}
    for at, record in _records(market_case.LINKED_CASE, ""):
        out += [f"## Linked: {f'`{at}`' if at else 'top level'}", ""]
        if id(record) in shown:
            out += [f"The keys of `{shown[id(record)]}` above.", ""]
            continue
        out += _key_table(record, at)
    out += ["## Linked outputs", "",
            "What a linked case produces; an observation's `output` names one. `<seller>` and `<market>` stand",
            "for the case's ids, `<region>` for a market's region, `<owner>` for a seller's firm (else the",
            "seller). Each comes for every quarter and every whole calendar year of the run, and the revenue",
            "outputs of a firm in `fiscal_year_end` for its whole fiscal years too. Over a period, flows",
            "(values, quantities, revenues) are summed, prices averaged, and shares and the volume index are",
            "ratios of the sums.", "", "| output | unit | what it is |", "|---|---|---|"]
    out += [f"| `{o.pattern}` | {market_case.LINKED_UNITS[o.unit]} | {o.description} |"
            for o in market_case.LINKED_OUTPUTS]
    return out


PAGES: dict[str, Callable[[], str]] = {"data-format": render, "market-case": render_market_case}


if __name__ == "__main__":
    print(PAGES[sys.argv[1] if len(sys.argv) > 1 else "data-format"](), end="")
