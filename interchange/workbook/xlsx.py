"""The .xlsx format (openpyxl): a ``Book`` of meaningful cells for the reader, and a
``BookWriter`` for the export (interchange/formats.py).

Reading streams each sheet through openpyxl's read-only parser, made tolerant of cells it
cannot convert. A number is a percentage when its number format *scales* it — ``0%``,
``0.0%``, ``0.0#%`` as Excel, LibreOffice and Google Sheets write a percent cell — and not
when the ``%`` is only a literal suffix (``0.0#"%"`` or ``0.0#\\%``, as files from before
native percentages carry): the cell then says PERCENT and holds the fraction.

Writing uses openpyxl's write-only mode (memory stays flat) with one named style per kind of
cell; text is always a text cell, percentages are native (the fraction with ``0.0#%``).
"""

import math
import re
from decimal import Decimal
from functools import lru_cache
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook.properties import CalcProperties
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import VALUE_TAG, WorkSheetParser
from openpyxl.worksheet.datavalidation import DataValidation

from interchange.formats import (
    BOOL,
    DATE,
    ERROR,
    FORMULA,
    NUMBER,
    PERCENT,
    TEXT,
    UNREADABLE,
    Cell,
    ListSource,
    SheetUnreadable,
    percent_fraction,
)
from interchange.spreadsheet import looks_like_formula
from interchange.workbook import layout as L
from interchange.workbook.importer import VALUE_TEXT, _not_finite, clip

PERCENT_FORMAT = "0.0#%"


# --- reading ---------------------------------------------------------------------------
class _Unreadable:
    """A cell whose stored value openpyxl cannot convert (「NaN」 in a number cell, a shared
    string index out of range, …): reported with its sheet, row and column, not as an
    unreadable workbook."""

    __slots__ = ("message",)

    def __str__(self) -> str:
        return "（読めない値）"

    def __init__(self, data_type: str, text: str):
        if data_type == "n" and _is_non_finite(text):
            self.message = _not_finite(text)
        elif data_type == "n":
            self.message = f"数値として読めません: 「{clip(text)}」"
        else:
            kind = clip(data_type, 10)
            self.message = f"セルの値を読めません（種類「{kind}」）: 「{clip(text)}」"


def _is_non_finite(text: str) -> bool:
    if len(text) > VALUE_TEXT:
        return False
    try:
        return not math.isfinite(float(text))
    except (ValueError, OverflowError):
        return False


class _SheetParser(WorkSheetParser):
    """openpyxl's read-only worksheet parser, changed in three ways: a cell whose value
    cannot be converted becomes an ``_Unreadable`` value instead of ending the whole read,
    row heights and the like are not kept for every row, and the sheet's declared dimension
    is not trusted (every row in the file is read, as Excel shows them)."""

    def parse_row(self, row):
        number = row.get("r")
        if number is not None:
            try:
                self.row_counter = int(number)
            except ValueError as exc:
                raise SheetUnreadable(f"行番号として読めません: 「{clip(number)}」") from exc
        else:
            self.row_counter += 1
        self.col_counter = 0
        return self.row_counter, [self.parse_cell(element) for element in row]

    def parse_cell(self, element):
        try:
            return super().parse_cell(element)
        except (ValueError, OverflowError, IndexError, KeyError, TypeError):
            pass
        coordinate = element.get("r")
        if coordinate:
            try:
                row, column = coordinate_to_tuple(coordinate)
            except (ValueError, TypeError) as exc:
                raise SheetUnreadable(f"セル番地として読めません: 「{clip(coordinate)}」") from exc
        else:
            row, column = self.row_counter, self.col_counter
        data_type = element.get("t", "n")
        return {
            "row": row,
            "column": column,
            "value": _Unreadable(data_type, element.findtext(VALUE_TAG) or ""),
            "data_type": data_type,
            "style_id": 0,
        }


