"""The plan's texts (文書の形式, 計画の概要, めざす姿の前文), the field texts (基本方針の説明,
2030年のめざす姿, 取組分野・キーワード) and the projects' PID の別表記 in every way plan data
flows: PlanData, the diff and its labels, plan_apply with history, the whole-plan workbook in
both formats (and older workbooks without the new rows and columns), editions, the YAML
loader and the admin."""

import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse

from interchange.demo import PlanFixtureError, plan_load_yaml
from interchange.editions import edition_start
from interchange.plandata import attribute_label, display, plan_apply, plan_data, plan_diff
from interchange.workbook import layout as L
from interchange.workbook.export import workbook_export
from interchange.workbook.importer import WorkbookError, import_refusals, workbook_import
from projects.models import Project
from strategy.models import Department, Field, Plan
from tests.conftest import DEMO_SLUGS, make_user
from tests.interchange.workbooks import open_workbook, save_workbook

pytestmark = pytest.mark.django_db

EXECUTION = "実行計画（重点課題ごとに 進捗状況・目標・KPI の3ページ）"
PROMOTION = "推進計画（基本方針・基本施策ごとに1ページ、成果指標は基準値→目標値）"
# 002:543, the description of 基本方針 1 (002:668 prints 「デジタル技術により便利で」)
DESCRIPTION_1 = (
    "豊かな暮らしを支えるサービスを、デジタル技術でより便利で効率的にするとともに、"
    "これらの情報発信と情報格差（デジタル・ディバイド）対策に取り組み、"
    "誰一人取り残されない、人にやさしいデジタル化を推進します。"
)


def _column(ws, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def _row_of(ws, **wanted) -> int:
    cols = {h: _column(ws, h) for h in wanted}
    for row in range(2, ws.max_row + 1):
        if all(ws.cell(row, cols[h]).value == v for h, v in wanted.items()):
            return row
    raise AssertionError(f"no row with {wanted}")


def _plan_row(ws, label: str) -> int:
    return _row_of(ws, 項目=label)


def _refused(plan: Plan, content: bytes) -> str:
    before = plan_data(plan)
    with pytest.raises(WorkbookError) as exc:
        workbook_import(content, dry_run=True)
    assert plan_data(plan) == before
    return "\n".join(exc.value.errors)


def _replace_in_ods(content: bytes, replacements: dict[str, str]) -> bytes:
    """The .ods with text replaced in content.xml (each once), every member kept as stored."""
    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(content)) as src,
        zipfile.ZipFile(out, "w") as dst,
    ):
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "content.xml":
                text = data.decode("utf-8")
                for old, new in replacements.items():
                    assert text.count(old) == 1, old
                    text = text.replace(old, new)
                data = text.encode("utf-8")
            dst.writestr(item, data)
    return out.getvalue()


# --- PlanData ------------------------------------------------------------------------------


def test_plan_data_carries_the_texts_and_aliases(sasebo, nagasaki):
    data = plan_data(nagasaki)
    assert data.plan["layout"] == "promotion"
    assert data.plan["vision_lead"].startswith("まちや人を中心として、")  # 002:401
    assert data.fields[1] == {
        "name": "利用者に寄り添ったサービスを提供します",
        "description": DESCRIPTION_1,
        "area_name": "生活",
        "vision_title": "人と人がつながり、便利で暮らしやすいまち",
        "vision_text": nagasaki.fields.get(number=1).vision_text,
        "keywords": nagasaki.fields.get(number=1).keywords,
    }
    data = plan_data(sasebo)
    assert data.plan["layout"] == "execution"
    assert data.projects["職場環境1-a-1-1"]["aliases"] == "職場環境1-b-2-2"  # 000:6306-6309
    assert data.projects["観光1-1-4"]["aliases"] == ""


