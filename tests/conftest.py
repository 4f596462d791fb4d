"""Shared fixtures.

The demo plans (fixtures/) are loaded once per test session into the test database, outside
any test transaction, so acceptance tests read them without paying for a reload each time.
Tests that flush the database (live_server) are run last and reload on demand.
"""

import pytest
from django.core.management import call_command

from strategy.models import Plan

DEMO_SLUGS = ("sasebo-r7", "nagasaki-dx")


def _ensure_demo_loaded() -> None:
    if Plan.objects.filter(slug__in=DEMO_SLUGS).count() < len(DEMO_SLUGS):
        call_command("load_demo", verbosity=0)


@pytest.fixture(scope="session")
def demo_plans(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_demo_loaded()


@pytest.fixture
def sasebo(demo_plans, db) -> Plan:
    return Plan.objects.get(slug="sasebo-r7")


@pytest.fixture
def nagasaki(demo_plans, db) -> Plan:
    return Plan.objects.get(slug="nagasaki-dx")


def pytest_collection_modifyitems(items):
    """Run tests that flush the database (transactional, live_server) after all others, so
    the session's demo plans stay loaded for the acceptance tests."""

    def flushes(item) -> bool:
        marker = item.get_closest_marker("django_db")
        return bool(marker and marker.kwargs.get("transaction")) or "live_server" in getattr(
            item, "fixturenames", ()
        )

    items.sort(key=flushes)


# --- users of each role (as healthchecks' alice / bob / charlie) -------------------------


def make_user(username: str, group: str | None = None, department=None, municipality=None, **kw):
    """A staff user with a role (group) in a municipality (taken from the department when
    one is given). ``kw`` go to the user (is_superuser=True …)."""
    from django.contrib.auth.models import Group, User

    from strategy.models import StaffMember

    user = User.objects.create_user(username, password="pw-for-tests-only", is_staff=True, **kw)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if department is not None or municipality is not None:
        StaffMember.objects.create(
            user=user,
            department=department,
            municipality=municipality or department.municipality,
        )
    return user


@pytest.fixture
def dx_admin(sasebo):
    """alice: Sasebo's DX division administrator — may change all of Sasebo's data, confirm
    and reopen years."""
    return make_user("alice", "DX推進担当", municipality=sasebo.municipality)


@pytest.fixture
def viewer(sasebo):
    """charlie: a Sasebo department head who reads every page and changes nothing."""
    return make_user("charlie", "閲覧者", municipality=sasebo.municipality)


def pytest_terminal_summary(terminalreporter):
    """The generated access test says how many combinations it tried."""
    import sys

    matrix = sys.modules.get("tests.test_access_matrix")
    counts = getattr(matrix, "COUNTS", None)
    if counts:
        total = sum(counts.values())
        parts = ", ".join(f"{kind} {n:,}" for kind, n in sorted(counts.items()))
        terminalreporter.write_line(
            f"access matrix: {total:,} URL × role × state combinations tried ({parts})"
        )
