"""``chipshift mcp``: the questions of ``chipshift.api`` as tools of a Model Context Protocol server.

One tool per API function, its input schema from the typed parameters below and its description from what
the function answers; the server adds no answers of its own. Where the REST API answers with a function
outside ``chipshift.api`` (the scenario listing, the shipped market cases, reading a document, saving a
scenario), the tool calls that same function. Answers are the JSON the REST API sends (its encoder:
dates as text, NaN as null), as structured content and as text.

Read-only unless started with a write token (``--write-token`` or ``$CHIPSHIFT_MCP_TOKEN``): the tools that
write to the store are listed only then, and each call must pass the token. Errors are tool errors whose
message names the parameter (the API's own errors, translated as the REST API translates them).
"""

from __future__ import annotations

import difflib
import functools
import hmac
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import ConfigDict, Field, RootModel, StringConstraints

from chipshift import api
from chipshift.api import answers, documents
from chipshift.api import backtest as backtest_api
from chipshift.api import facts as facts_api
from chipshift.api import market_runs as market_api
from chipshift.api.comparisons import BASELINE_DOC
from chipshift.config import Settings
from chipshift.errors import ChipshiftError, NotFoundError
from chipshift.ingest.kb import KnowledgeBase
from chipshift.io.baci import DEFAULT_HS
from chipshift.io.store import Store
from chipshift.scenarios import backtest as bt
from chipshift.web import market_cases as market
from chipshift.web import scenarios as web_scenarios
from chipshift.web.compute import StoreCopies
from chipshift.web.errors import from_chipshift
from chipshift.web.learning import Learner, StillLearning
from chipshift.web.models import Cell, ScenarioDoc, Slug
from chipshift.web.runtime import encode
from chipshift.web.scenarios import Catalog, ScenarioArg, default_examples_dir

TOKEN_ENV = "CHIPSHIFT_MCP_TOKEN"
NAME = "chipshift"
INSTRUCTIONS = (
    "What-if analysis of the semiconductor supply chain under trade restrictions: a sourced knowledge base "
    "(firms, inputs, facts, sources, restriction rules), a restriction engine (who is cut off from what, at a "
    "date, under a scenario) and a market model (who takes the demand). Names resolve through aliases, "
    "case-insensitively; an unknown name gets a 'did you mean' list. Every figure carries its source. "
    "Restriction scenarios are given by reference ('baseline', 'example:NAME', 'saved:ID'; see scenario_list) "
    "or inline (scenario_document).")

#: Every tool's answer is the API's answer model, JSON-encoded as the REST API encodes it. A tool is annotated
#: ``Annotated[CallToolResult, Model]``: the model's JSON schema is the tool's output schema, and its structured
#: content is checked against it.


class DossierOutput(RootModel[answers.DossierAnswer]):
    """The dossier tool's output: a firm's, an input's or a country's dossier, told apart by ``entity_kind``. The
    API's union, as one model whose schema has the object root MCP asks of an output schema."""

    model_config = ConfigDict(frozen=True, json_schema_extra={"type": "object"})



Target = Annotated[str, StringConstraints(min_length=1, max_length=100), Field(
    description="Destination: a country (ISO3 code or name, e.g. CHN) or a firm (name, alias or id).")]
At = Annotated[date | None, Field(
    description="Date of evaluation, YYYY-MM-DD (default: the scenario's date, else today).")]
Segment = Annotated[str | None, StringConstraints(min_length=1, max_length=50), Field(
    description="End-use segment of the buyer, e.g. data_center, critical_information_infrastructure.")]
InputName = Annotated[str | None, StringConstraints(min_length=1, max_length=200), Field(
    description="One input (name, alias or id, e.g. 'EUV lithography tools', dram); default: every input with "
                "data.")]
ScenarioRef = Annotated[str | None, StringConstraints(max_length=120), Field(
    description="A restriction scenario by reference: 'baseline', 'example:NAME' or 'saved:ID' (see "
                "scenario_list); default: the baseline.")]
SeriesStart = Annotated[date | None, Field(
    description="First date, YYYY-MM-DD; default: the scenario's range of dates (its `over`), else 1 January "
                "five years before the last date.")]
SeriesEnd = Annotated[date | None, Field(
    description="Last date, YYYY-MM-DD; default: the scenario's range of dates, else the scenario's date, else "
                "today.")]
SeriesStep = Annotated[str | None, StringConstraints(pattern=r"^[0-9]+[ymd]$", max_length=6), Field(
    description="Step: a whole number of years, months or days (1y, 6m, 30d); default: the scenario's, else 1y.")]
ScenarioInline = Annotated[ScenarioDoc | None, Field(
    description="A restriction scenario given inline, instead of `scenario`: rules added to, removed from or "
                "edited in the bundled rules (the scenario file's keys).")]
Token = Annotated[str, StringConstraints(min_length=1, max_length=500), Field(
    description="The write token the server was started with.")]
ServerPath = Annotated[str, StringConstraints(min_length=1, max_length=2000), Field(
    description="A path on the machine the server runs on.")]
