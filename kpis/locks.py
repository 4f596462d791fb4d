"""Confirmed years (確定): administrators confirm and reopen; editors cannot change them."""

from django.db import transaction

from kpis.models import ConfirmedYear
from strategy import fiscal, policy

locked_years_for = policy.locked_years


@transaction.atomic
def year_confirm(*, plan, fiscal_year: int, user) -> ConfirmedYear:
    policy.require(user, policy.CONFIRM, plan)
    if fiscal_year not in plan.value_years:
        raise ValueError(f"{fiscal.short_label(fiscal_year)} は計画の年度範囲外です")
    obj, _ = ConfirmedYear.objects.get_or_create(
        plan=plan, fiscal_year=fiscal_year, defaults={"confirmed_by": user}
    )
    return obj


@transaction.atomic
def year_reopen(*, plan, fiscal_year: int, user, reason: str) -> None:
    policy.require(user, policy.REOPEN, plan)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("確定を解除する理由を入力してください")
    obj = ConfirmedYear.objects.filter(plan=plan, fiscal_year=fiscal_year).first()
    if obj is None:
        raise ValueError(f"{fiscal.long_label(fiscal_year)}は確定されていません")
    obj._change_reason = reason  # kept in the history row with who and when
    obj._history_user = user
    obj.delete()
