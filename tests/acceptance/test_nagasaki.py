"""Acceptance tests: 長崎市DX推進計画 (seed 002_19635cc6f90a01d6.txt) loaded as plan `nagasaki-dx`.

Expected values are written literally from the seed; line numbers are cited as 002:NNN.
"""

from decimal import Decimal

import pytest

from kpis.models import Indicator
from projects.models import Project
from strategy.models import Challenge, Field, PriorityIssue, Step
from tests.helpers import kpi, phases_of, project, values_of

pytestmark = pytest.mark.django_db


# (category, 基本方針, 基本施策 number, title, seed line of the heading, number of 取り組みイメージ)
ISSUES = [
    ("安全・安心", 1, 1, "安全・安心で快適な環境の整備", 547, 6),
    ("健康・暮らし", 1, 2, "健康で豊かに暮らせるサービスの提供", 609, 5),
    ("情報発信", 1, 3, "サービスの情報発信と快適な利用のサポート", 672, 3),
    ("産業", 2, 1, "産業のスマート化の推進", 729, 5),
    ("データ活用", 2, 2, "データと新技術を活用した新たなサービスの創出", 790, 2),
    ("チャレンジ", 3, 1, "新たな価値を生み出すチャレンジ環境の創出", 844, 4),
    ("学校教育", 3, 2, "学校教育のDX推進", 903, 4),
    ("観光", 4, 1, "観光DXによる交流の質の向上", 963, 6),
    ("移住・関係人口", 4, 2, "移住促進と関係人口の創出・拡大", 1025, 4),
    ("行政サービス", 5, 1, "便利で使いやすい行政サービスの最適化", 1085, 4),
    ("働き方", 5, 2, "業務の見直しと働き方の改革", 1144, 7),
    ("推進環境", 5, 3, "変革を推進するための環境整備", 1208, 7),
]

# Every 成果指標: (category, name, unit, direction,
#                 baseline year, baseline, target year, target, seed line)
# Western years: 令和5年度 = 2023, 令和6年度 = 2024, 令和9年度 = 2027.
KPIS = [
    (
        "安全・安心",
        "デジタル化によって「安心して暮らせるようになる」と思う市民の割合",
        "%",
        "higher",
        2024,
        "36.3",
        2027,
        "50.0",
        556,
    ),
    (
        "健康・暮らし",
        "デジタル化によって「生活が便利で豊かになった」と感じる市民の割合",
        "%",
        "higher",
        2024,
        "50.0",
        2027,
        "60.0",
        618,
    ),
    (
        "情報発信",
        "長崎市が発信する行政情報について「提供されている」と感じている市民の割合",
        "%",
        "higher",
        2024,
        "33.0",
        2027,
        "50.0",
        681,
    ),
    (
        "産業",
        "「デジタル社会の進展に適切に対応できている」と感じている企業の割合",
        "%",
        "higher",
        2024,
        "34.9",
        2027,
        "50.0",
        738,
    ),
    (
        "データ活用",
        "長崎市オープンデータカタログサイトへのアクセス数",
        "件",
        "higher",
        2023,
        "45161",
        2027,
        "67000",
        799,
    ),
    (
        "チャレンジ",
        "地場企業等と県外企業等との協業による「デジタル分野」の新規事業創出に係る実証事業の実施件数[累計]",
        "件",
        "higher",
        2023,
        "5",
        2027,
        "9",
        853,
    ),
    (
        "学校教育",
        "調査月において学習者用パソコンをほぼ毎日使った児童生徒の割合",
        "%",
        "higher",
        2023,
        "58.3",
        2027,
        "75.0",
        912,
    ),
    ("観光", "旅ナカでの情報取得満足度【国内】", "%", "higher", 2023, "53.1", 2027, "74.3", 972),
    ("観光", "旅ナカでの情報取得満足度【国外】", "%", "higher", 2023, "71.8", 2027, "77.4", 972),
    (
        "移住・関係人口",
        "関係人口の創出、または拡大につながる公式SNSフォロワー数",
        "件",
        "higher",
        2023,
        "13233",
        2027,
        "13634",
        1034,
    ),
    (
        "行政サービス",
        "長崎市が提供するデジタルサービスの利用率",
        "%",
        "higher",
        2024,
        "10.8",
        2027,
        "30.0",
        1094,
    ),
    (
        "働き方",
        "時間外勤務上限時間（年間360時間）超過率",
        "%",
        "lower",
        2023,
        "6.7",
        2027,
        "5.0",
        1153,
    ),
    # header says 現状値：令和5年度（2025） (002:1216); 令和5年度 is 2023 — see fixtures notes
    ("推進環境", "DXに取り組んでいる職員の割合", "%", "higher", 2023, "20.0", 2027, "50.0", 1217),
]


