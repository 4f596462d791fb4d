"""Acceptance: every line of chapter 7 (基本方針・基本施策) of Nagasaki's 推進計画 appears on the
app's pages — each 基本施策's lines on that 基本施策's own page, and on the whole report.

The expected text is read from the seed itself (`002_19635cc6f90a01d6.txt`, lines cited as
002:NNN), not retyped: a line the app loses fails the test with its line number. The PDF's
extraction artefacts are compared the way a reader compares them — whitespace ignored, 「- 」
bullets ignored — and the few places where the document contradicts itself are listed in
``DOCUMENT_ERRATA`` with the fixture note that decided them (fixtures/NOTES.md).
"""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "002_19635cc6f90a01d6.txt"
CHAPTER_7 = (515, 1241)  # 施策体系 … the last 取り組みイメージ of 基本施策5-3

# (issue code, first line, last line) of each 基本施策's pages, from its area banner and
# 基本方針 header down to its last 取り組みイメージ.
SHEETS = [
    ("1-01", 519, 578),
    ("1-02", 580, 641),
    ("1-03", 643, 699),
    ("2-01", 701, 760),
    ("2-02", 762, 814),
    ("3-01", 816, 873),
    ("3-02", 875, 933),
    ("4-01", 935, 995),
    ("4-02", 997, 1055),
    ("5-01", 1057, 1114),
    ("5-02", 1116, 1178),
    ("5-03", 1180, 1241),
]

# The document against itself; the fixture follows the first reading (fixtures/NOTES.md).
DOCUMENT_ERRATA = {
    # 「高めま」: the PDF cut the statement; 002:784 prints it whole.
    723: ["都市の力を活かし、産業とまちの活力を高めま"],
    # 1-3's page words the description 「デジタル技術により」, 002:543 「デジタル技術でより」.
    668: [
        "豊かな暮らしを支えるサービスを、デジタル技術",
        "便利で効率的にするとともに、これらの情報発信と情報格差（デジタル・ディバイド）対策に"
        "取り組み、誰一人取り残されない、人にやさしいデジタル化を推進します。",
    ],
    # 5-2 prints 現状値 where the other tables print 基準値; the value and year are the same.
    1152: ["成果指標", "令和5年度（2023）", "目標値：令和9年度（2027）"],
    # 5-3: 「現状値：令和5年度（2025）」 — 令和5年度 is 2023; taken as R5 (NOTES.md 5-3).
    1216: ["成果指標", "令和5年度（2023）", "目標値：令和9年度（2027）"],
}
# Text printed on the page's margin, not part of the plan: page furniture.
FURNITURE = {"", "0"}


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").splitlines()


def squash(text: str) -> str:
    """Whitespace and 「- 」「・」 bullet markers out: what a reader compares."""
    text = re.sub(r"\s+", "", text)
    return text.replace("-・", "").replace("・", "").replace("-", "")


def expected_pieces(number: int, line: str) -> list[str]:
    """What of seed line ``number`` must appear: the line, or its cells for a table row."""
    if number in DOCUMENT_ERRATA:
        return DOCUMENT_ERRATA[number]
    line = line.strip()
    if line in FURNITURE:
        return []
    if line.startswith("成果指標"):  # header row: 成果指標 基準値：… 目標値：…
        return re.split(r"\s+", line)
    cells = line.split("\t")
    if len(cells) == 1 and re.search(r"\s[\d,.]+(%|件)\s[\d,.]+(%|件)$", line):
        cells = line.rsplit(" ", 2)  # 002:556 prints its row with spaces
    if len(cells) > 1:
        pieces = []
        for cell in cells:
            # 【国内】 53.1% 【国外】 71.8%: one row, two KPIs (NOTES.md 4-1)
            pieces += [p for p in re.split(r"\s+|(?=【)", cell) if p]
        return pieces
    return [line]


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return squash(html.unescape(re.sub(r"<[^>]+>", " ", body)))


def missing(text: str, first: int, last: int) -> list[str]:
    lines = seed_lines()
    out = []
    for number in range(first, last + 1):
        for piece in expected_pieces(number, lines[number - 1]):
            if squash(piece) and squash(piece) not in text:
                out.append(f"002:{number} {piece}")
    return out


@pytest.mark.parametrize(("code", "first", "last"), SHEETS, ids=[s[0] for s in SHEETS])
def test_each_basic_measure_page_prints_its_lines_of_chapter_7(client, nagasaki, code, first, last):
    url = reverse("reports:issue-page", args=[nagasaki.slug, code, "sheet"])
    assert missing(page_text(client, url), first, last) == []


def test_the_whole_report_prints_every_line_of_chapter_7(client, nagasaki):
    text = page_text(client, reverse("reports:report", args=[nagasaki.slug]))
    assert missing(text, *CHAPTER_7) == []


def test_the_2030_visions_of_the_five_areas_are_on_the_overview_and_the_report(client, nagasaki):
    # 第6章 2030年のめざす姿 (002:399-514): each area's vision, its bullets and key words.
    for url in (
        reverse("reports:plan-overview", args=[nagasaki.slug]),
        reverse("reports:report", args=[nagasaki.slug]),
    ):
        text = page_text(client, url)
        assert missing(text, 401, 401) == [], url
        for first, last in ((415, 426), (436, 447), (455, 469), (478, 490), (501, 513)):
            assert missing(text, first, last) == [], (url, first)


def test_the_baseline_and_target_show_with_their_years(client, nagasaki):
    # 002:555-556: 基準値：令和6年度（2024） 36.3% → 目標値：令和9年度（2027） 50.0%
    url = reverse("reports:issue-page", args=[nagasaki.slug, "1-01", "sheet"])
    page = client.get(url).content.decode()
    for text in ("基準値：令和6年度（2024）", "目標値：令和9年度（2027）", "36.3%", "50.0%"):
        assert text in page
    # 002:799: 45,161件 → 67,000件
    url = reverse("reports:issue-page", args=[nagasaki.slug, "2-02", "sheet"])
    page = client.get(url).content.decode()
    assert "45,161件" in page and "67,000件" in page
