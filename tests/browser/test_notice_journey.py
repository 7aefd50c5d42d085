"""Finance drafts seed 000's notice from scratch in the browser, with its allocation table,
issues it, and the health bureau finds the draft target table the issue created."""

import re
from decimal import Decimal

import pytest

from allocations.models import AllocationStandard, FundNotice
from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable
from tests.browser.notices import fill_seed_000_money

pytestmark = pytest.mark.browser

TITLE = "瑞丽市财政局关于下达2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金的通知"
PROJECT = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"


def digits(text: str) -> str:
    return text.replace(",", "")


def test_finance_drafts_and_issues_seed_000_then_the_bureau_finds_its_draft(
    browser_login, live_server, artifacts_dir, page
):
    browser_login("ruili_finance")
    page.goto(f"{live_server.url}/notices/")
    page.click("#new-notice")

    # The notice: title, recipient, basis outside by number, amount, codes.
    page.fill("#id_title", TITLE)
    page.fill("#id_year", "2020")
    page.get_by_label("瑞丽市卫生健康局").check()
    page.fill("#id_basis_number", "德财社〔2020〕162号")
    fill_seed_000_money(page)
    # Signed in 2020: the 文号 year is the year of signature, not of the budget.
    page.fill("#id_signed_date", "2020-09-01")
    # 附件2: the prefecture's transfer-fund target table, whose indicators seed the draft.
    upper = TargetTable.objects.get(layout="transfer", project_name__startswith="2020年建档立卡")
    page.select_option("#id_upper_table", str(upper.pk))
    assert "绩效监控" in page.input_value("#id_para-0-text")  # standard paragraph pre-filled
    page.click("#save-notice")
    page.wait_for_url(re.compile(r"/notices/\d+/$"))
    assert "通知草稿已保存" in page.content()

    # 附件1: the allocation table, built in the editor.
    page.click("#add-allocation")
    page.wait_for_url(re.compile(r"/allocations/\d+/$"))
    page.fill("#id_row-label", "瑞丽市")
    page.click("#add-row")
    page.wait_for_load_state()
    # 已脱贫: the stored 12元 4:6 standard, province's share.
    page.fill("#id_col-label", "已脱贫签约人数")
    tuopin = AllocationStandard.objects.get(name__endswith="（已脱贫）")
    page.select_option("#id_col-standard", str(tuopin.pk))
    assert "4:6" in page.locator("#id_col-standard option:checked").inner_text()
    page.click("#add-column")
    page.wait_for_load_state()
    # 未脱贫: typed as a new standard, 12元 shared 60% + 40%.
    page.fill("#id_col-label", "未脱贫及返贫签约人数")
    page.fill("#id_col-new_base_amount", "12")
    page.fill("#id_col-new_upper_percent", "60")
    page.fill("#id_col-new_lower_percent", "40")
    page.click("#add-column")
    page.wait_for_load_state()
    inputs = page.locator("#cells-form input[name^=c_]")
    inputs.nth(0).fill("6625")
    inputs.nth(1).fill("-977")
    page.click("#save-cells")  # htmx swaps the grid in place, errors at the cell
    page.locator("#cells-form .errors", has_text="人数不能为负数。").wait_for()
    assert page.input_value("#cells-form input[name^=c_] >> nth=0") == "6625"  # input kept
    inputs = page.locator("#cells-form input[name^=c_]")
    inputs.nth(1).fill("977")
    page.click("#save-cells")  # htmx swaps the recomputed grid in place
    page.locator("#reconciliation", has_text="与通知下达金额一致").wait_for()
    grid = digits(page.locator("#alloc-grid table.allocation").inner_text())
    for figure in ["7602", "3.88", "6625", "4.8", "31800", "977", "7.2", "7034.4"]:
        assert figure in grid
    assert "四舍五入" in page.content()  # the rounding rule is stated
    # The settings form outside the grid got the new version out of band: saving it after
    # the htmx save is not mistaken for someone else's edit.
    page.fill("#id_count_total_label", "贫困人口签约数（含已脱贫、未脱贫、返贫）")
    page.get_by_role("button", name="保存设置").click()
    page.wait_for_load_state()
    assert "分配表设置已保存。" in page.content()

    # Back to the notice: checked, then issued.
    page.get_by_role("link", name=re.compile("返回通知")).click()
    page.wait_for_url(re.compile(r"/notices/\d+/$"))
    # Counted on the notice page once its check is there, not on the editor still showing.
    page.locator("#check").wait_for()
    assert page.locator("#check .sev-error").count() == 0
    page.click("#issue-button")
    # The confirmation names the number, the amount and the recipients before anything is done.
    page.wait_for_url(re.compile(r"/notices/\d+/issue/$"))
    assert page.locator("#confirm-doc-number").inner_text().startswith("瑞财社〔2020〕0297号")
    assert page.locator("#confirm-amount").inner_text() == "3.88万元"
    assert page.locator("#confirm-recipients").inner_text() == "瑞丽市卫生健康局"
    page.click("#confirm-issue")
    page.wait_for_url(re.compile(r"/notices/\d+/$"))
    assert page.locator("#doc-number").inner_text() == "瑞财社〔2020〕0297号"
    assert "已印发，发文字号 瑞财社〔2020〕0297号" in page.content()
    table_text = digits(page.locator("table.allocation").inner_text())
    for figure in ["31800", "7034.4", "3.88"]:
        assert figure in table_text
    chain = page.locator("#chain").inner_text()
    assert chain.index("德财社〔2020〕162号") < chain.index("瑞财社〔2020〕0297号")
    assert "瑞丽市卫生健康局 绩效目标表" in chain
    page.screenshot(path=str(artifacts_dir / "notice.png"), full_page=True)

    notice = FundNotice.objects.get(issuer_code="瑞财社", doc_year=2020, doc_serial=297)
    draft = TargetTable.objects.get(notice=notice)
    assert (draft.project_name, draft.amount_total, draft.status) == (
        PROJECT,
        Decimal("3.88"),
        "draft",
    )
    assert draft.source_table == upper
    assert PerformanceIndicator.objects.filter(table=draft).count() == (
        PerformanceIndicator.objects.filter(table=upper).count()
    )
    assert page.locator("#attachment-list").inner_text().count("绩效目标表") == 2

    # The health bureau sees the issued notice and the draft made for it.
    page.context.clear_cookies()
    browser_login("ruili_health")
    page.goto(f"{live_server.url}{notice.get_absolute_url()}")
    page.locator("#chain").get_by_role("link", name=re.compile("绩效目标表")).click()
    page.wait_for_url(re.compile(rf"/tables/{draft.pk}/"))
    assert PROJECT in page.content()
    page.goto(f"{live_server.url}/tables/")
    assert page.locator(f"a[href^='/tables/{draft.pk}/']").count() >= 1
    page.screenshot(path=str(artifacts_dir / "notice_recipient.png"), full_page=False)
