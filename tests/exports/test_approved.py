"""Exports of reviewed tables (issue 11): an approved table prints marked 已批准 with its
version and date; while an adjustment (调整) is drafted or reviewed, the approved snapshot
prints instead of the live table; layout D prints the review's latest opinion per office."""

from datetime import date

import pytest
from django.utils import timezone

from indicators.models import PerformanceIndicator
from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.pdf import document_html, render_pdf
from perfgoals.exports.selectors import department_export, target_export
from perfgoals.models import Office, Organisation, ReviewOpinion, TargetTable, User
from perfgoals.targets.checks import check_table
from perfgoals.targets.review import target_table_adjust
from tests.exports.helpers import pdf_text
from tests.exports.test_xlsx import find, workbook
from tests.indicators.trees import make
from tests.reviewing import approve, review, submit

pytestmark = pytest.mark.django_db

Status = TargetTable.Status


@pytest.fixture
def users(demo):
    return {u.username: u for u in User.objects.select_related("organisation", "office")}


def approved_mark(table) -> str:
    snapshot = TargetTable.objects.get(pk=table.pk).approved_snapshot
    day = timezone.localdate(snapshot.approved_at)
    return f"已批准（第{snapshot.number}版，{day.year}年{day.month}月{day.day}日）"


@pytest.fixture
def ruili(users):
    """A clean project table of 瑞丽市卫生健康局, approved, then opened for 调整 and changed."""
    staff = users["ruili_health"]
    table = make(organisation=staff.organisation, project_name="家庭医生签约服务")
    approve(table, staff, users["ruili_finance"], users["ruili_perf"])
    target_table_adjust(user=staff, table_id=table.pk, reason="年中追加预算")
    PerformanceIndicator.objects.filter(table=table, name="签约人数").update(value_text="≥400人")
    TargetTable.objects.filter(pk=table.pk).update(project_name="家庭医生签约服务（调整）")
    return TargetTable.objects.get(pk=table.pk)


# --- the approved version in force ---------------------------------------------------------


def test_an_adjustment_in_progress_exports_the_approved_snapshot_marked(ruili, users):
    assert ruili.status == Status.DRAFT
    mark = approved_mark(ruili)
    assert mark.startswith("已批准（第1版，") and f"{date.today().year}年" in mark
    for user in (users["ruili_health"], users["ruili_perf"], None):
        text = pdf_text(
            render_pdf(build_document("target", resolve("target", str(ruili.pk), user)))
        )
        assert mark in text
        assert "≥300人" in text and "≥400人" not in text
        assert "家庭医生签约服务" in text and "（调整）" not in text

    ws = workbook("target", ruili.pk).active
    stamp = find(ws, mark)
    title = find(ws, "绩效目标表")
    assert title.row < stamp.row < find(ws, "项目名称").row  # in the title block
    assert find(ws, "≥300人") and not any(
        cell.value == "≥400人" for row in ws.iter_rows() for cell in row
    )


def test_an_approved_table_exports_itself_marked_and_a_draft_unmarked(users):
    staff = users["ruili_health"]
    table = make(organisation=staff.organisation)
    draft = build_document("target", target_export(None, table.pk))
    assert [getattr(part, "stamp", "") for part in draft.parts] == [""]
    assert "stamp" not in document_html(draft)
    assert find(workbook("target", table.pk).active, "绩效目标表").row == 1

    approve(table, staff, users["ruili_finance"], users["ruili_perf"])
    document = build_document("target", target_export(None, table.pk))
    assert document.parts[0].stamp == approved_mark(table)
    assert approved_mark(table) in pdf_text(render_pdf(document))


def test_a_rejected_adjustment_still_exports_the_approved_version(ruili, users):
    submit(ruili, users["ruili_health"])
    review(ruili, users["ruili_finance"], "poor", "调整理由不足。")
    assert TargetTable.objects.get(pk=ruili.pk).status == Status.REJECTED
    item = target_export(None, ruili.pk)
    assert item.approval.number == 1 and item.table.status == Status.APPROVED
    values = {
        node.indicator.value_text for l1 in item.tree for l2 in l1.children for node in l2.children
    }
    assert "≥300人" in values and "≥400人" not in values


