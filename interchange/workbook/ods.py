"""OpenDocument spreadsheets (.ods): the reader and writer behind ``FORMATS["ods"]``.

Reading streams ``content.xml`` through expat instead of loading it with odfpy: odfpy's
loader builds the whole document as Python objects (about 1.5 KB per cell, and LibreOffice
pads every sheet with a million rows), and prints the whole XML to stdout when it cannot
parse it. The stream is parsed with the protections of defusedxml — a DTD, an entity
declaration or an external entity ends the parse — after the zip is checked the way the
.xlsx reader checks it (file size, member count, expanded size, compression ratio). Memory
stays proportional to one row: rows are yielded as they are parsed, repeated rows and cells
(``table:number-rows-repeated`` / ``number-columns-repeated``) are expanded one row at a
time, and repeated *empty* rows and cells only move the row and column counters. One parse
finds the sheet names; one more serves the sheets when they are read in document order.

Cell text is read as Calc reads it: character data as it stands (Calc writes runs of
spaces, tabs and CRs literally), ``text:s`` / ``text:tab`` / ``text:line-break`` as spaces,
a tab and a line feed, paragraphs joined with "\n"; notes and shapes are not the text.

Writing uses odfpy for the document around the data (styles, the percent data style,
column widths, hidden sheet, drop-down validations, frozen panes in settings.xml), while
the rows are rendered once as they come and streamed into content.xml at saving: odfpy's
element objects cost ~100 µs and ~1.5 KB per cell, far too much for a large plan.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections import deque
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from io import BytesIO
from xml.parsers import expat
from xml.sax.saxutils import escape

from odf import config as odfconfig
from odf.namespaces import NUMBERNS
from odf.number import Number, PercentageStyle
from odf.number import Text as NumberText
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import (
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TextProperties,
)
from odf.table import (
    ContentValidation,
    ContentValidations,
    ErrorMessage,
    Table,
    TableColumn,
)
from odf.text import P

from interchange import formats
from interchange.formats import (
    BOMB,
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
from interchange.workbook import layout as L

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXTNS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def _q(namespace: str, name: str) -> str:
    """The name expat reports with ``namespace_separator=" "``."""
    return f"{namespace} {name}"


SPREADSHEET = _q(OFFICE, "spreadsheet")
T_TABLE = _q(TABLE, "table")
T_ROW = _q(TABLE, "table-row")
T_CELL = _q(TABLE, "table-cell")
T_COVERED = _q(TABLE, "covered-table-cell")
T_NAME = _q(TABLE, "name")
T_ROWS_REPEATED = _q(TABLE, "number-rows-repeated")
T_COLUMNS_REPEATED = _q(TABLE, "number-columns-repeated")
T_FORMULA = _q(TABLE, "formula")
O_VALUE_TYPE = _q(OFFICE, "value-type")
O_VALUE = _q(OFFICE, "value")
O_STRING_VALUE = _q(OFFICE, "string-value")
O_DATE_VALUE = _q(OFFICE, "date-value")
O_TIME_VALUE = _q(OFFICE, "time-value")
O_BOOLEAN_VALUE = _q(OFFICE, "boolean-value")
C_VALUE_TYPE = _q(CALCEXT, "value-type")
X_P = _q(TEXTNS, "p")
X_H = _q(TEXTNS, "h")
X_S = _q(TEXTNS, "s")
X_C = _q(TEXTNS, "c")
X_TAB = _q(TEXTNS, "tab")
X_LINE_BREAK = _q(TEXTNS, "line-break")
# Elements inside a paragraph whose text is not the cell's text (notes, shapes).
X_NOTE = _q(TEXTNS, "note")

MAX_ROWS = 300_000  # non-empty rows per sheet, as the importer's limit for data rows
MAX_COLUMNS = 16_384  # Calc's (and Excel's) widest sheet
MAX_CELLS = 10_000_000  # non-empty cells per sheet once repeats are expanded
MAX_CELL_TEXT = 1_000_000  # characters of one cell's text
MAX_SPACES = 10_000_000  # spaces made from <text:s text:c="…"/> per sheet
CHUNK = 64 * 1024
QUOTE = 50

NOT_ODS = "OpenDocument スプレッドシート（.ods）ではありません"
XML_BOMB = (
    "XML に DTD・エンティティ宣言が含まれているため読み込めません（XML 爆弾の疑い）。"
    "LibreOffice Calc などで保存し直したファイルを使ってください"
)


def _clip(value) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= QUOTE else text[:QUOTE] + "…"


def _refuse(message: str):
    """The importer's user-facing error (imported late: the importer imports the formats)."""
    from interchange.workbook.importer import WorkbookError

    return WorkbookError([message])


