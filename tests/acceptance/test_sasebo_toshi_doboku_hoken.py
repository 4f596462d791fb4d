"""Acceptance tests: 佐世保市DX戦略 実行計画（R7版）, priority issues 01≪まちづくり≫ 05【都市整備】,
06【土木】 and 07【保健福祉】, loaded as plan `sasebo-r7`.

Seed: /work/shared/seeds/000_85771c58e5f5297b.txt, cited as 000:NNN.
- 都市整備: 進捗状況 000:1045-1111, 目標 000:1115-1164, KPI 000:1168-1275, table 000:4116-4321.
- 土木: 進捗状況 000:1279-1362, 目標 000:1366-1407, KPI 000:1411-1505, table 000:4323-4756.
- 保健福祉: 進捗状況 000:1509-1568, 目標 000:1572-1605, KPI 000:1609-1720, table 000:4758-4924.
Expected values are written literally from the seed (not read back from the YAML). How the
flattened rows were placed into year columns is explained in fixtures/NOTES.md.
"""

import pytest

from kpis.models import Indicator, IndicatorEvaluation
from projects.models import Project
from strategy.models import ChallengeGoal, IssueYearText, PriorityIssue, Step
from tests.helpers import kpi, phases_of, project, values_of

pytestmark = pytest.mark.django_db

R7 = 2025
ALL_OPERATE_FROM_R4 = {"R4": "○", "R5": "⇒", "R6": "⇒", "R7": "⇒", "R8": "⇒", "R9": "⇒"}
CONSIDER_R4_BUILD_R5 = {"R4": "…", "R5": "○", "R6": "⇒", "R7": "⇒", "R8": "⇒", "R9": "⇒"}
BUILD_R5 = {"R5": "○", "R6": "⇒", "R7": "⇒", "R8": "⇒", "R9": "⇒"}


def _issue(plan, category):
    return PriorityIssue.objects.get(plan=plan, category=category)


def _counts(issue):
    return {
        "challenges": issue.challenges.count(),
        "steps": Step.objects.filter(challenge__issue=issue).count(),
        "projects": Project.objects.filter(issue=issue).count(),
        "in_table": Project.objects.filter(issue=issue, in_table=True).count(),
        "leading": Project.objects.filter(issue=issue, is_leading=True).count(),
        "kpis": Indicator.objects.filter(kind="kpi", challenge__issue=issue).count(),
        "activities": Indicator.objects.filter(kind="activity", project__issue=issue).count(),
    }


def _activity(plan, pid):
    return project(plan, pid).indicators.get()


# ---------------------------------------------------------------------------------------------
# 05【都市整備】
# ---------------------------------------------------------------------------------------------


def test_it_loads_toshi_header(sasebo):
    # seed 000:1047, 000:1117
    issue = _issue(sasebo, "都市整備")
    assert issue.field.number == 1
    assert issue.kind == "priority"
    assert issue.number == 5
    assert issue.title == "高度なデータを活用した住みやすいまちの実現"


def test_it_counts_toshi(sasebo):
    # challenges 000:1119-1143; steps 000:1050-1058; projects 000:1101-1111 and six table rows
    # 000:4116-4321; leading ○ 000:4243; KPIs 000:1172-1206; one 活動指標 per table row.
    assert _counts(_issue(sasebo, "都市整備")) == {
        "challenges": 3,
        "steps": 5,
        "projects": 6,
        "in_table": 6,
        "leading": 1,
        "kpis": 3,
        "activities": 6,
    }


