"""Integrity rules are enforced by the database, not only by forms."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from kpis.models import Indicator, IndicatorValue
from projects.models import Project, ProjectPhase
from strategy.models import Step
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def owners():
    plan = builders.plan()
    issue = builders.issue(plan)
    ch = builders.challenge(issue)
    pr = builders.project(issue, "観光1-1-1")
    return ch, pr


def _refused(**kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(name="x", **kwargs)


def test_it_refuses_a_kpi_with_both_owners(owners):
    ch, pr = owners
    _refused(kind="kpi", challenge=ch, project=pr)


def test_it_refuses_a_kpi_with_neither_owner():
    _refused(kind="kpi")


def test_it_refuses_an_activity_indicator_on_a_challenge(owners):
    ch, _ = owners
    _refused(kind="activity", challenge=ch)


def test_it_refuses_an_activity_indicator_with_both_owners(owners):
    ch, pr = owners
    _refused(kind="activity", challenge=ch, project=pr)


def test_it_accepts_one_owner_each(owners):
    ch, pr = owners
    Indicator.objects.create(kind="kpi", challenge=ch, name="k")
    Indicator.objects.create(kind="activity", project=pr, name="a")
    assert Indicator.objects.filter(name__in=["k", "a"]).count() == 2


def test_it_refuses_a_number_and_a_mark_in_one_cell(owners):
    ch, _ = owners
    k = builders.kpi(ch)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(
            indicator=k, fiscal_year=2023, planned_number=Decimal(1), planned_mark="－"
        )


def test_it_refuses_a_mark_outside_the_list(owners):
    ch, _ = owners
    k = builders.kpi(ch)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=k, fiscal_year=2023, actual_mark="たぶん")
    assert not IndicatorValue.objects.filter(indicator=k).exists()


def test_it_keeps_one_value_row_per_year(owners):
    ch, _ = owners
    k = builders.kpi(ch)
    builders.value(k, 2023, planned=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        builders.value(k, 2023, planned=2)


def test_it_keeps_pids_unique_within_a_plan_but_not_across_plans(owners):
    _, pr = owners
    with pytest.raises(IntegrityError), transaction.atomic():
        builders.project(pr.issue, pr.pid)
    other_issue = builders.issue(builders.plan())
    assert builders.project(other_issue, pr.pid).pid == pr.pid
    assert Project.objects.filter(pid=pr.pid).count() == 2


def test_it_keeps_step_codes_unique_in_a_challenge(owners):
    ch, _ = owners
    builders.step(ch, "1-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Step.objects.create(challenge=ch, code="1-1", title="dup")


def test_it_keeps_one_phase_per_project_and_year(owners):
    _, pr = owners
    ProjectPhase.objects.create(project=pr, fiscal_year=2023, phase="build")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectPhase.objects.create(project=pr, fiscal_year=2023, phase="operate")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectPhase.objects.create(project=pr, fiscal_year=2024, phase="unknown")


def test_it_refuses_plan_years_out_of_order():
    with pytest.raises(IntegrityError), transaction.atomic():
        builders.plan(start_year=2027, end_year=2022)
    with pytest.raises(IntegrityError), transaction.atomic():
        builders.plan(report_year=2030)
