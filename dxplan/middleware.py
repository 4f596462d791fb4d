"""Report pages for visitors who are not signed in read the replica (dxplan/routers.py).

Placed high, right after WhiteNoise and above the session and authentication middleware,
so that a page served from the page cache (reports/pagecache.py, just below) costs neither:
a visitor is "signed out" here when the request carries no session cookie
(``signed_out``) — a signed-in visitor always brings one, so staff always read the primary
and never meet a cached page. The page cache's revision query and the page it keeps then
come from the same database.
"""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import Resolver404, get_resolver

from dxplan.routers import replica_configured, replica_reads

NAMESPACE = "reports"


def signed_out(request) -> bool:
    """The visitor cannot be signed in: the request carries no session cookie. (A visitor
    with a cookie whose session is anonymous is treated as signed in: never the other way.)"""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


@lru_cache(maxsize=4096)
def _match(urlconf, path_info: str):
    try:
        return get_resolver(urlconf).resolve(path_info)
    except Resolver404:
        return None


def reports_match(request):
    """The ResolverMatch of a ``reports:`` URL, or None (resolved once per path)."""
    match = _match(getattr(request, "urlconf", None), request.path_info)
    return match if match is not None and NAMESPACE in match.namespaces else None


def replica_page(request) -> bool:
    """Whether this request's reads go to the replica."""
    return (
        replica_configured()
        and request.method in ("GET", "HEAD")
        and signed_out(request)
        and reports_match(request) is not None
    )


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if replica_page(request):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)


def _forget_urls(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _match.cache_clear()


setting_changed.connect(_forget_urls)
