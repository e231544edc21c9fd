"""Cue words that say what a number measures (revenue, market share, investment ...), and the patterns for
growth direction, comparison bases and rankings that the claim reader uses."""

from __future__ import annotations

import re

# cue words -> metric family, nearest to the quantity wins
_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("gross_margin", re.compile(r"gross(?:\s+profit)?\s+margin", re.I)),
    ("operating_profit", re.compile(r"operating\s+(?:profit|income|loss)", re.I)),
    ("net_profit", re.compile(r"net\s+(?:profit|income|loss|earnings)|profit|净利润|loss(?:es)?\b|earnings", re.I)),
    ("localization_rate", re.compile(r"locali[sz]ation|self-sufficiency|self-reliance rate|domestic(?:ally)?\s+"
                                     r"(?:\w+\s+){0,3}(?:share|chips|suppliers|chipmakers|vendors|brands)|"
                                     r"homegrown|local\s+(?:chips|suppliers|chipmakers|vendors)", re.I)),
    ("import_share", re.compile(r"imported\s+chips|foreign\s+(?:chips|suppliers|vendors)|outsourced", re.I)),
    ("other", re.compile(r"utili[sz]ation|\byields?\b|inventor(?:y|ies)|\bR&D\b|research\s+(?:and|&)\s+development|"
                         r"research\s+(?:spending|budgets?|costs?|expenses?|outlays?)|on\s+research\b|headcount|\bstaff\b|"
                         r"employees|\bjobs\b|\bshares\s+(?:fell|rose|dropped|jumped|gained|slipped|declined|closed|ended|"
                         r"finished|opened|traded|surged|soared|tumbled|plunged)|\bshare\s+price|"
                         r"stock\s+(?:fell|rose|price|closed|ended)|crude|\boil\b|soybeans?|\bcoal\b|\bgas\b|dividend|tariffs?|"
                         r"capacity|per\s+share|\bEPS\b|valuation|transistors|cash\s+flows?|"
                         # losses summed over years are no year's profit: "accumulated losses ... above 5.4 billion"
                         r"(?:accumulated|cumulative)\s+(?:net\s+)?loss(?:es)?|"
                         # costs and items below the operating line are no revenue or profit: "cost of revenues",
                         # "net interest expense", "net foreign exchange loss", "net gain on equity-method investments"
                         r"\bcosts?\s+of\s+(?:revenues?|sales|goods)|\bexpenses?\b|"
                         r"\b(?:interest|exchange|valuation)\s+(?:loss(?:es)?|gains?)\b|\bgains?\s+on\b", re.I)),
    ("market_share", re.compile(r"market\s+share|share\s+of\s+the\s+(?:\w+\s+){0,4}market|\bshare\b|market\b"
                                r"(?=[^.]{0,25}%)|\bcontrol(?:led|s)?\b|\bhold(?:s|ing)?\b|\btook\b|"
                                r"\bproduc(?:es|ed|tion)\b", re.I)),
    ("equipment_purchases", re.compile(r"equipment\s+(?:\w+\s+){0,2}(?:sales|spending|purchases|billings|"
                                       r"market|investment)|(?:bought|purchased|spent)\s+(?:\w+\s+){0,4}"
                                       r"equipment|chip-?making\s+(?:equipment|tools)|(?:sales|purchases|spending|"
                                       r"billings)\s+of\s+(?:\w+\s+){0,3}equipment", re.I)),
    ("investment", re.compile(r"invest(?:ment|ments|ed|ing|s)?|capex|capital\s+(?:expenditure|spending)", re.I)),
    ("imports", re.compile(r"\bimport(?:s|ed|ing)?\b|进口|\bbr(?:ought|ings?|inging)\s+in\b|"
                           # "shipped in from Korea", not "shipped in February" (a time, not a direction)
                           r"\bshipped\s+in\b(?!\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|the\s|a\s|"
                           r"(?:19|20)\d\d|[1-4]Q|Q[1-4]|H[12]|fiscal|each|every|that|this|last))|"
                           r"\binbound\s+shipments\b", re.I)),
    ("exports", re.compile(r"\bexport(?:s|ed|ing)?\b(?!\s+(?:controls?|curbs|restrictions|ban|licen))|"
                           r"\boutbound\s+shipments\b|\bshipments\s+abroad\b", re.I)),
    # orders a firm took in: "net bookings", "order intake", "new orders", "booked orders of"
    ("orders", re.compile(r"\b(?:net\s+|new\s+|system\s+)?bookings\b|\border\s+(?:intake|backlog)\b|"
                          r"\b(?:new|net|received|booked|took\s+in)\s+(?:\w+\s+){0,2}?orders\b|"
                          r"\borders\s+(?:received|booked|worth|of)\b", re.I)),
    ("charge", re.compile(r"\bcharges?\b|write-?down|write(?:s)?\s+off|wrote\s+off", re.I)),
    ("relative_performance", re.compile(r"performance|(?:faster|slower)\s+than|as\s+powerful\s+as|efficiency\s+of",
                                        re.I)),
    ("market_size", re.compile(r"(?:industry|market)\s+(?:\w+\s+){0,2}(?:revenue|sales|value|size)|"
                               r"(?:global|worldwide|world|total|overall|industry)\s+(?:\w+\s+){0,2}(?:DRAM|NAND|"
                               r"memory|chip|semiconductor|foundry|HBM)\s+(?:flash\s+|memory\s+|chip\s+)?"
                               r"(?:revenue|sales)|"
                               r"market\s+(?:was\s+)?(?:worth|valued)|output\s+value", re.I)),
    # a share's trading turnover ("Average monthly turnover: RMB 2,171.1 million") is no revenue
    ("revenue", re.compile(r"revenues?|\bsales\b|(?<!daily )(?<!monthly )(?<!weekly )(?<!trading )turnover|"
                           r"营收|营业收入|\bearned\b|\bgenerated\b|\brevenue\b|"
                           r"\bsold\b|\b(?:took|takes|brought|raked)\s+in\b|"
                           # "Nvidia made $5.4 billion in China": made before an amount of money
                           r"\bmade\s+(?=(?:about\s+|around\s+|nearly\s+|roughly\s+|some\s+|almost\s+)?"
                           r"(?:US|NT|HK)?[$€¥£₩])", re.I)),
]
_CUES_BY_NAME = dict(_CUES)
_UP = r"increas\w*|r[oi]se|rising|grew|grow(?:th|s|ing)?|\bup\b|surg\w*|jump\w*|soar\w*|climb\w*|gain\w*|" \
      r"skyrocket\w*|expand\w*|boost\w*|higher"
