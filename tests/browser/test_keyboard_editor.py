"""The editor from the keyboard alone: Enter on 保存 saves, 检查 runs the checks and a
warning is acknowledged with the focus kept through each htmx swap, Escape closes the paste
panel and a row menu and gives the focus back to their opener."""

import pytest
from django.urls import reverse

from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable

pytestmark = pytest.mark.browser

PROJECT = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"
ROW = "指标2：受益建档立卡贫困人口数"


def _focus(page, locator):
    """Tab until `locator` has the focus, as a keyboard user reaches it (at most 400 stops)."""
    handle = locator.element_handle()
    for _ in range(400):
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError("not reachable with Tab")


def _active(page) -> str:
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return e.tagName.toLowerCase() + '|' + (e.id || '') + '|' + e.innerText.trim(); })()"
    )


def _wait_focus_in(page, selector: str) -> None:
    # The swapped content shows before htmx settles it, and the focus moves on settle.
    # A function, not an expression: the page's CSP refuses to eval a string.
    page.wait_for_function(
        "selector => !!document.activeElement?.closest(selector)", arg=selector, timeout=5000
    )


def test_editor_from_the_keyboard(browser_login, live_server):
    table = TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)
    row = PerformanceIndicator.objects.get(table=table, name=ROW)
    page = browser_login("ruili_health")
    page.goto(live_server.url + reverse("tables:edit", args=[table.pk]))

    # Edit a row, change its value, Tab to 保存 and press Enter: the row is saved.
    page.locator(f"#row-{row.pk} a.cell-link").focus()
    page.keyboard.press("Enter")
    value = page.locator("#rowform-value")
    value.wait_for()
    value.fill("≥1800人")
    _focus(page, page.get_by_role("button", name="保存", exact=True))
    page.keyboard.press("Enter")
    # The row's <tr> may also hold its group's category cells and their links, so wait for
    # the row editor to go: it goes only once the save has answered.
    value.wait_for(state="detached")
    page.locator(f"#row-{row.pk} a.cell-link").wait_for()
    row.refresh_from_db()
    assert row.value_text == "≥1800人"

    # 检查 refreshes the panel that holds it: the focus stays in the panel, and the next Tab
    # reaches the panel's first control instead of the top of the page.
    check = page.locator("#lint-panel").get_by_role("button", name="检查")
    _focus(page, check)
    page.keyboard.press("Enter")
    page.locator("#lint-panel .muted", has_text="刚刚检查").wait_for()
    _wait_focus_in(page, "#lint-panel")
    assert _active(page).startswith("aside|lint-panel|")
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('#lint-panel')")

    # A warning is acknowledged from the keyboard: its reason, then 确认无误 with Enter.
    warning = page.locator("#lint-panel li.finding.sev-warning").first
    _focus(page, warning.get_by_label("确认理由"))
    page.keyboard.type("按省级文件原文填写")
    page.keyboard.press("Tab")
    assert _active(page).endswith("|确认无误")
    page.keyboard.press("Enter")
    page.locator("#lint-panel li.sev-acknowledged", has_text="按省级文件原文填写").wait_for()
    _wait_focus_in(page, "#lint-panel")

    # 从Excel粘贴 opens its panel with the cursor in it; Escape closes it and goes back.
    opener = page.get_by_role("link", name="从Excel粘贴")
    _focus(page, opener)
    page.keyboard.press("Enter")
    page.locator("#paste-panel textarea").wait_for()
    _wait_focus_in(page, "#paste-panel textarea")
    page.keyboard.press("Escape")
    assert page.locator("#paste-panel textarea").count() == 0
    assert _active(page).endswith("|从Excel粘贴")

    # A row menu opens with Enter and closes with Escape, the focus back on its ⋯.
    summary = page.locator(f"#row-{row.pk} details.ops-menu summary")
    _focus(page, summary)
    page.keyboard.press("Enter")
    assert page.locator(f"#row-{row.pk} details.ops-menu[open]").count() == 1
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert page.locator(f"#row-{row.pk} details.ops-menu[open]").count() == 0
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
