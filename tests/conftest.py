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


def make_user(username: str, group: str | None = None, department=None):
    from django.contrib.auth.models import Group, User

    from strategy.models import StaffMember

    user = User.objects.create_user(username, password="pw-for-tests-only", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if department is not None:
        StaffMember.objects.create(user=user, department=department)
    return user


@pytest.fixture
def dx_admin(db):
    """alice: DX division administrator — may change everything, confirm and reopen years."""
    return make_user("alice", "DX推進担当")


@pytest.fixture
def viewer(db):
    """charlie: a department head who reads every page and changes nothing."""
    return make_user("charlie", "閲覧者")
