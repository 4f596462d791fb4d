"""The admin in Japanese: django-axes (strategy/library_labels.py) and each plan's own level
names on the change forms (strategy/admin_policy.py)."""

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.utils import label_for_field
from django.urls import reverse

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH_NAMES = (
    "Axes",
    "AXES",
    "Access attempt",
    "Access failure",
    "Access log",
    "access attempt",
    "access failure",
    "access log",
)
# English words of axes' ModelAdmins and models that must not reach the pages
ENGLISH_WORDS = (
    "Attempt Time",
    "IP Address",
    "User Agent",
    "Username",
    "Path",
    "Failed Logins",
    "Logout Time",
    "Access lock out",
    "Status",
    "Locked Out",
    "Attempt Remaining",
    "Form Data",
    "Meta Data",
    "HTTP Accept</",
    "Attempted Access",
    "Failed access",
    "Access Log for",
)
ROW = {
    "username": "tanaka",
    "ip_address": "192.0.2.10",
    "user_agent": "Mozilla/5.0",
    "http_accept": "text/html",
    "path_info": "/admin/login/",
}


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user("root", is_superuser=True))
    return client


@pytest.fixture
def axes_rows():
    return {
        AccessAttempt: AccessAttempt.objects.create(
            **ROW, get_data="", post_data="username=tanaka", failures_since_start=2
        ),
        AccessFailureLog: AccessFailureLog.objects.create(**ROW, locked_out=True),
        AccessLog: AccessLog.objects.create(**ROW),
    }


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_admin_index_names_axes_in_japanese(superuser_client):
    page = superuser_client.get(reverse("admin:index")).content.decode()
    text = _text(page)
    for english in ENGLISH_NAMES:
        assert english not in text, english
    assert "ログイン制限" in text
    for name in ("ログイン失敗の集計", "ログイン失敗の記録", "ログインの記録"):
        assert name in text, name


def _column_headers(page: str) -> dict[str, str]:
    heads = re.findall(r'<th scope="col" class="([^"]*)">(.*?)</th>', page, re.S)
    headers = {}
    for classes, inner in heads:
        column = re.search(r"column-(\w+)", classes)
        if column and column.group(1) != "action_checkbox":
            headers[column.group(1)] = " ".join(_text(inner).split())
    return headers


@pytest.mark.parametrize("model", [AccessAttempt, AccessFailureLog, AccessLog])
def test_each_axes_changelist_has_japanese_column_headers(superuser_client, axes_rows, model):
    opts = model._meta
    page = superuser_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    ).content.decode()
    headers = _column_headers(page)
    assert headers, page
    for column, header in headers.items():
        assert JAPANESE.search(header), f"{opts.model_name}.{column}: {header!r}"
    text = _text(page)
    for english in ENGLISH_NAMES + ENGLISH_WORDS:
        assert english not in text, f"{opts.model_name}: {english}"
    assert opts.verbose_name_plural in text


def test_the_attempts_changelist_shows_status_and_filter_in_japanese(superuser_client, axes_rows):
    page = superuser_client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    headers = _column_headers(page)
    assert headers["status"] == "状態"
    assert headers["failures_since_start"] == "失敗回数"
    assert headers["ip_address"] == "IP アドレス"
    text = _text(page)
    assert "あと 3 回" in text  # AXES_FAILURE_LIMIT 5, two failures so far
    assert "ロックアウト" in text and "ロック中" in text  # the filter


@pytest.mark.parametrize("model", [AccessAttempt, AccessFailureLog, AccessLog])
def test_each_axes_change_form_is_in_japanese(superuser_client, axes_rows, model):
    opts = model._meta
    row = axes_rows[model]
    page = superuser_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
    ).content.decode()
    text = _text(page)
    for english in ENGLISH_NAMES + ENGLISH_WORDS:
        assert english not in text, f"{opts.model_name}: {english}"
    for label in ("ユーザー名", "アクセス先のパス", "IP アドレス", "接続の情報"):
        assert label in text, f"{opts.model_name}: {label}"
    assert str(row) in text and "tanaka" in str(row)


def test_every_field_the_axes_admins_show_has_a_japanese_label():
    from django.contrib import admin

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model_admin = admin.site._registry[model]
        for name in [*model_admin.list_display, *model_admin.readonly_fields]:
            label = str(label_for_field(name, model, model_admin))
            assert JAPANESE.search(label), f"{model._meta.model_name}.{name}: {label!r}"
        for title, _options in model_admin.fieldsets:
            assert title is None or JAPANESE.search(str(title)), title


# --- each plan's own level names on the change forms ------------------------------------


def _title(client, obj) -> str:
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    response = client.get(url)
    assert response.status_code == 200, url
    return re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1).strip()


def test_a_change_form_names_the_level_as_its_plan_does(superuser_client, sasebo, nagasaki):
    from kpis.models import Indicator
    from strategy.models import PriorityIssue

    for plan in (sasebo, nagasaki):
        field = plan.fields.first()
        issue = plan.issues.filter(kind=PriorityIssue.Kind.PRIORITY).first()
        kpi = Indicator.objects.filter(challenge__issue__plan=plan).first()
        assert _title(superuser_client, field) == f"{plan.label_field} を変更"
        assert _title(superuser_client, issue) == f"{plan.label_issue} を変更"
        assert _title(superuser_client, kpi) == f"{plan.label_kpi} を変更"
    assert nagasaki.label_issue == "基本施策" and sasebo.label_issue == "DX重点課題"
    other = sasebo.issues.exclude(kind=PriorityIssue.Kind.PRIORITY).first()
    assert _title(superuser_client, other) == f"{other.get_kind_display()} を変更"


def test_a_reader_sees_the_plans_word_on_the_view_form(client, nagasaki):
    client.force_login(make_user("eve", "閲覧者", municipality=nagasaki.municipality))
    issue = nagasaki.issues.first()
    assert _title(client, issue) == "基本施策を表示"  # Django: 「%sを表示」, 「%s を変更」
