"""One function per question. The CLI (and the web app) call these and render what they return.

Every function returns plain JSON-ready values: a mapping whose list-of-mapping entries are tables.
"""

from chipshift.api.data import (
    Report,
    import_baci,
    import_cset,
    import_csl,
    list_facts,
    list_sources,
    load_world,
    open_store,
    overview,
    resolve,
    review,
    search_parties,
    show_firm,
    show_input,
    trade,
    validate_data,
)
from chipshift.api.restrictions import (
    availability,
    chokepoints,
    diff,
    exposure,
    impairment,
    load_scenario,
    localization,
    restriction_show,
    restrictions_list,
)

__all__ = [
    "Report",
    "availability",
    "chokepoints",
    "diff",
    "exposure",
    "impairment",
    "import_baci",
    "import_cset",
    "import_csl",
    "list_facts",
    "list_sources",
    "load_scenario",
    "load_world",
    "localization",
    "open_store",
    "overview",
    "resolve",
    "restriction_show",
    "restrictions_list",
    "review",
    "search_parties",
    "show_firm",
    "show_input",
    "trade",
    "validate_data",
]
