"""Pages as a person sees them, in real headless Chromium."""

import unicodedata

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports.pages import issues_of
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


def _font_types(reader) -> dict[str, str]:
    """Base font name → subtype (Type0 / TrueType / Type3) of every font the pages use."""
    fonts = {}
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            font = font.get_object()
            fonts[str(font.get("/BaseFont", "[none]"))] = str(font["/Subtype"])
    return fonts


def _pdf_pages(plan, tmp_path) -> list[str]:
    from pypdf import PdfReader

    path = tmp_path / f"{plan.slug}.pdf"
    path.write_bytes(render_report_pdf(plan))
    reader = PdfReader(str(path))
    # Real embedded fonts (BIZ UDPGothic, TrueType), not Type 3 glyph drawings
    fonts = _font_types(reader)
    assert any("BIZUDPGothic" in name for name in fonts), fonts
    drawn = [name for name, kind in fonts.items() if kind == "/Type3"]
    # Nagasaki's seed prints a simplified 「术」 (新技术, 002:750) that BIZ UD lacks: that
    # one fallback glyph font is the only Type 3 allowed.
    assert len(drawn) <= (1 if plan.slug == "nagasaki-dx" else 0), fonts
    first = reader.pages[0]
    assert float(first.mediabox.width) > float(first.mediabox.height)  # landscape
    # NFKC: the PDF's CJK font maps some kanji to Kangxi radicals (⽬ for 目) when extracted
    return [unicodedata.normalize("NFKC", p.extract_text() or "") for p in reader.pages]


def _kpis_per_heading(plan) -> dict[str, int]:
    from kpis.models import Indicator
    from reports import layouts

    layout = layouts.of(plan)
    return {
        layout.issue_heading_for(plan, issue): Indicator.objects.filter(
            challenge__issue=issue
        ).count()
        for issue in issues_of(plan)
    }


@pytest.mark.django_db
def test_it_prints_the_whole_report_with_every_sheet_headed_and_no_lone_card(sasebo, tmp_path):
    pages = _pdf_pages(sasebo, tmp_path)
    assert 38 <= len(pages) <= 60
    assert "佐世保市" in pages[0] and "目次" not in pages[0]
    assert "目次" in pages[1]
    headers = [p.split("\n")[0] for p in pages]
    # every sheet after the contents starts with its 【R7】 header, continuation sheets too
    assert all("【R7】" in h for h in headers[2:]), headers
    assert "DX戦略の全体像" in headers[2]
    assert sum("重点課題の進捗状況" in h for h in headers) == 12
    # 04【教育】 has no 目標 or KPI in the document: it gets no empty sheets
    assert sum(h.startswith("【R7】 目標") for h in headers) >= 11
    kpis = _kpis_per_heading(sasebo)
    for number, text in enumerate(pages, start=1):
        if "【R7】 重点課題 KPI の評価" not in text.split("\n")[0]:
            continue
        heading = text.split("\n")[1].strip()
        cards = text.count("算出式")  # each card heads its texts 算出式・設定根拠
        assert cards >= 1, (number, heading)
        assert cards > 1 or kpis.get(heading, 0) == 1, f"p.{number}: a lone card of {heading}"
    for number, text in enumerate(pages[2:], start=3):
        body = [line for line in text.split("\n")[2:] if line.strip()]
        assert body and not all("記載なし" in line for line in body), f"p.{number} is empty"


@pytest.mark.django_db
def test_it_prints_nagasakis_plan_one_sheet_per_basic_measure(nagasaki, tmp_path):
    pages = _pdf_pages(nagasaki, tmp_path)
    headers = [p.split("\n")[0] for p in pages]
    assert "目次" in pages[1]
    assert all("【R7】" in h for h in headers[2:]), headers
    assert "2030年のめざす姿" in headers[2]
    sheets = [h for h in headers if "基本施策" in h]
    assert len(set(sheets)) == 12
    # one sheet per 基本施策; only 4-1, with two 成果指標, may continue on a second
    assert len(sheets) <= 13, sheets


@pytest.mark.django_db
def test_it_offers_the_pdf_to_signed_in_users(admin_client, sasebo):
    response = admin_client.get(reverse("reports:report-pdf", args=["sasebo-r7"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
