"""Plain rows for the whole-plan pages, read with ``values_list`` and grouped in Python.

The dashboard, the department page, the report pages and the plan overview print a plan's
challenges, steps, projects, indicators and yearly values by the hundred or the thousand.
Built as model instances and linked by per-parent prefetches, they cost several times the
queries that read them; these rows are what the queries return, grouped once. They carry
what the templates read under the models' own names (``row.indicator.name``,
``bar.project.pid``, ``block.challenge.target_text``) and print with the models' own rules:
rates and grades from kpis.achievement, values from kpis.values, labels from kpis.models.
Issues and fields stay model instances: one per issue, not one per project or value.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from kpis import achievement
from kpis.models import owner_label
from kpis.values import YearValue
from projects.models import split_aliases

# Columns of the rows below, in their fields' order.
INDICATOR_COLUMNS = (
    "pk",
    "kind",
    "name",
    "unit",
    "direction",
    "baseline_year",
    "baseline_value",
    "target_year",
    "target_value",
)
PROJECT_COLUMNS = ("pk", "issue_id", "pid", "name", "is_leading", "aliases")


@dataclass(slots=True, eq=False)
class DepartmentInfo:
    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


class Departments(dict):
    """One DepartmentInfo per department met in a page's rows (read by joins, no query)."""

    def get_or_add(self, pk: int | None, name: str | None) -> DepartmentInfo | None:
        if pk is None:
            return None
        info = self.get(pk)
        if info is None:
            info = self[pk] = DepartmentInfo(pk, name or "")
        return info


@dataclass(slots=True, eq=False)
class IssueInfo:
    """What a page without the issue rows prints of a KPI's issue: its 分類."""

    pk: int
    category: str


@dataclass(slots=True, eq=False)
class StepInfo:
    pk: int
    code: str
    title: str

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


@dataclass(slots=True, eq=False)
class ChallengeInfo:
    pk: int
    issue_id: int
    number: int
    title: str = ""
    target_title: str = ""
    target_text: str = ""
    issue: object = None  # the PriorityIssue, or an IssueInfo
    steps: list[StepInfo] = field(default_factory=list)  # in code order

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


@dataclass(slots=True, eq=False)
class ProjectInfo:
    pk: int
    issue_id: int | None
    pid: str
    name: str
    is_leading: bool = False
    aliases: str = ""
    department: DepartmentInfo | None = None

    @property
    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)

    def __str__(self) -> str:
        return f"【{self.pid}】{self.name}"


@dataclass(slots=True, eq=False)
class IndicatorInfo(achievement.IndicatorRules):
    """A KPI or an activity indicator with its yearly values, as kpis.models.Indicator
    prints it (the same functions decide what is due, missing and how targets print)."""

    pk: int
    kind: str
    name: str
    unit: str
    direction: str
    baseline_year: int | None
    baseline_value: Decimal | None
    target_year: int | None
    target_value: Decimal | None
    formula: str = ""
    challenge: ChallengeInfo | None = None
    project: ProjectInfo | None = None
    department: DepartmentInfo | None = None  # who enters its actuals
    year_values: list[YearValue] = field(default_factory=list)
    by_year: dict[int, YearValue] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name

    @property
    def challenge_id(self) -> int | None:
        return self.challenge.pk if self.challenge is not None else None

    @property
    def project_id(self) -> int | None:
        return self.project.pk if self.project is not None else None

    def values_by_year(self) -> dict[int, YearValue]:
        return self.by_year

    def summarize(self, year: int, thresholds: achievement.Thresholds):
        return achievement.summarize(self, year, thresholds, self.year_values)

    @property
    def owner_label(self) -> str:
        return owner_label(self)


def add_values(indicators: dict[int, IndicatorInfo], rows) -> None:
    """Hang ``values_list(*kpis.models.VALUE_COLUMNS)`` rows on their indicators."""
    for indicator_id, year, planned, planned_mark, actual, actual_mark in rows:
        indicator = indicators.get(indicator_id)
        if indicator is not None:
            value = YearValue(year, planned, planned_mark, actual, actual_mark)
            indicator.year_values.append(value)
            indicator.by_year[year] = value
