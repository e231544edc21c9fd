"""A market case's run (calibration, outputs with bands, sensitivity, published figures beside the model) and two
runs compared. One model serves both kinds of case: the keys only a single-market case has (``firm``, ``years``,
rows by ``year``) or only a linked case has (``model``, ``markets``, ``periods``, rows by ``period``) are left out
of the other's JSON, as are what the web adds to a run of a shipped case (``case``, ``facts``, each parameter's
``unit`` and ``facts``) and a run under a restriction scenario's ``restrictions``."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from chipshift.api.answers.base import Answer, FactStatus

#: Where a field is kept only where the answer has it.
ABSENT = None


class ParameterFactsRead(Answer):
    """The row of the parameters table a parameter takes its range from."""

    id: str = Field(description="the row's id")
    name: str = Field(description="what the parameter is")
    note: str | None = Field(description="how its figures were chosen")


class ParameterFacts(Answer):
    """The facts a parameter's default and range rest on."""

    default: str | None = Field(ABSENT, description="the fact its default comes from")
    low: str | None = Field(ABSENT, description="the fact its low end comes from")
    high: str | None = Field(ABSENT, description="the fact its high end comes from")
    basis: tuple[str, ...] = Field(description="the facts its basis names in its words")
    catalogue: ParameterFactsRead | None = Field(ABSENT, description="the parameters table's row it takes, if any")


class ParameterPosteriorSummary(Answer):
    """A ranged parameter's posterior."""

    mean: float = Field(description="posterior mean")
    sd: float = Field(description="posterior standard deviation")
    p5: float = Field(description="5th percentile")
    p95: float = Field(description="95th percentile")
    prior_sd: float = Field(description="the prior's standard deviation")
    identified: bool = Field(description="whether the observations pin it down (posterior clearly narrower than "
                                         "the prior)")
    at_bound: str | None = Field(description="'low' or 'high' when the posterior piles against an end of the range")


class RunParameter(Answer):
    """A parameter of the case: the value the run used, its range, and how it was set."""

    id: str = Field(description="the parameter's id")
    value: float = Field(description="the value the central run used (posterior median, default or override)")
    shown: float | None = Field(ABSENT, description="that value as the pages and tables show it: four significant "
                                                    "figures, whole from 1,000 (`labels.parameter_shown`)")
    default: float = Field(description="its default")
    low: float = Field(description="low end of its sourced range")
    high: float = Field(description="high end of its sourced range")
    fitted: bool = Field(description="whether the calibration fitted it")
    monte_carlo: bool = Field(description="whether the draws vary it")
    fittable: bool = Field(description="whether the case marks it to be fitted")
    overridden: bool = Field(description="whether the run held it at a given value")
    basis: str = Field(description="where its figures come from")
    posterior: ParameterPosteriorSummary | None = Field(description="its posterior (null: not ranged)")
    words: str | None = Field(ABSENT, description="what it sets, in words (a shipped case's run; null: the case "
                                                  "does not say)")
    unit: str | None = Field(ABSENT, description="its unit in words (a shipped case's run)")
    facts: ParameterFacts | None = Field(ABSENT, description="the facts its figures rest on (a shipped case's run)")


class SamplerSummary(Answer):
    """How the calibration's posterior was sampled."""

    method: str = Field(description="the sampler: 'importance', 'adaptive importance', 'emcee' or 'prior'")
    evaluations: int = Field(description="model evaluations")
    effective_draws: int | None = Field(description="effective sample size of the importance weights")
    seconds: float = Field(description="seconds it took")
    warnings: tuple[str, ...] = Field(description="what to be wary of")


class CalibrationRow(Answer):
    """An observation against the central run."""

    output: str = Field(description="the output observed")
    year: int | None = Field(ABSENT, description="its year (a single-market case)")
    period: str | None = Field(ABSENT, description="its quarter or year (a linked case)")
    observed: float = Field(description="the observed value")
    model: float | None = Field(description="the central run's value")
    error: float | None = Field(description="model - observed (a linked case: model / observed - 1)")
    fitted_to: bool = Field(description="whether the calibration was fitted to it")
    fact: str | None = Field(description="the fact it comes from")
    basis: str | None = Field(description="where it comes from, when no fact holds it")
    source: str | None = Field(ABSENT, description="the document a literal was read from, as the case names it (a "
                                                   "source id; its publisher, title and date in `documents`)")
    quarters: tuple[str, str] | None = Field(ABSENT, description="the first and last calendar quarters its period "
                                                                 "spans (a linked case's year or fiscal year)")


