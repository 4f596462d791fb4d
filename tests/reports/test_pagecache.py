"""The page cache for anonymous readers of published plans (reports/pagecache.py).

Runs against whichever cache dxplan/settings.py configures: files in a temporary folder
here, Redis when REDIS_URL is set (.ci/run starts a real redis-server for this file).
"""

import datetime as dt
import gzip

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse

from interchange.editions import edition_start
from interchange.services import plan_import
from interchange.workbook.export import workbook_export
from kpis.locks import year_confirm, year_reopen
from kpis.models import Indicator, IndicatorValue
from kpis.services import actuals_save
from projects.models import Project
from reports import pagecache
from strategy import revision
from strategy.models import Department, Plan
from tests import builders
from tests.conftest import make_user
from tests.formdata import form_data
from tests.interchange.workbooks import open_workbook, save_workbook
from tests.test_access_matrix import _post_data

pytestmark = pytest.mark.django_db

HEADER = pagecache.HEADER


@pytest.fixture(autouse=True)
def page_cache(settings, tmp_path):
    settings.DXPLAN_PAGE_CACHE = True
    if "filebased" in settings.CACHES["default"]["BACKEND"]:
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": str(tmp_path / "cache")}
        }
    pagecache.clear()
    yield
    pagecache.clear()


@pytest.fixture
def plan():
    return builders.full_plan(slug=f"cached-{dt.datetime.now():%H%M%S%f}")


@pytest.fixture
def dx_admin_of(plan):
    return make_user("alice", "DX推進担当", municipality=plan.municipality)


@pytest.fixture
def staff(dx_admin_of):
    client = Client()
    client.force_login(dx_admin_of)
    return client


def _urls(plan) -> dict[str, str]:
    return {
        "dashboard": reverse("reports:plan-dashboard", args=[plan.slug]),
        "projects": reverse("reports:project-table", args=[plan.slug]),
        "report": reverse("reports:report", args=[plan.slug]),
        "compare": reverse("reports:plan-compare", args=[plan.slug]),
    }


def _get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _cached(client, url):
    """Read ``url`` until it comes from the cache; the cached response."""
    _get(client, url)
    response = _get(client, url)
    assert response[HEADER] == "hit", url
    return response


# --- hits and misses --------------------------------------------------------------------


def test_a_second_anonymous_read_is_served_from_the_cache(client, plan):
    for url in _urls(plan).values():
        first = _get(client, url)
        assert first[HEADER] == "miss"
        second = _get(client, url)
        assert second[HEADER] == "hit"
        assert second.content == first.content
        assert second["Content-Type"] == first["Content-Type"]
        assert "Content-Security-Policy" in second and second["X-Frame-Options"] == "DENY"


def test_a_hit_costs_one_query(client, plan, django_assert_num_queries):
    url = _urls(plan)["report"]
    _get(client, url)
    with django_assert_num_queries(1):  # the revisions
        assert _get(client, url)[HEADER] == "hit"


def test_a_client_that_accepts_gzip_gets_the_kept_compressed_page(client, plan):
    for url in _urls(plan).values():
        plain = _get(client, url)
        packed = _get(client, url, HTTP_ACCEPT_ENCODING="br, gzip, deflate")
        assert packed[HEADER] == "hit" and packed["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.content) == plain.content
        assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content)
        again = _get(client, url)  # and decompressed for one that does not
        assert again[HEADER] == "hit" and not again.has_header("Content-Encoding")
        assert again.content == plain.content
        assert int(again["Content-Length"]) == len(plain.content)
        for response in (packed, again):
            assert "Accept-Encoding" in response["Vary"] and "Accept-Language" in response["Vary"]


def test_what_is_not_text_is_kept_as_it_is(plan):
    body = b"PK\x03\x04" + bytes(range(256)) * 8

    def download(request):
        return HttpResponse(body, content_type="application/octet-stream")

    assert _through_middleware(plan, download) == ["miss", "hit"]
    request = RequestFactory().get(_urls(plan)["dashboard"], HTTP_ACCEPT_ENCODING="gzip")
    response = pagecache.PageCacheMiddleware(download)(request)
    assert response[HEADER] == "hit" and not response.has_header("Content-Encoding")
    assert response.content == body


