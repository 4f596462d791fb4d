"""Sheet names and columns of the whole-plan workbook — shared by export and import."""

from strategy import fiscal
from strategy.models import Plan

PLAN = "計画"
STRUCTURE = "体系"
PROJECTS = "プロジェクト"
KPIS = "KPI"
TEXTS = "文章"
CHOICES = "選択肢"  # hidden: the lists behind the drop-downs
SHEETS = [PLAN, STRUCTURE, PROJECTS, KPIS, TEXTS]

PLAN_HEADERS = ["項目", "値"]
# (label, attribute) of the 計画 sheet, in order. Municipality and slug identify the plan.
PLAN_ROWS = [
    ("自治体コード", "municipality_code"),
    ("自治体名", "municipality_name"),
    ("スラッグ", "slug"),
    ("計画名", "title"),
    ("基準年度", "baseline_year"),
    ("計画期間（開始年度）", "start_year"),
    ("計画期間（終了年度）", "end_year"),
    ("報告年度", "report_year"),
    ("予定の時点", "planned_as_of"),
    ("実績の時点", "actual_as_of"),
    ("公開状態", "status"),
    ("文書の形式", "layout"),
    ("評価基準: 達成（%以上）", "grade_achieved_percent"),
    ("評価基準: 概ね順調（%以上）", "grade_on_track_percent"),
    ("表示名: 分野", "label_field"),
    ("表示名: 重点課題", "label_issue"),
    ("表示名: 課題", "label_challenge"),
    ("表示名: ステップ", "label_step"),
    ("表示名: プロジェクト", "label_project"),
    ("表示名: KPI", "label_kpi"),
    ("表示名: 活動指標", "label_activity"),
    ("計画の概要", "introduction"),
    ("めざす姿の前文", "vision_lead"),
]
# Rows added after the first workbooks were handed out: a file without them keeps the
# plan's current values (the row says nothing, so nothing changes).
OPTIONAL_PLAN_ATTRS = {"layout", "introduction", "vision_lead"}
YEAR_ATTRS = {"baseline_year", "start_year", "end_year", "report_year"}
MONTH_ATTRS = {"planned_as_of", "actual_as_of"}
STATUS_LABELS = {"draft": "下書き", "published": "公開"}

STRUCTURE_HEADERS = [
    "レベル",
    "分野",
    "重点課題",
    "課題",
    "ステップ",
    "名称",
    "分類",
    "主管部局",
    "到達像（見出し）",
    "到達像",
    "現状・課題",
    "取り組み内容",
    # 分野 rows only (Nagasaki's 基本方針 and the 2030年のめざす姿 of its area)
    "説明",
    "めざす姿の分野",
    "めざす姿",
    "めざす姿の説明",
    "取組分野・キーワード",
]
# Field attribute of each 分野-only column, in column order.
FIELD_TEXT_COLUMNS = {
    "説明": "description",
    "めざす姿の分野": "area_name",
    "めざす姿": "vision_title",
    "めざす姿の説明": "vision_text",
    "取組分野・キーワード": "keywords",
}
LEVEL_FIELD, LEVEL_ISSUE, LEVEL_CHALLENGE, LEVEL_STEP = "分野", "重点課題", "課題", "ステップ"

PROJECT_LEAD = [
    "分野",
    "分類",
    "主体部局",
    "DX重点課題",
    "課題",
    "ステップ",
    "PID",
    "名称",
    "概要",
    "リーディング",
    "活動指標",
]
PROJECT_TRAIL = ["活動指標の単位", "活動指標の算出式", "別冊掲載", "PID の別表記"]
ALIASES = "PID の別表記"
# Columns added after the first workbooks were handed out. They come last, so an older file
# simply ends before them; its rows keep the plan's current values for them.
OPTIONAL_COLUMNS = frozenset({*FIELD_TEXT_COLUMNS, ALIASES})

KPI_LEAD = ["分野", "分類", "課題", "KPI", "単位", "方向", "算出式・設定根拠"]
KPI_TRAIL = ["進捗状況・評価", "基準年度", "基準値", "目標年度", "目標値"]
DIRECTION_LABELS = {"higher": "高いほど良い", "lower": "低いほど良い"}

TEXT_HEADERS = ["レベル", "コード", "指標", "年度", "項目", "本文"]
TEXT_KINDS = {
    "goal_summary": "目標（総括）",
    "business_summary": "事業総括",
    "goal": "目標",
    "evaluation": "進捗状況・評価",
}


def value_headers(plan: Plan) -> list[str]:
    """R3, R3実績, R4, R4実績, … over the years that may hold values."""
    out = []
    for year in plan.value_years:
        label = fiscal.short_label(year)
        out += [label, f"{label}実績"]
    return out


def phase_headers(plan: Plan) -> list[str]:
    return [f"実施年度{fiscal.short_label(y)}" for y in plan.period_years]


def project_headers(plan: Plan) -> list[str]:
    return PROJECT_LEAD + value_headers(plan) + phase_headers(plan) + PROJECT_TRAIL


def kpi_headers(plan: Plan) -> list[str]:
    return KPI_LEAD + value_headers(plan) + KPI_TRAIL


def column_letter(index: int) -> str:
    """0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