class Calibration(Answer):
    """How the case was calibrated to its observations, and how well the central run fits them."""

    procedure: str = Field(description="the calibration, in words")
    fitted: dict[str, float] = Field(description="each fitted parameter's posterior median")
    rmse: float | None = Field(description="root mean square error of the central run")
    rmse_of: str = Field(description="what the errors are")
    not_pinned_down: tuple[str, ...] = Field(description="fitted parameters the observations do not pin down")
    at_edge_of_range: tuple[str, ...] = Field(description="fitted parameters piled against an end of the range")
    statement: str = Field(description="the calibration's verdict in words")
    sampler: SamplerSummary = Field(description="how the posterior was sampled")
    table: tuple[CalibrationRow, ...] = Field(description="each observation against the central run")


class ModelError(Answer):
    """The model's error the bands carry, learned from the back-test library."""

    scale: float = Field(description="scale of the error in logs (log-odds for a percentage)")
    dof: float = Field(description="degrees of freedom of its Student-t")
    stretch: float = Field(description="the factor the bands are then stretched by about their medians (in logs, "
                                       "log-odds for a percentage) so that 90% bands would have held 90% of the "
                                       "library's outcomes")
    after_year: int | None = Field(ABSENT, description="the last year before it starts to grow (a single-market "
                                                       "case)")
    from_: str | None = Field(ABSENT, alias="from", description="the day it starts to grow from (a linked case)")
    learned_from: str = Field(description="what it was learned from")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class OutputValue(Answer):
    """An output's value in one year or period, with its band when the run drew."""

    output: str = Field(description="the output (e.g. 'share:micron', 'localization', 'price@hbm')")
    year: int | None = Field(ABSENT, description="the year (a single-market case)")
    period: str | None = Field(ABSENT, description="the quarter or year (a linked case)")
    value: float | None = Field(description="the central run's value (null: the model gives none)")
    unit: str | None = Field(description="its unit")
    p5: float | None = Field(ABSENT, description="5th percentile of the draws")
    median: float | None = Field(ABSENT, description="median of the draws")
    p95: float | None = Field(ABSENT, description="95th percentile of the draws")


class SensitivityRow(Answer):
    """How much one parameter moves one headline output."""

    output: str = Field(description="the headline output")
    year: int | None = Field(ABSENT, description="its year (a single-market case)")
    period: str | None = Field(ABSENT, description="its period (a linked case)")
    unit: str | None = Field(ABSENT, description="its unit (a linked case)")
    parameter: str = Field(description="the parameter")
    first_order: float | None = Field(ABSENT, description="Sobol' first-order index")
    first_order_ci: float | None = Field(ABSENT, description="its 95% bootstrap half-width")
    total: float | None = Field(ABSENT, description="Sobol' total index")
    total_ci: float | None = Field(ABSENT, description="its 95% bootstrap half-width")
    central: float | None = Field(ABSENT, description="the output at the fitted parameters")
    at_low: float | None = Field(description="the output with the parameter alone at its low end")
    at_high: float | None = Field(description="the output with the parameter alone at its high end")
    swing: float | None = Field(description="at_high - at_low")
    rank: int = Field(description="its rank among the parameters (1: moves the output most)")
    reason: str | None = Field(ABSENT, description="why an index is missing, if one is")


class SensitivityMethod(Answer):
    """How a linked case's sensitivity was computed."""

    method: str = Field(description="the method, in words")
    base_points: int = Field(description="base points of the Saltelli design")
    evaluations: int = Field(description="model evaluations")
    seed: int = Field(description="its seed")


class PublishedFigure(Answer):
    """A published estimate of an output."""

    fact: str = Field(description="the fact's id")
    value: float = Field(description="its value")
    unit: str | None = Field(description="its unit")
    status: FactStatus = Field(description="reported, estimate, forecast or claim")
    definition: str | None = Field(description="what exactly it measures, where it differs from the output")
    region: str | None = Field(description="the region it covers")
    publisher: str | None = Field(description="who published it")
    url: str | None = Field(description="where")


class PublishedBesideModel(Answer):
    """The published estimates of an observed output beside the model's value."""

    output: str = Field(description="the output")
    year: int | None = Field(ABSENT, description="the year (a single-market case)")
    period: str | None = Field(ABSENT, description="the period (a linked case)")
    model: float | None = Field(description="the central run's value")
    published: tuple[PublishedFigure, ...] = Field(description="the published estimates")
    quarters: tuple[str, str] | None = Field(ABSENT, description="the first and last calendar quarters its period "
                                                                 "spans (a linked case's year or fiscal year)")


