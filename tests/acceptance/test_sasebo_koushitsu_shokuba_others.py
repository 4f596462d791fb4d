"""Acceptance tests: Sasebo R7 (seed 000_85771c58e5f5297b.txt) — 02≪行政経営≫ 03【高質化】,
04【職場環境】, the 推進課題 and 3つのしかけ rows of the project table, and the whole table's
closing line 「106 リーディングプロジェクト数 27」 (000:6385).

Expected values are written literally from the seed; line numbers are cited as 000:NNN.
Judgement calls (PIDs that differ between the progress page and the table, placement of
flattened value rows) are explained in fixtures/NOTES.md.
"""

import pytest

from kpis.models import Indicator
from projects.models import Project
from strategy.models import Challenge, ChallengeGoal, IssueYearText, PriorityIssue, Step
from tests.helpers import kpi, phases_of, project, values_of

pytestmark = pytest.mark.django_db

R7 = 2025

ALL6 = ("R4", "R5", "R6", "R7", "R8", "R9")


def _issue(plan, category):
    return PriorityIssue.objects.get(plan=plan, category=category)


def _run(marks: str, years=ALL6):
    """ "○ ⇒ ⇒" right-aligned to R9 -> {"R7": "○", "R8": "⇒", "R9": "⇒"}."""
    parts = marks.split()
    return dict(zip(years[len(years) - len(parts) :], parts, strict=True))


# ---------------------------------------------------------------------------
# issue headers and counts


def test_it_has_the_two_priority_issues_with_their_titles(sasebo):
    # seed 000:2397 (03【高質化】), 000:2644 (04【職場環境】)
    k = _issue(sasebo, "高質化")
    assert (k.field.number, k.kind, k.number) == (2, "priority", 3)
    assert k.title == "デジタル技術のフル活用による職員の仕事の高質化"
    s = _issue(sasebo, "職場環境")
    assert (s.field.number, s.kind, s.number) == (2, "priority", 4)
    assert s.title == "職員の能力を最大限発揮できる魅力的な職場環境"


def test_it_has_the_promotion_and_mechanism_groups(sasebo):
    # seed 000:162 (DX推進課題), 000:164 (DXの取組を支える３つのしかけ),
    # 000:6329-6331 (分類 推進課題), 000:6362-6364 (分類 その他, 3つのしかけ)
    p = _issue(sasebo, "推進課題")
    assert (p.field.number, p.kind, p.number) == (2, "promotion", 1)
    assert "推進課題" in p.title
    m = _issue(sasebo, "その他")
    assert (m.field.number, m.kind, m.number) == (2, "mechanism", 1)
    assert m.title == "DXの取組を支える３つのしかけ"
    for issue in (p, m):
        assert Challenge.objects.filter(issue=issue).count() == 0
        assert Indicator.objects.filter(challenge__issue=issue).count() == 0


@pytest.mark.parametrize(
    "category,challenges,steps,projects,in_table,leading,kpis,activities",
    [
        # 高質化: 課題 000:2486-2500, steps 000:2400-2408, table rows 000:5658-6034 (12),
        # progress-page-only 【業務効率化3-2-1】AI等先進技術の活用研究 000:2472, KPIs 000:2533-2577
        ("高質化", 3, 5, 13, 12, 3, 4, 12),
        # 職場環境: 課題 000:2721-2731, steps 000:2647-2663, table rows 000:6036-6327 (9),
        # KPIs 000:2756-2791; 1-d-1-1 has no 活動指標 (項目 "-", no values, 000:6258)
        ("職場環境", 2, 9, 9, 9, 3, 3, 8),
        # 推進課題: 000:6329-6360
        ("推進課題", 0, 0, 2, 2, 0, 0, 2),
        # 3つのしかけ: 000:6362-6383
        ("その他", 0, 0, 1, 1, 0, 0, 1),
    ],
)
def test_it_counts_the_parts_of_each_issue(
    sasebo, category, challenges, steps, projects, in_table, leading, kpis, activities
):
    issue = _issue(sasebo, category)
    assert Challenge.objects.filter(issue=issue).count() == challenges
    assert Step.objects.filter(challenge__issue=issue).count() == steps
    ps = Project.objects.filter(issue=issue)
    assert ps.count() == projects
    assert ps.filter(in_table=True).count() == in_table
    assert ps.filter(is_leading=True).count() == leading
    assert Indicator.objects.filter(kind="kpi", challenge__issue=issue).count() == kpis
    assert Indicator.objects.filter(kind="activity", project__issue=issue).count() == activities


