"""Opening and saving a workbook in memory, for the workbook tests."""

from io import BytesIO

import openpyxl


def open_workbook(content: bytes):
    return openpyxl.load_workbook(BytesIO(content))


def save_workbook(wb) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
