"""The whole-plan pages read plain rows (reports/rows.py), not model graphs: what they show
must be what the models say — the same rates, grades, due and missing actuals, printed values
and order — for both demo plans, every department and every year; texts stay escaped; the
benchmark's data floors read what the pages show, in a fixed number of queries."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from bench.generate import build_plan
from bench.run import FLOORS, floor_ratio
from kpis.achievement import Thresholds, summarize
from kpis.models import Indicator
from projects.models import Project
from reports import layouts, overview
from reports.dashboard import department_page, plan_dashboard
from reports.pages import issue_reports, issues_of, value_cells
from strategy.models import Challenge, Department, Plan, PriorityIssue
from tests import builders

pytestmark = pytest.mark.django_db

SLUGS = ["sasebo-r7", "nagasaki-dx"]


def _models(plan, **filters):
    """The plan's indicators as model instances with their values, in the pages' order."""
    return list(
        Indicator.objects.of_plan(plan)
        .filter(**filters)
        .select_related("challenge__issue", "project")
        .with_values()
        .order_by("kind", "challenge__issue_id", "project__sort_key", "position", "id")
    )


def _same_indicator(row, model) -> None:
    assert row.pk == model.pk
    for attribute in ("name", "unit", "direction", "baseline_display", "target_display"):
        assert getattr(row, attribute) == getattr(model, attribute), (model.name, attribute)
    assert row.target_places == model.target_places
    assert row.target_summary == model.target_summary
    assert row.owner_label == model.owner_label


@pytest.mark.parametrize("slug", SLUGS)
def test_the_dashboard_grades_and_misses_what_the_models_say(demo_plans, slug):
    plan = Plan.objects.get(slug=slug)
    thresholds = Thresholds.of_plan(plan)
    models = _models(plan)
    kpis = [m for m in models if m.kind == Indicator.Kind.KPI]
    for year in plan.value_years:
        data = plan_dashboard(plan, year)
        assert data["indicator_total"] == len(models)
        assert [r["indicator"].pk for r in data["kpi_rows"]] == [k.pk for k in kpis]
        for row, kpi in zip(data["kpi_rows"], kpis, strict=True):
            _same_indicator(row["indicator"], kpi)
            assert row["summary"] == summarize(kpi, year, thresholds), (kpi.name, year)
            value = kpi.values_by_year().get(year)
            planned = value.planned_display if value and not value.is_empty else kpi.target_summary
            assert (row["planned"], row["actual"]) == (
                planned,
                value.actual_display if value else "",
            )
        missing = [m for m in models if m.actual_missing(year)]
        shown = [i.pk for group in data["missing"] for i in group.indicators]
        assert sorted(shown) == sorted(m.pk for m in missing), year
        assert data["missing_total"] == len(missing)
        for group in data["missing"]:
            for info in group.indicators:
                model = next(m for m in missing if m.pk == info.pk)
                owner = model.project.department if model.project_id else model.issue.department
                assert getattr(group.department, "pk", None) == getattr(owner, "pk", None)
        names = [g.department.name for g in data["missing"] if g.department]
        assert names == sorted(names)


@pytest.mark.parametrize("slug", ["sasebo-r7"])  # Nagasaki's plan names no departments
def test_the_department_pages_show_what_the_models_say(demo_plans, slug):
    plan = Plan.objects.get(slug=slug)
    thresholds = Thresholds.of_plan(plan)
    departments = Department.objects.filter(municipality=plan.municipality)
    assert departments.exists()
    seen = 0
    for department in departments:
        models = _models(plan)
        theirs = [
            m
            for m in models
            if (m.project_id and m.project.department_id == department.pk)
            or (m.challenge_id and m.challenge.issue.department_id == department.pk)
        ]
        by_pk = {m.pk: m for m in theirs}
        for year in (plan.actuals_year, plan.report_year, plan.value_years[0]):
            data = department_page(plan, department, year)
            assert [i.pk for i in data["missing"]] == [
                m.pk for m in theirs if m.actual_missing(year)
            ]
            for row in data["kpi_rows"]:
                model = by_pk[row["indicator"].pk]
                _same_indicator(row["indicator"], model)
                assert row["summary"] == summarize(model, year, thresholds)
                assert row["indicator"].challenge.issue.category == model.challenge.issue.category
            projects = list(
                Project.objects.filter(plan=plan, department=department).order_by(
                    "issue__field__number", "issue__kind", "issue__number", "sort_key"
                )
            )
            assert [r["project"].pid for r in data["project_rows"]] == [p.pid for p in projects]
            for row in data["project_rows"]:
                for line in row["indicators"]:
                    model = by_pk[line["indicator"].pk]
                    _same_indicator(line["indicator"], model)
                    assert line["cells"] == value_cells(model, plan.value_years)
                    assert line["missing"] == model.actual_missing(year)
                    seen += 1
    assert seen


@pytest.mark.parametrize("slug", SLUGS)
def test_the_report_shows_the_models_challenges_projects_and_kpis(demo_plans, slug):
    plan = Plan.objects.get(slug=slug)
    thresholds = Thresholds.of_plan(plan)
    issues = list(issues_of(plan))
    reports = issue_reports(plan, issues)
    assert [r.issue.pk for r in reports] == [i.pk for i in issues]
    for report in reports:
        challenges = list(Challenge.objects.filter(issue=report.issue).order_by("number"))
        assert [b.challenge.pk for b in report.challenges] == [c.pk for c in challenges]
        for block, challenge in zip(report.challenges, challenges, strict=True):
            for attribute in ("number", "title", "target_title", "target_text"):
                assert getattr(block.challenge, attribute) == getattr(challenge, attribute)
            steps = list(challenge.steps.order_by("sort_key"))
            assert [s.code for s in block.challenge.steps] == [s.code for s in steps]
            goal = challenge.goals.filter(fiscal_year=plan.report_year).first()
            assert block.goal == (goal.text if goal else "")
            kpis = list(challenge.kpis.with_values().order_by("position", "id"))
            assert [r.indicator.pk for r in block.kpis] == [k.pk for k in kpis]
            for row, kpi in zip(block.kpis, kpis, strict=True):
                _same_indicator(row.indicator, kpi)
                assert row.indicator.formula == kpi.formula
                assert row.summary == summarize(kpi, plan.report_year, thresholds)
                assert row.latest == summarize(kpi, plan.actuals_year, thresholds).year
                evaluation = kpi.evaluations.filter(fiscal_year=plan.report_year).first()
                assert row.evaluation == (evaluation.text if evaluation else "")
                by_year = kpi.values_by_year()
                assert [(c["planned"], c["actual"]) for c in row.cells] == [
                    (by_year[y].planned_display, by_year[y].actual_display)
                    if y in by_year
                    else ("", "")
                    for y in plan.value_years
                ]
        projects = list(
            Project.objects.filter(issue=report.issue)
            .prefetch_related("phases", "steps")
            .order_by("sort_key")
        )
        assert [b.project.pid for b in report.projects] == [p.pid for p in projects]
        for bar, project in zip(report.projects, projects, strict=True):
            assert bar.project.alias_list == project.alias_list
            assert getattr(bar.project.department, "name", None) == getattr(
                project.department, "name", None
            )
            phases = {p.fiscal_year: p for p in project.phases.all()}
            for segment in bar.segments:
                phase = phases.get(segment["year"])
                assert segment["mark"] == (phase.mark if phase else "")
                status = phase.progress_status(plan.report_year) if phase else None
                assert segment["status"] == (status.value if status else "gap")
            steps = sorted(project.steps.all(), key=lambda s: (s.sort_key, s.pk))
            assert bar.other_steps == [s.code for s in steps[1:]]
        own_steps = {s.pk for block in report.challenges for s in block.challenge.steps}
        for bar, project in zip(report.projects, projects, strict=True):
            steps = sorted(project.steps.all(), key=lambda s: (s.sort_key, s.pk))
            rows = [r for block in report.challenges for r in block.step_rows]
            under = [r.step.code for r in rows if any(b is bar for b in r.bars)]
            if not steps:
                assert any(b is bar for b in report.unstepped) and not under
            elif steps[0].pk in own_steps:
                assert under == [steps[0].code], project.pid


@pytest.mark.parametrize("slug", SLUGS)
def test_the_overview_tree_counts_what_the_models_hold(demo_plans, slug):
    plan = Plan.objects.get(slug=slug)
    data = overview.plan_overview(plan)
    issues = [inode for node in data["tree"] for inode in node.issues]
    assert [i.issue.pk for i in issues] == list(
        PriorityIssue.objects.filter(plan=plan)
        .order_by("field__number", "kind", "number")
        .values_list("pk", flat=True)
    )
    for inode in issues:
        challenges = list(inode.issue.challenges.order_by("number"))
        assert [c.challenge.title for c in inode.challenges] == [c.title for c in challenges]
        for cnode, challenge in zip(inode.challenges, challenges, strict=True):
            steps = list(challenge.steps.order_by("sort_key"))
            assert [(s.step.code, s.projects) for s in cnode.steps] == [
                (s.code, s.projects.count()) for s in steps
            ]
            assert cnode.kpis == challenge.kpis.count()
        assert inode.projects == inode.issue.projects.count()
        if inode.issue.kind == PriorityIssue.Kind.PRIORITY:
            assert inode.links == [
                (
                    reverse("reports:issue-page", args=[plan.slug, inode.issue.code, page.slug]),
                    page.tab_for(plan),
                )
                for page in layouts.of(plan).issue_pages
            ]
        else:
            assert inode.links == []


def test_the_pages_escape_the_texts_they_write_themselves(client):
    plan = builders.full_plan()
    issue = plan.issues.get()
    hostile = '<i>"x" & y</i>'
    project = Project.objects.get(plan=plan)
    project.name = f"名称{hostile}"
    project.aliases = f"別{hostile}"
    project.save()
    kpi = Indicator.objects.get(kind="kpi", challenge__issue=issue)
    kpi.name, kpi.unit = f"KPI{hostile}", "<件>"
    kpi.save()
    issue.title = f"課題{hostile}"
    issue.save()
    pages = [
        client.get(reverse("reports:plan-dashboard", args=[plan.slug])).content.decode(),
        client.get(reverse("reports:report", args=[plan.slug])).content.decode(),
        client.get(
            reverse("reports:issue-progress", args=[plan.slug, issue.code])
        ).content.decode(),
    ]
    for page in pages:
        assert hostile not in page and "<件>" not in page
    dashboard, report, progress = pages
    assert escape(f"KPI{hostile}") + "（&lt;件&gt;）" in dashboard
    assert escape(f"課題{hostile}") in dashboard
    assert escape(f"名称{hostile}") in progress and escape(f"別{hostile}") in progress
    assert "（1-2 にも該当）" in progress  # its second step
    assert escape(f"KPI{hostile}") in report


def test_the_data_floors_read_in_fixed_queries_and_the_ratio_is_measured():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    small = build_plan(1, slug="floor-x1", issues_per_scale=2)
    large = build_plan(3, slug="floor-x3", issues_per_scale=2)
    for kind, floor in FLOORS.items():
        counts, rows = [], []
        for plan in (small, large):
            with CaptureQueriesContext(connection) as ctx:
                rows.append(sum(len(list(qs)) for qs in floor(plan)))
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1], kind
        assert 0 < rows[0] < rows[1], kind
    url = reverse("reports:plan-dashboard", args=[small.slug])
    result = floor_ratio(client, small, "dashboard", url, reps=1)
    assert result["page_ms"] > 0 and result["fetch_ms"] > 0 and result["rows"] > 0
    assert result["ratio"] > 0 and result["queries"] == 7
