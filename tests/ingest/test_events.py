"""Restriction events read across sentences: each mechanism checked on small texts written for it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.ledger import analyse
from chipshift.ingest.text import Extracted

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)


def _events(kb: KnowledgeBase, text: str, day: str) -> list[dict[str, Any]]:
    return list(analyse(Extracted(text, "text"), kb, date_given=day)["events"])


def test_an_undated_measure_takes_the_day_of_the_sentence_in_which_its_imposer_acts(kb: KnowledgeBase) -> None:
    """The headline names the listing without a date; the body says the US acted "on Monday" (the Monday before a
    Wednesday document): that day dates the listing, not the document's own date."""
    text = ("US puts Fujian Jinhua on its Entity List\n\n"
            "Chinese memory maker Fujian Jinhua faces a hard year.\n\n"
            "On Monday the US Commerce Department added the chipmaker to the list, citing national security.")
    [event] = _events(kb, text, "2018-10-31")
    assert (event["kind"], event["imposed_by"], event["announced"]) == ("entity_listing", "USA", "2018-10-29")


def test_a_date_in_a_sentence_where_another_country_acts_does_not_date_the_measure(kb: KnowledgeBase) -> None:
    """China reacting on Tuesday is not the United States acting: the US measure keeps no date from it (and, as
    the story's opening measure, takes the document's date)."""
    text = ("US puts Fujian Jinhua on its Entity List\n\n"
            "On Tuesday China announced it would defend its firms.")
    events = [e for e in _events(kb, text, "2018-10-31") if e["imposed_by"] == "USA"]
    assert [(e["kind"], e["announced"], e["date_note"]) for e in events] == [
        ("entity_listing", "2018-10-31", "document date (the text gives none)")]


def test_a_ban_aimed_at_foreign_buyers_is_the_banning_states_export_control(kb: KnowledgeBase) -> None:
    """"The US bars China from buying ..." is a US export control reaching China, not a US ban on its own purchases;
    China banning purchases of US chips stays a procurement ban ("US" is where the chips come from, not a buyer)."""
    [event] = _events(kb, "The Biden administration bars China from buying HBM chips, officials said.", "2024-12-03")
    assert (event["kind"], event["imposed_by"], event["targets"].get("countries")) == ("export_control", "USA", ["CHN"])
    [event] = _events(kb, "Beijing bans US chips in government offices.", "2024-12-03")
    assert (event["kind"], event["imposed_by"]) == ("procurement_ban", "CHN")


def test_a_year_in_a_notices_number_or_a_laws_name_is_no_date(kb: KnowledgeBase) -> None:
    """"Announcement No. 61 of 2025" names the notice, not its date: the opening measure, undated otherwise, takes
    the document's day rather than the year 2025."""
    text = "MOFCOM Announcement No. 61 of 2025: Decision to Impose Export Controls on Certain Rare Earth Items"
    [event] = _events(kb, text, "2025-10-09")
    assert (event["kind"], event["imposed_by"], event["announced"]) == (
        "raw_material_export_control", "CHN", "2025-10-09")


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


@settings(max_examples=25, deadline=None)
@given(month=st.integers(1, 12), doc=st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 12, 31)))
def test_a_month_a_measure_will_take_effect_in_is_the_next_one(kb: KnowledgeBase, month: int, doc: date) -> None:
    """"... will take effect in July": the month named, on or after the document's month and less than a year
    after it (never the July before the document)."""
    text = f"Japan's export controls on chipmaking tools to China will take effect in {_MONTHS[month - 1]}."
    [event] = _events(kb, text, doc.isoformat())
    want_year = doc.year if month >= doc.month else doc.year + 1
    assert event["effective"] == f"{want_year}-{month:02d}"


def test_a_month_a_measure_applies_from_is_its_effective_month(kb: KnowledgeBase) -> None:
    """"Dutch export curbs ... to apply from September", written in June 2023: effective September 2023; a month
    after "from" in a comparison ("fell 6% from August") is no date of a measure."""
    [event] = _events(kb, "Dutch export curbs on chipmaking machines to apply from September", "2023-06-30")
    assert (event["imposed_by"], event["effective"]) == ("NLD", "2023-09")
    [event] = _events(kb, "China's export controls on gallium bit as exports fell 6% from August.", "2023-10-20")
    assert event["effective"] is None


