"""Per-recipient checks: a recipient's draft is reconciled with its own row of the allocation
table (and the upper notice's row where it exists), never with the whole notice."""

from datetime import date
from decimal import Decimal

import pytest

from allocations import checks
from allocations.models import FundNotice
from allocations.services import allocation_tables, issuing, notices
from perfgoals.models import Organisation, TargetTable, User
from perfgoals.targets.checks import check_table
from tests.allocations.conftest import notice_kwargs

pytestmark = pytest.mark.django_db

AMOUNT_CODES = {"amount_vs_notice", "amount_vs_allocation", "amount_no_allocation_row"}


def amount_findings(table: TargetTable) -> list:
    return [f for f in check_table(table) if f.code in AMOUNT_CODES]


def org(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def issue(notice: FundNotice, user: User) -> FundNotice:
    return issuing.notice_issue(notice=notice, user=user, expected_version=notice.version)


def notice_with_sources(user: User, *, recipients, rows, amount: str, **overrides) -> FundNotice:
    """A notice of `amount` 万元 whose 分配表 has one funding-source column and `rows`:
    (label, organisation or None, amount in 万元)."""
    kwargs = notice_kwargs(recipients=recipients, amount=Decimal(amount), **overrides)
    kwargs["budget_lines"][0].amount = Decimal(amount)
    notice = notices.notice_create(user=user, **kwargs)
    table = allocation_tables.allocation_table_create(
        notice=notice, user=user, title="分配表", unit="wan", recipient_label="单位"
    )
    column = allocation_tables.allocation_column_add(
        table=table, user=user, kind="source", label="省级补助资金"
    )
    values = {}
    for label, organisation, share in rows:
        row = allocation_tables.allocation_row_add(
            table=table, user=user, label=label, organisation=organisation
        )
        values[(row.pk, column.pk)] = Decimal(share)
    table.refresh_from_db()
    allocation_tables.allocation_cells_update(
        table=table, user=user, expected_version=table.version, values=values
    )
    notice.refresh_from_db()
    return notice


def test_two_recipients_in_one_region_are_each_checked_against_their_own_row(finance):
    health, insurance = org("瑞丽市卫生健康局"), org("瑞丽市医疗保障局")
    assert health.region_id == insurance.region_id
    notice = notice_with_sources(
        finance,
        recipients=[health, insurance],
        rows=[("瑞丽市卫生健康局", health, "9"), ("瑞丽市医疗保障局", insurance, "11")],
        amount="20",
    )
    assert checks.notice_check(notice=notice) == [] or all(
        p.severity == "warning" for p in checks.notice_check(notice=notice)
    )
    issued = issue(notice, finance)
    drafts = {t.organisation: t for t in TargetTable.objects.filter(notice=issued)}
    assert drafts[health].amount_total == Decimal("9")
    assert drafts[insurance].amount_total == Decimal("11")
    # Each share agrees with its own row: no error compares 9万元 with the notice's 20万元.
    assert amount_findings(drafts[health]) == []
    assert amount_findings(drafts[insurance]) == []

    TargetTable.objects.filter(pk=drafts[health].pk).update(amount_total=Decimal("10"))
    [finding] = amount_findings(TargetTable.objects.get(pk=drafts[health].pk))
    assert finding.code == "amount_vs_allocation"
    assert finding.message == (
        "资金总额10.00万元与分配表中瑞丽市卫生健康局的金额9.00万元（90,000.00元）不一致。"
    )
    assert "20" not in finding.message


def test_a_region_row_shared_by_two_recipients_is_nobodys_own(finance):
    health, insurance = org("瑞丽市卫生健康局"), org("瑞丽市医疗保障局")
    notice = notice_with_sources(
        finance, recipients=[health, insurance], rows=[("瑞丽市", None, "20")], amount="20"
    )
    issued = issue(notice, finance)
    draft = TargetTable.objects.get(notice=issued, organisation=health)
    assert draft.amount_total is None  # not the region's 20万元, which two bureaus share
    TargetTable.objects.filter(pk=draft.pk).update(amount_total=Decimal("9"))
    [finding] = amount_findings(TargetTable.objects.get(pk=draft.pk))
    assert finding.code == "amount_no_allocation_row" and finding.severity == "warning"
    assert "没有瑞丽市卫生健康局的行" in finding.message


def test_single_recipient_without_a_table_is_checked_against_the_upper_notices_row(finance):
    dehong = User.objects.get(username="dehong_finance")
    ruili_finance = org("瑞丽市财政局")
    upper = notice_with_sources(
        dehong,
        recipients=[ruili_finance],
        rows=[("瑞丽市", None, "3.88")],
        amount="3.88",
        parent=None,
    )
    upper = issue(upper, dehong)
    # 瑞丽 passes the money on to one bureau, citing the 州 notice, without a 分配表.
    own = notices.notice_create(user=finance, **notice_kwargs(parent=upper))
    own = issue(own, finance)
    draft = TargetTable.objects.get(notice=own)
    assert amount_findings(draft) == []
    TargetTable.objects.filter(pk=draft.pk).update(amount_total=Decimal("4"))
    messages = [f.message for f in amount_findings(TargetTable.objects.get(pk=draft.pk))]
    assert messages == [
        f"资金总额4.00万元与资金下达通知{own.doc_number}的下达金额3.88万元不一致。",
        f"资金总额4.00万元与上级通知{upper.doc_number}分配表中瑞丽市的金额3.88万元"
        "（38,800.00元）不一致。",
    ]


def test_a_countys_own_table_is_checked_against_its_row_of_the_upper_notice(finance):
    dehong = User.objects.get(username="dehong_finance")
    upper = notice_with_sources(
        dehong,
        recipients=[org("瑞丽市财政局")],
        rows=[("瑞丽市", None, "3.88")],
        amount="3.88",
        parent=None,
    )
    upper = issue(upper, dehong)
    health = org("瑞丽市卫生健康局")
    own = notice_with_sources(
        finance,
        recipients=[health],
        rows=[("瑞丽市卫生健康局", health, "3.5")],
        amount="3.5",
        parent=upper,
        signed_date=date(2020, 9, 2),
    )
    [finding] = [
        p for p in checks.notice_check(notice=own) if p.code == "allocation_upper_mismatch"
    ]
    assert finding.message == (
        f"分配表合计3.50万元，与上级通知{upper.doc_number}分配表中瑞丽市的3.88万元不一致，请核对。"
    )
    own_ok = notice_with_sources(
        finance,
        recipients=[health],
        rows=[("瑞丽市卫生健康局", health, "3.88")],
        amount="3.88",
        parent=upper,
    )
    assert not [
        p for p in checks.notice_check(notice=own_ok) if p.code == "allocation_upper_mismatch"
    ]