def test_it_lists_the_steps_with_codes_as_printed(sasebo):
    # seed 000:2400-2408 (高質化), 000:2647-2663 (職場環境; 2-2-1 printed as a step code)
    def steps(category):
        return sorted(
            Step.objects.filter(
                challenge__issue__category=category, challenge__issue__plan=sasebo
            ).values_list("challenge__number", "code", "title")
        )

    assert steps("高質化") == [
        (1, "1-1", "市民の声収集・活用の活性化"),
        (2, "2-a-1", "デジタルツール活用による業務の自動化"),
        (2, "2-b-1", "内部事務のデジタル化"),
        (3, "3-1", "データ利活用環境の整備"),
        (3, "3-2", "庁内情報管理の高度化"),
    ]
    assert steps("職場環境") == [
        (1, "1-a-1", "リモートワークに適したネットワーク・パソコン環境の検討と実証"),
        (1, "1-a-2", "リモートワークに適した環境リプレースの推進"),
        (1, "1-b-1", "オンラインコミュニケーションの環境整備・実証"),
        (1, "1-b-2", "情報共有環境の見直し"),
        (1, "1-b-3", "印刷環境の見直し"),
        (1, "1-c-1", "スマートワークに向けた働き方に関する課題の棚卸・見直し"),
        (1, "1-c-2", "スマートワークに適した働き方の見直し"),
        (1, "1-d-1", "強靭で利便性の高いセキュリティ対策実施"),
        (2, "2-2-1", "基幹システム標準化対応"),
    ]


def test_it_has_the_challenges_and_target_states(sasebo):
    # 高質化: seed 000:2486-2500 (titles), 000:2410-2432 (到達像)
    chs = {c.number: c for c in Challenge.objects.filter(issue=_issue(sasebo, "高質化"))}
    assert chs[1].title == "市民・事業者の意見の効果的な活用"
    assert chs[2].title == "事務作業の削減・省力化"
    assert chs[3].title == "様々なデータを活用した業務の高度化"
    assert "効果的に施策に反映できるようになる" in chs[1].target_text
    assert "■事務作業は可能な限りAIやロボットにより自動化され" in chs[2].target_text
    assert len([ln for ln in chs[2].target_text.splitlines() if ln.startswith("■")]) == 2
    assert "職員の業務は更に高度化することができる" in chs[3].target_text
    # 職場環境: seed 000:2721-2731 (titles), 000:2665-2685 (到達像)
    chs = {c.number: c for c in Challenge.objects.filter(issue=_issue(sasebo, "職場環境"))}
    assert chs[1].title == "時間・場所にとらわれないスマートワーク環境"
    assert chs[2].title == "自治体情報システムの標準・共通化"
    assert chs[2].target_title == "自治体情報システムの標準化"
    assert len([ln for ln in chs[1].target_text.splitlines() if ln.startswith("■")]) == 5
    assert "■アイデア創出のための組織横断的なコラボレーションができる。" in chs[1].target_text
    assert "標準化・共通化されている" in chs[2].target_text


def test_it_keeps_the_r7_goal_texts(sasebo):
    # 高質化: seed 000:2504-2512 (目標（総括）), 000:2516-2525 (per-challenge 目標)
    k = _issue(sasebo, "高質化")
    t = IssueYearText.objects.get(issue=k, fiscal_year=R7)
    assert "スマートプロジェクト（RPA・AI-OCR）の利用拡大に取り組む。" in t.goal_summary
    assert "HPリニューアルに合わせて、市民が声を届けやすく" in t.goal_summary
    assert t.business_summary == ""
    goals = {
        g.challenge.number: g.text
        for g in ChallengeGoal.objects.filter(challenge__issue=k, fiscal_year=R7)
    }
    assert "問い合わせフォームや市民の声への対応結果表示等の見直し" in goals[1]
    assert "BPRを推進する。" in goals[2]
    assert "長崎県のデジタル人材共同利用事業" in goals[3]
    # 職場環境: seed 000:2739-2743 (目標（総括）), 000:2735-2737 and 000:2747-2748 (目標)
    s = _issue(sasebo, "職場環境")
    t = IssueYearText.objects.get(issue=s, fiscal_year=R7)
    assert "モバイル端末の全庁導入を完了させる" in t.goal_summary
    assert "システム標準化については、令和７年度の更新に向けて" in t.goal_summary
    goals = {
        g.challenge.number: g.text
        for g in ChallengeGoal.objects.filter(challenge__issue=s, fiscal_year=R7)
    }
    assert "Wi-Fi環境の整備を完了する。" in goals[1]
    assert (
        goals[2] == "「基幹システムの標準化」として、令和7年度の更新のため、移行作業を行っていく。"
    )