# --- reading ---------------------------------------------------------------------------


def check_file(content: bytes) -> None:
    """Refuse what is not a reasonable .ods before any XML is parsed: the limits of every
    upload (formats.checked_zip), then what makes it an .ods."""
    try:
        with formats.checked_zip(content, NOT_ODS) as archive:
            names = set(archive.namelist())
            if "mimetype" not in names or "content.xml" not in names:
                raise formats.Refused(NOT_ODS)
            mimetype = archive.read("mimetype")[:200].decode("ascii", "replace").strip()
            if mimetype != MIMETYPE:
                raise formats.Refused(NOT_ODS)
            if "META-INF/manifest.xml" in names:
                manifest = archive.getinfo("META-INF/manifest.xml")
                if manifest.file_size > 1024 * 1024:
                    raise formats.Refused(BOMB)
                if b"encryption-data" in archive.read(manifest):
                    raise formats.Refused(
                        "パスワードで保護（暗号化）されたファイルは読み込めません。"
                        "パスワードを外して保存し直してください"
                    )
    except formats.Refused as exc:
        raise _refuse(str(exc)) from exc


class _XmlBomb(Exception):
    pass


def _refuse_dtd(*_args):
    raise _XmlBomb


def _parser() -> expat.XMLParserType:
    """An expat parser with namespaces and without DTDs or entities (as defusedxml)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    return parser


def _parse(content: bytes, parser) -> None:
    """Feed the whole content.xml to ``parser``, chunk by chunk."""
    with zipfile.ZipFile(BytesIO(content)) as archive, archive.open("content.xml") as stream:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def _xml_message(exc: expat.ExpatError) -> str:
    return f"content.xml の XML が壊れています（{exc.lineno} 行目 {exc.offset + 1} 文字目）"


def _sheet_names(content: bytes) -> list[str]:
    """The names of the spreadsheet's tables, in order; parses the whole content.xml."""
    names: list[str] = []
    depth = 0
    body = None  # depth of office:spreadsheet

    def start(name, attrs):
        nonlocal depth, body
        depth += 1
        if name == SPREADSHEET and body is None:
            body = depth
        elif name == T_TABLE and body is not None and depth == body + 1:
            names.append(attrs.get(T_NAME, ""))

    def end(name):
        nonlocal depth, body
        if depth == body:
            body = -1  # only the first office:spreadsheet holds the sheets
        depth -= 1

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        _parse(content, parser)
    except _XmlBomb as exc:
        raise _refuse(XML_BOMB) from exc
    except expat.ExpatError as exc:
        raise _refuse(
            f"OpenDocument スプレッドシートとして読めません: {_xml_message(exc)}"
        ) from exc
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise _refuse(f"{NOT_ODS}（壊れた zip: {type(exc).__name__}）") from exc
    return names


def _count(attrs, key: str, what: str) -> int:
    text = attrs.get(key)
    if text is None:
        return 1
    try:
        number = int(text.strip()) if len(text) <= 20 else -1
    except ValueError:
        number = -1
    if number < 1:
        raise SheetUnreadable(f"{what}の繰り返し数として読めません: 「{_clip(text)}」")
    return number


