"""Exposures and scenario runs shared between the dates of one period of the rules.

The engine reads the date of a question only through which rules its own dates put in force then
(``api.rules_in_force_at``): the supply world has no date. So between two dates where a rule starts or ends,
every exposure of a destination is the same but for the date it states, and so is a scenario run (the
scenario's exposure, the baseline's, and the difference between the two at that date, which names no
screening-list change since both sides have one date). The server computes each once per period, keyed by
those flags (with the store's generation, as every value the runner keeps), and gives each date its own copy
with its own date; a date where a rule starts or ends is another period.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from chipshift import api
from chipshift.web.scenarios import ScenarioArg

if TYPE_CHECKING:
    from chipshift.api.answers import ExposureAnswer, ScenarioRunAnswer
    from chipshift.web.compute import Context


def exposure(s: Context, target: str, at: date | None, scenario: ScenarioArg, scenario_key: str,
             segment: str | None) -> ExposureAnswer:
    """``api.exposure`` of ``target`` at ``at`` (None: the scenario's date, else today) under ``scenario``,
    computed once per period of its rules. ``scenario_key`` names the scenario's content (the catalog's
    cache key, or 'baseline')."""
    period = api.rules_in_force_at(s.store, at, scenario)
    shared = s.memo(("exposure-in-period", target, segment, scenario_key, period.flags),
                    lambda: api.exposure(s.store, target, period.at, scenario, segment))
    answer: ExposureAnswer = shared.model_copy(update={"at": period.at})
    return answer


def scenario_run(s: Context, scenario: ScenarioArg, scenario_key: str, target: str, when: date,
                 segment: str | None) -> ScenarioRunAnswer:
    """``api.scenario_run`` of ``scenario`` (named by ``scenario_key``) for ``target`` at ``when``, computed once per
    period of the scenario's rules and the baseline's."""
    flags = api.rules_in_force_at(s.store, when, scenario).flags
    baseline_flags = api.rules_in_force_at(s.store, when, None).flags
    baseline = partial(exposure, s, target, when, None, "baseline", segment)
    shared: ScenarioRunAnswer = s.memo(
        ("run-in-period", target, segment, scenario_key, flags, baseline_flags),
        lambda: api.scenario_run(s.store, scenario, target, when, segment, baseline=baseline))
    changes = shared.diff
    answer: ScenarioRunAnswer = shared.model_copy(update={
        "at": when, "exposure": shared.exposure.model_copy(update={"at": when}),
        "diff": changes.model_copy(update={"from_": changes.from_.model_copy(update={"at": when}),
                                           "to": changes.to.model_copy(update={"at": when})})})
    return answer


def warm_exposures(s: Context, target: str = "CHN", first_year: int = 2015) -> int:
    """Compute ``target``'s baseline exposure once for every period of the rules that a first day of a month
    from ``first_year`` to a year from now, or a day a rule starts or ends, falls in (the Exposure page's first
    question), so the page's questions at dates of those periods are answered from the memo; returns the
    number of dates asked."""
    last = date.today().year + 1
    dates = {date(year, month, 1) for year in range(first_year, last + 1) for month in range(1, 13)}
    for text in s.store.rule_dates():  # and each day a rule starts or ends (a period may be shorter than a month)
        try:
            day = date.fromisoformat(str(text)[:10])
        except ValueError:  # a date known only to the month or the year
            continue
        if first_year <= day.year <= last:
            dates.add(day)
    for at in sorted(dates):
        exposure(s, target, at, None, "baseline", None)
    return len(dates)
