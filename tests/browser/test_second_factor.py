"""Setting up the second factor and logging in with it, in Chromium under the CSP."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.browser


def test_a_finance_user_sets_up_the_code_and_logs_in_with_it(
    browser_login, live_server, demo_password
):
    page = browser_login("ruili_finance")
    page.get_by_role("link", name="双重认证").click()
    page.wait_for_load_state("networkidle")
    assert page.title().startswith("双重认证（动态验证码）")
    qr = page.get_by_role("img", name="双重认证二维码")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 150
    # What a user without a camera types into the app, read from the page.
    secret = page.locator(".otp-secret").inner_text().replace(" ", "")
    key = b32decode(secret)
    current = {totp(key, drift=d) for d in (-1, 0, 1)}
    page.fill(
        "#id_otp_token", next(c for c in ("000000", "111111", "222222") if int(c) not in current)
    )
    page.get_by_role("button", name="确认开启").click()
    assert page.locator(".errorlist").inner_text().startswith("动态验证码不正确")
    device = TOTPDevice.objects.get(user__username="ruili_finance")
    # Past the back-off of the wrong code (1 s).
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    page.fill("#id_otp_token", f"{totp(key):06d}")
    page.get_by_role("button", name="确认开启").click()
    assert "双重认证已开启" in page.locator(".messages").inner_text()

    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_username", "ruili_finance")
    page.fill("#id_password", demo_password)
    page.get_by_role("button", name="登录").click()
    assert "请输入手机验证器上显示的6位动态验证码" in page.locator(".errorlist").inner_text()
    assert "/accounts/login/" in page.url
    page.fill("#id_password", demo_password)
    # The next step's code: the one just used to confirm is not accepted twice.
    page.fill("#id_otp_token", f"{totp(key, drift=1):06d}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url
