"""Plan revisions (strategy/revision.py): every write path advances the plan it changes, in
the same transaction, once per atomic block; a write that fails or rolls back leaves the
revision as it was.

The admin part is generated from the admin registry, like tests/test_access_matrix.py: for
every registered model whose rows a plan page shows, a change, an add and a delete through
the admin, each checked on the plan's revision.
"""

import re
import time
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interchange.editions import edition_start
from interchange.services import PreviewOutdated, plan_import
from interchange.workbook.export import workbook_export
from kpis.locks import year_confirm, year_reopen
from kpis.models import ConfirmedYear, Indicator, IndicatorValue
from kpis.services import ActualsRejected, actuals_save, indicator_values_save
from projects.models import Project
from strategy import revision
from strategy.models import Department, Field, Plan, Step
from tests import builders
from tests.conftest import make_user
from tests.formdata import form_data
from tests.interchange.workbooks import open_workbook, save_workbook
from tests.test_access_matrix import _post_data, _probe_field

pytestmark = pytest.mark.django_db


def _revision(plan) -> int:
    return Plan.objects.values_list("revision", flat=True).get(pk=plan.pk)


def _advances_of(queries, plan) -> int:
    """The revision UPDATEs among ``queries`` that name ``plan``."""
    count = 0
    for query in queries:
        sql = query["sql"]
        ids = re.search(r'"id" IN \(([\d, ]+)\)', sql)
        if sql.startswith('UPDATE "strategy_plan" SET "revision"') and ids:
            count += plan.pk in {int(i) for i in ids.group(1).split(",")}
    return count


@contextmanager
def advanced(plan, times: int | None = None):
    """Assert that the block, run in an atomic block of its own as a request would be,
    advanced ``plan``'s revision (``times``: with that many UPDATEs)."""
    before = _revision(plan)
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        yield
    assert _revision(plan) > before, "the revision did not move"
    if times is not None:
        assert _advances_of(ctx.captured_queries, plan) == times, [
            q["sql"] for q in ctx.captured_queries if "revision" in q["sql"]
        ]


@contextmanager
def unchanged(*plans):
    before = [_revision(p) for p in plans]
    yield
    assert [_revision(p) for p in plans] == before


@pytest.fixture
def plan():
    return builders.full_plan()


# --- the mechanism ----------------------------------------------------------------------


def test_a_new_plan_starts_past_every_number_taken_before_it():
    started = time.time_ns() // 1000
    plan = builders.plan()  # even with an id a rolled-back plan had: never an old number
    assert _revision(plan) >= started


def test_many_writes_in_one_transaction_advance_once(plan):
    issue = plan.issues.get()
    with advanced(plan, times=1), transaction.atomic():
        for n in range(5):
            Field.objects.create(plan=plan, number=10 + n, name=f"分野{n}")
        issue.title = "変更"
        issue.save()


def test_a_write_that_rolls_back_leaves_the_revision(plan):
    field = plan.fields.get()
    with unchanged(plan), pytest.raises(RuntimeError), transaction.atomic():
        field.name = "取り消される変更"
        field.save()
        raise RuntimeError


def test_a_rolled_back_savepoint_does_not_hide_the_next_change(plan):
    field = plan.fields.get()
    with advanced(plan, times=2), transaction.atomic():
        try:
            with transaction.atomic():
                field.name = "取り消される"
                field.save()
                raise RuntimeError
        except RuntimeError:
            pass
        field.refresh_from_db()
        field.name = "残る"
        field.save()
    field.refresh_from_db()
    assert field.name == "残る"


def test_a_failing_insert_leaves_the_revision(plan):
    with unchanged(plan), pytest.raises(IntegrityError), transaction.atomic():
        Field.objects.create(plan=plan, number=1, name="番号の重複")


def test_the_revision_only_grows_even_when_a_stale_plan_object_is_saved(plan):
    stale = Plan.objects.get(pk=plan.pk)
    with advanced(plan):
        Field.objects.create(plan=plan, number=9, name="別の変更")
    moved = _revision(plan)
    assert stale.revision < moved
    stale.title = "古いオブジェクトからの保存"
    with advanced(plan, times=1):
        stale.save()
    assert _revision(plan) > moved


