"""Spreadsheet formats as small adapters over plain rows.

The workbook reader (interchange/workbook/importer.py) sees a ``Book`` of sheets whose rows
are ``Cell``s that already say what they mean — text, a number, a percentage (the fraction,
as every spreadsheet program stores it), a formula, an error value, a date — and the writer
(interchange/workbook/export.py) hands each format the same sheets, rows and list
validations. A format is one entry in ``FORMATS``: .xlsx (openpyxl) and .ods (odfpy).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Protocol

from django.conf import settings

# Cell kinds
TEXT = "text"
NUMBER = "number"
PERCENT = "percent"  # value is the fraction: 0.45 for 45 %
FORMULA = "formula"  # value is the formula's text
ERROR = "error"  # value is the error's text (#N/A …)
DATE = "date"
BOOL = "bool"
UNREADABLE = "unreadable"  # value is the Japanese message saying why


@dataclass(frozen=True, slots=True)
class Cell:
    kind: str
    value: object = None


class Book(Protocol):
    """A workbook opened for reading."""

    sheetnames: list[str]

    def is_worksheet(self, sheet: str) -> bool: ...

    def rows(self, sheet: str) -> Iterator[tuple[int, dict[int, Cell]]]:
        """(row number from 1, {column index from 0: cell}) for each row that has cells;
        empty cells are left out. Raises ``SheetUnreadable`` where the sheet's markup is
        broken beyond that row."""
        ...

    def close(self) -> None: ...


class SheetUnreadable(Exception):
    """The sheet's markup cannot be read on from here (message in Japanese)."""


@dataclass(frozen=True)
class ListSource:
    """The cells a drop-down offers: ``sheet``!``column``first:last (column letter)."""

    sheet: str
    column: str
    first: int
    last: int


class SheetWriter(Protocol):
    def row(self, values: list, percent_columns: frozenset[int] = frozenset()) -> None:
        """One row: ``str`` as text (never a formula), ``int``/``Decimal`` as numbers, and
        in ``percent_columns`` a Decimal percentage (12.1 for 12.1 %) as a native percent
        (the fraction 0.121 with a percent number format); ``None`` an empty cell."""
        ...

    def validate(self, source: ListSource, columns: list[int], prompt: str) -> None:
        """A drop-down on ``columns`` (indexes from 0) from rows 2 on, offering ``source``."""
        ...


class BookWriter(Protocol):
    def sheet(
        self, title: str, headers: list[str], widths: dict[str, int], freeze: str = "A2"
    ) -> SheetWriter:
        """A new sheet with its styled header row, column widths (characters) by header,
        and frozen panes above and left of ``freeze``."""
        ...

    def hide(self, title: str) -> None: ...

    def save(self) -> bytes: ...


@dataclass(frozen=True)
class Format:
    name: str  # "xlsx"
    label: str  # what the UI calls it
    extension: str  # ".xlsx"
    content_type: str
    reader: str  # dotted path of a callable(content: bytes) -> Book
    writer: str  # dotted path of a callable() -> BookWriter

    def open(self, content: bytes) -> Book:
        from django.utils.module_loading import import_string

        return import_string(self.reader)(content)

    def new_writer(self) -> BookWriter:
        from django.utils.module_loading import import_string

        return import_string(self.writer)()


FORMATS: dict[str, Format] = {
    "xlsx": Format(
        "xlsx",
        "Excel ブック（.xlsx）",
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "interchange.workbook.xlsx.open_book",
        "interchange.workbook.xlsx.XlsxWriter",
    ),
    "ods": Format(
        "ods",
        "OpenDocument スプレッドシート（.ods）",
        ".ods",
        "application/vnd.oasis.opendocument.spreadsheet",
        "interchange.workbook.ods.open_book",
        "interchange.workbook.ods.OdsWriter",
    ),
}

ACCEPTED = "、".join(f.label for f in FORMATS.values())
HOW_TO_SAVE = (
    f"取り込めるのは {ACCEPTED} です。Excel では「名前を付けて保存」で「Excel ブック (*.xlsx)」を、"
    "LibreOffice Calc では「名前を付けて保存」で「ODF スプレッドシート (.ods)」または"
    "「Excel 2007-365 (.xlsx)」を選んで保存し直してください。"
)


def sniff(content: bytes, filename: str = "") -> Format:
    """The format of an uploaded file, by its content (the name only words the refusal).
    Raises ValueError with a Japanese message saying what is accepted and how to save it."""
    if zipfile.is_zipfile(BytesIO(content)):
        try:
            with zipfile.ZipFile(BytesIO(content)) as archive:
                names = set(archive.namelist())
                mimetype = (
                    archive.read("mimetype")[:100].decode("ascii", "replace")
                    if "mimetype" in names
                    else ""
                )
        except (zipfile.BadZipFile, KeyError, OSError):
            names, mimetype = set(), ""
        if "xl/workbook.xml" in names:
            return FORMATS["xlsx"]
        if mimetype.strip() == FORMATS["ods"].content_type and "content.xml" in names:
            return FORMATS["ods"]
    lower = filename.lower()
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or lower.endswith(".xls"):
        what = "古い Excel 形式（.xls）のファイル"
    elif lower.endswith((".csv", ".txt", ".tsv")):
        what = "CSV・テキストのファイル"
    else:
        what = "スプレッドシートではないファイル"
    raise ValueError(f"{what}は取り込めません。{HOW_TO_SAVE}")


# --- the limits every upload is checked against, before any XML is parsed ---------------

#: More members than any workbook we write or LibreOffice/Excel saves has.
MAX_MEMBERS = 500
#: A member expanding more than this many times its compressed size is a zip bomb.
MAX_RATIO = 200
BOMB = "展開後のサイズが大きすぎるため読み込めません（zip 爆弾の疑い）"


class Refused(Exception):
    """An upload refused before it is read; the message is for the user (Japanese)."""


@contextmanager
def checked_zip(content: bytes, not_this: str) -> Iterator[zipfile.ZipFile]:
    """The upload as an open zip, once it is within the limits: its size
    (``DXPLAN_IMPORT_MAX_BYTES``), the member count, the expanded size
    (``DXPLAN_IMPORT_MAX_EXPANDED_BYTES``) and each member's compression ratio. Raises
    Refused — with ``not_this`` (e.g. 「Excel ブック（.xlsx）ではありません」) when it is not a
    zip or a broken one, also while the caller reads it inside the ``with`` block."""
    limit = settings.DXPLAN_IMPORT_MAX_BYTES
    if len(content) > limit:
        raise Refused(f"ファイルが大きすぎます（{len(content):,} バイト、上限 {limit:,} バイト）")
    if not zipfile.is_zipfile(BytesIO(content)):
        raise Refused(not_this)
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            ratio = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
            if (
                len(members) > MAX_MEMBERS
                or total > settings.DXPLAN_IMPORT_MAX_EXPANDED_BYTES
                or ratio > MAX_RATIO
            ):
                raise Refused(BOMB)
            yield archive
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        raise Refused(f"{not_this}（壊れた zip）") from exc


def percent_fraction(percentage: Decimal) -> Decimal:
    """12.1 (%) → 0.121, as a native percent cell stores it."""
    return (percentage / 100).normalize()