def _number(text: str | None, kind: str) -> Cell:
    raw = (text or "").strip()
    try:
        number = Decimal(raw) if len(raw) <= 100 else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None:
        return Cell(UNREADABLE, f"数値として読めません: 「{_clip(raw)}」")
    if not number.is_finite():
        return Cell(
            UNREADABLE, f"数値が有限の数ではありません（NaN・無限大は使えません）: 「{_clip(raw)}」"
        )
    if number == number.to_integral_value():
        try:
            number = number.quantize(Decimal(1))  # 1E+2 → 100: codes and years read plainly
        except InvalidOperation:
            pass  # too many digits to write out: the importer refuses it as too large
    return Cell(kind, number)


_DURATION = re.compile(r"-?PT?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?", re.IGNORECASE)


def _date(text: str | None) -> Cell:
    raw = (text or "").strip()
    try:
        if len(raw) <= 10:
            return Cell(DATE, date.fromisoformat(raw))
        return Cell(DATE, datetime.fromisoformat(raw[:26]))
    except ValueError:
        return Cell(UNREADABLE, f"日付として読めません: 「{_clip(raw)}」")


def _time(text: str | None) -> Cell:
    raw = (text or "").strip()
    match = _DURATION.fullmatch(raw) if len(raw) <= 50 else None
    if match and not raw.startswith("-"):
        hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
        if hours < 24 and minutes < 60 and seconds < 60:
            return Cell(DATE, time(int(hours), int(minutes), int(seconds)))
    return Cell(UNREADABLE, f"時刻として読めません: 「{_clip(raw)}」")


_END_OF_TABLE = "end"
_FAILED = "failed"


