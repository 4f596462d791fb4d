"""The app served as deployed: gunicorn with the project's gunicorn.conf.py, production
settings (DJANGO_DEBUG=0, collected static files), a published plan read anonymously.

The configuration (threaded workers, the worker timeout above the PDF print's bound) is
what the README's production command runs; this checks that it starts and serves, and
that signed-out readers get the page cache's compressed pages through it.
"""

import gzip
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.reports.test_pdf_production import ROOT, Production


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    prod = Production(tmp_path_factory.mktemp("served"))
    prod.env.update(DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_SECURE_SSL_REDIRECT="0")
    prod.env["DXPLAN_CACHE_DIR"] = str(prod.base / "cache")
    prod.env["DXPLAN_PDF_DIR"] = str(prod.base / "pdf")
    prod.env.pop("REDIS_URL", None)
    prod.env.pop("DATABASE_REPLICA_URL", None)
    for args in (("migrate", "--noinput", "-v", "0"), ("load_demo", "-v", "0")):
        prod.manage(*args)
    prod.manage("collectstatic", "--noinput", "-v", "0")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "dxplan.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,  # where gunicorn finds gunicorn.conf.py, as the README runs it
        env=prod.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/", timeout=5).read()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers, response.read()


def test_the_project_configuration_is_what_runs(served):
    from gunicorn.config import Config

    config = Config()
    namespace = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), namespace)
    for name in ("worker_class", "threads", "timeout"):
        config.set(name, namespace[name])
    assert config.worker_class_str == "gthread" and config.threads == 4
    status, _headers, body = _get(served + "/plans/sasebo-r7/")
    assert status == 200 and "佐世保市" in body.decode()


def test_signed_out_readers_get_the_compressed_cached_page(served):
    url = served + "/plans/nagasaki-dx/"
    _get(url)
    status, headers, body = _get(url, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["X-Dxplan-Cache"] == "hit"
    assert headers["Content-Encoding"] == "gzip"
    assert "長崎市" in gzip.decompress(body).decode()
    _status, plain_headers, plain = _get(url)
    assert plain_headers["X-Dxplan-Cache"] == "hit" and "Content-Encoding" not in plain_headers
    assert plain == gzip.decompress(body)
