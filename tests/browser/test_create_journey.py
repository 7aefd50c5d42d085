"""A bureau starts its own tables: 新建绩效目标表 from the keyboard, and 复制上年."""

import pytest
from django.urls import reverse

from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable

pytestmark = pytest.mark.browser

PROJECT = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"


def test_a_bureau_creates_a_table_from_the_keyboard(browser_login, live_server, artifacts_dir):
    page = browser_login("ruili_health")
    page.get_by_role("link", name="新建绩效目标表").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('tables:create')}")
    # The first layout is chosen and focused; the arrow key moves to 部门预算项目.
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=layout][value=dept_project]").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**layout=dept_project")
    year = page.locator("#id_year")
    assert year.evaluate("el => el === document.activeElement")
    # A bad year first: the message is at the field and the typed name stays.
    page.keyboard.press("Control+A")
    page.keyboard.type("26")
    page.keyboard.press("Tab")  # 表名, prefilled
    page.keyboard.press("Tab")  # 项目编码
    page.keyboard.type("XM-2026-01")
    page.keyboard.press("Tab")  # 项目名称
    page.keyboard.type("乡镇卫生院能力提升")
    page.keyboard.press("Enter")
    error = page.locator(".field-year .errorlist")
    error.wait_for()
    assert "年度应在2000至2100之间。" in error.inner_text()
    assert page.locator("#id_project_name").input_value() == "乡镇卫生院能力提升"
    assert not TargetTable.objects.filter(project_name="乡镇卫生院能力提升").exists()

    page.locator("#id_year").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/edit/")
    table = TargetTable.objects.get(project_name="乡镇卫生院能力提升")
    assert page.url.endswith(reverse("tables:edit", args=[table.pk]))
    assert (table.year, table.layout, table.project_code) == (2026, "dept_project", "XM-2026-01")
    assert table.organisation.name == "瑞丽市卫生健康局"
    assert page.locator("h1").inner_text() == "乡镇卫生院能力提升"
    page.screenshot(path=artifacts_dir / "create_table_editor.png", full_page=True)


def test_a_bureau_copies_last_years_table(browser_login, live_server, artifacts_dir):
    page = browser_login("ruili_health")
    source = TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)
    page.goto(f"{live_server.url}{reverse('tables:detail', args=[source.pk])}")
    page.get_by_role("link", name="复制上年").click()
    page.wait_for_url(f"**copy_from={source.pk}")
    assert page.locator("#id_year").input_value() == str(source.year + 1)
    assert "复制自" in page.locator("#copy-source").inner_text()
    page.keyboard.press("Enter")  # the year field has the focus
    page.wait_for_url("**/edit/")
    copy = TargetTable.objects.get(copied_from=source)
    assert copy.year == source.year + 1
    assert PerformanceIndicator.objects.filter(table=copy).count() == (
        PerformanceIndicator.objects.filter(table=source).count()
    )
    leaf = page.locator("#tree tr.leaf", has_text="基层就诊率").first
    value = PerformanceIndicator.objects.get(table=source, name="指标2：基层就诊率").value_text
    assert f"上年：{value}" in leaf.locator("td.cv").inner_text()
    page.get_by_role("link", name="查看表格").click()
    assert source.project_name in page.locator("#copied-from").inner_text()
    page.screenshot(path=artifacts_dir / "copy_last_year_editor.png", full_page=True)
