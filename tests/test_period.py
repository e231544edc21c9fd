from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chipshift.domain.period import Period, parse_partial_date


@pytest.mark.parametrize(
    ("label", "start", "end", "fiscal"),
    [
        ("2023", date(2023, 1, 1), date(2023, 12, 31), False),
        ("2023Q2", date(2023, 4, 1), date(2023, 6, 30), False),
        ("2024H2", date(2024, 7, 1), date(2024, 12, 31), False),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), False),
        ("2023-05-21", date(2023, 5, 21), date(2023, 5, 21), False),
        ("FY2023", date(2023, 1, 1), date(2023, 12, 31), True),
        ("FY2026Q3", date(2026, 7, 1), date(2026, 9, 30), True),
        ("2025Q1..2025Q3", date(2025, 1, 1), date(2025, 9, 30), False),
        ("2025-01..2025-08", date(2025, 1, 1), date(2025, 8, 31), False),
    ],
)
def test_parse_forms(label: str, start: date, end: date, fiscal: bool) -> None:
    period = Period.parse(label)
    assert (period.start, period.end, period.fiscal) == (start, end, fiscal)


@pytest.mark.parametrize("label", ["Q3 2025", "2025Q5", "2025-13", "FY23", "2025Q3..2025Q1", ""])
def test_rejects_malformed(label: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(label)


@given(st.integers(1990, 2040), st.integers(1, 4))
def test_quarters_tile_the_year(year: int, quarter: int) -> None:
    q = Period.parse(f"{year}Q{quarter}")
    whole = Period.parse(str(year))
    assert whole.start <= q.start <= q.end <= whole.end


def test_partial_dates() -> None:
    assert parse_partial_date("2019-12") == date(2019, 12, 1)
    assert parse_partial_date("2019") == date(2019, 1, 1)


def test_an_amount_over_a_period_as_a_yearly_rate() -> None:
    # a period's days count both ends; a quarter's amount is about four times itself a year, a year's itself
    q1 = Period.parse("2023Q1")
    assert q1.days == 90 and Period.parse("2024Q1").days == 91 and Period.parse("2023").days == 365
    assert q1.yearly_rate(10.0) == pytest.approx(10.0 * 365.25 / 90)
    assert Period.parse("2023").yearly_rate(100.0) == pytest.approx(100.0, rel=1e-3)
    assert Period.parse("2023H1").yearly_rate(50.0) == pytest.approx(100.0, rel=1e-2)
