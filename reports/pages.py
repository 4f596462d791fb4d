"""Plain data for the report pages, read with a fixed number of queries per page.

Every page of a priority issue — and the whole report, which is all of them — is assembled
by ``issue_reports``: the same handful of queries whether the plan has 12 issues or 1,200,
each a ``values_list`` of plain rows (reports/rows.py) grouped in Python. Rates come from
``kpis.achievement`` only.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

from kpis.achievement import Achievement, IndicatorSummary, Thresholds, has_target
from kpis.models import VALUE_COLUMNS, Indicator, IndicatorEvaluation, IndicatorValue
from kpis.values import YearValue, display_fixed
from projects.models import Project, ProjectPhase
from reports import charts
from reports.charts import Chart
from reports.rows import (
    INDICATOR_COLUMNS,
    PROJECT_COLUMNS,
    ChallengeInfo,
    Departments,
    IndicatorInfo,
    ProjectInfo,
    StepInfo,
    add_values,
)
from strategy import fiscal
from strategy.models import Challenge, ChallengeGoal, IssueYearText, Plan, PriorityIssue, Step

PARTS = frozenset({"progress", "goals", "kpis"})
KPI_CARDS_PER_SHEET = 3  # what fits on one A4 landscape sheet with its header


@dataclass
class ProjectBar:
    project: ProjectInfo
    leading_cells: int  # empty year columns before the bar
    span: int  # year columns the bar covers
    trailing_cells: int
    segments: list[dict]  # per covered year: {"year", "status", "label", "mark"}
    other_steps: list[str] = field(default_factory=list)
    # The bar's year cells as HTML: the empty ones before and after it, its segments.
    leading_html: SafeString = SafeString("")
    trailing_html: SafeString = SafeString("")
    segments_html: SafeString = SafeString("")

    @property
    def cells_html(self) -> SafeString:
        """The bar's year cells in a row of the 進捗状況 grid (a thousand rows in the whole
        report of a large plan: written here, not by a template include per row)."""
        p = self.project
        pid, name = escape(p.pid), escape(p.name)
        if not self.span:
            years = self.leading_cells + self.trailing_cells
            return mark_safe(
                f'<td class="year-cell no-phase" colspan="{years}">【{pid}】{name} '
                "<small>（実施年度の記載なし）</small></td>"
            )
        leading = '<span class="leading" title="リーディングプロジェクト">★</span>'
        aliases = (
            f'<small class="aliases">（別表記: {escape("、".join(p.alias_list))}）</small>'
            if p.aliases
            else ""
        )
        others = (
            f" <small>（{escape('・'.join(self.other_steps))} にも該当）</small>"
            if self.other_steps
            else ""
        )
        return mark_safe(
            f'{self.leading_html}<td class="year-cell bar-cell" colspan="{self.span}">'
            f'<div class="bar" title="【{pid}】{name}">{self.segments_html}'
            f'<span class="bar-label">{leading if p.is_leading else ""}【{pid}】{aliases}{name}'
            f"{others}</span></div></td>{self.trailing_html}"
        )


@dataclass
class StepRow:
    step: StepInfo | None  # None: projects of the challenge's issue without a step
    bars: list[ProjectBar]


@dataclass
class KpiRow:
    indicator: IndicatorInfo
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

    # The values table's cells as HTML (reports/_kpi_values.html), every text escaped.
    @property
    def year_heads_html(self) -> SafeString:
        return _cells("th", ' scope="col"', (c["label"] for c in self.cells))

    @property
    def planned_html(self) -> SafeString:
        return _cells("td", ' class="num"', (c["planned"] for c in self.cells))

    @property
    def actual_html(self) -> SafeString:
        return _cells("td", ' class="num"', (c["actual"] for c in self.cells))

    @property
    def actual_heads_html(self) -> SafeString:
        return _cells("th", ' scope="col"', (c["label"] for c in self.actual_cells))

    @property
    def actual_texts_html(self) -> SafeString:
        return _cells("td", ' class="num"', (c["text"] or "—" for c in self.actual_cells))


def _cells(tag: str, attributes: str, texts) -> SafeString:
    return mark_safe("".join(f"<{tag}{attributes}>{escape(t)}</{tag}>" for t in texts))


@dataclass
class ChallengeBlock:
    challenge: ChallengeInfo
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
    """The pages of ``issues``: challenges, steps, goals and texts in four queries, then
    what ``parts`` need (projects and their bars; KPIs with values and evaluations)."""
    year = plan.report_year
    ids = [i.pk for i in issues]
    by_pk = {i.pk: i for i in issues}
    blocks: dict[int, list[ChallengeBlock]] = defaultdict(list)
    by_challenge: dict[int, ChallengeBlock] = {}
    for pk, issue_id, number, title, target_title, target_text in (
        Challenge.objects.filter(issue_id__in=ids)
        .order_by("issue_id", "number")
        .values_list("pk", "issue_id", "number", "title", "target_title", "target_text")
    ):
        block = ChallengeBlock(
            ChallengeInfo(
                pk, issue_id, number, title, target_title, target_text, issue=by_pk[issue_id]
            )
        )
        blocks[issue_id].append(block)
        by_challenge[pk] = block
    for pk, challenge_id, code, title in (
        Step.objects.filter(challenge__issue_id__in=ids)
        .order_by("challenge_id", "sort_key", "pk")
        .values_list("pk", "challenge_id", "code", "title")
    ):
        by_challenge[challenge_id].challenge.steps.append(StepInfo(pk, code, title))
    for challenge_id, text in ChallengeGoal.objects.filter(
        challenge__issue_id__in=ids, fiscal_year=year
    ).values_list("challenge_id", "text"):
        by_challenge[challenge_id].goal = text
    texts = {
        issue_id: (goal_summary, business_summary)
        for issue_id, goal_summary, business_summary in IssueYearText.objects.filter(
            issue_id__in=ids, fiscal_year=year
        ).values_list("issue_id", "goal_summary", "business_summary")
    }
    reports = {i.pk: IssueReport(i, blocks[i.pk], *texts.get(i.pk, ("", ""))) for i in issues}
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


_EMPTY_CELL = '<td class="year-cell"></td>'


class _Bars:
    """A project's bar over the plan period, made once per distinct set of phases (the
    projects of a plan share a few dozen) and rendered once: its cells and segments."""

    def __init__(self, years: list[int], report_year: int):
        self.years = years
        self.report_year = report_year
        self.shapes: dict[tuple, tuple] = {}
        self.statuses: dict[tuple[int, str], object] = {}

    def _status(self, year: int, phase: str):
        key = (year, phase)
        if key not in self.statuses:  # the model's own rule, on a few unsaved instances
            phase_row = ProjectPhase(fiscal_year=year, phase=phase)
            self.statuses[key] = phase_row.progress_status(self.report_year)
        return self.statuses[key]

    def _shape(self, phases: dict[int, str]) -> tuple:
        years = self.years
        first = years.index(min(phases))
        last = years.index(max(phases))
        segments = []
        for y in years[first : last + 1]:
            phase = phases.get(y)
            status = self._status(y, phase) if phase else None
            segments.append(
                {
                    "year": y,
                    "year_label": fiscal.short_label(y),
                    "status": status.value if status else "gap",
                    "label": status.label if status else "",
                    "mark": ProjectPhase.MARKS[phase] if phase else "",
                }
            )
        segments_html = "".join(
            f'<span class="seg seg-{s["status"]}" title="{s["year"]} {escape(s["label"])}"></span>'
            for s in segments
        )
        trailing = len(years) - last - 1
        return (
            first,
            last - first + 1,
            trailing,
            segments,
            mark_safe(_EMPTY_CELL * first),
            mark_safe(_EMPTY_CELL * trailing),
            mark_safe(segments_html),
        )

    def bar(self, project: ProjectInfo, phases: dict[int, str]) -> ProjectBar:
        phases = {y: p for y, p in phases.items() if y in self.years}
        if not phases:
            return ProjectBar(project, 0, 0, len(self.years), [])
        key = tuple(sorted(phases.items()))
        if key not in self.shapes:
            self.shapes[key] = self._shape(phases)
        first, span, trailing, segments, before, after, strip = self.shapes[key]
        return ProjectBar(
            project,
            first,
            span,
            trailing,
            segments,
            leading_html=before,
            trailing_html=after,
            segments_html=strip,
        )


def _fill_progress(plan, issue_ids, reports, by_challenge) -> None:
    """Each issue's projects as bars, under the first of their steps (or unstepped)."""
    departments = Departments()
    projects = [
        ProjectInfo(*row[:6], department=departments.get_or_add(*row[6:]))
        for row in Project.objects.filter(issue_id__in=issue_ids)
        .order_by("sort_key", "pk")
        .values_list(*PROJECT_COLUMNS, "department_id", "department__name")
    ]
    steps_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for project_id, step_id, code in (
        Project.steps.through.objects.filter(project__issue_id__in=issue_ids)
        .order_by("step__sort_key", "step_id")
        .values_list("project_id", "step_id", "step__code")
    ):
        steps_of[project_id].append((step_id, code))
    phases_of: dict[int, dict[int, str]] = defaultdict(dict)
    for project_id, year, phase in ProjectPhase.objects.filter(
        project__issue_id__in=issue_ids
    ).values_list("project_id", "fiscal_year", "phase"):
        phases_of[project_id][year] = phase

    bars = _Bars(plan.period_years, plan.report_year)
    rows: dict[int, list[ProjectBar]] = defaultdict(list)
    for project in projects:
        bar = bars.bar(project, phases_of.get(project.pk, {}))
        reports[project.issue_id].projects.append(bar)
        steps = steps_of.get(project.pk)
        if steps:
            bar.other_steps = [code for _, code in steps[1:]]
            rows[steps[0][0]].append(bar)
        else:
            reports[project.issue_id].unstepped.append(bar)
    for block in by_challenge.values():
        block.step_rows = [StepRow(s, rows.get(s.pk, [])) for s in block.challenge.steps]


