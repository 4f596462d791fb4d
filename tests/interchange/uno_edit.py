"""Edit a workbook in LibreOffice Calc through UNO, as a person would, and save it.

Run by Debian's /usr/bin/python3 (``import uno`` works there, not in the project's venv);
tests call it through tests/interchange/libreoffice.py::edit_with_uno:

    /usr/bin/python3 uno_edit.py --soffice /usr/bin/soffice --profile DIR IN OUT OPS.json

It starts its own ``soffice --headless --accept=pipe,…`` (one process for the whole
session), opens IN, applies the operations, stores OUT in IN's format (.xlsx with the
"Calc Office Open XML" filter, .ods with "calc8"), and ends soffice. It prints one JSON
object: {"ops": [one result per operation]} — {"rows": [row numbers from 1 it touched]},
or for "view" {"visible": …, "frozen": [columns, rows] or []}.

An operation finds rows by header names (row 1) and cell values (the text Calc shows):

    {"op": "type", "sheet": "KPI", "where": {"KPI": "…"}, "column": "R6実績", "input": "45%"}
        types ``input`` into the cell of every matching row, as a person types it: Calc's
        input recognition parses it (45% becomes the percentage 0.45 with a percent
        format, =1+2 a formula, other input text)
    {"op": "text", "sheet": …, "where": …, "column": …, "text": "…"}   the cell set as text
    {"op": "copy_row", "sheet": …, "where": …, "text": {"PID": "…", "名称": "…"}}
        inserts a copy of the first matching row below it, then sets those cells as text
    {"op": "delete_rows", "sheet": …, "where": …}   deletes every matching row
    {"op": "view", "sheet": …}  reports the sheet's frozen panes and visibility, changes nothing
"""

import argparse
import json
import os
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

FILTERS = {".xlsx": "Calc Office Open XML", ".ods": "calc8"}
CONTEXT = SMGR = None  # soffice's component context and service manager, once it is up


def _props(**values):
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def _url(path: str) -> str:
    return uno.systemPathToFileUrl(os.path.abspath(path))


def start(soffice: str, profile: str):
    pipe = f"dxplan_uno_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    proc = subprocess.Popen(
        [
            soffice,
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={_url(profile)}",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=None if os.environ.get("UNO_DEBUG") else subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                message = f"soffice did not accept a UNO connection (exit {proc.poll()})"
                raise SystemExit(message) from exc
            time.sleep(0.2)
    desktop = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.Desktop", context
    )
    global CONTEXT, SMGR
    CONTEXT, SMGR = context, context.ServiceManager
    return proc, desktop


class Sheet:
    def __init__(self, doc, name: str):
        sheets = doc.Sheets
        if not sheets.hasByName(name):
            raise SystemExit(f"no sheet {name!r}")
        self.sheet = sheets.getByName(name)
        self.refresh()

    def refresh(self):
        cursor = self.sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        end = cursor.RangeAddress
        self.last_row, self.last_column = end.EndRow, end.EndColumn
        header = self.sheet.getCellRangeByPosition(0, 0, self.last_column, 0)
        self.headers = {str(v): n for n, v in enumerate(header.DataArray[0]) if v not in ("", None)}

    def column(self, header: str) -> int:
        if header not in self.headers:
            raise SystemExit(f"no column {header!r} in {sorted(self.headers)}")
        return self.headers[header]

    def rows(self, where: dict) -> list[int]:
        """Row indexes (from 0) whose cells show the wanted text in every ``where`` column."""
        columns = {self.column(h): str(v) for h, v in where.items()}
        found = []
        for row in range(1, self.last_row + 1):
            if all(
                self.sheet.getCellByPosition(c, row).getString() == want
                for c, want in columns.items()
            ):
                found.append(row)
        if not found:
            raise SystemExit(f"no row where {where}")
        return found

    def cell(self, row: int, header: str):
        return self.sheet.getCellByPosition(self.column(header), row)