def test_it_has_toshi_challenges_and_steps(sasebo):
    # seed 000:1050-1058 (steps), 000:1119-1143 (challenges)
    issue = _issue(sasebo, "都市整備")
    assert list(issue.challenges.order_by("number").values_list("number", "title")) == [
        (1, "人流・交通量解析等による、まちのリアルタイム情報の把握"),
        (2, "３Ｄモデル等の活用による都市の見える化とデータに基づくまちづくりの立案と実践"),
        (
            3,
            "データ一元化による土地利用活用関連情報の円滑な情報提供（市民サービス向上と業務効率化を両立）",
        ),
    ]
    steps = dict(Step.objects.filter(challenge__issue=issue).values_list("code", "title"))
    assert steps == {
        "1-1": "まちづくり計画に必要となる人流情報の把握",
        "1-2": "SNSを活用した公共施設の情報取得と解析",
        "2-1": "3D都市モデルの活用",
        "2-2": "3Ｄ都市モデル等を活用したまちづくり計画の高度化と市民へのわかりやすい情報発信",
        "3-1": "土地利活用に関する情報提供システムの一元化",
    }


def test_it_has_toshi_texts(sasebo):
    # seed 000:1064-1071 (到達像 1), 000:1149-1150 (目標（総括）), 000:1156-1164 (目標)
    issue = _issue(sasebo, "都市整備")
    c1 = issue.challenges.get(number=1)
    assert "まちの姿を可視化できている" in c1.target_text
    assert c1.target_text.count("■") == 2
    text = IssueYearText.objects.get(issue=issue, fiscal_year=R7)
    assert "3D都市モデルの幅広な利活用を図る" in text.goal_summary
    goal1 = ChallengeGoal.objects.get(challenge=c1, fiscal_year=R7).text
    assert "夜店公園の整備計画に基づき" in goal1
    assert "人流データ取得は行わない" in goal1
    goal3 = ChallengeGoal.objects.get(challenge__issue=issue, challenge__number=3, fiscal_year=R7)
    assert "PLATEAU View App" in goal3.text


def test_it_has_toshi_kpi_values(sasebo):
    # seed 000:1177-1182 with 000:1257-1275 (R7, R8 no acquisition → the two －)
    k = kpi(sasebo, "都市整備", "リアルタイムで取得する情報の利用率")
    assert k.challenge.number == 1
    assert k.unit == "%"
    assert values_of(k, "planned") == {
        "R4": "100",
        "R5": "100",
        "R6": "100",
        "R7": "－",
        "R8": "－",
        "R9": "100",
    }
    assert values_of(k, "actual") == {"R4": "100", "R5": "100"}
    assert "データ活用の必要性と有用性を必ず確認" in k.formula
    evaluation = IndicatorEvaluation.objects.get(indicator=k, fiscal_year=R7).text
    assert "取得したデータを基にした施設改修を行う" in evaluation

    # seed 000:1189-1194 with 000:1208-1228
    k = kpi(sasebo, "都市整備", "事業立案に利用可能な３Dデータを活用した事業数")
    assert k.challenge.number == 2
    assert values_of(k, "planned") == {"R5": "3", "R6": "3", "R7": "3", "R8": "4", "R9": "5"}
    assert values_of(k, "actual") == {"R5": "3"}
    assert "２年ごとに着実に増加" in k.formula

    # seed 000:1201-1206 with 000:1230-1248
    k = kpi(sasebo, "都市整備", "都市計画に関するオープンデータ数")
    assert k.challenge.number == 3
    assert values_of(k, "planned") == {"R5": "5", "R6": "6", "R7": "7", "R8": "8", "R9": "9"}
    assert values_of(k, "actual") == {"R5": "5"}
    assert k.formula.strip() == "Web上で閲覧できる情報（オープンデータ）の項目数"
    for name in (
        "リアルタイムで取得する情報の利用率",
        "事業立案に利用可能な３Dデータを活用した事業数",
        "都市計画に関するオープンデータ数",
    ):
        assert kpi(sasebo, "都市整備", name).direction == "higher"


