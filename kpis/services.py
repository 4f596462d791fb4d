"""Writes of yearly values. Each is one transaction; bad input saves nothing.

Every write checks, in this order: the user may edit the indicator (own department), the
year is not confirmed for them, and nobody saved the same value since they loaded it
(optimistic locking on IndicatorValue.version).

The version check is mandatory for form saves: a form path passes a dict of the versions it
showed, and a value row that exists but has no (or a malformed) version in it is refused.
``versions=None`` means a server-side write with no form behind it (tests, scripts); it
checks no version. The check runs inside the write transaction after taking the locks
(``lock_for_write``): FOR UPDATE on the indicators and their value rows on PostgreSQL; on
SQLite the transaction already holds the database's write lock (transaction_mode IMMEDIATE,
dxplan/settings.py), so a second editor waits and then sees the first one's version.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from kpis.locks import locked_years_for
from kpis.models import Indicator, IndicatorValue
from kpis.values import InvalidValue, format_value, parse_value
from strategy import fiscal, policy, revision


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

NO_VERSION = "画面を読み込み直してください（版の情報がありません）"
BAD_VERSION = "画面を読み込み直してください（版の情報が正しくありません）"


class _Marker:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


# What _versions() says about one row: an int (the version the form showed), or one of these.
UNCHECKED = _Marker("UNCHECKED")  # server-side write (versions=None): no check
MISSING = _Marker("MISSING")  # the form sent no version for this row
MALFORMED = _Marker("MALFORMED")  # the form sent something that is not a version


def parse_version(text) -> int | _Marker:
    """A posted version: "" or None → MISSING; digits → int; anything else → MALFORMED."""
    if text is None:
        return MISSING
    text = str(text).strip()
    if text == "":
        return MISSING
    if text.isascii() and text.isdigit():
        return int(text)
    return MALFORMED


def lock_for_write(indicator_ids) -> None:
    """Serialize writers of these indicators' values until the transaction ends.

    PostgreSQL: FOR UPDATE on the indicator rows (in id order, so two writers never
    deadlock); it also covers value rows not inserted yet, which a row lock on the values
    alone would not. SQLite ignores FOR UPDATE: the IMMEDIATE transaction already holds the
    write lock. Outside a transaction (a form validated on its own) nothing is locked.
    """
    if transaction.get_autocommit():
        return
    indicator_ids = list(indicator_ids)
    revision.lock_plans_of(Indicator, indicator_ids)  # the plan row first (strategy/revision.py)
    list(
        Indicator.objects.select_for_update()
        .filter(pk__in=indicator_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _for_update(queryset):
    return queryset if transaction.get_autocommit() else queryset.select_for_update()


def saved_by(value: IndicatorValue | None) -> str:
    """「（保存した人: bob）」 for the last save of ``value``, or "" when unknown."""
    if value is None or value.pk is None:
        return ""
    last = value.history.order_by("-history_date").first()
    if last and last.history_user:
        return f"（保存した人: {last.history_user.get_username()}）"
    return ""


def _apply(value: IndicatorValue, column: str, cell: Cell) -> bool:
    number, mark = cell
    old = (getattr(value, f"{column}_number"), getattr(value, f"{column}_mark"))
    if old == (number, mark):
        return False
    setattr(value, f"{column}_number", number)
    setattr(value, f"{column}_mark", mark)
    return True


def _conflict(value: IndicatorValue | None, seen, column: str, cell: Cell):
    """A refusal message when writing ``cell`` would overwrite a save the form did not show.

    ``value`` is the row as it is now (read under the write lock), None if there is none;
    ``seen`` is what _versions() gave for it. Writing what is already stored needs no version.
    """
    if seen is UNCHECKED:
        return None
    current = (
        (getattr(value, f"{column}_number"), getattr(value, f"{column}_mark"))
        if value
        else (None, "")
    )
    if current == cell:
        return None  # nothing to write (or they saved what we wanted anyway)
    if seen is MALFORMED:
        return BAD_VERSION
    if seen is MISSING:
        # A form that showed no version may only create a row that still does not exist.
        return NO_VERSION if value is not None else None
    if seen == (value.version if value else 0):
        return None
    shown = format_value(*current) or "（空欄）"
    return (
        f"他の人が先に保存しました。現在の値は「{shown}」です{saved_by(value)}。"
        "確認してから入力し直してください"
    )


def _versions(raw: dict | None):
    """None (server-side write) → a lookup giving UNCHECKED for every row; a dict of posted
    versions → a lookup giving the parsed version, MISSING for a row the dict lacks."""
    if raw is None:
        return lambda key: UNCHECKED
    parsed = {key: parse_version(text) for key, text in raw.items()}
    return lambda key: parsed.get(key, MISSING)


def _grid_plan(indicator, cells, user, versions, existing):
    """What the admin grid would write, and why not: ([(value, delete?)], [EntryError])."""
    plan = indicator.plan
    years = set(plan.value_years)
    locked = locked_years_for(user, plan) if user is not None else set()
    seen = _versions(versions)
    if user is not None and not policy.allows(user, policy.CHANGE, indicator):
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
        messages = []
        for column, cell in columns.items():
            message = _conflict(current, seen(year), column, cell)
            if message and message not in messages:
                messages.append(message)
            _apply(value, column, cell)
        errors.extend(
            EntryError(indicator, f"{fiscal.short_label(year)}: {message}") for message in messages
        )
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
    """The refusals indicator_values_save would raise, without writing (for form validation).

    Inside a transaction (the admin's change view is one) it takes the same locks as the
    save, so the check and the save that follows see the same rows.
    """
    lock_for_write([indicator.pk])
    existing = {
        v.fiscal_year: v for v in _for_update(IndicatorValue.objects.filter(indicator=indicator))
    }
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
    whose cells are all empty loses its row. ``versions`` maps fiscal year → the version the
    form showed: required for every existing row the save changes; None only for server-side
    writes without a form. Raises ActualsRejected on any refusal.
    """
    lock_for_write([indicator.pk])
    existing = {
        v.fiscal_year: v
        for v in IndicatorValue.objects.select_for_update()
        .filter(indicator=indicator)
        .order_by("pk")
    }
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
    the meantime (or, from a form, whose existing value came without its version); nothing is
    written then. ``versions`` maps indicator id → the version the screen showed; None only
    for server-side writes without a form. Returns the number of values changed.
    """
    parsed, errors = parse_actuals(indicators, raw_by_id)
    by_id = {i.pk: i for i in indicators}
    seen = _versions(versions)
    lock_for_write(parsed.keys())
    existing = {
        v.indicator_id: v
        for v in IndicatorValue.objects.select_for_update()
        .filter(indicator_id__in=parsed.keys(), fiscal_year=fiscal_year)
        .order_by("pk")
    }
    locked = bool(indicators) and fiscal_year in locked_years_for(user, indicators[0].plan)
    to_write = []
    for indicator_id, cell in parsed.items():
        indicator = by_id[indicator_id]
        value = existing.get(indicator_id)
        current = (value.actual_number, value.actual_mark) if value else (None, "")
        if current == cell:
            continue
        if not policy.allows(user, policy.CHANGE, indicator):
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
        message = _conflict(value, seen(indicator_id), "actual", cell)
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
