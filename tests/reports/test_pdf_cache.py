"""The PDF printed once per plan revision and kept (reports/pdf.py).

The browser is replaced by a counter (``reports.pdf.html_to_pdf``): what is tested is how
often it would start, the file kept, the lock and who may download. The real print is
tested in tests/reports/test_pdf_production.py and tests/browser/. The lock is the cache's
when the cache is Redis (REDIS_URL, as in .ci/run's PostgreSQL run) and a flock otherwise;
both kinds are tested by name below whatever the cache.
"""

import datetime as dt
import signal
import subprocess
import sys
import time

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse

from reports import pagecache
from reports import pdf as pdf_module
from strategy import revision
from strategy.models import Plan
from tests import builders
from tests.conftest import make_user
from tests.formdata import form_data
from tests.test_access_matrix import _post_data

pytestmark = pytest.mark.django_db


class Browser:
    """Stands in for Chromium: counts the prints; ``during`` runs inside a print."""

    def __init__(self):
        self.prints = 0
        self.during = None

    def __call__(self, html: str, **kwargs) -> bytes:
        self.prints += 1
        if self.during is not None:
            self.during()
        return b"%PDF-1.7 print " + str(self.prints).encode()


@pytest.fixture(autouse=True)
def store(settings, tmp_path):
    settings.DXPLAN_PDF_STORE = True
    settings.DXPLAN_PDF_DIR = str(tmp_path / "pdf")
    if "filebased" in settings.CACHES["default"]["BACKEND"]:
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": str(tmp_path / "cache")}
        }
    caches["default"].clear()
    yield tmp_path / "pdf"
    caches["default"].clear()


@pytest.fixture
def browser(monkeypatch):
    fake = Browser()
    monkeypatch.setattr("reports.pdf.html_to_pdf", fake)
    return fake


@pytest.fixture
def plan():
    return builders.full_plan(slug=f"pdf-{dt.datetime.now():%H%M%S%f}")


@pytest.fixture(params=["file", "cache"])
def lock_kind(request, monkeypatch):
    """Each test below that takes it runs with the flock and with the cache's add()."""
    monkeypatch.setattr("reports.pdf._cache_lock_shared", lambda: request.param == "cache")
    return request.param


def _url(plan) -> str:
    return reverse("reports:report-pdf", args=[plan.slug])


def _pdf(client, plan) -> bytes:
    response = client.get(_url(plan))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{plan.slug}-report.pdf"'
    return b"".join(response.streaming_content)


def _assert_pending(response) -> None:
    assert response.status_code == 202
    page = response.content.decode()
    assert "作成中" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "no-store" in response["Cache-Control"] and response["Retry-After"] == "5"
    assert "<script>" not in page  # no inline script (strict CSP)
    assert "Content-Security-Policy" in response


def _kept(store) -> list[str]:
    return sorted(p.name for p in store.glob("*/*.pdf"))


# --- once per revision ------------------------------------------------------------------


def test_the_second_request_serves_the_kept_file_without_a_browser(client, plan, browser, store):
    first = _pdf(client, plan)
    assert browser.prints == 1
    assert _pdf(client, plan) == first
    assert _pdf(Client(), plan) == first
    assert browser.prints == 1
    plan.refresh_from_db()
    assert _kept(store) == [f"{plan.revision}-{pagecache.deploy_key()}.pdf"]
    assert (store / str(plan.pk)).is_dir()


def test_a_change_prints_again_and_removes_the_old_file(client, plan, browser, store):
    first = _pdf(client, plan)
    with transaction.atomic():  # a block of its own: the test's outer block advanced already
        revision.touch(plan.pk)
    second = _pdf(client, plan)
    assert browser.prints == 2 and second != first
    assert _pdf(client, plan) == second and browser.prints == 2
    plan.refresh_from_db()
    assert _kept(store) == [f"{plan.revision}-{pagecache.deploy_key()}.pdf"]


