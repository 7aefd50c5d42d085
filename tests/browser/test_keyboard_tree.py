"""Seed 000's 附件3 tree typed top-down from the keyboard alone into a new, empty project table."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from indicators.models import PerformanceIndicator
from perfgoals.models import Organisation, TargetTable

pytestmark = pytest.mark.browser

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "demo" / "seed000.json"
BUREAU = "瑞丽市卫生健康局"

# The label of the name field tells which level the row being typed is at.
LABELS = {1: "一级指标名称", 2: "二级指标名称", 3: "三级指标", 4: "子项"}


def seed_tree() -> list[dict]:
    tables = json.loads(SEED.read_text(encoding="utf-8"))["target_tables"]
    return next(t for t in tables if t["organisation"] == BUREAU and t["layout"] == "project")[
        "indicators"
    ]


def as_tuples(nodes: list[dict]) -> list[tuple]:
    """(level, parent name, position, name, value) in printing order."""
    out = []

    def visit(children, level, parent):
        for position, node in enumerate(children, 1):
            out.append((level, parent, position, node["name"], node.get("value", "")))
            visit(node.get("children", []), level + 1, node["name"])

    visit(nodes, 1, None)
    return out


def saved_tuples(table) -> list[tuple]:
    """The saved tree as `as_tuples` prints the seed's, checking the stored levels and
    positions against the nesting on the way."""
    rows = PerformanceIndicator.objects.filter(table=table).order_by("position", "id")
    children: dict = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    out = []

    def visit(parent, level):
        for position, row in enumerate(children.get(parent.pk if parent else None, []), 1):
            assert (row.level, row.position) == (level, position), row.name
            out.append((level, parent.name if parent else None, position, row.name, row.value_text))
            visit(row, level + 1)

    visit(None, 1)
    return out


def test_seed_000_tree_is_typed_from_the_keyboard_alone(browser_login, live_server, artifacts_dir):
    page = browser_login("ruili_health")
    table = TargetTable.objects.create(
        organisation=Organisation.objects.get(name=BUREAU),
        layout=TargetTable.Layout.PROJECT,
        year=2020,
        title="绩效目标表",
        project_name="键盘录入的附件3",
        amount_unit="wan",
    )
    page.goto(live_server.url + reverse("tables:edit", args=[table.pk]))
    # The last click: 「＋ 一级指标」 opens the first row, its name focused.
    page.get_by_role("link", name="＋ 一级指标").click()
    keyboard = page.keyboard

    def expect_blank_row(level: int):
        """Wait until the focused field is the empty name of a new row at `level`."""
        page.wait_for_function(
            """label => {
                const el = document.activeElement;
                if (document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")) {
                    return false;
                }
                if (!el || el.id !== "rowform-name" || el.value !== "") return false;
                const tag = document.querySelector('label[for="rowform-name"]');
                return el.closest("#row-new") !== null && tag.textContent.includes(label);
            }""",
            arg=LABELS[level],
        )

    def refused_then_typed(third):
        """The value first, Enter: the server refuses the nameless row; the message is at the
        name, the cursor too, and the value typed is kept."""
        keyboard.press("Tab")
        keyboard.insert_text(third["value"])
        keyboard.press("Enter")
        page.locator("#row-new .errorlist", has_text="请填写指标名称。").wait_for()
        page.locator("#row-new #rowform-name:focus").wait_for()
        assert page.locator("#rowform-value").input_value() == third["value"]
        keyboard.insert_text(third["name"])
        keyboard.press("Tab")
        keyboard.press("Enter")  # the value is still there: saved

    expect_blank_row(1)
    for i, first in enumerate(seed_tree()):
        if i:
            # From the blank 三级 after the last one: up to a 二级, up again to a 一级.
            keyboard.press("Alt+ArrowLeft")
            expect_blank_row(2)
            keyboard.press("Alt+ArrowLeft")
            expect_blank_row(1)
        keyboard.insert_text(first["name"])
        keyboard.press("Enter")  # saved; its first 二级 opens
        for j, second in enumerate(first["children"]):
            if j:
                keyboard.press("Alt+ArrowLeft")  # the blank 三级 becomes the next 二级
            expect_blank_row(2)
            keyboard.insert_text(second["name"])
            keyboard.press("Enter")  # saved; its first 三级 opens
            for k, third in enumerate(second["children"]):
                expect_blank_row(3)
                if i == j == k == 0:
                    refused_then_typed(third)
                    continue
                if i == j == 0 and k == 1:
                    # Down to a 子项 of the 三级 above and back: the same place again.
                    keyboard.press("Alt+ArrowRight")
                    expect_blank_row(4)
                    keyboard.press("Alt+ArrowLeft")
                    expect_blank_row(3)
                keyboard.insert_text(third["name"])
                keyboard.press("Tab")
                keyboard.insert_text(third["value"])
                keyboard.press("Enter")  # saved; the next 三级 opens
            expect_blank_row(3)
    keyboard.press("Escape")
    page.locator("#row-new").wait_for(state="detached")
    page.screenshot(path=str(artifacts_dir / "keyboard_tree.png"), full_page=True)

    assert saved_tuples(table) == as_tuples(seed_tree())