def test_a_row_moved_to_another_plan_advances_both(plan):
    other = builders.plan(municipality=plan.municipality)
    field = Field.objects.create(plan=plan, number=5, name="移る分野")
    with advanced(plan, times=1), advanced(other, times=1):
        field.plan = other
        field.save()


def test_a_department_advances_every_plan_of_its_municipality_only(plan):
    sibling = builders.plan(municipality=plan.municipality)
    elsewhere = builders.plan()
    department = Department.objects.get(municipality=plan.municipality, name="観光商工部")
    with advanced(plan, times=1), advanced(sibling, times=1), unchanged(elsewhere):
        department.name = "観光部"
        department.save()
    with advanced(plan):
        plan.municipality.name = "新しい市名"
        plan.municipality.save()


def test_steps_linked_and_unlinked_advance_the_plan(plan):
    project = plan.projects.get()
    step = Step.objects.filter(challenge__issue__plan=plan).first()
    with advanced(plan, times=1):
        project.steps.remove(step)
    with advanced(plan, times=1):
        step.projects.add(project)


def test_deleting_a_plan_advances_its_next_edition(plan):
    nxt = builders.plan(municipality=plan.municipality, previous_edition=plan)
    with advanced(nxt, times=1):
        plan.delete()


def _selects_to_delete(plan) -> int:
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        plan.delete()
    return sum(q["sql"].startswith("SELECT") for q in ctx.captured_queries)


def test_a_cascade_looks_nothing_up_per_deleted_row(plan):
    big = builders.full_plan()
    issue = big.issues.get()
    for n in range(10):
        project = builders.project(issue, f"観光9-9-{n}")
        builders.value(builders.activity(project, f"追加{n}"), 2024, planned=1)
    assert _selects_to_delete(big) == _selects_to_delete(plan)


def test_touch_advances_plans_written_without_signals(plan):
    with advanced(plan, times=1), transaction.atomic():
        Field.objects.filter(plan=plan).update(name="一括")
        revision.touch(plan.pk)
        revision.touch(plan.pk)  # once per block


def test_a_plan_of_another_municipality_is_left_alone(plan):
    other = builders.full_plan()
    with unchanged(other), advanced(plan):
        issue = plan.issues.get()
        issue.title = "変更"
        issue.save()


# --- the admin: change, add and delete of every model a plan page shows ----------------

SHOWN = sorted(
    (m for m in admin.site._registry if revision.scope(m) is not None),
    key=lambda m: m._meta.label_lower,
)
NO_FORM_WRITES = {"kpis.confirmedyear"}  # added and changed only by 確定 / 確定の解除


def _row(model, plan):
    return (
        model._base_manager.filter(model.ownership.municipality_q(plan.municipality_id))
        .order_by("pk")
        .first()
    )


def _change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def _errors(response) -> str:
    page = response.content.decode(errors="replace")
    start = page.find("errornote")
    return page[start - 200 : start + 2000] if start >= 0 else str(response.status_code)


@pytest.mark.parametrize("model", SHOWN, ids=lambda m: m._meta.label_lower)
def test_an_admin_change_advances_the_plan(admin_client, plan, model):
    label = model._meta.label_lower
    if label in NO_FORM_WRITES:
        pytest.skip("written only through 確定 / 確定の解除 (tested below)")
    obj = _row(model, plan)
    url = _change_url(obj)
    data = form_data(admin_client.get(url).content.decode())
    field, value = _probe_field(model, data, label)
    assert field, f"no field to change on {label}"
    with advanced(plan, times=1):
        response = admin_client.post(url, _post_data(data, {field: value}))
        assert response.status_code == 302, _errors(response)
    # a refused form writes nothing
    bad = _post_data(data, {next(iter(f for f in data if f.endswith("year")), field): "x" * 400})
    with unchanged(plan):
        response = admin_client.post(url, bad)
        assert response.status_code == 200