def test_an_admin_save_prints_again(client, plan, browser):
    admin = make_user("alice", "DX推進担当", municipality=plan.municipality)
    staff = Client()
    staff.force_login(admin)
    _pdf(client, plan)
    url = reverse("admin:strategy_plan_change", args=[plan.pk])
    data = form_data(staff.get(url).content.decode())
    response = staff.post(url, _post_data(data, {"title": "管理画面で変えた計画名"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    _pdf(client, plan)
    assert browser.prints == 2


def test_a_new_release_prints_again_and_replaces_the_old_releases_file(
    client, plan, browser, store, monkeypatch
):
    _pdf(client, plan)
    monkeypatch.setattr("reports.pagecache.deploy_key", lambda: "0123456789abcdef")
    _pdf(client, plan)
    assert browser.prints == 2
    plan.refresh_from_db()
    assert _kept(store) == [f"{plan.revision}-0123456789abcdef.pdf"]


def test_an_older_revisions_print_leaves_the_newer_file(plan, browser, store):
    """A reader a moment behind (the replica) keeps its own file and deletes no newer one."""
    plan.refresh_from_db()
    old = Plan.objects.get(pk=plan.pk)
    with transaction.atomic():
        revision.touch(plan.pk)
    plan.refresh_from_db()
    newer = pdf_module.stored_report_pdf(plan)
    older = pdf_module.stored_report_pdf(old)
    assert newer.is_file() and older.is_file() and newer != older


# --- one print per plan at a time --------------------------------------------------------


def test_a_request_during_the_print_gets_the_pending_page(client, plan, browser, lock_kind):
    pending = []
    browser.during = lambda: pending.append(Client().get(_url(plan)))
    first = _pdf(client, plan)
    assert browser.prints == 1 and len(pending) == 1
    _assert_pending(pending[0])
    assert _pdf(client, plan) == first and browser.prints == 1


def test_while_the_lock_is_held_readers_get_the_pending_page_never_cached(
    client, plan, browser, lock_kind, settings
):
    settings.DXPLAN_PAGE_CACHE = True
    with pdf_module.plan_lock(plan.pk) as acquired:
        assert acquired
        for _ in range(2):
            response = client.get(_url(plan))
            _assert_pending(response)
            assert response.get(pagecache.HEADER) != "hit"
        # another plan is not held up
        other = builders.full_plan(slug=f"pdf-other-{dt.datetime.now():%H%M%S%f}")
        _pdf(client, other)
    assert browser.prints == 1
    _pdf(client, plan)
    assert browser.prints == 2


def test_a_crashed_workers_cache_lock_expires(client, plan, browser, monkeypatch):
    monkeypatch.setattr("reports.pdf._cache_lock_shared", lambda: True)
    # what a worker that died while printing leaves behind: the key, with its timeout
    caches["default"].add(f"pdf-lock:{plan.pk}", "dead-worker", timeout=1)
    _assert_pending(client.get(_url(plan)))
    time.sleep(1.2)
    _pdf(client, plan)
    assert browser.prints == 1


def test_a_crashed_workers_file_lock_is_released_with_it(client, plan, browser, store, monkeypatch):
    monkeypatch.setattr("reports.pdf._cache_lock_shared", lambda: False)
    lock = store / "locks" / f"{plan.pk}.lock"
    lock.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        _assert_pending(client.get(_url(plan)))
        holder.send_signal(signal.SIGKILL)  # the worker dies mid-print
        holder.wait(timeout=10)
        _pdf(client, plan)
        assert browser.prints == 1
    finally:
        holder.kill()
        holder.wait(timeout=10)
        holder.stdout.close()


def test_a_failed_print_releases_the_lock(client, plan, monkeypatch, lock_kind):
    def broken(html, **kwargs):
        raise pdf_module.ReportPrintError("テスト用の失敗")

    monkeypatch.setattr("reports.pdf.html_to_pdf", broken)
    response = client.get(_url(plan))
    assert response.status_code == 503 and "テスト用の失敗" in response.content.decode()
    monkeypatch.setattr("reports.pdf.html_to_pdf", Browser())
    _pdf(client, plan)


# --- who may download --------------------------------------------------------------------


def test_anonymous_readers_download_a_published_plans_pdf(client, plan, browser):
    assert plan.status == Plan.Status.PUBLISHED
    assert _pdf(client, plan).startswith(b"%PDF")


def test_a_drafts_pdf_needs_a_reader(client, plan, browser):
    plan.status = Plan.Status.DRAFT
    plan.save()
    assert client.get(_url(plan)).status_code == 404
    outsider = make_user("nora", "閲覧者", municipality=builders.municipality())
    other = Client()
    other.force_login(outsider)
    assert other.get(_url(plan)).status_code == 404
    reader = Client()
    reader.force_login(make_user("charlie", "閲覧者", municipality=plan.municipality))
    _pdf(reader, plan)
    assert browser.prints == 1


def test_without_the_store_every_request_prints(client, plan, browser, settings, store):
    settings.DXPLAN_PDF_STORE = False
    for _ in range(2):
        response = client.get(_url(plan))
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert browser.prints == 2
    assert not store.exists()


def test_a_deleted_plan_leaves_no_pdf_behind(
    client, plan, browser, store, django_capture_on_commit_callbacks
):
    other = builders.full_plan(municipality=plan.municipality, slug=f"{plan.slug}-other")
    _pdf(client, plan)
    _pdf(client, other)
    plan_id = plan.pk
    assert (store / str(plan_id)).is_dir()
    with django_capture_on_commit_callbacks(execute=True):
        plan.delete()
    assert not (store / str(plan_id)).exists()
    assert list((store / str(other.pk)).glob("*.pdf"))  # another plan's PDF stays
