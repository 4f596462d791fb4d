"""Report pages for anonymous readers read the replica (dxplan/routers.py).

Placed after the authentication middleware (it asks whether the visitor is signed in,
which reads the session on the primary) and before the page cache (whose revision query
must read the same database as the page it keeps).
"""

from django.urls import Resolver404, get_resolver

from dxplan.routers import replica_configured, replica_reads

NAMESPACE = "reports"


def _report_page(request) -> bool:
    try:
        match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return False
    return NAMESPACE in match.namespaces


def _anonymous(request) -> bool:
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            replica_configured()
            and request.method in ("GET", "HEAD")
            and _report_page(request)
            and _anonymous(request)
        ):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
