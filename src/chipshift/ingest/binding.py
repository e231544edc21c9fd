"""A learned reading of what a figure in prose measures, beside the cue rules of ``claims``.

For every figure of a sentence the rules either name the family of its measure (revenue, market share, imports
...) or find none. A multinomial logistic model, trained on the hand-labelled real articles
(``scripts/train_binding.py``), reads the same figure from general features of its context: the words just
before and after it, the kind of quantity and its unit, the cue the rules found and how far it is, the cues of the
whole sentence, which kinds of names the sentence holds, the measure the text was last about, and the claim the
rules bound. ``claims`` then keeps the rules' claim, takes the model's family where the rules found none or where
the model confidently disagrees (and could drop the rules' claim when the model is confident the figure is none;
the shipped settings never do, see docs/ingest.md), and binds entity, period and unit with the same code as for the
rules' claims. The weights are a data file beside this module (``binding.json``, with how they
were made); applying them is a sum of weights, so the reader stays deterministic and needs no learning library.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from chipshift.ingest.model import Mention, Quantity, Sentence

WEIGHTS = Path(__file__).with_name("binding.json")
NONE = "none"

#: The family of each metric the labels use (the classes the model learns); metrics the claim reader cannot
#: produce are "none".
FAMILY_OF = {
    "revenue": "revenue", "revenue_by_region": "revenue", "revenue_growth": "revenue",
    "revenue_share_region": "revenue_share", "revenue_share_product": "revenue_share",
    "net_profit": "net_profit", "operating_profit": "operating_profit", "gross_margin": "gross_margin",
    "market_share": "market_share", "market_share_change": "market_share",
    "market_size": "market_size", "market_growth": "market_size",
    "localization_rate": "localization_rate", "import_share": "import_share",
    "investment": "investment", "investment_growth": "investment",
    "imports": "imports", "exports": "exports",
    "equipment_purchases": "equipment_purchases", "equipment_purchases_growth": "equipment_purchases",
    "equipment_purchases_share": "equipment_purchases",
    "orders": "orders", "charge": "charge", "relative_performance": "relative_performance",
}

#: Measures the rules read that the model has no class for (volumes and prices): the rules' reading stands.
RULES_ALONE = frozenset({"production", "shipments", "capacity", "price"})

_WORD = re.compile(r"[a-z]+|\d+(?:[.,]\d+)*|[%$€¥£]")


def _words(text: str) -> list[str]:
    return ["#" if w[0].isdigit() else w for w in _WORD.findall(text.lower())]


@dataclass(frozen=True)
class Settings:
    """When the model's reading replaces the rules' (probabilities of the chosen class)."""

    add: float = 1.1  # take the model's family where the rules found none
    drop: float = 1.1  # drop the rules' claim when the model says "none"
    swap: float = 1.1  # take the model's family over the rules' other one


def features(s: Sentence, q: Quantity, qs: list[Quantity], ments: list[Mention], cues: list[tuple[int, int, str]],
             rule: str | None, distance: int, last_money: str | None, last_share: str | None) -> list[str]:
    """The binary features of figure q in sentence s (names of the features that are on)."""
    rel, rel_end = q.start - s.start, q.end - s.start
    left, right = _words(s.text[:rel]), _words(s.text[rel_end:])
    out = [f"kind={q.kind}", f"unit={q.unit}", f"rule={rule}", f"rule={rule}|kind={q.kind}",
           f"dist={'near' if distance < 20 else 'mid' if distance < 60 else 'far'}",
           f"money={last_money}", f"share={last_share}", f"nq={min(len(qs), 4)}",
           f"first={'y' if qs and qs[0] is q else 'n'}"]
    out += [f"l:{w}" for w in left[-6:]]
    out += [f"l{i}:{w}" for i, w in enumerate(reversed(left[-2:]), 1)]
    out += [f"r:{w}" for w in right[:4]]
    out += [f"r{i}:{w}" for i, w in enumerate(right[:2], 1)]
    out += [f"cue:{name}" for _, _, name in cues]
    out += [f"cue<:{name}" for _, end, name in cues if end <= rel]
    out += [f"cue>:{name}" for start, _, name in cues if start >= rel_end]
    kinds = {m.kind for m in ments if m.entity}
    out += [f"has:{k}" for k in sorted(kinds)]
    before = [m for m in ments if m.entity and m.end <= q.start]
    if before:
        out.append(f"lm:{before[-1].kind}")
    if "|" in s.text or "\t" in s.text:
        out.append("row")
    return sorted(set(out))


@dataclass
class Binding:
    """The trained model (classes, intercepts, a weight per class for each feature) and when to use it."""

    classes: list[str] = field(default_factory=list)
    intercept: list[float] = field(default_factory=list)
    weights: dict[str, list[float]] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)

    @property
    def active(self) -> bool:
        return bool(self.classes)

    def probabilities(self, names: list[str]) -> dict[str, float]:
        scores = list(self.intercept)
        for name in names:
            w = self.weights.get(name)
            if w is not None:
                for i, x in enumerate(w):
                    scores[i] += x
        top = max(scores)
        exp = [math.exp(x - top) for x in scores]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp, strict=True)}

    def decide(self, names: list[str], rule: str | None) -> tuple[str | None, bool]:
        """The family to bind the figure with (None: no claim), and whether it is the model's (not the rules')."""
        if rule in RULES_ALONE:
            return rule, False
        ruled = rule if rule is not None and rule in FAMILY_OF.values() else None
        if not self.active:
            return ruled, False
        p = self.probabilities(names)
        best = max((c for c in self.classes if c != NONE), key=lambda c: p[c])
        if ruled is None:
            return (best, True) if p[best] >= self.settings.add else (None, False)
        if p[NONE] >= self.settings.drop:
            return None, True
        if best != ruled and p[best] >= self.settings.swap:
            return best, True
        return ruled, False

    def to_json(self, made: dict[str, Any]) -> str:
        """The model as JSON, one line per feature."""
        head = {"made": made, "settings": vars(self.settings), "classes": self.classes, "intercept": self.intercept}
        lines = [f"{json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in sorted(head.items())]
        weights = [f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(v)}" for k, v in sorted(self.weights.items())]
        return "{\n" + ",\n".join([*lines, '"weights": {\n' + ",\n".join(weights) + "\n}"]) + "\n}"

    @classmethod
    def from_json(cls, text: str) -> Binding:
        data = json.loads(text)
        return cls(list(data["classes"]), [float(x) for x in data["intercept"]],
                   {k: [float(x) for x in v] for k, v in data["weights"].items()}, Settings(**data["settings"]))


RULES_ONLY = Binding()


@lru_cache(maxsize=1)
def shipped() -> Binding:
    """The model trained on every labelled batch, as shipped (rules only when the file is absent)."""
    if not WEIGHTS.exists():
        return RULES_ONLY
    return Binding.from_json(WEIGHTS.read_text(encoding="utf-8"))
