#!/usr/bin/env python
"""Benchmark every page kind, the workbook export/import, a year of actuals and an edition
copy on synthetic plans shaped like Sasebo's, at several scales.

    python bench/run.py [--scale 1,10,100] [--db sqlite|postgres] [--reps 3]

Each measurement is the median of --reps runs after one warm-up run (big pages at the
largest scale run fewer times; the table says how many). SQLite uses a fresh file
bench/bench.sqlite3; --db postgres uses $DATABASE_URL, or starts a throwaway PostgreSQL 15
cluster like .ci/run does. Prints one table and writes bench/results.json.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE_KINDS = ["dashboard", "progress", "goals", "kpis", "projects", "department", "report"]
# They show the whole plan: at 100× measured once, without warm-up (each run takes seconds).
BIG_PAGES = {"report", "projects", "dashboard"}


def _start_postgres() -> tuple[str, callable]:
    pgbin = Path("/usr/lib/postgresql/15/bin")
    if not pgbin.exists():
        sys.exit("PostgreSQL 15 binaries not found (apt-get install postgresql-15)")
    user = "pgci"
    if subprocess.run(["id", "-u", user], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", user], check=True)
    root = Path(tempfile.mkdtemp(prefix="dxplan-bench-pg."))
    shutil.chown(root, user)
    root.chmod(0o755)

    def as_pg(*cmd):
        subprocess.run(["runuser", "-u", user, "--", *cmd], check=True, capture_output=True)

    as_pg(str(pgbin / "initdb"), "-D", str(root / "data"), "-U", user, "--auth=trust", "-E", "UTF8")
    as_pg(
        str(pgbin / "pg_ctl"),
        "-D",
        str(root / "data"),
        "-l",
        str(root / "log"),
        "-w",
        "-o",
        f"-k {root} -c listen_addresses='' -c fsync=off -c synchronous_commit=off",
        "start",
    )
    as_pg(str(pgbin / "createdb"), "-h", str(root), "-U", user, "dxplan_bench")

    def stop():
        subprocess.run(
            [
                "runuser",
                "-u",
                user,
                "--",
                str(pgbin / "pg_ctl"),
                "-D",
                str(root / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)

    return f"postgres://{user}@/dxplan_bench?host={root}", stop


def _setup(db: str):
    stop = None
    if db == "postgres" and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        url, stop = _start_postgres()
        os.environ["DATABASE_URL"] = url
    elif db == "sqlite":
        path = ROOT / "bench" / "bench.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dxplan.settings")
    os.environ["DJANGO_LOG_LEVEL"] = "ERROR"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return stop


def _median(fn, reps: int, warmup: bool = True) -> tuple[float, object]:
    if warmup:
        fn()
    times, result = [], None
    for _ in range(reps):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def page_urls(plan) -> dict[str, str]:
    from django.urls import reverse

    from reports.pages import issues_of

    issue = issues_of(plan).first()
    return {
        "dashboard": reverse("reports:plan-dashboard", args=[plan.slug]),
        "progress": reverse("reports:issue-progress", args=[plan.slug, issue.code]),
        "goals": reverse("reports:issue-goals", args=[plan.slug, issue.code]),
        "kpis": reverse("reports:issue-kpis", args=[plan.slug, issue.code]),
        "projects": reverse("reports:project-table", args=[plan.slug]),
        "department": reverse("reports:department", args=[plan.slug, issue.department_id]),
        "report": reverse("reports:report", args=[plan.slug]),
    }


def count_queries(client, url: str) -> tuple[int, int]:
    """(status, SQL queries) of one GET."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a full log (9,000 entries) would make the count read 0
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx.captured_queries)


def _openpyxl_rows(content: bytes) -> int:
    """openpyxl's own read-only read of every row: the floor an import is compared with."""
    import openpyxl

    wb = openpyxl.load_workbook(BytesIO(content), read_only=True)
    rows = sum(1 for ws in wb for _ in ws.iter_rows(values_only=True))
    wb.close()
    return rows


