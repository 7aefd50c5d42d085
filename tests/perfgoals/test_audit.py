"""The audit log: who, what, when, from where, result; read-only; pruned after retention."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from perfgoals.models import AuditEvent, User
from tests.allocations.conftest import build_seed_000

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action


def events(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


def test_logins_failures_and_logouts_are_recorded_with_the_address(client, demo, demo_password):
    login = reverse("login")
    client.post(login, {"username": "ruili_health", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.post(
        login, {"username": "ruili_health", "password": demo_password}, REMOTE_ADDR="10.1.2.3"
    )
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")
    rows = events(username="ruili_health")
    assert [(e.action, e.result, e.address) for e in rows] == [
        (Action.LOGIN_FAILED, "failure", "10.1.2.3"),
        (Action.LOGIN, "success", "10.1.2.3"),
        (Action.LOGOUT, "success", "10.1.2.3"),
    ]
    assert rows[1].organisation.name == "瑞丽市卫生健康局"


def test_edits_recipients_attachments_and_downloads_are_recorded(client, demo):
    finance = User.objects.get(username="ruili_finance")
    client.force_login(finance)
    AuditEvent.objects.all().delete()
    notice = build_seed_000(finance)
    actions = {e.action for e in events(user=finance)}
    assert {Action.CREATE, Action.RECIPIENTS, Action.ATTACHMENTS} <= actions
    [recipients] = events(action=Action.RECIPIENTS, object_id=str(notice.pk))
    assert "主送 瑞丽市卫生健康局" in recipients.summary
    response = client.get(reverse("allocations:notice_list") + "?export=xlsx")
    assert response.status_code == 200
    response = client.get(f"/exports/notice/{notice.pk}.xlsx")
    assert response.status_code == 200
    assert [e.action for e in events(action__in=[Action.EXPORT, Action.DOWNLOAD])] == [
        Action.EXPORT,
        Action.DOWNLOAD,
    ]


def test_audit_lines_cannot_be_changed_or_deleted_one_by_one(demo):
    event = AuditEvent.objects.create(action=Action.LOGIN, username="x")
    event.summary = "改"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()


def test_the_admin_page_lists_filters_and_exports_but_offers_no_edit(admin_client, demo):
    AuditEvent.objects.create(action=Action.LOGIN_FAILED, username="someone", result="failure")
    url = reverse("admin:perfgoals_auditevent_changelist")
    page = admin_client.get(url, {"action__exact": "login_failed"})
    assert page.status_code == 200 and "someone" in page.content.decode()
    event = AuditEvent.objects.get(username="someone")
    assert (
        admin_client.post(
            reverse("admin:perfgoals_auditevent_change", args=[event.pk]), {"summary": "x"}
        ).status_code
        == 403
    )
    export = admin_client.post(url, {"action": "export_xlsx", "_selected_action": [event.pk]})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_audit_prune_removes_only_lines_older_than_the_date_and_keeps_six_months(demo):
    old = AuditEvent.objects.create(action=Action.LOGIN, username="old")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=400))
    recent = AuditEvent.objects.create(action=Action.LOGIN, username="recent")
    cutoff = (timezone.localdate() - timedelta(days=300)).isoformat()
    out = StringIO()
    call_command("audit_prune", before=cutoff, stdout=out)
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    assert "审计日志 1 条" in out.getvalue()
    with pytest.raises(CommandError, match="至少保留6个月"):
        call_command("audit_prune", before=timezone.localdate().isoformat())
