"""Writes of yearly values. Each is one transaction; bad input saves nothing.

Every write checks, in this order: the user may edit the indicator (own department), the
year is not confirmed for them, and nobody saved the same value since they loaded it
(optimistic locking on IndicatorValue.version).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from kpis.locks import locked_years_for
from kpis.models import Indicator, IndicatorValue
from kpis.values import InvalidValue, format_value, parse_value
from strategy import fiscal, roles


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


def _conflict(value: IndicatorValue | None, seen_version: int | None, column: str, cell: Cell):
    """A message when someone else saved this value after the form loaded, else None."""
    current_version = value.version if value else 0
    if seen_version is None or seen_version == current_version:
        return None
    current = (
        (getattr(value, f"{column}_number"), getattr(value, f"{column}_mark"))
        if value
        else (None, "")
    )
    if current == cell:
        return None  # they saved what we wanted anyway
    who = ""
    if value is not None:
        last = value.history.order_by("-history_date").first()
        if last and last.history_user:
            who = f"（保存した人: {last.history_user.get_username()}）"
    shown = format_value(*current) or "（空欄）"
    return (
        f"他の人が先に保存しました。現在の値は「{shown}」です{who}。"
        "確認してから入力し直してください"
    )


def _versions(raw: dict[int, str] | None) -> dict[int, int | None]:
    out = {}
    for key, text in (raw or {}).items():
        try:
            out[key] = int(text) if str(text).strip() != "" else 0
        except (TypeError, ValueError):
            out[key] = None
    return out


def _grid_plan(indicator, cells, user, versions, existing):
    """What the admin grid would write, and why not: ([(value, delete?)], [EntryError])."""
    plan = indicator.plan
    years = set(plan.value_years)
    locked = locked_years_for(user, plan) if user is not None else set()
    seen = _versions(versions)
    if user is not None and not roles.can_edit(user, indicator):
        return [], [EntryError(indicator, "この指標を変更する権限がありません")]
    errors, writes = [], []
    for year, columns in sorted(cells.items()):
        if year not in years:
            errors.append(
                EntryError(indicator, f"{fiscal.short_label(year)} は計画の年度範囲外です")
            )
            continue
        current = existing.get(year)
        value = current or IndicatorValue(indicator=indicator, fiscal_year=year)
        before = (value.planned_number, value.planned_mark, value.actual_number, value.actual_mark)
        for column, cell in columns.items():
            message = _conflict(current, seen.get(year), column, cell)
            if message:
                errors.append(EntryError(indicator, f"{fiscal.short_label(year)}: {message}"))
            _apply(value, column, cell)
        after = (value.planned_number, value.planned_mark, value.actual_number, value.actual_mark)
        if after == before:
            continue
        if year in locked:
            errors.append(
                EntryError(indicator, f"{fiscal.long_label(year)}は確定済みのため変更できません")
            )
            continue
        if value.is_empty:
            if value.pk:
                writes.append((value, True))
        else:
            writes.append((value, False))
    return writes, errors


def indicator_values_check(*, indicator, cells, user=None, versions=None) -> list[EntryError]:
    """The refusals indicator_values_save would raise, without writing (for form validation)."""
    existing = {v.fiscal_year: v for v in IndicatorValue.objects.filter(indicator=indicator)}
    return _grid_plan(indicator, cells, user, versions, existing)[1]


@transaction.atomic
def indicator_values_save(
    *,
    indicator: Indicator,
    cells: dict[int, dict[str, Cell]],
    user=None,
    versions: dict[int, str] | None = None,
) -> int:
    """Set planned/actual for several years of one indicator (admin grid). Returns rows changed.

    ``cells`` maps fiscal year → {"planned": (number, mark), "actual": (number, mark)}; a year
    whose cells are all empty loses its row. Raises ActualsRejected on any refusal.
    """
    existing = {v.fiscal_year: v for v in indicator.values.select_for_update().order_by()}
    writes, errors = _grid_plan(indicator, cells, user, versions, existing)
    if errors:
        raise ActualsRejected(errors)
    for value, delete in writes:
        if user is not None:
            value._history_user = user
        if delete:
            value.delete()
        else:
            value.save()
    return len(writes)


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
    *,
    indicators: list[Indicator],
    fiscal_year: int,
    raw_by_id: dict[int, str],
    user,
    versions: dict[int, str] | None = None,
) -> int:
    """Save one year's actuals for many indicators: all or nothing.

    Raises ActualsRejected naming each indicator whose entry is not a number or an allowed
    mark, that the user may not edit, whose year is confirmed, or that someone else saved in
    the meantime; nothing is written then. Returns the number of values changed.
    """
    parsed, errors = parse_actuals(indicators, raw_by_id)
    by_id = {i.pk: i for i in indicators}
    seen = _versions(versions)
    existing = {
        v.indicator_id: v
        for v in IndicatorValue.objects.select_for_update()
        .order_by()
        .filter(indicator_id__in=parsed.keys(), fiscal_year=fiscal_year)
    }
    locked = bool(indicators) and fiscal_year in locked_years_for(user, indicators[0].plan)
    to_write = []
    for indicator_id, cell in parsed.items():
        indicator = by_id[indicator_id]
        value = existing.get(indicator_id)
        current = (value.actual_number, value.actual_mark) if value else (None, "")
        if current == cell:
            continue
        if not roles.can_edit(user, indicator):
            errors.append(
                EntryError(indicator, "この指標を変更する権限がありません（他の部局の指標です）")
            )
            continue
        if locked:
            errors.append(
                EntryError(
                    indicator, f"{fiscal.long_label(fiscal_year)}は確定済みのため変更できません"
                )
            )
            continue
        message = _conflict(value, seen.get(indicator_id), "actual", cell)
        if message:
            errors.append(EntryError(indicator, message))
            continue
        value = value or IndicatorValue(indicator=indicator, fiscal_year=fiscal_year)
        _apply(value, "actual", cell)
        to_write.append(value)
    if errors:
        raise ActualsRejected(errors)
    # Saved one by one so django-simple-history records each change with its user.
    for value in to_write:
        value._history_user = user
        if value.is_empty:
            value.delete()
        else:
            value.save()
    return len(to_write)