def test_plan_data_normalises_the_alias_separators(sasebo):
    Project.objects.filter(plan=sasebo, pid="観光1-1-4").update(aliases="観光X-1, 観光X-2\n観光X-3")
    assert plan_data(sasebo).projects["観光1-1-4"]["aliases"] == "観光X-1、観光X-2、観光X-3"


def test_the_diff_names_the_new_attributes_in_japanese(nagasaki):
    old = plan_data(nagasaki)
    new = plan_data(nagasaki)
    new.plan["layout"] = "execution"
    new.fields[2] = {**new.fields[2], "description": "新しい説明"}
    diff = plan_diff(old, new)
    by_attribute = {c.attribute: c for c in diff.changed}
    assert set(by_attribute) == {"layout", "description"}
    layout = by_attribute["layout"]
    assert layout.sheet == "計画" and layout.attribute_label == "文書の形式"
    assert layout.old_text == PROMOTION and layout.new_text == EXECUTION
    description = by_attribute["description"]
    assert description.sheet == "体系" and description.label == "分野 2"
    assert description.attribute_label == "説明"
    labels = {
        ("plan", "introduction"): "計画の概要",
        ("plan", "vision_lead"): "めざす姿の前文",
        ("fields", "area_name"): "めざす姿の分野",
        ("fields", "vision_title"): "めざす姿",
        ("fields", "vision_text"): "めざす姿の説明",
        ("fields", "keywords"): "取組分野・キーワード",
        ("projects", "aliases"): "PID の別表記",
        ("values", "value"): "予定・実績",
    }
    for (collection, attribute), label in labels.items():
        assert attribute_label(collection, attribute) == label
    assert display("layout", "unknown") == "unknown"


def test_apply_writes_each_text_with_history(sasebo):
    data = plan_data(sasebo)
    data.plan["vision_lead"] = "2つの分野のめざす姿"
    data.fields[1] = {**data.fields[1], "area_name": "まち", "keywords": "・観光\n・農林水産"}
    data.projects["観光1-1-4"] = {**data.projects["観光1-1-4"], "aliases": "観光1-1-4旧"}
    field = Field.objects.get(plan=sasebo, number=1)
    project = Project.objects.get(plan=sasebo, pid="観光1-1-4")
    history = (field.history.count(), project.history.count(), sasebo.history.count())
    diff = plan_apply(plan=sasebo, data=data)
    assert diff.total == 4
    field.refresh_from_db()
    project.refresh_from_db()
    sasebo.refresh_from_db()
    assert (field.area_name, field.keywords) == ("まち", "・観光\n・農林水産")
    assert project.aliases == "観光1-1-4旧" and project.alias_list == ["観光1-1-4旧"]
    assert sasebo.vision_lead == "2つの分野のめざす姿"
    assert (field.history.count(), project.history.count(), sasebo.history.count()) == tuple(
        n + 1 for n in history
    )
    assert Project.objects.filter(plan=sasebo).search("観光1-1-4旧").get() == project


def test_a_new_edition_copies_the_texts_and_aliases(sasebo):
    edition = edition_start(plan=sasebo, fiscal_year=sasebo.report_year + 1)
    assert edition.layout == "execution"
    assert edition.introduction == sasebo.introduction and edition.introduction
    old, new = plan_data(sasebo), plan_data(edition)
    assert new.fields == old.fields
    assert {p: a["aliases"] for p, a in new.projects.items()} == {
        p: a["aliases"] for p, a in old.projects.items()
    }
    assert new.projects["土木3-1/2-1"]["aliases"] == "土木3-1"  # 000:1342


# --- the workbook ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_export_then_import_changes_nothing(demo_plans, slug, fmt):
    plan = Plan.objects.get(slug=slug)
    before = plan_data(plan)
    result = workbook_import(workbook_export(plan, fmt), dry_run=True)
    assert result.diff.is_empty, result.diff.summary_text()
    assert result.data.plan["layout"] == plan.layout
    assert result.data.fields == before.fields
    assert {p: a["aliases"] for p, a in result.data.projects.items()} == {
        p: a["aliases"] for p, a in before.projects.items()
    }


