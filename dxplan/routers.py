"""A read replica for the public report pages (``DATABASE_REPLICA_URL``, dxplan/settings.py).

Anonymous readers of the ``reports:`` pages are the many; editors, imports and the admin
are the few. So the reads made while serving a report page to someone who is not signed in
go to the ``replica`` alias — a PostgreSQL hot standby fed by streaming replication — and
everything else goes to the primary (``default``):

- **Which reads.** Only those made while ``replica_reads()`` is active: the middleware
  (dxplan/middleware.py) turns it on for a GET or HEAD of a ``reports:`` URL by a visitor who
  is not signed in, around the page cache (reports/pagecache.py), so the cache's revision
  query and the page it keeps come from the same database: a page is never stored under a
  revision newer than the data it was made from. Signed-in staff read the primary: they see
  their own saves at once (the replica may be a moment behind).
- **Never on the replica**, even then: the models in ``PRIMARY_ONLY`` (the workbook waiting
  for its confirmation, sessions, users and login throttling), and any read while the
  primary's connection is inside ``transaction.atomic`` — a read in a transaction belongs
  with its writes (and in the test suite every test runs inside one, so tests read what
  they wrote).
- **Writes** always go to the primary; **migrations** run on the primary only (the standby
  receives them through replication).

Replication lag only delays a just-saved value on the public pages (the page cache keys on
the revision the replica has, so a reader never gets a page older than the replica).
Without ``DATABASE_REPLICA_URL`` there is no ``replica`` alias and this router sends
everything to ``default``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

#: Models read on the primary even while a report page is served.
PRIMARY_ONLY = frozenset({"interchange.pendingupload"})
#: Apps whose rows belong to a visitor's sign-in, read on the primary always.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "axes", "admin"})

_replica_reads: ContextVar[bool] = ContextVar("dxplan_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Route the reads made inside to the replica (where the router allows it)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_reads.get() or not replica_configured():
            return None
        meta = model._meta
        if meta.label_lower in PRIMARY_ONLY or meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # One database seen twice: rows read on the replica may point at rows of the primary.
        dbs = {obj1._state.db, obj2._state.db}
        return True if dbs <= {DEFAULT_DB_ALIAS, REPLICA, None} else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
