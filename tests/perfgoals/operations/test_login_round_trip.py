"""An htmx row edit after the session expired: to the login page and back, typing kept."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PROJECT = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"


@pytest.fixture
def row(demo):
    table = TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)
    return PerformanceIndicator.objects.get(table=table, name="指标2：基层就诊率")


def test_expired_session_during_a_row_save_goes_to_login_and_back_with_the_value(
    client, demo_password, row
):
    edit = reverse("tables:row_edit", args=[row.pk])
    response = client.post(
        edit,
        {"version": 1, "name": "基层首诊就诊率", "value_text": "≥65%", "next": ""},
        HTTP_HX_CURRENT_URL=f"http://testserver{reverse('tables:edit', args=[row.table_id])}",
        **HTMX,
    )
    # Not the login form swapped into the table: the browser goes to the login page.
    assert response.status_code == 200 and response.content == b""
    assert response["X-Login-Resume"] == "1"
    login_url = urlsplit(response["HX-Redirect"])
    assert login_url.path == reverse("login")
    back = parse_qs(login_url.query)["next"][0]
    assert urlsplit(back).path == edit
    login_page = client.get(response["HX-Redirect"]).content.decode()
    assert "登录已超时" in login_page and "输入的内容已保留" in login_page

    after_login = client.post(
        response["HX-Redirect"], {"username": "ruili_health", "password": demo_password}
    )
    assert after_login.status_code == 302 and after_login["Location"] == back
    page = client.get(back).content.decode()
    assert 'id="rowform"' in page and 'value="基层首诊就诊率"' in page and 'value="≥65%"' in page
    row.refresh_from_db()
    assert row.name == "指标2：基层就诊率"  # nothing saved until the user saves

    # Saving from the restored form works, and keeps the version the text was typed against.
    saved = client.post(edit, {"version": 1, "name": "基层首诊就诊率", "value_text": "≥65%"})
    assert saved.status_code == 302
    row.refresh_from_db()
    assert (row.name, row.value_text) == ("基层首诊就诊率", "≥65%")


def test_a_new_row_typed_before_the_expiry_is_opened_again_with_its_text(
    client, demo_password, row
):
    url = reverse("tables:row_new", args=[row.table_id])
    response = client.post(
        url, {"version": 1, "parent": row.parent_id, "position": 9, "name": "转诊率"}, **HTMX
    )
    back = parse_qs(urlsplit(response["HX-Redirect"]).query)["next"][0]
    assert urlsplit(back).path == url
    # Through the login form, as the user does (django-axes wants the request to check).
    client.post(reverse("login"), {"username": "ruili_health", "password": demo_password})
    page = client.get(back).content.decode()
    assert 'id="row-new"' in page and 'value="转诊率"' in page


def test_an_expired_htmx_read_returns_to_the_page_the_user_was_on(client, row):
    page = reverse("tables:edit", args=[row.table_id])
    response = client.get(
        reverse("tables:row_edit", args=[row.pk]),
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
        **HTMX,
    )
    assert parse_qs(urlsplit(response["HX-Redirect"]).query)["next"] == [page]
    # A current URL of another site is never where the login sends the user.
    response = client.get(
        reverse("tables:row_edit", args=[row.pk]),
        HTTP_HX_CURRENT_URL="https://evil.example/steal",
        **HTMX,
    )
    assert parse_qs(urlsplit(response["HX-Redirect"]).query)["next"] == [
        reverse("tables:row_edit", args=[row.pk])
    ]


def test_plain_requests_still_get_the_ordinary_login_redirect(client, row):
    response = client.get(reverse("tables:edit", args=[row.table_id]))
    assert response.status_code == 302 and "HX-Redirect" not in response
