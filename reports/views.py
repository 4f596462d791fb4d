"""Report pages and dashboards. Each view: find the readable plan, call one data function,
render. The data functions (reports/pages.py, reports/dashboard.py) own the queries."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from interchange.consistency import plan_warnings
from interchange.editions import edition_compare
from interchange.plandata import plan_data
from interchange.workbook.export import workbook_response
from reports import layouts, overview, pages
from reports.dashboard import department_page as department_data
from reports.dashboard import plan_dashboard
from reports.history import plan_changes
from reports.pdf import pdf_response, render_report_pdf
from reports.project_table import project_table_page
from strategy import fiscal
from strategy.models import Department, Plan


def _plan(request, slug: str) -> Plan:
    return get_object_or_404(
        Plan.objects.readable_by(request.user).select_related("municipality"), slug=slug
    )


def _year(request, plan: Plan) -> int | None:
    try:
        year = fiscal.parse_year(request.GET["year"]) if request.GET.get("year") else None
    except ValueError:
        return None
    return year if year in plan.value_years else None


def plan_list(request):
    plans = Plan.objects.readable_by(request.user).select_related("municipality")
    return render(request, "reports/plan_list.html", {"plans": plans})


def plan_dashboard_view(request, slug):
    plan = _plan(request, slug)
    context = {"plan": plan, **plan_dashboard(plan, _year(request, plan))}
    context["departments"] = Department.objects.filter(municipality=plan.municipality)
    return render(request, "reports/dashboard.html", context)


def issue_page(request, slug, code, page):
    """One page of a priority issue, as the plan's layout cuts it (reports/layouts.py)."""
    plan = _plan(request, slug)
    layout = layouts.of(plan)
    issue_page = layout.page(page)
    if issue_page is None:  # a page of another layout (old link): this layout's first page
        return redirect("reports:issue-page", plan.slug, code, layout.first_page.slug)
    issues = list(pages.issues_of(plan, code))
    if not issues:
        raise Http404("該当するページがありません")
    report = pages.issue_reports(plan, issues, issue_page.parts)[0]
    context = {
        "plan": plan,
        "report": report,
        "page": issue_page.slug,
        "page_template": issue_page.template,
        "page_title": issue_page.title_for(plan),
        "show_as_of": issue_page.show_as_of,
        "areas": overview.areas(plan) if layout.vision_heading else [],
    }
    return render(request, "reports/issue_page.html", context)


def plan_overview(request, slug):
    """The plan's tree (DX戦略の全体像 / 施策体系) with counts and links to every page."""
    plan = _plan(request, slug)
    return render(request, "reports/overview.html", {"plan": plan, **overview.plan_overview(plan)})


def project_table(request, slug):
    plan = _plan(request, slug)
    context = {"plan": plan, **project_table_page(plan, request.GET)}
    return render(request, "reports/project_table.html", context)


def department_view(request, slug, department_id):
    plan = _plan(request, slug)
    department = get_object_or_404(Department, pk=department_id, municipality=plan.municipality)
    context = {"plan": plan, "department": department}
    context.update(department_data(plan, department, _year(request, plan)))
    return render(request, "reports/department.html", context)


def whole_report(request, slug):
    plan = _plan(request, slug)
    print_mode = request.GET.get("print") == "1"
    context = {"plan": plan, "print_mode": print_mode, **pages.whole_report(plan)}
    return render(request, "reports/report.html", context)


def plan_compare(request, slug):
    """新旧対照表: this edition against another (default: the edition it was copied from)."""
    plan = _plan(request, slug)
    others = (
        Plan.objects.readable_by(request.user)
        .filter(municipality=plan.municipality)
        .exclude(pk=plan.pk)
    )
    other_slug = request.GET.get("with") or getattr(plan.previous_edition, "slug", None)
    old = get_object_or_404(others, slug=other_slug) if other_slug else None
    diff = edition_compare(old, plan) if old else None
    context = {
        "plan": plan,
        "old": old,
        "others": others,
        "diff": diff,
        "sections": pages.comparison_sections(diff) if diff else [],
    }
    return render(request, "reports/compare.html", context)


@login_required
def plan_history(request, slug):
    """変更履歴: every change to the plan's data since a date (default: 30 days ago)."""
    plan = _plan(request, slug)
    try:
        since = dt.date.fromisoformat(request.GET["since"]) if request.GET.get("since") else None
    except ValueError:
        since = None
    since = since or (timezone.localdate() - dt.timedelta(days=30))
    context = {"plan": plan, "since": since, "rows": plan_changes(plan, since)}
    return render(request, "reports/history.html", context)


def plan_warnings_page(request, slug):
    """整合性の確認: what looks inconsistent inside the plan (nothing is refused)."""
    plan = _plan(request, slug)
    context = {"plan": plan, "warnings": plan_warnings(plan_data(plan), plan)}
    return render(request, "reports/warnings.html", context)


def plan_export(request, slug):
    """The whole plan as a workbook: .xlsx, or .ods with ?format=ods — for whoever may read
    the plan (a published plan: anyone, as its pages; it holds nothing they do not show).
    Signed-out readers get it from the page cache until the plan changes."""
    return workbook_response(_plan(request, slug), request.GET.get("format", "xlsx"))


def report_pdf(request, slug):
    """The whole report as PDF, for whoever may read the plan (published: anyone). Printed
    once per plan revision and kept; while it is being printed, a 「作成中」 page that
    reloads itself (reports/pdf.py)."""
    return pdf_response(request, _plan(request, slug), print_pdf=render_report_pdf)
