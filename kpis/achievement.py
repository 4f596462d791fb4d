"""Achievement of KPIs and activity indicators — the one place where rates and grades are computed.

Two measures, both direction-aware:

* **achievement rate** of one year: the year's actual against that year's plan.
  Higher is better: actual ÷ planned. Lower is better (ペーパーレス度, 超過率): planned ÷ actual,
  so beating a falling target gives more than 100 %. When the plan is 0, or a lower-is-better
  actual is 0, a ratio means nothing: the grade is decided by comparing actual with plan and the
  rate is left empty.
* **progress** from the baseline toward the final target: (latest actual − baseline) ÷
  (target − baseline). The sign of the denominator makes it work for both directions.
* **pace** of a baseline → target indicator (Nagasaki's 成果指標: 基準値 R6 36.3 %, 目標値 R9
  50.0 %, no yearly plan): the year's achievement is the progress made by its latest actual
  against the progress due by then on a straight line from baseline to target
  ((actual − baseline) ÷ (due − baseline)); at and after the target year, that is simply the
  progress toward the target. No actual after the baseline yet: 未計測.

Grades follow the plan's thresholds (default 達成 ≥ 100 %, 概ね順調 ≥ 80 %, else 要努力);
未計測 when the year has a planned number (or the indicator a target) but no numeric actual
yet, 評価対象外 when there is nothing to measure against (no number planned for the year —
empty, 「－」, 「…」, 「○」 … — and no target).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models

from kpis.values import Mark, decimals, display_fixed
from strategy import fiscal

HUNDRED = Decimal(100)


class Grade(models.TextChoices):
    ACHIEVED = "achieved", "達成"
    ON_TRACK = "on_track", "概ね順調"
    NEEDS_EFFORT = "needs_effort", "要努力"
    NOT_MEASURED = "not_measured", "未計測"
    NOT_APPLICABLE = "not_applicable", "評価対象外"


@dataclass(frozen=True)
class Thresholds:
    achieved: Decimal = Decimal(100)
    on_track: Decimal = Decimal(80)

    @classmethod
    def of_plan(cls, plan) -> "Thresholds":
        return cls(Decimal(plan.grade_achieved_percent), Decimal(plan.grade_on_track_percent))


@dataclass(frozen=True)
class Achievement:
    grade: Grade
    rate: Decimal | None = None  # percent, one decimal place

    @property
    def label(self) -> str:
        return self.grade.label

    @property
    def rate_label(self) -> str:
        return "" if self.rate is None else f"{self.rate}%"


def _percent(numerator: Decimal, denominator: Decimal) -> Decimal:
    value = (numerator / denominator * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return value if value != 0 else Decimal("0.0")  # never "-0.0"


def _grade_for(rate: Decimal, thresholds: Thresholds) -> Grade:
    if rate >= thresholds.achieved:
        return Grade.ACHIEVED
    if rate >= thresholds.on_track:
        return Grade.ON_TRACK
    return Grade.NEEDS_EFFORT


def achievement_rate(
    planned: Decimal | None,
    actual: Decimal | None,
    *,
    lower_is_better: bool,
    thresholds: Thresholds = Thresholds(),
) -> Achievement:
    """Grade one year's actual against that year's plan (numbers only; marks are None)."""
    if planned is None:
        return Achievement(Grade.NOT_APPLICABLE)
    if actual is None:
        return Achievement(Grade.NOT_MEASURED)
    if lower_is_better:
        if actual <= 0 or planned <= 0:
            ok = actual <= planned
            return Achievement(Grade.ACHIEVED if ok else Grade.NEEDS_EFFORT)
        rate = _percent(planned, actual)
    else:
        if planned <= 0:
            ok = actual >= planned
            return Achievement(Grade.ACHIEVED if ok else Grade.NEEDS_EFFORT)
        rate = _percent(actual, planned)
    return Achievement(_grade_for(rate, thresholds), rate)


def progress_to_target(
    baseline: Decimal | None, latest: Decimal | None, target: Decimal | None
) -> Decimal | None:
    """Percent of the way from baseline to target (may exceed 100 or be negative)."""
    if baseline is None or latest is None or target is None or target == baseline:
        return None
    return _percent(latest - baseline, target - baseline)


@dataclass(frozen=True)
class IndicatorSummary:
    """What the report pages and dashboards show for one indicator in one report year."""

    year: Achievement
    baseline: tuple[int, Decimal] | None
    latest: tuple[int, Decimal] | None
    target: tuple[int, Decimal] | None
    progress: Decimal | None

    @property
    def progress_label(self) -> str:
        return "" if self.progress is None else f"{self.progress}%"


def has_target(indicator) -> bool:
    """A baseline → target indicator: both ends given, the target after the baseline."""
    return (
        indicator.baseline_value is not None
        and indicator.target_value is not None
        and indicator.baseline_year is not None
        and indicator.target_year is not None
        and indicator.baseline_year < indicator.target_year
    )


def due_by(indicator, year: int) -> Decimal:
    """The value a baseline → target indicator should have reached by ``year``."""
    by, bv = indicator.baseline_year, indicator.baseline_value
    ty, tv = indicator.target_year, indicator.target_value
    share = Decimal(min(max(year - by, 0), ty - by)) / Decimal(ty - by)
    return bv + (tv - bv) * share


def pace_achievement(
    indicator, actual: tuple[int, Decimal] | None, thresholds: Thresholds = Thresholds()
) -> Achievement:
    """Grade the latest actual of a baseline → target indicator against the straight line."""
    if actual is None or actual[0] <= indicator.baseline_year:
        return Achievement(Grade.NOT_MEASURED)
    due = due_by(indicator, actual[0])
    rate = progress_to_target(indicator.baseline_value, actual[1], due)
    if rate is None:  # target equals baseline: hold the line
        lower = indicator.direction == "lower"
        ok = actual[1] <= due if lower else actual[1] >= due
        return Achievement(Grade.ACHIEVED if ok else Grade.NEEDS_EFFORT)
    return Achievement(_grade_for(rate, thresholds), rate)


def summarize(
    indicator, year: int, thresholds: Thresholds = Thresholds(), values=None
) -> IndicatorSummary:
    """Achievement for ``year`` plus progress toward the final target; uses prefetched values.

    Baseline: the indicator's own baseline, else its earliest numeric actual. Target: its own
    target, else the planned number of its last year. Latest: the last numeric actual up to
    ``year``. ``values`` (objects with ``fiscal_year``, ``planned_number``, ``actual_number``)
    default to ``indicator.values.all()``; pages reading plain rows pass their own.
    """
    values = sorted(
        indicator.values.all() if values is None else values, key=lambda v: v.fiscal_year
    )
    current = next((v for v in values if v.fiscal_year == year), None)
    this_year = achievement_rate(
        current.planned_number if current else None,
        current.actual_number if current else None,
        lower_is_better=indicator.direction == "lower",
        thresholds=thresholds,
    )
    actuals = [(v.fiscal_year, v.actual_number) for v in values if v.actual_number is not None]
    planned = [(v.fiscal_year, v.planned_number) for v in values if v.planned_number is not None]
    if indicator.baseline_value is not None:
        baseline = (indicator.baseline_year, indicator.baseline_value)
    else:
        baseline = actuals[0] if actuals else None
    if indicator.target_value is not None:
        target = (indicator.target_year, indicator.target_value)
    else:
        target = planned[-1] if planned else None
    latest_list = [a for a in actuals if a[0] <= year]
    latest = latest_list[-1] if latest_list else None
    if indicator.baseline_value is None and latest is not None and latest == baseline:
        # The only actual so far is its own baseline: no progress can be measured yet.
        latest = None
    progress = progress_to_target(
        baseline[1] if baseline else None,
        latest[1] if latest else None,
        target[1] if target else None,
    )
    if this_year.grade == Grade.NOT_APPLICABLE and has_target(indicator):
        # No yearly plan: measured against the straight line from baseline to target.
        after_baseline = latest if latest and latest[0] > indicator.baseline_year else None
        this_year = pace_achievement(indicator, after_baseline, thresholds)
    return IndicatorSummary(this_year, baseline, latest, target, progress)


# What an indicator prints and expects, for model instances (kpis.models.Indicator) and the
# plain rows the pages read alike: ``indicator`` has ``unit``, ``baseline_year``,
# ``baseline_value``, ``target_year`` and ``target_value``; ``value`` is its value of the
# year (``planned_number``, ``planned_mark``, ``has_actual``) or None.


def actual_due(indicator, value, year: int) -> bool:
    """An actual is expected for ``year``: it has a planned value other than 「－」, or the
    indicator runs from a baseline to a target and ``year`` lies after the baseline, up to
    the target year (成果指標 are measured each year on the way)."""
    if value is not None and (
        value.planned_number is not None or value.planned_mark not in ("", Mark.NONE)
    ):
        return True
    if value is not None and value.planned_mark == Mark.NONE:
        return False
    return has_target(indicator) and indicator.baseline_year < year <= indicator.target_year


def actual_missing(indicator, value, year: int) -> bool:
    """An actual is due for ``year`` but not entered."""
    if value is not None and value.has_actual:
        return False
    return actual_due(indicator, value, year)


def target_places(indicator) -> int:
    """Decimals the 基準値 and 目標値 print with: the same for both (36.3% → 50.0%), and at
    least one for percentages, as the plans print their 成果指標 (20.0% → 50.0%)."""
    places = max(decimals(indicator.baseline_value), decimals(indicator.target_value))
    return max(places, 1) if indicator.unit == "%" else places


def baseline_display(indicator) -> str:
    return display_fixed(indicator.baseline_value, target_places(indicator))


def target_display(indicator) -> str:
    return display_fixed(indicator.target_value, target_places(indicator))


def target_summary(indicator) -> str:
    """「50.0（R9目標）」: what stands in for a yearly plan on a baseline → target indicator."""
    if not has_target(indicator):
        return ""
    return f"{target_display(indicator)}（{fiscal.short_label(indicator.target_year)}目標）"


class IndicatorRules:
    """This module's rules as attributes, for any indicator-like object with
    ``values_by_year()``, baseline_/target_ year and value, unit and direction: the model
    (kpis.models.Indicator) and the plain rows the whole-plan pages read (reports/rows.py)."""

    __slots__ = ()

    def actual_due(self, year: int) -> bool:
        """An actual is expected for ``year`` (see actual_due above)."""
        return actual_due(self, self.values_by_year().get(year), year)

    def actual_missing(self, year: int) -> bool:
        """An actual is due for ``year`` but not entered."""
        return actual_missing(self, self.values_by_year().get(year), year)

    @property
    def target_places(self) -> int:
        return target_places(self)

    @property
    def baseline_display(self) -> str:
        return baseline_display(self)

    @property
    def target_display(self) -> str:
        return target_display(self)

    @property
    def target_summary(self) -> str:
        """「50.0（R9目標）」: what stands in for a yearly plan on a baseline → target one."""
        return target_summary(self)
