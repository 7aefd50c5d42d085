"""Error pages in Chinese, in the product's layout (settings: handler400/403/404/500).

They render without touching the database: the user is read only if the session already
loaded it, so the 500 and 503 pages work while PostgreSQL is down.
"""

import sys

from django.db import connection
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

# Seconds a browser or proxy is told to wait before retrying after a 503.
RETRY_AFTER_SECONDS = 5

PAGES = {
    400: ("请求有误", "提交的内容无法识别，请返回上一页重新操作。"),
    403: ("没有权限", "您没有权限访问此页面。如果刚刚登录超时，请重新登录后再试。"),
    404: ("页面不存在", "没有找到此页面，或者您无权查看这项内容。"),
    500: ("系统出错", "系统内部出错，管理员已收到记录。请稍后重试。"),
    503: ("系统繁忙，请稍后重试", "数据库暂时无法连接，您的操作没有被保存。请稍候几秒后重试。"),
}


def _page(request, status: int) -> HttpResponse:
    title, detail = PAGES[status]
    html = render_to_string(
        "errors/error.html", {"status": status, "title": title, "detail": detail}, request=None
    )
    response = HttpResponse(html, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def service_unavailable(request) -> HttpResponse:
    return _page(request, 503)


def bad_request(request, exception=None):
    return _page(request, 400)


def permission_denied(request, exception=None):
    return _page(request, 403)


def page_not_found(request, exception=None):
    return _page(request, 404)


def server_error(request):
    # Django calls this inside its except block: a database error that escaped a middleware
    # (the session save, say) is the database being away, not a bug.
    _, exception, _ = sys.exc_info()
    if isinstance(exception, OperationalError | InterfaceError):
        return _page(request, 503)
    return _page(request, 500)


def health(request) -> HttpResponse:
    """GET /healthz/: 200 "ok" when this app server can query its database, else 503.

    For the reverse proxy's or load balancer's health check (docs/deploy.md), and the trivial
    view bench/load.py compares the pages with. No session, no template.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (OperationalError, InterfaceError):
        response = HttpResponse("database unavailable", status=503, content_type="text/plain")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse("ok", content_type="text/plain")
