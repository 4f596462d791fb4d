#!/usr/bin/env python
"""Benchmark every page kind, the workbook export/import, a year of actuals and an edition
copy on synthetic plans shaped like Sasebo's, at several scales — and, beside the times, two
ratios measured side by side, which mean the same on a busy machine and a quiet one:

- **cold page ÷ data floor** for the project table, the dashboard and the whole report at
  every scale: the page rendered in-process without the page cache, against the
  ``values_list`` fetch of the rows it shows (``FLOORS`` below), each timed alternately;
- **served page ÷ static file** (``--serve-scale``, default 10×): a published plan served by
  gunicorn under production settings (``DJANGO_DEBUG=0``, manifest static files collected
  into a temporary STATIC_ROOT, a throwaway SQLite file), anonymous requests from ``wrk``
  on loopback; each page's requests/s against the requests/s of a static file from the
  same server measured just before it, with the page cache (hits) and without it
  (``DXPLAN_PAGE_CACHE=0``). Needs Debian's ``wrk`` (``apt-get install wrk``).

    python bench/run.py [--scale 1,10,100] [--db sqlite|postgres] [--reps 3]
                        [--parts pages,workbook,ratios,served] [--serve-scale 10]
                        [--serve-seconds 5] [--workers N]

Each measurement is the median of --reps runs after one warm-up run (big pages at the
largest scale run fewer times; the table says how many). SQLite uses a fresh file
bench/bench.sqlite3; --db postgres uses $DATABASE_URL, or starts a throwaway PostgreSQL 15
cluster like .ci/run does. Prints Markdown tables (with the machine, the date and the load
average) and writes bench/results.json.
"""

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE_KINDS = ["dashboard", "progress", "goals", "kpis", "projects", "department", "report"]
# They show the whole plan: at 100× measured once, without warm-up (each run takes seconds).
BIG_PAGES = {"report", "projects", "dashboard"}
# The pages whose cold time is compared with the fetch of their rows, and that are served.
RATIO_PAGES = ["projects", "dashboard", "report"]
PARTS = ("pages", "workbook", "ratios", "served")


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
    os.environ["DXPLAN_PAGE_CACHE"] = "0"  # in-process pages are measured cold
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


# --- cold page ÷ data floor ------------------------------------------------------------


def _floor_projects(plan) -> list:
    """The rows of the project table: projects, their steps, phases, activity indicators
    and those indicators' values."""
    from kpis.models import VALUE_COLUMNS, Indicator, IndicatorValue
    from projects.models import Project, ProjectPhase

    projects = Project.objects.filter(plan=plan, in_table=True)
    ids = projects.values("pk")
    return [
        projects.in_document_order().values_list(
            "pk",
            "pid",
            "aliases",
            "name",
            "summary",
            "issue__field__name",
            "issue__category",
            "department__name",
            "department_id",
            "issue__title",
            "is_leading",
        ),
        Project.steps.through.objects.filter(project_id__in=ids)
        .order_by("step__sort_key", "step_id")
        .values_list(
            "project_id",
            "step__code",
            "step__title",
            "step__challenge__number",
            "step__challenge__title",
        ),
        ProjectPhase.objects.filter(project_id__in=ids).values_list(
            "project_id", "fiscal_year", "phase"
        ),
        Indicator.objects.filter(project_id__in=ids)
        .order_by("position", "id")
        .values_list("pk", "project_id", "name", "unit"),
        IndicatorValue.objects.filter(indicator__project_id__in=ids).values_list(*VALUE_COLUMNS),
    ]


def _floor_dashboard(plan) -> list:
    """What the dashboard shows: the issues; every indicator with its owner and department
    (the 未入力 list and count); the KPIs' values of every year (grades, progress) and the
    activity indicators' values of the shown year; phases counted per year; the leading
    projects; the departments."""
    from django.db.models import Count, Q

    from kpis.models import VALUE_COLUMNS, Indicator, IndicatorValue
    from projects.models import Project, ProjectPhase
    from reports.rows import INDICATOR_COLUMNS
    from strategy.models import Department, PriorityIssue

    of_plan = Indicator.objects.of_plan(plan)
    return [
        PriorityIssue.objects.filter(plan=plan)
        .order_by("field__number", "number")
        .values_list("pk", "kind", "number", "category", "title", "field__number", "field__name"),
        of_plan.order_by(
            "kind", "challenge__issue_id", "project__sort_key", "position", "id"
        ).values_list(
            *INDICATOR_COLUMNS,
            "challenge_id",
            "challenge__number",
            "challenge__issue_id",
            "project_id",
            "project__pid",
            "project__name",
            "project__department_id",
            "project__department__name",
            "challenge__issue__department_id",
            "challenge__issue__department__name",
        ),
        IndicatorValue.objects.filter(indicator__in=of_plan.values("pk"))
        .filter(Q(indicator__kind="kpi") | Q(fiscal_year=plan.actuals_year))
        .order_by()
        .values_list(*VALUE_COLUMNS),
        ProjectPhase.objects.filter(project__plan=plan, project__in_table=True)
        .values("fiscal_year", "phase")
        .annotate(n=Count("id"))
        .values_list("fiscal_year", "phase", "n"),
        Project.objects.filter(plan=plan, is_leading=True, in_table=True)
        .in_document_order()
        .values_list("pid", "name", "department__name"),
        Department.objects.filter(municipality_id=plan.municipality_id).values_list("pk", "name"),
    ]