def test_a_government_tightening_its_controls_or_requiring_a_new_licence_states_a_measure(kb: KnowledgeBase) -> None:
    """"The Netherlands tightened its own controls on June 30" and "told Nvidia that exporting its H20 to China
    would need a new licence" are export controls of the government acting; "curbs on sales" are too."""
    events = _events(kb, "Tokyo acted after the Netherlands tightened its own controls on some advanced chip tools on "
                         "June 30.", "2023-07-24")
    assert ("export_control", "NLD", "2023-06-30") in [(e["kind"], e["imposed_by"], e["announced"]) for e in events]
    [event] = _events(kb, "On 9th April 2025, the US government told Nvidia that exporting its H20 AI products to "
                          "China would need a new licence.", "2025-05-29")
    assert (event["kind"], event["imposed_by"], event["targets"].get("countries"), event["sellers"].get("firms")) == (
        "export_control", "USA", ["CHN"], ["nvidia"])
    [event] = _events(kb, "The US announced curbs on sales of advanced chips to China in October 2022.", "2024-02-22")
    assert (event["kind"], event["imposed_by"], event["announced"]) == ("export_control", "USA", "2022-10")


def test_a_control_naming_no_country_reaches_those_of_the_imposers_earlier_control(kb: KnowledgeBase) -> None:
    """"Washington tightened those controls again in late 2023" names no country: it reaches China, as the US
    control the text gave before it; a control of another imposer does not lend its target."""
    text = ("The US restricted exports of advanced chips to China in October 2022.\n\n"
            "Japan imposed its own controls in July 2023.\n\n"
            "When Washington tightened those controls again in late 2023, Nvidia developed the H20.")
    events = [(e["imposed_by"], e["announced"], e["targets"].get("countries")) for e in _events(kb, text, "2025-07-15")]
    assert ("USA", "2023", ["CHN"]) in events
    assert ("JPN", "2023-07", None) in events


def test_a_measure_referring_back_to_a_government_just_named_is_that_governments(kb: KnowledgeBase) -> None:
    """"The country brought exports of germanium ... under export controls last August" names no government: it is
    the one whose measure the text gave just before (China); a mere mention of "the export controls" in what a
    chief executive said, with no government acting, is no measure."""
    text = ("China restricted exports of graphite in December 2023.\n\n"
            "The country brought exports of germanium and gallium products under export controls last August.")
    events = [(e["kind"], e["imposed_by"], e["announced"]) for e in _events(kb, text, "2024-06-26")]
    assert ("raw_material_export_control", "CHN", "2023-08") in events
    text = ("The US government told Nvidia on April 9 that exporting the H20 to China requires a licence.\n\n"
            "Jensen Huang said in February that revenue from China had halved compared with the period before the "
            "export controls.")
    assert [e["announced"] for e in _events(kb, text, "2025-04-16")] == ["2025-04-09"]


def test_a_products_maker_is_a_party_to_the_measure_on_it(kb: KnowledgeBase) -> None:
    """"Chinese buyers cannot purchase chips such as Nvidia's H100" under US controls: Nvidia, whose name opens the
    product's, sells what the US controls; a product whose name opens with no firm's gives no party."""
    assert kb.maker_of("nvidia_h100") == "nvidia"
    assert kb.maker_of("amd_mi308") == "amd"
    assert kb.maker_of("gallium") is None
    [event] = _events(kb, "Because of strict US export control measures, Chinese buyers cannot directly purchase "
                          "advanced chips such as Nvidia's H100.", "2024-01-20")
    assert (event["kind"], event["imposed_by"], event["sellers"].get("firms")) == ("export_control", "USA", ["nvidia"])


def test_the_company_in_a_paragraph_naming_no_firm_is_the_firm_last_named(kb: KnowledgeBase) -> None:
    """"Since 2019 the Dutch government has barred the company ... from exporting": the company is ASML, named in an
    earlier paragraph; a measure that speaks of no company gets no seller from it."""
    text = ("ASML makes lithography machines.\n\n"
            "Since 2019 the Dutch government has barred the company from exporting some of its machines to China.")
    [event] = _events(kb, text, "2023-06-30")
    assert (event["imposed_by"], event["sellers"].get("firms")) == ("NLD", ["asml"])
    text = "ASML makes lithography machines.\n\nSince 2019 the Dutch government has restricted exports to China."
    [event] = _events(kb, text, "2023-06-30")
    assert event["sellers"].get("firms") is None


