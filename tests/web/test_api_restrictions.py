"""In-process API tests of the restriction endpoints, with good and bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from chipshift import api
from chipshift.io.store import Store


def test_timeline_lists_every_rule_with_dates(client: TestClient) -> None:
    body = client.get("/api/v1/rules").json()
    assert body["count"] == client.get("/api/v1/overview").json()["restriction_rules"]
    assert "USA" in body["imposers"] and "export_control" in body["kinds"]
    starts = [r["start"] for r in body["rules"] if r["start"]]
    assert starts == sorted(starts)


def test_the_rules_name_their_imposers_and_products(client: TestClient, web_store: Store) -> None:
    """Each rule says who imposes it and which inputs it names by the knowledge base's names (the codes stay beside
    them); every imposer of the filter's choices has its name."""
    body = client.get("/api/v1/rules").json()
    names = {i: n for table in ("inputs", "countries", "firms") for i, n, _ in web_store.names(table)}
    assert body["imposer_names"] == {i: names[i] for i in body["imposers"]}
    assert body["imposer_names"]["USA"] == "United States" and body["imposer_names"]["micron"] == "Micron Technology"
    for rule in body["rules"]:
        assert rule["imposed_by_name"] == names[rule["imposed_by"]], rule["id"]
        assert rule["product_names"] == ["every input" if p == "*" else names[p] for p in rule["products"]], rule["id"]


def test_a_fee_filed_as_an_import_ban_is_named_a_duty_or_tax(client: TestClient) -> None:
    """A rule filed as an import ban whose policy is a fee (a tariff, a VAT rise) is no ban: the answers name its kind
    in words with its policy taken into account, the code kept beside; a ban stays a ban."""
    body = client.get("/api/v1/rules").json()
    by_id = {r["id"]: r for r in body["rules"]}
    tires = by_id["E-US-TIRES-SEC421-SEP2009"]
    assert (tires["kind"], tires["policy"]) == ("import_ban", "fee")
    assert tires["kind_words"] == "duty, tariff or tax on purchases" and tires["ended"] == "2012-09-26"
    assert all(r["kind_words"] == r["kind"].replace("_", " ") for r in body["rules"] if r["policy"] != "fee")
    assert "duty, tariff or tax on purchases" in body["kinds_in_words"] and "import ban" in body["kinds_in_words"]
    assert client.get("/api/v1/rules/E-US-TIRES-SEC421-SEP2009").json()["kind_words"] == tires["kind_words"]


def test_timeline_filters(client: TestClient) -> None:
    chn = client.get("/api/v1/rules", params={"imposer": "CHN"}).json()["rules"]
    assert chn and all(r["imposed_by"] == "CHN" for r in chn)
    kind = client.get("/api/v1/rules", params={"kind": "relaxation"}).json()["rules"]
    assert kind and all(r["kind"] == "relaxation" for r in kind)
    euv = {r["id"]: r["reach"] for r in
           client.get("/api/v1/rules", params={"product": "EUV lithography tools"}).json()["rules"]}
    assert euv["E-NL-EUV-2019"] == "certain" and set(euv.values()) <= {"certain", "maybe"}
    # rules on every product that bind firms which make no EUV tools do not reach them: China's ban on Micron,
    # Apple's exit from Russia, and the lifting of the ZTE order (its rules reach no EUV maker either)
    assert not {"E-CN-MICRON-2023", "E-APPLE-RUS-EXIT-MAR2022", "E-ZTE-LIFT-JUL2018"} & set(euv)
    dram = {r["id"]: r["reach"] for r in client.get("/api/v1/rules", params={"product": "DRAM"}).json()["rules"]}
    assert dram["E-CN-MICRON-2023"] == "certain" and dram["E-ZTE-LIFT-JUL2018"] == "certain"
    target = client.get("/api/v1/rules", params={"target": "Huawei"}).json()["rules"]
    assert "E-HUAWEI-2019" in {r["id"] for r in target}
    window = client.get("/api/v1/rules", params={"from": "2019-01-01", "to": "2019-12-31"}).json()["rules"]
    assert window and all(r["start"] <= "2019-12-31" for r in window)


@pytest.mark.parametrize(("params", "field"), [
    ({"kind": "embargo"}, "kind"), ({"target": "Atlantis"}, "target"), ({"product": "unobtainium"}, "product"),
    ({"from": "2020-01-01", "to": "2019-01-01"}, "from"), ({"from": "yesterday"}, "from"),
])
def test_timeline_bad_filters_name_the_field(client: TestClient, params: dict[str, str], field: str) -> None:
    r = client.get("/api/v1/rules", params=params)
    assert r.status_code == 422
    assert r.json()["field"] == field and field in r.json()["message"]


