"""Backup → wipe → restore gives back the same plan: identical pages and workbook export."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from interchange.plandata import plan_data
from interchange.workbook.export import workbook_export
from strategy.models import Plan


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_identical_pages_and_export(client, tmp_path):
    call_command("load_demo", verbosity=0)
    plan = Plan.objects.get(slug="sasebo-r7")
    urls = [
        reverse("reports:plan-dashboard", args=["sasebo-r7"]),
        reverse("reports:issue-kpis", args=["sasebo-r7", "1-01"]),
        reverse("reports:project-table", args=["sasebo-r7"]),
    ]
    pages = [client.get(u).content for u in urls]
    data = plan_data(plan)
    export = workbook_export(plan)
    path = tmp_path / "dxplan.backup"
    call_command("backup_data", str(path))
    assert path.stat().st_size > 10_000

    call_command("flush", "--noinput")
    assert not Plan.objects.exists()
    assert client.get(urls[0]).status_code == 404

    call_command("restore_data", str(path), "--yes")
    plan = Plan.objects.get(slug="sasebo-r7")
    assert plan_data(plan) == data
    assert [client.get(u).content for u in urls] == pages
    from io import BytesIO

    import openpyxl

    def cells(content):
        wb = openpyxl.load_workbook(BytesIO(content))
        return {ws.title: [[c.value for c in r] for r in ws.iter_rows()] for ws in wb}

    assert cells(workbook_export(plan)) == cells(export)