def test_a_permission_naming_no_government_is_granted_by_the_one_whose_control_it_eases(kb: KnowledgeBase) -> None:
    """"In August a deal was struck that let Nvidia export the H20 to China again" names no government: the
    permission is the US's, whose control on the H20 the text has just given; "Sales of the H20 resumed in July"
    reaches China like that control."""
    text = ("In April the US government told Nvidia that exporting the H20 to China would need a licence.\n\n"
            "In August a deal was struck that let Nvidia export the H20 again.")
    events = [(e["kind"], e["imposed_by"], e["announced"], e["targets"].get("countries"), e["sellers"].get("firms"))
              for e in _events(kb, text, "2025-11-20")]
    assert ("relaxation", "USA", "2025-08", ["CHN"], ["nvidia"]) in events


def test_an_entity_listing_is_one_event_per_listed_firm_also_outside_the_data(kb: KnowledgeBase) -> None:
    """A listing sentence naming five firms the knowledge base does not hold gives five listings, each firm under an
    id made from its name as written (company form dropped); a firm of the data named in the list keeps its id."""
    text = ("The US Commerce Department said on Wednesday that it had added Hangzhou Zhongke Microelectronics Co., "
            "Ltd., Hunan Goke Microelectronics, New H3C Semiconductor Technologies Co., Ltd., Xi'an Aerospace Huaxun "
            "Technology, Huawei and Yunchip Microelectronics to its Entity List.")
    events = _events(kb, text, "2021-11-24")
    assert {e["kind"] for e in events} == {"entity_listing"} and {e["imposed_by"] for e in events} == {"USA"}
    assert sorted(f for e in events for f in e["targets"]["firms"]) == sorted([
        "hangzhou-zhongke-microelectronics", "hunan-goke-microelectronics", "new-h3c-semiconductor-technologies",
        "xian-aerospace-huaxun-technology", "huawei", "yunchip-microelectronics"])
    assert all(len(e["targets"]["firms"]) == 1 for e in events)


def test_names_listed_near_a_listing_or_on_lines_after_it_are_its_targets(kb: KnowledgeBase) -> None:
    """A sentence that puts named firms on "the list" without a listing of its own names targets of the nearest
    listing; so do lines that are only a name (an enumerator before them), headings with a count between them. A
    list of countries is not a list of firms."""
    text = ("US adds Chinese firms to its Entity List\n\n"
            "The committee also listed Shanghai Suochen Information Technology Co., Ltd. and Beijing Tsingke "
            "Biotech.\n\n"
            "The entities are listed below:\n\n"
            "1. Software Enterprises (2)\n\n"
            "1. Hong Kong DEMX Co., Ltd.\n\n"
            "2. Sangon Biotech (Shanghai) Co., Ltd.\n\n"
            "Firms in India, Iran and Turkey were also put on the list.")
    events = _events(kb, text, "2025-09-17")
    assert sorted(f for e in events for f in e["targets"].get("firms", [])) == sorted([
        "shanghai-suochen-information-technology", "beijing-tsingke-biotech", "hong-kong-demx",
        "sangon-biotech-shanghai"])
    assert {(e["kind"], e["imposed_by"]) for e in events} == {("entity_listing", "USA")}


def test_a_place_inside_a_listed_name_is_no_imposer(kb: KnowledgeBase) -> None:
    """"(Beijing)" in "SMIC Northern Integrated Circuit Manufacturing (Beijing) Corp" names where the firm is, not a
    government acting: the Entity List stays the US list."""
    text = ("GMC Semiconductor Technology (Wuxi) Co and Jicun Semiconductor Technology were placed on the Entity "
            "List for obtaining equipment for Semiconductor Manufacturing International (Beijing) Corporation.")
    events = _events(kb, text, "2025-09-13")
    assert {e["imposed_by"] for e in events} == {"USA"}
    assert {"gmc-semiconductor-technology-wuxi", "jicun-semiconductor-technology"} <= \
        {f for e in events for f in e["targets"].get("firms", [])}


