"""The plan hierarchy: 自治体 → 計画 → 分野 → DX重点課題 → 課題 → ステップ."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from strategy import fiscal
from strategy.naturalsort import natural_key
from strategy.ownership import Owned, Ownership


class Municipality(Owned, models.Model):
    ownership = Ownership(municipality=("pk",))

    code = models.CharField("地方公共団体コード", max_length=6, unique=True)
    name = models.CharField("名称", max_length=100)

    history = HistoricalRecords(inherit=False)

    class Meta:
        verbose_name = "自治体"
        verbose_name_plural = "自治体"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}$"), name="municipality_code_6_digits"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Department(Owned, models.Model):
    ownership = Ownership(municipality=("municipality",))

    municipality = models.ForeignKey(
        Municipality, verbose_name="自治体", on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField("部局名", max_length=100)

    history = HistoricalRecords(inherit=False)

    class Meta:
        verbose_name = "部局"
        verbose_name_plural = "部局"
        ordering = ["municipality_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


def layout_choices():
    """The document shapes a plan can be printed in (reports/layouts.py is the registry)."""
    from reports.layouts import choices

    return choices()


class PlanQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Plan.Status.PUBLISHED)

    def readable_by(self, user):
        """Plans whose pages ``user`` may read (strategy/policy.py decides)."""
        from strategy import policy

        return policy.readable_plans(user, self)


class Plan(Owned, models.Model):
    """One edition of a plan (e.g. 佐世保市 実行計画 R7版); the next year's edition is a copy."""

    ownership = Ownership(municipality=("municipality",), plan=("pk",))

    class Status(models.TextChoices):
        DRAFT = "draft", "下書き"
        PUBLISHED = "published", "公開"

    municipality = models.ForeignKey(
        Municipality, verbose_name="自治体", on_delete=models.PROTECT, related_name="plans"
    )
    slug = models.SlugField("スラッグ", max_length=60, unique=True, help_text="例: sasebo-r7")
    title = models.CharField("計画名", max_length=200)
    baseline_year = models.PositiveSmallIntegerField(
        "基準年度", help_text="値を持てる最初の年度（例: R3 の KPI 基準値）"
    )
    start_year = models.PositiveSmallIntegerField("計画期間（開始年度）")
    end_year = models.PositiveSmallIntegerField("計画期間（終了年度）")
    report_year = models.PositiveSmallIntegerField("報告年度")
    planned_as_of = models.DateField("予定の時点", null=True, blank=True, help_text="予定：R5.4")
    actual_as_of = models.DateField("実績の時点", null=True, blank=True, help_text="実績：R6.3")
    status = models.CharField(
        "公開状態", max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    previous_edition = models.ForeignKey(
        "self",
        verbose_name="前の版",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_editions",
    )
    grade_achieved_percent = models.PositiveSmallIntegerField(
        "評価基準: 達成（%以上）", default=100
    )
    grade_on_track_percent = models.PositiveSmallIntegerField(
        "評価基準: 概ね順調（%以上）", default=80
    )
    layout = models.CharField(
        "文書の形式",
        max_length=30,
        choices=layout_choices,
        default="execution",
        help_text="報告書・ページの構成（佐世保市型の実行計画、長崎市型の推進計画など）",
    )
    introduction = models.TextField(
        "計画の概要", blank=True, help_text="施策体系のページの冒頭に載せる文章"
    )
    vision_lead = models.TextField(
        "めざす姿の前文", blank=True, help_text="例: 5つの分野毎に、2030年のめざす姿を描きます。"
    )
    label_field = models.CharField("表示名: 分野", max_length=30, default="分野")
    label_issue = models.CharField("表示名: 重点課題", max_length=30, default="DX重点課題")
    label_challenge = models.CharField("表示名: 課題", max_length=30, default="課題")
    label_step = models.CharField("表示名: ステップ", max_length=30, default="ステップ")
    label_project = models.CharField("表示名: プロジェクト", max_length=30, default="プロジェクト")
    label_kpi = models.CharField("表示名: KPI", max_length=30, default="KPI")
    label_activity = models.CharField("表示名: 活動指標", max_length=30, default="活動指標")
    # Advanced in the same transaction as any change the plan shows (strategy/revision.py).
    revision = models.PositiveBigIntegerField("改訂番号", default=0, editable=False)

    objects = PlanQuerySet.as_manager()

    # The revision is cache bookkeeping, not plan content: no history column, so 変更履歴
    # never lists it and a revert keeps the current number (simple-history reads it back).
    history = HistoricalRecords(inherit=False, excluded_fields=["revision"])

    class Meta:
        verbose_name = "計画"
        verbose_name_plural = "計画"
        ordering = ["municipality__code", "-report_year", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_year__lte=models.F("end_year"))
                & Q(start_year__lte=models.F("end_year"))
                & Q(report_year__gte=models.F("start_year"))
                & Q(report_year__lte=models.F("end_year")),
                name="plan_years_ordered",
            ),
            models.CheckConstraint(
                condition=Q(grade_on_track_percent__lte=models.F("grade_achieved_percent")),
                name="plan_grade_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}"

    def clean(self) -> None:
        errors = {}
        for name in ("baseline_year", "start_year", "end_year", "report_year"):
            value = getattr(self, name)
            if value is not None and value < fiscal.FIRST_REIWA_YEAR:
                errors[name] = "令和元年度（2019）以降の年度を指定してください。"
        if errors:
            raise ValidationError(errors)
        if None in (self.baseline_year, self.start_year, self.end_year, self.report_year):
            return
        if not (self.baseline_year <= self.end_year and self.start_year <= self.end_year):
            raise ValidationError("基準年度・開始年度は終了年度以前にしてください。")
        if not self.start_year <= self.report_year <= self.end_year:
            raise ValidationError({"report_year": "報告年度は計画期間内の年度にしてください。"})

    @property
    def value_years(self) -> list[int]:
        """Years that may hold planned/actual values (R3 … R9 for Sasebo R7)."""
        return fiscal.year_range(min(self.baseline_year, self.start_year), self.end_year)

    @property
    def period_years(self) -> list[int]:
        """The plan period: columns of the progress chart and years of the phases."""
        return fiscal.year_range(self.start_year, self.end_year)

    @property
    def period_label(self) -> str:
        return f"{fiscal.long_label(self.start_year)}～{fiscal.long_label(self.end_year)}"

    @property
    def actuals_year(self) -> int:
        """The last fiscal year whose actuals the report holds: the year that 実績：R6.3 closes
        (FY R5), else the year before the report year."""
        if self.actual_as_of:
            return max(fiscal.fiscal_year_of(self.actual_as_of), self.baseline_year)
        return max(self.report_year - 1, self.baseline_year)

    @property
    def value_year_labels(self) -> list[str]:
        return [fiscal.short_label(y) for y in self.value_years]

    @property
    def value_year_choices(self) -> list[tuple[int, str]]:
        return [(y, fiscal.long_label(y)) for y in self.value_years]

    @property
    def period_year_labels(self) -> list[str]:
        return [fiscal.short_label(y) for y in self.period_years]

    @property
    def report_year_label_short(self) -> str:
        return fiscal.short_label(self.report_year)

    @property
    def actuals_year_label_short(self) -> str:
        return fiscal.short_label(self.actuals_year)

    @property
    def report_year_label(self) -> str:
        return fiscal.long_label(self.report_year)

    @property
    def as_of_label(self) -> str:
        parts = []
        if self.planned_as_of:
            parts.append(f"予定：{fiscal.year_month_label(self.planned_as_of)}")
        if self.actual_as_of:
            parts.append(f"実績：{fiscal.year_month_label(self.actual_as_of)}")
        return " ".join(parts)


class Field(Owned, models.Model):
    ownership = Ownership(municipality=("plan__municipality",), plan=("plan",))
    #: The Plan field naming this level in the plan's own words (基本方針 …).
    plan_level_label = "label_field"

    plan = models.ForeignKey(
        Plan, verbose_name="計画", on_delete=models.CASCADE, related_name="fields"
    )
    number = models.PositiveSmallIntegerField("番号")
    name = models.CharField("名称", max_length=200)
    description = models.TextField("説明", blank=True, help_text="基本方針の説明文など")
    area_name = models.CharField(
        "めざす姿の分野", max_length=30, blank=True, help_text="例: 生活（長崎市の5つの分野）"
    )
    vision_title = models.CharField(
        "めざす姿",
        max_length=200,
        blank=True,
        help_text="例: 人と人がつながり、便利で暮らしやすいまち",
    )
    vision_text = models.TextField("めざす姿の説明", blank=True)
    keywords = models.TextField("取組分野・キーワード", blank=True)

    history = HistoricalRecords(inherit=False)

    class Meta:
        verbose_name = "分野"
        verbose_name_plural = "分野"
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="field_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number:02d}≪{self.name}≫"


class PriorityIssue(Owned, models.Model):
    """A DX重点課題, or one of the table's other groups (推進課題, 3つのしかけ)."""

    ownership = Ownership(municipality=("plan__municipality",), plan=("plan",))

    class Kind(models.TextChoices):
        PRIORITY = "priority", "DX重点課題"
        PROMOTION = "promotion", "推進課題"
        MECHANISM = "mechanism", "3つのしかけ"

    plan = models.ForeignKey(
        Plan, verbose_name="計画", on_delete=models.CASCADE, related_name="issues"
    )
    field = models.ForeignKey(
        Field, verbose_name="分野", on_delete=models.CASCADE, related_name="issues"
    )
    kind = models.CharField("種別", max_length=10, choices=Kind.choices, default=Kind.PRIORITY)
    number = models.PositiveSmallIntegerField("番号")
    category = models.CharField("分類", max_length=50)
    title = models.CharField("名称", max_length=300)
    department = models.ForeignKey(
        "Department",
        verbose_name="主管部局",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
        help_text="KPI の入力を担当する部局",
    )
    situation = models.TextField("現状・課題", blank=True)
    actions = models.TextField("取り組み内容", blank=True)

    history = HistoricalRecords(inherit=False)

    class Meta:
        verbose_name = "重点課題"
        verbose_name_plural = "重点課題"
        ordering = ["plan_id", "field__number", "kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["field", "kind", "number"], name="issue_unique_number_in_field"
            )
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.PRIORITY:
            return f"{self.number:02d}【{self.category}】{self.title}"
        return self.title

    @property
    def plan_level_label(self) -> str | None:
        """The Plan field naming a priority issue in the plan's words (基本施策 …); the
        table's other groups are named by their kind (推進課題, 3つのしかけ)."""
        return "label_issue" if self.kind == self.Kind.PRIORITY else None

    @property
    def code(self) -> str:
        """Stable code within the plan: 1-01 for まちづくり 01, 2-promotion-01 for others."""
        if self.kind == self.Kind.PRIORITY:
            return f"{self.field.number}-{self.number:02d}"
        return f"{self.field.number}-{self.kind}-{self.number:02d}"

    @property
    def has_report_pages(self) -> bool:
        return self.kind == self.Kind.PRIORITY

    def clean(self) -> None:
        if self.field_id and self.plan_id and self.field.plan_id != self.plan_id:
            raise ValidationError({"field": "分野は同じ計画のものを選んでください。"})


class Challenge(Owned, models.Model):
    ownership = Ownership(municipality=("issue__plan__municipality",), plan=("issue__plan",))
    #: The Plan field naming this level in the plan's own words.
    plan_level_label = "label_challenge"

    issue = models.ForeignKey(
        PriorityIssue, verbose_name="重点課題", on_delete=models.CASCADE, related_name="challenges"
    )
    number = models.PositiveSmallIntegerField("番号")
    title = models.CharField("名称", max_length=300)
    target_title = models.CharField("到達像（見出し）", max_length=300, blank=True)
    target_text = models.TextField("到達像", blank=True)

    history = HistoricalRecords(inherit=False)

    class Meta:
        verbose_name = "課題"
        verbose_name_plural = "課題"
        ordering = ["issue_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "number"], name="challenge_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Step(Owned, models.Model):
    ownership = Ownership(
        municipality=("challenge__issue__plan__municipality",), plan=("challenge__issue__plan",)
    )
    #: The Plan field naming this level in the plan's own words.
    plan_level_label = "label_step"

    challenge = models.ForeignKey(
        Challenge, verbose_name="課題", on_delete=models.CASCADE, related_name="steps"
    )
    code = models.CharField("コード", max_length=30, help_text="例: 1-1、3-a-2")
    title = models.CharField("名称", max_length=300)
    sort_key = models.CharField(max_length=200, editable=False, db_index=True)

    history = HistoricalRecords(inherit=False)

    class Meta:
        verbose_name = "ステップ"
        verbose_name_plural = "ステップ"
        ordering = ["challenge_id", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "code"], name="step_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        # Derived column only: keeps database ordering natural (1-2 before 1-10).
        self.sort_key = natural_key(self.code)
        super().save(*args, **kwargs)


class IssueYearText(Owned, models.Model):
    """R7年度の目標（総括） and R7年度の事業総括 of a priority issue."""

    ownership = Ownership(
        municipality=("issue__plan__municipality",),
        department=("issue__department",),
        plan=("issue__plan",),
    )

    issue = models.ForeignKey(
        PriorityIssue, verbose_name="重点課題", on_delete=models.CASCADE, related_name="year_texts"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    goal_summary = models.TextField("目標（総括）", blank=True)
    business_summary = models.TextField("事業総括", blank=True)

    history = HistoricalRecords(inherit=False)

    class Meta:
        verbose_name = "重点課題の年度別文章"
        verbose_name_plural = "重点課題の年度別文章"
        ordering = ["issue_id", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "fiscal_year"], name="issue_text_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.issue} {fiscal.short_label(self.fiscal_year)}"


class ChallengeGoal(Owned, models.Model):
    """目標 of a challenge for one fiscal year (目標－進捗状況・評価 page)."""

    ownership = Ownership(
        municipality=("challenge__issue__plan__municipality",),
        department=("challenge__issue__department",),
        plan=("challenge__issue__plan",),
    )

    challenge = models.ForeignKey(
        Challenge, verbose_name="課題", on_delete=models.CASCADE, related_name="goals"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    text = models.TextField("目標")

    history = HistoricalRecords(inherit=False)

    class Meta:
        verbose_name = "課題の年度目標"
        verbose_name_plural = "課題の年度目標"
        ordering = ["challenge_id", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "fiscal_year"], name="challenge_goal_unique_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.challenge} {fiscal.short_label(self.fiscal_year)}"


class StaffMember(Owned, models.Model):
    """Links a user to their municipality and, for department editors, their department.

    The municipality bounds everything the user's role allows (strategy/policy.py); a
    department editor's department must belong to it.
    """

    ownership = Ownership(municipality=("municipality",))

    user = models.OneToOneField(
        "auth.User", verbose_name="ユーザー", on_delete=models.CASCADE, related_name="staff"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name="自治体",
        on_delete=models.PROTECT,
        null=True,  # rows from before municipalities were recorded; forms require it
        related_name="staff",
        help_text="この職員が閲覧・編集できる自治体（部局を選ぶとその自治体になります）",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="所属部局",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )

    history = HistoricalRecords(inherit=False)

    class Meta:
        verbose_name = "職員の所属"
        verbose_name_plural = "職員の所属"

    def __str__(self) -> str:
        return f"{self.user} — {self.municipality} {self.department or '所属部局なし'}"

    def save(self, *args, **kwargs):
        if self.department_id:  # the department decides the municipality
            self.municipality_id = self.department.municipality_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.department_id and self.municipality_id:
            if self.department.municipality_id != self.municipality_id:
                raise ValidationError({"department": "自治体の部局を選んでください。"})
