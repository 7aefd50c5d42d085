"""The indicator block's saved rows, printed in Python (perfgoals/targets/editor/tree.py):
every cell the template printed before, escaped as the template escaped it."""

import re

import pytest
from django.urls import reverse

from indicators.models import PerformanceIndicator
from perfgoals.models import ReviewComment, TargetTable, User
from perfgoals.targets.editor.context import MENU_MARKS
from perfgoals.targets.review import MAX_COMMENT
from tests.perfgoals.targets.test_editor import PROJECT
from tests.reviewing import submit

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def table(demo):
    return TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)


def row_html(page: str, pk: int) -> str:
    """The printed `<tr>` of row `pk`, or the cell of a 一级/二级 row."""
    match = re.search(rf'<(tr|td)[^>]* id="row-{pk}"[^>]*>.*?</\1>', page, re.S)
    assert match, f"row {pk} not printed"
    return match.group(0)


def leaf_of(table) -> PerformanceIndicator:
    return PerformanceIndicator.objects.filter(table=table, level=3).order_by("pk").first()


def test_a_leaf_prints_every_cell_escaped(client, login, table):
    leaf = leaf_of(table)
    PerformanceIndicator.objects.filter(pk=leaf.pk).update(
        name="签约率<b>&</b>", value_mid="≥80%", scoring="每低1个百分点\n扣1分"
    )
    login("ruili_health")
    read = row_html(client.get(reverse("tables:detail", args=[table.pk])).content.decode(), leaf.pk)
    assert f'<tr id="row-{leaf.pk}" class="leaf level-3' in read
    assert "签约率&lt;b&gt;&amp;&lt;/b&gt;" in read and "<b>" not in read
    assert '<td class="cv cv-mid">≥80%</td>' in read
    assert '<td class="cx">每低1个百分点<br>扣1分</td>' in read
    assert "cell-link" not in read and 'class="ops"' not in read  # read-only

    edit = row_html(client.get(reverse("tables:edit", args=[table.pk])).content.decode(), leaf.pk)
    url = reverse("tables:row_edit", args=[leaf.pk])
    assert f'<a class="cell-link" href="{url}#row-{leaf.pk}" hx-get="{url}"' in edit
    assert 'title="编辑此行">签约率&lt;b&gt;&amp;&lt;/b&gt;</a>' in edit
    assert f'<td class="ops"><details class="ops-menu" data-row="{leaf.pk}"' in edit
    assert 'aria-label="“签约率&lt;b&gt;&amp;&lt;/b&gt;”的操作"' in edit and "<b>" not in edit


def test_a_category_cell_spans_its_rows_and_carries_its_findings(client, login, table):
    first = PerformanceIndicator.objects.filter(table=table, level=1).order_by("pk").first()
    below = PerformanceIndicator.objects.filter(parent__parent=first, level=3).count()
    PerformanceIndicator.objects.filter(pk=first.pk).update(name="杂项<指标>")
    login("ruili_health")
    page = client.get(reverse("tables:edit", args=[table.pk])).content.decode()
    cell = row_html(page, first.pk)
    assert f'<td class="cat c1 flag-warning" rowspan="{below}" id="row-{first.pk}">' in cell
    assert "杂项&lt;指标&gt;</a></div>" in cell
    # Not a name of the framework: the note says so beside the cell, escaped.
    note = '<span class="row-finding sev-warning">“杂项&lt;指标&gt;”不是指标体系中的一级指标名称'
    assert note in cell
    assert f'<details class="ops-menu" data-row="{first.pk}" data-level="1"' in cell


