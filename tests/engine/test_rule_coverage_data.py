"""Bundled rules that once changed no availability figure now reach the supply shares their text is about.

Each rule is checked the same way, over the bundled data alone and with the CSET import: at a date when the
rule is in force, the target's lower bound of availability of the input is lower than with the rule removed
(the direction the rule's text gives), and the rule names the providers it bars. A rule whose products are
rows of the CSET tables (Japan's tool list) is checked with the import only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from chipshift import api
from chipshift.config import Settings, store_location
from chipshift.io.bundled import load_bundle
from chipshift.io.store import Store
from tests.conftest import StoreAt

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)

# rule, target, input, a date when the rule is in force, a provider it bars (country or firm)
CASES = [
    ("E-JP-KR-2019", "KOR", "photoresist", "2020-01-01", "JPN"),
    ("E-JP-KR-2019", "KOR", "hydrogen_fluoride", "2020-01-01", "JPN"),
    ("E-JP-KR-2019", "KOR", "fluorinated_polyimide", "2020-01-01", "JPN"),
    ("E-JP-SME-2023", "CHN", "N36", "2023-08-01", "JPN"),  # deposition, one of its six categories (a CSET row)
    ("E-EDA-MAY2025", "CHN", "eda_software", "2025-06-01", "USA"),
    ("E-ASUS-RUS-HALT-MAR2022", "RUS", "personal_computers", "2022-03-20", "asus"),
    ("E-ACER-RUS-EXIT-APR2022", "RUS", "personal_computers", "2022-05-01", "acer"),
]


@pytest.fixture(scope="module")
def bundle_only_store(session_store_at: StoreAt) -> Iterator[Store]:
    """The bundled data without any import: the rules must reach their inputs there too."""
    with api.open_store(Settings(store_path=session_store_at("bundle-only"))) as store:
        yield store


@pytest.fixture(params=["bundle only", "with CSET"])
def store(request: pytest.FixtureRequest) -> Store:
    name = "bundle_only_store" if request.param == "bundle only" else "bundled_store"
    found: Store = request.getfixturevalue(name)
    return found


def _row(store: Store, target: str, item: str, at: str, remove: list[str]) -> dict[str, object]:
    scenario = {"name": "without the rule", "at": at, "remove": remove} if remove else None
    answer = api.availability(store, target, item, at=at, scenario=scenario).as_report()
    rows = [r for r in answer["inputs"] if r["input"] == item]
    assert len(rows) == 1, (target, item)
    row: dict[str, object] = rows[0]
    return row


def _barring(row: dict[str, object]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for column in ("barred", "maybe_barred"):
        for entry in row[column] or []:  # type: ignore[attr-defined]
            out.setdefault(entry["provider"], set()).update(entry["rules"])
    return out


@pytest.mark.parametrize(("rule", "target", "item", "at", "provider"), CASES,
                         ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_rule_lowers_the_targets_availability(store: Store, rule: str, target: str, item: str, at: str,
                                              provider: str) -> None:
    if item not in store.input_ids():
        pytest.skip(f"{item} is a row of the CSET tables: the rule reaches it once they are imported")
    with_rule = _row(store, target, item, at, [])
    without = _row(store, target, item, at, [rule])
    assert float(with_rule["available_lower_pct"]) < float(without["available_lower_pct"])  # type: ignore[arg-type]
    assert rule in _barring(with_rule).get(provider, set())
    assert rule not in str(without["rules"] or "")


def test_rules_bite_before_and_not_after_their_dates(bundle_only_store: Store) -> None:
    """The EDA licence requirement (23 May to 2 Jul 2025) and Japan's Korean licences (4 Jul 2019 to
    23 Mar 2023) change the figures only while in force."""
    for target, item, before, during, after in (("CHN", "eda_software", "2025-05-01", "2025-06-01", "2025-08-01"),
                                                ("KOR", "photoresist", "2019-06-01", "2020-01-01", "2023-06-01")):
        lower = {when: float(_row(bundle_only_store, target, item, when, [])["available_lower_pct"])  # type: ignore[arg-type]
                 for when in (before, during, after)}
        assert lower[during] < lower[before] == lower[after] == 100.0, (item, lower)


def test_dutch_nexperia_order_is_the_rule_its_suspension_relaxes() -> None:
    rules = {r["id"]: r for r in load_bundle()["rules"].rows}
    relaxation = rules["E-NEXPERIA-RELAX-NOV2025"]
    assert relaxation["relaxes"] == ["E-NL-NEXPERIA-ORDER-SEP2025"]
    order = rules["E-NL-NEXPERIA-ORDER-SEP2025"]
    assert order["imposed_by"] == "NLD" and order["effective"] == "2025-09-30" and order["source"]
    assert order["unquantified"]  # it covers no product: the reason is stated


@pytest.mark.parametrize("with_cset", [False, True], ids=["bundle only", "with CSET"])
def test_validation_leaves_none_of_these_rules_unexplained(with_cset: bool, bundled_store: Store) -> None:
    settings = Settings(store_path=store_location(bundled_store.path))
    report = api.validate_data(settings, bundled_store if with_cset else None)
    ids = {"E-JP-KR-2019", "E-JP-SME-2023", "E-EDA-MAY2025", "E-ASUS-RUS-HALT-MAR2022", "E-ACER-RUS-EXIT-APR2022",
           "E-NEXPERIA-RELAX-NOV2025", "E-IN-PC-IMPORT-LICENCE-AUG2023"}
    starts = sorted((r.line, str(r["id"])) for r in load_bundle()["rules"].rows)
    spans = {rule: (line, nxt) for (line, rule), (nxt, _) in zip(starts, [*starts[1:], (10**9, "")], strict=True)}
    flagged = [p.message for p in report.problems if p.file == "rules.yaml" and p.severity != "notice"
               and p.line is not None and any(spans[i][0] <= p.line < spans[i][1] for i in ids)]
    assert flagged == []


def test_engine_doc_counts_the_rules_that_change_no_figure() -> None:
    """docs/engine.md quotes how many bundled rules change no figure; the count follows the data."""
    text = " ".join((Path(__file__).resolve().parents[2] / "docs" / "engine.md").read_text(encoding="utf-8").split())
    found = re.search(r"Of the (\d+) bundled rules that are not relaxations, (\d+) change no figure", text)
    assert found
    bundle = load_bundle()
    rules = [r for r in bundle["rules"].rows if r["kind"] != "relaxation"]
    assert (int(found[1]), int(found[2])) == (len(rules), sum(1 for r in rules if r["unquantified"]))
    # of those, the rules with a product on the semiconductor supply chain (not every product a good whose chain
    # is 'other')
    chain = re.search(r"of the (\d+) on the semiconductor supply chain \(a product of theirs inside it, below\), "
                      r"(\d+) do", text)
    assert chain
    other = {i["id"] for i in bundle["inputs"].rows if i["chain"] == "other"}
    chip = [r for r in rules if not (r["products"] and all(p["input"] in other for p in r["products"]))]
    assert (int(chain[1]), int(chain[2])) == (len(chip), sum(1 for r in chip if r["unquantified"]))