def _sheet_rows(wb, ws):
    """(row number, [cell dict]) for each row element of a read-only worksheet."""
    with ws._get_source() as source:
        parser = _SheetParser(
            source,
            ws._shared_strings,
            data_only=False,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        yield from parser.parse()


@lru_cache(maxsize=256)
def is_percent_format(number_format: str) -> bool:
    """Does the format scale the value by 100 (0.3 shown as 30%)? A ``%`` inside quotes or
    escaped with a backslash is a literal suffix, and sections in brackets ([Red], [$-411])
    say nothing about it."""
    code = re.sub(r'"[^"]*"', "", number_format or "")
    code = re.sub(r"\\.", "", code)
    code = re.sub(r"\[[^\]]*\]", "", code)
    return "%" in code


class XlsxBook:
    def __init__(self, content: bytes):
        self.wb = load_workbook(BytesIO(content), read_only=True, data_only=False)
        self.sheetnames = list(self.wb.sheetnames)

    def is_worksheet(self, sheet: str) -> bool:
        return isinstance(self.wb[sheet], ReadOnlyWorksheet)

    def rows(self, sheet: str):
        ws = self.wb[sheet]
        source = _sheet_rows(self.wb, ws)
        try:
            for number, cell_dicts in source:
                cells = {}
                for c in cell_dicts:
                    if c["value"] is None or c["value"] == "":
                        continue
                    cells[c["column"] - 1] = _meaning(ws, c)
                yield number, cells
        finally:
            source.close()  # the sheet's zip member, also when reading stops early

    def close(self) -> None:
        self.wb.close()


def _meaning(ws, c: dict) -> Cell:
    value, data_type = c["value"], c["data_type"]
    if isinstance(value, _Unreadable):
        return Cell(UNREADABLE, value.message)
    if data_type == "f":
        return Cell(FORMULA, value)
    if data_type == "e":
        return Cell(ERROR, value)
    if isinstance(value, bool):
        return Cell(BOOL, value)
    if isinstance(value, str):
        return Cell(TEXT, value)
    if isinstance(value, int | float | Decimal):
        try:
            number_format = ReadOnlyCell(ws, **c).number_format
        except (IndexError, KeyError, AttributeError):
            return Cell(UNREADABLE, "セルの書式が壊れています")
        if isinstance(value, float) and not math.isfinite(value):
            return Cell(UNREADABLE, _not_finite(str(value)))
        return Cell(PERCENT if is_percent_format(number_format) else NUMBER, value)
    if hasattr(value, "isoformat"):
        return Cell(DATE, value)
    return Cell(TEXT, str(value))


def open_book(content: bytes) -> XlsxBook:
    return XlsxBook(content)


# --- writing ---------------------------------------------------------------------------
def _styles(wb: Workbook) -> None:
    header = NamedStyle(name="dx_header")
    header.font = Font(bold=True, color="FFFFFF")
    header.fill = PatternFill("solid", fgColor="1D4E89")
    header.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    text = NamedStyle(name="dx_text", number_format="@")  # typed codes stay text too
    text.alignment = Alignment(wrap_text=True, vertical="top")
    literal = NamedStyle(name="dx_literal", number_format="@")  # looks like a formula
    literal.alignment = Alignment(wrap_text=True, vertical="top")
    literal.quotePrefix = True
    number = NamedStyle(name="dx_number", number_format="General")
    number.alignment = Alignment(vertical="top")
    percent = NamedStyle(name="dx_percent", number_format=PERCENT_FORMAT)
    percent.alignment = Alignment(vertical="top")
    for style in (header, text, literal, number, percent):
        wb.add_named_style(style)


def _cell(ws, value, style: str | None = None) -> WriteOnlyCell:
    """A write-only cell; text that a spreadsheet would read as a formula stays text."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever openpyxl guessed from a leading =
        if looks_like_formula(value):
            cell.style = "dx_literal"
            cell.quotePrefix = True  # "show as typed": stays text when edited in Excel
            return cell
    if style:
        cell.style = style
    return cell


def _number(value: Decimal) -> int | Decimal:
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        return int(normalized)
    return normalized


class XlsxSheet:
    def __init__(self, wb: Workbook, title: str, headers, widths, freeze: str = "A2"):
        self.ws = wb.create_sheet(title)
        self.headers = headers
        for index, header in enumerate(headers):
            self.ws.column_dimensions[L.column_letter(index)].width = widths.get(header, 12)
        self.ws.freeze_panes = freeze
        self.rows = 1
        self.ws.append([_cell(self.ws, h, "dx_header") for h in headers])

    def row(self, values: list, percent_columns: frozenset[int] = frozenset()) -> None:
        cells = []
        for index, value in enumerate(values):
            if isinstance(value, Decimal):
                if index in percent_columns:
                    value, style = percent_fraction(value), "dx_percent"
                else:
                    value, style = _number(value), "dx_number"
            elif isinstance(value, int) and not isinstance(value, bool):
                style = "dx_number"
            else:
                value = "" if value is None else value
                style = "dx_text"
            cells.append(_cell(self.ws, value if value != "" else None, style))
        self.ws.append(cells)
        self.rows += 1

    def validate(self, source: ListSource, columns: list[int], prompt: str) -> None:
        if self.rows < 2 or not columns:
            return
        formula = f"{source.sheet}!${source.column}${source.first}:${source.column}${source.last}"
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.error = prompt
        dv.errorTitle = "入力できない値です"
        dv.showErrorMessage = True
        for index in columns:
            letter = L.column_letter(index)
            dv.add(f"{letter}2:{letter}{max(self.rows, 2) + 500}")
        self.ws.data_validations.append(dv)


class XlsxWriter:
    def __init__(self):
        self.wb = Workbook(write_only=True)
        # no formulas: nothing to recalculate (openpyxl's default asks Excel to)
        self.wb.calculation = CalcProperties(fullCalcOnLoad=False)
        _styles(self.wb)
        self.sheets: dict[str, XlsxSheet] = {}

    def sheet(self, title: str, headers, widths, freeze: str = "A2") -> XlsxSheet:
        self.sheets[title] = XlsxSheet(self.wb, title, headers, widths, freeze)
        return self.sheets[title]

    def hide(self, title: str) -> None:
        self.sheets[title].ws.sheet_state = "hidden"

    def save(self) -> bytes:
        out = BytesIO()
        self.wb.save(out)
        return out.getvalue()