class _Pass:
    """One streaming parse of content.xml, turning tables into row records as it goes.

    Tables before ``want`` are skipped; from ``want`` on, each table's rows become records
    (table index, row number, how often the row repeats, [(first column, how often the
    cell repeats, Cell)]) for rows that hold a non-empty cell, then (table, _END_OF_TABLE).
    A limit broken inside a table becomes (table, _FAILED, message) and the rest of that
    table is skipped. ``OdsBook.rows`` expands the records; reading the sheets in document
    order (as the importer does) costs one pass, whatever their number.
    """

    def __init__(self, content: bytes):
        self.archive = zipfile.ZipFile(BytesIO(content))
        self.stream = self.archive.open("content.xml")
        self.parser = _parser()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.records: deque = deque()
        self.want = 0
        self.unread: set[int] = set()  # tables collected from their first row, not yet read
        self.done = False
        self.depth = 0
        self.body = None  # depth of office:spreadsheet
        self.tables = 0  # top-level tables started
        self.current = -1  # index of the table being collected
        self.table = None  # depth of the table being collected
        self.skip = None  # depth of an element whose content is ignored
        self.row = None  # (depth, repeat) of the current row
        self.cell = None  # depth of the current cell
        self.paragraph = None  # depth of the current paragraph

    def feed(self) -> None:
        chunk = self.stream.read(CHUNK)
        try:
            self.parser.Parse(chunk, not chunk)
        except _XmlBomb as exc:
            self.close()
            raise SheetUnreadable(XML_BOMB) from exc
        except expat.ExpatError as exc:
            self.close()
            raise SheetUnreadable(_xml_message(exc)) from exc
        if not chunk:
            self.close()

    def close(self) -> None:
        self.done = True
        self.stream.close()
        self.archive.close()

    # handlers ---------------------------------------------------------------------------
    def start(self, name, attrs):
        self.depth += 1
        depth = self.depth
        if self.skip is not None:
            return
        if self.table is None:
            if name == SPREADSHEET and self.body is None:
                self.body = depth
            elif name == T_TABLE and self.body is not None and depth == self.body + 1:
                index, self.tables = self.tables, self.tables + 1
                if index < self.want:
                    self.skip = depth
                    return
                self.current, self.table = index, depth
                if index != self.want:  # the wanted one is being read as it comes
                    self.unread.add(index)
                self.row_number, self.spaces = 1, 0
                self.parser.CharacterDataHandler = self.characters  # text matters now
            return
        try:
            if self.cell is not None:
                self._cell_start(name, attrs, depth)
            elif name == T_ROW and self.row is None:
                self.row = (depth, _count(attrs, T_ROWS_REPEATED, "行"))
                self.runs, self.column = [], 0
            elif name in (T_CELL, T_COVERED) and self.row is not None:
                self.cell, self.cell_attrs = depth, attrs
                self.cell_repeat = _count(attrs, T_COLUMNS_REPEATED, "列")
                self.covered = name == T_COVERED
                self.paragraphs, self.length, self.too_long = [], 0, False
            elif name == T_TABLE:
                self.skip = depth  # a table inside the table (not one of its rows)
        except SheetUnreadable as exc:
            self._fail(str(exc))

    def _fail(self, message: str) -> None:
        """The rest of the current table is unreadable: say so, and skip to its end."""
        self.records.append((self.current, _FAILED, message))
        self.skip = self.table
        self.row = self.cell = self.paragraph = None
        self.parser.CharacterDataHandler = None

    def _cell_start(self, name, attrs, depth):
        if self.covered:
            self.skip = depth  # hidden by a merged cell: read as empty, as in the .xlsx reader
        elif self.paragraph is None:
            if name in (X_P, X_H) and depth == self.cell + 1:
                self.paragraph, self.parts = depth, []
            else:
                self.skip = depth  # office:annotation, draw:frame, …: not the cell's text
        elif name == X_S:
            count = _count_spaces(attrs.get(X_C))
            self.spaces += count
            if self.spaces > MAX_SPACES:
                raise SheetUnreadable(
                    f"{self.row_number:,}行目: 空白の繰り返し（text:s）が多すぎます"
                    f"（上限 {MAX_SPACES:,} 文字）"
                )
            self._text(" " * count)
        elif name == X_TAB:
            self._text("\t")
        elif name == X_LINE_BREAK:
            self._text("\n")
        elif name == X_NOTE or not name.startswith(TEXTNS + " "):
            self.skip = depth  # a note or a shape anchored in the paragraph

    def characters(self, data: str):
        # Calc reads a cell's character data as it stands (it writes runs of spaces, tabs
        # and CR so, too), unlike the white space collapsing of ODF text documents.
        if self.paragraph is not None and self.skip is None:
            self._text(data)

    def _text(self, text: str):
        if self.too_long or not text:
            return
        self.length += len(text)
        if self.length > MAX_CELL_TEXT:
            self.too_long, self.parts = True, []
            return
        self.parts.append(text)

    def end(self, name):
        depth = self.depth
        self.depth -= 1
        if self.skip is not None:
            if depth == self.skip:
                self.skip = None
                if depth == self.table:  # a table given up after _fail
                    self.table = None
            return
        if self.table is None:
            if depth == self.body:
                self.body = -1  # only the first office:spreadsheet holds the sheets
            return
        if depth == self.paragraph:
            self.paragraphs.append(self.parts)
            self.paragraph, self.parts = None, []
            self.length += 1  # the line break between paragraphs
        elif depth == self.cell:
            cell = None if self.covered else self._value()
            if cell is not None:
                if self.column + self.cell_repeat > MAX_COLUMNS:
                    self._fail(
                        f"{self.row_number:,}行目: {MAX_COLUMNS:,} 列目より右にセルがあります"
                        "（読み込めません）"
                    )
                    return
                self.runs.append((self.column, self.cell_repeat, cell))
            self.column += self.cell_repeat
            self.cell = self.cell_attrs = None
        elif self.row is not None and depth == self.row[0]:
            if self.runs:
                self.records.append((self.current, self.row_number, self.row[1], self.runs))
            self.row_number += self.row[1]
            self.row, self.runs = None, []
        elif depth == self.table:
            self.records.append((self.current, _END_OF_TABLE))
            self.table = None
            self.parser.CharacterDataHandler = None

    def _value(self) -> Cell | None:
        attrs = self.cell_attrs
        formula = attrs.get(T_FORMULA)
        if formula is not None:
            return Cell(FORMULA, formula)
        kind = attrs.get(O_VALUE_TYPE)
        if attrs.get(C_VALUE_TYPE) == "error":
            return Cell(ERROR, self._paragraph_text() or "#N/A")
        if kind in ("float", "currency"):
            return _number(attrs.get(O_VALUE), NUMBER)
        if kind == "percentage":
            return _number(attrs.get(O_VALUE), PERCENT)
        if kind == "date":
            return _date(attrs.get(O_DATE_VALUE))
        if kind == "time":
            return _time(attrs.get(O_TIME_VALUE))
        if kind == "boolean":
            value = (attrs.get(O_BOOLEAN_VALUE) or "").strip().lower()
            if value in ("true", "false"):
                return Cell(BOOL, value == "true")
            return Cell(UNREADABLE, f"真偽値として読めません: 「{_clip(value)}」")
        if kind in (None, "string", "void"):
            if self.too_long:
                return Cell(
                    UNREADABLE, f"文字列が長すぎます（{MAX_CELL_TEXT:,} 文字を超えています）"
                )
            text = attrs.get(O_STRING_VALUE) if kind == "string" else None
            if text is None:
                text = self._paragraph_text()
            return Cell(TEXT, text) if text else None
        return Cell(UNREADABLE, f"セルの値を読めません（種類「{_clip(kind)}」）")

    def _paragraph_text(self) -> str:
        return "\n".join("".join(parts) for parts in self.paragraphs)


