"""In-process API tests of the data endpoints: overview, explorer, search, inputs, firms, facts, sources."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient


def test_overview_counts(client: TestClient) -> None:
    body = client.get("/api/v1/overview").json()
    assert body["provision_rows"] == 1300
    assert body["restriction_rules"] >= 50
    assert body["datasets"][0]["id"] == "cset"


def test_validate_reports_no_errors(client: TestClient) -> None:
    body = client.get("/api/v1/validate").json()
    assert body["ok"] is True and body["errors"] == 0


def test_explorer_tree_has_stages_and_the_37_chokepoints(client: TestClient) -> None:
    body = client.get("/api/v1/explorer").json()
    assert [s["id"] for s in body["stages"]] == ["S1", "S2", "S3", "P"]
    assert body["chokepoints"] >= 37  # ETO's 37 CSET nodes, and bundled inputs with country shares
    fab = next(s for s in body["stages"] if s["id"] == "S2")
    assert fab["countries"], "stage-level shares by plant location"

    def walk(nodes: list[dict[str, object]]) -> list[dict[str, object]]:
        out = []
        for n in nodes:
            out.append(n)
            out += walk(n["children"])  # type: ignore[arg-type]
        return out

    euv = next(n for n in walk(fab["inputs"]) if n["id"] == "N20")
    assert euv["chokepoint"] is True and euv["top_country"] == "NLD"
    # every market size with its source: the dataset that defines the input, the size as it words it
    sized = [n for s in body["stages"] for n in walk(s["inputs"]) if n["market_size"]]
    sources: list[dict[str, object]] = [n["market_size_source"] for n in sized]  # type: ignore[misc]
    assert sized and all(s["quote"] == n["market_size"] and s["dataset"] for s, n in zip(sources, sized, strict=True))
    assert all(n["market_size_source"] is None for s in body["stages"] for n in walk(s["inputs"])
               if not n["market_size"])


def test_search_by_name_and_alias(client: TestClient) -> None:
    hits = client.get("/api/v1/search", params={"q": "euv lithography"}).json()["results"]
    assert hits[0] == {"kind": "input", "id": "N20", "name": "EUV lithography tools", "matched": None}
    alias = client.get("/api/v1/search", params={"q": "Micron Technology Inc."}).json()["results"]
    assert alias[0]["id"] == "micron" and alias[0]["matched"] == "Micron Technology Inc."


def test_search_needs_a_query(client: TestClient) -> None:
    r = client.get("/api/v1/search", params={"q": ""})
    assert r.status_code == 422 and r.json()["field"] == "q"


def test_input_shares_carry_their_source(client: TestClient) -> None:
    body = client.get("/api/v1/inputs/EUV lithography tools").json()
    assert body["id"] == "N20"
    nld = body["countries"][0]
    assert (nld["provider"], nld["share_pct"]) == ("NLD", 100.0)
    source = nld["source"]
    assert source["publisher"].startswith("Emerging Technology Observatory")
    assert source["quote"] and source["url"] == "https://github.com/georgetown-cset/eto-chip-explorer"
    assert body["chokepoint"]["chokepoint"] is True
    assert body["market_size_source"]["quote"] == body["market_size"]


def test_input_chokepoint_names_its_countries(client: TestClient) -> None:
    choke = client.get("/api/v1/inputs/EUV lithography tools").json()["chokepoint"]
    assert choke["top_country_name"] == "Netherlands"
    assert choke["coalition_names"] == ["United States", "Japan", "Netherlands"]


def test_bundled_product_shares_come_from_facts_with_sources(client: TestClient) -> None:
    body = client.get("/api/v1/inputs/dram").json()
    assert body["shares_from"] == "facts"
    firms = {f["provider"]: f for f in body["firms"]}
    assert "micron" in firms and firms["micron"]["source"]["quote"]
    assert abs(sum(f["share_pct"] for f in body["firms"]) - 100.0) < 0.6
    assert all({"values", "metric", "period"} <= set(c) for c in body["conflicts"])
    # a country's share is the sum of its firms' shares: its source names them with their shares, and the
    # publishers of their facts (so the chart's footer names real sources, and the period they are of)
    by_name = {f["name"]: f for f in body["firms"]}
    korea = next(c for c in body["countries"] if c["provider"] == "KOR")
    parts = dict(p.rsplit(" ", 1) for p in korea["source"]["quote"].split(": ", 1)[1].split(" + "))
    assert set(parts) == {"Samsung Electronics", "SK hynix"}
    assert abs(sum(float(v.rstrip("%")) for v in parts.values()) - korea["share_pct"]) < 0.06
    publishers = {by_name[n]["source"]["publisher"] for n in parts}
    assert all(p in korea["source"]["note"] for p in publishers) and "named here" not in korea["source"]["note"]
    assert korea["period"] == by_name["Samsung Electronics"]["period"]


def test_conflicting_values_are_listed_side_by_side(client: TestClient) -> None:
    groups = [c for name in ("dram", "nand", "hbm") for c in client.get(f"/api/v1/inputs/{name}").json()["conflicts"]]
    assert groups, "the bundled data has disagreeing trackers"
    for g in groups:
        assert len({(v["value"], v["unit"]) for v in g["values"]}) >= 2
        assert all(v["publisher"] and v["quote"] for v in g["values"])
    # groups alike in entity, metric, product, period, region, segment and basis differ by the facts' definition,
    # which each group names (so the page tells the low and the high end of a range apart)
    def alike(g: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(g[k] for k in ("entity", "metric", "product", "period", "region", "segment", "basis"))
    twins = [g for g in groups if sum(alike(h) == alike(g) for h in groups) > 1]
    assert twins and all(g["definition"] for g in twins)
    assert len({(alike(g), g["definition"]) for g in twins}) == len(twins)
    # each group says what it states in words: the input's and the region's names, never their codes
    dram = [g for g in groups if g["product"] == "dram" or g["entity"] == "dram"]
    assert dram and all(g["what"] and not re.search(r"\b(dram|WLD|CHN)\b", g["what"]) for g in dram), dram[0]["what"]
    assert any("DRAM" in g["what"] for g in dram)


def test_unknown_input_is_404_naming_the_field(client: TestClient) -> None:
    r = client.get("/api/v1/inputs/EUV lithografy tools")
    body = r.json()
    assert r.status_code == 404 and body["field"] == "name"
    assert "EUV lithography tools" in body["suggestions"]


def test_firm(client: TestClient) -> None:
    body = client.get("/api/v1/firms/ASML").json()
    assert any(s["input"] == "N20" and s["share_pct"] == 100.0 for s in body["supplies"])
    assert client.get("/api/v1/firms/nonexistent-firm-xyz").status_code == 404


def test_facts_and_bad_metric(client: TestClient) -> None:
    body = client.get("/api/v1/facts", params={"entity": "Micron", "metric": "revenue"}).json()
    assert body["count"] >= 4 and all(f["source"] and f["quote"] for f in body["facts"])
    r = client.get("/api/v1/facts", params={"metric": "revenu"})
    assert r.status_code == 422 and r.json()["field"] == "metric" and "revenue" in r.json()["suggestions"]


def test_sources_with_their_facts(client: TestClient) -> None:
    body = client.get("/api/v1/sources").json()
    assert body["count"] >= 200
    used = [s for s in body["sources"] if s["facts"]]
    assert used and all(f["quote"] for s in used for f in s["facts"])
    assert sum(len(s["facts"]) for s in body["sources"]) == client.get("/api/v1/overview").json()["facts"]


def test_one_source_and_sources_for_an_entity(client: TestClient) -> None:
    body = client.get("/api/v1/sources/bis-20221007-advanced-computing-sme-rule").json()
    assert [r["id"] for r in body["rules"]] == ["E-OCT2022"]
    assert client.get("/api/v1/sources", params={"for": "micron"}).json()["sources"]
    r = client.get("/api/v1/sources/no-such-source")
    assert r.status_code == 404 and r.json()["field"] == "source_id"


def test_countries_and_vocabulary(client: TestClient) -> None:
    assert any(c["id"] == "CHN" for c in client.get("/api/v1/countries").json()["countries"])
    vocab = client.get("/api/v1/vocabulary").json()
    assert "data_center" in vocab["segments"] and "ban" in vocab["policies"]
    assert vocab["units"]["usd_bn"] == "billion US dollars" and "quarter on quarter" in vocab["units"]["pct_qoq"]
    assert "market" in vocab["metrics"]["market_share"]


def test_an_inputs_facts_say_whom_they_are_about_and_what_they_measure_in_words(client: TestClient) -> None:
    """The Explorer's facts table shows names and the vocabulary's words, never the bare codes where words exist."""
    body = client.get("/api/v1/inputs/dram").json()
    assert body["facts"]
    for fact in body["facts"]:
        assert fact["entity_name"] and fact["metric_words"]
        assert fact["metric_words"] != fact["metric"], fact["metric"]
    firms = [f for f in body["facts"] if f["entity"] == "micron"]
    assert firms and all(f["entity_name"] != "micron" for f in firms)