def with_unit(text: str, unit: str) -> str:
    """「36.3」+「%」→「36.3%」, as the 数値目標 tables print values (a mark stays as it is)."""
    if not text or not unit or not text[-1].isdigit():
        return text
    return f"{text}{unit}"


def _fill_kpis(plan, issue_ids, by_challenge) -> None:
    """The issues' KPIs with their values and the report year's evaluations (3 queries)."""
    thresholds = Thresholds.of_plan(plan)
    years = plan.value_years
    labels = [fiscal.short_label(y) for y in years]
    theirs = Indicator.objects.filter(kind=Indicator.Kind.KPI, challenge__issue_id__in=issue_ids)
    kpis: dict[int, IndicatorInfo] = {}
    for *columns, challenge_id, formula in theirs.order_by(
        "challenge_id", "position", "id"
    ).values_list(*INDICATOR_COLUMNS, "challenge_id", "formula"):
        kpi = IndicatorInfo(*columns, formula=formula)
        kpi.challenge = by_challenge[challenge_id].challenge
        kpis[kpi.pk] = kpi
    add_values(
        kpis,
        IndicatorValue.objects.filter(
            indicator__kind=Indicator.Kind.KPI, indicator__challenge__issue_id__in=issue_ids
        )
        .order_by()
        .values_list(*VALUE_COLUMNS),
    )
    evaluations = dict(
        IndicatorEvaluation.objects.filter(
            fiscal_year=plan.report_year,
            indicator__kind=Indicator.Kind.KPI,
            indicator__challenge__issue_id__in=issue_ids,
        ).values_list("indicator_id", "text")
    )
    for kpi in kpis.values():
        by_year = kpi.by_year
        cells = []
        for y, label in zip(years, labels, strict=True):
            value = by_year.get(y)
            cells.append(
                {
                    "year": y,
                    "label": label,
                    "planned": value.planned_display if value else "",
                    "actual": value.actual_display if value else "",
                }
            )
        row = KpiRow(
            kpi,
            cells,
            evaluations.get(kpi.pk, ""),
            kpi.summarize(plan.report_year, thresholds),
            kpi.summarize(plan.actuals_year, thresholds).year,
        )
        if has_target(kpi):
            _target_columns(row, kpi, by_year)
        row.chart = indicator_chart(plan, kpi, by_year)
        by_challenge[kpi.challenge.pk].kpis.append(row)


def _actual_years(kpi, by_year: dict) -> list[int]:
    """The years after the baseline up to the target (or the last actual, if later)."""
    last = max([kpi.target_year, *[y for y, v in by_year.items() if v.has_actual]])
    return list(range(kpi.baseline_year + 1, last + 1))


def _target_columns(row: KpiRow, kpi, by_year: dict) -> None:
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


def _actual_text(kpi, value: YearValue | IndicatorValue | None) -> str:
    if value is None:
        return ""
    if value.actual_number is None:
        return value.actual_mark
    return display_fixed(value.actual_number, kpi.target_places)


def indicator_chart(plan: Plan, kpi, by_year: dict | None = None) -> Chart:
    """The one chart of an indicator (a model instance or an IndicatorInfo): baseline →
    target with actuals, or 予定 against 実績."""
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
    """(予定, 実績) as printed, per year; uses the indicator's values read with it."""
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
            "attribute_label": change.attribute_label,
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
