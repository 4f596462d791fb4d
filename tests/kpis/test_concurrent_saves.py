"""Two editors saving the same value: the version check is mandatory on every form path, and
a real race between two threads ends in one save and one refusal on SQLite as on PostgreSQL
(never "database is locked")."""

import sqlite3
import threading
import time
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection, connections
from django.urls import reverse

from kpis import services, views
from kpis.forms import IndicatorValueAdminForm
from kpis.models import Indicator, IndicatorValue
from kpis.services import (
    BAD_VERSION,
    NO_VERSION,
    ActualsRejected,
    actuals_save,
    indicator_values_save,
)
from kpis.values import parse_value
from tests import builders
from tests.conftest import make_user

YEAR = 2024  # R6
ACTUALS_URL = reverse("kpis:actuals-entry") + "?plan=sasebo-r7&year=R6"
STALE = "他の人が先に保存しました"


def _rows(indicator):
    return list(
        IndicatorValue.objects.filter(indicator=indicator)
        .order_by("fiscal_year")
        .values_list(
            "fiscal_year",
            "planned_number",
            "planned_mark",
            "actual_number",
            "actual_mark",
            "version",
        )
    )


# --- (a) the admin indicator grid --------------------------------------------------------


def _grid_data(client, indicator, *, versions: bool):
    """What the browser posts back from the grid as loaded (with or without version_*)."""
    form = (
        client.get(reverse("admin:kpis_indicator_change", args=[indicator.pk]))
        .context["adminform"]
        .form
    )
    data = {"evaluations-TOTAL_FORMS": 0, "evaluations-INITIAL_FORMS": 0}
    for name in form.fields:
        if name.startswith("version_") and not versions:
            continue
        value = form[name].value()
        data[name] = "" if value is None else value
    return data


@pytest.mark.django_db
def test_a_grid_post_without_versions_is_refused_and_changes_nothing(client, dx_admin, own_value):
    indicator = own_value.indicator
    client.force_login(dx_admin)
    before, name = _rows(indicator), indicator.name
    data = _grid_data(client, indicator, versions=False)
    assert not any(k.startswith("version_") for k in data)
    data.update({f"actual_{YEAR}": "6", "name": name + "（改）"})
    response = client.post(reverse("admin:kpis_indicator_change", args=[indicator.pk]), data)
    assert response.status_code == 200
    assert NO_VERSION in response.content.decode()
    assert _rows(indicator) == before
    indicator.refresh_from_db()
    assert indicator.name == name

    # the same post with the versions the grid showed is saved
    data = _grid_data(client, indicator, versions=True)
    data[f"actual_{YEAR}"] = "6"
    response = client.post(reverse("admin:kpis_indicator_change", args=[indicator.pk]), data)
    assert response.status_code == 302
    own_value.refresh_from_db()
    assert own_value.actual_number == Decimal(6)


@pytest.mark.django_db
def test_a_post_without_the_grid_cells_leaves_the_values_alone(client, dx_admin, own_value):
    """simple-history's revert page shows the indicator's fields but not the grid: a missing
    cell is not a 「空欄」 (which would delete every year's row)."""
    indicator = own_value.indicator
    client.force_login(dx_admin)
    before = _rows(indicator)
    assert before
    data = {
        k: v
        for k, v in _grid_data(client, indicator, versions=False).items()
        if not k.startswith(("planned_", "actual_"))
    }
    data["name"] = indicator.name + "（改）"
    response = client.post(reverse("admin:kpis_indicator_change", args=[indicator.pk]), data)
    assert response.status_code == 302
    assert _rows(indicator) == before
    indicator.refresh_from_db()
    assert indicator.name.endswith("（改）")


