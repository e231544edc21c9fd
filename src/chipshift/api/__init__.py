"""One function per question. The CLI (and the web app) call these and render what they return.

The restriction questions (with the search of the rules table), the questions about facts, sources, checks and
the store's contents, about one firm or input, the screening lists and trade return frozen answer models
(``chipshift.api.answers``, described in docs/answers.md): read them by attribute, and take their JSON with
``as_report()``; so do the dossier (one model per kind of entity), the review of the facts' sourcing, the name
search, the sources, the Explorer's views, scenario checks, runs and comparisons, the imports and the listings
around an input. So do a market case's run and the comparison of two (``chipshift.api.market_runs.run_case`` and
``compare_cases``; ``scenario_run`` and ``scenario_compare`` there give the plain mapping the model computes),
the back-test (``chipshift.api.backtest.backtest``) and the reading of documents (``chipshift.api.documents``).

The names below are loaded on first use, so that starting a command (and ``--help``) does not pay for
the market model and its numerical libraries; the submodules (``chipshift.api.market_runs``, ``.backtest``,
...) load the same way.
"""


from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chipshift.api.answers import InputListingsAnswer, TimelineAnswer, TimelineEvent
    from chipshift.api.browse import list_countries, search_names, show_source, sources_with_facts, vocabulary
    from chipshift.api.comparisons import check_scenario, compare_scenarios, scenario_run
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
    from chipshift.api.dossiers import dossier
    from chipshift.api.explorer import explorer_tree, firm_detail, input_detail
    from chipshift.api.listings import input_listings, listing_changes
    from chipshift.api.restrictions import (
        availability,
        availability_over_time,
        chokepoints,
        diff,
        exposure,
        exposure_over_time,
        impairment,
        load_scenario,
        localization,
        localization_over_time,
        restriction_show,
        restrictions_list,
        restrictions_timeline,
        rules_in_force_at,
        series_dates,
        series_range,
        target_scope,
    )
    from chipshift.api.rule_search import restrictions_search

#: Where the names of ``__all__`` live, searched in this order; and the submodules.
_HOMES = ("data", "listings", "restrictions", "rule_search", "browse", "explorer", "comparisons", "dossiers",
          "answers")
_SUBMODULES = ("answers", "backtest", "browse", "cases", "comparisons", "data", "dossiers", "explorer", "facts",
               "listings", "market_runs", "restrictions", "rule_search")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    elif name in __all__:
        homes = (importlib.import_module(f"{__name__}.{home}") for home in _HOMES)
        value = next(getattr(module, name) for module in homes if hasattr(module, name))
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__, *_SUBMODULES])


__all__ = [
    "InputListingsAnswer",
    "Report",
    "TimelineAnswer",
    "TimelineEvent",
    "availability",
    "availability_over_time",
    "check_scenario",
    "chokepoints",
    "compare_scenarios",
    "diff",
    "dossier",
    "explorer_tree",
    "exposure",
    "exposure_over_time",
    "firm_detail",
    "impairment",
    "import_baci",
    "import_cset",
    "import_csl",
    "input_detail",
    "input_listings",
    "list_countries",
    "list_facts",
    "list_sources",
    "listing_changes",
    "load_scenario",
    "load_world",
    "localization",
    "localization_over_time",
    "open_store",
    "overview",
    "resolve",
    "restriction_show",
    "restrictions_list",
    "restrictions_search",
    "restrictions_timeline",
    "review",
    "rules_in_force_at",
    "scenario_run",
    "search_names",
    "search_parties",
    "series_dates",
    "series_range",
    "show_firm",
    "show_input",
    "show_source",
    "sources_with_facts",
    "target_scope",
    "trade",
    "validate_data",
    "vocabulary",
]
