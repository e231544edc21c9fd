"""Request bodies: pydantic models at the edge only. Rule fields mirror ``schemas.tables.RULES``
(a test checks they stay in step); everything past the edge is plain mappings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StringConstraints

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(max_length=5000)]
PartialDate = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
                        AfterValidator(lambda text: _real_date(text))]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


def _real_date(text: str) -> str:
    """A partial ISO date (YYYY, YYYY-MM, YYYY-MM-DD) that names a real day, month or year."""
    parts = [int(p) for p in text.split("-")]
    try:
        date(parts[0], *(parts[1:] + [1] * (3 - len(parts))))
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a real date ({exc})") from None
    if not 1900 <= parts[0] <= 2200:
        raise ValueError(f"'{text}': year outside 1900-2200")
    return text


Comparator = Literal["gte", "gt", "lte", "lt", "eq"]
Policy = Literal["ban", "presumption_of_denial", "case_by_case", "licence_required", "fee", "lifted"]
RuleKind = Literal["export_control", "license_requirement", "entity_listing", "import_ban", "procurement_ban",
                   "market_exit", "raw_material_export_control", "relaxation"]
RuleStatus = Literal["official", "reported", "hypothetical"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Selector(_Strict):
    """Products a rule covers: an input id (covering its descendants; '*' is every input)."""

    input: Code
    where: dict[Code, dict[Comparator, float]] | None = None
    part: bool | None = None


class Sellers(_Strict):
    hq_in: list[Code] = Field(default_factory=list, max_length=100)
    firms: list[Code] = Field(default_factory=list, max_length=500)
    fdp: StrictBool = False  # true or false only: "no" is refused, never read as a boolean


class Targets(_Strict):
    countries: list[Code] = Field(default_factory=list, max_length=100)
    firms: list[Code] = Field(default_factory=list, max_length=500)
    segments: list[Code] = Field(default_factory=list, max_length=20)
    affiliates: StrictBool = False  # an ownership rule: extends the imposer's entity listings to owned firms
    notices: list[Name] = Field(default_factory=list, max_length=20)  # Federal Register citations, '89 FR 96837'


class RuleRecord(_Strict):
    """A rule a scenario adds: the fields of a bundled rule; source and quote may be left out."""

    id: Code
    name: Name
    imposed_by: Code
    authority: Name | None = None
    kind: RuleKind
    policy: Policy | None = None
    products: list[Selector] | None = Field(default=None, max_length=200)
    sellers: Sellers | None = None
    targets: Targets | None = None
    announced: PartialDate | None = None
    effective: PartialDate | None = None
    ended: PartialDate | None = None
    relaxes: list[Code] | None = Field(default=None, max_length=100)
    summary: Text
    source: Code | None = None
    quote: Text | None = None
    status: RuleStatus | None = None
    gaps: list[Text] | None = Field(default=None, max_length=50)
    unquantified: Text | None = None  # why the rule changes no availability figure


class RuleEdit(_Strict):
    """Changes to one baseline rule: its id and the fields to replace."""

    id: Code
    name: Name | None = None
    imposed_by: Code | None = None
    authority: Name | None = None
    kind: RuleKind | None = None
    policy: Policy | None = None
    products: list[Selector] | None = Field(default=None, max_length=200)
    sellers: Sellers | None = None
    targets: Targets | None = None
    announced: PartialDate | None = None
    effective: PartialDate | None = None
    ended: PartialDate | None = None
    relaxes: list[Code] | None = Field(default=None, max_length=100)
    summary: Text | None = None
    source: Code | None = None
    quote: Text | None = None
    status: RuleStatus | None = None
    gaps: list[Text] | None = Field(default=None, max_length=50)
    unquantified: Text | None = None  # why the rule changes no availability figure


class Over(_Strict):
    """A scenario's range of dates for answers over time (``to``: default the scenario's date)."""

    from_: date = Field(alias="from")
    to: date | None = None
    every: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,3}[ymd]$")] = "1y"

    model_config = ConfigDict(populate_by_name=True)


class ScenarioDoc(_Strict):
    """A scenario, as in a scenario file: rules added to, removed from or edited in the baseline."""

    name: Name
    description: Text = ""
    at: date | None = None
    over: Over | None = None
    baseline: StrictBool = True  # true or false only: "no" is refused, never read as a boolean
    add: list[RuleRecord] = Field(default_factory=list, max_length=200)
    remove: list[Code] = Field(default_factory=list, max_length=500)
    edit: list[RuleEdit] = Field(default_factory=list, max_length=500)

    def document(self) -> dict[str, Any]:
        """The plain mapping ``api.load_scenario`` reads (unset rule fields left out, as in a file)."""
        return {
            "name": self.name, "description": self.description,
            "at": self.at.isoformat() if self.at else None, "baseline": self.baseline,
            **({"over": {"from": self.over.from_.isoformat(), "every": self.over.every,
                         **({"to": self.over.to.isoformat()} if self.over.to else {})}} if self.over else {}),
            "add": [r.model_dump(exclude_unset=True, exclude_none=True) for r in self.add],
            "remove": list(self.remove),
            "edit": [e.model_dump(exclude_unset=True) for e in self.edit],
        }


class Side(_Strict):
    """One side of a run or comparison: a stored scenario by reference, or one given inline."""

    ref: Annotated[str, StringConstraints(max_length=120)] | None = Field(
        default=None, description="'baseline', 'example:NAME' or 'saved:ID' (see GET /api/v1/scenarios)")
    scenario: ScenarioDoc | None = None
    at: date | None = Field(default=None, description="date of evaluation (default: the scenario's, else today)")


class RunRequest(Side):
    target: Code = "CHN"
    segment: Code | None = None


class CompareRequest(_Strict):
    target: Code = "CHN"
    segment: Code | None = None
    left: Side = Field(default_factory=Side)
    right: Side = Field(default_factory=Side)
    years: list[Annotated[int, Field(ge=1990, le=2100)]] | None = Field(
        default=None, max_length=12, description="years for the 'by year' view (each evaluated at 31 December)")


class SaveRequest(_Strict):
    id: Slug
    scenario: ScenarioDoc


class MarketRunRequest(_Strict):
    """A shipped market case (see GET /api/v1/market/cases), run with Monte Carlo draws (0: none)."""

    case: Code = Field(description="a market case's name, e.g. 'micron-china'")
    draws: int = Field(default=1000, ge=0, le=5000, description="Monte Carlo draws for the bands (0-5000)")
    seed: int = Field(default=20261125, ge=0, le=2**32 - 1, description="seed of the draws")
    parameters: dict[Code, Annotated[float, Field(allow_inf_nan=False)]] = Field(
        default_factory=dict, max_length=100,
        description="parameters held at a value within their sourced range (neither fitted nor drawn), e.g. "
                    "{'sigma': 2.5}")


Cell = str | float | bool | list[Annotated[str, StringConstraints(max_length=200)]] | None


class FactsRequest(_Strict):
    """Facts to add (rows of the ``facts`` table) and the one source they rest on (a row of ``sources``);
    checked as the bundled data is. Ids get the prefix 'user-'; a fact's ``source`` may be left out."""

    source: dict[Code, Annotated[Cell, Field(description="a cell")]] = Field(
        max_length=20, description="the source: id, publisher, original_publisher, title, url, published, "
                                   "published_approx, reliability, note")
    facts: list[dict[Code, Cell]] = Field(
        min_length=1, max_length=500, description="the facts: id, entity, metric, product, region, segment, basis, "
                                                  "definition, period, value, unit, status, quote, default, note")


