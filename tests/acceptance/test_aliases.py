"""The document's other PIDs for a project (fixtures/NOTES.md) are shown beside its PID and
found by the project table's search."""

import pytest
from django.urls import reverse

from projects.models import Project

pytestmark = pytest.mark.django_db


def test_a_second_pid_is_shown_on_the_progress_page_and_found_by_search(client, sasebo):
    # 000:6306-6309: one table row carries 職場環境1-a-1-1 and 職場環境1-b-2-2.
    project = Project.objects.get(plan=sasebo, pid="職場環境1-a-1-1")
    assert "職場環境1-b-2-2" in project.alias_list
    url = reverse("reports:issue-page", args=[sasebo.slug, project.issue.code, "progress"])
    page = client.get(url).content.decode()
    assert "別表記: " in page and "職場環境1-b-2-2" in page
    table = client.get(reverse("reports:project-table", args=[sasebo.slug]), {"q": "1-b-2-2"})
    assert "（庁内情報化基盤管理事業）スマートワーク環境の整備" in table.content.decode()


def test_no_alias_is_another_projects_pid(sasebo):
    pids = set(Project.objects.filter(plan=sasebo).values_list("pid", flat=True))
    for project in Project.objects.filter(plan=sasebo).exclude(aliases=""):
        assert not set(project.alias_list) & pids, project.pid
