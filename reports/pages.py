"""Plain data for the report pages, read with a fixed number of queries per page.

Every page of a priority issue — and the whole report, which is all of them — is assembled
by ``issue_reports``: the same handful of queries whether the plan has 12 issues or 1,200,
then grouped in Python. Rates come from ``kpis.achievement`` only.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from kpis.achievement import Achievement, IndicatorSummary, Thresholds, has_target, summarize
from kpis.models import Indicator, IndicatorEvaluation, IndicatorValue
from kpis.values import display_fixed
from projects.models import Project, ProjectPhase
from reports import charts
from reports.charts import Chart
from strategy import fiscal
from strategy.models import Challenge, ChallengeGoal, IssueYearText, Plan, PriorityIssue, Step

PARTS = frozenset({"progress", "goals", "kpis"})
KPI_CARDS_PER_SHEET = 3  # what fits on one A4 landscape sheet with its header


@dataclass
class ProjectBar:
    project: Project
    leading_cells: int  # empty year columns before the bar
    span: int  # year columns the bar covers
    trailing_cells: int
    segments: list[dict]  # per covered year: {"year", "status", "label", "mark"}
    other_steps: list[str] = field(default_factory=list)

    @property
    def leading_range(self) -> range:
        return range(self.leading_cells)

    @property
    def trailing_range(self) -> range:
        return range(self.trailing_cells)


@dataclass
class StepRow:
    step: Step | None  # None: projects of the challenge's issue without a step
    bars: list[ProjectBar]


@dataclass
class KpiRow:
    indicator: Indicator
    cells: list[dict]  # per value year: {"year", "label", "planned", "actual"}
    evaluation: str
    summary: IndicatorSummary  # progress toward the final target, as of the report year
    latest: Achievement  # the actuals year's achievement (実績：R6.3 → R5)
    chart: Chart | None = None
    # Baseline → target indicators (成果指標): 基準値 and 目標値 with their years, and the
    # actuals of the years between (R7実績 … R9実績), as the 数値目標 table prints them.
    has_target: bool = False
    baseline_label: str = ""  # 基準値：令和6年度（2024）
    baseline_text: str = ""  # 36.3%
    target_label: str = ""
    target_text: str = ""
    actual_cells: list[dict] = field(default_factory=list)  # {"label", "text"}


@dataclass
class ChallengeBlock:
    challenge: Challenge
    goal: str = ""
    step_rows: list[StepRow] = field(default_factory=list)
    kpis: list[KpiRow] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(max(len(r.bars), 1) for r in self.step_rows) or 1


@dataclass
class IssueReport:
    issue: PriorityIssue
    challenges: list[ChallengeBlock]
    goal_summary: str = ""
    business_summary: str = ""
    unstepped: list[ProjectBar] = field(default_factory=list)
    projects: list[ProjectBar] = field(default_factory=list)  # every project, in PID order

    @property
    def code(self) -> str:
        return self.issue.code

    @property
    def summaries(self) -> list[tuple[str, str]]:
        """R7年度の目標（総括） and R7年度の事業総括, as (title after 「R7年度の」, text)."""
        return [("目標（総括）", self.goal_summary), ("事業総括", self.business_summary)]

    @property
    def has_goals(self) -> bool:
        """Anything the 目標 page would print besides 「（記載なし）」."""
        return any(block.goal for block in self.challenges) or any(t for _, t in self.summaries)

    @property
    def has_kpis(self) -> bool:
        return any(block.kpis for block in self.challenges)

    @property
    def kpi_sheets(self) -> list[list[tuple[ChallengeBlock, KpiRow]]]:
        """The KPI cards cut into printed sheets of at most KPI_CARDS_PER_SHEET, balanced so
        that no sheet holds a lone card when its issue has more (4 → 2 + 2, 7 → 3 + 2 + 2)."""
        cards = [(block, row) for block in self.challenges for row in block.kpis]
        sheets = -(-len(cards) // KPI_CARDS_PER_SHEET) or 1
        size, extra = divmod(len(cards), sheets)
        out, start = [], 0
        for i in range(sheets):
            end = start + size + (1 if i < extra else 0)
            out.append(cards[start:end])
            start = end
        return out


def issues_of(plan: Plan, code: str | None = None):
    qs = PriorityIssue.objects.filter(plan=plan, kind=PriorityIssue.Kind.PRIORITY).select_related(
        "field"
    )
    if code is not None:
        try:
            field_number, number = (int(x) for x in code.split("-"))
        except ValueError:
            return qs.none()
        qs = qs.filter(field__number=field_number, number=number)
    return qs.order_by("field__number", "number")


def issue_reports(plan: Plan, issues: list[PriorityIssue], parts=PARTS) -> list[IssueReport]:
    year = plan.report_year
    ids = [i.pk for i in issues]
    challenges = list(
        Challenge.objects.filter(issue_id__in=ids)
        .order_by("issue_id", "number")
        .prefetch_related(
            Prefetch("steps", queryset=Step.objects.order_by("sort_key")),
            Prefetch(
                "goals",
                queryset=ChallengeGoal.objects.filter(fiscal_year=year),
                to_attr="year_goals",
            ),
        )
    )
    texts = {
        t.issue_id: t for t in IssueYearText.objects.filter(issue_id__in=ids, fiscal_year=year)
    }
    blocks: dict[int, list[ChallengeBlock]] = defaultdict(list)
    by_challenge: dict[int, ChallengeBlock] = {}
    for ch in challenges:
        block = ChallengeBlock(ch, goal=ch.year_goals[0].text if ch.year_goals else "")
        blocks[ch.issue_id].append(block)
        by_challenge[ch.pk] = block
    reports = {
        i.pk: IssueReport(
            i,
            blocks[i.pk],
            goal_summary=getattr(texts.get(i.pk), "goal_summary", ""),
            business_summary=getattr(texts.get(i.pk), "business_summary", ""),
        )
        for i in issues
    }
    if "progress" in parts:
        _fill_progress(plan, ids, reports, by_challenge)
    if "kpis" in parts:
        _fill_kpis(plan, ids, by_challenge)
    return [reports[i.pk] for i in issues]


def whole_report(plan: Plan) -> dict:
    """Everything the whole report prints: the layout's opening pages, then every issue's."""
    from reports import layouts, overview

    layout = layouts.of(plan)
    reports = issue_reports(plan, list(issues_of(plan)), layout.parts)
    return {"reports": reports, **overview.plan_overview(plan)}


def _bar(project: Project, years: list[int], report_year: int) -> ProjectBar:
    phases = {p.fiscal_year: p for p in project.phases.all() if p.fiscal_year in years}
    if not phases:
        return ProjectBar(project, 0, 0, len(years), [])
    first = years.index(min(phases))
    last = years.index(max(phases))
    segments = []
    for y in years[first : last + 1]:
        phase = phases.get(y)
        status = phase.progress_status(report_year) if phase else None
        segments.append(
            {
                "year": y,
                "year_label": fiscal.short_label(y),
                "status": status.value if status else "gap",
                "label": status.label if status else "",
                "mark": phase.mark if phase else "",
            }
        )
    return ProjectBar(project, first, last - first + 1, len(years) - last - 1, segments)


def _fill_progress(plan, issue_ids, reports, by_challenge) -> None:
    years = plan.period_years
    projects = (
        Project.objects.filter(issue_id__in=issue_ids)
        .select_related("department")
        .prefetch_related(
            Prefetch("steps", queryset=Step.objects.order_by("sort_key")),
            Prefetch("phases", queryset=ProjectPhase.objects.order_by("fiscal_year")),
        )
        .order_by("sort_key")
    )
    rows: dict[int, list[ProjectBar]] = defaultdict(list)
    for project in projects:
        bar = _bar(project, years, plan.report_year)
        reports[project.issue_id].projects.append(bar)
        steps = list(project.steps.all())
        if steps:
            bar.other_steps = [s.code for s in steps[1:]]
            rows[steps[0].pk].append(bar)
        else:
            reports[project.issue_id].unstepped.append(bar)
    for block in by_challenge.values():
        block.step_rows = [StepRow(s, rows.get(s.pk, [])) for s in block.challenge.steps.all()]


def with_unit(text: str, unit: str) -> str:
    """「36.3」+「%」→「36.3%」, as the 数値目標 tables print values (a mark stays as it is)."""
    if not text or not unit or not text[-1].isdigit():
        return text
    return f"{text}{unit}"


def _fill_kpis(plan, issue_ids, by_challenge) -> None:
    thresholds = Thresholds.of_plan(plan)
    years = plan.value_years
    kpis = (
        Indicator.objects.filter(kind=Indicator.Kind.KPI, challenge__issue_id__in=issue_ids)
        .prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("fiscal_year")),
            Prefetch(
                "evaluations",
                queryset=IndicatorEvaluation.objects.filter(fiscal_year=plan.report_year),
                to_attr="year_evaluations",
            ),
        )
        .order_by("challenge_id", "position", "id")
    )
    for kpi in kpis:
        by_year = kpi.values_by_year()
        cells = [
            {
                "year": y,
                "label": fiscal.short_label(y),
                "planned": by_year[y].planned_display if y in by_year else "",
                "actual": by_year[y].actual_display if y in by_year else "",
            }
            for y in years
        ]
        row = KpiRow(
            kpi,
            cells,
            kpi.year_evaluations[0].text if kpi.year_evaluations else "",
            summarize(kpi, plan.report_year, thresholds),
            summarize(kpi, plan.actuals_year, thresholds).year,
        )
        if has_target(kpi):
            _target_columns(row, kpi, by_year)
        row.chart = indicator_chart(plan, kpi, by_year)
        by_challenge[kpi.challenge_id].kpis.append(row)


def _actual_years(kpi: Indicator, by_year: dict) -> list[int]:
    """The years after the baseline up to the target (or the last actual, if later)."""
    last = max([kpi.target_year, *[y for y, v in by_year.items() if v.has_actual]])
    return list(range(kpi.baseline_year + 1, last + 1))


def _target_columns(row: KpiRow, kpi: Indicator, by_year: dict) -> None:
    """基準値 (year) | each year's 実績 up to the target year | 目標値 (year)."""
    row.has_target = True
    row.baseline_label = f"基準値：{fiscal.long_label_western(kpi.baseline_year)}"
    row.target_label = f"目標値：{fiscal.long_label_western(kpi.target_year)}"
    row.baseline_text = with_unit(kpi.baseline_display, kpi.unit)
    row.target_text = with_unit(kpi.target_display, kpi.unit)
    row.actual_cells = [
        {
            "label": f"{fiscal.short_label(y)}実績",
            "text": with_unit(_actual_text(kpi, by_year.get(y)), kpi.unit),
        }
        for y in _actual_years(kpi, by_year)
    ]


