"""load_demo: idempotent, validates before writing, derives each issue's 主管部局."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from interchange.demo import PlanFixtureError, plan_load_yaml
from kpis.models import Indicator, IndicatorValue
from projects.models import Project
from strategy.models import Plan, PriorityIssue

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Plan.objects.count(),
        Project.objects.count(),
        Indicator.objects.count(),
        IndicatorValue.objects.count(),
        sorted(
            IndicatorValue.objects.values_list(
                "indicator__name",
                "fiscal_year",
                "planned_number",
                "actual_number",
                "planned_mark",
                "actual_mark",
            )
        ),
    )


def test_it_loads_twice_to_the_same_data(sasebo, nagasaki):
    before = _counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert _counts() == before
    assert out.getvalue().count("（変更 0 件）") == 2


def test_a_second_load_writes_no_history_rows(sasebo, nagasaki):
    from django.apps import apps

    def history_rows():
        return {
            m._meta.label: m.objects.count()
            for m in apps.get_models()
            if m.__name__.startswith("Historical")
        }

    before = history_rows()
    call_command("load_demo", stdout=StringIO())
    assert history_rows() == before


def test_it_gives_each_issue_the_department_leading_most_of_its_projects(sasebo):
    # 観光: every project 観光商工部 (000:2836ff); 窓口: 6 of 9 行政経営改革部
    kanko = PriorityIssue.objects.get(plan=sasebo, category="観光")
    madoguchi = PriorityIssue.objects.get(plan=sasebo, category="窓口")
    assert kanko.department.name == "観光商工部"
    assert madoguchi.department.name == "行政経営改革部"


def test_it_reports_every_problem_and_writes_nothing(tmp_path: Path, sasebo):
    (tmp_path / "issues").mkdir()
    (tmp_path / "plan.yaml").write_text(
        """
municipality: {code: "422029", name: 佐世保市}
plan: {slug: sasebo-r7, title: 壊れた計画, baseline_year: R3, start_year: R4, end_year: R9,
       report_year: R7, status: published}
departments: [観光商工部]
fields: [{number: 1, name: まちづくり}]
""",
        encoding="utf-8",
    )
    (tmp_path / "issues" / "1.yaml").write_text(
        """
field: 1
number: 1
category: 観光
title: t
challenges:
  - number: 1
    title: c
    steps: [{code: 1-1, title: s}]
    kpis:
      - name: k
        planned: {R3: "たくさん", R12: "1"}
projects:
  - {pid: P1, name: n, department: 農林水産部, steps: [9-9], phases: {R4: "★"}}
  - {pid: P1, name: dup}
""",
        encoding="utf-8",
    )
    projects_before = Project.objects.filter(plan=sasebo).count()
    with pytest.raises(PlanFixtureError) as exc:
        plan_load_yaml(tmp_path)
    text = "\n".join(exc.value.errors)
    for expected in ("たくさん", "R12", "農林水産部", "9-9", "★", "PID が"):
        assert expected in text, expected
    assert all(e.startswith("1.yaml") for e in exc.value.errors)
    assert Plan.objects.get(slug="sasebo-r7").title != "壊れた計画"
    assert Project.objects.filter(plan=sasebo).count() == projects_before


def test_it_fails_the_command_with_the_messages(tmp_path: Path):
    with pytest.raises(CommandError, match="plan.yaml"):
        call_command("load_demo", "--dir", str(tmp_path), verbosity=0)
