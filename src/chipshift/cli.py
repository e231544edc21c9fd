"""The `chipshift` command: parse arguments, call one API function, render its report."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from chipshift import api
from chipshift.config import Settings
from chipshift.errors import ChipshiftError, DataError, NotFoundError
from chipshift.io.baci import DEFAULT_HS
from chipshift.render import Format, output_width
from chipshift.render import print_report as render_report

if TYPE_CHECKING:
    from chipshift.io.store import Store

BAD_INPUT = 2

app = typer.Typer(help="What-if analysis of the semiconductor supply chain under trade restrictions.",
                  no_args_is_help=True, add_completion=True, rich_markup_mode=None)
data_app = typer.Typer(help="Check and summarise the bundled dataset.", no_args_is_help=True)
import_app = typer.Typer(help="Import third-party datasets into the store.", no_args_is_help=True)
show_app = typer.Typer(help="Show one firm or input with everything known about it.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(import_app, name="import")
app.add_typer(show_app, name="show")

FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
TableOption = Annotated[str | None, typer.Option(
    "--table", help="With --format csv: which of the answer's tables to print (by default the main one; the "
                    "others are named on stderr).")]
CsvOutOption = Annotated[Path | None, typer.Option(
    "--out", help="With --format csv: write every table of the answer to this folder, one CSV file each, "
                  "and the single values to summary.csv.", file_okay=False)]


class View(StrEnum):
    country = "country"
    firm = "firm"


class Shown(StrEnum):
    errors = "errors"
    warnings = "warnings"
    all = "all"


class _State:
    settings: Settings
    #: every country's, firm's, input's (``api.data.entity_names``) and production stage's name by id, read with
    #: the answer
    names: dict[str, str] | None = None


_state = _State()
_out = Console(soft_wrap=False, width=output_width())
_err = Console(stderr=True)


@app.callback()
def _root(
    store: Annotated[str | None, typer.Option(
        metavar="<path|url>", help="Store file, or a PostgreSQL database as a postgresql:// URL (default: "
                                   "$CHIPSHIFT_STORE or ~/.local/share/chipshift/chipshift.duckdb).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Read bundled data from this folder instead of "
                                                       "the package's own (for editing data).")] = None,
) -> None:
    _state.settings = Settings.from_env(store=store, data_dir=data_dir)


@contextmanager
def _errors_exit() -> Iterator[None]:
    """Bad input exits with code 2 and a message that names the file, line and field."""
    try:
        yield
    except DataError as exc:
        _err.print(f"[red]error:[/red] {len(exc.problems)} problem(s) in input data", highlight=False)
        for problem in exc.problems[:50]:
            _err.print(f"  {problem}", highlight=False, soft_wrap=True)
        if len(exc.problems) > 50:
            _err.print(f"  ... and {len(exc.problems) - 50} more")
        raise typer.Exit(BAD_INPUT) from None
    except NotFoundError as exc:
        _err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(BAD_INPUT) from None
    except ChipshiftError as exc:
        _err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(BAD_INPUT) from None
    except OSError as exc:  # a path given to read or write that the system refuses
        where = f" {exc.filename}" if exc.filename else ""
        _err.print(f"[red]error:[/red] cannot use{where}: {exc.strerror or exc}", highlight=False)
        raise typer.Exit(BAD_INPUT) from None


def print_report(report: dict[str, Any], fmt: Format, primary: str | None, console: Console,
                 columns: dict[str, list[str]] | None = None, *, table: str | None = None,
                 out_dir: Path | None = None, secondary: dict[str, list[str]] | None = None) -> None:
    """Render an answer (``chipshift.render.print_report``) at the output's width (``render.output_width``); a
    table that does not exist, or CSV options with another format, exit 2 with a message."""
    console.width = output_width()
    if fmt is Format.table and _state.names is not None:
        report = in_words(report, _state.names)
    with _errors_exit():
        render_report(report, fmt, primary, console, columns, table=table, out_dir=out_dir, notes=_err,
                      secondary=secondary)


#: Fields of answers that hold ids of countries, firms, inputs or production stages (one id, ids joined by '+', or a
#: list of them).
ENTITY_FIELDS = frozenset({
    "coalition", "countries", "country", "destination", "entity", "exporter", "firm", "firms", "hq_country", "hq_in",
    "importer", "imposed_by", "imposers", "inputs", "owner", "parent", "partner", "product", "products", "provider",
    "region", "sellers", "stage", "stages", "target", "targets", "top_country", "via_upstream"})


#: Fields holding a code (a rule's kind and licensing policy, a market case's buyer segment) that a table shows as
#: words.
CODED_FIELDS = ("kind", "policy", "segment")


def in_words(report: Any, names: dict[str, str]) -> Any:
    """An answer as a terminal table shows it: countries, firms, inputs and stages by name (a row's own ``X_name``, else
    ``api.data.entity_words``; an id beside its row's ``name`` stays, the name first), metrics and units in the
    vocabulary's words, a rule's kind and policy and a buyer segment as words. JSON and CSV keep the ids and codes."""
    from chipshift.api.data import entity_words
    from chipshift.reports.labels import metric_words, unit_words
    from chipshift.schemas.vocabulary import UNITS

    def row(record: dict[str, Any]) -> dict[str, Any]:
        out = {k: in_words(v, names) for k, v in record.items()}
        first = next(iter(record), None)
        for key, value in record.items():
            if key == first and key in ENTITY_FIELDS and "name" in record:
                # a row about a provider, with its name: the name leads (and names the row where a table lists
                # it in its parent's cell), the id beside it
                out = {"name": out.pop("name"), **out}
            elif key in ENTITY_FIELDS or (key == "input" and "name" not in record):
                named = record.get(f"{key}_name")
                if isinstance(value, str):
                    out[key] = named if isinstance(named, str) else entity_words(value, names)
                elif isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
                    out[key] = [entity_words(v, names) for v in value]
            elif key == "metric" and isinstance(value, str):
                out[key] = record.get("metric_words") or metric_words(value)
            elif key == "unit" and isinstance(value, str) and value in UNITS:
                out[key] = unit_words(value)
            elif key in CODED_FIELDS and isinstance(value, str):
                out[key] = value.replace("_", " ")  # as the web shows them: "presumption of denial", "data center"
        return out

    if isinstance(report, dict):
        return row(report)
    if isinstance(report, list):
        return [in_words(v, names) for v in report]
    return report


def _output_folder(out: Path | None) -> None:
    """Make the folder outputs go to before any computing, so that one the system refuses fails at once."""
    if out is None:
        return
    import errno
    import os

    with _errors_exit():
        out.mkdir(parents=True, exist_ok=True)
        if not os.access(out, os.W_OK):
            raise PermissionError(errno.EACCES, "the folder is not writable", str(out))


def _with_store(action: Callable[[Store], dict[str, Any]]) -> dict[str, Any]:
    """The answer ``action`` gives from the store, with the names a terminal table shows (``in_words``)."""
    from chipshift.api.data import entity_names

    with api.open_store(_state.settings) as store:
        report = action(store)
        _state.names = {**entity_names(store), **{s["id"]: s["name"] for s in store.rows("stages")}}
        return report


@data_app.command("validate")
def data_validate(fmt: FormatOption = Format.table,
                  show: Annotated[Shown, typer.Option(help="Which problems to list: errors, warnings (and errors) "
                                                           "or all.")]
                  = Shown.warnings,
                  table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Check every bundled file and cross-reference; exit 2 if there are errors."""
    with _errors_exit():
        from chipshift.io.store import open_at

        store = open_at(_state.settings.store_path)
        try:
            report = api.validate_data(_state.settings, store).as_report()
        finally:
            store.close()
    keep = {Shown.errors: ("error",), Shown.warnings: ("error", "warning"), Shown.all: ("error", "warning", "notice")}
    if fmt is Format.table:
        report = {**report, "problems": [p for p in report["problems"] if p["severity"] in keep[show]]}
    print_report(report, fmt, "problems", _out, table=table, out_dir=csv_out,
                 columns={"problems": ["severity", "file", "line", "field", "message"]})
    if not report["ok"]:
        raise typer.Exit(BAD_INPUT)


@data_app.command("review")
def data_review(older_than: Annotated[float, typer.Option(
                    "--older-than", min=0, help="List series whose newest figure is older than this many years.")]
                = 3.0,
                fmt: FormatOption = Format.table,
                table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """How well the facts are sourced: weak-only facts, weak defaults with a better source, groups of one
    quantity without a default, stale series."""
    with _errors_exit():
        report = _with_store(lambda store: api.review(store, older_than).as_report())
    print_report(report, fmt, "weak_only", _out, table=table, out_dir=csv_out, columns={
        "weak_only": ["id", "entity", "metric", "period", "value", "unit", "status", "publisher"],
        "weak_defaults": ["id", "entity", "metric", "period", "value", "publisher", "better"],
        "groups_without_default": ["entity", "metric", "product", "region", "period", "facts"],
        "stale": ["entity", "metric", "product", "region", "newest_period", "facts"]}, secondary={
        "weak_only": ["status", "unit", "publisher"], "stale": ["region", "facts"]})


@data_app.command("overview")
def data_overview(fmt: FormatOption = Format.table,
                  table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Counts of sources, firms, inputs, facts and rules, and the dates they cover."""
    with _errors_exit():
        report = _with_store(lambda store: api.overview(store).as_report())
    print_report(report, fmt, "datasets", _out, table=table, out_dir=csv_out)


@import_app.command("cset")
def import_cset(path: Annotated[Path, typer.Argument(help="Folder holding the CSET/ETO CSV tables.")],
                allow_partial: Annotated[bool, typer.Option(
                    "--allow-partial", help="Import tables whose row counts differ from those the dataset's "
                                            "README states (a warning names each).")] = False,
                fmt: FormatOption = Format.table,
                table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Import CSET's ETO supply-chain dataset (CC BY-NC 4.0) from PATH in one transaction."""
    with _errors_exit():
        report = _with_store(lambda store: api.import_cset(store, path, allow_partial=allow_partial).as_report())
    for warning in report.get("warnings", []):
        _err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    print_report(report, fmt, None, _out, table=table, out_dir=csv_out)


@import_app.command("baci")
def import_baci(path: Annotated[Path, typer.Argument(help="A BACI release: its zip archive or the unpacked folder.")],
                hs: Annotated[str, typer.Option(help="Comma-separated HS headings to keep (2 to 6 digits).")]
                = ",".join(DEFAULT_HS),
                fmt: FormatOption = Format.table,
                table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Import CEPII's BACI trade flows (Etalab Open Licence 2.0) for the chosen HS headings, in one
    transaction."""
    with _errors_exit():
        report = _with_store(lambda store: api.import_baci(store, path, hs.split(",")).as_report())
    print_report(report, fmt, "kept_by_heading", _out, table=table, out_dir=csv_out)


@import_app.command("csl")
def import_csl(path: Annotated[Path, typer.Argument(help="The Consolidated Screening List: the official JSON or CSV "
                                                         "bulk file, or the snapshot in ../shared/data/csl.")],
               published: Annotated[str | None, typer.Option(help="The list's publication date (the file does "
                                                                   "not carry it), YYYY-MM-DD.")] = None,
               fmt: FormatOption = Format.table,
               table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Import the US Consolidated Screening List (public domain), replacing an earlier import in one
    transaction; against an earlier import, the entries added, removed and changed, and the known firms listed
    or delisted."""
    with _errors_exit():
        report = _with_store(lambda store: api.import_csl(store, path, published).as_report())
    changes = report.get("changes")
    shown = report if fmt is not Format.table or not changes else {
        **{k: v for k, v in report.items() if k != "changes"},
        "since": changes["previous"], **{k: changes[k] for k in ("added", "removed", "changed")},
        "firms_listed": changes["firms_listed"], "firms_delisted": changes["firms_delisted"],
        "changed_entries": changes["changed_entries"][:50]}
    print_report(shown, fmt, "by_list", _out, table=table, out_dir=csv_out)


@app.command("parties")
def parties_command(name: Annotated[str, typer.Argument(help="A name to look for on the screening lists.")],
                    limit: Annotated[int, typer.Option(min=1, max=200, help="How many entries.")] = 20,
                    fmt: FormatOption = Format.table,
                    table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Search the imported screening lists by name: each entry's list, licence terms, notice and matched firms."""
    with _errors_exit():
        report = _with_store(lambda store: api.search_parties(store, name, limit).as_report())
    print_report(report, fmt, "entries", _out, table=table, out_dir=csv_out, columns={
        "entries": ["score", "name", "list", "countries", "license_requirement", "federal_register_notice", "firms"]})


@app.command("trade")
def trade(hs: Annotated[str, typer.Option(help="HS heading (2 to 6 digits), e.g. 8486 for chipmaking tools.")],
          importer: Annotated[str | None, typer.Option(help="Where this country's imports come from.")] = None,
          exporter: Annotated[str | None, typer.Option(help="Where this country's exports go.")] = None,
          year: Annotated[int | None, typer.Option(help="One year only.")] = None,
          fmt: FormatOption = Format.table,
          table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Trade in an HS heading by partner and year, from an imported BACI release (`import baci`)."""
    with _errors_exit():
        report = _with_store(lambda store: api.trade(store, hs, importer, exporter, year).as_report())
    partner = "exporter" if importer else "importer"
    print_report(report, fmt, "flows", _out, table=table, out_dir=csv_out, columns={
        "flows": ["year", partner, "value_usd", "share_pct", "quantity_t"], "totals": ["year", "value_usd"]})


@show_app.command("firm")
def show_firm(name: Annotated[str, typer.Argument(help="Firm name, alias or id.")],
              at: Annotated[str | None, typer.Option("--at", help="Date for the rules that name the firm "
                                                                  "(YYYY-MM-DD; default today).")] = None,
              fmt: FormatOption = Format.table,
              table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """A firm: headquarters, owners and the stakes it holds (with sources), what listed parties hold of it under
    the 50% Affiliates Rule, what it supplies, the facts about it, its entries on the imported screening lists,
    and the rules in force at a date that name it or reach it through its owners' listings."""
    with _errors_exit():
        report = _with_store(lambda store: api.show_firm(store, name, at).as_report())
    print_report(report, fmt, "facts", _out, table=table, out_dir=csv_out, columns=FIRM_COLUMNS,
                 secondary=FIRM_SECONDARY)


#: The columns `show firm` shows of each table, in order (a CSV file has these first, then the rest), and those it
#: may leave out on a narrow terminal; a firm's dossier shows the same.
FIRM_COLUMNS = {
    "owners": ["owner_name", "share_pct", "as_of", "publisher", "quote"],
    "stakes_held": ["firm_name", "share_pct", "as_of", "publisher", "quote"],
    "owned_by_listed_parties": ["listing", "listed_owners", "aggregate_low_pct", "aggregate_high_pct", "reached",
                                "reached_at", "chains"],
    "supplies": ["input", "input_name", "share_pct", "year"],
    "listings": ["list", "name", "score", "license_requirement", "license_policy", "federal_register_notice"],
    "rules_naming_it": ["id", "kind", "imposed_by", "policy", "start", "reach", "relaxed_by", "name"],
    "facts": ["metric", "product", "region", "definition", "period", "value", "unit", "status", "publisher"]}
FIRM_SECONDARY = {"facts": ["region", "status", "definition", "publisher"],
                  "rules_naming_it": ["relaxed_by", "reach", "name"]}


@show_app.command("input")
def show_input(name: Annotated[str, typer.Argument(help="Input name, alias or id (e.g. 'EUV lithography "
                                                       "tools', N20, dram).")],
               fmt: FormatOption = Format.table,
               table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """An input: who supplies it (countries and firms, with shares) and who uses it (buyers, per the supply
    graph), which of them are on a screening list (which list, since when, which notice), its place in the graph,
    facts."""
    with _errors_exit():
        report = _with_store(lambda store: api.show_input(store, name).as_report())
    print_report(report, fmt, "countries", _out, table=table, out_dir=csv_out, columns=INPUT_COLUMNS,
                 secondary=INPUT_SECONDARY)


#: The columns `show input` shows of each table, in order, and those it may leave out; an input's dossier shows
#: the same.
INPUT_COLUMNS = {
    "countries": ["provider", "name", "share_pct", "basis", "period"],
    "firms": ["provider", "name", "share_pct", "period", "listed"],
    "buyers": ["firm", "name", "through", "listed"],
    "listings": ["role", "firm", "list", "since", "federal_register_notice", "license_policy", "entry"],
    "facts": ["entity", "metric", "region", "period", "value", "unit", "status", "publisher"]}
INPUT_SECONDARY = {"facts": ["region", "status", "publisher"], "listings": ["entry", "license_policy"]}


@app.command("sources")
def sources(for_: Annotated[str | None, typer.Option("--for", help="A fact, rule, source, firm, input or "
                                                                   "country: list only its sources.")] = None,
            fmt: FormatOption = Format.table,
            table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Sources, with how many facts and rules rest on each."""
    with _errors_exit():
        report = _with_store(lambda store: api.list_sources(store, for_).as_report())
    print_report(report, fmt, "sources", _out, table=table, out_dir=csv_out, columns={
        "sources": ["id", "publisher", "original_publisher", "published", "reliability", "used_by", "title"],
        "facts": ["fact", "source", "metric", "period", "value", "unit", "quote"]}, secondary={
        "sources": ["original_publisher", "reliability", "used_by", "published"], "facts": ["source", "quote"]})


@app.command("facts")
def facts(entity: Annotated[str | None, typer.Option(help="Firm, country or input (name, alias or id).")] = None,
          metric: Annotated[str | None, typer.Option(help="Metric code, e.g. revenue, market_share.")] = None,
          product: Annotated[str | None, typer.Option(help="Product the figure is about, e.g. DRAM.")] = None,
          fmt: FormatOption = Format.table,
          table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Every value stated for an entity and metric, side by side, with source and status."""
    with _errors_exit():
        report = _with_store(lambda store: api.list_facts(store, entity, metric, product).as_report())
    print_report(report, fmt, "facts", _out, table=table, out_dir=csv_out, columns={
        "facts": ["entity", "metric", "product", "region", "definition", "period", "value", "unit", "status",
                  "default", "publisher", "published"]},
        secondary={"facts": ["region", "default", "published", "status", "definition", "publisher"]})


restrictions_app = typer.Typer(help="Restriction rules: which are in force, and what one reaches.",
                               no_args_is_help=True)
app.add_typer(restrictions_app, name="restrictions")

AtOption = Annotated[str | None, typer.Option("--at", help="Date of evaluation, YYYY-MM-DD (default: the "
                                                           "scenario's date, else today).")]
ScenarioOption = Annotated[Path | None, typer.Option("--scenario", help="Scenario file (YAML) that adds, removes "
                                                                        "or edits rules on top of the baseline.")]
SegmentOption = Annotated[str | None, typer.Option(
    "--segment", help="End-use segment of the buyer, e.g. data_center, critical_information_infrastructure.")]
TargetArgument = Annotated[str, typer.Argument(help="Destination: a country (ISO3 or name) or a firm.")]
FromOption = Annotated[str | None, typer.Option("--from", help="First date of a series, YYYY-MM-DD (with --to): "
                                                              "the answer at every date from --from to --to.")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last date of a series, YYYY-MM-DD (with --from).")]
EveryOption = Annotated[str, typer.Option("--every", help="Step of a series: a whole number of years, months or "
                                                          "days, e.g. 1y, 6m, 3m, 30d.")]
ChartOption = Annotated[Path | None, typer.Option(
    "--chart", help="With --from/--to: also draw the series to this file stem (PNG and SVG).", dir_okay=False)]
StepOption = Annotated[str | None, typer.Option("--every", help="Step of a series: a whole number of years, months "
                                                               "or days, e.g. 1y, 6m, 3m, 30d (default: the "
                                                               "scenario's, else 1y).")]
ScenarioChartOption = Annotated[Path | None, typer.Option(
    "--chart", help="Also draw the series to this file stem (PNG and SVG): over --from/--to, else over the "
                    "scenario's range of dates (its 'over'), else 1 January of each of the five years before "
                    "today, and today.", dir_okay=False)]


def _series_range(at: str | None, start: str | None, end: str | None, chart: Path | None,
                  own_range: bool = False) -> bool:
    """Whether a series is asked for; ChipshiftError (exit 2) for a half-given range or one with --at. With
    ``own_range`` (a question that can take the scenario's range of dates), --chart alone asks for the series
    over that range (``api.series_range``)."""
    if start is None and end is None:
        if chart is not None and own_range and at is None:
            return True
        if chart is not None:
            raise ChipshiftError("--chart draws a series: give --from and --to")
        return False
    if start is None or end is None:
        raise ChipshiftError("a series needs both --from and --to")
    if at is not None:
        raise ChipshiftError("give either --at (one date) or --from/--to (a series), not both")
    return True


def _draw(chart: Path | None, report: dict[str, Any], draw: Callable[[dict[str, Any], Path], list[str]]) -> None:
    if chart is not None:
        chart.parent.mkdir(parents=True, exist_ok=True)
        written = draw(report, chart.with_suffix(""))
        print(f"chart: {', '.join(str(chart.parent / w) for w in written)}", file=sys.stderr)


@restrictions_app.command("list")
def restrictions_list(target: Annotated[str | None, typer.Option("--target", help="Country or firm the rules "
                                                                                  "reach.")] = None,
                      at: AtOption = None, scenario: ScenarioOption = None, segment: SegmentOption = None,
                      fmt: FormatOption = Format.table,
                      table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Rules in force at a date, for a target (wholly or in part) or for everyone."""
    with _errors_exit():
        report = _with_store(lambda store: api.restrictions_list(store, target, at, scenario, segment).as_report())
    print_report(report, fmt, "rules", _out, table=table, out_dir=csv_out, columns={"rules": RULES_IN_FORCE_COLUMNS})


#: The columns `restrictions list` shows of the rules in force, in order; a dossier's rules reaching its entity too.
RULES_IN_FORCE_COLUMNS = ["id", "kind", "imposed_by", "policy", "start", "in_force", "reach", "relaxed_by",
                          "relaxed_in_part_by", "inputs_covered", "name"]


@restrictions_app.command("show")
def restrictions_show(rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. E-OCT2022.")],
                      fmt: FormatOption = Format.table,
                      table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """One rule: what it says, its source, and the inputs it reaches."""
    with _errors_exit():
        report = _with_store(lambda store: api.restriction_show(store, rule_id).as_report())
    print_report(report, fmt, "reaches", _out, table=table, out_dir=csv_out)


@restrictions_app.command("timeline")
def restrictions_timeline(
        target: Annotated[str | None, typer.Option("--target", help="Country or firm: only the rules that name it "
                                                                    "and the listings of its firms.")] = None,
        start: Annotated[str | None, typer.Option("--from", help="First date, YYYY-MM-DD.")] = None,
        end: Annotated[str | None, typer.Option("--to", help="Last date, YYYY-MM-DD.")] = None,
        fmt: FormatOption = Format.table,
                          table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Rules (announced, in force, lifted, narrowed or back in force as relaxations of them start and end, ended)
    and screening-list entries added and removed (recorded by each re-import of the list), by date."""
    with _errors_exit():
        report = _with_store(lambda store: api.restrictions_timeline(store, target, start, end).as_report())
    print_report(report, fmt, "events", _out, table=table, out_dir=csv_out, columns={
        "events": ["date", "event", "id", "policy", "firms", "name", "note"]},
        secondary={"events": ["policy", "firms", "note"]})


@restrictions_app.command("search")
def restrictions_search(
        imposer: Annotated[str | None, typer.Option("--imposer", help="Country or firm id that imposes the rules, "
                                                                      "e.g. USA.")] = None,
        kind: Annotated[str | None, typer.Option("--kind", help="Kind of measure, e.g. entity_listing, "
                                                                "relaxation.")] = None,
        target: Annotated[str | None, typer.Option("--target", help="Country or firm the rules name as a "
                                                                    "target.")] = None,
        product: Annotated[str | None, typer.Option("--product", help="Input the rules may reach (each rule then "
                                                                      "says certain or maybe).")] = None,
        start: Annotated[str | None, typer.Option("--from", help="First date, YYYY-MM-DD: rules in force at some "
                                                                 "time from it.")] = None,
        end: Annotated[str | None, typer.Option("--to", help="Last date, YYYY-MM-DD.")] = None,
        status: Annotated[str | None, typer.Option("--status", help="official, reported or hypothetical.")] = None,
        chain: Annotated[str | None, typer.Option("--chain", help="semiconductors: only rules on the semiconductor "
                                                                  "supply chain; other: only the back-test "
                                                                  "episodes' rules on other goods.")] = None,
        fmt: FormatOption = Format.table,
        table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Search the rules by imposer, kind, target, the product they may reach, dates, status and supply chain,
    earliest first, with the screening-list entries added and removed in the range."""
    with _errors_exit():
        report = _with_store(lambda store: api.restrictions_search(store, imposer, kind, target, product, start,
                                                                   end, status, chain).as_report())
    if fmt is Format.table:  # the imposers' names (for a page's choices) stay in the JSON
        report.pop("imposer_names")
    print_report(report, fmt, "rules", _out, table=table, out_dir=csv_out, columns={
        "rules": ["id", "kind", "imposed_by", "policy", "start", "ended", "held_until", "status", "reach", "name"],
        "listing_changes": ["date", "change", "list", "entry", "firms", "federal_register_notice"]})


@app.command("availability")
def availability(target: TargetArgument,
                 input_name: Annotated[str | None, typer.Option("--input", help="One input (name, alias or "
                                                                                "id); default: all with data.")]
                 = None,
                 at: AtOption = None, scenario: ScenarioOption = None, segment: SegmentOption = None,
                 view: Annotated[View | None, typer.Option(help="Country or firm shares (default: country where "
                                                                "known).")] = None,
                 start: FromOption = None, end: ToOption = None, every: StepOption = None,
                 chart: ScenarioChartOption = None,
                 fmt: FormatOption = Format.table,
                 table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Share of world supply the target may still buy, per input, with bounds where shares are unknown; with
    --from/--to (or --chart alone: the scenario's range of dates), at every date of the range."""
    with _errors_exit():
        view_name = None if view is None else view.value
        if _series_range(at, start, end, chart, own_range=True):
            report = _with_store(lambda store: api.availability_over_time(
                store, target, start, end, every, input_name, scenario, segment, view_name).as_report())
            from chipshift.reports.timeline import availability_chart
            _draw(chart, report, availability_chart)
            print_report(report, fmt, "inputs", _out, table=table, out_dir=csv_out, columns={
                "inputs": ["at", "input", "name", "available_lower_pct", "available_upper_pct", "available_pct",
                           "barred_by"],
                "rule_changes": ["at", "rules_started", "rules_ended"]}, secondary={"inputs": ["barred_by"]})
            return
        report = _with_store(lambda store: api.availability(store, target, input_name, at, scenario, segment,
                                                            view_name).as_report())
    print_report(report, fmt, "inputs", _out, table=table, out_dir=csv_out, columns={
        "inputs": ["input", "name", "view", "available_lower_pct", "available_upper_pct", "available_pct", "barred",
                   "rules", "rules_on_kinds"]},
        secondary={"inputs": ["view", "rules_on_kinds", "rules", "barred"]})


@app.command("exposure")
def exposure(target: TargetArgument, at: AtOption = None, scenario: ScenarioOption = None,
             segment: SegmentOption = None, start: FromOption = None, end: ToOption = None,
             every: StepOption = None, chart: ScenarioChartOption = None, fmt: FormatOption = Format.table,
             table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Share of supply barred for the target, per input and per stage (market-size weighted); with
    --from/--to (or --chart alone: the scenario's range of dates), per stage at every date of the range."""
    with _errors_exit():
        if _series_range(at, start, end, chart, own_range=True):
            report = _with_store(lambda store: api.exposure_over_time(store, target, start, end, every, scenario,
                                                                      segment).as_report())
            from chipshift.reports.timeline import exposure_chart
            _draw(chart, report, exposure_chart)
            print_report(report, fmt, "by_stage", _out, table=table, out_dir=csv_out, columns={
                "by_stage": ["at", "stage", "stage_name", "barred_lower_weighted_pct", "barred_upper_weighted_pct",
                             "barred_lower_mean_pct", "barred_upper_mean_pct"],
                "rule_changes": ["at", "rules_started", "rules_ended"]})
            return
        report = _with_store(lambda store: api.exposure(store, target, at, scenario, segment).as_report())
    print_report(report, fmt, "by_input", _out, table=table, out_dir=csv_out, columns={
        "by_input": EXPOSURE_BY_INPUT_COLUMNS, "by_stage": EXPOSURE_BY_STAGE_COLUMNS},
        secondary={"by_input": ["stages", "barred_providers"]})


#: The columns `exposure` shows per input and per stage, in order (a country's dossier shows the same).
EXPOSURE_BY_INPUT_COLUMNS = ["input", "name", "stages", "barred_lower_pct", "barred_upper_pct", "barred_pct",
                             "barred_providers"]
EXPOSURE_BY_STAGE_COLUMNS = ["stage", "inputs", "barred_lower_mean_pct", "barred_upper_mean_pct",
                             "barred_lower_weighted_pct", "barred_upper_weighted_pct", "inputs_with_market_size",
                             "market_size_usd"]


@app.command("chokepoints")
def chokepoints(threshold: Annotated[float, typer.Option(min=0, max=100, help="List inputs where one country "
                                                              "holds at least this share (percent, 0-100).")] = 80.0,
                coalition: Annotated[str, typer.Option(help="Comma-separated countries whose joint share is "
                                                            "shown.")] = "USA,JPN,NLD",
                show_all: Annotated[bool, typer.Option("--all", help="Every input with country shares, not only "
                                                                     "those above the threshold.")] = False,
                over_time: Annotated[bool, typer.Option("--over-time", help="Also the measures for each period of "
                                                                            "the bundled products' share tables.")]
                = False,
                fmt: FormatOption = Format.table,
                table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Concentration per input: top country and share, HHI, countries needed for 75%, coalition share."""
    with _errors_exit():
        report = _with_store(lambda store: api.chokepoints(store, threshold, coalition.split(","), show_all,
                                                           over_time).as_report())
    print_report(report, fmt, "inputs", _out, table=table, out_dir=csv_out, columns={
        "inputs": ["input", "name", "basis", "top_country", "top_share_pct", "hhi", "countries_for_75pct",
                   "coalition_share_pct"],
        "history": ["input", "period", "basis", "forecast", "top_country", "top_share_pct", "hhi",
                    "countries_for_75pct", "coalition_share_pct"]}, secondary={
        "inputs": ["basis", "countries_for_75pct", "coalition_share_pct", "hhi"],
        "history": ["basis", "forecast", "countries_for_75pct", "coalition_share_pct", "hhi"]})


@app.command("localization")
def localization(country: Annotated[str, typer.Argument(help="Country (ISO3 or name).")],
                 input_name: Annotated[str | None, typer.Option("--input", help="One input.")] = None,
                 start: FromOption = None, end: ToOption = None, every: EveryOption = "1y",
                 chart: Annotated[Path | None, typer.Option(
                     "--chart", help="Also draw the share over time to this file stem (PNG and SVG): with "
                                     "--from/--to the series, else the history table (each period of the bundled "
                                     "products' world share tables).",
                     dir_okay=False)] = None,
                 fmt: FormatOption = Format.table,
                 table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Self-sufficiency: share of each input supplied by providers headquartered in the country; over time, the
    same share in each period of the bundled products' world share tables (the history table); with --from/--to,
    at every date of the range (the series table: each product's latest table begun by the date)."""
    with _errors_exit():
        series = _series_range(None, start, end, None)

        def answer(store: Store) -> dict[str, Any]:
            report = _named(store, api.localization(store, country, input_name).as_report())
            if not series:
                return report
            assert start is not None and end is not None
            # the series first, as asked; then the rest of the answer
            over = api.localization_over_time(store, country, start, end, every, input_name).as_report()
            return {**over, **{k: v for k, v in report.items() if k not in over}}

        report = _with_store(answer)
        if chart is not None:
            from chipshift.reports.timeline import localization_chart, localization_series_chart

            _draw(chart, report, localization_series_chart if series else localization_chart)
    if not series:
        report.pop("country_name")
    print_report(report, fmt, "series" if series else "inputs", _out, table=table, out_dir=csv_out, columns={
        "series": ["at", "input", "name", "period", "localization_lower_pct", "localization_upper_pct", "forecast",
                   "domestic_providers"],
        "inputs": LOCALIZATION_COLUMNS, "published_estimates": PUBLISHED_LOCALIZATION_COLUMNS,
        "history": ["input", "name", "period", "localization_lower_pct", "localization_upper_pct",
                    "domestic_providers", "forecast"]}, secondary={
        "series": ["period", "forecast", "domestic_providers"], "inputs": ["view", "domestic_providers"],
        "published_estimates": ["original_publisher", "definition"], "history": ["domestic_providers", "forecast"]})


#: The columns `localization` shows per input and of the published estimates, in order (a country's dossier too).
LOCALIZATION_COLUMNS = ["input", "name", "view", "localization_lower_pct", "localization_upper_pct",
                        "localization_pct", "domestic_providers"]
PUBLISHED_LOCALIZATION_COLUMNS = ["product", "period", "value", "unit", "status", "publisher", "original_publisher",
                                  "definition"]


def _named(store: Store, report: dict[str, Any]) -> dict[str, Any]:
    """``report`` with its country's name (for a chart's title) as ``country_name``."""
    rows = store.rows("countries", id=report["country"])
    return {**report, "country_name": str(rows[0]["name"]) if rows else report["country"]}


@app.command("dossier")
def dossier(entity: Annotated[str, typer.Argument(help="A firm, an input or a country (name, alias, code or id).")],
            at: AtOption = None,
            out: Annotated[Path | None, typer.Option(
                "--out", help="Write it all: FILE.xlsx, one sheet per table after a summary sheet; else a folder, "
                              "one CSV file per table and summary.csv.")] = None,
            fmt: FormatOption = Format.table, table: TableOption = None) -> None:
    """Everything known about a firm, an input or a country: facts with their sources, supplies and suppliers,
    owners and listings, the rules that reach it at a date, what saved scenarios change for it, and the sources
    cited."""
    with _errors_exit():
        report = _with_store(lambda store: api.dossier(store, entity, at).as_report())
        if out is not None:
            from chipshift.render import write_csv_folder, write_workbook

            columns = DOSSIER_COLUMNS[report["entity_kind"]]
            if out.suffix.lower() == ".xlsx":
                written = [f"{out} ({', '.join(write_workbook(report, out, columns))})"]
            else:
                written = [str(p) for p in write_csv_folder(report, out, columns)]
            print(f"dossier of {report['entity']} ({report['entity_kind']}) at {report['at']}: " + "; ".join(written),
                  file=sys.stderr)
            return
    print_report(report, fmt, "facts", _out, table=table, columns=DOSSIER_COLUMNS[report["entity_kind"]],
                 secondary=DOSSIER_SECONDARY[report["entity_kind"]])


#: The columns a dossier shows of each of its tables, by kind of entity, in order: those of the question each
#: table comes from (a CSV file or a workbook's sheet has these first, then every other column), and those a
#: narrow terminal may leave out. Shares are in percent, their keys ending in `_pct`; a fact's unit is its `unit`.
_FACTS = ["metric", "product", "region", "definition", "period", "value", "unit", "status", "publisher"]
_DOSSIER_SHARED = {
    "facts": _FACTS,
    "rules_reaching_it": RULES_IN_FORCE_COLUMNS,
    "scenario_changes": ["scenario", "name", "inputs_changed", "rules_added", "rules_removed", "inputs"],
    "sources": ["id", "publisher", "original_publisher", "title", "published", "reliability", "url"]}
DOSSIER_COLUMNS: dict[str, dict[str, list[str]]] = {
    "firm": {**_DOSSIER_SHARED, **FIRM_COLUMNS,
             "rules_binding_its_sales": ["id", "kind", "imposed_by", "policy", "start", "reach", "inputs",
                                         "buyers_cut_off", "relaxed_by", "name"]},
    "input": {**_DOSSIER_SHARED, **INPUT_COLUMNS,
              "parents": ["id", "name", "relation"], "children": ["id", "name", "relation"]},
    "country": {**_DOSSIER_SHARED, "firms_headquartered": ["id", "name"],
                "exposure_by_stage": EXPOSURE_BY_STAGE_COLUMNS, "exposure_by_input": EXPOSURE_BY_INPUT_COLUMNS,
                "localization_by_input": LOCALIZATION_COLUMNS,
                "localization_published": PUBLISHED_LOCALIZATION_COLUMNS}}
_DOSSIER_SECONDARY_SHARED = {
    "facts": ["region", "status", "definition", "publisher"],
    "rules_reaching_it": ["kind", "relaxed_in_part_by", "inputs_covered", "relaxed_by", "reach", "name"],
    "scenario_changes": ["inputs"], "sources": ["original_publisher", "reliability", "published", "url"]}
DOSSIER_SECONDARY: dict[str, dict[str, list[str]]] = {
    "firm": {**_DOSSIER_SECONDARY_SHARED, **FIRM_SECONDARY,
             "rules_binding_its_sales": ["relaxed_by", "buyers_cut_off", "name"]},
    "input": {**_DOSSIER_SECONDARY_SHARED, **INPUT_SECONDARY},
    "country": {**_DOSSIER_SECONDARY_SHARED, "exposure_by_input": ["stages", "barred_providers"],
                "localization_by_input": ["view", "domestic_providers"],
                "localization_published": ["original_publisher", "definition"]}}


@app.command("impairment")
def impairment(target: TargetArgument, at: AtOption = None, scenario: ScenarioOption = None,
               threshold: Annotated[float, typer.Option(min=0, max=100, help="Availability (percent, 0-100) below "
                                                             "which an input impairs the processes it feeds.")]
               = 50.0,
               fmt: FormatOption = Format.table,
               table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Processes and stages impaired because inputs they need fall below the threshold."""
    with _errors_exit():
        report = _with_store(lambda store: api.impairment(store, target, at, scenario, threshold).as_report())
    print_report(report, fmt, "processes", _out, table=table, out_dir=csv_out, columns={
        "processes": ["process", "name", "stages", "impaired", "via_upstream"]})


@app.command("diff")
def diff(target: TargetArgument, at: AtOption = None,
         to: Annotated[str | None, typer.Option("--to", help="Second date (default: the same date).")] = None,
         scenario: ScenarioOption = None,
         against: Annotated[Path | None, typer.Option("--against", help="Second scenario file (default: the "
                                                                        "first, or the baseline).")] = None,
         segment: SegmentOption = None, fmt: FormatOption = Format.table,
         table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """How availability changes between two dates or two scenarios, by input; between two dates, also the
    screening-list entries of the target's firms added and removed (recorded by re-imports of the list)."""
    with _errors_exit():
        report = _with_store(lambda store: api.diff(store, target, at, to, scenario, against, segment).as_report())
    print_report(report, fmt, "inputs", _out, table=table, out_dir=csv_out, columns={
        "inputs": ["input", "name", "before_lower_pct", "after_lower_pct", "before_upper_pct", "after_upper_pct",
                   "newly_barred", "no_longer_barred"],
        "listings_added": ["date", "list", "firms", "federal_register_notice", "entry"],
        "listings_removed": ["date", "list", "firms", "federal_register_notice", "entry"]})


scenario_app = typer.Typer(help="Market scenarios: who takes the demand when a supplier is barred.",
                           no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")


def _parse_sets(items: list[str]) -> dict[str, float]:
    """``--set ID=VALUE`` options as parameter overrides; ``ChipshiftError`` (exit 2) on bad syntax."""
    overrides: dict[str, float] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name, raw = name.strip(), raw.strip()
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not sep or not name or value != value or value in (float("inf"), float("-inf")):
            raise ChipshiftError(f"--set {item!r}: expected ID=NUMBER, e.g. --set sigma=2.5")
        if name in overrides:
            raise ChipshiftError(f"--set {name} given twice")
        overrides[name] = value
    return overrides


@contextmanager
def _draw_progress(draws: int, label: str = "Monte Carlo draws") -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr (when stderr is a terminal and there is work)."""
    if draws <= 0 or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=draws)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@scenario_app.command("run")
def scenario_run(path: Annotated[Path, typer.Argument(help="Market scenario file (kind: market), e.g. "
                                                           "examples/micron-china.yaml.")],
                 draws: Annotated[int, typer.Option(help="Draws for the bands (0: none): from the posterior with the "
                                                         "model's learned error (linked cases), else over the "
                                                         "parameters' sourced ranges.")] = 0,
                 seed: Annotated[int, typer.Option(help="Random seed of the draws.")] = 20261125,
                 calibration_draws: Annotated[int, typer.Option(
                     help="Linked cases: prior draws per round of the Bayesian calibration (fewer: faster, "
                          "rougher).")] = 4000,
                 set_: Annotated[list[str] | None, typer.Option(
                     "--set", metavar="ID=VALUE", help="Hold a parameter at a value within its sourced range "
                     "(neither fitted nor drawn), e.g. --set sigma=2.5; repeatable.")] = None,
                 out: Annotated[Path | None, typer.Option(help="Folder for tables (CSV, Parquet, JSON) and charts "
                                                               "(PNG, SVG).")] = None,
                 scenario: Annotated[Path | None, typer.Option(
                     help="A restriction scenario file (rules added, removed, edited) to run a linked case under; "
                          "rules it adds that bar act wherever they reach the case's sellers for certain.")] = None,
                 fmt: FormatOption = Format.table,
                 table: TableOption = None) -> None:
    """Calibrate a market case to its observations, run it over the years, and report bands and sources."""
    _output_folder(out)
    with _errors_exit():
        overrides = _parse_sets(set_ or [])
        with _draw_progress(draws) as progress:
            from chipshift.api import market_runs as market_api

            report = _with_store(lambda store: market_api.run_case(store, path, draws, seed, overrides, scenario,
                                                                   progress, calibration_draws).as_report())
    for warning in report.get("warnings") or ():
        _err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    if out is not None:
        from chipshift.reports.market_run_files import write_outputs

        with _errors_exit():
            report["files"] = [str(out / name) for name in write_outputs(report, out)]
    linked = report.get("model") == "linked"  # linked markets: outputs by period, the headline ones in the table
    when = "period" if linked else "year"
    shown = report if fmt is not Format.table else {
        # the words and publishers the charts use stay in the JSON (and the files); the table shows the figures
        **{k: v for k, v in report.items() if k not in ("outputs", "published_beside_model", "calibration", "names",
                                                        "publishers", "output_text", "facts", "documents",
                                                        "rests_on")},
        "calibration": report["calibration"]["statement"], "fitted": report["calibration"]["fitted"],
        "rmse": report["calibration"]["rmse"], "fit": report["calibration"]["table"],
        "outputs": [r for r in report["outputs"] if _headline(r["output"])] if linked else
        [r for r in report["outputs"] if "@" not in r["output"]],
    }
    if fmt is Format.table:  # each output by its chart's title ("Micron's share of revenue from China")
        titles = {o: t["title"] for o, t in (report.get("output_text") or {}).items()}
        for name in (n for n in ("outputs", "fit", "sensitivity") if shown.get(n)):
            shown[name] = [{**r, "output": titles.get(r["output"], r["output"])} if "output" in r else r
                           for r in shown[name]]
    if linked and fmt is Format.table:
        shown["rmse"] = None if shown["rmse"] is None else f"{shown['rmse']} (of {report['calibration']['rmse_of']})"
        shown["outputs_shown"] = "the headline outputs (prices, localization, revenue shares); every output " \
                                 "with --format json or csv"
    print_report(shown, fmt, "outputs", _out, table=table, columns={
        "parameters": ["id", "value", "default", "low", "high", "fitted", "monte_carlo", "overridden"],
        "fit": ["output", when, "observed", "model", "error", "fitted_to", "fact", "basis"],
        "sensitivity": ["output", when, "parameter", "at_low", "at_high", "swing", "rank"] if not linked else
        ["output", when, "parameter", "total", "total_ci", "first_order", "at_low", "at_high", "rank"]})


def _headline(output: str) -> bool:
    """A linked run's output shown in the table: a market's price, a region's localization, an owner's share of
    revenue from a region."""
    from chipshift.api.market_runs import LINKED_HEADLINES
    from chipshift.scenarios.market_case_check import linked_output

    spec = linked_output(output)
    return spec is not None and spec.pattern in LINKED_HEADLINES


@scenario_app.command("compare")
def scenario_compare(a: Annotated[Path, typer.Argument(help="Market case file (kind: market).")],
                     b: Annotated[Path | None, typer.Argument(
                         help="A second market case file; default: the same file as a, so that its variants "
                              "(--set-b, --scenario-b) are compared with it.")] = None,
                     set_a: Annotated[list[str] | None, typer.Option(
                         "--set-a", metavar="ID=VALUE", help="Hold a parameter of side a at a value within its "
                         "sourced range; repeatable.")] = None,
                     set_b: Annotated[list[str] | None, typer.Option(
                         "--set-b", metavar="ID=VALUE", help="The same for side b, e.g. --set-b sigma=2.5.")] = None,
                     scenario_a: Annotated[Path | None, typer.Option(
                         help="A restriction scenario file to run side a under (linked cases).")] = None,
                     scenario_b: Annotated[Path | None, typer.Option(
                         help="A restriction scenario file to run side b under (linked cases), e.g. "
                              "examples/us-bars-korean-hbm-2026.yaml.")] = None,
                     draws: Annotated[int, typer.Option(
                         help="Draws for each side's 5-95% band (0: values at the fitted parameters only).")] = 0,
                     seed: Annotated[int, typer.Option(help="Random seed of the draws (the same on both sides).")]
                     = 20261125,
                     fmt: FormatOption = Format.table,
                     table: TableOption = None, csv_out: CsvOutOption = None) -> None:
    """Two market runs side by side, by output and year (or period), with b - a: variants of one case (parameters
    held, a restriction scenario), or two cases' shared outputs."""
    with _errors_exit():
        from chipshift.api import market_runs as market_api

        left = market_api.Variant(a, _parse_sets(set_a or []), scenario_a)
        right = market_api.Variant(b or a, _parse_sets(set_b or []), scenario_b)
        with _draw_progress(2 * draws) as progress:
            report = _with_store(lambda store: market_api.compare_cases(store, left, right, draws=draws, seed=seed,
                                                                        progress=progress).as_report())
    shown = report
    if fmt is Format.table:  # the rows that differ; every row with --format json or csv
        titles = {o: t["title"] for o, t in (report.get("output_text") or {}).items()}  # outputs in words
        changed = [{**r, "output": titles.get(r["output"], r["output"])} for r in report["differences"]
                   if r["difference"] != 0]
        # the cited facts, with their sources and words, stay in the JSON and CSV (--table facts)
        shown = {**{k: v for k, v in report.items() if k not in ("variants", "output_text", "facts")},
                 "differences": changed,
                 "rows_shown": f"{len(changed)} of {len(report['differences'])}: those that differ (every row with "
                               "--format json or csv)"}
    print_report(shown, fmt, "differences", _out, table=table, out_dir=csv_out)


@app.command("backtest")
def backtest(paths: Annotated[list[Path] | None, typer.Argument(
                 help="Episode files (linked market cases with an `episode:` block); default: the bundled library.")]
             = None,
             draws: Annotated[int, typer.Option(help="Posterior predictive draws per episode.")] = 1000,
             steps: Annotated[int, typer.Option(help="Sampler steps per episode (the first half is burn-in).")]
             = 400,
             seed: Annotated[int, typer.Option(help="Random seed (episode k uses seed + 1000 k).")] = 20261203,
             workers: Annotated[int | None, typer.Option(
                 help="Run the episodes on a local dask.distributed cluster of this many worker processes.")]
             = None,
             scheduler: Annotated[str | None, typer.Option(
                 help="Run the episodes on an existing dask.distributed cluster, e.g. tcp://host:8786.")] = None,
             out: Annotated[Path | None, typer.Option(help="Folder for the scorecard's tables (CSV, Parquet, "
                                                           "JSON) and chart (PNG, SVG).")] = None,
             alone: Annotated[bool, typer.Option(
                 "--alone", help="Score the given episodes without running the bundled library for the model's "
                                 "error (faster; intervals then far too narrow).")] = False,
             fmt: FormatOption = Format.table,
             table: TableOption = None) -> None:
    """Score the market model out of sample: calibrate each episode on what was known before its restriction,
    predict what followed, and print per outcome and overall the direction hit rate, the share within
    +/-50% of the observed change, 50% and 90% interval coverage, CRPS and interval score."""
    from chipshift.api import backtest as backtest_api

    _output_folder(out)
    with _errors_exit():
        bundled = backtest_api.library(_state.settings.data_dir)
        total = len(bundled) if not paths else len(paths) + (0 if alone else len(bundled))
        with _draw_progress(total, "episodes") as progress:
            report = _with_store(lambda store: backtest_api.backtest(
                store, paths or (), draws=draws, steps=steps, seed=seed, workers=workers, scheduler=scheduler,
                progress=progress, data_dir=_state.settings.data_dir, alone=alone).as_report())
    if out is not None:
        from chipshift.reports.backtest import write_backtest

        with _errors_exit():
            report["files"] = [str(out / name) for name in write_backtest(report, out)]
    for warning in report["warnings"]:
        _err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    shown = report if fmt is not Format.table else {
        "scorecard": report["scorecard"], "held_out": report["scorecard_held_out"], "targets": report["targets"],
        "by_horizon": report["scorecard_by_horizon"], "by_mechanism": report["scorecard_by_mechanism"],
        "by_change": report["scorecard_by_change"],
        "outcomes": report["outcomes"],
        "episodes": [{k: e[k] for k in ("episode", "mechanism", "as_of", "written", "outcomes", "targets",
                                        "seconds")}
                     | {"sampler": e["sampler"]["method"],
                        "not_identified": ", ".join(p["parameter"] for p in e["parameters"] if not p["identified"])}
                     for e in report["episodes"]],
        **({"files": report["files"]} if "files" in report else {})}
    print_report(shown, fmt, "outcomes", _out, table=table, columns={
        "outcomes": ["episode", "output", "from", "period", "observed_change", "median_change", "p25", "p75", "p5",
                     "p95", "direction", "size", "in50", "in90", "crps"]})


@app.command("serve")
def serve(host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port.")] = 8000,
          write_token: Annotated[str | None, typer.Option(help="Token that enables writes (saving scenarios); "
                                                                "default $CHIPSHIFT_WRITE_TOKEN; none: read-only.")]
          = None,
          workers: Annotated[int, typer.Option(help="Worker processes sharing the store (above 1: a PostgreSQL "
                                                    "store only).")] = 1) -> None:
    """Serve the web UI and the REST API (/api/v1, OpenAPI at /openapi.json, docs at /docs)."""
    from chipshift.web.serve import serve as run_server

    with _errors_exit():
        run_server(_state.settings.store_path, host, port, write_token, _state.settings.data_dir, workers)


@app.command("mcp")
def mcp(http: Annotated[bool, typer.Option("--http", help="Serve streamable HTTP (at /mcp) instead of stdio.")]
        = False,
        host: Annotated[str, typer.Option(help="Address to bind with --http (loopback by default).")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port with --http.")] = 8000,
        write_token: Annotated[str | None, typer.Option(help="Token that enables the tools that write to the store "
                                                             "(imports, accepting a document's claims, saving "
                                                             "scenarios); each call passes it. Default "
                                                             "$CHIPSHIFT_MCP_TOKEN; none: read-only.")]
        = None) -> None:
    """Serve the API's questions as tools of a Model Context Protocol server, over stdio (for an MCP client
    that starts it) or streamable HTTP; read-only unless given a write token."""
    from chipshift.mcp_server import serve as run_server

    with _errors_exit():
        run_server(_state.settings, http, host, port, write_token)


@app.command("report")
def report(scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML): restrictions, or a market case "
                                                                  "(kind: market).")],
           out: Annotated[Path, typer.Option(help="HTML file to write.")] = Path("report.html"),
           target: Annotated[str | None, typer.Option(help="Destination (default: the scenario's first "
                                                           "target country, else CHN).")] = None,
           at: AtOption = None) -> None:
    """Write a self-contained HTML report of a scenario (charts embedded, sources listed; opens offline)."""
    from chipshift.web.report import write_report

    with _errors_exit():
        path = _with_store(lambda store: {"path": str(write_report(store, scenario, out, target, at))})
    _out.print(f"wrote {path['path']}", highlight=False)


class IngestFormat(StrEnum):
    table = "table"
    json = "json"
    html = "html"


@app.command("ingest")
def ingest(files: Annotated[list[str] | None, typer.Argument(help="Text, HTML or Markdown files; '-' reads "
                                                                  "standard input.")] = None,
           url: Annotated[str | None, typer.Option(help="Where the document was published (fetched only when "
                                                        "no file is given).")] = None,
           date: Annotated[str | None, typer.Option(help="Document date, YYYY-MM-DD (resolves 'last year', "
                                                         "'Q3').")] = None,
           fmt: Annotated[IngestFormat, typer.Option("--format", "-f", help="Output format.")] = IngestFormat.table,
           accept: Annotated[bool, typer.Option(help="Store the claims as facts (status claim) and candidate "
                                                     "rules (unreviewed), with the document as their source.")]
           = False) -> None:
    """Extract claims, events and citations from documents and check them against the knowledge base."""
    from chipshift.api.documents import ingest as read_documents
    from chipshift.ingest.command import table_view
    from chipshift.ingest.html import render_html

    with _errors_exit():
        report = _with_store(lambda store: read_documents(store, list(files or []), url, date, accept).as_report())
    if fmt is IngestFormat.html:
        print(render_html(report))
    elif fmt is IngestFormat.json:
        print_report(report, Format.json, None, _out)
    else:
        print_report(table_view(report), Format.table, None, _out)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="chipshift")



if __name__ == "__main__":  # pragma: no cover
    main()


def _output_rules() -> list[str]:
    """How answers are printed, stated once at the head of docs/cli.md (numbers from the renderer)."""
    from chipshift.render import LIST_SEPARATOR, MIN_WORD_WIDTH, PIPE_WIDTH

    return [
        "## Tables and CSV",
        "",
        "`--format table` (the default) prints an answer's single values, then each of its tables fitted to the",
        f"width: `$COLUMNS` when set, else the terminal's, else {PIPE_WIDTH} characters when the output is not a "
        "terminal.",
        "",
        "- Countries, firms, inputs and production stages are named in words (`United States`, not `USA`;",
        "  `Fabrication`, not `S2`; an input's id stays beside its name), metrics and units in the vocabulary's",
        "  words, a market run's outputs by their charts' titles; `--format json` and `csv` keep the ids and codes.",
        "- Ids, codes, dates and numbers (cells without spaces) are never split across lines; text wraps at spaces",
        f"  within its cell (a column of text is at least as wide as its longest word, up to {MIN_WORD_WIDTH} "
        "characters;",
        "  a longer word folds). A heading breaks after an underscore.",
        "- When a table does not fit, the columns each command declares secondary are left out, the last declared",
        "  first, and named under the table (`not shown at N columns: ...`); no other column is left out. When even",
        "  that does not fit, each record is printed as its own block of `column: value` lines.",
        "- A rule's reach is said with what it means, from the glossary the web pages use (`reports.labels.TERMS`):",
        "  under a table with a `reach` column (`show firm`, a dossier's rules, `restrictions list`) a line such as",
        "  `reach \"whole\": the rule cuts off every buyer it targets at the destination`, each term it shows once; a",
        "  rule's `buyers_reach` (`restrictions show`) with its meaning in brackets after it.",
        "- A list of records inside a row (the providers an input's `maybe_barred` names, say) is a table of its own,",
        "  `table.field` (`inputs.maybe_barred`), each of its rows led by the parent row's first column (and its",
        "  `at`, `period` or `year`, where it has one); the parent's cell names the records joined by "
        f"`{LIST_SEPARATOR}`.",
        "  A mapping is one column per key (`scenario.name`). A list of plain values is one cell, joined by "
        f"`{LIST_SEPARATOR}` in CSV.",
        "  No cell holds JSON (`--format json` prints the answer whole).",
        "- `--format csv` prints the main table, or `--table NAME` (nested tables included); the other tables are",
        "  named on stderr. `--out DIR` writes every table, one file each, and the single values to `summary.csv`.",
        "- The columns a command declares for a table come first in a CSV file or a workbook's sheet (`dossier",
        "  --out`), in the order the terminal shows them, then every other column the table has: none is left out.",
        "- Every share is a percent (0-100) and its column's name ends in `_pct` (docs/answers.md, Units); a figure",
        "  quoted from a source has its unit in the `unit` column beside it.",
    ]


def _input_rules() -> list[str]:
    """What every command refuses, stated once at the head of docs/cli.md (numbers from the readers)."""
    from chipshift.io.cset import SHARE_SUM_RANGE
    from chipshift.io.tables import MAX_CSV_BYTES, MAX_YAML_BYTES

    mb = 1024 * 1024
    return [
        "## Bad input",
        "",
        f"Bad input exits with code {BAD_INPUT} and a message naming the file, line and field; nothing already",
        "stored is changed. Every command refuses:",
        "",
        f"- YAML files (`rules.yaml`, scenario files, market cases) over {MAX_YAML_BYTES // mb} MB and CSV tables "
        f"over {MAX_CSV_BYTES // mb} MB,",
        "  before reading them;",
        "- YAML aliases (`*name`): write every value out; duplicate keys in a mapping (the file, line and key are",
        "  named);",
        "- a field declared true/false holding anything else: YAML `true`/`false` (`yes`, `no`, `on`, `off` are",
        "  text), in CSV cells `true` or `false` in any case, blank for unknown;",
        "- a rule threshold that compares a number with something else (`tpp: {gte: \"high\"}`);",
        "- a scenario that adds a rule whose id the baseline has: change it with `edit`, or `remove` it and add",
        "  it again;",
        "- a value outside an option's choices (the message lists them) and thresholds outside [0, 100]: both",
        "  `chokepoints --threshold` and `impairment --threshold` are percents;",
        "- a store file (`--store`) that cannot be read (damaged, cut short, not a store);",
        "- a path to read or write that the system refuses (missing, not a folder, not writable); an output",
        "  folder (`--out`) is made and checked before any computing;",
        "- a CSET table whose row count (or count of provider ids) differs from what the dataset's README",
        "  states, unless `import cset --allow-partial` (each difference is then a warning). Nodes whose numeric",
        f"  country shares sum outside [{SHARE_SUM_RANGE[0]:g}, {SHARE_SUM_RANGE[1]:g}]% are named in a warning.",
    ]


def command_reference() -> str:
    """Markdown of every command's --help, for docs/cli.md (a test keeps the two in step)."""
    from typer.testing import CliRunner

    runner = CliRunner()
    out = ["# Command reference", "", "Generated by `python -m chipshift.cli_docs`; a test fails when it drifts.", "",
           *_input_rules(), "", *_output_rules(), ""]

    def walk(command: Any, path: list[str]) -> None:
        env = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
        result = runner.invoke(app, [*path, "--help"], prog_name="chipshift", env=env)
        out.extend([f"## `{' '.join(['chipshift', *path])}`", "", "```", result.output.rstrip(), "```", ""])
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return "\n".join(out)
