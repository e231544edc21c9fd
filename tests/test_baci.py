"""CEPII's BACI trade flows: a small release in BACI's documented format, written by the tests, imported and
queried; bad files refused by name; a re-import replaces the earlier one."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chipshift import api
from chipshift.cli import app
from chipshift.config import Settings
from chipshift.errors import ChipshiftError, DataError
from chipshift.io.store import Store

COUNTRIES = [("156", "China", "CHN"), ("392", "Japan", "JPN"), ("528", "Netherlands", "NLD"),
             ("842", "USA", "USA"), ("490", "Other Asia, nes", "S19")]
# (year, exporter, importer, HS6, thousand USD, tons): China's imports of chipmaking tools (8486) and chips
ROWS = [
    (2022, "392", "156", "848620", 6000.0, 10.0), (2022, "528", "156", "848620", 3000.0, 5.0),
    (2022, "842", "156", "848620", 1000.0, None), (2022, "490", "156", "854231", 500.0, 0.1),
    (2023, "392", "156", "848620", 7000.0, 11.0), (2023, "528", "156", "848620", 8000.0, 9.0),
    (2023, "156", "842", "811292", 200.0, 3.0), (2023, "392", "156", "010121", 99.0, 1.0),  # horses: dropped
]


def write_release(folder: Path, rows: list[tuple[int, str, str, str, float, float | None]] = ROWS,
                  release: str = "202501") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    by_year: dict[int, list[str]] = {}
    for year, i, j, k, v, q in rows:
        quantity = "NA" if q is None else f"{q:>12.3f}"  # BACI pads numbers with spaces
        by_year.setdefault(year, []).append(f"{year},{i},{j},{k},{v:>12.3f},{quantity}")
    for year, lines in by_year.items():
        (folder / f"BACI_HS22_Y{year}_V{release}.csv").write_text("t,i,j,k,v,q\n" + "\n".join(lines) + "\n")
    with open(folder / f"country_codes_V{release}.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["country_code", "country_name", "country_iso2", "country_iso3"])
        for code, name, iso3 in COUNTRIES:
            writer.writerow([code, name, iso3[:2], iso3])
    return folder


def test_import_and_china_tool_imports_by_origin(mini_store: Store, tmp_path: Path) -> None:
    report = api.import_baci(mini_store, write_release(tmp_path / "baci"))
    assert report.years == (2022, 2023) and report.flows == 7
    assert {r.hs: r.flows for r in report.kept_by_heading}["8486"] == 5
    answer = api.trade(mini_store, "8486", importer="CHN")
    by_year = {(r.year, r.exporter): r for r in answer.flows}
    assert by_year[(2022, "JPN")].value_usd == pytest.approx(6_000_000.0)
    assert by_year[(2022, "JPN")].share_pct == pytest.approx(60.0)
    assert by_year[(2023, "NLD")].share_pct == pytest.approx(100 * 8 / 15, abs=1e-3)
    assert by_year[(2022, "USA")].quantity_t is None  # 'NA' is unknown, never zero
    assert [r.exporter for r in answer.flows if r.year == 2023] == ["NLD", "JPN"]  # largest first
    assert answer.source.licence == "Etalab Open Licence 2.0"
    body = answer.as_report()  # the key asked with, and not the other; the JSON reads back as the same answer
    assert type(answer).model_validate(body).as_report() == body
    assert body["importer"] == "CHN" and "exporter" not in body and body["year"] is None
    # Comtrade's 'Other Asia, nes' is Taiwan; exports by destination
    assert api.trade(mini_store, "8542", importer="CHN").flows[0].exporter == "TWN"
    exports = api.trade(mini_store, "8112", exporter="CHN", year=2023)
    assert exports.flows[0].importer == "USA" and "importer" not in exports.as_report()


def test_zip_reimport_replaces_and_bad_files_are_named(mini_store: Store, tmp_path: Path) -> None:
    folder = write_release(tmp_path / "first")
    api.import_baci(mini_store, folder)
    second = write_release(tmp_path / "second", ROWS[:2], release="202601")
    archive = tmp_path / "BACI_HS22_V202601.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in second.iterdir():
            z.write(f, f"BACI_HS22_V202601/{f.name}")
    assert api.import_baci(mini_store, archive).flows == 2
    assert mini_store.count("trade_flows") == 2
    assert [d["version"] for d in mini_store.rows("datasets") if d["id"] == "baci"] == ["HS22 V202601"]

    broken = write_release(tmp_path / "broken", [(2023, "392", "156", "848620", 1.0, 1.0), (2023, "999", "156",
                                                                                              "848620", 1.0, 1.0)])
    with pytest.raises(DataError) as info:
        api.import_baci(mini_store, broken)
    assert "999" in str(info.value) and "BACI_HS22_Y2023_V202501.csv" in str(info.value)
    (broken / "BACI_HS22_Y2023_V202501.csv").write_text("t,i,j,k,v,q\n2023,392,156,848620,abc,1\n")
    with pytest.raises(DataError, match=r"BACI_HS22_Y2023_V202501\.csv"):
        api.import_baci(mini_store, broken)
    assert mini_store.count("trade_flows") == 2  # nothing lost or half-written
    with pytest.raises(ChipshiftError, match="either an importer or an exporter"):
        api.trade(mini_store, "8486")


def test_cli_trade_table_and_bad_path_exit_2(mini_settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"CHIPSHIFT_STORE": str(mini_settings.store_path)}
    base = ["--data-dir", str(mini_settings.data_dir)]
    result = runner.invoke(app, [*base, "import", "baci", str(write_release(tmp_path / "baci"))], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [*base, "trade", "--hs", "8486", "--importer", "CHN", "--format", "csv"], env=env)
    assert result.exit_code == 0 and "JPN" in result.output
    result = runner.invoke(app, [*base, "import", "baci", str(tmp_path / "missing")], env=env)
    assert result.exit_code == 2