# ---------------------------------------------------------------------------
# KPIs: every yearly value


KPIS = [
    # category, challenge, name, unit, direction, planned, actual, formula phrase,
    # evaluation phrase, seed
    (
        "高質化",
        1,
        "広聴システムでの満足度",
        "%",
        "higher",
        {"R3": "100", "R4": "100", "R5": "100", "R6": "100", "R7": "100", "R8": "100", "R9": "100"},
        {"R3": "80.2", "R4": "83.6", "R5": "82.5"},
        "大変満足・満足の割合",
        "対応満足度はほぼ横ばいである",
        "000:2535-2543, 2604-2617, 5683",
    ),
    (
        "高質化",
        2,
        "RPA等による削減効果時間",
        "時間",
        "higher",
        {
            "R3": "2500",
            "R4": "2800",
            "R5": "3000",
            "R6": "3200",
            "R7": "3400",
            "R8": "3600",
            "R9": "3800",
        },
        {"R3": "7055.8", "R4": "5273.2", "R5": "7089.34", "R6": "6634.88"},
        "RPA1件における平均効率化",
        "計画通りの進捗が図れている。",
        "000:2545-2555, 2600-2602, 2632-2635",
    ),
    (
        "高質化",
        2,
        "電子決裁率",
        "%",
        "higher",
        {"R4": "100", "R5": "100", "R6": "100", "R7": "100", "R8": "100", "R9": "100"},
        {"R4": "100", "R5": "100"},
        "100％電子決裁とするため",
        "計画通りの進捗が図れている。",
        "000:2557-2565, 2622-2629, 5833",
    ),
    (
        "高質化",
        3,
        "データの見える化対応業務数",
        "件",
        "higher",
        {"R5": "6", "R6": "12", "R7": "18", "R8": "24", "R9": "30"},
        {"R5": "6"},
        "Power BIによるダッシュボード作成",
        "計画通りの進捗が図れている。",
        "000:2567-2594, 5894",
    ),
    (
        "職場環境",
        1,
        "オンラインコミュニケーションの利用率",
        "%",
        "higher",
        {"R3": "50", "R4": "55", "R5": "60", "R6": "80", "R7": "90", "R8": "100", "R9": "100"},
        {"R3": "60.3", "R4": "84.4", "R5": "92.6"},
        "利用職員数／利用可能職員数",
        "計画よりも進捗が図れている。",
        "000:2756-2768, 2811-2817",
    ),
    (
        "職場環境",
        1,
        "ペーパーレス度（令和3年度印刷枚数量との比較）",
        "%",
        "lower",
        {"R3": "100", "R4": "100", "R5": "85", "R6": "85", "R7": "65", "R8": "45", "R9": "30"},
        {"R3": "100", "R4": "95.1", "R5": "81.7"},
        "A4用紙購入枚数",
        "計画よりも進捗が図れている。",
        "000:2770-2780, 2819-2826",
    ),
    (
        "職場環境",
        2,
        "標準化対応業務数",
        "業務",
        "higher",
        {"R7": "18", "R8": "20", "R9": "20"},
        {},
        "国の自治体システム標準化に関する方針",
        "令和7年度の目標値達成に向け",
        "000:2782-2804, 6285",
    ),
]


@pytest.mark.parametrize(
    "category,challenge,name,unit,direction,planned,actual,formula,evaluation,seed",
    KPIS,
    ids=[k[2] for k in KPIS],
)
def test_it_transcribes_every_kpi(
    sasebo, category, challenge, name, unit, direction, planned, actual, formula, evaluation, seed
):
    ind = kpi(sasebo, category, name)
    assert ind.challenge.number == challenge, seed
    assert ind.unit == unit, seed
    assert ind.direction == direction, seed
    assert values_of(ind, "planned") == planned, seed
    assert values_of(ind, "actual") == actual, seed
    assert formula in ind.formula, seed
    assert evaluation in ind.evaluations.get(fiscal_year=R7).text, seed


