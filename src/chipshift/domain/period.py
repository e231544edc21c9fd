"""Periods that facts refer to: calendar years, quarters, halves, months, days, fiscal periods, spans."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

_SINGLE = re.compile(
    r"^(?:(?P<fy>FY)(?P<fyear>\d{4})(?:Q(?P<fq>[1-4]))?"
    r"|(?P<year>\d{4})(?:Q(?P<q>[1-4])|H(?P<h>[12])|-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?)$"
)


@dataclass(frozen=True, order=True)
class Period:
    """A parsed period label. ``start``/``end`` are calendar dates; fiscal periods are approximate.

    Fiscal periods (``FY2023``, ``FY2026Q3``) are placed on the calendar year of their label because a
    firm's fiscal calendar is not always known; ``fiscal`` says so and callers that need exact dates
    must not rely on them.
    """

    start: date
    end: date
    label: str
    fiscal: bool = False

    @property
    def middle(self) -> date:
        """The day half-way through the period."""
        return date.fromordinal((self.start.toordinal() + self.end.toordinal()) // 2)

    @property
    def days(self) -> int:
        """How many days the period spans, both ends counted."""
        return (self.end - self.start).days + 1

    def yearly_rate(self, amount: float) -> float:
        """An ``amount`` over the period as a yearly rate: a quarter's about four times itself."""
        return amount * 365.25 / self.days

    @classmethod
    def parse(cls, label: str) -> Period:
        text = label.strip()
        if ".." in text:
            left, _, right = text.partition("..")
            a, b = cls.parse(left), cls.parse(right)
            if b.end < a.start:
                raise ValueError(f"period span '{label}' ends before it starts")
            return cls(a.start, b.end, text, a.fiscal or b.fiscal)
        m = _SINGLE.match(text)
        if not m:
            raise ValueError(
                f"'{label}' is not a period (use 2023, 2023Q2, 2023H1, 2023-05, 2023-05-21, FY2023, "
                "FY2026Q3, or A..B)"
            )
        if m["fy"]:
            year = int(m["fyear"])
            if m["fq"]:
                q = int(m["fq"])
                return cls(date(year, 3 * q - 2, 1), _month_end(year, 3 * q), text, True)
            return cls(date(year, 1, 1), date(year, 12, 31), text, True)
        year = int(m["year"])
        if m["q"]:
            q = int(m["q"])
            return cls(date(year, 3 * q - 2, 1), _month_end(year, 3 * q), text)
        if m["h"]:
            h = int(m["h"])
            return cls(date(year, 6 * h - 5, 1), _month_end(year, 6 * h), text)
        if m["month"]:
            month = int(m["month"])
            if not 1 <= month <= 12:
                raise ValueError(f"'{label}': month {month} is not 1-12")
            if m["day"]:
                day = date(year, month, int(m["day"]))
                return cls(day, day, text)
            return cls(date(year, month, 1), _month_end(year, month), text)
        return cls(date(year, 1, 1), date(year, 12, 31), text)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_partial_date(text: str) -> date:
    """The first day a partial ISO date (YYYY, YYYY-MM, YYYY-MM-DD) can mean."""
    parts = [int(p) for p in text.split("-")]
    while len(parts) < 3:
        parts.append(1)
    return date(parts[0], parts[1], parts[2])


def partial_date_last(text: str) -> date:
    """The last day a partial ISO date (YYYY, YYYY-MM, YYYY-MM-DD) can mean: '2019' -> 2019-12-31,
    '2019-07' -> 2019-07-31, a full date itself."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return date(parts[0], 12, 31)
    if len(parts) == 2:
        return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return date(parts[0], parts[1], parts[2])


def parse_moment(text: str) -> datetime:
    """A point in time, in UTC: a partial date (its first day, at midnight) or a date and time, 2026-12-04T22:40Z.
    ValueError for anything else."""
    text = text.strip()
    if "T" in text:
        if not text.endswith("Z"):
            raise ValueError(f"'{text}': a time must be in UTC, ending in Z")
        return datetime.strptime(text, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    day = parse_partial_date(text)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def moment_text(moment: datetime) -> str:
    """``moment`` as `parse_moment` reads it: the bare day at midnight UTC, else the day and UTC time."""
    moment = moment.astimezone(UTC)
    if (moment.hour, moment.minute) == (0, 0):
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%dT%H:%MZ")
