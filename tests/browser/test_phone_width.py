"""At phone width (390 px) the pages a bureau or a reviewer opens fit the screen: nothing
but a table's own scroll area is wider than the viewport, and the main actions are on it."""

import pytest
from django.urls import reverse

from perfgoals.models import TargetTable

pytestmark = pytest.mark.browser

PROJECT = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"
PHONE = {"width": 390, "height": 844}

# Elements wider than the viewport that no scrolling box of theirs contains.
OVERFLOWING = """() => {
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.right <= window.innerWidth + 1) continue;
    let p = e.parentElement, held = false;
    for (; p; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') { held = true; break; }
    }
    if (!held) out.push(`${e.tagName.toLowerCase()}.${e.className} → ${Math.round(r.right)}px`);
  }
  return out;
}"""


def _check(page, url, name, artifacts_dir):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate(OVERFLOWING) == [], name
    # The page itself never scrolls sideways (visually hidden labels included).
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], name
    page.screenshot(path=str(artifacts_dir / f"phone-{name}.png"))


def _first_row_on_first_screen(page, name):
    # A list's filters fold into two columns: its first row shows without scrolling.
    top = page.locator("table tbody tr").first.bounding_box()["y"]
    assert top < PHONE["height"], f"{name}: first row at {top:.0f}px"


# Lines each cell of the downloads' 类型 column takes.
KIND_LINES = """() => [...document.querySelectorAll('#exportable tbody td:first-child')].map(td => {
  const range = document.createRange();
  range.selectNodeContents(td);
  return range.getClientRects().length;
})"""


def test_pages_fit_a_phone(browser_login, live_server, artifacts_dir):
    table = TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)
    page = browser_login("ruili_health")
    page.set_viewport_size(PHONE)
    for name, url in [
        ("home", reverse("home")),
        ("list", reverse("table_list")),
        ("read-view", reverse("tables:detail", args=[table.pk])),
        ("editor", reverse("tables:edit", args=[table.pk])),
        ("new-table", reverse("tables:create")),
        ("downloads", reverse("exports:index")),
    ]:
        _check(page, live_server.url + url, name, artifacts_dir)
        if name == "list":
            _first_row_on_first_screen(page, name)
        if name == "downloads":
            # 通知及附件 on one line, not a character a line: the names wrap instead.
            assert set(page.evaluate(KIND_LINES)) == {1}
    # The read view's actions stay on screen: 编辑 is tappable without scrolling sideways.
    page.goto(live_server.url + reverse("tables:detail", args=[table.pk]))
    box = page.get_by_role("link", name="编辑", exact=True).bounding_box()
    assert box and box["x"] + box["width"] <= PHONE["width"]

    TargetTable.objects.filter(pk=table.pk).update(status=TargetTable.Status.SUBMITTED)
    notice = table.notice  # 瑞财社〔2020〕0296号
    page.context.clear_cookies()
    page = browser_login("ruili_finance")
    page.set_viewport_size(PHONE)
    for name, url in [
        ("finance-home", reverse("home")),
        ("review", reverse("tables:review", args=[table.pk])),
        ("notices", reverse("allocations:notice_list")),
        ("notice", reverse("allocations:notice_detail", args=[notice.pk])),
    ]:
        _check(page, live_server.url + url, name, artifacts_dir)
        if name == "notices":
            _first_row_on_first_screen(page, name)
