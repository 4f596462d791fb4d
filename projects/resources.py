"""Per-model import/export of projects in the admin (django-import-export, with dry run)."""

from import_export import fields, resources, widgets

from projects.models import Project
from strategy.models import Department, Plan, PriorityIssue
from strategy.spreadsheet import FormulaSafeResourceMixin, UserScopedResourceMixin


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