def test_it_has_toshi_projects(sasebo):
    # seed 000:4116-4321: department, leading ○ (only 000:4243), names, steps
    expected = {
        "都市1-1-1": ("（まちなかウォーカブル推進、データ使用料）人流データの把握", False, ["1-1"]),
        "都市1-1-4": ("空き家推定ツール開発共同研究事業", False, ["1-1"]),
        "都市1-2-2": ("SNSを活用した公園管理", False, ["1-2"]),
        "都市2-1/2/3-1": ("3D都市モデル構築業務", True, ["2-1"]),
        "都市2-2-1": ("3Dデータを活用したまちづくり計画の高度化", False, ["2-2"]),
        "都市3-1-1": ("データ共有プラットフォーム", False, ["3-1"]),
    }
    for pid, (name, leading, steps) in expected.items():
        p = project(sasebo, pid)
        assert p.issue.category == "都市整備"
        assert p.name == name, pid
        assert p.is_leading is leading, pid
        assert p.in_table is True
        assert p.department.name == "都市整備部", pid
        assert sorted(p.steps.values_list("code", flat=True)) == steps, pid
    assert "携帯電話のローミング情報" in project(sasebo, "都市1-1-1").summary


def test_it_has_toshi_activity_values_and_phases(sasebo):
    # seed 000:4148 「1 2 2 0 0 2 ○ ⇒ ⇒ ⇒ ⇒」 (R7, R8 = 0: 000:1159)
    p = project(sasebo, "都市1-1-1")
    ind = _activity(sasebo, "都市1-1-1")
    assert ind.name == "取得データ種別数"
    assert values_of(ind, "planned") == {"R5": "1", "R6": "2", "R7": "0", "R8": "0", "R9": "2"}
    assert values_of(ind, "actual") == {"R5": "2"}
    assert phases_of(p) == BUILD_R5

    # seed 000:4248 「0% 0% 14.0% 14.0% 28.0% 42.0% 56.0% 70.0% ○ ⇒ ⇒ ⇒ ⇒ ⇒」
    p = project(sasebo, "都市2-1/2/3-1")
    ind = _activity(sasebo, "都市2-1/2/3-1")
    assert ind.name == "市民対応での活用率"
    assert ind.unit == "%"
    assert values_of(ind, "planned") == {
        "R4": "0",
        "R5": "14",
        "R6": "28",
        "R7": "42",
        "R8": "56",
        "R9": "70",
    }
    assert values_of(ind, "actual") == {"R4": "0", "R5": "14"}
    assert phases_of(p) == ALL_OPERATE_FROM_R4

    # seed 000:4284 「6 6 6 6 9 12 ○ ⇒ ⇒ ⇒ ⇒」
    ind = _activity(sasebo, "都市2-2-1")
    assert values_of(ind, "planned") == {"R5": "6", "R6": "6", "R7": "6", "R8": "9", "R9": "12"}
    assert values_of(ind, "actual") == {"R5": "6"}
    assert phases_of(project(sasebo, "都市2-2-1")) == BUILD_R5

    # seed 000:4321 「5 5 6 7 8 9 … ○ ⇒ ⇒ ⇒ ⇒」 (the … is the R4 phase)
    ind = _activity(sasebo, "都市3-1-1")
    assert values_of(ind, "planned") == {"R5": "5", "R6": "6", "R7": "7", "R8": "8", "R9": "9"}
    assert values_of(ind, "actual") == {"R5": "5"}
    assert phases_of(project(sasebo, "都市3-1-1")) == CONSIDER_R4_BUILD_R5

    # seed 000:4175-4188: R5 cells are the text 「㈱ゼンリンとの協議継続中」 (not storable, omitted)
    ind = _activity(sasebo, "都市1-1-4")
    assert ind.name == "確認建物数"
    assert values_of(ind, "planned") == {"R6": "100", "R7": "100", "R8": "100", "R9": "100"}
    assert values_of(ind, "actual") == {}
    assert phases_of(project(sasebo, "都市1-1-4")) == CONSIDER_R4_BUILD_R5

    # seed 000:4214-4218 「100% ×6 ○ ⇒ ⇒ ⇒ ⇒」
    ind = _activity(sasebo, "都市1-2-2")
    assert ind.name == "導入公園率"
    assert values_of(ind, "planned") == {
        "R5": "100",
        "R6": "100",
        "R7": "100",
        "R8": "100",
        "R9": "100",
    }
    assert values_of(ind, "actual") == {"R5": "100"}


# ---------------------------------------------------------------------------------------------
# 06【土木】
# ---------------------------------------------------------------------------------------------


