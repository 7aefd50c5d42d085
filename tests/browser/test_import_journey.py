"""A bureau imports its Excel workbook: upload, review the preview, confirm, open the draft."""

import pytest
from django.urls import reverse

from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable
from tests.perfgoals.targets.imports.builders import workbook
from tests.perfgoals.targets.imports.test_variants import table

pytestmark = pytest.mark.browser


def test_bureau_imports_a_workbook_and_opens_the_draft(
    browser_login, live_server, artifacts_dir, tmp_path
):
    path = tmp_path / "2023年绩效目标表.xlsx"
    path.write_bytes(workbook([table("薄弱学校改造"), table("校舍维修")], mid=True))
    page = browser_login("ruili_medsec")
    page.goto(f"{live_server.url}{reverse('table_list')}")
    page.get_by_role("link", name="从Excel导入").click()
    page.wait_for_url(f"**{reverse('tables:import')}")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state("networkidle")

    # The preview: both tables, their header, the tree with ≧ kept, the 中期 values, checks.
    assert page.locator("#import-count").inner_text() == "2"
    first = page.locator("#import-table-1")
    assert "薄弱学校改造" in first.locator("h2").inner_text()
    assert first.get_by_role("cell", name="≧85%").is_visible()
    assert first.get_by_role("cell", name="≥80%").is_visible()
    assert first.get_by_text("检查结果").is_visible()
    assert not TargetTable.objects.filter(project_name="薄弱学校改造").exists()
    page.screenshot(path=str(artifacts_dir / "import_preview.png"), full_page=True)

    page.get_by_role("button", name="确认导入 2 张表").click()
    page.wait_for_load_state("networkidle")
    draft = TargetTable.objects.get(project_name="薄弱学校改造")
    assert draft.status == TargetTable.Status.DRAFT
    assert draft.organisation.name == "瑞丽市医疗保障局"
    page.locator("#imported").get_by_role("link", name="薄弱学校改造", exact=False).click()
    page.wait_for_url(f"**{reverse('tables:edit', args=[draft.pk])}")
    assert page.get_by_text("农村特困人员").first.is_visible()
    assert PerformanceIndicator.objects.filter(table=draft).count() == 12
