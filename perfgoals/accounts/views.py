"""The set-up page of the second factor: scan, confirm with a code; turn off with a code.

Only ever the signed-in user's own device: no device id travels in a URL or a form, so
nobody can see or confirm another user's secret by changing one.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from perfgoals.accounts.devices import (
    check_code,
    confirmed_device,
    pending_device,
    qr_svg,
    secret_for_typing,
)
from perfgoals.accounts.forms import CodeForm
from perfgoals.accounts.middleware import second_factor_required
from perfgoals.audit import audit_record
from perfgoals.models import AuditEvent

Action = AuditEvent.Action


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = confirmed_device(user)
    form = CodeForm(request.POST or None)
    action = request.POST.get("action")
    if device is None:
        pending = pending_device(user)
        if action == "confirm" and form.is_valid():
            result = check_code(pending, form.cleaned_data["otp_token"])
            if result.ok:
                return _confirmed(request, pending)
            form.add_error("otp_token", result.message)
            if result.tried:
                _record(request, Action.OTP_ENROL, AuditEvent.Result.FAILURE, "动态验证码错误")
        context = {
            "device": None,
            "qr": qr_svg(pending),
            "secret": secret_for_typing(pending),
        }
    else:
        if action == "disable" and form.is_valid():
            result = check_code(device, form.cleaned_data["otp_token"])
            if result.ok:
                return _disabled(request)
            form.add_error("otp_token", result.message)
            if result.tried:
                _record(request, Action.OTP_DISABLE, AuditEvent.Result.FAILURE, "动态验证码错误")
        context = {"device": device}
    context.update(form=form, required=second_factor_required(user))
    return render(request, "perfgoals/accounts/second_factor.html", context)


def _confirmed(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    # This session has just shown the code: it counts as verified, as after a login with it.
    otp_login(request, device)
    _record(request, Action.OTP_ENROL, AuditEvent.Result.SUCCESS, "开启双重认证（手机验证器）")
    messages.success(request, "双重认证已开启：今后登录时请同时输入动态验证码。")
    return redirect("second_factor")


def _disabled(request: HttpRequest) -> HttpResponse:
    TOTPDevice.objects.filter(user=request.user).delete()
    _record(request, Action.OTP_DISABLE, AuditEvent.Result.SUCCESS, "关闭双重认证（手机验证器）")
    messages.success(request, "双重认证已关闭：今后登录只需用户名和密码。")
    return redirect("second_factor")


def _record(request: HttpRequest, action: str, result: str, summary: str) -> None:
    audit_record(action=action, request=request, result=result, summary=summary)
