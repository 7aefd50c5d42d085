"""The audit log's one writer (等保2.0 安全审计: who, what, when, from where, result).

Logins, failed logins and logouts come from Django's auth signals; every create, change and
delete of a model with a history (notices, target tables, indicator rows …) from
django-simple-history's signal, so no service has to remember; exports, downloads and the
changes of a notice's recipients and attachments are recorded by the code that does them,
through `audit_record`.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record

from perfgoals.models import AuditEvent

Action = AuditEvent.Action
_HISTORY_ACTIONS = {"+": Action.CREATE, "~": Action.CHANGE, "-": Action.DELETE}


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address; behind the reverse proxy (BEHIND_PROXY) the one it forwards."""
    # Services attribute history outside a request with a stand-in that has no META.
    meta = getattr(request, "META", None)
    if meta is None:
        return None
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "BEHIND_PROXY", False):
        return forwarded.split(",")[0].strip() or None
    return meta.get("REMOTE_ADDR") or None


def _current_request() -> HttpRequest | None:
    # Set for the duration of each request by simple_history's HistoryRequestMiddleware.
    return getattr(HistoricalRecords.context, "request", None)


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    user=None,
    username: str = "",
    result: str = AuditEvent.Result.SUCCESS,
    obj=None,
    summary: str = "",
) -> AuditEvent:
    """Write one audit line; the request (given, or the current one) tells who and where."""
    request = request or _current_request()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        user = candidate if getattr(candidate, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        action=action,
        result=result,
        user=user,
        username=(getattr(user, "username", "") or username)[:150],
        organisation_id=getattr(user, "organisation_id", None),
        object_type=obj._meta.verbose_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=(summary or (str(obj) if obj is not None else ""))[:500],
        address=client_address(request),
    )


@receiver(user_logged_in)
def _login(sender, request, user, **kwargs) -> None:
    audit_record(action=Action.LOGIN, request=request, user=user)


@receiver(user_logged_out)
def _logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action=Action.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, reason: str = "", **kwargs) -> None:
    # `reason` comes from the login's second factor (perfgoals/accounts/forms.py): the password
    # was right, the 动态验证码 was not.
    audit_record(
        action=Action.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", "")),
        result=AuditEvent.Result.FAILURE,
        summary=reason,
    )


@receiver(post_create_historical_record)
def _history(sender, instance, history_instance, history_user=None, **kwargs) -> None:
    action = _HISTORY_ACTIONS.get(history_instance.history_type)
    if action is None:
        return
    user = history_user if getattr(history_user, "is_authenticated", False) else None
    audit_record(action=action, user=user, obj=instance)