def test_rule_detail_and_unknown_rule(client: TestClient) -> None:
    body = client.get("/api/v1/rules/E-OCT2022").json()
    assert body["source"]["url"].startswith("https://") and body["quote"]
    assert any(x["reach"] == "certain" for x in body["reaches"])  # chips above the threshold: all of China
    tools = client.get("/api/v1/rules/E-OCT2022-FABS").json()  # tools: only China's advanced fabs
    assert {x["reach"] for x in tools["reaches"] if x["input"] == "N22"} == {"maybe"}
    r = client.get("/api/v1/rules/E-OCT2O22")
    assert r.status_code == 404 and r.json()["field"] == "rule_id" and "E-OCT2022" in r.json()["suggestions"]


def test_restrictions_in_force(client: TestClient) -> None:
    body = client.get("/api/v1/restrictions", params={"target": "CHN", "at": "2025-12-31"}).json()
    assert body["count"] > 20 and {r["reach"] for r in body["rules"]} <= {"whole", "partial"}
    r = client.get("/api/v1/restrictions", params={"target": "Atlantis"})
    assert r.status_code == 422 and r.json()["field"] == "target"


def test_availability_of_one_input(client: TestClient) -> None:
    body = client.get("/api/v1/availability", params={"target": "CHN", "input": "EUV lithography tools",
                                                      "at": "2025-12-31"}).json()
    (row,) = body["inputs"]
    assert row["input"] == "N20" and 0.0 <= row["available_lower_pct"] <= row["available_upper_pct"] <= 100.0
    bad = client.get("/api/v1/availability", params={"input": "EUV lithografy"})
    assert bad.status_code == 422 and bad.json()["field"] == "input"
    view = client.get("/api/v1/availability", params={"view": "province"})
    assert view.status_code == 422 and view.json()["field"] == "view"


def test_exposure_with_a_shipped_scenario(client: TestClient) -> None:
    base = client.get("/api/v1/exposure", params={"target": "CHN", "at": "2026-06-30"}).json()
    duv = client.get("/api/v1/exposure", params={"target": "CHN", "at": "2026-06-30",
                                                  "scenario": "example:duv-immersion-china"}).json()
    assert base["scenario"] is None and duv["scenario"]["name"] == "DUV lithography tools barred for China"
    fab_base = next(s for s in base["by_stage"] if s["stage"] == "S2")
    fab_duv = next(s for s in duv["by_stage"] if s["stage"] == "S2")
    assert fab_duv["barred_lower_mean_pct"] > fab_base["barred_lower_mean_pct"]


@pytest.mark.parametrize(("params", "field"), [
    ({"scenario": "example:nope"}, "scenario"), ({"scenario": "../../etc/passwd"}, "scenario"),
    ({"at": "2025-13-01"}, "at"), ({"segment": "spaceships"}, "segment"), ({"target": ""}, "target"),
])
def test_exposure_bad_input_names_the_field(client: TestClient, params: dict[str, str], field: str) -> None:
    r = client.get("/api/v1/exposure", params=params)
    assert r.status_code == 422 and r.json()["field"] == field, r.json()


def test_answers_are_cached_by_content(client: TestClient) -> None:
    params = {"target": "JPN", "at": "2024-06-30"}
    first = client.get("/api/v1/exposure", params=params)
    second = client.get("/api/v1/exposure", params=params)
    assert second.headers["x-cache"] == "hit" and first.content == second.content
    assert "app;dur=" in second.headers["server-timing"]


def test_chokepoints(client: TestClient) -> None:
    nodes = client.get("/api/v1/chokepoints").json()["inputs"]
    assert sum(1 for r in nodes if r["input"].startswith("N")) == 37  # ETO's CSET chokepoints
    assert client.get("/api/v1/chokepoints", params={"threshold": 150}).status_code == 422
    r = client.get("/api/v1/chokepoints", params={"coalition": ["USA", "Narnia"]})
    assert r.status_code == 422 and r.json()["field"] == "coalition"


def test_localization(client: TestClient) -> None:
    body = client.get("/api/v1/localization", params={"country": "CHN"}).json()
    assert body["country"] == "CHN" and body["inputs"]
    r = client.get("/api/v1/localization", params={"country": "Narnia"})
    assert r.status_code == 422 and r.json()["field"] == "country"


def test_impairment(client: TestClient) -> None:
    body = client.get("/api/v1/impairment", params={"target": "CHN", "at": "2025-12-31"}).json()
    assert {p["impaired"] for p in body["processes"]} <= {"no", "possible", "certain"}
    assert body["threshold_pct"] == 50.0  # a percent, as the chokepoints threshold
    assert client.get("/api/v1/impairment", params={"threshold": 150}).status_code == 422


