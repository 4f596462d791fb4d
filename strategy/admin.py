from django import forms
from django.contrib import admin
from django.db.models import Count

from strategy import fiscal, policy
from strategy.admin_links import children_link
from strategy.admin_policy import (
    PolicyAdmin,
    PolicyStackedInline,
    PolicyTabularInline,
)
from strategy.models import (
    Challenge,
    ChallengeGoal,
    Department,
    Field,
    IssueYearText,
    Municipality,
    Plan,
    PriorityIssue,
    StaffMember,
    Step,
)


@admin.register(Municipality)
class MunicipalityAdmin(PolicyAdmin):
    list_display = ["code", "name", "plans_link", "departments_link"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_plans=Count("plans", distinct=True),
                n_departments=Count("departments", distinct=True),
            )
        )

    @admin.display(description="計画")
    def plans_link(self, obj):
        return children_link(
            "strategy.plan", "municipality__id__exact", obj.pk, "計画", obj.n_plans
        )

    @admin.display(description="部局")
    def departments_link(self, obj):
        return children_link(
            "strategy.department", "municipality__id__exact", obj.pk, "部局", obj.n_departments
        )


@admin.register(Department)
class DepartmentAdmin(PolicyAdmin):
    list_display = ["name", "municipality", "projects_link"]
    list_filter = ["municipality"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("municipality")
            .annotate(n_projects=Count("projects"))
        )

    @admin.display(description="プロジェクト")
    def projects_link(self, obj):
        return children_link(
            "projects.project", "department__id__exact", obj.pk, "プロジェクト", obj.n_projects
        )


class FieldInline(PolicyTabularInline):
    model = Field
    extra = 0


