"""Check a market case against its declaration (``chipshift.schemas.market_case.CASE``, or ``LINKED_CASE`` for
``model: linked``) before it is parsed.

Each problem names the file, the YAML line and the field path (``sources[2].share``): a missing required key,
an unknown key (with the nearest declared ones), a wrong type (text where a number belongs, a quoted
boolean), a value out of range, and an unknown reference (firm, rule, fact, parameter, segment, source,
input, country, document, output) with the nearest known ids. Every problem of a file is listed at once.

The document may carry the line marks of ``chipshift.io.tables.load_yaml`` or be a plain mapping (then the
problems have no line).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chipshift.domain.period import Period, parse_moment, parse_partial_date
from chipshift.errors import Problem
from chipshift.io.tables import parse_bool
from chipshift.schemas.cset import CSET_HINT
from chipshift.schemas.market_case import (
    CASE,
    LINKED_CASE,
    LINKED_OUTPUTS,
    MODELS,
    NUMBER_FORMS,
    REFERENCES,
    Day,
    Flag,
    Key,
    LinkedOutput,
    ListOf,
    MapOf,
    Number,
    OneOf,
    PeriodLabel,
    Quarter,
    Record,
    Ref,
    Shape,
    Text,
    Whole,
)

#: The CSET supply-chain dataset's input ids (N22, S1 ...), known only once its tables are imported.
_CSET_ID = re.compile(r"^[NS][0-9]+$")

MARKS = ("__line__", "__lines__")
QUARTER = re.compile(r"\d{4}Q[1-4]")
DAY = re.compile(r"\d{4}(-\d{2}){0,2}")
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z")
LISTED_UP_TO = 12  # with no close match, a set of known ids this small is listed in full


def suggest(name: str, known: Collection[str], listed_as: str = "known") -> str:
    """' (did you mean a, b?)' from the ids nearest to ``name``; else a short set in full, else ''."""
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    if close:
        return f" (did you mean {', '.join(close)}?)"
    if 0 < len(known) <= LISTED_UP_TO:
        return f" ({listed_as}: {', '.join(sorted(known))})"
    return ""


def field_lines(document: Any, path: str = "", line: int | None = None) -> dict[str, int]:
    """The YAML line of every field path of a line-marked document (``sources[2].share`` -> 14)."""
    out: dict[str, int] = {}
    if isinstance(document, dict):
        own = document.get("__line__", line)
        if path and own is not None:
            out.setdefault(path, own)
        lines = document.get("__lines__", {})
        for key, value in document.items():
            if key in MARKS:
                continue
            child = f"{path}.{key}" if path else str(key)
            at = lines.get(key, own)
            if at is not None:
                out[child] = at
            out |= {k: v for k, v in field_lines(value, child, at).items() if k != child}
    elif isinstance(document, list):
        for i, item in enumerate(document):
            child = f"{path}[{i}]"
            at = item.get("__line__", line) if isinstance(item, dict) else line
            if at is not None:
                out[child] = at
            out |= {k: v for k, v in field_lines(item, child, at).items() if k != child}
    return out


def case_outputs(document: Mapping[str, Any], defined: Mapping[Ref, Collection[str]]) -> set[str]:
    """The outputs a case produces (``schemas.market_case.OUTPUTS``), from its declared ids."""
    sources = defined.get("source", ())
    segments = defined.get("segment", ())
    out = {"unmet"} | {f"share:{s}" for s in sources} | {f"revenue:{r}" for r in defined.get("revenue", ())}
    if len(segments) > 1:
        out |= {f"share:{s}@{g}" for s in sources for g in segments}
    raw_sources = document.get("sources")
    if isinstance(raw_sources, list) and any(isinstance(s, dict) and s.get("domestic") is True
                                             for s in raw_sources):
        out.add("localization")
    if document.get("firm") is not None and document.get("firm_share_base") is not None:
        out.add("revenue_share")
    return out


def _entries(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(mapping: Mapping[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    return value if isinstance(value, str) else None


def linked_outputs(document: Mapping[str, Any]) -> set[str]:
    """The outputs a linked case produces (``schemas.market_case.LINKED_OUTPUTS``), from its sellers and
    markets as written (entries of the wrong shape are left out: the check reports them)."""
    sellers = [s for s in _entries(document.get("sellers")) if _text(s, "id")]
    markets = [m for m in _entries(document.get("markets")) if _text(m, "id")]
    seller_ids = {str(s["id"]) for s in sellers}
    regions = sorted({r for m in markets if (r := _text(m, "region"))})
    owners = sorted({_text(s, "firm") or str(s["id"]) for s in sellers})

    def domestic(seller: Mapping[str, Any], region: str) -> bool:
        inside = seller.get("domestic_in")
        inside = [str(x) for x in inside] if isinstance(inside, list) else []
        return region in inside or (seller.get("country") == region and not inside)

    fills: dict[str, list[dict[str, str]]] = {
        "market": [{"market": str(m["id"])} for m in markets],
        "pair": [{"seller": str(sid), "market": str(m["id"])} for m in markets
                 for sid in _keys(m["shares"] if isinstance(m.get("shares"), dict) else {}) if sid in seller_ids],
        "seller": [{"seller": str(s["id"])} for s in sellers],
        "seller_region": [{"seller": str(s["id"]), "region": r} for s in sellers
                          for r in sorted({str(m.get("region")) for m in markets
                                           if _text(m, "region") and m.get("product") == s.get("product")})],
        "owner": [{"owner": o} for o in owners],
        "owner_region": [{"owner": o, "region": r} for o in owners for r in regions],
        "domestic_region": [{"region": r} for r in regions if any(domestic(s, r) for s in sellers)],
    }
    out = set()
    for output in LINKED_OUTPUTS:
        for ids in fills[output.over]:
            name = output.pattern
            for placeholder, value in ids.items():
                name = name.replace(f"<{placeholder}>", value)
            out.add(name)
    return out


def linked_output(name: str) -> LinkedOutput | None:
    """The declared output a linked case's output name is an instance of (``price@ROW`` -> ``price@<market>``)."""
    return next((o for o in LINKED_OUTPUTS if _PATTERNS[o.pattern].fullmatch(name)), None)


