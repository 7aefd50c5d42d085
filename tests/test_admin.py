"""Every model is inspectable in the Chinese admin by an administrator, and only by one."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from perfgoals.models import User

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in {"perfgoals", "allocations", "indicators", "exports"}
)


def test_every_domain_model_is_registered():
    names = {name for _, name in REGISTERED}
    assert {
        "region",
        "organisation",
        "office",
        "user",
        "targettable",
        "reviewopinion",
        "reviewevent",
        "reviewcomment",
        "tablesnapshot",
        "fundnotice",
        "budgetline",
        "classificationcode",
        "allocationtable",
        "allocationrow",
        "allocationstandard",
        "frameworkcategory",
        "performanceindicator",
    } <= names


def row_of_a_model_the_demo_leaves_empty(model_name: str, admin_user):
    """The demo has no review opinions, lint acknowledgements or 发文字号 sequences yet."""
    from allocations.models import DocumentSequence
    from indicators.models import LintAcknowledgement
    from perfgoals.exports.models import ExportJob
    from perfgoals.models import (
        ReviewComment,
        ReviewEvent,
        ReviewOpinion,
        TableSnapshot,
        TargetTable,
    )

    table = TargetTable.objects.order_by("pk").first()
    make = {
        "reviewopinion": lambda: ReviewOpinion.objects.create(
            table=table, office_kind="business", text="同意"
        ),
        "lintacknowledgement": lambda: LintAcknowledgement.objects.create(
            table=table, key="k", code="c", message="确认无误", acknowledged_by=admin_user
        ),
        "reviewevent": lambda: ReviewEvent.objects.create(
            table=table, action="submit", actor=admin_user, table_version=1
        ),
        "reviewcomment": lambda: ReviewComment.objects.create(
            table=table, author=admin_user, text="请核对", table_version=1
        ),
        "tablesnapshot": lambda: TableSnapshot.objects.create(
            table=table, number=1, table_version=1, data={}, approved_by=admin_user
        ),
        "documentsequence": lambda: DocumentSequence.objects.create(
            issuer_code="瑞财社", year=2099
        ),
        "exportjob": lambda: ExportJob.objects.create(
            kind="target", object_id=str(table.pk), format="pdf", requested_by=admin_user
        ),
    }
    return make[model_name]()


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_changelist_and_first_object_render_in_chinese(client, login, app_label, model_name):
    user = login("admin")
    model = next(m for m in admin.site._registry if m._meta.model_name == model_name)
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        obj = row_of_a_model_the_demo_leaves_empty(model_name, user)
    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200
    assert str(model._meta.verbose_name_plural) in response.content.decode()
    response = client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]))
    assert response.status_code == 200
    # Review records are read-only: their page is for viewing (查看), not changing (修改).
    assert ("修改" in response.content.decode()) or ("查看" in response.content.decode())


def test_review_records_cannot_be_changed_in_the_admin(client, login):
    from perfgoals.models import ReviewEvent, TargetTable

    user = login("admin")
    table = TargetTable.objects.order_by("pk").first()
    event = ReviewEvent.objects.create(
        table=table, action="submit", actor=user, table_version=1, comment="原意见"
    )
    url = reverse("admin:perfgoals_reviewevent_change", args=[event.pk])
    client.post(url, {"comment": "改过的意见"})
    event.refresh_from_db()
    assert event.comment == "原意见"
    assert client.get(reverse("admin:perfgoals_reviewevent_add")).status_code == 403
    page = client.get(reverse("admin:perfgoals_targettable_change", args=[table.pk]))
    assert 'name="status"' not in page.content.decode()  # the state moves only by review


def test_bureau_staff_cannot_open_the_admin(client, login):
    login("ruili_health")
    response = client.get(reverse("admin:perfgoals_targettable_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_seed_project_table_shows_its_indicators_in_the_admin(client, login):
    from perfgoals.models import TargetTable

    login("admin")
    table = TargetTable.objects.get(layout="project", notice__doc_serial=296)
    html = client.get(
        reverse("admin:perfgoals_targettable_change", args=[table.pk])
    ).content.decode()
    assert "指标4：建档立卡贫困户家庭医生签约服务覆盖率" in html
    assert "&gt;=97.9%" in html


def test_the_admin_index_has_no_untranslated_app(client, login):
    login("admin")
    html = client.get(reverse("admin:index")).content.decode()
    assert "导出任务" in html and "Task Result" not in html


ENGLISH = re.compile(r"[A-Za-z][A-Za-z ’']{3,}")
# What may stay Latin on an admin page: names, codes and file kinds.
# "unknown": django-axes records <unknown> for a request without user agent or address.
LATIN_ALLOWED = {
    "CSV",
    "Excel",
    "PDF",
    "LDAP",
    "HTTP Accept",
    "Ctrl",
    "Command",
    "Mac",
    "unknown",
    "Unix",
}


def _visible_text(html: str) -> str:
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"&\w+;", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    "url",
    [
        "admin:index",
        "admin:axes_accessattempt_changelist",
        "admin:axes_accesslog_changelist",
        "admin:axes_accessfailurelog_changelist",
        "admin:auth_group_add",
        "admin:perfgoals_user_add",
        "admin:allocations_allocationcell_changelist",
        "admin:allocations_noticeattachment_add",
        "admin:indicators_performanceindicator_changelist",
        "admin:otp_totp_totpdevice_changelist",
        "admin:otp_totp_totpdevice_add",
    ],
)
def test_admin_pages_speak_chinese(client, login, url):
    """Headings, columns and field labels: Django's and django-axes's untranslated strings come
    from locale/zh_Hans, the apps' names from perfgoals/apps.py, every model field has one."""
    login("admin")
    response = client.get(reverse(url))
    assert response.status_code == 200
    text = _visible_text(response.content.decode())
    # Data may be Latin (usernames); permissions are named in Chinese by the admin.
    words = {w.strip() for w in ENGLISH.findall(text) if w.strip() not in LATIN_ALLOWED}
    usernames = set(User.objects.values_list("username", flat=True))
    leftover = {w for w in words if not any(w.startswith(u) or u in w for u in usernames)}
    assert leftover == set(), leftover
