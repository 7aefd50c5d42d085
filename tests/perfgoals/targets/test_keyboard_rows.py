"""Typing a tree top-down: which row opens after a save, and the level change of the row
being typed (row_new's `shift`), with its scoping and refusals."""

import re

import pytest
from django.urls import reverse

from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable
from tests.factories import TargetTableFactory

PROJECT = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def table(demo):
    return TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)


@pytest.fixture
def empty(demo, table):
    """A new project table of the same bureau with no rows."""
    return TargetTableFactory(organisation=table.organisation, project_name="键盘录入测试")


def row(table, name):
    return PerformanceIndicator.objects.get(table=table, name=name)


def draft_of(page: str) -> dict[str, str]:
    """Where the open draft row goes, read from the hidden fields of its form."""
    form = re.search(r'<form id="rowform".*?</form>', page, re.S).group(0)
    return dict(
        re.findall(
            r'<input type="hidden" name="(parent|position|anchor|where)" value="([^"]*)"', form
        )
    )


def label_of(page: str) -> str:
    return re.search(r'<label[^>]*for="rowform-name">(.*?)</label>', page, re.S).group(0)


def post_row(client, table, **data):
    data.setdefault("version", TargetTable.objects.get(pk=table.pk).version)
    return client.post(reverse("tables:row_new", args=[table.pk]), data, **HTMX)


def test_enter_after_each_level_opens_the_next_row_top_down(client, login, empty):
    login("ruili_health")
    page = post_row(client, empty, parent="", name="产出指标", next="1").content.decode()
    first = row(empty, "产出指标")
    # After a 一级: its first 二级.
    assert draft_of(page) == {"parent": str(first.pk), "position": "1"}
    assert "二级指标名称" in label_of(page)
    page = post_row(client, empty, parent=first.pk, position=1, name="数量指标", next="1")
    page = page.content.decode()
    second = row(empty, "数量指标")
    assert draft_of(page) == {"parent": str(second.pk), "position": "1"}
    assert "三级指标" in label_of(page)
    # After a 三级: the next 三级 under the same 二级.
    page = post_row(
        client, empty, parent=second.pk, position=1, name="签约率", value_text="≥95%", next="1"
    ).content.decode()
    assert draft_of(page) == {"parent": str(second.pk), "position": "2"}
    assert (row(empty, "签约率").parent, row(empty, "签约率").level) == (second, 3)
    # A plain 保存 opens nothing.
    page = post_row(client, empty, parent=second.pk, position=2, name="覆盖率", value_text="1")
    assert 'id="rowform"' not in page.content.decode()


def test_enter_after_an_existing_category_opens_its_new_first_child(client, login, table):
    login("ruili_health")
    quality = row(table, "质量指标")
    response = client.post(
        reverse("tables:row_edit", args=[quality.pk]),
        {"version": table.version, "name": "质量指标", "next": "1"},
        **HTMX,
    )
    assert draft_of(response.content.decode()) == {"parent": str(quality.pk), "position": "1"}


def test_without_javascript_enter_after_a_category_redirects_to_its_first_child(
    client, login, empty
):
    login("ruili_health")
    response = client.post(
        reverse("tables:row_new", args=[empty.pk]),
        {"version": empty.version, "parent": "", "name": "产出指标", "next": "1"},
    )
    first = row(empty, "产出指标")
    url = reverse("tables:row_new", args=[empty.pk])
    assert response.url == f"{url}?parent={first.pk}&position=1#row-new"
    page = client.get(response.url).content.decode()
    assert "二级指标名称" in label_of(page) and "键盘录入" in page


def test_shift_in_makes_the_row_a_child_of_the_sibling_above_and_keeps_the_typing(
    client, login, table
):
    login("ruili_health")
    quantity = row(table, "数量指标")
    last = PerformanceIndicator.objects.filter(parent=quantity).order_by("position").last()
    response = client.get(
        reverse("tables:row_new", args=[table.pk]),
        {
            "parent": quantity.pk,
            "position": 3,
            "shift": "in",
            "name": "其中：城镇",
            "value_text": "≥90%",
        },
        **HTMX,
    )
    page = response.content.decode()
    assert draft_of(page) == {"parent": str(last.pk), "position": "1000001"}
    assert "子项" in label_of(page)
    assert 'value="其中：城镇"' in page and 'value="≥90%"' in page
    # Saving it goes through the ordinary row service: a sub-item under that 三级.
    post_row(client, table, parent=last.pk, position=1000001, name="其中：城镇", value_text="≥90%")
    saved = row(table, "其中：城镇")
    assert (saved.parent, saved.level, saved.position) == (last, 4, 1)


