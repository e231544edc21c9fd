"""Terminal tables: ids and codes stay whole when the terminal is narrow; words wrap."""

from __future__ import annotations

from rich.console import Console

from chipshift.render import Format, print_report


def test_a_narrow_table_wraps_words_and_keeps_ids_whole() -> None:
    console = Console(width=44, record=True)  # narrow enough that folding would split the id
    report = {"rules": [{"id": "E-JINHUA-2018", "kind": "entity_listing",
                         "name": "US Entity List: Fujian Jinhua, a DRAM maker in Jinjiang, Fujian province"}]}
    print_report(report, Format.table, "rules", console)
    text = console.export_text()
    assert "E-JINHUA-2018" in text and "entity_listing" in text  # on one line each
    assert len([line for line in text.splitlines() if "│" in line]) > 1  # the name wrapped instead
