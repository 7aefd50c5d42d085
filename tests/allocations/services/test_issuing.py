"""Issuing: the recipients' draft target tables, read-only afterwards, issued once."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from allocations.models import FundNotice, NoticeAttachment
from allocations.services import allocation_tables, issuing, notices
from indicators.models import PerformanceIndicator
from indicators.selectors import indicator_tree, walk
from perfgoals.models import Organisation, TargetTable
from tests.allocations.conftest import (
    build_seed_000,
    notice_kwargs,
    upper_table,
)

pytestmark = pytest.mark.django_db


def test_issuing_creates_a_draft_target_table_per_recipient_bureau(finance):
    bureaus = [
        Organisation.objects.get(name="瑞丽市卫生健康局"),
        Organisation.objects.get(name="瑞丽市医疗保障局"),
    ]
    notice = build_seed_000(finance, recipients=bureaus, upper_table=upper_table())
    # Two recipients, one 瑞丽市 row: the row matches neither bureau specifically.
    issued = issuing.notice_issue(notice=notice, user=finance, expected_version=notice.version)
    drafts = TargetTable.objects.filter(notice=issued).order_by("organisation__name")
    assert [t.organisation for t in drafts] == sorted(bureaus, key=lambda o: o.name)
    upper = upper_table()
    upper_count = PerformanceIndicator.objects.filter(table=upper).count()
    for draft in drafts:
        assert draft.status == TargetTable.Status.DRAFT
        assert draft.layout == TargetTable.Layout.PROJECT
        assert draft.year == 2020
        assert draft.project_name == "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"
        assert draft.source_table == upper
        assert draft.annual_goal == upper.annual_goal != ""
        assert draft.implementing_unit == draft.organisation.name
        assert draft.title == "绩效目标表"
        assert draft.created_by == draft.updated_by == finance
        assert PerformanceIndicator.objects.filter(table=draft).count() == upper_count
        assert draft.amount_unit == "wan"
    titles = list(NoticeAttachment.objects.filter(notice=issued).values_list("title", flat=True))
    assert titles[0] == "2020年建档立卡贫困人口家庭医生签约服务个人代缴省级补助资金分配表"
    assert titles[1] == upper.title
    # Two recipients: each 附件 names its bureau, never two plain 「绩效目标表」.
    assert titles[2:] == ["瑞丽市卫生健康局绩效目标表", "瑞丽市医疗保障局绩效目标表"]


def test_recipient_drafts_copy_the_upper_tree_row_for_row(finance):
    bureaus = [
        Organisation.objects.get(name="瑞丽市卫生健康局"),
        Organisation.objects.get(name="瑞丽市医疗保障局"),
    ]
    notice = build_seed_000(finance, recipients=bureaus, upper_table=upper_table())
    issued = issuing.notice_issue(notice=notice, user=finance, expected_version=notice.version)

    def rows(table_id: int) -> list[tuple]:
        return [
            (n.indicator.level, n.indicator.name, n.indicator.value_text, n.indicator.basis)
            for n in walk(indicator_tree(table_id=table_id))
        ]

    upper = rows(upper_table().pk)
    assert upper
    for draft in TargetTable.objects.filter(notice=issued):
        assert rows(draft.pk) == upper


def test_single_recipient_draft_carries_the_allocated_amount(seed000_draft, finance):
    issued = issuing.notice_issue(
        notice=seed000_draft, user=finance, expected_version=seed000_draft.version
    )
    draft = TargetTable.objects.get(notice=issued)
    assert draft.amount_total == Decimal("3.88")
    assert draft.organisation.name == "瑞丽市卫生健康局"


def test_issued_notice_is_read_only(seed000_draft, finance):
    issued = issuing.notice_issue(
        notice=seed000_draft, user=finance, expected_version=seed000_draft.version
    )
    with pytest.raises(ValidationError, match="已印发"):
        notices.notice_update(
            notice=issued, user=finance, expected_version=issued.version, **notice_kwargs()
        )
    with pytest.raises(ValidationError, match="已印发"):
        allocation_tables.allocation_row_add(
            table=issued.allocation_tables.get(), user=finance, label="新行"
        )


def test_double_issue_with_the_same_version_issues_once(seed000_draft, finance):
    version = seed000_draft.version
    issuing.notice_issue(notice=seed000_draft, user=finance, expected_version=version)
    stale = FundNotice.objects.get(pk=seed000_draft.pk)
    stale.status = FundNotice.Status.DRAFT  # as the second click saw it
    with pytest.raises(ValidationError):
        issuing.notice_issue(notice=stale, user=finance, expected_version=version)
    assert TargetTable.objects.filter(notice=seed000_draft).count() == 1


def test_issue_refused_while_reconciliation_fails(finance):
    notice = build_seed_000(finance, amount=Decimal("3.89"))
    with pytest.raises(ValidationError) as exc:
        issuing.notice_issue(notice=notice, user=finance, expected_version=notice.version)
    assert any("3.89万元不一致" in m for m in exc.value.messages)
    notice.refresh_from_db()
    assert notice.status == FundNotice.Status.DRAFT and notice.doc_serial is None
    assert not TargetTable.objects.filter(notice=notice).exists()
