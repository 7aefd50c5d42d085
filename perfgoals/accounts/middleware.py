"""OTP_REQUIRED_ROLES: accounts of these roles set up the second factor before anything else."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from perfgoals.accounts.devices import confirmed_device
from perfgoals.retries import DATABASE_ERRORS, retried


def second_factor_required(user) -> bool:
    return bool(user.is_authenticated and user.role in settings.OTP_REQUIRED_ROLES)


class SecondFactorRequiredMiddleware:
    """A user whose role must use the second factor and whose session has not given it:
    without a device, to the set-up page; with one (a session from before it was set up),
    logged out, to log in again with the code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.OTP_REQUIRED_ROLES or not self._unverified_required(request):
            return self.get_response(request)
        setup = reverse("second_factor")
        if request.path in self._open_paths() or request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        user = request.user
        if confirmed_device(user) is not None:
            logout(request)
            messages.warning(request, "您的账号已开启双重认证，请重新登录并输入动态验证码。")
            return self._to(request, reverse("login"))
        messages.warning(request, "按本系统安全要求，您的账号须先开启双重认证，才能继续使用。")
        return self._to(request, setup)

    @staticmethod
    def _unverified_required(request) -> bool:
        """Loads the session and the user before the view, where DatabaseUnavailableMiddleware's
        retry cannot reach: a database blip is retried here alike (perfgoals.retries), then
        escapes to the 503 page (perfgoals.operations.views.server_error). Never let through."""

        def check() -> bool:
            user = request.user
            # Verified sessions cost nothing more; only the listed roles are looked at.
            return second_factor_required(user) and not user.is_verified()

        try:
            return check()
        except DATABASE_ERRORS as failure:
            return retried(check, failure)

    @staticmethod
    def _open_paths() -> set[str]:
        return {
            reverse("second_factor"),
            reverse("login"),
            reverse("logout"),
            reverse("admin:logout"),
            reverse("health"),
        }

    @staticmethod
    def _to(request, url: str) -> HttpResponse:
        if getattr(request, "htmx", False):
            # A whole page, not a fragment swapped into the table.
            response = HttpResponse(status=200)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
