"""Error pages in Chinese, and a database that is away answered by a retry or a 503."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db.utils import OperationalError
from django.urls import reverse

from perfgoals.operations.views import RETRY_AFTER_SECONDS, server_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_pause(settings):
    settings.DB_RETRY_DELAYS = (0, 0)


def flaky(failures: int):
    """A stand-in for a read that fails `failures` times with a lost connection."""
    calls = []

    def read(*args, **kwargs):
        calls.append(1)
        if len(calls) <= failures:
            raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
        return []

    read.calls = calls
    return read


def test_unknown_page_is_a_chinese_404_in_the_layout(client, login):
    login("ruili_health")
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in body and "返回首页" in body and 'class="topbar"' in body
    assert "Not Found" not in body


def test_permission_denied_is_a_chinese_403(client, login, monkeypatch):
    login("ruili_health")

    def refuse(user):
        raise PermissionDenied

    monkeypatch.setattr("perfgoals.home.views.bureau_sections", refuse)
    response = client.get(reverse("home"))
    assert response.status_code == 403 and "没有权限" in response.content.decode()


def test_a_bug_is_a_chinese_500(client, login, monkeypatch):
    login("ruili_health")
    client.raise_request_exception = False

    def bug(user):
        raise ZeroDivisionError

    monkeypatch.setattr("perfgoals.home.views.bureau_sections", bug)
    response = client.get(reverse("home"))
    assert response.status_code == 500 and "系统出错" in response.content.decode()
    assert "Retry-After" not in response


# A retry closes the connection, which a test wrapped in a transaction cannot allow.
@pytest.mark.django_db(transaction=True)
def test_a_read_during_a_short_blip_is_retried_and_succeeds(client, login, monkeypatch, no_pause):
    login("ruili_health")
    read = flaky(failures=1)
    monkeypatch.setattr("perfgoals.home.views.bureau_sections", read)
    response = client.get(reverse("home"))
    assert response.status_code == 200 and len(read.calls) == 2


@pytest.mark.django_db(transaction=True)
def test_a_blip_at_the_requests_first_query_the_session_is_retried_too(
    client, login, session_blip, no_pause
):
    # A logged-in request touches the database first to load its session: no middleware may
    # do that before the view, where the retry cannot reach it (it once turned every blip
    # into a 503).
    login("ruili_health")
    calls = session_blip()
    response = client.get(reverse("home"))
    assert response.status_code == 200 and len(calls) == 2
    assert response.wsgi_request.user.username == "ruili_health"


@pytest.mark.django_db(transaction=True)
def test_a_read_while_the_database_stays_away_gets_the_503_page(
    client, login, monkeypatch, no_pause
):
    login("ruili_health")
    read = flaky(failures=99)
    monkeypatch.setattr("perfgoals.home.views.bureau_sections", read)
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "系统繁忙，请稍后重试" in body and "没有被保存" in body
    assert len(read.calls) == 1 + 2  # the first try and one per pause


def test_a_write_is_never_retried_and_gets_the_503_page(client, login, monkeypatch, no_pause):
    login("shunping_medsec")
    write = flaky(failures=99)
    monkeypatch.setattr("perfgoals.exports.views.export_job_create", write)
    response = client.post(
        reverse("exports:job_create"), {"kind": "department", "ident": "1-2020", "format": "pdf"}
    )
    assert response.status_code == 503 and "系统繁忙" in response.content.decode()
    assert len(write.calls) == 1


def test_database_error_escaping_a_middleware_is_a_503_not_a_500(rf):
    """Django calls handler500 inside its except block, e.g. when the session save fails."""
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(rf.get("/")).status_code == 500


def test_health_answers_ok_without_a_login(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response.content == b"ok"


def test_health_is_503_when_the_database_cannot_be_queried(client, monkeypatch):
    def refuse(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", refuse)
    response = client.get(reverse("health"))
    assert response.status_code == 503 and response["Retry-After"]