def _floor_report(plan) -> list:
    """What the whole report prints: every priority issue's challenges, steps, goals and
    texts, projects with their steps and phases, KPIs with values and evaluations; and the
    plan overview (fields, the tree's counts)."""
    from django.db.models import Count

    from kpis.models import VALUE_COLUMNS, Indicator, IndicatorEvaluation, IndicatorValue
    from projects.models import Project, ProjectPhase
    from reports.rows import INDICATOR_COLUMNS
    from strategy.models import (
        Challenge,
        ChallengeGoal,
        Field,
        IssueYearText,
        PriorityIssue,
        Step,
    )

    year = plan.report_year
    issues = PriorityIssue.objects.filter(plan=plan)
    priority = issues.filter(kind="priority")
    kpis = Indicator.objects.filter(kind="kpi", challenge__issue__plan=plan)
    return [
        Field.objects.filter(plan=plan)
        .order_by("number")
        .values_list(
            "pk",
            "number",
            "name",
            "description",
            "area_name",
            "vision_title",
            "vision_text",
            "keywords",
        ),
        issues.order_by("field__number", "kind", "number").values_list(
            "pk",
            "field_id",
            "kind",
            "number",
            "category",
            "title",
            "situation",
            "actions",
            "department_id",
        ),
        Challenge.objects.filter(issue__plan=plan)
        .order_by("issue_id", "number")
        .values_list("pk", "issue_id", "number", "title", "target_title", "target_text"),
        Step.objects.filter(challenge__issue__plan=plan)
        .order_by("challenge_id", "sort_key")
        .values_list("pk", "challenge_id", "code", "title"),
        ChallengeGoal.objects.filter(challenge__issue__in=priority, fiscal_year=year).values_list(
            "challenge_id", "text"
        ),
        IssueYearText.objects.filter(issue__in=priority, fiscal_year=year).values_list(
            "issue_id", "goal_summary", "business_summary"
        ),
        Project.objects.filter(issue__in=priority)
        .order_by("sort_key")
        .values_list(
            "pk",
            "issue_id",
            "pid",
            "name",
            "is_leading",
            "aliases",
            "department_id",
            "department__name",
        ),
        Project.steps.through.objects.filter(project__issue__in=priority)
        .order_by("step__sort_key", "step_id")
        .values_list("project_id", "step_id", "step__code"),
        ProjectPhase.objects.filter(project__issue__in=priority).values_list(
            "project_id", "fiscal_year", "phase"
        ),
        kpis.filter(challenge__issue__in=priority)
        .order_by("challenge_id", "position", "id")
        .values_list(*INDICATOR_COLUMNS, "challenge_id", "formula"),
        IndicatorValue.objects.filter(indicator__in=kpis.filter(challenge__issue__in=priority))
        .order_by()
        .values_list(*VALUE_COLUMNS),
        IndicatorEvaluation.objects.filter(
            fiscal_year=year, indicator__in=kpis.filter(challenge__issue__in=priority)
        ).values_list("indicator_id", "text"),
        Project.steps.through.objects.filter(step__challenge__issue__plan=plan)
        .values("step_id")
        .annotate(n=Count("project_id"))
        .values_list("step_id", "n"),
        Project.objects.filter(plan=plan)
        .values("issue_id")
        .annotate(n=Count("id"))
        .values_list("issue_id", "n"),
        kpis.values("challenge_id").annotate(n=Count("id")).values_list("challenge_id", "n"),
        Indicator.objects.filter(kind="activity", project__plan=plan)
        .values("project__issue_id")
        .annotate(n=Count("id"))
        .values_list("project__issue_id", "n"),
    ]


# The values_list fetch of the rows each page shows: what the page cannot do without.
FLOORS = {"projects": _floor_projects, "dashboard": _floor_dashboard, "report": _floor_report}


