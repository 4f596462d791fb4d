"""The ways in a hostile tester found open (issue #10, findings 1–7), one test each.

Sasebo's 観光商工部 editor (bob) owns 観光1-1-6; 土木部 owns other projects. Nagasaki gets a
総務部 with an editor (nora), and Sasebo a 総務部 editor (sota), so department names collide
across the two cities. After every refusal the database is checked unchanged.
"""

from io import BytesIO

import openpyxl
import pytest
import tablib
from django.urls import reverse

from interchange.resources import ProjectResource
from interchange.workbook.export import workbook_export
from interchange.workbook.importer import WorkbookError, workbook_import
from kpis.models import ConfirmedYear, Indicator, IndicatorValue
from projects.models import Project, ProjectPhase
from strategy.models import Department, Plan, StaffMember
from tests.conftest import make_user
from tests.formdata import form_data
from tests.test_access_matrix import fingerprint

pytestmark = pytest.mark.django_db

OWN_PID = "観光1-1-6"


@pytest.fixture
def people(sasebo, nagasaki, dx_admin, viewer):
    kanko = Department.objects.get(municipality=sasebo.municipality, name="観光商工部")
    sasebo_somu, _ = Department.objects.get_or_create(
        municipality=sasebo.municipality, name="総務部"
    )
    nagasaki_somu = Department.objects.create(municipality=nagasaki.municipality, name="総務部")
    return {
        "admin": dx_admin,
        "viewer": viewer,
        "bob": make_user("bob", "部局編集者", department=kanko),
        "sota": make_user("sota", "部局編集者", department=sasebo_somu),
        "nora": make_user("nora", "部局編集者", department=nagasaki_somu),
        "nobody": make_user("nogroup", municipality=sasebo.municipality),
        "kanko": kanko,
        "sasebo_somu": sasebo_somu,
    }


def _own(sasebo) -> Project:
    return Project.objects.get(plan=sasebo, pid=OWN_PID)


def _other(sasebo) -> Project:
    return (
        Project.objects.filter(plan=sasebo, department__name="土木部", indicators__isnull=False)
        .order_by("pk")
        .first()
    )


def _form(admin_client, url) -> dict:
    data = form_data(admin_client.get(url).content.decode())
    out = {k: v if len(v) > 1 else v[0] for k, v in data.items()}
    out.pop("csrfmiddlewaretoken", None)
    return out


def _history_url(obj) -> str:
    opts = obj._meta
    last = obj.history.order_by("-history_id").first()
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, last.history_id]
    )


# --- 1. history pages saved for anyone who could read them ---------------------------------
@pytest.mark.parametrize("who", ["viewer", "bob", "nora"])
def test_1_a_history_revert_saves_only_for_who_may_change_the_row(
    client, admin_client, sasebo, people, who
):
    project = _other(sasebo)
    url = _history_url(project)
    data = _form(admin_client, url) | {"name": "改ざん", "_change_history": "1"}
    client.force_login(people[who])
    before = fingerprint()
    response = client.post(url, data)
    assert response.status_code in (403, 302, 404)
    assert fingerprint() == before
    project.refresh_from_db()
    assert project.name != "改ざん"


def test_1_an_editor_cannot_move_his_own_staff_link_through_history(
    client, admin_client, sasebo, people
):
    member = StaffMember.objects.get(user=people["bob"])
    url = _history_url(member)
    data = _form(admin_client, url) | {
        "department": str(people["sasebo_somu"].pk),
        "_change_history": "1",
    }
    client.force_login(people["bob"])
    before = fingerprint()
    assert client.post(url, data).status_code == 403
    assert fingerprint() == before
    member.refresh_from_db()
    assert member.department == people["kanko"]


def test_1_a_confirmed_year_is_not_moved_through_history(client, admin_client, sasebo, people):
    confirmed = ConfirmedYear.objects.create(
        plan=sasebo, fiscal_year=2024, confirmed_by=people["admin"]
    )
    url = _history_url(confirmed)
    for who in ("bob", "admin"):  # not even the DX division: 確定の解除 records a reason
        client.force_login(people[who])
        data = {"plan": sasebo.pk, "fiscal_year": 2021, "_change_history": "1"}
        before = fingerprint()
        assert client.post(url, data).status_code == 403
        assert fingerprint() == before
    confirmed.refresh_from_db()
    assert confirmed.fiscal_year == 2024


# --- 2. add and change forms judged only on the row as loaded ------------------------------
def _add(client, model_name, data):
    app = {"indicatorvalue": "kpis", "indicatorevaluation": "kpis", "projectphase": "projects"}
    return client.post(reverse(f"admin:{app[model_name]}_{model_name}_add"), data)


