#!/usr/bin/env python
"""Load run: 50 viewers read the report pages from a streaming replica while department
editors save actuals on the primary; checks zero errors and zero lost updates.

    python bench/load.py [--seconds 60] [--viewers 50] [--edited-viewers 10] [--editor-pause 0]
                         [--think 1]

Starts, on loopback and in temporary directories, everything production has:

- a PostgreSQL 15 primary and a hot standby made from it with ``pg_basebackup -R``
  (streaming replication), both run by the non-root user ``pgci`` (initdb refuses root) on
  Unix sockets, as .ci/run does;
- Redis (Debian's redis-server) for the page cache, on a Unix socket;
- gunicorn (2 × cores + 1 workers) with ``DATABASE_URL`` on the primary,
  ``DATABASE_REPLICA_URL`` on the standby and ``REDIS_URL``, production settings.

Then two wrk runs at once, each connection a viewer who reads a page for ``--think`` seconds
before asking for the next (wrk's ``delay()``; 0 makes it a back-to-back stress run, where
latency is just the number of viewers over the throughput), sending a browser's
Accept-Encoding: ``--viewers`` minus ``--edited-viewers`` anonymous viewers on the
pages of a published plan no editor changes (nagasaki-dx: after the warm-up every request
is a page-cache hit — the figure the README quotes as "cached pages"), and
``--edited-viewers`` on the plan the editors save actuals of (sasebo-r7: each save advances
its revision, so its pages are made again, from the replica, after every save). Six editors
sign in and save five R6 actuals of their department again and again (back to back
unless ``--editor-pause``). At the end: wrk's
errors and every non-200 answer, the latency percentiles and requests/s of each group, the
page-cache hits counted from ``X-Dxplan-Cache``, how many transactions each server ran
(pg_stat_database: the reads must be on the standby), and lost updates — every value the
server acknowledged must be stored, on the primary and, once replay has caught up, on the
standby. Exits non-zero on any error or lost update. Stops everything at the end.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = 8766
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "load-test-" + secrets.token_hex(8)
PGBIN = Path("/usr/lib/postgresql/15/bin")
PGUSER = "pgci"
DBNAME = "dxplan_load"
PRIMARY_PORT, REPLICA_PORT = 5432, 5433
CACHED_PLAN, EDITED_PLAN = "nagasaki-dx", "sasebo-r7"


class _Session:
    """Cookies kept by hand: the production cookies are Secure and we speak plain HTTP on
    loopback behind a pretend TLS proxy (X-Forwarded-Proto: https)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def open(self, url: str, data: bytes | None = None, referer: str | None = None) -> "_Answer":
        """One request, its answer read whole and its connection closed at once — as a
        browser does. (gunicorn's sync worker lingers after a response until the client
        closes, up to 2 s: a response left unread held a worker that long, and the editors'
        unread redirects made every save take about a second.)"""
        headers = {
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if referer:
            headers["Referer"] = referer
        try:
            response = self.opener.open(urllib.request.Request(url, data, headers=headers))
        except urllib.error.HTTPError as exc:
            response = exc
        with response:
            body = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return _Answer(response.status, response.headers, body)

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")


@dataclass
class _Answer:
    status: int
    headers: Message
    body: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Editor(threading.Thread):
    """Logs in, then saves its department's actuals for R6 again and again."""

    def __init__(self, username: str, deadline: float, pause: float):
        super().__init__(daemon=True)
        self.username, self.deadline, self.pause = username, deadline, pause
        self.saved: dict[int, str] = {}  # indicator id → last value acknowledged by the server
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def run(self):
        session = _Session()
        login = f"{BASE}/admin/login/"
        session.open(login)
        data = urllib.parse.urlencode(
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": session.csrf,
                "next": "/actuals/",
            }
        )
        response = session.open(
            login, data.encode(), referer=f"https://127.0.0.1:{PORT}/admin/login/"
        )
        if response.status != 302:
            self.errors.append(f"login: status {response.status}")
            return
        url = f"{BASE}/actuals/?plan=sasebo-r7&year=R6"
        n = 0
        while time.time() < self.deadline:
            n += 1
            try:
                page = session.open(url).body.decode()
                ids = re.findall(r'name="actual-(\d+)"', page)[:5]
                versions = dict(re.findall(r'name="version-(\d+)" value="(\d+)"', page))
                value = str(n)
                form = {"csrfmiddlewaretoken": session.csrf}
                for pk in ids:
                    form[f"actual-{pk}"] = value
                    form[f"version-{pk}"] = versions.get(pk, "0")
                start = time.perf_counter()
                response = session.open(
                    url,
                    urllib.parse.urlencode(form).encode(),
                    referer=f"https://127.0.0.1:{PORT}/actuals/",
                )
                self.latencies.append(time.perf_counter() - start)
                if response.status != 302:  # saved → redirect back to the screen
                    self.errors.append(f"save: status {response.status}")
                    continue
                for pk in ids:
                    self.saved[int(pk)] = value
                time.sleep(self.pause)  # 0 by default: saves back to back, the worst case
            except Exception as exc:  # noqa: BLE001
                self.errors.append(str(exc))


