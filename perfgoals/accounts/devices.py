"""A user's TOTP device: finding it, checking a code against it, drawing its QR code."""

import re
import unicodedata
from base64 import b32encode
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

CODE_DIGITS = 6
# The authenticator app shows "123 456"; a phone keyboard may type full-width digits.
_SEPARATORS = re.compile(r"[\s\-]+")


def confirmed_device(user) -> TOTPDevice | None:
    """The device the user logs in with, if they set one up and confirmed it."""
    if not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice:
    """The device being set up: kept until confirmed, so reloading shows the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=False)
    return device


def normalised_code(raw: str | None) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))


@dataclass(frozen=True)
class Check:
    ok: bool
    message: str = ""
    # Whether the code was tried against the device (or refused by its back-off), as opposed
    # to a blank or malformed entry that never reached it.
    tried: bool = True


def check_code(device: TOTPDevice, raw: str | None) -> Check:
    """Verify a code against the device, with django-otp's back-off after failures and its
    refusal of a code already used; the message says which, in Chinese, for the field."""
    code = normalised_code(raw)
    if not code:
        return Check(False, "请输入手机验证器上显示的6位动态验证码。", tried=False)
    if not (code.isascii() and code.isdigit() and len(code) == CODE_DIGITS):
        return Check(False, "动态验证码应为6位数字。", tried=False)
    # Locked for the check, so two requests cannot both use one code or dodge the back-off.
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            until = timezone.localtime(info["locked_until"]) if info else None
            when = f"请于 {until:%H:%M:%S} 后再试" if until else "请稍后再试"
            return Check(False, f"动态验证码错误次数过多，{when}。")
        if device.verify_token(code):
            return Check(True)
    return Check(False, "动态验证码不正确或已使用过，请输入验证器上当前显示的验证码。")


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, as authenticator apps accept it typed by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// address as an inline SVG QR code: no image request, no inline style."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    # Made here from the device's own key and name, not from input: safe to embed.
    return mark_safe(
        svg.replace("<svg ", '<svg class="otp-qr" role="img" aria-label="双重认证二维码" ', 1)
    )
