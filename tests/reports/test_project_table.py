"""The project table (別冊) read as plain rows: same content as the model graph, filters and
search (aliases too), the plan's level names, and a fixed number of queries."""

import pytest
from django.http import QueryDict
from django.test import override_settings
from django.urls import reverse

from bench.generate import build_plan
from projects.models import Project
from reports.project_table import Filters, project_table_rows, shown_groups
from strategy.models import Department

pytestmark = pytest.mark.django_db


def _url(plan) -> str:
    return reverse("reports:project-table", args=[plan.slug])


def _reference_rows(plan) -> list[tuple]:
    """The rows read the plain way, walking the model graph (queries per project)."""
    rows = []
    projects = (
        Project.objects.filter(plan=plan, in_table=True)
        .select_related("issue__field", "department")
        .order_by("issue__field__number", "issue__kind", "issue__number", "sort_key")
    )
    for project in projects:
        steps = sorted(project.steps.select_related("challenge"), key=lambda s: (s.sort_key, s.pk))
        phases = {p.fiscal_year: p.mark for p in project.phases.all()}
        indicators = list(project.indicators.order_by("position", "id")) or [None]
        for index, indicator in enumerate(indicators):
            by_year = {v.fiscal_year: v for v in indicator.values.all()} if indicator else {}
            rows.append(
                (
                    project.pid,
                    project.name,
                    project.summary,
                    project.issue.field.name,
                    project.issue.category,
                    project.department.name if project.department else "",
                    project.issue.title,
                    project.is_leading,
                    sorted({f"{s.challenge.number} {s.challenge.title}" for s in steps}),
                    [f"{s.code} {s.title}" for s in steps],
                    index == 0,
                    len(indicators),
                    ""
                    if indicator is None
                    else f"{indicator.name}（{indicator.unit}）"
                    if indicator.unit
                    else indicator.name,
                    [
                        (by_year[y].planned_display, by_year[y].actual_display)
                        if y in by_year
                        else ("", "")
                        for y in plan.value_years
                    ],
                    [phases.get(y, "") for y in plan.period_years],
                )
            )
    return rows


def _as_tuples(rows) -> list[tuple]:
    return [
        (
            r.project.pid,
            r.project.name,
            r.project.summary,
            r.project.field,
            r.project.category,
            r.project.department,
            r.project.issue,
            r.project.leading,
            r.project.challenges,
            r.project.steps,
            r.first,
            r.project.rowspan,
            r.indicator,
            r.cells,
            r.project.phases,
        )
        for r in rows
    ]


@pytest.mark.parametrize("slug", ["sasebo-r7", "nagasaki-dx"])
def test_it_reads_the_same_rows_as_the_model_graph(demo_plans, slug):
    from strategy.models import Plan

    plan = Plan.objects.get(slug=slug)
    rows = project_table_rows(plan)
    assert _as_tuples(rows) == _reference_rows(plan)
    if slug == "sasebo-r7":
        assert sum(r.first for r in rows) == 106
        assert sum(r.project.leading for r in rows if r.first) == 27


def test_it_filters_like_the_page_always_did(client, sasebo):
    url = _url(sasebo)
    everything = client.get(url)
    assert everything.context["project_count"] == 106
    assert client.get(url, {"leading": "1"}).context["project_count"] == 27
    kanko = client.get(url, {"category": "観光"}).context["rows"]
    assert kanko and {r.project.category for r in kanko} == {"観光"}
    found = client.get(url, {"q": "観光1-1-6"}).context["rows"]
    assert [r.project.pid for r in found] == ["観光1-1-6"]
    by_name = client.get(url, {"q": "人流データ"}).context["rows"]
    assert "観光1-1-6" in {r.project.pid for r in by_name}
    dept = Department.objects.get(municipality=sasebo.municipality, name="土木部")
    doboku = client.get(url, {"department": dept.pk, "field": "1"}).context["rows"]
    assert doboku and {r.project.department_id for r in doboku} == {dept.pk}
    # a malformed choice is ignored, not a server error
    assert client.get(url, {"field": "x", "department": "y"}).context["project_count"] == 106
    nothing = client.get(url, {"q": "存在しないPID"})
    assert nothing.context["rows"] == []
    assert "該当するプロジェクトはありません" in nothing.content.decode()


