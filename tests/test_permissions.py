"""Who may change what: each role × each way of changing data × own / other department.

alice is a DX division administrator, bob edits for 観光商工部, charlie only views.
"own" data belongs to 観光商工部 (観光1-1-6), "other" data to 土木部. After every refusal the
database is checked unchanged.
"""

from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interchange.workbook.export import workbook_export
from kpis.models import ConfirmedYear, IndicatorValue
from strategy.models import Department
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

YEAR = 2024  # R6: planned values exist, actuals not yet entered
PIDS = {"own": "観光1-1-6", "other": None}


@pytest.fixture
def users(sasebo, dx_admin, viewer):
    kanko = Department.objects.get(municipality=sasebo.municipality, name="観光商工部")
    return {
        "admin": dx_admin,
        "editor": make_user("bob", "部局編集者", department=kanko),
        "viewer": viewer,
    }


def _value(sasebo, side: str) -> IndicatorValue:
    qs = IndicatorValue.objects.filter(indicator__project__plan=sasebo, fiscal_year=YEAR)
    if side == "own":
        return qs.filter(indicator__project__pid="観光1-1-6").get()
    return qs.filter(indicator__project__department__name="土木部").order_by("id").first()


EXPECTED = {
    # role: (own, other)
    "admin": (True, True),
    "editor": (True, False),
    "viewer": (False, False),
}


def _assert(allowed: bool, value: IndicatorValue, new: Decimal, before):
    value.refresh_from_db()
    if allowed:
        assert value.actual_number == new
    else:
        assert (value.actual_number, value.actual_mark, value.version) == before


def _snapshot(value):
    return (value.actual_number, value.actual_mark, value.version)


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
@pytest.mark.parametrize("side", ["own", "other"])
def test_admin_change_form(client, sasebo, users, role, side):
    value = _value(sasebo, side)
    before = _snapshot(value)
    client.force_login(users[role])
    url = reverse("admin:kpis_indicatorvalue_change", args=[value.pk])
    response = client.post(
        url,
        {
            "indicator": value.indicator_id,
            "fiscal_year": YEAR,
            "planned_number": value.planned_number or "",
            "planned_mark": value.planned_mark,
            "actual_number": "77",
            "actual_mark": "",
            "seen_version": value.version,
        },
    )
    allowed = EXPECTED[role][side == "other"]
    if allowed:
        assert response.status_code == 302 and response.url.endswith("/indicatorvalue/")
    else:  # editors read other departments' rows but may not change them; viewers read
        assert response.status_code == 403
    _assert(allowed, value, Decimal(77), before)


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
@pytest.mark.parametrize("side", ["own", "other"])
def test_actuals_entry(client, sasebo, users, role, side):
    value = _value(sasebo, side)
    before = _snapshot(value)
    client.force_login(users[role])
    url = reverse("kpis:actuals-entry") + "?plan=sasebo-r7&year=R6"
    response = client.post(
        url, {f"actual-{value.indicator_id}": "77", f"version-{value.indicator_id}": value.version}
    )
    allowed = EXPECTED[role][side == "other"]
    if role == "viewer":
        assert response.status_code == 403
    elif allowed:
        assert response.status_code == 302
    else:
        # the editor's screen holds only their own department's indicators: the other
        # department's entry is not even read, and nothing changes
        assert response.status_code in (302, 400)
    _assert(allowed, value, Decimal(77), before)


def _workbook_with(sasebo, value: IndicatorValue) -> bytes:
    wb = openpyxl.load_workbook(BytesIO(workbook_export(sasebo)))
    ws = wb["プロジェクト"]
    headers = [c.value for c in ws[1]]
    pid_col, name_col = headers.index("PID") + 1, headers.index("活動指標") + 1
    col = headers.index("R6実績") + 1
    for row in range(2, ws.max_row + 1):
        if (
            ws.cell(row, pid_col).value == value.indicator.project.pid
            and ws.cell(row, name_col).value == value.indicator.name
        ):
            ws.cell(row, col).value = 77
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
@pytest.mark.parametrize("side", ["own", "other"])
def test_workbook_import(client, sasebo, users, role, side):
    value = _value(sasebo, side)
    before = _snapshot(value)
    client.force_login(users[role])
    url = reverse("admin:strategy_plan_workbook_import", args=[sasebo.pk])
    upload = SimpleUploadedFile("plan.xlsx", _workbook_with(sasebo, value))
    response = client.post(url, {"file": upload})
    allowed = EXPECTED[role][side == "other"]
    if allowed:
        assert response.status_code == 200
        client.post(
            url,
            {
                "confirm": "1",
                "token": response.context["token"],
                "digest": response.context["digest"],
            },
        )
    elif role == "viewer":
        assert response.status_code in (302, 403)  # the admin refuses viewers outright
    else:
        assert response.status_code == 400
        page = response.content.decode()
        assert value.indicator.project.pid in page and "他の部局" in page
    _assert(allowed, value, Decimal(77), before)


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
def test_confirm_and_reopen(client, sasebo, users, role):
    client.force_login(users[role])
    confirm = reverse("kpis:year-confirm", args=["sasebo-r7", YEAR])
    response = client.post(confirm)
    confirmed = ConfirmedYear.objects.filter(plan=sasebo, fiscal_year=YEAR).exists()
    assert confirmed == (role == "admin")
    assert response.status_code == (302 if role == "admin" else 403)
    if role != "admin":
        ConfirmedYear.objects.create(plan=sasebo, fiscal_year=YEAR, confirmed_by=users["admin"])
    reopen = reverse("kpis:year-reopen", args=["sasebo-r7", YEAR])
    response = client.post(reopen, {"reason": "実績の訂正"})
    still = ConfirmedYear.objects.filter(plan=sasebo, fiscal_year=YEAR).exists()
    assert still == (role != "admin")
    assert response.status_code == (302 if role == "admin" else 403)