def test_diff_against_a_scenario_and_the_baseline(client: TestClient) -> None:
    body = client.get("/api/v1/diff", params={"target": "CHN", "at": "2026-06-30",
                                              "against": "example:duv-immersion-china"}).json()
    assert body["rules_added"] == ["X-DUV-JPN", "X-DUV-NLD", "X-DUV-USA"]
    assert {i["input"] for i in body["inputs"]} == {"N21", "N22"}
    back = client.get("/api/v1/diff", params={"target": "CHN", "at": "2026-06-30",
                                              "scenario": "example:duv-immersion-china", "against": "baseline"}).json()
    assert back["rules_removed"] == ["X-DUV-JPN", "X-DUV-NLD", "X-DUV-USA"]
    r = client.get("/api/v1/diff", params={"against": "saved:none"})
    assert r.status_code == 422 and r.json()["field"] == "against"


def test_series_and_dossier_answer_as_the_python_api_does(client: TestClient, web_store: Store) -> None:
    series = client.get("/api/v1/exposure/series",
                        params={"target": "CHN", "from": "2022-01-01", "to": "2024-01-01", "every": "1y"})
    assert series.status_code == 200, series.text
    body = series.json()
    assert body["dates"] == ["2022-01-01", "2023-01-01", "2024-01-01"] and body["destination_name"] == "China"
    alone = {r["stage"]: r for r in client.get("/api/v1/exposure", params={"target": "CHN", "at": "2023-01-01"})
             .json()["by_stage"]}
    for row in (r for r in body["by_stage"] if r["at"] == "2023-01-01"):
        assert row["barred_upper_weighted_pct"] == alone[row["stage"]]["barred_upper_weighted_pct"]
    euv = client.get("/api/v1/availability/series", params={
        "target": "CHN", "input": "EUV lithography tools", "from": "2018-01-01", "to": "2020-01-01"}).json()
    assert [r["available_pct"] for r in euv["inputs"]] == [100.0, 0.0, 0.0]
    bad = client.get("/api/v1/exposure/series", params={"from": "2022-01-01", "to": "2024-01-01", "every": "1w"})
    assert bad.status_code == 422
    local = client.get("/api/v1/localization/series", params={
        "country": "CHN", "input": "DRAM", "from": "2019-01-01", "to": "2025-01-01", "every": "2y"})
    assert local.status_code == 200, local.text
    assert local.json() == api.localization_over_time(web_store, "CHN", "2019-01-01", "2025-01-01", "2y",
                                                      "DRAM").as_report()
    assert local.json()["dates"] == ["2019-01-01", "2021-01-01", "2023-01-01", "2025-01-01"]
    assert {r["input"] for r in local.json()["series"]} == {"dram"}
    default = client.get("/api/v1/localization/series", params={"country": "CHN"})  # the range left to the server
    assert default.status_code == 200, default.text
    assert default.json() == api.localization_over_time(web_store, "CHN").as_report()
    assert default.json()["range_given_by"] == "default"
    late = client.get("/api/v1/localization/series", params={"from": "2024-01-01", "to": "2022-01-01"})
    assert late.status_code == 422
    firm = client.get("/api/v1/dossier/Micron", params={"at": "2025-06-30"}).json()
    assert firm["entity"] == "micron" and firm["entity_kind"] == "firm" and firm["sources"]
    assert client.get("/api/v1/dossier/no-such-thing-at-all").status_code == 404


def test_series_take_the_scenarios_range_of_dates_unless_one_is_asked_for(client: TestClient) -> None:
    # the DUV example gives its own range (every six months from 2022-06-30 to its date): a series asked without
    # one answers for that range and says so; a range asked for wins; without either, the default
    own = client.get("/api/v1/exposure/series", params={"scenario": "example:duv-immersion-china"}).json()
    assert own["range_given_by"] == "scenario" and own["from"] == "2022-06-30" and own["every"] == "6m"
    assert own["dates"][:3] == ["2022-06-30", "2022-12-30", "2023-06-30"] and own["to"] == own["dates"][-1]
    asked = client.get("/api/v1/exposure/series", params={"scenario": "example:duv-immersion-china",
                                                          "from": "2023-01-01", "to": "2024-01-01"}).json()
    assert asked["range_given_by"] == "request" and asked["dates"] == ["2023-01-01", "2023-07-01", "2024-01-01"]
    plain = client.get("/api/v1/availability/series", params={"input": "EUV lithography tools",
                                                              "to": "2024-06-30"}).json()
    assert plain["range_given_by"] == "default" and plain["every"] == "1y"
    assert plain["dates"] == ["2019-01-01", "2020-01-01", "2021-01-01", "2022-01-01", "2023-01-01", "2024-01-01"]
    assert client.get("/api/v1/exposure/series", params={"from": "2024-01-01", "to": "2023-01-01"}).status_code == 422
