"""The annual update in the admin: the plan's workbook export and import (with a preview
that applies only on confirmation), the next edition as an action, and django-import-export
on projects, indicators and yearly values.

The model apps register their ModelAdmins without any of this; here each is replaced by a
subclass that adds it (registered after them: this app comes later in INSTALLED_APPS), so
nothing in strategy/, projects/ or kpis/ imports the interchange app.
"""

from django import forms
from django.contrib import admin
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from interchange.resources import IndicatorResource, IndicatorValueResource, ProjectResource
from interchange.spreadsheet import UserScopedAdminMixin
from kpis.models import Indicator, IndicatorValue
from projects.models import Project
from strategy import policy
from strategy.models import Plan


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label="ブック（.xlsx または .ods）",
        help_text="Excel・LibreOffice Calc・Google スプレッドシートで保存したもの",
    )

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
        from interchange.editions import EditionError, edition_start

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
        from interchange.workbook.export import workbook_response

        plan = self._plan_for(request, pk, policy.READ)
        return workbook_response(plan, request.GET.get("format", "xlsx"))

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

        from interchange.services import PreviewOutdated, plan_import
        from interchange.workbook import uploads
        from interchange.workbook.importer import WorkbookError

        plan = self._plan_for(request, pk, policy.WORKBOOK_IMPORT)  # rows: per row
        template = "admin/strategy/plan/workbook_import.html"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": plan,
            "plan": plan,
            "title": f"ブックの取り込み — {plan.title}",
            "form": WorkbookUploadForm(),
        }

        def show(result, token):
            context.update(
                preview=result,
                token=token,
                digest=uploads.diff_digest(result.diff),
                warnings=_warnings(result),
            )
            return TemplateResponse(request, template, context)

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
                result = plan_import(
                    plan=plan,
                    data=content,
                    user=request.user,
                    dry_run=False,
                    expect_digest=request.POST.get("digest", ""),
                )
            except WorkbookError as exc:
                context["errors"] = exc.errors
                return TemplateResponse(request, template, context, status=400)
            except PreviewOutdated as outdated:
                messages.warning(
                    request,
                    "プレビューの後にデータが変わりました。変更内容を確認し直してください。",
                )
                return show(outdated.result, token)
            uploads.upload_discard(token)
            messages.success(
                request, f"取り込みました: {result.diff.total} 件の変更を反映しました。"
            )
            return redirect("admin:strategy_plan_change", plan.pk)
        if request.method == "POST":
            form = WorkbookUploadForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                upload = form.cleaned_data["file"]
                content = upload.read()
                try:
                    result = plan_import(
                        plan=plan,
                        data=content,
                        user=request.user,
                        dry_run=True,
                        filename=upload.name,
                    )
                except WorkbookError as exc:
                    context["errors"] = exc.errors
                    return TemplateResponse(request, template, context, status=400)
                token = uploads.upload_store(content, user_id=request.user.pk, plan_id=plan.pk)
                return show(result, token)
        return TemplateResponse(request, template, context)


def _warnings(result):
    """Consistency warnings of the imported plan, shown beside the preview (not refusals)."""
    try:
        from interchange.consistency import plan_warnings
    except ImportError:  # pragma: no cover - the module ships with the app
        return []
    if result.data is None:
        return []
    return plan_warnings(result.data, result.plan)


def _extend(model, before=(), after=(), **attrs) -> None:
    """Re-register ``model`` on a subclass of the ModelAdmin its app registered:
    ``before`` mixins ahead of it; ``after`` mixins behind it but ahead of
    django-simple-history's and Django's ModelAdmin, so that the policy's methods (which come
    with the app's ModelAdmin) decide and the mixins' views and URLs are chained in."""
    base = type(admin.site._registry[model])
    # each mixin's whole linearisation, or C3 would put ModelAdmin ahead of its parents
    after = tuple(c for mixin in after for c in mixin.__mro__ if c is not object)
    bases = (*before, base, *after, SimpleHistoryAdmin) if after else (*before, base)
    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, bases, {"__module__": __name__, **attrs}))


_extend(Plan, before=(PlanWorkbookMixin,))
for _model, _resource in (
    (Project, ProjectResource),
    (Indicator, IndicatorResource),
    (IndicatorValue, IndicatorValueResource),
):
    _extend(_model, after=(UserScopedAdminMixin, ImportExportMixin), resource_classes=[_resource])
