"""Requests that meet a failure outside the view's own logic.

Database blips: retry an idempotent request briefly, then answer 503, never a 500.

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
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from perfgoals.operations.views import service_unavailable
from perfgoals.retries import DATABASE_ERRORS, discard_broken_connections, retried

logger = logging.getLogger(__name__)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})


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

            def again():
                response = match.func(request, *match.args, **match.kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                return response

            try:
                return retried(again, exception)
            except DATABASE_ERRORS:
                pass
        discard_broken_connections()
        return service_unavailable(request)


# Fields of a POST that are not the user's typing: never carried through the login URL.
NOT_TYPED = frozenset({"csrfmiddlewaretoken", "next"})
EXPIRED = "登录已超时，请重新登录。登录后将回到刚才的位置，输入的内容已保留。"


class HtmxLoginMiddleware:
    """An htmx request whose session has expired: log in on a whole page and come back.

    `login_required` answers with a redirect to the login page, which htmx would follow inside
    the request and swap into the table, losing the row being typed. Instead the browser is
    sent (HX-Redirect) to the login page whose `next` is the same editor URL as a GET carrying
    the typed fields: the editor's URLs answer such a GET with the page in that state (the row
    open, holding the text), so after logging in the user finds the value and saves it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and not request.user.is_authenticated
        ):
            return response
        login_url = resolve_url(settings.LOGIN_URL)
        if urlsplit(response["Location"]).path != login_url:
            return response
        messages.warning(
            request, "登录已超时，请重新登录。登录后将回到刚才的位置，输入的内容已保留。"
        )
        back = f"{login_url}?{urlencode({REDIRECT_FIELD_NAME: _resume_url(request)})}"
        redirect = HttpResponse(status=200)
        redirect["HX-Redirect"] = back
        redirect["X-Login-Resume"] = "1"  # static/js/guard.js: the typing travels, do not ask
        return redirect


def _resume_url(request) -> str:
    if request.method == "POST":
        typed = [
            (k, v) for k in request.POST for v in request.POST.getlist(k) if k not in NOT_TYPED
        ]
        if any(v for k, v in typed if k != "version"):
            return f"{request.path}?{urlencode(typed)}"
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path if request.method == "GET" else resolve_url(settings.LOGIN_REDIRECT_URL)
