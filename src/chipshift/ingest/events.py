"""Restriction events: who restricts what for whom, since when — and the candidate rule in the engine's format.

A sentence with a trigger ("ban", "export controls", "Entity List", "stop selling", "told to stop buying")
becomes an event; the imposer, sellers, targets, segments, products and dates come from the linked
mentions and period mentions in it. Mentions of the same measure are merged, and each event is matched
against the knowledge base's rules.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from chipshift.ingest.entities import listed_names, outside_firm_id, title_case
from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.model import Event, Marker, Mention, PeriodMention, Reference, Sentence, Window

#: Permission given: "let Nvidia export the H20 to China again", "clears Nvidia H200 sales", "would grant Nvidia
#: export licenses", "sales of the H20 resumed", "rescinded the AI diffusion rule"
_PERMISSION = re.compile(r"\b(?:let(?:s|ting)?|allow(?:s|ed|ing)?|permit(?:s|ted|ting)?|clear(?:s|ed|ing)?|"
                         r"approv(?:e|es|ed|ing))\s+(?:(?!under\b|by\b|within\b|in\b)[\w-]+\s+){0,3}?(?:to\s+)?"
                         r"(?:export|sell|ship|sales|"
                         r"exports|shipments|resume)\b|\bgrant(?:s|ed|ing)?\s+(?:[\w-]+\s+){0,3}?(?:export\s+)?"
                         r"licen[cs]es?\b|\blicen[cs]es?\s+(?:[\w-]+\s+){0,3}?(?:will\s+be\s+|would\s+be\s+|were\s+|"
                         r"was\s+|had\s+been\s+|have\s+been\s+)granted\b|\b(?:sales|exports|shipments)\s+(?:of\s+"
                         r"(?:[\w-]+\s+){0,4})?(?:have\s+|has\s+)?resumed\b|\bresum(?:e|es|ed|ing)\s+(?:[\w-]+\s+){0,3}?"
                         r"(?:sales|shipments|exports)\b|\brescind(?:s|ed|ing)?\s+(?:[\w-]+\s+){0,4}?(?:rule|"
                         r"restrictions?|ban|controls?)\b|\brevers(?:e|es|ed|ing)\s+(?:its\s+|the\s+)?(?:course|ban|"
                         r"decision)\b", re.I)

_TRIGGERS: list[tuple[str, re.Pattern[str]]] = [
    # a licence or waiver revoked is a tightening of export controls, not a firm's exit nor a relaxation
    ("export_control", re.compile(r"\b(?:revok(?:e|es|ed|ing)|withdr(?:aw|aws|awn|ew|awing)|rescind(?:s|ed|ing)?|"
                                  r"pull(?:s|ed|ing)?|cancel(?:s|led|ed|ling|ing)?)\s+(?:\w+\s+){0,4}?"
                                  r"(?:export\s+)?(?:licen[cs]es?|waivers?|authori[sz]ations?)\b|"
                                  r"\b(?:licen[cs]es?|waivers?|authori[sz]ations?)\s+(?:\w+\s+){0,6}?(?:had\s+|have\s+|"
                                  r"has\s+|was\s+|were\s+|been\s+)*(?:\w+\s+)?(?:revoked|withdrawn|rescinded|"
                                  r"cancell?ed)\b", re.I)),
    ("permission", _PERMISSION),
    ("relaxation", re.compile(r"\b(?:lift(?:s|ed|ing)?|eas(?:e|es|ed|ing)|suspend(?:s|ed|ing)?|relax(?:es|ed|ing)?"
                              r"|resum(?:e|es|ed|ing) (?:sales|shipments|exports))\b", re.I)),
    # China's export control list and watch list, Japan's End User List: lists of parties, not of goods (the US
    # Commerce Control List is of goods)
    ("entity_listing", re.compile(r"\bentity list\b|\btrade blacklist\b|\bblacklist(?:ed|s)?\b|"
                                  r"(?<!Commerce )\b(?:export[- ]control|control(?:led)?[- ]part(?:y|ies)|watch|"
                                  r"end[- ]users?)\s+list\b", re.I)),
    ("market_exit", re.compile(r"\b(?:exit(?:s|ed|ing)?|pull(?:s|ed|ing)? out|withdraw(?:s|n|ing|al)?|"
                               r"retreat(?:s|ed|ing)?|(?:stop|cease|halt|end)(?:s|ped|ed|ping|ing)? (?:selling|"
                               r"supplying|sales)|walk(?:s|ing|ed)? away|wind(?:s|ing)? down)\b", re.I)),
    ("export_control", re.compile(r"\bexport (?:controls?|curbs?|restrictions?|bans?|licen[cs]es?|licensing)\b|"
                                  r"\brestrict(?:s|ed|ing)? (?:the )?exports?\b|\bcurb(?:s|ed|ing)? exports?\b|"
                                  r"\b(?:restrictions|curbs|controls|limits) on (?:\w+ ){0,3}(?:exports?|sales|"
                                  r"shipments)\b|"
                                  r"\bapply (?:\w+ ){0,4}for (?:a |an )?(?:export )?licen[cs]es?\b|"
                                  r"\b(?:requires?|needs?|need|required) (?:a |an )?(?:[\w-]+ ){0,2}?"
                                  r"(?:export )?licen[cs]e\b|"
                                  r"\b(?:tighten|widen|expand|impos|introduc)\w*\s+(?:(?!on\b|of\b)[\w'’-]+\s+){0,3}?"
                                  r"(?:controls|curbs|restrictions)\b|"
                                  r"\blicen[cs]e requirements?\b|\bban(?:s|ned)? (?:the )?"
                                  r"(?:export|sale)s?\b|\bexport (?:ban)\b", re.I)),
    ("import_ban", re.compile(r"\bimport ban\b|\bban(?:s|ned)? imports?\b", re.I)),
    ("procurement_ban", re.compile(r"\bban(?:s|ned|ning)?\b|\bbarr?(?:ed|s|ing)?\b|\bprohibit(?:s|ed|ing)?\b|"
                                   r"\b(?:stop|halt|cease)(?:s|ped|ed)? (?:buying|purchasing|purchases|orders|"
                                   r"testing)\b|\bcancel(?:led|ed)? (?:\w+ )?orders\b|\bnot to (?:buy|purchase)\b|"
                                   r"\bavoid (?:buying|purchasing|using)\b|\bguidance\b|\bdiscourag\w+\b", re.I)),
    ("weak_export_control", re.compile(r"\bsanctions?\b|\bexport (?:rules|regulations)\b|\bblock(?:s|ed|ing)? "
                                       r"(?:access|sales|shipments)\b|\brestrict(?:s|ed|ing|ions)?\b|\bcurbs?\b|"
                                       r"\blimit(?:s|ed|ing)? (?:\w+ ){0,3}access\b", re.I)),
]
_RAW = {"gallium", "germanium", "graphite", "antimony", "rare_earths", "tungsten", "tellurium", "bismuth", "indium",
        "molybdenum", "superhard_materials", "raw_materials"}
#: Raw materials named by their kind ("the two metals", "critical minerals"): controls on them are raw-material
#: export controls.
_RAW_WORDS = re.compile(r"\b(?:metals?|minerals?|raw materials?|rare earths?|critical materials?)\b", re.I)
_SEGMENTS = [("data_center", r"data[- ]cent(?:er|re)s?|server"),
             ("critical_information_infrastructure", r"critical (?:information )?infrastructure|key infrastructure"),
             ("automotive", r"\bauto(?:motive|mobile)?s?\b|vehicles?|\bcars?\b"),
             ("mobile", r"mobile phones?|smartphones?|handsets?"), ("military", r"\bmilitary\b"),
             ("government", r"government agencies|state-owned|public sector")]
_POSSIBLE = re.compile(r"\b(?:could|may|might|would|consider(?:s|ing)?|threaten(?:s|ed)?|weigh(?:s|ing)?|"
                       r"propos(?:e|ed|es|al))\b", re.I)
_REPORTED = re.compile(r"\b(?:reportedly|sources? (?:said|say)|people (?:briefed|familiar)|according to|"
                       r"reported)\b", re.I)
_PLANNED = re.compile(r"\b(?:plans? to|will|set to|is to|expected to|decided to|prepar\w+ to)\b", re.I)
_NEGATED = re.compile(r"\b(?:not a ban|no (?:ban|regulatory action)|has not|did not|denied|already (?:on|listed|"
                      r"blacklisted|subject))\b", re.I)
_EFFECTIVE = re.compile(r"(?:effective|takes? effect|took effect|come into (?:effect|force)|came into (?:effect|force)|"
                        r"went into (?:effect|force)|from|starting|begin(?:ning)?|as of|in force)\s+(?:on\s+|in\s+|"
                        r"from\s+)?$", re.I)
#: A sentence that only dates the measure just reported ("The rules take effect on September 15.").
_TAKES_EFFECT = re.compile(r"\b(?:takes? effect|took effect|come into (?:effect|force)|came into (?:effect|force)|"
                           r"went into (?:effect|force)|(?:will\s+)?(?:be|become|became)\s+effective)\b", re.I)


#: A sentence opening with the day a measure starts ("From Nov. 8, exports of ... will not be allowed without
#: approval"; "Starting December 1, ..."): it dates the measure just reported.
_OPENS_WITH_START = re.compile(r"\W*(?:from|starting|beginning|as\s+of|effective)\s+(?:on\s+)?(?:jan|feb|mar|apr|"
                               r"may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b", re.I)

#: Words of a seller's business: a firm of a third country named beside them under an export control sells.
_SELLING = re.compile(r"\b(?:sales|sell(?:s|ing)?|sold|shipments?|ship(?:s|ping)?|revenue|customers)\b", re.I)

#: Words sending goods to a country named next: "Shipments to China", "exports of the tools to China".
_SHIPPED_TO = re.compile(r"\b(?:shipments?|exports?|sales|deliveries|shipp(?:ed|ing)|sold|sell(?:ing)?|"
                         r"export(?:ed|ing))\s+(?:[\w-]+\s+){0,3}?to\s+(?:the\s+)?(?:mainland\s+)?$", re.I)

#: The paragraphs a story opens with (headline, dateline, lede).
_LEDE_PARAGRAPHS = 2
#: Words of a full sentence of a story's body (not a menu entry or a heading).
_FULL_SENTENCE = 15


def extract(sentences: list[Sentence], mentions: list[Mention], pms: list[PeriodMention], markers: list[Marker],
            refs: list[Reference], kb: KnowledgeBase, doc_date: date | None) -> list[Event]:
    events: list[Event] = []
    subject: dict[int, str] = {}
    last_firm: str | None = None
    ref_dates = {r.number: r.date for r in refs}
    previous: Sentence | None = None
    last_paragraph = -9
    lede: set[int] = set()
    listing: Event | None = None  # the latest entity listing, while lines naming its entities may follow it
    name_lists: list[tuple[int, list[str], tuple[int, int]]] = []  # names put on a list, in no event's sentence
    gap = 0
    wm, wp, wk = Window(mentions), Window(_event_periods(sentences, pms, doc_date)), Window(markers)
    # a page's story opens where its first full sentence stands, after any menus and headings
    body = next((s.paragraph for s in sentences if not s.in_references and len(s.text.split()) >= _FULL_SENTENCE), 0)
    for i, s in enumerate(sentences):
        if s.in_references:
            continue
        ments = [m for m in wm.between(s.start, s.end) if m.entity]
        firms = [m for m in ments if m.kind == "firm"]
        enumerated = previous is not None and previous.paragraph == s.paragraph and \
            _ENUMERATOR_ONLY.fullmatch(previous.text) is not None
        if s.text.rstrip().endswith(":") and _NAMES_FOLLOW.search(s.text):
            # "The listed firms include defence contractors, drone makers and ...:" opens the lines of names of the
            # text's latest entity listing, however far back it stood
            listing, gap = next((e for e in reversed(events) if e.kind == "entity_listing"), listing), 0
        if listing is not None:
            named = _name_line(s, ments, listing, kb, enumerated)
            if named is not None:
                _add_firms(listing, named)
                listing.spans.append((s.start, s.end))
                gap = 0
                previous = s
                continue
            if not (_LIST_HEADING.match(s.text) or _ENUMERATOR_ONLY.fullmatch(s.text)):
                gap += 1
                if gap > _LIST_GAP:
                    listing = None
        kind, trigger = _kind(s.text, ments, kb)
        made = len(events)
        # a question ("How have ... been affected by US export controls?") states no measure
        if kind is not None and trigger is not None and not _NEGATED.search(s.text) and \
                not s.text.rstrip().endswith("?"):
            cites = sorted({n for mk in wk.between(s.start, s.end + 1) for n in mk.numbers})
            following = sentences[i + 1] if i + 1 < len(sentences) else None
            context = [*(wp.between(previous.start, previous.end) if previous is not None and
                         previous.paragraph == s.paragraph else []),
                       *(wp.between(following.start, following.end) if following is not None and
                         following.paragraph == s.paragraph and not following.in_references else [])]
            recent = next((e.imposed_by for e in reversed(events) if e.imposed_by and e.kind != "market_exit" and
                           s.paragraph - _paragraph_of(e, sentences) <= _ANAPHOR_PARAGRAPHS), None)
            firm_here = subject.get(s.paragraph)
            if firm_here is None and last_firm and _THE_COMPANY.search(s.text):
                firm_here = last_firm  # "the company" in a paragraph naming no firm: the firm the text last named
            event = _event(s, kind, trigger, ments, firm_here, wp.between(s.start, s.end), cites,
                           ref_dates, kb, context, recent)
            if event is not None and event.kind == "relaxation" and not (
                    event.targets or event.products or event.sellers.get("firms") or event.announced or
                    event.effective):
                event = None  # a relaxation naming nothing relaxed, for nobody, at no time: a licensing condition
            if event is not None:
                if (s.paragraph <= _LEDE_PARAGRAPHS or s.paragraph < body + _LEDE_PARAGRAPHS) and \
                        event.modality != "possible":
                    lede.add(id(event))
                events.append(event)
                last_paragraph = s.paragraph
                if event.kind == "entity_listing":
                    listing, gap = event, 0
                eased = _eased(s, event, trigger, ments, wp.between(s.start, s.end))
                if eased is not None:
                    events.append(eased)
        if kind is None and events and events[-1].kind in ("export_control", "raw_material_export_control") and \
                not events[-1].targets.get("countries") and s.paragraph - last_paragraph <= 2:
            # "Shipments to China ... now need the trade ministry's permission": where the control just reported
            # bites, when it named no country
            bound = [m.entity for m in ments if m.kind == "country" and m.entity and
                     m.entity not in ("WLD", events[-1].imposed_by) and
                     _SHIPPED_TO.search(s.text[max(0, m.start - s.start - 40):m.start - s.start])]
            if bound:
                events[-1].targets["countries"] = list(dict.fromkeys(bound))
                events[-1].spans.append((s.start, s.end))
        if kind is None and events and events[-1].effective is None and (
                _TAKES_EFFECT.search(s.text) or _OPENS_WITH_START.match(s.text)) and \
                s.paragraph - last_paragraph <= 1:
            _, effective, _ = _dates(s, wp.between(s.start, s.end))
            if effective:
                events[-1].effective = effective
                events[-1].spans.append((s.start, s.end))
        if len(events) == made and _ON_THE_LIST.search(s.text):
            named = _listed_firms(s, ments, kb)
            if named:
                name_lists.append((s.paragraph, named, (s.start, s.end)))
        if firms:
            subject[s.paragraph] = firms[0].entity or ""
            last_firm = firms[-1].entity
        previous = s
    merged = _merge(events)
    _date_eased(merged, sentences, wp)
    _names_to_listings(merged, name_lists, sentences)
    _date_from_action(merged, sentences, wm, wp)
    _target_carried(merged)
    for e in merged:
        if id(e) in lede and e.announced is None and e.effective is None and doc_date is not None:
            # the measure a story opens with, undated anywhere in its text, is the news of the document's day
            e.announced, e.date_note = doc_date.isoformat(), "document date (the text gives none)"
    merged = [one for e in merged for one in _per_firm(e) if not _nobody_barred(one)]
    for i, e in enumerate(merged, 1):
        e.id = f"E{i}"
        e.known_rule = _known(e, kb)
    return merged


def _nobody_barred(e: Event) -> bool:
    """A purchase ban that names no one whose goods may not be bought (no seller firm, no country the goods come
    from, no firm it reaches; a product whose maker the knowledge base knows names its maker): "ban" in another
    sense ("a blanket ban is ineffective", "the ban is expected to bite", "if sales there restart"), not a measure a
    buyer could follow."""
    return e.kind == "procurement_ban" and not e.sellers and not e.targets.get("firms")


#: What a relaxation eases, just after its verb: "suspended a ban on exports", "lifted part of its export
#: restrictions", "pauses rare earth export controls", "lifting the export ban".
_EASED_OBJECT = re.compile(r"^\s+(?:part\s+of\s+)?(?:(?:a|an|the|its|their|some|his|her)\s+)?(?:[\w-]+\s+){0,4}?"
                           r"(?:ban|controls?|restrictions?|curbs?|measures?)\b", re.I)
#: A date given to the measure eased, as when it was first taken: "imposed in December 2024", "first issued on
#: December 3, 2024".
_FIRST_TAKEN = re.compile(r"\b(?:imposed|introduced|issued|announced|adopted|put\s+in\s+place|brought\s+in)\s+"
                          r"(?:(?:at\s+)?the\s+(?:end|start|beginning|middle)\s+of\s+|on\s+|in\s+)?$", re.I)
_EASED_NOTE = "the measure a relaxation eases"
#: A measure referred back to, by what it is: "The ban", "the electronic design automation (EDA) controls", "the
#: notice".
_MEASURE_BACK = re.compile(r"\b(?:the|these|those|its|such)\s+(?:[\w()-]+\s+){0,5}?(?:controls|curbs|restrictions|"
                           r"rules|measures|ban|notice|rule)\b", re.I)


def _eased(s: Sentence, relaxation: Event, trigger: re.Match[str], ments: list[Mention],
           pms: list[PeriodMention]) -> Event | None:
    """The measure a relaxation eases, as an event of its own: "China has suspended a ban on exports to the United
    States" also states China's ban (a raw-material control when raw materials are named), by the same government,
    reaching the same countries; dated only by a date the sentence gives as when it was first taken ("imposed in
    December 2024"), never by the relaxation's. None for a permission ("let Nvidia export") or when the verb's object
    is no measure."""
    if relaxation.kind != "relaxation" or trigger.re is _PERMISSION or \
            _EASED_OBJECT.match(s.text[trigger.end():]) is None:
        return None
    raw = any(m.entity in _RAW for m in ments if m.kind == "input") or _RAW_WORDS.search(s.text) is not None
    taken = next((p.label for p in pms if p.label and ".." not in p.label and p.kind in ("date", "month", "year") and
                  _FIRST_TAKEN.search(s.text[:p.start - s.start])), None)
    return replace(relaxation, kind="raw_material_export_control" if raw else "export_control",
                   policy=_policy("export_control", s.text), announced=taken, effective=None, date_note=_EASED_NOTE,
                   targets={k: list(v) for k, v in relaxation.targets.items()}, spans=list(relaxation.spans))


def _date_eased(events: list[Event], sentences: list[Sentence], wp: Window) -> None:
    """A measure a relaxation eases that its own sentence leaves undated takes the date of the nearest sentence
    (within ``_ACTION_REACH`` characters) that refers back to a measure and says when it was first taken: "The ban,
    imposed in December 2024, is now suspended", "When the EDA controls were brought in at the end of May 2025"."""
    for e in events:
        if e.date_note != _EASED_NOTE or e.announced or e.effective:
            continue
        at = e.spans[0][0]
        best: tuple[int, str] | None = None
        for s in sentences:
            if s.in_references or abs(s.start - at) > _ACTION_REACH or not _MEASURE_BACK.search(s.text):
                continue
            for p in wp.between(s.start, s.end):
                if p.label and ".." not in p.label and p.kind in ("date", "month", "year") and \
                        _FIRST_TAKEN.search(s.text[:p.start - s.start]) and \
                        (best is None or abs(s.start - at) < best[0]):
                    best = (abs(s.start - at), p.label)
        if best is not None:
            e.announced = best[1]


#: A year that belongs to a name, not a date: a notice's number ("Announcement No. 61 of 2025") or a law's short
#: name ("STA 2010", "Export Control Act 2018").
_NAMED_YEAR = re.compile(r"(?:\bNo\.?\s*\d+\s+of|\bAct|\b[A-Z]{2,6})\s*$")
#: A sentence about what is yet to happen: "will take effect in July", "curbs to apply from September".
_FUTURE = re.compile(r"\b(?:will|shall|set\s+to|is\s+to|are\s+to|due\s+to|to\s+(?:apply|take\s+effect|come\s+into|"
                     r"start|begin|enter))\b", re.I)
#: A month named as when a measure starts, which the period reader leaves alone ("to apply from September").
_FROM_MONTH = re.compile(r"\b(?:(?:appl(?:y|ies)|effect|force|valid)\s+(?:from|as\s+of|starting|beginning)|"
                         r"starting|beginning|effective)\s+(?:in\s+)?(?P<mon>January|February|"
                         r"March|April|May|June|July|August|September|October|November|December)\b(?![\s.,]*\d)")
_INFERRED = ("year_inferred", "year taken from the document date")


def _event_periods(sentences: list[Sentence], pms: list[PeriodMention], doc_date: date | None) -> list[PeriodMention]:
    """The period mentions as a measure's dates read them: a year that is part of a notice's number or a law's name
    is dropped; a month or day written without its year, in a sentence about what will happen, is the next one on
    or after the document date (not the latest before it); a month a measure applies "from" is added."""
    out: list[PeriodMention] = []
    w = Window(pms)
    for s in sentences:
        will = _FUTURE.search(s.text) if doc_date is not None else None
        for p in w.between(s.start, s.end):
            if p.kind == "year" and _NAMED_YEAR.search(s.text[:p.start - s.start]):
                continue
            if will is not None and doc_date is not None and p.start - s.start > will.start() and p.label and \
                    p.note in _INFERRED and p.kind in ("date", "month") and p.label[:7] < doc_date.isoformat()[:7]:
                p = replace(p, label=f"{int(p.label[:4]) + 1}{p.label[4:]}",
                            note="year_inferred: after the document date")
            out.append(p)
        if doc_date is None:
            continue
        taken = [(p.start, p.end) for p in w.between(s.start, s.end)]
        for m in _FROM_MONTH.finditer(s.text):
            start = s.start + m.start("mon")
            if any(a <= start < b for a, b in taken):
                continue
            month = list(_MONTH_NAMES).index(m.group("mon")) + 1
            year = doc_date.year
            if will is not None and m.start() > will.start() and month < doc_date.month:
                year += 1
            elif will is None and month > doc_date.month:
                year -= 1
            out.append(PeriodMention(start, s.start + m.end(), m.group("mon"), f"{year}-{month:02d}", "month",
                                     "year_inferred"))
    out.extend(p for p in pms if not any(s.start <= p.start < s.end for s in sentences))
    return sorted(out, key=lambda p: p.start)


_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")


_TARGETED = ("export_control", "entity_listing", "raw_material_export_control")


def _target_carried(events: list[Event]) -> None:
    """A control taken in its sentence (a government's verb: "When Washington tightened those controls again in late
    2023") or a relaxation ("Sales of the H20 chip resumed in July 2025") that names no country it reaches reaches
    the countries of the nearest earlier control by the same imposer in the text."""
    for i, e in enumerate(events):
        if e.kind not in (*_TARGETED, "relaxation") or e.targets.get("countries") or \
                (e.kind != "relaxation" and not _ACTION.search(e.sentence)):
            continue  # a control only mentioned ("as the export curbs took hold") is not given a country
        earlier = next((o for o in reversed(events[:i]) if o.kind in _TARGETED and o.imposed_by == e.imposed_by and
                        o.targets.get("countries")), None)
        if earlier is not None:
            e.targets["countries"] = list(earlier.targets["countries"])


#: A verb by which a government acts on a measure ("added the chipmaker to the list", "announced the rules",
#: "told Nvidia", "took effect"): a sentence with one, naming the measure's imposer and a day or month, dates it.
_ACTION = re.compile(r"\b(?:add(?:s|ed|ing)?|put(?:s|ting)?|plac(?:e|es|ed|ing)|nam(?:e|es|ed|ing)|"
                     r"announc(?:e|es|ed|ing)|brought|impos(?:e|es|ed|ing)|introduc(?:e|es|ed|ing)|issu(?:e|es|ed|ing)|unveil(?:s|ed|ing)?|"
                     r"publish(?:es|ed|ing)?|releas(?:e|es|ed|ing)|tighten(?:s|ed|ing)?|widen(?:s|ed|ing)?|"
                     r"expand(?:s|ed|ing)?|inform(?:s|ed|ing)?|told|notif(?:y|ies|ied)|revok(?:e|es|ed|ing)|"
                     r"blacklist(?:s|ed|ing)?|rolled out|took effect|takes effect|came into (?:effect|force)|"
                     r"went into (?:effect|force)|in force|"
                     # a regulator's finding or order: "the CAC said it had ... found that they carry risks"
                     # (past forms only: "the rule", "orders" and "grants" are also nouns)
                     r"found|concluded|decided|ruled|ordered|approved|granted)\b", re.I)
#: How far (in characters) a dating sentence may stand from the measure it dates.
_ACTION_REACH = 1500


def _date_from_action(events: list[Event], sentences: list[Sentence], wm: Window,
                      wp: Window) -> None:
    """An event that its own sentence leaves undated takes the day or month of the nearest sentence (within
    ``_ACTION_REACH`` characters, before or after) in which its imposer acts: a sentence that names the imposer (its
    country, capital or an agency of it), an action verb ("added ... to the list", "announced", "told") and a day or
    month, and that states no other event. "On Monday the US Commerce Department added the chipmaker to the list"
    dates "US puts Fujian Jinhua on its Entity List"."""
    own = {span for e in events for span in e.spans}
    for e in events:
        if e.announced or e.effective or e.imposed_by is None or e.date_note == _EASED_NOTE:
            continue
        at = e.spans[0][0]
        best: tuple[int, str, str | None] | None = None
        for s in sentences:
            if s.in_references or (s.start, s.end) in own or abs(s.start - at) > _ACTION_REACH:
                continue
            if not _ACTION.search(s.text) or not any(
                    m.entity == e.imposed_by and m.kind in ("country", "agency") for m in wm.between(s.start, s.end)):
                continue
            pms = [p for p in wp.between(s.start, s.end) if p.kind in ("date", "month")]
            announced, effective, _ = _dates(s, pms)
            if not (announced or effective):
                continue
            distance = abs(s.start - at)
            if best is None or distance < best[0]:
                best = (distance, announced or "", effective)
        if best is not None:
            e.announced, e.effective = best[1] or None, best[2]
            e.date_note = "date from a sentence in which the imposer acts"


#: A firm referred to by its kind, not its name: "the company", "the firm", "the chipmaker".
_THE_COMPANY = re.compile(r"\bthe\s+(?:company|firm|chipmaker|group)\b", re.I)
#: A measure that refers back to a government or measure just named: "The country brought exports ... under export
#: controls", "the export controls announced on October 7", "those controls were brought in".
_REFERS_BACK = re.compile(r"\b(?:the|these|those|its|such)\s+(?:[\w()-]+\s+){0,3}?(?:country|government|administration|"
                          r"authorities|ministry|controls|curbs|restrictions|rules|measures|ban)\b", re.I)
#: How many paragraphs back the government a measure refers to may have been named.
_ANAPHOR_PARAGRAPHS = 2


def _name_line(s: Sentence, ments: list[Mention], listing: Event, kb: KnowledgeBase,
               enumerated: bool) -> list[str] | None:
    """The firm a line that only names one (``entities.listed_names``: "3. Sangon Biotech (Shanghai) Co., Ltd.")
    gives the listing before it: the knowledge base's firm it names, else an id made from the name; None when the
    line is not such a line (or names the listing's own imposer)."""
    runs = listed_names(s.text, enumerated)
    spans = runs[0] if len(runs) == 1 else []
    if len(spans) != 1 or spans[0][1] - spans[0][0] < len(s.text.strip().rstrip(".")) - 8:
        return None
    linked = [m for m in ments if m.kind == "firm" and m.entity]
    if linked:
        ids = [m.entity for m in linked if m.entity and
               (m.entity not in kb.firms or kb.firms[m.entity].hq != listing.imposed_by)]
        return ids or None
    if any(m.kind in ("country", "agency") for m in ments if s.start + spans[0][0] <= m.start < s.start + spans[0][1]
           and m.end - m.start > (spans[0][1] - spans[0][0]) // 2):
        return None
    return [outside_firm_id(s.text[spans[0][0]:spans[0][1]])]


def _paragraph_of(e: Event, sentences: list[Sentence]) -> int:
    start = e.spans[0][0]
    return next((s.paragraph for s in sentences if s.start <= start < s.end), 0)


#: A measure naming at most this many sellers is one event per seller (the form the knowledge base's rules and the
#: labelled articles take: "withdrew the licences to sell to Huawei from Qualcomm and Intel" is two); a longer list
#: names the firms a measure affects, told as background. An entity listing is one event per listed firm, however
#: many it lists (each entity is added to the list in its own entry).
_MAX_FIRMS_SPLIT = 3


def _per_firm(e: Event) -> list[Event]:
    """The event once per seller firm it names (not for a firm's own exit; unchanged when it names one or more than
    ``_MAX_FIRMS_SPLIT``), or, for an entity listing, once per listed firm."""
    sellers = e.sellers.get("firms", [])
    if e.kind != "market_exit" and 1 < len(sellers) <= _MAX_FIRMS_SPLIT:
        return [replace(e, sellers={**e.sellers, "firms": [f]}, spans=list(e.spans)) for f in sellers]
    listed = e.targets.get("firms", [])
    if (e.kind == "entity_listing" and len(listed) > 1) or (e.kind == "export_control" and
                                                             1 < len(listed) <= _MAX_FIRMS_SPLIT):
        return [replace(e, targets={**e.targets, "firms": [f]}, spans=list(e.spans)) for f in listed]
    return [e]


def _outside_firms(text: str, start: int, ments: list[Mention]) -> list[str]:
    """Ids (``entities.outside_firm_id``) of the names ``text`` lists (``entities.listed_names``) that name nothing
    the knowledge base holds: no firm of it named inside, no country or agency that is most of the name or ends it
    ("Beijing Tsingke Biotech" is a firm outside the data, "... List of Chinese" is not). A list whose names are
    countries or agencies for half or more is not a list of firms ("... arms sales to Taiwan, Reuters reported",
    "firms in India, Iran, Turkey and the United Arab Emirates")."""
    def hits(m: Mention, a: int, b: int) -> bool:  # a known firm anywhere in the name, a place most of it or its end
        return m.start < start + b and start + a < m.end and (m.kind == "firm" or m.end - m.start > (b - a) // 2 or
                                                              m.end == start + b)
    if title_case(text) and not text.rstrip().endswith("."):
        return []  # a headline capitalises every word: its capitalised runs are no names (a list is a sentence)
    out: list[str] = []
    for run in listed_names(text):
        public = [(a, b) for a, b in run if any(m.kind in ("country", "agency") and hits(m, a, b) for m in ments)]
        if 2 * len(public) < len(run):
            out.extend(outside_firm_id(text[a:b]) for a, b in run if not any(hits(m, a, b) for m in ments))
    return out


def _add_firms(e: Event, named: list[str]) -> None:
    """``named`` among the event's target firms; a name whose words are all words of a name already there is that
    firm named short ("Tianjin Phytium" after "Tianjin Phytium Information Technology Co. Ltd.")."""
    firms = e.targets.get("firms", [])
    for f in named:
        words = set(f.split("-"))
        if f not in firms and not any(words < set(g.split("-")) for g in firms):
            firms = [*firms, f]
    e.targets["firms"] = firms


def _listed_firms(s: Sentence, ments: list[Mention], kb: KnowledgeBase) -> list[str]:
    """The firms a sentence lists by name (``_outside_firms``), with the knowledge base's firms named inside its
    lists; none when it lists no firm the data does not hold (a sentence naming only known firms is left to the
    other rules)."""
    outside = _outside_firms(s.text, s.start, ments)
    if not outside:
        return []
    inside = [m.entity for m in ments if m.kind == "firm" and m.entity and
              any(s.start + a <= m.start and m.end <= s.start + b for run in listed_names(s.text) for a, b in run)]
    return list(dict.fromkeys([*inside, *outside]))


#: How many paragraphs from a listing a sentence naming its entities may stand.
_LIST_REACH = 4


def _names_to_listings(events: list[Event], name_lists: list[tuple[int, list[str], tuple[int, int]]],
                       sentences: list[Sentence]) -> None:
    """Each sentence that puts named parties on a list without a listing of its own ("The committee also listed
    Hangzhou Zhongke Microelectronics Co., Ltd., Hunan Goke Microelectronics ...") names the targets of the nearest
    entity listing of the text, any of whose sentences stands within ``_LIST_REACH`` paragraphs before or after it
    (the earlier on a tie)."""
    def paragraphs(e: Event) -> list[int]:
        return [next((s.paragraph for s in sentences if s.start <= a < s.end), 0) for a, _ in e.spans]
    listings = [(e, paragraphs(e)) for e in events if e.kind == "entity_listing"]
    for paragraph, named, span in name_lists:
        near = sorted((min(abs(paragraph - p) for p in ps), min(ps) > paragraph, i)
                      for i, (e, ps) in enumerate(listings))
        near = [x for x in near if x[0] <= _LIST_REACH]
        if not near:
            continue
        host = listings[near[0][2]][0]
        _add_firms(host, named)
        host.spans.append(span)


def _in_names(s: Sentence, m: Mention) -> bool:
    """The mention stands inside a name the sentence lists ("(Beijing)" in "... Manufacturing (Beijing) Corp")."""
    return any(s.start + a <= m.start and m.end <= s.start + b and m.end - m.start < b - a
               for run in listed_names(s.text) for a, b in run)


#: A sentence saying that named parties were put on a list: "The committee also listed ...", "The department said
#: it was putting Sugon, ... on the list", "The entities placed on the list ... are ...".
_ON_THE_LIST = re.compile(r"\b(?:list(?:s|ed|ing)?|add(?:s|ed|ing)?|plac(?:e|es|ed|ing)|put(?:s|ting)?)\b.*\blist\b|"
                          r"\blist(?:s|ed|ing)?\b|\bentit(?:y|ies)\b.*\b(?:added|placed|named|designated)\b|"
                          # "The seven are Inter-Coastal Electronics, ... and Maritime Tactical Systems."
                          r"^\s*(?:the|these|those|they)\s+(?:[\w-]+\s+){0,3}?(?:are|were|include|included)\b", re.I)


#: Words for parties a list may name (not items): "companies", "entities", "institutes", "contractors".
_PARTY_WORDS = re.compile(r"\b(?:compan|firm|entit|part(?:y|ies)|organi[sz]ation|institut|universit|contractor|maker)",
                          re.I)
#: A line announcing the names below it: "The listed firms include ...:", "The companies are:".
_NAMES_FOLLOW = re.compile(r"\b(?:firms|companies|entities|parties|organi[sz]ations|listed|list)\b", re.I)
#: A heading inside a list of names: "1. Semiconductor & IC-Related Enterprises (13)".
_LIST_HEADING = re.compile(r"^\s*(?:(?:\(?\d{1,3}[.)]|[IVX]{1,4}\.)\s+)?[^.]*\(\d+\)\s*$")
#: A line that is only an enumerator ("1."), which the sentence splitter leaves apart from its item.
_ENUMERATOR_ONLY = re.compile(r"\s*\(?\d{1,3}[.)]\s*")
#: Sentences that may stand between a listing and the lines naming its entities ("The entities are listed below:").
_LIST_GAP = 3


#: A government telling a firm to stop: "has instructed TSMC to", "orders Nvidia to", "US tells TSMC to".
_ORDERED_TO = re.compile(r"\b(?:order(?:s|ed)?|instruct(?:s|ed)?|tells?|told|direct(?:s|ed)?|requir(?:es|ed)|"
                         r"forc(?:es|ed))\s+(?:[\w&.()'’-]+\s+){1,8}?to\s+$", re.I)


def _kind(text: str, ments: list[Mention], kb: KnowledgeBase) -> tuple[str | None, re.Match[str] | None]:
    for kind, pattern in _TRIGGERS:
        m = pattern.search(text)
        if not m:
            continue
        if kind == "permission":
            if re.search(r"(?:\bnot|\bno longer|n['’]t)\s+(?:\w+\s+){0,2}$", text[:m.start()], re.I):
                continue  # "will not be allowed to export": no permission
            return "relaxation", m
        if kind == "procurement_ban" and re.search(r"\bexport|\b(?:shipments|sales|supplies)\s+to\b|"
                                                   r"\b(?:sell|sells|selling|ship|ships|shipping|supply|supplying)\b",
                                                   text, re.I):
            kind = "export_control"
        if kind == "export_control" and (any(m2.entity in _RAW for m2 in ments if m2.kind == "input") or
                                         _RAW_WORDS.search(text)):
            return "raw_material_export_control", m
        if kind == "entity_listing" and re.search(r"control\s+list|user\s+list|watch\s+list", m.group(), re.I) and \
                not any(x.kind == "firm" for x in ments) and not _PARTY_WORDS.search(text):
            # "added seven rare earth elements, and magnets, to the country's export control list": items, not parties
            if any(m2.entity in _RAW for m2 in ments if m2.kind == "input") or _RAW_WORDS.search(text):
                return "raw_material_export_control", m
            return "export_control", m
        if kind == "market_exit" and not any(x.kind == "firm" for x in ments) and \
                not re.search(r"\b(?:it|the company)\b", text[:m.start()], re.I):
            continue
        if kind == "market_exit" and _ORDERED_TO.search(text[:m.start()]) and \
                any(x.kind in ("country", "agency") for x in ments):
            return "export_control", m  # "the Commerce Department instructed TSMC to halt supplies ... to China"
        if kind == "weak_export_control":
            if not any(x.kind in ("firm", "input") for x in ments):
                continue
            return "export_control", m
        if kind == "relaxation" and not re.search(r"ban|control|restrict|licen|curb|sanction|entity list", text, re.I):
            continue
        return kind, m
    return None, None


def _event(s: Sentence, kind: str, trigger: re.Match[str], ments: list[Mention], subject: str | None,
           pms: list[PeriodMention], cites: list[int], ref_dates: dict[int, str | None],
           kb: KnowledgeBase, context: list[PeriodMention], recent: str | None = None) -> Event | None:
    countries = [m for m in ments if m.kind in ("country", "agency") and m.entity != "WLD"]
    # a firm named as an attribute ("TSMC-made chip", "Tencent-backed start-up") is no party to the measure
    firms = [m for m in ments if m.kind == "firm" and not _ATTRIBUTE.match(s.text[m.end - s.start:]) and
             not _ATTRIBUTED.search(s.text[max(0, m.start - s.start - 25):m.start - s.start])]
    inputs = [m.entity for m in ments if m.kind == "input" and m.entity]
    authority = next((m.via.split(":", 1)[1] for m in ments if m.kind == "agency"), None)
    trig = s.start + trigger.start()
    sellers: dict[str, Any] = {}
    targets: dict[str, Any] = {}
    firm_ids = list(dict.fromkeys(m.entity for m in firms if m.entity))
    if kind != "market_exit":  # "chips such as Nvidia's H100": the product's maker is a party as if it were named
        firm_ids = list(dict.fromkeys([*firm_ids, *(f for i in inputs if (f := kb.maker_of(i)) is not None)]))
    if not firm_ids and subject and re.search(r"\b(?:its|it|the company|the firm)\b", s.text, re.I):
        firm_ids = [subject]
    if kind == "market_exit":
        if not firm_ids:
            return None
        imposer: str | None = _by_actor(s, firms, trig) or _nearest(firms, trig) or firm_ids[0]
        sellers = {"firms": [imposer]}
        hq = kb.firms[imposer].hq if imposer in kb.firms else None
        dest = [m.entity for m in countries if m.entity]
        targets = {"countries": list(dict.fromkeys(c for c in dest if c != hq))} if dest else {}
    else:
        # a country naming a firm's nationality ("Chinese chipmaker Fujian Jinhua", "China's SMIC") does not act
        actors = [m for m in countries if m.kind == "agency" or not _nationality(s, m, firms)]
        if kind == "entity_listing":
            actors = [m for m in actors if not _in_names(s, m)]
        imposer = (_lister(s, actors, trig) if kind == "entity_listing" else None) or _by_actor(s, actors, trig) or \
            _owner(s, actors, trig) or _sentence_subject(s, actors, trig) or _subject_country(s, actors, trig)
        if imposer is None and kind == "entity_listing" and _US_ENTITY_LIST.search(s.text):
            imposer = "USA"  # the Entity List is the US Commerce Department's, unless the text names another's
        if imposer is None and kind in _TARGETED and _REFERS_BACK.search(s.text[:trigger.end()]) and \
                _ACTION.search(s.text):
            imposer = recent  # "The country brought exports ... under export controls": the government just named
        if imposer is None and kind == "relaxation" and trigger.re is _PERMISSION:
            imposer = recent  # "In August a deal was struck that let Nvidia export the H20 to China again"
        if imposer is None:
            return None
        others = [m.entity for m in countries if m.entity and m.entity != imposer]
        if kind == "procurement_ban":
            buyers = _foreign_buyers(s, countries, firms, imposer, trig, kb)
            if buyers:  # "US bars Chinese supercomputer companies from buying American parts": its export control
                kind = "export_control"
                others = list(dict.fromkeys([*buyers, *others]))
        if kind == "procurement_ban" and _controlled_by(imposer, firm_ids, kb) and not _BUYING.search(s.text):
            # "The US ban on Huawei": the knowledge base holds the US's controls on what Huawei may be sold, and no
            # US ban on buying from it; a "ban on" a firm its rules reach as a buyer is that control
            kind = "export_control"
        if kind in ("procurement_ban", "import_ban"):
            foreign = _foreign(firm_ids, imposer, kb)
            origins = [m.entity for m in countries if m.entity and m.entity != imposer and
                       _ORIGIN.match(s.text[m.end - s.start:])]  # "bans US chips": sellers based in the US
            sellers = {"firms": foreign} if foreign else {"hq_in": list(dict.fromkeys(origins))} if origins else {}
            targets = {"countries": [imposer]}
        else:
            own = [f for f in firm_ids if f in kb.firms and kb.firms[f].hq == imposer]
            listed = [f for f in firm_ids if f in kb.firms and kb.firms[f].hq != imposer]
            if kind == "export_control" and others and _SELLING.search(s.text):
                # a firm of a third country under another's export control sells what it reaches ("US export
                # curbs to affect 10-15% of ASML's China sales"): a seller, not a firm barred from buying
                third = [f for f in listed if kb.firms[f].hq and kb.firms[f].hq not in others]
                own, listed = [*own, *third], [f for f in listed if f not in third]
            sellers = {"firms": own} if own else {"hq_in": [imposer]}
            targets = {}
            if others:
                targets["countries"] = list(dict.fromkeys(others))
            if listed and kind in ("entity_listing", "export_control"):
                targets["firms"] = listed
                if not others:  # a listed firm's country is the one the measure reaches
                    targets["countries"] = list(dict.fromkeys(kb.firms[f].hq for f in listed if kb.firms[f].hq))
            if kind == "entity_listing":  # firms the data does not hold, listed by name
                outside = _outside_firms(s.text, s.start, ments)
                if outside:
                    targets["firms"] = list(dict.fromkeys([*targets.get("firms", []), *outside]))
    segments = [code for code, pat in _SEGMENTS if re.search(pat, s.text, re.I)]
    if segments:
        targets["segments"] = segments
    if kind == "relaxation":  # "the notice first issued on December 3, 2024" dates the measure eased, not the easing
        pms = [p for p in pms if not _FIRST_TAKEN.search(s.text[max(0, p.start - s.start - 40):p.start - s.start])]
    announced, effective, note = _dates(s, pms)
    if announced is None and effective is None:
        dates = [p.label for p in context if p.kind in ("date", "month") and p.label and ".." not in p.label]
        if dates:
            announced, note = dates[0], "date from a neighbouring sentence"
    if announced is None and effective is None:
        dated = [ref_dates.get(n) for n in cites if ref_dates.get(n)]
        if dated:
            announced, note = dated[0], "date of the cited reference (the text gives none)"
    modality = "possible" if _POSSIBLE.search(s.text) else "reported" if _REPORTED.search(s.text) else \
        "planned" if _PLANNED.search(s.text) else "stated"
    policy = _policy(kind, s.text)
    confidence = 0.5 + 0.2 * bool(imposer) + 0.1 * bool(targets) + 0.1 * bool(announced or effective) - \
        0.2 * (modality == "possible")
    return Event(id="", kind=kind, imposed_by=imposer, authority=authority, policy=policy, sellers=sellers,
                 targets=targets, products=list(dict.fromkeys(inputs)), announced=announced, effective=effective,
                 date_note=note, modality=modality, spans=[(s.start, s.end)], sentence=s.text, citations=cites,
                 confidence=round(min(confidence, 0.95), 2))


#: A firm named as an attribute of another party, not as one itself: "TSMC-made chip", "a start-up backed by Tencent".
_ATTRIBUTE = re.compile(r"[-‑–]\s?(?:made|backed|based|owned|designed|built|linked|produced|supplied|"
                        r"powered|funded|affiliated|related|equipped)\b", re.I)
_ATTRIBUTED = re.compile(r"\b(?:backed|owned|founded|funded|made|designed|supplied|built)\s+by\s+$", re.I)
_TARGET_PREP = re.compile(r"(?:\bto|\bfrom|\binto|\bagainst|\bfor|\bon|\bin|\(including|\bof|\bbound for|"
                          r"\bdestined for)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", re.I)


_FIRM_NOUN = re.compile(r"(?:['’]s)?\s+(?:(?:[\w-]+\s+){0,2}?(?:compan(?:y|ies)|firms?|chipmakers?|makers?|"
                        r"manufacturers?|suppliers?|entities|businesses|customers|buyers|vendors|designers?|"
                        r"foundr(?:y|ies)|developers?|start-?ups?|giants?|groups?|producers?|institutes?|"
                        r"universit(?:y|ies))\b)", re.I)
#: "the Entity List" (the US Commerce Department's list), not China's "unreliable entity list" nor another
#: country's list named by its owner ("Taiwan's entity list").
_US_ENTITY_LIST = re.compile(r"(?<![Uu]nreliable )\bEntity List\b")


#: A country named as where goods come from ("US chips", "American parts"), not as who buys them.
_ORIGIN = re.compile(r"(?:['’]s)?\s+(?:[\w-]+\s+)?(?:chips?|parts|products|semiconductors|technology|goods|equipment|"
                     r"components|processors|GPUs|made|-made|tools)\b", re.I)
#: How far after a ban's trigger its object (the foreign buyer) may stand.
_BUYER_REACH = 40


#: Words of buying, which make a ban on a firm a ban on buying from it.
_BUYING = re.compile(r"\b(?:buy\w*|bought|purchas\w+|procur\w+|imports?\b|orders?\b|use\b|using\b)", re.I)


def _foreign(firms: list[str], imposer: str, kb: KnowledgeBase) -> list[str]:
    """The firms not headquartered in the imposer's country (a firm outside the data counts as foreign)."""
    return [f for f in firms if kb.firms.get(f) is None or kb.firms[f].hq != imposer]


def _controlled_by(imposer: str, firms: list[str], kb: KnowledgeBase) -> bool:
    """Whether the knowledge base's rules by ``imposer`` reach each of ``firms`` (one at least) as a party it controls
    sales to (an export control or listing naming it as a target) and none as a seller it stops buying from."""
    foreign = _foreign(firms, imposer, kb)
    if not foreign:
        return False
    mine = [r for r in kb.rules if r.get("imposed_by") == imposer]
    targeted = {str(f) for r in mine if r.get("kind") in ("export_control", "entity_listing")
                for f in (r.get("targets") or {}).get("firms") or []}
    bought = {str(f) for r in mine if r.get("kind") in ("procurement_ban", "import_ban")
              for f in (r.get("sellers") or {}).get("firms") or []}
    return all(f in targeted and f not in bought for f in foreign)


_FROM_BUYING = re.compile(r"\bfrom\s+(?:buying|purchasing|acquiring|getting|obtaining|importing|receiving|"
                          r"accessing|using)\b", re.I)


def _foreign_buyers(s: Sentence, countries: list[Mention], firms: list[Mention], imposer: str, trig: int,
                    kb: KnowledgeBase) -> list[str]:
    """The foreign countries a ban is aimed at, when its object, just after the trigger, is a country other than the
    imposer ("bars China from buying", "a chip ban on China", "bars Chinese supercomputer companies from buying"), or
    a foreign firm something is barred "to" ("prohibiting the transfer to Huawei"): then the ban is the imposer's
    control on what it sells them, not a ban on its own purchases. A country named as the origin of the goods ("a ban
    on US chips") is no buyer."""
    # a country naming a firm's nationality is a buyer only when the firm is barred from buying ("bars Chinese
    # supercomputer companies from buying"); "China bars US chipmaker Micron from key infrastructure projects" bars
    # the firm's sales to the imposer's own buyers
    buyers = [m.entity for m in countries
              if m.entity and m.entity != imposer and 0 <= m.start - trig <= _BUYER_REACH and
              not _ORIGIN.match(s.text[m.end - s.start:]) and
              (not _nationality(s, m, firms) or _FROM_BUYING.search(s.text[m.end - s.start:]))]
    for f in firms:
        hq = kb.firms[f.entity].hq if f.entity in kb.firms else None
        if hq and hq != imposer and 0 <= f.start - trig <= _BUYER_REACH + 40 and \
                re.search(r"\bto\s+(?:the\s+)?$", s.text[max(0, f.start - s.start - 10):f.start - s.start]):
            buyers.append(hq)
    return list(dict.fromkeys(buyers))


def _nationality(s: Sentence, m: Mention, firms: list[Mention]) -> bool:
    """The country mention names a firm's nationality: followed by a firm's name ("China's SMIC", "Chinese
    Huawei") or by a word for firms ("Chinese chipmaker", "Chinese companies", "US chip firms")."""
    after = s.text[m.end - s.start: m.end - s.start + 40]
    if any(0 <= f.start - m.end <= 3 for f in firms):
        return True
    match = _FIRM_NOUN.match(after)
    # a country's name (not its adjective) names a nationality only as a possessive or right before the noun
    # ("China's chipmakers", "US firms"; not "China Adds Tech Firms")
    return match is not None and (m.via == "demonym" or after.startswith(("'s", "’s")) or
                                  len(match.group().split()) == 1)


#: A verb putting parties on a list, just after the government that does it: "US adds", "the Biden administration put".
_LISTS = re.compile(r"^\s+(?:\w+\s+)?(?:add(?:s|ed|ing)?|put(?:s|ting)?|"
                    r"plac(?:e|es|ed|ing)|blacklist(?:s|ed|ing)?)\b", re.I)


def _lister(s: Sentence, actors: list[Mention], trig: int) -> str | None:
    """The government that puts parties on the list, named just before its verb ("Chinese, Indian firms hit as US
    adds 32 entities to trade blacklist", "On Wednesday the Biden administration put 25 Chinese entities on its trade
    blacklist", "the US Commerce Department added"; not "condemned Washington's decision to place", a reaction):
    the nearest such before the trigger, whichever country the sentence names first."""
    for m in reversed([m for m in actors if m.end <= trig]):
        if _LISTS.match(s.text[m.end - s.start:trig - s.start]):
            return m.entity
    return None


#: A participle before "by" that makes the party after it one who bears, uses or leads something, not one who acts
#: on the measure: "curbs expected to be felt by South Korea's chip industry", "a market led by two South Korean
#: companies", "chips made by Samsung".
_BORNE_BY = re.compile(r"\b(?:felt|hit|affected|hurt|impacted|harmed|borne|suffered|welcomed|criticized|criticised|"
                       r"opposed|condemned|protested|made|produced|supplied|sold|bought|used|needed|led|dominated|"
                       r"owned|controlled|held)\s+(?:\w+\s+)?by\s+(?:[\w’'-]+\s+){0,4}$", re.I)


def _by_actor(s: Sentence, ments: list[Mention], trig: int) -> str | None:
    """The party introduced by 'by' after the trigger ("a retreat ... by Micron", "the ban ... by Beijing"); not one
    who bears or leads something (``_BORNE_BY``)."""
    for m in ments:
        before = s.text[max(0, m.start - s.start - 45):m.start - s.start]
        # "held back by limits on sales to China": the party after a preposition of destination is no actor
        if m.start > trig and re.search(r"\bby\s+(?:[\w’'-]+\s+){0,4}$", before) and \
                not re.search(r"\b(?:to|into|on|against|for|from|in|of)\s+(?:the\s+)?$", before, re.I) and \
                not _BORNE_BY.search(before):
            return m.entity
    return None


def _owner(s: Sentence, countries: list[Mention], trig: int) -> str | None:
    """The country naming the measure itself, just before its trigger: "US tech export controls", "Washington's
    curbs", "American export restrictions", "U.S. export restrictions" (at most three words between, none a
    preposition or a verb-like link)."""
    for m in reversed([m for m in countries if m.end <= trig]):
        between = s.text[m.end - s.start: trig - s.start]
        if re.fullmatch(r"\.?(?:['’]s)?(?:\s+[A-Za-z-]+){0,3}\s*", between) and not re.search(
                r"\b(?:to|into|from|on|against|with|and|or|of|in|by|that|which|is|are|was|were|has|have|had|will|"
                r"would|said|says|imposed|announced|introduced)\b", between, re.I):
            return m.entity
        break
    return None


#: What a party does when it reacts to another's measure rather than imposing one.
_REACTS = re.compile(r"^(?:['’]s\s+(?:\w+\s+){0,4}?)?(?:\s*,[^,]{0,60},)?\s*(?:(?:on|last|this)\s+\w+\s+)?"
                     r"(?:has\s+|have\s+|had\s+)?(?:condemn|criticiz|criticis|oppos|protest|slam|denounc|urg|"
                     r"respond|react|vow|hit\s+back|hits\s+back|accus|complain|warn|said|says|called|calls|"
                     r"is\s+locked|are\s+locked|fir(?:ed|es)\s+back|voic(?:ed|es)|express(?:ed|es)|"
                     r"(?:put|puts)\s+out\s+a\s+statement)", re.I)


def _sentence_subject(s: Sentence, actors: list[Mention], trig: int) -> str | None:
    """The country or agency the sentence opens with, when it acts before the trigger: "The US is tightening
    ...", "Last month Washington raised ... export controls meant to cut China off" (at most three words before it,
    none a preposition), unless what it does is react to a measure ("China's Ministry of Commerce condemned
    ...")."""
    if not actors:
        return None
    first = actors[0]
    if first.end > trig:
        return None
    head = s.text[:first.start - s.start]
    if len(head.split()) > 3 or re.search(r"\b(?:to|into|from|on|against|with|of|in|for|by|and|or|than)\s*$|,\s*$",
                                           head, re.I):
        return None
    if _REACTS.match(s.text[first.end - s.start:]):
        return None
    return first.entity


#: A country's possession that is not a government body: "China's imports", "Korea's exports", "China's market".
_POSSESSED = re.compile(r"['’]s\s+(?!(?:\w+\s+){0,2}?(?:government|ministry|commerce|administration|authorities|"
                        r"regulators?|department|bureau|agency|cabinet|council|parliament|congress|state|officials?|"
                        r"president|leaders?|customs|MOFCOM|METI|BIS)\b)", re.I)


def _subject_country(s: Sentence, countries: list[Mention], trig: int) -> str | None:
    """The country or agency acting: of the candidates not introduced as a destination ("to China", "in
    China"), the first of the group nearest before the trigger ("the US, Japan and the Netherlands took
    steps to limit ..."), else the first one after it."""
    candidates: list[Mention] = []
    previous_target: Mention | None = None
    for m in countries:
        before_text = s.text[max(0, m.start - s.start - 30): m.start - s.start]
        listed = previous_target is not None and re.fullmatch(r"\s*(?:,|and|or|, and)\s*(?:the\s+)?",
                                                              s.text[previous_target.end - s.start:m.start - s.start])
        if m.kind != "agency" and (_TARGET_PREP.search(before_text) or listed):
            previous_target = m
            continue
        if m.kind != "agency" and _POSSESSED.match(s.text[m.end - s.start:]):
            continue  # "China's imports ... fell": the country owns what the sentence speaks of, it does not act
        candidates.append(m)
    before = [m for m in candidates if m.end <= trig]
    if before:
        group = [before[-1]]
        for m in reversed(before[:-1]):
            if group[0].start - m.end > 15:
                break
            group.insert(0, m)
        return group[0].entity
    return candidates[0].entity if candidates else None


def _nearest(ments: list[Mention], trig: int) -> str | None:
    if not ments:
        return None
    return min(ments, key=lambda m: min(abs(m.start - trig), abs(m.end - trig))).entity


#: A government's verb just before a date, saying that the measure was taken then: "published on Monday", "imposed on
#: June 30", "announced in October".
_ACTED_ON = re.compile(r"\b(?:announc|impos|introduc|publish|issu|unveil|adopt|releas|add|plac|put)\w*\s+(?:(?:it|them|"
                       r"the\s+\w+)\s+)?(?:on|in)\s+$", re.I)


#: A date a measure or its pause lasts to: "until November 27 2026", "through 2026", "expires at the end of 2025".
_UNTIL = re.compile(r"\b(?:until|till|through|expir(?:e|es|ed|ing)|runs?\s+to|lasts?\s+to)\s+(?:the\s+end\s+of\s+)?"
                    r"(?:on\s+)?$", re.I)


def _dates(s: Sentence, pms: list[PeriodMention]) -> tuple[str | None, str | None, str | None]:
    announced = effective = note = None
    acted = [p for p in pms if _ACTED_ON.search(s.text[max(0, p.start - s.start - 40):p.start - s.start])]
    if acted:  # the day the sentence says the government acted comes before a date it gives for anything else
        pms = [*acted, *(p for p in pms if p not in acted)]
    for p in pms:
        if not p.label or ".." in p.label or p.note in ("year_ago", "latest_quarter"):
            continue
        if p.kind not in ("date", "month", "year", "relative"):
            continue
        before = s.text[max(0, p.start - s.start - 25): p.start - s.start]
        if _UNTIL.search(before):
            continue  # "pauses its ban ... until 2026": when the measure (or its pause) ends, not when it was taken
        if _EFFECTIVE.search(before):
            effective = effective or p.label
        else:
            announced = announced or p.label
        if p.note == "year taken from the document date":
            note = "year taken from the document date"
    return announced, effective, note


def _policy(kind: str, text: str) -> str | None:
    low = text.lower()
    if kind in ("market_exit", "procurement_ban", "import_ban"):
        return "ban"
    if kind == "relaxation":
        return "lifted"
    if "presumption of denial" in low or kind == "entity_listing":
        return "presumption_of_denial"
    if "case-by-case" in low or "case by case" in low:
        return "case_by_case"
    if re.search(r"licen[cs]e", low):
        return "licence_required"
    if re.search(r"\bban", low):
        return "ban"
    return None


def _merge(events: list[Event]) -> list[Event]:
    out: list[Event] = []
    for e in events:
        bare = not e.targets and not e.products and not e.sellers.get("firms")
        host = next((o for o in out if o.imposed_by == e.imposed_by and o.kind != "market_exit" and
                     not _dated_apart(o, e)), None)
        if bare and host is not None and e.kind in ("export_control", "license_requirement", "entity_listing"):
            host.spans.extend(e.spans)
            host.citations = sorted(set(host.citations) | set(e.citations))
            host.effective = host.effective or e.effective
            if host.announced is None and host.effective is None:
                host.announced, host.date_note = e.announced, e.date_note
            continue
        for o in out:
            kinds = {o.kind, e.kind}
            same_kind = o.kind == e.kind or (kinds == {"export_control", "raw_material_export_control"} and
                                            not (o.products and e.products and set(o.products) != set(e.products)))
            if same_kind and o.imposed_by == e.imposed_by and _compatible(o, e):
                if e.kind == "raw_material_export_control":
                    o.kind = e.kind
                o.spans.extend(e.spans)
                o.citations = sorted(set(o.citations) | set(e.citations))
                for k, v in e.targets.items():
                    o.targets[k] = list(dict.fromkeys([*o.targets.get(k, []), *v]))
                for k, v in e.sellers.items():
                    if isinstance(v, list):
                        o.sellers[k] = list(dict.fromkeys([*o.sellers.get(k, []), *v]))
                o.products = list(dict.fromkeys([*o.products, *e.products]))
                if e.announced and (o.announced is None or (o.date_note and not e.date_note) or
                                    (not e.date_note and e.announced < o.announced)):
                    o.announced, o.date_note = e.announced, e.date_note
                o.effective = o.effective or e.effective
                o.confidence = max(o.confidence, e.confidence)
                break
        else:
            out.append(e)
    return out


def _dated_apart(a: Event, b: Event) -> bool:
    """Both events are announced (or take effect) on dates the text gives, in different months: two measures, not
    one told twice (an announcement and a later effective date can be one measure)."""
    if a.date_note or b.date_note:
        return False
    pairs = [(a.announced, b.announced), (a.effective, b.effective)]
    return any(x and y and x[:7] != y[:7] for x, y in pairs)


def _compatible(a: Event, b: Event) -> bool:
    fa, fb = set(a.sellers.get("firms", [])), set(b.sellers.get("firms", []))
    if fa and fb and not fa & fb:
        return False
    if _dated_apart(a, b):
        return False
    ya = (a.effective or a.announced or "")[:4]
    yb = (b.effective or b.announced or "")[:4]
    return not (ya and yb and ya != yb and not (a.date_note or b.date_note))


def _known(e: Event, kb: KnowledgeBase) -> str | None:
    """The knowledge base rule this event describes, if any: one of the same kind and imposer that shares something
    specific with it (a product, one a type of the other's, a named seller or target firm, or the month it took
    effect) and that nothing contradicts (products, target countries or a year that all differ); the best by how
    much agrees: the share of products in common, named firms, target countries and segments, and the dates (the
    same month over the same year)."""
    when = e.effective or e.announced or ""

    def related(a: str, b: str) -> bool:
        return a == b or b in kb.broader.get(a, ()) or a in kb.broader.get(b, ())

    best: tuple[float, str | None] = (0.0, None)
    for r in kb.rules:
        if r.get("kind") != e.kind or r.get("imposed_by") != e.imposed_by:
            continue
        score, evidence = 0.0, False
        products = {str(p["input"]) for p in (r.get("products") or [])
                    if isinstance(p, dict) and p.get("input") not in (None, "*")}
        if products and e.products:
            common = {p for p in e.products if any(related(p, q) for q in products)}
            if not common:
                continue  # about other goods
            score += 1 + 3 * len(common) / len(products | set(e.products))
            evidence = True
        r_sellers = set((r.get("sellers") or {}).get("firms") or [])
        if r_sellers & set(e.sellers.get("firms", [])):
            score, evidence = score + 2, True
        r_targets = r.get("targets") or {}
        if set(r_targets.get("firms") or []) & set(e.targets.get("firms", [])):
            score, evidence = score + 2, True
        countries, e_countries = set(r_targets.get("countries") or []), set(e.targets.get("countries", []))
        if countries and e_countries and "WLD" not in countries:
            if not countries & e_countries:
                continue  # against other buyers
            score += 1
        if set(r_targets.get("segments") or []) & set(e.targets.get("segments", [])):
            score += 1
        dates = [str(d) for d in (r.get("announced"), r.get("effective")) if d]
        if when and dates:
            if not any(d[:4] == when[:4] for d in dates):
                continue  # another year
            month = len(when) >= 7 and any(d[:7] == when[:7] for d in dates)
            score, evidence = score + (2 if month else 1), evidence or month
        if evidence and score > best[0]:
            best = (score, str(r["id"]))
    return best[1]


def candidate_rule(e: Event, kb: KnowledgeBase, source_id: str, number: int) -> dict[str, Any]:
    """The event as a rule record (schema ``rules``), flagged as coming from an unreviewed document."""
    imposer = e.imposed_by or "XVC"
    name_map = {"market_exit": "exits", "procurement_ban": "bars purchases from", "import_ban": "bans imports",
                "export_control": "controls exports", "raw_material_export_control": "controls exports of",
                "entity_listing": "lists", "relaxation": "relaxes", "license_requirement": "requires licences"}
    who = kb.name_of(imposer)
    whom = ", ".join(kb.name_of(c) for c in [*e.targets.get("countries", []), *e.targets.get("firms", [])])
    sellers = ", ".join(kb.name_of(f) for f in e.sellers.get("firms", []))
    name = f"{who} {name_map.get(e.kind, e.kind)}" + (f" {sellers}" if sellers and e.kind != "market_exit" else "") \
        + (f" ({whom})" if whom else "")
    gaps = ["from document, unreviewed"]
    if not e.products:
        gaps.append("products not identified in the document; the rule covers no input until reviewed")
    if not (e.announced or e.effective):
        gaps.append("no date in the document")
    if e.date_note:
        gaps.append(e.date_note)
    if e.modality != "stated":
        gaps.append(f"the document gives this as {e.modality}")
    summary = f"From a document: {who} {name_map.get(e.kind, e.kind)}" + (f" {sellers}" if sellers else "") + \
        (f", affecting {whom}" if whom else "") + (f" in {', '.join(e.targets['segments'])}" if
                                                   e.targets.get("segments") else "") + "."
    return {
        "id": f"DOC-{source_id[:40]}-{number}", "name": name[:120], "imposed_by": imposer,
        "authority": e.authority, "kind": e.kind, "policy": e.policy,
        "products": [{"input": p} for p in e.products] or None, "sellers": e.sellers or None,
        "targets": e.targets or None, "announced": e.announced, "effective": e.effective, "ended": None,
        "relaxes": None, "summary": summary, "source": source_id, "quote": e.sentence[:400], "status": "reported",
        "gaps": gaps, "origin": "document",
    }
