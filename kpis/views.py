from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kpis.locks import year_confirm, year_reopen
from kpis.models import ConfirmedYear, Indicator
from kpis.services import ActualsRejected, actuals_save
from strategy import fiscal, policy
from strategy.models import Department, Plan


def _default_year(plan: Plan) -> int:
    # Each spring staff enter the fiscal year that has just ended.
    year = fiscal.current_fiscal_year() - 1
    return min(max(year, plan.baseline_year), plan.end_year)


@login_required
def actuals_entry(request):
    if not request.user.has_perm(f"strategy.plan_{policy.ACTUALS_ENTRY}"):
        raise PermissionDenied("実績を入力する権限がありません")
    plans = list(
        policy.plans_for(request.user, policy.ACTUALS_ENTRY).select_related("municipality")
    )
    if not plans:
        return render(request, "kpis/actuals_entry.html", {"plans": plans})
    slug = request.GET.get("plan") or plans[0].slug
    plan = next((p for p in plans if p.slug == slug), None)
    if plan is None:
        raise Http404("計画が見つかりません")
    policy.require(request.user, policy.ACTUALS_ENTRY, plan)
    try:
        year = (
            fiscal.parse_year(request.GET["year"])
            if request.GET.get("year")
            else _default_year(plan)
        )
    except ValueError:
        year = _default_year(plan)
    if year not in plan.value_years:
        year = _default_year(plan)
    departments = list(Department.objects.filter(municipality=plan.municipality))
    department = next((d for d in departments if str(d.pk) == request.GET.get("department")), None)
    if not policy.actor(request.user).is_dx_admin:
        # Department editors see and save their own department's indicators only.
        own = policy.actor(request.user).department_id
        departments = [d for d in departments if d.pk == own]
        department = departments[0] if departments else None
        if department is None:
            raise PermissionDenied("所属部局が設定されていません。管理者に連絡してください。")
    only_missing = request.GET.get("missing") == "1"
    indicators = list(Indicator.objects.for_actuals_entry(plan, department))

    typed: dict[int, str] = {}
    errors: dict[int, str] = {}
    if request.method == "POST":
        typed = {
            i.pk: request.POST[f"actual-{i.pk}"]
            for i in indicators
            if f"actual-{i.pk}" in request.POST
        }
        # Always a dict (a form save): a stored value changed without its version is refused.
        versions = {
            i.pk: request.POST[f"version-{i.pk}"]
            for i in indicators
            if f"version-{i.pk}" in request.POST
        }
        try:
            changed = actuals_save(
                indicators=indicators,
                fiscal_year=year,
                raw_by_id=typed,
                user=request.user,
                versions=versions,
            )
        except ActualsRejected as exc:
            errors = {e.indicator.pk: e.message for e in exc.errors}
            # Show the rows as stored now (another editor may have saved while this request
            # waited for the lock), with their current versions.
            indicators = list(Indicator.objects.for_actuals_entry(plan, department))
            messages.error(
                request,
                "保存しませんでした。次の指標の入力を直してください: "
                + "、".join(str(e) for e in exc.errors),
            )
        else:
            messages.success(
                request, f"{fiscal.long_label(year)}の実績を保存しました（{changed}件変更）。"
            )
            return redirect(request.get_full_path())

    rows = []
    for indicator in indicators:
        values = indicator.values_by_year()
        current, previous = values.get(year), values.get(year - 1)
        missing = indicator.actual_missing(year)
        if only_missing and not missing and indicator.pk not in errors:
            continue
        rows.append(
            {
                "indicator": indicator,
                "planned": current.planned
                if current and not current.is_empty
                else indicator.target_summary,
                "previous_actual": previous.actual if previous else "",
                "actual": typed.get(indicator.pk, current.actual if current else ""),
                "version": current.version if current else 0,
                "missing": missing,
                "error": errors.get(indicator.pk),
            }
        )
    context = {
        "plans": plans,
        "plan": plan,
        "year": year,
        "year_label": fiscal.long_label(year),
        "year_choices": [(y, fiscal.long_label(y)) for y in plan.value_years],
        "departments": departments,
        "department": department,
        "only_missing": only_missing,
        "rows": rows,
        "missing_count": sum(1 for i in indicators if i.actual_missing(year)),
        "total_count": len(indicators),
        "action": reverse("kpis:actuals-entry"),
        "confirmed": ConfirmedYear.objects.filter(plan=plan, fiscal_year=year).first(),
        "is_dx_admin": policy.actor(request.user).is_dx_admin,
    }
    return render(request, "kpis/actuals_entry.html", context, status=400 if errors else 200)


@login_required
@require_POST
def year_confirmation(request, slug, year, action):
    """Confirm (確定) or reopen a fiscal year's actuals; administrators only."""
    plan = get_object_or_404(Plan, slug=slug)
    try:
        if action == "confirm":
            year_confirm(plan=plan, fiscal_year=year, user=request.user)
            messages.success(request, f"{fiscal.long_label(year)}の実績を確定しました。")
        else:
            year_reopen(
                plan=plan,
                fiscal_year=year,
                user=request.user,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, f"{fiscal.long_label(year)}の確定を解除しました。")
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect(f"{reverse('kpis:actuals-entry')}?plan={plan.slug}&year={year}")
