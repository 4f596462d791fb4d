"""Per-model import/export of indicators and yearly values in the admin."""

from import_export import fields, resources, widgets

from kpis.models import Indicator, IndicatorValue
from strategy import fiscal
from strategy.spreadsheet import FormulaSafeResourceMixin, UserScopedResourceMixin


class FiscalYearWidget(widgets.Widget):
    """2025 ⇄ 「R7」; also reads 「令和7年度」 and 「2025」."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        return fiscal.parse_year(str(value))

    def render(self, value, obj=None, **kwargs):
        return fiscal.short_label(value) if value else ""


class IndicatorResource(UserScopedResourceMixin, FormulaSafeResourceMixin, resources.ModelResource):
    kind = fields.Field(attribute="kind", column_name="種別")
    owner = fields.Field(column_name="対象", readonly=True)
    name = fields.Field(attribute="name", column_name="指標名")
    unit = fields.Field(attribute="unit", column_name="単位")
    direction = fields.Field(attribute="direction", column_name="方向")
    formula = fields.Field(attribute="formula", column_name="算出式・設定根拠")

    class Meta:
        model = Indicator
        fields = ("id", "kind", "owner", "name", "unit", "direction", "formula")
        import_id_fields = ("id",)
        skip_unchanged = True

    def get_queryset(self):
        return super().get_queryset().select_related("challenge__issue", "project")

    def dehydrate_owner(self, indicator):
        return indicator.owner_label


class IndicatorValueResource(
    UserScopedResourceMixin, FormulaSafeResourceMixin, resources.ModelResource
):
    indicator = fields.Field(
        attribute="indicator", column_name="指標ID", widget=widgets.ForeignKeyWidget(Indicator)
    )
    indicator_name = fields.Field(attribute="indicator__name", column_name="指標名", readonly=True)
    fiscal_year = fields.Field(
        attribute="fiscal_year", column_name="年度", widget=FiscalYearWidget()
    )
    planned = fields.Field(attribute="planned", column_name="予定")
    actual = fields.Field(attribute="actual", column_name="実績")

    class Meta:
        model = IndicatorValue
        fields = ("indicator", "indicator_name", "fiscal_year", "planned", "actual")
        import_id_fields = ("indicator", "fiscal_year")
        skip_unchanged = True

    def get_queryset(self):
        return super().get_queryset().select_related("indicator")

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        plan = instance.indicator.plan
        if instance.fiscal_year not in plan.value_years:
            raise ValueError(f"{fiscal.short_label(instance.fiscal_year)} は計画の年度範囲外です")
