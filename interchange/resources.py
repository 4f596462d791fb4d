"""Per-model import/export in the admin (django-import-export, with its dry-run preview):
projects, indicators and yearly values. Each resource finds only the rows the importing user
may see and puts every row to the permission policy (interchange/spreadsheet.py)."""

from import_export import fields, resources, widgets

from interchange.spreadsheet import FormulaSafeResourceMixin, UserScopedResourceMixin
from kpis.models import Indicator, IndicatorValue
from projects.models import Project
from strategy import fiscal
from strategy.models import Department, Plan, PriorityIssue


class PlanDepartmentWidget(widgets.ForeignKeyWidget):
    """主体部局 by name *within the row's plan's municipality* (two cities may both have a
    総務部); the file names the plan in its 計画 column."""

    def get_queryset(self, value, row, *args, **kwargs):
        slug = (row or {}).get("計画")
        return Department.objects.filter(municipality__plans__slug=slug)

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Department.DoesNotExist as exc:
            raise ValueError(f"計画の自治体に部局「{value}」がありません") from exc


class ProjectResource(UserScopedResourceMixin, FormulaSafeResourceMixin, resources.ModelResource):
    plan = fields.Field(
        attribute="plan", column_name="計画", widget=widgets.ForeignKeyWidget(Plan, "slug")
    )
    pid = fields.Field(attribute="pid", column_name="PID")
    # a file without the column (written before it existed) leaves the aliases as they are
    aliases = fields.Field(attribute="aliases", column_name="PID の別表記")
    name = fields.Field(attribute="name", column_name="名称")
    summary = fields.Field(attribute="summary", column_name="概要")
    category = fields.Field(attribute="issue__category", column_name="分類", readonly=True)
    department = fields.Field(
        attribute="department",
        column_name="主体部局",
        widget=PlanDepartmentWidget(Department, "name"),
    )
    is_leading = fields.Field(
        attribute="is_leading", column_name="リーディング", widget=widgets.BooleanWidget()
    )
    in_table = fields.Field(
        attribute="in_table", column_name="別冊掲載", widget=widgets.BooleanWidget()
    )

    class Meta:
        model = Project
        fields = (
            "plan",
            "pid",
            "aliases",
            "name",
            "summary",
            "category",
            "department",
            "is_leading",
            "in_table",
        )
        import_id_fields = ("plan", "pid")
        skip_unchanged = True
        report_skipped = False

    def get_queryset(self):
        return super().get_queryset().select_related("plan", "issue", "department")

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        # A new project needs its priority issue: taken from the PID's category (観光1-1-4 → 観光).
        if not instance.issue_id:
            category = "".join(ch for ch in instance.pid if not (ch.isdigit() or ch in "-/"))
            issue = PriorityIssue.objects.filter(plan=instance.plan, category=category).first()
            if issue is None:
                raise ValueError(f"PID「{instance.pid}」の分類に当たる重点課題がありません")
            instance.issue = issue
        if (
            instance.department
            and instance.department.municipality_id != instance.plan.municipality_id
        ):
            raise ValueError("主体部局は計画の自治体の部局にしてください")


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