class Services:
    """The primary, its streaming replica and Redis, in one temporary directory."""

    def __init__(self):
        if not PGBIN.exists():
            sys.exit("PostgreSQL 15 binaries not found (apt-get install postgresql-15)")
        if not shutil.which("redis-server"):
            sys.exit("redis-server is missing: apt-get install redis-server")
        if subprocess.run(["id", "-u", PGUSER], capture_output=True).returncode != 0:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PGUSER],
                check=True,
            )
        self.root = Path(tempfile.mkdtemp(prefix="dxplan-load."))
        shutil.chown(self.root, PGUSER)
        self.root.chmod(0o755)
        self.started: list[Path] = []
        self.redis_pid: Path | None = None

    def _pg(self, *cmd):
        subprocess.run(
            ["runuser", "-u", PGUSER, "--", *map(str, cmd)], check=True, capture_output=True
        )

    def _pg_start(self, data: Path, options: str):
        self._pg(PGBIN / "pg_ctl", "-D", data, "-l", f"{data}.log", "-w", "-o", options, "start")
        self.started.append(data)

    def url(self, port: int) -> str:
        return f"postgres://{PGUSER}@/{DBNAME}?host={self.root}&port={port}"

    def connect(self, port: int):
        conn = psycopg2.connect(host=str(self.root), port=port, user=PGUSER, dbname=DBNAME)
        conn.autocommit = True
        return conn

    def start(self) -> None:
        primary, replica = self.root / "primary", self.root / "replica"
        self._pg(
            PGBIN / "initdb",
            "-D",
            primary,
            "-U",
            PGUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self._pg_start(
            primary,
            f"-k {self.root} -p {PRIMARY_PORT} -c listen_addresses='' -c fsync=off -c synchronous_commit=off",
        )
        self._pg(PGBIN / "createdb", "-h", self.root, "-p", PRIMARY_PORT, "-U", PGUSER, DBNAME)
        # the standby: a base backup that streams its WAL (-X stream) and is written as a
        # standby (-R: standby.signal and primary_conninfo), then started read-only
        self._pg(
            PGBIN / "pg_basebackup", "-h", self.root, "-p", PRIMARY_PORT, "-U", PGUSER,
            "-D", replica, "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        self._pg_start(
            replica,
            f"-k {self.root} -p {REPLICA_PORT} -c listen_addresses='' -c hot_standby=on"
            " -c hot_standby_feedback=on -c fsync=off",
        )
        with self.connect(PRIMARY_PORT) as conn, conn.cursor() as cur:
            for _ in range(100):
                cur.execute("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
                if cur.fetchone()[0]:
                    break
                time.sleep(0.1)
            else:
                sys.exit("the replica did not start streaming")
        sock, self.redis_pid = self.root / "redis.sock", self.root / "redis.pid"
        subprocess.run(
            [
                "redis-server", "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
                "--dir", str(self.root), "--save", "", "--appendonly", "no", "--daemonize", "yes",
                "--pidfile", str(self.redis_pid), "--logfile", str(self.root / "redis.log"),
            ],
            check=True,
        )  # fmt: skip
        for _ in range(50):
            if sock.exists():
                break
            time.sleep(0.1)
        self.redis_url = f"unix://{sock}"

    def caught_up(self, timeout: float = 60) -> float:
        """Wait until the standby has replayed all the primary wrote; seconds waited."""
        start = time.perf_counter()
        with self.connect(PRIMARY_PORT) as primary, primary.cursor() as cur:
            cur.execute("SELECT pg_current_wal_insert_lsn()::text")
            lsn = cur.fetchone()[0]
        with self.connect(REPLICA_PORT) as replica, replica.cursor() as cur:
            while True:
                cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
                if cur.fetchone()[0]:
                    return time.perf_counter() - start
                if time.perf_counter() - start > timeout:
                    sys.exit("the replica did not catch up")
                time.sleep(0.05)

    def transactions(self, port: int) -> tuple[int, int]:
        """(transactions committed, rows fetched) in the load database on that server."""
        with self.connect(port) as conn, conn.cursor() as cur:
            cur.execute("SELECT pg_stat_clear_snapshot()")
            cur.execute(
                "SELECT xact_commit, tup_fetched FROM pg_stat_database WHERE datname = %s",
                [DBNAME],
            )
            return cur.fetchone()

    def stop(self) -> None:
        if self.redis_pid and self.redis_pid.exists():
            subprocess.run(["kill", self.redis_pid.read_text().strip()], capture_output=True)
        for data in reversed(self.started):
            subprocess.run(
                [
                    "runuser",
                    "-u",
                    PGUSER,
                    "--",
                    str(PGBIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
            )
        shutil.rmtree(self.root, ignore_errors=True)


LUA = """
local paths = %(paths)s
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) hits, misses, uncached, bad, i = 0, 0, 0, 0, 0 end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1],
    {["X-Forwarded-Proto"] = "https", ["Accept-Encoding"] = "gzip, deflate, br"})
end
-- a viewer reads the page before asking for the next: wrk waits this long between one
-- connection's requests (not counted in the latency)
function delay() return %(think_ms)d end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
  local cache = headers["X-Dxplan-Cache"] or headers["x-dxplan-cache"]
  if cache == "hit" then hits = hits + 1
  elseif cache == "miss" then misses = misses + 1
  else uncached = uncached + 1 end
end
function done(summary, latency, requests)
  local h, m, u, b = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    h, m, u, b = h + t:get("hits"), m + t:get("misses"), u + t:get("uncached"), b + t:get("bad")
  end
  io.write(string.format("RESULT requests=%%d duration_us=%%d errors_connect=%%d errors_read=%%d errors_write=%%d errors_status=%%d errors_timeout=%%d non200=%%d hits=%%d misses=%%d uncached=%%d p50_us=%%d p95_us=%%d p99_us=%%d\\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, b, h, m, u,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _wrk(
    paths: list[str], connections: int, seconds: int, script: Path, think_ms: int
) -> subprocess.Popen:
    lua = "{" + ", ".join(json.dumps(p) for p in paths) + "}"
    script.write_text(LUA % {"paths": lua, "think_ms": think_ms})
    return subprocess.Popen(
        [
            "wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
            "-s", str(script), BASE,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _wrk_result(process: subprocess.Popen) -> dict[str, int]:
    out, err = process.communicate()
    line = next((x for x in out.splitlines() if x.startswith("RESULT")), None)
    if line is None:
        sys.exit(f"wrk failed: {out}{err}")
    return {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}


def _errors(stats: dict[str, int]) -> int:
    return sum(v for k, v in stats.items() if k.startswith("errors_")) + stats["non200"]


PATHS = (
    "import json\n"
    "from django.urls import reverse\n"
    "from reports import layouts\n"
    "from strategy.models import Department, Plan\n"
    "out = {}\n"
    "for plan in Plan.objects.filter(slug__in=%r):\n"
    "    layout = layouts.of(plan)\n"
    "    args = [plan.slug]\n"
    "    paths = [reverse(n, args=args) for n in ('reports:plan-dashboard', 'reports:plan-overview',"
    " 'reports:project-table', 'reports:report', 'reports:plan-compare')]\n"
    "    for issue in plan.issues.order_by('pk')[:4]:\n"
    "        for page in layout.issue_pages:\n"
    "            paths.append(reverse('reports:issue-page', args=[plan.slug, issue.code, page.slug]))\n"
    "    for dept in Department.objects.filter(municipality=plan.municipality).order_by('pk')[:2]:\n"
    "        paths.append(reverse('reports:department', args=[plan.slug, dept.pk]))\n"
    "    out[plan.slug] = paths\n"
    "print(json.dumps(out))\n"
)


def _lost(py: str, env: dict, acknowledged: dict) -> int:
    """Acknowledged values not stored in the database ``env`` points at."""
    check = (
        "import json,sys\n"
        "from kpis.models import IndicatorValue\n"
        "want = json.loads(sys.stdin.read())\n"
        "got = {str(v.indicator_id): v.actual for v in IndicatorValue.objects.filter(fiscal_year=2024, indicator_id__in=[int(k) for k in want])}\n"
        "print(sum(1 for k, v in want.items() if got.get(k) != v))\n"
    )
    result = subprocess.run(
        [py, "manage.py", "shell", "-c", check],
        cwd=ROOT,
        env=env,
        input=json.dumps(acknowledged),
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.strip().splitlines()[-1])


def _line(name: str, viewers: int, stats: dict[str, int]) -> str:
    seconds = stats["duration_us"] / 1e6
    answered = stats["hits"] + stats["misses"] + stats["uncached"]
    hit_share = 100 * stats["hits"] / answered if answered else 0.0
    return (
        f"  {name} ({viewers} viewers): {stats['requests']} requests ({stats['requests'] / seconds:.1f}/s),"
        f" page-cache hits {hit_share:.1f} %, errors: {_errors(stats)}\n"
        f"    latency: median {stats['p50_us'] / 1000:.1f} ms, p95 {stats['p95_us'] / 1000:.1f} ms,"
        f" p99 {stats['p99_us'] / 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--edited-viewers", type=int, default=10)
    parser.add_argument(
        "--editor-pause", type=float, default=0.0, help="seconds between one editor's saves"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds a viewer reads a page before the next (0: back to back, a stress run)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    cached_viewers = args.viewers - args.edited_viewers
    if cached_viewers < 1 or args.edited_viewers < 1:
        sys.exit("--edited-viewers must be between 1 and --viewers - 1")
    services = Services()
    server = None
    py = sys.executable
    try:
        services.start()
        env = {
            **os.environ,
            "DATABASE_URL": services.url(PRIMARY_PORT),
            "DATABASE_REPLICA_URL": services.url(REPLICA_PORT),
            "REDIS_URL": services.redis_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_LOG_LEVEL": "ERROR",
            "DXPLAN_PDF_DIR": str(services.root / "pdf"),
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        for cmd in (
            ["migrate", "-v0"],
            ["load_demo", "-v0"],
            ["collectstatic", "--noinput", "-v0"],
        ):
            subprocess.run([py, "manage.py", *cmd], cwd=ROOT, env=env, check=True)
        setup = (
            "from django.contrib.auth.models import User, Group\n"
            "from strategy.models import Department, StaffMember\n"
            "g = Group.objects.get(name='部局編集者')\n"
            "for i, d in enumerate(Department.objects.filter(municipality__code='422029')):\n"
            f"    u = User.objects.create_user(f'editor{{i}}', password='{PASSWORD}', is_staff=True)\n"
            "    u.groups.add(g); StaffMember.objects.create(user=u, department=d)\n"
            "    print(u.username)\n"
        )

        def shell(code: str) -> str:
            return subprocess.run(
                [py, "manage.py", "shell", "-c", code],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout

        editors = [name for name in shell(setup).split() if name.startswith("editor")]
        paths = json.loads(shell(PATHS % ([CACHED_PLAN, EDITED_PLAN],)).strip().splitlines()[-1])
        services.caught_up()
        workers = 2 * (os.cpu_count() or 1) + 1
        server = subprocess.Popen(
            [
                py, "-m", "gunicorn", "dxplan.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", str(workers),
                "--log-level", "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{BASE}/", timeout=1)
                break
            except Exception:  # noqa: BLE001
                time.sleep(0.2)
        # warm-up: every page once, so the cached group meets a filled cache
        warm = _Session()
        for path in paths[CACHED_PLAN] + paths[EDITED_PLAN]:
            response = warm.open(BASE + path)
            if response.status != 200:
                sys.exit(f"warm-up: {path} answered {response.status}")
        second = warm.open(BASE + paths[CACHED_PLAN][0])
        if second.headers.get("X-Dxplan-Cache") != "hit":
            sys.exit("warm-up: the second anonymous read was not a page-cache hit")
        replica_before = services.transactions(REPLICA_PORT)
        primary_before = services.transactions(PRIMARY_PORT)

        deadline = time.time() + args.seconds
        threads = [Editor(name, deadline, args.editor_pause) for name in editors[:6]]
        for t in threads:
            t.start()
        think_ms = round(args.think * 1000)
        cached = _wrk(
            paths[CACHED_PLAN],
            cached_viewers,
            args.seconds,
            services.root / "cached.lua",
            think_ms,
        )
        edited = _wrk(
            paths[EDITED_PLAN],
            args.edited_viewers,
            args.seconds,
            services.root / "edited.lua",
            think_ms,
        )
        cached_stats, edited_stats = _wrk_result(cached), _wrk_result(edited)
        for t in threads:
            t.join()
        lag = services.caught_up()
        replica_after = services.transactions(REPLICA_PORT)
        primary_after = services.transactions(PRIMARY_PORT)

        acknowledged = {str(k): v for t in threads for k, v in t.saved.items()}
        lost_primary = _lost(py, env, acknowledged)
        lost_replica = _lost(py, {**env, "DATABASE_URL": services.url(REPLICA_PORT)}, acknowledged)
        saves = sum(len(t.latencies) for t in threads)
        save_lat = sorted(x for t in threads for x in t.latencies)
        editor_errors = [e for t in threads for e in t.errors]
        errors = _errors(cached_stats) + _errors(edited_stats)
        total = cached_stats["requests"] + edited_stats["requests"]
        seconds = max(cached_stats["duration_us"], edited_stats["duration_us"]) / 1e6
        print(
            f"viewers: {args.viewers} concurrent for {args.seconds} s (wrk), each reading a page"
            f" {args.think:g} s before the next, gzip accepted, gunicorn {workers} workers,"
            " PostgreSQL 15 primary + streaming replica (pg_basebackup -R), page cache in Redis"
        )
        print(f"  all pages: {total} requests ({total / seconds:.1f}/s), errors: {errors}")
        print(_line(f"cached pages ({CACHED_PLAN}, not edited)", cached_viewers, cached_stats))
        print(
            _line(
                f"pages of the plan being edited ({EDITED_PLAN})", args.edited_viewers, edited_stats
            )
        )
        print(
            f"  transactions during the run: replica {replica_after[0] - replica_before[0]}"
            f" ({replica_after[1] - replica_before[1]} rows fetched),"
            f" primary {primary_after[0] - primary_before[0]} ({primary_after[1] - primary_before[1]} rows fetched)"
        )
        print(
            f"editors: {len(threads)} saving 5 actuals per request on the primary"
            f" ({args.editor_pause:g} s between saves): {saves} saves, errors: {len(editor_errors)}"
        )
        if save_lat:
            p95 = save_lat[int(0.95 * (len(save_lat) - 1))]
            print(
                f"  save latency: median {statistics.median(save_lat) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"
            )
        print(
            f"lost updates: {lost_primary} on the primary, {lost_replica} on the replica"
            f" (caught up {lag * 1000:.0f} ms after the run) of {len(acknowledged)} acknowledged values checked"
        )
        if errors or editor_errors or lost_primary or lost_replica or not saves:
            print("FAILED", editor_errors[:5])
            sys.exit(1)
    finally:
        if server:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        services.stop()


if __name__ == "__main__":
    main()