Parameters = dict[Code, Annotated[float, Field(allow_inf_nan=False)]]


class MarketCompareRequest(_Strict):
    """Two runs of shipped market cases side by side, with b - a by output and period: usually variants of one
    case (``b`` left out: the same case as ``a``), with parameters held or under a restriction scenario."""

    a: Code = Field(description="a market case's name, e.g. 'micron-china-linked'")
    b: Code | None = Field(default=None, description="the second case; default: the same case as a")
    a_parameters: Parameters = Field(default_factory=dict, max_length=100,
                                     description="side a's parameters held at a value within their range")
    b_parameters: Parameters = Field(default_factory=dict, max_length=100,
                                     description="side b's parameters held at a value, e.g. {'sigma': 2.5}")
    a_scenario: Name | None = Field(default=None, description="a restriction scenario to run side a under "
                                    "(linked cases): 'example:NAME' or 'saved:ID'; none: the bundled rules")
    b_scenario: Name | None = Field(default=None, description="the same for side b, e.g. "
                                    "'example:us-bars-korean-hbm-2026'")
    draws: int = Field(default=0, ge=0, le=2000, description="draws for each side's 5-95% band (0-2000)")
    seed: int = Field(default=20261125, ge=0, le=2**32 - 1, description="seed of the draws (both sides)")


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("the text is empty: paste the document or upload a file")
    return text


class IngestRequest(_Strict):
    """A document's text (plain, HTML or Markdown) with where and when it was published, when known."""

    text: Annotated[str, StringConstraints(min_length=1, max_length=250_000), AfterValidator(_not_blank)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="a label, e.g. the file name (its ending tells the kind when 'kind' is not given)")
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)] | None = Field(
        default=None, description="where the text came from (recorded, never fetched)")
    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_real_date)] | None = (
        Field(default=None, description="the document's date, YYYY-MM-DD"))
    kind: Literal["text", "html", "markdown"] | None = Field(default=None, description="default: from the name, "
                                                                                       "else from the content")