_PATTERNS = {o.pattern: re.compile(re.sub(r"<\w+>", "[^@]+", re.escape(o.pattern))) for o in LINKED_OUTPUTS}


def is_linked(document: Any) -> bool:
    """Whether a case document is read by the linked-markets model (``model: linked``)."""
    return isinstance(document, dict) and document.get("model") == "linked"


def check_case(document: Any, file: str, known: Mapping[Ref, Collection[str]]) -> list[Problem]:
    """Every problem of a market-case document against its declaration: ``CASE``, or ``LINKED_CASE`` for
    ``model: linked``. ``known`` holds the ids of store references (fact, rule, firm, ...); a kind of reference
    it leaves out is not checked. The case's own ids (sources, segments, sellers, markets, parameters,
    revenues, outputs) are read from the document."""
    walk = _Walk(file, {})
    if not isinstance(document, dict):
        walk.add("a market case is a mapping of keys (kind, region, product, sources, ...)", None, 1,
                 "file_format")
        return walk.problems
    model = document.get("model")
    if model is not None and (not isinstance(model, str) or model not in MODELS):
        # which declaration applies is unknown: say only that
        walk.text(model, Text(allowed=MODELS), "model", _child_line(document, "model", 1))
        return walk.problems
    record = LINKED_CASE if is_linked(document) else CASE
    defined: dict[Ref, dict[str, str]] = {}
    walk.collect(document, record, "", defined)
    walk.known = {**known, **{k: set(v) for k, v in defined.items()}}
    walk.known["output"] = linked_outputs(document) if record is LINKED_CASE else case_outputs(document,
                                                                                               walk.known)
    walk.check(document, record, "", document.get("__line__", 1))
    return sorted(walk.problems, key=lambda p: p.line if p.line is not None else 0)


