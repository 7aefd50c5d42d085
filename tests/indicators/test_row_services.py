"""Row-by-row writes of the indicator tree: positions among siblings, scope, versions."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from indicators.models import PerformanceIndicator
from indicators.paste import parse_pasted_rows
from indicators.services import (
    indicator_add,
    indicator_delete,
    indicator_insert,
    indicator_move,
    indicator_paste,
    indicator_tree_copy,
    indicator_update,
)
from perfgoals.models import TargetTable, User
from perfgoals.services import ConcurrentEditError
from tests.factories import TargetTableFactory

PROJECT = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"


@pytest.fixture
def table(demo):
    return TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)


@pytest.fixture
def user(demo):
    return User.objects.get(username="ruili_health")


def names(parent):
    return list(parent.children.order_by("position").values_list("name", flat=True))


def row(table, name):
    return PerformanceIndicator.objects.get(table=table, name=name)


def test_add_appends_a_third_level_row_with_its_parsed_value_and_history(table, user):
    quality = row(table, "质量指标")
    before = names(quality)
    added = indicator_add(
        user=user,
        table_id=table.pk,
        parent_id=quality.pk,
        fields={"name": " 履约率 ", "value_text": "≥90%"},
    )
    assert (added.level, added.position, added.name) == (3, len(before) + 1, "履约率")
    assert added.value_comparator == "≥" and added.value_unit == "%"
    assert names(quality) == [*before, "履约率"]
    assert added.history.get().history_user == user
    table.refresh_from_db()
    assert (table.version, table.updated_by) == (2, user)


def test_add_a_first_level_row_resolves_its_framework_category(table, user):
    added = indicator_add(
        user=user,
        table_id=table.pk,
        parent_id=None,
        fields={"name": "效果指标"},
    )
    assert added.level == 1 and added.parent is None
    # The regional synonym resolves to the framework's 效益指标 (2015 generation, a 2020 table).
    assert added.category.name == "效益指标" and added.category.generation == "2015"


def test_sub_items_are_the_deepest_level(table, user):
    third = row(table, "指标1：特殊人群签约率")
    sub = indicator_add(
        user=user,
        table_id=table.pk,
        parent_id=third.pk,
        fields={"name": "高血压患者", "value_text": "100%"},
    )
    assert sub.level == 4
    with pytest.raises(ValidationError) as caught:
        indicator_add(user=user, table_id=table.pk, parent_id=sub.pk, fields={"name": "更深一级"})
    assert "最多四级" in caught.value.messages[0]
    assert TargetTable.objects.get(pk=table.pk).version == 2  # the refused add claimed nothing


def test_insert_above_and_below_shift_the_following_siblings(table, user):
    quality = row(table, "质量指标")
    before = names(quality)
    anchor = row(table, before[1])
    indicator_insert(
        user=user,
        indicator_id=anchor.pk,
        where="above",
        fields={"name": "上方", "value_text": "1人"},
    )
    indicator_insert(
        user=user,
        indicator_id=anchor.pk,
        where="below",
        fields={"name": "下方", "value_text": "2人"},
    )
    assert names(quality) == [before[0], "上方", before[1], "下方", *before[2:]]
    positions = list(quality.children.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, len(before) + 3))


def test_move_up_and_down_swap_with_the_neighbour_and_refuse_at_the_edge(table, user):
    quality = row(table, "质量指标")
    first, second, *rest = names(quality)
    indicator_move(user=user, indicator_id=row(table, second).pk, direction="up")
    assert names(quality) == [second, first, *rest]
    indicator_move(user=user, indicator_id=row(table, second).pk, direction="down")
    assert names(quality) == [first, second, *rest]
    with pytest.raises(ValidationError, match="第一行"):
        indicator_move(user=user, indicator_id=row(table, first).pk, direction="up")


def test_moving_a_second_level_row_takes_its_subtree_along(table, user):
    output = row(table, "产出指标")
    order = names(output)
    timeliness = row(table, "时效指标")
    children = names(timeliness)
    indicator_move(user=user, indicator_id=timeliness.pk, direction="up")
    assert names(output).index("时效指标") == order.index("时效指标") - 1
    assert names(timeliness) == children


def test_delete_removes_the_subtree_renumbers_siblings_and_keeps_history(table, user):
    output = row(table, "产出指标")
    quality = row(table, "质量指标")
    below = quality.children.count()
    total = PerformanceIndicator.objects.filter(table=table).count()
    deleted = indicator_delete(user=user, indicator_id=quality.pk, version=1)
    assert deleted == below + 1
    assert PerformanceIndicator.objects.filter(table=table).count() == total - below - 1
    positions = list(output.children.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, len(positions) + 1))
    gone = PerformanceIndicator.history.filter(id=quality.pk, history_type="-").get()
    assert gone.history_user == user


def test_update_keeps_typed_text_and_refuses_values_on_categories(table, user):
    third = row(table, "指标2：基层就诊率")
    updated = indicator_update(
        user=user,
        indicator_id=third.pk,
        version=1,
        fields={
            "name": third.name,
            "value_text": "≧85%",
            "description": "说明",
            "basis": "上年数据",
        },
    )
    assert updated.value_text == "≧85%" and updated.value_comparator == "≥"
    with pytest.raises(ValidationError) as caught:
        indicator_update(
            user=user,
            indicator_id=row(table, "质量指标").pk,
            version=2,
            fields={"name": "质量指标", "value_text": "100%"},
        )
    assert "value_text" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        indicator_update(user=user, indicator_id=third.pk, version=2, fields={"name": ""})
    assert caught.value.error_dict["name"][0].message == "请填写指标名称。"
    assert row(table, "指标2：基层就诊率").value_text == "≧85%"


def test_a_stale_version_is_refused_naming_who_changed_the_table(table, user):
    third = row(table, "指标2：基层就诊率")
    indicator_update(
        user=user,
        indicator_id=third.pk,
        version=1,
        fields={"name": third.name, "value_text": "≥61%"},
    )
    with pytest.raises(ConcurrentEditError) as caught:
        indicator_delete(user=user, indicator_id=third.pk, version=1)
    assert "张翰林" in caught.value.message
    assert PerformanceIndicator.objects.filter(pk=third.pk).exists()


@pytest.mark.parametrize("username", ["ruili_medsec", "ruili_finance", "dehong_health"])
def test_rows_of_another_organisation_or_role_are_not_found(table, username):
    other = User.objects.get(username=username)
    third = row(table, "指标2：基层就诊率")
    with pytest.raises(Http404):
        indicator_update(user=other, indicator_id=third.pk, version=1, fields={"name": "x"})
    with pytest.raises(Http404):
        indicator_add(user=other, table_id=table.pk, parent_id=None, fields={"name": "产出指标"})


def test_submitted_tables_cannot_be_changed(table, user):
    TargetTable.objects.filter(pk=table.pk).update(status=TargetTable.Status.SUBMITTED)
    with pytest.raises(Http404):
        indicator_delete(user=user, indicator_id=row(table, "质量指标").pk, version=1)


def test_paste_merges_into_existing_categories_and_creates_missing_ones(table, user):
    quality = row(table, "质量指标")
    before = names(quality)
    firsts = PerformanceIndicator.objects.filter(table=table, level=1).count()
    result = parse_pasted_rows(
        "产出指标\t质量指标\t履约率\t≥90%\n"
        "成本指标\t经济成本指标\t人均成本\t≤12元/人/年\n"
        "\t\t管理成本\t≤1万元\n"
    )
    added = indicator_paste(user=user, table_id=table.pk, rows=result.rows)
    assert added == 5  # 3 rows + a new 一级 and its 二级
    assert names(quality) == [*before, "履约率"]
    assert PerformanceIndicator.objects.filter(table=table, level=1).count() == firsts + 1
    assert names(row(table, "经济成本指标")) == ["人均成本", "管理成本"]


def test_paste_is_all_or_nothing(table, user):
    count = PerformanceIndicator.objects.filter(table=table).count()
    result = parse_pasted_rows(f"新一级\t新二级\t好的行\t1人\n\t\t{'长' * 301}\t1人\n")
    # The parser already refuses the long line; force it through to test the service alone.
    rows = result.rows + [result.rows[0].__class__(2, "新一级", "新二级", "长" * 301, "1人")]
    with pytest.raises(ValidationError, match="第2行"):
        indicator_paste(user=user, table_id=table.pk, rows=rows)
    assert PerformanceIndicator.objects.filter(table=table).count() == count
    assert TargetTable.objects.get(pk=table.pk).version == 1


# --- split value and the columns beside it ------------------------------------------------

SPLIT = {"symbol": "≥", "target": "85", "unit": "%"}
TEXTS = {
    "value_explanation": "参照上年实际完成情况",
    "standard": "达到省定标准",
    "scoring": "每低1个百分点扣1分",
}


def test_add_composes_the_value_from_symbol_target_and_unit(table, user):
    added = indicator_add(
        user=user,
        table_id=table.pk,
        parent_id=row(table, "质量指标").pk,
        fields={"name": "履约率", "value_text": "", **SPLIT, **TEXTS},
    )
    added.refresh_from_db()
    assert added.value_text == "≥85%"
    assert (added.value_comparator, added.value_unit) == ("≥", "%")
    assert {name: getattr(added, name) for name in TEXTS} == TEXTS


def test_a_composed_value_follows_its_columns_and_a_typed_one_stays(table, user):
    added = indicator_add(
        user=user,
        table_id=table.pk,
        parent_id=row(table, "质量指标").pk,
        fields={"name": "履约率", **SPLIT},
    )
    # The form posts the value it shows (the composed one) with the changed target.
    changed = indicator_update(
        user=user,
        indicator_id=added.pk,
        version=2,
        fields={"name": "履约率", "value_text": "≥85%", **SPLIT, "target": "90"},
    )
    assert changed.value_text == "≥90%"
    typed = indicator_update(
        user=user,
        indicator_id=added.pk,
        version=3,
        fields={"name": "履约率", "value_text": "90%以上", **SPLIT, "target": "95"},
    )
    assert typed.value_text == "90%以上"


def test_categories_refuse_a_split_value(table, user):
    with pytest.raises(ValidationError) as excinfo:
        indicator_update(
            user=user,
            indicator_id=row(table, "质量指标").pk,
            version=table.version,
            fields={"name": "质量指标", "target": "90", "unit": "%"},
        )
    assert set(excinfo.value.message_dict) == {"target", "unit"}
    assert "一级、二级指标不填写目标值" in excinfo.value.message_dict["target"][0]


def test_copying_a_tree_carries_the_split_value_and_the_texts(table, user):
    source = row(table, "指标2：基层就诊率")
    PerformanceIndicator.objects.filter(pk=source.pk).update(**SPLIT, **TEXTS)
    target = TargetTableFactory(organisation=table.organisation, year=table.year)
    indicator_tree_copy(source_table_id=table.pk, target_tables=[target], user=user)
    copied = PerformanceIndicator.objects.get(table=target, name=source.name)
    assert {name: getattr(copied, name) for name in (*SPLIT, *TEXTS)} == {**SPLIT, **TEXTS}
    assert copied.value_text == source.value_text  # the verbatim value, not a recomposed one


def test_a_mid_term_value_is_edited_on_leaves_only(table, user):
    added = indicator_add(
        user=user,
        table_id=table.pk,
        parent_id=row(table, "质量指标").pk,
        fields={"name": "履约率", "value_text": "≥90%", "value_mid": "≥95%"},
    )
    added.refresh_from_db()
    assert (added.value_text, added.value_mid) == ("≥90%", "≥95%")
    with pytest.raises(ValidationError) as excinfo:
        indicator_update(
            user=user,
            indicator_id=row(table, "质量指标").pk,
            version=table.version + 1,
            fields={"name": "质量指标", "value_mid": "≥95%"},
        )
    assert "一级、二级指标不填写中期指标值" in excinfo.value.message_dict["value_mid"][0]


def test_structural_writes_succeed_beside_a_colleagues_edit_of_another_row(table, user):
    """Two people on one table: A saves a row; B, whose page still shows the table before
    that save, adds, inserts, moves, pastes and deletes elsewhere without being refused."""
    colleague = User.objects.create_user(
        username="ruili_health_2", organisation=user.organisation, role=user.role
    )
    edited = row(table, "指标2：基层就诊率")
    indicator_update(
        user=colleague,
        indicator_id=edited.pk,
        version=table.version,
        row_version=edited.version,
        fields={"name": edited.name, "value_text": "≥61%"},
    )
    quality = row(table, "质量指标")
    added = indicator_add(
        user=user, table_id=table.pk, parent_id=quality.pk, fields={"name": "新增"}
    )
    inserted = indicator_insert(
        user=user, indicator_id=added.pk, where="above", fields={"name": "插入"}
    )
    indicator_move(user=user, indicator_id=inserted.pk, direction="down")
    assert names(quality)[-2:] == ["新增", "插入"]
    pasted = parse_pasted_rows("产出指标\t质量指标\t粘贴行\t≥1\n")
    assert indicator_paste(user=user, table_id=table.pk, rows=pasted.rows) == 1
    gone = row(table, "新增")
    assert (
        indicator_delete(
            user=user, indicator_id=gone.pk, version=table.version, row_version=gone.version
        )
        == 1
    )
    # The colleague's value stands, and each write left its own table version.
    assert row(table, edited.name).value_text == "≥61%"
    assert TargetTable.objects.get(pk=table.pk).version == table.version + 6


def test_deleting_a_row_a_colleague_changed_meanwhile_is_refused_naming_them(table, user):
    colleague = User.objects.create_user(
        username="ruili_health_2", organisation=user.organisation, role=user.role
    )
    target = row(table, "指标2：基层就诊率")
    seen = target.version
    indicator_update(
        user=colleague,
        indicator_id=target.pk,
        version=table.version,
        row_version=seen,
        fields={"name": target.name, "value_text": "≥61%"},
    )
    with pytest.raises(ConcurrentEditError) as caught:
        indicator_delete(
            user=user, indicator_id=target.pk, version=table.version + 1, row_version=seen
        )
    assert str(colleague) in caught.value.message
    assert PerformanceIndicator.objects.filter(pk=target.pk).exists()