@pytest.mark.parametrize("model", SHOWN, ids=lambda m: m._meta.label_lower)
def test_an_admin_add_advances_the_plan(admin_client, plan, model):
    label = model._meta.label_lower
    if label in NO_FORM_WRITES:
        pytest.skip("written only through 確定 / 確定の解除 (tested below)")
    obj = _row(model, plan)
    data = form_data(admin_client.get(_change_url(obj)).content.decode())
    for key in data:
        if key.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS")):
            data[key] = ["0"]
    opts = model._meta
    try:
        with transaction.atomic():
            model._base_manager.get(pk=obj.pk).delete()  # its twin is added below
    except ProtectedError:
        for name in ("name", "code"):
            if name in data:
                data[name] = ["999999" if name == "code" else data[name][0] + "（新）"]
    if model is Plan:  # the plan itself was deleted: the new one starts its own numbers
        response = admin_client.post(reverse("admin:strategy_plan_add"), _post_data(data, {}))
        assert response.status_code == 302, _errors(response)
        assert _revision(Plan.objects.get(slug=data["slug"][0])) > 0
        return
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    watched = [] if label == "strategy.municipality" else [plan]  # a new town has no plans
    before = [_revision(p) for p in watched]
    response = admin_client.post(url, _post_data(data, {}))
    assert response.status_code == 302, _errors(response)
    assert all(_revision(p) > b for p, b in zip(watched, before, strict=True))


@pytest.mark.parametrize("model", SHOWN, ids=lambda m: m._meta.label_lower)
def test_an_admin_delete_advances_the_plan(admin_client, plan, model):
    if model in (Plan, revision.apps.get_model("strategy", "Municipality")):
        pytest.skip("a plan's own deletion: test_deleting_a_plan…; a town's is protected")
    obj = _row(model, plan)
    if model is Department:  # the department every row points at is protected: a spare one
        obj = builders.department(plan, "総務部")
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
    with advanced(plan, times=1):
        response = admin_client.post(url, {"post": "yes"})
        assert response.status_code == 302, _errors(response)
    assert not model._base_manager.filter(pk=obj.pk).exists()


def test_an_admin_history_revert_advances_the_plan(admin_client, plan):
    project = plan.projects.get()
    first = project.history.order_by("history_id").first()
    project.name = "あとからの名前"
    project.save()
    url = reverse("admin:projects_project_simple_history", args=[project.pk, first.history_id])
    data = form_data(admin_client.get(url).content.decode())
    with advanced(plan, times=1):
        response = admin_client.post(url, _post_data(data, {"_change_history": "1"}))
        assert response.status_code == 302, _errors(response)
    project.refresh_from_db()
    assert project.name == first.name


def test_the_admin_value_grid_advances_the_plan(admin_client, plan):
    kpi = Indicator.objects.get(challenge__issue__plan=plan)
    url = _change_url(kpi)
    data = form_data(admin_client.get(url).content.decode())
    with advanced(plan):
        response = admin_client.post(url, _post_data(data, {"actual_2024": "9"}))
        assert response.status_code == 302, _errors(response)
    assert IndicatorValue.objects.get(indicator=kpi, fiscal_year=2024).actual_number == 9


# --- the services and screens -----------------------------------------------------------


@pytest.fixture
def dx_admin_of(plan):
    return make_user("alice", "DX推進担当", municipality=plan.municipality)


def test_the_actuals_screen_advances_the_plan_once(client, plan, dx_admin_of):
    client.force_login(dx_admin_of)
    kpi = Indicator.objects.get(challenge__issue__plan=plan)
    act = Indicator.objects.get(project__plan=plan)
    versions = {
        f"version-{v.indicator_id}": v.version
        for v in IndicatorValue.objects.filter(indicator__in=[kpi, act], fiscal_year=2024)
    }
    url = reverse("kpis:actuals-entry") + f"?plan={plan.slug}&year=R6"
    with advanced(plan, times=1):
        response = client.post(url, {f"actual-{kpi.pk}": "8", f"actual-{act.pk}": "2", **versions})
        assert response.status_code == 302
    with unchanged(plan):  # one bad entry: nothing saved
        response = client.post(url, {f"actual-{kpi.pk}": "9", f"actual-{act.pk}": "二件"})
        assert response.status_code == 400


