"""Precision and recall of the ingestion pipeline against hand-labelled articles.

Each case is a document (``NAME.txt|.md|.html``, or a ``path:`` in the labels for a file kept elsewhere) and
``NAME.yaml`` with the expected claims, events, references and findings. Run it as a module::

    python -m chipshift.ingest.evaluation tests/ingest/eval
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz

from chipshift.domain.period import Period
from chipshift.ingest.binding import Binding
from chipshift.ingest.command import read_document
from chipshift.ingest.entities import outside_firm_id
from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.tables import find as find_tables
from chipshift.schemas import vocabulary as voc

KINDS = ("claims", "events", "references", "findings")
#: Checks scored as findings (the knowledge-base and uncited notices depend on the data, not the reader).
SCORED_CHECKS = {"fold_vs_percent", "conversion", "parts_sum", "before_after", "citation_mismatch", "citation_date"}
#: Severities scored as findings: those that say a figure is wrong. An 'info' finding says figures agree and a
#: 'notice' flags a gap too small to call (a conversion within 5% of the rate on file); neither is a finding of a
#: problem, and labels list problems only, so both are left out of the predictions and the labels alike.
SCORED_SEVERITIES = {"warning", "error"}


def scored_finding(finding: dict[str, Any]) -> bool:
    """Whether a finding (predicted or labelled) is scored: a reader's own check that says a figure is wrong."""
    return finding.get("check") in SCORED_CHECKS and finding.get("severity") in SCORED_SEVERITIES


#: Ids the labels of earlier batches wrote for entities the data had no id for then, and the id the data gives each
#: now. Labels keep what they were written with; reading them maps the old id to the new one, so a label means what
#: its labeller meant. ``north-america``: countries.csv had no North America when the first SEMI documents were
#: labelled (their notes say so); it now has ``NAM`` (USA and Canada).
LABEL_ALIASES = {"north-america": "NAM"}


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    labels: dict[str, Any]


def load_cases(folder: Path, repo_root: Path) -> list[Case]:
    cases = []
    for labels_path in sorted(folder.glob("*.yaml")):
        labels = _with_current_ids(yaml.safe_load(labels_path.read_text(encoding="utf-8")))
        if labels.get("path"):
            doc = (repo_root / labels["path"]).resolve()
        else:
            found = [p for p in folder.glob(labels_path.stem + ".*") if p.suffix in (".txt", ".md", ".html")]
            if len(found) != 1:
                raise FileNotFoundError(f"{labels_path}: expected one document beside it, found {found}")
            doc = found[0]
        cases.append(Case(labels_path.stem, doc, labels))
    return cases


def _with_current_ids(labels: dict[str, Any]) -> dict[str, Any]:
    """``labels`` with each claim's entity and region written under an old id (``LABEL_ALIASES``) given the data's
    current id; nothing else changes."""
    def current(claim: dict[str, Any]) -> dict[str, Any]:
        return {k: LABEL_ALIASES.get(v, v) if k in ("entity", "region") and isinstance(v, str) else v
                for k, v in claim.items()}
    if not labels.get("claims"):
        return labels
    return {**labels, "claims": [current(c) for c in labels["claims"]]}


def _s(x: Any) -> str | None:
    return None if x is None else str(x)


def _claim_match(e: dict[str, Any], p: dict[str, Any], known: Mapping[str, str] | None = None) -> bool:
    """A predicted claim is the labelled one: the same entity, metric and period (and region where labelled), and
    the same amount: the same value in the same unit, or in another unit of the same dimension ("47,206,319 million
    won" labelled as 47.206319 trillion won). An entity the label names by an id outside the data (not in ``known``,
    the data's ids with their names) compares by its name (``same_name``); without ``known`` only by id."""
    if p["metric"] != e["metric"]:
        return False
    if p["entity"] != e["entity"] and not (
            known is not None and e["entity"] and p["entity"] and same_name(str(e["entity"]), str(p["entity"]), known)):
        return False
    value = _in_unit(float(p["value"]), str(p["unit"]), str(e["unit"]))
    if value is None or abs(value - float(e["value"])) > 1e-6 + 1e-3 * abs(float(e["value"])):
        return False
    if "period" in e and not _same_period(_s(p["period"]), _s(e["period"])):
        return False
    return not ("region" in e and p["region"] != e["region"])


