from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from kpis.models import Indicator, IndicatorValue
from tests import builders

pytestmark = pytest.mark.django_db
URL = reverse("kpis:actuals-entry")


@pytest.fixture
def plan():
    return builders.full_plan()


@pytest.fixture
def staff(client, plan):
    """The DX division administrator of the plan's municipality."""
    from tests.conftest import make_user

    client.force_login(make_user("alice", "DX推進担当", municipality=plan.municipality))
    return client


def _indicators(plan):
    kpi = Indicator.objects.get(challenge__issue__plan=plan, kind="kpi")
    act = Indicator.objects.get(project__plan=plan, kind="activity")
    return kpi, act


def test_it_lists_planned_previous_actual_and_what_is_missing(staff, plan):
    response = staff.get(URL, {"plan": plan.slug, "year": "R6"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "データ活用件数" in page and "整備件数" in page
    assert "令和6年度" in page
    rows = {r["indicator"].name: r for r in response.context["rows"]}
    assert rows["データ活用件数"]["planned"] == "6"
    assert rows["データ活用件数"]["previous_actual"] == "7"
    assert rows["データ活用件数"]["missing"] is True
    assert response.context["missing_count"] == 2


def test_it_saves_every_actual_in_one_go(staff, plan):
    kpi, act = _indicators(plan)
    versions = {
        f"version-{v.indicator_id}": v.version
        for v in IndicatorValue.objects.filter(indicator__in=[kpi, act], fiscal_year=2024)
    }
    response = staff.post(
        URL + f"?plan={plan.slug}&year=R6",
        {f"actual-{kpi.pk}": "8", f"actual-{act.pk}": "2", **versions},
    )
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=kpi, fiscal_year=2024).actual_number == Decimal(8)
    assert IndicatorValue.objects.get(indicator=act, fiscal_year=2024).actual_number == Decimal(2)
    page = staff.get(response.url)
    assert page.context["missing_count"] == 0


def test_it_creates_a_value_row_for_a_year_without_one(staff, plan):
    kpi, _ = _indicators(plan)
    staff.post(URL + f"?plan={plan.slug}&year=R7", {f"actual-{kpi.pk}": "－"})
    value = IndicatorValue.objects.get(indicator=kpi, fiscal_year=2025)
    assert (value.actual_number, value.actual_mark) == (None, "－")


def test_it_refuses_a_non_number_naming_the_indicator_and_saves_nothing(staff, plan):
    kpi, act = _indicators(plan)
    response = staff.post(
        URL + f"?plan={plan.slug}&year=R6", {f"actual-{kpi.pk}": "8", f"actual-{act.pk}": "二件"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "保存しませんでした" in page
    assert "整備件数" in page and "二件" in page
    assert IndicatorValue.objects.get(indicator=kpi, fiscal_year=2024).actual_number is None
    assert IndicatorValue.objects.get(indicator=act, fiscal_year=2024).actual_number is None


def test_it_filters_by_department(staff, plan):
    other = builders.department(plan, "土木部")
    response = staff.get(URL, {"plan": plan.slug, "year": "R6", "department": other.pk})
    assert response.context["rows"] == []
    own = plan.projects.first().department
    response = staff.get(URL, {"plan": plan.slug, "year": "R6", "department": own.pk})
    assert len(response.context["rows"]) == 2


def test_it_refuses_anonymous_users_and_users_without_permission(client, plan):
    assert client.get(URL).status_code == 302
    user = User.objects.create_user("viewer", password="pw-for-tests-only")
    client.force_login(user)
    assert client.get(URL).status_code == 403
    kpi, _ = _indicators(plan)
    client.post(URL + f"?plan={plan.slug}&year=R6", {f"actual-{kpi.pk}": "9"})
    assert IndicatorValue.objects.get(indicator=kpi, fiscal_year=2024).actual_number is None


def test_it_runs_a_fixed_number_of_queries(staff, plan, django_assert_max_num_queries):
    # session + user + plans + plan + departments + indicators + values prefetch
    # + message/permission lookups
    with django_assert_max_num_queries(12):
        staff.get(URL, {"plan": plan.slug, "year": "R6"})
    issue = plan.issues.first()
    for n in range(10):
        pr = builders.project(issue, f"観光9-9-{n}")
        builders.value(builders.activity(pr, f"追加{n}"), 2024, planned=1)
    with django_assert_max_num_queries(12):
        staff.get(URL, {"plan": plan.slug, "year": "R6"})
