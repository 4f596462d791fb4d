"""The benchmark's data generator, small: every page costs the same queries at 1× and 5×."""

import pytest
from django.test import Client

from bench.generate import build_plan
from bench.run import PAGE_KINDS, count_queries, page_urls
from kpis.models import Indicator

pytestmark = pytest.mark.django_db


def test_the_generator_builds_a_sasebo_shaped_plan():
    plan = build_plan(1, slug="gen-x1")
    assert plan.issues.count() == 12
    assert plan.projects.count() == 108
    assert Indicator.objects.of_plan(plan).filter(kind="kpi").count() == 60
    assert plan.projects.filter(is_leading=True).count() == 12


def test_query_counts_per_page_are_equal_at_scale_1_and_5():
    client = Client()
    small = page_urls(build_plan(1, slug="gen-x1"))
    large = page_urls(build_plan(5, slug="gen-x5"))
    assert list(small) == PAGE_KINDS
    for kind in PAGE_KINDS:
        status_small, queries_small = count_queries(client, small[kind])
        status_large, queries_large = count_queries(client, large[kind])
        assert status_small == status_large == 200
        assert queries_small == queries_large, kind
