"""The permission policy: may this user do this action on this object, in this state?

Every way in asks here — the admin (strategy/admin_policy.py, by construction for every
ModelAdmin, inline, action and custom view), the actuals screen, confirm and reopen, the
plan pages, the per-model imports and the workbook import. django-rules predicates
(strategy/rules.py) answer ``user.has_perm`` from the same functions.

Roles (the user's group) act within the municipality their 職員の所属 names; superusers act
everywhere:

- DX推進担当: reads every plan of the municipality (drafts too) and changes all of its data,
  starts editions, imports workbooks, confirms and reopens years.
- 部局編集者: reads every plan of the municipality; changes only the rows their department
  owns (``Owned.owner_department_id``), only the kinds of row in ``EDITOR_RIGHTS``, only the
  fields in ``EDITOR_FIELDS``, never in a confirmed year.
- 閲覧者: reads every plan of the municipality, changes nothing.
- Everyone else (no group, another municipality, anonymous while public plans are on):
  reads published plans' pages, nothing in the admin.

A change is judged on the object as loaded *and* as it would be saved (``write_refusal``),
so nobody moves a row out of, or into, what they may change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q

ADMIN_GROUP = "DX推進担当"
EDITOR_GROUP = "部局編集者"
VIEWER_GROUP = "閲覧者"
ROLES = (ADMIN_GROUP, EDITOR_GROUP, VIEWER_GROUP)

# Actions on rows (the admin's four) ...
VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ROW_ACTIONS = (VIEW, ADD, CHANGE, DELETE)
# ... and on a plan.
READ = "read"  # the plan's pages, workbook download, PDF and history
EDITION_START = "edition_start"
WORKBOOK_IMPORT = "workbook_import"
ACTUALS_ENTRY = "actuals_entry"
CONFIRM = "confirm"
REOPEN = "reopen"
PLAN_ACTIONS = (READ, EDITION_START, WORKBOOK_IMPORT, ACTUALS_ENTRY, CONFIRM, REOPEN)
#: The plan actions a department editor has (on their own municipality's plans).
EDITOR_PLAN_ACTIONS = frozenset({READ, WORKBOOK_IMPORT, ACTUALS_ENTRY})

#: What a department editor may do to the rows their department owns.
EDITOR_RIGHTS: dict[str, frozenset[str]] = {
    "projects.project": frozenset({VIEW, CHANGE}),
    "projects.projectphase": frozenset({VIEW, ADD, CHANGE, DELETE}),
    "kpis.indicator": frozenset({VIEW, CHANGE}),
    "kpis.indicatorvalue": frozenset({VIEW, ADD, CHANGE, DELETE}),
    "kpis.indicatorevaluation": frozenset({VIEW, ADD, CHANGE, DELETE}),
    "strategy.issueyeartext": frozenset({VIEW, ADD, CHANGE, DELETE}),
    "strategy.challengegoal": frozenset({VIEW, ADD, CHANGE, DELETE}),
}
#: Where an editor may change only some fields; the rest (placement in the plan, the lead
#: department, flags) is the DX division's. Models not listed: every editable field.
EDITOR_FIELDS: dict[str, frozenset[str]] = {
    "projects.project": frozenset({"name", "summary"}),
    "kpis.indicator": frozenset({"unit", "formula"}),
}
#: Only superusers (the municipality itself, user accounts are set up by the operator).
SUPERUSER_ONLY: dict[str, frozenset[str]] = {
    "strategy.municipality": frozenset({ADD, DELETE}),
    # the DX division reopens a year with a reason (確定の解除); only the operator deletes
    # confirmed years outright, as part of deleting a whole plan
    "kpis.confirmedyear": frozenset({DELETE}),
}
#: Written only by a service that records who and why (confirm / reopen), never by a form.
SERVICE_ONLY: dict[str, frozenset[str]] = {
    "kpis.confirmedyear": frozenset({ADD, CHANGE}),
}

NOT_SIGNED_IN = "ログインしてください"
NO_ROLE = "権限がありません（役割が設定されていません）"
OTHER_MUNICIPALITY = "他の自治体のデータは扱えません"
VIEW_ONLY = "閲覧のみの権限です"
DX_ONLY = "DX推進担当のみが行えます"
OTHER_DEPARTMENT = "他の部局（または部局未設定）のデータは変更できません"
SUPERUSER_ONLY_TEXT = "システム管理者のみが行えます"
SERVICE_ONLY_TEXT = "この画面からは変更できません（実績入力画面の「確定」「確定の解除」を使います）"


@dataclass(frozen=True)
class Actor:
    authenticated: bool
    active: bool
    superuser: bool
    role: str | None  # one of ROLES, the strongest the user has
    municipality_id: int | None
    department_id: int | None

    @property
    def is_dx_admin(self) -> bool:
        return self.superuser or self.role == ADMIN_GROUP

    @property
    def is_editor(self) -> bool:
        return self.role == EDITOR_GROUP


ANONYMOUS = Actor(False, False, False, None, None, None)


def actor(user) -> Actor:
    """Who ``user`` is for the policy; read once per request (cached on the user object)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_dx_actor", None)
    if cached is not None:
        return cached
    from strategy.models import StaffMember

    groups = set(user.groups.values_list("name", flat=True))
    role = next((r for r in ROLES if r in groups), None)
    staff = (
        StaffMember.objects.filter(user=user).values("municipality_id", "department_id").first()
        or {}
    )
    found = Actor(
        authenticated=True,
        active=user.is_active,
        superuser=user.is_active and user.is_superuser,
        role=role if user.is_active else None,
        municipality_id=staff.get("municipality_id"),
        department_id=staff.get("department_id") if role == EDITOR_GROUP else None,
    )
    user._dx_actor = found
    return found