# ---------------------------------------------------------------------------
# projects


PROJECTS = [
    # pid, issue category, department, leading, steps, phases (right-aligned to R9), seed
    ("業務効率化1-1-1", "高質化", "総務部", False, ["1-1"], "… … … ○ ⇒ ⇒", "000:5658-5683"),
    (
        "業務効率化2-a-1-1",
        "高質化",
        "行政経営改革部",
        True,
        ["2-a-1"],
        "⇒ ⇒ ⇒ ⇒ ⇒ ⇒",
        "000:5685-5712",
    ),
    (
        "業務効率化2-a-1-2",
        "高質化",
        "行政経営改革部",
        True,
        ["2-a-1"],
        "○ ⇒ ⇒ ⇒ ⇒ ⇒",
        "000:5714-5742",
    ),
    (
        "業務効率化2-a-1-3",
        "高質化",
        "行政経営改革部",
        False,
        ["2-a-1"],
        "○ ⇒ ⇒ ⇒ ⇒ ⇒",
        "000:5744-5774",
    ),
    (
        "業務効率化2-a-1-4",
        "高質化",
        "行政経営改革部",
        True,
        ["2-a-1"],
        "⇒ ⇒ ⇒ ⇒ ⇒ ⇒",
        "000:5776-5805",
    ),
    # table PID 業務効率化2-a-1-5 (000:5820); progress page 【業務効率化2-b-1-1】 (000:2442)
    ("業務効率化2-b-1-1", "高質化", "総務部", False, ["2-b-1"], "○ ⇒ ⇒ ⇒ ⇒ ⇒", "000:5807-5833"),
    ("業務効率化2-b-1-2", "高質化", "総務部", False, ["2-b-1"], "○ ⇒ ⇒ ⇒ ⇒ ⇒", "000:5835-5863"),
    ("業務効率化3-1-1", "高質化", "行政経営改革部", False, ["3-1"], "○ ⇒ ⇒ ⇒ ⇒", "000:5865-5894"),
    ("業務効率化3-1-2", "高質化", "行政経営改革部", False, ["3-1"], "○ ⇒ ⇒ ⇒ ⇒ ⇒", "000:5896-5931"),
    ("業務効率化3-1-3", "高質化", "行政経営改革部", False, ["3-1"], "○ ⇒ ⇒ ⇒ ⇒", "000:5944-5969"),
    # table PID 業務効率化3-2-1 (000:5985); progress page 【業務効率化3-2-2】 (000:2476)
    ("業務効率化3-2-2", "高質化", "行政経営改革部", False, ["3-2"], "○ ○ ○ ○", "000:5971-6005"),
    # table PID 業務効率化2-a-1-6 (000:6022); progress page 【業務効率化2-a-1-5】 (000:2452, 2474)
    (
        "業務効率化2-a-1-5",
        "高質化",
        "行政経営改革部",
        False,
        ["2-a-1"],
        "… ○ ⇒ ⇒ ⇒ ⇒",
        "000:6007-6034",
    ),
    (
        "職場環境1-a-2-1",
        "職場環境",
        "行政経営改革部",
        False,
        ["1-a-2"],
        "○ ○ ○ ○ ○ ○",
        "000:6036-6063",
    ),
    (
        "職場環境1-b-1-1",
        "職場環境",
        "行政経営改革部",
        False,
        ["1-b-1"],
        "⇒ ⇒ ⇒ ⇒ ⇒ ⇒",
        "000:6065-6101",
    ),
    (
        "職場環境1-b-1-2",
        "職場環境",
        "行政経営改革部",
        False,
        ["1-b-1"],
        "⇒ ⇒ ⇒ ⇒ ⇒ ⇒",
        "000:6103-6138",
    ),
    (
        "職場環境1-b-3-1",
        "職場環境",
        "行政経営改革部",
        False,
        ["1-b-3"],
        "○ ○ ○ ○ ○",
        "000:6140-6169",
    ),
    ("職場環境1-c-1-1", "職場環境", "行政経営改革部", False, ["1-c-1"], None, "000:6171-6203"),
    ("職場環境1-c-2-1", "職場環境", "行政経営改革部", False, ["1-c-2"], None, "000:6205-6232"),
    # "○ - ○ ○ ○ ○ ○ ○" (000:6258): リーディング ○, 項目 "-", phases R4-R9
    (
        "職場環境1-d-1-1",
        "職場環境",
        "行政経営改革部",
        True,
        ["1-d-1"],
        "○ ○ ○ ○ ○ ○",
        "000:6234-6258",
    ),
    (
        "職場環境2-2-1",
        "職場環境",
        "行政経営改革部",
        True,
        ["2-2-1"],
        "… … ○ ○ ○ ⇒",
        "000:6260-6285",
    ),
    # the PID cell holds 職場環境1-a-1-1 and 職場環境1-b-2-2 (000:6306-6309)
    (
        "職場環境1-a-1-1",
        "職場環境",
        "行政経営改革部",
        True,
        ["1-a-1", "1-b-2"],
        "○ ○ ○ ○ ⇒ ⇒",
        "000:6287-6327",
    ),
    ("推進1", "推進課題", "行政経営改革部", False, [], "○ ⇒ ⇒ ⇒ ⇒", "000:6329-6340"),
    ("推進2", "推進課題", "行政経営改革部", False, [], "○ ⇒ ⇒ ⇒", "000:6353-6360"),
    ("仕掛け1", "その他", "行政経営改革部", False, [], "○ ⇒ ⇒ ⇒ ⇒ ⇒", "000:6362-6383"),
]


