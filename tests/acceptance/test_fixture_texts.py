"""Acceptance: the demo load puts the plans' texts, the 基本方針 texts with the 2030年のめざす姿
and the PID aliases into the database, word for word from the seeds.

Seed lines are cited as 000:NNN (Sasebo, 000_85771c58e5f5297b.txt) and 002:NNN (Nagasaki,
002_19635cc6f90a01d6.txt)."""

import pytest

from projects.models import Project
from strategy.models import Field

pytestmark = pytest.mark.django_db


def test_each_plan_names_its_layout(sasebo, nagasaki):
    assert sasebo.layout == "execution"  # 実行計画 (000:1)
    assert nagasaki.layout == "promotion"  # DX推進計画 (002:3-7)


def test_nagasaki_introduction_and_vision_lead(nagasaki):
    # 第1章 ②目的 (002:44-46), footnote marks kept
    assert nagasaki.introduction == (
        "労働力が不足する人口減少時代へ備えるとともに、急速に進むデジタル社会へ対応し、"
        "市民の暮らしやすさや訪れる人の過ごしやすさに貢献するため、様々なデータやIoT※2、"
        "ロボット、AI※3等といった先端技術を本市の産業や生活に取り入れ、地域経済の発展と"
        "地域課題の解決を実現する「都市のデジタル化」と、先端技術を活用し業務等を効率化する"
        "ことで持続可能な形で行政サービスを提供していく「行政のデジタル化」を戦略的かつ計画的に"
        "推進することで長崎市全体が変革することを目的とします。"
    )
    # 002:401
    assert nagasaki.vision_lead == (
        "まちや人を中心として、「生活」「産業」「人材」「交流」「行政」の5つの分野毎に、"
        "2030年のめざす姿を描きます。"
    )


# (基本方針, area (002:415 …), めざす姿, seed line of the めざす姿,
#  the start of its description with the seed line, vision bullets, keyword bullets)
NAGASAKI_FIELDS = [
    (1, "生活", "人と人がつながり、便利で暮らしやすいまち", 417, "豊かな暮らしを支える", 543, 2, 3),
    (
        2,
        "産業",
        "新たな産業やサービスが生まれる活力あるまち",
        438,
        "都市のあらゆるデータ",
        786,
        2,
        2,
    ),
    (3, "人材", "次代を担う人が成長し、活躍できるまち", 457, "子どもや若者が様々な", 840, 3, 2),
    (
        4,
        "交流",
        "デジタル技術で新たな楽しみ方を創出し、人をひきつけているまち",
        480,
        "まちの魅力がデータと",
        959,
        2,
        2,
    ),
    (
        5,
        "行政",
        "行政DXにより、質の高い市民サービスが提供されるまち",
        504,
        "デジタル技術を活用し行政業務",
        1081,
        2,
        3,
    ),
]


@pytest.mark.parametrize(
    "number, area, vision, vision_line, start, description_line, n_vision, n_keywords",
    NAGASAKI_FIELDS,
    ids=[str(f[0]) for f in NAGASAKI_FIELDS],
)
def test_nagasaki_fields_carry_their_texts(
    nagasaki, number, area, vision, vision_line, start, description_line, n_vision, n_keywords
):
    field = Field.objects.get(plan=nagasaki, number=number)
    assert field.area_name == area
    assert field.vision_title == vision, f"002:{vision_line}"
    assert field.description.startswith(start), f"002:{description_line}"
    vision_lines = field.vision_text.split("\n")
    keyword_lines = field.keywords.split("\n")
    assert len(vision_lines) == n_vision and len(keyword_lines) == n_keywords
    for line in vision_lines + keyword_lines:
        assert line.startswith("・") and not line.startswith("・・") and "- " not in line


