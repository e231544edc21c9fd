"""Matching restricted parties (screening-list entries) to the firms the project knows, by name.

A firm is known by its name and aliases; an entry by its name and alternative names (an affiliate's entry by
the affiliate's own name). Names are normalised (case, accents, punctuation, and the legal forms and filler words
every company carries: "Co., Ltd.", "Corporation", "Technologies", "Group" ...). An entry matches a firm when one
of its names opens with one of the firm's names, Chinese place names aside ("Beijing Huawei Digital" opens with
Huawei), or equals it: a subsidiary or foreign unit carries its group's name first ("Huawei Technologies Japan"),
while a name met inside a longer one says little ("Max Honor International Trade" is not Honor). Countries are not
used, so a look-alike abroad that opens with a firm's name matches too; reviewed decisions (`reviewed`) correct
such cases. Every match keeps the two names compared, so a reader can judge it.

Pure computation over plain records; nothing here reads files or the store.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

#: The score from which a pair is a match. A pair of names that passes the opening rule scores 100 (rapidfuzz's
#: token-set ratio of a name with one that opens with it); the threshold was chosen on the development half of the
#: labelled pairs (tests/fixtures/csl-pairs.csv), the figures are the other half's (docs/parties.md).
THRESHOLD = 90.0
#: Words that say what kind of company, not which: dropped before comparing.
FILLER = frozenset([
    "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "plc", "gmbh", "ag",
    "sa", "bv", "nv", "kk", "oy", "ab", "spa", "srl", "pte", "pvt", "jsc", "oao", "ooo", "zao", "group", "holding",
    "holdings", "the", "and", "of", "technology", "technologies", "tech", "science", "sciences", "international",
    "industrial", "industries", "industry", "enterprise", "enterprises", "development", "developments",
])



#: Place names that Chinese company names open with ("Beijing Huawei Digital Technologies"): skipped when asking
#: whether a name begins with a firm's name.
PLACES = frozenset([
    "china", "chinese", "beijing", "shanghai", "shenzhen", "guangzhou", "guangdong", "tianjin", "chongqing", "wuhan",
    "hubei", "chengdu", "sichuan", "hangzhou", "zhejiang", "nanjing", "jiangsu", "suzhou", "wuxi", "hefei", "anhui",
    "xiamen", "fujian", "fuzhou", "qingdao", "shandong", "jinan", "xian", "shaanxi", "shanxi", "changsha", "hunan",
    "zhengzhou", "henan", "dalian", "shenyang", "liaoning", "harbin", "dongguan", "foshan", "ningbo",
    "macau", "macao", "taiwan", "hebei", "jilin", "guizhou", "yunnan", "guangxi", "jiangxi", "xinjiang", "gansu",
])


def normalise(name: str) -> str:
    """Lower case, accents and punctuation removed, legal forms and filler words dropped."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    words = [w for w in text.split() if w not in FILLER]
    return " ".join(words) or text.strip()


@dataclass(frozen=True)
class Match:
    party: str  # party id
    firm: str  # firm id
    score: float
    party_name: str  # the two names that scored best
    firm_name: str


def _firm_names(firm: Mapping[str, object]) -> list[str]:
    aliases = firm.get("aliases") or []
    names = [str(firm["name"]), *(aliases if isinstance(aliases, list) else str(aliases).split(";"))]
    return [n for n in names if n and n.strip()]


def _party_names(party: Mapping[str, object]) -> list[str]:
    """The entry's names; an entry for an affiliate ("Huawei Technologies Co., Ltd. ... Affiliated Entity:
    Huawei Cloud ...") is named by what follows "Affiliated Entity:"."""
    alt = party.get("alt_names") or []
    name = str(party["name"])
    if "affiliated entity:" in name.lower():
        name = name[name.lower().index("affiliated entity:") + len("affiliated entity:"):].strip(" .,;")
    return [name, *(str(a) for a in (alt if isinstance(alt, list) else [alt]) if a)]


#: Entry types (the list's `type`) that name no company.
NOT_FIRMS = frozenset({"individual", "vessel", "aircraft"})


def _begins_with(party_name: str, firm_name: str) -> bool:
    """Whether the (normalised) entry name opens with the firm's name, place names aside."""
    words = [w for w in party_name.split() if w not in PLACES] or party_name.split()
    wanted = firm_name.split()
    return words[:len(wanted)] == wanted


def similarity(a: str, b: str) -> float:
    """How alike two names are, 0-100, after `normalise`."""
    return float(fuzz.token_set_ratio(normalise(a), normalise(b)))