def _count_spaces(text: str | None) -> int:
    if text is None:
        return 1
    try:
        return max(int(text), 1) if len(text) <= 12 else 1
    except ValueError:
        return 1


class OdsBook:
    """An .ods opened for reading. The sheet names come from one parse of content.xml;
    rows come from another, streamed, which goes on from sheet to sheet when they are read
    in document order (and starts again for a sheet before the one it has reached)."""

    def __init__(self, content: bytes):
        self._content = content
        self.sheetnames = _sheet_names(content)
        self._pass: _Pass | None = None

    def is_worksheet(self, sheet: str) -> bool:
        return sheet in self.sheetnames  # a spreadsheet's tables are all worksheets

    def _pass_for(self, index: int) -> _Pass:
        live = self._pass
        if live is None or live.done or index < live.want:
            reusable = False
        else:  # the table has not begun yet, or was collected whole and not read
            reusable = live.tables <= index or index in live.unread
        if not reusable:
            if live is not None and not live.done:
                live.close()
            live = self._pass = _Pass(self._content)
        live.want = index
        live.unread.discard(index)
        return live

    def rows(self, sheet: str) -> Iterator[tuple[int, dict[int, Cell]]]:
        index = self.sheetnames.index(sheet)
        live = self._pass_for(index)
        rows = cells = 0
        while True:
            while live.records:
                record = live.records.popleft()
                if record[0] < index:
                    continue  # a table left unread
                if record[0] > index:
                    live.records.appendleft(record)
                    return
                if record[1] == _END_OF_TABLE:
                    return
                if record[1] == _FAILED:
                    raise SheetUnreadable(record[2])
                _, number, repeat, runs = record
                row: dict[int, Cell] = {}
                for first, count, cell in runs:
                    for column in range(first, first + count):
                        row[column] = cell
                for n in range(repeat):
                    rows += 1
                    cells += len(row)
                    if rows > MAX_ROWS:
                        raise SheetUnreadable(
                            f"{number + n:,}行目: 行数が多すぎます（上限 {MAX_ROWS:,} 行）"
                        )
                    if cells > MAX_CELLS:
                        raise SheetUnreadable(
                            f"{number + n:,}行目: セルが多すぎます（上限 {MAX_CELLS:,} セル）"
                        )
                    yield number + n, row if n == 0 else dict(row)
            if live.done:
                return
            live.feed()

    def close(self) -> None:
        if self._pass is not None and not self._pass.done:
            self._pass.close()
        self._pass = None


def open_book(content: bytes) -> OdsBook:
    check_file(content)
    return OdsBook(content)


# --- writing ---------------------------------------------------------------------------

CM_PER_CHARACTER = 0.22
DEFAULT_WIDTH = 12  # characters, as the .xlsx export
EXTRA_ROWS = 500  # rows below the data that keep the drop-downs, as the .xlsx export
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAME_PLAIN = re.compile(r"\w+")


def _xml_text(text: str) -> str:
    return escape(_ILLEGAL_XML.sub("\ufffd", text))