def _in_unit(value: float, unit: str, wanted: str) -> float | None:
    """``value`` in ``unit`` expressed in ``wanted``, when the two are one unit or the same unit at another scale
    (units of one dimension with different factors: million and trillion won; never two bases of a change, year on
    year and quarter on quarter, which share their factor)."""
    if unit == wanted:
        return value
    a, b = voc.unit_scale(unit), voc.unit_scale(wanted)
    if a is None or b is None or a[0] != b[0] or a[1] == b[1]:
        return None
    return value * a[1] / b[1]


def _same_period(a: str | None, b: str | None) -> bool:
    """Two period labels name the same period: the same text, or the same calendar days (2023Q1..2023Q3 and
    2023-01..2023-09, 2024H1 and 2024-01..2024-06); fiscal labels only by their text."""
    if a == b:
        return True
    if a is None or b is None:
        return False
    try:
        pa, pb = Period.parse(a), Period.parse(b)
    except ValueError:
        return False
    return not (pa.fiscal or pb.fiscal) and (pa.start, pa.end) == (pb.start, pb.end)


#: How alike two words must be (rapidfuzz's ``fuzz.ratio``, 0-100) to count as the same word of a firm's name when
#: ids of firms outside the data are compared (``same_outside_firm``): "quantumcteck" and "quantumctek" (96) are,
#: "gmc" and "wuxi" are not.
NAME_WORD_SCORE = 85
_NAME_STOP = {"of", "for", "at", "the", "and", "in", "on"}


def _name_words(firm_id: str) -> list[str]:
    return [w for w in firm_id.split("-") if w and w not in _NAME_STOP]


def same_outside_firm(label: str, predicted: str) -> bool:
    """Two ids made from the names of a firm the data does not hold name the same firm: every word of the label's
    id is a word of the predicted id (``fuzz.ratio`` at least ``NAME_WORD_SCORE``) or the initials of a run of two
    or more of its words in order ("nsc" for "national-supercomputing-center", "cas" for "chinese-academy-of-sciences",
    "of" and the like not counted), each predicted word used once, and these cover at least half of the predicted
    id's words. A label may thus shorten a name ("tianjin-phytium" for "tianjin-phytium-information-technology") but
    not name another firm sharing its words ("shanghai-quantumctek" is not "quantumctek")."""
    if label == predicted:
        return True
    want, have = _name_words(label), _name_words(predicted)
    if not want or not have:
        return False
    used: set[int] = set()
    for w in want:
        best = max(((fuzz.ratio(w, h), i) for i, h in enumerate(have) if i not in used), default=(0.0, -1))
        if best[0] >= NAME_WORD_SCORE:
            used.add(best[1])
            continue
        run = next((range(i, i + len(w)) for i in range(len(have) - len(w) + 1) if len(w) >= 2 and
                    not used & set(range(i, i + len(w))) and "".join(have[j][0] for j in range(i, i + len(w))) == w),
                   None)
        if run is None:
            return False
        used.update(run)
    return 2 * len(used) >= len(have)


def same_name(label: str, predicted: str, known: Mapping[str, str]) -> bool:
    """A label's id outside the data (not a key of ``known``, the data's ids and their names) names the predicted
    entity: by ``same_outside_firm`` with the predicted id when that is outside the data too, or with an id made from
    the name the data gives it ("americas" for the region Americas, "shanghai-fudan-microelectronics" for a firm the
    data came to hold after the label was written)."""
    if label in known:
        return False
    return same_outside_firm(label, outside_firm_id(known[predicted]) if predicted in known else predicted)