@pytest.mark.parametrize("who", ["bob", "nora"])
def test_2_rows_cannot_be_added_to_another_departments_data(client, sasebo, people, who):
    other = _other(sasebo)
    activity = other.indicators.first()
    free = [y for y in sasebo.value_years if not activity.values.filter(fiscal_year=y).exists()]
    other.phases.filter(fiscal_year=sasebo.end_year).delete()  # a free year to add a phase in
    kpi = Indicator.objects.filter(
        challenge__issue__plan=sasebo, challenge__issue__department__name="土木部"
    ).first()
    client.force_login(people[who])
    before = fingerprint()
    attempts = [
        (
            "indicatorvalue",
            {"indicator": activity.pk, "fiscal_year": free[0], "actual_number": "1"},
        ),
        ("projectphase", {"project": other.pk, "fiscal_year": sasebo.end_year, "phase": "operate"}),
    ]
    if kpi is not None:
        attempts.append(
            ("indicatorevaluation", {"indicator": kpi.pk, "fiscal_year": 2026, "text": "x"})
        )
    for model_name, data in attempts:
        response = _add(client, model_name, data)
        assert response.status_code in (200, 403), model_name
        if response.status_code == 200:
            assert (
                "errorlist" in response.content.decode() or "errornote" in response.content.decode()
            )
    assert fingerprint() == before
    assert not IndicatorValue.objects.filter(indicator=activity, fiscal_year=free[0]).exists()
    assert not ProjectPhase.objects.filter(project=other, fiscal_year=sasebo.end_year).exists()


def test_2_an_editor_cannot_move_his_own_rows_onto_another_department(
    client, admin_client, sasebo, people
):
    own, other = _own(sasebo), _other(sasebo)
    value = IndicatorValue.objects.filter(indicator__project=own).order_by("pk").first()
    phase = own.phases.order_by("pk").first()
    target_indicator = other.indicators.first()
    # free the target's same year, so only the policy can stand in the way
    target_indicator.values.filter(fiscal_year=value.fiscal_year).delete()
    other.phases.filter(fiscal_year=phase.fiscal_year).delete()
    client.force_login(people["bob"])
    moves = [
        (value, "indicator", target_indicator.pk),
        (phase, "project", other.pk),
    ]
    for obj, field, target in moves:
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        data = _form(admin_client, url) | {field: str(target)}
        before = fingerprint()
        response = client.post(url, data)
        assert response.status_code in (200, 403), (field, response.status_code)
        assert fingerprint() == before, field
        obj.refresh_from_db()
        assert getattr(obj, f"{field}_id") != target


def test_2_an_editor_cannot_move_a_project_or_a_kpi(client, admin_client, sasebo, people):
    own = _own(sasebo)
    other_issue = sasebo.issues.exclude(pk=own.issue_id).first()
    url = reverse("admin:projects_project_change", args=[own.pk])
    data = _form(admin_client, url) | {
        "department": str(people["sasebo_somu"].pk),
        "issue": str(other_issue.pk),
    }
    client.force_login(people["bob"])
    response = client.post(url, data)
    assert response.status_code in (200, 302, 403)  # the fields are not the editor's
    own.refresh_from_db()
    assert own.department == people["kanko"] and own.issue_id != other_issue.pk
    kpi = Indicator.objects.filter(
        challenge__issue__plan=sasebo, challenge__issue__department=people["kanko"]
    ).first()
    if kpi is not None:
        url = reverse("admin:kpis_indicator_change", args=[kpi.pk])
        other_challenge = (
            sasebo.issues.exclude(pk=kpi.challenge.issue_id).first().challenges.first()
        )
        data = _form(admin_client, url) | {"challenge": str(other_challenge.pk)}
        response = client.post(url, data)
        assert response.status_code < 500  # it was HTTP 500
        kpi.refresh_from_db()
        assert kpi.challenge_id != other_challenge.pk


# --- 3. a yearly value added in a confirmed year ------------------------------------------
def test_3_no_value_is_added_in_a_confirmed_year(client, sasebo, people):
    own = _own(sasebo)
    activity = own.indicators.first()
    year = next(y for y in sasebo.value_years if not activity.values.filter(fiscal_year=y).exists())
    ConfirmedYear.objects.create(plan=sasebo, fiscal_year=year, confirmed_by=people["admin"])
    client.force_login(people["bob"])
    before = fingerprint()
    response = _add(
        client,
        "indicatorvalue",
        {"indicator": activity.pk, "fiscal_year": year, "actual_number": "5"},
    )
    assert response.status_code in (200, 403)
    assert fingerprint() == before
    assert not IndicatorValue.objects.filter(indicator=activity, fiscal_year=year).exists()


# --- 4. 「次年度の版を作成」 without a permission check ---------------------------------------
@pytest.mark.parametrize("who", ["viewer", "bob", "nora", "nobody"])
def test_4_only_the_dx_division_starts_an_edition(client, sasebo, people, who):
    client.force_login(people[who])
    before = Plan.objects.count()
    response = client.post(
        reverse("admin:strategy_plan_changelist"),
        {"action": "start_next_edition", "_selected_action": [sasebo.pk], "index": 0},
    )
    assert response.status_code in (302, 403, 200)
    assert Plan.objects.count() == before


