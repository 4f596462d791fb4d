"""Writes of yearly values. Each is one transaction; bad input saves nothing."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from kpis.models import Indicator, IndicatorValue
from kpis.values import InvalidValue, parse_value
from strategy import fiscal


@dataclass(frozen=True)
class EntryError:
    indicator: Indicator
    message: str

    def __str__(self) -> str:
        return f"{self.indicator.owner_label}「{self.indicator.name}」: {self.message}"


class ActualsRejected(Exception):
    def __init__(self, errors: list[EntryError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


Cell = tuple[Decimal | None, str]


def _apply(value: IndicatorValue, column: str, cell: Cell) -> bool:
    number, mark = cell
    old = (getattr(value, f"{column}_number"), getattr(value, f"{column}_mark"))
    if old == (number, mark):
        return False
    setattr(value, f"{column}_number", number)
    setattr(value, f"{column}_mark", mark)
    return True


@transaction.atomic
def indicator_values_save(*, indicator: Indicator, cells: dict[int, dict[str, Cell]]) -> int:
    """Set planned/actual for several years of one indicator (admin grid). Returns rows changed.

    ``cells`` maps fiscal year → {"planned": (number, mark), "actual": (number, mark)}; a year
    whose cells are all empty loses its row.
    """
    years = set(indicator.plan.value_years)
    existing = {v.fiscal_year: v for v in indicator.values.select_for_update().order_by()}
    changed = 0
    for year, columns in cells.items():
        if year not in years:
            raise ValueError(f"{fiscal.short_label(year)} は計画の年度範囲外です")
        value = existing.get(year) or IndicatorValue(indicator=indicator, fiscal_year=year)
        dirty = False
        for column, cell in columns.items():
            dirty |= _apply(value, column, cell)
        if value.is_empty:
            if value.pk:
                value.delete()
                changed += 1
        elif dirty:
            value.save()
            changed += 1
    return changed


def parse_actuals(
    indicators: list[Indicator], raw_by_id: dict[int, str]
) -> tuple[dict[int, Cell], list[EntryError]]:
    """Parse the text typed for each indicator; collect one error per bad entry."""
    parsed: dict[int, Cell] = {}
    errors: list[EntryError] = []
    for indicator in indicators:
        if indicator.pk not in raw_by_id:
            continue
        try:
            parsed[indicator.pk] = parse_value(raw_by_id[indicator.pk])
        except InvalidValue as exc:
            errors.append(EntryError(indicator, str(exc)))
    return parsed, errors


@transaction.atomic
def actuals_save(
    *, indicators: list[Indicator], fiscal_year: int, raw_by_id: dict[int, str]
) -> int:
    """Save one year's actuals for many indicators: all or nothing.

    Raises ActualsRejected naming each indicator whose entry is neither a number nor an
    allowed mark; nothing is written then. Returns the number of values changed.
    """
    parsed, errors = parse_actuals(indicators, raw_by_id)
    if errors:
        raise ActualsRejected(errors)
    by_id = {i.pk: i for i in indicators}
    existing = {
        v.indicator_id: v
        for v in IndicatorValue.objects.select_for_update()
        .order_by()
        .filter(indicator_id__in=parsed.keys(), fiscal_year=fiscal_year)
    }
    to_create, to_update, to_delete = [], [], []
    for indicator_id, cell in parsed.items():
        value = existing.get(indicator_id)
        if value is None:
            if cell == (None, ""):
                continue
            value = IndicatorValue(indicator=by_id[indicator_id], fiscal_year=fiscal_year)
            _apply(value, "actual", cell)
            to_create.append(value)
        elif _apply(value, "actual", cell):
            (to_delete if value.is_empty else to_update).append(value)
    # Saved one by one so django-simple-history records each change with its user.
    for value in to_create + to_update:
        value.save()
    for value in to_delete:
        value.delete()
    return len(to_create) + len(to_update) + len(to_delete)
