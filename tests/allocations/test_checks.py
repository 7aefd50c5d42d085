"""Checks before issuing: the notice's own fields and the allocation tables' reconciliation."""

from decimal import Decimal

import pytest

from allocations import checks
from allocations.forms.notices import NoticeForm
from allocations.services import allocation_tables, notices
from perfgoals.findings import Finding, Severity
from perfgoals.models import Organisation, User
from tests.allocations.conftest import build_seed_000, notice_kwargs

pytestmark = pytest.mark.django_db


def test_envelope_mismatch_is_explained(finance):
    notice = build_seed_000(finance)
    table = notice.allocation_tables.get()
    allocation_tables.allocation_table_update(
        table=table,
        user=finance,
        expected_version=table.version,
        envelope_amount=Decimal("40.71"),
        envelope_unit="wan",
    )
    messages = [p.message for p in checks.notice_check(notice=notice)]
    assert "各行合计3.88万元，与上级资金总额40.71万元不一致（相差36.83万元）。" in messages


def test_typed_opening_is_kept_and_a_missing_amount_is_flagged(finance, seed000_draft):
    opening = "根据上级文件要求，现下达你单位补助资金，具体金额详见附件。"
    notice = notices.notice_update(
        notice=seed000_draft,
        user=finance,
        expected_version=seed000_draft.version,
        **notice_kwargs(opening=opening),
    )
    assert NoticeForm.initial_from(notice)["opening"] == opening
    warnings = [p for p in checks.notice_check(notice=notice) if p.severity == "warning"]
    assert "正文中没有写明下达金额3.88万元，请核对正文开头。" in [p.message for p in warnings]


def test_prefecture_rows_of_several_counties_reconcile_with_the_envelope(demo):
    """德宏州 splits 40.71万元 over its counties; 瑞丽市's row is seed 000's 3.88."""
    dehong = User.objects.get(username="dehong_finance")
    notice = notices.notice_create(
        user=dehong,
        **notice_kwargs(
            title="德宏州财政局关于下达2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金的通知",
            recipients=[Organisation.objects.get(name="瑞丽市财政局")],
            parent=None,
            amount=Decimal("40.71"),
            budget_lines=[],
        ),
    )
    table = allocation_tables.allocation_table_create(
        notice=notice,
        user=dehong,
        title="分配表",
        envelope_amount=Decimal("40.71"),
        envelope_unit="wan",
    )
    column = allocation_tables.allocation_column_add(
        table=table, user=dehong, kind="source", label="省级补助资金"
    )
    rows = {
        label: allocation_tables.allocation_row_add(table=table, user=dehong, label=label)
        for label in ["瑞丽市", "芒市", "盈江县"]
    }
    assert rows["瑞丽市"].region.name == "瑞丽市"

    def fill(yingjiang: str) -> list[str]:
        table.refresh_from_db()
        allocation_tables.allocation_cells_update(
            table=table,
            user=dehong,
            expected_version=table.version,
            values={
                (rows["瑞丽市"].pk, column.pk): Decimal("3.88"),
                (rows["芒市"].pk, column.pk): Decimal("12.00"),
                (rows["盈江县"].pk, column.pk): Decimal(yingjiang),
            },
        )
        return [p.message for p in checks.allocation_reconciliation(table, notice)]

    assert fill("24.83") == []  # 3.88 + 12.00 + 24.83 = 40.71
    assert fill("24.84") == [
        "分配表合计407,200元（折合40.72万元）与通知下达金额40.71万元不一致，请核对分配数或下达金额。",
        "各行合计40.72万元，与上级资金总额40.71万元不一致（相差0.01万元）。",
    ]


def test_findings_are_kernel_findings_with_code_field_and_severity(finance):
    notice = build_seed_000(finance, amount=Decimal("3.89"), parent=None)
    table = notice.allocation_tables.get()
    findings = checks.notice_check(notice=notice)
    assert all(isinstance(f, Finding) for f in findings)
    shape = {(f.code, f.severity, f.field) for f in findings}
    assert ("no_basis", Severity.WARNING, "parent") in shape
    assert ("budget_lines_mismatch", Severity.ERROR, "budget_lines") in shape
    assert ("allocation_notice_mismatch", Severity.ERROR, f"allocation:{table.pk}") in shape
    # Templates compare the severity with a plain string.
    assert {str(f.severity) for f in findings} == {"error", "warning"}
