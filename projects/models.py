"""プロジェクト and their 実施年度 phases."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from strategy import fiscal
from strategy.models import Department, Plan, PriorityIssue, Step
from strategy.naturalsort import natural_key
from strategy.ownership import Owned, Ownership


def split_aliases(text: str) -> list[str]:
    """「職場環境1-b-2-2、職場1-a-2-1」 → the PIDs, in order (、 , and line breaks separate)."""
    import re

    return [part.strip() for part in re.split(r"[、,，\n]", text or "") if part.strip()]


class ProjectQuerySet(models.QuerySet):
    def in_document_order(self):
        """As the 別冊 and the pages print them: by field, issue, then PID (natural)."""
        return self.order_by("issue__field__number", "issue__kind", "issue__number", "sort_key")

    def search(self, text: str):
        from django.db.models import Q

        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(pid__icontains=text) | Q(aliases__icontains=text) | Q(name__icontains=text)
        )


class Project(Owned, models.Model):
    ownership = Ownership(
        municipality=("plan__municipality",), department=("department",), plan=("plan",)
    )
    #: The Plan field naming this level in the plan's own words.
    plan_level_label = "label_project"

    plan = models.ForeignKey(
        Plan, verbose_name="計画", on_delete=models.CASCADE, related_name="projects"
    )
    issue = models.ForeignKey(
        PriorityIssue, verbose_name="重点課題", on_delete=models.CASCADE, related_name="projects"
    )
    pid = models.CharField("PID", max_length=60, help_text="例: 観光1-1-4")
    aliases = models.CharField(
        "PID の別表記",
        max_length=200,
        blank=True,
        help_text="文書の別の箇所で使われている PID（「、」区切り）。一覧の検索でも見つかります",
    )
    name = models.CharField("名称", max_length=300)
    summary = models.TextField("概要", blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name="主体部局",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    is_leading = models.BooleanField("リーディング", default=False)
    in_table = models.BooleanField(
        "別冊に掲載", default=True, help_text="進捗状況ページにのみ現れ、別冊の表にないものは外す"
    )
    steps = models.ManyToManyField(
        Step, verbose_name="ステップ", related_name="projects", blank=True
    )
    sort_key = models.CharField(max_length=200, editable=False, db_index=True)

    history = HistoricalRecords(inherit=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "プロジェクト"
        verbose_name_plural = "プロジェクト"
        ordering = ["plan_id", "issue__field__number", "issue__kind", "issue__number", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "pid"], name="project_unique_pid_in_plan")
        ]

    def __str__(self) -> str:
        return f"【{self.pid}】{self.name}"

    def save(self, *args, **kwargs):
        # Derived column only: natural ordering of PIDs (観光1-1-4 before 観光1-1-10).
        self.sort_key = natural_key(self.pid)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.issue_id and self.plan_id and self.issue.plan_id != self.plan_id:
            raise ValidationError({"issue": "重点課題は同じ計画のものを選んでください。"})
        if self.department_id and self.plan_id:
            if self.department.municipality_id != self.plan.municipality_id:
                raise ValidationError({"department": "計画の自治体の部局を選んでください。"})

    @property
    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)


class ProgressStatus(models.TextChoices):
    """進捗状況 of a project in one year, as in the report's legend."""

    DONE = "done", "実施済"
    CURRENT = "current", "当年度実施"
    PLANNED = "planned", "今後予定"
    CONSIDER = "consider", "検討"


class ProjectPhase(Owned, models.Model):
    ownership = Project.ownership.under("project__")

    class Phase(models.TextChoices):
        BUILD = "build", "構築（○）"
        OPERATE = "operate", "運用（⇒）"
        CONSIDER = "consider", "検討（…）"

    MARKS = {Phase.BUILD: "○", Phase.OPERATE: "⇒", Phase.CONSIDER: "…"}

    project = models.ForeignKey(
        Project, verbose_name="プロジェクト", on_delete=models.CASCADE, related_name="phases"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    phase = models.CharField("実施区分", max_length=10, choices=Phase.choices)

    history = HistoricalRecords(inherit=False)

    class Meta:
        verbose_name = "実施年度"
        verbose_name_plural = "実施年度"
        ordering = ["project_id", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "fiscal_year"], name="phase_unique_year"),
            models.CheckConstraint(
                condition=models.Q(phase__in=["build", "operate", "consider"]),
                name="phase_valid_choice",
            ),
        ]

    def __str__(self) -> str:
        return f"{fiscal.short_label(self.fiscal_year)} {self.mark}"

    @property
    def mark(self) -> str:
        return self.MARKS[self.phase]

    def progress_status(self, report_year: int) -> ProgressStatus:
        """検討 years stay 検討; other years are 実施済 before the report year, 当年度実施 in it
        and 今後予定 after it."""
        if self.phase == self.Phase.CONSIDER:
            return ProgressStatus.CONSIDER
        if self.fiscal_year < report_year:
            return ProgressStatus.DONE
        if self.fiscal_year == report_year:
            return ProgressStatus.CURRENT
        return ProgressStatus.PLANNED

    @classmethod
    def phase_for_mark(cls, mark: str) -> str:
        """「○」「⇒」「…」 → phase value; raises ValueError otherwise."""
        text = mark.strip().replace("→", "⇒").replace("...", "…").replace("・・・", "…")
        for phase, symbol in cls.MARKS.items():
            if text == symbol:
                return phase
        raise ValueError(
            f"実施年度は ○（構築）・⇒（運用）・…（検討）のいずれかで入力してください: 「{mark}」"
        )

    def clean(self) -> None:
        if self.project_id and self.fiscal_year:
            plan = self.project.plan
            if self.fiscal_year not in plan.period_years:
                raise ValidationError(
                    {"fiscal_year": f"計画期間（{plan.period_label}）内の年度を指定してください。"}
                )
