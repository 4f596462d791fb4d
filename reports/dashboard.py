"""Plain data for the plan dashboard and the department page (fixed query counts).

Both read plain rows (reports/rows.py): one ``values_list`` query per kind of row, grouped in
Python. The dashboard reads only what it shows: every indicator (for the 未入力 list and the
count), the KPIs' values of every year (their grades and progress) and the activity
indicators' values of the shown year only.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from html import escape

from django.db.models import Count, Q
from django.utils.safestring import SafeString, mark_safe

from kpis.achievement import Grade, Thresholds
from kpis.models import VALUE_COLUMNS, Indicator, IndicatorValue
from projects.models import Project, ProjectPhase
from reports import charts, layouts
from reports.overview import page_links
from reports.pages import indicator_chart, value_cells
from reports.rows import (
    INDICATOR_COLUMNS,
    PROJECT_COLUMNS,
    ChallengeInfo,
    DepartmentInfo,
    Departments,
    IndicatorInfo,
    IssueInfo,
    ProjectInfo,
    add_values,
)
from strategy import fiscal
from strategy.models import Department, Plan, PriorityIssue

# Document order: activity indicators first (by project), then KPIs (by issue).
_INDICATOR_ORDER = ("kind", "challenge__issue_id", "project__sort_key", "position", "id")
_OWNER_COLUMNS = (
    "challenge_id",
    "challenge__number",
    "challenge__issue_id",
    "project_id",
    "project__pid",
    "project__name",
)


@dataclass
class MissingGroup:
    department: DepartmentInfo | None
    indicators: list[IndicatorInfo]


def _indicator_rows(queryset, columns: tuple[str, ...], issue_of, department_of):
    """IndicatorInfo rows with their challenge or project, from ``values_list(
    *INDICATOR_COLUMNS, *_OWNER_COLUMNS, *columns)``; ``issue_of(challenge_issue_id, extra)``
    and ``department_of(extra)`` read the extra columns."""
    challenges: dict[int, ChallengeInfo] = {}
    projects: dict[int, ProjectInfo] = {}
    out: dict[int, IndicatorInfo] = {}
    width = len(INDICATOR_COLUMNS)
    for row in queryset.values_list(*INDICATOR_COLUMNS, *_OWNER_COLUMNS, *columns):
        challenge_id, challenge_number, issue_id, project_id, pid, project_name = row[
            width : width + 6
        ]
        extra = row[width + 6 :]
        indicator = IndicatorInfo(*row[:width], department=department_of(extra))
        if challenge_id is not None:
            challenge = challenges.get(challenge_id)
            if challenge is None:
                challenge = challenges[challenge_id] = ChallengeInfo(
                    challenge_id, issue_id, challenge_number, issue=issue_of(issue_id, extra)
                )
            indicator.challenge = challenge
        elif project_id is not None:
            project = projects.get(project_id)
            if project is None:
                project = projects[project_id] = ProjectInfo(project_id, None, pid, project_name)
            indicator.project = project
        out[indicator.pk] = indicator
    return out


def missing_by_department(indicators: list[IndicatorInfo], year: int) -> list[MissingGroup]:
    groups: dict[int | None, list[IndicatorInfo]] = defaultdict(list)
    departments: dict[int | None, DepartmentInfo | None] = {None: None}
    for indicator in indicators:
        if indicator.actual_missing(year):
            key = indicator.department.pk if indicator.department else None
            departments[key] = indicator.department
            groups[key].append(indicator)
    ordered = sorted(groups, key=lambda key: (key is None, getattr(departments[key], "name", "")))
    return [MissingGroup(departments[key], groups[key]) for key in ordered]


def _kpi_table_body(kpi_rows: list[dict], code_of) -> SafeString:
    """The rows of the KPI table (600 at ten times Sasebo's size) as HTML, every text
    escaped: 重点課題, KPI（unit）, 予定, 実績, 達成度, 目標への進捗."""
    out = []
    for row in kpi_rows:
        kpi, summary = row["indicator"], row["summary"]
        unit = f"（{escape(kpi.unit)}）" if kpi.unit else ""
        out.append(
            f'<tr><td class="nowrap">{escape(code_of(kpi.challenge.issue))}</td>'
            f"<td>{escape(kpi.name)}{unit}</td>"
            f'<td class="num">{escape(row["planned"])}</td>'
            f'<td class="num">{escape(row["actual"])}</td>'
            f'<td><span class="badge grade-{summary.year.grade}">{summary.year.label}</span>'
            f" {summary.year.rate_label}</td>"
            f"<td>{summary.progress_label}</td></tr>\n"
        )
    return mark_safe("".join(out))


def _grade_table_body(plan: Plan, grade_table: list[dict], heading_of) -> SafeString:
    """One row per priority issue: its heading, its KPIs per grade and links to its pages."""
    links = page_links(plan)
    out = []
    for row in grade_table:
        counts = "".join(f'<td class="num">{n}</td>' for n in row["counts"])
        pages = "".join(
            f'<a href="{escape(url)}">{escape(tab)}</a>' for url, tab in links(row["issue"].code)
        )
        out.append(
            f"<tr><td>{escape(heading_of(row['issue']))}</td>{counts}"
            f'<td class="nowrap page-links">{pages}</td></tr>\n'
        )
    return mark_safe("".join(out))


def plan_dashboard(plan: Plan, year: int | None = None) -> dict:
    year = year or plan.actuals_year
    thresholds = Thresholds.of_plan(plan)
    all_issues = {
        issue.pk: issue
        for issue in PriorityIssue.objects.filter(plan=plan)
        .select_related("field")
        .order_by("field__number", "number")
    }
    issues = [i for i in all_issues.values() if i.kind == PriorityIssue.Kind.PRIORITY]

    departments = Departments()
    of_plan = Indicator.objects.of_plan(plan)
    indicators = _indicator_rows(
        of_plan.order_by(*_INDICATOR_ORDER),
        (
            "project__department_id",
            "project__department__name",
            "challenge__issue__department_id",
            "challenge__issue__department__name",
        ),
        lambda issue_id, extra: all_issues.get(issue_id),
        # an activity indicator's actuals are its project's department's, a KPI's its issue's
        lambda extra: (
            departments.get_or_add(extra[0], extra[1]) or departments.get_or_add(extra[2], extra[3])
        ),
    )
    # Every year of the KPIs (grades, progress); the shown year of the activity indicators.
    values = IndicatorValue.objects.filter(indicator__in=of_plan.values("pk")).filter(
        Q(indicator__kind=Indicator.Kind.KPI) | Q(fiscal_year=year)
    )
    add_values(indicators, values.order_by().values_list(*VALUE_COLUMNS))

    kpis = [i for i in indicators.values() if i.kind == Indicator.Kind.KPI]
    grades: dict[int, Counter] = defaultdict(Counter)
    kpi_rows = []
    for kpi in kpis:
        summary = kpi.summarize(year, thresholds)
        grades[kpi.challenge.issue_id][summary.year.grade] += 1
        value = kpi.by_year.get(year)
        kpi_rows.append(
            {
                "indicator": kpi,
                "summary": summary,
                "planned": value.planned_display
                if value and not value.is_empty
                else kpi.target_summary,
                "actual": value.actual_display if value else "",
            }
        )
    layout = layouts.of(plan)
    issue_labels = [layout.issue_code_for(plan, i) for i in issues]
    grade_counts = {g: [grades[i.pk][g] for i in issues] for g in Grade}
    grade_chart = charts.grades_chart(
        issue_labels, grade_counts, fiscal.short_label(year), plan.label_kpi
    )

    phase_rows = (
        ProjectPhase.objects.filter(project__plan=plan, project__in_table=True)
        .values("fiscal_year", "phase")
        .annotate(n=Count("id"))
        .values_list("fiscal_year", "phase", "n")
    )
    years = plan.period_years
    phase_counts = {p: [0] * len(years) for p in ("build", "operate", "consider")}
    for phase_year, phase, n in phase_rows:
        if phase_year in years:
            phase_counts[phase][years.index(phase_year)] = n
    phase_chart = charts.phases_chart(
        [fiscal.short_label(y) for y in years],
        phase_counts,
        {"build": "構築（○）", "operate": "運用（⇒）", "consider": "検討（…）"},
        plan.label_project,
    )
    leading = [
        ProjectInfo(*row[:6], department=departments.get_or_add(*row[6:]))
        for row in Project.objects.filter(plan=plan, is_leading=True, in_table=True)
        .in_document_order()
        .values_list(*PROJECT_COLUMNS, "department_id", "department__name")
    ]
    everything = list(indicators.values())
    missing = missing_by_department(everything, year)
    grade_table = [
        {"issue": issue, "counts": [grades[issue.pk][g] for g in Grade]} for issue in issues
    ]
    codes: dict[int, str] = {}

    def code_of(issue) -> str:
        if issue.pk not in codes:
            codes[issue.pk] = layout.issue_code_for(plan, issue)
        return codes[issue.pk]

    return {
        "year": year,
        "year_label": fiscal.long_label(year),
        "issues": issues,
        "grades": list(Grade),
        "grade_table": grade_table,
        "grade_body": _grade_table_body(
            plan, grade_table, lambda issue: layout.issue_heading_for(plan, issue)
        ),
        "kpi_rows": kpi_rows,
        "kpi_body": _kpi_table_body(kpi_rows, code_of),
        "grade_chart": grade_chart,
        "phase_chart": phase_chart,
        "leading": leading,
        "missing": missing,
        "missing_total": sum(len(group.indicators) for group in missing),
        "indicator_total": len(everything),
    }


def department_page(plan: Plan, department: Department, year: int | None = None) -> dict:
    year = year or plan.actuals_year
    thresholds = Thresholds.of_plan(plan)
    theirs = Indicator.objects.of_plan(plan).filter(
        Q(project__department=department) | Q(challenge__issue__department=department)
    )
    issues: dict[int, IssueInfo] = {}

    def issue_of(issue_id, extra):
        if issue_id not in issues:
            issues[issue_id] = IssueInfo(issue_id, extra[0])
        return issues[issue_id]

    indicators = _indicator_rows(
        theirs.order_by(*_INDICATOR_ORDER),
        ("challenge__issue__category",),
        issue_of,
        lambda extra: None,
    )
    add_values(
        indicators,
        IndicatorValue.objects.filter(indicator__in=theirs.values("pk"))
        .order_by()
        .values_list(*VALUE_COLUMNS),
    )
    projects = [
        ProjectInfo(*row)
        for row in Project.objects.filter(plan=plan, department=department)
        .in_document_order()
        .values_list(*PROJECT_COLUMNS)
    ]
    marks: dict[int, dict[int, str]] = defaultdict(dict)
    for project_id, phase_year, phase in ProjectPhase.objects.filter(
        project__plan=plan, project__department=department
    ).values_list("project_id", "fiscal_year", "phase"):
        marks[project_id][phase_year] = ProjectPhase.MARKS[phase]

    activity_by_project = defaultdict(list)
    kpi_rows = []
    value_years = plan.value_years
    for indicator in indicators.values():
        if indicator.kind == Indicator.Kind.ACTIVITY:
            activity_by_project[indicator.project_id].append(indicator)
            continue
        kpi_rows.append(
            {
                "indicator": indicator,
                "summary": indicator.summarize(year, thresholds),
                "chart": indicator_chart(plan, indicator),
            }
        )
    project_rows = []
    for project in projects:
        phases = marks.get(project.pk, {})
        project_rows.append(
            {
                "project": project,
                "phases": [phases.get(y, "") for y in plan.period_years],
                "indicators": [
                    {
                        "indicator": ind,
                        "cells": value_cells(ind, value_years),
                        "missing": ind.actual_missing(year),
                    }
                    for ind in activity_by_project[project.pk]
                ],
            }
        )
    return {
        "year": year,
        "year_label": fiscal.long_label(year),
        "kpi_rows": kpi_rows,
        "project_rows": project_rows,
        "missing": [i for i in indicators.values() if i.actual_missing(year)],
        "value_years": [fiscal.short_label(y) for y in value_years],
        "period_years": [fiscal.short_label(y) for y in plan.period_years],
    }
