""".ods (interchange/workbook/ods.py) without LibreOffice: the export read back, the
reader's cell meanings and repeats, and hostile files (zip and XML bombs, huge padding)."""

import re
import time
import tracemalloc
import zipfile
from datetime import date, datetime
from datetime import time as clock
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import override_settings

from interchange.formats import (
    BOOL,
    DATE,
    ERROR,
    FORMATS,
    FORMULA,
    NUMBER,
    PERCENT,
    TEXT,
    UNREADABLE,
    Cell,
    ListSource,
    SheetUnreadable,
)
from interchange.plandata import plan_data
from interchange.workbook import layout as L
from interchange.workbook import ods
from interchange.workbook.export import workbook_export
from interchange.workbook.importer import WorkbookError, workbook_import

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"'
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def build_ods(tables: str, *, prolog: str = "", manifest: str = MANIFEST) -> bytes:
    """A minimal .ods whose spreadsheet body is ``tables`` (table:table elements)."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<office:document-content {NS} office:version="1.3"><office:body>'
        f"<office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    return zip_parts({"content.xml": content, "META-INF/manifest.xml": manifest})


def zip_parts(parts: dict[str, str | bytes], mimetype: str = ods.MIMETYPE) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored, first, as ODF wants
        for name, data in parts.items():
            z.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def edit_content(content: bytes, change) -> bytes:
    """An .ods with its content.xml replaced by ``change(xml text)``."""
    source = zipfile.ZipFile(BytesIO(content))
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "content.xml":
                data = change(data.decode()).encode()
            z.writestr(info, data)
    return out.getvalue()


def table(name: str, rows: str) -> str:
    return f'<table:table table:name="{name}">{rows}</table:table>'


def cell(inner: str = "", **attrs) -> str:
    attributes = "".join(
        f' {k.replace("__", ":").replace("_", "-")}="{v}"' for k, v in attrs.items()
    )
    if not inner:
        return f"<table:table-cell{attributes}/>"
    return f"<table:table-cell{attributes}>{inner}</table:table-cell>"


def text_cell(text: str, **attrs) -> str:
    return cell(f"<text:p>{text}</text:p>", office__value_type="string", **attrs)


def rows_of(content: bytes, sheet: str | None = None) -> list:
    book = ods.open_book(content)
    try:
        return list(book.rows(sheet or book.sheetnames[0]))
    finally:
        book.close()


def refusal(content: bytes) -> str:
    with pytest.raises(WorkbookError) as caught:
        ods.open_book(content)
    return "\n".join(caught.value.errors)


# --- the export -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["sasebo", "nagasaki"])
def test_ods_export_reimported_directly_gives_no_change(slug, demo_plans, request):
    # demo_plans named here: loaded before the test's transaction, not rolled back with it
    plan = request.getfixturevalue(slug)
    content = workbook_export(plan, "ods")
    assert FORMATS["ods"].name == "ods" and content[:2] == b"PK"
    result = workbook_import(content, plan=plan, dry_run=True)
    assert result.diff.total == 0, result.diff.summary_text()


@pytest.mark.django_db
def test_ods_export_layout(sasebo):
    content = workbook_export(sasebo, "ods")
    book = ods.open_book(content)
    assert book.sheetnames == [*L.SHEETS, L.CHOICES]
    assert all(book.is_worksheet(s) for s in book.sheetnames) and not book.is_worksheet("x")
    z = zipfile.ZipFile(BytesIO(content))
    assert z.namelist()[0] == "mimetype" and z.getinfo("mimetype").compress_type == 0
    xml = z.read("content.xml").decode()
    styles = z.read("styles.xml").decode()
    settings_xml = z.read("settings.xml").decode()
    assert "table:formula" not in xml  # text is never a formula, whatever it starts with
    # the header style, as the .xlsx export's
    header = re.search(r'<style:style style:name="dx_header".*?</style:style>', styles).group(0)
    assert 'fo:background-color="#1D4E89"' in header and 'fo:color="#FFFFFF"' in header
    assert 'fo:font-weight="bold"' in header
    # a native percent style: the fraction shown as 0.0#%
    assert re.search(
        r'<number:percentage-style style:name="dx_percent_format"[^>]*>'
        r'<number:number number:decimal-places="2" number:min-decimal-places="1"',
        styles,
    )
    # hidden list sheet, drop-downs pointing at it
    assert re.search(r'<table:table table:name="選択肢" table:style-name="dx_hidden"', xml)
    assert re.search(
        r'<style:style style:name="dx_hidden" style:family="table"[^>]*>'
        r'<style:table-properties table:display="false"/>',
        xml,
    )
    conditions = set(re.findall(r'table:condition="([^"]*)"', xml))
    assert "of:cell-content-is-in-list([$選択肢.$A$2:.$A$200])" in conditions
    assert all(c.startswith("of:cell-content-is-in-list([$選択肢.$") for c in conditions)
    assert xml.count("table:content-validation-name=") > 500
    # frozen panes for Calc: プロジェクト at H2
    entry = (
        r'<config:config-item-map-entry config:name="プロジェクト">(.*?)</config:config-item-map'
    )
    project = re.search(entry, settings_xml).group(1)
    assert '"HorizontalSplitPosition" config:type="int">7<' in project
    assert '"VerticalSplitPosition" config:type="int">1<' in project


@pytest.mark.django_db
def test_ods_export_percent_cells_are_native(sasebo):
    data = plan_data(sasebo)
    key = next(k for k, a in sorted(data.kpis.items()) if a["unit"] == "%")
    year, value = next(
        (y, v) for (k, y), v in sorted(data.values.items()) if k == key and v[0] is not None
    )
    content = workbook_export(sasebo, "ods")
    book = ods.open_book(content)
    rows = list(book.rows(L.KPIS))
    headers = {c.value: n for n, c in rows[0][1].items()}
    label = f"{key[1]}-{key[2]} {data.challenges[(key[1], key[2])]['title']}"
    row = next(
        cells
        for _, cells in rows
        if cells.get(headers["KPI"]) == Cell(TEXT, key[3])
        and cells.get(headers["課題"]) == Cell(TEXT, label)
    )
    planned = row[headers[L.value_headers(sasebo)[2 * sasebo.value_years.index(year)]]]
    assert planned.kind == PERCENT and planned.value == value[0] / 100


def test_ods_writer_keeps_text_as_text_and_numbers_as_numbers():
    writer = ods.OdsWriter()
    sheet = writer.sheet("データ", ["名前", "値", "率"], {"名前": 30})
    texts = ["=1+2", "+SUM(A1)", "-x", "@cmd", "\t=cmd|' /C calc'!A0", "\r=HYPERLINK(1)"]
    texts += ["  前後の空白  ", "a\tb\r\nc\n\nd\re", "<&>\"'", "1-01"]
    for text in texts:
        sheet.row([text])
    sheet.row([None, 5, Decimal("12.1")], frozenset({2}))
    sheet.row([None, Decimal("-1.50"), Decimal("100")], frozenset({2}))
    sheet.validate(ListSource("リスト", "A", 2, 4), [0], "選んでください")
    writer.sheet("リスト", ["x"], {}).row(["a"])
    writer.hide("リスト")
    content = writer.save()
    rows = rows_of(content, "データ")
    # CR LF is a line break, as read from an .xlsx; a lone CR stays
    expected = [Cell(TEXT, t.replace("\r\n", "\n")) for t in texts]
    assert [r[1][0] for r in rows[1 : len(texts) + 1]] == expected
    assert rows[-2][1] == {1: Cell(NUMBER, Decimal(5)), 2: Cell(PERCENT, Decimal("0.121"))}
    assert rows[-1][1] == {1: Cell(NUMBER, Decimal("-1.5")), 2: Cell(PERCENT, Decimal(1))}


# --- reading ----------------------------------------------------------------------------


def test_ods_reader_cell_meanings():
    content = build_ods(
        table(
            "S",
            "<table:table-row>"
            + cell("<text:p>5</text:p>", office__value_type="float", office__value="5")
            + cell(office__value_type="float", office__value="1E+2")
            + cell(office__value_type="percentage", office__value="0.121")
            + cell(office__value_type="currency", office__value="1200.5", office__currency="JPY")
            + cell(office__value_type="date", office__date_value="2024-04-01")
            + cell(office__value_type="date", office__date_value="2024-04-01T10:30:00")
            + cell(office__value_type="time", office__time_value="PT10H30M00S")
            + cell(office__value_type="boolean", office__boolean_value="true")
            + cell(
                "<text:p>3</text:p>",
                table__formula="of:=1+2",
                office__value_type="float",
                office__value="3",
            )
            + cell(
                "<text:p>#N/A</text:p>",
                table__formula="of:=NA()",
                office__value_type="string",
                office__string_value="",
                calcext__value_type="error",
            )
            + cell("<text:p>#DIV/0!</text:p>", calcext__value_type="error")
            + cell(office__value_type="float", office__value="NaN")
            + cell(office__value_type="float", office__value="abc")
            + cell(office__value_type="strange")
            + "</table:table-row>",
        )
    )
    [(number, cells)] = rows_of(content)
    assert number == 1
    assert cells == {
        0: Cell(NUMBER, Decimal(5)),
        1: Cell(NUMBER, Decimal(100)),
        2: Cell(PERCENT, Decimal("0.121")),
        3: Cell(NUMBER, Decimal("1200.5")),
        4: Cell(DATE, date(2024, 4, 1)),
        5: Cell(DATE, datetime(2024, 4, 1, 10, 30)),
        6: Cell(DATE, clock(10, 30)),
        7: Cell(BOOL, True),
        8: Cell(FORMULA, "of:=1+2"),
        9: Cell(FORMULA, "of:=NA()"),
        10: Cell(ERROR, "#DIV/0!"),
        11: cells[11],
        12: cells[12],
        13: cells[13],
    }
    assert cells[11].kind == UNREADABLE and "有限" in cells[11].value
    assert cells[12].kind == UNREADABLE and "数値として読めません" in cells[12].value
    assert cells[13].kind == UNREADABLE and "strange" in cells[13].value
    assert str(cells[1].value) == "100"  # a code or a year reads plainly, not as 1E+2


def test_ods_reader_text_paragraphs_spaces_and_what_is_not_text():
    content = build_ods(
        table(
            "S",
            "<table:table-row>"
            + cell(
                "<office:annotation><text:p>a comment</text:p></office:annotation>"
                '<text:p>一行目<text:s text:c="3"/>x<text:tab/>y<text:line-break/>z</text:p>'
                "<text:p/>"
                "<text:p>  raw  spaces\tand tab <text:span>span</text:span>"
                "<draw:frame><draw:text-box><text:p>shape</text:p></draw:text-box></draw:frame>"
                "</text:p>",
                office__value_type="string",
            )
            + cell("<text:p>no type</text:p>")
            + cell(
                "<text:p>ignored</text:p>", office__value_type="string", office__string_value="kept"
            )
            + cell("<text:p></text:p>", office__value_type="string")  # empty: left out
            + cell("<office:annotation><text:p>only a note</text:p></office:annotation>")
            + "</table:table-row>",
        )
    )
    [(_, cells)] = rows_of(content)
    assert cells == {
        0: Cell(TEXT, "一行目   x\ty\nz\n\n  raw  spaces\tand tab span"),
        1: Cell(TEXT, "no type"),
        2: Cell(TEXT, "kept"),
    }


def test_ods_reader_repeats_covered_cells_and_padding():
    padding = (
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    content = build_ods(
        table(
            "S",
            "<table:table-header-rows><table:table-row>"
            + text_cell("h1")
            + text_cell("h2", table__number_columns_repeated="2")
            + "</table:table-row></table:table-header-rows>"
            + '<table:table-row table:number-rows-repeated="3">'
            + cell(table__number_columns_repeated="2")
            + text_cell("○")
            + "</table:table-row>"
            + padding
            + "<table:table-row-group><table:table-row>"
            + text_cell("merged", table__number_columns_spanned="2")
            + '<table:covered-table-cell office:value-type="string"><text:p>hidden</text:p>'
            + "</table:covered-table-cell>"
            + text_cell("after")
            + '<table:table-cell table:number-columns-repeated="16381"/>'
            + "</table:table-row></table:table-row-group>"
            + padding,
        )
        + table("T", "<table:table-row>" + text_cell("t") + "</table:table-row>")
    )
    tracemalloc.start()
    started = time.perf_counter()
    rows = rows_of(content, "S")
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert rows == [
        (1, {0: Cell(TEXT, "h1"), 1: Cell(TEXT, "h2"), 2: Cell(TEXT, "h2")}),
        (2, {2: Cell(TEXT, "○")}),
        (3, {2: Cell(TEXT, "○")}),
        (4, {2: Cell(TEXT, "○")}),
        (1048005, {0: Cell(TEXT, "merged"), 2: Cell(TEXT, "after")}),
    ]
    assert rows[1][1] is not rows[2][1]  # a repeated row is a row of its own
    # never materialised: the memory says so; the time bound (generous, for a busy CI
    # machine) only catches a loop over the 17 billion repeated cells
    assert elapsed < 10 and peak < 2_000_000, (elapsed, peak)
    assert rows_of(content, "T") == [(1, {0: Cell(TEXT, "t")})]


def test_ods_reader_limits_are_sheet_errors():
    many = build_ods(
        table(
            "S",
            f'<table:table-row table:number-rows-repeated="{ods.MAX_ROWS + 1}">'
            + text_cell("x")
            + "</table:table-row>",
        )
    )
    with pytest.raises(SheetUnreadable, match="行数が多すぎます"):
        rows_of(many)
    wide = build_ods(
        table(
            "S",
            "<table:table-row>"
            + cell(table__number_columns_repeated="16384")
            + text_cell("x")
            + "</table:table-row>",
        )
    )
    with pytest.raises(SheetUnreadable, match="列目より右"):
        rows_of(wide)
    cells = build_ods(
        table(
            "S",
            '<table:table-row table:number-rows-repeated="1000">'
            + text_cell("x", table__number_columns_repeated="16000")
            + "</table:table-row>",
        )
    )
    with pytest.raises(SheetUnreadable, match="セルが多すぎます"):
        rows_of(cells)
    spaces = build_ods(
        table(
            "S",
            "<table:table-row>"
            + text_cell('<text:s text:c="9999999"/>' * 3)
            + "</table:table-row>",
        )
    )
    with pytest.raises(SheetUnreadable, match="空白の繰り返し"):
        rows_of(spaces)
    bad = build_ods(
        table(
            "S",
            '<table:table-row table:number-rows-repeated="many"><table:table-cell/>'
            "</table:table-row>",
        )
    )
    with pytest.raises(SheetUnreadable, match="繰り返し数"):
        rows_of(bad)


def test_ods_refuses_xml_and_zip_bombs_quickly():
    laughs = (
        '<!DOCTYPE office:document-content [<!ENTITY a "hahahahahahahahahahaha">'
        + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(9))
        + "]>"
    )
    started = time.perf_counter()
    bomb = build_ods(
        table("S", "<table:table-row>" + text_cell("&j;") + "</table:table-row>"), prolog=laughs
    )
    assert "XML 爆弾" in refusal(bomb)
    external = build_ods(
        table("S", "<table:table-row>" + text_cell("&x;") + "</table:table-row>"),
        prolog='<!DOCTYPE x [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    )
    assert "XML 爆弾" in refusal(external)
    assert time.perf_counter() - started < 20  # an expanded bomb takes minutes
    # zip bomb: a tiny file that expands past the ratio
    zeros = zip_parts({"content.xml": b"<a/>" + b" " * 5_000_000})
    assert "zip 爆弾" in refusal(zeros)
    with override_settings(DXPLAN_IMPORT_MAX_BYTES=100):
        assert "ファイルが大きすぎます" in refusal(build_ods(table("S", "")))
    with override_settings(DXPLAN_IMPORT_MAX_EXPANDED_BYTES=100):
        assert "zip 爆弾" in refusal(build_ods(table("S", "")))


def test_ods_refuses_what_is_not_a_readable_spreadsheet():
    assert "ではありません" in refusal(b"not a zip at all")
    assert "ではありません" in refusal(zip_parts({"content.xml": "<a/>"}, mimetype="text/plain"))
    assert "ではありません" in refusal(zip_parts({"styles.xml": "<a/>"}))
    broken = build_ods(table("S", "<table:table-row>"))
    assert "XML が壊れています" in refusal(broken)
    encrypted = build_ods(
        table("S", ""),
        manifest=MANIFEST.replace(
            "</manifest:manifest>", "<manifest:encryption-data/></manifest:manifest>"
        ),
    )
    assert "暗号化" in refusal(encrypted)


# --- through the importer ---------------------------------------------------------------


@pytest.mark.django_db
def test_ods_with_a_formula_cell_is_refused_with_its_place(sasebo):
    content = workbook_export(sasebo, "ods")
    pid = sorted(plan_data(sasebo).projects)[0]

    def formula_name(xml: str) -> str:
        # the 名称 cell of that project's row: 2 cells after the PID cell
        at = xml.index(f"<text:p>{pid}</text:p></table:table-cell>")
        start = xml.index("<table:table-cell", at)
        end = xml.index("</table:table-cell>", start) + len("</table:table-cell>")
        return (
            xml[:start] + '<table:table-cell table:formula="of:=1+2" office:value-type="float" '
            'office:value="3"><text:p>3</text:p></table:table-cell>' + xml[end:]
        )

    with pytest.raises(WorkbookError) as caught:
        workbook_import(edit_content(content, formula_name), plan=sasebo, dry_run=True)
    message = "\n".join(caught.value.errors)
    assert "シート「プロジェクト」" in message and "H列（名称）: 数式は使えません" in message


@pytest.mark.django_db
def test_ods_with_libreoffice_padding_imports_unchanged_and_quickly(nagasaki):
    content = workbook_export(nagasaki, "ods")
    padding = (
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="16384"/>'
        "</table:table-row></table:table>"
    )
    padded = edit_content(content, lambda xml: xml.replace("</table:table>", padding))
    started = time.perf_counter()
    result = workbook_import(padded, plan=nagasaki, dry_run=True)
    assert result.diff.total == 0, result.diff.summary_text()
    assert time.perf_counter() - started < 30  # iterating the padding would take hours


def test_ods_reader_reads_sheets_in_any_order_and_blames_the_right_one():
    def one(name: str, n: int) -> str:
        rows = "".join(
            f"<table:table-row>{text_cell(f'{name}{r}')}</table:table-row>" for r in range(n)
        )
        return table(name, rows)

    broken = table(
        "Bad",
        "<table:table-row>"
        + text_cell("ok")
        + "</table:table-row>"
        + '<table:table-row table:number-rows-repeated="x">'
        + text_cell("no")
        + "</table:table-row>",
    )
    content = build_ods(one("A", 3) + broken + one("B", 2000) + one("C", 2))
    expected = {
        name: [(r + 1, {0: Cell(TEXT, f"{name}{r}")}) for r in range(n)]
        for name, n in (("A", 3), ("B", 2000), ("C", 2))
    }
    book = ods.open_book(content)
    assert book.sheetnames == ["A", "Bad", "B", "C"]
    # in document order, one pass; the broken sheet fails alone
    assert list(book.rows("A")) == expected["A"]
    with pytest.raises(SheetUnreadable, match="繰り返し数"):
        list(book.rows("Bad"))
    assert list(book.rows("B")) == expected["B"]
    assert list(book.rows("C")) == expected["C"]
    # backwards, twice, and after a sheet left half read
    assert list(book.rows("B")) == expected["B"]
    assert list(book.rows("A")) == expected["A"]
    assert list(book.rows("A")) == expected["A"]
    half = book.rows("B")
    assert next(half) == expected["B"][0]
    assert list(book.rows("C")) == expected["C"]
    assert list(book.rows("B")) == expected["B"]
    book.close()
    # a fresh book: the first sheet left half read, then the next ones
    book = ods.open_book(content)
    rows = book.rows("A")
    next(rows)
    assert list(book.rows("B")) == expected["B"]
    book.close()
