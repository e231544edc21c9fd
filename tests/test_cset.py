"""The CSET/ETO import: counts, quirks, the published check values, and broken tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chipshift import api
from chipshift.errors import DataError
from chipshift.io import cset
from chipshift.io.store import Store


def test_import_counts(mini_store: Store, cset_dir: Path) -> None:
    report = api.import_cset(mini_store, cset_dir)
    assert (report["inputs"], report["providers"], report["provision"]) == (126, 396, 1300)
    assert report["provider_rows"] == 403  # one row per alias: deduplicated to 396 ids
    assert report["provision_blank_shares"] == 246
    assert report["stages"] == 3 and report["sequence_edges"] == 139
    assert report["firms_matched_to_existing"] == 373 - len(mini_store.rows("firms", origin="cset"))
    assert "CC BY-NC 4.0" in report["licence"] and "Emerging Technology Observatory" in report["attribution"]
    datasets = mini_store.rows("datasets")
    assert datasets[0]["licence"].startswith("CC BY-NC 4.0")


def test_euv_is_dutch(mini_store: Store, cset_dir: Path) -> None:
    api.import_cset(mini_store, cset_dir)
    euv = api.show_input(mini_store, "EUV lithography tools")
    assert [(c["provider"], c["share_pct"]) for c in euv["countries"]] == [("NLD", 100.0)]
    assert [(f["name"], f["share_pct"]) for f in euv["firms"]] == [("ASML", 100.0)]
    assert euv["stages"] == ["S2"]
    assert euv["market_size_usd"] == pytest.approx(13e9)
    assert "CC BY-NC" in euv["licence"]


def test_blank_share_is_unknown_not_zero(mini_store: Store, cset_dir: Path) -> None:
    api.import_cset(mini_store, cset_dir)
    gpus = api.show_input(mini_store, "N2")
    assert gpus["countries"] and all(c["share_pct"] is None and not c["share_known"] for c in gpus["countries"])
    zeros = [p for p in mini_store.rows("provision") if p["share_pct"] == 0.0]
    assert len(zeros) == 15  # explicit 0.0 rows (shares under 0.05%) stay zeros


def test_stages_by_upward_walk(mini_store: Store, cset_dir: Path) -> None:
    api.import_cset(mini_store, cset_dir)
    stages = {i["id"]: i["stages"] for i in mini_store.rows("inputs", origin="cset")}
    assert stages["N91"] == ["S2", "S3"]  # electronic gases feed fabrication and ATP
    assert stages["N84"] == ["S1"]
    assert stages["N0"] == ["S1"]


def test_alias_names_resolve(mini_store: Store, cset_dir: Path) -> None:
    api.import_cset(mini_store, cset_dir)
    assert api.resolve(mini_store, "firms", "Showa Denka") == api.resolve(mini_store, "firms", "Showa Denko")
    assert api.resolve(mini_store, "firms", "ASML Holding") == "asml"  # matched to the bundled firm


def test_stage_shares_are_by_site_location(mini_store: Store, cset_dir: Path) -> None:
    api.import_cset(mini_store, cset_dir)
    s2 = [p for p in mini_store.rows("provision", input="S2")]
    assert s2 and {p["basis"] for p in s2} == {"site_location"}


def test_reimport_replaces(mini_store: Store, cset_dir: Path) -> None:
    api.import_cset(mini_store, cset_dir)
    api.import_cset(mini_store, cset_dir)
    assert mini_store.count("provision") == 1300


@pytest.mark.parametrize("text,expected", [
    ("$13 billion (2025)", (13e9, 2025)),
    ("$852.6 million (2025)", (852.6e6, 2025)),
    ("$10.9 billion", (10.9e9, None)),
    ("$4 billion (all photomasks)", (4e9, None)),
    ("", (None, None)),
])
def test_market_size_parsing(text: str, expected: tuple[float | None, int | None]) -> None:
    assert cset.parse_market_size(text) == expected


def test_old_share_forms() -> None:
    assert cset.parse_share("61%", as_fraction=False) == 61.0
    assert cset.parse_share("0.61", as_fraction=True) == pytest.approx(61.0)
    assert cset.parse_share(" ", as_fraction=False) is None


def _broken_copy(cset_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "cset"
    shutil.copytree(cset_dir, target)
    return target


def _replace_line(path: Path, old: str, new: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(old))
    lines[index] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return index + 1


@pytest.mark.parametrize("table,old,new,field", [
    ("provision.csv", "ACM Research,P313,Etch and clean tools",
     "ACM Research,P313,Etch and clean tools,N55,250.0,2025,x", "share_provided"),
    ("provision.csv", "ACM Research,P313,Etch and clean tools",
     "ACM Research,P999,Etch and clean tools,N55,2.4,2025,x", "provider_id"),
    ("provision.csv", "ACM Research,P313,Etch and clean tools",
     "ACM Research,P313,Etch and clean tools,N9999,2.4,2025,x", "provided_id"),
    ("providers.csv", "USA,United States", "USA,United States,P1,nation,", "provider_type"),
])
def test_broken_table_names_file_line_field_and_writes_nothing(
        mini_store: Store, cset_dir: Path, tmp_path: Path, table: str, old: str, new: str, field: str) -> None:
    api.import_cset(mini_store, cset_dir)
    broken = _broken_copy(cset_dir, tmp_path)
    line = _replace_line(broken / table, old, new)
    with pytest.raises(DataError) as info:
        api.import_cset(mini_store, broken)
    problem = info.value.problems[0]
    assert (problem.file, problem.line, problem.field) == (table, line, field)
    assert mini_store.count("provision") == 1300  # the earlier import is intact


def test_missing_table(mini_store: Store, cset_dir: Path, tmp_path: Path) -> None:
    broken = _broken_copy(cset_dir, tmp_path)
    (broken / "sequence.csv").unlink()
    with pytest.raises(DataError, match=r"sequence\.csv"):
        api.import_cset(mini_store, broken)
    assert mini_store.count("provision") == 0


def test_missing_column(mini_store: Store, cset_dir: Path, tmp_path: Path) -> None:
    broken = _broken_copy(cset_dir, tmp_path)
    _replace_line(broken / "provision.csv", "provider_name,", "provider_name,provider_id,provided_name,year,source")
    with pytest.raises(DataError) as info:
        api.import_cset(mini_store, broken)
    assert (info.value.problems[0].file, info.value.problems[0].field) == ("provision.csv", "provided_id")
