"""How a rule holds over time as relaxations of it come into force and end, and what one rule reaches: the answers
behind the Restrictions page's timeline and a rule's page (``restrictions_timeline``, ``restrictions_search``,
``restriction_show``), checked against the bundled rules as written and against the engine's answer at a date
(``restrictions_list``)."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

from typer.testing import CliRunner

from chipshift import api
from chipshift.cli import app
from chipshift.io.store import Store
from tests.conftest import StoreAt


def _listed(store: Store, target: str, at: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    answer = api.restrictions_list(store, target, at).as_report()
    return {r["id"]: r for r in answer["rules"]}, {r["id"]: r["lifted_by"] for r in answer["rules_lifted"]}


def test_the_timeline_dates_a_suspension_and_its_end_as_the_engine_applies_them(bundled_store: Store) -> None:
    """China's December 2024 ban on gallium, germanium and antimony for the US was suspended from 2025-11-09 to
    2026-11-27 (E-CN-US-BAN-SUSPEND-NOV2025, same products, sellers and buyers): the timeline says it was lifted and
    put back, naming the suspension, and the engine's list of rules in force agrees on each side of those dates."""
    events = [e for e in api.restrictions_timeline(bundled_store, "USA").as_report()["events"]
              if e["id"] == "E-CN-US-BAN-DEC2024"]
    changes = [(e["date"], e["event"], e["relaxations"]) for e in events
               if e["event"] in ("rule lifted", "rule narrowed", "rule back in force")]
    assert changes == [("2025-11-09", "rule lifted", ["E-CN-US-BAN-SUSPEND-NOV2025"]),
                       ("2026-11-27", "rule back in force", [])]
    lifted = next(e for e in events if e["event"] == "rule lifted")
    assert lifted["note"].startswith("lifted by “") and "(E-CN-US-BAN-SUSPEND-NOV2025) on 2025-11-09" in lifted["note"]
    back = next(e for e in events if e["event"] == "rule back in force")
    assert back["date"] == "2026-11-27" and "ended" in back["note"]
    for at, in_force in (("2025-06-01", True), ("2026-01-01", False), ("2026-12-15", True)):
        rules, gone = _listed(bundled_store, "USA", at)
        assert ("E-CN-US-BAN-DEC2024" in rules) is in_force, at
        assert ("E-CN-US-BAN-DEC2024" in gone) is not in_force, at


def test_a_relaxation_of_part_of_a_rule_narrows_it(bundled_store: Store) -> None:
    """Japan's bulk photoresist licences for Korea (2019-12) relax one of the three materials of its July 2019
    licence rule: narrowed, not lifted. The US 15% arrangement (2025-08) lifts the H20/MI308 licence requirement for
    China only, while the rule also covers Hong Kong and Macau: narrowed as a whole, lifted for China."""
    timeline = api.restrictions_timeline(bundled_store).as_report()["events"]
    changed = {(e["id"], e["date"]): e for e in timeline if e["relaxations"]}
    korea = changed["E-JP-KR-2019", "2019-12"]
    assert korea["event"] == "rule narrowed" and korea["relaxations"] == ["E-JP-PR-RELAX-2019"]
    assert "a licence review replaces the ban" in korea["note"]
    rules, gone = _listed(bundled_store, "KOR", "2020-06-01")
    assert "E-JP-PR-RELAX-2019" in rules["E-JP-KR-2019"]["relaxed_by"] and "E-JP-KR-2019" not in gone
    h20 = changed["E-H20-APR2025", "2025-08"]
    assert h20["event"] == "rule narrowed" and "E-15PCT-AUG2025" in h20["relaxations"]
    assert "E-H20-APR2025" in _listed(bundled_store, "CHN", "2025-10-01")[1]
    assert "E-H20-APR2025" in _listed(bundled_store, "HKG", "2025-10-01")[0]


def test_the_search_rows_say_until_when_each_rule_held(bundled_store: Store) -> None:
    """Rules lifted for good by a later relaxation (each checked against rules.yaml: the relaxation names the rule,
    its products, sellers and buyers) hold until the lifting; rules relaxed in part, or suspended for a time, hold
    on. A date range after the lifting leaves the lifted rule out."""
    rows = {r["id"]: r for r in api.restrictions_search(bundled_store).as_report()["rules"]}
    lifted = {"E-CN-AUS-COAL-OCT2020": "2023-01", "E-CN-AUS-WINE-NOV2020": "2024-03",
              "E-CN-AUS-BARLEY-MAY2020": "2023-08-05", "E-US-RUSAL-SDN-APR2018": "2019-01-27",
              "E-ZTE-EL-MAR2016": "2016-03-24", "E-ZTE-DENIAL-OWN-APR2018": "2018-07-13"}
    for rule, day in lifted.items():
        assert rows[rule]["held_until"] == day and rows[rule]["standing"][-1]["state"] == "lifted", rule
    for rule in ("E-ID-ORE-BAN-JAN2014", "E-US-PDVSA-SDN-JAN2019", "E-OCT2022", "E-CN-US-BAN-DEC2024"):
        assert rows[rule]["held_until"] is None and rows[rule]["standing"][-1]["state"] != "lifted", rule
    # each rule's stretches run end to end, from its start to its own end
    for row in rows.values():
        stretches = row["standing"]
        if not row["start"]:
            assert stretches == []
            continue
        if row["kind"] == "relaxation":
            continue  # (its own test below)
        assert stretches[0]["from"] == row["start"] and stretches[-1]["to"] == row["ended"], row["id"]
        assert all(a["to"] == b["from"] for a, b in pairwise(stretches)), row["id"]
    later = {r.id for r in api.restrictions_search(bundled_store, start="2025-01-01").rules}
    assert "E-CN-AUS-WINE-NOV2020" not in later and "E-CN-US-BAN-DEC2024" in later
    assert "E-CN-AUS-WINE-NOV2020" in {r.id for r in api.restrictions_search(bundled_store, start="2023-06-01",
                                                                            end="2023-12-31").rules}


