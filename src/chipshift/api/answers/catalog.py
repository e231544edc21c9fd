"""What can be run: the restriction scenarios (the baseline, the shipped examples, the saved ones) and the
shipped market cases."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from chipshift.api.answers.base import Answer, described
from chipshift.schemas import tables


class BaselineScenario(Answer):
    """The bundled rules as they stand: the scenario every other one changes."""

    ref: Literal["baseline"] = Field(description="its reference")
    name: Literal["baseline"] = Field(description="its name")
    kind: Literal["baseline"] = Field(description="what sort of scenario")
    description: str = Field(description="what it is")


class DataNeeded(Answer):
    """What a shipped file needs that the store lacks (it cannot run on this store until then), and how to get
    it."""

    what: str = Field(description="the data it needs, in words")
    command: str | None = Field(description="the command that brings that data into the store, PATH being where "
                                            "the dataset is (None: no import does; the problem says what is "
                                            "missing)")
    problem: str = Field(description="the first thing the file's check against this store found missing")


class ExampleScenario(Answer):
    """A shipped example: a scenario file of the examples folder."""

    ref: str = Field(description="its reference, 'example:' and the file's stem")
    name: str = Field(description="the name the file gives (else the file's stem)")
    description: str | None = Field(description="the file's description")
    at: str | None = Field(description="the date the file evaluates at (YYYY-MM-DD), if it names one")
    file: str = Field(description="the file's name")
    kind: Literal["example"] = Field(description="what sort of scenario")
    needs: DataNeeded | None = Field(default=None, description="what it needs that this store lacks (None: it runs "
                                                               "on this store)")


class OtherExample(Answer):
    """A shipped scenario file of another kind than restrictions (a market case, an episode of the back-test):
    listed, but not a restriction scenario."""

    ref: str = Field(description="'example:' and the file's stem")
    name: str = Field(description="the name the file gives (else the file's stem)")
    description: str | None = Field(description="the file's description")
    at: str | None = Field(description="the date the file names, if any")
    file: str = Field(description="the file's name")
    kind: str = Field(description="the file's own kind (e.g. market)")


class SavedScenario(Answer):
    """A scenario saved in the store (the scenarios table's row, without its document)."""

    ref: str = Field(description="its reference, 'saved:' and its id")
    id: str = described(tables.SCENARIOS, "id")
    name: str = described(tables.SCENARIOS, "name")
    description: str | None = described(tables.SCENARIOS, "description")
    at: str | None = Field(description="the date the scenario evaluates at (YYYY-MM-DD), if it names one")
    digest: str = described(tables.SCENARIOS, "digest")
    saved_at: str = described(tables.SCENARIOS, "saved_at")
    kind: Literal["saved"] = Field(description="what sort of scenario")


class ScenarioListAnswer(Answer):
    """The restriction scenarios a question may run under, by reference: the baseline, the shipped examples and
    the saved ones; and the shipped files of other kinds."""

    baseline: BaselineScenario = Field(description="the bundled rules")
    examples: tuple[ExampleScenario, ...] = Field(description="the shipped restriction scenarios")
    saved: tuple[SavedScenario, ...] = Field(description="the saved scenarios, by id")
    other_examples: tuple[OtherExample, ...] = Field(description="shipped scenario files of other kinds")
    other_examples_note: str = Field(description="what the other files are for")


class MarketCase(Answer):
    """A shipped market case (a scenario file of kind 'market')."""

    case: str = Field(description="its name, to run it by (the file's stem)")
    name: str = Field(description="the name the file gives")
    title: str | None = Field(default=None, description="the case as a heading or a list names it: its "
                                                        "description's first sentence, short")
    description: str = Field(description="what it models")
    file: str = Field(description="the file's name")
    region: str | None = Field(description="the market's region (a linked case's regions, joined with ', ')")
    region_name: str | None = Field(default=None, description="the region by name (a linked case's, joined with "
                                                              "', ')")
    product: str | None = Field(description="the market's product (a linked case's products, joined with ', ')")
    years: tuple[int | str | None, int | str | None] = Field(
        description="the first and last year (a linked case's first and last quarter, e.g. 2023Q1)")
    digest: str = Field(description="a digest of the file's content (it changes when the case does)")
    needs: DataNeeded | None = Field(default=None, description="what it needs that this store lacks (None: it runs "
                                                               "on this store)")


class MarketCasesAnswer(Answer):
    """The shipped market cases, with the limits of a run."""

    cases: tuple[MarketCase, ...] = Field(description="the cases, by name")
    max_draws: int = Field(description="the most Monte Carlo draws a run may ask for")
    default_seed: int = Field(description="the seed of the draws when none is given")


class ScenarioDocument(Answer):
    """A restriction scenario as a document (what a scenario file holds, and what the builder edits)."""

    name: str = Field(description="the scenario's name")
    description: str = Field(description="what it supposes (empty: none)")
    at: str | None = Field(description="the date it evaluates at (YYYY-MM-DD), if it names one")
    over: dict[str, str] | None = Field(default=None, description="the range of dates its report shows, if it "
                                        "names one: `from`, and `to` and `every` (a step such as 6m or 1y) when "
                                        "given")
    baseline: bool = Field(description="whether its changes apply on top of the bundled rules (else on none)")
    add: tuple[dict[str, Any], ...] = Field(description="rules it adds, each with the rules table's keys")
    remove: tuple[str, ...] = Field(description="ids of bundled rules it removes")
    edit: tuple[dict[str, Any], ...] = Field(description="changes to bundled rules: each an id and the keys it "
                                                         "changes")


class ScenarioCheckAnswer(Answer):
    """A scenario that passed the checks against the store (a scenario that fails them is refused, naming the
    field of each problem)."""

    ok: Literal[True] = Field(description="always true: a scenario with problems is refused")
    name: str = Field(description="the scenario's name")
    digest: str = Field(description="a digest of its content")
    rules_added: int = Field(description="how many rules it adds")
    rules_removed: int = Field(description="how many bundled rules it removes")
    rules_edited: int = Field(description="how many bundled rules it edits")


class ScenarioUploadAnswer(Answer):
    """A scenario file that passed the checks, read as the document the builder edits."""

    ok: Literal[True] = Field(description="always true: a file with problems is refused")
    digest: str = Field(description="a digest of its content")
    document: ScenarioDocument = Field(description="the scenario as a document")


class SavedScenarioRecord(Answer):
    """A scenario saved in the store (the scenarios table's row) with its reference."""

    ref: str = Field(description="its reference, 'saved:' and its id")
    id: str = described(tables.SCENARIOS, "id")
    name: str = described(tables.SCENARIOS, "name")
    description: str | None = described(tables.SCENARIOS, "description")
    document: ScenarioDocument = Field(description="the scenario as a document")
    digest: str = described(tables.SCENARIOS, "digest")
    saved_at: str = described(tables.SCENARIOS, "saved_at")


class DeletedScenario(Answer):
    """A saved scenario deleted."""

    deleted: str = Field(description="the id of the scenario deleted")