def test_the_workbook_shows_the_texts_where_people_edit_them(nagasaki, sasebo):
    wb = open_workbook(workbook_export(nagasaki))
    ws = wb[L.PLAN]
    assert ws.cell(_plan_row(ws, "文書の形式"), 2).value == PROMOTION
    assert ws.cell(_plan_row(ws, "めざす姿の前文"), 2).value.endswith(
        "2030年のめざす姿を描きます。"
    )
    ws = wb[L.STRUCTURE]
    headers = [c.value for c in ws[1]]
    assert headers[-5:] == [
        "説明",
        "めざす姿の分野",
        "めざす姿",
        "めざす姿の説明",
        "取組分野・キーワード",
    ]
    row = _row_of(ws, レベル="分野", 分野="4")
    assert ws.cell(row, _column(ws, "めざす姿")).value == (
        "デジタル技術で新たな楽しみ方を創出し、人をひきつけているまち"  # 002:480-481
    )
    issue_row = _row_of(ws, レベル="重点課題", 重点課題="4-01")
    assert ws.cell(issue_row, _column(ws, "説明")).value is None
    ws = open_workbook(workbook_export(sasebo))[L.PROJECTS]
    assert [c.value for c in ws[1]][-1] == "PID の別表記"
    row = _row_of(ws, PID="職場環境1-a-2-1")
    assert ws.cell(row, _column(ws, "PID の別表記")).value == "職場1-a-2-1"  # 000:2703


def test_edits_of_layout_description_and_aliases_are_previewed_and_applied(nagasaki, sasebo):
    wb = open_workbook(workbook_export(nagasaki))
    ws = wb[L.PLAN]
    ws.cell(_plan_row(ws, "文書の形式"), 2).value = EXECUTION
    ws = wb[L.STRUCTURE]
    ws.cell(_row_of(ws, レベル="分野", 分野="1"), _column(ws, "説明")).value = "説明を改めました。"
    content = save_workbook(wb)
    preview = workbook_import(content, dry_run=True)
    changes = {
        (c.sheet, c.label, c.attribute_label): (c.old_text, c.new_text)
        for c in preview.diff.changed
    }
    assert changes == {
        ("計画", "計画", "文書の形式"): (PROMOTION, EXECUTION),
        ("体系", "分野 1", "説明"): (DESCRIPTION_1, "説明を改めました。"),
    }
    assert Plan.objects.get(pk=nagasaki.pk).layout == "promotion"  # a preview writes nothing
    workbook_import(content)
    assert Plan.objects.get(pk=nagasaki.pk).layout == "execution"
    assert Field.objects.get(plan=nagasaki, number=1).description == "説明を改めました。"

    wb = open_workbook(workbook_export(sasebo))
    ws = wb[L.PROJECTS]
    row = _row_of(ws, PID="観光1-1-4")
    ws.cell(row, _column(ws, "PID の別表記")).value = "観光旧1-1-4, 観光旧1-1-4b"
    preview = workbook_import(save_workbook(wb), dry_run=True)
    (change,) = preview.diff.changed
    assert (change.sheet, change.label, change.attribute_label) == (
        "プロジェクト",
        "プロジェクト 観光1-1-4",
        "PID の別表記",
    )
    assert (change.old_text, change.new_text) == ("", "観光旧1-1-4、観光旧1-1-4b")
    workbook_import(save_workbook(wb))
    project = Project.objects.get(plan=sasebo, pid="観光1-1-4")
    assert project.alias_list == ["観光旧1-1-4", "観光旧1-1-4b"]


def test_an_ods_edit_of_the_layout_and_a_description_is_applied(nagasaki):
    content = _replace_in_ods(
        workbook_export(nagasaki, "ods"),
        {PROMOTION: EXECUTION, DESCRIPTION_1: "ods で改めた説明"},
    )
    preview = workbook_import(content, dry_run=True)
    assert {c.attribute for c in preview.diff.changed} == {"layout", "description"}
    workbook_import(content)
    nagasaki.refresh_from_db()
    assert nagasaki.layout == "execution"
    assert nagasaki.fields.get(number=1).description == "ods で改めた説明"


