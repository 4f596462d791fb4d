"""Report pages, dashboards and the project table over the real plans and synthetic ones."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from bench.generate import build_plan
from kpis.models import Indicator
from projects.models import Project
from reports import layouts
from reports.pages import issues_of
from strategy.models import Department, IssueYearText, Plan
from tests import builders

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""<(script|link)[^>]+(src|href)=["']?(https?:)?//""", re.I)


def _issue_urls(plan):
    """Every page of every issue, as the plan's layout cuts them (reports/layouts.py)."""
    for issue in issues_of(plan):
        for page in layouts.of(plan).issue_pages:
            url = reverse("reports:issue-page", args=[plan.slug, issue.code, page.slug])
            yield issue, page.parts, url


def _plan_urls(plan):
    urls = [
        reverse("reports:plan-dashboard", args=[plan.slug]),
        reverse("reports:project-table", args=[plan.slug]),
        reverse("reports:report", args=[plan.slug]),
    ]
    dept = Department.objects.filter(municipality=plan.municipality).first()
    if dept:
        urls.append(reverse("reports:department", args=[plan.slug, dept.pk]))
    return urls


@pytest.mark.parametrize("slug", ["sasebo-r7", "nagasaki-dx"])
def test_it_renders_every_issue_page_with_its_kpis_projects_and_texts(client, demo_plans, slug):
    plan = Plan.objects.get(slug=slug)
    seen = 0
    for issue, parts, url in _issue_urls(plan):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert escape(issue.title) in page
        assert not EXTERNAL.search(page), url
        if "progress" in parts:
            for project in Project.objects.filter(issue=issue):
                assert escape(project.pid) in page and escape(project.name) in page, url
            for challenge in issue.challenges.all():
                assert (
                    challenge.target_text.splitlines()[0][:20] in page
                    if challenge.target_text
                    else True
                )
        if "goals" in parts:
            text = IssueYearText.objects.filter(issue=issue, fiscal_year=plan.report_year).first()
            if text and text.goal_summary:
                assert escape(text.goal_summary.splitlines()[0][:30]) in page, url
            for challenge in issue.challenges.all():
                assert escape(challenge.title) in page
        if "kpis" in parts:
            for kpi in Indicator.objects.filter(challenge__issue=issue):
                assert escape(kpi.name) in page, (url, kpi.name)
                # a chart, or — when the KPI has no number yet — the sentence instead
                assert f'id="chart-kpi-{kpi.pk}"' in page or (
                    f'id="chart-kpi-{kpi.pk}-caption"' in page
                    and "予定・実績の数値がまだ登録されていません" in page
                ), (url, kpi.name)
            assert page.count("vendor/plotly/plotly.min.js") == 1
        seen += 1
    pages_per_issue = len(layouts.of(plan).issue_pages)
    assert seen == pages_per_issue * issues_of(plan).count() >= 12


@pytest.mark.parametrize("slug", ["sasebo-r7", "nagasaki-dx"])
def test_it_renders_the_plan_pages_without_external_hosts(client, demo_plans, slug):
    plan = Plan.objects.get(slug=slug)
    for url in _plan_urls(plan):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert not EXTERNAL.search(page), url
        assert page.count("plotly.min.js") <= 1, url


def test_it_serves_plotly_from_our_own_static_files():
    assert finders.find("vendor/plotly/plotly.min.js")


def test_it_shows_the_sasebo_progress_page_as_the_document_does(client, sasebo):
    # seed 000:199-201: header, as-of dates; 000:204-216: steps 1-1 … 3-b-2
    page = client.get(
        reverse("reports:issue-progress", args=["sasebo-r7", "1-01"])
    ).content.decode()
    assert "【R7】" in page and "予定：R5.4 実績：R6.3" in page
    assert "01≪まちづくり≫" in page and "01【観光】" in page
    positions = [
        page.index(f">{code}<")
        for code in ("1-1", "1-2", "1-3", "2-1", "2-2", "3-1", "3-a-2", "3-b-2")
    ]
    assert positions == sorted(positions)
    for label in ("実施済", "当年度実施", "今後予定", "検討"):
        assert label in page


def test_it_shows_the_whole_report_with_cover_and_contents(client, sasebo):
    page = client.get(reverse("reports:report", args=["sasebo-r7"])).content.decode()
    assert "目次" in page and "佐世保市" in page
    assert page.count('class="report-page page-progress"') == 12
    # one KPI page per issue with KPIs (04【教育】 has none), cut into sheets of cards
    assert len(re.findall(r'class="report-page page-kpis" id="issue-[^"]+-kpis"', page)) == 12
    assert page.count("plotly.min.js") == 1