def test_an_id_made_from_a_name() -> None:
    """``outside_firm_id``: lower case, the company form and a leading "the" dropped, words joined by hyphens, an
    apostrophe or a hyphen before a small letter dropped."""
    from chipshift.ingest.entities import outside_firm_id

    assert outside_firm_id("Shanghai Fudan Microelectronics (HK) Co., Ltd.") == "shanghai-fudan-microelectronics-hk"
    assert outside_firm_id("Xi'an Aerospace Huaxun Technology") == "xian-aerospace-huaxun-technology"
    assert outside_firm_id("Shenzen Sunway Micro-electronics Co. Ltd.") == "shenzen-sunway-microelectronics"
    assert outside_firm_id("Shanghai High-Performance Integrated Circuit Design Center") == \
        "shanghai-high-performance-integrated-circuit-design-center"
    assert outside_firm_id("the National Supercomputing Center Jinan") == "national-supercomputing-center-jinan"


_WORD = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(_WORD, min_size=1, max_size=5), st.sampled_from(["", " Co., Ltd.", " Inc.", " Corporation",
                                                                  " Co. Ltd.", " Limited"]))
def test_an_id_made_from_a_name_is_its_words_whatever_the_company_form(words: list[str], form: str) -> None:
    """Whatever company form follows the words of a name, its id is those words in lower case joined by hyphens."""
    from chipshift.ingest.entities import outside_firm_id

    assert outside_firm_id(" ".join(words) + form) == "-".join(w.lower() for w in words)


def test_the_government_that_adds_to_the_list_imposes_the_listing(kb: KnowledgeBase) -> None:
    """In a listing headline the government just before "adds", "put" or "placed" imposes it, whichever country
    the sentence names first ("Chinese, Indian firms"); a government whose decision another condemns does not
    (the condemning one's verb is no listing)."""
    [event] = _events(kb, "Chinese, Indian firms hit as US adds 32 entities to trade blacklist", "2025-09-13")
    assert (event["kind"], event["imposed_by"]) == ("entity_listing", "USA")
    [event] = _events(kb, "On Wednesday the Biden administration put 25 Chinese entities on its trade blacklist.",
                      "2025-01-16")
    assert (event["kind"], event["imposed_by"]) == ("entity_listing", "USA")
    from chipshift.ingest.events import _LISTS

    assert _LISTS.match("'s decision to place Fujian Jinhua on the list") is None


def test_a_purchase_ban_naming_nobody_whose_goods_are_barred_is_no_event(kb: KnowledgeBase) -> None:
    """"Ban" where nothing names whose goods may not be bought ("a blanket ban is ineffective", "the ban is expected to
    bite") states no purchase ban; a ban that names the seller ("stop purchasing Micron's products") is kept."""
    text = ("Some U.S. chipmakers have argued that a blanket ban is ineffective.\n\n"
            "Western countries are only beginning to build up their own processing, and the ban is expected to bite.")
    assert not [e for e in _events(kb, text, "2023-12-24") if e["kind"] == "procurement_ban"]
    text = ("Operators of China's critical information infrastructure should stop purchasing Micron's products, the "
            "Cyberspace Administration of China said on Sunday.")
    [event] = [e for e in _events(kb, text, "2023-05-22") if e["kind"] == "procurement_ban"]
    assert (event["imposed_by"], event["sellers"].get("firms")) == ("CHN", ["micron"])


@settings(max_examples=30, deadline=None)
@given(who=st.sampled_from(["Beijing", "China's regulators", "Chinese authorities", "The government"]),
       verb=st.sampled_from(["banned purchases", "told operators to stop buying chips", "barred state firms from "
                             "buying chips", "discouraged purchases"]),
       seller=st.sampled_from(["", " from Micron", " from Nvidia and AMD", " made by Intel"]))
def test_every_purchase_ban_names_whose_goods_are_barred(kb: KnowledgeBase, who: str, verb: str, seller: str) -> None:
    """Whatever the sentence, a reported purchase ban names a seller or a firm it reaches."""
    for e in _events(kb, f"{who} {verb}{seller} last month.", "2025-11-06"):
        if e["kind"] == "procurement_ban":
            assert e["sellers"].get("firms") or e["targets"].get("firms"), e