def _libreoffice_resave(content: bytes, fmt: str) -> bytes | None:
    """``content`` opened and saved by LibreOffice Calc (None where soffice is missing)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in" / "plan.xlsx"
        src.parent.mkdir()
        src.write_bytes(content)
        subprocess.run(
            [
                soffice,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--convert-to",
                fmt,
                "--outdir",
                tmp,
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
        return (Path(tmp) / f"plan.{fmt}").read_bytes()


def measure(scale: int, reps: int, largest: int) -> dict:
    from django.contrib.auth.models import User
    from django.test import Client

    from bench.generate import build_plan
    from interchange.editions import edition_start
    from interchange.workbook.export import workbook_export
    from interchange.workbook.importer import workbook_import
    from kpis.models import Indicator
    from kpis.services import actuals_save

    out: dict = {"scale": scale}
    start = time.perf_counter()
    plan = build_plan(scale)
    out["generate_s"] = round(time.perf_counter() - start, 2)
    out["projects"] = plan.projects.count()
    out["indicators"] = Indicator.objects.of_plan(plan).count()
    client = Client()
    pages = {}
    huge = scale >= 100
    for kind, url in page_urls(plan).items():
        n = 1 if (kind in BIG_PAGES and huge) else reps
        seconds, (status, queries) = _median(
            lambda url=url: count_queries(client, url), n, warmup=not (kind in BIG_PAGES and huge)
        )
        assert status == 200, (kind, status)
        pages[kind] = {"ms": round(seconds * 1000, 1), "queries": queries, "runs": n}
    out["pages"] = pages

    wb_reps = 1 if huge else reps
    seconds, content = _median(lambda: workbook_export(plan), wb_reps, warmup=not huge)
    out["export_s"] = round(seconds, 3)
    out["export_bytes"] = len(content)

    seconds, rows = _median(lambda: _openpyxl_rows(content), wb_reps, warmup=not huge)
    out["openpyxl_read_s"] = round(seconds, 3)
    out["workbook_rows"] = rows
    seconds, result = _median(lambda: workbook_import(content, plan=plan), wb_reps, warmup=not huge)
    assert result.diff.is_empty, result.diff.summary_text()
    out["import_s"] = round(seconds, 3)
    out["import_vs_openpyxl"] = round(out["import_s"] / max(out["openpyxl_read_s"], 1e-9), 2)

    seconds, ods = _median(lambda: workbook_export(plan, "ods"), wb_reps, warmup=not huge)
    out["ods_export_s"] = round(seconds, 3)
    resaved = None if huge else _libreoffice_resave(content, "xlsx")
    if resaved is not None:  # the file as a city sends it back after opening it in Calc
        seconds, _rows = _median(lambda: _openpyxl_rows(resaved), reps)
        out["lo_read_s"] = round(seconds, 3)
        seconds, result = _median(lambda: workbook_import(resaved, plan=plan), reps)
        assert result.diff.is_empty, result.diff.summary_text()
        out["lo_import_s"] = round(seconds, 3)
        out["lo_import_vs_read"] = round(out["lo_import_s"] / max(out["lo_read_s"], 1e-9), 2)
    del ods

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    indicators = list(Indicator.objects.for_actuals_entry(plan)[:1000])
    counter = {"n": 0}

    def save_year():
        counter["n"] += 1
        raw = {i.pk: str(counter["n"]) for i in indicators}
        return actuals_save(indicators=indicators, fiscal_year=2024, raw_by_id=raw, user=admin)

    seconds, changed = _median(save_year, reps)
    out["actuals_1000_s"] = round(seconds, 3)
    out["actuals_indicators"] = len(indicators)

    start = time.perf_counter()
    edition = edition_start(plan=plan, fiscal_year=2026)
    out["edition_copy_s"] = round(time.perf_counter() - start, 2)
    edition.delete()
    return out


def _table(results: list[dict], db: str) -> str:
    head = (
        ["scale", "projects"]
        + [f"{k} ms (q)" for k in PAGE_KINDS]
        + [
            "export s",
            "openpyxl read s",
            "import s",
            "import/read",
            ".ods export s",
            "LibreOffice-saved: read s / import s (ratio)",
            "1,000 actuals s",
            "edition copy s",
        ]
    )
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in results:
        cells = [f"{r['scale']}×", str(r["projects"])]
        cells += [f"{r['pages'][k]['ms']} ({r['pages'][k]['queries']})" for k in PAGE_KINDS]
        cells += [
            str(r["export_s"]),
            str(r["openpyxl_read_s"]),
            str(r["import_s"]),
            f"{r['import_vs_openpyxl']}×",
            str(r.get("ods_export_s", "")),
            (
                f"{r['lo_read_s']} / {r['lo_import_s']} ({r['lo_import_vs_read']}×)"
                if "lo_import_s" in r
                else "–"
            ),
            str(r["actuals_1000_s"]),
            str(r["edition_copy_s"]),
        ]
        lines.append(" | ".join(cells))
    return f"Database: {db}\n\n| " + " |\n| ".join(lines) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1,10,100")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    scales = [int(s) for s in args.scale.split(",")]
    stop = _setup(args.db)
    try:
        results = []
        for scale in scales:
            started = time.perf_counter()
            results.append(measure(scale, args.reps, max(scales)))
            results[-1]["wall_s"] = round(time.perf_counter() - started, 1)
            print(f"scale {scale}: done in {results[-1]['wall_s']} s", file=sys.stderr)
    finally:
        if stop:
            stop()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    table = _table(results, args.db)
    print(table)
    Path(args.out).write_text(
        json.dumps(
            {"db": args.db, "machine": machine, "results": results}, ensure_ascii=False, indent=2
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