def score_pair(party: Mapping[str, object], firm: Mapping[str, object]) -> tuple[float, str, str]:
    """100 and the two names compared when one of the entry's names opens with (or equals) one of the firm's,
    place names aside (see the module's notes); else 0 and no names. An entry the list says is a person, a
    vessel or an aircraft is never a firm ("KIA, Matin", a ship named after its builder's hull number)."""
    if str(party.get("type") or "").strip().lower() in NOT_FIRMS:
        return 0.0, "", ""
    for p in _party_names(party):
        np_ = normalise(p)
        for f in _firm_names(firm):
            nf = normalise(f)
            if len(nf) >= 3 and (np_ == nf or _begins_with(np_, nf)):  # a two-letter alias matches too much
                return float(fuzz.token_set_ratio(np_, nf)), p, f
    return 0.0, "", ""


def match(parties: Sequence[Mapping[str, object]], firms: Iterable[Mapping[str, object]],
          threshold: float = THRESHOLD) -> list[Match]:
    """Every (party, firm) pair scoring at least ``threshold`` (`score_pair`). A firm name scores only against
    entry names that open with it or equal it, so candidates are looked up by the entry names' first word (place
    names aside) and by their whole normalised form. When one name of an entry opens with several firms' names, it
    goes to the firm whose name is the longest (the most specific)."""
    by_first: dict[str, set[int]] = {}
    by_whole: dict[str, set[int]] = {}
    for k, party in enumerate(parties):
        for name in _party_names(party):
            normal = normalise(name)
            words = [w for w in normal.split() if w not in PLACES] or normal.split()
            if words:
                by_first.setdefault(words[0], set()).add(k)
            by_whole.setdefault(normal, set()).add(k)
    out: dict[tuple[str, str], Match] = {}
    for firm in firms:
        candidates: set[int] = set()
        for name in _firm_names(firm):
            nf = normalise(name)
            if len(nf) < 3:
                continue
            candidates |= by_first.get(nf.split()[0], set()) | by_whole.get(nf, set())
        for k in sorted(candidates):
            score, party_name, firm_name = score_pair(parties[k], firm)
            if score >= threshold:
                out[(str(parties[k]["id"]), str(firm["id"]))] = Match(str(parties[k]["id"]), str(firm["id"]),
                                                                      round(score, 1), party_name, firm_name)
    # a name several firms' names open goes to the most specific only: "ChangXin Memory Technologies" is CXMT,
    # not its parent "ChangXin Technology Group", whose name reduces to the first word they share
    longest: dict[tuple[str, str], int] = {}
    for m in out.values():
        key = (m.party, m.party_name)
        longest[key] = max(longest.get(key, 0), len(normalise(m.firm_name)))
    kept = [m for m in out.values() if len(normalise(m.firm_name)) == longest[(m.party, m.party_name)]]
    return sorted(kept, key=lambda m: (m.firm, -m.score, m.party))


def reviewed(matches: Sequence[Match], entries: Sequence[Mapping[str, object]],
             reviews: Iterable[Mapping[str, object]]) -> list[Match]:
    """The matches with reviewers' decisions applied: a rejected (entry name, list, firm) is removed, an
    accepted one added for every entry of that name on that list (its score shown as 100, its names as the
    entry's and 'reviewed')."""
    decisions = {(str(r["party_name"]), str(r["list"]), str(r["firm"])): str(r["decision"]) for r in reviews}
    by_id = {str(e["id"]): e for e in entries}
    kept = [m for m in matches if decisions.get((str(by_id[m.party]["name"]), str(by_id[m.party]["list"]), m.firm))
            != "rejected"]
    have = {(m.party, m.firm) for m in kept}
    for (name, listed, firm), decision in sorted(decisions.items()):
        if decision != "accepted":
            continue
        for e in entries:
            if e["name"] == name and e["list"] == listed and (str(e["id"]), firm) not in have:
                kept.append(Match(str(e["id"]), firm, 100.0, name, "reviewed"))
    return sorted(kept, key=lambda m: (m.firm, -m.score, m.party))


@dataclass(frozen=True)
class Scores:
    """How a threshold does on labelled pairs."""

    pairs: int
    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0


def predicted(party: Mapping[str, object], firm: Mapping[str, object], threshold: float = THRESHOLD) -> bool:
    """Whether `match` would pair this entry with this firm."""
    return score_pair(party, firm)[0] >= threshold


def evaluate(labelled: Iterable[tuple[Mapping[str, object], Mapping[str, object], bool]],
             threshold: float = THRESHOLD) -> Scores:
    """Precision and recall of the matcher on (party, firm, is a match) triples."""
    tp = fp = fn = tn = n = 0
    for party, firm, truth in labelled:
        n += 1
        guess = predicted(party, firm, threshold)
        tp += guess and truth
        fp += guess and not truth
        fn += truth and not guess
        tn += not guess and not truth
    return Scores(n, tp, fp, fn, tn)
