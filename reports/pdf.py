"""The whole report as PDF, printed by headless Chromium (Debian's /usr/bin/chromium).

WeasyPrint runs no JavaScript and would drop the Plotly charts, so the page is opened in a
real browser. No server is needed: the report HTML is rendered here and every request the
page makes is answered from memory or from our static files; anything else is refused, so
the PDF is made on a closed network exactly as on LGWAN.

Static files are served as the page names them: under production settings (manifest
storage) those are the hashed names in the collected STATIC_ROOT. The PDF is tagged and
carries an outline of the headings. Its text is in Type 3 fonts as long as the only Japanese
font is Noto Sans CJK (OpenType/CFF): Chromium embeds TrueType fonts only as real fonts.

**Printed once per revision** (``pdf_response``, the view's whole work). A print starts a
browser (3–10 s, ~300 MB), so the PDF of a plan is printed once per plan revision
(strategy/revision.py) and kept in ``DXPLAN_PDF_DIR`` as ``<plan id>/<revision>-<deploy
key>.pdf`` (the deploy key is the page cache's: a new release prints anew). Every later
request is a file download. A new file replaces the plan's files of older revisions and of
other releases. At most one print per plan runs at a time, under the plan's lock:

- with Redis (or Memcached) as the cache: ``cache.add()`` of a key with a timeout
  (``LOCK_SECONDS``), atomic in the server, shared by every worker of every app server; a
  worker that dies holding it leaves a key that expires;
- otherwise (the file cache, whose ``add()`` is not atomic across processes): ``flock`` on
  a lock file in ``DXPLAN_PDF_DIR/locks``. Chosen over an ``O_CREAT|O_EXCL`` file and a
  database row lock: the kernel drops the lock the moment its process dies, so a crashed
  worker leaves no stale lock to judge by age (and no race between two workers breaking the
  same stale file), and no database transaction stays open for the seconds of a print (a
  lock on the plan row would hold up its editors, whose revision advance takes that row).
  It covers the workers of one machine, which is what the file cache and the folder cover.

The print runs in the request that finds no file and gets the lock, and that request gets
the PDF: a print is bounded (``PRINT_TIMEOUT_MS``) within gunicorn's worker timeout (set in
gunicorn.conf.py above it), no
work outlives a request (a thread would die with its worker on gunicorn's restarts, holding
memory nobody accounts for), and the lock lasts exactly as long as the print. Requests for
the same plan meanwhile get a 「作成中」 page (HTTP 202, never cached) that reloads itself
every ``PENDING_REFRESH_S`` seconds until the file is there. With ``DXPLAN_PDF_STORE`` off
(development) every request prints, as before.
"""

import fcntl
import logging
import mimetypes
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import caches
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import storages
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from strategy.models import Plan

