from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from kpis.models import Indicator
from kpis.services import ActualsRejected, actuals_save
from strategy import fiscal
from strategy.models import Department, Plan


def _default_year(plan: Plan) -> int:
    # Each spring staff enter the fiscal year that has just ended.
    year = fiscal.current_fiscal_year() - 1
    return min(max(year, plan.baseline_year), plan.end_year)


@login_required
@permission_required("kpis.change_indicatorvalue", raise_exception=True)
def actuals_entry(request):
    plans = list(Plan.objects.select_related("municipality"))
    if not plans:
        return render(request, "kpis/actuals_entry.html", {"plans": plans})
    slug = request.GET.get("plan") or plans[0].slug
    plan = get_object_or_404(Plan.objects.select_related("municipality"), slug=slug)
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
        try:
            changed = actuals_save(indicators=indicators, fiscal_year=year, raw_by_id=typed)
        except ActualsRejected as exc:
            errors = {e.indicator.pk: e.message for e in exc.errors}
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
                "planned": current.planned if current else "",
                "previous_actual": previous.actual if previous else "",
                "actual": typed.get(indicator.pk, current.actual if current else ""),
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
    }
    return render(request, "kpis/actuals_entry.html", context, status=400 if errors else 200)
