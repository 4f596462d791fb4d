"""The plan overview (DX戦略の全体像 / 施策体系): the plan's tree with counts, in eight queries.

分野/基本方針 → 重点課題/基本施策 → 課題 → ステップ, each with how many projects and indicators
hang below it, for the overview page and the whole report's opening pages. Fields and issues
are model instances (a few dozen); challenges and steps plain rows (reports/rows.py).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse

from kpis.models import Indicator
from projects.models import Project
from reports.rows import ChallengeInfo, StepInfo
from strategy.models import Challenge, Field, Plan, PriorityIssue, Step


@dataclass
class StepNode:
    step: StepInfo
    projects: int = 0


@dataclass
class ChallengeNode:
    challenge: ChallengeInfo
    steps: list[StepNode] = field(default_factory=list)
    kpis: int = 0


@dataclass
class IssueNode:
    issue: PriorityIssue
    challenges: list[ChallengeNode] = field(default_factory=list)
    projects: int = 0
    activities: int = 0
    links: list[tuple[str, str]] = field(default_factory=list)  # (address, tab) per page

    @property
    def kpis(self) -> int:
        return sum(c.kpis for c in self.challenges)


@dataclass
class FieldNode:
    field: Field
    issues: list[IssueNode] = field(default_factory=list)

    @property
    def has_vision(self) -> bool:
        f = self.field
        return bool(f.area_name or f.vision_title or f.vision_text or f.keywords)


def page_links(plan: Plan):
    """``links(code)``: the address and tab of each page of the issue ``code``, in the
    layout's order. Each page is reversed once and the code put in its place (codes are
    「1-01」「2-12」: nothing to quote), not reversed again for every issue."""
    from reports import layouts

    pages = [
        (reverse("reports:issue-page", args=[plan.slug, "!code!", page.slug]), page.tab_for(plan))
        for page in layouts.of(plan).issue_pages
    ]

    def links(code: str) -> list[tuple[str, str]]:
        return [(url.replace("!code!", code), tab) for url, tab in pages]

    return links


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def areas(plan: Plan) -> list[FieldNode]:
    """The fields that carry a めざす姿 (Nagasaki's 生活・産業・人材・交流・行政), for banners."""
    nodes = [FieldNode(f) for f in Field.objects.filter(plan=plan).order_by("number")]
    return [node for node in nodes if node.has_vision]


def plan_overview(plan: Plan) -> dict:
    fields = [FieldNode(f) for f in Field.objects.filter(plan=plan).order_by("number")]
    by_field = {node.field.pk: node for node in fields}
    issues: dict[int, IssueNode] = {}
    links = page_links(plan)
    for issue in (
        PriorityIssue.objects.filter(plan=plan)
        .select_related("field")
        .order_by("field__number", "kind", "number")
    ):
        issues[issue.pk] = IssueNode(issue)
        if issue.kind == PriorityIssue.Kind.PRIORITY:
            issues[issue.pk].links = links(issue.code)
        by_field[issue.field_id].issues.append(issues[issue.pk])
    challenges: dict[int, ChallengeNode] = {}
    for row in (
        Challenge.objects.filter(issue__plan=plan)
        .order_by("issue_id", "number")
        .values_list("pk", "issue_id", "number", "title", "target_title", "target_text")
    ):
        node = challenges[row[0]] = ChallengeNode(ChallengeInfo(*row))
        issues[node.challenge.issue_id].challenges.append(node)
    step_projects = Counter(
        dict(
            Project.steps.through.objects.filter(step__challenge__issue__plan=plan)
            .values("step_id")
            .annotate(n=Count("project_id"))
            .values_list("step_id", "n")
        )
    )
    for pk, challenge_id, code, title in (
        Step.objects.filter(challenge__issue__plan=plan)
        .order_by("challenge_id", "sort_key", "pk")
        .values_list("pk", "challenge_id", "code", "title")
    ):
        step = StepNode(StepInfo(pk, code, title), step_projects[pk])
        challenges[challenge_id].steps.append(step)
    for issue_id, n in (
        Project.objects.filter(plan=plan)
        .values("issue_id")
        .annotate(n=Count("id"))
        .values_list("issue_id", "n")
    ):
        issues[issue_id].projects = n
    for challenge_id, n in (
        Indicator.objects.filter(kind=Indicator.Kind.KPI, challenge__issue__plan=plan)
        .values("challenge_id")
        .annotate(n=Count("id"))
        .values_list("challenge_id", "n")
    ):
        challenges[challenge_id].kpis = n
    activities = defaultdict(int)
    for issue_id, n in (
        Indicator.objects.filter(kind=Indicator.Kind.ACTIVITY, project__plan=plan)
        .values("project__issue_id")
        .annotate(n=Count("id"))
        .values_list("project__issue_id", "n")
    ):
        activities[issue_id] = n
    for issue_id, node in issues.items():
        node.activities = activities[issue_id]
    totals = {
        "fields": len(fields),
        "issues": sum(1 for i in issues.values() if i.issue.kind == PriorityIssue.Kind.PRIORITY),
        "challenges": len(challenges),
        "steps": sum(len(c.steps) for c in challenges.values()),
        "projects": sum(i.projects for i in issues.values()),
        "kpis": sum(c.kpis for c in challenges.values()),
        "activities": sum(activities.values()),
    }
    return {
        "tree": fields,
        "totals": totals,
        "areas": [node for node in fields if node.has_vision],
        "introduction": _lines(plan.introduction),
    }
