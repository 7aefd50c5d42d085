"""Login with the optional 动态验证码 field, and the code asked for on the set-up page.

One form, one step: the code field is on the login page for everyone and needed only by
accounts with a confirmed device. A second page after the password would hold a half-logged-in
user in the session and need its own throttling; here a wrong or missing code is simply a
failed login, which django-axes counts towards the lockout like a wrong password.
"""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed

from perfgoals.accounts.devices import check_code, confirmed_device


def code_field(required: bool) -> forms.CharField:
    return forms.CharField(
        label="动态验证码",
        required=required,
        # Room for "123 456" and a paste with spaces; anything longer is not a code.
        max_length=20,
        strip=True,
        error_messages={
            "required": "请输入手机验证器上显示的6位动态验证码。",
            "max_length": "动态验证码应为6位数字。",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
    )


class SecondFactorMixin:
    """After the password checks out: an account with a device must also give a right code."""

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        device = confirmed_device(user) if user is not None else None
        if device is None:
            # Accounts without the second factor log in as before, whatever the field holds.
            self.errors.pop("otp_token", None)
            return cleaned
        if "otp_token" in self.errors:
            message = self.errors["otp_token"][0]
            del self.errors["otp_token"]
        else:
            result = check_code(device, cleaned.get("otp_token"))
            if result.ok:
                # django-otp's user_logged_in receiver keeps it in the session: is_verified().
                user.otp_device = device
                return cleaned
            message = result.message
        # A failed login like a wrong password: django-axes counts it, the audit log records it.
        user_login_failed.send(
            sender=__name__,
            credentials={"username": cleaned.get("username", "")},
            request=self.request,
            reason="动态验证码错误",
        )
        self.user_cache = None
        raise forms.ValidationError({"otp_token": message})


class LoginForm(SecondFactorMixin, AuthenticationForm):
    otp_token = code_field(required=False)


class AdminLoginForm(SecondFactorMixin, AdminAuthenticationForm):
    otp_token = code_field(required=False)


class CodeForm(forms.Form):
    """The current code, on the set-up page: to confirm a new device or to turn one off."""

    otp_token = code_field(required=True)