class PlanAdmin(PolicyAdmin):
    list_display = [
        "title",
        "slug",
        "municipality",
        "period",
        "report",
        "status",
        "issues_link",
        "projects_link",
        "actuals_link",
    ]
    list_filter = ["municipality", "status"]
    search_fields = ["title", "slug", "municipality__name"]
    autocomplete_fields = ["municipality", "previous_edition"]
    inlines = [FieldInline]
    fieldsets = [
        (None, {"fields": ["municipality", "title", "slug", "status", "previous_edition"]}),
        (
            "年度",
            {
                "fields": [
                    "baseline_year",
                    "start_year",
                    "end_year",
                    "report_year",
                    "planned_as_of",
                    "actual_as_of",
                ],
                "description": "年度は西暦の開始年で入力します（令和7年度 = 2025）。",
            },
        ),
        (
            "階層の表示名",
            {
                "fields": [
                    "label_field",
                    "label_issue",
                    "label_challenge",
                    "label_step",
                    "label_project",
                    "label_kpi",
                    "label_activity",
                ],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("municipality")
            .annotate(
                n_issues=Count("issues", distinct=True), n_projects=Count("projects", distinct=True)
            )
        )

    @admin.display(description="計画期間")
    def period(self, obj):
        return f"{fiscal.short_label(obj.start_year)}～{fiscal.short_label(obj.end_year)}"

    @admin.display(description="報告年度", ordering="report_year")
    def report(self, obj):
        return fiscal.long_label(obj.report_year)

    @admin.display(description="重点課題")
    def issues_link(self, obj):
        return children_link(
            "strategy.priorityissue", "plan__id__exact", obj.pk, "重点課題", obj.n_issues
        )

    @admin.display(description="プロジェクト")
    def projects_link(self, obj):
        return children_link(
            "projects.project", "plan__id__exact", obj.pk, "プロジェクト", obj.n_projects
        )

    @admin.display(description="実績入力")
    def actuals_link(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        url = reverse("kpis:actuals-entry")
        return format_html('<a href="{}?plan={}">実績を入力</a>', url, obj.slug)


@admin.register(Field)
class FieldAdmin(PolicyAdmin):
    list_display = ["__str__", "plan", "issues_link"]
    list_filter = ["plan"]
    search_fields = ["name", "plan__title"]
    autocomplete_fields = ["plan"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan").annotate(n=Count("issues"))

    @admin.display(description="重点課題")
    def issues_link(self, obj):
        return children_link(
            "strategy.priorityissue", "field__id__exact", obj.pk, "重点課題", obj.n
        )


class ChallengeInline(PolicyStackedInline):
    model = Challenge
    extra = 0
    fields = ["number", "title", "target_title", "target_text"]
    show_change_link = True


class IssueYearTextInline(PolicyStackedInline):
    model = IssueYearText
    extra = 0


@admin.register(PriorityIssue)
class PriorityIssueAdmin(PolicyAdmin):
    list_display = [
        "__str__",
        "field",
        "kind",
        "category",
        "department",
        "plan",
        "challenges_link",
        "projects_link",
    ]
    list_filter = ["plan", "field__name", "kind", "category", "department"]
    search_fields = ["title", "category"]
    autocomplete_fields = ["plan", "field", "department"]
    inlines = [ChallengeInline, IssueYearTextInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("plan", "field", "department")
            .annotate(
                n_challenges=Count("challenges", distinct=True),
                n_projects=Count("projects", distinct=True),
            )
        )

    @admin.display(description="課題")
    def challenges_link(self, obj):
        return children_link(
            "strategy.challenge", "issue__id__exact", obj.pk, "課題", obj.n_challenges
        )

    @admin.display(description="プロジェクト")
    def projects_link(self, obj):
        return children_link(
            "projects.project", "issue__id__exact", obj.pk, "プロジェクト", obj.n_projects
        )


class StepInline(PolicyTabularInline):
    model = Step
    extra = 0
    fields = ["code", "title"]


class ChallengeGoalInline(PolicyStackedInline):
    model = ChallengeGoal
    extra = 0


@admin.register(Challenge)
class ChallengeAdmin(PolicyAdmin):
    list_display = ["__str__", "issue", "steps_link", "kpis_link"]
    list_filter = ["issue__plan", "issue__field__name", "issue__category"]
    search_fields = ["title", "issue__title", "issue__category"]
    autocomplete_fields = ["issue"]
    inlines = [StepInline, ChallengeGoalInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("issue__field")
            .annotate(n_steps=Count("steps", distinct=True), n_kpis=Count("kpis", distinct=True))
        )

    @admin.display(description="ステップ")
    def steps_link(self, obj):
        return children_link(
            "strategy.step", "challenge__id__exact", obj.pk, "ステップ", obj.n_steps
        )

    @admin.display(description="KPI")
    def kpis_link(self, obj):
        return children_link("kpis.indicator", "challenge__id__exact", obj.pk, "KPI", obj.n_kpis)


@admin.register(Step)
class StepAdmin(PolicyAdmin):
    list_display = ["code", "title", "challenge", "issue", "projects_link"]
    list_filter = ["challenge__issue__plan", "challenge__issue__category"]
    search_fields = ["code", "title", "challenge__issue__category"]
    autocomplete_fields = ["challenge"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("challenge__issue")
            .annotate(n_projects=Count("projects"))
        )

    @admin.display(description="重点課題")
    def issue(self, obj):
        return obj.challenge.issue

    @admin.display(description="プロジェクト")
    def projects_link(self, obj):
        return children_link(
            "projects.project", "steps__id__exact", obj.pk, "プロジェクト", obj.n_projects
        )


@admin.register(IssueYearText)
class IssueYearTextAdmin(PolicyAdmin):
    list_display = ["issue", "year"]
    list_filter = ["issue__plan", "fiscal_year"]
    search_fields = ["issue__title", "issue__category", "goal_summary", "business_summary"]
    autocomplete_fields = ["issue"]

    @admin.display(description="年度", ordering="fiscal_year")
    def year(self, obj):
        return fiscal.long_label(obj.fiscal_year)


@admin.register(ChallengeGoal)
class ChallengeGoalAdmin(PolicyAdmin):
    list_display = ["challenge", "year"]
    list_filter = ["challenge__issue__plan", "fiscal_year"]
    search_fields = ["challenge__title", "text"]
    autocomplete_fields = ["challenge"]

    @admin.display(description="年度", ordering="fiscal_year")
    def year(self, obj):
        return fiscal.long_label(obj.fiscal_year)


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(label="Excel ブック（.xlsx）")

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if upload.size > settings.DXPLAN_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"ファイルが大きすぎます（上限 {settings.DXPLAN_IMPORT_MAX_BYTES:,} バイト）"
            )
        return upload


def _plan_admin_urls(admin_view, model_admin):
    from django.urls import path

    return [
        path(
            "<int:pk>/workbook/export/",
            admin_view(model_admin.workbook_export_view),
            name="strategy_plan_workbook_export",
        ),
        path(
            "<int:pk>/workbook/import/",
            admin_view(model_admin.workbook_import_view),
            name="strategy_plan_workbook_import",
        ),
    ]


class PlanWorkbookMixin:
    """Export, and import with a preview that applies only on confirmation."""

    change_form_template = "admin/strategy/plan/change_form.html"
    actions = ["export_workbook", "start_next_edition"]

    def get_urls(self):
        return _plan_admin_urls(self.admin_site.admin_view, self) + super().get_urls()

    @admin.action(description="選択した計画を Excel ブックに書き出す（1件）", permissions=["view"])
    def export_workbook(self, request, queryset):
        from django.shortcuts import redirect

        if queryset.count() != 1:
            self.message_user(request, "書き出す計画を 1 件だけ選んでください。", level="error")
            return None
        return redirect("admin:strategy_plan_workbook_export", pk=queryset.get().pk)

    @admin.action(
        description="選択した計画から次年度の版を作成する", permissions=[policy.EDITION_START]
    )
    def start_next_edition(self, request, queryset):
        from strategy.editions import EditionError, edition_start

        for plan in queryset:
            try:
                edition = edition_start(
                    plan=plan, fiscal_year=plan.report_year + 1, user=request.user
                )
            except EditionError as exc:
                self.message_user(request, f"{plan.slug}: {exc}", level="error")
            else:
                self.message_user(
                    request, f"{edition.slug}（{edition.title}）を下書きで作成しました。"
                )

    def workbook_export_view(self, request, pk):
        from django.http import HttpResponse

        from reports.workbook.export import workbook_export

        plan = self._plan_for(request, pk, policy.READ)
        response = HttpResponse(
            workbook_export(plan),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{plan.slug}.xlsx"'
        return response

    def _plan_for(self, request, pk, action):
        from django.http import Http404

        plan = self.get_object(request, str(pk))
        if plan is None:
            raise Http404("計画が見つかりません")
        policy.require(request.user, action, plan)
        return plan

    def workbook_import_view(self, request, pk):
        from django.contrib import messages
        from django.shortcuts import redirect
        from django.template.response import TemplateResponse

        from reports.workbook import uploads
        from reports.workbook.importer import WorkbookError, workbook_import

        plan = self._plan_for(request, pk, policy.WORKBOOK_IMPORT)  # rows: per row
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": plan,
            "plan": plan,
            "title": f"Excel ブックの取り込み — {plan.title}",
            "form": WorkbookUploadForm(),
        }
        if request.method == "POST" and "confirm" in request.POST:
            token = request.POST.get("token", "")
            try:
                content = uploads.upload_load(token)
            except FileNotFoundError:
                messages.error(
                    request, "取り込むファイルが見つかりません。もう一度アップロードしてください。"
                )
                return redirect("admin:strategy_plan_workbook_import", pk=plan.pk)
            try:
                preview = workbook_import(content, plan=plan, dry_run=True, user=request.user)
            except WorkbookError as exc:
                context["errors"] = exc.errors
                return TemplateResponse(
                    request, "admin/strategy/plan/workbook_import.html", context, status=400
                )
            if uploads.diff_digest(preview.diff) != request.POST.get("digest"):
                messages.warning(
                    request,
                    "プレビューの後にデータが変わりました。変更内容を確認し直してください。",
                )
                context.update(
                    preview=preview, token=token, digest=uploads.diff_digest(preview.diff)
                )
                return TemplateResponse(
                    request, "admin/strategy/plan/workbook_import.html", context
                )
            result = workbook_import(content, plan=plan, user=request.user)
            uploads.upload_discard(token)
            messages.success(
                request, f"取り込みました: {result.diff.total} 件の変更を反映しました。"
            )
            return redirect("admin:strategy_plan_change", plan.pk)
        if request.method == "POST":
            form = WorkbookUploadForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                content = form.cleaned_data["file"].read()
                try:
                    preview = workbook_import(content, plan=plan, dry_run=True, user=request.user)
                except WorkbookError as exc:
                    context["errors"] = exc.errors
                    return TemplateResponse(
                        request, "admin/strategy/plan/workbook_import.html", context, status=400
                    )
                token = uploads.upload_store(content, user_id=request.user.pk, plan_id=plan.pk)
                context.update(
                    preview=preview, token=token, digest=uploads.diff_digest(preview.diff)
                )
        return TemplateResponse(request, "admin/strategy/plan/workbook_import.html", context)


@admin.register(Plan)
class PlanWithWorkbookAdmin(PlanWorkbookMixin, PlanAdmin):
    pass


@admin.register(StaffMember)
class StaffMemberAdmin(PolicyAdmin):
    list_display = ["user", "municipality", "department"]
    list_filter = ["municipality", "department"]
    search_fields = ["user__username", "department__name"]
    autocomplete_fields = ["municipality", "department"]
    raw_id_fields = ["user"]


def _withdraw_broken_library_actions():
    """django-axes' 「cleanup expired attempts」 reads request.axes_attempt_time, which only
    its login handler sets: from the admin it answers HTTP 500 (found by the generated access
    test). Expired attempts are cleaned by axes at login time anyway."""
    from axes.admin import AccessAttemptAdmin

    AccessAttemptAdmin.actions = []


_withdraw_broken_library_actions()