@pytest.mark.parametrize("typed", ["推進計画", "promotion", f"  {PROMOTION}  "])
def test_the_layout_is_read_by_name_short_name_or_key(sasebo, typed):
    wb = open_workbook(workbook_export(sasebo))
    ws = wb[L.PLAN]
    ws.cell(_plan_row(ws, "文書の形式"), 2).value = typed
    (change,) = workbook_import(save_workbook(wb), dry_run=True).diff.changed
    assert (change.old, change.new) == ("execution", "promotion")


def test_an_unknown_layout_is_refused_with_sheet_row_and_column(sasebo):
    wb = open_workbook(workbook_export(sasebo))
    ws = wb[L.PLAN]
    row = _plan_row(ws, "文書の形式")
    ws.cell(row, 2).value = "報告書形式"
    errors = _refused(sasebo, save_workbook(wb))
    assert (
        f"シート「計画」 {row}行目 B列（値）: 文書の形式は 「{EXECUTION}」・「{PROMOTION}」"
        in errors
    )
    assert "execution・promotion も使えます" in errors and "「報告書形式」" in errors


def test_field_texts_on_other_rows_are_refused(nagasaki):
    wb = open_workbook(workbook_export(nagasaki))
    ws = wb[L.STRUCTURE]
    row = _row_of(ws, レベル="重点課題", 重点課題="1-01")
    col = _column(ws, "めざす姿")
    ws.cell(row, col).value = "重点課題のめざす姿"
    errors = _refused(nagasaki, save_workbook(wb))
    letter = L.column_letter(col - 1)
    assert (
        f"シート「体系」 {row}行目 {letter}列（めざす姿）: 「分野」の行にだけ入力できます" in errors
    )


@pytest.mark.parametrize(
    "typed, reported_on, message",
    [
        ("観光1-1-4", "観光1-1-4", "別表記「観光1-1-4」が PID と同じです"),
        ("観光1-1-6", "観光1-1-4", "別表記「観光1-1-6」はほかのプロジェクトの PID です"),
        # the second project in sheet order carrying it is named
        (
            "職場環境1-b-2-2",
            "職場環境1-a-1-1",
            "別表記「職場環境1-b-2-2」は PID「観光1-1-4」の別表記でもあります",
        ),
    ],
)
def test_an_alias_naming_another_project_is_refused(sasebo, typed, reported_on, message):
    wb = open_workbook(workbook_export(sasebo))
    ws = wb[L.PROJECTS]
    col = _column(ws, "PID の別表記")
    ws.cell(_row_of(ws, PID="観光1-1-4"), col).value = typed
    errors = _refused(sasebo, save_workbook(wb))
    row = _row_of(ws, PID=reported_on)
    where = f"シート「プロジェクト」 {row}行目 {L.column_letter(col - 1)}列（PID の別表記）"
    assert f"{where}: {message}" in errors, errors


def _old_workbook(plan: Plan) -> bytes:
    """The export as it was before the texts existed: no 文書の形式 / 計画の概要 / めざす姿の前文
    rows, no field-text columns on 体系, no PID の別表記 column on プロジェクト."""
    wb = open_workbook(workbook_export(plan))
    ws = wb[L.PLAN]
    for label in ("めざす姿の前文", "計画の概要", "文書の形式"):
        ws.delete_rows(_plan_row(ws, label))
    ws = wb[L.STRUCTURE]
    ws.delete_cols(_column(ws, "説明"), 5)
    ws = wb[L.PROJECTS]
    ws.delete_cols(_column(ws, "PID の別表記"))
    return save_workbook(wb)


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_an_old_workbook_imports_and_keeps_the_stored_texts(demo_plans, slug):
    plan = Plan.objects.get(slug=slug)
    content = _old_workbook(plan)
    headers = [c.value for c in open_workbook(content)[L.STRUCTURE][1]]
    assert "説明" not in headers and headers[-1] == "取り組み内容"
    result = workbook_import(content, dry_run=True)
    assert result.diff.is_empty, result.diff.summary_text()
    assert result.data.plan["layout"] == plan.layout


