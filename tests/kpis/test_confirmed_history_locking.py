"""Confirmed years, change history and the refusal of a concurrent edit."""

from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from interchange.workbook.export import workbook_export
from interchange.workbook.importer import WorkbookError, workbook_import
from kpis.locks import year_confirm, year_reopen
from kpis.models import ConfirmedYear
from kpis.services import ActualsRejected, actuals_save
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
YEAR = 2024


def test_editors_cannot_change_a_confirmed_year_administrators_can(
    sasebo, bob, dx_admin, own_value
):
    year_confirm(plan=sasebo, fiscal_year=YEAR, user=dx_admin)
    indicator = own_value.indicator
    with pytest.raises(ActualsRejected, match="確定済み"):
        actuals_save(
            indicators=[indicator], fiscal_year=YEAR, raw_by_id={indicator.pk: "9"}, user=bob
        )
    own_value.refresh_from_db()
    assert own_value.actual_number is None
    actuals_save(
        indicators=[indicator], fiscal_year=YEAR, raw_by_id={indicator.pk: "9"}, user=dx_admin
    )
    own_value.refresh_from_db()
    assert own_value.actual_number == Decimal(9)


def test_reopening_needs_a_reason_and_records_who_and_why(sasebo, dx_admin):
    year_confirm(plan=sasebo, fiscal_year=YEAR, user=dx_admin)
    with pytest.raises(ValueError, match="理由"):
        year_reopen(plan=sasebo, fiscal_year=YEAR, user=dx_admin, reason=" ")
    year_reopen(plan=sasebo, fiscal_year=YEAR, user=dx_admin, reason="R6実績の訂正のため")
    assert not ConfirmedYear.objects.filter(plan=sasebo, fiscal_year=YEAR).exists()
    last = ConfirmedYear.history.filter(plan_id=sasebo.pk, fiscal_year=YEAR).latest("history_date")
    assert last.history_type == "-" and last.history_user == dx_admin
    assert last.history_change_reason == "R6実績の訂正のため"
    first = ConfirmedYear.history.filter(plan_id=sasebo.pk).earliest("history_date")
    assert first.history_type == "+" and first.confirmed_by == dx_admin


def test_the_actuals_screen_locks_a_confirmed_year_for_editors(
    client, sasebo, bob, dx_admin, own_value
):
    year_confirm(plan=sasebo, fiscal_year=YEAR, user=dx_admin)
    client.force_login(bob)
    page = client.get(reverse("kpis:actuals-entry"), {"plan": "sasebo-r7", "year": "R6"})
    assert "確定済み" in page.content.decode() and "disabled" in page.content.decode()
    response = client.post(
        reverse("kpis:actuals-entry") + "?plan=sasebo-r7&year=R6",
        {f"actual-{own_value.indicator_id}": "9"},
    )
    assert response.status_code == 400
    own_value.refresh_from_db()
    assert own_value.actual_number is None


def test_an_editors_import_into_a_confirmed_year_is_refused(sasebo, bob, dx_admin, own_value):
    year_confirm(plan=sasebo, fiscal_year=YEAR, user=dx_admin)
    wb = openpyxl.load_workbook(BytesIO(workbook_export(sasebo)))
    ws = wb["プロジェクト"]
    headers = [c.value for c in ws[1]]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, headers.index("PID") + 1).value == "観光1-1-6":
            ws.cell(row, headers.index("R6実績") + 1).value = 9
    out = BytesIO()
    wb.save(out)
    with pytest.raises(WorkbookError, match="確定済み"):
        workbook_import(out.getvalue(), user=bob)
    own_value.refresh_from_db()
    assert own_value.actual_number is None


def test_history_records_a_form_save_with_its_user(admin_client, admin_user, own_value):
    url = reverse("admin:kpis_indicatorvalue_change", args=[own_value.pk])
    admin_client.post(
        url,
        {
            "indicator": own_value.indicator_id,
            "fiscal_year": YEAR,
            "planned_number": own_value.planned_number,
            "planned_mark": "",
            "actual_number": "6",
            "actual_mark": "",
            "seen_version": own_value.version,
        },
    )
    last = own_value.history.latest("history_date")
    assert last.history_user == admin_user and last.actual_number == Decimal(6)
    delta = last.diff_against(last.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes if c.field == "actual_number"] == [
        ("actual_number", None, Decimal(6))
    ]
    history_page = admin_client.get(
        reverse("admin:kpis_indicatorvalue_history", args=[own_value.pk])
    )
    assert history_page.status_code == 200


