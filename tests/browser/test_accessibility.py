"""JIS X 8341-3:2016 (WCAG 2.1 A/AA) on every page kind: axe-core in real Chromium.

Each page kind of both demo plans — enumerated from the URLs and the plans' layouts —
signed out and signed in as the DX division, plus the actuals screen and the admin pages
we customised. Zero violations.
"""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from kpis.models import Indicator
from projects.models import Project
from reports import layouts
from reports.pages import issues_of
from strategy.models import Department, Plan
from tests.browser.axe import assert_no_axe_violations, axe_page, axe_script, session_cookies


def public_pages(plan: Plan) -> dict[str, str]:
    issue = issues_of(plan).first()
    urls = {
        "plan list": reverse("reports:plan-list"),
        "dashboard": reverse("reports:plan-dashboard", args=[plan.slug]),
        "overview": reverse("reports:plan-overview", args=[plan.slug]),
        "report": reverse("reports:report", args=[plan.slug]),
        "report print": reverse("reports:report", args=[plan.slug]) + "?print=1",
        "compare": reverse("reports:plan-compare", args=[plan.slug]),
        "warnings": reverse("reports:plan-warnings", args=[plan.slug]),
    }
    for page in layouts.of(plan).issue_pages:
        urls[page.slug] = reverse("reports:issue-page", args=[plan.slug, issue.code, page.slug])
    dept = Department.objects.filter(municipality=plan.municipality).first()
    if dept:
        urls["department"] = reverse("reports:department", args=[plan.slug, dept.pk])
    return urls


def staff_pages(plan: Plan) -> dict[str, str]:
    kpi = Indicator.objects.of_plan(plan).filter(kind=Indicator.Kind.KPI).first()
    project = Project.objects.filter(plan=plan).first()
    return {
        "history": reverse("reports:plan-history", args=[plan.slug]),
        "actuals entry": reverse("kpis:actuals-entry") + f"?plan={plan.slug}",
        "admin index": reverse("admin:index"),
        "admin plan list": reverse("admin:strategy_plan_changelist"),
        "admin plan form": reverse("admin:strategy_plan_change", args=[plan.pk]),
        "admin workbook import": reverse("admin:strategy_plan_workbook_import", args=[plan.pk]),
        "admin indicator form": reverse("admin:kpis_indicator_change", args=[kpi.pk]),
        "admin project list": reverse("admin:projects_project_changelist"),
        "admin project form": reverse("admin:projects_project_change", args=[project.pk]),
        "admin project add": reverse("admin:projects_project_add"),
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("slug", ["sasebo-r7", "nagasaki-dx"])
def test_every_page_kind_passes_axe_signed_out_and_in(live_server, chromium, slug):
    axe_script()  # skipped (failed under CI=true) before loading anything when it is missing
    call_command("load_demo", verbosity=0)
    plan = Plan.objects.get(slug=slug)
    admin = User.objects.create_superuser("axe-admin", password="pw-for-tests-only")
    signed_in = session_cookies(live_server.url, admin)
    checked = 0
    for cookies, urls in (
        (None, public_pages(plan)),
        (signed_in, {**public_pages(plan), **staff_pages(plan)}),
    ):
        with axe_page(chromium, cookies=cookies) as page:
            for name, url in urls.items():
                response = page.goto(live_server.url + url)
                assert response.status == 200, (name, url)
                page.wait_for_load_state("networkidle")
                who = "signed in" if cookies else "signed out"
                assert_no_axe_violations(page, f"{slug} {name} ({who}) {url}")
                checked += 1
    assert checked >= 2 * len(public_pages(plan))
