"""Login protection, idle logout, safe defaults and the Content-Security-Policy."""

import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from perfgoals.demo import DEMO_PASSWORD
from perfgoals.models import User
from perfgoals.security import LAST_SEEN

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _login(client, url, username, password, address="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_an_account_is_locked_after_five_failures_even_with_the_right_password(
    client, demo, demo_password, url
):
    username = "admin" if url.startswith("/admin") else "ruili_health"
    answers = [_login(client, url, username, "wrong-password").status_code for _ in range(5)]
    assert answers[:4] == [200] * 4
    locked = _login(client, url, username, demo_password)
    assert locked.status_code == 429
    assert "登录已暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # From another address too: the account itself is locked.
    assert _login(client, url, username, demo_password, address="10.0.0.2").status_code == 429


def test_an_address_is_locked_after_five_failures_across_accounts(client, demo, demo_password):
    for username in ["ruili_health", "ruili_medsec", "ruili_finance", "ruili_perf", "admin"]:
        _login(client, "/accounts/login/", username, "wrong-password", address="10.0.0.9")
    assert (
        _login(client, "/accounts/login/", "dehong_health", demo_password, "10.0.0.9").status_code
        == 429
    )
    # The same account logs in from elsewhere: only the address was locked.
    assert (
        _login(client, "/accounts/login/", "dehong_health", demo_password, "10.0.0.8").status_code
        == 302
    )


def test_a_success_before_the_limit_resets_the_count(client, demo, demo_password):
    for _ in range(4):
        _login(client, "/accounts/login/", "ruili_health", "wrong-password")
    assert _login(client, "/accounts/login/", "ruili_health", demo_password).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "/accounts/login/", "ruili_health", "wrong-password")
    assert _login(client, "/accounts/login/", "ruili_health", demo_password).status_code == 302


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("perfgoalsdemo", False),
        ("perfgoals2026x", False),
        ("Perfgoals2026x", True),
        ("perfgoals#2026", True),
        (DEMO_PASSWORD, True),
    ],
)
def test_passwords_need_three_kinds_of_characters(password, ok):
    try:
        password_validation.validate_password(password)
    except ValidationError as exc:
        assert not ok, exc.messages
        assert "密码须至少包含大写字母、小写字母、数字、符号中的3种。" in exc.messages
    else:
        assert ok


def test_a_session_left_idle_expires_and_activity_slides_its_expiry(client, demo, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    user = User.objects.get(username="ruili_health")
    client.force_login(user)
    key = client.session.session_key
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 120
    session.save()
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() + timezone.timedelta(minutes=5)
    )
    assert client.get(reverse("home")).status_code == 200
    slid = Session.objects.get(pk=key).expire_date
    assert slid > timezone.now() + timezone.timedelta(minutes=29)
    # Idle past the limit: the next request has to log in again.
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_active_page_costs_no_session_write_within_a_minute(
    client, demo, django_assert_num_queries
):
    client.force_login(User.objects.get(username="ruili_health"))
    client.get(reverse("home"))
    stamp = client.session[LAST_SEEN]
    client.get(reverse("home"))
    assert client.session[LAST_SEEN] == stamp


def test_pages_carry_a_content_security_policy_without_inline_scripts(client, demo):
    client.force_login(User.objects.get(username="ruili_health"))
    for url in [reverse("home"), reverse("login"), "/admin/login/"]:
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_load_demo_refuses_the_known_password_when_debug_is_off(demo):
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="公开的演示密码"):
        call_command("load_demo", password=DEMO_PASSWORD, stdout=StringIO())


def test_load_demo_without_debug_generates_a_password_for_new_accounts(demo):
    User.objects.filter(username="dehong_perf").delete()
    out = StringIO()
    with override_settings(DEBUG=False):
        call_command("load_demo", stdout=out)
    printed = out.getvalue()
    assert DEMO_PASSWORD not in printed
    password = printed.split("新建演示账号的密码均为 ")[1].split("：")[0]
    user = User.objects.get(username="dehong_perf")
    assert user.check_password(password) and not user.check_password(DEMO_PASSWORD)


def _settings_in_a_fresh_process(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup(); "
            "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "perfgoals.settings", **env},
        capture_output=True,
        text=True,
    )


def test_debug_is_off_unless_asked_for_and_then_a_secret_key_is_required():
    assert _settings_in_a_fresh_process({"SECRET_KEY": "x" * 60}).stdout.split() == [
        "False",
        "True",
    ]
    refused = _settings_in_a_fresh_process({})
    assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr
    assert _settings_in_a_fresh_process({"DEBUG": "true"}).stdout.split()[0] == "True"


def test_a_command_that_serves_nothing_runs_without_a_key_and_runserver_does_not():
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    manage = [sys.executable, str(ROOT / "manage.py")]
    check = subprocess.run(
        [*manage, "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr[-500:]
    serve = subprocess.run(
        [*manage, "runserver", "--noreload", "127.0.0.1:0"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert serve.returncode != 0 and "SECRET_KEY must be set" in serve.stderr


def test_check_deploy_is_clean_with_the_documented_production_settings():
    # The browser tests' conftest allows async-unsafe calls in this process; not in production.
    unset = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **clean,
            "SECRET_KEY": "k7#Qv9!pZr2@Lm4$Ws8^Xt1&Yu6*Hn3(Jb5)Dc0-Fg7+Ke2=Ra9~Tq4|Vz8;Mp1",
            "ALLOWED_HOSTS": "perf.example.gov.cn",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_deactivated_account_loses_its_open_session(client, login):
    """The session's user is loaded with its organisation (perfgoals.accounts.backends) and
    still only while the account is active: an administrator's deactivation ends it."""
    login("ruili_health")
    assert client.get(reverse("home")).status_code == 200
    User.objects.filter(username="ruili_health").update(is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
