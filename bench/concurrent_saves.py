#!/usr/bin/env python
"""Two editors of the same department save the same value at the same moment, over HTTP.

    python bench/concurrent_saves.py [--rounds 20] [--engines sqlite,postgres]
                                     [--screens actuals,grid]

For each engine (a fresh SQLite file; PostgreSQL 15 in a throwaway cluster started here as a
non-root user on a Unix socket) it migrates, loads the demo plans, creates two 部局編集者 of
the department that owns an R6 value of sasebo-r7, and starts gunicorn on 127.0.0.1 with
several workers. Each round, both editors GET the screen (the actuals entry screen, or the
admin indicator grid), then POST a different value for the same indicator at the same moment
(threads + a barrier). Counted: HTTP 500s, refusals shown (「他の人が先に保存しました」),
acknowledged saves, and lost updates (an acknowledged save whose value is not the final one).

Prints a table per engine and screen; exits 1 if there was any HTTP 500 or lost update (or
a round that could not be run at all).
Everything is bounded (rounds, request timeouts, a watchdog) and removed at the end
(gunicorn stopped, cluster stopped, temporary directories deleted).
"""

import argparse
import collections
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PGBIN = Path("/usr/lib/postgresql/15/bin")
PG_OS_USER = "pgci"  # initdb and pg_ctl refuse to run as root
PASSWORD = "concurrent-" + secrets.token_hex(8)
PLAN, YEAR, YEAR_LABEL = "sasebo-r7", 2024, "R6"
REFUSAL = "他の人が先に保存しました"
REQUEST_TIMEOUT = 30  # s, per HTTP request
WATCHDOG = 900  # s for the whole run


class Watchdog(Exception):
    pass


# --- HTTP ------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """Cookies kept by hand: production cookies are Secure and we speak plain HTTP on
    loopback behind a pretend TLS proxy (X-Forwarded-Proto: https), as bench/load.py does."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, path: str, form: dict | list | None = None) -> tuple[int, str]:
        headers = {
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form, doseq=True).encode()
            headers["Referer"] = "https://" + self.base.split("://", 1)[1] + path
        try:
            response = self.opener.open(
                urllib.request.Request(self.base + path, data, headers=headers),
                timeout=REQUEST_TIMEOUT,
            )
        except urllib.error.HTTPError as exc:
            response = exc
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.read().decode("utf-8", "replace")

    def login(self, username: str) -> None:
        self.request("/admin/login/")
        status, _ = self.request(
            "/admin/login/",
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
                "next": "/admin/",
            },
        )
        if status != 302:
            raise RuntimeError(f"login of {username}: HTTP {status}")


class _FormFields(HTMLParser):
    """The fields a browser would post from each POST form of a page: inputs (not disabled),
    selects and textareas as the HTML has them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.forms: list[list[tuple[str, str]]] = []
        self.fields: list[tuple[str, str]] = []
        self._select = self._textarea = None
        self._options: list[str] = []
        self._first = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and not self.inside:
            if a.get("method", "").lower() == "post":
                self.inside, self.fields = True, []
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._options, self._first = name, [], None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self._options.append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "form":
            self.inside = False
            self.forms.append(self.fields)
        elif tag == "select" and self._select:
            chosen = self._options or ([self._first] if self._first is not None else [])
            self.fields.extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data):
        if self.inside and self._textarea:
            self._text.append(data)


def form_with(page: str, name: str) -> list[tuple[str, str]]:
    """What the browser posts from the page's POST form that has the field ``name``."""
    parser = _FormFields()
    parser.feed(page)
    for fields in parser.forms:
        if any(k == name for k, _ in fields):
            return fields
    raise RuntimeError(f"the page has no form with the field {name}")