def test_a_relaxation_also_states_the_measure_it_eases_dated_when_first_taken(kb: KnowledgeBase) -> None:
    """"China has suspended a ban on exports to the United States" states China's ban too (on raw materials here),
    reaching the same country; "The ban, imposed in December 2024, ..." dates it, not the suspension."""
    text = ("China has suspended a ban on exports to the United States that covered gallium, germanium and antimony, "
            "its commerce ministry said on Sunday.\n\nThe ban, imposed in December 2024, is now suspended until "
            "November 2026.")
    events = [(e["kind"], e["imposed_by"], e["targets"].get("countries"), e["announced"])
              for e in _events(kb, text, "2025-11-09")]
    assert ("raw_material_export_control", "CHN", ["USA"], "2024-12") in events
    assert not [e for e in events if e[0] == "relaxation" and e[3] == "2024-12"]


@settings(max_examples=24, deadline=None)
@given(month=st.integers(1, 12), verb=st.sampled_from(["imposed in", "introduced in", "first issued in"]))
def test_a_date_of_taking_in_a_relaxations_sentence_dates_the_measure_eased(kb: KnowledgeBase, month: int,
                                                                          verb: str) -> None:
    """Whatever the month, a date written as when the eased measure was taken goes to that measure, never to the
    relaxation."""
    name = date(2024, month, 1).strftime("%B")
    text = f"Washington lifted the export controls on chip design software to China, {verb} {name} 2024."
    events = _events(kb, text, "2025-07-04")
    eased = [e for e in events if e["kind"] == "export_control" and e["imposed_by"] == "USA"]
    assert [e["announced"] for e in eased] == [f"2024-{month:02d}"]
    assert all(e["announced"] != f"2024-{month:02d}" for e in events if e["kind"] == "relaxation")


def test_the_day_a_government_acted_dates_the_measure_before_other_dates_of_its_sentence(kb: KnowledgeBase) -> None:
    """"... before new US export controls, which the Biden administration published on Monday" is dated Monday, not
    by the year the sentence speaks of first."""
    text = ("China's chip imports rose in 2024 as companies stocked up before new US export controls on China, which "
            "the Biden administration published on Monday.")
    [event] = [e for e in _events(kb, text, "2025-01-15") if e["imposed_by"] == "USA"]
    assert (event["kind"], event["announced"]) == ("export_control", "2025-01-13")


def test_an_event_matches_the_rule_it_describes_or_none(kb: KnowledgeBase) -> None:
    """A bundled rule matches an event only when something specific agrees (a product, one a type of the other's,
    a named firm, or the month) and nothing contradicts it (other goods, other buyers, another year): China's
    December 2024 ban to the US is its own rule, not September's antimony controls; a US ban on the H20 dated to
    April 2024 is no rule on other goods of that year."""
    text = ("BEIJING, Dec 3 (Reuters) - China on Tuesday banned exports to the United States of gallium, germanium "
            "and antimony, a day after Washington's latest crackdown on China's chip sector.\n\n"
            "In April, the US issued a surprise export ban on sales of Nvidia's H20 chips to China.")
    events = analyse(Extracted(text, "text"), kb, date_given="2024-12-03")["events"]
    known = {e["kind"]: e["known_rule"] for e in events}
    assert known == {"raw_material_export_control": "E-CN-US-BAN-DEC2024", "export_control": None}


def test_a_sentence_opening_with_the_day_a_measure_starts_dates_the_measure(kb: KnowledgeBase) -> None:
    """"From Nov. 8, exports of ... will not be allowed without approval" after the announcement: the measure's
    effective day."""
    text = ("BEIJING, Oct. 9 (Xinhua) -- China's Ministry of Commerce announced on Thursday export control measures "
            "on items related to superhard materials and rare earth equipment and materials.\n\n"
            "From Nov. 8, exports of items related to superhard materials and of rare earth equipment will not be "
            "allowed without approval, the Ministry of Commerce said.")
    events = _events(kb, text, "2025-10-10")
    assert [(e["imposed_by"], e["announced"], e["effective"]) for e in events] == [("CHN", "2025-10-09",
                                                                                     "2025-11-08")]