DocumentText = Annotated[str, StringConstraints(min_length=1, max_length=250_000), Field(
    description="The document's text: plain, HTML or Markdown.")]
DocumentName = Annotated[str | None, StringConstraints(min_length=1, max_length=200), Field(
    description="A label, e.g. the file name (its ending tells the kind when `kind` is not given).")]
DocumentUrl = Annotated[str | None, StringConstraints(pattern=r"^https?://\S+$", max_length=2000), Field(
    description="Where the document was published (recorded, never fetched).")]
DocumentDate = Annotated[date | None, Field(description="The document's date, YYYY-MM-DD (resolves 'last year', "
                                                        "'Q3').")]
DocumentKind = Annotated[Literal["text", "html", "markdown"] | None, Field(
    description="Default: from the name, else from the content.")]

READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)
WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False)
#: Which parameter an unknown name of each kind came from, for the tools that take ``target``.
TARGET_FIELDS = {"country or firm": "target", "input": "input", "segment": "segment", "country": "target"}


def answer(value: Any) -> CallToolResult:
    """An API answer as a tool result: the REST API's JSON (its encoder) as text and as structured content."""
    body = encode(value).decode()
    return CallToolResult(content=[TextContent(type="text", text=body)], structured_content=json.loads(body))


def call(fn: Callable[[], Any], fields: Mapping[str, str] | None = None) -> CallToolResult:
    """``fn()``'s answer; chipshift's own errors become a tool error naming the parameter (as the REST API
    names the field)."""
    try:
        return answer(fn())
    except ChipshiftError as exc:
        raise ToolError(from_chipshift(exc, dict(fields or {})).message) from None


@contextmanager
def _yaml_file(text: str, name: str) -> Iterator[Path]:
    """A YAML text given in a call, as the file the API reads (named ``name`` in its error messages)."""
    with tempfile.TemporaryDirectory(prefix="chipshift-mcp-") as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        yield path