@pytest.mark.parametrize(
    "pid,category,department,leading,steps,phases,seed", PROJECTS, ids=[p[0] for p in PROJECTS]
)
def test_it_places_each_table_project(
    sasebo, pid, category, department, leading, steps, phases, seed
):
    p = project(sasebo, pid)
    assert p.issue.category == category, seed
    assert p.in_table is True, seed
    assert p.department is not None and p.department.name == department, seed
    assert p.is_leading is leading, seed
    assert sorted(p.steps.values_list("code", flat=True)) == sorted(steps), seed
    if phases is not None:
        assert phases_of(p) == _run(phases), seed


def test_it_keeps_the_progress_page_only_project(sasebo):
    # seed 000:2472 【業務効率化3-2-1】AI等先進技術の活用研究 — on the progress page, not in 別冊
    p = project(sasebo, "業務効率化3-2-1")
    assert p.name == "AI等先進技術の活用研究"
    assert p.in_table is False
    assert p.is_leading is False
    assert phases_of(p) == {}
    assert list(p.steps.values_list("code", flat=True)) == ["3-2"]
    assert p.indicators.count() == 0


def test_it_uses_the_tables_names_and_summaries(sasebo):
    # seed 000:5702-5703, 5850-5851, 5913-5914, 5944-5969 (概要 empty), 6085-6087, 6311-6313, 6357
    assert (
        project(sasebo, "業務効率化2-a-1-1").name == "（先進的ICT技術活用推進事業）RPAの導入と活用"
    )
    assert project(sasebo, "業務効率化2-b-1-2").name == "庶務事務システムの再構築"
    assert project(sasebo, "業務効率化3-1-2").name == "DX企画推進事業（長崎県データ連携基盤）"
    assert project(sasebo, "業務効率化3-1-3").summary == ""
    assert project(sasebo, "職場環境1-b-1-1").name == (
        "オンライン共有環境や運用の見直しと拡大（庁内外の連絡のオンライン化）"
    )
    assert (
        project(sasebo, "職場環境1-a-1-1").name
        == "（庁内情報化基盤管理事業）スマートワーク環境の整備"
    )
    assert (
        "本庁舎にあるサーバをクラウド環境に移行します。"
        in project(sasebo, "職場環境1-a-1-1").summary
    )
    assert project(sasebo, "推進2").name == "生成AIの業務活用"
    assert "DXコーディネータを任用することにより" in project(sasebo, "仕掛け1").summary