def _actual_text(kpi: Indicator, value: IndicatorValue | None) -> str:
    if value is None:
        return ""
    if value.actual_number is None:
        return value.actual_mark
    return display_fixed(value.actual_number, kpi.target_places)


def indicator_chart(plan: Plan, kpi: Indicator, by_year: dict | None = None) -> Chart:
    """The one chart of an indicator: baseline → target with actuals, or 予定 against 実績."""
    by_year = kpi.values_by_year() if by_year is None else by_year
    if has_target(kpi):
        years = _actual_years(kpi, by_year)
        return charts.target_chart(
            kpi.name,
            kpi.unit,
            (fiscal.short_label(kpi.baseline_year), kpi.baseline_value, kpi.baseline_display),
            (fiscal.short_label(kpi.target_year), kpi.target_value, kpi.target_display),
            [fiscal.short_label(y) for y in years],
            [getattr(by_year.get(y), "actual_number", None) for y in years],
        )
    years = plan.value_years
    return charts.kpi_chart(
        kpi.name,
        kpi.unit,
        [fiscal.short_label(y) for y in years],
        [getattr(by_year.get(y), "planned_number", None) for y in years],
        [getattr(by_year.get(y), "actual_number", None) for y in years],
    )


def value_cells(indicator, years: list[int]) -> list[tuple[str, str]]:
    """(予定, 実績) as printed, per year; uses the prefetched values."""
    by_year = indicator.values_by_year() if indicator else {}
    return [
        (by_year[y].planned_display, by_year[y].actual_display) if y in by_year else ("", "")
        for y in years
    ]