_DOWN = r"decreas\w*|f[ae]ll|falling|declin\w*|\bdown\b|drop\w*|slump\w*|shr[ai]nk\w*|plung\w*|slip\w*|" \
        r"lower|contract\w*|tumbl\w*|cut\b"
_UP_RE = re.compile(_UP, re.I)
_DOWN_RE = re.compile(_DOWN, re.I)
_CHANGE_RE = re.compile(rf"(?:{_UP}|{_DOWN})", re.I)
_YOY = re.compile(r"year[- ]on[- ]year|year[- ]over[- ]year|year[- ]to[- ]year|\byoy\b|\by/y\b|\by-o-y\b|"
                  r"\bon[- ]year\b|"
                  r"(?:from|than) a year (?:earlier|ago|before)|"
                  r"same period (?:of )?last year|compared with a year|annual(?:ly)?\s+(?:increase|growth|rise)|"
                  r"from (?:the )?(?:previous|prior) year|同比", re.I)
_QOQ = re.compile(r"quarter[- ]on[- ]quarter|quarter[- ]over[- ]quarter|\bqoq\b|\bq/q\b|sequential(?:ly)?|"
                  r"(?:from|over|on|than(?: in)?) the (?:previous|prior|preceding|last) quarter|quarterly (?:increase|"
                  r"growth|rise|decline|decrease)|\bon the quarter\b|than in the (?:first|second|third|fourth) "
                  r"quarter|环比", re.I)
