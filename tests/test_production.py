"""Production settings, Japanese error pages and login throttling."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.views.defaults import server_error

ROOT = Path(settings.BASE_DIR)


def _run(*args, **env):
    full_env = {**os.environ, **env}
    full_env.pop("DATABASE_URL", None)
    full_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="dxplan.example.jp",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _run("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_a_malformed_setting_stops_start_up():
    result = _run("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0 and "DJANGO_DEBUG" in result.stderr


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_error_pages_are_in_japanese(client, viewer):
    response = client.get("/plans/does-not-exist/")
    assert response.status_code == 404 and "ページが見つかりません" in response.content.decode()
    client.force_login(viewer)
    response = client.get(reverse("kpis:actuals-entry"))
    assert response.status_code == 403 and "権限がありません" in response.content.decode()
    page = server_error(RequestFactory().get("/")).content.decode()
    assert "システムエラーが発生しました" in page


@pytest.mark.django_db
def test_every_page_sends_a_strict_content_security_policy(client, sasebo):
    response = client.get(reverse("reports:plan-dashboard", args=["sasebo-r7"]))
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in response.content.decode()  # charts come from static/js/charts.js


@pytest.mark.django_db
def test_repeated_failed_logins_lock_that_user_name_out(client):
    User.objects.create_user("tanaka", password="correct-horse-battery-staple", is_staff=True)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "tanaka", "password": "wrong"})
    response = client.post(url, {"username": "tanaka", "password": "correct-horse-battery-staple"})
    assert response.status_code == 429
    assert "ログインを一時的に停止しています" in response.content.decode()
    # another user from the same office address is not locked out
    User.objects.create_user("suzuki", password="another-good-passphrase", is_staff=True)
    response = client.post(url, {"username": "suzuki", "password": "another-good-passphrase"})
    assert response.status_code == 302


def test_static_files_are_served_by_the_app_in_production():
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
