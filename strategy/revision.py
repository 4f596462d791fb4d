"""Plan revisions: a number on each plan that moves with every change the plan shows.

The page cache (reports/pagecache.py) keys a published plan's pages by its revision: the
next reader after a change computes a new key and gets a fresh page; nothing is purged.

**One mechanism for every write path.** The signals of every model whose ``ownership``
(strategy/ownership.py) has a plan path. A save advances the plan the row belongs to and,
when the row moved under another parent, the plan it went to; a delete advances the plan of
the row as stored (``pre_delete``; the rows a delete cascades to are in the plan of the row
it started from, so deleting a whole plan costs one lookup, not one per row); adding and
removing many-to-many links (a project's steps) advances the plans on both sides.
Departments and municipalities have no plan path but are printed on the pages: they
advance every plan of their municipality. Admin saves, inlines, deletes and history
reverts, the actuals screen and grid, imports, confirm/reopen and edition copies all end in
these signals. Writes that send none (``QuerySet.update``, ``bulk_create``, raw SQL) call
``touch(plan_id)`` themselves (interchange/plandata.py's bulk copy does).

**In the same transaction, not on commit.** The UPDATE runs at once, in the transaction of
the change, so the two commit together or not at all: no reader sees the new rows with the
old revision after the commit, and no crash between a commit and an ``on_commit`` callback
can lose an advance. (The page cache also re-reads the revision after making a page and
keeps it only if it did not move, so a page is never stored under a number older than its
data.) The cost: on PostgreSQL the UPDATE holds the plan row's lock until commit, so
writers of one plan queue behind each other; on SQLite they already do, on the database's
write lock.

**Once per plan and atomic block.** The first change to a plan inside an atomic block
advances it; later ones in the same block find it in a do-nothing ``on_commit`` callback
that remembers the plans advanced there. Django drops that callback when a savepoint it was
registered under rolls back — exactly when the UPDATE it stands for is undone — so a
rolled-back inner block never hides a later change. A nested atomic block that writes
advances once more (at least once, never zero; a request is one block). Outside any
transaction (autocommit: a shell), the write and the UPDATE are two statements in a row;
every request path of the app writes inside an atomic block.

**Never a number twice.** A cached page is valid for as long as its plan keeps the number
it was stored under, so a plan must never come back to a number it had: not after a
restore from a backup (older numbers return while pages stored later are still cached), not
in a database created anew under the same name (the benchmark's, a test run's: plan ids
start again at 1), not for a plan id SQLite hands out again after a rolled-back insert. So
an advance is ``revision = GREATEST(revision + 1, <the time in microseconds>)``: one plan's
numbers only grow, and after a restore the next one is past every number the lost timeline
used, all of them taken before the restore (+1 keeps them growing when the clock steps
back). The number is shown nowhere; it only has to differ.

**The plan row first.** The advance runs *before* the row is written (pre_save, pre_delete,
pre_add/pre_remove/pre_clear): its UPDATE takes the plan row's lock first, so every writer
of a plan locks that row before any other and two writers of one plan queue instead of
deadlocking (one holding a KPI value and waiting for the plan, the other the reverse).
kpis/services.py's ``lock_for_write`` calls ``lock_plans_of`` ahead of its FOR UPDATE for
the same reason. Only a row moved to another plan advances its new plan after the write (and a
new plan itself, once it exists).

**A plan saved from a stale copy.** ``Plan.save()`` writes every column, the revision too:
a plan object loaded before another transaction advanced it would put the number back, and
the next advance could land on a number pages are cached under. So an existing plan's save
writes the number as it stands after its own advance (read under that advance's lock).
History does not track the revision (strategy/models.py): 変更履歴 never lists it, and a
revert keeps the current one.
"""

from __future__ import annotations

import time

from django.apps import apps
from django.db import router, transaction
from django.db.models import F, Model, PositiveBigIntegerField, QuerySet, Value, signals
from django.db.models.functions import Greatest

#: Printed on the plan pages but owned by a municipality, not a plan: a change advances
#: every plan of the municipality. (Other owned models without a plan path — 職員の所属 —
#: are not shown on any plan page.)
MUNICIPALITY_SCOPED = frozenset({"strategy.municipality", "strategy.department"})

_PLAN, _MUNICIPALITY = "plan", "municipality"


def _plan_model():
    return apps.get_model("strategy", "Plan")


class _Advanced:
    """The plans advanced at one atomic level: an ``on_commit`` callback that does nothing,
    so that Django forgets it when the savepoint it was registered under rolls back."""

    __slots__ = ("level", "plan_ids")

    def __init__(self, level: tuple):
        self.level = level
        self.plan_ids: set[int] = set()

    def __call__(self) -> None:
        pass


