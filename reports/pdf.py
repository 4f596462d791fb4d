"""The whole report as PDF, printed by headless Chromium (Debian's /usr/bin/chromium).

WeasyPrint runs no JavaScript and would drop the Plotly charts, so the page is opened in a
real browser. No server is needed: the report HTML is rendered here and every request the
page makes is answered from memory or from our static files; anything else is refused, so
the PDF is made on a closed network exactly as on LGWAN.

Static files are served as the page names them: under production settings (manifest
storage) those are the hashed names in the collected STATIC_ROOT. The PDF is tagged and
carries an outline of the headings. Its text is in Type 3 fonts as long as the only Japanese
font is Noto Sans CJK (OpenType/CFF): Chromium embeds TrueType fonts only as real fonts.
"""

import mimetypes
import re
import time
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import storages
from django.template.loader import render_to_string

from strategy.models import Plan

ORIGIN = "http://dxplan.invalid"
# The whole print — Chromium's start, the page, the charts, the PDF — fails cleanly within
# this, well before a gunicorn worker's default 30 s timeout (a report prints in about 6 s).
PRINT_TIMEOUT_MS = 20_000
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