def test_it_loads_doboku_header(sasebo):
    # seed 000:1281, 000:1368
    issue = _issue(sasebo, "土木")
    assert issue.field.number == 1
    assert issue.number == 6
    assert issue.title == (
        "デジタル技術を活用した高度かつ効率的な土木インフラ施設の管理による安心・安全な社会基盤の構築"
    )


def test_it_counts_doboku(sasebo):
    # steps 000:1284-1292; projects 000:1328-1362 and ten table rows 000:4323-4756;
    # leading ○ 000:4401, 4454, 4545, 4583; KPIs 000:1415-1449.
    assert _counts(_issue(sasebo, "土木")) == {
        "challenges": 3,
        "steps": 5,
        "projects": 10,
        "in_table": 10,
        "leading": 4,
        "kpis": 3,
        "activities": 10,
    }


def test_it_has_doboku_challenges_and_steps(sasebo):
    # seed 000:1284-1292, 000:1370-1387, 000:1313-1316 (到達像 spelt スピーディ)
    issue = _issue(sasebo, "土木")
    assert list(issue.challenges.order_by("number").values_list("number", "title")) == [
        (1, "ドローン・IoT・ICTを活用したスピーディーかつ効率的なインフラ情報の把握"),
        (2, "AI技術等を活用したインフラ情報の分析と管理の高度化"),
        (3, "インフラ情報のリアルタイム発信"),
    ]
    c1 = issue.challenges.get(number=1)
    assert c1.target_title == "ドローン・IoT・ICTを活用したスピーディかつ効率的なインフラ情報の把握"
    assert "i-Constructionを推進している" in c1.target_text
    assert c1.target_text.count("■") == 3
    steps = dict(Step.objects.filter(challenge__issue=issue).values_list("code", "title"))
    assert steps == {
        "1-a-1": "ドローンの3D測量等多目的活用の実施",
        "1-b-1": "モニタリングによる道路・河川等の情報把握及びICTを活用した情報収集",
        "2-1": "モニタリングやICT等により収集したインフラ情報のAI技術等による分析",
        "2-2": "情報分析に基づくインフラ管理の高度化",
        "3-1": "市民へのインフラ情報のリアルタイム発信",
    }


def test_it_has_doboku_texts(sasebo):
    # seed 000:1393-1394 (目標（総括）), 000:1403-1404 (目標 2)
    issue = _issue(sasebo, "土木")
    text = IssueYearText.objects.get(issue=issue, fiscal_year=R7)
    assert text.goal_summary.startswith("「インフラ情報のスピーディーかつ効率的な把握」として")
    goal2 = ChallengeGoal.objects.get(challenge__issue=issue, challenge__number=2, fiscal_year=R7)
    assert "予測システム構築の可能性について研究する" in goal2.text


def test_it_has_doboku_kpi_values(sasebo):
    # seed 000:1420-1425 with 000:1465-1486
    k = kpi(sasebo, "土木", "ドローン・IoT・ICTによる情報把握対象の土木インフラ施設数")
    assert k.challenge.number == 1
    assert values_of(k, "planned") == {
        "R4": "11",
        "R5": "26",
        "R6": "28",
        "R7": "30",
        "R8": "34",
        "R9": "38",
    }
    assert values_of(k, "actual") == {"R4": "11", "R5": "26"}
    assert "道路・河川モニタリング箇所数等" in k.formula

    # seed 000:1432-1437 with 000:1488-1505
    k = kpi(sasebo, "土木", "データ分析対象の土木インフラ施設数")
    assert k.challenge.number == 2
    assert values_of(k, "planned") == {
        "R4": "1",
        "R5": "1",
        "R6": "1",
        "R7": "1",
        "R8": "3",
        "R9": "5",
    }
    assert values_of(k, "actual") == {"R4": "1", "R5": "1"}
    assert IndicatorEvaluation.objects.get(indicator=k, fiscal_year=R7).text.strip() == (
        "計画通りの進捗が図れている。"
    )

    # seed 000:1444-1463 (実績 row empty)
    k = kpi(sasebo, "土木", "リアルタイム発信チャネル数")
    assert k.challenge.number == 3
    assert values_of(k, "planned") == {"R6": "2", "R7": "4", "R8": "6", "R9": "8"}
    assert values_of(k, "actual") == {}
    assert IndicatorEvaluation.objects.get(indicator=k, fiscal_year=R7).text.strip() == (
        "計画以上の進捗が図れている。"
    )