def test_shift_out_puts_the_row_right_below_its_parent(client, login, table):
    login("ruili_health")
    quality = row(table, "质量指标")
    product = quality.parent
    response = client.get(
        reverse("tables:row_new", args=[table.pk]),
        {"parent": quality.pk, "position": 1, "shift": "out", "name": "新二级"},
        **HTMX,
    )
    page = response.content.decode()
    assert draft_of(page) == {"anchor": str(quality.pk), "where": "below"}
    assert "二级指标名称" in label_of(page) and 'value="新二级"' in page
    # Twice: a 一级 after the 一级 above.
    response = client.get(
        reverse("tables:row_new", args=[table.pk]),
        {"anchor": quality.pk, "where": "below", "shift": "out"},
        **HTMX,
    )
    assert draft_of(response.content.decode()) == {"anchor": str(product.pk), "where": "below"}
    post_row(client, table, anchor=quality.pk, where="below", name="新二级")
    names = list(
        PerformanceIndicator.objects.filter(parent=product)
        .order_by("position")
        .values_list("name", flat=True)
    )
    assert names.index("新二级") == names.index("质量指标") + 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"parent": "", "shift": "out"}, "一级指标不能再升级。"),
        ({"position": 1, "shift": "in"}, "上方没有同级指标，不能降为下级。"),
        ({"shift": "sideways"}, "无法识别的层级调整"),
    ],
)
def test_refused_level_changes_say_why_at_the_field_and_keep_the_row(
    client, login, table, params, message
):
    login("ruili_health")
    quality = row(table, "质量指标")
    params = {"parent": quality.pk, "name": "留着的字", **params}
    response = client.get(reverse("tables:row_new", args=[table.pk]), params, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page and 'value="留着的字"' in page
    # The row stays where it was asked for.
    expected = {"parent": str(params["parent"]), "position": str(params.get("position", 1000001))}
    assert draft_of(page) == expected
    table.refresh_from_db()
    assert table.version == 1


def test_a_sub_item_cannot_go_deeper(client, login, table):
    login("ruili_health")
    third = row(table, "指标2：基层就诊率")
    sub = PerformanceIndicator.objects.create(
        table=table, parent=third, level=4, position=1, name="其中：乡镇"
    )
    response = client.get(
        reverse("tables:row_new", args=[table.pk]),
        {"parent": third.pk, "shift": "in"},
        **HTMX,
    )
    page = response.content.decode()
    assert "子项下不能再添加下级指标" in page and sub.name in page


@pytest.mark.parametrize("key", ["parent", "anchor"])
def test_a_row_of_another_table_is_a_404(client, login, table, empty, key):
    login("ruili_health")
    other = (
        TargetTable.objects.exclude(pk=table.pk)
        .filter(indicators__isnull=False)
        .exclude(organisation=table.organisation)
        .first()
    )
    foreign = PerformanceIndicator.objects.filter(table=other, level=2).first()
    params = {key: foreign.pk, "shift": "in"}
    if key == "anchor":
        params["where"] = "below"
    response = client.get(reverse("tables:row_new", args=[empty.pk]), params, **HTMX)
    assert response.status_code == 404
    # Nor through a table of the user's own bureau: the row must belong to the table edited.
    own_row = row(table, "质量指标")
    params[key] = own_row.pk
    response = client.get(reverse("tables:row_new", args=[empty.pk]), params, **HTMX)
    assert response.status_code == 404


def test_level_changes_need_an_editable_table(client, login, table):
    login("shifeng_health")
    quality = row(table, "质量指标")
    response = client.get(
        reverse("tables:row_new", args=[table.pk]), {"parent": quality.pk, "shift": "out"}
    )
    assert response.status_code == 404


def test_without_javascript_the_level_links_render_the_page(client, login, table):
    login("ruili_health")
    quality = row(table, "质量指标")
    page = client.get(
        reverse("tables:row_new", args=[table.pk]), {"parent": quality.pk}
    ).content.decode()
    assert 'data-shift="in"' in page and 'data-shift="out"' in page
    href = re.search(r'<a href="([^"]*shift=out[^"]*)"', page).group(1).replace("&amp;", "&")
    page = client.get(href).content.decode()
    assert "保存表头" in page and draft_of(page) == {"anchor": str(quality.pk), "where": "below"}
