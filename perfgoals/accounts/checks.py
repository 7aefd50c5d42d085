"""A role misspelt in OTP_REQUIRED_ROLES would silently require nothing: say so at start-up."""

from django.conf import settings
from django.core.checks import Error, register

from perfgoals.models import User


@register()
def required_roles_exist(app_configs, **kwargs) -> list[Error]:
    unknown = sorted(set(settings.OTP_REQUIRED_ROLES) - set(User.Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"OTP_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}.",
            hint=f"Use any of: {', '.join(User.Role.values)}.",
            id="perfgoals.E101",
        )
    ]
