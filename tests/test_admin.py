"""Every admin list and form opens for DX staff (a superuser), on a complete little plan."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from kpis.models import Indicator, IndicatorValue
from tests import builders

pytestmark = pytest.mark.django_db

OUR_APPS = ("strategy", "projects", "kpis")


def _our_models():
    return [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]


@pytest.fixture
def plan():
    return builders.full_plan()


def test_it_registers_every_model_of_our_apps():
    registered = set(admin.site._registry)
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            assert model in registered, model
            assert model._meta.verbose_name != model.__name__.lower()


@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m._meta.label)
def test_it_shows_every_changelist_and_change_form(admin_client, plan, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = admin_client.get(changelist)
    assert response.status_code == 200
    obj = model.objects.first()
    assert obj is not None, f"the builder plan should have a {opts.label}"
    response = admin_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )
    assert response.status_code == 200
    response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    # 確定 is recorded from the actuals screen only (who and why), never added by hand
    assert response.status_code == (403 if model._meta.model_name == "confirmedyear" else 200)
    response = admin_client.get(changelist, {"q": "観光"})
    assert response.status_code == 200


def _kpi_form(kpi):
    """The indicator's own fields as the admin form posts them."""
    return {
        "kind": "kpi",
        "challenge": kpi.challenge_id,
        "name": kpi.name,
        "unit": "件",
        "direction": "higher",
        "position": 0,
        "formula": "",
        "evaluations-TOTAL_FORMS": 0,
        "evaluations-INITIAL_FORMS": 0,
    }


def test_it_edits_an_indicators_years_as_one_grid(admin_client, plan):
    kpi = Indicator.objects.get(challenge__issue__plan=plan, kind="kpi")
    url = reverse("admin:kpis_indicator_change", args=[kpi.pk])
    page = admin_client.get(url).content.decode()
    assert "年度別の予定・実績" in page
    for label in ("R3", "R9", "予定", "実績"):
        assert label in page
    versions = {f"version_{v.fiscal_year}": v.version for v in kpi.values.all()}
    data = {
        **_kpi_form(kpi),
        **versions,
        "planned_2023": "5",
        "actual_2023": "7",
        "planned_2024": "6",
        "actual_2024": "6",
        "planned_2025": "－",
        "actual_2025": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    values = {
        v.fiscal_year: (v.planned, v.actual) for v in IndicatorValue.objects.filter(indicator=kpi)
    }
    assert values == {2023: ("5", "7"), 2024: ("6", "6"), 2025: ("－", "")}


def test_it_refuses_a_bad_grid_cell_and_keeps_the_values(admin_client, plan):
    kpi = Indicator.objects.get(challenge__issue__plan=plan, kind="kpi")
    url = reverse("admin:kpis_indicator_change", args=[kpi.pk])
    data = {
        **_kpi_form(kpi),
        "planned_2023": "5",
        "actual_2023": "たくさん",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "たくさん" in response.content.decode()
    assert IndicatorValue.objects.get(indicator=kpi, fiscal_year=2023).actual == "7"


def test_it_links_down_the_hierarchy(admin_client, plan):
    page = admin_client.get(reverse("admin:strategy_plan_changelist")).content.decode()
    assert f"priorityissue/?plan__id__exact={plan.pk}" in page
    assert f"project/?plan__id__exact={plan.pk}" in page


def test_it_filters_projects_by_department_and_leading(admin_client, plan):
    url = reverse("admin:projects_project_changelist")
    dept = plan.projects.first().department
    response = admin_client.get(url, {"department__id__exact": dept.pk, "is_leading__exact": "1"})
    assert response.status_code == 200
    assert "観光1-1-1" in response.content.decode()
