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

import gzip
import hashlib
import logging
import re
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import connections, router
from django.db.models import Subquery
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from dxplan.middleware import reports_match, signed_out

HEADER = "X-Dxplan-Cache"
#: Larger responses are served fresh each time (a 100× plan's whole report is tens of MB).
MAX_BYTES = 64 * 1024 * 1024
#: Headers that belong to one response, not to the page (Content-Length: per encoding).
_NOT_KEPT = {"set-cookie", "date", "content-length", HEADER.lower()}
#: Bodies below this are kept as they are: gzip would save nothing worth a header.
MIN_GZIP_BYTES = 512
_TEXT_TYPES = {"application/json", "application/javascript", "image/svg+xml"}
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")

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
    match = reports_match(request)
    slug = match.kwargs.get("slug") if match is not None else None
    return slug if isinstance(slug, str) else None


_SLUG = "\0slug\0"  # stands for the page's slug in the compiled query


@lru_cache(maxsize=8)
def _revisions_query(alias: str, public_plans: bool) -> tuple[str, list, int] | None:
    """The revision query compiled once: (SQL, parameters, index of the slug parameter), or
    None when anonymous readers may read no plan. Built from ``Plan.objects.readable_by``,
    the one rule of who reads what, and cached per database and ``DXPLAN_PUBLIC_PLANS``
    (the setting that rule reads); settings changed in tests clear it."""
    from strategy.models import Plan

    readable = Plan.objects.readable_by(AnonymousUser())
    same_town = Plan.objects.filter(slug=_SLUG).values("municipality_id")[:1]
    query = (
        readable.filter(municipality_id=Subquery(same_town))
        .order_by("pk")
        .values_list("pk", "slug", "revision")
    )
    try:
        sql, params = query.query.get_compiler(using=alias).as_sql()
    except EmptyResultSet:
        return None
    params = list(params)
    return sql, params, params.index(_SLUG)


def _revisions(slug: str) -> str | None:
    """The revisions the page depends on ("id:revision,…" of the published plans of the
    plan's municipality), or None when anonymous readers may not read the plan. One query,
    compiled once per process: a hit builds no queryset."""
    from strategy.models import Plan

    alias = router.db_for_read(Plan)
    compiled = _revisions_query(alias, settings.DXPLAN_PUBLIC_PLANS)
    if compiled is None:
        return None
    sql, params, at = compiled
    params = [*params[:at], slug, *params[at + 1 :]]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not any(row_slug == slug for _pk, row_slug, _revision in rows):
        return None
    return ",".join(f"{pk}:{revision}" for pk, _slug, revision in rows)


def _forget_compiled(*, setting, **kwargs):
    if setting in ("DXPLAN_PUBLIC_PLANS", "DATABASES"):
        _revisions_query.cache_clear()


setting_changed.connect(_forget_compiled)


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
        and signed_out(request)  # no session cookie: cannot be signed in
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


def _compressible(response) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type.startswith("text/") or content_type in _TEXT_TYPES


def _frozen(response) -> tuple:
    """What is kept: status, headers and the body — gzip-compressed once, here, when it is
    text (a page, chart data), as it is otherwise (a workbook is a zip already)."""
    headers = [(k, v) for k, v in response.items() if k.lower() not in _NOT_KEPT]
    content = response.content
    if _compressible(response) and len(content) >= MIN_GZIP_BYTES:
        # mtime=0: the same page makes the same bytes. No secret is in a kept page (a page
        # that used a CSRF token is never kept), so compression reveals nothing (BREACH).
        return (response.status_code, headers, gzip.compress(content, 6, mtime=0), True)
    return (response.status_code, headers, content, False)


def _thawed(request, frozen) -> HttpResponse:
    """The kept response for this request: the compressed body as it is for a client that
    accepts gzip (every browser), else decompressed."""
    status, headers, body, compressed = frozen
    encoded = compressed and _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if compressed and not encoded:
        body = gzip.decompress(body)
    response = HttpResponse(b"" if request.method == "HEAD" else body, status=status)
    for name, value in headers:
        response[name] = value
    if compressed:
        patch_vary_headers(response, ("Accept-Encoding",))
    if encoded:
        response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(body))
    return response


class _Local:
    """This process's most recently used kept responses, up to ``DXPLAN_PAGE_CACHE_LOCAL_BYTES``
    (bodies as kept, compressed): a hit on a page this worker served lately reads no file and
    asks no Redis. Always right: a key names one revision of one page, whose response
    never changes, so an entry is only ever evicted, never stale."""

    def __init__(self):
        self._entries: OrderedDict[str, tuple] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # gthread workers share the process

    def get(self, key: str):
        with self._lock:
            frozen = self._entries.get(key)
            if frozen is not None:
                self._entries.move_to_end(key)
            return frozen

    def put(self, key: str, frozen: tuple) -> None:
        budget = settings.DXPLAN_PAGE_CACHE_LOCAL_BYTES
        size = len(frozen[2])
        if size > budget:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = frozen
            self._bytes += size
            while self._bytes > budget:
                _key, old = self._entries.popitem(last=False)
                self._bytes -= len(old[2])

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_local = _Local()


def _lookup(key: str):
    frozen = _local.get(key)
    if frozen is not None:
        return frozen
    try:
        frozen = _cache().get(key)
    except Exception:  # the cache is an optimisation: a broken one serves fresh pages
        log.exception("page cache: get failed")
        return None
    if frozen is not None:
        _local.put(key, frozen)
    return frozen


def _keep(key: str, response) -> None:
    frozen = _frozen(response)
    _local.put(key, frozen)
    try:
        _cache().set(key, frozen)
    except Exception:
        log.exception("page cache: set failed")


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
        frozen = _lookup(key)
        if frozen is not None:
            response = _thawed(request, frozen)
            response[HEADER] = "hit"
            return response
        response = self.get_response(request)
        if _storable(request, response) and _revisions(slug) == revisions:
            _keep(key, response)
        response[HEADER] = "miss"
        return response


def clear() -> None:
    """Forget every cached page (never needed for correctness; for operators and tests)."""
    _local.clear()
    _cache().clear()