class LinkedMarket(Answer):
    """One market of a linked case."""

    id: str = Field(description="the market's id")
    region: str = Field(description="its region")
    segment: str | None = Field(description="its end-use segment, if it is one")
    product: str = Field(description="its product")


class FigurePoint(Answer):
    """A figure published or observed for an output of a linked run, as its chart draws it."""

    period: str = Field(description="its period: a quarter, a year or a fiscal year")
    quarters: tuple[str, str] | None = Field(description="the first and last calendar quarters a year or fiscal year "
                                                         "spans")
    value: float = Field(description="its value, in the output's unit")
    publisher: str = Field(description="who published it (a literal observation: the document the case names)")
    basis: str = Field(description="what it measures where its publisher says it differs from the output, and its "
                                   "status where it is less than reported, short")
    fact: str | None = Field(description="the fact it comes from")
    fitted: bool = Field(description="whether the calibration was fitted to it")
    label: str = Field(description="the point's label: publisher, period, basis and value")
    legend: str = Field(description="its legend entry: publisher, the periods it has points in, basis")
    other_basis: bool = Field(description="whether its period is longer than a quarter (a yearly or fiscal-year "
                                          "figure on the quarterly line): drawn hollow and footnoted")


class ValueAxis(Answer):
    """The value axis of a chart with a p5-p95 band, the one rule of the chart files, the report and the web
    (``labels.band_axis``): a band more than three times the values drawn is cut at the axis and marked."""

    top: float = Field(description="the top of the value axis, in the output's unit")
    band_top: float = Field(description="the band's true top: its highest p95")
    clipped: bool = Field(description="whether the band runs past the axis's top (and is cut there)")
    note: str | None = Field(description="what the chart says at the top of its plot where the band is cut "
                                         "(\"p95 off scale: 412\"); null where it is not")


class DataEndMark(Answer):
    """Where a linked run's charts mark the end of its sourced data (``labels.data_end``), the same in the chart
    files, the report and on the Results page: a dashed vertical rule after the quarter, labelled."""

    period: str = Field(description="the last quarter with a sourced value (a figure published or observed for one "
                                    "of the run's outputs, forecasts aside)")
    label: str = Field(description="the mark's words (\"data | model\")")
    note: str = Field(description="what the mark says when pointed at")


class OutputText(Answer):
    """What a chart or table of an output says it shows."""

    title: str = Field(description="its title")
    axis: str = Field(description="its axis label")
    unit: str | None = Field(description="its unit")
    footer: str | None = Field(ABSENT, description="the line under its chart: the case, model and draws, the date of "
                                                   "the data and the publishers of the figures the chart shows")
    unchanging: str | None = Field(ABSENT, description="for a share at 0% or 100% in every period and draw (a barred "
                                                       "seller's, a sole supplier's): why it has no chart, said in "
                                                       "place of the chart")
    points: tuple[FigurePoint, ...] | None = Field(ABSENT, description="a linked run's: the figures its chart draws "
                                                                       "beside the model, each labelled")
    colours: dict[str, str] | None = Field(ABSENT, description="the colour of each series its chart draws, by the "
                                                           "name its legend gives it (the model's line, a publisher, "
                                                           "a supplier, a side of a comparison): one colour a "
                                                           "series in every chart of the run, in the chart files "
                                                           "and the report too")
    cues: dict[str, int] | None = Field(ABSENT, description="past the palette's eleven colours, the second cue of "
                                                       "each series its chart draws that has one, by name (1: "
                                                       "figures as triangles, stack parts striped across; 2: "
                                                       "squares, striped upright), one a series in every chart "
                                                       "and medium of the run")
    band: ValueAxis | None = Field(ABSENT, description="the value axis of its chart where it draws a p5-p95 band: "
                                                    "its top, and where the band is cut at it, said on the chart")
    data_end: DataEndMark | None = Field(ABSENT, description="a linked run's chart by quarter: where the run's "
                                                             "sourced figures end and the model's projection alone "
                                                             "goes on, marked after that quarter")


class RunRestrictions(Answer):
    """The restriction scenario a linked case ran under."""

    file: str = Field(description="the scenario's file, else its name")
    rules_added_acting: tuple[str, ...] = Field(description="the rules it adds that act on the case's markets")