def _issue(plan, category):
    return PriorityIssue.objects.get(plan=plan, category=category)


def _label(plan, key):
    """The plan's display name of a hierarchy level (Plan.label_field, label_issue, …)."""
    return getattr(plan, f"label_{key}")


def test_it_loads_the_plan_header(nagasaki):
    # seed 002:3-7 (title), 002:69 (令和4(2022)年度から令和12(2030)年度まで)
    assert nagasaki.slug == "nagasaki-dx"
    assert nagasaki.title == "長崎市DX推進計画"
    assert nagasaki.municipality.name == "長崎市"
    assert nagasaki.municipality.code == "422011"
    assert nagasaki.start_year == 2022
    assert nagasaki.end_year == 2030
    assert nagasaki.baseline_year == 2023  # earliest 基準値/現状値: 令和5年度（2023） (002:798)
    assert nagasaki.report_year == 2025


def test_it_uses_nagasakis_level_labels(nagasaki):
    # seed 002:539 (基本方針), 002:547 (基本施策), 002:549 (3年後のめざす姿),
    # 002:555 (成果指標), 002:571 (取り組みイメージ)
    assert _label(nagasaki, "field") == "基本方針"
    assert _label(nagasaki, "issue") == "基本施策"
    assert _label(nagasaki, "challenge") == "3年後のめざす姿"
    assert _label(nagasaki, "project") == "取り組みイメージ"
    assert _label(nagasaki, "kpi") == "成果指標"
    assert _label(nagasaki, "activity") == "活動指標"


def test_it_has_five_basic_policies(nagasaki):
    # seed 002:541, 002:784, 002:838, 002:957, 002:1079
    # (the review of the first period, 002:138, still says 6つの基本方針)
    fields = list(
        Field.objects.filter(plan=nagasaki).order_by("number").values_list("number", "name")
    )
    assert fields == [
        (1, "利用者に寄り添ったサービスを提供します"),
        (2, "都市の力を活かし、産業とまちの活力を高めます"),
        (3, "未来を見据え、次代を担う人を育てます"),
        (4, "まちの魅力を磨き、人々に付加価値を提供します"),
        (5, "スマート市役所への変革と都市の基盤整備を推進します"),
    ]


def test_it_has_twelve_basic_measures_with_one_challenge_each(nagasaki):
    # seed 002:547, 609, 672, 729, 790, 844, 903, 963, 1025, 1085, 1144, 1208 (基本施策 headings)
    issues = PriorityIssue.objects.filter(plan=nagasaki)
    assert issues.count() == 12
    assert Challenge.objects.filter(issue__plan=nagasaki).count() == 12
    assert Step.objects.filter(challenge__issue__plan=nagasaki).count() == 0
    for category, field, number, title, line, _n in ISSUES:
        issue = _issue(nagasaki, category)
        assert (issue.field.number, issue.number, issue.title, issue.kind) == (
            field,
            number,
            title,
            "priority",
        ), line
        challenges = list(Challenge.objects.filter(issue=issue))
        assert len(challenges) == 1, line
        ch = challenges[0]
        assert (ch.number, ch.title, ch.target_title) == (1, title, "3年後のめざす姿"), line


def test_it_counts_kpis_and_projects(nagasaki):
    # 12 成果指標 rows; the 4-1 row holds 【国内】 and 【国外】 values (002:972) -> 13 indicators
    assert Indicator.objects.filter(challenge__issue__plan=nagasaki, kind="kpi").count() == 13
    assert Indicator.objects.filter(kind="activity", project__plan=nagasaki).count() == 0
    # 取り組みイメージ: 57 bullets (002:573-1241)
    projects = Project.objects.filter(plan=nagasaki)
    assert projects.count() == 57
    assert projects.filter(in_table=True).count() == 57
    assert projects.filter(is_leading=True).count() == 0
    assert projects.filter(department__isnull=False).count() == 0
    for category, _f, _n, _t, line, n_projects in ISSUES:
        issue = _issue(nagasaki, category)
        assert Project.objects.filter(issue=issue).count() == n_projects, line
        assert Indicator.objects.filter(challenge__issue=issue, kind="kpi").count() == (
            2 if category == "観光" else 1
        ), line