ACTIVITY = [
    # pid, indicator name, unit, planned, actual, seed (value line)
    (
        "業務効率化1-1-1",
        "広聴システム満足度",
        "%",
        {"R3": "100", "R4": "100", "R5": "100", "R6": "100", "R7": "100", "R8": "100", "R9": "100"},
        {"R3": "80.2", "R4": "83.6", "R5": "82.5"},
        "000:5683",
    ),
    (
        "業務効率化2-a-1-1",
        "利用件数",
        "件",
        {"R3": "25", "R4": "32", "R5": "35", "R6": "38", "R7": "41", "R8": "44", "R9": "47"},
        {"R3": "32", "R4": "38", "R5": "50"},
        "000:5712",
    ),
    (
        "業務効率化2-a-1-2",
        "処理帳票種類",
        "種類",
        {"R3": "0", "R4": "20", "R5": "24", "R6": "28", "R7": "32", "R8": "36", "R9": "39"},
        {"R3": "0", "R4": "19", "R5": "28"},
        "000:5742",
    ),
    (
        "業務効率化2-a-1-3",
        "アプリケーション開発件数",
        "件",
        {"R3": "1", "R4": "3", "R5": "6", "R6": "9", "R7": "12", "R8": "15", "R9": "18"},
        {"R3": "0", "R4": "1", "R5": "1"},
        "000:5774",
    ),
    (
        "業務効率化2-a-1-4",
        "処理件数（累計）",
        "件",
        {
            "R3": "800",
            "R4": "1700",
            "R5": "2600",
            "R6": "3500",
            "R7": "4400",
            "R8": "5300",
            "R9": "6200",
        },
        {"R3": "925", "R4": "1852", "R5": "3395"},
        "000:5805",
    ),
    (
        "業務効率化2-b-1-1",
        "電子決裁率",
        "%",
        {"R3": "0", "R4": "100", "R5": "100", "R6": "100", "R7": "100", "R8": "100", "R9": "100"},
        {"R3": "0", "R4": "100", "R5": "100"},
        "000:5833",
    ),
    (
        "業務効率化2-b-1-2",
        "庶務業務のデジタル化件数",
        "件",
        {
            "R3": "0",
            "R4": "1200",
            "R5": "17700",
            "R6": "17700",
            "R7": "17700",
            "R8": "17700",
            "R9": "17700",
        },
        {"R3": "0", "R4": "0", "R5": "21466"},
        "000:5863",
    ),
    (
        "業務効率化3-1-1",
        "ダッシュボードの作成件数",
        "件",
        {"R3": "0", "R4": "0", "R5": "6", "R6": "12", "R7": "18", "R8": "24", "R9": "30"},
        {"R3": "0", "R4": "0", "R5": "6"},
        "000:5894",
    ),
    (
        "業務効率化3-1-2",
        "本市データをシステム連携し利用した回数",
        "回",
        {
            "R3": "0",
            "R4": "1000",
            "R5": "1200",
            "R6": "1400",
            "R7": "1600",
            "R8": "1800",
            "R9": "2000",
        },
        {"R3": "0", "R4": "1595", "R5": "1607"},
        "000:5931",
    ),
    (
        "業務効率化3-1-3",
        "ダッシュボードの作成件数",
        "件",
        {"R5": "6", "R6": "12", "R7": "18", "R8": "24", "R9": "30"},
        {"R5": "6"},
        "000:5969",
    ),
    (
        "業務効率化3-2-2",
        "対応業務数※整理・移行を実施した業務（分類）数",
        "業務",
        {},
        {},
        "000:5996-6005",
    ),
    (
        "業務効率化2-a-1-5",
        "手順書作成数",
        "件",
        {"R3": "0", "R4": "0", "R5": "25", "R6": "378", "R7": "87", "R8": "106", "R9": "155"},
        {"R3": "0", "R4": "0", "R5": "26"},
        "000:6034",
    ),
    ("職場環境1-a-2-1", "PC配布数", "台", {}, {}, "000:6060-6063"),
    (
        "職場環境1-b-1-1",
        "オンラインコミュニケーションの利用率",
        "%",
        {"R3": "50", "R4": "55", "R5": "60", "R6": "80", "R7": "90", "R8": "100", "R9": "100"},
        {"R3": "60", "R4": "84.4", "R5": "90.9"},
        "000:6101",
    ),
    ("職場環境1-b-1-2", "研修等におけるオンライン出席率", "%", {}, {}, "000:6132-6138"),
    (
        "職場環境1-b-3-1",
        "プリンタ設置数",
        "台",
        {"R5": "149", "R6": "141", "R7": "141", "R8": "116", "R9": "89"},
        {"R5": "149"},
        "000:6169",
    ),
    (
        "職場環境1-c-1-1",
        "－",
        "",
        {y: "実施済" for y in ALL6},
        {"R4": "実施済", "R5": "実施済"},
        "000:6203",
    ),
    (
        "職場環境1-c-2-1",
        "－",
        "",
        {y: "実施済" for y in ALL6},
        {"R4": "実施済", "R5": "実施済"},
        "000:6232",
    ),
    (
        "職場環境2-2-1",
        "標準化対応業務数",
        "業務",
        {"R7": "19", "R8": "20", "R9": "20"},
        {},
        "000:6285",
    ),
    (
        "職場環境1-a-1-1",
        "リモートワーク利用人数",
        "人",
        {"R3": "10", "R4": "108", "R5": "108", "R6": "108", "R7": "108", "R8": "108", "R9": "108"},
        {"R3": "29", "R4": "14", "R5": "26"},
        "000:6327",
    ),
    (
        "推進1",
        "ドローンシェア利用回数",
        "回",
        {"R3": "0", "R4": "0", "R5": "19", "R6": "40", "R7": "40", "R8": "40", "R9": "40"},
        {"R3": "0", "R4": "0", "R5": "5"},
        "000:6340",
    ),
    (
        "推進2",
        "職員利用数",
        "人",
        {"R6": "80", "R7": "320", "R8": "720", "R9": "1280"},
        {},
        "000:6360",
    ),
    (
        "仕掛け1",
        "CDO補佐官との協議回数",
        "回",
        {"R3": "0", "R4": "10", "R5": "20", "R6": "20", "R7": "20", "R8": "20", "R9": "20"},
        {"R3": "0", "R4": "10", "R5": "51"},
        "000:6383",
    ),
]


