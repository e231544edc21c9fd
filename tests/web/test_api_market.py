"""In-process API tests of the market model's endpoints: the shipped cases, a run (cached by digest, draws
and seed), a comparison, and bad input (unknown case, too many draws)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import AUTH, EXAMPLES

from chipshift.io.store import Store
from chipshift.schemas.vocabulary import METRICS, UNITS

AI = "china-ai-accelerators"
#: A test that only runs or compares shipped cases reads the bundled store as the input of the market model
#: (tests/conftest.py): the PostgreSQL pass leaves it out. Those that save a scenario, list the cases or hit the
#: cache of answers (keyed by the store's generations) run on both stores.
computed = pytest.mark.store_input


def test_cases_list_the_shipped_market_files(client: TestClient) -> None:
    body = client.get("/api/v1/market/cases").json()
    names = {c["case"] for c in body["cases"]}
    assert {"micron-china", AI} <= names
    assert "duv-immersion-china" not in names, "restriction scenarios are not market cases"
    assert body["max_draws"] == 5000 and all(len(c["digest"]) == 16 for c in body["cases"])


def test_run_gives_bands_calibration_and_sources_and_is_cached(client: TestClient) -> None:
    first = client.post("/api/v1/market/run", json={"case": AI, "draws": 200, "seed": 7})
    assert first.status_code == 200, first.text
    r = first.json()
    assert r["case"] == AI and r["draws"] == 200 and r["seed"] == 7 and r["file"] == f"{AI}.yaml"
    localization = [o for o in r["outputs"] if o["output"] == "localization"]
    assert localization and all(o["p5"] <= o["median"] <= o["p95"] for o in localization)
    # each parameter the statement names by what it sets, its id after it (never its id alone)
    assert "do not pin down quality: Nvidia's H20 (q_h20)" in r["calibration"]["statement"]
    # the case titled by its description's first sentence, in the run and the list of cases alike
    assert r["title"] == ("The domestic share of China's AI-accelerator market, Nvidia's share of revenue from "
                          "China, and Cambricon's revenue, 2023-2027")
    cases = client.get("/api/v1/market/cases").json()["cases"]
    assert {c["case"]: c["title"] for c in cases}["gallium-export-controls"] == (
        "China required licences for exports of gallium from 1 August 2023")
    assert r["calibration"]["procedure"].startswith("Bayesian") and r["calibration"]["sampler"]["evaluations"] > 0
    assert r["calibration"]["table"] and r["sensitivity"] and r["parameters"]
    units = {p["id"]: p["unit"] for p in r["parameters"]}  # each parameter's unit, as parameters.csv gives it
    assert units["sigma"] == "elasticity (no unit)" and sum(u is not None for u in units.values()) >= len(units) - 1
    assert all(f["publisher"] and f["url"].startswith("http") for f in r["facts"].values())
    assert set(r["sources"]) <= set(r["facts"])
    again = client.post("/api/v1/market/run", json={"case": AI, "draws": 200, "seed": 7})
    assert again.headers["x-cache"] == "hit" and again.content == first.content
    other_seed = client.post("/api/v1/market/run", json={"case": AI, "draws": 200, "seed": 8})
    assert other_seed.headers["x-cache"] == "miss"


@computed
def test_each_chart_footer_names_the_sources_of_its_own_figures(client: TestClient) -> None:
    """A chart's footer (``output_text[output].footer``, drawn under the Results page's chart) names the sources
    behind what the chart shows: the publishers of the figures it draws (the published estimates and observations
    of its output; a literal's by the document the case names) and those of what the run's set-up rests on (the
    facts gallium's bases name: its market values rest on USGS's output and Reuters' export figures), and none of
    the run's other publishers; "no sourced figure" nowhere, since the case cites some."""
    r = client.post("/api/v1/market/run", json={"case": "gallium-export-controls", "draws": 0}).json()
    facts = r["facts"]

    def who(fact: str) -> str:
        return str(facts[fact]["original_publisher"] or facts[fact]["publisher"])

    setup = {who(f) for f in r["rests_on"]["facts"]} | {
        str(r["documents"][d]["publisher"]) for d in r["rests_on"]["documents"]}
    assert {"U.S. Geological Survey", "Reuters"} <= setup
    everyone = {who(f) for f in facts}
    checked = 0
    for output, text in r["output_text"].items():
        footer = text["footer"]
        assert "no sourced figure" not in footer and all(name in footer for name in setup), (output, footer)
        shown = {p["publisher"] for c in r["published_beside_model"] if c["output"] == output for p in c["published"]}
        for row in r["calibration"]["table"]:
            if row["output"] == output:
                shown.add(who(row["fact"]) if row["fact"] else r["documents"][row["source"]]["publisher"])
        others = {name for name in everyone if not any(name in s for s in shown | setup)}
        assert not [name for name in others if name in footer], (output, footer)
        if not shown:
            assert "No published figure is shown" in footer, output
            continue
        checked += 1
        assert all(name in footer for name in shown), (output, shown, footer)
        assert "Case: gallium-export-controls" in footer
    assert checked >= 3
    price = r["output_text"]["price@ROW"]["footer"]
    assert "A make-or-break year for non-Chinese gallium market" in price and "2023-12-18" in price


@computed
def test_run_without_draws_has_no_bands(client: TestClient) -> None:
    r = client.post("/api/v1/market/run", json={"case": AI, "draws": 0}).json()
    assert r["seed"] is None and all("p5" not in o for o in r["outputs"])


def test_run_refuses_unknown_cases_and_too_many_draws(client: TestClient) -> None:
    r = client.post("/api/v1/market/run", json={"case": "no-such-case"})
    assert r.status_code == 422 and r.json()["field"] == "case" and AI in r.json()["suggestions"]
    r = client.post("/api/v1/market/run", json={"case": "duv-immersion-china"})
    assert r.status_code == 422 and r.json()["field"] == "case", "a restriction scenario is not a market case"
    r = client.post("/api/v1/market/run", json={"case": "../examples/micron-china"})
    assert r.status_code == 422, "only listed names resolve, never a path"
    for draws in (5001, -1):
        r = client.post("/api/v1/market/run", json={"case": AI, "draws": draws})
        assert r.status_code == 422 and r.json()["field"] == "draws"
    assert client.post("/api/v1/market/run", json={"draws": 10}).json()["field"] == "case"


@computed
def test_compare_two_cases_by_output_and_year(client: TestClient) -> None:
    r = client.post("/api/v1/market/compare", json={"a": AI, "b": AI})
    cited = r.json()["facts"]  # what both sides rest on, each fact with its source
    assert cited and all(f["cited_by"] == ["a", "b"] and f["publisher"] and f["quote"] for f in cited)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["case_a"] == body["case_b"] == AI and "localization" in body["outputs"]
    assert body["differences"] and all(d["difference"] == 0 for d in body["differences"])
    bad = client.post("/api/v1/market/compare", json={"a": AI, "b": "nope"})
    assert bad.status_code == 422 and bad.json()["field"] == "b"


@computed
def test_two_cases_name_each_sides_output_in_its_own_words(client: TestClient) -> None:
    """Micron's case and the AI accelerators' share generic outputs whose words differ by side (Micron's share of
    revenue from China against Nvidia's): the comparison gives both sides' words, never one side's for both; the
    outputs only one side has are named in words too; the charts' footers name what each side's set-up rests on."""
    body = client.post("/api/v1/market/compare", json={"a": "micron-china", "b": AI}).json()
    # (parameters held: a run of its own, so the cache of the plain run stays as the other tests find it)
    alone_a = client.post("/api/v1/market/run", json={"case": "micron-china", "draws": 0,
                                                      "parameters": {"sigma": 2.6}}).json()["output_text"]
    alone_b = client.post("/api/v1/market/run", json={"case": AI, "draws": 0}).json()["output_text"]
    share = body["output_text"]["revenue_share"]
    assert alone_a["revenue_share"]["title"] != alone_b["revenue_share"]["title"]
    assert share["title"] == f"a: {alone_a['revenue_share']['title']}; b: {alone_b['revenue_share']['title']}"
    assert "Micron" in share["title"] and "Nvidia" in share["title"] and share["unit"] == "pct"
    assert body["only_in_a"] and body["only_in_b"]
    for output in [*body["only_in_a"], *body["only_in_b"]]:
        assert body["output_text"][output]["title"] == (alone_a.get(output) or alone_b[output])["title"], output
    assert body["set_up_by"]["a"] and body["set_up_by"]["b"]
    # each side by its case's title, as the Results page heads the run, never by its file name
    titles = {c["case"]: c["title"] for c in client.get("/api/v1/market/cases").json()["cases"]}
    assert (body["title_a"], body["title_b"]) == (titles["micron-china"], titles[AI])
    assert (body["a"], body["b"]) == (titles["micron-china"], titles[AI])


@computed
def test_compare_variants_of_one_case(client: TestClient) -> None:
    gallium = "gallium-export-controls"
    r = client.post("/api/v1/market/compare", json={"a": gallium, "b_parameters": {"approval": 0.9}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["a"], body["b"], body["same_case"]) == ("as shipped", "approval=0.9", True)
    assert any(d["difference"] for d in body["differences"] if d["output"] == "price@ROW")
    r = client.post("/api/v1/market/compare", json={"a": gallium, "b_scenario": "example:duv-immersion-china"})
    assert r.status_code == 200, r.text  # that scenario's rules reach no gallium seller: nothing moves
    assert r.json()["b"] == "under duv-immersion-china"
    assert all(d["difference"] in (0, None) for d in r.json()["differences"])
    for body, field in (({"a": gallium, "b_scenario": "example:nope"}, "b_scenario"),
                        ({"a": gallium, "a_scenario": "saved:nope"}, "a_scenario"),
                        ({"a": gallium, "b_parameters": {"approval": 5.0}}, "parameters.approval"),
                        ({"a": "micron-china", "b_scenario": "example:duv-immersion-china"}, "model"),
                        ({"a": gallium, "draws": 5000}, "draws")):
        bad = client.post("/api/v1/market/compare", json=body)
        assert bad.status_code == 422 and bad.json()["field"] == field, (body, bad.text)


#: A restriction scenario under which China's producers sell no gallium abroad from before the gallium case's first
#: quarter (2023Q1): their share of the rest of the world's market, and of their revenue from abroad, is 0% throughout.
NO_GALLIUM_EXPORTS = {"name": "China bars gallium exports from 2021", "at": "2023-06-30", "add": [{
    "id": "X-GA-EXPORT-BAN-2021", "name": "China bars gallium exports", "imposed_by": "CHN",
    "kind": "raw_material_export_control", "policy": "ban", "products": [{"input": "gallium"}],
    "sellers": {"hq_in": ["CHN"]}, "targets": {"countries": ["WLD"]}, "effective": "2021-01-01",
    "summary": "A hypothetical ban on every export of gallium from China."}]}


def test_compare_says_why_a_share_flat_on_both_sides_has_no_chart(client: TestClient) -> None:
    """The Compare page draws what its answer's ``output_text`` leaves a chart: a share at 0% or 100% in every
    quarter on both sides (China's gallium market, served by China's producers alone: localization 100%) has none,
    and the answer says why in one sentence naming both sides, the one the run alone gives (as the Results page,
    the files and the report say it); a share that holds at an edge on one side only (China's producers' revenue
    from China, 100% once they may export nothing) keeps its chart."""
    gallium = "gallium-export-controls"
    saved = client.post("/api/v1/scenarios", json={"id": "no-gallium-exports", "scenario": NO_GALLIUM_EXPORTS},
                        headers=AUTH)
    assert saved.status_code == 201, saved.text
    try:
        alone = client.post("/api/v1/market/run", json={"case": gallium, "draws": 0}).json()["output_text"]
        r = client.post("/api/v1/market/compare", json={"a": gallium, "b_scenario": "saved:no-gallium-exports"})
        assert r.status_code == 200, r.text
        body = r.json()
        side_b = "under China bars gallium exports from 2021"
        assert (body["a"], body["b"]) == ("as shipped", side_b)
        said = body["output_text"]["localization@CHN"]["unchanging"]
        sentence = alone["localization@CHN"]["unchanging"]
        assert sentence.startswith("Domestic sellers' share of gallium spending, China (localization): 100% in every "
                                   "quarter from 2023Q1 to 2025Q2, so it has no chart")
        # one sentence, naming both sides: not each side's the same words over
        assert said == f"On both sides (a: as shipped; b: {side_b}): {sentence}"
        assert said.count("so it has no chart") == 1
        # the figures stay in the table
        assert {d["b"] for d in body["differences"] if d["output"] == "localization@CHN"} == {100.0}
        # flat at 100% under the ban alone (a comparison of the ban with itself leaves it no chart) but moving as
        # shipped: charted, with no such sentence
        revenue = "revenue_share:china_producers@CHN"
        rows = [d for d in body["differences"] if d["output"] == revenue]
        assert {d["b"] for d in rows} == {100.0} and any(d["a"] < 100 for d in rows)
        assert body["output_text"][revenue].get("unchanging") is None
        both = client.post("/api/v1/market/compare", json={"a": gallium, "a_scenario": "saved:no-gallium-exports",
                                                           "b_scenario": "saved:no-gallium-exports"}).json()
        assert "so it has no chart" in both["output_text"][revenue]["unchanging"]
        assert both["output_text"][revenue]["unchanging"].startswith(f"On both sides (a: {side_b}; b: {side_b}): ")
    finally:
        client.delete("/api/v1/scenarios/no-gallium-exports", headers=AUTH)


def test_restriction_runs_point_to_the_market_results(client: TestClient) -> None:
    r = client.post("/api/v1/run", json={"ref": "baseline", "at": "2025-12-31"}).json()
    assert r["market"]["available"] is True and r["market"]["page"] == "/results"


@computed
def test_run_with_parameters_held(client: TestClient) -> None:
    body = {"case": "micron-china", "draws": 0, "parameters": {"sigma": 2.5, "w_dc": 0.3}}
    r = client.post("/api/v1/market/run", json=body)
    assert r.status_code == 200, r.text
    rows = {p["id"]: p for p in r.json()["parameters"]}
    assert rows["sigma"]["value"] == 2.5 and rows["sigma"]["overridden"] and rows["sigma"]["low"] < 2.5
    assert rows["w_dc"]["overridden"] and not rows["w_dc"]["fitted"] and not rows["w_cii"]["overridden"]
    plain = client.post("/api/v1/market/run", json={"case": "micron-china", "draws": 0})
    assert plain.headers["x-cache"] == "miss" and plain.content != r.content, "the cache key holds the parameters"
    for parameters, field in (({"sigma": 1e6}, "parameters.sigma"), ({"nope": 1.0}, "parameters.nope"),
                              ({"sigma": "x"}, "parameters.sigma")):
        bad = client.post("/api/v1/market/run", json={"case": "micron-china", "draws": 0, "parameters": parameters})
        assert bad.status_code == 422 and bad.json()["field"] == field, bad.text


@computed
def test_the_facts_a_comparison_cites_are_named_in_words(client: TestClient, web_store: Store) -> None:
    """Each fact either case cites says whom it is about by the knowledge base's name (Micron Technology, China, AI
    accelerators), never by the code the data uses where a name exists; what it measures and its unit in the
    vocabulary's words."""
    body = client.post("/api/v1/market/compare", json={"a": "micron-china", "b": AI}).json()
    names = {i: n for table in ("inputs", "countries", "firms") for i, n, _ in web_store.names(table)}
    # the codes that have words of their own (a unit such as 'days' is its own word)
    coded = {code for code, name in names.items() if name != code} | set(METRICS) | {
        code for code, unit in UNITS.items() if unit.description != code}
    facts = body["facts"]
    assert {f["entity"] for f in facts} >= {"micron", "CHN", "nvidia"}
    for f in facts:
        shown = [f["entity_name"], f["metric_words"], f["unit_words"], f["product_name"], f["region_name"]]
        assert not coded & {s for s in shown if s}, f
        for part, words in zip(f["entity"].split("+"), f["entity_name"].split(" + "), strict=True):
            assert words == names.get(part, words), f  # a firm's, country's or input's name where it has one
    micron = next(f for f in facts if f["entity"] == "micron" and f["metric"] == "revenue_share_region")
    assert (micron["entity_name"], micron["region_name"], micron["unit_words"]) == ("Micron Technology", "China",
                                                                                    "percent")
    assert micron["metric_words"] == "share of the entity's sales from the stated region"


@computed
def test_the_parameters_a_linked_case_takes_from_the_catalogue_have_their_words_unit_and_sources(
        web_store: Store) -> None:
    """The rush's parameters a linked case's loader takes from the catalogue where its file sets none are given as
    the file's own: in words, with their unit, and the facts and note of their catalogue row behind their figures."""
    from chipshift.reports import labels
    from chipshift.web.market_cases import parameter_facts

    document = labels.case_document(str(EXAMPLES / "asml-china-rush.yaml"))
    assert "rush_buyer_share" not in (document.get("parameters") or {})
    facts = parameter_facts(web_store, document)["rush_buyer_share"]
    assert facts["catalogue"]["name"] == "Share of a pair's buyers who stock up before a rule they expect"
    assert all(facts[bound] for bound in ("default", "low", "high")), facts
