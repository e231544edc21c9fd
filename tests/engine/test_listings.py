"""Providers and buyers of an input on a small supply graph, with their screening-list entries."""

from __future__ import annotations

from chipshift.engine.listings import Listing, buyers, firms_on_input
from chipshift.engine.world import World, build_world

FIRMS = [{"id": f, "name": f.upper(), "hq_country": "USA", "parent": None} for f in ("tm", "gm", "wm", "pm")]
COUNTRIES = [{"id": "USA", "name": "United States", "members": []}]


def graph() -> World:
    """A tool T (and its variant TV) goes into a wafer W (a use) and into a tool group G (membership); G goes into a
    process P; W's makers are T's buyers."""
    inputs = [("T", "tool_resource"), ("TV", "tool_resource"), ("G", "tool_resource"), ("W", "material_resource"),
              ("P", "process")]
    links = [("TV", "T", "is_type_of"), ("T", "W", "goes_into"), ("T", "G", "goes_into"), ("G", "P", "goes_into")]
    provision = [("tm", "T", 70.0), ("pm", "T", None), ("gm", "G", 100.0), ("wm", "W", 60.0), ("tm", "W", 40.0)]
    return build_world([{"id": i, "name": f"input {i}", "kind": k} for i, k in inputs],
                       [{"child": c, "parent": p, "relation": r} for c, p, r in links],
                       [{"provider": f, "provider_kind": "firm", "input": i, "share_pct": s} for f, i, s in provision],
                       FIRMS, COUNTRIES)


def test_buyers_supply_a_product_the_input_goes_into() -> None:
    w = graph()
    assert buyers(w, "T") == {"tm": ("W",), "wm": ("W",)}  # the group G's maker makes T, it does not use it
    assert buyers(w, "TV") == buyers(w, "T")  # a variant is used where its broader input is
    assert buyers(w, "G") == {}  # a process names no firms
    assert buyers(w, "W") == {} and buyers(w, "unknown") == {}


def test_providers_and_buyers_carry_their_listings() -> None:
    listed = Listing("EL:1:1", "EL", "WM Wafers Co., Ltd.", "2024-12-05", "89 FR 96837", "Presumption of denial", 100.0)
    firms = firms_on_input(graph(), "T", {"wm": [listed]})
    assert [(f.firm, f.role) for f in firms] == [("tm", "provider"), ("pm", "provider"), ("tm", "buyer"),
                                                 ("wm", "buyer")]
    wm = firms[-1]
    assert wm.listings == (listed,) and wm.through == ("W",) and wm.through_names == ("input W",)
    assert all(not f.listings for f in firms[:-1])