def test_it_finds_a_project_by_its_alias_and_shows_the_aliases(client, sasebo):
    project = Project.objects.get(plan=sasebo, pid="観光1-1-6")
    project.aliases = "旧観光1-1-6、観光1-1-6b"
    project.save()
    response = client.get(_url(sasebo), {"q": "旧観光1-1-6"})
    assert [r.project.pid for r in response.context["rows"]] == ["観光1-1-6"]
    assert response.context["rows"][0].project.aliases == ["旧観光1-1-6", "観光1-1-6b"]
    assert "別表記: 旧観光1-1-6、観光1-1-6b" in response.content.decode()


def test_it_escapes_every_text_it_writes(client, sasebo):
    project = Project.objects.get(plan=sasebo, pid="観光1-1-6")
    project.name = '<script>alert("x")</script>'
    project.summary = "A & B <b>"
    project.aliases = "<i>旧</i>"
    project.save()
    page = client.get(_url(sasebo), {"q": "観光1-1-6"}).content.decode()
    assert "<script>alert" not in page and "<b>" not in page and "<i>旧" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<summary>A &amp; B &lt;b&gt;</summary>" in page
    assert "別表記: &lt;i&gt;旧&lt;/i&gt;" in page


def test_it_heads_the_columns_with_the_plans_level_names(client, sasebo):
    sasebo.label_field = "政策分野"
    sasebo.label_issue = "重点取組"
    sasebo.label_challenge = "施策"
    sasebo.label_step = "段階"
    sasebo.label_project = "事業"
    sasebo.label_activity = "事業指標"
    sasebo.save()
    page = client.get(_url(sasebo)).content.decode()
    for label in ("政策分野", "重点取組", "施策", "段階", "事業一覧（別冊）", "事業指標"):
        assert f">{label}" in page, label
    for column in ("分類", "主体部局", "PID", "名称", "概要", "リーディング", "R3", "実施年度"):
        assert column in page
    assert 'role="region"' in page and 'tabindex="0"' in page


def test_it_shows_every_column_group_unless_the_form_hides_one(client, sasebo):
    assert shown_groups(QueryDict("")) == {"values", "phases"}
    assert shown_groups(QueryDict("show=&show=phases")) == {"phases"}
    assert shown_groups(QueryDict("show=")) == set()
    page = client.get(_url(sasebo), {"show": ["", "phases"]}).content.decode()
    assert 'value="values" id="pt-show-values" data-column-group="values">' in page
    assert 'value="phases" id="pt-show-phases" data-column-group="phases" checked>' in page


# The page's queries: plan, projects, steps, phases, indicators, values, categories, fields,
# departments — for any plan size and any filter.
QUERIES = 9


def test_it_costs_the_same_queries_for_the_demo_plan_and_a_plan_three_times_larger(
    client, sasebo, django_assert_max_num_queries, django_assert_num_queries
):
    large = build_plan(3, slug="project-table-x3")
    large_rows = project_table_rows(large)
    assert sum(r.first for r in large_rows) == 324 > 3 * 106
    with django_assert_num_queries(QUERIES):
        response = client.get(_url(sasebo))
    assert response.status_code == 200
    with django_assert_max_num_queries(QUERIES):
        response = client.get(_url(large))
    assert response.context["project_count"] == 324
    with django_assert_max_num_queries(QUERIES):
        client.get(_url(large), {"q": "合1-", "leading": "1", "field": "1"})


@override_settings(USE_THOUSAND_SEPARATOR=True, NUMBER_GROUPING=1)
def test_it_prints_its_integers_without_localisation(client):
    large = build_plan(3, slug="project-table-l10n")
    page = client.get(_url(large)).content.decode()
    assert "324 件" in page  # not 「3,2,4 件」


def test_it_reads_rows_for_a_filter_object_directly(sasebo):
    rows = project_table_rows(sasebo, Filters(leading=True, q="観光"))
    assert rows and all(r.project.leading for r in rows)
    assert all("観光" in r.project.pid or "観光" in r.project.name for r in rows)
