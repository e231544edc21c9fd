"""Searching the rules table (``api.restrictions_search``): the question the Restrictions page asks, from Python,
the command line, the REST API and the MCP server alike."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from chipshift import api
from chipshift.api import answers
from chipshift.cli import app
from chipshift.config import Settings
from chipshift.errors import NotFoundError
from chipshift.io.store import Store
from tests.conftest import StoreAt


def test_filters_combine_and_a_product_says_how_each_rule_reaches_it(bundled_store: Store) -> None:
    found = api.restrictions_search(bundled_store, "CHN", product="DRAM")
    assert isinstance(found, answers.RuleSearchAnswer) and found.count == len(found.rules)
    assert found.rules and all(r.imposed_by == "CHN" and r.reach in ("certain", "maybe") for r in found.rules)
    assert {r.id: r.reach for r in found.rules}["E-CN-MICRON-2023"] == "certain"
    assert found.filters.imposer == "CHN" and found.filters.product == "DRAM" and found.filters.from_ is None
    everything = api.restrictions_search(bundled_store)
    assert everything.count == bundled_store.count("rules") and all(r.reach is None for r in everything.rules)
    assert "USA" in everything.imposers and "entity_listing" in everything.kinds
    starts = [r.start for r in everything.rules if r.start]
    dated = [r.start is not None for r in everything.rules]
    assert starts == sorted(starts) and dated == sorted(dated, reverse=True)  # undated rules come last
    window = api.restrictions_search(bundled_store, start="2019-01-01", end="2019-12-31")
    assert window.rules and all(r.start is not None and r.start <= "2019-12-31" for r in window.rules)
    assert window.as_report()["filters"]["from"] == "2019-01-01"  # the JSON the web's timeline reads
    reported = api.restrictions_search(bundled_store, status="reported")
    assert all(r.status == "reported" for r in reported.rules)


def test_unknown_filters_are_named(bundled_store: Store) -> None:
    with pytest.raises(NotFoundError, match="kind"):
        api.restrictions_search(bundled_store, kind="embargo")
    with pytest.raises(NotFoundError, match="status"):
        api.restrictions_search(bundled_store, status="rumoured")
    with pytest.raises(NotFoundError, match="input"):
        api.restrictions_search(bundled_store, product="unobtainium")


def test_the_command_line_asks_the_same_question(store_at: StoreAt) -> None:
    runner = CliRunner()
    base = ["--store", str(store_at("rule-search"))]
    result = runner.invoke(app, [*base, "restrictions", "search", "--imposer", "CHN", "--product", "DRAM",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    with api.open_store(Settings(store_path=store_at("rule-search"))) as store:
        expected = api.restrictions_search(store, "CHN", product="DRAM").as_report()
    assert json.loads(result.output) == json.loads(json.dumps(expected))
    table = runner.invoke(app, [*base, "restrictions", "search", "--kind", "relaxation"])
    assert table.exit_code == 0 and "E-ZTE-LIFT-JUL2018" in table.output
    bad = runner.invoke(app, [*base, "restrictions", "search", "--status", "rumoured"])
    assert bad.exit_code == 2 and "status" in bad.output


def test_search_by_supply_chain(bundled_store: Store) -> None:
    """A rule is on the semiconductor supply chain unless every product it names is a good whose chain is 'other'
    (the back-test episodes' goods); the two searches split the rules between them."""
    every = api.restrictions_search(bundled_store)
    chips = api.restrictions_search(bundled_store, chain="semiconductors")
    other = api.restrictions_search(bundled_store, chain="other")
    outside = {r["id"] for r in bundled_store.rows("inputs") if r.get("chain") == "other"}
    assert {r.id for r in chips.rules} | {r.id for r in other.rules} == {r.id for r in every.rules}
    assert not {r.id for r in chips.rules} & {r.id for r in other.rules}
    assert all(r.products and set(r.products) <= outside and r.chain == "other" for r in other.rules)
    by_id = {r.id: r for r in every.rules}
    assert by_id["E-CN-TWN-PINEAPPLE-MAR2021"].chain == "other" and by_id["E-OCT2022"].chain == "semiconductors"
    assert by_id["E-SMIC-2020"].chain == "semiconductors"  # every input ('*')
    with pytest.raises(NotFoundError):
        api.restrictions_search(bundled_store, chain="chips")


def test_a_rule_on_goods_only() -> None:
    from chipshift.domain.rules import on_goods_only

    goods = {"pineapple", "coal"}
    assert on_goods_only(["pineapple"], goods) and on_goods_only(["pineapple", "coal"], goods)
    assert not on_goods_only(["pineapple", "sme"], goods)  # one product on the chip supply chain keeps it there
    assert not on_goods_only(["*"], goods) and not on_goods_only([], goods)  # every input; no product named
