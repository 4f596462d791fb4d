"""Report pages read from a read replica (dxplan/routers.py, dxplan/middleware.py).

The router's rules are tested everywhere. The pages themselves are tested against a real
PostgreSQL hot standby when ``DATABASE_REPLICA_URL`` names one (.ci/run starts a primary and
a streaming replica made with ``pg_basebackup -R`` for this file). The alias mirrors
"default" in tests (dxplan/settings.py): no test database is made on the standby, whose
copy of the test database arrives by replication. Without a replica the page tests are
skipped — except under CI=true on PostgreSQL, where they fail: CI must run them.

What proves the reads went to the replica: the standby says it is one
(``pg_is_in_recovery()``), every query of an anonymous page runs on the replica's connection
and none on the primary's, and with the standby's replay paused a change committed on the
primary is not on the page until replay resumes — while signed-in staff, who read the
primary, see it at once.
"""

import datetime as dt
import os
import time

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from dxplan import routers
from interchange.models import PendingUpload
from reports import layouts, pagecache
from strategy.models import Department, Plan
from tests import builders

REPLICA = routers.REPLICA
CONFIGURED = REPLICA in settings.DATABASES
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DATABASES = ["default", REPLICA] if CONFIGURED else ["default"]
CATCH_UP_S = 30


# --- the router's rules (no replica needed) ---------------------------------------------


@pytest.fixture
def router(monkeypatch):
    monkeypatch.setattr("dxplan.routers.replica_configured", lambda: True)
    return routers.ReplicaRouter()


def test_reads_go_to_the_replica_only_while_a_report_page_is_served(router):
    assert router.db_for_read(Plan) is None
    with routers.replica_reads():
        assert router.db_for_read(Plan) == REPLICA
    assert router.db_for_read(Plan) is None


@pytest.mark.django_db
def test_reads_in_a_transaction_and_of_sign_ins_and_uploads_stay_on_the_primary(router):
    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session

    with routers.replica_reads():
        for model in (PendingUpload, Session, User):
            assert router.db_for_read(model) == "default", model
        # every test runs inside an atomic block on the primary: so do its reads
        assert connections["default"].in_atomic_block
        assert router.db_for_read(Plan) == "default"


def test_writes_and_migrations_go_to_the_primary_only(router):
    with routers.replica_reads():
        assert router.db_for_write(Plan) == "default"
    assert router.allow_migrate("default", "strategy") is True
    assert router.allow_migrate(REPLICA, "strategy") is False


def test_without_a_replica_everything_reads_the_primary(monkeypatch):
    monkeypatch.setattr("dxplan.routers.replica_configured", lambda: False)
    with routers.replica_reads():
        assert routers.ReplicaRouter().db_for_read(Plan) is None


# --- the pages, from a real standby --------------------------------------------------------


@pytest.fixture
def replica():
    if not ON_POSTGRES:
        pytest.skip("a streaming replica needs PostgreSQL (DATABASE_URL)")
    if not CONFIGURED:
        reason = "no read replica: DATABASE_REPLICA_URL is not set"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason} (.ci/run starts one)", pytrace=False)
        pytest.skip(reason)
    return connections[REPLICA]