def test_nagasaki_field_texts_word_for_word(nagasaki):
    fields = {f.number: f for f in Field.objects.filter(plan=nagasaki)}
    # 002:543 (002:668 prints 「デジタル技術により便利で」: the first printing is used)
    assert fields[1].description == (
        "豊かな暮らしを支えるサービスを、デジタル技術でより便利で効率的にするとともに、"
        "これらの情報発信と情報格差（デジタル・ディバイド）対策に取り組み、"
        "誰一人取り残されない、人にやさしいデジタル化を推進します。"
    )
    # 002:786 = 002:725: both printings are cut after 「高めま」; kept as printed
    assert fields[2].description.endswith("実現することで、まちと産業の活力を高めま")
    # 002:959: the document's 「訪れたいくなる」 is kept
    assert "何度も訪れたいくなる、" in fields[4].description
    # 002:1081
    assert fields[5].description == (
        "デジタル技術を活用し行政業務の効率化を図るとともに、市民の生活の質を向上させるサービスを"
        "安全・安心に提供し、市民の幸福度を高めるデジタル化を推進します。"
    )
    # 002:419-420
    assert fields[1].vision_text == (
        "・生活のあらゆる場面で、デジタル技術を活用した様々なサービスが持続可能な形で提供されています。\n"
        "・サービスに関する情報は人々に行き届いており、またインターネット等のデジタル技術を利用できない"
        "人もサービスの恩恵を享受して、一人ひとりの暮らしが豊かになっています。"
    )
    # 002:463
    assert fields[3].vision_text.endswith(
        "・その活躍が多様な人材を呼び込み、このまちに脈々と引き継がれる交流から"
        "イノベーションが生まれるまちとなっています。"
    )
    # 002:484
    assert "・100年に一度の変革で進化したまちでは、" in fields[4].vision_text
    # (取組分野・キーワード) 002:424-426, 445-446, 467-468, 488-489, 511-513
    assert fields[1].keywords == (
        "・インフラ、防災、消防、交通等\n"
        "・医療・介護・福祉、子ども・子育て、健康、地域コミュニティ等\n"
        "・情報発信、利用サポート等"
    )
    assert fields[2].keywords == "・地域経済、農林水産業等\n・データ利活用、新サービス等"
    assert fields[3].keywords == "・チャレンジ、人材育成等\n・学校教育等"
    assert fields[4].keywords == "・観光、食、文化・スポーツ、平和等\n・移住、関係人口等"
    assert fields[5].keywords.split("\n")[-1] == "・デジタル人材育成、官民連携、デジタル基盤整備等"


def test_sasebo_introduction(sasebo):
    lines = sasebo.introduction.split("\n")
    # 実行計画の概要 (000:3-5, joined across the PDF's line breaks)
    assert lines[0] == (
        "本計画は、「佐世保市DX戦略」（以下、「戦略」という）の下位計画として位置付け、"
        "戦略に定める12のDX重点課題を解決するための具体的な施策を取りまとめたものです。"
        "戦略の期間中、各施策の進捗状況や、技術革新等、環境の変化を踏まえた柔軟かつ的確な"
        "事業展開を実現することを目的として、令和９年度まで毎年度更新して策定します。"
    )
    # （１）実行計画の位置付け: three 「•」 bullets (000:22-23, 25-26, 28), written 「・」
    assert len(lines) == 4 and all(line.startswith("・") for line in lines[1:])
    assert lines[1].endswith("達成状況を測るため、それぞれの課題ごとにKPIを設定します。")
    assert "（ステップの達成のために導入するシステム等）" in lines[2]  # 000:25-26
    assert lines[3] == (
        "・これら課題のKPIとプロジェクトの活動指標の達成状況により進捗を管理し、"
        "戦略を推進していきます。"
    )
    # Sasebo's 分野 have no 基本方針 texts
    assert not Field.objects.filter(plan=sasebo).exclude(description="").exists()


# PID stored → the other printing (seed line)
SASEBO_ALIASES = {
    "観光3-b-2-1": "観光2-b-2-1",  # 000:279
    "土木1-a-1/2/3-1": "土木1-a-1",  # 000:1328
    "土木1-b-1/2-1": "土木1-b-1",  # 000:1330
    "土木1-b-1/2-2": "土木1-b-2",  # 000:1332
    "土木1-b-1/2-3": "土木1-b-3",  # 000:1334
    "土木1-b-1/2-4": "土木1-b-4",  # 000:1336
    "土木1-b-3/2-3-1": "土木2-1-4",  # 000:1360
    "土木3-1/2-1": "土木3-1",  # 000:1342
    "窓口1-1-4": "窓口１-1-４",  # 000:1926
    "業務効率化2-a-1-5": "業務効率化2-a-1-6",  # 000:6022
    "職場環境1-a-1-1": "職場環境1-b-2-2",  # 000:6306-6309, 000:2697
    "職場環境1-a-2-1": "職場1-a-2-1",  # 000:2703
}


def test_sasebo_projects_keep_the_pids_printed_elsewhere(sasebo):
    stored = dict(
        Project.objects.filter(plan=sasebo).exclude(aliases="").values_list("pid", "aliases")
    )
    assert stored == SASEBO_ALIASES


def test_no_alias_is_a_pid_of_its_plan(sasebo, nagasaki):
    for plan in (sasebo, nagasaki):
        pids = set(Project.objects.filter(plan=plan).values_list("pid", flat=True))
        aliases = [a for p in Project.objects.filter(plan=plan) for a in p.alias_list]
        assert not pids & set(aliases)
        assert len(aliases) == len(set(aliases))
    # left out because they would name another project (000:531, 000:5820, 000:5985)
    for pid in ("農水2-a-1/2-2", "業務効率化2-b-1-1", "業務効率化3-2-2", "保福2-b-2-2②"):
        assert Project.objects.get(plan=sasebo, pid=pid).aliases == ""


def test_a_project_is_found_by_the_pid_the_progress_page_prints(sasebo):
    found = Project.objects.filter(plan=sasebo).search("土木2-1-4")  # 000:1360
    assert list(found.values_list("pid", flat=True)) == ["土木1-b-3/2-3-1"]