def _firm_in(label: str, predicted: list[str], known: Mapping[str, str] | None) -> bool:
    """The labelled firm is among the predicted ones: by id, or, when ``known`` (the data's firm ids and names) is
    given and the label's id is not one of them, by ``same_name``."""
    if label in predicted:
        return True
    return known is not None and any(same_name(label, p, known) for p in predicted)


def _event_match(e: dict[str, Any], p: dict[str, Any], known: Mapping[str, str] | None = None) -> bool:
    """``p`` is the labelled event ``e``: kind, imposer, each labelled party and the date (either of the predicted
    dates, or a finer one inside the labelled period). Firms outside the data (``known``) compare by their names
    (``_firm_in``); without ``known`` only by id."""
    if p["kind"] != e["kind"] or p["imposed_by"] != e["imposed_by"]:
        return False
    if "target" in e and e["target"] not in (p["targets"] or {}).get("countries", []):
        return False
    if "target_firm" in e and not _firm_in(e["target_firm"], (p["targets"] or {}).get("firms", []), known):
        return False
    if "seller" in e and not _firm_in(e["seller"], (p["sellers"] or {}).get("firms", []), known):
        return False
    if "date" in e:
        want = str(e["date"])
        return any(d is not None and (d == want or d.startswith(want)) for d in (p["announced"], p["effective"]))
    return True


def _reference_match(e: dict[str, Any], p: dict[str, Any]) -> bool:
    if p["number"] != e["number"] or p["url"] != e["url"]:
        return False
    if "date" in e and _s(p["date"]) != _s(e["date"]):
        return False
    return not ("publisher" in e and p["publisher"] != e["publisher"])


def _finding_match(text: str) -> Any:
    def match(e: dict[str, Any], p: dict[str, Any]) -> bool:
        if p["check"] != e["check"] or p["severity"] != e["severity"]:
            return False
        if "text" in e:
            return any(e["text"] in text[s:t] for s, t in p["spans"])
        return True
    return match


def _count(expected: list[dict[str, Any]], predicted: list[dict[str, Any]], match: Any,
           loose: Any = None) -> tuple[int, list[Any], list[Any]]:
    """Labels matched one to one with predictions, in label order; with ``loose``, the labels ``match`` leaves
    unmatched are tried again with it against the predictions still free (exact ids first, names after)."""
    used: set[int] = set()

    def unmatched(labels: list[dict[str, Any]], test: Any) -> list[dict[str, Any]]:
        left = []
        for e in labels:
            hit = next((i for i, p in enumerate(predicted) if i not in used and test(e, p)), None)
            if hit is None:
                left.append(e)
            else:
                used.add(hit)
        return left

    missed = unmatched(expected, match)
    if loose is not None:
        missed = unmatched(missed, loose)
    extra = [p for i, p in enumerate(predicted) if i not in used]
    return len(used), missed, extra


