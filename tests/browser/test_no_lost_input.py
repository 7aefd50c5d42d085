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
