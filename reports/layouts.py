"""Document layouts: how a plan's pages are cut and worded, one registry entry per shape.

A plan names its layout (``Plan.layout``). Everything that differs between document shapes
— which pages each priority issue (DX重点課題 / 基本施策) gets, their templates and titles, the
wording of the overview and the report — is read from the plan's entry here, so a third city's
document is one more ``Layout`` (plus its templates), not edits across views and URLs.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IssuePage:
    """One page of a priority issue: URL slug, template, title and what data it needs."""

    slug: str
    template: str  # included once per issue by the page and by the whole report
    title: str  # may use {issue}, {kpi}, {challenge}, {step}: the plan's level names
    tab: str  # the tab's shorter label (same placeholders)
    parts: frozenset = frozenset()  # subsets of reports.pages.PARTS the page needs
    show_as_of: bool = False

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
    report_subtitle: str  # under the cover title, {year} = 令和7年度
    # Show the 2030年のめざす姿 of each field (Nagasaki's 生活・産業 … areas) on the overview.
    vision_heading: str = ""
    notes: dict = field(default_factory=dict)

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
        ),
        IssuePage(
            "kpis",
            "reports/_kpis.html",
            "重点課題 {kpi} の評価",
            "{kpi}の評価",
            frozenset({"kpis"}),
        ),
    ),
    overview_title="DX戦略の全体像",
    report_subtitle="【{short}】{year} 進捗状況報告",
)

PROMOTION = Layout(
    key="promotion",
    name="推進計画（基本方針・基本施策ごとに1ページ、成果指標は基準値→目標値）",
    issue_pages=(
        IssuePage(
            "sheet",
            "reports/_measure_sheet.html",
            "{issue}",
            "{issue}",
            frozenset({"progress", "goals", "kpis"}),
        ),
    ),
    overview_title="施策体系",
    report_subtitle="基本方針・基本施策（{year}時点）",
    vision_heading="2030年のめざす姿",
)

LAYOUTS = {layout.key: layout for layout in (EXECUTION, PROMOTION)}
DEFAULT = EXECUTION.key


def choices() -> list[tuple[str, str]]:
    return [(layout.key, layout.name) for layout in LAYOUTS.values()]


def of(plan) -> Layout:
    return LAYOUTS.get(plan.layout, LAYOUTS[DEFAULT])