def _fetch(querysets) -> int:
    """Evaluate each queryset afresh (a clone: no result cache); the rows fetched."""
    return sum(len(list(qs.all())) for qs in querysets)


def _replay(sqls: list[str]) -> None:
    """The SQL a page sent, replayed on a raw cursor (rows fetched, nothing converted)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in sqls:
            cursor.execute(sql)
            cursor.fetchall()


def floor_ratio(client, plan, kind: str, url: str, reps: int, warmup: bool = True) -> dict:
    """The cold page and the fetch of its rows, timed alternately; medians and their ratio.
    Also the page's own SQL replayed raw (how much of the page the database is)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    querysets = FLOORS[kind](plan)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    sqls = [q["sql"] for q in ctx.captured_queries]
    if warmup:
        client.get(url)
        _fetch(querysets)
    pages, floors, replays = [], [], []
    for _ in range(reps):
        start = time.perf_counter()
        client.get(url)
        pages.append(time.perf_counter() - start)
        start = time.perf_counter()
        rows = _fetch(querysets)
        floors.append(time.perf_counter() - start)
        start = time.perf_counter()
        _replay(sqls)
        replays.append(time.perf_counter() - start)
    page, floor = statistics.median(pages), statistics.median(floors)
    return {
        "page_ms": round(page * 1000, 1),
        "fetch_ms": round(floor * 1000, 1),
        "sql_ms": round(statistics.median(replays) * 1000, 1),
        "rows": rows,
        "queries": len(sqls),
        "ratio": round(page / max(floor, 1e-9), 2),
        "runs": reps,
    }


def measure(scale: int, reps: int, largest: int, parts: frozenset[str] = frozenset(PARTS)) -> dict:
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
    huge = scale >= 100
    urls = page_urls(plan)
    if "pages" in parts:
        pages = {}
        for kind, url in urls.items():
            n = 1 if (kind in BIG_PAGES and huge) else reps
            seconds, (status, queries) = _median(
                lambda url=url: count_queries(client, url),
                n,
                warmup=not (kind in BIG_PAGES and huge),
            )
            assert status == 200, (kind, status)
            pages[kind] = {"ms": round(seconds * 1000, 1), "queries": queries, "runs": n}
        out["pages"] = pages
    if "ratios" in parts:
        out["floor_ratios"] = {
            kind: floor_ratio(
                client, plan, kind, urls[kind], 1 if huge else max(reps, 5), warmup=not huge
            )
            for kind in RATIO_PAGES
        }
    if "workbook" not in parts:
        return out

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


# --- served page ÷ static file ---------------------------------------------------------

SERVE_SETTINGS = "bench_serve_settings"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: What every browser sends: pages and static files alike are served compressed.
BROWSER_HEADERS = ("Accept-Encoding: gzip, deflate, br",)


