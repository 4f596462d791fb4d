"""Whole-plan workbook: export layout, round trip, one-cell edits and every refusal."""

from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from interchange.plandata import plan_data
from interchange.workbook import layout as L
from interchange.workbook.export import workbook_export
from interchange.workbook.importer import WorkbookError, workbook_import
from kpis.models import IndicatorValue
from projects.models import Project
from strategy.models import Plan
from tests import builders
from tests.interchange.workbooks import open_workbook, save_workbook

pytestmark = pytest.mark.django_db

PROJECT_HEADERS = (
    "分野 分類 主体部局 DX重点課題 課題 ステップ PID 名称 概要 リーディング 活動指標 "
    "R3 R3実績 R4 R4実績 R5 R5実績 R6 R6実績 R7 R7実績 R8 R8実績 R9 R9実績 "
    "実施年度R4 実施年度R5 実施年度R6 実施年度R7 実施年度R8 実施年度R9"
).split()


def _cells(content: bytes) -> dict:
    wb = open_workbook(content)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb}


def _column(ws, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def _row_of(ws, header: str, value, **also) -> int:
    wanted = {header: value, **also}
    cols = {h: _column(ws, h) for h in wanted}
    for row in range(2, ws.max_row + 1):
        if all(ws.cell(row, cols[h]).value == v for h, v in wanted.items()):
            return row
    raise AssertionError(f"no row with {wanted}")


def test_it_exports_the_documents_layout(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    assert wb.sheetnames[:5] == ["計画", "体系", "プロジェクト", "KPI", "文章"]
    projects = wb["プロジェクト"]
    headers = [c.value for c in projects[1]]
    assert headers[: len(PROJECT_HEADERS)] == PROJECT_HEADERS
    assert projects.freeze_panes == "H2"
    assert all(wb[s].freeze_panes for s in L.SHEETS)
    assert len(projects.data_validations.dataValidation) == 3
    assert wb["KPI"]["A1"].value == "分野" and [c.value for c in wb["KPI"][1]][:7] == L.KPI_LEAD
    # 106 table projects + 5 from progress pages; one row per project and activity indicator
    pids = {projects.cell(r, 7).value for r in range(2, projects.max_row + 1)}
    assert len(pids) == 111
    leading = _column(projects, "リーディング")
    assert {projects.cell(r, leading).value for r in range(2, projects.max_row + 1)} == {"○", None}
    # a percentage KPI is a native percent cell (the fraction, a scaling % format), as every
    # spreadsheet program reads and writes it
    kpis = wb["KPI"]
    row = _row_of(kpis, "KPI", "オンライン申請利用率")
    r3 = kpis.cell(row, _column(kpis, "R3"))
    assert r3.value == 0.1 and r3.number_format == "0.0#%"


def test_it_exports_the_same_cells_every_time(sasebo):
    assert _cells(workbook_export(sasebo)) == _cells(workbook_export(sasebo))


@pytest.mark.parametrize("slug", ["sasebo-r7", "nagasaki-dx"])
def test_it_round_trips_a_plan_without_changes(demo_plans, slug):
    plan = Plan.objects.get(slug=slug)
    before = plan_data(plan)
    result = workbook_import(workbook_export(plan), dry_run=True)
    assert result.diff.is_empty, result.diff.summary_text()
    assert "変更はありません（0 件）" in result.diff.summary_text()
    result = workbook_import(workbook_export(plan))
    assert result.diff.is_empty
    assert plan_data(plan) == before


def test_it_changes_exactly_the_one_edited_actual(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    ws = wb["プロジェクト"]
    row = _row_of(ws, "PID", "観光1-1-6")
    ws.cell(row, _column(ws, "R5実績")).value = 4
    preview = workbook_import(save_workbook(wb), dry_run=True)
    assert preview.diff.total == 1
    (change,) = preview.diff.changed
    assert change.sheet == "プロジェクト"
    assert "観光1-1-6" in change.label and "R5" in change.label
    # seed 000:2895: 人流データを活用した行動分析 「1 2 3 5 …」 → R4 1/2, R5 3/5
    assert change.old_text == "予定 3 / 実績 5" and change.new_text == "予定 3 / 実績 4"
    before = plan_data(sasebo)
    workbook_import(save_workbook(wb))
    after = plan_data(sasebo)
    changed = [k for k in after.values if after.values[k] != before.values.get(k)]
    assert len(changed) == 1
    value = IndicatorValue.objects.get(indicator__project__pid="観光1-1-6", fiscal_year=2023)
    assert value.actual_number == Decimal(4) and value.planned_number == Decimal(3)


def test_it_keeps_marks_and_reads_excel_percentages(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    ws = wb["KPI"]
    row = _row_of(ws, "KPI", "オンライン申請利用率", 分類="窓口")
    ws.cell(row, _column(ws, "R6")).value = "－"
    ws.cell(row, _column(ws, "R7")).value = "…"
    cell = ws.cell(row, _column(ws, "R8"))
    cell.value, cell.number_format = 0.45, "0%"  # typed as 45% in Excel
    workbook_import(save_workbook(wb))
    values = {
        v.fiscal_year: v
        for v in IndicatorValue.objects.filter(
            indicator__name="オンライン申請利用率", indicator__challenge__issue__category="窓口"
        )
    }
    assert values[2024].planned_mark == "－" and values[2025].planned_mark == "…"
    assert values[2026].planned_number == Decimal(45)
    again = workbook_import(workbook_export(sasebo), dry_run=True)
    assert again.diff.is_empty


def test_it_leaves_formula_like_text_inert_and_unchanged(sasebo):
    project = Project.objects.get(plan=sasebo, pid="観光1-1-6")
    project.name = '=HYPERLINK("http://example.invalid","x")'
    project.summary = "@SUM(A1) +1 -2"
    project.save()
    content = workbook_export(sasebo)
    ws = open_workbook(content)["プロジェクト"]
    row = _row_of(ws, "PID", "観光1-1-6")
    name = ws.cell(row, _column(ws, "名称"))
    assert name.data_type == "s" and name.value == project.name
    assert workbook_import(content, dry_run=True).diff.is_empty


def _refused(plan, content, *messages):
    before = plan_data(plan)
    with pytest.raises(WorkbookError) as exc:
        workbook_import(content)
    text = "\n".join(exc.value.errors)
    for message in messages:
        assert message in text, text
    assert plan_data(plan) == before
    return text


def test_it_refuses_a_missing_sheet(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    del wb["KPI"]
    _refused(sasebo, save_workbook(wb), "シート「KPI」", "シートがありません")


def test_it_refuses_a_missing_header(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    wb["プロジェクト"].cell(1, 8).value = "なまえ"
    _refused(
        sasebo, save_workbook(wb), "シート「プロジェクト」 1行目 H列（名称）", "見出しが違います"
    )


def test_it_refuses_an_unknown_department(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    ws = wb["プロジェクト"]
    row = _row_of(ws, "PID", "観光1-1-6")
    ws.cell(row, _column(ws, "主体部局")).value = "宇宙開発部"
    _refused(sasebo, save_workbook(wb), f"{row}行目 C列（主体部局）", "宇宙開発部")


def test_it_refuses_a_duplicated_pid(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    ws = wb["プロジェクト"]
    row = _row_of(ws, "PID", "観光1-1-7")
    ws.cell(row, _column(ws, "PID")).value = "観光1-1-6"
    _refused(sasebo, save_workbook(wb), f"{row}行目 G列（PID）", "観光1-1-6", "重複")


def test_it_refuses_a_value_that_is_neither_a_number_nor_a_mark(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    ws = wb["KPI"]
    row = _row_of(ws, "KPI", "データを活用した事業立案数")
    col = _column(ws, "R5実績")
    ws.cell(row, col).value = "たくさん"
    _refused(
        sasebo,
        save_workbook(wb),
        f"シート「KPI」 {row}行目 {L.column_letter(col - 1)}列（R5実績）",
        "たくさん",
    )


def test_it_refuses_a_year_outside_the_plans_period(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    ws = wb["文章"]
    ws.cell(2, _column(ws, "年度")).value = "R12"
    _refused(
        sasebo, save_workbook(wb), "シート「文章」 2行目 D列（年度）", "R12 は計画の年度範囲外です"
    )
    wb = open_workbook(workbook_export(sasebo))
    ws = wb["プロジェクト"]
    ws.cell(1, _column(ws, "R9実績")).value = "R10実績"
    _refused(sasebo, save_workbook(wb), "見出しが違います")


def test_it_refuses_a_project_on_a_step_that_does_not_exist(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    ws = wb["プロジェクト"]
    row = _row_of(ws, "PID", "観光1-1-6")
    ws.cell(row, _column(ws, "ステップ")).value = "1-9"
    _refused(sasebo, save_workbook(wb), f"{row}行目 F列（ステップ）", "ステップ 1-9 がありません")


def test_it_refuses_a_file_that_is_not_a_workbook(sasebo):
    _refused(
        sasebo,
        b"%PDF-1.4 not a workbook",
        "取り込めません",
        "取り込めるのは Excel ブック（.xlsx）、OpenDocument",
    )
    _refused(sasebo, b"PK\x03\x04broken", "Excel ブック")


@override_settings(DXPLAN_IMPORT_MAX_BYTES=10_000)
def test_it_refuses_a_file_over_the_size_limit(sasebo):
    _refused(sasebo, workbook_export(sasebo), "ファイルが大きすぎます", "上限 10,000 バイト")


def test_it_refuses_formula_cells(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    ws = wb["KPI"]
    row = _row_of(ws, "KPI", "データを活用した事業立案数")
    ws.cell(row, _column(ws, "R6実績")).value = "=1+1"
    _refused(sasebo, save_workbook(wb), "数式は使えません")


def test_the_commands_export_preview_apply_and_refuse(sasebo, tmp_path, capsys):
    path = tmp_path / "plan.xlsx"
    call_command("export_plan", "sasebo-r7", str(path))
    call_command("import_plan", str(path), "--dry-run")
    assert "変更はありません（0 件）" in capsys.readouterr().out
    wb = openpyxl.load_workbook(path)
    ws = wb["プロジェクト"]
    ws.cell(_row_of(ws, "PID", "観光1-1-6"), _column(ws, "名称")).value = "人流データ分析"
    wb.save(path)
    call_command("import_plan", str(path), "--plan", "sasebo-r7", "--details")
    out = capsys.readouterr().out
    assert "変更 1 行（1 セル）" in out and "人流データを活用した行動分析 → 人流データ分析" in out
    assert Project.objects.get(plan=sasebo, pid="観光1-1-6").name == "人流データ分析"
    ws.cell(_row_of(ws, "PID", "観光1-1-6"), _column(ws, "主体部局")).value = "宇宙開発部"
    wb.save(path)
    with pytest.raises(CommandError, match="宇宙開発部"):
        call_command("import_plan", str(path))


def test_it_imports_into_a_plan_of_another_size(db):
    plan = builders.full_plan()
    content = workbook_export(plan)
    assert workbook_import(content, dry_run=True).diff.is_empty


@pytest.mark.parametrize(
    "number_format, scales",
    [
        ("0%", True),
        ("0.0%", True),
        ("0.0#%", True),
        ("#,##0.00%", True),
        ("[Red]0.0%", True),
        ('0.0#"%"', False),  # our exports before native percentages
        ("0.0#\\%", False),  # the same, as LibreOffice saves it back
        ("General", False),
        ('[$-411]0"%"', False),
        ("@", False),
    ],
)
def test_it_reads_percent_formats_by_meaning(number_format, scales):
    from interchange.workbook.xlsx import is_percent_format

    assert is_percent_format(number_format) is scales


@pytest.mark.parametrize(
    "cell_value, number_format, stored",
    [
        (0.121, "0.0#%", "12.1"),  # ours, or typed 12.1% anywhere
        (0.45, "0%", "45"),  # typed 45% (or 0.45 into a percent cell)
        (12.1, '0.0#"%"', "12.1"),  # an export from before native percentages
        (12.1, "0.0#\\%", "12.1"),  # …re-saved by LibreOffice: was read as 1210
        (0.3, "0.0%", "30"),
    ],
)
def test_it_reads_a_percent_cell_as_the_percentage(sasebo, cell_value, number_format, stored):
    wb = open_workbook(workbook_export(sasebo))
    kpis = wb["KPI"]
    row = _row_of(kpis, "KPI", "オンライン申請利用率")
    cell = kpis.cell(row, _column(kpis, "R3実績"))
    cell.value, cell.number_format = cell_value, number_format
    result = workbook_import(save_workbook(wb), dry_run=True)
    changes = [c for c in result.diff.changed if c.collection == "values"]
    assert len(changes) <= 1
    new = changes[0].new if changes else None
    actual = new[2] if new else Decimal("12.1")  # R3 実績 is 12.1 in the document
    assert actual == Decimal(stored)


def test_it_writes_codes_as_text(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    structure = wb["体系"]
    for row in structure.iter_rows(min_row=2, max_col=4):
        for cell in row[1:4]:
            assert cell.value is None or isinstance(cell.value, str), cell.coordinate


def test_import_plan_user_records_who_and_is_checked_by_the_policy(sasebo, tmp_path, capsys):
    from django.contrib.auth.models import User

    from strategy.models import Department
    from tests.conftest import make_user

    make_user("dx-import", "DX推進担当", municipality=sasebo.municipality)
    kanko = Department.objects.get(municipality=sasebo.municipality, name="観光商工部")
    make_user("bob-import", "部局編集者", department=kanko)
    path = tmp_path / "plan.xlsx"
    call_command("export_plan", "sasebo-r7", str(path))
    wb = openpyxl.load_workbook(path)
    ws = wb["プロジェクト"]
    row = _row_of(ws, "PID", "観光1-1-6")
    ws.cell(row, _column(ws, "名称")).value = "人流データ分析"
    ws.cell(row, _column(ws, "リーディング")).value = None  # the DX division's field
    wb.save(path)
    with pytest.raises(CommandError, match="DX推進担当のみ"):
        call_command("import_plan", str(path), "--user", "bob-import")
    with pytest.raises(CommandError, match="ユーザーが見つかりません"):
        call_command("import_plan", str(path), "--user", "nobody-at-all")
    call_command("import_plan", str(path), "--user", "dx-import")
    project = Project.objects.get(plan=sasebo, pid="観光1-1-6")
    assert project.name == "人流データ分析"
    assert project.history.latest("history_date").history_user == User.objects.get(
        username="dx-import"
    )


def test_it_reads_phase_marks_with_the_loaders_vocabulary(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    ws = wb["プロジェクト"]
    row = _row_of(ws, "PID", "観光1-1-6")
    column = next(
        _column(ws, h) for h in L.phase_headers(sasebo) if ws.cell(row, _column(ws, h)).value == "⇒"
    )
    ws.cell(row, column).value = "→"  # as people type it; the YAML loader accepts it too
    assert workbook_import(save_workbook(wb), dry_run=True).diff.is_empty


def test_a_confirmation_applies_only_the_preview_it_confirms(sasebo):
    from interchange.services import PreviewOutdated, plan_import
    from interchange.workbook.uploads import diff_digest

    wb = open_workbook(workbook_export(sasebo))
    ws = wb["プロジェクト"]
    ws.cell(_row_of(ws, "PID", "観光1-1-6"), _column(ws, "名称")).value = "人流データ分析"
    content = save_workbook(wb)
    preview = plan_import(plan=sasebo, data=content, dry_run=True)
    project = Project.objects.get(plan=sasebo, pid="観光1-1-6")
    project.summary = "プレビューの後に誰かが変えた"
    project.save()
    with pytest.raises(PreviewOutdated) as outdated:
        plan_import(
            plan=sasebo, data=content, dry_run=False, expect_digest=diff_digest(preview.diff)
        )
    assert Project.objects.get(pk=project.pk).name != "人流データ分析"
    fresh = outdated.value.result.diff
    plan_import(plan=sasebo, data=content, dry_run=False, expect_digest=diff_digest(fresh))
    assert Project.objects.get(pk=project.pk).name == "人流データ分析"