def test_history_records_an_import_with_its_user(sasebo, dx_admin, own_value):
    wb = openpyxl.load_workbook(BytesIO(workbook_export(sasebo)))
    ws = wb["プロジェクト"]
    headers = [c.value for c in ws[1]]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, headers.index("PID") + 1).value == "観光1-1-6":
            ws.cell(row, headers.index("R6実績") + 1).value = 8
    out = BytesIO()
    wb.save(out)
    workbook_import(out.getvalue(), user=dx_admin)
    last = own_value.history.latest("history_date")
    assert last.history_user == dx_admin and last.actual_number == Decimal(8)


def test_a_second_save_on_a_stale_form_is_refused_with_the_other_value(
    client, sasebo, dx_admin, own_value
):
    other = make_user("dora", "DX推進担当", municipality=sasebo.municipality)
    url = reverse("kpis:actuals-entry") + "?plan=sasebo-r7&year=R6"
    # both open the screen and see version N
    client.force_login(dx_admin)
    seen = client.get(url).context["rows"]
    row = next(r for r in seen if r["indicator"].pk == own_value.indicator_id)
    version = row["version"]
    # dora saves first
    client.force_login(other)
    first = client.post(
        url,
        {f"actual-{own_value.indicator_id}": "11", f"version-{own_value.indicator_id}": version},
    )
    assert first.status_code == 302
    # alice saves from her stale screen
    client.force_login(dx_admin)
    second = client.post(
        url,
        {f"actual-{own_value.indicator_id}": "12", f"version-{own_value.indicator_id}": version},
    )
    assert second.status_code == 400
    page = second.content.decode()
    assert "他の人が先に保存しました" in page and "「11」" in page and "dora" in page
    own_value.refresh_from_db()
    assert own_value.actual_number == Decimal(11)


def test_the_admin_grid_refuses_a_stale_save(admin_client, own_value):
    indicator = own_value.indicator
    url = reverse("admin:kpis_indicator_change", args=[indicator.pk])
    form = admin_client.get(url).context["adminform"].form
    stale = form.initial.get(f"version_{YEAR}") or form.fields[f"version_{YEAR}"].initial
    own_value.actual_number = Decimal(5)
    own_value.save()
    data = {
        "kind": "activity",
        "project": indicator.project_id,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": "higher",
        "position": 0,
        "formula": "",
        "evaluations-TOTAL_FORMS": 0,
        "evaluations-INITIAL_FORMS": 0,
        f"actual_{YEAR}": "6",
        f"planned_{YEAR}": own_value.planned,
        f"version_{YEAR}": stale,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "他の人が先に保存しました" in response.content.decode()
    own_value.refresh_from_db()
    assert own_value.actual_number == Decimal(5)


def test_the_plan_history_lists_changes_since_a_date_with_old_and_new(
    client, sasebo, dx_admin, own_value
):
    indicator = own_value.indicator
    actuals_save(
        indicators=[indicator], fiscal_year=YEAR, raw_by_id={indicator.pk: "7"}, user=dx_admin
    )
    year_confirm(plan=sasebo, fiscal_year=YEAR, user=dx_admin)
    year_reopen(plan=sasebo, fiscal_year=YEAR, user=dx_admin, reason="訂正")
    client.force_login(dx_admin)
    url = reverse("reports:plan-history", args=["sasebo-r7"])
    response = client.get(url, {"since": "2020-01-01"})
    assert response.status_code == 200
    rows = response.context["rows"]
    change = next(
        r for r in rows if r["object"].startswith(indicator.name) and r["action"] == "変更"
    )
    assert change["user"] == "alice"
    assert ("実績（数値）", "（空）", "7") in change["changes"]
    assert any(r["model"] == "確定した年度" and r["reason"] == "訂正" for r in rows)
    future = client.get(url, {"since": "2999-01-01"})
    assert future.context["rows"] == []
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302