class Tools:
    """The tools over one open store. Public methods are the read tools; ``write_tools`` lists the others."""

    def __init__(self, settings: Settings, store: Store, catalog: Catalog, write_token: str | None,
                 learner: Learner | None = None) -> None:
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self.write_token = write_token
        self.learner = learner

    # -- helpers (not tools) ---------------------------------------------------------------------------------------

    def _scenario(self, ref: str | None, document: ScenarioDoc | None, field: str = "scenario") -> ScenarioArg:
        """The API's scenario argument for a reference or an inline document (not both)."""
        if ref is not None and document is not None:
            raise ToolError(f"{field}: give either '{field}' or '{field}_document', not both")
        if document is not None:
            return document.document()
        try:
            return self.catalog.resolve(self.store, ref)
        except NotFoundError as exc:
            raise ToolError(from_chipshift(exc, {"scenario": field}).message) from None

    def _bands_ready(self, draws: int) -> None:
        """With draws, a tool error at once while the model's error is being learned (the REST API's 429): it
        says how far the learning is and when to retry. Without a learner, a run with draws learns it first."""
        if draws and self.learner is not None:
            try:
                self.learner.require()
            except StillLearning as exc:
                raise ToolError(f"draws: {exc.message} (busy: retry after {exc.retry_after} s)") from None

    def _market_case(self, name: str, field: str) -> None:
        """A tool error naming ``field`` unless ``name`` is a shipped market case."""
        try:
            market.case_path(self.catalog, name)
        except NotFoundError as exc:
            raise ToolError(from_chipshift(exc, {"market case": field}).message) from None

    def _authorise(self, token: str) -> None:
        if self.write_token is None or not hmac.compare_digest(token.encode(), self.write_token.encode()):
            raise ToolError("write_token: wrong token; writing needs the token the server was started with")

    def read_tools(self) -> list[Callable[..., CallToolResult]]:
        return [self.overview, self.data_review, self.data_validate, self.search_names, self.show_firm,
                self.show_input, self.facts, self.sources, self.restrictions_list, self.restriction_show,
                self.restrictions_timeline, self.restrictions_search, self.availability, self.exposure,
                self.chokepoints, self.localization, self.impairment, self.diff, self.search_parties, self.trade,
                self.scenario_list, self.market_cases, self.scenario_run, self.scenario_compare, self.backtest,
                self.read_document, self.dossier, self.exposure_over_time, self.availability_over_time,
                self.localization_over_time]

    def write_tools(self) -> list[Callable[..., CallToolResult]]:
        return [self.import_cset, self.import_baci, self.import_csl, self.add_facts, self.accept_document,
                self.save_scenario]

    # -- the data ----------------------------------------------------------------------------------------------------

    def overview(self) -> Annotated[CallToolResult, answers.OverviewAnswer]:
        """What the store holds: counts of sources, firms, inputs, facts and rules, the imported datasets (CSET,
        BACI, the screening list) with their licences, and the dates the data covers."""
        return call(lambda: api.overview(self.store))

    def data_review(self, older_than_years: Annotated[float, Field(
            ge=0, le=100, description="List series whose newest figure is older than this many years.")] = 3.0
                    ) -> Annotated[CallToolResult, answers.ReviewAnswer]:
        """How well the facts are sourced: facts resting on weak sources only, defaults on a weak source where a
        better one exists, groups of one quantity without a default, and stale series."""
        return call(lambda: api.review(self.store, older_than_years))

    def data_validate(self) -> Annotated[CallToolResult, answers.ValidationAnswer]:
        """Check every bundled data file and cross-reference: counts per table, and each problem (severity,
        check, file, line, field, message); ok is false when there are errors."""
        return call(lambda: api.validate_data(self.settings, self.store))

    def search_names(self, query: Annotated[str, StringConstraints(min_length=1, max_length=100), Field(
                         description="Part of a name, alias or id.")],
                     limit: Annotated[int, Field(ge=1, le=100, description="How many results.")] = 25
                     ) -> Annotated[CallToolResult, answers.NameSearchAnswer]:
        """Inputs, firms and countries whose id, name or alias contains the query: their kind, id and name, to
        use in the other tools."""
        return call(lambda: api.search_names(self.store, query, limit))

    def show_firm(self, name: Annotated[str, StringConstraints(min_length=1, max_length=200), Field(
                      description="Firm name, alias or id.")],
                  at: Annotated[date | None, Field(description="Date for the rules that name the firm, YYYY-MM-DD "
                                                               "(default: today).")] = None
                  ) -> Annotated[CallToolResult, answers.FirmAnswer]:
        """Everything known about a firm: headquarters, owners and the stakes it holds (with sources), what
        listed parties hold of it under the 50% Affiliates Rule, what it supplies and its shares, every fact about
        it, its entries on the imported screening lists, and the rules in force at a date that name it or reach it
        through its owners' listings."""
        return call(lambda: api.show_firm(self.store, name, at), {"firm": "name"})

    def show_input(self, name: Annotated[str, StringConstraints(min_length=1, max_length=200), Field(
                       description="Input name, alias or id, e.g. 'EUV lithography tools', N20, dram.")]
                   ) -> Annotated[CallToolResult, answers.InputAnswer]:
        """Everything known about an input (a product, tool, material or process): who supplies it (countries and
        firms, with shares, each with its source), who buys it (per the supply graph), which of them are on a
        screening list, its place in the supply graph, and the facts about it."""
        return call(lambda: api.show_input(self.store, name), {"input": "name"})

    def facts(self, entity: Annotated[str | None, StringConstraints(min_length=1, max_length=200), Field(
                  description="Firm, country or input (name, alias or id).")] = None,
              metric: Annotated[str | None, StringConstraints(min_length=1, max_length=100), Field(
                  description="Metric code, e.g. revenue, market_share.")] = None,
              product: Annotated[str | None, StringConstraints(min_length=1, max_length=200), Field(
                  description="Product the figure is about, e.g. DRAM.")] = None
              ) -> Annotated[CallToolResult, answers.FactsAnswer]:
        """Every value stated for an entity and metric, side by side (trackers disagree): value, unit, period,
        status (reported, estimate, forecast, claim), whether it is the default, and its source (publisher, date,
        URL, verbatim quote)."""
        return call(lambda: api.list_facts(self.store, entity, metric, product),
                    {"input": "product", "fact, rule, source, firm, input or country": "entity"})

    def sources(self, about: Annotated[str | None, StringConstraints(min_length=1, max_length=200), Field(
                    description="A fact, rule, source, firm, input or country: only its sources (and the facts "
                                "resting on them).")] = None) -> Annotated[CallToolResult, answers.SourcesAnswer]:
        """The sources (publisher, title, URL, date, reliability) with how many facts and rules rest on each;
        or the sources behind one fact, rule, firm, input or country."""
        return call(lambda: api.list_sources(self.store, about),
                    {"fact, rule, source, firm, input or country": "about"})

    # -- restrictions ------------------------------------------------------------------------------------------------

    def restrictions_list(self, target: Annotated[str | None, StringConstraints(min_length=1, max_length=100), Field(
                              description="Country or firm the rules reach; default: every rule in force.")] = None,
                          at: At = None, scenario: ScenarioRef = None, scenario_document: ScenarioInline = None,
                          segment: Segment = None) -> Annotated[CallToolResult, answers.RestrictionsAnswer]:
        """The restriction rules in force at a date: for a target, each rule's reach (whole or partial, and why),
        the relaxations that lift it and the rules lifted; without a target, every rule in force."""
        return call(lambda: api.restrictions_list(self.store, target, at, self._scenario(scenario, scenario_document),
                                                  segment), TARGET_FIELDS)

    def restriction_show(self, rule_id: Annotated[str, StringConstraints(min_length=1, max_length=100), Field(
                             description="Rule id, e.g. E-OCT2022.")]) -> Annotated[CallToolResult, answers.RuleAnswer]:
        """One restriction rule: what it says (kind, imposer, policy, dates, products, sellers, targets, gaps), its
        source with a verbatim quote, the rules that relax it, and the inputs it reaches (certainly or maybe)."""
        return call(lambda: api.restriction_show(self.store, rule_id), {"rule": "rule_id"})

    def restrictions_timeline(self, target: Annotated[str | None, StringConstraints(min_length=1, max_length=100),
                                                      Field(description="Country or firm: only the rules that name it "
                                                                        "and the listings of its firms.")] = None,
                              start: Annotated[date | None, Field(description="First date, YYYY-MM-DD.")] = None,
                              end: Annotated[date | None, Field(description="Last date, YYYY-MM-DD.")] = None
                              ) -> Annotated[CallToolResult, answers.TimelineAnswer]:
        """Restriction rules announced, in force and ended, and screening-list entries added and removed (recorded
        by each re-import of the list), by date."""
        return call(lambda: api.restrictions_timeline(self.store, target, start, end),
                    {"country or firm": "target", "*": "start"})

    def restrictions_search(self, imposer: Annotated[str | None, StringConstraints(min_length=1, max_length=100),
                                                     Field(description="Country or firm id imposing the rules, e.g. "
                                                                       "USA.")] = None,
                            kind: Annotated[str | None, StringConstraints(min_length=1, max_length=50), Field(
                                description="Kind of measure, e.g. entity_listing, relaxation.")] = None,
                            target: Annotated[str | None, StringConstraints(min_length=1, max_length=100), Field(
                                description="Country or firm the rules name as a target.")] = None,
                            product: InputName = None,
                            start: Annotated[date | None, Field(description="First date, YYYY-MM-DD.")] = None,
                            end: Annotated[date | None, Field(description="Last date, YYYY-MM-DD.")] = None,
                            status: Annotated[Literal["official", "reported", "hypothetical"] | None, Field(
                                description="Only rules of this status.")] = None,
                            chain: Annotated[Literal["semiconductors", "other"] | None, Field(
                                description="Only rules on the semiconductor supply chain, or only the back-test "
                                            "episodes' rules on other goods.")] = None
                            ) -> Annotated[CallToolResult, answers.RuleSearchAnswer]:
        """Search the restriction rules by imposer, kind, the target they name, the product they may reach (each
        rule then says whether it surely does), a date range, status and supply chain, earliest first; with the
        screening-list entries added and removed in the range."""
        return call(lambda: api.restrictions_search(self.store, imposer, kind, target, product, start, end, status,
                                                    chain),
                    {"country or firm": "target", "input": "product", "kind": "kind", "status": "status",
                     "chain": "chain"})

    def availability(self, target: Target = "CHN", input: InputName = None, at: At = None,
                     scenario: ScenarioRef = None, scenario_document: ScenarioInline = None,
                     segment: Segment = None,
                     view: Annotated[Literal["country", "firm"] | None, Field(
                         description="Country or firm shares (default: country where known).")] = None
                     ) -> Annotated[CallToolResult, answers.AvailabilityAnswer]:
        """Share of each input's world supply the target may still buy at a date (under a scenario), with lower
        and upper bounds where shares are unknown, the providers barred or maybe barred and the rules that bar
        them."""
        return call(lambda: api.availability(self.store, target, input, at,
                                             self._scenario(scenario, scenario_document), segment, view),
                    TARGET_FIELDS)

    def exposure(self, target: Target = "CHN", at: At = None, scenario: ScenarioRef = None,
                 scenario_document: ScenarioInline = None, segment: Segment = None
                 ) -> Annotated[CallToolResult, answers.ExposureAnswer]:
        """Share of supply barred for the target at a date (under a scenario), per input and per stage of the
        supply chain (mean and market-size weighted)."""
        return call(lambda: api.exposure(self.store, target, at, self._scenario(scenario, scenario_document),
                                         segment), TARGET_FIELDS)

    def exposure_over_time(self, start: SeriesStart = None, end: SeriesEnd = None, target: Target = "CHN",
                           every: SeriesStep = None, scenario: ScenarioRef = None,
                           scenario_document: ScenarioInline = None,
                           segment: Segment = None) -> Annotated[CallToolResult, answers.ExposureSeriesAnswer]:
        """Exposure per stage of the supply chain at every date of a range (market-size weighted share of each
        stage's supply barred for the target), with the rules that came into force or ended between dates. What
        is not given comes from the scenario's range of dates (its `over`), else the default; the answer's
        `range_given_by` says which."""
        return call(lambda: api.exposure_over_time(self.store, target, start, end, every,
                                                   self._scenario(scenario, scenario_document), segment),
                    TARGET_FIELDS)

    def availability_over_time(self, start: SeriesStart = None, end: SeriesEnd = None, target: Target = "CHN",
                               every: SeriesStep = None, input: InputName = None, scenario: ScenarioRef = None,
                               scenario_document: ScenarioInline = None, segment: Segment = None
                               ) -> Annotated[CallToolResult, answers.AvailabilitySeriesAnswer]:
        """Availability of each input (or one) at every date of a range: the share of world supply the target
        may still buy, its bounds and the rules barring it, with the rules that came into force or ended between
        dates. What is not given comes from the scenario's range of dates (its `over`), else the default."""
        return call(lambda: api.availability_over_time(self.store, target, start, end, every, input,
                                                       self._scenario(scenario, scenario_document), segment),
                    TARGET_FIELDS)

    def dossier(self, entity: Annotated[str, StringConstraints(min_length=1, max_length=200), Field(
                    description="A firm, an input or a country: name, alias, code or id.")],
                at: At = None) -> Annotated[CallToolResult, DossierOutput]:
        """Everything known about a firm, an input or a country at a date: facts with their sources, supplies and
        suppliers, owners and listings, the rules that reach it (and, for a firm, those binding its sales), what
        the saved scenarios change for it, and every source cited."""
        return call(lambda: api.dossier(self.store, entity, at), {"firm, input or country": "entity"})

    def chokepoints(self, threshold: Annotated[float, Field(
                        ge=0, le=100, description="List inputs where one country holds at least this share "
                                                  "(percent, 0-100).")] = 80.0,
                    coalition: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] | None,
                                         Field(max_length=30, description="Countries whose joint share is shown "
                                                                          "(default: USA, JPN, NLD).")] = None,
                    show_all: Annotated[bool, Field(description="Every input with country shares, not only those "
                                                                "above the threshold.")] = False,
                    over_time: Annotated[bool, Field(description="Also the measures for each period of the bundled "
                                                                 "products' share tables.")] = False
                    ) -> Annotated[CallToolResult, answers.ChokepointsAnswer]:
        """Concentration of supply per input: the top country and its share, HHI, how many countries make 75%, and
        a coalition's joint share; the inputs where one country holds at least the threshold."""
        return call(lambda: api.chokepoints(self.store, threshold, coalition, show_all, over_time),
                    {"country": "coalition"})

    def localization(self, country: Annotated[str, StringConstraints(min_length=1, max_length=100), Field(
                         description="Country (ISO3 code or name).")] = "CHN",
                     input: InputName = None) -> Annotated[CallToolResult, answers.LocalizationAnswer]:
        """Self-sufficiency of a country: the share of each input supplied by providers headquartered in it (with
        bounds), beside published localization estimates and production by plant location."""
        return call(lambda: api.localization(self.store, country, input), {"country": "country", "input": "input"})

    def localization_over_time(self, start: SeriesStart = None, end: SeriesEnd = None,
                               country: Annotated[str, StringConstraints(min_length=1, max_length=100), Field(
                                   description="Country (ISO3 code or name).")] = "CHN",
                               every: SeriesStep = None, input: InputName = None
                               ) -> Annotated[CallToolResult, answers.LocalizationSeriesAnswer]:
        """Self-sufficiency of a country at every date of a range: per input, its providers' share of world supply
        as the input's latest world share table begun by the date gives it (actual figures before forecasts).
        What is not given comes from the default: 1 January of each of the five years before the last date
        (default today), every year."""
        return call(lambda: api.localization_over_time(self.store, country, start, end, every, input),
                    {"country": "country", "input": "input", "*": "start"})

    def impairment(self, target: Target = "CHN", at: At = None, scenario: ScenarioRef = None,
                   scenario_document: ScenarioInline = None,
                   threshold: Annotated[float, Field(
                       ge=0, le=100, description="Availability (percent, 0-100) below which an input impairs the "
                                                 "processes it feeds.")] = 50.0
                   ) -> Annotated[CallToolResult, answers.ImpairmentAnswer]:
        """Which production processes and stages are impaired for the target (no, possible, certain) because an
        input they need, directly or upstream, falls below the availability threshold."""
        return call(lambda: api.impairment(self.store, target, at, self._scenario(scenario, scenario_document),
                                           threshold), TARGET_FIELDS)

    def diff(self, target: Target = "CHN", at: At = None,
             to: Annotated[date | None, Field(description="Second date, YYYY-MM-DD (default: the same date).")] = None,
             scenario: ScenarioRef = None, scenario_document: ScenarioInline = None,
             against: Annotated[str | None, StringConstraints(max_length=120), Field(
                 description="Second scenario by reference (default: the first, or the baseline).")] = None,
             against_document: Annotated[ScenarioDoc | None, Field(
                 description="Second scenario given inline, instead of `against`.")] = None,
             segment: Segment = None) -> Annotated[CallToolResult, answers.DiffAnswer]:
        """How availability changes for the target between two dates or two scenarios, by input: rules added
        and removed, inputs newly barred or no longer barred; between two dates, also the screening-list entries
        of the target's firms added and removed."""
        def run() -> answers.DiffAnswer:
            before = self._scenario(scenario, scenario_document)
            given = against is not None or against_document is not None
            after = self._scenario(against, against_document, "against") if given else None
            # a second side given as 'baseline' is the baseline, not "the same as the first side"
            return api.diff(self.store, target, at, to, before, (after or BASELINE_DOC) if given else None,
                            segment)

        return call(run, TARGET_FIELDS)

    def search_parties(self, name: Annotated[str, StringConstraints(min_length=1, max_length=200), Field(
                           description="A name to look for on the screening lists.")],
                       limit: Annotated[int, Field(ge=1, le=200, description="How many entries.")] = 20
                       ) -> Annotated[CallToolResult, answers.PartiesAnswer]:
        """Search the imported screening lists (the US Consolidated Screening List) by name: each entry's list,
        licence terms, Federal Register notice, score and the known firms it matches."""
        return call(lambda: api.search_parties(self.store, name, limit))

    def trade(self, hs: Annotated[str, StringConstraints(pattern=r"^\d{2,6}$"), Field(
                  description="HS heading (2 to 6 digits), e.g. 8486 for chipmaking tools.")],
              importer: Annotated[str | None, StringConstraints(min_length=1, max_length=100), Field(
                  description="Where this country's imports come from.")] = None,
              exporter: Annotated[str | None, StringConstraints(min_length=1, max_length=100), Field(
                  description="Where this country's exports go.")] = None,
              year: Annotated[int | None, Field(ge=1900, le=2200, description="One year only.")] = None
              ) -> Annotated[CallToolResult, answers.TradeAnswer]:
        """Trade in an HS heading by partner and year (value, share, quantity), from an imported BACI release,
        with the release and its licence as the source."""
        return call(lambda: api.trade(self.store, hs, importer, exporter, year), {"country": "importer"})

    # -- scenarios and the market model ------------------------------------------------------------------------------

    def scenario_list(self) -> Annotated[CallToolResult, answers.ScenarioListAnswer]:
        """The restriction scenarios one can name in `scenario`: the baseline, the shipped examples and the saved
        ones, each with its reference, name, description and date (an example that needs data this store lacks
        says what in `needs`, with the command that imports it); and the scenario files of other kinds."""
        return call(lambda: self.catalog.listing(self.store))

    def market_cases(self) -> Annotated[CallToolResult, answers.MarketCasesAnswer]:
        """The shipped market cases scenario_run runs by name: each one's name, description, regions, products,
        years and content digest (a case that needs data this store lacks says what in `needs`, with the command
        that imports it)."""
        return call(lambda: market.cases(self.catalog, self.store))

    def scenario_run(self, case: Annotated[str | None, StringConstraints(min_length=1, max_length=100), Field(
                         description="A shipped market case by name (see market_cases), e.g. "
                                     "'micron-china-linked'.")] = None,
                     case_yaml: Annotated[str | None, StringConstraints(min_length=1, max_length=256 * 1024), Field(
                         description="A market case given as the text of a case file (kind: market), instead of "
                                     "`case`.")] = None,
                     draws: Annotated[int, Field(ge=0, le=market.MAX_DRAWS, description=(
                         "Draws for the bands (0: none): from the posterior with the model's learned error (linked "
                         "cases), else over the parameters' sourced ranges."))] = 0,
                     seed: Annotated[int, Field(ge=0, le=2**32 - 1, description="Seed of the draws.")]
                     = market.DEFAULT_SEED,
                     parameters: Annotated[dict[Annotated[str, StringConstraints(min_length=1, max_length=100)],
                                                Annotated[float, Field(allow_inf_nan=False)]] | None, Field(
                         max_length=100, description="Parameters held at a value within their sourced range (neither "
                                                     "fitted nor drawn), e.g. {'sigma': 2.5}.")] = None
                     ) -> Annotated[CallToolResult, answers.MarketRunAnswer]:
        """Run a market case: calibrate it to its observations, run it over the years (linked cases quarter by
        quarter, rules switching at their dates) and report outputs (shares, revenue, prices, localization) with
        bands, the calibration's fit, the parameters, a sensitivity table, published estimates beside the model's
        values and the sources."""
        if (case is None) == (case_yaml is None):
            raise ToolError("case: give either 'case' (a shipped case) or 'case_yaml' (a case file's text)")
        self._bands_ready(draws)
        if case is not None:
            return call(lambda: market.run(self.store, self.catalog, case, draws, seed, parameters),
                        {"market case": "case"})
        with _yaml_file(str(case_yaml), "case.yaml") as path:
            return call(lambda: market_api.run_case(self.store, path, draws, seed, parameters).model_copy(
                update={"file": path.name}))

    def scenario_compare(self, a: Annotated[str, StringConstraints(min_length=1, max_length=100), Field(
                             description="A shipped market case (see market_cases), e.g. 'micron-china-linked'.")],
                         b: Annotated[str | None, StringConstraints(min_length=1, max_length=100), Field(
                             description="A second shipped case; default: the same case as a, to compare its "
                                         "variants.")] = None,
                         a_parameters: Annotated[dict[Annotated[str, StringConstraints(min_length=1, max_length=100)],
                                                      Annotated[float, Field(allow_inf_nan=False)]] | None, Field(
                             max_length=100, description="Side a's parameters held at a value within their sourced "
                                                         "range.")] = None,
                         b_parameters: Annotated[dict[Annotated[str, StringConstraints(min_length=1, max_length=100)],
                                                      Annotated[float, Field(allow_inf_nan=False)]] | None, Field(
                             max_length=100, description="Side b's parameters held, e.g. {'sigma': 2.5}.")] = None,
                         a_scenario: Annotated[str | None, StringConstraints(min_length=1, max_length=200), Field(
                             description="A restriction scenario to run side a under (linked cases): "
                                         "'example:NAME' or 'saved:ID' (see scenario_list).")] = None,
                         b_scenario: Annotated[str | None, StringConstraints(min_length=1, max_length=200), Field(
                             description="The same for side b, e.g. 'example:us-bars-korean-hbm-2026'.")] = None,
                         draws: Annotated[int, Field(ge=0, le=2000, description=(
                             "Draws for each side's 5-95% band (0: values at the fitted parameters)."))] = 0,
                         seed: Annotated[int, Field(ge=0, le=2**32 - 1, description="Seed of the draws (both "
                                                                                    "sides).")]
                         = market.DEFAULT_SEED) -> Annotated[CallToolResult, answers.MarketComparisonAnswer]:
        """Two market runs side by side, by output and year or period, with b - a: variants of one case (parameters
        held, a restriction scenario such as a new rule), or two cases' shared outputs; with draws each side's
        5-95% band. Outputs only one side has are listed apart."""
        self._market_case(a, "a")
        if b is not None:
            self._market_case(b, "b")
        self._bands_ready(draws)
        for ref, field in ((a_scenario, "a_scenario"), (b_scenario, "b_scenario")):
            if ref is not None:
                call(functools.partial(self.catalog.resolve, self.store, ref), {"scenario": field})
        return call(lambda: market.compare(self.store, self.catalog, a, b, a_parameters=a_parameters,
                                           b_parameters=b_parameters, a_scenario=a_scenario, b_scenario=b_scenario,
                                           draws=draws, seed=seed))

    def backtest(self, episodes: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] |
                                           None, Field(max_length=100, description=(
                     "Bundled episodes by name (e.g. 'micron-china-2023'); default: the whole library (minutes)."))]
                 = None,
                 draws: Annotated[int, Field(ge=10, le=10_000, description="Posterior predictive draws per "
                                                                          "episode.")] = bt.PREDICTIVE_DRAWS,
                 steps: Annotated[int, Field(ge=20, le=10_000, description="Sampler steps per episode (the first "
                                                                           "half is burn-in).")] = 300,
                 seed: Annotated[int, Field(ge=0, le=2**32 - 1, description="Random seed (episode k uses seed + "
                                                                            "1000 k).")] = 20261203,
                 alone: Annotated[bool, Field(description=(
                     "Score the given episodes without running the rest of the library for the model's error "
                     "(faster; intervals then far too narrow)."))] = False
                 ) -> Annotated[CallToolResult, answers.BacktestAnswer]:
        """The market model's back-test scorecard: each episode calibrated on what was known before its
        restriction, its outcomes predicted out of sample; per outcome and overall the direction hit rate, the
        share within +/-50% of the observed change, 50% and 90% interval coverage, CRPS and interval score."""
        def run() -> answers.BacktestAnswer:
            library = {p.stem: p for p in backtest_api.library(self.settings.data_dir)}
            for name in episodes or ():
                if name not in library:
                    raise NotFoundError("episode", name, difflib.get_close_matches(name, list(library), n=5))
            paths = [library[name] for name in episodes or ()]
            return backtest_api.backtest(self.store, paths, draws=draws, steps=steps, seed=seed,
                                         data_dir=self.settings.data_dir, alone=alone)

        return call(run, {"episode": "episodes"})

    def read_document(self, text: DocumentText, name: DocumentName = None, url: DocumentUrl = None,
                      date: DocumentDate = None, kind: DocumentKind = None
                      ) -> Annotated[CallToolResult, answers.IngestAnswer]:
        """Read an article (nothing is stored): its claims (entity, metric, value, unit, period), restriction
        events as candidate rules, citations and references, each with its character span; findings check its
        arithmetic, the knowledge base (agrees, disagrees, new) and its citations, and flag loaded language."""
        return call(lambda: documents.analyse(lambda: KnowledgeBase.from_store(self.store), text, name, url,
                                              date.isoformat() if date else None, kind), {"*": "text"})

    # -- writes (listed only with a write token) ---------------------------------------------------------------------

    def import_cset(self, path: ServerPath, write_token: Token,
                    allow_partial: Annotated[bool, Field(description=(
                        "Import tables whose row counts differ from those the dataset's README states."))] = False
                    ) -> Annotated[CallToolResult, answers.CsetImportAnswer]:
        """Import CSET's ETO supply-chain dataset (CC BY-NC 4.0) from a folder of its CSV tables, replacing an
        earlier import in one transaction (needs the write token)."""
        self._authorise(write_token)
        return call(lambda: api.import_cset(self.store, Path(path), allow_partial=allow_partial), {"*": "path"})

    def import_baci(self, path: ServerPath, write_token: Token,
                    hs: Annotated[list[Annotated[str, StringConstraints(pattern=r"^\d{2,6}$")]] | None, Field(
                        max_length=50, description="HS headings to keep (2 to 6 digits); default: chipmaking "
                                                   "equipment, chips and the critical minerals.")] = None
                    ) -> Annotated[CallToolResult, answers.BaciImportAnswer]:
        """Import CEPII's BACI trade flows (Etalab Open Licence 2.0) from a release's zip archive or folder, for
        the chosen HS headings, replacing an earlier import in one transaction (needs the write token)."""
        self._authorise(write_token)
        return call(lambda: api.import_baci(self.store, Path(path), hs or list(DEFAULT_HS)),
                    {"*": "path"})

    def import_csl(self, path: ServerPath, write_token: Token,
                   published: Annotated[date | None, Field(
                       description="The list's publication date, YYYY-MM-DD (the file does not carry it).")] = None
                   ) -> Annotated[CallToolResult, answers.CslImportAnswer]:
        """Import the US Consolidated Screening List (its JSON or CSV bulk file), replacing an earlier import in
        one transaction; against an earlier import, the entries added, removed and changed and the known firms
        listed or delisted (needs the write token)."""
        self._authorise(write_token)
        return call(lambda: api.import_csl(self.store, Path(path), published.isoformat() if published else None),
                    {"*": "path"})

    def add_facts(self, source: Annotated[dict[Annotated[str, StringConstraints(min_length=1, max_length=100)], Cell],
                                          Field(max_length=20, description=(
                                              "The source: id, publisher, original_publisher, title, url, published, "
                                              "published_approx, reliability, note."))],
                  facts: Annotated[list[dict[Annotated[str, StringConstraints(min_length=1, max_length=100)], Cell]],
                                   Field(min_length=1, max_length=500, description=(
                                       "The facts: id, entity, metric, product, region, segment, basis, definition, "
                                       "period, value, unit, status, quote, default, note."))],
                  write_token: Token) -> Annotated[CallToolResult, answers.AddFactsAnswer]:
        """Add facts resting on one source to the knowledge base, checked as the bundled data is and stored with
        ids prefixed 'user-' (needs the write token)."""
        self._authorise(write_token)
        return call(lambda: facts_api.add_facts(self.store, source, facts))

    def accept_document(self, text: DocumentText, write_token: Token, name: DocumentName = None,
                        url: DocumentUrl = None, date: DocumentDate = None, kind: DocumentKind = None
                        ) -> Annotated[CallToolResult, answers.IngestAnswer]:
        """Read an article and store its claims (status claim) and candidate rules (unreviewed) in the knowledge
        base, with the document as their source, in one transaction (needs the write token)."""
        self._authorise(write_token)
        return call(lambda: documents.accept(self.store, text, name, url, date.isoformat() if date else None, kind),
                    {"*": "text"})

    def save_scenario(self, id: Annotated[Slug, Field(description="Lower-case letters, digits and '-'; the "
                                                                  "scenario is then 'saved:ID'.")],
                      scenario: Annotated[ScenarioDoc, Field(description="The restriction scenario: rules added to, "
                                                                         "removed from or edited in the bundled "
                                                                         "rules.")],
                      write_token: Token) -> Annotated[CallToolResult, answers.SavedScenarioRecord]:
        """Check a restriction scenario against the store and save it, to name it later as 'saved:ID' (needs the
        write token)."""
        self._authorise(write_token)
        return call(lambda: web_scenarios.save(self.store, id, scenario.document()), {"*": "scenario"})


