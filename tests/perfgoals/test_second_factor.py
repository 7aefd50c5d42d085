"""The second factor (django-otp TOTP): set-up, login on the app and the admin, lockout,
turning it off, the audit log, and OTP_REQUIRED_ROLES."""

from base64 import b32encode
from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from perfgoals.models import AuditEvent, User

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action
SETUP = "/accounts/otp/"
APP_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's phone shows now (or a step later, as a phone running ahead)."""
    device.refresh_from_db()
    drift = device.drift + steps_ahead
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def wrong(device: TOTPDevice) -> str:
    right = {code(device, s) for s in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def device_of(username: str) -> TOTPDevice:
    return TOTPDevice.objects.create(
        user=User.objects.get(username=username), name="手机验证器", confirmed=True
    )


def log_in(client, url, username, password, otp_token=None, address="10.0.0.1"):
    data = {"username": username, "password": password}
    if otp_token is not None:
        data["otp_token"] = otp_token
    return client.post(url, data, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def verified(client) -> bool:
    return client.get(reverse("home")).wsgi_request.user.is_verified()


def field_errors(response) -> list[str]:
    return list(response.context["form"].errors.get("otp_token", []))


# --- set-up ------------------------------------------------------------------------------


def test_the_setup_page_shows_a_qr_code_and_the_secret_of_an_unconfirmed_device(client, login):
    user = login("ruili_finance")
    response = client.get(SETUP)
    page = response.content.decode()
    assert response.status_code == 200
    assert "双重认证（动态验证码）" in page
    [device] = TOTPDevice.objects.filter(user=user)
    assert not device.confirmed
    assert '<svg class="otp-qr" role="img"' in page and "<script" not in page.split("<main")[1]
    secret = b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    # Reloading shows the same secret, so a scan already made still matches.
    assert client.get(SETUP).content.decode().count(secret[:4]) >= 1
    assert TOTPDevice.objects.filter(user=user).count() == 1
    # The inline SVG lives under the policy: no inline script allowed.
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_every_account_sees_the_link_in_the_top_bar(client, login):
    for username in ["ruili_finance", "ruili_perf", "admin", "ruili_health"]:
        login(username)
        assert f'href="{SETUP}"' in client.get(reverse("home")).content.decode()


def test_a_wrong_code_leaves_the_device_unconfirmed_with_a_message_at_the_field(client, login):
    user = login("ruili_finance")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    for typed, message in [
        ("", "请输入手机验证器上显示的6位动态验证码。"),
        ("12ab56", "动态验证码应为6位数字。"),
        (wrong(device), "动态验证码不正确或已使用过"),
    ]:
        response = client.post(SETUP, {"action": "confirm", "otp_token": typed})
        assert response.status_code == 200
        assert any(message in e for e in field_errors(response)), field_errors(response)
    device.refresh_from_db()
    assert not device.confirmed
    assert AuditEvent.objects.filter(
        user=user, action=Action.OTP_ENROL, result=AuditEvent.Result.FAILURE
    ).exists()


def test_the_right_code_confirms_the_device_and_verifies_this_session(client, login):
    user = login("ruili_finance")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    # Typed as the app shows it, with a space, and in full-width digits from a phone keyboard.
    typed = code(device)
    typed = (
        typed[:3] + " " + typed[3:].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    )
    response = client.post(SETUP, {"action": "confirm", "otp_token": typed})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert verified(client)
    page = client.get(SETUP).content.decode()
    assert "已开启" in page and "<svg" not in page
    [event] = AuditEvent.objects.filter(user=user, action=Action.OTP_ENROL, result="success")
    assert event.organisation == user.organisation and event.address == "127.0.0.1"


def test_nobody_sees_or_confirms_another_users_device(client, login):
    other = login("ruili_perf")
    client.get(SETUP)
    theirs = TOTPDevice.objects.get(user=other)
    their_secret = b32encode(theirs.bin_key).decode()[:8]
    me = login("ruili_finance")
    page = client.get(SETUP).content.decode()
    assert their_secret[:4] + " " + their_secret[4:] not in page
    # Their current code, and their device's id in every way a form could carry it.
    for extra in [{}, {"device": theirs.pk, "pk": theirs.pk, "device_id": theirs.persistent_id}]:
        response = client.post(SETUP, {"action": "confirm", "otp_token": code(theirs), **extra})
        assert response.status_code == 200 and field_errors(response)
    theirs.refresh_from_db()
    assert not theirs.confirmed
    assert not TOTPDevice.objects.filter(user=me, confirmed=True).exists()
    # Nor turn theirs off once it is on.
    theirs.confirmed = True
    theirs.save()
    client.post(SETUP, {"action": "disable", "otp_token": code(theirs, 1), "pk": theirs.pk})
    assert TOTPDevice.objects.filter(pk=theirs.pk, confirmed=True).exists()


def test_turning_it_off_needs_a_current_code(client, login):
    user = login("ruili_finance")
    device = device_of("ruili_finance")
    for typed in ["", wrong(device)]:
        response = client.post(SETUP, {"action": "disable", "otp_token": typed})
        assert response.status_code == 200 and field_errors(response)
        assert TOTPDevice.objects.filter(pk=device.pk).exists()
    # django-otp backs off after the wrong code; a second later the right one is accepted.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=2)
    )
    response = client.post(SETUP, {"action": "disable", "otp_token": code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert [
        (e.action, e.result)
        for e in AuditEvent.objects.filter(
            user=user, action__in=[Action.OTP_ENROL, Action.OTP_DISABLE]
        ).order_by("id")
    ] == [(Action.OTP_DISABLE, "failure"), (Action.OTP_DISABLE, "success")]


def test_the_admin_never_shows_a_users_secret(client, login):
    device = device_of("ruili_finance")
    login("admin")
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page


# --- login ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [APP_LOGIN, ADMIN_LOGIN])
def test_without_a_device_the_login_is_as_before(client, demo, demo_password, url):
    username = "admin" if url == ADMIN_LOGIN else "ruili_finance"
    page = client.get(url).content.decode()
    assert 'name="otp_token"' in page and "动态验证码" in page
    response = log_in(client, url, username, demo_password, otp_token="")
    assert response.status_code == 302 and logged_in(client)
    assert not verified(client)
    # Whatever the field holds: an account without the second factor does not need it.
    client.logout()
    response = log_in(client, url, username, demo_password, otp_token="x" * 50)
    assert response.status_code == 302 and logged_in(client)


@pytest.mark.parametrize(
    ("url", "username"),
    [(APP_LOGIN, "ruili_finance"), (APP_LOGIN, "ruili_perf"), (ADMIN_LOGIN, "admin")],
)
def test_with_a_device_the_login_needs_the_code(client, demo, demo_password, url, username):
    device = device_of(username)
    for typed, message in [
        (None, "请输入手机验证器上显示的6位动态验证码。"),
        ("", "请输入手机验证器上显示的6位动态验证码。"),
        ("9" * 21, "动态验证码应为6位数字。"),
        ("abcdef", "动态验证码应为6位数字。"),
    ]:
        response = log_in(client, url, username, demo_password, typed)
        assert response.status_code == 200 and not logged_in(client)
        assert field_errors(response) == [message]
    response = log_in(client, url, username, demo_password, code(device))
    assert response.status_code == 302 and logged_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert verified(client)


@pytest.mark.parametrize("url", [APP_LOGIN, ADMIN_LOGIN])
def test_a_wrong_code_is_refused_and_the_right_one_must_wait_for_the_back_off(
    client, demo, demo_password, url
):
    username = "admin" if url == ADMIN_LOGIN else "ruili_finance"
    device = device_of(username)
    response = log_in(client, url, username, demo_password, wrong(device))
    assert response.status_code == 200 and not logged_in(client)
    assert "动态验证码不正确或已使用过" in field_errors(response)[0]
    # Straight after a wrong code even the right one waits (1 s, 2 s, 4 s …).
    response = log_in(client, url, username, demo_password, code(device))
    assert not logged_in(client)
    assert "动态验证码错误次数过多" in field_errors(response)[0]
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )
    assert log_in(client, url, username, demo_password, code(device)).status_code == 302


def test_a_code_is_accepted_once(client, demo, demo_password):
    device = device_of("ruili_finance")
    used = code(device)
    assert log_in(client, APP_LOGIN, "ruili_finance", demo_password, used).status_code == 302
    client.logout()
    response = log_in(client, APP_LOGIN, "ruili_finance", demo_password, used)
    assert response.status_code == 200 and not logged_in(client)


@pytest.mark.parametrize("url", [APP_LOGIN, ADMIN_LOGIN])
def test_repeated_wrong_codes_lock_the_account_even_with_the_right_code(
    client, demo, demo_password, url
):
    username = "admin" if url == ADMIN_LOGIN else "ruili_finance"
    device = device_of(username)
    answers = [
        log_in(client, url, username, demo_password, wrong(device)).status_code for _ in range(5)
    ]
    assert answers[:4] == [200] * 4
    # Past django-otp's back-off, so only django-axes' lockout can refuse it.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(hours=1)
    )
    locked = log_in(client, url, username, demo_password, code(device), address="10.0.0.2")
    assert locked.status_code == 429 and not logged_in(client)
    assert "登录已暂时锁定" in locked.content.decode()


def test_a_wrong_code_is_a_failed_login_in_the_audit_log(client, demo, demo_password):
    device = device_of("ruili_finance")
    log_in(client, APP_LOGIN, "ruili_finance", demo_password, wrong(device), address="10.3.3.3")
    [event] = AuditEvent.objects.filter(username="ruili_finance", action=Action.LOGIN_FAILED)
    assert (event.result, event.summary, event.address) == ("failure", "动态验证码错误", "10.3.3.3")
    assert not AuditEvent.objects.filter(username="ruili_finance", action=Action.LOGIN).exists()


# --- OTP_REQUIRED_ROLES -------------------------------------------------------------------


def test_a_required_role_without_a_device_is_sent_to_the_setup_first(
    client, demo, demo_password, settings
):
    settings.OTP_REQUIRED_ROLES = ["finance_staff", "administrator"]
    response = log_in(client, APP_LOGIN, "ruili_finance", demo_password)
    assert response.status_code == 302
    for url in [reverse("home"), reverse("allocations:notice_list"), "/admin/"]:
        answer = client.get(url)
        assert answer.status_code == 302 and answer.url == SETUP, url
    htmx = client.get(reverse("table_list"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == SETUP
    page = client.get(SETUP).content.decode()
    assert "您的账号须先开启双重认证" in page
    device = TOTPDevice.objects.get(user__username="ruili_finance")
    client.post(SETUP, {"action": "confirm", "otp_token": code(device)})
    assert client.get(reverse("home")).status_code == 200
    # A role not listed goes on as before.
    client.logout()
    log_in(client, APP_LOGIN, "ruili_health", demo_password)
    assert client.get(reverse("home")).status_code == 200


def test_a_required_role_in_a_session_without_the_code_must_log_in_again(client, demo, settings):
    settings.OTP_REQUIRED_ROLES = ["finance_staff"]
    device_of("ruili_finance")
    client.force_login(User.objects.get(username="ruili_finance"))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert not logged_in(client)


def test_an_unknown_role_in_the_setting_is_a_check_error(settings):
    settings.OTP_REQUIRED_ROLES = ["finance"]
    assert "perfgoals.E101" in [e.id for e in run_checks()]
    settings.OTP_REQUIRED_ROLES = ["finance_staff"]
    assert "perfgoals.E101" not in [e.id for e in run_checks()]


@pytest.mark.django_db(transaction=True)
def test_a_database_blip_before_the_view_is_retried_and_never_lets_the_user_through(
    client, login, session_blip, settings
):
    # The role check loads the session and the user before the view, out of reach of
    # DatabaseUnavailableMiddleware's retry: it retries the same way, and still redirects.
    settings.OTP_REQUIRED_ROLES = ["bureau_staff"]
    settings.DB_RETRY_DELAYS = (0, 0)
    login("ruili_health")
    calls = session_blip()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == SETUP
    assert len(calls) == 2


def test_an_administrator_deletes_a_lost_phones_device_in_the_admin(client, login, demo_password):
    device = device_of("ruili_finance")
    login("admin")
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert "手机验证器" in page and "设备" in page
    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    [event] = AuditEvent.objects.filter(action=Action.OTP_DISABLE)
    assert (event.username, event.summary) == ("admin", "管理员删除 ruili_finance 的手机验证器")
    # Several at once, from the list's action.
    devices = [device_of("ruili_perf"), device_of("shunping_finance")]
    client.post(
        "/admin/otp_totp/totpdevice/",
        {"action": "delete_selected", "_selected_action": [d.pk for d in devices], "post": "yes"},
    )
    assert not TOTPDevice.objects.exists()
    assert AuditEvent.objects.filter(action=Action.OTP_DISABLE).count() == 3
    client.logout()
    assert log_in(client, APP_LOGIN, "ruili_finance", demo_password).status_code == 302
