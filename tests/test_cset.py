"""The CSET/ETO import: counts, quirks, the published check values, and broken tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chipshift import api
from chipshift.config import Settings
from chipshift.errors import DataError
from chipshift.io import cset
from chipshift.io.store import Store
from tests.conftest import StoreAt


def test_import_counts(mini_store: Store, cset_dir: Path) -> None:
    report = api.import_cset(mini_store, cset_dir)
    assert (report.inputs, report.providers, report.provision) == (126, 396, 1300)
    assert report.provider_rows == 403  # one row per alias: deduplicated to 396 ids
    assert report.provision_blank_shares == 246
    assert report.stages == 3 and report.sequence_edges == 139
    assert report.firms_matched_to_existing == 373 - len(mini_store.rows("firms", origin="cset"))
    assert "CC BY-NC 4.0" in report.licence and "Emerging Technology Observatory" in report.attribution
    datasets = mini_store.rows("datasets")
    assert datasets[0]["licence"].startswith("CC BY-NC 4.0")


def test_euv_is_dutch(mini_store: Store, cset_dir: Path) -> None:
    api.import_cset(mini_store, cset_dir)
    euv = api.show_input(mini_store, "EUV lithography tools")
    assert [(c.provider, c.share_pct) for c in euv.countries] == [("NLD", 100.0)]
    assert [(f.name, f.share_pct) for f in euv.firms] == [("ASML", 100.0)]
    assert euv.stages == ("S2",)
    assert euv.market_size_usd == pytest.approx(13e9)
    assert euv.licence is not None and "CC BY-NC" in euv.licence
    assert type(euv).model_validate(euv.as_report()) == euv and euv.as_report()["stages"] == ["S2"]


def test_blank_share_is_unknown_not_zero(mini_store: Store, cset_dir: Path) -> None:
    api.import_cset(mini_store, cset_dir)
    gpus = api.show_input(mini_store, "N2")
    assert gpus.countries and all(c.share_pct is None and not c.share_known for c in gpus.countries)
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


# -- completeness: row counts against the dataset's README, share sums per node ------------------------------------

MINI_STAGES = "stage_id,stage_name,description,market_share_chart_global_market_size_info," \
              "market_share_chart_caption,market_share_chart_source\nS2,Fabrication,,,,\n"
MINI_INPUTS = "input_id,input_name,type,stage_name,stage_id,description,year," \
              "market_share_chart_global_market_size_info,market_share_chart_caption,market_share_chart_source\n" \
              "N1,Fab,process,Fabrication,S2,,,,,\nN2,Tool A,tool_resource,,,,2025,$1 billion (2025),,\n" \
              "N3,Tool B,tool_resource,,,,2025,,,\n"
MINI_PROVIDERS = "provider_name,alias,provider_id,provider_type,country\nUSA,United States,P1,country,\n" \
                 "JPN,Japan,P2,country,\nNLD,Netherlands,P3,country,\nToolco,,P10,organization,USA\n" \
                 "Toolco,Toolco Inc.,P10,organization,USA\n"
MINI_PROVISION_HEADER = "provider_name,provider_id,provided_name,provided_id,share_provided,year,source\n"
MINI_PROVISION = ["USA,P1,Tool A,N2,95.0,2025,x", "JPN,P2,Tool A,N2,4.8,2025,x", "NLD,P3,Tool A,N2,0.2,2025,x",
                  "Toolco,P10,Tool A,N2,100.0,2025,x", "USA,P1,Tool B,N3,51.0,2025,x", "JPN,P2,Tool B,N3,51.0,2025,x"]
MINI_SEQUENCE = "input_name,input_id,goes_into_name,goes_into_id,is_type_of_name,is_type_of_id\n" \
                "Tool A,N2,Fab,N1,,\nTool B,N3,Fab,N1,,\n"


def _mini_readme(provision_rows: int = 6, provider_ids: int = 4) -> str:
    return ("# A small CSET-like dataset\n\n| file here | upstream path | bytes | data rows |\n|---|---|---:|---:|\n"
            f"| `stages.csv` | `data/stages.csv` | 1 | 1 |\n| `inputs.csv` | `data/inputs.csv` | 1 | 3 |\n"
            f"| `provision.csv` | `data/provision.csv` | 1 | {provision_rows:,} |\n\n"
            f"### `providers.csv` (5 rows, {provider_ids} distinct `provider_id`)\n\n"
            "### `sequence.csv` (2 rows): the graph\n")


def _mini_cset(folder: Path, provision: list[str] | None = None, readme: str | None = None) -> Path:
    """A small dataset in CSET's layout: three nodes, four providers, six provision rows."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = MINI_PROVISION if provision is None else provision
    files = {"stages.csv": MINI_STAGES, "inputs.csv": MINI_INPUTS, "providers.csv": MINI_PROVIDERS,
             "provision.csv": MINI_PROVISION_HEADER + "".join(f"{r}\n" for r in rows), "sequence.csv": MINI_SEQUENCE}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    if readme is not None:
        (folder / "README.md").write_text(readme, encoding="utf-8")
    return folder


