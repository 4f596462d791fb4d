"""Workbook upload in the admin: preview first, apply only on confirmation."""

from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interchange.plandata import plan_data
from interchange.workbook.export import workbook_export
from projects.models import Project

pytestmark = pytest.mark.django_db


def _edited(plan, name: str) -> bytes:
    wb = openpyxl.load_workbook(BytesIO(workbook_export(plan)))
    ws = wb["プロジェクト"]
    pid_col = [c.value for c in ws[1]].index("PID") + 1
    name_col = [c.value for c in ws[1]].index("名称") + 1
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, pid_col).value == "観光1-1-6":
            ws.cell(row, name_col).value = name
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(content: bytes):
    return SimpleUploadedFile("plan.xlsx", content, content_type="application/octet-stream")


def test_it_previews_then_applies_on_confirmation(admin_client, sasebo):
    url = reverse("admin:strategy_plan_workbook_import", args=[sasebo.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"file": _upload(_edited(sasebo, "人流データ分析"))})
    assert response.status_code == 200
    page = response.content.decode()
    assert "変更内容のプレビュー" in page and "人流データ分析" in page
    assert Project.objects.get(plan=sasebo, pid="観光1-1-6").name == "人流データを活用した行動分析"
    token, digest = response.context["token"], response.context["digest"]
    response = admin_client.post(url, {"confirm": "1", "token": token, "digest": digest})
    assert response.status_code == 302
    assert Project.objects.get(plan=sasebo, pid="観光1-1-6").name == "人流データ分析"


def test_it_shows_every_error_and_changes_nothing(admin_client, sasebo):
    url = reverse("admin:strategy_plan_workbook_import", args=[sasebo.pk])
    before = plan_data(sasebo)
    response = admin_client.post(url, {"file": _upload(b"not a workbook")})
    assert response.status_code == 400
    assert "取り込めるのは Excel ブック（.xlsx）" in response.content.decode()
    assert plan_data(sasebo) == before


def test_it_asks_again_when_the_data_moved_after_the_preview(admin_client, sasebo):
    url = reverse("admin:strategy_plan_workbook_import", args=[sasebo.pk])
    response = admin_client.post(url, {"file": _upload(_edited(sasebo, "人流データ分析"))})
    token, digest = response.context["token"], response.context["digest"]
    other = Project.objects.get(plan=sasebo, pid="観光1-1-7")
    other.name = "誰かが先に変更"
    other.save()
    response = admin_client.post(url, {"confirm": "1", "token": token, "digest": digest})
    assert response.status_code == 200
    assert "プレビューの後にデータが変わりました" in response.content.decode()
    assert Project.objects.get(plan=sasebo, pid="観光1-1-6").name == "人流データを活用した行動分析"


def test_it_exports_from_the_admin_and_the_dashboard(admin_client, client, sasebo):
    response = admin_client.get(reverse("admin:strategy_plan_workbook_export", args=[sasebo.pk]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    response = admin_client.get(reverse("reports:plan-export", args=["sasebo-r7"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    # a published plan's workbook, like its pages, needs no sign-in
    anonymous = client.get(reverse("reports:plan-export", args=["sasebo-r7"]))
    assert anonymous.status_code == 200 and anonymous.content[:2] == b"PK"
    page = admin_client.get(reverse("reports:plan-dashboard", args=["sasebo-r7"])).content.decode()
    assert reverse("reports:plan-export", args=["sasebo-r7"]) in page


def test_it_starts_the_next_edition_from_the_admin(admin_client, sasebo):
    response = admin_client.post(
        reverse("admin:strategy_plan_changelist"),
        {"action": "start_next_edition", "_selected_action": [sasebo.pk]},
    )
    assert response.status_code == 302
    assert sasebo.next_editions.get().slug == "sasebo-r8"
