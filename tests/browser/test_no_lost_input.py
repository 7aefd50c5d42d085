"""No lost input in the browser: leaving with unsaved text asks, an expired session keeps it."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable

pytestmark = pytest.mark.browser

PROJECT = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"


def _table():
    return TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)


def test_leaving_the_editor_with_unsaved_text_asks_first(browser_login, live_server):
    page = browser_login("ruili_health")
    table = _table()
    editor = f"{live_server.url}{reverse('tables:edit', args=[table.pk])}"
    page.goto(editor)
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # 留在此页

    page.on("dialog", answer)
    # Nothing typed: leaving does not ask.
    page.get_by_role("link", name="修改记录").click()
    page.wait_for_url("**/history/")
    assert asked == []
    page.goto(editor)
    page.fill("#id_contact", "李小红 139")
    page.get_by_role("link", name="修改记录").click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.url == editor and page.input_value("#id_contact") == "李小红 139"


def test_expired_session_during_a_row_save_comes_back_with_the_typed_value(
    browser_login, live_server, demo_password
):
    page = browser_login("ruili_health")
    table = _table()
    row = PerformanceIndicator.objects.get(table=table, name="指标2：基层就诊率")
    page.goto(f"{live_server.url}{reverse('tables:row_edit', args=[row.pk])}")
    value = page.locator("#rowform-value")
    value.fill("≥66%")
    Session.objects.all().delete()  # the session expires while the user types
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.get_by_role("button", name="保存", exact=True).click()
    # The whole page goes to the login form (not into the table), saying why.
    page.wait_for_url("**/accounts/login/**")
    assert "登录已超时" in page.locator(".messages").inner_text()
    assert asked == []  # the typed text travels along: no "leave site?" question
    page.fill("#id_username", "ruili_health")
    page.fill("#id_password", demo_password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{reverse('tables:row_edit', args=[row.pk])}**")
    assert page.input_value("#rowform-value") == "≥66%"
    row.refresh_from_db()
    assert row.value_text != "≥66%"
    page.get_by_role("button", name="保存", exact=True).click()
    page.locator("#rowform").wait_for(state="detached")
    row.refresh_from_db()
    assert row.value_text == "≥66%"


def test_an_allocation_delete_asks_in_the_browser_once_and_then_deletes(browser_login, live_server):
    from allocations.models import AllocationRow
    from perfgoals.models import User
    from tests.allocations.conftest import build_seed_000

    notice = build_seed_000(User.objects.get(username="ruili_finance"))
    table = notice.allocation_tables.first()
    row = table.rows.get()
    page = browser_login("ruili_finance")
    page.goto(live_server.url + reverse("allocations:allocation_edit", args=[notice.pk, table.pk]))
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    delete_row = page.locator(f"form[action$='/row/{row.pk}/delete/'] button")
    delete_row.click()
    page.wait_for_timeout(300)
    # Cancelled: nothing posted, nothing deleted.
    assert asked and "不能恢复" in asked[0]
    assert AllocationRow.objects.filter(pk=row.pk).exists()
    page.remove_listener("dialog", dismiss)
    page.once("dialog", lambda dialog: dialog.accept())
    delete_row.click()
    page.wait_for_load_state("networkidle")
    # Confirmed in the browser: deleted without the server's own confirmation page.
    assert "请确认" not in page.content()
    assert not AllocationRow.objects.filter(pk=row.pk).exists()
