"""The one way a plan is imported: ``plan_import``, used by the admin, import_plan and the
tests alike."""

from django.db import transaction

from interchange.plandata import PlanDiff, plan_apply, plan_data, plan_diff
from interchange.workbook.importer import (
    ImportResult,
    WorkbookError,
    import_refusals,
    workbook_read,
)
from strategy.models import Plan


class PreviewOutdated(Exception):
    """The plan changed after the preview the user confirmed: nothing was applied; the
    fresh preview is attached."""

    def __init__(self, result: ImportResult):
        self.result = result
        super().__init__("プレビューの後にデータが変わりました")


def plan_import(
    *,
    plan: Plan | None,
    data: bytes,
    user=None,
    dry_run: bool,
    filename: str = "",
    expect_digest: str | None = None,
) -> ImportResult:
    """Read a workbook (.xlsx or .ods), compare it with the plan and, unless ``dry_run``,
    apply it — all or nothing, in one transaction.

    The file is parsed once and the plan diffed once: a confirmation passes the digest of
    the preview it confirms (``expect_digest``) and the same diff is applied if the plan has
    not moved since, else ``PreviewOutdated`` carries the new preview. With a ``user``, every
    created, changed and deleted row must be one the permission policy lets them write
    (import_refusals); otherwise WorkbookError lists each refused row.
    """
    from interchange.workbook.uploads import diff_digest

    target, new = workbook_read(data, plan, filename=filename)
    with transaction.atomic():
        current = plan_data(target)
        diff: PlanDiff = plan_diff(current, new)
        if user is not None:
            refusals = import_refusals(user, target, current, new, diff)
            if refusals:
                raise WorkbookError(
                    ["この内容は取り込めません（何も変更していません）:", *refusals]
                )
        result = ImportResult(target, diff, applied=False, data=new)
        if expect_digest is not None and diff_digest(diff) != expect_digest:
            raise PreviewOutdated(result)
        if dry_run:
            return result
        plan_apply(plan=target, data=new, user=user, current=current, diff=diff)
    return ImportResult(target, diff, applied=True, data=new)