def forget(user) -> None:
    """Drop the cached actor (after the user's groups or staff link changed)."""
    if user is not None and hasattr(user, "_dx_actor"):
        del user._dx_actor


def _label(target) -> str:
    return target._meta.label_lower


def _is_owned(target) -> bool:
    from strategy.ownership import Owned

    model = target if isinstance(target, type) else type(target)
    return issubclass(model, Owned)


def _locked(plan_id, year) -> bool:
    from kpis.models import ConfirmedYear

    return ConfirmedYear.objects.filter(plan_id=plan_id, fiscal_year=year).exists()


@dataclass(frozen=True)
class Row:
    """What the policy needs to know of one row, whether it exists yet or not (an import
    describes rows by their keys and asks about them without model instances)."""

    label: str  # the model's label_lower, "projects.project"
    municipality_id: int | None
    department_id: int | None = None
    plan_id: int | None = None
    locked_year: int | None = None

    @classmethod
    def of(cls, obj) -> Row:
        return cls(
            label=_label(obj),
            municipality_id=obj.owner_municipality_id,
            department_id=obj.owner_department_id,
            plan_id=obj.owner_plan_id,
            locked_year=obj.owner_locked_year,
        )


def decide(user, action: str, target) -> str | None:
    """``None`` when allowed, else the reason in Japanese.

    ``target`` is a model instance (one row), a ``Row``, a model class ("some rows of this
    kind?", for menus and list pages, narrowed per row by ``visible_q``/``editable_q``), or a
    Plan for the plan actions.
    """
    a = actor(user)
    if action in PLAN_ACTIONS:
        return _plan_decision(a, action, target)
    if isinstance(target, Row):
        label, row = target.label, target
    else:
        label = _label(target)
        row = None if isinstance(target, type) else target
    if action in SERVICE_ONLY.get(label, ()):
        return SERVICE_ONLY_TEXT
    if not a.authenticated:
        return NOT_SIGNED_IN
    if a.superuser:
        return None
    if not a.active or a.role is None:
        return NO_ROLE
    owned = isinstance(target, Row) or _is_owned(target)
    if not owned or action in SUPERUSER_ONLY.get(label, ()):
        return SUPERUSER_ONLY_TEXT
    if a.municipality_id is None:
        return OTHER_MUNICIPALITY
    if row is not None and not isinstance(row, Row):
        row = Row.of(row)
    if row is not None and row.municipality_id != a.municipality_id:
        return OTHER_MUNICIPALITY
    if action == VIEW or a.role == ADMIN_GROUP:
        return None
    if a.role == VIEWER_GROUP:
        return VIEW_ONLY
    # a department editor
    if action not in EDITOR_RIGHTS.get(label, ()):
        return DX_ONLY
    if row is None:
        return None
    if a.department_id is None or row.department_id != a.department_id:
        return OTHER_DEPARTMENT
    if row.locked_year is not None and _locked(row.plan_id, row.locked_year):
        from strategy import fiscal

        return f"{fiscal.long_label(row.locked_year)}は確定済みのため変更できません"
    return None


def field_refusal(user, label: str, fields, verbose=None) -> str | None:
    """Refuse a change to ``fields`` of a ``label`` row that the user's role may not make.
    ``verbose`` maps field names to what the message calls them."""
    a = actor(user)
    allowed = EDITOR_FIELDS.get(label)
    if not a.is_editor or a.superuser or allowed is None:
        return None
    refused = [f for f in fields if f not in allowed]
    if not refused:
        return None
    names = "、".join(str((verbose or {}).get(f, f)) for f in refused)
    return f"{names}は DX推進担当のみが変更できます"