@pytest.mark.django_db
def test_the_grid_service_refuses_a_missing_or_malformed_version_for_an_existing_row(
    dx_admin, own_value
):
    indicator = own_value.indicator
    before = _rows(indicator)
    cells = {YEAR: {"actual": (Decimal(3), "")}}
    for versions, message in (({}, NO_VERSION), ({YEAR: "x1"}, "版の情報が正しくありません")):
        with pytest.raises(ActualsRejected, match=message):
            indicator_values_save(
                indicator=indicator, cells=cells, user=dx_admin, versions=versions
            )
    assert _rows(indicator) == before
    # server-side writes (no form) say so with versions=None
    indicator_values_save(indicator=indicator, cells=cells, user=dx_admin, versions=None)
    own_value.refresh_from_db()
    assert own_value.actual_number == Decimal(3)


# --- (b) the actuals entry screen --------------------------------------------------------


@pytest.mark.django_db
def test_an_actuals_post_without_the_version_of_an_existing_value_is_refused(
    client, bob, own_value
):
    pk = own_value.indicator_id
    before = _rows(own_value.indicator)
    client.force_login(bob)
    response = client.post(ACTUALS_URL, {f"actual-{pk}": "9"})
    assert response.status_code == 400
    assert NO_VERSION in response.content.decode()
    response = client.post(ACTUALS_URL, {f"actual-{pk}": "9", f"version-{pk}": "abc"})
    assert response.status_code == 400
    assert "版の情報が正しくありません" in response.content.decode()
    assert _rows(own_value.indicator) == before

    # an unchanged row needs no version; the row shown with its version is saved
    assert client.post(ACTUALS_URL, {f"actual-{pk}": ""}).status_code == 302
    response = client.post(
        ACTUALS_URL, {f"actual-{pk}": "9", f"version-{pk}": str(own_value.version)}
    )
    assert response.status_code == 302
    own_value.refresh_from_db()
    assert own_value.actual_number == Decimal(9)


@pytest.mark.django_db
def test_the_refusal_page_shows_the_value_and_version_stored_now(
    client, bob, dx_admin, own_value, monkeypatch
):
    pk, seen = own_value.indicator_id, own_value.version
    real = views.actuals_save

    def another_editor_saves_first(**kwargs):
        # what happens when this request waits for the lock while another save commits
        indicator = Indicator.objects.get(pk=pk)
        real(indicators=[indicator], fiscal_year=YEAR, raw_by_id={pk: "21"}, user=dx_admin)
        return real(**kwargs)

    monkeypatch.setattr(views, "actuals_save", another_editor_saves_first)
    client.force_login(bob)
    response = client.post(ACTUALS_URL, {f"actual-{pk}": "22", f"version-{pk}": str(seen)})
    assert response.status_code == 400
    assert STALE in response.content.decode() and "「21」" in response.content.decode()
    row = next(r for r in response.context["rows"] if r["indicator"].pk == pk)
    assert (row["version"], row["actual"]) == (seen + 1, "22")  # typed value kept, new version


@pytest.mark.django_db
def test_a_missing_version_may_create_a_row_only_while_it_still_does_not_exist(db):
    plan = builders.full_plan()
    editor = make_user("eve", "部局編集者", department=plan.projects.first().department)
    kpi = Indicator.objects.get(challenge__issue__plan=plan, kind="kpi")
    assert not IndicatorValue.objects.filter(indicator=kpi, fiscal_year=2025).exists()
    save = dict(indicators=[kpi], fiscal_year=2025, user=editor)
    # nobody has created R7's row: the screen showed no version, the save creates it
    actuals_save(raw_by_id={kpi.pk: "4"}, versions={}, **save)
    value = IndicatorValue.objects.get(indicator=kpi, fiscal_year=2025)
    assert value.actual_number == Decimal(4)
    # a second screen loaded before that save: without a version, or with 0, it is refused
    with pytest.raises(ActualsRejected, match="読み込み直して"):
        actuals_save(raw_by_id={kpi.pk: "5"}, versions={}, **save)
    with pytest.raises(ActualsRejected, match=STALE):
        actuals_save(raw_by_id={kpi.pk: "5"}, versions={kpi.pk: "0"}, **save)
    value.refresh_from_db()
    assert value.actual_number == Decimal(4)