def test_a_worker_serves_a_page_it_kept_from_memory_and_others_from_the_shared_cache(client, plan):
    url = _urls(plan)["dashboard"]
    page = _cached(client, url).content
    pagecache._cache().clear()  # the shared cache lost it: this worker still has it
    assert _get(client, url).content == page
    pagecache._local.clear()  # another worker: the shared cache alone
    _cached(client, url)
    pagecache._local.clear()
    response = _get(client, url)
    assert response[HEADER] == "hit" and response.content == page


def test_the_memory_of_a_worker_stays_within_its_budget(plan, settings):
    settings.DXPLAN_PAGE_CACHE_LOCAL_BYTES = 10_000
    local = pagecache._Local()
    for n in range(10):
        local.put(f"k{n}", (200, [], b"x" * 3_000, False))
    assert local._bytes <= 10_000 and list(local._entries) == ["k7", "k8", "k9"]
    local.get("k7")  # used: kept over k8
    local.put("k10", (200, [], b"x" * 3_000, False))
    assert list(local._entries) == ["k9", "k7", "k10"]
    local.put("huge", (200, [], b"x" * 20_000, False))
    assert "huge" not in local._entries


def test_the_query_string_is_part_of_the_key_in_any_order(client, plan):
    url = _urls(plan)["projects"]
    _get(client, url + "?a=1&b=2")
    assert _get(client, url + "?b=2&a=1")[HEADER] == "hit"
    assert _get(client, url + "?a=1&b=3")[HEADER] == "miss"
    assert _get(client, url)[HEADER] == "miss"


def test_head_is_answered_from_the_get_entry_without_a_body(client, plan):
    url = _urls(plan)["dashboard"]
    full = _get(client, url)
    response = client.head(url)
    assert response.status_code == 200 and response[HEADER] == "hit"
    assert response.content == b""
    assert int(response["Content-Length"]) == len(full.content)


# --- who never gets or gives a cached page ----------------------------------------------


def test_a_signed_in_reader_never_gets_the_anonymous_page(client, staff, plan, dx_admin_of):
    url = _urls(plan)["dashboard"]
    anonymous = _cached(client, url)
    mine = _get(staff, url)
    assert HEADER not in mine
    page = mine.content.decode()
    assert "ログアウト" in page and dx_admin_of.username in page
    assert mine.content != anonymous.content
    assert "ログアウト" not in _get(client, url).content.decode()


def test_a_visitor_with_a_session_cookie_is_never_served_from_the_cache(client, plan):
    url = _urls(plan)["dashboard"]
    _cached(client, url)
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "no-such-session"
    for _ in range(2):
        assert HEADER not in _get(client, url)


def test_a_signed_in_page_is_never_stored(client, staff, plan, dx_admin_of):
    for url in _urls(plan).values():
        for _ in range(2):
            assert HEADER not in _get(staff, url)
        anonymous = _get(client, url)
        assert anonymous[HEADER] == "miss"
        assert dx_admin_of.username not in anonymous.content.decode()


def test_the_login_link_of_a_cached_page_returns_to_that_page(client, plan):
    url = _urls(plan)["projects"]
    page = _cached(client, url).content.decode()
    assert f"?next={url}" in page.replace("%2F", "/")


def test_drafts_are_never_cached(client, staff, plan):
    draft = builders.full_plan(
        municipality=plan.municipality, status=Plan.Status.DRAFT, slug="cached-draft"
    )
    url = _urls(draft)["dashboard"]
    for _ in range(2):
        assert HEADER not in _get(staff, url)
        response = client.get(url)
        assert response.status_code == 404 and HEADER not in response


def test_a_plan_taken_back_to_draft_is_not_served_from_the_cache(client, plan):
    url = _urls(plan)["dashboard"]
    _cached(client, url)
    plan.status = Plan.Status.DRAFT
    plan.save()
    response = client.get(url)
    assert response.status_code == 404 and HEADER not in response


def test_pages_that_need_a_sign_in_are_not_stored(client, plan):
    for name in ("reports:plan-history",):
        url = reverse(name, args=[plan.slug])
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 302 and response.get(HEADER) != "hit", name


