"""Synthetic plans shaped like Sasebo's R7 plan, scaled up, for benchmarks and scale tests.

Shape per priority issue (as in the real plan on average): 3 challenges, 2 steps each,
9 projects (one on two steps, one leading), each with one activity indicator; 4 KPIs; values
R3–R9 (actuals up to R5), phases R4–R9, the R7 texts. ``scale`` multiplies the number of
priority issues (12 at scale 1), so everything grows together.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from kpis.models import Indicator, IndicatorEvaluation, IndicatorValue
from projects.models import Project, ProjectPhase
from strategy.models import (
    Challenge,
    ChallengeGoal,
    Department,
    Field,
    IssueYearText,
    Municipality,
    Plan,
    PriorityIssue,
    Step,
)
from strategy.naturalsort import natural_key

YEARS = list(range(2021, 2028))
PHASES = ["build", "operate", "operate", "operate", "operate", "operate"]


@transaction.atomic
def build_plan(scale: int = 1, *, slug: str | None = None, issues_per_scale: int = 12) -> Plan:
    slug = slug or f"synthetic-x{scale}"
    Plan.objects.filter(slug=slug).delete()
    muni, _ = Municipality.objects.get_or_create(code="999991", defaults={"name": "ベンチ市"})
    departments = [
        Department.objects.get_or_create(municipality=muni, name=f"第{n}部")[0]
        for n in range(1, 13)
    ]
    plan = Plan.objects.create(
        municipality=muni,
        slug=slug,
        title=f"合成計画 ×{scale}",
        baseline_year=2021,
        start_year=2022,
        end_year=2027,
        report_year=2025,
        planned_as_of=dt.date(2023, 4, 1),
        actual_as_of=dt.date(2024, 3, 1),
        status=Plan.Status.PUBLISHED,
    )
    fields = [
        Field.objects.create(plan=plan, number=1, name="まちづくり"),
        Field.objects.create(plan=plan, number=2, name="行政経営"),
    ]
    n_issues = scale * issues_per_scale
    issues = PriorityIssue.objects.bulk_create(
        PriorityIssue(
            plan=plan,
            field=fields[i % 2],
            number=i // 2 + 1,
            category=f"分類{i + 1}",
            title=f"重点課題{i + 1}のタイトル",
            department=departments[i % len(departments)],
        )
        for i in range(n_issues)
    )
    IssueYearText.objects.bulk_create(
        IssueYearText(
            issue=i,
            fiscal_year=2025,
            goal_summary="目標（総括）の文章。" * 5,
            business_summary="事業総括の文章。" * 5,
        )
        for i in issues
    )
    challenges = Challenge.objects.bulk_create(
        Challenge(
            issue=i,
            number=c,
            title=f"課題{c}",
            target_title=f"到達像{c}",
            target_text="■到達像の本文。\n■二つ目。",
        )
        for i in issues
        for c in (1, 2, 3)
    )
    ChallengeGoal.objects.bulk_create(
        ChallengeGoal(challenge=c, fiscal_year=2025, text="目標の文章。" * 4) for c in challenges
    )
    steps = Step.objects.bulk_create(
        Step(challenge=c, code=code, title=f"ステップ{code}", sort_key=natural_key(code))
        for c in challenges
        for code in (f"{c.number}-1", f"{c.number}-2")
    )
    steps_by_issue: dict[int, list[Step]] = {}
    for s in steps:
        steps_by_issue.setdefault(s.challenge.issue_id, []).append(s)
    projects = []
    for idx, issue in enumerate(issues):
        for p in range(9):
            pid = f"合{idx + 1}-{p // 3 + 1}-{p + 1}"
            projects.append(
                Project(
                    plan=plan,
                    issue=issue,
                    pid=pid,
                    name=f"プロジェクト{pid}",
                    summary="概要の文章。" * 3,
                    department=issue.department,
                    is_leading=p == 0,
                    sort_key=natural_key(pid),
                )
            )
    projects = Project.objects.bulk_create(projects)
    through = Project.steps.through
    links = []
    for n, project in enumerate(projects):
        issue_steps = steps_by_issue[project.issue_id]
        links.append(
            through(project_id=project.pk, step_id=issue_steps[n % 9 % len(issue_steps)].pk)
        )
        if n % 9 == 8:
            links.append(through(project_id=project.pk, step_id=issue_steps[0].pk))
    through.objects.bulk_create(links, ignore_conflicts=True)
    ProjectPhase.objects.bulk_create(
        ProjectPhase(project=p, fiscal_year=2022 + k, phase=phase)
        for p in projects
        for k, phase in enumerate(PHASES)
    )
    indicators = Indicator.objects.bulk_create(
        [Indicator(kind="activity", project=p, name="整備件数", unit="件") for p in projects]
        + [
            Indicator(
                kind="kpi",
                challenge=c,
                name=f"KPI{k}",
                position=k - 1,
                unit="%" if k % 2 else "件",
                direction="lower" if k == 3 else "higher",
                formula="算出式の文章。" * 3,
            )
            for c in challenges
            for k in range(1, 3)
            if c.number != 3 or k == 1
        ]
    )
    values = []
    for n, ind in enumerate(indicators):
        for y in YEARS:
            planned = Decimal(10 + (y - 2021) * 2 + n % 5)
            actual = Decimal(int(planned) + (n % 3) - 1) if y <= 2023 else None
            values.append(
                IndicatorValue(
                    indicator=ind, fiscal_year=y, planned_number=planned, actual_number=actual
                )
            )
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    IndicatorEvaluation.objects.bulk_create(
        IndicatorEvaluation(indicator=i, fiscal_year=2025, text="進捗状況・評価の文章。")
        for i in indicators
        if i.kind == "kpi"
    )
    return plan