def evaluate(cases: list[Case], kb: KnowledgeBase, binding: Binding | None = None) -> dict[str, Any]:
    """Scores of the pipeline on ``cases`` (with ``binding``, the shipped learned reading when None)."""
    totals = {k: {"tp": 0, "expected": 0, "predicted": 0} for k in KINDS}
    verdicts: Counter[str] = Counter()  # the knowledge-base verdict of each predicted claim, and of the right ones
    known = {i: f.name for i, f in kb.firms.items()}
    ids = {i: n.name for table in (kb.firms, kb.countries, kb.inputs) for i, n in table.items()}
    per_case: list[dict[str, Any]] = []
    for case in cases:
        report = read_document(case.path.name, case.path.read_bytes(), kb, _s(case.labels.get("date")), None,
                               binding)
        text = report["document"]["text"]
        predicted = {"claims": report["claims"], "events": report["events"], "references": report["references"],
                     "findings": [f for f in report["findings"] if scored_finding(f)]}
        matchers = {"claims": _claim_match, "events": _event_match, "references": _reference_match,
                    "findings": _finding_match(text)}
        row: dict[str, Any] = {"case": case.name}
        for kind in KINDS:
            expected = case.labels.get(kind) or []
            if kind == "findings":  # labels list problems; one no documented check covers still counts as missed
                expected = [f for f in expected if f.get("severity") in SCORED_SEVERITIES]
            loose = (lambda e, p: _event_match(e, p, known)) if kind == "events" else \
                (lambda e, p: _claim_match(e, p, ids)) if kind == "claims" else None
            tp, missed, extra = _count(expected, predicted[kind], matchers[kind], loose)
            totals[kind]["tp"] += tp
            totals[kind]["expected"] += len(expected)
            totals[kind]["predicted"] += len(predicted[kind])
            row[kind] = {"tp": tp, "missed": missed, "extra": [_brief(kind, x) for x in extra]}
            if kind == "claims":
                row[kind]["losses"] = dict(claim_losses(missed, extra, report["quantities"], text))
                for claim in predicted[kind]:
                    verdicts[claim["kb"]] += 1
                    if not any(claim is x for x in extra):
                        verdicts[f"{claim['kb']}_right"] += 1
            if kind == "events":
                row[kind]["losses"] = dict(event_losses(missed, extra, predicted[kind], known))
                row[kind]["dated"] = sum("date" in e for e in expected)
                row[kind]["dated_right"] = sum("date" in e and not any(e is m for m in missed) for e in expected)
        per_case.append(row)
    scores = {}
    for kind, t in totals.items():
        scores[kind] = {**t, "precision": round(t["tp"] / t["predicted"], 3) if t["predicted"] else 1.0,
                        "recall": round(t["tp"] / t["expected"], 3) if t["expected"] else 1.0}
    dated = sum(r["events"]["dated"] for r in per_case)
    right = sum(r["events"]["dated_right"] for r in per_case)
    scores["events"]["dated"], scores["events"]["dated_right"] = dated, right
    return {"cases": len(cases), "scores": scores, "per_case": per_case, "kb": dict(sorted(verdicts.items()))}


_LOSS_FIELDS = ("entity", "metric", "unit", "period", "region")


def _scaled_equal(a: float, b: float) -> bool:
    """The same figure written at another scale (668.5 billion and 0.6685 trillion)."""
    return any(abs(a * f - b) <= 1e-6 + 1e-3 * abs(b) for f in (1, 1e3, 1e-3, 1e6, 1e-6))


def claim_losses(missed: list[dict[str, Any]], extra: list[dict[str, Any]], quantities: list[dict[str, Any]],
                 text: str) -> Counter[str]:
    """Why each labelled claim was missed and what each false claim is, as counts by class: a missed claim is
    paired with the unmatched prediction of the same figure (scale aside) that differs in the fewest fields and
    named by the field(s) wrong ("wrong period", "wrong period+other", "wrong several", "wrong sign" when only its
    sign differs), else "never found (figure read)" when the reader took the figure as a quantity and "never found
    (figure not read)" when not; each class is split by where the figure stands (a table the table reader finds,
    else prose). Unpaired predictions are "false"."""
    spans = [(t.start, t.end) for t in find_tables(text)]

    def where(span: Any) -> str:
        return "table" if span and any(a <= span[0] < b for a, b in spans) else "prose"

    losses: Counter[str] = Counter()
    free = list(range(len(extra)))
    for e in missed:
        value = float(e["value"])
        pairs = sorted(((i, [f for f in _LOSS_FIELDS if _field_differs(e, extra[i], f)]) for i in free
                        if _scaled_equal(float(extra[i]["value"]), value)), key=lambda x: len(x[1]))
        if pairs:
            i, wrong = pairs[0]
            free.remove(i)
            name = "+".join(wrong) if len(wrong) <= 1 else "period+other" if "period" in wrong else "several"
            losses[f"missed: wrong {name or 'value'}, {where(extra[i].get('span'))}"] += 1
            continue
        flipped = next((i for i in free if value and _scaled_equal(-float(extra[i]["value"]), value)), None)
        if flipped is not None:
            free.remove(flipped)
            losses[f"missed: wrong sign, {where(extra[flipped].get('span'))}"] += 1
            continue
        read = next((q for q in quantities if q.get("value") is not None and
                     (_scaled_equal(q["value"], value) or _scaled_equal(-q["value"], value))), None)
        losses["missed: never found (figure not read)" if read is None else
               f"missed: never found (figure read), {where(read['span'])}"] += 1
    for i in free:
        losses[f"false, {where(extra[i].get('span'))}"] += 1
    return losses


