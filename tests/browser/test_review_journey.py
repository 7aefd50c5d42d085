"""The review loop in the browser: 瑞丽 health bureau submits seed 000's project table, the
finance bureau's 社保股 comments on one indicator and returns it (中), the bureau fixes the row
and resubmits, 社保股 passes it (优) and 绩效股 approves it (优); the approved table is frozen."""

import pytest
from django.urls import reverse

from indicators.models import PerformanceIndicator
from perfgoals.models import ReviewEvent, TargetTable

pytestmark = pytest.mark.browser

PROJECT = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"
ROW = "指标2：受益建档立卡贫困人口数"
COMMENT = "受益人数请与分配表核对，并按规范写法填写。"


def _switch(page, browser_login, username):
    page.context.clear_cookies()
    return browser_login(username)


def _decide(page, grade, opinion):
    page.locator(f"#decision input[name=grade][value={grade}]").check()
    page.locator("#id_opinion").fill(opinion)
    page.get_by_role("button", name="提交审核意见").click()
    page.wait_for_load_state("networkidle")


def test_a_table_goes_round_the_review_loop(browser_login, live_server, artifacts_dir):
    table = TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)
    row = PerformanceIndicator.objects.get(table=table, name=ROW)
    editor = live_server.url + reverse("tables:edit", args=[table.pk])
    detail = live_server.url + reverse("tables:detail", args=[table.pk])

    # The bureau: 提交审核 is refused while two warnings are open; each gets a reason.
    page = browser_login("ruili_health")
    # A review decision asks for confirmation (static/js/guard.js); the reviewer confirms.
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(editor)
    page.get_by_role("button", name="提交审核", exact=True).click()
    refusal = page.locator("#submit-refusal")
    refusal.wait_for()
    assert "2个警告未确认" in refusal.inner_text()
    assert refusal.locator(f"a[href$='#row-{row.pk}']").count() == 1
    reasons = ["按省级文件原文填写", "与分配表人数一致"]
    for reason in reasons:
        warning = page.locator("#lint-panel li.finding.sev-warning").first
        warning.get_by_label("确认理由").fill(reason)
        warning.get_by_role("button", name="确认无误").click()
        page.locator("#lint-panel li.finding.sev-acknowledged", has_text=reason).wait_for()
    page.get_by_role("button", name="提交审核", exact=True).click()
    page.wait_for_url(f"**{reverse('tables:detail', args=[table.pk])}")
    assert "已提交审核" in page.locator(".messages").inner_text()
    assert page.locator(".status").first.inner_text() == "已提交待初审"

    # 社保股 finds the table in the list, reads the reasons, comments on one row, returns (中).
    page = _switch(page, browser_login, "ruili_finance")
    page.goto(live_server.url + reverse("table_list"))
    page.locator("tr", has_text=PROJECT).get_by_role("link", name="查看").first.click()
    page.get_by_role("link", name="审核", exact=True).click()
    page.wait_for_url(f"**{reverse('tables:review', args=[table.pk])}")
    assert "理由：按省级文件原文填写" in page.locator("#lint-panel").inner_text()
    line = page.locator(f"#row-{row.pk}")
    line.locator("summary", has_text="批注").click()
    line.get_by_label(f"对“{ROW}”的批注").fill(COMMENT)
    line.get_by_role("button", name="保存批注").click()
    page.wait_for_load_state("networkidle")
    assert COMMENT in page.locator(f"#row-{row.pk} .review-comment").inner_text()
    page.locator(f"#row-{row.pk}").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "review_screen.png"), full_page=True)
    _decide(page, "fair", "受益人数指标请按批注修改后重新报送。")
    assert page.locator(".status").first.inner_text() == "已退回修改"

    # The bureau sees why, and the comment on its row; fixes the row and resubmits.
    page = _switch(page, browser_login, "ruili_health")
    page.goto(editor)
    assert "受益人数指标请按批注修改后重新报送。" in page.locator("#review-decision").inner_text()
    assert COMMENT in page.locator(f"#row-{row.pk} .review-comment").inner_text()
    page.locator(f"#row-{row.pk} a.cell-link").click()
    page.locator("tr.editing input[name=value_text]").fill("≥15307人")
    page.locator("tr.editing").get_by_role("button", name="保存", exact=True).click()
    page.locator(f"#row-{row.pk}:not(.editing) td.cv", has_text="≥15307人").wait_for()
    # The comment stays on its row across versions.
    assert COMMENT in page.locator(f"#row-{row.pk} .review-comment").inner_text()
    page.get_by_role("button", name="提交审核", exact=True).click()
    page.wait_for_url(f"**{reverse('tables:detail', args=[table.pk])}")
    assert page.locator(".status").first.inner_text() == "已提交待初审"

    # 社保股 passes (优), 绩效股 approves (优).
    page = _switch(page, browser_login, "ruili_finance")
    page.goto(live_server.url + reverse("tables:review", args=[table.pk]))
    _decide(page, "excellent", "已按意见修改，同意。")
    assert page.locator(".status").first.inner_text() == "初审通过待复审"
    page = _switch(page, browser_login, "ruili_perf")
    page.goto(detail)
    page.get_by_role("link", name="审核", exact=True).click()
    _decide(page, "excellent", "同意批复。")

    # The approved version is frozen: the banner says so, and nobody can edit it.
    assert page.locator(".status").first.inner_text() == "已批准"
    assert "已批准，内容已冻结" in page.locator(".banner-frozen").inner_text()
    page = _switch(page, browser_login, "ruili_health")
    page.goto(detail)
    assert "现行批准版本（第1版" in page.locator(".banner-frozen").inner_text()
    assert page.get_by_role("link", name="编辑", exact=True).count() == 0
    assert page.get_by_role("link", name="调整", exact=True).is_visible()
    page.screenshot(path=str(artifacts_dir / "review_approved.png"), full_page=True)

    table.refresh_from_db()
    assert table.status == TargetTable.Status.APPROVED
    assert table.approved_snapshot.number == 1
    frozen = {r["id"]: r["value_text"] for r in table.approved_snapshot.data["indicators"]}
    assert frozen[row.pk] == "≥15307人"
    actions = list(
        ReviewEvent.objects.filter(table=table).values_list("action", "grade", "actor__username")
    )
    assert actions == [
        ("submit", "", "ruili_health"),
        ("return", "fair", "ruili_finance"),
        ("submit", "", "ruili_health"),
        ("pass", "excellent", "ruili_finance"),
        ("pass", "excellent", "ruili_perf"),
    ]
