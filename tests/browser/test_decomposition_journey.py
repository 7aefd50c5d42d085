"""Seed 000 down the levels in the browser: 德宏州 finance issues the 州's notice to 瑞丽市财政局
with 德宏州卫健委's approved regional table as 附件2; 瑞丽 finance issues its 0296 citing that
notice and passing 附件2 on to 瑞丽市卫生健康局, whose draft starts from 附件2's tree with every
indicator serving the 州's; a rate lowered below the upper floor is reported by the
decomposition check, in the editor and on the decomposition page."""

import re

import pytest
from django.urls import reverse

from allocations.models import FundNotice
from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable, User
from tests.allocations.conftest import SEED_000_TITLE, upper_table
from tests.browser.notices import fill_seed_000_money
from tests.reviewing import approve

pytestmark = pytest.mark.browser

PREFECTURE_TITLE = (
    "德宏州财政局 德宏州卫生健康委员会关于下达2020年建档立卡贫困人口家庭医生签约服务个人缴费"
    "省级补助资金的通知"
)


def draft_notice(page, live_server, *, title: str, recipient: str, upper: TargetTable, signed):
    """The drafting form filled as seed 000 has it: 3.88万元 of 省级补助资金 under 2100399,
    with `upper` as the upper target table; saved, and the notice page open."""
    page.goto(f"{live_server.url}/notices/")
    page.click("#new-notice")
    page.fill("#id_title", title)
    page.fill("#id_year", "2020")
    page.get_by_label(recipient, exact=True).check()
    fill_seed_000_money(page)
    page.fill("#id_signed_date", signed)
    page.select_option("#id_upper_table", str(upper.pk))


def save_and_issue(page, *, recipients: str) -> str:
    """Save the draft, issue it through the confirmation; the 文号 it was issued under."""
    page.click("#save-notice")
    page.wait_for_url(re.compile(r"/notices/\d+/$"))
    page.locator("#check").wait_for()
    assert page.locator("#check .sev-error").count() == 0
    page.click("#issue-button")
    page.wait_for_url(re.compile(r"/notices/\d+/issue/$"))
    assert page.locator("#confirm-recipients").inner_text() == recipients
    promised = page.locator("#confirm-doc-number").inner_text()
    page.click("#confirm-issue")
    page.wait_for_url(re.compile(r"/notices/\d+/$"))
    number = page.locator("#doc-number").inner_text()
    assert promised.startswith(f"{number}（自动编号")  # the number the confirmation named
    return number


def tree(table: TargetTable) -> list[tuple]:
    return list(
        PerformanceIndicator.objects.filter(table=table)
        .order_by("level", "parent__position", "position", "name")
        .values_list("level", "name", "value_text")
    )


def test_the_州_notice_goes_down_to_瑞丽_and_a_lowered_rate_is_found(
    browser_login, live_server, artifacts_dir, page
):
    # 德宏州卫健委's regional table (seed 000 附件2) is a draft: not one the 州's finance may
    # pass down, so the form does not offer it ...
    upper = upper_table()
    browser_login("dehong_finance")
    page.goto(f"{live_server.url}{reverse('allocations:notice_create')}")
    offered = page.locator("#id_upper_table option").all_inner_texts()
    assert offered[0] == "（无）" and not any(upper.title in text for text in offered)
    # ... until the review approves it.
    users = {u.username: u for u in User.objects.filter(username__startswith="dehong_")}
    approve(upper, users["dehong_health"], users["dehong_finance"], users["dehong_perf"])

    # 德宏州 finance: the 州's notice to 瑞丽市财政局, 附件2 attached.
    draft_notice(
        page,
        live_server,
        title=PREFECTURE_TITLE,
        recipient="瑞丽市财政局",
        upper=upper,
        signed="2020-08-20",
    )
    prefecture_number = save_and_issue(page, recipients="瑞丽市财政局")
    assert prefecture_number.startswith("德财社〔2020〕")
    assert upper.title in page.locator("#attachment-list").inner_text()  # 附件2
    prefecture = FundNotice.objects.get(issuer__name="德宏州财政局", status="issued")
    # A finance bureau issues its own notice: no draft table for it.
    assert not TargetTable.objects.filter(notice=prefecture).exists()

    # 瑞丽 finance: 0296 citing the 州's notice, passing 附件2 on to the health bureau.
    page.context.clear_cookies()
    browser_login("ruili_finance")
    draft_notice(
        page,
        live_server,
        title=SEED_000_TITLE,
        recipient="瑞丽市卫生健康局",
        upper=upper,
        signed="2020-09-01",
    )
    page.select_option("#id_parent", str(prefecture.pk))
    county_number = save_and_issue(page, recipients="瑞丽市卫生健康局")
    chain = page.locator("#chain").inner_text()
    assert chain.index(prefecture_number) < chain.index(county_number)
    assert county_number == "瑞财社〔2020〕0297号"  # after the demo's own 0296
    issued = FundNotice.objects.get(parent=prefecture, status="issued")
    assert issued.doc_number == county_number

    # The bureau's draft: 附件2's tree, every row serving the row it was copied from.
    draft = TargetTable.objects.get(notice=issued, organisation__name="瑞丽市卫生健康局")
    assert draft.source_table == upper
    assert tree(draft) == tree(upper)
    rows = PerformanceIndicator.objects.filter(table=draft).select_related("upper_indicator")
    assert all(
        row.upper_indicator is not None
        and row.upper_indicator.table_id == upper.pk
        and (row.upper_indicator.level, row.upper_indicator.name) == (row.level, row.name)
        for row in rows
    )
    assert len({row.upper_indicator_id for row in rows}) == len(rows)

    page.context.clear_cookies()
    browser_login("ruili_health")
    page.goto(f"{live_server.url}{reverse('tables:detail', args=[draft.pk])}")
    page.click("#decomposition-link")
    page.wait_for_url(re.compile(rf"/tables/{draft.pk}/decomposition/$"))
    chain = page.locator("#chain-up").inner_text()
    assert chain.index(prefecture_number) < chain.index(county_number)
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
