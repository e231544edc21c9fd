"""Which providers and buyers of an input are on a screening list: the API's answer, `show input`, and the web
explorer's input page (Debian's chromium, as in test_browser), over the bundled data with CSET and a small list
the test writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page
from tests.conftest import StoreAt
from tests.web.conftest import EXAMPLES
from tests.web.test_browser import _open, _shot, page, serve

from chipshift import api
from chipshift.config import Settings
from chipshift.io.store import Store
from chipshift.web import create_app

__all__ = ["page"]  # the browser fixture, over this module's server
EL = "Entity List (EL) - Bureau of Industry and Security"
ENTRIES = [
    {"name": "PVA TePla AG", "source": EL, "entity_number": "1", "addresses": [{"country": "DE"}],
     "license_policy": "Case-by-case review", "federal_register_notice": "91 FR 10", "start_date": "2026-02-03"},
    {"name": "Shanghai Xinsheng Semiconductor Technology Co., Ltd.", "alt_names": ["Zingsemi"], "source": EL,
     "entity_number": "2",
     "addresses": [{"country": "CN"}], "license_policy": "Presumption of denial",
     "federal_register_notice": "89 FR 96837", "start_date": "2024-12-05"},
]


@pytest.fixture(scope="module")
def listed_settings(tmp_path_factory: pytest.TempPathFactory, session_store_at: StoreAt, cset_dir: Path) -> Settings:
    folder = tmp_path_factory.mktemp("listed")
    settings = Settings(store_path=session_store_at("listed"))
    with api.open_store(settings) as store:
        api.import_cset(store, cset_dir)
        (folder / "list.json").write_text(json.dumps({"results": ENTRIES}))
        api.import_csl(store, folder / "list.json", published="2026-07-31")
    return settings


@pytest.fixture(scope="module")
def listed_store(listed_settings: Settings) -> Iterator[Store]:
    with api.open_store(listed_settings) as store:
        yield store


def test_providers_and_buyers_of_an_input_with_their_listings(listed_store: Store) -> None:
    answer = api.input_listings(listed_store, "Crystal growing furnaces")
    assert answer.input == "N8" and answer.list_imported and answer.list_published == "2026-07-31"
    assert answer.lists_of("pva-tepla", "provider") == ["EL"]
    assert answer.lists_of("zingsemi", "buyer") == ["EL"]  # a wafer maker: furnaces go into wafers
    report = api.show_input(listed_store, "N8")
    rows = {(r.role, r.firm): r for r in report.listings}
    assert set(rows) == {("provider", "pva-tepla"), ("buyer", "zingsemi")}
    assert (rows[("provider", "pva-tepla")].since, rows[("provider", "pva-tepla")].federal_register_notice) == (
        "2026-02-03", "91 FR 10")
    assert rows[("buyer", "zingsemi")].through == ("N26",) and rows[("buyer", "zingsemi")].since == "2024-12-05"
    buyers = {b.firm: b for b in report.buyers}
    assert "sumco" in buyers and buyers["sumco"].listed == () and buyers["zingsemi"].listed == ("EL",)
    assert {f.provider: f.listed for f in report.firms} == {"pva-tepla": ("EL",)}


@pytest.fixture(scope="module")
def base_url(listed_settings: Settings, listed_store: Store) -> Iterator[str]:
    yield from serve(create_app(listed_settings, store=listed_store, examples_dir=EXAMPLES))


def test_input_page_shows_listed_providers_and_buyers(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}/explorer?input=N8")
    page.wait_for_selector("#detail h1:has-text('Crystal growing furnaces')")
    page.wait_for_selector("#detail h2:has-text('on screening lists')")
    detail = page.locator("#detail").inner_text()
    assert "Buyers (13)" in detail and "Providers and buyers on screening lists (2)" in detail
    listed = page.locator("#detail table.data").filter(has_text="Federal Register").inner_text()
    assert "ZingSEMI" in listed and "buyer" in listed and "2024-12-05" in listed and "89 FR 96837" in listed
    assert "PVA TePla" in listed and "provider" in listed
    _shot(page, "explorer-input-listings")
