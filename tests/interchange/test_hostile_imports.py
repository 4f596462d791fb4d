"""Hostile workbooks are refused cleanly (or, for harmless padding, read correctly) and the
database is unchanged."""

import re
import zipfile
from io import BytesIO

import openpyxl
import pytest
from django.test import override_settings

from interchange.plandata import plan_data
from interchange.workbook.export import workbook_export
from interchange.workbook.importer import WorkbookError, workbook_import

pytestmark = pytest.mark.django_db


def _rezip(
    content: bytes, replace: dict[str, bytes] | None = None, add: dict | None = None
) -> bytes:
    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(content)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = src.read(item.filename)
            if replace and item.filename in replace:
                data = replace[item.filename]
            dst.writestr(item.filename, data)
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def _refused(plan, content, *messages):
    before = plan_data(plan)
    with pytest.raises(WorkbookError) as exc:
        workbook_import(content)
    text = "\n".join(exc.value.errors)
    for message in messages:
        assert message in text, text
    assert plan_data(plan) == before


def test_an_xml_bomb_inside_the_workbook(sasebo):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">'.encode()
            for i in range(9)
        )
        + b']><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheets><sheet name='&lol8;' sheetId='1'/></sheets></workbook>"
    )
    content = _rezip(workbook_export(sasebo), replace={"xl/workbook.xml": bomb})
    _refused(sasebo, content, "読めません")
    # the same bomb inside a worksheet, which openpyxl streams in read-only mode
    sheet_bomb = bomb.replace(b"<workbook", b"<worksheet").replace(b"</workbook>", b"</worksheet>")
    content = _rezip(workbook_export(sasebo), replace={"xl/worksheets/sheet1.xml": sheet_bomb})
    _refused(sasebo, content)


@override_settings(DXPLAN_IMPORT_MAX_EXPANDED_BYTES=10 * 1024 * 1024)
def test_a_zip_that_expands_far_beyond_the_limit(sasebo):
    content = _rezip(
        workbook_export(sasebo), add={"xl/media/padding.bin": b"\0" * (30 * 1024 * 1024)}
    )
    assert len(content) < 1024 * 1024
    _refused(sasebo, content, "zip 爆弾")


def test_a_renamed_file_that_is_not_a_workbook(sasebo):
    _refused(
        sasebo,
        b"%PDF-1.7\n" + b"x" * 5000,
        "取り込めません",
        "取り込めるのは Excel ブック（.xlsx）、OpenDocument",
    )
    docx_like = BytesIO()
    with zipfile.ZipFile(docx_like, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    _refused(
        sasebo,
        docx_like.getvalue(),
        "取り込めません",
        "取り込めるのは Excel ブック（.xlsx）、OpenDocument",
    )


def test_formula_cells(sasebo):
    wb = openpyxl.load_workbook(BytesIO(workbook_export(sasebo)))
    wb["プロジェクト"]["H2"] = '=HYPERLINK("http://example.invalid","x")'
    out = BytesIO()
    wb.save(out)
    _refused(sasebo, out.getvalue(), "シート「プロジェクト」 2行目 H列（名称）", "数式は使えません")


def test_a_hundred_thousand_empty_rows_are_skipped_not_read(sasebo):
    content = workbook_export(sasebo)
    with zipfile.ZipFile(BytesIO(content)) as z:
        names = {n for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
        sheet = sorted(names)[2]  # プロジェクト
        xml = z.read(sheet).decode()
    last = max(int(n) for n in re.findall(r'<row r="(\d+)"', xml))
    padding = "".join(f'<row r="{n}"/>' for n in range(last + 1, last + 100_001))
    xml = xml.replace("</sheetData>", padding + "</sheetData>")
    padded = _rezip(content, replace={sheet: xml.encode()})
    before = plan_data(sasebo)
    result = workbook_import(padded)
    assert result.diff.is_empty
    assert plan_data(sasebo) == before


def test_overlong_text(sasebo):
    wb = openpyxl.load_workbook(BytesIO(workbook_export(sasebo)))
    wb["プロジェクト"]["H2"] = "長" * 20_000
    out = BytesIO()
    wb.save(out)
    _refused(sasebo, out.getvalue(), "2行目 H列（名称）", "長すぎます")


def test_control_characters(sasebo):
    wb = openpyxl.load_workbook(BytesIO(workbook_export(sasebo)))
    wb["プロジェクト"]["I2"] = "概要\x7f"
    out = BytesIO()
    wb.save(out)
    _refused(sasebo, out.getvalue(), "2行目 I列（概要）", "制御文字")
    # characters XML itself forbids make the file unreadable: refused as a whole
    content = workbook_export(sasebo)
    with zipfile.ZipFile(BytesIO(content)) as z:
        xml = z.read("xl/worksheets/sheet3.xml").decode()
    broken = _rezip(
        content, replace={"xl/worksheets/sheet3.xml": xml.replace("<t>", "<t>&#x1;", 1).encode()}
    )
    _refused(sasebo, broken)
