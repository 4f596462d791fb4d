#!/usr/bin/env python
"""Load run: gunicorn + PostgreSQL on loopback, 50 viewers (wrk) and department editors
saving actuals at the same time; checks zero errors and zero lost updates.

    python bench/load.py [--seconds 60] [--viewers 50]

Starts its own throwaway PostgreSQL 15 cluster and gunicorn on 127.0.0.1, loads the demo
plans, and stops everything at the end. Prints the figures the README quotes.
"""

import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = 8766
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "load-test-" + secrets.token_hex(8)


class _Session:
    """Cookies kept by hand: the production cookies are Secure and we speak plain HTTP on
    loopback behind a pretend TLS proxy (X-Forwarded-Proto: https)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def open(self, url: str, data: bytes | None = None, referer: str | None = None):
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
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Editor(threading.Thread):
    """Logs in, then saves its department's actuals for R6 again and again."""

    def __init__(self, username: str, deadline: float):
        super().__init__(daemon=True)
        self.username, self.deadline = username, deadline
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
                page = session.open(url).read().decode()
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
            except Exception as exc:  # noqa: BLE001
                self.errors.append(str(exc))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--viewers", type=int, default=50)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    from bench.run import _start_postgres

    url, stop_pg = _start_postgres()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    py = sys.executable
    server = None
    try:
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
        editors = subprocess.run(
            [py, "manage.py", "shell", "-c", setup],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        editors = [name for name in editors if name.startswith("editor")]
        workers = 2 * (os.cpu_count() or 1) + 1
        server = subprocess.Popen(
            [
                py,
                "-m",
                "gunicorn",
                "dxplan.wsgi",
                "-b",
                f"127.0.0.1:{PORT}",
                "-w",
                str(workers),
                "--access-logfile",
                "-",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{BASE}/", timeout=1)
                break
            except Exception:  # noqa: BLE001
                time.sleep(0.2)
        deadline = time.time() + args.seconds
        threads = [Editor(name, deadline) for name in editors[:6]]
        for t in threads:
            t.start()
        wrk = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(args.viewers),
                "-d",
                f"{args.seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(ROOT / "bench" / "load.lua"),
                BASE,
            ],
            capture_output=True,
            text=True,
        )
        for t in threads:
            t.join()
        line = next(x for x in wrk.stdout.splitlines() if x.startswith("RESULT"))
        stats = dict(kv.split("=") for kv in line.split()[1:])
        # lost updates: every value the server acknowledged must be the one stored
        check = (
            "import json,sys\n"
            "from kpis.models import IndicatorValue\n"
            "want = json.loads(sys.stdin.read())\n"
            "got = {str(v.indicator_id): v.actual for v in IndicatorValue.objects.filter(fiscal_year=2024, indicator_id__in=[int(k) for k in want])}\n"
            "print(sum(1 for k, v in want.items() if got.get(k) != v))\n"
        )
        acknowledged = {str(k): v for t in threads for k, v in t.saved.items()}
        import json

        lost = int(
            subprocess.run(
                [py, "manage.py", "shell", "-c", check],
                cwd=ROOT,
                env=env,
                input=json.dumps(acknowledged),
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        saves = sum(len(t.latencies) for t in threads)
        save_lat = sorted(x for t in threads for x in t.latencies)
        errors = sum(int(stats[k]) for k in stats if k.startswith("errors"))
        editor_errors = [e for t in threads for e in t.errors]
        seconds = int(stats["duration_us"]) / 1e6
        print(
            f"viewers: {args.viewers} concurrent for {args.seconds} s (wrk), gunicorn {workers} workers, PostgreSQL 15"
        )
        print(
            f"  requests: {stats['requests']} ({int(stats['requests']) / seconds:.1f}/s), errors: {errors}"
        )
        print(
            f"  latency: median {int(stats['p50_us']) / 1000:.1f} ms, p95 {int(stats['p95_us']) / 1000:.1f} ms, p99 {int(stats['p99_us']) / 1000:.1f} ms"
        )
        print(
            f"editors: {len(threads)} saving 5 actuals per request: {saves} saves, errors: {len(editor_errors)}"
        )
        if save_lat:
            p95 = save_lat[int(0.95 * (len(save_lat) - 1))]
            print(
                f"  save latency: median {statistics.median(save_lat) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"
            )
        print(f"lost updates: {lost} of {len(acknowledged)} acknowledged values checked")
        if errors or editor_errors or lost:
            print("FAILED", editor_errors[:5])
            sys.exit(1)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=10)
        stop_pg()


if __name__ == "__main__":
    main()