def build_server(settings: Settings, store: Store, write_token: str | None = None,
                 examples_dir: Path | None = None, learner: Learner | None = None) -> MCPServer:
    """The MCP server over an open store: the read tools, and with ``write_token`` the write tools too.
    ``learner``: what learns the market model's error in the background (runs with draws are refused until it
    is learned); without one, a run with draws learns it first."""
    tools = Tools(settings, store, Catalog(examples_dir if examples_dir is not None else default_examples_dir()),
                  write_token or None, learner)
    server: MCPServer = MCPServer(NAME, instructions=INSTRUCTIONS, log_level="WARNING")
    for tool in tools.read_tools():
        server.add_tool(tool, annotations=READ)
    if tools.write_token is not None:
        for tool in tools.write_tools():
            server.add_tool(tool, annotations=WRITE)
    return server


def serve(settings: Settings, http: bool = False, host: str = "127.0.0.1", port: int = 8000,
          write_token: str | None = None) -> None:
    """Open the store and serve until the client closes stdin (stdio) or the process is interrupted (HTTP)."""
    token = write_token or os.environ.get(TOKEN_ENV) or None
    with api.open_store(settings) as store:
        copies = StoreCopies(store, None)  # a DuckDB file is learned from on a copy: this process has it open
        learner = None
        if store.path != ":memory:":  # the market model's error, learned in the background while it answers
            learner = Learner(store, lambda: copies.where("learn").location, nice=10)
            learner.start()
        try:
            server = build_server(settings, store, token, learner=learner)
            if http:
                mode = "read-write (write tools need the token)" if token else "read-only"
                print(f"chipshift MCP server on http://{host}:{port}/mcp ({mode})", file=sys.stderr, flush=True)
                server.run("streamable-http", host=host, port=port)
            else:
                server.run("stdio")
        finally:
            if learner is not None:
                learner.close()
            copies.close()
