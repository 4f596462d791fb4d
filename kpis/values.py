"""Yearly values as the documents write them: a number, or one of a few marks.

One parser and one formatter, used by the admin, the actuals screen, the loaders and the
workbook import, so 「25,000」「30%」「－」 mean the same everywhere.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import models


class Mark(models.TextChoices):
    NONE = "－", "－（なし・対象外）"
    CONTINUING = "…", "…（継続・未定）"
    CIRCLE = "○", "○"
    DONE = "実施済", "実施済"


MARK_VALUES = [m.value for m in Mark]
# Variants people type for the same mark.
_MARK_ALIASES = {
    "-": Mark.NONE,
    "ー": Mark.NONE,
    "―": Mark.NONE,
    "—": Mark.NONE,
    "－": Mark.NONE,
    "...": Mark.CONTINUING,
    "・・・": Mark.CONTINUING,
    "…": Mark.CONTINUING,
    "〇": Mark.CIRCLE,
    "○": Mark.CIRCLE,
    "実施済": Mark.DONE,
    "実施済み": Mark.DONE,
}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_NOT_FINITE = {"nan", "snan", "inf", "infinity"}  # what Decimal() and float() would accept
MAX_DIGITS = 18
DECIMAL_PLACES = 4


class InvalidValue(ValueError):
    """A cell that is neither a number nor an allowed mark (message in Japanese)."""


def parse_value(raw) -> tuple[Decimal | None, str]:
    """Return (number, mark); exactly one is set, or (None, "") for an empty cell.

    Accepts 25000, "25,000", "３０％", "0.5", Decimal, and the marks in ``Mark`` with their
    common variants. Anything else raises ValueError with a Japanese message.
    """
    if raw is None:
        return None, ""
    if isinstance(raw, bool):
        raise InvalidValue(f"「{raw}」は数値でも記号（{'・'.join(MARK_VALUES)}）でもありません")
    if isinstance(raw, int | Decimal):
        return _checked(Decimal(raw), raw), ""
    if isinstance(raw, float):
        return _checked(Decimal(repr(raw)), raw), ""
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if text == "":
        return None, ""
    # NFKC turns － into -, so look marks up on the original text first.
    original = str(raw).strip()
    if original in _MARK_ALIASES:
        return None, _MARK_ALIASES[original].value
    if text in _MARK_ALIASES:
        return None, _MARK_ALIASES[text].value
    candidate = text.replace(",", "").replace(" ", "")
    if candidate.endswith("%"):
        candidate = candidate[:-1]
    if _NUMBER.match(candidate):
        return _checked(Decimal(candidate), raw), ""
    if candidate.lower().lstrip("+-") in _NOT_FINITE:
        raise InvalidValue(_not_finite(raw))
    raise InvalidValue(f"「{raw}」は数値でも記号（{'・'.join(MARK_VALUES)}）でもありません")


def _not_finite(raw) -> str:
    return f"「{raw}」は有限の数値ではありません（NaN・無限大は使えません）"


def _checked(number: Decimal, raw) -> Decimal:
    if not number.is_finite():  # NaN, sNaN, Infinity: no column can hold them
        raise InvalidValue(_not_finite(raw))
    try:
        quantized = number.quantize(Decimal(1).scaleb(-DECIMAL_PLACES))
    except InvalidOperation as exc:
        raise InvalidValue(f"「{raw}」は大きすぎます") from exc
    if quantized != number:
        raise InvalidValue(f"「{raw}」は小数点以下{DECIMAL_PLACES}桁までにしてください")
    if len(quantized.as_tuple().digits) > MAX_DIGITS:
        raise InvalidValue(f"「{raw}」は大きすぎます")
    return number


def format_number(number: Decimal | None) -> str:
    """Decimal('25000.0000') → '25000'; Decimal('36.30') → '36.3'."""
    if number is None:
        return ""
    normalized = number.normalize()
    text = format(normalized, "f")
    return "0" if text in ("-0", "") else text


def format_value(number: Decimal | None, mark: str) -> str:
    return mark if mark else format_number(number)


def display_number(number: Decimal | None) -> str:
    """For pages: thousands separators, as the documents print them (25,000)."""
    if number is None:
        return ""
    text = format_number(number)
    if "." in text:
        whole, frac = text.split(".")
        return f"{int(whole):,}.{frac}" if whole != "-0" else text
    return f"{int(text):,}"


def decimals(number: Decimal | None) -> int:
    """Decimal places a number needs as written: 36.3 → 1, 50.0000 → 0."""
    if number is None:
        return 0
    exponent = number.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def display_fixed(number: Decimal | None, places: int) -> str:
    """A number with at least ``places`` decimals, with thousands separators: 50 → 「50.0」."""
    if number is None:
        return ""
    places = max(places, decimals(number))
    return f"{number:,.{places}f}"


def display_value(number: Decimal | None, mark: str) -> str:
    return mark if mark else display_number(number)


def has_value(number: Decimal | None, mark: str) -> bool:
    """A cell holds something: a number or a mark."""
    return number is not None or mark != ""


class PrintedValue:
    """予定 and 実績 of one year as printed, for any object with planned_/actual_ number and
    mark (kpis.models.IndicatorValue, and YearValue below): one set of rules for both."""

    __slots__ = ()

    @property
    def planned_display(self) -> str:
        """As printed on the pages: 25,000 / 36.3 / －."""
        return display_value(self.planned_number, self.planned_mark)

    @property
    def actual_display(self) -> str:
        return display_value(self.actual_number, self.actual_mark)

    @property
    def has_actual(self) -> bool:
        return has_value(self.actual_number, self.actual_mark)

    @property
    def is_empty(self) -> bool:
        return not has_value(self.planned_number, self.planned_mark) and not self.has_actual


@dataclass(slots=True)
class YearValue(PrintedValue):
    """One indicator's 予定 and 実績 in one fiscal year as plain data, for pages that read
    values with ``values_list`` (kpis.models.IndicatorValue prints them with the same rules)."""

    fiscal_year: int
    planned_number: Decimal | None
    planned_mark: str
    actual_number: Decimal | None
    actual_mark: str