def test_a_title_case_headline_names_no_firms_and_a_pages_story_opens_after_its_menus(kb: KnowledgeBase) -> None:
    """A press release page: menus, then a headline in title case whose capitalised runs ("Entity List for
    Supporting PRC Military Modernization", "Providing Support") are no firms, then the story, whose listing is
    the news of the document's day though menus and headings come before it."""
    text = ("Skip to main content\n\nRegulations Licensing Enforcement\n\nNews and Updates\n\n"
            "Commerce Adds 11 Entities to the Entity List for Supporting PRC Military Modernization and Providing "
            "Support to Russia's Military\n\n"
            "WASHINGTON, D.C. - The Bureau of Industry and Security of the U.S. Commerce Department has added 11 "
            "entities to the Entity List for activities that run contrary to U.S. national security interests.")
    events = [e for e in _events(kb, text, "2024-04-11") if e["kind"] == "entity_listing"]
    assert events and all(not e["targets"].get("firms") for e in events)
    assert {e["announced"] for e in events} == {"2024-04-11"}


def test_a_third_countrys_firm_whose_sales_an_export_control_reaches_is_its_seller(kb: KnowledgeBase) -> None:
    """"US export controls would weigh on 10-15 percent of ASML's China sales": ASML, a Dutch firm, sells what the
    US control reaches in China; it is not a firm barred from buying, as China's own firms are."""
    text = "ASML cautioned that US export controls would weigh on 10-15 percent of its China sales in 2024."
    events = [e for e in _events(kb, text, "2024-01-25") if e["kind"] == "export_control"]
    assert [(e["imposed_by"], e["sellers"].get("firms"), e["targets"].get("countries"), e["targets"].get("firms"))
            for e in events] == [("USA", ["asml"], ["CHN"], None)]


def test_a_word_capitalised_by_a_title_case_headline_names_no_firm(kb: KnowledgeBase) -> None:
    """"Applied Materials Warns of Sharp Decline in China Sales as US Export Controls Tighten": "Sharp" is a word of
    the headline, not the firm Sharp, which the story never names; the one seller is Applied Materials."""
    text = ("Applied Materials Warns of Sharp Decline in China Sales as US Export Controls Tighten\n\n"
            "Applied Materials said US export controls have severely limited its ability to supply tools to Chinese "
            "memory makers.")
    events = [e for e in _events(kb, text, "2025-11-14") if e["kind"] == "export_control"]
    assert {f for e in events for f in e["sellers"].get("firms", [])} == {"applied-materials"}
    assert "sharp" not in {m.entity for m in kb.gazetteer.link(text)}
    # named again in the story, the headline's name is the firm's
    again = text + "\n\nShares of Sharp, the Japanese electronics maker, fell."
    assert [m.start for m in kb.gazetteer.link(again) if m.entity == "sharp"] == [again.index("Sharp"),
                                                                                  again.rindex("Sharp")]


def test_a_control_naming_no_country_reaches_the_one_shipments_to_which_need_permission(kb: KnowledgeBase) -> None:
    """The story reports Japan's controls without a destination, then says "Shipments to China ... now need the
    trade ministry's permission" two paragraphs on: the control reaches China."""
    text = ("TOKYO (July 23, 2023) Tighter Japanese limits on the export of 23 kinds of equipment used to make chips "
            "came into force on Sunday, under an ordinance of Japan's Ministry of Economy, Trade and Industry.\n\n"
            "The listed items cover, among others, lithography, etching and deposition equipment.\n\n"
            "Shipments to China and to other destinations outside the white list now need the trade ministry's "
            "permission.")
    events = [e for e in _events(kb, text, "2023-07-23") if e["kind"] == "export_control"]
    assert [(e["imposed_by"], e["targets"].get("countries")) for e in events] == [("JPN", ["CHN"])]


