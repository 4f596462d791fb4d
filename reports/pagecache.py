"""Whole pages for anonymous readers of published plans, from the cache.

Plans change rarely and are read by many: a published plan's pages, chart data and
downloads are the same for every reader who is not signed in, until the plan changes. This
middleware keeps each such response in Django's cache (dxplan/settings.py: files shared by
the machine's workers, or Redis) under a key made of

- the page: scheme, host, path and the query string (parameters sorted by name);
- the plan's revision (strategy/revision.py), which every change to anything the plan
  shows advances in the same transaction, together with the revisions of the other
  published plans of its municipality (a page may show them: the 新旧対照表 compares with
  another edition and offers the others);
- the release (``DXPLAN_DEPLOY_KEY``, by default a digest of the code and the templates)
  and the database it reads, so a new release or another database never meets old pages.

A change therefore needs no invalidation: the next reader computes a new key and gets a
fresh page; the old entries expire. Which requests: GET and HEAD of a ``reports:`` URL with
a ``slug`` whose plan an anonymous reader may read (``Plan.objects.readable_by``), from
someone who is not signed in and brings no pending message. A hit costs one query (the
revisions) and no template. What is stored: a 200 GET response that is not streamed, sets
no cookie, used no CSRF token, did not touch the session, is not ``Cache-Control:
private``/``no-store``/``no-cache`` and does not vary on everything — and only if the
plan's revisions did not move while the page was being made (one more query, on a miss),
so a page is never kept under a revision older than its data. Signed-in users are never
served a cached page and their pages are never stored: the per-user parts of the base
template (user name, logout form with its CSRF token, edit links) are theirs alone; an
anonymous page's only variable part, the 「ログイン」 link with ``?next=<path>``, is
already in the key.

Responses carry ``X-Dxplan-Cache: hit`` or ``miss`` where the cache was asked (tests and
the benchmark read it).
"""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.db.models import Subquery
from django.http import HttpResponse
from django.urls import Resolver404, get_resolver

HEADER = "X-Dxplan-Cache"
NAMESPACE = "reports"
#: Larger responses are served fresh each time (a 100× plan's whole report is tens of MB).
MAX_BYTES = 64 * 1024 * 1024
#: Headers that belong to one response, not to the page.
_NOT_KEPT = {"set-cookie", "date", HEADER.lower()}

log = logging.getLogger(__name__)


def _cache():
    return caches["default"]


@lru_cache(maxsize=1)
def deploy_key() -> str:
    """The release: ``DXPLAN_DEPLOY_KEY``, else a digest of what makes a page — the code
    and templates of the project, the static manifest, the settings the pages depend on —
    and of the database, worked out once per process."""
    digest = hashlib.sha256()
    db = settings.DATABASES["default"]
    for part in (
        settings.DXPLAN_DEPLOY_KEY,
        db.get("ENGINE"),
        db.get("HOST"),
        db.get("PORT"),
        str(db.get("NAME")),
        settings.DXPLAN_PUBLIC_PLANS,
        settings.LANGUAGE_CODE,
        settings.TIME_ZONE,
        settings.STATIC_URL,
    ):
        digest.update(f"{part}\0".encode())
    if not settings.DXPLAN_DEPLOY_KEY:
        base = Path(settings.BASE_DIR)
        files = [Path(settings.STATIC_ROOT) / "staticfiles.json"]
        for folder in ("dxplan", "strategy", "projects", "kpis", "reports", "interchange"):
            files += sorted((base / folder).rglob("*.py"))
            files += sorted((base / folder).rglob("*.html"))
        for folder in settings.TEMPLATES[0]["DIRS"]:
            files += sorted(Path(folder).rglob("*.html"))
        for path in files:
            if path.is_file() and "migrations" not in path.parts:
                digest.update(f"{path.name}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _slug(request) -> str | None:
    """The plan slug of a ``reports:`` URL, or None."""
    try:
        match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return None
    if NAMESPACE not in match.namespaces:
        return None
    slug = match.kwargs.get("slug")
    return slug if isinstance(slug, str) else None


def _revisions(slug: str) -> str | None:
    """The revisions the page depends on ("id:revision,…" of the published plans of the
    plan's municipality), or None when anonymous readers may not read the plan. One query."""
    from strategy.models import Plan

    readable = Plan.objects.readable_by(AnonymousUser())
    same_town = Plan.objects.filter(slug=slug).values("municipality_id")[:1]
    rows = sorted(
        readable.filter(municipality_id=Subquery(same_town))
        .order_by()
        .values_list("pk", "slug", "revision")
    )
    if not any(row_slug == slug for _pk, row_slug, _revision in rows):
        return None
    return ",".join(f"{pk}:{revision}" for pk, _slug, revision in rows)


def _key(request, revisions: str) -> str:
    query = urlencode(sorted(request.GET.lists(), key=lambda item: item[0]), doseq=True)
    page = "\0".join((request.scheme, request.get_host(), request.path, query))
    digest = hashlib.sha256(f"{deploy_key()}\0{revisions}\0{page}".encode()).hexdigest()
    return f"page:{digest}"


def _anonymous(request) -> bool:
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _eligible(request) -> bool:
    return (
        settings.DXPLAN_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and "messages" not in request.COOKIES  # a pending message is shown on the next page
        and _anonymous(request)
    )


def _storable(request, response) -> bool:
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or len(response.content) > MAX_BYTES:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False  # the page holds a CSRF token: it is this visitor's
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False  # a session cookie is about to be set
    if not _anonymous(request):
        return False  # signed in while the page was made
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    return response.get("Vary", "").strip() != "*"


def _frozen(response) -> tuple:
    headers = [(k, v) for k, v in response.items() if k.lower() not in _NOT_KEPT]
    return (response.status_code, headers, response.content)


def _thawed(request, frozen) -> HttpResponse:
    status, headers, content = frozen
    response = HttpResponse(b"" if request.method == "HEAD" else content, status=status)
    for name, value in headers:
        response[name] = value
    if request.method == "HEAD":
        response["Content-Length"] = str(len(content))
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _eligible(request):
            return self.get_response(request)
        slug = _slug(request)
        revisions = _revisions(slug) if slug else None
        if revisions is None:
            return self.get_response(request)
        key = _key(request, revisions)
        try:
            frozen = _cache().get(key)
        except Exception:  # the cache is an optimisation: a broken one serves fresh pages
            log.exception("page cache: get failed")
            frozen = None
        if frozen is not None:
            response = _thawed(request, frozen)
            response[HEADER] = "hit"
            return response
        response = self.get_response(request)
        if _storable(request, response) and _revisions(slug) == revisions:
            try:
                _cache().set(key, _frozen(response))
            except Exception:
                log.exception("page cache: set failed")
        response[HEADER] = "miss"
        return response


def clear() -> None:
    """Forget every cached page (never needed for correctness; for operators and tests)."""
    _cache().clear()
