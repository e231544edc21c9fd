"""The CSET/ETO supply-chain tables as published: columns declared once, read with the generic reader.

These describe the upstream files, not chipshift's store; ``chipshift.io.cset`` maps them onto the
store's tables.
"""

from __future__ import annotations

from chipshift.schemas.tables import Column, TableSchema

NODE = r"^N\d+$"
#: What a problem about an unknown CSET id adds when the store has no CSET inputs: where they come from.
CSET_HINT = "ids like this one are the CSET supply-chain tables' inputs: `chipshift import cset PATH`"
STAGE = r"^S\d+$"
PROVIDER = r"^P\d+$"

STAGES = TableSchema(
    "cset_stages", "Production stages.",
    (
        Column("stage_id", "str", "S-id", required=True, pattern=STAGE),
        Column("stage_name", "str", "name", required=True),
        Column("description", "str", "prose"),
        Column("market_share_chart_global_market_size_info", "str", "free-text market size"),
        Column("market_share_chart_caption", "str", "what the stage chart measures"),
        Column("market_share_chart_source", "str", "markdown source"),
    ),
    primary_key=("stage_id",), file="stages.csv",
)

INPUTS = TableSchema(
    "cset_inputs", "Nodes of the supply-chain graph.",
    (
        Column("input_id", "str", "N-id", required=True, pattern=NODE),
        Column("input_name", "str", "display name", required=True),
        Column("type", "str", "node type", required=True,
               allowed={"tool_resource": "", "material_resource": "", "process": "", "design_resource": "",
                        "ultimate_output": ""}),
        Column("stage_name", "str", "stage name (process nodes)"),
        Column("stage_id", "str", "stage id (process nodes)", pattern=STAGE),
        Column("description", "str", "prose"),
        Column("year", "int", "reference year"),
        Column("market_share_chart_global_market_size_info", "str", "free-text market size"),
        Column("market_share_chart_caption", "str", "caption"),
        Column("market_share_chart_source", "str", "markdown source"),
    ),
    primary_key=("input_id",), file="inputs.csv",
)

PROVIDERS = TableSchema(
    "cset_providers", "Countries and firms; one row per alias, so ids repeat.",
    (
        Column("provider_name", "str", "ISO3 code for countries, firm name for firms", required=True),
        Column("alias", "str", "alternative name"),
        Column("provider_id", "str", "P-id", required=True, pattern=PROVIDER),
        Column("provider_type", "str", "country or organization", required=True,
               allowed={"country": "", "organization": ""}),
        Column("country", "str", "HQ country of a firm"),
    ),
    file="providers.csv",
)

PROVISION = TableSchema(
    "cset_provision", "Provider shares of nodes and stages.",
    (
        Column("provider_name", "str", "name as in the source", required=True),
        Column("provider_id", "str", "P-id", required=True, pattern=PROVIDER),
        Column("provided_name", "str", "node or stage name"),
        Column("provided_id", "str", "N-id or S-id", required=True, pattern=r"^[NS]\d+$"),
        # Older snapshots stored '61%' or fractions; the importer normalises those before typing.
        Column("share_provided", "str", "share in percent, blank = unknown"),
        Column("year", "int", "reference year"),
        Column("source", "str", "source note"),
        Column("negligible_market_share", "str", "old snapshots only: 'negligible' flag"),
    ),
    primary_key=("provider_id", "provided_id"), file="provision.csv",
)

SEQUENCE = TableSchema(
    "cset_sequence", "Edges: goes_into and is_type_of.",
    (
        Column("input_name", "str", "source node name"),
        Column("input_id", "str", "source N-id", required=True, pattern=NODE),
        Column("goes_into_name", "str", "target process name"),
        Column("goes_into_id", "str", "target process N-id", pattern=NODE),
        Column("is_type_of_name", "str", "parent name"),
        Column("is_type_of_id", "str", "parent N-id", pattern=NODE),
    ),
    file="sequence.csv",
)

TABLES = (STAGES, INPUTS, PROVIDERS, PROVISION, SEQUENCE)
