"""Per-model import/export (django-import-export) for projects, indicators and yearly values."""

import pytest
import tablib
from django.urls import reverse

from interchange.resources import IndicatorResource, IndicatorValueResource, ProjectResource
from kpis.models import IndicatorValue
from projects.models import Project

pytestmark = pytest.mark.django_db


def test_it_exports_and_reimports_yearly_values_without_changes(sasebo):
    qs = IndicatorValue.objects.filter(indicator__project__plan=sasebo)
    dataset = IndicatorValueResource().export(qs)
    assert dataset.headers == ["指標ID", "指標名", "年度", "予定", "実績"]
    assert "R5" in dataset["年度"]
    result = IndicatorValueResource().import_data(dataset, dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["update"] == 0 and result.totals["new"] == 0


def test_it_imports_a_typed_value_and_refuses_text(sasebo):
    value = IndicatorValue.objects.filter(
        indicator__project__pid="観光1-1-6", fiscal_year=2023
    ).get()
    data = tablib.Dataset(headers=["指標ID", "年度", "予定", "実績"])
    data.append([value.indicator_id, "令和5年度", "3", "1,234"])
    result = IndicatorValueResource().import_data(data, dry_run=False)
    assert not result.has_errors(), result.row_errors()
    value.refresh_from_db()
    assert value.actual == "1234"
    bad = tablib.Dataset(headers=["指標ID", "年度", "予定", "実績"])
    bad.append([value.indicator_id, "R5", "3", "たくさん"])
    result = IndicatorValueResource().import_data(bad, dry_run=False, raise_errors=False)
    assert result.has_errors() or result.has_validation_errors()
    messages = str([row.error_dict for row in result.invalid_rows]) + str(result.row_errors())
    assert "たくさん" in messages
    value.refresh_from_db()
    assert value.actual == "1234"


def test_it_escapes_formulae_on_export_and_restores_them_on_import(sasebo):
    project = Project.objects.get(plan=sasebo, pid="観光1-1-6")
    project.name = "=1+2"
    project.save()
    dataset = ProjectResource().export(Project.objects.filter(pk=project.pk))
    assert dataset["名称"] == ["'=1+2"]
    assert dataset["リーディング"][0] in ("1", 1, True, "True")
    result = ProjectResource().import_data(dataset, dry_run=True)
    assert not result.has_errors()
    assert result.totals["update"] == 0


def test_it_exports_indicators_with_their_owner(sasebo):
    dataset = IndicatorResource().export()
    assert "対象" in dataset.headers and len(dataset) > 100


def test_the_admin_offers_import_and_export(admin_client, sasebo):
    for name in ("projects_project", "kpis_indicator", "kpis_indicatorvalue"):
        assert admin_client.get(reverse(f"admin:{name}_import")).status_code == 200
        assert admin_client.get(reverse(f"admin:{name}_export")).status_code == 200
