"""KPIs (on a 課題) and activity indicators (on a プロジェクト), with yearly values."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from simple_history.models import HistoricalRecords

from kpis import achievement
from kpis.values import (
    DECIMAL_PLACES,
    MARK_VALUES,
    MAX_DIGITS,
    Mark,
    PrintedValue,
    format_value,
    parse_value,
)
from projects.models import Project
from strategy import fiscal
from strategy.models import Challenge
from strategy.ownership import Owned, Ownership


def _decimal(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, null=True, blank=True
    )


class IndicatorQuerySet(models.QuerySet):
    def of_plan(self, plan):
        return self.filter(Q(challenge__issue__plan=plan) | Q(project__plan=plan))

    def with_values(self):
        return self.prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("fiscal_year"))
        )

    def for_actuals_entry(self, plan, department=None):
        """Every KPI and activity indicator of a plan, in document order, for the entry screen.

        An activity indicator belongs to its project's lead department, a KPI to the
        主管部局 of its priority issue.
        """
        qs = (
            self.of_plan(plan)
            .select_related(
                "challenge__issue__field",
                "project__issue__field",
                "project__department",
            )
            .with_values()
        )
        if department is not None:
            qs = qs.filter(
                Q(project__department=department) | Q(challenge__issue__department=department)
            )
        return qs.order_by(
            "kind",
            "challenge__issue__field__number",
            "challenge__issue__number",
            "challenge__number",
            "project__issue__field__number",
            "project__issue__kind",
            "project__issue__number",
            "project__sort_key",
            "position",
            "id",
        )


def owner_label(indicator) -> str:
    """「観光 課題1」 for a KPI, 「【観光1-1-4】名称」 for an activity indicator; ``indicator`` is a
    model instance or a plain row with the same attributes (``challenge_id``, ``challenge``
    with ``number`` and ``issue.category``, ``project`` with ``pid`` and ``name``)."""
    if indicator.challenge_id:
        return f"{indicator.challenge.issue.category} 課題{indicator.challenge.number}"
    return f"【{indicator.project.pid}】{indicator.project.name}"


class Indicator(achievement.IndicatorRules, Owned, models.Model):
    # An activity indicator belongs to its project's lead department, a KPI to the
    # 主管部局 of its priority issue (the first path that is set wins).
    ownership = Ownership(
        municipality=("project__plan__municipality", "challenge__issue__plan__municipality"),
        department=("project__department", "challenge__issue__department"),
        plan=("project__plan", "challenge__issue__plan"),
    )

    class Kind(models.TextChoices):
        KPI = "kpi", "KPI"
        ACTIVITY = "activity", "活動指標"

    class Direction(models.TextChoices):
        HIGHER = "higher", "高いほど良い"
        LOWER = "lower", "低いほど良い"

    kind = models.CharField("種別", max_length=10, choices=Kind.choices)
    challenge = models.ForeignKey(
        Challenge,
        verbose_name="課題",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kpis",
    )
    project = models.ForeignKey(
        Project,
        verbose_name="プロジェクト",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
    )
    name = models.CharField("指標名", max_length=300)
    unit = models.CharField("単位", max_length=30, blank=True)
    formula = models.TextField("算出式・設定根拠", blank=True)
    direction = models.CharField(
        "方向", max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    baseline_year = models.PositiveSmallIntegerField("基準年度", null=True, blank=True)
    baseline_value = _decimal("基準値")
    target_year = models.PositiveSmallIntegerField("目標年度", null=True, blank=True)
    target_value = _decimal("目標値")
    position = models.PositiveSmallIntegerField("表示順", default=0)

    objects = IndicatorQuerySet.as_manager()

    history = HistoricalRecords(inherit=False)

    class Meta:
        verbose_name = "指標（KPI・活動指標）"
        verbose_name_plural = "指標（KPI・活動指標）"
        ordering = ["kind", "challenge_id", "project_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="kpi", challenge__isnull=False, project__isnull=True)
                    | Q(kind="activity", project__isnull=False, challenge__isnull=True)
                ),
                name="indicator_exactly_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=["higher", "lower"]), name="indicator_valid_direction"
            ),
            models.UniqueConstraint(fields=["challenge", "name"], name="kpi_unique_name"),
            models.UniqueConstraint(fields=["project", "name"], name="activity_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def plan_level_label(self) -> str:
        """The Plan field naming this kind of indicator in the plan's own words (成果指標 …)."""
        return "label_kpi" if self.kind == self.Kind.KPI else "label_activity"

    def clean(self) -> None:
        if self.kind == self.Kind.KPI and (not self.challenge_id or self.project_id):
            raise ValidationError("KPI は課題にだけ紐づけてください（プロジェクトは空にします）。")
        if self.kind == self.Kind.ACTIVITY and (not self.project_id or self.challenge_id):
            raise ValidationError(
                "活動指標はプロジェクトにだけ紐づけてください（課題は空にします）。"
            )

    @property
    def plan(self):
        return self.challenge.issue.plan if self.challenge_id else self.project.plan

    @property
    def issue(self):
        return self.challenge.issue if self.challenge_id else self.project.issue

    @property
    def owner_label(self) -> str:
        return owner_label(self)

    def values_by_year(self) -> dict[int, "IndicatorValue"]:
        """Uses the prefetched values when present (one query per page, not per row)."""
        return {v.fiscal_year: v for v in self.values.all()}