def test_it_filters_and_searches_the_project_table(client, sasebo):
    url = reverse("reports:project-table", args=["sasebo-r7"])
    everything = client.get(url)
    assert everything.context["project_count"] == 106
    leading = client.get(url, {"leading": "1"})
    assert leading.context["project_count"] == 27
    kanko = client.get(url, {"category": "観光"})
    assert {r.project.category for r in kanko.context["rows"]} == {"観光"}
    found = client.get(url, {"q": "観光1-1-6"})
    assert [r.project.pid for r in found.context["rows"]] == ["観光1-1-6"]
    dept = Department.objects.get(municipality=sasebo.municipality, name="土木部")
    doboku = client.get(url, {"department": dept.pk, "field": "1"})
    assert {r.project.department_id for r in doboku.context["rows"]} == {dept.pk}
    header = everything.content.decode()
    for column in (
        "分野",
        "分類",
        "主体部局",
        "PID",
        "名称",
        "概要",
        "リーディング",
        "R3",
        "R9",
        "実施年度",
    ):
        assert column in header


class TestAccess:
    def test_it_shows_published_plans_to_anyone(self, client, sasebo):
        assert client.get(reverse("reports:plan-dashboard", args=["sasebo-r7"])).status_code == 200

    def test_it_never_shows_drafts_without_login(self, client, admin_client):
        draft = builders.full_plan(status=Plan.Status.DRAFT)
        url = reverse("reports:plan-dashboard", args=[draft.slug])
        assert client.get(url).status_code == 404
        assert draft.title not in client.get(reverse("reports:plan-list")).content.decode()
        assert admin_client.get(url).status_code == 200

    @override_settings(DXPLAN_PUBLIC_PLANS=False)
    def test_it_can_close_published_plans_to_the_public(self, client, sasebo):
        assert client.get(reverse("reports:plan-dashboard", args=["sasebo-r7"])).status_code == 404


# Page kinds and the queries each costs, whatever the plan's size.
def _page_urls(plan):
    issue = issues_of(plan).first()
    dept = issue.department
    return {
        "dashboard": reverse("reports:plan-dashboard", args=[plan.slug]),
        "progress": reverse("reports:issue-progress", args=[plan.slug, issue.code]),
        "goals": reverse("reports:issue-goals", args=[plan.slug, issue.code]),
        "kpis": reverse("reports:issue-kpis", args=[plan.slug, issue.code]),
        "projects": reverse("reports:project-table", args=[plan.slug]),
        "department": reverse("reports:department", args=[plan.slug, dept.pk]),
        "report": reverse("reports:report", args=[plan.slug]),
        "overview": reverse("reports:plan-overview", args=[plan.slug]),
    }


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


# The queries each page costs (anonymous reader, published plan):
# dashboard: plan, issues+fields, indicators, values, phase counts, leading projects, departments
# progress: plan, issues, challenges, steps, goals, texts, projects, project steps, phases
# goals: plan, issues, challenges, steps, goals, texts
# kpis: plan, issues, challenges, steps, goals, texts, KPIs, values, evaluations
# projects: plan, projects, steps, phases, indicators, values, fields, categories, departments
# department: plan, department, indicators, values, projects, phases
# report: progress + KPI queries for every issue at once
# overview: plan, fields, issues, challenges, steps' projects, steps, projects, KPIs, activities
# Each a values_list of plain rows or a count (reports/rows.py), whatever the plan's size.
QUERIES = {
    "dashboard": 7,
    "progress": 9,
    "goals": 6,
    "kpis": 9,
    "projects": 9,
    "department": 6,
    "report": 20,  # the issues' pages plus the plan overview (reports/overview.py)
    "overview": 9,
}


def test_it_runs_the_same_number_of_queries_for_a_plan_ten_times_larger(
    client, django_assert_max_num_queries
):
    small = build_plan(1, slug="scale-x1", issues_per_scale=2)
    large = build_plan(10, slug="scale-x10", issues_per_scale=2)
    assert large.projects.count() == 10 * small.projects.count()
    large_urls = _page_urls(large)
    for kind, url in _page_urls(small).items():
        with django_assert_max_num_queries(QUERIES[kind]):
            client.get(url)
        assert _queries(client, url) == _queries(client, large_urls[kind]) == QUERIES[kind], kind