def test_4_the_dx_division_starts_its_own_municipalitys_edition_only(
    client, sasebo, nagasaki, people
):
    client.force_login(people["admin"])
    url = reverse("admin:strategy_plan_changelist")
    client.post(
        url, {"action": "start_next_edition", "_selected_action": [nagasaki.pk], "index": 0}
    )
    assert not Plan.objects.filter(previous_edition=nagasaki).exists()
    client.post(url, {"action": "start_next_edition", "_selected_action": [sasebo.pk], "index": 0})
    assert Plan.objects.filter(previous_edition=sasebo).exists()


# --- 5. departments matched by name across municipalities --------------------------------
def _renamed_project_workbook(plan, pid, new_name) -> bytes:
    wb = openpyxl.load_workbook(BytesIO(workbook_export(plan)))
    ws = wb["プロジェクト"]
    headers = [c.value for c in ws[1]]
    pid_col, name_col = headers.index("PID") + 1, headers.index("名称") + 1
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, pid_col).value == pid:
            ws.cell(row, name_col).value = new_name
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_5_another_citys_department_of_the_same_name_changes_nothing(sasebo, people):
    project = Project.objects.filter(plan=sasebo).order_by("pk").first()
    project.department = people["sasebo_somu"]
    project.save()
    content = _renamed_project_workbook(sasebo, project.pid, "長崎から改名")
    before = fingerprint()
    with pytest.raises(WorkbookError) as refused:
        workbook_import(content, plan=sasebo, user=people["nora"])
    assert "他の自治体" in str(refused.value)
    assert fingerprint() == before
    # Sasebo's own 総務部 editor may rename it (name is an editor's field)
    workbook_import(content, plan=sasebo, user=people["sota"])
    project.refresh_from_db()
    assert project.name == "長崎から改名"


def test_5_the_per_model_project_import_finds_the_plans_own_department(sasebo, people):
    project = Project.objects.filter(plan=sasebo).order_by("pk").first()
    project.department = people["sasebo_somu"]
    project.save()
    resource = ProjectResource(user=people["admin"])
    dataset = resource.export(Project.objects.filter(pk=project.pk))
    dataset.dict = [dict(row) | {"名称": "改名"} for row in dataset.dict]
    result = resource.import_data(dataset, dry_run=False)
    assert not result.has_errors(), [e.error for r in result.rows for e in r.errors]
    project.refresh_from_db()
    assert project.name == "改名" and project.department == people["sasebo_somu"]


# --- 6. editors creating and deleting projects through imports ---------------------------
def test_6_an_editor_creates_no_project_through_the_per_model_import(sasebo, people):
    resource = ProjectResource(user=people["bob"])
    dataset = tablib.Dataset(
        headers=["計画", "PID", "名称", "概要", "主体部局", "リーディング", "別冊掲載"]
    )
    dataset.append(["sasebo-r7", "観光9-9-9", "新規", "", "観光商工部", "0", "1"])
    before = fingerprint()
    result = resource.import_data(dataset, dry_run=False)
    assert (
        result.has_errors() or result.has_validation_errors() or any(r.errors for r in result.rows)
    )
    assert not Project.objects.filter(plan=sasebo, pid="観光9-9-9").exists()
    assert fingerprint() == before


def test_6_an_editor_adds_or_deletes_no_project_through_the_workbook(sasebo, people):
    wb = openpyxl.load_workbook(BytesIO(workbook_export(sasebo)))
    ws = wb["プロジェクト"]
    headers = [c.value for c in ws[1]]
    pid_col = headers.index("PID") + 1
    own_rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, pid_col).value == OWN_PID]
    # a copy of the editor's own project under a new PID, and the original row removed
    for col in range(1, ws.max_column + 1):
        ws.cell(ws.max_row + 1 if col == 1 else ws.max_row, col).value = ws.cell(
            own_rows[0], col
        ).value
    ws.cell(ws.max_row, pid_col).value = "観光1-1-99"
    for r in reversed(own_rows):
        ws.delete_rows(r)
    out = BytesIO()
    wb.save(out)
    before = fingerprint()
    with pytest.raises(WorkbookError) as refused:
        workbook_import(out.getvalue(), plan=sasebo, user=people["bob"])
    text = str(refused.value)
    assert "観光1-1-99" in text and OWN_PID in text and "DX推進担当" in text
    assert fingerprint() == before


# --- 7. a signed-in user without a group reads drafts -------------------------------------
def test_7_drafts_are_read_only_by_the_municipalitys_staff(client, sasebo, people):
    sasebo.status = Plan.Status.DRAFT
    sasebo.save()
    urls = [
        reverse("reports:plan-dashboard", args=[sasebo.slug]),
        reverse("reports:report", args=[sasebo.slug]),
        reverse("reports:plan-history", args=[sasebo.slug]),
        reverse("reports:plan-export", args=[sasebo.slug]),
        reverse("reports:report-pdf", args=[sasebo.slug]),
        reverse("reports:project-table", args=[sasebo.slug]),
    ]
    for who in ("nobody", "nora"):
        client.force_login(people[who])
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
        listing = client.get(reverse("reports:plan-list")).content.decode()
        assert f"/plans/{sasebo.slug}/" not in listing
    client.force_login(people["viewer"])
    assert client.get(urls[0]).status_code == 200
