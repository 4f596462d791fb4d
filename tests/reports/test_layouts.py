"""The layout registry (reports/layouts.py): every layout renders, from its own registry entry."""

from decimal import Decimal

import pytest
from django.template.loader import get_template
from django.urls import reverse

from reports import layouts
from reports.pages import issues_of
from strategy.models import Plan
from tests import builders

pytestmark = pytest.mark.django_db


def test_the_plan_model_offers_exactly_the_registered_layouts():
    field = Plan._meta.get_field("layout")
    assert [key for key, _ in field.choices] == list(layouts.LAYOUTS)
    assert field.default in layouts.LAYOUTS


@pytest.mark.parametrize("key", list(layouts.LAYOUTS))
def test_every_template_a_layout_names_exists(key):
    layout = layouts.LAYOUTS[key]
    for name in [p.template for p in layout.issue_pages] + list(layout.report_intro):
        get_template(name)
    assert len({p.slug for p in layout.issue_pages}) == len(layout.issue_pages)


def _plan_of(key: str) -> Plan:
    plan = builders.full_plan(slug=f"layout-{key}", layout=key, status="published")
    issue = issues_of(plan).first()
    field = issue.field
    field.description = "基本方針の説明文"
    field.area_name, field.vision_title = "生活", "人と人がつながるまち"
    field.save()
    kpi = issue.challenges.first().kpis.first()
    kpi.baseline_year, kpi.baseline_value = 2024, Decimal("36.3")
    kpi.target_year, kpi.target_value = 2027, Decimal("50.0")
    kpi.save()
    return plan


@pytest.mark.parametrize("key", list(layouts.LAYOUTS))
def test_a_plan_of_each_layout_renders_every_page_in_its_wording(client, key):
    plan = _plan_of(key)
    layout = layouts.of(plan)
    issue = issues_of(plan).first()
    heading = layout.issue_heading_for(plan, issue)
    urls = {
        "dashboard": reverse("reports:plan-dashboard", args=[plan.slug]),
        "overview": reverse("reports:plan-overview", args=[plan.slug]),
        "report": reverse("reports:report", args=[plan.slug]),
    }
    for page in layout.issue_pages:
        urls[page.slug] = reverse("reports:issue-page", args=[plan.slug, issue.code, page.slug])
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (key, name)
        body = response.content.decode()
        assert heading in body, (key, name)
        assert layout.overview_title in body, (key, name)
    report = client.get(urls["report"]).content.decode()
    for page in layout.issue_pages:
        assert f'id="issue-{issue.code}-{page.slug}"' in report
    assert layout.report_subtitle_for(plan) in report
    # The baseline → target KPI prints both ends with their years on the KPI's page.
    kpi_page = next(p for p in layout.issue_pages if "kpis" in p.parts)
    body = client.get(urls[kpi_page.slug]).content.decode()
    assert "基準値：令和6年度（2024）" in body and "目標値：令和9年度（2027）" in body


@pytest.mark.parametrize("key", list(layouts.LAYOUTS))
def test_a_page_of_another_layout_leads_to_this_layouts_first_page(client, key):
    plan = _plan_of(key)
    issue = issues_of(plan).first()
    others = {p.slug for lay in layouts.LAYOUTS.values() for p in lay.issue_pages}
    own = {p.slug for p in layouts.of(plan).issue_pages}
    for slug in sorted(others - own):
        response = client.get(reverse("reports:issue-page", args=[plan.slug, issue.code, slug]))
        assert response.status_code == 302
        first = layouts.of(plan).first_page.slug
        assert response["Location"].endswith(f"/issues/{issue.code}/{first}/")
    missing = reverse(
        "reports:issue-page", args=[plan.slug, "9-99", layouts.of(plan).first_page.slug]
    )
    assert client.get(missing).status_code == 404


def test_headings_say_the_plans_level_names_without_dangling_separators(client):
    plan = _plan_of("promotion")
    plan.label_issue, plan.label_kpi = "基本施策", "成果指標"
    plan.planned_as_of = plan.actual_as_of = None
    plan.save()
    body = client.get(reverse("reports:plan-dashboard", args=[plan.slug])).content.decode()
    assert "成果指標 の達成状況" in body and "KPI の達成状況" not in body
    assert "報告 ・" not in body and "報告 ・ <" not in body
    assert "基本施策ごとのページ" in body
