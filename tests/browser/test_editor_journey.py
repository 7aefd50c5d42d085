"""The daily journey of a county health bureau: fill seed 000's project table in the editor."""

import pytest
from django.urls import reverse

from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable

pytestmark = pytest.mark.browser

PROJECT = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"


def _rows(table):
    return {row.name: row for row in PerformanceIndicator.objects.filter(table=table)}


def _open_menu(page, cell):
    cell.locator("summary").first.click()
    return cell.locator("details.ops-menu[open] .menu")


def test_health_bureau_fills_the_project_table(browser_login, live_server, artifacts_dir):
    page = browser_login("ruili_health")
    table = TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)
    # The home page lists the draft to finish; its 编辑 link opens the editor.
    drafts = page.locator("#section-drafts")
    assert drafts.locator(".count").get_attribute("data-count") == "1"
    drafts.locator("tr", has_text=PROJECT).get_by_role("link", name="编辑").click()
    page.wait_for_url(f"**{reverse('tables:edit', args=[table.pk])}")
    tree = page.locator("#tree")
    quality = tree.locator("td.cat.c2").filter(
        has=page.get_by_role("link", name="质量指标", exact=True)
    )
    assert quality.is_visible()

    # Add a 三级 under 质量指标 from the keyboard: name, Tab, value, Enter.
    _open_menu(page, quality).get_by_text("添加三级指标").click()
    name = page.locator("#row-new input[name=name]")
    name.wait_for()
    # The focus moves when htmx settles the swap, a moment after the field shows.
    page.wait_for_function("() => !!document.activeElement?.matches('#row-new input[name=name]')")
    name.type("家庭医生签约服务履约率")
    page.keyboard.press("Tab")
    page.keyboard.type("≥90%")
    page.keyboard.press("Enter")
    # Enter in the last field saved the row and opened the next one, focused.
    page.locator("#row-new input[name=name]:focus").wait_for()
    page.keyboard.press("Escape")
    page.locator("#row-new").wait_for(state="detached")
    added = tree.locator("tr.leaf", has_text="家庭医生签约服务履约率")
    assert added.locator("td.cv").inner_text() == "≥90%"

    # Delete a row (with the confirmation dialog).
    doomed = tree.locator("tr.leaf", has_text="签约医生就诊率")
    page.once("dialog", lambda dialog: dialog.accept())
    _open_menu(page, doomed).get_by_text("删除").click()
    doomed.wait_for(state="detached")

    # Paste two rows copied from Excel; the blank 一级/二级 cells are merged cells.
    page.get_by_role("link", name="从Excel粘贴").click()
    page.locator("#paste-panel textarea").fill(
        "效益指标\t社会效益指标\t签约居民健康管理率\t逐步提高\n\t\t签约居民续约率\t≥70%\n"
    )
    page.get_by_role("button", name="预览").click()
    page.get_by_role("button", name="添加这 2 行").click()
    tree.locator("tr.leaf", has_text="签约居民续约率").wait_for()
    assert tree.get_by_text("已粘贴2行指标").is_visible()

    # A lint warning appears for a non-standard ≧ and goes away once fixed.
    renewal = tree.locator("tr.leaf", has_text="签约居民续约率")
    renewal.locator("a.cell-link").click()
    value = page.locator("tr.editing input[name=value_text]")
    value.fill("≧85%")
    page.locator("tr.editing").get_by_role("button", name="保存", exact=True).click()
    warning = page.locator(
        "#lint-panel li.finding[data-code=value_notation]", has_text="签约居民续约率"
    )
    warning.wait_for()
    assert "≥85%" in warning.inner_text()
    tree.locator("tr.leaf.flag-warning", has_text="签约居民续约率").wait_for()
    renewal.locator("a.cell-link").click()
    page.locator("tr.editing input[name=value_text]").fill("≥85%")
    page.locator("tr.editing").get_by_role("button", name="保存", exact=True).click()
    warning.wait_for(state="detached")

    # A warning meant as written (the pasted qualitative 逐步提高) is acknowledged in the panel.
    qualitative = page.locator("#lint-panel li.finding[data-code=qualitative]").first
    qualitative.get_by_label("确认理由").fill("逐年推进，暂无量化口径")
    qualitative.get_by_role("button", name="确认无误").click()
    page.locator("#lint-panel li.finding.sev-acknowledged[data-code=qualitative]").wait_for()
    assert "1 个警告已确认" in page.locator("#lint-panel .lint-summary").inner_text()

    # Reload: everything was saved.
    page.reload()
    for text in ("家庭医生签约服务履约率", "签约居民健康管理率", "签约居民续约率"):
        assert tree.get_by_text(text).is_visible()
    assert tree.get_by_text("签约医生就诊率").count() == 0
    # Seed 000 places every category by the 2015 framework: none is reported unknown.
    assert page.locator("#lint-panel li.finding[data-code=unknown_category]").count() == 0
    page.locator("#lint-panel").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "editor.png"), full_page=True)

    rows = _rows(table)
    assert rows["家庭医生签约服务履约率"].value_text == "≥90%"
    assert rows["家庭医生签约服务履约率"].parent.name == "质量指标"
    assert "指标3：签约医生就诊率" not in rows
    assert rows["签约居民续约率"].value_text == "≥85%"
    assert rows["签约居民续约率"].parent == rows["签约居民健康管理率"].parent
    assert rows["签约居民健康管理率"].parent.name == "社会效益指标"
    assert table.lint_acknowledgements.get().acknowledged_by.username == "ruili_health"
    table.refresh_from_db()
    assert table.updated_by.username == "ruili_health"
    # One version per saved change: the added row, the deletion, the paste and two edits.
    assert table.version == 6


def test_six_column_rows_are_typed_from_the_keyboard(browser_login, live_server, artifacts_dir):
    """Seed 004's department project layout: 描述 and 依据 columns join the Tab order."""
    page = browser_login("shunping_medsec")
    table = TargetTable.objects.get(project_code="450-0601-JXN-19AZ")
    page.goto(live_server.url + reverse("tables:edit", args=[table.pk]))
    quantity = (
        page.locator("#tree td.cat.c2")
        .filter(has=page.get_by_role("link", name="质量指标", exact=True))
        .first
    )
    _open_menu(page, quantity).get_by_text("添加三级指标").click()
    page.locator("#row-new input[name=name]:focus").wait_for()
    for text in ("经办人员培训人次", "全年组织经办人员业务培训", "≥60人次", "年度培训计划"):
        page.keyboard.type(text)
        page.keyboard.press("Enter")  # next field; in the last field: save and a new row
    page.locator("#row-new input[name=name]:focus").wait_for()
    page.locator("#row-new").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "editor_dept_project.png"), full_page=False)
    saved = PerformanceIndicator.objects.get(table=table, name="经办人员培训人次")
    assert (saved.description, saved.value_text, saved.basis) == (
        "全年组织经办人员业务培训",
        "≥60人次",
        "年度培训计划",
    )
