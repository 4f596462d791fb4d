from django.contrib import admin

from kpis.forms import IndicatorForm, IndicatorValueAdminForm
from kpis.models import ConfirmedYear, Indicator, IndicatorEvaluation, IndicatorValue
from kpis.services import indicator_values_save
from strategy import fiscal
from strategy.admin_policy import PolicyAdmin, PolicyStackedInline


class EvaluationInline(PolicyStackedInline):
    model = IndicatorEvaluation
    extra = 0


class OwnerPlanFilter(admin.SimpleListFilter):
    title = "計画"
    parameter_name = "plan"

    def lookups(self, request, model_admin):
        from strategy.models import Plan

        return [(p.pk, str(p)) for p in Plan.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.of_plan(self.value())
        return queryset


@admin.register(Indicator)
class IndicatorAdmin(PolicyAdmin):
    form = IndicatorForm
    change_form_template = "admin/kpis/indicator/change_form.html"
    list_display = ["name", "kind", "owner", "unit", "direction"]
    list_filter = [
        OwnerPlanFilter,
        "kind",
        "direction",
        "challenge__issue__category",
        "project__department",
        "project__is_leading",
    ]
    search_fields = ["name", "project__pid", "project__name", "challenge__title"]
    autocomplete_fields = ["challenge", "project"]
    inlines = [EvaluationInline]
    fieldsets = [
        (
            None,
            {"fields": ["kind", "challenge", "project", "name", "unit", "direction", "position"]},
        ),
        ("算出式・設定根拠", {"fields": ["formula"]}),
        (
            "基準値・目標値",
            {
                "fields": ["baseline_year", "baseline_value", "target_year", "target_value"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("challenge__issue", "project")

    @admin.display(description="対象")
    def owner(self, obj):
        return obj.owner_label

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class WithUser(form):
            user = request.user

        return WithUser

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(form, "value_cells", None):
            indicator_values_save(
                indicator=obj,
                cells=form.value_cells,
                user=request.user,
                versions=form.value_versions,
            )


@admin.register(IndicatorValue)
class IndicatorValueAdmin(PolicyAdmin):
    form = IndicatorValueAdminForm  # refuses a save over someone else's (optimistic lock)
    list_display = ["indicator", "year", "planned", "actual"]
    list_filter = ["fiscal_year", "indicator__kind", "indicator__project__department"]
    search_fields = ["indicator__name", "indicator__project__pid"]
    autocomplete_fields = ["indicator"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("indicator__challenge__issue", "indicator__project")
        )

    @admin.display(description="年度", ordering="fiscal_year")
    def year(self, obj):
        return fiscal.short_label(obj.fiscal_year)


@admin.register(IndicatorEvaluation)
class IndicatorEvaluationAdmin(PolicyAdmin):
    list_display = ["indicator", "year"]
    list_filter = ["fiscal_year"]
    search_fields = ["indicator__name", "text"]
    autocomplete_fields = ["indicator"]

    @admin.display(description="年度", ordering="fiscal_year")
    def year(self, obj):
        return fiscal.short_label(obj.fiscal_year)


@admin.register(ConfirmedYear)
class ConfirmedYearAdmin(PolicyAdmin):
    list_display = ["plan", "year", "confirmed_by", "confirmed_at"]
    list_filter = ["plan", "fiscal_year"]
    readonly_fields = ["confirmed_by", "confirmed_at"]

    @admin.display(description="年度", ordering="fiscal_year")
    def year(self, obj):
        return fiscal.long_label(obj.fiscal_year)

    # Added and removed only by 確定 / 確定の解除 on the actuals screen (policy.SERVICE_ONLY),
    # which record who and why.