def _paragraph(line: str) -> str:
    """One line as a text:p that Calc and this reader read back exactly: spaces and tabs
    as they are (Calc writes them so), a carriage return as a character reference (a
    literal one would become a line feed in any XML parser)."""
    return "<text:p>" + _xml_text(line).replace("\r", "&#13;") + "</text:p>"


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _text_cell(value: str, style: str) -> str:
    # CR LF is one line break, as in the .xlsx export: Calc would read "\r" before a
    # paragraph's end as one more (a lone CR it keeps)
    lines = value.replace("\r\n", "\n").split("\n")
    paragraphs = "".join(_paragraph(line) for line in lines)
    return f' table:style-name="{style}" office:value-type="string">{paragraphs}{_END}'


_END = "</table:table-cell>"


def _render(value, percent: bool) -> str | None:
    """One cell as written after ``<table:table-cell`` (attributes, content, end tag), or
    None for an empty cell: a validation attribute can still go in front at saving."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
        return (
            f' table:style-name="dx_number" office:value-type="boolean"'
            f' office:boolean-value="{text}"><text:p>{text.upper()}</text:p>{_END}'
        )
    if isinstance(value, int | Decimal | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            return _text_cell(str(value), "dx_text")
        shown = _plain(number)
        if percent:
            return (
                f' table:style-name="dx_percent" office:value-type="percentage"'
                f' office:value="{_plain(percent_fraction(number))}"><text:p>{shown}%</text:p>'
                + _END
            )
        return (
            f' table:style-name="dx_number" office:value-type="float" office:value="{shown}">'
            f"<text:p>{shown}</text:p>{_END}"
        )
    return _text_cell(value if isinstance(value, str) else str(value), "dx_text")


def _sheet_reference(name: str) -> str:
    if _NAME_PLAIN.fullmatch(name):
        return name
    return "'" + name.replace("'", "''") + "'"


def _freeze_position(cell: str) -> tuple[int, int]:
    """ "H2" → (7 columns, 1 row) left of and above the split."""
    match = re.fullmatch(r"([A-Za-z]*)(\d*)", cell or "")
    if not match:
        return 0, 0
    letters, digits = match.groups()
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return max(column - 1, 0), max(int(digits or 1) - 1, 0)


class _OdsSheet:
    def __init__(self, book: OdsWriter, title: str, headers: list[str], widths, freeze: str):
        self.book, self.title, self.headers = book, title, headers
        self.widths = [widths.get(h, DEFAULT_WIDTH) for h in headers]
        self.freeze = _freeze_position(freeze)
        self.hidden = False
        # Each row: its cells rendered once, here (see _render), None where empty.
        self.cells: list[tuple[str | None, ...]] = [
            tuple(_text_cell(h, "dx_header") for h in headers)
        ]
        self.validations: dict[int, str] = {}  # column → validation name

    def row(self, values: list, percent_columns: frozenset[int] = frozenset()) -> None:
        self.cells.append(tuple(_render(v, n in percent_columns) for n, v in enumerate(values)))

    def validate(self, source: ListSource, columns: list[int], prompt: str) -> None:
        if not columns:
            return
        name = self.book._validation(source, self.title, columns[0], prompt)
        for column in columns:
            self.validations[column] = name

    def _xml(self) -> Iterator[str]:
        """The table's rows, one string each."""
        width = max(
            [len(self.headers), *(len(r) for r in self.cells), *(c + 1 for c in self.validations)]
        )
        for number, cells in enumerate(self.cells):
            yield self._row_xml(cells, width, validated=number > 0)
        if self.validations:  # the drop-downs go on below the data, as in the .xlsx export
            yield self._row_xml((), width, validated=True, repeat=EXTRA_ROWS)

    def _row_xml(self, cells, width: int, *, validated: bool, repeat: int = 1) -> str:
        out = [
            f'<table:table-row table:number-rows-repeated="{repeat}">'
            if repeat > 1
            else "<table:table-row>"
        ]
        empty = 0
        last = max(
            [len(cells) - 1, *(self.validations if validated else ())],
            default=-1,
        )
        for column in range(last + 1):
            cell = cells[column] if column < len(cells) else None
            check = self.validations.get(column) if validated else None
            if cell is None and check is None:
                empty += 1
                continue
            if empty:
                out.append(_empty_cells(empty))
                empty = 0
            attribute = f' table:content-validation-name="{check}"' if check else ""
            if cell is None:
                out.append(f"<table:table-cell{attribute}/>")
            else:
                out.append(f"<table:table-cell{attribute}{cell}")
        if last < 0:
            out.append(_empty_cells(max(width, 1)))
        out.append("</table:table-row>")
        return "".join(out)