def _wrk(url: str, connections: int, seconds: int) -> dict:
    """``wrk`` against one URL, with a browser's Accept-Encoding: requests/s and the
    requests that failed."""
    headers = [arg for header in BROWSER_HEADERS for arg in ("-H", header)]
    result = subprocess.run(
        [
            "wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s",
            *headers, url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    out = result.stdout

    def number(pattern: str) -> float:
        found = re.search(pattern, out)
        return float(found.group(1)) if found else 0.0

    errors = number(r"Non-2xx or 3xx responses:\s+(\d+)")
    found = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if found:
        errors += sum(int(n) for n in found.groups())
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": int(number(r"(\d+) requests in")),
        "errors": int(errors),
    }


def _get(url: str, *, compressed: bool = False) -> tuple[int, dict, int]:
    """Status, headers and the size of the body (as sent: compressed when asked to be)."""
    request = urllib.request.Request(url)
    if compressed:
        for header in BROWSER_HEADERS:
            name, value = header.split(": ", 1)
            request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, dict(response.headers), len(response.read())


class Server:
    """gunicorn over a throwaway production-settings site: its own SQLite file, page cache
    directory and STATIC_ROOT (a settings module that imports dxplan.settings and changes
    STATIC_ROOT alone, as tests/reports/test_pdf_production.py does)."""

    def __init__(self, root: Path, workers: int):
        self.root = root
        self.workers = workers
        (root / f"{SERVE_SETTINGS}.py").write_text(
            "from dxplan.settings import *  # noqa: F403\n"
            f"STATIC_ROOT = {str(root / 'static_root')!r}\n"
        )
        env = {**os.environ}
        for name in ("REDIS_URL", "DATABASE_REPLICA_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
            env.pop(name, None)  # the embedded cache and one database: what one server has
        env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SETTINGS_MODULE=SERVE_SETTINGS,
            DJANGO_LOG_LEVEL="ERROR",
            DATABASE_URL=f"sqlite:///{root / 'serve.sqlite3'}",
            DXPLAN_CACHE_DIR=str(root / "cache"),
            DXPLAN_PAGE_CACHE="1",
            PYTHONPATH=os.pathsep.join([str(root), str(ROOT)]),
        )
        self.env = env
        self.process = None
        self.port = 0

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def start(self, page_cache: bool) -> str:
        self.port = _free_port()
        env = {**self.env, "DXPLAN_PAGE_CACHE": "1" if page_cache else "0"}
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "dxplan.wsgi", "-b", f"127.0.0.1:{self.port}",
                "-w", str(self.workers), "--timeout", "120", "--log-level", "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                _get(f"{base}/")
                return base
            except OSError:
                if self.process.poll() is not None:
                    sys.exit("gunicorn did not start")
                time.sleep(0.1)
        sys.exit("gunicorn did not answer")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


_SERVE_PATHS = (
    "import json\n"
    "from django.templatetags.static import static\n"
    "from django.urls import reverse\n"
    "from bench.generate import build_plan\n"
    "plan = build_plan(%d)\n"
    "print(json.dumps({\n"
    "    'projects': reverse('reports:project-table', args=[plan.slug]),\n"
    "    'dashboard': reverse('reports:plan-dashboard', args=[plan.slug]),\n"
    "    'report': reverse('reports:report', args=[plan.slug]),\n"
    "    'static': static('css/dxplan.css'),\n"
    "}))\n"
)


def served(scale: int, seconds: int, workers: int) -> dict:
    """Requests/s of the three whole-plan pages of a published ``scale``× plan, anonymous,
    with and without the page cache, each beside a static file's requests/s measured just
    before it on the same server."""
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (Debian), or run with --parts without served")
    connections = 2 * workers
    out: dict = {
        "scale": scale,
        "workers": workers,
        "connections": connections,
        "seconds": seconds,
        "pages": {},
    }
    with tempfile.TemporaryDirectory(prefix="dxplan-bench-serve.") as tmp:
        server = Server(Path(tmp), workers)
        server.manage("migrate", "--noinput", "-v0")
        server.manage("collectstatic", "--noinput", "-v0")
        paths = json.loads(
            server.manage("shell", "-c", _SERVE_PATHS % scale).strip().splitlines()[-1]
        )
        out["static_path"] = paths["static"]
        for mode, page_cache in (("cached", True), ("uncached", False)):
            base = server.start(page_cache)
            try:
                status, _headers, size = _get(base + paths["static"])
                assert status == 200, ("static", status)
                out["static_bytes"] = size
                out["static_sent_bytes"] = _get(base + paths["static"], compressed=True)[2]
                for kind in RATIO_PAGES:
                    url = base + paths[kind]
                    status, headers, size = _get(url)  # a miss: the page is made and kept
                    assert status == 200, (kind, status)
                    status, headers, size = _get(url)
                    state = headers.get("X-Dxplan-Cache", "")
                    if page_cache and state != "hit":
                        sys.exit(f"{kind}: the second anonymous read was not a hit ({state!r})")
                    if not page_cache and state:
                        sys.exit(f"{kind}: asked the page cache while it is off ({state!r})")
                    sent = _get(url, compressed=True)[2]  # what a browser receives
                    static = _wrk(base + paths["static"], connections, seconds)
                    page = _wrk(url, connections, seconds)
                    out["pages"].setdefault(kind, {"bytes": size})[mode] = {
                        "sent_bytes": sent,
                        "rps": page["rps"],
                        "static_rps": static["rps"],
                        "ratio": round(page["rps"] / max(static["rps"], 1e-9), 3),
                        # how many static files for one page: 3 or less is the target
                        "static_per_page": (
                            round(static["rps"] / page["rps"], 1) if page["rps"] else None
                        ),
                        "errors": page["errors"] + static["errors"],
                    }
                    print(
                        f"served {kind} ({mode}): {page['rps']:.1f} req/s, static "
                        f"{static['rps']:.1f} req/s",
                        file=sys.stderr,
                    )
            finally:
                server.stop()
    return out


def _markdown(head: list[str], rows: list[list[str]]) -> str:
    lines = [head, ["---"] * len(head), *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def _table(results: list[dict], db: str) -> str:
    """The times of every page kind (and of the workbook, when measured)."""
    rows = [r for r in results if "pages" in r]
    if not rows:
        return ""
    workbook = all("export_s" in r for r in rows)
    head = ["scale", "projects"] + [f"{k} ms (q)" for k in PAGE_KINDS]
    if workbook:
        head += [
            "export s",
            "openpyxl read s",
            "import s",
            "import/read",
            ".ods export s",
            "LibreOffice-saved: read s / import s (ratio)",
            "1,000 actuals s",
            "edition copy s",
        ]
    lines = []
    for r in rows:
        cells = [f"{r['scale']}×", str(r["projects"])]
        cells += [f"{r['pages'][k]['ms']} ({r['pages'][k]['queries']})" for k in PAGE_KINDS]
        if workbook:
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
        lines.append(cells)
    return f"Database: {db}\n\n" + _markdown(head, lines)


def _ratio_table(results: list[dict]) -> str:
    """Cold page ÷ the values_list fetch of its rows (target at 10×: at most 4×)."""
    lines = []
    for r in results:
        for kind, f in r.get("floor_ratios", {}).items():
            lines.append(
                [
                    f"{r['scale']}×",
                    kind,
                    str(f["page_ms"]),
                    f"{f['fetch_ms']} ({f['rows']:,} rows)",
                    str(f["sql_ms"]),
                    f"**{f['ratio']}×**",
                ]
            )
    if not lines:
        return ""
    head = [
        "scale",
        "page",
        "cold page ms",
        "values_list fetch ms",
        "its SQL replayed raw ms",
        "page ÷ fetch",
    ]
    return _markdown(head, lines)


def _served_table(served_result: dict | None) -> str:
    """Served requests/s ÷ a static file's (target for the cached pages: at least 1/3)."""
    if not served_result:
        return ""
    lines = []
    for kind, page in served_result["pages"].items():
        sent = page["cached"]["sent_bytes"]
        cells = [kind, f"{page['bytes'] / 1024:,.0f} KiB ({sent / 1024:,.0f} KiB sent)"]
        for mode in ("cached", "uncached"):
            m = page[mode]
            cells += [
                f"{m['rps']:,.1f} / {m['static_rps']:,.1f}",
                f"**{m['ratio']:.3f}** (1/{m['static_per_page']:,})"
                if m["static_per_page"]
                else "0 (no request answered)",
            ]
        cells.append(str(sum(page[m]["errors"] for m in ("cached", "uncached"))))
        lines.append(cells)
    head = [
        "page",
        "size (gzip, as a browser gets a hit)",
        "page-cache hit req/s / static req/s",
        "ratio",
        "uncached req/s / static req/s",
        "ratio",
        "errors",
    ]
    s = served_result
    return (
        f"{s['scale']}× plan, gunicorn {s['workers']} workers × 4 threads (gunicorn.conf.py),"
        f" wrk {s['connections']}"
        f" connections × {s['seconds']} s per run on loopback, static file {s['static_path']}"
        f" ({s['static_bytes']:,} bytes, {s['static_sent_bytes']:,} sent), anonymous, with a"
        f" browser's Accept-Encoding: gzip, production settings, SQLite\n\n"
        + _markdown(head, lines)
    )


def _machine() -> dict:
    return {
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "uname": " ".join(platform.uname()),
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1,10,100")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"what to measure, comma-separated, of {', '.join(PARTS)}",
    )
    parser.add_argument("--serve-scale", type=int, default=10)
    parser.add_argument("--serve-seconds", type=int, default=5)
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if parts - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(parts - set(PARTS)))}")
    scales = [int(s) for s in args.scale.split(",")]
    facts = _machine()
    stop = _setup(args.db)
    results, served_result = [], None
    try:
        if parts & {"pages", "workbook", "ratios"}:
            for scale in scales:
                started = time.perf_counter()
                results.append(measure(scale, args.reps, max(scales), parts))
                results[-1]["wall_s"] = round(time.perf_counter() - started, 1)
                print(f"scale {scale}: done in {results[-1]['wall_s']} s", file=sys.stderr)
    finally:
        if stop:
            stop()
    if "served" in parts:
        served_result = served(args.serve_scale, args.serve_seconds, args.workers)
    facts["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(
        f"{facts['machine']}; {facts['uname']}; {facts['date']}; load average (1, 5, 15 min)"
        f" {facts['load_average_start']} at the start, {facts['load_average_end']} at the end\n"
    )
    for table in (_table(results, args.db), _ratio_table(results), _served_table(served_result)):
        if table:
            print(table + "\n")
    Path(args.out).write_text(
        json.dumps(
            {"db": args.db, **facts, "results": results, "served": served_result},
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
