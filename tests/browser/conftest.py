"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Playwright's sync API runs an event loop in the test thread, so Django's async-safety
check must be relaxed for these tests (the ORM is still used from this one thread only).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from reports.pdf import CHROMIUM_ARGS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    assert Path(settings.DXPLAN_CHROMIUM).exists(), (
        f"{settings.DXPLAN_CHROMIUM} is missing: `make test` installs Debian's chromium"
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=settings.DXPLAN_CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="ja-JP")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    context.close()


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """docs/screenshots when DXPLAN_SCREENSHOTS=1 (to refresh the README's pictures)."""
    if os.environ.get("DXPLAN_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path