_EVENT_FIELDS = ("kind", "imposed_by", "target", "target_firm", "seller", "date")


def _event_fields_wrong(e: dict[str, Any], p: dict[str, Any], known: Mapping[str, str] | None = None) -> list[str]:
    """The labelled fields of event ``e`` that prediction ``p`` gets wrong (as ``_event_match`` reads them)."""
    wrong = [f for f in ("kind", "imposed_by") if p[f] != e[f]]
    if "target" in e and e["target"] not in (p["targets"] or {}).get("countries", []):
        wrong.append("target")
    for field, side in (("target_firm", "targets"), ("seller", "sellers")):
        if field in e and not _firm_in(e[field], (p[side] or {}).get("firms", []), known):
            wrong.append(field)
    if "date" in e and not _event_match({"kind": p["kind"], "imposed_by": p["imposed_by"], "date": e["date"]}, p):
        wrong.append("date")
    return wrong


def _date_loss(want: str, p: dict[str, Any]) -> str:
    """How a predicted event's dates miss the labelled date ``want``: none given, taken from the document's own
    date or a neighbouring sentence (the date note says so), coarser than the label (a year or month that holds
    it), else a wrong day (same month), month (same year) or year."""
    dates = [d for d in (p["announced"], p["effective"]) if d]
    if not dates:
        return "date none"
    note = p.get("date_note") or ""
    if note.startswith("document date"):
        return "date: the document's date"
    if note.startswith("date from a neighbouring"):
        return "date: a neighbouring sentence's"
    if any(want.startswith(d) for d in dates):
        return "date coarser than labelled"
    if any(d[:7] == want[:7] for d in dates):
        return "date: wrong day"
    if any(d[:4] == want[:4] for d in dates):
        return "date: wrong month"
    return "date: wrong year"


def event_losses(missed: list[dict[str, Any]], extra: list[dict[str, Any]],
                 predicted: list[dict[str, Any]], known: Mapping[str, str] | None = None) -> Counter[str]:
    """Why each labelled event was missed and what each false event is, as counts by class. A missed label that a
    prediction already paired with another label matches in every field is "one event for several labelled" (the
    labels split a measure by firm, the reader gave it once); else it is paired with the unmatched prediction that
    gets its kind or its imposer right and the fewest fields wrong, and named by the field(s) wrong (a date by how
    it is wrong: see ``_date_loss``); a label with no such prediction is "not found". Unpaired predictions are
    false: "false: another event of a measure found" when a prediction of the same kind by the same imposer was
    matched, "false: imposer labelled" when the labels name its imposer for another event, else "false: nothing
    like it labelled"."""
    losses: Counter[str] = Counter()
    free = list(range(len(extra)))
    for e in missed:
        if any(not _event_fields_wrong(e, p, known) for p in predicted):
            losses["missed: one event for several labelled"] += 1
            continue
        pairs = sorted(((i, _event_fields_wrong(e, extra[i], known)) for i in free), key=lambda x: len(x[1]))
        pairs = [(i, w) for i, w in pairs if not {"kind", "imposed_by"} <= set(w)]
        if not pairs:
            same = any(p["kind"] == e["kind"] and p["imposed_by"] == e["imposed_by"] for p in predicted)
            losses["missed: its kind and imposer given to another label's event" if same else
                   "missed: not found"] += 1
            continue
        i, wrong = pairs[0]
        free.remove(i)
        names = [_date_loss(str(e["date"]), extra[i]) if f == "date" else f"wrong {f}" for f in wrong]
        losses["missed: " + (" + ".join(names) if len(names) <= 2 else "three or more fields wrong")] += 1
    matched = [p for p in predicted if not any(p is x for x in extra)]
    for i in free:
        p = extra[i]
        if any(m["kind"] == p["kind"] and m["imposed_by"] == p["imposed_by"] for m in matched):
            losses["false: another event of a measure found"] += 1
        elif any(e["imposed_by"] == p["imposed_by"] for e in missed):
            losses["false: imposer labelled"] += 1
        else:
            losses["false: nothing like it labelled"] += 1
    return losses


