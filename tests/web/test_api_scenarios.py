"""In-process API tests of scenarios: listing, reading, checking, uploading, running, comparing,
saving and deleting (with and without the write token)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from tests.test_store_sharing import held
from tests.web.conftest import AUTH, EXAMPLES

from chipshift.api import answers
from chipshift.config import Settings
from chipshift.schemas.tables import RULES
from chipshift.web.models import RuleEdit, RuleRecord

DUV = "example:duv-immersion-china"
LIFT_H20 = {"name": "lift H20", "at": "2025-06-30", "remove": ["E-H20-APR2025"]}


def test_request_models_follow_the_rules_schema() -> None:
    declared = set(RULES.column_names) - {"origin"}
    assert set(RuleRecord.model_fields) == declared
    assert set(RuleEdit.model_fields) == declared


def test_listing_offers_baseline_examples_and_saved(client: TestClient) -> None:
    body = client.get("/api/v1/scenarios").json()
    refs = {e["ref"] for e in body["examples"]}
    assert DUV in refs and "example:us-lifts-h20" in refs
    assert body["baseline"]["ref"] == "baseline"
    assert all(e["kind"] != "example" for e in body["other_examples"]), "market-model files are listed apart"


def test_read_a_scenario_as_document_and_yaml(client: TestClient) -> None:
    doc = client.get(f"/api/v1/scenarios/{DUV}").json()
    assert doc["at"] == "2026-06-30" and len(doc["add"]) == 3
    r = client.get(f"/api/v1/scenarios/{DUV}/yaml")
    assert r.headers["content-type"].startswith("application/yaml")
    assert 'filename="duv-immersion-china.yaml"' in r.headers["content-disposition"]
    assert yaml.safe_load(r.text)["add"] == doc["add"]
    assert client.get("/api/v1/scenarios/example:missing").status_code == 404


def test_yaml_of_a_body_round_trips_through_upload(client: TestClient) -> None:
    doc = client.get(f"/api/v1/scenarios/{DUV}").json()
    text = client.post("/api/v1/scenarios/yaml", json=doc).text
    back = client.post("/api/v1/scenarios/upload", content=text, headers={"content-type": "application/yaml"})
    assert back.status_code == 200
    assert back.json()["document"]["add"] == doc["add"]
    # the scenario's range of dates goes through the body, the file and back
    assert doc["over"] == back.json()["document"]["over"] == {"from": "2022-06-30", "every": "6m"}


def test_check_names_the_field_of_each_problem(client: TestClient) -> None:
    assert client.post("/api/v1/scenarios/check", json=LIFT_H20).json()["ok"] is True
    r = client.post("/api/v1/scenarios/check", json={"name": "x", "remove": ["NO-SUCH-RULE"]})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "remove/edit"
    r = client.post("/api/v1/scenarios/check", json={"name": "x", "add": [{"id": "A", "name": "a", "imposed_by": "USA",
                                                                           "kind": "export_control", "summary": "s",
                                                                           "products": [{"input": "N99999"}]}]})
    assert r.status_code == 422 and "N99999" in r.json()["message"]
    r = client.post("/api/v1/scenarios/check", json={"name": "x", "add": [{"id": "A", "colour": "red"}]})
    assert r.status_code == 422 and r.json()["field"].startswith("add.0")
    r = client.post("/api/v1/scenarios/check", json={"name": "x", "at": "someday"})
    assert r.status_code == 422 and r.json()["field"] == "at"


def test_upload_errors_name_line_and_field(client: TestClient) -> None:
    bad = "name: broken\nadd:\n  - id: X-1\n    kind: export_control\n"
    r = client.post("/api/v1/scenarios/upload", content=bad, headers={"content-type": "application/yaml"})
    assert r.status_code == 422
    assert r.json()["problems"][0]["line"] == 3 and "upload.yaml:3" in r.json()["message"]
    r = client.post("/api/v1/scenarios/upload", content="name: [", headers={"content-type": "application/yaml"})
    assert r.status_code == 422
    r = client.post("/api/v1/scenarios/upload", content="name: x", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["field"] == "body"


def test_run_a_shipped_scenario(client: TestClient) -> None:
    body = client.post("/api/v1/run", json={"ref": DUV, "target": "CHN"}).json()
    assert body["at"] == "2026-06-30"
    assert body["diff"]["rules_added"] == ["X-DUV-JPN", "X-DUV-NLD", "X-DUV-USA"]
    assert {s["stage"] for s in body["baseline_by_stage"]} == {s["stage"] for s in body["exposure"]["by_stage"]}
    assert body["market"]["available"] is True and body["market"]["page"] == "/results"


def test_run_an_inline_scenario_and_bad_ones(client: TestClient) -> None:
    body = client.post("/api/v1/run", json={"scenario": LIFT_H20, "target": "CHN"}).json()
    assert body["scenario"]["name"] == "lift H20" and "E-H20-APR2025" in body["diff"]["rules_removed"]
    both = client.post("/api/v1/run", json={"scenario": LIFT_H20, "ref": DUV})
    assert both.status_code == 422 and both.json()["field"] == "scenario"
    target = client.post("/api/v1/run", json={"ref": DUV, "target": "Atlantis"})
    assert target.status_code == 422 and target.json()["field"] == "target"
    ref = client.post("/api/v1/run", json={"ref": "example:nope"})
    assert ref.status_code == 422 and ref.json()["field"] == "ref"
    assert client.post("/api/v1/run", content=b"{not json", headers={"content-type": "application/json"}
                       ).status_code == 422


def test_compare_two_scenarios(client: TestClient) -> None:
    body = client.post("/api/v1/compare", json={"target": "CHN", "left": {"ref": "baseline", "at": "2026-06-30"},
                                                "right": {"ref": DUV}, "years": [2024, 2026]}).json()
    assert body["left"]["at"] == body["right"]["at"] == "2026-06-30"
    assert {i["input"] for i in body["by_input"]} == {"N21", "N22"}
    japan = next(c for c in body["by_country"] if c["provider"] == "Japan")
    assert japan["change_barred"] == 2 and len(japan["newly_barred_inputs"]) == 2
    assert body["by_firm"] and [y["year"] for y in body["by_year"]] == [2024, 2026]
    y2026 = body["by_year"][1]
    assert y2026["right_barred_lower_pct"] >= y2026["left_barred_lower_pct"]
    assert body["market"]["available"] is True and body["market"]["page"] == "/results"
    # the Netherlands is only maybe barred for DUV immersion scanners by country, ASML barred for certain by firm:
    # the revocation names ASML, and the comparison says so, with the rule's name (under the DUV controls the
    # Netherlands is barred as a whole, so the two views agree on the right)
    apart = [v for v in body["views_apart"] if v["input"] == "N22"]
    assert {v["side"] for v in apart} == {"left"}
    for v in apart:
        assert (v["country"], v["firms"]) == ("Netherlands", ["ASML"]) and v["rules"]
        assert all(r in body["rule_names"] for r in v["rules"])
    netherlands = next(c for c in body["by_country"] if c["provider"] == "Netherlands")
    asml = next(c for c in body["by_firm"] if c["provider"] == "ASML")
    assert netherlands["left_maybe"] >= 1 and asml["left_barred"] >= 1
    # with no date asked, each side is at its own scenario's date (lifting the H20 rule in mid-2025, the DUV
    # controls in mid-2026), not both at the left one's
    own = client.post("/api/v1/compare", json={"left": {"ref": "example:us-lifts-h20"}, "right": {"ref": DUV}}).json()
    assert (own["left"]["at"], own["right"]["at"]) == ("2025-06-30", "2026-06-30")
    # the years by default span both sides' dates, the same whichever side is on the left
    assert [y["year"] for y in own["by_year"]] == list(range(2022, 2028))
    swapped = client.post("/api/v1/compare",
                          json={"left": {"ref": DUV}, "right": {"ref": "example:us-lifts-h20"}}).json()
    assert [y["year"] for y in swapped["by_year"]] == list(range(2022, 2028))
    common = client.post("/api/v1/compare", json={"left": {"ref": "example:us-lifts-h20", "at": "2026-06-30"},
                                                  "right": {"ref": DUV, "at": "2026-06-30"}}).json()
    assert common["left"]["at"] == common["right"]["at"] == "2026-06-30"
    bad = client.post("/api/v1/compare", json={"left": {"ref": "saved:ghost"}})
    assert bad.status_code == 422 and bad.json()["field"] == "left.ref"
    years = client.post("/api/v1/compare", json={"years": [1800]})
    assert years.status_code == 422 and years.json()["field"].startswith("years")


def test_writing_needs_the_token(client: TestClient, readonly_client: TestClient) -> None:
    body = {"id": "no-auth", "scenario": LIFT_H20}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        r = client.post("/api/v1/scenarios", json=body, headers=headers)
        assert r.status_code == 401 and r.json()["field"] == "Authorization"
        assert r.headers["www-authenticate"] == "Bearer"
    r = readonly_client.post("/api/v1/scenarios", json=body, headers=AUTH)
    assert r.status_code == 401 and "disabled" in r.json()["message"]
    assert client.delete("/api/v1/scenarios/no-auth").status_code == 401
    assert "saved:no-auth" not in {s["ref"] for s in client.get("/api/v1/scenarios").json()["saved"]}


def test_save_run_download_and_delete(client: TestClient) -> None:
    r = client.post("/api/v1/scenarios", json={"id": "lift-h20", "scenario": LIFT_H20}, headers=AUTH)
    assert r.status_code == 201 and r.json()["ref"] == "saved:lift-h20"
    saved = answers.SavedScenarioRecord.model_validate(r.json())  # the body is the declared record
    assert saved.document.remove == ("E-H20-APR2025",) and saved.as_report() == r.json()
    assert "saved:lift-h20" in {s["ref"] for s in client.get("/api/v1/scenarios").json()["saved"]}
    ran = client.post("/api/v1/run", json={"ref": "saved:lift-h20"}).json()
    assert ran["at"] == "2025-06-30" and "E-H20-APR2025" in ran["diff"]["rules_removed"]
    assert yaml.safe_load(client.get("/api/v1/scenarios/saved:lift-h20/yaml").text)["remove"] == ["E-H20-APR2025"]
    assert client.delete("/api/v1/scenarios/lift-h20", headers=AUTH).json() == {"deleted": "lift-h20"}
    assert client.delete("/api/v1/scenarios/lift-h20", headers=AUTH).status_code == 404
    assert client.post("/api/v1/run", json={"ref": "saved:lift-h20"}).status_code == 422


def test_saving_a_bad_scenario_leaves_the_store_as_it_was(client: TestClient) -> None:
    bad = {"id": "bad", "scenario": {"name": "bad", "remove": ["NO-SUCH-RULE"]}}
    r = client.post("/api/v1/scenarios", json=bad, headers=AUTH)
    assert r.status_code == 422
    assert client.get("/api/v1/scenarios/saved:bad").status_code == 404
    r = client.post("/api/v1/scenarios", json={"id": "Bad Id", "scenario": LIFT_H20}, headers=AUTH)
    assert r.status_code == 422 and r.json()["field"] == "id"


def test_examples_folder_only_resolves_listed_names(client: TestClient) -> None:
    for ref in ("example:../pyproject", "example:/etc/passwd", "file:/etc/passwd"):
        r = client.get(f"/api/v1/scenarios/{ref}")
        assert r.status_code == 404, ref
    assert (EXAMPLES / "duv-immersion-china.yaml").is_file()


@pytest.mark.duckdb_only(reason="another process holding the store's file")
def test_a_save_while_another_process_reads_the_store_answers_503(client: TestClient,
                                                                   web_settings: Settings) -> None:
    with held(Path(web_settings.store_path), "read"):
        r = client.post("/api/v1/scenarios", json={"id": "busy", "scenario": LIFT_H20}, headers=AUTH)
        assert client.get("/api/v1/scenarios").status_code == 200  # reading goes on meanwhile
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    assert "saved:busy" not in {s["ref"] for s in client.get("/api/v1/scenarios").json()["saved"]}
    r = client.post("/api/v1/scenarios", json={"id": "busy", "scenario": LIFT_H20}, headers=AUTH)
    assert r.status_code == 201  # the other process gone, the save goes through
    assert client.delete("/api/v1/scenarios/busy", headers=AUTH).status_code == 200
