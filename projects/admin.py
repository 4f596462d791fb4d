from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from kpis.models import Indicator
from projects.models import Project, ProjectPhase
from strategy import fiscal
from strategy.admin_policy import PolicyAdmin, PolicyTabularInline


class PhaseInline(PolicyTabularInline):
    model = ProjectPhase
    extra = 0


class ActivityIndicatorForm(forms.ModelForm):
    """Rows added under a project are activity indicators of that project."""

    class Meta:
        model = Indicator
        fields = ["name", "unit", "direction", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = Indicator.Kind.ACTIVITY


class ActivityIndicatorInline(PolicyTabularInline):
    model = Indicator
    form = ActivityIndicatorForm
    fk_name = "project"
    extra = 0
    fields = ["name", "unit", "direction", "position", "values_link"]
    readonly_fields = ["values_link"]
    verbose_name = "活動指標"
    verbose_name_plural = "活動指標"

    @admin.display(description="予定・実績")
    def values_link(self, obj):
        if not obj.pk:
            return "保存後に入力できます"
        url = reverse("admin:kpis_indicator_change", args=[obj.pk])
        return format_html('<a href="{}">年度別の予定・実績を編集</a>', url)


@admin.register(Project)
class ProjectAdmin(PolicyAdmin):
    list_display = ["pid", "name", "issue", "department", "is_leading", "in_table", "phase_marks"]
    list_display_links = ["pid", "name"]
    list_filter = [
        "plan",
        "issue__field__name",
        "issue__category",
        "department",
        "is_leading",
        "in_table",
    ]
    search_fields = ["pid", "name", "summary"]
    autocomplete_fields = ["plan", "issue", "department", "steps"]
    inlines = [PhaseInline, ActivityIndicatorInline]
    list_select_related = ["issue", "department"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("phases")

    @admin.display(description="実施年度")
    def phase_marks(self, obj):
        return " ".join(f"{fiscal.short_label(p.fiscal_year)}{p.mark}" for p in obj.phases.all())


@admin.register(ProjectPhase)
class ProjectPhaseAdmin(PolicyAdmin):
    list_display = ["project", "year", "phase"]
    list_filter = ["fiscal_year", "phase", "project__plan"]
    search_fields = ["project__pid", "project__name"]
    autocomplete_fields = ["project"]

    @admin.display(description="年度", ordering="fiscal_year")
    def year(self, obj):
        return fiscal.short_label(obj.fiscal_year)
