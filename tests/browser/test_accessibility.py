"""axe-core (WCAG 2.0 A and AA, which GB/T 37668-2019 follows) finds nothing on the pages
and page states bureau staff, finance drafters and reviewers work in."""

import pytest
from django.urls import reverse

from allocations.models import AllocationTable
from perfgoals.models import TargetTable

pytestmark = pytest.mark.browser

PROJECT = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"
ROW = "指标2：受益建档立卡贫困人口数"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _violations(axe, page) -> list[str]:
    result = axe.run(page, options=WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {node['target']}"
        for v in result.response["violations"]
        for node in v["nodes"]
    ]


# axe lets an aria-describedby that names no element pass; a screen reader then reads no help
# and no error for the field. Checked on the page as it stands after each htmx swap.
_UNRESOLVED = """() => {
  const found = [];
  for (const name of ["aria-describedby", "aria-labelledby", "aria-controls"]) {
    for (const element of document.querySelectorAll(`[${name}]`)) {
      for (const id of element.getAttribute(name).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) found.push(`${name}="${id}" names no element`);
      }
    }
  }
  return found;
}"""


def _unresolved_references(page) -> list[str]:
    return page.evaluate(_UNRESOLVED)


def _states(page, live_server, axe, states):
    found = {}
    for name, url, action in states:
        if url:
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
        if action:
            action(page)
            page.wait_for_load_state("networkidle")
        violations = _violations(axe, page) + _unresolved_references(page)
        if violations:
            found[name] = violations
    return found


def test_bureau_pages_have_no_violations(browser_login, live_server, axe):
    table = TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)
    page = browser_login("ruili_health")
    edit = reverse("tables:edit", args=[table.pk])

    def open_row(page):
        page.locator("#tree a.cell-link", has_text=ROW).click()
        page.locator("#rowform-value").wait_for()

    def run_checks(page):
        page.locator("#lint-panel").get_by_role("button", name="检查").click()
        page.locator("#lint-panel .muted", has_text="刚刚检查").wait_for()

    def open_paste(page):
        page.get_by_role("link", name="从Excel粘贴").click()
        page.locator("#paste-panel textarea").wait_for()

    def refused_row(page):
        page.locator("#rowform-value").fill("")
        page.locator("#rowform-name").fill("")
        page.get_by_role("button", name="保存", exact=True).click()
        page.locator("#tree .errorlist").first.wait_for()

    found = _states(
        page,
        live_server,
        axe,
        [
            ("home", reverse("home"), None),
            ("list", reverse("table_list"), None),
            ("read view", reverse("tables:detail", args=[table.pk]), None),
            ("editor", edit, None),
            ("editor, row open", None, open_row),
            ("editor, row refused", None, refused_row),
            ("editor, checked", edit, run_checks),
            ("editor, paste panel", None, open_paste),
            ("history", reverse("tables:history", args=[table.pk]), None),
            ("new table", reverse("tables:create"), None),
            ("import", reverse("tables:import"), None),
            ("downloads", reverse("exports:index"), None),
        ],
    )
    assert found == {}


def test_finance_pages_have_no_violations(browser_login, live_server, axe):
    table = TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)
    TargetTable.objects.filter(pk=table.pk).update(status=TargetTable.Status.SUBMITTED)
    allocation = AllocationTable.objects.filter(notice=table.notice).first()
    page = browser_login("ruili_finance")

    def refused_notice(page):
        page.locator("#id_title").fill("")
        page.locator("form button[type=submit].primary").first.click()

    def refused_code(page):
        page.locator("#id_otp_token").fill("12")
        page.get_by_role("button", name="确认开启").click()

    states = [
        ("home", reverse("home"), None),
        ("notices", reverse("allocations:notice_list"), None),
        ("new notice", reverse("allocations:notice_create"), None),
        ("new notice, refused", None, refused_notice),
        ("notice", reverse("allocations:notice_detail", args=[table.notice_id]), None),
        ("notice edit", reverse("allocations:notice_edit", args=[table.notice_id]), None),
        ("review", reverse("tables:review", args=[table.pk]), None),
        ("second factor", reverse("second_factor"), None),
        ("second factor, refused", None, refused_code),
    ]
    if allocation:
        states.append(
            (
                "allocation table",
                reverse("allocations:allocation_edit", args=[table.notice_id, allocation.pk]),
                None,
            )
        )
    assert _states(page, live_server, axe, states) == {}


def test_the_login_page_has_no_violations(page, live_server, axe):
    page.goto(live_server.url + reverse("login"))
    assert _violations(axe, page) == []
    page.fill("#id_username", "nobody")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    assert _violations(axe, page) == []