def _field_differs(e: dict[str, Any], p: dict[str, Any], field: str) -> bool:
    if field == "period":
        return "period" in e and not _same_period(_s(p.get("period")), _s(e["period"]))
    if field == "region":
        return "region" in e and p.get("region") != e["region"]
    return bool(p.get(field) != e.get(field))


def _brief(kind: str, x: dict[str, Any]) -> dict[str, Any]:
    keys = {"claims": ("entity", "metric", "value", "unit", "period", "region", "text"),
            "events": ("kind", "imposed_by", "sellers", "targets", "announced", "effective"),
            "references": ("number", "url", "date", "publisher"),
            "findings": ("check", "severity", "message")}[kind]
    return {k: x.get(k) for k in keys}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", nargs="?", default="tests/ingest/eval")
    parser.add_argument("--repo", default=".", help="repository root (labels' path: entries are relative to it)")
    parser.add_argument("--details", action="store_true", help="print what each case missed and added")
    parser.add_argument("--losses", action="store_true",
                        help="count the missed and false claims (by what went wrong and where the figure stands) and "
                             "events (by the field wrong)")
    args = parser.parse_args(argv)
    from chipshift import api
    from chipshift.config import Settings
    with tempfile.TemporaryDirectory() as tmp, api.open_store(Settings(store_path=Path(tmp) / "s.duckdb")) as store:
        kb = KnowledgeBase.from_store(store)
        result = evaluate(load_cases(Path(args.folder), Path(args.repo)), kb)
    print(f"{result['cases']} documents")
    print(f"{'kind':<12}{'expected':>9}{'predicted':>10}{'correct':>8}{'precision':>10}{'recall':>8}")
    for kind, s in result["scores"].items():
        print(f"{kind:<12}{s['expected']:>9}{s['predicted']:>10}{s['tp']:>8}{s['precision']:>10.3f}{s['recall']:>8.3f}")
    ev = result["scores"]["events"]
    print(f"event dates right: {ev['dated_right']} of {ev['dated']} labelled events that carry a date")
    kb_ = result["kb"]
    print("knowledge-base verdicts (of them on claims the labels hold): " + ", ".join(
        f"{v.replace('_', ' ')} {kb_.get(v, 0)} ({kb_.get(v + '_right', 0)})"
        for v in ("agrees", "disagrees", "not_comparable", "new", "not_checked")))
    if args.losses:
        for kind in ("claims", "events"):
            losses: Counter[str] = Counter()
            for row in result["per_case"]:
                losses.update(row[kind]["losses"])
            print(f"{kind}:")
            for name, n in sorted(losses.items(), key=lambda x: (-x[1], x[0])):
                print(f"{n:>6}  {name}")
    if args.details:
        json.dump(result["per_case"], sys.stdout, indent=1, default=str, ensure_ascii=False)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