def _type(doc, cell, text: str) -> None:
    """``text`` entered into ``cell`` as typed: Calc's input recognition decides what it is
    (the number formatter that reads keyboard input), and a recognised percentage, date,
    … gives the cell that number format, as typing does — "45%" becomes the percentage
    0.45 shown as 45%, "=1+2" a formula, anything else text.

    The view's own input (.uno:EnterString) does the same, but in LibreOffice 7.4
    headless its idle work aborted soffice once rows were then inserted and deleted."""
    if text.startswith("="):
        cell.setFormula(text)
        return
    formatter = SMGR.createInstanceWithContext("com.sun.star.util.NumberFormatter", CONTEXT)
    formatter.attachNumberFormatsSupplier(doc)
    standard = doc.NumberFormats.getStandardIndex(doc.CharLocale)
    try:
        key = formatter.detectNumberFormat(standard, text)
        value = formatter.convertStringToNumber(standard, text)
    except Exception:  # noqa: BLE001 - IllegalArgumentException: not a number, so text
        cell.setString(text)
        return
    cell.setValue(value)
    formats = doc.NumberFormats
    if key != standard and formats.getByKey(key).Type != formats.getByKey(cell.NumberFormat).Type:
        cell.NumberFormat = key  # a percentage, a date…: the format typing gives the cell


def apply(doc, op: dict) -> dict:
    kind = op["op"]
    sheet = Sheet(doc, op["sheet"])
    if kind == "view":
        controller = doc.getCurrentController()
        frozen = None
        if controller is not None:
            controller.setActiveSheet(sheet.sheet)
            frozen = (
                [controller.SplitColumn, controller.SplitRow] if controller.hasFrozenPanes() else []
            )
        return {"visible": bool(sheet.sheet.IsVisible), "frozen": frozen}
    rows = sheet.rows(op.get("where", {}))
    if kind == "type":
        for row in rows:
            _type(doc, sheet.cell(row, op["column"]), op["input"])
    elif kind == "text":
        for row in rows:
            sheet.cell(row, op["column"]).setString(op["text"])
    elif kind == "copy_row":
        source, target = rows[0], rows[0] + 1
        sheet.sheet.Rows.insertByIndex(target, 1)
        address = sheet.sheet.getCellRangeByPosition(
            0, source, sheet.last_column, source
        ).RangeAddress
        sheet.sheet.copyRange(sheet.sheet.getCellByPosition(0, target).CellAddress, address)
        for header, text in op.get("text", {}).items():
            sheet.cell(target, header).setString(text)
        rows = [target]
    elif kind == "delete_rows":
        for row in sorted(rows, reverse=True):
            sheet.sheet.Rows.removeByIndex(row, 1)
    else:
        raise SystemExit(f"unknown operation {kind!r}")
    return {"rows": [r + 1 for r in rows]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--soffice", default="soffice")
    parser.add_argument("--profile", required=True)
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("ops")
    args = parser.parse_args()
    suffix = os.path.splitext(args.target)[1].lower()
    if suffix not in FILTERS:
        raise SystemExit(f"cannot store {suffix!r}")
    with open(args.ops, encoding="utf-8") as f:
        ops = json.load(f)
    proc, desktop = start(args.soffice, args.profile)
    try:
        doc = desktop.loadComponentFromURL(_url(args.source), "_blank", 0, _props(Hidden=True))
        if doc is None:
            raise SystemExit(f"LibreOffice could not open {args.source}")
        try:
            results = [apply(doc, op) for op in ops]
            doc.storeToURL(_url(args.target), _props(FilterName=FILTERS[suffix], Overwrite=True))
        finally:
            doc.close(True)
        json.dump({"ops": results}, sys.stdout, ensure_ascii=False)
    finally:
        try:
            desktop.terminate()
        except Exception:  # noqa: BLE001 - the bridge goes away as soffice quits
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