def test_a_relaxation_holds_while_it_relaxes_a_rule_in_force(bundled_store: Store) -> None:
    """A relaxation holds as the standing of the rules it relaxes names it: Japan's 2019 easing for Korea until the
    rule itself ended on 2023-03-23 (never to today); the 2023 lifting, on the day the rule ended, on that day alone;
    a suspension until its own end; one still acting, on (no end). The search's ``held_until`` follows it."""
    rows = {r["id"]: r for r in api.restrictions_search(bundled_store).as_report()["rules"]}

    def spans(rule: str) -> list[tuple[str, str | None, list[str]]]:
        return [(s["from"], s["to"], s["relaxations"]) for s in rows[rule]["standing"]]

    assert spans("E-JP-PR-RELAX-2019") == [("2019-12", "2023-03-23", ["E-JP-KR-2019"])]
    assert rows["E-JP-PR-RELAX-2019"]["held_until"] == "2023-03-23"
    assert spans("E-JP-KR-LIFT-2023") == [("2023-03-23", "2023-03-23", [])]
    assert "no rule in force" in rows["E-JP-KR-LIFT-2023"]["standing"][0]["note"]
    assert spans("E-CN-US-BAN-SUSPEND-NOV2025") == [("2025-11-09", "2026-11-27", ["E-CN-US-BAN-DEC2024"])]
    assert spans("E-H200-JAN2026") == [("2026-01-15", None, ["E-OCT2022", "E-OCT2023"])]
    assert rows["E-H200-JAN2026"]["held_until"] is None
    # every relaxation with a start has a standing, from its first day on which it acts
    for row in rows.values():
        if row["kind"] == "relaxation" and row["start"]:
            assert row["standing"] and row["standing"][0]["from"] >= row["start"][:4], row["id"]
    # the timeline of events names a relaxation's changes on the rules it relaxes, not as events of its own
    events = api.restrictions_timeline(bundled_store).as_report()["events"]
    assert not [e for e in events if e["kind"] == "relaxation" and e["note"]]


def test_a_ban_on_one_firm_reaches_what_it_supplies_and_its_buyers_in_part(bundled_store: Store) -> None:
    """China's 2023 ban on Micron in critical information infrastructure reaches Micron's memory chips (the inputs
    Micron has share data for, and the categories holding them), none of them for certain: it binds operators of
    critical information infrastructure only, so China's market as a whole is reached in part. The engine bars
    no more than that: Micron's shares for those buyers, and nothing of the US rows of other inputs."""
    micron = api.restriction_show(bundled_store, "E-CN-MICRON-2023").as_report()
    reached = {x["input"]: x for x in micron["reaches"]}
    assert {"dram", "hbm", "nand", "server_dram"} <= set(reached) <= {
        "dram", "hbm", "nand", "server_dram", "memory", "semiconductors", "mobile_dram", "pc_dram"}
    assert {x["reach"] for x in reached.values()} == {"maybe"}
    assert micron["buyers_reach"] == "partial" and "critical information infrastructure" in micron["buyers_note"]
    assert "critical information infrastructure" in reached["dram"]["note"]
    assert micron["names"]["micron"] == "Micron Technology" and micron["names"]["CHN"] == "China"
    cii, day = "critical_information_infrastructure", "2024-01-01"
    dram = api.availability(bundled_store, "CHN", "dram", segment=cii, at=day).as_report()["inputs"][0]
    assert "micron" in {b["provider"] for b in dram["barred"]}
    rows = api.availability(bundled_store, "CHN", segment=cii, at=day).as_report()["inputs"]
    touched = {r["input"] for r in rows if r["barred"] or r["maybe_barred"]
               if "E-CN-MICRON-2023" in json.dumps(r["barred"] + r["maybe_barred"])}
    assert touched <= set(reached), touched - set(reached)
    # other bans on one firm's products, and exits of one firm, reach what the firm supplies
    apple = api.restriction_show(bundled_store, "E-APPLE-RUS-EXIT-MAR2022").as_report()
    # Apple supplies PCs and smartphones in the data; a chip that goes into a smartphone is no kind of one
    assert [x["input"] for x in apple["reaches"]] == ["personal_computers", "smartphones"]
    assert apple["buyers_reach"] == "whole" and {x["reach"] for x in apple["reaches"]} == {"certain"}
    huawei = api.restriction_show(bundled_store, "E-UK-HUAWEI-5G-JUL2020").as_report()
    assert huawei["buyers_reach"] == "partial" and {x["reach"] for x in huawei["reaches"]} == {"maybe"}
    # a rule on a whole market stays certain where its products and sellers are
    oct2022 = api.restriction_show(bundled_store, "E-OCT2022").as_report()
    assert oct2022["buyers_reach"] == "whole" and any(x["reach"] == "certain" for x in oct2022["reaches"])
    assert next(x["note"] for x in oct2022["standing"] if x["note"]).startswith("narrowed by “")


def test_the_command_line_timeline_says_which_rules_relaxations_lifted(store_at: StoreAt) -> None:
    result = CliRunner().invoke(app, ["--store", str(store_at("standing")), "restrictions", "timeline", "--target",
                                      "CHN", "--format", "json"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)["events"]
    coal = [e for e in events if e["id"] == "E-CN-AUS-COAL-OCT2020" and e["event"] == "rule lifted"]
    assert [(e["date"], e["relaxations"]) for e in coal] == [("2023-01", ["E-CN-AUS-COAL-LIFT-JAN2023"])]
