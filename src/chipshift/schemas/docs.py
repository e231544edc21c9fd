"""Render the data-format reference (docs/data-format.md) from the declarations. Run as a module."""

from __future__ import annotations

from chipshift.schemas import cset, tables, vocabulary


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
    for title, mapping in (("Statuses", vocabulary.STATUSES), ("Share bases", vocabulary.SHARE_BASES),
                           ("Segments", vocabulary.SEGMENTS), ("Input kinds", vocabulary.INPUT_KINDS)):
        out += ["", f"### {title}", ""] + [f"- `{k}`: {v}" for k, v in mapping.items()]
    out += ["", "## CSET/ETO tables as published (read by `chipshift import cset`)", ""]
    for schema in cset.TABLES:
        cols = ", ".join(f"`{c.name}`{'*' if c.required else ''}" for c in schema.columns)
        out.append(f"- `{schema.file}`: {schema.description} Columns (* required): {cols}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