def _shown(value: Any) -> str:
    return f"the text {value!r}" if isinstance(value, str) else repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _looks_numeric(value: Any) -> bool:
    try:
        float(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _child_line(container: Mapping[str, Any], key: str, default: int | None) -> int | None:
    line: int | None = container.get("__lines__", {}).get(key, default)
    return line


def _item_line(item: Any, default: int | None) -> int | None:
    line: int | None = item.get("__line__", default) if isinstance(item, dict) else default
    return line


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _given(mapping: Mapping[str, Any], name: str) -> bool:
    return mapping.get(name) is not None


@dataclass
class _Walk:
    file: str
    known: dict[Ref, Collection[str]]
    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, path: str | None, line: int | None, check: str) -> None:
        self.problems.append(Problem(message, self.file, line, path or None, check=check))

    # -- the ids a case defines (first pass) ----------------------------------------------------------------

    def collect(self, value: Any, shape: Shape, path: str, defined: dict[Ref, dict[str, str]]) -> None:
        """Gather the ids the document defines (sources, segments, parameters, revenues); a duplicate is a
        problem. Values of the wrong shape are skipped here (the second pass reports them)."""
        if isinstance(shape, Record) and isinstance(value, dict):
            for key in shape.keys:
                raw = value.get(key.name)
                if raw is None and isinstance(key.shape, MapOf) and isinstance(key.default, Mapping):
                    raw = dict(key.default)
                if raw is None:
                    continue
                at = _join(path, key.name)
                if key.defines is not None and isinstance(raw, str):
                    seen = defined.setdefault(key.defines, {})
                    if raw in seen:
                        self.add(f"duplicate {REFERENCES[key.defines].noun} '{raw}' (first at {seen[raw]})", at,
                                 _child_line(value, key.name, value.get("__line__")), "unique_ids")
                    else:
                        seen[raw] = at
                self.collect(raw, key.shape, at, defined)
        elif isinstance(shape, ListOf) and isinstance(value, list):
            for i, item in enumerate(value):
                self.collect(item, shape.item, f"{path}[{i}]", defined)
        elif isinstance(shape, OneOf) and (option := _option(shape, value)) is not None:
            self.collect(value, option, path, defined)
        elif isinstance(shape, MapOf) and isinstance(value, dict):
            if shape.defines is not None:
                seen = defined.setdefault(shape.defines, {})
                for key in value:
                    if key not in MARKS:
                        seen.setdefault(str(key), _join(path, str(key)))
            for key, item in value.items():
                if key not in MARKS:
                    self.collect(item, shape.value, _join(path, str(key)), defined)

    # -- every value against its shape (second pass) ---------------------------------------------------------

    def check(self, value: Any, shape: Shape, path: str, line: int | None, waive_reference: bool = False) -> None:
        if isinstance(shape, Record):
            self.record(value, shape, path, line)
        elif isinstance(shape, ListOf):
            self.sequence(value, shape, path, line)
        elif isinstance(shape, MapOf):
            self.mapping(value, shape, path, line)
        elif isinstance(shape, Number):
            self.number(value, shape, path, line)
        elif isinstance(shape, Text):
            self.text(value, shape, path, line, waive_reference)
        elif isinstance(shape, Whole):
            self.whole(value, shape, path, line)
        elif isinstance(shape, Flag):
            try:
                parse_bool(value)
            except ValueError as exc:
                self.add(str(exc), path, line, "cell_types")
        elif isinstance(shape, PeriodLabel):
            self.period(value, path, line)
        elif isinstance(shape, Quarter) and not (isinstance(value, str) and QUARTER.fullmatch(value.strip())):
            self.add(f"expected a quarter such as 2023Q1, got {_shown(value)}", path, line, "cell_types")
        elif isinstance(shape, Day) and not (_is_day(value) or (shape.time and _is_moment(value))):
            moment = " or a date and UTC time such as 2026-12-04T22:40Z" if shape.time else ""
            self.add(f"expected a date such as 2023-07-03 (or 2023-07, 2023){moment}, got {_shown(value)}", path,
                     line, "cell_types")
        elif isinstance(shape, OneOf):
            option = _option(shape, value)
            if option is None:
                self.add(f"expected {' or '.join(_kind(o) for o in shape.options)}, got {_shown(value)}", path,
                         line, "cell_types")
            else:
                self.check(value, option, path, line, waive_reference)

    def record(self, value: Any, shape: Record, path: str, line: int | None) -> bool:
        if not isinstance(value, dict):
            self.add(f"expected a mapping of {', '.join(shape.names)}, got {_shown(value)}", path, line,
                     "cell_types")
            return False
        line = value.get("__line__", line)
        for name in value:
            if name in MARKS or name in shape.names:
                continue
            hint = suggest(str(name), shape.names, "allowed")
            self.add(f"unknown key '{name}'{hint or ' (allowed: ' + ', '.join(shape.names) + ')'}",
                     _join(path, str(name)), _child_line(value, name, line), "file_format")
        for key in shape.keys:
            self.entry(value, key, path, line, shape)
        return True

    def entry(self, mapping: Mapping[str, Any], key: Key, path: str, line: int | None, record: Record) -> None:
        at = _join(path, key.name)
        if key.when is not None and record.get(mapping, key.when[0]) != key.when[1]:
            if _given(mapping, key.name):
                self.add(f"'{key.name}' applies only with '{key.when[0]}: {key.when[1]}'", at,
                         _child_line(mapping, key.name, line), "file_format")
            return
        if not _given(mapping, key.name):
            if key.required:
                self.add(f"required key '{key.name}' is missing or empty", at, line, "required_fields")
            elif key.required_without and not any(_given(mapping, k) for k in key.required_without):
                others = " or ".join(f"'{k}'" for k in key.required_without)
                self.add(f"required key '{key.name}' is missing (or give {others})", at, line, "required_fields")
            return
        own = _child_line(mapping, key.name, line)
        for name in key.requires:
            if not _given(mapping, name):
                self.add(f"'{key.name}' needs '{name}' beside it: {record.key(name).description}", at, own,
                         "required_fields")
        if key.requires_any and not any(_given(mapping, k) for k in key.requires_any):
            self.add(f"'{key.name}' needs {' or '.join(repr(k) for k in key.requires_any)} beside it", at, own,
                     "required_fields")
        for other in key.excludes:
            if _given(mapping, other):
                self.add(f"'{key.name}' cannot be given with '{other}'", at, own, "file_format")
        value = mapping[key.name]
        if isinstance(key.shape, Number) and key.shape.literal_basis and _is_number(value) and not _given(
                mapping, key.shape.literal_basis):
            self.add(f"a literal {key.name} needs a '{key.shape.literal_basis}' saying how it was derived (or "
                     "give a {fact: ID})", at, own, "required_fields")
        waive = key.unless is not None and mapping.get(key.unless) is True
        self.check(value, key.shape, at, own, waive)

    def sequence(self, value: Any, shape: ListOf, path: str, line: int | None) -> None:
        if not isinstance(value, list):
            self.add(f"expected a list, got {_shown(value)}", path, line, "cell_types")
            return
        if len(value) < shape.min_items:
            self.add(f"needs at least {shape.min_items} entr{'y' if shape.min_items == 1 else 'ies'}", path, line,
                     "required_fields")
        for i, item in enumerate(value):
            self.check(item, shape.item, f"{path}[{i}]", _item_line(item, line))

    def mapping(self, value: Any, shape: MapOf, path: str, line: int | None) -> None:
        if not isinstance(value, dict):
            self.add(f"expected a mapping of {shape.key_name} to values, got {_shown(value)}", path, line,
                     "cell_types")
            return
        line = value.get("__line__", line)
        present = [str(k) for k in value if k not in MARKS]
        for name in shape.required:
            if name not in present:
                self.add(f"required {shape.key_name} '{name}' is missing (every case needs "
                         f"{', '.join(shape.required)})", _join(path, name), line, "required_fields")
        for key, item in value.items():
            if key in MARKS:
                continue
            at = _join(path, str(key))
            own = _child_line(value, key, line)
            if isinstance(shape.key, Whole):
                text = str(key).strip()
                if isinstance(key, bool) or not text.lstrip("-").isdigit():
                    self.add(f"'{key}' is not a {shape.key_name} (a whole number, e.g. 2024)", at, own,
                             "cell_types")
                else:
                    self.whole(int(text), shape.key, at, own)
            elif isinstance(shape.key, PeriodLabel):
                self.period(key, at, own)
            else:
                self.text(key, shape.key, at, own)
            if item is None:
                self.add("is empty: give a value", at, own, "required_fields")
            else:
                self.check(item, shape.value, at, own)

    def text(self, value: Any, shape: Text, path: str, line: int | None, waive_reference: bool = False) -> None:
        if not isinstance(value, str):
            self.add(f"expected text, got {_shown(value)}" + (" (quote it)" if _is_number(value) else ""), path,
                     line, "cell_types")
            return
        if shape.allowed is not None and value not in shape.allowed:
            hint = suggest(value, shape.allowed, "allowed")
            self.add(f"'{value}' is not allowed here{hint or ' (allowed: ' + ', '.join(shape.allowed) + ')'}",
                     path, line, "cell_types")
        if shape.refers_to is not None and not waive_reference:
            self.reference(value, shape.refers_to, path, line)

    def reference(self, name: str, ref: Ref, path: str, line: int | None) -> None:
        known = self.known.get(ref)
        if known is None or name in known:
            return
        noun = REFERENCES[ref].noun
        hint = suggest(name, known, f"the case's {noun}s" if REFERENCES[ref].in_case else "known")
        if ref == "firm":  # a source that is not a firm must say it is a group of firms
            self.add(f"'{name}' is not a known firm{hint}; a bucket of several firms says 'group: true'", path,
                     line, "references")
        else:
            if ref == "input" and _CSET_ID.match(name) and not any(_CSET_ID.match(k) for k in known):
                hint += f"; {CSET_HINT}"
            self.add(f"unknown {noun} '{name}'{hint}", path, line, "references")

    def whole(self, value: Any, shape: Whole, path: str, line: int | None) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            hint = " (write it without quotes)" if isinstance(value, str) and value.strip().isdigit() else ""
            self.add(f"expected a whole number, got {_shown(value)}{hint}", path, line, "cell_types")
            return
        self.bounds(value, shape.minimum, shape.maximum, path, line)

    def bounds(self, value: float, low: float | None, high: float | None, path: str, line: int | None) -> None:
        if low is not None and high is not None and not low <= value <= high:
            self.add(f"{value:g} is outside the allowed range [{low:g}, {high:g}]", path, line, "cell_types")
        elif low is not None and value < low:
            self.add(f"{value:g} is below the minimum {low:g}", path, line, "cell_types")
        elif high is not None and value > high:
            self.add(f"{value:g} is above the maximum {high:g}", path, line, "cell_types")

    def period(self, value: Any, path: str, line: int | None) -> None:
        try:
            Period.parse(str(value))
        except ValueError as exc:
            self.add(str(exc), path, line, "cell_types")

    def number(self, value: Any, shape: Number, path: str, line: int | None) -> None:
        if isinstance(value, dict):
            marks = {NUMBER_FORMS[f][0]: f for f in NUMBER_FORMS if NUMBER_FORMS[f][0]}
            form = next((marks[k] for k in marks if k in value), None)
            if form is None or form not in shape.forms:
                self.add(f"expected {_forms(shape)}, got a mapping with {', '.join(_keys(value)) or 'no keys'}",
                         path, line, "cell_types")
                return
            record = NUMBER_FORMS[form][1]
            assert record is not None
            if not self.record(value, record, path, line):
                return
            if form == "stated" and _is_number(value.get("value")):
                at = _join(path, "value")
                own = _child_line(value, "value", value.get("__line__", line))
                self.bounds(float(value["value"]), shape.minimum, shape.maximum, at, own)
                unit = value.get("unit")
                if shape.scaled and unit is None:
                    self.add("needs its 'unit' here (figures in different units are compared)",
                             _join(path, "unit"), own, "required_fields")
                if isinstance(unit, str) and shape.units is not None and unit not in shape.units:
                    self.add(f"unit '{unit}' is not allowed here (allowed: {', '.join(shape.units)})",
                             _join(path, "unit"), _child_line(value, "unit", own), "cell_types")
            return
        if isinstance(value, str) and value in shape.words:
            return
        if _is_number(value):
            if "literal" not in shape.forms:
                need = "a basis: write {value: N, unit: U, basis: '...'} or a {fact: ID}" if (
                    "stated" in shape.forms) else _forms(shape)
                self.add(f"a bare number is not allowed here: give {need}", path, line, "cell_types")
            elif not math.isfinite(value):
                self.add(f"{value} is not a value", path, line, "cell_types")
            else:
                self.bounds(float(value), shape.minimum, shape.maximum, path, line)
            return
        hint = " (write it without quotes)" if _looks_numeric(value) else ""
        self.add(f"expected {_forms(shape)}, got {_shown(value)}{hint}", path, line, "cell_types")