def test_an_old_workbook_with_an_edit_applies_it_and_keeps_the_texts(nagasaki):
    before = plan_data(nagasaki)
    wb = open_workbook(_old_workbook(nagasaki))
    ws = wb[L.STRUCTURE]
    ws.cell(_row_of(ws, レベル="分野", 分野="3"), _column(ws, "名称")).value = "新しい基本方針"
    result = workbook_import(save_workbook(wb))
    (change,) = result.diff.changed
    assert (change.label, change.attribute) == ("分野 3", "name")
    field = Field.objects.get(plan=nagasaki, number=3)
    assert field.name == "新しい基本方針"
    assert (
        field.vision_title
        == before.fields[3]["vision_title"]
        == "次代を担う人が成長し、活躍できるまち"
    )
    nagasaki.refresh_from_db()
    assert nagasaki.layout == "promotion" and nagasaki.vision_lead == before.plan["vision_lead"]


def test_a_department_editor_may_not_change_aliases(sasebo):
    department = Department.objects.get(municipality=sasebo.municipality, name="観光商工部")
    editor = make_user("kanko-editor", "部局編集者", department=department)
    current = plan_data(sasebo)
    new = plan_data(sasebo)
    new.projects["観光1-1-4"] = {**new.projects["観光1-1-4"], "aliases": "観光旧1-1-4"}
    refusals = import_refusals(editor, sasebo, current, new, plan_diff(current, new))
    assert refusals and all("プロジェクト 観光1-1-4" in r for r in refusals)
    new = plan_data(sasebo)
    new.projects["観光1-1-4"] = {**new.projects["観光1-1-4"], "summary": "概要を改めました。"}
    assert import_refusals(editor, sasebo, current, new, plan_diff(current, new)) == []


# --- the YAML loader -------------------------------------------------------------------------


def _fixture(tmp_path: Path, plan_extra: str = "", fields: str = "", project_extra: str = ""):
    (tmp_path / "issues").mkdir()
    (tmp_path / "plan.yaml").write_text(
        f"""
municipality: {{code: "422029", name: 佐世保市}}
plan:
  slug: texts-test
  title: 文章のテスト
  baseline_year: R3
  start_year: R4
  end_year: R9
  report_year: R7
{plan_extra}
departments: []
fields:
  - number: 1
    name: まちづくり
{fields}
""",
        encoding="utf-8",
    )
    (tmp_path / "issues" / "1.yaml").write_text(
        f"""
field: 1
number: 1
category: 観光
title: 観光
challenges: [{{number: 1, title: 課題, steps: []}}]
projects:
  - {{pid: 観光1-1-1, name: 一つ目}}
  - {{pid: 観光1-1-2, name: 二つ目{project_extra}}}
""",
        encoding="utf-8",
    )
    return tmp_path


def test_the_loader_reads_every_new_key(tmp_path):
    directory = _fixture(
        tmp_path,
        plan_extra="  layout: promotion\n  introduction: 概要です。\n  vision_lead: 前文です。",
        fields=(
            "    description: 説明です。\n    area_name: 生活\n    vision_title: めざす姿です\n"
            "    vision_text: |\n      ・一つ目\n      ・二つ目\n    keywords: ・キーワード"
        ),
        project_extra=", aliases: '観光旧1, 観光旧2'",
    )
    plan, _ = plan_load_yaml(directory)
    assert (plan.layout, plan.introduction, plan.vision_lead) == (
        "promotion",
        "概要です。",
        "前文です。",
    )
    field = plan.fields.get()
    assert (field.description, field.area_name, field.vision_title) == (
        "説明です。",
        "生活",
        "めざす姿です",
    )
    assert (field.vision_text, field.keywords) == ("・一つ目\n・二つ目", "・キーワード")
    assert plan.projects.get(pid="観光1-1-2").aliases == "観光旧1、観光旧2"
    assert plan.projects.get(pid="観光1-1-1").aliases == ""
    # loading again changes nothing
    assert plan_load_yaml(directory)[1].is_empty


