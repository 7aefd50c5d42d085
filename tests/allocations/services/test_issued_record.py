"""An issued notice is a record: its attachments are kept as they were at issue, and the
notice's exports and page print that record whatever happens to the live tables later."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from allocations.models import AllocationStandard, NoticeAttachment
from allocations.selectors import compute_allocation
from allocations.services import issuing
from indicators.models import PerformanceIndicator
from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.xlsx import render_xlsx
from perfgoals.models import Organisation, TargetTable
from tests.allocations.conftest import build_seed_000, upper_table

pytestmark = pytest.mark.django_db


def cells(notice_pk: int) -> list[list[str]]:
    """Every sheet of the notice's workbook as text, in order."""
    content = render_xlsx(build_document("notice", resolve("notice", str(notice_pk), None)))
    book = load_workbook(BytesIO(content))
    return [
        [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        for ws in book.worksheets
    ]


def issue_to_two_bureaus(finance):
    bureaus = [
        Organisation.objects.get(name="瑞丽市卫生健康局"),
        Organisation.objects.get(name="瑞丽市医疗保障局"),
    ]
    notice = build_seed_000(finance, recipients=bureaus, upper_table=upper_table())
    return issuing.notice_issue(notice=notice, user=finance, expected_version=notice.version)


def test_every_attachment_is_recorded_at_issue(finance):
    issued = issue_to_two_bureaus(finance)
    attachments = list(NoticeAttachment.objects.filter(notice=issued).order_by("position"))
    assert [sorted(a.snapshot) for a in attachments] == [
        ["allocation"],
        ["target"],
        ["target"],
        ["target"],
    ]
    allocation = attachments[0].snapshot["allocation"]
    # The standard a calculation group paid is kept as the figure it was: 12 × 4/10 = 4.8.
    assert [c["standard_amount"] for c in allocation["columns"]] == ["4.8", "7.2"]
    upper = attachments[1].snapshot["target"]
    assert upper["table_id"] == upper_table().pk
    assert (
        len(upper["indicators"]) == PerformanceIndicator.objects.filter(table=upper_table()).count()
    )


def test_issued_notice_exports_its_record_whatever_happens_to_the_tables(finance):
    issued = issue_to_two_bureaus(finance)
    before = cells(issued.pk)
    assert len(before) == 6  # the index, the notice and its four 附件

    # The bureau edits its draft: a test row, another amount, an emptied value.
    draft = TargetTable.objects.get(notice=issued, organisation__name="瑞丽市卫生健康局")
    leaf = PerformanceIndicator.objects.filter(table=draft, level=3).first()
    leaf.name, leaf.value_text = "测试行", ""
    leaf.save()
    TargetTable.objects.filter(pk=draft.pk).update(amount_total=Decimal("99"))
    # The 州 changes its table, the other bureau deletes its draft altogether.
    PerformanceIndicator.objects.filter(table=upper_table(), level=3).update(value_text="≥1%")
    TargetTable.objects.filter(notice=issued, organisation__name="瑞丽市医疗保障局").delete()
    # The standards behind 附件1 change (12元 → 20元): the live table computes other amounts.
    AllocationStandard.objects.filter(name__endswith="脱贫）").update(base_amount=20)
    assert compute_allocation(issued.allocation_tables.get()).total_yuan != Decimal("38834.4")

    after = cells(issued.pk)
    assert after == before
    text = "".join("".join(sheet) for sheet in after)
    assert "测试行" not in text and "≥1%" not in text
    assert "7034.4" in text  # 977 × 7.2 as issued, not 977 × 12


def test_issued_notice_page_shows_the_recorded_allocation(client, login, finance):
    issued = issue_to_two_bureaus(finance)
    AllocationStandard.objects.filter(name__endswith="脱贫）").update(base_amount=20)
    login("ruili_finance")
    page = client.get(reverse("allocations:notice_detail", args=[issued.pk])).content.decode()
    assert "31,800" in page and "7,034.4" in page  # 6625 × 4.8 and 977 × 7.2, as issued


def test_notice_export_lists_the_real_attachment_titles(finance):
    issued = issue_to_two_bureaus(finance)
    body = cells(issued.pk)[1]
    text = "".join(body)
    assert "2020年建档立卡贫困人口家庭医生签约服务个人代缴省级补助资金分配表" in text
    assert upper_table().title in text
    assert "瑞丽市卫生健康局绩效目标表" in text and "瑞丽市医疗保障局绩效目标表" in text


def test_a_recipients_table_is_reconciled_with_the_allocation_as_issued(finance):
    from perfgoals.money import AmountUnit
    from perfgoals.targets.checks import check_table

    bureau = Organisation.objects.get(name="瑞丽市卫生健康局")
    notice = build_seed_000(finance, recipients=[bureau], upper_table=upper_table())
    issued = issuing.notice_issue(notice=notice, user=finance, expected_version=notice.version)
    draft = TargetTable.objects.get(notice=issued, organisation=bureau)
    # The bureau states the whole of what the notice allocated to it (its region's rows).
    TargetTable.objects.filter(pk=draft.pk).update(
        amount_total=Decimal("38834.4"), amount_unit=AmountUnit.YUAN
    )

    def amount_findings():
        table = TargetTable.objects.select_related("notice", "organisation").get(pk=draft.pk)
        reconciled = {"amount_vs_allocation", "amount_vs_notice"}
        return [f.code for f in check_table(table) if f.code in reconciled]

    assert amount_findings() == []
    # The standards change after issue: the live table computes other amounts, but the
    # notice the bureau received, and must agree with, is the one recorded.
    AllocationStandard.objects.filter(name__endswith="脱贫）").update(base_amount=20)
    assert compute_allocation(issued.allocation_tables.get()).total_yuan != Decimal("38834.4")
    assert amount_findings() == []