def test_it_has_doboku_projects(sasebo):
    # seed 000:4323-4756 (PIDs of the table; the progress page 000:1328-1362 spells them
    # 土木1-a-1, 土木1-b-1 … 土木2-1-4, 土木3-1)
    expected = {
        "土木1-a-1/2/3-1": ("ドローンの多目的活用の推進", False, ["1-a-1"]),
        "土木1-b-1/2-1": ("道路冠水状況モニタリングシステム", True, ["1-b-1"]),
        "土木1-b-1/2-2": ("河川モニタリングシステム", True, ["1-b-1"]),
        "土木1-b-1/2-3": ("ウェアラブルカメラの活用", False, ["1-b-1"]),
        "土木1-b-1/2-4": (
            "（道路パトロールの動画活用システム及びAI分析システム）道路パトロールの動画活用システム",
            True,
            ["1-b-1"],
        ),
        "土木2-1-1": ("冠水・浸水予測システム", True, ["2-1"]),
        "土木2-1-2": (
            "（道路パトロールの動画活用システム及びAI分析システム）道路パトロールデータのAI分析",
            False,
            ["2-1"],
        ),
        "土木2-1-3": ("WEBアプリケーション等を活用した市民による道路損傷通報", False, ["2-1"]),
        "土木1-b-3/2-3-1": ("データ共有プラットフォームによるデータ管理", False, ["2-2"]),
        "土木3-1/2-1": ("ホームページ等による情報のリアルタイム発信", False, ["3-1"]),
    }
    for pid, (name, leading, steps) in expected.items():
        p = project(sasebo, pid)
        assert p.issue.category == "土木"
        assert p.name == name, pid
        assert p.is_leading is leading, pid
        assert p.in_table is True
        assert p.department.name == "土木部", pid
        assert sorted(p.steps.values_list("code", flat=True)) == steps, pid
    assert "舗装損傷箇所の自動検出" in project(sasebo, "土木2-1-2").summary
    assert not Project.objects.filter(plan=sasebo, pid="土木2-1-4").exists()