class CitedFact(Answer):
    """A fact a run cites, with its source."""

    fact: str = Field(description="the fact's id")
    entity: str = Field(description="whom it is about")
    metric: str = Field(description="what it measures")
    period: str | None = Field(description="when")
    value: float | None = Field(description="its value")
    unit: str | None = Field(description="its unit")
    entity_name: str = Field(description="whom it is about, in words: the firm's, country's or input's name")
    metric_words: str = Field(description="what it measures, in the vocabulary's words")
    product_name: str | None = Field(description="the product it is about, by name (null: none)")
    region_name: str | None = Field(description="the region it is about, by name (null: none)")
    unit_words: str = Field(description="its unit in words")
    status: FactStatus = Field(description="reported, estimate, forecast or claim")
    quote: str | None = Field(description="the source's words")
    source: str = Field(description="the source's id")
    publisher: str | None = Field(description="who published the source")
    original_publisher: str | None = Field(description="who first published it, when the source reprints")
    title: str | None = Field(description="the source's title")
    url: str | None = Field(description="where")
    published: str | None = Field(description="when it was published")


class CitedDocument(Answer):
    """The document a literal observation was read from."""

    publisher: str | None = Field(description="who published it (the original publisher for a reprint)")
    title: str | None = Field(description="its title")
    published: str | None = Field(description="when it was published")
    url: str | None = Field(description="where")


class RestsOn(Answer):
    """What a market run's set-up rests on (``api.market_runs.rests_on``)."""

    facts: tuple[str, ...] = Field(description="the facts its numbers cite ({fact: ID}), the fact ids its bases name "
                                               "in their words, the facts behind the catalogue parameters it takes "
                                               "and those of the observations it is fitted to")
    documents: tuple[str, ...] = Field(description="the documents its stated values and the observations it is "
                                                   "fitted to name as their `source`")


class MarketRunAnswer(Answer):
    """A market case calibrated to its observations and run over its years (a linked case: quarter by quarter,
    rules switching at their dates), with bands when the run drew."""

    scenario: str = Field(description="the case's name")
    title: str | None = Field(ABSENT, description="the case as a heading names it: its description's first "
                                                 "sentence, short")
    model: Literal["linked"] | None = Field(ABSENT, description="'linked' for a linked case (absent: a single "
                                                                "market)")
    digest: str = Field(description="a digest of the case's content (and of the restriction scenario it ran under)")
    file: str = Field(description="the case's file")
    description: str = Field(description="what it models")
    region: str = Field(description="its region (a linked case's regions, joined with ', ')")
    product: str = Field(description="its product (a linked case's products, joined with ', ')")
    firm: str | None = Field(ABSENT, description="the firm it follows (a single-market case)")
    years: tuple[int, int] | None = Field(ABSENT, description="first and last year (a single-market case)")
    markets: tuple[LinkedMarket, ...] | None = Field(ABSENT, description="its markets (a linked case)")
    sellers: tuple[str, ...] | None = Field(ABSENT, description="its sellers (a linked case)")
    periods: tuple[str, str] | None = Field(ABSENT, description="first and last quarter (a linked case)")
    value_unit: str | None = Field(ABSENT, description="the unit of its market values (a linked case)")
    parameters: tuple[RunParameter, ...] = Field(description="every parameter")
    overrides: dict[str, float] = Field(description="the parameters held at given values")
    calibration: Calibration = Field(description="how it was calibrated, and how well the central run fits")
    bands: str | None = Field(description="how the bands were drawn (null: no draws)")
    model_error: ModelError | None = Field(description="the model's error the bands carry (null: none)")
    outputs: tuple[OutputValue, ...] = Field(description="every output by year or period")
    draws: int = Field(description="draws for the bands")
    seed: int | None = Field(description="their seed (null: no draws)")
    sensitivity: tuple[SensitivityRow, ...] = Field(description="how much each parameter moves the headline "
                                                                "outputs")
    sensitivity_method: SensitivityMethod | None = Field(ABSENT, description="how the sensitivity was computed (a "
                                                                             "linked case)")
    published_beside_model: tuple[PublishedBesideModel, ...] = Field(description="published estimates beside the "
                                                                                 "model's values")
    sources: tuple[str, ...] = Field(description="the facts the case rests on")
    notes: tuple[str, ...] = Field(description="what to know about the case")
    warnings: tuple[str, ...] | None = Field(
        ABSENT, description="what the case's loader let through, each after the name of its check "
                            "(unsourced_literal: a literal observation without its source document)")
    elapsed_s: float = Field(description="seconds the run took")
    names: dict[str, dict[str, str]] = Field(description="codes in words: regions, products, owners, segments, "
                                                         "markets, rules; groups: the sellers that are no firm "
                                                         "(a region's producers)")
    rests_on: RestsOn | None = Field(ABSENT, description="what the run's set-up rests on: the facts and documents "
                                                         "its charts' footers name")
    publishers: dict[str, str] = Field(description="each cited fact's publisher (the original one for a reprint)")
    documents: dict[str, CitedDocument] | None = Field(
        ABSENT, description="each cited document by source id: a literal observation's, a stated value's")
    facts: dict[str, CitedFact] | None = Field(ABSENT, description="every fact the run cites, with its source and "
                                                                   "quote (a run of a shipped case: its parameters' "
                                                                   "too)")
    data_as_of: str | None = Field(description="the latest publication date of the figures the run cites")
    output_text: dict[str, OutputText] = Field(description="what each output's chart says it shows")
    restrictions: RunRestrictions | None = Field(ABSENT, description="the restriction scenario it ran under")
    case: str | None = Field(ABSENT, description="the shipped case's name (a run of a shipped case)")