@pytest.mark.parametrize(
    "category,name,unit,direction,by,bv,ty,tv,line",
    KPIS,
    ids=[k[0] + ":" + k[1][:10] for k in KPIS],
)
def test_it_transcribes_every_outcome_indicator(
    nagasaki, category, name, unit, direction, by, bv, ty, tv, line
):
    # seed 002:<line> (成果指標 row) and the header line above it (基準値/現状値 and 目標値 years)
    ind = kpi(nagasaki, category, name)
    assert ind.kind == "kpi"
    assert ind.unit == unit
    assert ind.direction == direction
    assert ind.baseline_year == by
    assert Decimal(str(ind.baseline_value)) == Decimal(bv)
    assert ind.target_year == ty
    assert Decimal(str(ind.target_value)) == Decimal(tv)
    # the document has no yearly planned/actual rows
    assert values_of(ind, "planned") == {}
    assert values_of(ind, "actual") == {}


def test_it_keeps_the_target_states(nagasaki):
    # 3年後のめざす姿: seed 002:551, 002:794, 002:1089, 002:1212
    def target(category):
        return Challenge.objects.get(issue__plan=nagasaki, issue__category=category).target_text

    assert "安心に暮らせると感じている市民が増加している" in target("安全・安心")
    assert "新たなサービスの創出につながっている" in target("データ活用")
    assert "市民等の手続きに要する手間や時間が削減されている" in target("行政サービス")
    assert "確かな知識とスキルを身に付けてDXに取り組む職員が増えている" in target("推進環境")


def test_it_keeps_situation_and_actions_one_bullet_per_line(nagasaki):
    # 現状・課題 1-1: seed 002:560-563; 取り組み内容 1-1: 002:567-569
    issue = _issue(nagasaki, "安全・安心")
    lines = [ln for ln in issue.situation.splitlines() if ln.strip()]
    assert len(lines) == 4
    assert all(ln.startswith(("・", "-")) for ln in lines)
    assert "「安心して暮らせるようになる」と思う市民の割合は36.3%に留まっています。" in lines[0]
    assert "ワイヤーメッシュ柵の設置に係る負担が増加しています。" in lines[3]
    actions = [ln for ln in issue.actions.splitlines() if ln.strip()]
    assert len(actions) == 3
    assert "有害鳥獣対策の負担軽減を図ります。" in actions[2]
    # 5-1: seed 002:1098-1102 (bullets printed with a doubled 「- ・」 marker)
    issue = _issue(nagasaki, "行政サービス")
    lines = [ln for ln in issue.situation.splitlines() if ln.strip()]
    assert len(lines) == 5
    assert "行政手続きのオンライン化目標の達成率：69.2%【令和5年度末】" in lines[1]
    assert "・・" not in issue.situation
    # 3-1: the （出典） line 002:859 stays with its bullet 002:858
    issue = _issue(nagasaki, "チャレンジ")
    lines = [ln for ln in issue.situation.splitlines() if ln.strip()]
    assert len(lines) == 3
    assert "全国34位（2022年度）" in lines[1] and "大学発ベンチャーデータベース" in lines[1]
    # 5-2 取り組み内容: seed 002:1165-1168
    issue = _issue(nagasaki, "働き方")
    assert "データ利活用（EBPM）を推進します。" in issue.actions


def test_it_numbers_the_project_images_in_document_order(nagasaki):
    # seed 002:573 (1-1 first), 002:578 (1-1 last), 002:932-933 (3-2-4 broken over two lines),
    # 002:1241 (5-3 last), 002:813-814 (2-2)
    cases = {
        "1-1-1": "救急業務におけるマイナンバーカードの活用（マイナ救急事業の本運用）",
        "1-1-6": "ICTを活用した有害鳥獣対策",
        "2-2-1": "オープンデータの対象拡大",
        "2-2-2": "産業分野におけるドローンの活用検討",
        "3-1-1": "デジタル関連コミュニティの創出・拡大",
        "3-2-4": "校務DXの推進(汎用のクラウド基盤を利用したネットワークの統合)",
        "4-1-6": "原爆資料館常設展示室のリニューアルに係るデジタル技術活用",
        "5-2-7": "カスタマーハラスメントの抑制等に係る仕組みの導入",
        "5-3-7": "セキュリティポリシーや各種手順書等の適宜見直しと周知徹底",
    }
    for pid, name in cases.items():
        p = project(nagasaki, pid)
        assert p.name == name, pid
        assert p.department is None, pid
        assert p.is_leading is False, pid
        assert p.in_table is True, pid
        assert p.steps.count() == 0, pid
        assert phases_of(p) == {}, pid
    assert project(nagasaki, "3-1-1").issue.category == "チャレンジ"
    assert project(nagasaki, "5-3-7").issue.title == "変革を推進するための環境整備"