def test_it_has_doboku_activity_values_and_phases(sasebo):
    # seed 000:4361 「3 3 4 4 5 6 8 10 ○ ⇒ ⇒ ⇒ ⇒ ⇒」
    ind = _activity(sasebo, "土木1-a-1/2/3-1")
    assert ind.name == "ドローン多目的利用数"
    assert values_of(ind, "planned") == {
        "R4": "3",
        "R5": "4",
        "R6": "5",
        "R7": "6",
        "R8": "8",
        "R9": "10",
    }
    assert values_of(ind, "actual") == {"R4": "3", "R5": "4"}
    assert phases_of(project(sasebo, "土木1-a-1/2/3-1")) == ALL_OPERATE_FROM_R4

    # seed 000:4503 「200 50 280 260 360 440 520 600 ○ ⇒ ⇒ ⇒ ⇒ ⇒」
    ind = _activity(sasebo, "土木1-b-1/2-3")
    assert ind.name == "ウェアラブルカメラ利用時間"
    assert ind.unit == "h"
    assert values_of(ind, "planned") == {
        "R4": "200",
        "R5": "280",
        "R6": "360",
        "R7": "440",
        "R8": "520",
        "R9": "600",
    }
    assert values_of(ind, "actual") == {"R4": "50", "R5": "260"}

    # seed 000:4634 「75.0% 36.5% 77.5% 77.5% 80.0% 82.5% 85.0% 90.0% ○ ⇒ ⇒ ⇒ ⇒ ⇒」
    ind = _activity(sasebo, "土木2-1-2")
    assert values_of(ind, "planned") == {
        "R4": "75",
        "R5": "77.5",
        "R6": "80",
        "R7": "82.5",
        "R8": "85",
        "R9": "90",
    }
    assert values_of(ind, "actual") == {"R4": "36.5", "R5": "77.5"}
    assert phases_of(project(sasebo, "土木2-1-2")) == ALL_OPERATE_FROM_R4

    # seed 000:4590 「2 4 … … … … ○ ⇒」 (KPI 000:1432: +2 in R8, +4 in R9)
    ind = _activity(sasebo, "土木2-1-1")
    assert values_of(ind, "planned") == {"R8": "2", "R9": "4"}
    assert values_of(ind, "actual") == {}
    assert phases_of(project(sasebo, "土木2-1-1")) == {
        "R4": "…",
        "R5": "…",
        "R6": "…",
        "R7": "…",
        "R8": "○",
        "R9": "⇒",
    }

    # seed 000:4407 「9 9 9 9 9 9 … ○ ⇒ ⇒ ⇒ ⇒」
    ind = _activity(sasebo, "土木1-b-1/2-1")
    assert values_of(ind, "planned") == {"R5": "9", "R6": "9", "R7": "9", "R8": "9", "R9": "9"}
    assert values_of(ind, "actual") == {"R5": "9"}
    assert phases_of(project(sasebo, "土木1-b-1/2-1")) == CONSIDER_R4_BUILD_R5

    # seed 000:4680 「630 70 660 690 720 760 … ○ ⇒ ⇒ ⇒ ⇒」
    ind = _activity(sasebo, "土木2-1-3")
    assert values_of(ind, "planned") == {
        "R5": "630",
        "R6": "660",
        "R7": "690",
        "R8": "720",
        "R9": "760",
    }
    assert values_of(ind, "actual") == {"R5": "70"}

    # seed 000:4756 「0 0 2 4 6 8 … ○ ⇒ ⇒ ⇒ ⇒」
    ind = _activity(sasebo, "土木3-1/2-1")
    assert values_of(ind, "planned") == {"R5": "0", "R6": "2", "R7": "4", "R8": "6", "R9": "8"}
    assert values_of(ind, "actual") == {"R5": "0"}
    assert phases_of(project(sasebo, "土木3-1/2-1")) == CONSIDER_R4_BUILD_R5

    # seed 000:4713 「1 2 3 ○ ⇒ ⇒ ⇒」: phases right-aligned, values not placeable (see notes)
    assert phases_of(project(sasebo, "土木1-b-3/2-3-1")) == {
        "R6": "○",
        "R7": "⇒",
        "R8": "⇒",
        "R9": "⇒",
    }
    assert values_of(_activity(sasebo, "土木1-b-3/2-3-1"), "planned") == {}


# ---------------------------------------------------------------------------------------------
# 07【保健福祉】
# ---------------------------------------------------------------------------------------------


def test_it_loads_hoken_header(sasebo):
    # seed 000:1511, 000:1574
    issue = _issue(sasebo, "保健福祉")
    assert issue.field.number == 1
    assert issue.number == 7
    assert issue.title == "デジタルを活用した福祉の高度化による包括的な支援体制の実現"


def test_it_counts_hoken(sasebo):
    # steps 000:1514-1526, 1551-1552 (8 rows, 2-b-1 twice → the second stored as 2-b-1②); five
    # table rows 000:4758-4924 plus the progress-only 【保福2-b-2-2】電話・窓口における応対支援AI
    # (000:1558), which shares its PID with a table row and is stored as 保福2-b-2-2②;
    # leading ○ 000:4924; KPIs 000:1613-1655.
    assert _counts(_issue(sasebo, "保健福祉")) == {
        "challenges": 2,
        "steps": 8,
        "projects": 6,
        "in_table": 5,
        "leading": 1,
        "kpis": 4,
        "activities": 5,
    }


