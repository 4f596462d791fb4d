from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from kpis.models import Indicator
from projects.models import Project, ProjectPhase, split_aliases
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


class ProjectForm(forms.ModelForm):
    """PID の別表記: normalised to 「、」 between PIDs; each names this project only (no PID
    of the plan, no other project's 別表記), and the PID is no other project's 別表記."""

    class Meta:
        model = Project
        fields = [
            "plan",
            "issue",
            "pid",
            "aliases",
            "name",
            "summary",
            "department",
            "is_leading",
            "in_table",
            "steps",
        ]

    def clean_aliases(self):
        return "、".join(split_aliases(self.cleaned_data.get("aliases", "")))

    def clean(self):
        data = super().clean()
        if "aliases" not in self.fields and "pid" not in self.fields:
            return data  # neither is editable here (a department editor's form)
        # a field the user may not change is not in cleaned_data: its stored value counts
        plan = data.get("plan") or (self.instance.plan if self.instance.plan_id else None)
        pid = data.get("pid", self.instance.pid)
        aliases = split_aliases(data.get("aliases", self.instance.aliases))
        if plan is None or not pid:
            return data
        others = Project.objects.filter(plan=plan).exclude(pk=self.instance.pk)
        other_pids, other_aliases = set(), {}
        for other_pid, other in others.values_list("pid", "aliases"):
            other_pids.add(other_pid)
            for alias in split_aliases(other):
                other_aliases[alias] = other_pid
        for alias in aliases if "aliases" in self.fields else []:
            if alias == pid:
                self.add_error("aliases", f"別表記「{alias}」が PID と同じです。")
            elif alias in other_pids:
                self.add_error(
                    "aliases", f"別表記「{alias}」はこの計画のほかのプロジェクトの PID です。"
                )
            elif alias in other_aliases:
                owner = other_aliases[alias]
                self.add_error(
                    "aliases", f"別表記「{alias}」はプロジェクト {owner} の別表記でもあります。"
                )
        if pid in other_aliases and "pid" in self.fields:
            self.add_error("pid", f"PID「{pid}」はプロジェクト {other_aliases[pid]} の別表記です。")
        return data


@admin.register(Project)
class ProjectAdmin(PolicyAdmin):
    form = ProjectForm
    list_display = [
        "pid",
        "aliases",
        "name",
        "issue",
        "department",
        "is_leading",
        "in_table",
        "phase_marks",
    ]
    list_display_links = ["pid", "name"]
    list_filter = [
        "plan",
        "issue__field__name",
        "issue__category",
        "department",
        "is_leading",
        "in_table",
    ]
    search_fields = ["pid", "aliases", "name", "summary"]
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
