"""Plain data for the plan dashboard and the department page (fixed query counts)."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from kpis.achievement import Grade, Thresholds, summarize
from kpis.models import Indicator, IndicatorValue
from projects.models import Project, ProjectPhase
from reports import charts, layouts
from reports.pages import indicator_chart, value_cells
from strategy import fiscal
from strategy.models import Department, Plan, PriorityIssue


@dataclass
class MissingGroup:
    department: Department | None
    indicators: list[Indicator]


def _indicators(plan: Plan, extra: Q | None = None):
    qs = (
        Indicator.objects.of_plan(plan)
        .select_related(
            "challenge__issue__department",
            "challenge__issue__field",
            "project__department",
            "project__issue",
        )
        .prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("fiscal_year"))
        )
    )
    if extra is not None:
        qs = qs.filter(extra)
    return list(qs.order_by("kind", "challenge__issue_id", "project__sort_key", "position", "id"))


def indicator_department(indicator: Indicator) -> Department | None:
    if indicator.project_id:
        return indicator.project.department
    return indicator.challenge.issue.department


def missing_by_department(indicators: list[Indicator], year: int) -> list[MissingGroup]:
    groups: dict[Department | None, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        if indicator.actual_missing(year):
            groups[indicator_department(indicator)].append(indicator)
    ordered = sorted(
        groups.items(), key=lambda item: (item[0] is None, getattr(item[0], "name", ""))
    )
    return [MissingGroup(dept, items) for dept, items in ordered]


def plan_dashboard(plan: Plan, year: int | None = None) -> dict:
    year = year or plan.actuals_year
    thresholds = Thresholds.of_plan(plan)
    issues = list(
        PriorityIssue.objects.filter(plan=plan, kind=PriorityIssue.Kind.PRIORITY)
        .select_related("field")
        .order_by("field__number", "number")
    )
    indicators = _indicators(plan)
    kpis = [i for i in indicators if i.kind == Indicator.Kind.KPI]
    grades: dict[int, Counter] = defaultdict(Counter)
    kpi_rows = []
    for kpi in kpis:
        summary = summarize(kpi, year, thresholds)
        grades[kpi.challenge.issue_id][summary.year.grade] += 1
        value = kpi.values_by_year().get(year)
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
    )
    years = plan.period_years
    phase_counts = {p: [0] * len(years) for p in ("build", "operate", "consider")}
    for row in phase_rows:
        if row["fiscal_year"] in years:
            phase_counts[row["phase"]][years.index(row["fiscal_year"])] = row["n"]
    phase_chart = charts.phases_chart(
        [fiscal.short_label(y) for y in years],
        phase_counts,
        {"build": "構築（○）", "operate": "運用（⇒）", "consider": "検討（…）"},
        plan.label_project,
    )
    leading = list(
        Project.objects.filter(plan=plan, is_leading=True, in_table=True)
        .select_related("issue", "department")
        .order_by("issue__field__number", "issue__kind", "issue__number", "sort_key")
    )
    missing = missing_by_department(indicators, year)
    grade_table = [
        {"issue": issue, "counts": [grades[issue.pk][g] for g in Grade]} for issue in issues
    ]
    return {
        "year": year,
        "year_label": fiscal.long_label(year),
        "issues": issues,
        "grades": list(Grade),
        "grade_table": grade_table,
        "kpi_rows": kpi_rows,
        "grade_chart": grade_chart,
        "phase_chart": phase_chart,
        "leading": leading,
        "missing": missing,
        "missing_total": sum(len(group.indicators) for group in missing),
        "indicator_total": len(indicators),
    }


def department_page(plan: Plan, department: Department, year: int | None = None) -> dict:
    year = year or plan.actuals_year
    thresholds = Thresholds.of_plan(plan)
    indicators = _indicators(
        plan, Q(project__department=department) | Q(challenge__issue__department=department)
    )
    projects = list(
        Project.objects.filter(plan=plan, department=department)
        .select_related("issue")
        .prefetch_related(
            Prefetch("phases", queryset=ProjectPhase.objects.order_by("fiscal_year")),
        )
        .order_by("issue__field__number", "issue__kind", "issue__number", "sort_key")
    )
    activity_by_project = defaultdict(list)
    kpi_rows = []
    value_years = plan.value_years
    for indicator in indicators:
        if indicator.kind == Indicator.Kind.ACTIVITY:
            activity_by_project[indicator.project_id].append(indicator)
            continue
        kpi_rows.append(
            {
                "indicator": indicator,
                "summary": summarize(indicator, year, thresholds),
                "chart": indicator_chart(plan, indicator),
            }
        )
    project_rows = []
    for project in projects:
        phases = {p.fiscal_year: p.mark for p in project.phases.all()}
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
        "missing": [i for i in indicators if i.actual_missing(year)],
        "value_years": [fiscal.short_label(y) for y in value_years],
        "period_years": [fiscal.short_label(y) for y in plan.period_years],
    }