def test_the_cache_is_off_when_switched_off(client, plan, settings):
    settings.DXPLAN_PAGE_CACHE = False
    url = _urls(plan)["dashboard"]
    for _ in range(2):
        assert HEADER not in _get(client, url)


def _through_middleware(plan, view) -> list[str]:
    """Two anonymous requests through the middleware with ``view`` behind it: their
    X-Dxplan-Cache headers."""
    from django.contrib.sessions.backends.db import SessionStore

    middleware = pagecache.PageCacheMiddleware(view)
    url = _urls(plan)["dashboard"]
    out = []
    for _ in range(2):
        request = RequestFactory().get(url)
        request.user = AnonymousUser()
        request.session = SessionStore()
        out.append(middleware(request)[HEADER])
    return out


def _page(request):
    return HttpResponse("<p>page</p>")


@pytest.mark.parametrize(
    "case",
    ["cookie", "csrf", "session", "private", "no-store", "vary-star", "not-found", "redirect"],
)
def test_a_response_for_this_visitor_alone_is_not_stored(plan, case):
    def view(request):
        response = _page(request)
        if case == "cookie":
            response.set_cookie("seen", "1")
        elif case == "csrf":
            get_token(request)
        elif case == "session":
            request.session["visited"] = True
        elif case in ("private", "no-store"):
            response["Cache-Control"] = case
        elif case == "vary-star":
            response["Vary"] = "*"
        elif case == "not-found":
            response.status_code = 404
        else:
            response = HttpResponse(status=302, headers={"Location": "/"})
        return response

    assert _through_middleware(plan, view) == ["miss", "miss"]
    assert _through_middleware(plan, _page) == ["miss", "hit"]


def test_a_page_made_while_the_plan_changed_is_not_stored(plan):
    def view(request):
        with transaction.atomic():
            Project.objects.filter(plan=plan).update(name="描画中の変更")
            revision.touch(plan.pk)
        return _page(request)

    assert _through_middleware(plan, view) == ["miss", "miss"]


# --- every write path makes the next anonymous read fresh -------------------------------


def _project_url(plan):
    return _urls(plan)["projects"]


def _fresh_after(client, url, write, expected: str | None = None):
    """``url`` cached, then ``write`` (in an atomic block of its own, as a request is), then
    the next anonymous read: fresh, with ``expected`` in it."""
    _cached(client, url)
    with transaction.atomic():
        write()
    response = _get(client, url)
    assert response[HEADER] == "miss"
    if expected is not None:
        assert expected in response.content.decode()
    assert _get(client, url)[HEADER] == "hit"


def test_an_admin_change_is_shown_to_the_next_reader(client, staff, plan):
    project = plan.projects.get()
    admin_url = reverse("admin:projects_project_change", args=[project.pk])

    def write():
        data = form_data(staff.get(admin_url).content.decode())
        response = staff.post(admin_url, _post_data(data, {"name": "管理画面で変えた名前"}))
        assert response.status_code == 302

    _fresh_after(client, _project_url(plan), write, "管理画面で変えた名前")


def test_an_admin_delete_is_shown_to_the_next_reader(client, staff, plan):
    project = plan.projects.get()
    url = reverse("admin:projects_project_delete", args=[project.pk])

    def write():
        assert staff.post(url, {"post": "yes"}).status_code == 302

    _fresh_after(client, _project_url(plan), write)
    assert project.name not in _get(client, _project_url(plan)).content.decode()


def test_a_history_revert_is_shown_to_the_next_reader(client, plan):
    admin_client = Client()
    admin_client.force_login(make_user("root", is_superuser=True))
    project = plan.projects.get()
    first = project.history.order_by("history_id").first()
    project.name = "一度変えた名前"
    project.save()
    url = reverse("admin:projects_project_simple_history", args=[project.pk, first.history_id])

    def write():
        data = form_data(admin_client.get(url).content.decode())
        response = admin_client.post(url, _post_data(data, {"_change_history": "1"}))
        assert response.status_code == 302

    _fresh_after(client, _project_url(plan), write, first.name)


