"""Plan editions: each spring the next year's edition starts as a copy of the current one."""

import datetime as dt
import re

from django.db import transaction

from interchange.plandata import PlanDiff, plan_apply, plan_data, plan_diff
from strategy import fiscal
from strategy.models import Plan


class EditionError(ValueError):
    pass


def _shift(day: dt.date | None, years: int) -> dt.date | None:
    return None if day is None else day.replace(year=day.year + years)


def next_slug(plan: Plan, fiscal_year: int) -> str:
    label = fiscal.short_label(fiscal_year).lower()
    if re.search(r"-r\d+$", plan.slug):
        return re.sub(r"-r\d+$", f"-{label}", plan.slug)
    return f"{plan.slug}-{label}"


@transaction.atomic
def edition_start(*, plan: Plan, fiscal_year: int, user=None) -> Plan:
    """Copy ``plan`` with everything in it into a draft edition reporting on ``fiscal_year``.

    The old edition is left untouched. The as-of dates move on by the same number of years
    (予定：R5.4 → R6.4); the title's 「R7」 becomes 「R8」. With a ``user`` (every request
    path), the policy must allow them to start editions of this plan.
    """
    if user is not None:
        from strategy import policy

        policy.require(user, policy.EDITION_START, plan)
    if fiscal_year <= plan.report_year:
        raise EditionError(
            f"新しい版の報告年度は {fiscal.long_label(plan.report_year)} より後にしてください"
        )
    if fiscal_year > plan.end_year:
        raise EditionError(
            f"{fiscal.long_label(fiscal_year)} は計画期間（{plan.period_label}）の外です"
        )
    slug = next_slug(plan, fiscal_year)
    if Plan.objects.filter(slug=slug).exists():
        raise EditionError(f"計画「{slug}」はすでにあります")
    years = fiscal_year - plan.report_year
    old_label, new_label = fiscal.short_label(plan.report_year), fiscal.short_label(fiscal_year)
    data = plan_data(plan)
    data.plan.update(
        title=plan.title.replace(old_label, new_label),
        report_year=fiscal_year,
        planned_as_of=_shift(plan.planned_as_of, years),
        actual_as_of=_shift(plan.actual_as_of, years),
        status=Plan.Status.DRAFT,
    )
    edition = Plan(municipality=plan.municipality, slug=slug, previous_edition=plan, **data.plan)
    edition.full_clean()
    edition.save()
    plan_apply(plan=edition, data=data)
    return edition


def edition_compare(old: Plan, new: Plan) -> PlanDiff:
    """What changed from one edition to another (the 新旧対照表), matched by codes."""
    return plan_diff(plan_data(old), plan_data(new))
