"""Small builders for unit tests: a complete little plan in a few lines."""

import datetime as dt
import itertools
from decimal import Decimal

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

_seq = itertools.count(1)


def municipality(**kw) -> Municipality:
    n = next(_seq)
    return Municipality.objects.create(
        **{"code": f"{990000 + n:06d}", "name": f"テスト市{n}", **kw}
    )


def plan(**kw) -> Plan:
    muni = kw.pop("municipality", None) or municipality()
    n = next(_seq)
    defaults = dict(
        slug=f"test-plan-{n}",
        title=f"テスト計画{n}",
        baseline_year=2021,
        start_year=2022,
        end_year=2027,
        report_year=2025,
        planned_as_of=dt.date(2023, 4, 1),
        actual_as_of=dt.date(2024, 3, 1),
        status=Plan.Status.PUBLISHED,
    )
    defaults.update(kw)
    return Plan.objects.create(municipality=muni, **defaults)


def department(plan_: Plan, name: str = "観光商工部") -> Department:
    return Department.objects.get_or_create(municipality=plan_.municipality, name=name)[0]


def issue(
    plan_: Plan, number: int = 1, category: str = "観光", field_number: int = 1
) -> PriorityIssue:
    field, _ = Field.objects.get_or_create(
        plan=plan_, number=field_number, defaults={"name": "まちづくり"}
    )
    return PriorityIssue.objects.create(
        plan=plan_, field=field, number=number, category=category, title=f"{category}の重点課題"
    )


def challenge(issue_: PriorityIssue, number: int = 1) -> Challenge:
    return Challenge.objects.create(
        issue=issue_,
        number=number,
        title=f"課題{number}",
        target_title="到達像",
        target_text="■到達像の本文",
    )


def step(challenge_: Challenge, code: str = "1-1") -> Step:
    return Step.objects.create(challenge=challenge_, code=code, title=f"ステップ{code}")


def project(
    issue_: PriorityIssue, pid: str, *, steps=(), dept: Department | None = None, **kw
) -> Project:
    p = Project.objects.create(
        plan=issue_.plan,
        issue=issue_,
        pid=pid,
        name=kw.pop("name", f"プロジェクト{pid}"),
        department=dept,
        **kw,
    )
    p.steps.set(steps)
    return p


def kpi(challenge_: Challenge, name: str = "KPI", **kw) -> Indicator:
    return Indicator.objects.create(kind=Indicator.Kind.KPI, challenge=challenge_, name=name, **kw)


def activity(project_: Project, name: str = "活動指標", **kw) -> Indicator:
    return Indicator.objects.create(kind=Indicator.Kind.ACTIVITY, project=project_, name=name, **kw)


def value(
    indicator: Indicator, year: int, planned=None, actual=None, planned_mark="", actual_mark=""
):
    return IndicatorValue.objects.create(
        indicator=indicator,
        fiscal_year=year,
        planned_number=None if planned is None else Decimal(str(planned)),
        actual_number=None if actual is None else Decimal(str(actual)),
        planned_mark=planned_mark,
        actual_mark=actual_mark,
    )


def full_plan(**kw) -> Plan:
    """One issue with a challenge, two steps, a project with phases and values, a KPI, texts."""
    p = plan(**kw)
    dept = department(p)
    iss = issue(p)
    iss.department = dept
    iss.save()
    IssueYearText.objects.create(
        issue=iss, fiscal_year=2025, goal_summary="総括", business_summary="事業総括"
    )
    ch = challenge(iss)
    ChallengeGoal.objects.create(challenge=ch, fiscal_year=2025, text="目標の本文")
    s1, s2 = step(ch, "1-1"), step(ch, "1-2")
    pr = project(iss, "観光1-1-1", steps=[s1, s2], dept=dept, is_leading=True)
    for year, phase in [(2022, "build"), (2023, "operate"), (2024, "operate")]:
        ProjectPhase.objects.create(project=pr, fiscal_year=year, phase=phase)
    act = activity(pr, "整備件数", unit="件")
    value(act, 2023, planned=1, actual=1)
    value(act, 2024, planned=2)
    k = kpi(ch, "データ活用件数", unit="件", formula="事業提案数")
    value(k, 2023, planned=5, actual=7)
    value(k, 2024, planned=6)
    IndicatorEvaluation.objects.create(indicator=k, fiscal_year=2025, text="順調")
    from django.contrib.auth.models import User

    from kpis.models import ConfirmedYear
    from strategy.models import StaffMember

    member = User.objects.create_user(f"member-{p.slug}", password="pw-for-tests-only")
    StaffMember.objects.create(user=member, department=dept)
    ConfirmedYear.objects.create(plan=p, fiscal_year=2021, confirmed_by=member)
    return p
