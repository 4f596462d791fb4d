"""Japanese fiscal years (年度) and Reiwa notation.

A fiscal year runs April–March and is stored as its Western starting year (R7 = FY2025 =
April 2025–March 2026). This module is the only place that converts between the stored
integer and what people read and type: 「R7」「令和7年度」「令和元年度」「2025」.
"""

import datetime as dt
import re
import unicodedata

REIWA_OFFSET = 2018  # R1 = 2019
FIRST_REIWA_YEAR = 2019

_SHORT = re.compile(r"^R(\d{1,2})$")
_LONG = re.compile(r"^令和(\d{1,2}|元)年度?$")
_WESTERN = re.compile(r"^(\d{4})(?:年度)?$")
_YEAR_MONTH = re.compile(r"^R(\d{1,2})\.(\d{1,2})$")


def _normalise(text: str) -> str:
    # NFKC turns full-width 「Ｒ７」 into "R7"; people type both.
    return unicodedata.normalize("NFKC", str(text)).strip().upper()


def _check_reiwa(year: int) -> int:
    if year < FIRST_REIWA_YEAR:
        raise ValueError(f"令和より前の年度は扱えません: {year}")
    return year


def reiwa_number(year: int) -> int:
    """2025 → 7."""
    return _check_reiwa(year) - REIWA_OFFSET


def short_label(year: int) -> str:
    """2025 → 「R7」."""
    return f"R{reiwa_number(year)}"


def long_label(year: int) -> str:
    """2025 → 「令和7年度」; 2019 → 「令和元年度」."""
    n = reiwa_number(year)
    return f"令和{'元' if n == 1 else n}年度"


def long_label_western(year: int) -> str:
    """2024 → 「令和6年度（2024）」, as the 成果指標 tables print their years."""
    return f"{long_label(year)}（{year}）"


def parse_year(text: str | int) -> int:
    """Read 「R7」「r7」「Ｒ７」「令和7年度」「令和元年度」「2025」「2025年度」 → 2025.

    Raises ValueError with a Japanese message for anything else.
    """
    if isinstance(text, int):
        return _check_reiwa(text)
    value = _normalise(text)
    if m := _SHORT.match(value):
        n = int(m.group(1))
    elif m := _LONG.match(value):
        n = 1 if m.group(1) == "元" else int(m.group(1))
    elif m := _WESTERN.match(value):
        return _check_reiwa(int(m.group(1)))
    else:
        raise ValueError(f"年度として読めません: 「{text}」（例: R7、令和7年度、2025）")
    if n < 1:
        raise ValueError(f"年度として読めません: 「{text}」")
    return n + REIWA_OFFSET


def fiscal_year_of(day: dt.date) -> int:
    """The fiscal year a date falls in: April–December → that year, January–March → the previous."""
    return day.year if day.month >= 4 else day.year - 1


def current_fiscal_year(today: dt.date | None = None) -> int:
    from django.utils import timezone

    return fiscal_year_of(today or timezone.localdate())


def year_month_label(day: dt.date | None) -> str:
    """2023-04-01 → 「R5.4」 (calendar Reiwa year and month, as in 予定：R5.4)."""
    if day is None:
        return ""
    return f"R{reiwa_number(day.year)}.{day.month}"


def parse_year_month(text: str) -> dt.date:
    """「R5.4」 → 2023-04-01."""
    value = _normalise(text)
    m = _YEAR_MONTH.match(value)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"年月として読めません: 「{text}」（例: R5.4）")
    return dt.date(int(m.group(1)) + REIWA_OFFSET, int(m.group(2)), 1)


def year_range(first: int, last: int) -> list[int]:
    return list(range(first, last + 1))