def test_printing_the_snapshot_costs_no_query_beyond_the_table(ruili, django_assert_num_queries):
    with django_assert_num_queries(1):  # the table with its organisation, notice and snapshot
        item = target_export(None, ruili.pk)
    with django_assert_num_queries(0):
        build_document("target", item)
        # What other layouts print of the table (captions, 部门名称) is loaded too.
        assert item.table.organisation.name == "瑞丽市卫生健康局"
    live = make(organisation=ruili.organisation)
    with django_assert_num_queries(2):  # the table, its indicator tree
        target_export(None, live.pk)


# --- layout D prints the review's opinions -------------------------------------------------


@pytest.fixture
def shifeng(users):
    table = TargetTable.objects.get(layout="department", organisation__name__contains="石峰")
    errors = [f for f in check_table(table) if f.severity == "error"]
    assert errors == []
    return table


def opinion_cells(table) -> dict[str, str]:
    grid = build_document("target", target_export(None, table.pk)).parts[0]
    rows = grid.sections[0].body
    cells = {}
    for row in rows:
        texts = [cell.text for cell in row]
        for label in ("业务股室意见:", "绩效股意见："):
            if label in texts:
                cells[label] = texts[texts.index(label) + 1]
    return cells


def test_seed_002_prints_the_empty_opinion_block_unmarked(shifeng):
    assert opinion_cells(shifeng) == {"业务股室意见:": "", "绩效股意见：": ""}
    document = build_document("target", target_export(None, shifeng.pk))
    assert all(getattr(part, "stamp", "") == "" for part in document.parts)


def test_layout_d_prints_the_latest_opinion_of_each_office_with_its_grade(shifeng, users):
    staff, business, performance = (
        users["shifeng_health"],
        users["shifeng_finance"],
        users["shifeng_perf"],
    )
    submit(shifeng, staff)
    review(shifeng, business, "fair", "请补充满意度指标。")
    assert opinion_cells(shifeng)["业务股室意见:"] == "请补充满意度指标。（中）"
    approve(shifeng, staff, business, performance, ("同意申报。", "目标可衡量。"))
    assert ReviewOpinion.objects.filter(table=shifeng).count() == 3
    assert opinion_cells(shifeng) == {
        "业务股室意见:": "同意申报。（优）",
        "绩效股意见：": "目标可衡量。（良）",
    }
    text = pdf_text(render_pdf(build_document("target", target_export(None, shifeng.pk))))
    assert "同意申报。（优）" in text and "目标可衡量。（良）" in text
    assert "请补充满意度指标" not in text and approved_mark(shifeng) in text

    # An adjustment under review: the export keeps the approved version's opinions.
    target_table_adjust(user=staff, table_id=shifeng.pk, reason="追加项目支出")
    submit(shifeng, staff)
    review(shifeng, business, "fair", "项目支出依据不足。")
    assert opinion_cells(shifeng) == {
        "业务股室意见:": "同意申报。（优）",
        "绩效股意见：": "目标可衡量。（良）",
    }
    ws = workbook("target", shifeng.pk).active
    assert find(ws, "同意申报。（优）") and find(ws, approved_mark(shifeng))


def test_the_department_text_prints_the_approved_versions(shifeng, users):
    staff = users["shifeng_health"]
    approve(shifeng, staff, users["shifeng_finance"], users["shifeng_perf"])
    target_table_adjust(user=staff, table_id=shifeng.pk, reason="追加项目支出")
    TargetTable.objects.filter(pk=shifeng.pk).update(annual_goal="调整中的目标")
    data = department_export(users["shifeng_perf"], f"{shifeng.organisation_id}-{shifeng.year}")
    assert data.department.table.annual_goal != "调整中的目标"
    document = build_document("department", data)
    assert approved_mark(shifeng) in document_html(document)
    assert "调整中的目标" not in document_html(document)
    assert Organisation.objects.filter(pk=data.organisation.pk).exists()
    assert Office.Kind.BUSINESS in data.department.opinions
