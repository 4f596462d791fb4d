"""axe-core in the browser tests: the WCAG 2.1 A/AA rules (the basis of JIS X 8341-3:2016).

axe-core comes from npm (`make axe`, pinned in package-lock.json), never from a CDN. Where it
is missing the checks are skipped, except under CI=true, where they fail.

    with axe_page(chromium) as page:
        page.goto(url)
        assert_no_axe_violations(page)

The pages forbid inline script (Content-Security-Policy), so axe's page is opened in a
browser context that bypasses the policy, only so that the script can be injected.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


def axe_script() -> Path:
    """The path of axe.min.js; skips (fails under CI=true) when it is not installed."""
    if not AXE_JS.exists():
        message = f"{AXE_JS} is missing: `make axe` installs axe-core from npm"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS


@contextmanager
def axe_page(browser, *, width: int = 1366, height: int = 768, cookies: list | None = None):
    """A page of a fresh context that axe can be injected into (see the module docstring);
    ``cookies`` (a signed-in session, say) are set before the first request."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="ja-JP", bypass_csp=True
    )
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def axe_violations(page, *, tags: tuple[str, ...] = WCAG_TAGS) -> list[dict]:
    """Run axe over the page as it is now; the violations as axe reports them."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    result = page.evaluate(
        """async (tags) => await window.axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        list(tags),
    )
    return result["violations"]


def format_violations(violations: list[dict], *, nodes: int = 5) -> str:
    """One paragraph per rule: id, impact, count, help and URL, then the first nodes'
    target selectors with axe's summary of what to fix."""
    lines = []
    for v in violations:
        lines.append(
            f"{v['id']} ({v.get('impact') or '-'}, {len(v['nodes'])} nodes): "
            f"{v['help']} — {v.get('helpUrl', '')}"
        )
        for node in v["nodes"][:nodes]:
            target = " ".join(
                t if isinstance(t, str) else " >> ".join(t) for t in node.get("target", [])
            )
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {target}: {summary[:300]}")
        if len(v["nodes"]) > nodes:
            lines.append(f"    … and {len(v['nodes']) - nodes} more")
    return "\n".join(lines)


def assert_no_axe_violations(page, where: str = "") -> None:
    violations = axe_violations(page)
    assert not violations, f"axe on {where or page.url}:\n{format_violations(violations)}"


def session_cookies(live_server_url: str, user) -> list[dict]:
    """The session cookie of ``user`` signed in (Django's test client), for a browser."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server_url}]