def test_a_sentence_listing_names_of_firms_outside_the_data_keeps_them(kb: KnowledgeBase) -> None:
    """A sentence made almost only of capitalised names ("The Commerce Department added Beijing Tsingke Biotech,
    Hangzhou Zhongke Microelectronics and Hunan Goke Microelectronics to the Entity List on Tuesday.") is no
    headline, though nine in ten of its words are capitalised: its names are the listing's."""
    text = ("US adds Chinese entities to its list\n\n"
            "The Commerce Department added Beijing Tsingke Biotech, Hangzhou Zhongke Microelectronics and Hunan Goke "
            "Microelectronics to the Entity List on Tuesday.")
    events = [e for e in _events(kb, text, "2023-10-19") if e["kind"] == "entity_listing"]
    firms = {f for e in events for f in e["targets"].get("firms", [])}
    assert firms == {"beijing-tsingke-biotech", "hangzhou-zhongke-microelectronics", "hunan-goke-microelectronics"}


def test_a_ban_on_a_foreign_firm_named_with_its_nationality_is_a_purchase_ban(kb: KnowledgeBase) -> None:
    """"China bars US chipmaker Micron from key infrastructure projects": the US names Micron's nationality, not a
    buyer; the ban is on China's own purchases from Micron, dated by the sentence in which the regulator acts
    ("On May 21, the CAC said ... it had found"). "The US bars Chinese supercomputer companies from buying American
    parts" stays an export control."""
    text = ("China bars US chipmaker Micron from key infrastructure projects\n\nOn May 21, the Cyberspace "
            "Administration of China said it had carried out a network security review of Micron's products and had "
            "found that they carry serious security risks.")
    events = analyse(Extracted(text, "text"), kb, date_given="2023-05-22")["events"]
    assert [(e["kind"], e["imposed_by"], e["sellers"].get("firms"), e["announced"]) for e in events] == [
        ("procurement_ban", "CHN", ["micron"], "2023-05-21")]
    other = analyse(Extracted("The US bars Chinese supercomputer companies from buying American parts.", "text"),
                    kb, date_given="2023-05-22")["events"]
    assert [(e["kind"], e["imposed_by"]) for e in other] == [("export_control", "USA")]


def test_a_destination_after_by_is_no_actor(kb: KnowledgeBase) -> None:
    """"results held back by limits on sales to China": China is where sales are limited, not who limits them;
    "China, for its part, voiced dissatisfaction with the Dutch decision" reacts to a measure."""
    text = ("Applied Materials' results have been held back by limits on sales to China, its largest overseas "
            "market.")
    assert not any(e["imposed_by"] == "CHN" for e in analyse(Extracted(text, "text"), kb,
                                                               date_given="2025-05-16")["events"])
    by = "The export ban on the chips was imposed by Washington in April."
    assert [e["imposed_by"] for e in analyse(Extracted(by, "text"), kb, date_given="2025-05-16")["events"]] == ["USA"]


def test_parties_named_after_a_listing_are_its_targets(kb: KnowledgeBase) -> None:
    """"Seven US companies have been put on China's unreliable entity list ... The seven are A, B & C, ... and G":
    one listing per company named, a name with "&" in it one company."""
    text = ("Seven US companies have been put on China's unreliable entity list because they sold weapons to Taiwan, "
            "the Ministry of Commerce announced on Tuesday.\n\nThe seven are Inter-Coastal Electronics, System "
            "Studies & Simulation, IronMountain Solutions and Axient.")
    events = analyse(Extracted(text, "text"), kb, date_given="2025-01-15")["events"]
    assert sorted(f for e in events if e["kind"] == "entity_listing" and e["imposed_by"] == "CHN"
                  for f in e["targets"].get("firms", [])) == [
        "axient", "inter-coastal-electronics", "ironmountain-solutions", "system-studies-simulation"]


def test_lines_of_names_after_a_colon_belong_to_the_listing_before(kb: KnowledgeBase) -> None:
    """A bulleted list of names, one to a line, after "The listed firms include ...:", however many sentences stand
    between it and the listing ("put 12 US companies on its export control list")."""
    text = ("China's Ministry of Commerce put 12 US companies on its export control list on April 9, 2025.\n\n"
            "The order came from the ministry's bureau and took effect on April 10.\n\nNo dual-use goods may be "
            "exported to them.\n\nExports under way must stop.\n\nThe ministry cited national security.\n\n"
            "The listed firms include drone makers and defence contractors:\n\n- American Photonics\n- Novotech, Inc."
            "\n- Echodyne")
    events = analyse(Extracted(text, "text"), kb, date_given="2025-04-10")["events"]
    assert sorted(f for e in events if e["kind"] == "entity_listing"
                  for f in e["targets"].get("firms", [])) == ["american-photonics", "echodyne", "novotech"]


