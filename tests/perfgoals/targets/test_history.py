"""History of a target table: every version reconstructable, the diff of two, the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import LintAcknowledgement, PerformanceIndicator
from indicators.paste import parse_pasted_rows
from indicators.selectors import indicator_tree, walk
from indicators.services import (
    indicator_add,
    indicator_delete,
    indicator_insert,
    indicator_move,
    indicator_paste,
    indicator_update,
)
from perfgoals.models import TargetTable, User
from perfgoals.services import target_table_update
from perfgoals.targets.acknowledgements import (
    indicator_apply_suggestion,
    lint_acknowledgement_withdraw,
    lint_warning_acknowledge,
)
from perfgoals.targets.checks import check_table
from perfgoals.targets.history import (
    ROW_COLUMNS,
    VersionNotFound,
    _header_text,
    table_diff,
    table_state,
    table_version_numbers,
    table_versions,
)

SEED_000 = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"
WARNED = "指标4：建档立卡贫困户家庭医生签约服务覆盖率"  # >=97.9%: a value_notation warning


@pytest.fixture
def table(demo):
    return TargetTable.objects.get(project_name=SEED_000, layout=TargetTable.Layout.PROJECT)


@pytest.fixture
def staff(demo):
    return User.objects.get(username="ruili_health")


def row(table, name):
    return PerformanceIndicator.objects.get(table=table, name=name)


def live(table):
    """The table as stored now: header texts by field, rows in print order."""
    table.refresh_from_db()
    header = {name: _header_text(table, name) for name in TargetTable.AMOUNT_FIELDS}
    header.update(
        {name: _header_text(table, name) for name in ("project_name", "contact", "annual_goal")}
    )
    rows = [
        (node.indicator.pk, node.indicator.parent_id, node.indicator.level)
        + tuple(getattr(node.indicator, name) for name, _ in ROW_COLUMNS)
        for node in walk(indicator_tree(table_id=table.pk))
    ]
    return header, rows


def reconstructed(table, version):
    state = table_state(table, version)
    header = {value.field: value.text for value in state.header}
    rows = [
        (r.id, r.parent_id, r.level) + tuple(r.values[name] for name, _ in ROW_COLUMNS)
        for r in state.rows
    ]
    return {name: header.get(name, "") for name in live_fields()}, rows


def live_fields():
    return (*TargetTable.AMOUNT_FIELDS, "project_name", "contact", "annual_goal")


def edit_everything(table, staff):
    """One of every write the editor makes, as the services make it; the table as it stood
    after each version, by version number."""
    seen = {1: live(table)}

    def step(write):
        write(table.version)  # live() keeps `table` fresh
        state = live(table)
        seen[table.version] = state

    step(
        lambda v: target_table_update(
            user=staff,
            table_id=table.pk,
            version=v,
            data={
                "contact": "李四 0692-1234567",
                "annual_goal": "新的年度目标",
                "amount_total": None,
            },
        )
    )
    quality = row(table, "质量指标")
    step(
        lambda v: indicator_add(
            user=staff,
            table_id=table.pk,
            parent_id=quality.pk,
            fields={"name": "履约率", "value_text": "≥90%"},
        )
    )
    step(
        lambda v: indicator_update(
            user=staff,
            indicator_id=row(table, "指标2：基层就诊率").pk,
            version=v,
            fields={"name": "基层就诊率", "value_text": "≥65%", "basis": "上年数据"},
        )
    )
    step(lambda v: indicator_move(user=staff, indicator_id=row(table, "履约率").pk, direction="up"))
    step(
        lambda v: indicator_insert(
            user=staff,
            indicator_id=row(table, "基层就诊率").pk,
            where="above",
            fields={"name": "插入的行", "value_text": "1人"},
        )
    )
    warning = next(
        f
        for f in check_table(table)
        if f.indicator_id == row(table, WARNED).pk and f.code == "value_notation"
    )
    lint_warning_acknowledge(user=staff, table_id=table.pk, key=warning.key, reason="按文件")
    step(
        lambda v: indicator_apply_suggestion(
            user=staff, indicator_id=warning.indicator_id, version=v, key=warning.key
        )
    )
    pasted = parse_pasted_rows("产出指标\t质量指标\t粘贴的行\t≥80%\n新一级\t新二级\t新三级\t2次\n")
    step(lambda v: indicator_paste(user=staff, table_id=table.pk, rows=pasted.rows))
    step(lambda v: indicator_delete(user=staff, indicator_id=row(table, "时效指标").pk, version=v))
    return seen


# --- Versions and states -----------------------------------------------------------------------


def test_every_version_is_recorded_with_who_when_and_what_changed(table, staff):
    seen = edit_everything(table, staff)
    versions = table_versions(table)
    assert [v.number for v in versions] == sorted(seen, reverse=True) == list(range(9, 0, -1))
    assert all(v.user == staff for v in versions[:-1])
    assert [v.when for v in versions] == sorted((v.when for v in versions), reverse=True)
    summaries = {v.number: v.summary for v in versions}
    assert summaries == {
        1: "创建此表（指标25行）",
        2: "修改表头：项目负责人及联系电话、年度资金总额、年度目标",
        3: "新增指标1行",
        4: "修改指标1行",
        5: "调整顺序2行",
        6: "新增指标1行",
        7: "修改指标1行",
        8: "新增指标4行",
        9: "删除指标3行",
    }


def test_the_table_at_every_version_is_the_table_as_it_was_saved(table, staff):
    seen = edit_everything(table, staff)
    for number, (header, rows) in seen.items():
        assert reconstructed(table, number) == ({n: header[n] for n in live_fields()}, rows), number


def test_a_header_save_records_the_new_header_once_under_its_user(table, staff):
    target_table_update(user=staff, table_id=table.pk, version=1, data={"contact": "李四"})
    records = table.history.filter(version=2)
    assert [(r.contact, r.history_user) for r in records] == [("李四", staff)]


def test_acknowledgements_and_cascaded_deletes_are_attributed(table, staff):
    warning = next(
        f
        for f in check_table(table)
        if f.indicator_id == row(table, WARNED).pk and f.code == "value_notation"
    )
    ack = lint_warning_acknowledge(user=staff, table_id=table.pk, key=warning.key, reason="按文件")
    lint_acknowledgement_withdraw(user=staff, table_id=table.pk, key=warning.key)
    ack = lint_warning_acknowledge(user=staff, table_id=table.pk, key=warning.key, reason="按文件")
    quality = row(table, "质量指标")
    below = list(quality.children.values_list("pk", flat=True))
    indicator_delete(user=staff, indicator_id=quality.pk, version=1)
    gone = PerformanceIndicator.history.filter(id__in=[quality.pk, *below], history_type="-")
    assert gone.count() == len(below) + 1
    assert set(gone.values_list("history_user", flat=True)) == {staff.pk}
    acks = LintAcknowledgement.history.filter(table_id=table.pk)
    assert [r.history_type for r in acks.order_by("history_date")] == ["+", "-", "+", "-"]
    assert set(acks.values_list("history_user", flat=True)) == {staff.pk}
    assert not LintAcknowledgement.objects.filter(pk=ack.pk).exists()


def test_a_tree_copied_on_issue_belongs_to_the_first_version(demo):
    from allocations.services.issuing import notice_issue
    from tests.allocations.conftest import build_seed_000, upper_table

    finance = User.objects.get(username="ruili_finance")
    notice = build_seed_000(finance, upper_table=upper_table())
    notice.refresh_from_db()
    notice_issue(notice=notice, user=finance, expected_version=notice.version)
    draft = TargetTable.objects.get(notice=notice)
    copied = PerformanceIndicator.objects.filter(table=draft).count()
    assert copied > 0
    staff = User.objects.get(username="ruili_health")
    first = row(draft, "产出指标")
    indicator_update(user=staff, indicator_id=first.pk, version=1, fields={"name": "产出"})
    (latest, created) = table_versions(draft)
    assert (created.number, created.user, created.summary) == (
        1,
        finance,
        f"创建此表（指标{copied}行）",
    )
    assert (latest.user, latest.summary) == (staff, "修改指标1行")
    assert len(table_state(draft, 1).rows) == copied
    assert table_state(draft, 1).rows[0].name == "产出指标"


# --- Diff -----------------------------------------------------------------------------------------


def test_diff_shows_added_removed_and_changed_rows_in_print_order(table, staff):
    edit_everything(table, staff)
    diff = table_diff(table, 9, 1)  # either order: from the older to the newer
    assert (diff.old.number, diff.new.number) == (1, 9)
    header = {(c.label, c.old, c.new) for c in diff.header}
    assert ("年度资金总额", "3.88万元", "") in header
    assert ("项目负责人及联系电话", "张翰林18869207068", "李四 0692-1234567") in header
    assert {c.label for c in diff.header} == {"项目负责人及联系电话", "年度资金总额", "年度目标"}
    changes = [(c.kind, c.row.name) for c in diff.rows]
    quality_part = [name for kind, name in changes if kind != "removed"][:6]
    assert quality_part == ["插入的行", "基层就诊率", WARNED, "履约率", "粘贴的行", "新一级"]
    renamed = next(c for c in diff.rows if c.row.name == "基层就诊率")
    assert renamed.kind == "changed" and renamed.path == ["产出指标", "质量指标"]
    assert [(f.label, f.old, f.new) for f in renamed.changes] == [
        ("指标名称", "指标2：基层就诊率", "基层就诊率"),
        ("指标值", "≥60%", "≥65%"),
        ("指标值确定依据", "", "上年数据"),
    ]
    suggested = next(c for c in diff.rows if c.row.name == WARNED)
    assert [(f.label, f.old, f.new) for f in suggested.changes] == [("指标值", ">=97.9%", "≥97.9%")]
    removed = [c for c in diff.rows if c.kind == "removed"]
    assert [c.row.name for c in removed] == [
        "时效指标",
        "指标1：实施时间",
        "指标2：服务团队考核兑付及时率",
    ]
    # Removed rows stand where they were: after the last 质量指标 row, before 成本指标.
    names = [c.row.name for c in diff.rows]
    assert names.index("时效指标") > names.index("粘贴的行")
    added = next(c for c in diff.rows if c.row.name == "履约率")
    assert [(f.label, f.new) for f in added.changes] == [("指标名称", "履约率"), ("指标值", "≥90%")]
    # 履约率 never existed in version 1, so moving it is no change of version 1's rows.
    assert all(f.label != "同级顺序" for c in diff.rows for f in c.changes)


def test_diff_of_a_move_names_the_places_and_ignores_rows_shifted_by_an_insert(table, staff):
    edit_everything(table, staff)
    moved = table_diff(table, 4, 5).rows
    assert [(c.row.name, [(f.label, f.old, f.new) for f in c.changes]) for c in moved] == [
        ("履约率", [("同级顺序", "第6位", "第5位")]),
        ("指标5：补助资金到位率", [("同级顺序", "第5位", "第6位")]),
    ]
    # Inserting above a row moves the rows below it down a place, but not their order.
    assert [c.kind for c in table_diff(table, 5, 6).rows] == ["added"]


def test_versions_that_did_not_exist_are_refused_with_a_message(table, staff):
    with pytest.raises(VersionNotFound, match="此表没有第2版的修改记录；现有记录为第1版。"):
        table_state(table, 2)
    edit_everything(table, staff)
    with pytest.raises(VersionNotFound, match="现有记录为第1版至第9版"):
        table_diff(table, 1, 10)
    with pytest.raises(VersionNotFound):
        table_diff(table, 0, 3)
    assert table_diff(table, 3, 3).empty
    assert table_version_numbers(table) == list(range(1, 10))


@pytest.mark.parametrize("extra", [0, 30])
def test_query_counts_do_not_grow_with_the_rows(table, staff, extra):
    if extra:
        quality = row(table, "质量指标")
        for n in range(extra):
            indicator_add(
                user=staff,
                table_id=table.pk,
                parent_id=quality.pk,
                fields={"name": f"行{n}", "value_text": "1人"},
            )
    table.refresh_from_db()
    version = table.version
    with CaptureQueriesContext(connection) as versions:
        table_versions(table)
    with CaptureQueriesContext(connection) as state:
        table_state(table, version)
    with CaptureQueriesContext(connection) as diff:
        table_diff(table, 1, version)
    assert (len(versions), len(state), len(diff)) == (2, 2, 2)


# --- Pages ----------------------------------------------------------------------------------------


def test_the_history_page_lists_versions_and_links_from_both_views(client, login, table, staff):
    edit_everything(table, staff)
    login("ruili_health")
    url = reverse("tables:history", args=[table.pk])
    for view in ("tables:detail", "tables:edit"):
        assert f'href="{url}"' in client.get(reverse(view, args=[table.pk])).content.decode()
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "修改记录" in page and "第9版" in page and "删除指标3行" in page
    assert "修改表头：项目负责人及联系电话、年度资金总额、年度目标" in page and "张翰林" in page
    assert f"{reverse('tables:compare', args=[table.pk])}?a=8&amp;b=9" in page
    assert '<option value="8" selected>' in page and '<option value="9" selected>' in page


def test_the_compare_page_shows_old_struck_through_and_new_beside_it(client, login, table, staff):
    edit_everything(table, staff)
    login("ruili_finance")  # sees the table through the notice it issued
    url = reverse("tables:compare", args=[table.pk])
    response = client.get(url, {"a": "1", "b": "4"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "版本对比：第1版 → 第4版" in page
    assert "<del>指标2：基层就诊率</del> → <ins>基层就诊率</ins>" in page
    assert "<del>≥60%</del> → <ins>≥65%</ins>" in page
    assert "<del>张翰林18869207068</del>" in page and "<ins>李四 0692-1234567</ins>" in page
    assert "新增" in page and "<ins>履约率</ins>" in page
    removed = client.get(url, {"a": "8", "b": "9"}).content.decode()
    assert "删除" in removed and "<del>时效指标</del>" in removed
    # Without versions: the last two.
    assert "第8版 → 第9版" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"a": "abc", "b": "2"}, 400, "版本号为正整数"),
        ({"a": "-1", "b": "2"}, 400, "版本号为正整数"),
        ({"a": "1"}, 400, "版本号为正整数"),
        ({"a": "9" * 40, "b": "1"}, 400, "版本号为正整数"),
        ({"a": "２", "b": "1"}, 400, "版本号为正整数"),
        ({"a": "2", "b": "2"}, 400, "两处都选了第2版"),
        ({"a": "1", "b": "99"}, 404, "此表没有第99版的修改记录"),
    ],
)
def test_bad_version_numbers_get_a_message_not_an_error(
    client, login, table, staff, query, status, message
):
    indicator_update(
        user=staff, indicator_id=row(table, "质量指标").pk, version=1, fields={"name": "质量"}
    )
    login("ruili_health")
    response = client.get(reverse("tables:compare", args=[table.pk]), query)
    assert response.status_code == status
    assert message in response.content.decode()


@pytest.mark.parametrize("username", ["shifeng_health", "ruili_medsec", "dehong_health"])
def test_another_organisations_table_history_is_not_found(client, login, table, username):
    login(username)
    for name in ("tables:history", "tables:compare"):
        url = reverse(name, args=[table.pk])
        assert client.get(url, {"a": "1", "b": "1"}).status_code == 404, url


def test_history_pages_need_a_login(client, table):
    response = client.get(reverse("tables:history", args=[table.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_pages_query_counts_do_not_grow_with_the_rows(client, login, table, staff):
    def counts():
        table.refresh_from_db()
        with CaptureQueriesContext(connection) as history:
            client.get(reverse("tables:history", args=[table.pk]))
        with CaptureQueriesContext(connection) as compare:
            client.get(reverse("tables:compare", args=[table.pk]), {"a": 1, "b": table.version})
        return len(history), len(compare)

    login("ruili_health")
    indicator_update(
        user=staff, indicator_id=row(table, "质量指标").pk, version=1, fields={"name": "质量"}
    )
    few = counts()
    quality = row(table, "质量")
    for n in range(20):
        indicator_add(
            user=staff,
            table_id=table.pk,
            parent_id=quality.pk,
            fields={"name": f"行{n}", "value_text": "1人"},
        )
    assert counts() == few


# --- Attribution of notices and allocation tables ----------------------------------------------


def _records_for(notice):
    from allocations.models import (
        AllocationCell,
        AllocationColumn,
        AllocationRow,
        AllocationTable,
        BudgetLine,
        FundNotice,
        NoticeParagraph,
    )

    tables = AllocationTable.history.filter(notice_id=notice.pk)
    table_ids = set(tables.values_list("id", flat=True))
    rows = AllocationRow.history.filter(table_id__in=table_ids)
    return {
        "notice": FundNotice.history.filter(id=notice.pk),
        "paragraphs": NoticeParagraph.history.filter(notice_id=notice.pk),
        "budget lines": BudgetLine.history.filter(notice_id=notice.pk),
        "tables": tables,
        "columns": AllocationColumn.history.filter(table_id__in=table_ids),
        "rows": rows,
        "cells": AllocationCell.history.filter(row_id__in=set(rows.values_list("id", flat=True))),
    }


def test_notice_and_allocation_table_changes_are_attributed(demo):
    from allocations.services import allocation_tables, notices
    from tests.allocations.conftest import build_seed_000, notice_kwargs

    finance = User.objects.get(username="ruili_finance")
    notice = build_seed_000(finance)
    notice.refresh_from_db()
    old_title = notice.title
    notices.notice_update(
        notice=notice,
        user=finance,
        expected_version=notice.version,
        **notice_kwargs(title=old_title.replace("省级", "省级（第二批）"), paying_account="建行1"),
    )
    table = notice.allocation_tables.get()
    table.refresh_from_db()
    allocation_tables.allocation_table_update(
        table=table, user=finance, expected_version=table.version, title="改后的分配表"
    )
    column = table.columns.order_by("position").last()
    allocation_tables.allocation_column_delete(column=column, user=finance)
    allocation_tables.allocation_row_delete(row=table.rows.get(), user=finance)
    allocation_tables.allocation_table_delete(table=table, user=finance)

    for what, records in _records_for(notice).items():
        assert records.exists(), what
        users = set(records.values_list("history_user__username", flat=True))
        assert users == {"ruili_finance"}, what
        if what != "notice":
            assert records.filter(history_type="-").exists(), what
    # Old → new of the notice, from its records.
    latest, before = notice.history.order_by("-history_date", "-history_id")[:2]
    delta = {c.field: (c.old, c.new) for c in latest.diff_against(before).changes}
    assert delta["title"] == (old_title, old_title.replace("省级", "省级（第二批）"))
    assert delta["paying_account"] == ("", "建行1")
    renamed = [r.title for r in _records_for(notice)["tables"].order_by("history_date")]
    assert "改后的分配表" in renamed and renamed[0] != "改后的分配表"
