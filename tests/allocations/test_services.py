"""Drafting, allocation editing and issuing through allocations.services."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from allocations import checks
from allocations.models import AllocationStandard, FundNotice, NoticeAttachment
from allocations.selectors import compute_allocation
from allocations.services import allocation_tables, issuing, notices
from indicators.models import PerformanceIndicator
from indicators.selectors import indicator_tree, walk
from perfgoals.models import Organisation, TargetTable, User
from tests.allocations.conftest import (
    SEED_001_TITLE,
    build_seed_000,
    code,
    notice_kwargs,
    upper_table,
)

pytestmark = pytest.mark.django_db


def test_seed_000_arithmetic_reproduced_through_the_services(seed000_draft):
    computed = compute_allocation(seed000_draft.allocation_tables.get())
    (row,) = computed.rows
    tuopin, weituopin = row.cells
    assert tuopin.standard == Decimal("4.8")
    assert tuopin.amount_yuan == Decimal("31800")
    assert weituopin.standard == Decimal("7.2")
    assert weituopin.amount_yuan == Decimal("7034.4")
    assert row.count_total == 7602
    assert computed.total_yuan == Decimal("38834.4")
    assert computed.total == Decimal("3.88")
    assert checks.notice_check(notice=seed000_draft) == []


def test_seed_000_opening_paragraph_is_generated_in_the_seed_words(seed000_draft):
    opening = seed000_draft.paragraphs.first()
    assert not opening.numbered
    assert opening.text.startswith(
        "根据《德宏州财政局 德宏州卫生健康委员会关于下达2020年建档立卡贫困人口家庭医生签约服务"
        "个人缴费省级补助资金的通知》（德财社〔2020〕162号）文件要求，现下达你单位2020年建档立卡"
        "贫困人口家庭医生签约服务个人缴费省级补助资金3.88万元，具体金额详见附件。"
    )
    assert "“2100399其他基层医疗卫生机构支出”" in opening.text
    assert "项目分类“13特定目标类”" in opening.text
    assert seed000_draft.paragraphs.get(position=2).text == notices.STANDARD_PERFORMANCE_PARAGRAPH


def test_seed_001_funding_sources_sum_to_the_notice_amount(finance):
    lines = [
        notices.BudgetLineData(
            source="中央财政预算",
            amount=Decimal("145.18"),
            function_code=code("function", "2101301"),
            gov_econ_code=code("gov_econ", "50901"),
            dept_econ_code=code("dept_econ", "30307"),
            project_kind_code=code("project_kind", "13"),
        ),
        notices.BudgetLineData(
            source="中央福彩公益金",
            amount=Decimal("9"),
            budget_kind="fund",
            function_code=code("function", "2296013"),
        ),
    ]
    notice = notices.notice_create(
        user=finance,
        **notice_kwargs(
            title=SEED_001_TITLE,
            amount=Decimal("154.18"),
            budget_lines=lines,
            recipients=[Organisation.objects.get(name="瑞丽市医疗保障局")],
            paying_account="财政社保专户：建行16003-1701",
        ),
    )
    table = allocation_tables.allocation_table_create(notice=notice, user=finance, title="分配表")
    central = allocation_tables.allocation_column_add(
        table=table, user=finance, kind="source", label="中央财政预算"
    )
    lottery = allocation_tables.allocation_column_add(
        table=table, user=finance, kind="source", label="中央福彩公益金"
    )
    row = allocation_tables.allocation_row_add(table=table, user=finance, label="瑞丽市")
    table.refresh_from_db()
    allocation_tables.allocation_cells_update(
        table=table,
        user=finance,
        expected_version=table.version,
        values={(row.pk, central.pk): Decimal("145.18"), (row.pk, lottery.pk): Decimal("9")},
    )
    computed = compute_allocation(table)
    assert computed.column_amounts_yuan == [Decimal("1451800"), Decimal("90000")]
    assert computed.total == Decimal("154.18")
    assert checks.notice_check(notice=notice) == []
    assert "款拨财政社保专户：建行16003-1701。" in notice.paragraphs.first().text


def test_typed_standard_and_new_standard_from_percent_shares(seed000_draft, finance):
    table = seed000_draft.allocation_tables.get()
    typed = allocation_tables.allocation_column_add(
        table=table, user=finance, kind="calc", label="直接填写", standard_amount=Decimal("4.8")
    )
    derived = allocation_tables.allocation_column_add(
        table=table,
        user=finance,
        kind="calc",
        label="新标准",
        new_standard={
            "name": "测试标准",
            "base_amount": Decimal("12"),
            "upper_percent": Decimal("40"),
            "lower_percent": Decimal("60"),
        },
    )
    # Read back as the table computes them, not from the objects the service returned.
    stored = {column.label: column for column in compute_allocation(table).columns}
    assert stored["直接填写"].standard is None
    assert stored["直接填写"].unit_standard == Decimal("4.8")
    standard = stored["新标准"].standard
    assert (standard.name, standard.upper_share, standard.lower_share) == ("测试标准", 40, 60)
    assert stored["新标准"].unit_standard == Decimal("4.8")  # 12 × 40/(40+60)
    assert {typed.pk, derived.pk} == {stored["直接填写"].pk, stored["新标准"].pk}


def test_share_percentages_not_summing_to_100_are_refused_and_nothing_saved(seed000_draft, finance):
    table = seed000_draft.allocation_tables.get()
    columns_before = table.columns.count()
    standards_before = AllocationStandard.objects.count()
    with pytest.raises(ValidationError) as exc:
        allocation_tables.allocation_column_add(
            table=table,
            user=finance,
            kind="calc",
            label="错比例",
            new_standard={
                "name": "错比例",
                "base_amount": Decimal("12"),
                "upper_percent": Decimal("40"),
                "lower_percent": Decimal("50"),
            },
        )
    assert "承担比例合计应为100%，现为40% + 50% = 90%" in exc.value.message_dict["lower_percent"][0]
    assert table.columns.count() == columns_before
    assert AllocationStandard.objects.count() == standards_before


def test_calc_column_needs_exactly_one_standard(seed000_draft, finance):
    table = seed000_draft.allocation_tables.get()
    with pytest.raises(ValidationError) as exc:
        allocation_tables.allocation_column_add(
            table=table, user=finance, kind="calc", label="无标准"
        )
    assert "standard" in exc.value.message_dict


def test_stale_grid_save_is_refused(seed000_draft, finance):
    table = seed000_draft.allocation_tables.get()
    stale = table.version
    row = table.rows.get()
    column = table.columns.first()
    allocation_tables.allocation_cells_update(
        table=table, user=finance, expected_version=stale, values={(row.pk, column.pk): 6000}
    )
    with pytest.raises(ValidationError, match="已被他人修改"):
        allocation_tables.allocation_cells_update(
            table=table, user=finance, expected_version=stale, values={(row.pk, column.pk): 1}
        )
    assert compute_allocation(table).rows[0].cells[0].count == 6000


def test_recipient_outside_the_issuers_region_is_refused(finance):
    before = FundNotice.objects.count()
    outsider = Organisation.objects.get(name="顺平县医疗保障局")
    with pytest.raises(ValidationError) as exc:
        notices.notice_create(user=finance, **notice_kwargs(recipients=[outsider]))
    assert "顺平县医疗保障局不在瑞丽市财政局的下达范围内" in exc.value.message_dict["recipients"][0]
    assert FundNotice.objects.count() == before


def test_lower_regions_finance_bureau_is_a_valid_recipient_of_the_prefecture(demo):
    dehong = User.objects.get(username="dehong_finance")
    notice = notices.notice_create(
        user=dehong,
        **notice_kwargs(
            recipients=[
                Organisation.objects.get(name="瑞丽市财政局"),
                Organisation.objects.get(name="德宏州卫生健康委员会"),
            ],
            parent=None,
        ),
    )
    assert notice.issuer_code == "德财社"
    assert notice.recipient_links.count() == 2


def test_bureau_staff_cannot_draft(demo):
    with pytest.raises(PermissionDenied):
        notices.notice_create(user=User.objects.get(username="ruili_health"), **notice_kwargs())


def test_external_basis_by_number_reuses_or_registers(finance):
    reused = notices.notice_create(
        user=finance, **notice_kwargs(parent=None, basis_number="德财社[2020]162号")
    )
    assert reused.parent.doc_number == "德财社〔2020〕162号"
    new = notices.notice_create(
        user=finance,
        **notice_kwargs(
            parent=None,
            basis_number="云财社【2020】88号",
            basis_title="云南省财政厅关于下达某资金的通知",
        ),
    )
    assert new.parent.is_external and new.parent.doc_number == "云财社〔2020〕88号"
    with pytest.raises(ValidationError) as exc:
        notices.notice_create(
            user=finance, **notice_kwargs(parent=None, basis_number="云财社〔2020〕89号")
        )
    assert "basis_title" in exc.value.message_dict


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
        assert PerformanceIndicator.objects.filter(table=draft).count() == upper_count
        assert draft.amount_unit == "wan"
    titles = list(NoticeAttachment.objects.filter(notice=issued).values_list("title", flat=True))
    assert titles[0] == "2020年建档立卡贫困人口家庭医生签约服务个人代缴省级补助资金分配表"
    assert titles[1] == upper.title
    assert titles[2:] == ["绩效目标表", "绩效目标表"]


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