def _is_moment(value: Any) -> bool:
    """A whole date with a UTC time of day: 2026-12-04T22:40Z."""
    return _reads_as(value, MOMENT, parse_moment)


def _is_day(value: Any) -> bool:
    return _reads_as(value, DAY, parse_partial_date)


def _reads_as(value: Any, pattern: re.Pattern[str], parse: Callable[[str], object]) -> bool:
    """Whether ``value`` is text of the pattern's form that ``parse`` reads (a real day, not 2026-02-30)."""
    if not (isinstance(value, str) and pattern.fullmatch(value.strip())):
        return False
    try:
        parse(value.strip())
    except ValueError:
        return False
    return True


def _option(shape: OneOf, value: Any) -> Shape | None:
    """The option of ``shape`` a value's type selects: text, a mapping, a list or a number."""
    for option in shape.options:
        if isinstance(value, str) and isinstance(option, Text | PeriodLabel | Quarter | Day):
            return option
        if isinstance(value, dict) and isinstance(option, Record | MapOf | Number):
            return option
        if isinstance(value, list) and isinstance(option, ListOf):
            return option
        if _is_number(value) and isinstance(option, Number | Whole):
            return option
    return None


def _kind(shape: Shape) -> str:
    """How a message names what a shape takes."""
    if isinstance(shape, Text):
        return f"{'the name of a ' + REFERENCES[shape.refers_to].noun if shape.refers_to else 'text'}"
    if isinstance(shape, MapOf):
        return f"a mapping of {shape.key_name} to values"
    if isinstance(shape, Record):
        return f"a mapping of {', '.join(shape.names)}"
    if isinstance(shape, ListOf):
        return "a list"
    return "a number"


def _keys(mapping: Mapping[str, Any]) -> Iterable[str]:
    return (str(k) for k in mapping if k not in MARKS)


def _forms(shape: Number) -> str:
    """How a message names the forms a number may take here."""
    names = {"literal": "a number", "fact": "{fact: ID}", "param": "{param: ID}",
             "stated": "{value: N, basis: '...'}"}
    parts = [names[f] for f in shape.forms] + [f"'{w}'" for w in shape.words]
    return " or ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " or " + parts[-1]