@pytest.mark.parametrize(
    "pid,name,unit,planned,actual,seed", ACTIVITY, ids=[a[0] for a in ACTIVITY]
)
def test_it_transcribes_the_activity_indicators(sasebo, pid, name, unit, planned, actual, seed):
    p = project(sasebo, pid)
    inds = list(p.indicators.all())
    assert len(inds) == 1, seed
    ind = inds[0]
    assert ind.kind == "activity", seed
    assert (ind.name, ind.unit) == (name, unit), seed
    assert values_of(ind, "planned") == planned, seed
    assert values_of(ind, "actual") == actual, seed


def test_it_has_no_activity_indicator_where_the_item_is_a_dash(sasebo):
    # seed 000:6258: 1-d-1-1 prints 項目 "-" and no values
    assert project(sasebo, "職場環境1-d-1-1").indicators.count() == 0


def test_it_phases_the_one_off_survey_projects_in_r4(sasebo):
    # seed 000:6203, 000:6232: "- 実施済 ×8 ○" -> 項目 "-", R4..R9 with R4/R5 actuals, phase ○ in R4
    assert phases_of(project(sasebo, "職場環境1-c-1-1")) == {"R4": "○"}
    assert phases_of(project(sasebo, "職場環境1-c-2-1")) == {"R4": "○"}


# ---------------------------------------------------------------------------
# the whole table (all issues): 「106 リーディングプロジェクト数 27」 (000:6385)


# rows of the 別冊 per 分類 (000:2833-6383), counted by row start 「分野 分類 主体部局」,
# and the leading ○ among them (see notes for the PID list)
TABLE_ROWS = {
    "観光": (14, 3),
    "農林水産": (12, 2),
    "子ども・子育て": (7, 3),
    "教育": (5, 1),
    "都市整備": (6, 1),
    "土木": (10, 4),
    "保健福祉": (5, 1),
    "防災危機管理": (5, 1),
    "窓口": (9, 2),
    "多様化": (9, 3),
    "高質化": (12, 3),
    "職場環境": (9, 3),
    "推進課題": (2, 0),
    "その他": (1, 0),
}


def test_it_has_the_documented_106_table_projects_and_27_leading(sasebo):
    # seed 000:6385 「106 リーディングプロジェクト数 27」
    in_table = Project.objects.filter(plan=sasebo, in_table=True)
    assert in_table.count() == 106
    assert in_table.filter(is_leading=True).count() == 27
    assert sum(n for n, _ in TABLE_ROWS.values()) == 106
    assert sum(n for _, n in TABLE_ROWS.values()) == 27


@pytest.mark.parametrize("category", list(TABLE_ROWS), ids=list(TABLE_ROWS))
def test_it_has_the_table_rows_of_each_category(sasebo, category):
    # seed 000:2833-6383, rows counted per 分類 (see fixtures/NOTES.md)
    rows, leading = TABLE_ROWS[category]
    ps = Project.objects.filter(plan=sasebo, issue__category=category, in_table=True)
    assert ps.count() == rows
    assert ps.filter(is_leading=True).count() == leading
