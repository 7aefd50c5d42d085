"""瑞丽 finance issues seed 000's notice with the 州's 附件2; 瑞丽市卫生健康局's draft starts from
附件2's tree with every indicator serving the 州's, and a rate lowered below the upper floor
is reported by the decomposition check, in the editor and on the decomposition page."""

import re

import pytest
from django.urls import reverse

from allocations.services import issuing
from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable, User
from tests.allocations.conftest import build_seed_000, upper_table

pytestmark = pytest.mark.browser


def test_bureau_draft_serves_the_upper_table_and_a_lowered_rate_is_found(
    browser_login, live_server, artifacts_dir
):
    finance = User.objects.get(username="ruili_finance")
    # The notice journey issues this notice through the browser; here it only sets the scene.
    notice = build_seed_000(finance, upper_table=upper_table())
    issued = issuing.notice_issue(notice=notice, user=finance, expected_version=notice.version)
    draft = TargetTable.objects.get(notice=issued)
    upper_rows = PerformanceIndicator.objects.filter(table=upper_table())
    assert (
        PerformanceIndicator.objects.filter(table=draft, upper_indicator__in=upper_rows).count()
        == upper_rows.count()
    )

    page = browser_login("ruili_health")
    page.goto(f"{live_server.url}{reverse('tables:detail', args=[draft.pk])}")
    page.click("#decomposition-link")
    page.wait_for_url(re.compile(rf"/tables/{draft.pk}/decomposition/$"))
    chain = page.locator("#chain-up").inner_text()
    assert chain.index("德财社〔2020〕162号") < chain.index(issued.doc_number)
    section = page.locator("#decomposition-up")
    assert "没有下级指标对应" not in section.inner_text()  # every upper indicator is served
    assert section.locator("td.sev-error").count() == 0

    # The bureau lowers a rate in the editor: ≥85% upstream cannot become ≥80%.
    page.goto(f"{live_server.url}{reverse('tables:edit', args=[draft.pk])}")
    row = page.locator("#tree tr.leaf", has_text="签约对象满意度")
    row.get_by_role("link", name="签约对象满意度", exact=True).click()
    page.locator("tr.editing input[name=value_text]").fill("≥80%")
    page.locator("tr.editing").get_by_role("button", name="保存", exact=True).click()
    finding = page.locator("#lint-panel li.finding[data-code=decomposition_floor]")
    finding.wait_for()
    text = finding.inner_text()
    assert "≥80%" in text and "≥85%" in text and "德宏州卫生健康委员会" in text

    page.goto(f"{live_server.url}{reverse('tables:decomposition', args=[draft.pk])}")
    lowered = page.locator("#decomposition-up td.sev-error")
    assert lowered.inner_text() == "≥80%"
    assert (
        "不能比上级宽松" in page.locator("#decomposition-up .decomposition-problems").inner_text()
    )
    page.screenshot(path=str(artifacts_dir / "decomposition.png"), full_page=True)
