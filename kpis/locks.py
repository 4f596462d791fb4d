"""Confirmed years (確定): administrators confirm and reopen; editors cannot change them."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from kpis.models import ConfirmedYear
from strategy import fiscal, roles


def locked_years_for(user, plan) -> set[int]:
    """Years of ``plan`` whose values ``user`` may not change (none for administrators)."""
    if roles.is_dx_admin(user):
        return set()
    return ConfirmedYear.objects.years_of(plan)


@transaction.atomic
def year_confirm(*, plan, fiscal_year: int, user) -> ConfirmedYear:
    if not roles.is_dx_admin(user):
        raise PermissionDenied("年度の確定は DX推進担当のみが行えます")
    if fiscal_year not in plan.value_years:
        raise ValueError(f"{fiscal.short_label(fiscal_year)} は計画の年度範囲外です")
    obj, _ = ConfirmedYear.objects.get_or_create(
        plan=plan, fiscal_year=fiscal_year, defaults={"confirmed_by": user}
    )
    return obj


@transaction.atomic
def year_reopen(*, plan, fiscal_year: int, user, reason: str) -> None:
    if not roles.is_dx_admin(user):
        raise PermissionDenied("確定の解除は DX推進担当のみが行えます")
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("確定を解除する理由を入力してください")
    obj = ConfirmedYear.objects.filter(plan=plan, fiscal_year=fiscal_year).first()
    if obj is None:
        raise ValueError(f"{fiscal.long_label(fiscal_year)}は確定されていません")
    obj._change_reason = reason  # kept in the history row with who and when
    obj._history_user = user
    obj.delete()