def _empty_cells(count: int) -> str:
    if count == 1:
        return "<table:table-cell/>"
    return f'<table:table-cell table:number-columns-repeated="{count}"/>'


class _Marker:
    """Where a table's rows go in odfpy's content.xml: a comment replaced while the file is
    written (odfpy would hold the whole document as one string, several times over)."""

    nodeType = 3  # a text node to odfpy: not searched for style names
    childNodes = ()
    parentNode = previousSibling = nextSibling = None

    def __init__(self, number: int):
        self.xml = f"<!--dx-rows-{number}-->"

    def toXml(self, level, f):  # noqa: N802 - odfpy's name
        f.write(self.xml)


_MARKER = re.compile(r"<!--dx-rows-(\d+)-->")


class OdsWriter:
    """BookWriter for .ods: the same sheets, styles and drop-downs as the .xlsx export."""

    def __init__(self):
        self.doc = OpenDocumentSpreadsheet()
        self.sheets: list[_OdsSheet] = []
        self.validations: list[ContentValidation] = []
        self._styles()

    def _styles(self) -> None:
        doc = self.doc
        percent = PercentageStyle(name="dx_percent_format")
        percent.addElement(
            Number(
                qattributes={
                    (NUMBERNS, "decimal-places"): "2",
                    (NUMBERNS, "min-decimal-places"): "1",  # ODF 1.3: "0.0#%"
                    (NUMBERNS, "min-integer-digits"): "1",
                },
                check_grammar=False,
            )
        )
        percent.addElement(NumberText(text="%"))
        doc.styles.addElement(percent)
        header = Style(name="dx_header", family="table-cell")
        header.addElement(
            TableCellProperties(
                backgroundcolor="#1D4E89", wrapoption="wrap", verticalalign="middle"
            )
        )
        header.addElement(ParagraphProperties(textalign="center"))
        header.addElement(
            TextProperties(
                fontweight="bold",
                fontweightasian="bold",
                fontweightcomplex="bold",
                color="#FFFFFF",
            )
        )
        text = Style(name="dx_text", family="table-cell")
        text.addElement(TableCellProperties(wrapoption="wrap", verticalalign="top"))
        number = Style(name="dx_number", family="table-cell")
        number.addElement(TableCellProperties(verticalalign="top"))
        percent_cell = Style(
            name="dx_percent", family="table-cell", datastylename="dx_percent_format"
        )
        percent_cell.addElement(TableCellProperties(verticalalign="top"))
        for style in (header, text, number, percent_cell):
            doc.styles.addElement(style)
        for name, display in (("dx_visible", "true"), ("dx_hidden", "false")):
            table = Style(name=name, family="table")
            table.addElement(TableProperties(display=display))
            doc.automaticstyles.addElement(table)
        self.column_styles: dict[int, str] = {}

    def _column_style(self, width: int) -> str:
        if width not in self.column_styles:
            name = f"dx_co{len(self.column_styles) + 1}"
            style = Style(name=name, family="table-column")
            style.addElement(TableColumnProperties(columnwidth=f"{width * CM_PER_CHARACTER:.3f}cm"))
            self.doc.automaticstyles.addElement(style)
            self.column_styles[width] = name
        return self.column_styles[width]

    def _validation(self, source: ListSource, title: str, column: int, prompt: str) -> str:
        name = f"dx_val{len(self.validations) + 1}"
        sheet = _sheet_reference(source.sheet)
        condition = (
            f"of:cell-content-is-in-list([${sheet}.${source.column}${source.first}"
            f":.${source.column}${source.last}])"
        )
        validation = ContentValidation(
            name=name,
            condition=condition,
            allowemptycell="true",
            displaylist="unsorted",
            basecelladdress=f"{_sheet_reference(title)}.{L.column_letter(column)}2",
        )
        message = ErrorMessage(messagetype="stop", title="入力できない値です", display="true")
        message.addElement(P(text=prompt))
        validation.addElement(message)
        self.validations.append(validation)
        return name

    def sheet(
        self, title: str, headers: list[str], widths: dict[str, int], freeze: str = "A2"
    ) -> _OdsSheet:
        sheet = _OdsSheet(self, title, headers, widths, freeze)
        self.sheets.append(sheet)
        return sheet

    def hide(self, title: str) -> None:
        for sheet in self.sheets:
            if sheet.title == title:
                sheet.hidden = True

    def save(self) -> bytes:
        """The .ods: odfpy writes the document around the rows, then content.xml is written
        again with each table's rows streamed into its marker."""
        doc = self.doc
        if self.validations:
            validations = ContentValidations()
            for validation in self.validations:
                validations.addElement(validation)
            doc.spreadsheet.addElement(validations)
        for number, sheet in enumerate(self.sheets):
            table = Table(name=sheet.title, stylename="dx_hidden" if sheet.hidden else "dx_visible")
            for width in sheet.widths:
                table.addElement(TableColumn(stylename=self._column_style(width)))
            table.childNodes.append(_Marker(number))
            doc.spreadsheet.addElement(table)
        self._settings()
        skeleton = BytesIO()
        doc.write(skeleton)
        out = BytesIO()
        with zipfile.ZipFile(skeleton) as source, zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():  # mimetype first and stored, as odfpy wrote it
                if info.filename != "content.xml":
                    target.writestr(info, source.read(info))
                    continue
                parts = _MARKER.split(source.read(info).decode("utf-8"))
                with target.open(info, "w") as stream:
                    stream.write(parts[0].encode("utf-8"))
                    for number, text in zip(parts[1::2], parts[2::2], strict=True):
                        batch: list[str] = []
                        for row in self.sheets[int(number)]._xml():
                            batch.append(row)
                            if len(batch) >= 500:
                                stream.write("".join(batch).encode("utf-8"))
                                batch = []
                        stream.write("".join(batch).encode("utf-8"))
                        stream.write(text.encode("utf-8"))
        return out.getvalue()

    def _settings(self) -> None:
        """Frozen panes (and the first visible sheet active), as LibreOffice stores them."""
        view = odfconfig.ConfigItemSet(name="ooo:view-settings")
        views = odfconfig.ConfigItemMapIndexed(name="Views")
        entry = odfconfig.ConfigItemMapEntry()
        entry.addElement(_config("ViewId", "string", "view1"))
        tables = odfconfig.ConfigItemMapNamed(name="Tables")
        for sheet in self.sheets:
            column, row = sheet.freeze
            table = odfconfig.ConfigItemMapEntry(name=sheet.title)
            for key, kind, value in (
                ("CursorPositionX", "int", column),
                ("CursorPositionY", "int", row),
                ("HorizontalSplitMode", "short", 2 if column else 0),
                ("VerticalSplitMode", "short", 2 if row else 0),
                ("HorizontalSplitPosition", "int", column),
                ("VerticalSplitPosition", "int", row),
                ("ActiveSplitRange", "short", 2 if row else 3),
                ("PositionLeft", "int", 0),
                ("PositionRight", "int", column),
                ("PositionTop", "int", 0),
                ("PositionBottom", "int", row),
            ):
                table.addElement(_config(key, kind, str(value)))
            tables.addElement(table)
        entry.addElement(tables)
        visible = [s.title for s in self.sheets if not s.hidden]
        if visible:
            entry.addElement(_config("ActiveTable", "string", visible[0]))
        views.addElement(entry)
        view.addElement(views)
        self.doc.settings.addElement(view)


def _config(name: str, kind: str, value: str):
    item = odfconfig.ConfigItem(name=name, type=kind)
    item.addText(value)
    return item
