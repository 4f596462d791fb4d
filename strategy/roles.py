"""Who may change what: DX division administrators, department editors and viewers.

The one place that answers "may this user change this object?". django-rules predicates
(strategy/rules.py) are built from these functions, and the services, the admin, the
actuals screen and the imports all ask through them.
"""

ADMIN_GROUP = "DX推進担当"
EDITOR_GROUP = "部局編集者"
VIEWER_GROUP = "閲覧者"


def _groups(user) -> set[str]:
    cached = getattr(user, "_dx_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
        user._dx_groups = cached
    return cached


def is_dx_admin(user) -> bool:
    return bool(user and user.is_active and (user.is_superuser or ADMIN_GROUP in _groups(user)))


def is_editor(user) -> bool:
    return bool(user and user.is_active and EDITOR_GROUP in _groups(user))


def department_id_of(user) -> int | None:
    if not (user and user.is_authenticated):
        return None
    cached = getattr(user, "_dx_department_id", False)
    if cached is False:
        from strategy.models import StaffMember

        cached = (
            StaffMember.objects.filter(user=user).values_list("department_id", flat=True).first()
        )
        user._dx_department_id = cached
    return cached


def owner_department_id(obj) -> int | None:
    """The department that owns a project, phase, indicator, value or evaluation."""
    from kpis.models import Indicator, IndicatorEvaluation, IndicatorValue
    from projects.models import Project, ProjectPhase

    if isinstance(obj, Project):
        return obj.department_id
    if isinstance(obj, ProjectPhase):
        return obj.project.department_id
    if isinstance(obj, IndicatorValue | IndicatorEvaluation):
        obj = obj.indicator
    if isinstance(obj, Indicator):
        if obj.project_id:
            return obj.project.department_id
        return obj.challenge.issue.department_id
    return None


def can_edit(user, obj) -> bool:
    """Administrators edit everything; editors only what their own department owns."""
    if is_dx_admin(user):
        return True
    if not is_editor(user):
        return False
    own = department_id_of(user)
    return own is not None and owner_department_id(obj) == own


def editable_filter(user, prefix: str):
    """A Q limiting a queryset to the rows ``user`` may edit; ``prefix`` leads to the indicator
    (e.g. "indicator__") or is "" for indicators themselves; use project_q for projects."""
    from django.db.models import Q

    if is_dx_admin(user):
        return Q()
    own = department_id_of(user)
    if not is_editor(user) or own is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}project__department_id": own}) | Q(
        **{f"{prefix}challenge__issue__department_id": own}
    )


def project_filter(user, prefix: str = ""):
    from django.db.models import Q

    if is_dx_admin(user):
        return Q()
    own = department_id_of(user)
    if not is_editor(user) or own is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}department_id": own})
