"""The printed report under production settings: manifest static files, tagged, with outline.

Settings are read once at import, so the production run is a separate process with
``DJANGO_DEBUG=0``: ``migrate``, ``load_demo``, ``collectstatic`` into a temporary STATIC_ROOT
(CompressedManifestStaticFilesStorage, as deployed) and ``render_report`` for each demo plan.
dxplan/settings.py reads no variable for STATIC_ROOT, so the process uses a settings module
written here that imports dxplan.settings whole and changes STATIC_ROOT alone.
"""

import io
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from pypdf import PdfReader

from reports import pdf
from reports.pdf import (
    PRINT_TIMEOUT_MS,
    ReportPrintError,
    _static_body,
    html_to_pdf,
    static_file,
)
from tests.conftest import DEMO_SLUGS

ROOT = Path(settings.BASE_DIR)
PLOTLY = "vendor/plotly/plotly.min.js"
SETTINGS_MODULE = "pdf_production_settings"


def _require_chromium():
    assert Path(settings.DXPLAN_CHROMIUM).exists(), (
        f"{settings.DXPLAN_CHROMIUM} is missing: `make test` installs Debian's chromium"
    )


class Production:
    """A production-settings process environment over its own SQLite file and STATIC_ROOT."""

    def __init__(self, base: Path):
        self.base = base
        self.static_root = base / "static_root"
        (base / f"{SETTINGS_MODULE}.py").write_text(
            "from dxplan.settings import *  # noqa: F403\n"
            f"STATIC_ROOT = {str(self.static_root)!r}\n"
        )
        env = {**os.environ}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
        env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="dxplan.example.jp",
            DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
            DATABASE_URL=f"sqlite:///{base / 'db.sqlite3'}",
            PYTHONPATH=os.pathsep.join([str(base), str(ROOT)]),
        )
        self.env = env

    def manage(self, *args, timeout=300) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, (
            f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
        )
        return result


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> Production:
    _require_chromium()
    prod = Production(tmp_path_factory.mktemp("pdf-production"))
    prod.manage("migrate", "--noinput", "-v", "0")
    prod.manage("load_demo", "-v", "0")
    prod.manage("collectstatic", "--noinput", "-v", "0")
    return prod


def test_production_settings_serve_hashed_static_names(production):
    result = production.manage(
        "shell",
        "-c",
        "from django.conf import settings; from django.templatetags.static import static; "
        f"print(settings.DEBUG, settings.STORAGES['staticfiles']['BACKEND'], static({PLOTLY!r}))",
    )
    debug, backend, url = result.stdout.splitlines()[-1].split()
    assert debug == "False"
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert re.fullmatch(r"/static/vendor/plotly/plotly\.min\.[0-9a-f]{12}\.js", url), url
    assert (production.static_root / "staticfiles.json").is_file()
    assert (production.static_root / url.removeprefix("/static/")).is_file()


def _outline_titles(outline) -> list[str]:
    titles = []
    for entry in outline:
        if isinstance(entry, list):
            titles += _outline_titles(entry)
        else:
            titles.append(entry.title)
    return titles


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_each_demo_plan_prints_a_tagged_pdf_with_outline_under_production_settings(
    production, slug
):
    # How long a print takes is measured by bench/, not asserted here: on a busy CI machine
    # Sasebo's took more than 20 s (5 s on a quiet one). The print's own bound applies.
    out = production.base / f"{slug}.pdf"
    production.manage("render_report", slug, str(out), timeout=PRINT_TIMEOUT_MS / 1000 * 2)

    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 10
    catalog = reader.trailer["/Root"]
    # tagged: a structure tree, and marked content declared
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"].get_object()["/Marked"].value is True
    assert str(catalog.get("/Lang", "")).startswith("ja")
    # the document outline (bookmarks from the headings)
    outlines = catalog["/Outlines"].get_object()
    assert outlines["/Type"] == "/Outlines" and outlines["/Count"] != 0
    titles = _outline_titles(reader.outline)
    assert len(titles) >= 3 and all(title.strip() for title in titles)


def test_a_missing_static_file_fails_the_print_quickly_and_names_it():
    _require_chromium()
    html = (
        '<!DOCTYPE html><html lang="ja"><head>'
        f'<script src="/{settings.STATIC_URL.lstrip("/")}js/no-such-file.js"></script>'
        "</head><body><h1>報告書</h1></body></html>"
    )
    # fails as soon as the page has loaded, not at the print's bound
    started = time.monotonic()
    with pytest.raises(
        ReportPrintError, match=r"静的ファイルが見つかりません: js/no-such-file\.js"
    ):
        html_to_pdf(html)
    assert time.monotonic() - started < PRINT_TIMEOUT_MS / 1000 / 2


@pytest.mark.django_db
def test_production_without_collectstatic_fails_the_print_at_once(
    settings, tmp_path, sasebo, monkeypatch
):
    settings.STATIC_ROOT = str(tmp_path / "never_collected")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    def no_browser(*args, **kwargs):
        raise AssertionError("Chromium was started for a page that cannot be served")

    # "at once": the report's HTML already fails, before any browser starts
    monkeypatch.setattr(pdf, "html_to_pdf", no_browser)
    with pytest.raises(ReportPrintError, match=r"静的ファイルが見つかりません: .+collectstatic"):
        pdf.render_report_pdf(sasebo)


def test_a_gunicorn_worker_outlives_the_print_it_runs():
    # gunicorn.conf.py (read by `gunicorn dxplan.wsgi` from the project folder) gives a worker
    # longer than the print's bound, so a slow print ends in its own error page, not in a
    # killed worker; and the print lock outlives both.
    from gunicorn.config import Config

    namespace = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), namespace)
    assert namespace["timeout"] > PRINT_TIMEOUT_MS / 1000 + 10
    assert pdf.LOCK_SECONDS > namespace["timeout"]
    assert Config().settings["config"].default == "./gunicorn.conf.py"


# --- the name the page asks for → the file (in this process, under manifest storage) -----


@pytest.fixture
def manifest_static_root(settings, tmp_path) -> Path:
    settings.STATIC_ROOT = str(tmp_path / "static_root")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return Path(settings.STATIC_ROOT)


def test_hashed_names_resolve_to_the_collected_files(manifest_static_root):
    hashed = staticfiles_storage.stored_name(PLOTLY)
    assert hashed != PLOTLY
    assert finders.find(hashed) is None  # what the PDF used to ask, in vain
    assert static_file(hashed) == manifest_static_root / hashed
    body, content_type = _static_body(f"/{settings.STATIC_URL.lstrip('/')}{hashed}")
    assert content_type in ("text/javascript", "application/javascript")
    assert body == (manifest_static_root / hashed).read_bytes()


def test_a_hashed_name_missing_from_static_root_falls_back_to_its_source(manifest_static_root):
    hashed = staticfiles_storage.stored_name("css/dxplan.css")
    (manifest_static_root / hashed).unlink()
    assert static_file(hashed) == Path(finders.find("css/dxplan.css"))


@pytest.mark.parametrize(
    "name", ["../manage.py", "css/../../manage.py", "/etc/passwd", "%2e%2e/manage.py", ""]
)
def test_no_name_leaves_the_static_files(name):
    assert static_file(name) is None