#: The columns of a stored yearly value, as ``values_list(*VALUE_COLUMNS)`` reads them for
#: the pages, the workbook and the benchmark.
VALUE_COLUMNS = (
    "indicator_id",
    "fiscal_year",
    "planned_number",
    "planned_mark",
    "actual_number",
    "actual_mark",
)


class IndicatorValue(PrintedValue, Owned, models.Model):
    """Planned and actual value of one indicator in one fiscal year."""

    ownership = Indicator.ownership.under("indicator__", locked_year="fiscal_year")

    indicator = models.ForeignKey(
        Indicator, verbose_name="指標", on_delete=models.CASCADE, related_name="values"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    planned_number = _decimal("予定（数値）")
    planned_mark = models.CharField(
        "予定（記号）", max_length=10, choices=Mark.choices, blank=True, default=""
    )
    actual_number = _decimal("実績（数値）")
    actual_mark = models.CharField(
        "実績（記号）", max_length=10, choices=Mark.choices, blank=True, default=""
    )
    version = models.PositiveIntegerField(
        "版", default=0, editable=False, help_text="保存のたびに増える番号（同時編集の検出用）"
    )

    history = HistoricalRecords(inherit=False)

    class Meta:
        verbose_name = "年度別の予定・実績"
        verbose_name_plural = "年度別の予定・実績"
        ordering = ["indicator_id", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"], name="indicator_value_unique_year"
            ),
            models.CheckConstraint(
                condition=Q(planned_number__isnull=True) | Q(planned_mark=""),
                name="planned_number_or_mark",
            ),
            models.CheckConstraint(
                condition=Q(actual_number__isnull=True) | Q(actual_mark=""),
                name="actual_number_or_mark",
            ),
            models.CheckConstraint(
                condition=Q(planned_mark__in=["", *MARK_VALUES]), name="planned_mark_allowed"
            ),
            models.CheckConstraint(
                condition=Q(actual_mark__in=["", *MARK_VALUES]), name="actual_mark_allowed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {fiscal.short_label(self.fiscal_year)}"

    def save(self, *args, **kwargs):
        # Optimistic locking: every write bumps the version a form saw when it loaded.
        self.version += 1
        super().save(*args, **kwargs)

    @property
    def planned(self) -> str:
        return format_value(self.planned_number, self.planned_mark)

    @planned.setter
    def planned(self, text) -> None:
        """Accepts what people type (「25,000」「30%」「－」); raises InvalidValue otherwise."""
        self.planned_number, self.planned_mark = parse_value(text)

    @property
    def actual(self) -> str:
        return format_value(self.actual_number, self.actual_mark)

    @actual.setter
    def actual(self, text) -> None:
        self.actual_number, self.actual_mark = parse_value(text)

    def set_planned(self, number: Decimal | None, mark: str) -> None:
        self.planned_number, self.planned_mark = number, mark

    def set_actual(self, number: Decimal | None, mark: str) -> None:
        self.actual_number, self.actual_mark = number, mark


class IndicatorEvaluation(Owned, models.Model):
    """進捗状況・評価 of a KPI for one report year."""

    ownership = Indicator.ownership.under("indicator__")

    indicator = models.ForeignKey(
        Indicator, verbose_name="指標", on_delete=models.CASCADE, related_name="evaluations"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    text = models.TextField("進捗状況・評価")

    history = HistoricalRecords(inherit=False)

    class Meta:
        verbose_name = "進捗状況・評価"
        verbose_name_plural = "進捗状況・評価"
        ordering = ["indicator_id", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"], name="evaluation_unique_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {fiscal.short_label(self.fiscal_year)}"


class ConfirmedYearQuerySet(models.QuerySet):
    def years_of(self, plan) -> set[int]:
        return set(self.filter(plan=plan).values_list("fiscal_year", flat=True))


class ConfirmedYear(Owned, models.Model):
    """確定: an administrator has confirmed a plan's actuals for a fiscal year.

    While the row exists, editors cannot change that year's values. Reopening deletes it;
    the history keeps who confirmed, who reopened and the reason given.
    """

    ownership = Ownership(municipality=("plan__municipality",), plan=("plan",))

    plan = models.ForeignKey(
        "strategy.Plan",
        verbose_name="計画",
        on_delete=models.CASCADE,
        related_name="confirmed_years",
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    confirmed_by = models.ForeignKey(
        "auth.User", verbose_name="確定した人", on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("確定日時", auto_now_add=True)

    history = HistoricalRecords(inherit=False)
    objects = ConfirmedYearQuerySet.as_manager()

    class Meta:
        verbose_name = "確定した年度"
        verbose_name_plural = "確定した年度"
        ordering = ["plan_id", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "fiscal_year"], name="confirmed_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {fiscal.long_label(self.fiscal_year)} 確定"