def _set(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    if not any(k == name for k, _ in fields):
        raise RuntimeError(f"the page has no field {name}")
    return [(k, value if k == name else v) for k, v in fields]


# --- the two screens ---------------------------------------------------------------------


class ActualsScreen:
    name = "actuals"

    def __init__(self, indicator: int):
        self.indicator = indicator
        self.path = f"/actuals/?plan={PLAN}&year={YEAR_LABEL}"

    def load(self, session: Session) -> list[tuple[str, str]]:
        status, page = session.request(self.path)
        if status != 200:
            raise RuntimeError(f"GET {self.path}: HTTP {status}")
        return form_with(page, f"actual-{self.indicator}")

    def post(self, session, fields, value):
        return session.request(self.path, _set(fields, f"actual-{self.indicator}", value))

    @staticmethod
    def saved(status: int, page: str) -> bool:
        return status == 302

    def final_value(self, session: Session) -> str:
        status, page = session.request(self.path)
        match = re.search(rf'name="actual-{self.indicator}" value="([^"]*)"', page)
        if status != 200 or not match:
            raise RuntimeError(f"cannot read the final value (HTTP {status})")
        return html.unescape(match.group(1))


class GridScreen(ActualsScreen):
    name = "grid"

    def __init__(self, indicator: int):
        super().__init__(indicator)
        self.grid_path = f"/admin/kpis/indicator/{indicator}/change/"

    def load(self, session):
        status, page = session.request(self.grid_path)
        if status != 200:
            raise RuntimeError(f"GET {self.grid_path}: HTTP {status}")
        fields = form_with(page, f"actual_{YEAR}")
        if not any(k.startswith("version_") for k, _ in fields):
            raise RuntimeError("the grid shows no version_* fields")
        return fields

    def post(self, session, fields, value):
        return session.request(self.grid_path, _set(fields, f"actual_{YEAR}", value))


# --- one engine --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_postgres(tmp: Path, cleanups: list) -> str:
    """A throwaway PostgreSQL 15 cluster in ``tmp`` on a Unix socket, run by a non-root user
    (.ci/run's approach); returns its DATABASE_URL and registers its stop in ``cleanups``."""
    if not (PGBIN / "initdb").exists():
        raise RuntimeError(f"PostgreSQL 15 binaries not found in {PGBIN}")
    if os.geteuid() == 0:
        if subprocess.run(["id", "-u", PG_OS_USER], capture_output=True).returncode != 0:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                 PG_OS_USER],
                check=True,
            )  # fmt: skip
        shutil.chown(tmp, PG_OS_USER)
        user = PG_OS_USER
        prefix = ["runuser", "-u", PG_OS_USER, "--"]
    else:
        import getpass

        user, prefix = getpass.getuser(), []
    tmp.chmod(0o755)
    data = tmp / "data"

    def run(*cmd):
        subprocess.run([*prefix, *cmd], check=True, capture_output=True, timeout=120)

    run(str(PGBIN / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8",
        "--locale=C.UTF-8")  # fmt: skip
    cleanups.append(
        lambda: subprocess.run(
            [*prefix, str(PGBIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
        )
    )
    run(str(PGBIN / "pg_ctl"), "-D", str(data), "-l", str(tmp / "server.log"), "-w", "-t", "60",
        "-o", f"-k {tmp} -c listen_addresses='' -c fsync=off -c synchronous_commit=off",
        "start")  # fmt: skip
    run(str(PGBIN / "createdb"), "-h", str(tmp), "-U", user, "dxplan_concurrent")
    return f"postgres://{user}@/dxplan_concurrent?host={tmp}"


SETUP = """
import json
from django.contrib.auth.models import Group, User
from kpis.models import ConfirmedYear, Indicator, IndicatorValue
from strategy.models import Department, Plan, StaffMember

plan = Plan.objects.get(slug=%(plan)r)
assert not ConfirmedYear.objects.filter(plan=plan, fiscal_year=%(year)d).exists()
choice = None
for dept in Department.objects.filter(municipality=plan.municipality).order_by("pk"):
    shown = Indicator.objects.for_actuals_entry(plan, dept)
    have = set(
        IndicatorValue.objects.filter(indicator__in=shown, fiscal_year=%(year)d)
        .values_list("indicator_id", flat=True)
    )
    first = next((i for i in shown if i.pk in have and i.project_id), None)
    if first is not None:
        choice = (dept, first)
        break
dept, indicator = choice
group = Group.objects.get(name="部局編集者")
extra = {}
if any(f.name == "municipality" for f in StaffMember._meta.fields):
    extra["municipality"] = dept.municipality
names = []
for n in (1, 2):
    user = User.objects.create_user(f"concurrent-editor-{n}", password=%(password)r, is_staff=True)
    user.groups.add(group)
    StaffMember.objects.create(user=user, department=dept, **extra)
    names.append(user.username)
value = IndicatorValue.objects.get(indicator=indicator, fiscal_year=%(year)d)
print("SETUP " + json.dumps({
    "department": dept.name, "indicator": indicator.pk, "indicator_name": indicator.name,
    "editors": names, "start": value.actual, "version": value.version,
}))
"""


def run_engine(engine: str, screens: list[str], rounds: int, cleanups: list) -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix=f"dxplan-concurrent-{engine}."))
    cleanups.append(lambda: shutil.rmtree(tmp, ignore_errors=True))
    if engine == "sqlite":
        url = f"sqlite:///{tmp / 'db.sqlite3'}"
    else:
        tmp.chmod(0o755)  # the cluster's user must reach tmp/pg
        (tmp / "pg").mkdir()
        url = _start_postgres(tmp / "pg", cleanups)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    py = sys.executable

    def manage(*args, **kw):
        return subprocess.run(
            [py, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=600, **kw
        )

    manage("migrate", "-v0")
    manage("load_demo", "-v0")
    manage("collectstatic", "--noinput", "-v0")  # DEBUG=0 serves hashed names (WhiteNoise)
    out = manage(
        "shell",
        "-c",
        SETUP % {"plan": PLAN, "year": YEAR, "password": PASSWORD},
        capture_output=True,
        text=True,
    ).stdout
    setup = json.loads(next(x for x in out.splitlines() if x.startswith("SETUP "))[6:])

    workers = max(3, 2 * (os.cpu_count() or 1) + 1)
    error_log = tmp / "gunicorn.log"  # gunicorn's own log, then the workers' stderr (Django)
    server = subprocess.Popen(
        [py, "-m", "gunicorn", "dxplan.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--timeout", str(REQUEST_TIMEOUT + 10), "--graceful-timeout", "5",
         "--error-logfile", str(error_log), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "stderr.log").open("wb"),
    )  # fmt: skip

    def stop_server():
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)

    cleanups.append(stop_server)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {error_log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(base + "/admin/login/", timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.2)
    else:
        raise RuntimeError("gunicorn did not answer")

    sessions = [Session(base) for _ in setup["editors"]]
    for session, name in zip(sessions, setup["editors"], strict=True):
        session.login(name)

    results = []
    for screen_name in screens:
        screen = {"actuals": ActualsScreen, "grid": GridScreen}[screen_name](setup["indicator"])
        results.append(_rounds(engine, screen, sessions, rounds))
        results[-1]["workers"] = workers
    stop_server()
    log = "".join(
        p.read_text(errors="replace") for p in (error_log, tmp / "stderr.log") if p.exists()
    )
    errors = collections.Counter(  # exception class (+ message start) of each traceback
        line.strip()[:70]
        for line in log.splitlines()
        if re.match(r"^[\w.]+(Error|Exception|Rejected)(: |$)", line.strip())
    )
    for r in results:
        r["locked_in_log"] = log.count("database is locked")
        r["server_errors"] = errors.most_common(3)
        r["setup"] = setup
    return results


def _rounds(engine: str, screen, sessions: list[Session], rounds: int) -> dict:
    tally = {"engine": engine, "screen": screen.name, "rounds": rounds, "saved": 0,
             "refused": 0, "http500": 0, "other": 0, "lost": 0, "one_each": 0,
             "overlapping": 0, "latencies": [], "notes": []}  # fmt: skip
    for n in range(rounds):
        values = [str(500 + 10 * n + k) for k in (1, 2)]
        barrier = threading.Barrier(len(sessions))
        outcome: list = [None] * len(sessions)

        def editor(k, values=values, barrier=barrier, outcome=outcome):
            try:
                fields = screen.load(sessions[k])  # both have loaded before either posts
                barrier.wait(timeout=REQUEST_TIMEOUT)
                start = time.perf_counter()
                status, page = screen.post(sessions[k], fields, values[k])
                outcome[k] = (status, page, start, time.perf_counter())
            except Exception as exc:  # noqa: BLE001 - counted as "other"
                outcome[k] = exc
                barrier.abort()

        threads = [threading.Thread(target=editor, args=(k,), daemon=True) for k in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=3 * REQUEST_TIMEOUT)
        final = screen.final_value(sessions[0])
        saved_values, refused = [], 0
        for k, result in enumerate(outcome):
            if not isinstance(result, tuple):
                tally["other"] += 1
                tally["notes"].append(f"round {n + 1}, editor {k + 1}: {result!r}"[:200])
                continue
            status, page, start, end = result
            tally["latencies"].append(end - start)
            if status == 500:
                tally["http500"] += 1
            elif screen.saved(status, page):
                saved_values.append(values[k])
            elif REFUSAL in page:
                refused += 1
            else:
                tally["other"] += 1
                tally["notes"].append(f"round {n + 1}, editor {k + 1}: HTTP {status}")
        tally["saved"] += len(saved_values)
        tally["refused"] += refused
        tally["lost"] += sum(1 for v in saved_values if v != final)
        tally["one_each"] += len(saved_values) == 1 and refused == 1
        done = [r for r in outcome if isinstance(r, tuple)]
        if len(done) == 2:
            (_, _, s0, e0), (_, _, s1, e1) = done
            tally["overlapping"] += s0 < e1 and s1 < e0
    return tally


def _print(results: list[dict]) -> None:
    if not results:
        return
    setup = results[0]["setup"]
    engine = results[0]["engine"]
    print(
        f"\n== {engine}: gunicorn {results[0]['workers']} workers on 127.0.0.1; two 部局編集者 of "
        f"{setup['department']} save 「{setup['indicator_name']}」 (id {setup['indicator']}) "
        f"{YEAR_LABEL}"
    )
    head = (
        f"{'screen':<8} {'rounds':>6} {'overlap':>7} {'saved':>6} {'refused':>7} "
        f"{'HTTP 500':>8} {'other':>6} {'lost':>5} {'1+1':>4} {'POST median/max ms':>19}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        lat = r["latencies"]
        timing = f"{statistics.median(lat) * 1000:.0f} / {max(lat) * 1000:.0f}" if lat else "-"
        print(
            f"{r['screen']:<8} {r['rounds']:>6} {r['overlapping']:>7} {r['saved']:>6} "
            f"{r['refused']:>7} {r['http500']:>8} {r['other']:>6} {r['lost']:>5} "
            f"{r['one_each']:>4} {timing:>19}"
        )
    print(
        "overlap: rounds whose two POSTs were in flight at the same time; 1+1: rounds with "
        "exactly one save and one refusal shown; lost: acknowledged saves whose value is not "
        f"the final one. 'database is locked' in the server log: {results[0]['locked_in_log']}"
    )
    for r in results:
        for note in r["notes"][:5]:
            print(f"  {r['screen']}: {note}")
    for line, count in results[0]["server_errors"]:
        print(f"  server log, {count}×: {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--screens", default="actuals,grid")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    screens = [s.strip() for s in args.screens.split(",") if s.strip()]
    if not set(engines) <= {"sqlite", "postgres"} or not set(screens) <= {"actuals", "grid"}:
        parser.error("engines: sqlite, postgres; screens: actuals, grid")
    if not 1 <= args.rounds <= 200:
        parser.error("--rounds between 1 and 200")

    def on_alarm(signum, frame):
        raise Watchdog(f"stopped after {WATCHDOG} s")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(2))  # run the cleanups
    signal.alarm(WATCHDOG)
    failed = False
    all_results = []
    for engine in engines:
        cleanups: list = []
        try:
            results = run_engine(engine, screens, args.rounds, cleanups)
            all_results.extend(results)
            _print(results)
            # a round that could not be run (a page without the form…) is no measurement
            failed |= any(r["http500"] or r["lost"] or r["other"] for r in results)
        except (Exception, Watchdog) as exc:  # noqa: BLE001 - reported, then cleaned up
            print(f"\n== {engine}: FAILED to run: {exc}", file=sys.stderr)
            failed = True
        finally:
            for cleanup in reversed(cleanups):
                try:
                    cleanup()
                except Exception as exc:  # noqa: BLE001
                    print(f"cleanup: {exc}", file=sys.stderr)
    signal.alarm(0)
    print("\nRESULT", "FAILED" if failed else "OK", "(target: 0 HTTP 500, 0 lost updates)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