def test_complete_small_dataset_imports_cleanly(mini_store: Store, tmp_path: Path) -> None:
    report = api.import_cset(mini_store, _mini_cset(tmp_path / "cset", readme=_mini_readme()))
    assert (report.inputs, report.providers, report.provision) == (3, 4, 6)
    assert report.warnings == ()  # N3 sums to 102: within [90, 110]


def test_provision_cut_at_a_row_boundary_is_refused(mini_store: Store, tmp_path: Path) -> None:
    api.import_cset(mini_store, _mini_cset(tmp_path / "full", readme=_mini_readme()))
    cut = _mini_cset(tmp_path / "cut", provision=MINI_PROVISION[1:4], readme=_mini_readme())  # USA's 95% is gone
    with pytest.raises(DataError) as info:
        api.import_cset(mini_store, cut)
    problem = info.value.problems[0]
    assert problem.file == "provision.csv" and problem.check == "cset_counts"
    assert "3 data rows" in problem.message and "states 6" in problem.message
    assert mini_store.count("provision") == 6  # the earlier import is intact
    top = max(api.show_input(mini_store, "N2").countries, key=lambda c: c.share_pct or 0.0)
    assert (top.provider, top.share_pct) == ("USA", 95.0)


def test_allow_partial_imports_with_warnings_by_name(mini_store: Store, tmp_path: Path) -> None:
    cut = _mini_cset(tmp_path / "cut", provision=MINI_PROVISION[1:4], readme=_mini_readme(provision_rows=1300))
    report = api.import_cset(mini_store, cut, allow_partial=True)
    assert report.provision == 3
    warnings = report.warnings
    assert any("provision.csv" in w and "3 data rows" in w and "1,300" in w and "--allow-partial" in w
               for w in warnings)
    assert any(w.startswith("N2: ") and "5%" in w for w in warnings)  # JPN 4.8 + NLD 0.2: far from 100


def test_distinct_provider_ids_are_checked(mini_store: Store, tmp_path: Path) -> None:
    folder = _mini_cset(tmp_path / "cset", readme=_mini_readme(provider_ids=396))
    with pytest.raises(DataError) as info:
        api.import_cset(mini_store, folder)
    problem = info.value.problems[0]
    assert (problem.file, problem.field) == ("providers.csv", "provider_id")
    assert "4 distinct" in problem.message and "396" in problem.message


def test_share_sums_far_from_100_are_named(mini_store: Store, tmp_path: Path) -> None:
    rows = [r.replace("JPN,P2,Tool B,N3,51.0", "JPN,P2,Tool B,N3,70.0") for r in MINI_PROVISION]
    report = api.import_cset(mini_store, _mini_cset(tmp_path / "cset", provision=rows, readme=_mini_readme()))
    assert report.warnings == ("N3: its country shares sum to 121%, outside [90, 110]",)


def test_without_readme_counts_cannot_be_checked(mini_store: Store, tmp_path: Path) -> None:
    report = api.import_cset(mini_store, _mini_cset(tmp_path / "cset"))
    assert report.provision == 6
    assert any("README.md" in w and "not be detected" in w for w in report.warnings)


def test_documented_counts_of_the_dataset_readme(cset_dir: Path) -> None:
    counts = cset.documented_counts((cset_dir / "README.md").read_text(encoding="utf-8"))
    assert counts["inputs.csv"].rows == 126 and counts["provision.csv"].rows == 1300
    assert (counts["providers.csv"].rows, counts["providers.csv"].distinct) == (403, 396)
    assert counts["providers.csv"].distinct_column == "provider_id"


def test_cut_dataset_through_the_cli(tmp_path: Path, store_at: StoreAt, mini_data: Path) -> None:
    from typer.testing import CliRunner

    from chipshift.cli import app

    cut = _mini_cset(tmp_path / "cut", provision=MINI_PROVISION[:2], readme=_mini_readme())
    base = ["--store", str(store_at("s")), "--data-dir", str(mini_data), "import", "cset", str(cut)]
    result = CliRunner().invoke(app, base)
    assert result.exit_code == 2, result.output
    assert "provision.csv" in result.output and "2 data rows" in result.output and "states 6" in result.output
    result = CliRunner().invoke(app, [*base, "--allow-partial", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "warning: provision.csv" in result.output


def test_a_bundled_firm_takes_the_place_of_an_imported_one_with_its_id(
        mini_settings: Settings, cset_dir: Path) -> None:
    """The bundle gains a firm an import had already written (same id): the store reloads, the bundled row
    replaces the imported one, and the import's shares still point at it."""
    with api.open_store(mini_settings) as store:
        api.import_cset(store, cset_dir)
        imported = [f for f in store.rows("firms") if f["origin"] != "chipshift"]
        firm_id = next(f["id"] for f in imported if any(p["provider"] == f["id"] for p in store.rows("provision")))
    assert mini_settings.data_dir is not None
    firms = mini_settings.data_dir / "firms.csv"
    firms.write_text(firms.read_text(encoding="utf-8") + f"{firm_id},A Bundled Name,,USA,,,chipshift,\n",
                     encoding="utf-8")
    with api.open_store(mini_settings) as store:  # reloads the changed bundle
        rows = [f for f in store.rows("firms") if f["id"] == firm_id]
        assert [(r["name"], r["origin"]) for r in rows] == [("A Bundled Name", "chipshift")]
        assert any(p["provider"] == firm_id for p in store.rows("provision"))