def comparison_sections(diff) -> list[dict]:
    """Group an edition diff into the sections of a 新旧対照表."""
    from interchange.plandata import describe_key, display

    sections = {
        "added": {"title": "追加された項目", "rows": []},
        "removed": {"title": "削除された項目", "rows": []},
        "renamed": {"title": "名称の変更", "rows": []},
        "targets": {"title": "予定値（目標）の変更", "rows": []},
        "actuals": {"title": "実績値の変更", "rows": []},
        "texts": {"title": "文章の変更", "rows": []},
        "other": {"title": "その他の変更", "rows": []},
    }
    for coll, key in diff.created:
        if coll != "values":
            sections["added"]["rows"].append(
                {"label": describe_key(coll, key), "old": "", "new": "追加"}
            )
    for coll, key in diff.deleted:
        if coll != "values":
            sections["removed"]["rows"].append(
                {"label": describe_key(coll, key), "old": "削除", "new": ""}
            )
    for change in diff.changed:
        row = {
            "label": change.label,
            "attribute": change.attribute,
            "old": change.old_text,
            "new": change.new_text,
        }
        if change.attribute in ("name", "title"):
            sections["renamed"]["rows"].append(row)
        elif change.collection == "values":
            old, new = change.old, change.new
            if (old[0], old[1]) != (new[0], new[1]):
                sections["targets"]["rows"].append(
                    {
                        **row,
                        "old": display("number", old[0]) or old[1],
                        "new": display("number", new[0]) or new[1],
                    }
                )
            if (old[2], old[3]) != (new[2], new[3]):
                sections["actuals"]["rows"].append(
                    {
                        **row,
                        "old": display("number", old[2]) or old[3],
                        "new": display("number", new[2]) or new[3],
                    }
                )
        elif change.collection == "texts":
            sections["texts"]["rows"].append(row)
        else:
            sections["other"]["rows"].append(row)
    # values created or deleted are target changes too (a year gained or lost its plan)
    for coll, key in diff.created:
        if coll == "values":
            sections["targets"]["rows"].append(
                {"label": describe_key(coll, key), "old": "", "new": "（値を追加）"}
            )
    for coll, key in diff.deleted:
        if coll == "values":
            sections["targets"]["rows"].append(
                {"label": describe_key(coll, key), "old": "（値を削除）", "new": ""}
            )
    return [s for s in sections.values()]