def test_the_loader_defaults_to_the_execution_layout(tmp_path):
    plan, _ = plan_load_yaml(_fixture(tmp_path))
    assert (plan.layout, plan.introduction, plan.vision_lead) == ("execution", "", "")


def test_the_loader_names_every_bad_new_key(tmp_path):
    directory = _fixture(
        tmp_path,
        plan_extra="  layout: report\n  introducton: 綴り違い",
        fields="    area_name: " + "長" * 31 + "\n    vision: 綴り違い",
        project_extra=", aliases: '観光1-1-1、観光1-1-2', alias: x",
    )
    with pytest.raises(PlanFixtureError) as exc:
        plan_load_yaml(directory)
    errors = exc.value.errors
    assert (
        "plan.yaml: plan.layout: 不明な文書の形式です: report（execution / promotion のいずれか）"
        in errors
    )
    assert "plan.yaml: plan: 不明な項目: ['introducton']" in errors
    assert "plan.yaml: fields[0]: 不明な項目: ['vision']" in errors
    assert "plan.yaml: fields[0].area_name: 長すぎます（31 文字、上限 30 文字）" in errors
    assert "1.yaml: projects[観光1-1-2]: 不明な項目: ['alias']" in errors
    assert (
        "1.yaml: projects[観光1-1-2].aliases: "
        "別表記「観光1-1-1」はほかのプロジェクトの PID です（1.yaml）" in errors
    )
    assert "1.yaml: projects[観光1-1-2].aliases: 別表記「観光1-1-2」が PID と同じです" in errors
    assert not Plan.objects.filter(slug="texts-test").exists()


# --- the admin ---------------------------------------------------------------------------------


def test_the_project_list_shows_and_finds_aliases(admin_client, sasebo):
    url = reverse("admin:projects_project_changelist")
    page = admin_client.get(url, {"q": "職場1-a-2-1"}).content.decode()  # 000:2703
    assert "PID の別表記" in page
    assert "職場環境1-a-2-1" in page and "職場1-a-2-1" in page
    assert "職場環境1-b-1-1" not in page


def test_the_project_form_refuses_an_alias_that_is_another_pid(admin_client, sasebo):
    from tests.formdata import form_data

    project = Project.objects.get(plan=sasebo, pid="観光1-1-4")
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = form_data(admin_client.get(url).content.decode(), "project_form")
    data["aliases"] = ["観光1-1-6"]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert (
        "別表記「観光1-1-6」はこの計画のほかのプロジェクトの PID です。"
        in response.content.decode()
    )
    data["aliases"] = ["観光旧1-1-4 , 観光旧1-1-4b"]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    project.refresh_from_db()
    assert project.aliases == "観光旧1-1-4、観光旧1-1-4b"


def test_the_plan_and_field_forms_offer_the_texts(admin_client, nagasaki):
    page = admin_client.get(reverse("admin:strategy_plan_change", args=[nagasaki.pk])).content
    page = page.decode()
    for label in (
        "文書の形式",
        "計画の概要",
        "めざす姿の前文",
        "めざす姿の分野",
        "取組分野・キーワード",
    ):
        assert label in page, label
    assert f'<option value="promotion" selected>{PROMOTION}</option>' in page
    field = nagasaki.fields.get(number=5)
    page = admin_client.get(reverse("admin:strategy_field_change", args=[field.pk])).content
    assert "行政DXにより、質の高い市民サービスが提供されるまち" in page.decode()  # 002:504
