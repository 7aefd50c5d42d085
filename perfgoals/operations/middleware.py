"""Database blips: retry an idempotent request briefly, then answer 503, never a 500.

A PostgreSQL restart or failover drops every connection for a fraction of a second to a few
seconds. Persistent connections are pinged before reuse (CONN_HEALTH_CHECKS), so the first
query of a request reconnects; while the server is still away the connect itself fails with an
OperationalError. For GET/HEAD/OPTIONS this middleware closes the broken connection and runs
the view again after DB_RETRY_DELAYS; when that is not enough, or for a write, it answers the
503 page with Retry-After. A write is never retried here: the service's transaction either
committed before the failure or rolled back with it, so nothing is half-applied, and the user
sends it again.
"""

import logging
import time

from django.conf import settings
from django.db import connections
from django.db.utils import InterfaceError, OperationalError

from perfgoals.operations.views import service_unavailable

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})


def _discard_broken_connections() -> bool:
    """Close connections so the next query reconnects; False inside a transaction."""
    if any(conn.in_atomic_block for conn in connections.all(initialized_only=True)):
        return False
    for conn in connections.all(initialized_only=True):
        conn.close()
    return True


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.warning(
            "database unavailable for %s %s: %s", request.method, request.path, exception
        )
        if request.method in IDEMPOTENT and request.resolver_match is not None:
            match = request.resolver_match
            for delay in settings.DB_RETRY_DELAYS:
                if not _discard_broken_connections():
                    break
                time.sleep(delay)
                try:
                    response = match.func(request, *match.args, **match.kwargs)
                    if hasattr(response, "render") and callable(response.render):
                        response = response.render()
                    return response
                except DATABASE_ERRORS as again:
                    logger.warning("retry after %.1f s failed: %s", delay, again)
        _discard_broken_connections()
        return service_unavailable(request)