def _one(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _caught_up() -> None:
    """Wait until the standby has replayed everything the primary has committed."""
    lsn = _one("default", "SELECT pg_current_wal_insert_lsn()::text")
    deadline = time.monotonic() + CATCH_UP_S
    while not _one(REPLICA, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


class Queries:
    """The queries each connection runs inside the block."""

    def __init__(self):
        self.by_alias: dict[str, list[str]] = {"default": [], REPLICA: []}

    def __enter__(self):
        self._contexts = []
        for alias, log in self.by_alias.items():

            def wrapper(execute, sql, params, many, context, log=log):
                log.append(sql)
                return execute(sql, params, many, context)

            ctx = connections[alias].execute_wrapper(wrapper)
            ctx.__enter__()
            self._contexts.append(ctx)
        return self

    def __exit__(self, *exc):
        for ctx in reversed(self._contexts):
            ctx.__exit__(*exc)


def _pages(plan) -> dict[str, str]:
    code = plan.issues.order_by("pk").first().code
    department = Department.objects.filter(municipality=plan.municipality).order_by("pk")[0]
    return {
        "list": reverse("reports:plan-list"),
        "dashboard": reverse("reports:plan-dashboard", args=[plan.slug]),
        "overview": reverse("reports:plan-overview", args=[plan.slug]),
        "projects": reverse("reports:project-table", args=[plan.slug]),
        "report": reverse("reports:report", args=[plan.slug]),
        "compare": reverse("reports:plan-compare", args=[plan.slug]),
        "warnings": reverse("reports:plan-warnings", args=[plan.slug]),
        "department": reverse("reports:department", args=[plan.slug, department.pk]),
        "issue": reverse(
            "reports:issue-page", args=[plan.slug, code, layouts.of(plan).first_page.slug]
        ),
        "pdf": reverse("reports:report-pdf", args=[plan.slug]),
    }


def _staff() -> Client:
    """A signed-in reader (a superuser: the roles' groups, made by a migration, are gone
    after a transactional test's flush)."""
    from django.contrib.auth.models import User

    client = Client()
    client.force_login(User.objects.create_superuser("super", password="pw-for-tests-only"))
    return client


@pytest.fixture
def plan():
    return builders.full_plan(slug=f"replica-{dt.datetime.now():%H%M%S%f}")


@pytest.fixture
def fake_browser(monkeypatch, settings, tmp_path):
    settings.DXPLAN_PDF_STORE = True
    settings.DXPLAN_PDF_DIR = str(tmp_path / "pdf")
    monkeypatch.setattr("reports.pdf.html_to_pdf", lambda html, **kw: b"%PDF-1.7 replica")


@pytest.mark.django_db(transaction=True, databases=DATABASES)
def test_the_replica_is_a_standby_of_the_primary(replica):
    assert _one(REPLICA, "SELECT pg_is_in_recovery()") is True
    assert _one("default", "SELECT pg_is_in_recovery()") is False
    assert _one(REPLICA, "SELECT current_database()") == _one(
        "default", "SELECT current_database()"
    )


@pytest.mark.django_db(transaction=True, databases=DATABASES)
def test_anonymous_report_pages_read_only_the_replica(replica, plan, fake_browser):
    _caught_up()
    client = Client()
    for name, url in _pages(plan).items():
        with Queries() as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        assert queries.by_alias[REPLICA], (name, "no query on the replica")
        assert queries.by_alias["default"] == [], (name, queries.by_alias["default"])


@pytest.mark.django_db(transaction=True, databases=DATABASES)
def test_signed_in_staff_read_the_primary(replica, plan):
    staff = _staff()
    with Queries() as queries:
        response = staff.get(reverse("reports:plan-dashboard", args=[plan.slug]))
    assert response.status_code == 200
    assert queries.by_alias[REPLICA] == []
    assert queries.by_alias["default"]


@pytest.mark.django_db(transaction=True, databases=DATABASES)
def test_a_change_reaches_the_anonymous_page_when_the_replica_replays_it(
    replica, plan, settings, tmp_path
):
    """With the page cache on: its revision query reads the replica too, so the old page is
    kept under the old revision and the replayed change makes a new key, never the old data
    under the new revision."""
    settings.DXPLAN_PAGE_CACHE = True
    if "filebased" in settings.CACHES["default"]["BACKEND"]:
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": str(tmp_path / "cache")}
        }
    pagecache.clear()
    url = reverse("reports:plan-dashboard", args=[plan.slug])
    old_title, new_title = plan.title, "レプリカ経由で届いた計画名"
    staff = _staff()
    anonymous = Client()
    _caught_up()
    assert old_title in anonymous.get(url).content.decode()
    _one(REPLICA, "SELECT pg_wal_replay_pause()::text")
    try:
        with transaction.atomic():
            plan.title = new_title
            plan.save()  # advances the revision in the same transaction
        for _ in range(2):  # a miss, then the page kept under the old revision
            page = anonymous.get(url).content.decode()
            assert old_title in page and new_title not in page
        assert new_title in staff.get(url).content.decode()  # the primary has it
    finally:
        _one(REPLICA, "SELECT pg_wal_replay_resume()::text")
    _caught_up()
    response = anonymous.get(url)
    assert new_title in response.content.decode(), (
        response.get(pagecache.HEADER),
        _one(REPLICA, "SELECT revision::text || title FROM strategy_plan WHERE id = %s", [plan.pk]),
        _one(
            "default", "SELECT revision::text || title FROM strategy_plan WHERE id = %s", [plan.pk]
        ),
        _one(REPLICA, "SELECT pg_get_wal_replay_pause_state()"),
    )
    assert response[pagecache.HEADER] == "miss"
    pagecache.clear()