# --- (c) the per-row admin form ----------------------------------------------------------


def _row_data(value: IndicatorValue, **changes):
    data = {
        "indicator": value.indicator_id,
        "fiscal_year": value.fiscal_year,
        "planned_number": "" if value.planned_number is None else value.planned_number,
        "planned_mark": value.planned_mark,
        "actual_number": "" if value.actual_number is None else value.actual_number,
        "actual_mark": value.actual_mark,
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_row_form_carries_the_version_and_saves_when_it_is_current(own_value):
    form = IndicatorValueAdminForm(instance=own_value)
    assert form["seen_version"].value() == str(own_value.version)
    assert 'type="hidden"' in str(form["seen_version"])
    version = own_value.version
    form = IndicatorValueAdminForm(
        _row_data(own_value, actual_number="12", seen_version=str(version)), instance=own_value
    )
    assert form.is_valid(), form.errors
    form.save()
    own_value.refresh_from_db()
    assert (own_value.actual_number, own_value.version) == (Decimal(12), version + 1)


@pytest.mark.django_db
def test_the_row_form_refuses_a_stale_version(own_value, dx_admin):
    seen = str(own_value.version)
    loaded = IndicatorValue.objects.get(pk=own_value.pk)
    # someone else saves after our form was loaded
    other = IndicatorValue.objects.get(pk=own_value.pk)
    other.actual_number = Decimal(5)
    other._history_user = dx_admin
    other.save()
    form = IndicatorValueAdminForm(
        _row_data(loaded, actual_number="6", seen_version=seen), instance=loaded
    )
    assert not form.is_valid()
    (error,) = form.non_field_errors()
    assert STALE in error and "実績「5」" in error and "alice" in error
    own_value.refresh_from_db()
    assert own_value.actual_number == Decimal(5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "seen, message", [(None, NO_VERSION), ("", NO_VERSION), ("v3", BAD_VERSION)]
)
def test_the_row_form_refuses_a_change_without_a_valid_version(own_value, seen, message):
    data = _row_data(own_value, actual_number="6")
    if seen is not None:
        data["seen_version"] = seen
    form = IndicatorValueAdminForm(data, instance=own_value)
    assert not form.is_valid()
    assert form.non_field_errors() == [message]


@pytest.mark.django_db
def test_the_row_form_adds_a_new_row_without_a_version(own_value):
    form = IndicatorValueAdminForm(
        {
            "indicator": own_value.indicator_id,
            "fiscal_year": 2019,
            "planned_number": "1",
            "planned_mark": "",
            "actual_number": "",
            "actual_mark": "",
        }
    )
    assert form.is_valid(), form.errors
    assert form.save().version == 1


@pytest.mark.django_db
def test_a_history_revert_form_locks_on_the_version_stored_now(own_value, dx_admin):
    for number in (5, 6):
        own_value.actual_number = Decimal(number)
        own_value._history_user = dx_admin
        own_value.save()
    current = own_value.version
    # the row as simple-history's revert view hands it to the form
    old = own_value.history.get(actual_number=Decimal(5)).instance
    old._state.adding = False
    assert old.version == current - 1
    form = IndicatorValueAdminForm(instance=old)
    assert form["seen_version"].value() == str(current)
    stale = IndicatorValueAdminForm(_row_data(old, seen_version=str(old.version)), instance=old)
    assert not stale.is_valid() and STALE in stale.non_field_errors()[0]
    form = IndicatorValueAdminForm(_row_data(old, seen_version=str(current)), instance=old)
    assert form.is_valid(), form.errors
    form.save()
    own_value.refresh_from_db()
    assert (own_value.actual_number, own_value.version) == (Decimal(5), current + 1)


# --- (d) a real race: two threads, same value, same seen version --------------------------


@contextmanager
def _database(path):
    """Use the SQLite file ``path`` as "default" in this thread (None: the test database).

    The in-memory SQLite test database is shared-cache, where a second writer fails at once
    ("database table is locked") whatever the busy timeout: a race needs a real file, as in
    production. The copy is opened by Django's SQLite backend with the project's OPTIONS.
    """
    if path is None:
        yield
        return
    original = connections["default"]
    wrapper = original.__class__({**original.settings_dict, "NAME": str(path)}, "default")
    connections["default"] = wrapper
    try:
        yield
    finally:
        wrapper.close()
        connections["default"] = original


def _race_database(tmp_path):
    """None on PostgreSQL or a file SQLite test database; else a file copy of the test DB."""
    if connection.vendor != "sqlite":
        return None
    options = connection.settings_dict["OPTIONS"]
    assert (options.get("transaction_mode"), options.get("timeout")) == ("IMMEDIATE", 20)
    if not connection.is_in_memory_db():
        return None
    connection.ensure_connection()
    path = tmp_path / "race.sqlite3"
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return path


def _save_actual(user, indicator, text, seen):
    actuals_save(
        indicators=[indicator],
        fiscal_year=YEAR,
        raw_by_id={indicator.pk: text},
        user=user,
        versions={indicator.pk: str(seen)},
    )


def _save_grid(user, indicator, text, seen):
    indicator_values_save(
        indicator=indicator,
        cells={YEAR: {"actual": parse_value(text)}},
        user=user,
        versions={YEAR: str(seen)},
    )


def _race(save, path, editors, indicator, texts, seen) -> list:
    """Both editors save at the same moment (a barrier); what each got: "saved" or the error."""
    barrier = threading.Barrier(len(editors))
    outcomes: list = [None] * len(editors)

    def editor(n):
        try:
            with _database(path):
                user = type(editors[n]).objects.get(pk=editors[n].pk)
                own = Indicator.objects.get(pk=indicator.pk)
                barrier.wait(timeout=10)
                save(user, own, texts[n], seen)
                outcomes[n] = "saved"
        except Exception as exc:  # noqa: BLE001 - the caller's assertion shows it
            outcomes[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(len(editors))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a save hung"
    return outcomes


def _editor_role():
    """The 部局編集者 group with its kpis permissions. Transactional tests run last and each
    one flushes the database, which drops the groups the migrations created."""
    group, _ = Group.objects.get_or_create(name="部局編集者")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="kpis",
            codename__in=[
                "view_indicator",
                "change_indicator",
                "view_indicatorvalue",
                "add_indicatorvalue",
                "change_indicatorvalue",
                "delete_indicatorvalue",
            ],
        )
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("save", [_save_actual, _save_grid], ids=["actuals", "grid"])
def test_two_editors_saving_at_once_one_wins_the_other_is_refused(tmp_path, monkeypatch, save):
    plan = builders.full_plan()
    dept = plan.projects.first().department
    _editor_role()
    editors = [make_user(f"race-{n}", "部局編集者", department=dept) for n in (1, 2)]
    indicator = Indicator.objects.get(project__plan=plan, kind="activity")
    path = _race_database(tmp_path)

    # Make each save hold its write transaction (locks taken, version not yet checked) for
    # 0.2 s, so the two saves overlap for certain: the second one waits for the first's lock.
    real = services.locked_years_for

    def slow_locked_years_for(*args, **kwargs):
        time.sleep(0.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "locked_years_for", slow_locked_years_for)

    for round_ in range(3):
        with _database(path):
            seen = IndicatorValue.objects.get(indicator=indicator, fiscal_year=YEAR).version
        texts = [str(100 + 10 * round_ + n) for n in (1, 2)]
        outcomes = _race(save, path, editors, indicator, texts, seen)

        refused = [o for o in outcomes if isinstance(o, ActualsRejected)]
        assert outcomes.count("saved") == 1 and len(refused) == 1, outcomes
        assert STALE in str(refused[0])
        winner = texts[outcomes.index("saved")]
        with _database(path):
            value = IndicatorValue.objects.get(indicator=indicator, fiscal_year=YEAR)
            assert (value.actual, value.version) == (winner, seen + 1)
