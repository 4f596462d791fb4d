"""Fixtures of the locking and concurrency tests: bob edits for 観光商工部, which owns 観光1-1-6."""

import pytest

from kpis.models import IndicatorValue
from strategy.models import Department
from tests.conftest import make_user

YEAR = 2024  # R6: planned values exist, actuals not yet entered


@pytest.fixture
def bob(sasebo):
    kanko = Department.objects.get(municipality=sasebo.municipality, name="観光商工部")
    return make_user("bob", "部局編集者", department=kanko)


@pytest.fixture
def own_value(sasebo):
    return IndicatorValue.objects.get(indicator__project__pid="観光1-1-6", fiscal_year=YEAR)
