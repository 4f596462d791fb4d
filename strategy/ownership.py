"""Who owns a row, declared once per model.

Every model of the plan says, as data, where its municipality, its owning department, its
plan and (for yearly values) its fiscal year are found: a tuple of lookup paths each, tried in
order (an indicator belongs to a project *or* to a 課題). The permission policy
(strategy/policy.py) reads these declarations for single objects and for querysets alike, so
it never asks a model type in a branch of its own.

A path is a Django lookup path to a foreign key ("plan__municipality") or "pk" for the row
itself. An empty tuple means "nobody in particular": a department-less row belongs to the
DX division of its municipality.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

Paths = tuple[str, ...]


def _resolve(obj, path: str):
    """The id at the end of ``path`` (``None`` where a link on the way is empty)."""
    if path == "pk":
        return obj.pk
    *links, last = path.split("__")
    for link in links:
        if getattr(obj, f"{link}_id", None) is None:
            return None
        obj = getattr(obj, link)
    return getattr(obj, f"{last}_id", None)


def _first(obj, paths: Paths):
    for path in paths:
        found = _resolve(obj, path)
        if found is not None:
            return found
    return None


def _q(paths: Paths, value) -> Q:
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{path if path == "pk" else f"{path}_id": value})
    return q


@dataclass(frozen=True)
class Ownership:
    municipality: Paths
    department: Paths = ()
    plan: Paths = ()
    #: the field holding the fiscal year that a 確定 (ConfirmedYear) locks
    locked_year: str | None = None

    def under(self, prefix: str, **changes) -> Ownership:
        """The same declaration seen from a child row (``prefix`` = "indicator__")."""

        def pre(paths: Paths) -> Paths:
            return tuple(prefix.removesuffix("__") if p == "pk" else prefix + p for p in paths)

        return Ownership(
            municipality=pre(self.municipality),
            department=pre(self.department),
            plan=pre(self.plan),
            **changes,
        )

    def municipality_q(self, municipality_id) -> Q:
        return _q(self.municipality, municipality_id)

    def department_q(self, department_id) -> Q:
        return _q(self.department, department_id)


class Owned:
    """Mixed into each owned model next to its ``ownership = Ownership(...)``."""

    ownership: Ownership

    @property
    def owner_municipality_id(self) -> int | None:
        return _first(self, self.ownership.municipality)

    @property
    def owner_department_id(self) -> int | None:
        return _first(self, self.ownership.department)

    @property
    def owner_plan_id(self) -> int | None:
        return _first(self, self.ownership.plan)

    @property
    def owner_locked_year(self) -> int | None:
        field = self.ownership.locked_year
        return getattr(self, field) if field else None