class ComparedVariant(Answer):
    """One side of a comparison."""

    case: str = Field(description="the case's name")
    parameters: dict[str, float] = Field(description="the parameters held at given values")
    restrictions: str | None = Field(description="the restriction scenario it runs under (null: the case's own "
                                                  "rules)")


class OutputDifference(Answer):
    """One output in one year or period on both sides."""

    output: str = Field(description="the output")
    year: int | None = Field(ABSENT, description="the year (single-market cases)")
    period: str | None = Field(ABSENT, description="the period (linked cases)")
    unit: str | None = Field(description="its unit")
    a: float | None = Field(description="side a's value")
    b: float | None = Field(description="side b's value")
    difference: float | None = Field(description="b - a")
    a_p5: float | None = Field(ABSENT, description="5th percentile of side a's draws")
    a_p95: float | None = Field(ABSENT, description="95th percentile of side a's draws")
    b_p5: float | None = Field(ABSENT, description="5th percentile of side b's draws")
    b_p95: float | None = Field(ABSENT, description="95th percentile of side b's draws")


class ComparedFact(CitedFact):
    """A fact either case file cites, with the sides citing it."""

    cited_by: tuple[Literal["a", "b"], ...] = Field(description="the sides whose case file cites it")


class MarketComparisonAnswer(Answer):
    """Two market runs side by side, by output and year or period, with b - a."""

    a: str = Field(description="side a in words")
    b: str = Field(description="side b in words")
    case_a: str = Field(description="side a's case")
    case_b: str = Field(description="side b's case")
    title_a: str = Field(description="side a's case as a heading names it: its description's first sentence, short")
    title_b: str = Field(description="side b's case as a heading names it")
    same_case: bool = Field(description="whether both sides run one case file")
    variants: dict[str, ComparedVariant] = Field(description="each side ('a', 'b'): its case, parameters held and "
                                                             "restriction scenario")
    draws: int = Field(description="draws for each side's band")
    seed: int = Field(description="their seed (the same on both sides)")
    data_as_of: str | None = Field(description="the latest publication date of the figures either run cites")
    bands: str = Field(description="what the bands are")
    difference_unit: str = Field(description="the unit of the differences")
    output_text: dict[str, OutputText] = Field(description="what each output's chart and table say it is (both "
                                                           "sides' words where two cases name it differently; an "
                                                           "output one side has alone by that side's); "
                                                           "`unchanging` for a share at 0% or 100% in every period "
                                                           "and draw on both sides, which has no chart: one "
                                                           "sentence naming both sides where they agree, each "
                                                           "side's where they differ")
    set_up_by: dict[Literal["a", "b"], tuple[str, ...]] | None = Field(
        ABSENT, description="each side's publishers of what its run's set-up rests on (its `rests_on`), for a chart's "
                            "footer")
    only_in_a: tuple[str, ...] = Field(description="outputs only side a has")
    only_in_b: tuple[str, ...] = Field(description="outputs only side b has")
    differences: tuple[OutputDifference, ...] = Field(description="each shared output by year or period")
    facts: tuple[ComparedFact, ...] = Field(description="every fact either case file cites, with its source, its "
                                                        "codes in words and the sides citing it")
    outputs: tuple[str, ...] | None = Field(ABSENT, description="the compared outputs (a comparison of shipped "
                                                                "cases)")
    note: str | None = Field(ABSENT, description="how to read the comparison (a comparison of shipped cases)")