def test_a_sub_item_and_an_empty_category_print_their_marks_and_links(client, login, table):
    leaf = leaf_of(table)
    login("ruili_health")
    client.post(
        reverse("tables:row_new", args=[table.pk]),
        {"version": table.version, "parent": leaf.pk, "name": "其中：城镇", "value_text": "≥50%"},
    )
    sub = PerformanceIndicator.objects.get(table=table, level=4)
    table.refresh_from_db()
    client.post(
        reverse("tables:row_new", args=[table.pk]),
        {"version": table.version, "name": "效益指标"},
    )
    empty = PerformanceIndicator.objects.get(table=table, level=1, name="效益指标", children=None)
    page = client.get(reverse("tables:edit", args=[table.pk])).content.decode()
    assert '<span class="sub-mark" aria-hidden="true">└</span>' in row_html(page, sub.pk)
    new = reverse("tables:row_new", args=[table.pk])
    assert (
        f'<td class="c2 empty"><a href="{new}?parent={empty.pk}#row-new" '
        f'hx-get="{new}?parent={empty.pk}" hx-target="#tree" hx-swap="outerHTML">＋ 二级指标</a>'
    ) in page
    # The line's other cells stay, so the columns line up: the empty leaf cells, the ops cell.
    tail = r'＋ 二级指标</a></td><td class="empty" colspan="\d+"></td><td class="ops"></td></tr>'
    assert re.search(tail, page)
    read = client.get(reverse("tables:detail", args=[table.pk])).content.decode()
    assert '<td class="c2 empty"></td>' in read


def test_review_notes_and_forms_go_beside_their_rows(client, login, table):
    leaf = leaf_of(table)
    submit(table, User.objects.get(username="ruili_health"))
    reviewer = User.objects.get(username="ruili_finance")
    ReviewComment.objects.create(
        table=table, indicator=leaf, author=reviewer, text="请核实", table_version=table.version
    )
    login("ruili_health")
    read = row_html(client.get(reverse("tables:detail", args=[table.pk])).content.decode(), leaf.pk)
    assert "请核实" in read and "review-row-forms" not in read
    login("ruili_finance")
    page = client.get(reverse("tables:review", args=[table.pk])).content.decode()
    rows = PerformanceIndicator.objects.filter(table=table)
    for row in rows:
        assert f'id="comment-{row.pk}"' in row_html(page, row.pk)
    assert "请核实" in row_html(page, leaf.pk)


def test_each_levels_menu_copy_offers_its_own_actions(client, login, table):
    login("ruili_health")
    page = client.get(reverse("tables:edit", args=[table.pk])).content.decode()
    copies = re.search(r'<template id="row-menus".*?</template>', page, re.S).group(0)
    menus = dict(re.findall(r'<div data-level="(\d)">(.*?)</div>', copies, re.S))
    name = MENU_MARKS["name"]
    expected = {
        "1": ("添加二级指标", f"删除“{name}”及其下的全部指标？"),
        "2": ("添加三级指标", f"删除“{name}”及其下的全部指标？"),
        "3": ("添加子项", f"删除“{name}”（含子项）？"),
        "4": (None, f"删除“{name}”？"),
    }
    for level, (add, confirm) in expected.items():
        menu = menus[level]
        assert (add in menu) if add else ("添加" not in menu)
        assert f'hx-confirm="{confirm}"' in menu
        assert menu.count('name="csrfmiddlewaretoken"') == 2  # 上移, 下移
        version = f'value="{MENU_MARKS["table_version"]}" class="table-version"'
        assert menu.count(version) == 2


@pytest.mark.parametrize(
    ("url", "data", "typed"),
    [
        ("tables:review_comment", {"text": "评" * (MAX_COMMENT + 1)}, "评" * (MAX_COMMENT + 1)),
        ("tables:review_correct", {"value_text": "9" * 501}, "9" * 501),
    ],
)
def test_a_refused_review_form_comes_back_at_its_row_with_what_was_typed(
    client, login, table, url, data, typed
):
    leaf = leaf_of(table)
    submit(table, User.objects.get(username="ruili_health"))
    table.refresh_from_db()
    login("ruili_finance")
    data = {"indicator": leaf.pk, "version": table.version, **data}
    response = client.post(reverse(url, args=[table.pk]), data)
    assert response.status_code == 200
    row = row_html(response.content.decode(), leaf.pk)
    assert '<details class="review-row-forms" open>' in row
    assert typed in row and '<ul class="errorlist' in row
    # Only that row's forms come back open and filled.
    other = PerformanceIndicator.objects.filter(table=table, level=3).exclude(pk=leaf.pk)[0]
    assert typed not in row_html(response.content.decode(), other.pk)