def test_the_actuals_services_advance_once_or_leave_it(plan, dx_admin_of):
    kpi = Indicator.objects.get(challenge__issue__plan=plan)
    with advanced(plan, times=1):
        actuals_save(indicators=[kpi], fiscal_year=2025, raw_by_id={kpi.pk: "3"}, user=dx_admin_of)
    with unchanged(plan), pytest.raises(ActualsRejected):
        actuals_save(indicators=[kpi], fiscal_year=2025, raw_by_id={kpi.pk: "三"}, user=dx_admin_of)
    with advanced(plan, times=1):
        indicator_values_save(
            indicator=kpi, cells={2025: {"planned": (Decimal(4), ""), "actual": (None, "")}}
        )
    with advanced(plan, times=1):  # a year emptied: its row deleted
        indicator_values_save(
            indicator=kpi, cells={2025: {"planned": (None, ""), "actual": (None, "")}}
        )


def test_confirm_and_reopen_advance_the_plan_once(client, plan, dx_admin_of):
    client.force_login(dx_admin_of)
    with advanced(plan, times=1):
        response = client.post(reverse("kpis:year-confirm", args=[plan.slug, 2023]))
        assert response.status_code == 302
    assert ConfirmedYear.objects.filter(plan=plan, fiscal_year=2023).exists()
    with advanced(plan, times=1):
        client.post(reverse("kpis:year-reopen", args=[plan.slug, 2023]), {"reason": "訂正"})
    assert not ConfirmedYear.objects.filter(plan=plan, fiscal_year=2023).exists()
    with unchanged(plan):  # no reason given: refused
        client.post(reverse("kpis:year-reopen", args=[plan.slug, 2021]), {"reason": ""})
    with advanced(plan, times=1):
        year_confirm(plan=plan, fiscal_year=2024, user=dx_admin_of)
    with advanced(plan, times=1):
        year_reopen(plan=plan, fiscal_year=2024, user=dx_admin_of, reason="再入力")


def _renamed_workbook(plan, name: str) -> bytes:
    wb = open_workbook(workbook_export(plan))
    ws = wb["プロジェクト"]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("名称") + 1).value = name
    return save_workbook(wb)


def test_a_workbook_import_advances_the_plan_once(plan, dx_admin_of):
    content = _renamed_workbook(plan, "取り込んだ名前")
    with unchanged(plan):
        plan_import(plan=plan, data=content, user=dx_admin_of, dry_run=True)
    with unchanged(plan), pytest.raises(PreviewOutdated):
        plan_import(plan=plan, data=content, user=dx_admin_of, dry_run=False, expect_digest="x")
    with advanced(plan, times=1):
        result = plan_import(plan=plan, data=content, user=dx_admin_of, dry_run=False)
    assert result.applied and Project.objects.get(plan=plan).name == "取り込んだ名前"


def test_an_edition_copy_advances_the_new_edition_and_leaves_the_old(plan):
    with unchanged(plan):
        edition = edition_start(plan=plan, fiscal_year=2026)
    assert _revision(edition) > 0
    assert edition.fields.count() == plan.fields.count()


# --- lock order: the plan row before any other -----------------------------------------


def _first_index(queries, *needles) -> int:
    return next(i for i, q in enumerate(queries) if all(n in q["sql"] for n in needles))


def test_a_write_advances_the_plan_before_it_writes_the_row(plan):
    field = plan.fields.get()
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        field.name = "順序"
        field.save()
    queries = ctx.captured_queries
    advance = _first_index(queries, 'UPDATE "strategy_plan" SET "revision"')
    assert advance < _first_index(queries, 'UPDATE "strategy_field"')


def test_the_actuals_services_lock_the_plan_before_the_indicators(plan, dx_admin_of):
    kpi = Indicator.objects.get(challenge__issue__plan=plan)
    with CaptureQueriesContext(connection) as ctx:
        actuals_save(indicators=[kpi], fiscal_year=2025, raw_by_id={kpi.pk: "5"}, user=dx_admin_of)
    queries = ctx.captured_queries
    plan_lock = _first_index(queries, 'SELECT "strategy_plan"."id" AS "pk" FROM "strategy_plan"')
    assert plan_lock < _first_index(queries, 'SELECT "kpis_indicator"."id" AS "pk"')
    assert plan_lock < _first_index(queries, '"kpis_indicatorvalue"')
