import datetime as dt

import pytest

from strategy import fiscal


@pytest.mark.parametrize(
    ("year", "short", "long"),
    [
        (2025, "R7", "令和7年度"),
        (2019, "R1", "令和元年度"),
        (2021, "R3", "令和3年度"),
        (2030, "R12", "令和12年度"),
    ],
)
def test_it_labels_fiscal_years(year, short, long):
    assert fiscal.short_label(year) == short
    assert fiscal.long_label(year) == long
    assert fiscal.parse_year(short) == year
    assert fiscal.parse_year(long) == year


@pytest.mark.parametrize(
    "text", ["R7", "r7", "Ｒ７", "令和7年度", "令和７年度", "令和7年", "2025", "2025年度", " R7 "]
)
def test_it_parses_what_people_type(text):
    assert fiscal.parse_year(text) == 2025


@pytest.mark.parametrize(
    "text", ["", "R", "H30", "平成30年度", "R0", "令和年度", "2018", "abc", "R7-8"]
)
def test_it_refuses_what_is_not_a_reiwa_fiscal_year(text):
    with pytest.raises(ValueError, match="年度|令和"):
        fiscal.parse_year(text)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2025, 4, 1), 2025),
        (dt.date(2025, 3, 31), 2024),
        (dt.date(2026, 3, 31), 2025),
        (dt.date(2025, 12, 31), 2025),
        (dt.date(2026, 1, 1), 2025),
    ],
)
def test_it_starts_the_fiscal_year_in_april(day, year):
    assert fiscal.fiscal_year_of(day) == year
    assert fiscal.current_fiscal_year(day) == year


def test_it_reads_and_writes_as_of_months():
    assert fiscal.parse_year_month("R5.4") == dt.date(2023, 4, 1)
    assert fiscal.year_month_label(dt.date(2024, 3, 1)) == "R6.3"
    with pytest.raises(ValueError):
        fiscal.parse_year_month("R5.13")