ORIGIN = "http://dxplan.invalid"
# The whole print — Chromium's start, the page, the charts, the PDF — fails cleanly within
# this. Sasebo's report prints in about 5 s on a quiet 2-core machine, but took more than
# 20 s on a busy CI machine: the bound is generous, and gunicorn.conf.py gives a worker
# (GUNICORN_TIMEOUT_S) more than it, so a print is never killed with its worker.
PRINT_TIMEOUT_MS = 90_000
# A script error that leaves the charts undrawn fails the print this long after it.
SCRIPT_ERROR_GRACE_S = 2.0
POLL_MS = 100
# ManifestStaticFilesStorage's ValueError for a name its manifest does not list
MANIFEST_MISSING = re.compile(r"Missing staticfiles manifest entry for '(.+)'")
CHARTS_DRAWN = (
    "() => [...document.querySelectorAll('.plotly-graph-div')]"
    ".every(d => d.querySelector('.main-svg'))"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ReportPrintError(RuntimeError):
    pass


def report_html(plan: Plan) -> str:
    from reports import pages

    context = {"plan": plan, "print_mode": True, **pages.whole_report(plan)}
    return render_to_string("reports/report.html", context)


def _safe_name(relative: str) -> str | None:
    name = unquote(relative)
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or ".." in parts:
        return None
    return name


def _from_finders(name: str) -> Path | None:
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    return Path(found) if found and Path(found).is_file() else None


def _from_storage(name: str) -> Path | None:
    """The collected copy in STATIC_ROOT, under the name as written (hashed or not)."""
    try:
        path = Path(staticfiles_storage.path(name))
    except (NotImplementedError, SuspiciousFileOperation, ValueError):
        return None  # a storage without local files (none is configured here)
    return path if path.is_file() else None


def _from_manifest_source(name: str) -> Path | None:
    """A hashed name missing from STATIC_ROOT: its source file, through the manifest."""
    hashed_files = getattr(staticfiles_storage, "hashed_files", None) or {}
    for source, hashed in hashed_files.items():
        if hashed == name and source != name:
            return _from_finders(source)
    return None


def static_file(relative: str) -> Path | None:
    """The file behind a static name as ``{% static %}`` wrote it into the page.

    Under production settings (manifest storage) the page asks for hashed names such as
    ``vendor/plotly/plotly.min.<hash>.js``, which only the collected STATIC_ROOT holds —
    the finders know the source names only. So with a manifest storage the configured
    storage is asked first (the files WhiteNoise serves), then the manifest's source name
    through the finders. Without one (DEBUG, tests) the finders come first, so an edited
    source file is printed, not a stale collected copy.
    """
    name = _safe_name(relative)
    if name is None:
        return None
    if isinstance(storages["staticfiles"], ManifestFilesMixin):
        lookups = (_from_storage, _from_manifest_source, _from_finders)
    else:  # names are not hashed: the source files, never a stale collected copy
        lookups = (_from_finders, _from_storage, _from_manifest_source)
    for lookup in lookups:
        found = lookup(name)
        if found is not None:
            return found
    return None


def _static_body(url_path: str) -> tuple[bytes, str] | None:
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if not url_path.startswith(prefix):
        return None
    found = static_file(url_path[len(prefix) :])
    if found is None:
        return None
    content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    return found.read_bytes(), content_type


def html_to_pdf(html: str, *, timeout_ms: int = PRINT_TIMEOUT_MS) -> bytes:
    """Prints ``html`` to PDF, or raises ReportPrintError (in Japanese) within ``timeout_ms``.

    A static file the page asks for and we cannot serve fails the print as soon as the page
    has loaded, naming the file; so does a script error that leaves the charts undrawn.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - dependency is pinned
        raise ReportPrintError("playwright がインストールされていません") from exc
    executable = settings.DXPLAN_CHROMIUM
    if not Path(executable).exists():
        raise ReportPrintError(f"Chromium が見つかりません: {executable}")
    page_url = f"{ORIGIN}/report/"
    static_prefix = ORIGIN + "/" + settings.STATIC_URL.lstrip("/")
    deadline = time.monotonic() + timeout_ms / 1000
    missing: list[str] = []
    script_errors: list[tuple[float, str]] = []

    def handle(route):
        url = route.request.url.split("#")[0]
        if url == page_url:
            return route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8")
        if url.startswith(static_prefix):
            path = url[len(ORIGIN) :].split("?")[0]
            try:
                static = _static_body(path)
            except OSError:
                static = None
            if static:
                return route.fulfill(status=200, body=static[0], content_type=static[1])
            missing.append(unquote(url[len(static_prefix) :].split("?")[0]))
        return route.abort()

    def fail_fast() -> None:
        if missing:
            names = "、".join(dict.fromkeys(missing))
            hint = "" if settings.DEBUG else "（collectstatic を実行したか確認してください）"
            raise ReportPrintError(f"静的ファイルが見つかりません: {names}{hint}")
        if script_errors and time.monotonic() - script_errors[0][0] > SCRIPT_ERROR_GRACE_S:
            message = script_errors[0][1]
            raise ReportPrintError(f"報告書のスクリプトでエラーが発生しました: {message}")
        if time.monotonic() > deadline:
            raise ReportPrintError(f"{timeout_ms / 1000:g} 秒以内に報告書を描画できませんでした")

    def remaining_ms() -> float:
        return max(1.0, (deadline - time.monotonic()) * 1000)

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, timeout=remaining_ms()
            )
            try:
                # The printable width of A4 landscape with 10 mm margins, laid out for print
                # before the charts draw, so they size themselves to the printed page.
                page = browser.new_page(viewport={"width": 1046, "height": 740})
                page.set_default_timeout(remaining_ms())
                page.on("pageerror", lambda e: script_errors.append((time.monotonic(), str(e))))
                page.emulate_media(media="print")
                page.route("**/*", handle)
                page.goto(page_url, wait_until="load", timeout=remaining_ms())
                fail_fast()
                while not page.evaluate(CHARTS_DRAWN):
                    fail_fast()
                    page.wait_for_timeout(POLL_MS)
                page.evaluate("() => document.fonts.ready.then(() => true)")
                fail_fast()
                page.set_default_timeout(remaining_ms())
                return page.pdf(
                    format="A4",
                    landscape=True,
                    print_background=True,
                    prefer_css_page_size=True,
                    tagged=True,  # the structure tree for screen readers (JIS X 8341-3)
                    outline=True,  # bookmarks from the headings
                )
            finally:
                browser.close()
    except PlaywrightError as exc:
        if missing or script_errors or time.monotonic() > deadline:
            fail_fast()
        raise ReportPrintError(str(exc).splitlines()[0]) from exc


def render_report_pdf(plan: Plan, *, timeout_ms: int = PRINT_TIMEOUT_MS) -> bytes:
    try:
        html = report_html(plan)
    except ValueError as exc:
        # manifest storage without the collected manifest, or a name it does not list
        missing = MANIFEST_MISSING.search(str(exc))
        if missing is None:
            raise
        raise ReportPrintError(
            f"静的ファイルが見つかりません: {missing.group(1)}"
            "（collectstatic を実行したか確認してください）"
        ) from exc
    return html_to_pdf(html, timeout_ms=timeout_ms)


# --- printed once per revision, kept, one print per plan at a time ---------------------

log = logging.getLogger(__name__)

#: A lock older than this has lost its holder (a print is bounded by PRINT_TIMEOUT_MS, a
#: gunicorn worker by its timeout in gunicorn.conf.py): the cache lock expires after it.
LOCK_SECONDS = 150
#: How often the 「作成中」 page reloads itself.
PENDING_REFRESH_S = 5
#: Cache backends whose add() is atomic across processes and servers.
ATOMIC_ADD_BACKENDS = ("RedisCache", "PyMemcacheCache", "PyLibMCCache")
_STORED = re.compile(r"^(\d+)-([0-9a-f]+)\.pdf$")

Render = Callable[[Plan], bytes]


def store_dir() -> Path:
    return Path(settings.DXPLAN_PDF_DIR)


def stored_path(plan: Plan) -> Path:
    """Where the PDF of the plan's current revision is kept (whether it is there or not)."""
    from reports.pagecache import deploy_key

    return store_dir() / str(plan.pk) / f"{plan.revision}-{deploy_key()}.pdf"


def _cache_lock_shared() -> bool:
    return settings.CACHES["default"]["BACKEND"].endswith(ATOMIC_ADD_BACKENDS)


@contextmanager
def _cache_lock(plan_id: int) -> Iterator[bool]:
    cache = caches["default"]
    key = f"pdf-lock:{plan_id}"
    token = secrets.token_hex(8)
    acquired = bool(cache.add(key, token, timeout=LOCK_SECONDS))
    try:
        yield acquired
    finally:
        if acquired and cache.get(key) == token:  # not one taken after ours expired
            cache.delete(key)


@contextmanager
def _file_lock(plan_id: int) -> Iterator[bool]:
    path = store_dir() / "locks" / f"{plan_id}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
        else:
            yield True
    finally:
        os.close(fd)  # drops the flock


def plan_lock(plan_id: int):
    """``with plan_lock(pk) as acquired:`` — the plan's print lock, never waited for."""
    return _cache_lock(plan_id) if _cache_lock_shared() else _file_lock(plan_id)


def _keep(path: Path, pdf: bytes) -> None:
    """Write the file whole under its name (a temporary file renamed into place), then
    remove the plan's files of older revisions and of other releases."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    temporary.write_bytes(pdf)
    os.replace(temporary, path)
    revision, release = _STORED.match(path.name).groups()
    for other in path.parent.iterdir():
        if other == path:
            continue
        found = _STORED.match(other.name)
        older = found and (int(found[1]) < int(revision) or found[2] != release)
        leftover = other.name.endswith(".tmp") and time.time() - _mtime(other) > LOCK_SECONDS
        if older or leftover:
            other.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return time.time()


def stored_report_pdf(plan: Plan, print_pdf: Render = render_report_pdf) -> Path | None:
    """The kept PDF of the plan's revision, printed now if it is not there yet; None while
    another request is printing it. Raises ReportPrintError when the print fails."""
    path = stored_path(plan)
    if path.is_file():
        return path
    with plan_lock(plan.pk) as acquired:
        if not acquired:
            return None
        if not path.is_file():  # printed by the holder of the lock before us
            _keep(path, print_pdf(plan))
    return path


def forget_plan(plan_id: int) -> None:
    """Remove the kept PDFs of a deleted plan (its folder); nothing else ever reads them."""
    folder = store_dir() / str(int(plan_id))
    for path in folder.glob("*"):
        if path.is_file():
            path.unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:  # not there, or a print of it finished meanwhile
        pass
    (store_dir() / "locks" / f"{int(plan_id)}.lock").unlink(missing_ok=True)


def _pending(request, plan: Plan) -> HttpResponse:
    """「作成中」: reloads itself (a meta refresh: no script), never kept by any cache."""
    context = {"plan": plan, "refresh_seconds": PENDING_REFRESH_S}
    response = render(request, "reports/pdf_pending.html", context, status=202)
    add_never_cache_headers(response)
    response["Retry-After"] = str(PENDING_REFRESH_S)
    return response


def pdf_response(request, plan: Plan, print_pdf: Render = render_report_pdf) -> HttpResponse:
    """The view's answer: the PDF, the 「作成中」 page (202) or the print's error (503)."""
    filename = f"{plan.slug}-report.pdf"
    try:
        if not settings.DXPLAN_PDF_STORE:
            response = HttpResponse(print_pdf(plan), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        path = stored_report_pdf(plan, print_pdf)
    except ReportPrintError as exc:
        return HttpResponse(
            f"PDF を作成できませんでした: {exc}",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    try:
        kept = path.open("rb") if path is not None else None
    except FileNotFoundError:  # replaced by a newer revision's file a moment ago
        kept = None
    if kept is None:
        return _pending(request, plan)
    return FileResponse(kept, as_attachment=True, filename=filename, content_type="application/pdf")
