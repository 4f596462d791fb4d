#!/usr/bin/env python
"""Hostile workbook benchmark (issue #10, finding 9): the sasebo-r7 export with one ~1 MB
random string stored once as a shared string and referenced from ~520 value cells.

    python bench/hostile.py [--length 1000000] [--cells 520] [--keep DIR]

Loads the demo plans into a fresh SQLite database (a temporary directory), writes the clean
export and the hostile file, and runs ``manage.py import_plan --dry-run FILE`` on each in a
fresh child process. For each it prints the file size, the child's wall-clock seconds, its
peak memory (maximum resident set size from wait4) and, for a refused file, the number of
problem lines and the size of the error text. Target: the hostile file refused in < 5 s
with a peak under 200 MB (before the fix: 12 s, 3.8 GB and a 492 MB error text).
"""

import argparse
import os
import random
import re
import string
import subprocess
import sys
import tempfile
import time
import zipfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLACEHOLDER = "@@HOSTILE-SHARED-STRING@@"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def hostile_workbook(plan, *, length: int = 1_000_000, cells: int = 520, seed: int = 10) -> bytes:
    """``plan``'s export with one random (incompressible) string of ``length`` characters in
    the first ``cells`` value cells of the プロジェクト and KPI sheets, stored once in
    xl/sharedStrings.xml as Excel itself would (openpyxl writes every string inline)."""
    import openpyxl

    from interchange.workbook import layout as L
    from interchange.workbook.export import workbook_export

    wb = openpyxl.load_workbook(BytesIO(workbook_export(plan)))
    filled = 0
    for sheet in (L.PROJECTS, L.KPIS):
        ws = wb[sheet]
        headers = [c.value for c in ws[1]]
        columns = [headers.index(h) + 1 for h in L.value_headers(plan)]
        for row in range(2, ws.max_row + 1):
            for col in columns:
                if filled < cells:
                    ws.cell(row, col).value = PLACEHOLDER
                    filled += 1
    if filled < cells:
        raise ValueError(f"the export has only {filled} value cells")
    out = BytesIO()
    wb.save(out)
    big = "".join(random.Random(seed).choices(string.ascii_letters + string.digits, k=length))
    inline = re.compile(
        rf'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="inlineStr"><is><t>{PLACEHOLDER}</t></is></c>'
    )
    result = BytesIO()
    replaced = 0
    with (
        zipfile.ZipFile(BytesIO(out.getvalue())) as src,
        zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        names = src.namelist()
        for name in names:
            data = src.read(name)
            if name.startswith("xl/worksheets/sheet"):
                text, n = inline.subn(r'<c r="\1"\2 t="s"><v>0</v></c>', data.decode())
                data, replaced = text.encode(), replaced + n
            elif name == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_TYPE}"/>'
                    f"</Types>".encode(),
                )
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdHostileSST" Type="{_SST_REL}" '
                    f'Target="sharedStrings.xml"/></Relationships>'.encode(),
                )
            dst.writestr(name, data)
        if "xl/sharedStrings.xml" in names:
            raise ValueError("the export already has a shared string table")
        dst.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{cells}" uniqueCount="1"><si><t>{big}</t></si></sst>',
        )
    if replaced != cells:
        raise ValueError(f"replaced {replaced} cells, expected {cells}")
    return result.getvalue()


def _setup(workdir: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'hostile.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "dxplan.settings",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    return env


def _measure(path: Path, env: dict) -> dict:
    """Run the dry-run import of ``path`` in a fresh child; its own rusage via wait4."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "import_plan", "--dry-run", str(path)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    problems = [line for line in stderr.splitlines()[1:] if line.strip()]
    return {
        "bytes": path.stat().st_size,
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "exit": proc.returncode,
        "problems": len(problems) if proc.returncode else 0,
        "error_bytes": len(stderr.encode()) if proc.returncode else 0,
        "first": (problems[0] if problems else stdout.splitlines()[0])[:120],
        "last": problems[-1][:160] if problems else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=1_000_000)
    parser.add_argument("--cells", type=int, default=520)
    parser.add_argument("--keep", help="also write the two workbooks into this directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dxplan-hostile.") as tmp:
        workdir = Path(tmp)
        env = _setup(workdir)
        from interchange.workbook.export import workbook_export
        from strategy.models import Plan

        plan = Plan.objects.get(slug="sasebo-r7")
        files = {
            "clean": workbook_export(plan),
            "hostile": hostile_workbook(plan, length=args.length, cells=args.cells),
        }
        results = {}
        for name, content in files.items():
            path = workdir / f"sasebo-r7-{name}.xlsx"
            path.write_bytes(content)
            if args.keep:
                Path(args.keep).mkdir(parents=True, exist_ok=True)
                (Path(args.keep) / path.name).write_bytes(content)
            results[name] = _measure(path, env)
    print(f"hostile workbook: one {args.length:,}-character shared string in {args.cells} cells")
    print(
        f"{'file':8} {'size':>11} {'seconds':>8} {'peak MB':>8} {'exit':>4} "
        f"{'problems':>8} {'error text':>11}"
    )
    for name, r in results.items():
        print(
            f"{name:8} {r['bytes']:>9,} B {r['seconds']:>8.2f} {r['peak_mb']:>8.1f} "
            f"{r['exit']:>4} {r['problems']:>8} {r['error_bytes']:>9,} B"
        )
    hostile = results["hostile"]
    print(f"first line: {hostile['first']}")
    print(f"last line:  {hostile['last']}")
    ok = hostile["exit"] != 0 and hostile["seconds"] < 5 and hostile["peak_mb"] < 200
    print("target (refused, < 5 s, < 200 MB):", "met" if ok else "NOT met")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
