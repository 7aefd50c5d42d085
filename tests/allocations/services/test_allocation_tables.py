"""Allocation tables through the services: columns, standards, the grid, the seeds' sums."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from allocations import checks
from allocations.models import AllocationStandard
from allocations.selectors import compute_allocation
from allocations.services import allocation_tables, notices
from perfgoals.models import Organisation
from tests.allocations.conftest import (
    SEED_001_TITLE,
    code,
    notice_kwargs,
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