def _plan_decision(a: Actor, action: str, plan) -> str | None:
    from django.conf import settings

    from strategy.models import Plan

    if action == READ:
        if plan.status == Plan.Status.PUBLISHED and (
            a.authenticated or settings.DXPLAN_PUBLIC_PLANS
        ):
            return None
        if a.superuser:
            return None
        if not a.authenticated:
            return NOT_SIGNED_IN
        if a.role and a.municipality_id == plan.municipality_id:
            return None
        return "下書きの計画は、その自治体の職員のみが閲覧できます"
    if not a.authenticated:
        return NOT_SIGNED_IN
    if a.superuser:
        return None
    if a.role is None:
        return NO_ROLE
    if a.municipality_id != plan.municipality_id:
        return OTHER_MUNICIPALITY
    if a.role == ADMIN_GROUP:
        return None
    if action in EDITOR_PLAN_ACTIONS and a.role == EDITOR_GROUP:
        if a.department_id is None:
            return "所属部局が設定されていません。管理者に連絡してください"
        return None
    return DX_ONLY if a.role == EDITOR_GROUP else VIEW_ONLY


def allows(user, action: str, target) -> bool:
    return decide(user, action, target) is None


def require(user, action: str, target) -> None:
    """Raise PermissionDenied with the reason unless allowed."""
    reason = decide(user, action, target)
    if reason is not None:
        raise PermissionDenied(reason)


def changed_fields(before, after) -> list[str]:
    """Names of the editable concrete fields whose values differ."""
    return [
        f.name
        for f in type(after)._meta.concrete_fields
        if f.editable
        and not f.primary_key
        and getattr(before, f.attname) != getattr(after, f.attname)
    ]


def write_refusal(user, obj, *, delete: bool = False) -> str | None:
    """Judge saving (or deleting) ``obj`` on the row as stored *and* as it would be saved."""
    model = type(obj)
    before = model._base_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
    if delete:
        return decide(user, DELETE, before or obj)
    if before is None:
        return decide(user, ADD, obj)
    reason = decide(user, CHANGE, before) or decide(user, CHANGE, obj)
    if reason:
        return reason
    opts = model._meta
    return field_refusal(
        user,
        opts.label_lower,
        changed_fields(before, obj),
        {f.name: f.verbose_name for f in opts.concrete_fields},
    )


def require_write(user, obj, *, delete: bool = False) -> None:
    reason = write_refusal(user, obj, delete=delete)
    if reason is not None:
        raise PermissionDenied(reason)


def visible_q(user, model) -> Q:
    """The rows of ``model`` the user may see in the admin."""
    a = actor(user)
    if a.superuser:
        return Q()
    if decide(user, VIEW, model) is not None:
        return Q(pk__in=[])
    return model.ownership.municipality_q(a.municipality_id)


def editable_q(user, model, action: str = CHANGE) -> Q:
    """The rows of ``model`` the user may change (``action``), confirmed years aside."""
    a = actor(user)
    if a.superuser:
        return Q()
    if decide(user, action, model) is not None:
        return Q(pk__in=[])
    q = model.ownership.municipality_q(a.municipality_id)
    if a.is_editor:
        q &= model.ownership.department_q(a.department_id)
    return q


def readable_plans(user, queryset=None):
    """Plans whose pages ``user`` may read."""
    from django.conf import settings

    from strategy.models import Plan

    qs = Plan.objects.all() if queryset is None else queryset
    a = actor(user)
    if a.superuser:
        return qs
    published = Q(status=Plan.Status.PUBLISHED)
    if not a.authenticated:
        return qs.filter(published) if settings.DXPLAN_PUBLIC_PLANS else qs.none()
    if a.role and a.municipality_id is not None:
        return qs.filter(published | Q(municipality_id=a.municipality_id))
    return qs.filter(published)


def plans_for(user, action: str, queryset=None):
    """Plans on which ``user`` may do the plan action ``action`` (READ: readable_plans)."""
    from strategy.models import Plan

    if action == READ:
        return readable_plans(user, queryset)
    qs = Plan.objects.all() if queryset is None else queryset
    a = actor(user)
    if a.superuser:
        return qs
    if not anywhere(user, action):
        return qs.none()
    return qs.filter(municipality_id=a.municipality_id)


def anywhere(user, action: str) -> bool:
    """May ``user`` do the plan action on some plan (the menus)? Roles act on their own
    municipality's plans, so one of those stands for all."""
    from strategy.models import Plan

    a = actor(user)
    if a.superuser:
        return True
    if a.municipality_id is None:
        return action == READ
    probe = Plan(municipality_id=a.municipality_id, status=Plan.Status.DRAFT)
    return decide(user, action, probe) is None


def locked_years(user, plan) -> set[int]:
    """Years of ``plan`` whose values ``user`` may not change (none for the DX division)."""
    from kpis.models import ConfirmedYear

    if actor(user).is_dx_admin:
        return set()
    return ConfirmedYear.objects.years_of(plan)
