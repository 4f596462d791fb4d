"""Every page of both demo plans in real Chromium: no empty chart anywhere, no script error.

Pages are enumerated from the plans and their layouts (reports/layouts.py), not hand-picked:
each issue's every page, the dashboard, the overview, the whole report, the project table,
each department page, the comparison and the warnings.
"""

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports import layouts
from reports.pages import issues_of
from strategy.models import Department, Plan

# A chart is empty when no trace has a single number to draw.
EMPTY_CHARTS = """() => [...document.querySelectorAll('.dx-chart')]
  .filter(gd => !(gd.data || []).some(t => (t.y || []).some(v => v !== null && v !== undefined)))
  .map(gd => gd.id)"""
ALL_DRAWN = """() => [...document.querySelectorAll('.dx-chart')]
  .every(d => d.querySelector('.main-svg'))"""


def page_urls(plan: Plan) -> dict[str, str]:
    urls = {
        "dashboard": reverse("reports:plan-dashboard", args=[plan.slug]),
        "overview": reverse("reports:plan-overview", args=[plan.slug]),
        "report": reverse("reports:report", args=[plan.slug]),
        "report-print": reverse("reports:report", args=[plan.slug]) + "?print=1",
        "projects": reverse("reports:project-table", args=[plan.slug]),
        "compare": reverse("reports:plan-compare", args=[plan.slug]),
        "warnings": reverse("reports:plan-warnings", args=[plan.slug]),
    }
    for issue in issues_of(plan):
        for page in layouts.of(plan).issue_pages:
            urls[f"{issue.code}-{page.slug}"] = reverse(
                "reports:issue-page", args=[plan.slug, issue.code, page.slug]
            )
    for dept in Department.objects.filter(municipality=plan.municipality):
        urls[f"department-{dept.pk}"] = reverse("reports:department", args=[plan.slug, dept.pk])
    return urls


SHOTS = {  # README pictures: (plan, page) → file name
    ("sasebo-r7", "dashboard"): "dashboard",
    ("sasebo-r7", "overview"): "overview-sasebo",
    ("sasebo-r7", "report"): "report-sasebo",
    ("nagasaki-dx", "dashboard"): "dashboard-nagasaki",
    ("nagasaki-dx", "overview"): "overview-nagasaki",
    ("nagasaki-dx", "1-01-sheet"): "sheet-nagasaki",
    ("nagasaki-dx", "report"): "report-nagasaki",
}
# The printed report: the first sheets as the PDF prints them (print media, A4 landscape).
PRINT_SHOTS = {
    "sasebo-r7": ("#issue-1-01-progress", "#issue-1-01-kpis"),
    "nagasaki-dx": ("#issue-1-01-sheet", "#plan-vision"),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("slug", ["sasebo-r7", "nagasaki-dx"])
def test_no_page_of_either_plan_draws_an_empty_chart(live_server, page, screenshot_dir, slug):
    call_command("load_demo", verbosity=0)
    plan = Plan.objects.get(slug=slug)
    urls = page_urls(plan)
    drawn = 0
    for name, url in urls.items():
        response = page.goto(live_server.url + url)
        assert response.status == 200, (name, url)
        if page.locator(".dx-chart").count():
            page.wait_for_function(ALL_DRAWN, timeout=30_000)
            assert page.evaluate(EMPTY_CHARTS) == [], (name, url)
            drawn += page.locator(".dx-chart").count()
        # every figure has a caption, and every drawn chart its values as a table
        for figure in page.locator("figure.dx-figure").all():
            assert figure.locator("figcaption").inner_text().strip(), (name, url)
            assert figure.locator(".chart-empty, table.chart-table").count() == 1, (name, url)
        assert page.console_errors == [], (name, url, page.console_errors)
        if (slug, name) in SHOTS:
            # the long pages are pictured by their first screens
            clip = {"x": 0, "y": 0, "width": 1400, "height": 2400} if "report" in name else None
            page.screenshot(
                path=str(screenshot_dir / f"{SHOTS[slug, name]}.png"), full_page=True, clip=clip
            )
    assert drawn > 0, slug
    # the printed sheets, laid out as print (the PDF's own media) at A4 landscape width
    page.set_viewport_size({"width": 1046, "height": 740})
    page.emulate_media(media="print")
    page.goto(live_server.url + urls["report-print"])
    page.wait_for_function(ALL_DRAWN, timeout=30_000)
    for index, selector in enumerate(PRINT_SHOTS[slug], start=1):
        sheet = page.locator(selector)
        assert sheet.count() == 1, selector
        sheet.screenshot(path=str(screenshot_dir / f"print-{slug}-{index}.png"))
