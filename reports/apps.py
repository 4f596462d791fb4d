from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete


def _plan_deleted(sender, instance, **kwargs):
    from reports.pdf import forget_plan

    plan_id = instance.pk  # None once the delete has finished
    # once the delete is committed: a rolled-back delete keeps its PDFs
    transaction.on_commit(lambda: forget_plan(plan_id))


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "報告・ダッシュボード"

    def ready(self):
        from strategy.models import Plan

        post_delete.connect(_plan_deleted, sender=Plan, dispatch_uid="reports.pdf.forget_plan")