def test_it_has_hoken_challenges_and_steps(sasebo):
    # seed 000:1514-1526, 000:1551-1552, 000:1576-1586
    issue = _issue(sasebo, "保健福祉")
    assert list(issue.challenges.order_by("number").values_list("number", "title")) == [
        (1, "気軽に相談できる窓口の構築"),
        (2, "多様な担い手との連携による市民一人ひとりの状況に合わせた包括的支援"),
    ]
    steps = dict(Step.objects.filter(challenge__issue=issue).values_list("code", "title"))
    assert steps == {
        "1-a-1": "福祉関係の手続き・相談等のオンライン化による市民サービスの向上",
        "1-a-2": "福祉に関する情報発信の強化",
        "1-b-1/2": "気軽に相談できる窓口の実現にむけた運用面の整理",
        "1-3": "気軽に相談できる窓口の実現（DX活用による連携強化）",
        "2-b-1": "包括的支援の実現の担い手である職員負担の軽減",
        "2-b-1②": "先進技術の導入による職員負担の軽減",
        "2-b-2": "AIを活用した市民サービスの推進",
        "2-3": "市民一人ひとりの状況に合わせた包括的支援の実現",
    }


def test_it_has_hoken_texts(sasebo):
    # seed 000:1531-1549 (到達像), 000:1592-1595 (目標（総括）), 000:1601-1605 (目標)
    issue = _issue(sasebo, "保健福祉")
    c2 = issue.challenges.get(number=2)
    assert "重層化・複雑化する市民ニーズへの対応が強化されている" in c2.target_text
    text = IssueYearText.objects.get(issue=issue, fiscal_year=R7)
    assert "市民目線のあるべき窓口の構築を目指す" in text.goal_summary
    assert "重層的支援体制整備事業" in text.goal_summary
    goal1 = ChallengeGoal.objects.get(challenge__issue=issue, challenge__number=1, fiscal_year=R7)
    assert "オンライン申請実施計画に基づき" in goal1.text


def test_it_has_hoken_kpi_values(sasebo):
    # seed 000:1618-1623 with 000:1682-1692
    k = kpi(sasebo, "保健福祉", "オンライン対応手続き数")
    assert k.challenge.number == 1
    assert values_of(k, "planned") == {
        "R3": "8",
        "R4": "186",
        "R5": "256",
        "R6": "256",
        "R7": "256",
        "R8": "256",
        "R9": "256",
    }
    assert values_of(k, "actual") == {"R3": "15", "R4": "154", "R5": "251"}

    # seed 000:1628-1633 with 000:1694-1707
    k = kpi(sasebo, "保健福祉", "オンライン申請利用率")
    assert k.challenge.number == 1
    assert k.unit == "%"
    assert values_of(k, "planned") == {
        "R3": "10",
        "R4": "20",
        "R5": "30",
        "R6": "35",
        "R7": "40",
        "R8": "45",
        "R9": "50",
    }
    assert values_of(k, "actual") == {"R3": "18", "R4": "8", "R5": "8.6"}
    assert k.formula.strip() == "オンラインでの手続き件数／手続き総件数"
    assert (
        "目標値を下回っている" in IndicatorEvaluation.objects.get(indicator=k, fiscal_year=R7).text
    )

    # seed 000:1638-1643 with 000:1709-1720
    k = kpi(sasebo, "保健福祉", "オンライン対応相談窓口数")
    assert k.challenge.number == 1
    assert values_of(k, "planned") == {"R5": "15", "R6": "15", "R7": "15", "R8": "15", "R9": "15"}
    assert values_of(k, "actual") == {"R5": "10"}

    # seed 000:1650-1655 with 000:1665-1676
    k = kpi(sasebo, "保健福祉", "AI等先進的なICTを活用する業務数")
    assert k.challenge.number == 2
    assert values_of(k, "planned") == {
        "R3": "85",
        "R4": "74",
        "R5": "80",
        "R6": "85",
        "R7": "90",
        "R8": "95",
        "R9": "100",
    }
    assert values_of(k, "actual") == {"R3": "85", "R4": "108", "R5": "205"}
    assert "業務効率化に取り組んだ業務数" in k.formula
    assert (
        "議事録ＡＩ利用実績が大きく伸び"
        in IndicatorEvaluation.objects.get(indicator=k, fiscal_year=R7).text
    )