def _advanced(connection) -> _Advanced:
    level = tuple(sid for sid in connection.savepoint_ids if sid is not None)
    for _sids, func, _robust in connection.run_on_commit:
        if isinstance(func, _Advanced) and func.level == level:
            return func
    marker = _Advanced(level)
    transaction.on_commit(marker, using=connection.alias)
    return marker


def _next_revision():
    """revision + 1, and at least the time in microseconds ("Never a number twice")."""
    now = Value(time.time_ns() // 1000, output_field=PositiveBigIntegerField())
    return Greatest(F("revision") + 1, now)


def touch(*plan_ids, using: str | None = None) -> None:
    """Advance the revision of these plans, in the current transaction, once per atomic
    block. Call it with a write that sends no signals (bulk_create, QuerySet.update),
    before it where the write takes other locks ("The plan row first")."""
    Plan = _plan_model()
    using = using or router.db_for_write(Plan)
    ids = {int(pk) for pk in plan_ids if pk is not None}
    if not ids:
        return
    connection = transaction.get_connection(using)
    marker = _advanced(connection) if connection.in_atomic_block else None
    if marker is not None:
        ids -= marker.plan_ids
        if not ids:
            return
    Plan._base_manager.using(using).filter(pk__in=ids).update(revision=_next_revision())
    if marker is not None:
        marker.plan_ids |= ids


def lock_plans_of(model, pks, *, using: str | None = None) -> None:
    """Lock the plan rows of these rows of ``model`` (FOR UPDATE) without advancing them:
    for writers that lock rows of a plan themselves, ahead of those locks ("The plan row
    first"). Nothing happens outside a transaction, and SQLite has no row locks."""
    found = scope(model)
    pks = [pk for pk in pks if pk is not None]
    using = using or router.db_for_write(model)
    if found is None or not pks or not transaction.get_connection(using).in_atomic_block:
        return
    plan_ids = _stored(model, pks, found[1], using)
    if found[0] == _MUNICIPALITY:
        plans = _plan_model()._base_manager.filter(municipality_id__in=plan_ids)
    else:
        plans = _plan_model()._base_manager.filter(pk__in=plan_ids)
    list(plans.using(using).select_for_update().order_by("pk").values_list("pk", flat=True))


def touch_municipality(*municipality_ids, using: str | None = None) -> None:
    """Advance every plan of these municipalities (a department or the municipality itself
    changed: it is printed on their pages)."""
    Plan = _plan_model()
    using = using or router.db_for_write(Plan)
    ids = [pk for pk in municipality_ids if pk is not None]
    if ids:
        plans = Plan._base_manager.using(using).filter(municipality_id__in=ids)
        touch(*plans.values_list("pk", flat=True), using=using)


# --- which plans a row belongs to -------------------------------------------------------


def scope(model) -> tuple[str, tuple[str, ...]] | None:
    """("plan", plan paths), ("municipality", municipality paths), or None (not shown)."""
    ownership = getattr(model, "ownership", None)
    if ownership is None:
        return None
    if ownership.plan:
        return _PLAN, ownership.plan
    if model._meta.label_lower in MUNICIPALITY_SCOPED:
        return _MUNICIPALITY, ownership.municipality
    return None


class _Model:
    """What the signals need to know about one model, worked out once."""

    def __init__(self, model):
        self.kind, self.paths = scope(model)
        fields = [model._meta.get_field(p.split("__")[0]) for p in self.paths if p != "pk"]
        #: the row's own foreign-key columns the paths start with (plan_id, indicator_id …)
        self.hops = tuple(dict.fromkeys(f.attname for f in fields))
        self.hop_names = {f.name for f in fields} | set(self.hops)


_MODELS: dict[type, _Model] = {}
_MISSING = object()


def _stored(model, pks, paths, using) -> set:
    """The plan (or municipality) ids of stored rows, in one query."""
    if paths == ("pk",):
        return set(pks)
    rows = model._base_manager.using(using).filter(pk__in=list(pks)).values_list(*paths)
    return {value for row in rows for value in row if value is not None}


def _walk(obj, path: str):
    """The id at the end of ``path`` through what the object already holds (its columns and
    cached relations): no query; _MISSING where a relation on the way is not loaded."""
    if path == "pk":
        return obj.pk
    *links, last = path.split("__")
    for link in links:
        field = obj._meta.get_field(link)
        if getattr(obj, field.attname) is None:
            return None
        if not field.is_cached(obj):
            return _MISSING
        obj = field.get_cached_value(obj)
    return getattr(obj, obj._meta.get_field(last).attname)


def _now(instance, paths, using) -> set:
    """The ids of the row as the instance says, else (relations not loaded) as stored."""
    found = [_walk(instance, path) for path in paths]
    if _MISSING not in found:
        return {v for v in found if v is not None}
    return _stored(type(instance), [instance.pk], paths, using) if instance.pk else set()


def _advance(kind: str, ids, using) -> None:
    if kind == _PLAN:
        touch(*ids, using=using)
    else:
        touch_municipality(*ids, using=using)


# --- the signals (before the write: "The plan row first") ------------------------------


def _unsaved(instance, paths, using) -> set:
    """The ids a row not written yet will belong to: through what it holds, else through
    the parent it points at (one query)."""
    found = [_walk(instance, path) for path in paths]
    if _MISSING not in found:
        return {v for v in found if v is not None}
    by_parent: dict[str, list[str]] = {}
    for path in paths:
        link, _, rest = path.partition("__")
        by_parent.setdefault(link, []).append(rest)
    ids = set()
    for link, rests in by_parent.items():
        field = instance._meta.get_field(link)
        parent_id = getattr(instance, field.attname)
        if parent_id is not None:
            ids |= _stored(field.related_model, [parent_id], tuple(rests), using)
    return ids


def _pre_save(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    if raw:
        return  # loaddata: the parents may not be there yet (post_save looks afterwards)
    m = _MODELS[sender]
    Plan = _plan_model()
    if instance._state.adding or instance.pk is None:
        if sender is not Plan:  # a new plan is advanced once it exists (post_save)
            _advance(m.kind, _unsaved(instance, m.paths, using), using)
        return
    if not m.hops:  # the plan or the municipality itself
        _advance(m.kind, {instance.pk}, using)
    elif update_fields is None or m.hop_names & set(update_fields):
        stored = sender._base_manager.using(using).filter(pk=instance.pk)
        row = stored.values_list(*m.hops, *m.paths).first()
        if row is not None:
            _advance(m.kind, {v for v in row[len(m.hops) :] if v is not None}, using)
            instance._revision_hops = row[: len(m.hops)]
    else:  # a save of other columns only: the row stays where it is
        _advance(m.kind, _now(instance, m.paths, using), using)
    if sender is Plan and (update_fields is None or "revision" in update_fields):
        # Write back the number as it now stands, not the one this object was loaded with.
        current = Plan._base_manager.using(using).filter(pk=instance.pk)
        instance.revision = current.values_list("revision", flat=True).first() or 0


def _post_save(sender, instance, created=False, raw=False, using=None, **kwargs):
    m = _MODELS[sender]
    hops_then = instance.__dict__.pop("_revision_hops", None)
    if raw or (created and sender is _plan_model()):
        _advance(m.kind, _now(instance, m.paths, using), using)
    elif hops_then is not None and hops_then != tuple(getattr(instance, a) for a in m.hops):
        # moved under another parent: the plan it went to changes too
        _advance(m.kind, _stored(sender, [instance.pk], m.paths, using), using)


def _pre_delete(sender, instance, using=None, origin=None, **kwargs):
    m = _MODELS[sender]
    if isinstance(origin, QuerySet):
        origin_model = origin.model
    elif isinstance(origin, Model):
        origin_model = type(origin)
    else:
        origin_model = None
    if origin_model in _MODELS and not isinstance(instance, origin_model):
        # A cascaded child: the row the delete started from is in the same plan (or owns
        # it: a municipality's plans) and is advanced when its own pre_delete comes.
        return
    _advance(m.kind, _now(instance, m.paths, using), using)
    Plan = _plan_model()
    if sender is Plan:  # the next editions lose their 前の版 (SET_NULL): their 新旧対照表 changes
        editions = Plan._base_manager.using(using).filter(previous_edition_id=instance.pk)
        touch(*editions.values_list("pk", flat=True), using=using)


def _m2m_changed(sender, instance, action, model=None, pk_set=None, using=None, **kwargs):
    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    own = _MODELS.get(type(instance))
    if own is not None:
        _advance(own.kind, _now(instance, own.paths, using), using)
    other = _MODELS.get(model)
    if other is not None and pk_set:
        _advance(other.kind, _stored(model, pk_set, other.paths, using), using)


_connected = False


def connect() -> None:
    """Connect the signals of every model the plan pages show (strategy/apps.py, once)."""
    global _connected
    if _connected:
        return
    _connected = True
    for model in apps.get_models():
        if scope(model) is None:
            continue
        _MODELS[model] = _Model(model)
        uid = f"dxplan-revision-{model._meta.label_lower}"
        signals.pre_save.connect(_pre_save, sender=model, dispatch_uid=uid)
        signals.post_save.connect(_post_save, sender=model, dispatch_uid=uid)
        signals.pre_delete.connect(_pre_delete, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            signals.m2m_changed.connect(
                _m2m_changed, sender=through, dispatch_uid=f"{uid}-{field.name}"
            )
