"""Document layouts: how a plan's pages are cut and worded, one registry entry per shape.

A plan names its layout (``Plan.layout``). Everything that differs between document shapes
— which pages each priority issue (DX重点課題 / 基本施策) gets, their templates and titles, the
wording of the overview and the report — is read from the plan's entry here, so a third city's
document is one more ``Layout`` (plus its templates), not edits across views and URLs.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class IssuePage:
    """One page of a priority issue: URL slug, template, title and what data it needs."""

    slug: str
    template: str  # included once per issue by the page and by the whole report
    title: str  # may use {issue}, {kpi}, {challenge}, {step}: the plan's level names
    tab: str  # the tab's shorter label (same placeholders)
    parts: frozenset = frozenset()  # subsets of reports.pages.PARTS the page needs
    show_as_of: bool = False
    # Printed, the page is left out when this IssueReport attribute is false (an issue
    # without KPIs gets no KPI sheet: Sasebo's 04【教育】 has none in the document).
    printed_if: str = ""

    def printed_for(self, report) -> bool:
        return not self.printed_if or bool(getattr(report, self.printed_if))

    def title_for(self, plan) -> str:
        return self.title.format(**labels(plan))

    def tab_for(self, plan) -> str:
        return self.tab.format(**labels(plan))


@dataclass(frozen=True)
class Layout:
    key: str
    name: str  # shown in the admin and the workbook's 計画 sheet
    issue_pages: tuple[IssuePage, ...]
    overview_title: str  # the plan's tree: DX戦略の全体像 / 施策体系
    project_table_title: str  # the list of all projects: プロジェクト一覧（別冊）
    report_subtitle: str  # under the cover title: {short} = R7, {year} = 令和7年度, level names
    # How an issue is named: its code on charts and tabs, and its full heading.
    # Placeholders: {field} {number} {category} {title} {issue} (the plan's level name).
    issue_code: str = "{number:02d}【{category}】"
    issue_heading: str = "{field:02d}≪{field_name}≫ {number:02d}【{category}】{title}"
    # Pages of the whole report before the issues' pages (templates, in order).
    report_intro: tuple[str, ...] = ("reports/_overview_tree.html",)
    # Show the 2030年のめざす姿 of each field (Nagasaki's 生活・産業 … areas).
    vision_heading: str = ""

    def _issue_values(self, plan, issue) -> dict:
        return {
            **labels(plan),
            "field": issue.field.number,
            "field_name": issue.field.name,
            "number": issue.number,
            "category": issue.category,
            "title": issue.title,
        }

    def project_table_title_for(self, plan) -> str:
        return self.project_table_title.format(**labels(plan))

    def report_subtitle_for(self, plan) -> str:
        return self.report_subtitle.format(
            **labels(plan), short=plan.report_year_label_short, year=plan.report_year_label
        )

    def issue_code_for(self, plan, issue) -> str:
        return self.issue_code.format(**self._issue_values(plan, issue))

    def issue_heading_for(self, plan, issue) -> str:
        if issue.kind != "priority":  # 推進課題 / 3つのしかけ groups: their title only
            return issue.title
        return self.issue_heading.format(**self._issue_values(plan, issue))

    def page(self, slug: str) -> IssuePage | None:
        return next((p for p in self.issue_pages if p.slug == slug), None)

    @property
    def first_page(self) -> IssuePage:
        return self.issue_pages[0]

    @property
    def parts(self) -> frozenset:
        out = frozenset()
        for p in self.issue_pages:
            out |= p.parts
        return out


def labels(plan) -> dict:
    return {
        "field": plan.label_field,
        "issue": plan.label_issue,
        "challenge": plan.label_challenge,
        "step": plan.label_step,
        "project": plan.label_project,
        "kpi": plan.label_kpi,
        "activity": plan.label_activity,
    }


EXECUTION = Layout(
    key="execution",
    name="実行計画（重点課題ごとに 進捗状況・目標・KPI の3ページ）",
    issue_pages=(
        IssuePage(
            "progress",
            "reports/_progress.html",
            "重点課題の進捗状況",
            "{issue}の進捗状況",
            frozenset({"progress"}),
            show_as_of=True,
        ),
        IssuePage(
            "goals",
            "reports/_goals.html",
            "目標－進捗状況・評価",
            "目標－進捗状況・評価",
            frozenset({"goals"}),
            printed_if="has_goals",
        ),
        IssuePage(
            "kpis",
            "reports/_kpis.html",
            "重点課題 {kpi} の評価",
            "{kpi}の評価",
            frozenset({"kpis"}),
            printed_if="has_kpis",
        ),
    ),
    overview_title="DX戦略の全体像",
    project_table_title="{project}一覧（別冊）",
    report_subtitle="【{short}】{year} 進捗状況報告",
)

PROMOTION = Layout(
    key="promotion",
    name="推進計画（基本方針・基本施策ごとに1ページ、成果指標は基準値→目標値）",
    issue_pages=(
        IssuePage(
            "sheet",
            "reports/_measure_sheet.html",
            "{issue}のページ",
            "{issue}のページ",
            frozenset({"progress", "goals", "kpis"}),
        ),
    ),
    overview_title="施策体系",
    project_table_title="{project}一覧",
    report_subtitle="{field}・{issue}（{year}）",
    issue_code="{field}-{number} {category}",
    issue_heading="{issue}{field}-{number} {title}",
    report_intro=("reports/_vision.html", "reports/_overview_tree.html"),
    vision_heading="2030年のめざす姿",
)

LAYOUTS = {layout.key: layout for layout in (EXECUTION, PROMOTION)}
DEFAULT = EXECUTION.key


def choices() -> list[tuple[str, str]]:
    return [(layout.key, layout.name) for layout in LAYOUTS.values()]


def of(plan) -> Layout:
    return LAYOUTS.get(plan.layout, LAYOUTS[DEFAULT])
