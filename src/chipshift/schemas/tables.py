"""Every table's columns, declared once.

The bundled CSV files, the loader's validation, the store's DDL (DuckDB and PostgreSQL) and the data-format
reference in ``docs/data-format.md`` are all derived from the declarations below.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from chipshift.schemas import vocabulary as voc

DType = Literal["str", "float", "int", "date", "bool", "list", "json"]
#: The SQL databases a store can live in.
Dialect = Literal["duckdb", "postgres"]

_SQL_TYPES: Mapping[DType, str] = {
    "str": "VARCHAR",
    "float": "DOUBLE",
    "int": "BIGINT",
    "date": "VARCHAR",  # partial ISO dates ('2025', '2025-10') are legal, so kept as text
    "bool": "BOOLEAN",
    "list": "VARCHAR[]",
    "json": "JSON",
}
#: The same types in PostgreSQL. Text compares byte by byte (collation "C"), as in DuckDB, so that ORDER BY
#: gives the same order whatever the database's locale; JSON (not JSONB) keeps the text as written.
_POSTGRES_TYPES: Mapping[DType, str] = {
    "str": 'TEXT COLLATE "C"',
    "float": "DOUBLE PRECISION",
    "int": "BIGINT",
    "date": 'TEXT COLLATE "C"',
    "bool": "BOOLEAN",
    "list": 'TEXT[] COLLATE "C"',
    "json": "JSON",
}
_TYPES: Mapping[Dialect, Mapping[DType, str]] = {"duckdb": _SQL_TYPES, "postgres": _POSTGRES_TYPES}


@dataclass(frozen=True)
class Column:
    name: str
    dtype: DType
    description: str
    required: bool = False
    allowed: Mapping[str, object] | None = None
    references: str | None = None  # "table" whose primary key this column names
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None

    @property
    def sql_type(self) -> str:
        return _SQL_TYPES[self.dtype]

    def sql_type_in(self, dialect: Dialect) -> str:
        return _TYPES[dialect][self.dtype]


@dataclass(frozen=True)
class TableSchema:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    file: str | None = None  # bundled file name, if the table ships with the package
    column_index: Mapping[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_index", {c.name: c for c in self.columns})

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return self.column_index[name]

    def ddl(self, dialect: Dialect = "duckdb") -> str:
        """CREATE TABLE statement for the store."""
        lines = []
        for c in self.columns:
            null = " NOT NULL" if c.required else ""
            lines.append(f'    "{c.name}" {c.sql_type_in(dialect)}{null}')
        if self.primary_key:
            lines.append(f"    PRIMARY KEY ({', '.join(self.primary_key)})")
        body = ",\n".join(lines)
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n{body}\n)"


ISO3 = r"^[A-Z]{3}$"
ID = r"^[A-Za-z0-9][A-Za-z0-9_.+:-]*$"
PARTIAL_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"

COUNTRIES = TableSchema(
    "countries",
    "Countries, regions and aggregates that supply, buy or regulate.",
    (
        Column("id", "str", "ISO 3166-1 alpha-3 code, or a three-letter code for a region/aggregate",
               required=True, pattern=ISO3),
        Column("name", "str", "English name", required=True),
        Column("kind", "str", "country, region or aggregate", required=True, allowed=voc.ENTITY_KINDS),
        Column("members", "list", "for a region: the ids of its members, ';'-separated",
               references="countries"),
        Column("aliases", "list", "other names, ';'-separated"),
    ),
    primary_key=("id",),
    file="countries.csv",
)

FIRMS = TableSchema(
    "firms",
    "Firms: chip makers, designers, tool makers, buyers.",
    (
        Column("id", "str", "stable lower-case slug", required=True, pattern=r"^[a-z0-9][a-z0-9-]*$"),
        Column("name", "str", "common name", required=True),
        Column("aliases", "list", "other names and former names, ';'-separated"),
        Column("hq_country", "str", "headquarters country", required=True, references="countries"),
        Column("parent", "str", "not used: who owns whom is in the ownership table (kept so stores written before "
               "stay readable)", references="firms"),
        Column("fiscal_year_end", "int",
               "month (1-12) in which the firm's fiscal year ends; fiscal periods FYnnnn are read with it",
               minimum=1, maximum=12),
        Column("origin", "str", "which dataset defined the firm", required=True),
        Column("note", "str", "free text"),
    ),
    primary_key=("id",),
    file="firms.csv",
)

INPUTS = TableSchema(
    "inputs",
    "Inputs and products of the supply chain: chips, tools, materials, design resources, processes.",
    (
        Column("id", "str", "stable id: a slug for bundled products, the N-id for CSET nodes",
               required=True, pattern=ID),
        Column("name", "str", "display name", required=True),
        Column("aliases", "list", "other names, ';'-separated"),
        Column("kind", "str", "what sort of input", required=True, allowed=voc.INPUT_KINDS),
        Column("stages", "list", "production stage ids (S1 design, S2 fabrication, S3 ATP), ';'-separated"),
        Column("attributes", "json",
               "technical attributes rules may test, as JSON: process_node_nm, dram_half_pitch_nm, "
               "nand_layers, tpp (total processing performance), performance_density, hbm"),
        Column("market_size_usd", "float", "global market size parsed from the source text", unit="usd"),
        Column("market_size_year", "int", "year of the market size"),
        Column("market_size_text", "str", "market size as the source gives it"),
        Column("year", "int", "reference year of the input's share data"),
        Column("description", "str", "prose"),
        Column("origin", "str", "which dataset defined the input", required=True),
        Column("chain", "str", "the supply chain the input belongs to (empty: semiconductors)",
               allowed=voc.CHAINS),
    ),
    primary_key=("id",),
    file="inputs.csv",
)

INPUT_LINKS = TableSchema(
    "input_links",
    "Edges of the input graph: variants (is_type_of) and process inputs (goes_into).",
    (
        Column("child", "str", "the narrower or upstream input", required=True, references="inputs"),
        Column("parent", "str", "the broader input or the process it feeds", required=True,
               references="inputs"),
        Column("relation", "str", "is_type_of or goes_into", required=True,
               allowed=voc.INPUT_LINK_RELATIONS),
        Column("origin", "str", "which dataset defined the edge", required=True),
    ),
    primary_key=("child", "parent", "relation"),
    file="input_links.csv",
)

SOURCES = TableSchema(
    "sources",
    "Where figures come from: one row per page or document read.",
    (
        Column("id", "str", "stable slug", required=True, pattern=ID),
        Column("publisher", "str", "who published the page that was read", required=True),
        Column("original_publisher", "str",
               "the original source when the page reprints or cites it (e.g. TrendForce)"),
        Column("title", "str", "title of the page or document", required=True),
        Column("url", "str", "address of the page that was read", required=True, pattern=r"^https?://\S+$"),
        Column("published", "date", "publication date, ISO (YYYY, YYYY-MM or YYYY-MM-DD)",
               required=True, pattern=PARTIAL_DATE),
        Column("published_approx", "bool", "true when the page showed no date and it was inferred"),
        Column("reliability", "str", "how far the page can be trusted", required=True,
               allowed={
                   "primary": "the firm, government or statistics office itself",
                   "tracker": "a market tracker or analyst publishing its own figures",
                   "press": "a news organisation reporting",
                   "reprint": "a site reprinting or summarising another source",
                   "weak": "an aggregator, forum, blog or AI-written page: corroborate before use",
               }),
        Column("note", "str", "free text"),
    ),
    primary_key=("id",),
    file="sources.csv",
)

FACTS = TableSchema(
    "facts",
    "Sourced numeric facts: market shares and sizes, firm financials, trade, exchange rates, "
    "performance. Several facts may state the same thing; all are kept.",
    (
        Column("id", "str", "stable id", required=True, pattern=ID),
        Column("entity", "str",
               "what the figure is about: a firm, a country/region (for market-level figures, the market's "
               "region), an input, or several firm ids joined by '+' for a combined figure",
               required=True),
        Column("metric", "str", "what is measured", required=True, allowed=voc.METRICS),
        Column("product", "str", "the input or product the figure refers to", references="inputs"),
        Column("region", "str", "the geography of the market or of the revenue", references="countries"),
        Column("segment", "str", "end-use segment", allowed=voc.SEGMENTS),
        Column("basis", "str", "for shares: what is shared", allowed=voc.SHARE_BASES),
        Column("definition", "str",
               "how the figure is defined where it matters, e.g. 'mainland China by ship-to location' or "
               "'China-headquartered customers'"),
        Column("period", "str",
               "when: 2023, 2023Q2, 2023H1, 2023-05, 2023-05-21, FY2023, FY2026Q3, or A..B for a span",
               required=True),
        Column("value", "float", "the figure, in the unit given", required=True),
        Column("unit", "str", "unit of value", required=True, allowed=voc.UNITS),
        Column("status", "str", "reported, estimate, forecast or claim", required=True,
               allowed=voc.STATUSES),
        Column("source", "str", "source id", required=True, references="sources"),
        Column("quote", "str", "short verbatim excerpt of the source that shows the number", required=True),
        Column("default", "bool",
               "true on the one fact that models and summaries use when several state the same thing"),
        Column("note", "str", "why this fact is the default, how it was derived, caveats"),
    ),
    primary_key=("id",),
    file="facts.csv",
)

RULES = TableSchema(
    "rules",
    "Restriction rules (export controls, entity listings, bans, exits, relaxations). Kept in YAML; "
    "list- and mapping-valued fields are stored as JSON.",
    (
        Column("id", "str", "stable id", required=True, pattern=ID),
        Column("name", "str", "short title", required=True),
        Column("imposed_by", "str", "jurisdiction (country id) or firm id", required=True),
        Column("authority", "str", "agency or body that imposed it"),
        Column("kind", "str", "what sort of measure", required=True,
               allowed={
                   "export_control": "exports of listed items need a licence or are barred",
                   "license_requirement": "a licence requirement for named items or customers",
                   "entity_listing": "named parties put on a list that bars or licenses sales to them",
                   "import_ban": "the imposing jurisdiction bars imports",
                   "procurement_ban": "buyers in the jurisdiction are told not to buy",
                   "market_exit": "a firm withdraws from a market",
                   "raw_material_export_control": "exports of raw materials need a licence or are barred",
                   "relaxation": "an earlier measure is lifted, suspended or narrowed",
               }),
        Column("policy", "str", "how licences are treated",
               allowed={
                   "ban": "no sales at all",
                   "presumption_of_denial": "licences exist but are expected to be refused",
                   "case_by_case": "licences are reviewed case by case",
                   "licence_required": "a licence is needed; review policy not stated",
                   "fee": "sales allowed against a fee or remittance",
                   "lifted": "the measure no longer applies",
               }),
        Column("products", "json", "list of {input, where, part} selectors; an input covers its descendants, "
                                   "a `part: true` one only some of its kinds (the input itself maybe)"),
        Column("sellers", "json", "which providers the rule binds: {hq_in: [...], firms: [...], fdp: bool}"),
        Column("targets", "json",
               "who is cut off: {countries: [...], firms: [...], segments: [...], affiliates: bool, notices: [...] "
               "(Federal Register citations: the firms an imported screening list matches to entries citing them)}"),
        Column("announced", "date", "announcement date", pattern=PARTIAL_DATE),
        Column("effective", "date", "date the rule took effect", pattern=PARTIAL_DATE),
        Column("ended", "date", "date the rule stopped applying", pattern=PARTIAL_DATE),
        Column("relaxes", "list", "for a relaxation: ids of the rules it ends or narrows", references="rules"),
        Column("summary", "str", "one sentence on what the rule does", required=True),
        Column("source", "str", "source id", required=True, references="sources"),
        Column("quote", "str", "short verbatim excerpt of the source", required=True),
        Column("status", "str", "official or reported-only", required=True,
               allowed={
                   "official": "published by the imposing authority or confirmed by it",
                   "reported": "known from press reports only",
                   "hypothetical": "a what-if rule from a scenario file",
               }),
        Column("gaps", "list", "what the data cannot express yet about this rule (empty when complete)"),
        Column("unquantified", "str", "why the rule changes no availability figure (the inputs it covers have no "
                                      "supply shares held by the sellers it binds); `data validate` warns about "
                                      "such a rule until it says why"),
        Column("origin", "str", "bundled, a scenario file, or a document", required=True),
    ),
    primary_key=("id",),
    file="rules.yaml",
)

PARAMETERS = TableSchema(
    "parameters",
    "Market-model parameters: a default and a range, each end resting on a sourced fact.",
    (
        Column("id", "str", "parameter id used by scenario files", required=True, pattern=ID),
        Column("name", "str", "what it is", required=True),
        Column("role", "str", "what the model does with it", required=True,
               allowed={
                   "sigma": "substitution elasticity between sources of a market (CES)",
                   "demand_elasticity": "own-price elasticity of a market's total demand (magnitude)",
                   "learning_rate": "cost decline per doubling of cumulative output (Wright's law)",
                   "build_time": "time from construction start to production of new capacity",
                   "adjustment_time": "time for shares to reach a new equilibrium (qualification lag)",
                   "sigma_long_run_ratio": "how many times the short-run substitution elasticity buyers reach once "
                                           "they have had time to requalify suppliers",
                   "licence_lag": "days from a licence requirement's start until its first licences are issued",
                   "quality": "performance of a source relative to the market leader",
                   "rush_buyer_share": "the share of a pair's buyers who stock up before a rule they expect",
                   "stock_carrying_cost": "the yearly cost of carrying a stock, as a share of its value",
               }),
        Column("applies_to", "str", "product (input id) it is used for; blank = every market",
               references="inputs"),
        Column("default", "float", "value used unless a scenario says otherwise", required=True),
        Column("low", "float", "low end of the sourced range", required=True),
        Column("high", "float", "high end of the sourced range", required=True),
        Column("unit", "str", "unit of default, low and high", required=True, allowed=voc.UNITS),
        Column("default_fact", "str", "fact the default rests on", required=True),
        Column("low_fact", "str", "fact the low end rests on", required=True),
        Column("high_fact", "str", "fact the high end rests on", required=True),
        Column("note", "str", "why this default; caveats (e.g. not specific to semiconductors)", required=True),
    ),
    primary_key=("id",),
    file="parameters.csv",
)

STAGES = TableSchema(
    "stages",
    "Production stages (from the CSET dataset).",
    (
        Column("id", "str", "S1, S2, S3", required=True),
        Column("name", "str", "stage name", required=True),
        Column("description", "str", "prose"),
        Column("market_size_text", "str", "market size as the source gives it"),
        Column("share_basis", "str", "what the stage-level shares measure"),
        Column("origin", "str", "dataset", required=True),
    ),
    primary_key=("id",),
)

PROVISION = TableSchema(
    "provision",
    "Who supplies what: provider shares of an input or stage (from imported datasets).",
    (
        Column("provider", "str", "country id or firm id", required=True),
        Column("provider_kind", "str", "country or firm", required=True,
               allowed={"country": "a country, region or aggregate", "firm": "a firm"}),
        Column("input", "str", "input id (N-id) or stage id (S-id)", required=True),
        Column("share_pct", "float", "global share in percent; NULL when the provider is known but its "
               "share is not (never read NULL as zero)", minimum=0.0, maximum=100.0, unit="pct"),
        Column("basis", "str", "what the share measures",
               allowed={"headquarters": "share by the provider's headquarters country",
                        "site_location": "share of capacity by plant location"}),
        Column("year", "int", "reference year"),
        Column("source_text", "str", "the dataset's own source note"),
        Column("origin", "str", "dataset", required=True),
    ),
    primary_key=("provider", "input", "origin"),
)

EXTERNAL_IDS = TableSchema(
    "external_ids",
    "How an imported dataset's ids map to chipshift's entities.",
    (
        Column("origin", "str", "dataset", required=True),
        Column("external_id", "str", "the dataset's id", required=True),
        Column("external_name", "str", "the dataset's name for it"),
        Column("entity", "str", "chipshift id", required=True),
        Column("entity_kind", "str", "country, firm, input or stage", required=True),
    ),
    primary_key=("origin", "external_id", "external_name"),
)

DATASETS = TableSchema(
    "datasets",
    "Imported datasets, with their licence and attribution.",
    (
        Column("id", "str", "dataset id", required=True),
        Column("title", "str", "dataset title", required=True),
        Column("licence", "str", "licence", required=True),
        Column("attribution", "str", "credit line to show wherever the data is shown", required=True),
        Column("version", "str", "upstream version or commit"),
        Column("location", "str", "where it was imported from"),
        Column("imported_at", "str", "UTC time of the import"),
        Column("row_counts", "json", "rows imported per table"),
    ),
    primary_key=("id",),
)

SCENARIOS = TableSchema(
    "scenarios",
    "Scenarios saved from the web front-end: the same mapping a scenario file holds, kept as JSON.",
    (
        Column("id", "str", "stable slug chosen when saving", required=True, pattern=r"^[a-z0-9][a-z0-9-]*$"),
        Column("name", "str", "the scenario's name", required=True),
        Column("description", "str", "prose"),
        Column("document", "json",
               "the scenario: {name, description, at, over (optional), baseline, add, remove, edit}", required=True),
        Column("digest", "str", "hash of the scenario's content (as in results' provenance)", required=True),
        Column("saved_at", "str", "UTC time of the last save", required=True),
    ),
    primary_key=("id",),
)

OWNERSHIP = TableSchema(
    "ownership",
    "Who owns how much of whom: one equity stake per row, sourced. The engine aggregates stakes over every chain "
    "of owners (a parent's 60% of a firm that owns 100% of a fab counts 60%), as the US 50% Affiliates Rule does; "
    "a stake of unknown size makes an aggregate uncertain, never a silent yes or no.",
    (
        Column("owner", "str", "the firm holding the stake", required=True, references="firms"),
        Column("firm", "str", "the firm it holds a stake in", required=True, references="firms"),
        Column("share", "float", "the owner's equity share in percent; empty when the stake's size is not known",
               minimum=0.0, maximum=100.0, unit="pct"),
        Column("as_of", "date", "the date the share holds at, as the source states it", required=True,
               pattern=PARTIAL_DATE),
        Column("source", "str", "the source", required=True, references="sources"),
        Column("quote", "str", "a short excerpt of the source showing the stake", required=True),
        Column("note", "str", "free text: what the stake is, caveats"),
    ),
    primary_key=("owner", "firm", "as_of"),
    file="ownership.csv",
)

#: Tables shipped with the package, in load order (referenced tables first).
PARTY_REVIEWS = TableSchema(
    "party_reviews",
    "Reviewed matches between screening-list entries and firms: a reviewer's decision overrides the name matcher "
    "(accepted adds a pair it missed, rejected removes one it made) and survives re-imports of the list.",
    (
        Column("party_name", "str", "the entry's name exactly as listed", required=True),
        Column("list", "str", "the list's short code (EL, DPL, UVL, MEU, SDN, SSI, CMIC, NS-MBS, PLC, CAP, DTC, ISN)",
               required=True),
        Column("firm", "str", "the firm", required=True, references="firms"),
        Column("decision", "str", "the reviewer's decision", required=True,
               allowed={"accepted": "the entry is the firm or a unit it owns",
                        "rejected": "the entry is not the firm nor a unit it owns, whatever the names say"}),
        Column("note", "str", "why, with the evidence (a source id where one is used)", required=True),
    ),
    primary_key=("party_name", "list", "firm"),
    file="party_reviews.csv",
)
BUNDLED: tuple[TableSchema, ...] = (COUNTRIES, FIRMS, INPUTS, INPUT_LINKS, SOURCES, FACTS, RULES, PARAMETERS,
                                    PARTY_REVIEWS, OWNERSHIP)
TRADE_FLOWS = TableSchema(
    "trade_flows",
    "Bilateral trade by product and year from an imported trade dataset (CEPII's BACI: reconciled UN Comtrade "
    "flows), kept for the HS headings the import selects.",
    (
        Column("year", "int", "year of the flows", required=True),
        Column("exporter", "str", "exporting country (ISO3; Comtrade's 'Other Asia, nes' is read as TWN)",
               required=True),
        Column("importer", "str", "importing country (ISO3, as the exporter)", required=True),
        Column("hs6", "str", "HS product code, six digits (leading zeros kept)", required=True),
        Column("value_usd", "float", "value of the flow in US dollars", required=True, minimum=0.0),
        Column("quantity_t", "float", "weight of the flow in metric tons; NULL when the dataset has none",
               minimum=0.0),
        Column("origin", "str", "dataset id", required=True),
    ),
    primary_key=("year", "exporter", "importer", "hs6", "origin"),
)
PARTIES = TableSchema(
    "parties",
    "Restricted parties from an imported screening list (the US Consolidated Screening List), one row per entry.",
    (
        Column("id", "str", "list code, entry number and position (e.g. EL:12345:17)", required=True),
        Column("name", "str", "the entry's name as listed", required=True),
        Column("alt_names", "list", "other names the entry gives (aliases, former names, affiliated entities)"),
        Column("list", "str", "the list's short code (EL, DPL, UVL, MEU, SDN, SSI, CMIC, NS-MBS, PLC, CAP, DTC, ISN)",
               required=True),
        Column("list_name", "str", "the list's name as the file gives it", required=True),
        Column("type", "str", "entity, individual, vessel or aircraft, as listed"),
        Column("countries", "list", "countries of its addresses (ISO2, as listed)"),
        Column("entity_number", "str", "the list's own number for the entry"),
        Column("license_requirement", "str", "what needs a licence (Entity List)"),
        Column("license_policy", "str", "how licences are reviewed (Entity List)"),
        Column("programs", "list", "sanctions programmes"),
        Column("federal_register_notice", "str", "the Federal Register notice that listed it (e.g. 84 FR 22963)"),
        Column("start_date", "str", "date listed, where the file gives it"),
        Column("source_list_url", "str", "the list's page"),
        Column("origin", "str", "dataset id", required=True),
    ),
    primary_key=("id",),
)
#: Every table in the store.
PARTY_CHANGES = TableSchema(
    "party_changes",
    "What changed on the screening list between two imported snapshots: each entry added, removed or changed, "
    "recorded by the re-import (in its transaction) and kept across later ones, so the listings' history reads "
    "by date.",
    (
        Column("imported_at", "str", "UTC time of the re-import that found the change", required=True),
        Column("published", "date", "the newer snapshot's publication date (`import csl --published`), if given"),
        Column("previous_published", "date", "the earlier snapshot's publication date, if given"),
        Column("change", "str", "what happened to the entry", required=True,
               allowed={"added": "on the newer snapshot only", "removed": "on the earlier snapshot only",
                        "changed": "on both, with other licence terms, notice, dates, addresses, names or "
                                   "programmes"}),
        Column("list", "str", "the list's short code (EL, SDN ...)", required=True),
        Column("name", "str", "the entry's name as listed", required=True),
        Column("entity_number", "str", "the list's own number for the entry"),
        Column("federal_register_notice", "str", "the entry's Federal Register notice (the newer one if changed)"),
        Column("start_date", "str", "date listed, where the file gives it"),
        Column("license_policy", "str", "how licences are reviewed (the newer policy if changed)"),
        Column("fields", "list", "for a changed entry: the fields that differ"),
        Column("firms", "list", "the known firms the entry matches (name matcher with reviewed decisions)"),
    ),
)

ALL: tuple[TableSchema, ...] = (*BUNDLED, STAGES, PROVISION, EXTERNAL_IDS, DATASETS, SCENARIOS, TRADE_FLOWS, PARTIES,
                                PARTY_CHANGES)
BY_NAME: Mapping[str, TableSchema] = {t.name: t for t in ALL}


def schema_version(dialect: Dialect = "duckdb") -> str:
    """A digest of every table's declared columns and their types in ``dialect``: the store records the version
    it was last brought to (in ``meta``), and brings itself up to date when the declarations change."""
    digest = hashlib.sha256()
    for table in ALL:
        digest.update(table.ddl(dialect).encode())
    return digest.hexdigest()[:16]