def test_it_has_hoken_projects(sasebo):
    # seed 000:4758-4924; leading ○ only at 000:4924
    expected = {
        "保福1-a-1-3": ("オンライン相談", False, ["1-a-1"]),
        "保福1-a-2-2": ("ナッジ理論を活用した健診の推奨", False, ["1-a-2"]),
        "保福2-b-1-1": ("訪問調査におけるタブレット活用", False, ["2-b-1"]),
        "保福2-b-1-2": ("電子審査会の推進", False, ["2-b-1"]),
        "保福2-b-2-2": ("AI-ＯＣＲ、ＲＰＡを活用した事務作業の簡素化", True, ["2-b-1"]),
    }
    for pid, (name, leading, steps) in expected.items():
        p = project(sasebo, pid)
        assert p.issue.category == "保健福祉"
        assert p.name == name, pid
        assert p.is_leading is leading, pid
        assert p.in_table is True
        assert p.department.name == "保健福祉部", pid
        assert sorted(p.steps.values_list("code", flat=True)) == steps, pid
    assert "介護認定審査会をオンライン開催" in project(sasebo, "保福2-b-1-2").summary


def test_it_has_hoken_activity_values_and_phases(sasebo):
    # seed 000:4789 「15 10 15 15 15 15 … ○ ⇒ ⇒ ⇒ ⇒」
    ind = _activity(sasebo, "保福1-a-1-3")
    assert ind.name == "オンライン相談窓口数"
    assert values_of(ind, "planned") == {"R5": "15", "R6": "15", "R7": "15", "R8": "15", "R9": "15"}
    assert values_of(ind, "actual") == {"R5": "10"}
    assert phases_of(project(sasebo, "保福1-a-1-3")) == CONSIDER_R4_BUILD_R5

    # seed 000:4819 「1 2 2 2 … ○ ⇒ ⇒」
    ind = _activity(sasebo, "保福1-a-2-2")
    assert ind.name == "通知勧奨実施回数"
    assert values_of(ind, "planned") == {"R5": "1", "R6": "2", "R7": "2"}
    assert values_of(ind, "actual") == {"R5": "2"}
    assert phases_of(project(sasebo, "保福1-a-2-2")) == {"R4": "…", "R5": "○", "R6": "⇒", "R7": "⇒"}

    # seed 000:4890 「100% ×8 ○ ⇒ ⇒ ⇒ ⇒ ⇒」
    ind = _activity(sasebo, "保福2-b-1-2")
    assert ind.name == "予定しているＷＥＢ会議の開催率"
    assert values_of(ind, "planned") == {
        "R4": "100",
        "R5": "100",
        "R6": "100",
        "R7": "100",
        "R8": "100",
        "R9": "100",
    }
    assert values_of(ind, "actual") == {"R4": "100", "R5": "100"}
    assert phases_of(project(sasebo, "保福2-b-1-2")) == ALL_OPERATE_FROM_R4

    # seed 000:4924 「○ 活用数 2 2 2 2 … … ○ ⇒ ⇒ ⇒」
    ind = _activity(sasebo, "保福2-b-2-2")
    assert ind.name == "活用数"
    assert values_of(ind, "planned") == {"R6": "2", "R7": "2", "R8": "2", "R9": "2"}
    assert values_of(ind, "actual") == {}
    assert phases_of(project(sasebo, "保福2-b-2-2")) == {
        "R4": "…",
        "R5": "…",
        "R6": "○",
        "R7": "⇒",
        "R8": "⇒",
        "R9": "⇒",
    }

    # seed 000:4855 「13 13 … … … ○ ⇒」
    ind = _activity(sasebo, "保福2-b-1-1")
    assert values_of(ind, "planned") == {"R8": "13", "R9": "13"}
    assert phases_of(project(sasebo, "保福2-b-1-1")) == {
        "R5": "…",
        "R6": "…",
        "R7": "…",
        "R8": "○",
        "R9": "⇒",
    }
