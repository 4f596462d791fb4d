"""The whole report as PDF, printed by headless Chromium (Debian's /usr/bin/chromium).

WeasyPrint runs no JavaScript and would drop the Plotly charts, so the page is opened in a
real browser. No server is needed: the report HTML is rendered here and every request the
page makes is answered from memory or from our static files; anything else is refused, so
the PDF is made on a closed network exactly as on LGWAN.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from strategy.models import Plan

ORIGIN = "http://dxplan.invalid"
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

    context = {
        "plan": plan,
        "reports": pages.issue_reports(plan, list(pages.issues_of(plan)), static_charts=True),
        "print_mode": True,
    }
    return render_to_string("reports/report.html", context)


def _static_body(url_path: str) -> tuple[bytes, str] | None:
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if not url_path.startswith(prefix):
        return None
    relative = url_path[len(prefix) :]
    found = finders.find(relative)
    if not found:
        return None
    content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
    return Path(found).read_bytes(), content_type


def html_to_pdf(html: str, *, timeout_ms: int = 60_000) -> bytes:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - dependency is pinned
        raise ReportPrintError("playwright がインストールされていません") from exc
    executable = settings.DXPLAN_CHROMIUM
    if not Path(executable).exists():
        raise ReportPrintError(f"Chromium が見つかりません: {executable}")
    page_url = f"{ORIGIN}/report/"

    def handle(route):
        url = route.request.url
        if url.split("#")[0] == page_url:
            return route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8")
        if url.startswith(ORIGIN):
            static = _static_body(url[len(ORIGIN) :].split("?")[0])
            if static:
                return route.fulfill(status=200, body=static[0], content_type=static[1])
        return route.abort()

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                # The printable width of A4 landscape with 10 mm margins, laid out for print
                # before the charts draw, so they size themselves to the printed page.
                page = browser.new_page(viewport={"width": 1046, "height": 740})
                page.emulate_media(media="print")
                page.route("**/*", handle)
                page.goto(page_url, wait_until="load", timeout=timeout_ms)
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.plotly-graph-div')]"
                    ".every(d => d.querySelector('.main-svg'))",
                    timeout=timeout_ms,
                )
                return page.pdf(
                    format="A4",
                    landscape=True,
                    print_background=True,
                    prefer_css_page_size=True,
                )
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise ReportPrintError(str(exc).splitlines()[0]) from exc


def render_report_pdf(plan: Plan) -> bytes:
    return html_to_pdf(report_html(plan))
