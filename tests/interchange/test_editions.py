"""Editions: R7 → R8 copies everything, leaves R7 untouched; the 新旧対照表 compares them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from interchange.editions import EditionError, edition_compare, edition_start
from interchange.plandata import plan_data
from kpis.models import Indicator, IndicatorValue
from projects.models import Project
from strategy.models import Challenge, Plan, Step

pytestmark = pytest.mark.django_db


def _counts(plan):
    return {
        "issues": plan.issues.count(),
        "challenges": Challenge.objects.filter(issue__plan=plan).count(),
        "steps": Step.objects.filter(challenge__issue__plan=plan).count(),
        "projects": plan.projects.count(),
        "indicators": Indicator.objects.of_plan(plan).count(),
        "values": IndicatorValue.objects.filter(
            indicator__in=Indicator.objects.of_plan(plan)
        ).count(),
    }


def test_it_copies_an_edition_and_leaves_the_old_one_untouched(sasebo, client):
    before = plan_data(sasebo)
    r8 = edition_start(plan=sasebo, fiscal_year=2026)
    assert r8.slug == "sasebo-r8" and r8.title == "佐世保市DX戦略 実行計画（R8版）"
    assert r8.report_year == 2026 and r8.status == Plan.Status.DRAFT
    assert r8.planned_as_of == dt.date(2024, 4, 1) and r8.actual_as_of == dt.date(2025, 3, 1)
    assert r8.previous_edition == sasebo
    assert _counts(r8) == _counts(sasebo)
    assert plan_data(sasebo) == before
    copy = plan_data(r8)
    assert copy.projects == before.projects and copy.values == before.values
    assert copy.texts == before.texts
    # the old edition still renders
    url = reverse("reports:issue-kpis", args=["sasebo-r7", "1-01"])
    assert client.get(url).status_code == 200


def test_it_refuses_a_year_that_is_not_later_or_outside_the_period(sasebo):
    with pytest.raises(EditionError, match="より後"):
        edition_start(plan=sasebo, fiscal_year=2025)
    with pytest.raises(EditionError, match="計画期間"):
        edition_start(plan=sasebo, fiscal_year=2028)
    edition_start(plan=sasebo, fiscal_year=2026)
    with pytest.raises(EditionError, match="すでに"):
        edition_start(plan=sasebo, fiscal_year=2026)


def test_the_command_starts_an_edition(sasebo, capsys):
    call_command("start_edition", "sasebo-r7", "令和8年度")
    assert "sasebo-r8" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("start_edition", "sasebo-r7", "R8")


def test_it_compares_two_editions_by_code(sasebo, admin_client):
    r8 = edition_start(plan=sasebo, fiscal_year=2026)
    assert edition_compare(sasebo, r8).changed[0].attribute in (
        "title",
        "report_year",
        "planned_as_of",
        "actual_as_of",
        "status",
    )
    Project.objects.get(plan=r8, pid="観光1-1-7").delete()
    renamed = Project.objects.get(plan=r8, pid="観光1-1-6")
    renamed.name = "人流データ分析"
    renamed.save()
    value = IndicatorValue.objects.get(indicator__project=renamed, fiscal_year=2027)
    value.planned_number = Decimal(9)
    value.save()
    response = admin_client.get(reverse("reports:plan-compare", args=["sasebo-r8"]))
    assert response.status_code == 200
    sections = {s["title"]: s["rows"] for s in response.context["sections"]}
    assert any("観光1-1-7" in r["label"] for r in sections["削除された項目"])
    assert any(
        r["old"] == "人流データを活用した行動分析" and r["new"] == "人流データ分析"
        for r in sections["名称の変更"]
    )
    assert any(
        "観光1-1-6" in r["label"] and r["old"] == "5" and r["new"] == "9"
        for r in sections["予定値（目標）の変更"]
    )
    page = response.content.decode()
    assert "新旧対照表" in page and "人流データ分析" in page


def test_the_copy_imports_and_exports_like_any_edition(sasebo):
    from interchange.workbook.export import workbook_export
    from interchange.workbook.importer import workbook_import

    r8 = edition_start(plan=sasebo, fiscal_year=2026)
    assert workbook_import(workbook_export(r8), dry_run=True).diff.is_empty
