import pytest

from projects.models import Project
from strategy.models import Step
from strategy.naturalsort import natural_key
from tests import builders


def test_it_sorts_codes_naturally():
    codes = ["1-10", "3-a-2", "1-2", "3-1", "2-b-1/2", "3-2", "2-1", "1-1"]
    assert sorted(codes, key=natural_key) == [
        "1-1",
        "1-2",
        "1-10",
        "2-1",
        "2-b-1/2",
        "3-1",
        "3-2",
        "3-a-2",
    ]


def test_it_sorts_pids_naturally():
    pids = ["観光1-1-10", "観光1-1-4", "観光3-a-2-1", "観光1-2-1"]
    assert sorted(pids, key=natural_key) == ["観光1-1-4", "観光1-1-10", "観光1-2-1", "観光3-a-2-1"]


@pytest.mark.django_db
def test_it_orders_steps_and_projects_in_the_database():
    plan = builders.plan()
    issue = builders.issue(plan)
    ch = builders.challenge(issue)
    for code in ["1-10", "3-a-2", "1-2", "3-1"]:
        builders.step(ch, code)
    assert list(Step.objects.filter(challenge=ch).values_list("code", flat=True)) == [
        "1-2",
        "1-10",
        "3-1",
        "3-a-2",
    ]
    for pid in ["観光1-1-10", "観光1-1-4", "観光1-1-5"]:
        builders.project(issue, pid)
    assert list(Project.objects.filter(plan=plan).values_list("pid", flat=True)) == [
        "観光1-1-4",
        "観光1-1-5",
        "観光1-1-10",
    ]
