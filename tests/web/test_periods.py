"""Exposures and scenario runs computed once per period of the rules (between two dates where a rule starts or
ends): the same answer as computed at the date itself, a date where a rule starts is a period of its own, and
saving a scenario leaves answers about the bundled rules cached."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from tests.web.conftest import AUTH

from chipshift import api
from chipshift.domain.period import parse_partial_date
from chipshift.io.store import Store
from chipshift.web.runtime import encode


def _periods_kept(client: TestClient, kind: str = "exposure-in-period") -> int:
    values = client.app.state.chipshift.runner._values  # type: ignore[attr-defined]
    return sum(1 for key in values if key[2][0] == kind)


def _exposure(client: TestClient, at: date, **params: str) -> dict[str, Any]:
    r = client.get("/api/v1/exposure", params={"target": "CHN", "at": at.isoformat(), **params})
    assert r.status_code == 200, r.text
    assert r.headers["X-Cache"] == "miss"  # each date is asked once: the period, not the answer, is shared
    body: dict[str, Any] = r.json()
    return body


def _euv_start(client: TestClient) -> date:
    rules = client.get("/api/v1/rules", params={"product": "EUV lithography tools"}).json()["rules"]
    start = next(r["start"] for r in rules if r["id"] == "E-NL-EUV-2019")
    return parse_partial_date(start)


def test_two_dates_of_one_period_give_the_answer_of_each_date(client: TestClient, web_store: Store) -> None:
    start = _euv_start(client)
    first, second = start + timedelta(days=1), start + timedelta(days=2)
    flags = {d: api.rules_in_force_at(web_store, d).flags for d in (first, second)}
    assert flags[first] == flags[second], "no rule starts or ends between these two dates"
    kept = _periods_kept(client)
    one, two = _exposure(client, first), _exposure(client, second)
    assert _periods_kept(client) == kept + 1  # computed once for both dates
    for day, body in ((first, one), (second, two)):  # byte for byte what the engine says at that date
        assert body["at"] == day.isoformat()
        assert encode(body) == encode(json.loads(encode(api.exposure(web_store, "CHN", day))))
    assert {**one, "at": None} == {**two, "at": None}


def test_a_date_where_a_rule_starts_is_a_period_of_its_own(client: TestClient, web_store: Store) -> None:
    start = _euv_start(client)
    before = start - timedelta(days=1)
    assert api.rules_in_force_at(web_store, before).flags != api.rules_in_force_at(web_store, start).flags
    kept = _periods_kept(client)
    earlier, on_the_day = _exposure(client, before, segment="all"), _exposure(client, start, segment="all")
    assert _periods_kept(client) == kept + 2
    euv = {body["at"]: next(r for r in body["by_input"] if r["name"] == "EUV lithography tools")
           for body in (earlier, on_the_day)}
    assert euv[before.isoformat()]["barred_upper_pct"] < euv[start.isoformat()]["barred_upper_pct"]
    for day, body in ((before, earlier), (start, on_the_day)):
        assert body == json.loads(encode(api.exposure(web_store, "CHN", day, segment="all")))


def test_a_scenario_and_its_baseline_are_periods_apart(client: TestClient, web_store: Store) -> None:
    day = date(2026, 7, 3)  # the scenario's rules are in force from 2026-01-01
    ref = "example:duv-immersion-china"
    scenario = client.app.state.chipshift.catalog.resolve(web_store, ref)  # type: ignore[attr-defined]
    with_scenario = _exposure(client, day, scenario=ref)
    assert with_scenario == json.loads(encode(api.exposure(web_store, "CHN", day, scenario)))
    assert with_scenario != {**_exposure(client, day), "scenario": with_scenario["scenario"]}


def test_saving_a_scenario_leaves_answers_about_the_bundled_rules_cached(client: TestClient) -> None:
    params = {"target": "CHN", "at": "2024-02-29"}
    assert client.get("/api/v1/exposure", params=params).status_code == 200
    saved = client.post("/api/v1/scenarios", headers=AUTH, json={
        "id": "period-test", "scenario": {"name": "period test", "at": "2025-06-30", "remove": []}})
    assert saved.status_code == 201, saved.text
    try:
        assert client.get("/api/v1/exposure", params=params).headers["X-Cache"] == "hit"
        listing = client.get("/api/v1/scenarios").json()["saved"]
        assert "saved:period-test" in {s["ref"] for s in listing}  # the listing itself is fresh
    finally:
        assert client.delete("/api/v1/scenarios/period-test", headers=AUTH).status_code == 200


def test_scenario_runs_are_computed_once_per_period_and_dated_each(client: TestClient, web_store: Store) -> None:
    ref = "example:duv-immersion-china"  # its rules are in force from 2026-01-01
    scenario = client.app.state.chipshift.catalog.resolve(web_store, ref)  # type: ignore[attr-defined]
    days = [date(2026, 2, 2), date(2026, 2, 3), date(2025, 12, 31), date(2026, 1, 1)]

    def flags(day: date) -> tuple[tuple[int, ...], tuple[int, ...]]:
        return api.rules_in_force_at(web_store, day, scenario).flags, api.rules_in_force_at(web_store, day).flags

    assert flags(days[0]) == flags(days[1]) and flags(days[2]) != flags(days[3])
    kept = _periods_kept(client, "run-in-period")
    for day in days:
        r = client.post("/api/v1/run", json={"ref": ref, "target": "CHN", "at": day.isoformat()})
        assert r.status_code == 200 and r.headers["X-Cache"] == "miss", r.text
        assert r.content == encode(json.loads(encode(api.scenario_run(web_store, scenario, "CHN", day, None))))
        assert r.json()["diff"]["from"]["at"] == r.json()["exposure"]["at"] == day.isoformat()
    assert _periods_kept(client, "run-in-period") == kept + len({flags(day) for day in days})