def test_items_added_to_a_control_list_are_a_control_not_a_listing(kb: KnowledgeBase) -> None:
    """China's export control list holds items as well as parties: rare earths added to it are a raw-material
    export control; Huawei and SMIC placed on Taiwan's are listed."""
    items = ("In April, Chinese authorities added seven medium and heavy rare earth elements, and magnets, to the "
             "country's export control list.")
    kinds = {e["kind"] for e in analyse(Extracted(items, "text"), kb, date_given="2025-07-20")["events"]}
    assert kinds == {"raw_material_export_control"}
    firms = "Taiwan has placed China's Huawei Technologies and SMIC on its export control list."
    listed = analyse(Extracted(firms, "text"), kb, date_given="2025-06-15")["events"]
    assert sorted((e["kind"], e["imposed_by"], *e["targets"].get("firms", [])) for e in listed) == [
        ("entity_listing", "TWN", "huawei"), ("entity_listing", "TWN", "smic")]


def test_a_ban_on_a_firm_the_imposers_rules_control_sales_to_is_that_control(kb: KnowledgeBase) -> None:
    """"The US ban on Huawei": the knowledge base holds US listings and controls naming Huawei as a target and no US
    ban on buying from it, so the ban is an export control reaching Huawei; China's ban on Micron, whose bundled
    rule stops purchases from it, stays a purchase ban; a ban on buying from a firm stays a purchase ban."""
    def kinds(text: str) -> list[tuple[str, str]]:
        return [(e["kind"], e["imposed_by"]) for e in analyse(Extracted(text, "text"), kb,
                                                                date_given="2020-12-24")["events"]]

    assert kinds("The US ban on Huawei also played a part, according to Counterpoint.") == [
        ("export_control", "USA")]
    assert kinds("China bars US chipmaker Micron from key infrastructure projects.") == [("procurement_ban", "CHN")]
    assert kinds("The US banned federal agencies from buying Huawei equipment.") == [("procurement_ban", "USA")]


def test_a_party_that_bears_a_measure_is_not_its_imposer(kb: KnowledgeBase) -> None:
    """"curbs ... expected to be felt by South Korea's chip industry": the party after "felt by" bears the measure;
    the United States, the sentence's subject, imposes it, on the day "on Monday" names."""
    text = ("The United States on Monday set out a fresh package of semiconductor export controls aimed at China, "
            "among them curbs on high-end chips that are expected to be felt by South Korea's chip industry.")
    got = [(e["kind"], e["imposed_by"], e["announced"]) for e in _events(kb, text, "2024-12-03")]
    assert got == [("export_control", "USA", "2024-12-02")]


def test_an_export_control_naming_two_or_three_firms_it_reaches_is_one_event_per_firm(kb: KnowledgeBase) -> None:
    """The labelling convention, one event per firm when a measure names two or three on one side, on the side of
    the firms it reaches too ("withdrew the waivers that allowed Samsung Electronics and SK Hynix to use American
    technology in their factories in China")."""
    text = ("On Friday the US Commerce Department withdrew the waivers that allowed Samsung Electronics and SK Hynix "
            "to use American chipmaking tools in their factories in China, requiring a licence for every purchase.")
    events = [e for e in _events(kb, text, "2025-08-30") if e["kind"] == "export_control"]
    assert sorted(f for e in events for f in e["targets"].get("firms", [])) == ["samsung", "sk-hynix"]
    assert all(len(e["targets"]["firms"]) == 1 and e["imposed_by"] == "USA" for e in events)


def test_a_date_a_measure_lasts_until_does_not_date_it(kb: KnowledgeBase) -> None:
    """"pauses its ban ... until 2026": the pause ends then; the year is no date of the ban or of its pause."""
    text = "Beijing pauses its ban on shipping gallium and germanium to the United States until 2026."
    dates = {d for e in _events(kb, text, "2025-11-10") for d in (e["announced"], e["effective"]) if d}
    assert not any(d.startswith("2026") for d in dates)
