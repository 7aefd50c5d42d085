"""Every model is inspectable in the Chinese admin by an administrator, and only by one."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in {"perfgoals", "allocations", "indicators"}
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
        "fundnotice",
        "budgetline",
        "classificationcode",
        "allocationtable",
        "allocationrow",
        "allocationstandard",
        "frameworkcategory",
        "performanceindicator",
    } <= names


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_changelist_and_first_object_render_in_chinese(client, login, app_label, model_name):
    login("admin")
    model = next(m for m in admin.site._registry if m._meta.model_name == model_name)
    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200
    assert str(model._meta.verbose_name_plural) in response.content.decode()
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        response = client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]))
        assert response.status_code == 200
        assert "修改" in response.content.decode()


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