def test_actuals_entered_are_shown_to_the_next_reader(client, staff, plan):
    act = Indicator.objects.get(project__plan=plan)
    version = IndicatorValue.objects.get(indicator=act, fiscal_year=2024).version
    entry = reverse("kpis:actuals-entry") + f"?plan={plan.slug}&year=R6"

    def write():
        data = {f"actual-{act.pk}": "987654", f"version-{act.pk}": version}
        assert staff.post(entry, data).status_code == 302

    _fresh_after(client, _project_url(plan), write, "987,654")


def test_actuals_saved_by_the_service_are_shown_to_the_next_reader(client, plan, dx_admin_of):
    act = Indicator.objects.get(project__plan=plan)

    def write():
        actuals_save(
            indicators=[act], fiscal_year=2024, raw_by_id={act.pk: "4321"}, user=dx_admin_of
        )

    _fresh_after(client, _project_url(plan), write, "4,321")


def test_a_workbook_import_is_shown_to_the_next_reader(client, plan, dx_admin_of):
    def write():
        wb = open_workbook(workbook_export(plan))
        ws = wb["プロジェクト"]
        header = [c.value for c in ws[1]]
        ws.cell(2, header.index("名称") + 1).value = "ブックで変えた名前"
        plan_import(plan=plan, data=save_workbook(wb), user=dx_admin_of, dry_run=False)

    _fresh_after(client, _project_url(plan), write, "ブックで変えた名前")


def test_confirm_and_reopen_make_the_next_read_fresh(client, plan, dx_admin_of):
    url = _urls(plan)["dashboard"]
    _fresh_after(client, url, lambda: year_confirm(plan=plan, fiscal_year=2023, user=dx_admin_of))
    _fresh_after(
        client,
        url,
        lambda: year_reopen(plan=plan, fiscal_year=2023, user=dx_admin_of, reason="訂正"),
    )


def test_a_new_edition_published_is_offered_on_the_old_editions_pages(client, plan):
    holder = {}

    def copy():
        holder["edition"] = edition_start(plan=plan, fiscal_year=2026)

    url = _urls(plan)["compare"]
    _cached(client, url)
    copy()  # a draft: nothing an anonymous reader sees changes
    assert _get(client, url)[HEADER] == "hit"
    edition = holder["edition"]

    def publish():
        edition.status = Plan.Status.PUBLISHED
        edition.save()

    _fresh_after(client, url, publish, edition.slug)


def test_a_department_renamed_is_shown_to_the_next_reader(client, plan):
    department = Department.objects.get(municipality=plan.municipality, name="観光商工部")

    def write():
        department.name = "観光交流部"
        department.save()

    _fresh_after(client, _project_url(plan), write, "観光交流部")


def test_the_release_is_part_of_the_key(client, plan, settings):
    url = _urls(plan)["dashboard"]
    _cached(client, url)
    settings.DXPLAN_DEPLOY_KEY = "next-release"
    pagecache.deploy_key.cache_clear()
    try:
        assert _get(client, url)[HEADER] == "miss"
    finally:
        pagecache.deploy_key.cache_clear()


def test_the_cache_in_use_is_the_configured_one():
    backend = django_settings.CACHES["default"]["BACKEND"]
    if django_settings.CACHES["default"].get("LOCATION", "").startswith(("redis", "unix")):
        assert backend == "django.core.cache.backends.redis.RedisCache"
    else:
        assert backend == "django.core.cache.backends.filebased.FileBasedCache"


def test_the_workbook_download_is_kept_as_it_is_until_the_plan_changes(client, plan):
    url = reverse("reports:plan-export", args=[plan.slug])
    first = _get(client, url)
    assert first[HEADER] == "miss" and first.content[:2] == b"PK"
    second = _get(client, url, HTTP_ACCEPT_ENCODING="gzip")
    assert second[HEADER] == "hit" and second.content == first.content  # a zip already
    assert not second.has_header("Content-Encoding")
    assert second["Content-Disposition"] == first["Content-Disposition"]
    ods = _get(client, url + "?format=ods")
    assert ods[HEADER] == "miss" and ods.content != first.content
    with transaction.atomic():
        revision.touch(plan.pk)
    assert _get(client, url)[HEADER] == "miss"