_COMPARISON_BASE = re.compile(r"(?:than(?: in)?|from|compared (?:with|to)|versus|vs\.?|against|over|since|flat on|"
                              r"unchanged (?:from|on))\s+(?:the\s+)?(?:strong\s+|weak\s+)?$|"
                              r"\bthe same (?:(?:two|three|four|five|six|seven|eight|nine|ten|eleven|\d{1,2})\s+)?"
                              r"(?:period|quarter|months?|time) (?:of|in)\s+$", re.I)
_RANKING = re.compile(r"\b(?:came|ranked|ranking|placed|was|were)\s+(?:first|second|third|fourth|fifth)|\b(?:second|"
                      r"third|fourth|fifth)\s+(?:with|place)|followed by|trailed|behind", re.I)
_FORECAST = re.compile(r"\b(?:expect\w*|guid\w*|forecast\w*|project\w*|outlook|target\w*|aims?|plans?)\b", re.I)
_PRONOUN = re.compile(r"\b(?:it|its|the company|the firm|the chipmaker|the group|the maker|the designer|the "
                      r"company's|the us company|the u\.s\. company|the chinese company|they|their)\b", re.I)
_REGION_CUE = re.compile(r"\b(?:from|in|to|of)\s+(?:mainland\s+|greater\s+)?$", re.I)


def sentence_cues(text: str) -> list[tuple[int, int, str]]:
    """Every metric cue in a sentence, once (start, end, family); equipment named as what a trade flow carries
    ("exports of chipmaking equipment") is the flow's product, not a cue of spending on equipment."""
    low = text.lower()
    cues = sorted((m.start(), m.end(), name) for name, pattern in _CUES
                  if any(n in low for n in _CUE_NEEDS[name]) for m in pattern.finditer(text))
    flows = [(start, end) for start, end, name in cues if name in ("imports", "exports")]
    return [c for c in cues if c[2] != "equipment_purchases" or not any(
        _FLOW_OF.fullmatch(text[end:c[0]]) for _, end in flows if end <= c[0])]


#: What stands between a trade flow's word and the goods it carries: "exports of [semiconductor] chipmaking ...".
_FLOW_OF = re.compile(r"\s+of\s+(?:the\s+|its\s+|their\s+)?(?:[\w-]+\s+){0,2}", re.I)


#: Substrings a cue cannot match without (a cheap filter before the regex scan).
_CUE_NEEDS: dict[str, tuple[str, ...]] = {
    "gross_margin": ("margin",), "operating_profit": ("operating",),
    "net_profit": ("profit", "income", "loss", "earnings", "净利润"),
    "localization_rate": ("locali", "self-", "domestic", "homegrown", "local "),
    "import_share": ("imported", "foreign", "outsourced"),
    "other": ("utili", "yield", "inventor", "r&d", "research", "headcount", "staff", "employees", "jobs", "shares ",
              "stock", "crude", "oil", "soybean", "coal", "gas", "dividend", "tariff", "capacity", "per share", "eps",
              "valuation", "transistors", "cash flow", "accumulated", "cumulative", "cost", "expense", "gain"),
    "market_share": ("market", "share", "control", "hold", "took", "produc"),
    "equipment_purchases": ("equipment", "tools"),
    "investment": ("invest", "capex", "capital"), "imports": ("import", "进口", "in ", "inbound"),
    "exports": ("export", "outbound", "abroad"),
    "charge": ("charge", "write"), "orders": ("booking", "order"),
    "relative_performance": ("performance", "faster", "slower", "powerful", "efficiency"),
    "market_size": ("market", "industry", "global", "world", "total", "overall", "output"),
    "revenue": ("revenue", "sales", "turnover", "营收", "营业收入", "earned", "generated", "sold", " in "),
}
