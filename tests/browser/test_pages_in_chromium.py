"""Pages as a person sees them, in real headless Chromium."""

import unicodedata

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports.pdf import render_report_pdf

PLOTLY_SVG = ".js-plotly-plot .main-svg"


def _open(page, url, shots, name, *, charts: bool):
    response = page.goto(url)
    assert response.status == 200, url
    if charts:
        page.wait_for_selector(PLOTLY_SVG, timeout=30_000)
        n_charts = page.locator(".plotly-graph-div").count()
        assert n_charts > 0
        # every chart on the page drew its SVG
        page.wait_for_function(
            "() => [...document.querySelectorAll('.plotly-graph-div')]"
            ".every(d => d.querySelector('.main-svg'))",
            timeout=30_000,
        )
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert page.console_errors == [], (url, page.console_errors)
    return page


@pytest.mark.django_db(transaction=True)
def test_it_renders_pages_and_charts_in_chromium(live_server, page, screenshot_dir):
    call_command("load_demo", verbosity=0)
    requested_hosts = set()
    page.on("request", lambda r: requested_hosts.add(r.url.split("/")[2]))
    base = live_server.url

    _open(
        page,
        base + reverse("reports:issue-progress", args=["sasebo-r7", "1-01"]),
        screenshot_dir,
        "issue-progress",
        charts=False,
    )
    assert page.locator(".bar").count() >= 12
    assert page.get_by_text("【観光1-1-6】人流データを活用した行動分析").count() == 1

    _open(
        page,
        base + reverse("reports:issue-kpis", args=["sasebo-r7", "1-01"]),
        screenshot_dir,
        "issue-kpis",
        charts=True,
    )
    assert page.locator(".kpi-card").count() == 4
    assert page.locator(".kpi-card .main-svg").count() >= 4

    _open(
        page,
        base + reverse("reports:issue-goals", args=["sasebo-r7", "1-01"]),
        screenshot_dir,
        "issue-goals",
        charts=False,
    )

    _open(
        page,
        base + reverse("reports:plan-dashboard", args=["sasebo-r7"]),
        screenshot_dir,
        "dashboard",
        charts=True,
    )
    # hovering a bar shows its value (Plotly's hover layer)
    page.hover("#chart-grades .bars .point path >> nth=0", force=True)

    _open(
        page,
        base + reverse("reports:project-table", args=["sasebo-r7"]) + "?category=観光",
        screenshot_dir,
        "project-table",
        charts=False,
    )
    assert page.locator("table.project-table tbody tr").count() >= 14
    _open(
        page,
        base + reverse("reports:plan-dashboard", args=["nagasaki-dx"]),
        screenshot_dir,
        "dashboard-nagasaki",
        charts=True,
    )

    assert requested_hosts == {live_server.url.split("/")[2]}, requested_hosts


@pytest.mark.django_db
def test_it_prints_the_whole_report_to_a_pdf_with_a_page_per_page(sasebo, tmp_path):
    pdf = render_report_pdf(sasebo)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    # cover + contents + 12 issues × 3 pages, each starting on a new sheet; long pages
    # (many steps or KPIs) continue on a second sheet.
    assert 38 <= len(reader.pages) <= 60
    first = reader.pages[0]
    assert float(first.mediabox.width) > float(first.mediabox.height)  # landscape
    # NFKC: the PDF's CJK font maps some kanji to Kangxi radicals (⽬ for 目) when extracted
    pages = [unicodedata.normalize("NFKC", p.extract_text() or "") for p in reader.pages]
    assert "佐世保市" in pages[0] and "目次" not in pages[0]
    assert "目次" in pages[1]
    # the plan overview follows the contents; then each issue's progress page starts a new
    # sheet (its header is the sheet's first line)
    headers = [p.split("\n")[0] for p in pages]
    assert "【R7】 DX戦略の全体像" in headers[2]
    first_issue = next(i for i, h in enumerate(headers) if "重点課題の進捗状況" in h)
    assert all("DX戦略の全体像" in h or "【R7】" in h for h in headers[2:first_issue])
    assert sum("重点課題の進捗状況" in h for h in headers) == 12
    assert sum(h.startswith("【R7】 目標") for h in headers) == 12
    assert sum(h.startswith("【R7】 重点課題 KPI の評価") for h in headers) == 12


@pytest.mark.django_db
def test_it_offers_the_pdf_to_signed_in_users(admin_client, sasebo):
    response = admin_client.get(reverse("reports:report-pdf", args=["sasebo-r7"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
