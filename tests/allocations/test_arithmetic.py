"""The seeds' allocation arithmetic, reproduced from the stored inputs only."""

from decimal import Decimal

import pytest

from allocations.models import (
    AllocationCell,
    AllocationColumn,
    AllocationRow,
    AllocationStandard,
    AllocationTable,
    FundNotice,
)
from allocations.selectors import compute_allocation
from perfgoals.money import (
    AmountUnit,
    agrees,
    convert,
    from_yuan,
    round_cents,
    to_yuan,
    total_yuan,
)

pytestmark = pytest.mark.django_db


def notice(number_serial: int) -> FundNotice:
    return FundNotice.objects.get(issuer_code="瑞财社", doc_year=2020, doc_serial=number_serial)


def test_seed_000_family_doctor_allocation(demo):
    table = AllocationTable.objects.get(notice=notice(296))
    result = compute_allocation(table)
    tuopin, weituopin = result.rows[0].cells
    assert tuopin.standard == Decimal("4.8")  # 12元 × 4/(4+6)
    assert weituopin.standard == Decimal("7.2")  # 12元 × 6/(6+4)
    assert (tuopin.count, tuopin.amount_yuan) == (6625, Decimal("31800"))
    assert (weituopin.count, weituopin.amount_yuan) == (977, Decimal("7034.4"))
    assert result.rows[0].count_total == 7602
    assert result.total_yuan == Decimal("38834.4")
    assert result.total == Decimal("3.88")
    assert table.unit == AmountUnit.WAN


def test_seed_000_notice_amount_agrees_with_the_table_only_after_rounding(demo):
    result = compute_allocation(AllocationTable.objects.get(notice=notice(296)))
    assert agrees(Decimal("3.88"), AmountUnit.WAN, result.total_yuan)
    assert not agrees(Decimal("3.89"), AmountUnit.WAN, result.total_yuan)
    # The stated 3.88万元 is not the exact amount: 元 stays authoritative.
    assert to_yuan(Decimal("3.88"), AmountUnit.WAN) != result.total_yuan


def test_seed_001_funding_sources_add_up(demo):
    table = AllocationTable.objects.get(notice=notice(258))
    result = compute_allocation(table)
    general, lottery = result.rows[0].cells
    assert (general.amount, lottery.amount) == (Decimal("145.18"), Decimal("9"))
    assert result.rows[0].total == Decimal("154.18")
    assert result.total == Decimal("154.18")
    lines = notice(258).budget_lines.order_by("position")
    assert sum(line.amount for line in lines) == Decimal("154.18") == notice(258).amount
    assert [line.function_code.code for line in lines] == ["2101301", "2296013"]


def test_half_up_rounding_from_yuan_to_wan():
    assert from_yuan(Decimal("38850"), AmountUnit.WAN) == Decimal("3.89")
    assert from_yuan(Decimal("38849.99"), AmountUnit.WAN) == Decimal("3.88")
    assert convert(Decimal("3.88"), AmountUnit.WAN, AmountUnit.YUAN) == Decimal("38800.00")


def test_total_yuan_adds_mixed_units_exactly_and_skips_blanks():
    # Seed 000: 3.18万元 + 7034.4元 = 38834.4元, stated as 3.88万元.
    amounts = [
        (Decimal("3.18"), AmountUnit.WAN),
        (Decimal("7034.4"), AmountUnit.YUAN),
        (None, "wan"),
    ]
    assert total_yuan(amounts) == Decimal("38834.4")
    assert total_yuan([]) == Decimal(0)


def test_sums_stay_exact_where_binary_floats_drift():
    # Ten rows of 0.10元 add up to 0.9999999999999999 as floats (and in SQLite's SUM).
    assert sum([0.1] * 10) != 1
    table = AllocationTable.objects.create(title="十行一角", unit=AmountUnit.YUAN)
    column = AllocationColumn.objects.create(table=table, position=1, kind="source", label="来源")
    rows = AllocationRow.objects.bulk_create(
        AllocationRow(table=table, position=n, label=f"第{n}行") for n in range(1, 11)
    )
    AllocationCell.objects.bulk_create(
        AllocationCell(row=row, column=column, amount=Decimal("0.10")) for row in rows
    )
    result = compute_allocation(table)
    assert result.column_amounts_yuan == [Decimal("1")]
    assert result.total_yuan == Decimal("1")
    assert result.total == Decimal("1.00")


def test_a_share_that_does_not_divide_evenly_gives_a_standard_rounded_to_the_fen():
    standard = AllocationStandard(base_amount=Decimal("10"), upper_share=1, lower_share=2)
    assert standard.standard_for("upper") == Decimal("3.33")
    assert standard.standard_for("lower") == Decimal("6.67")
    assert (
        str(
            AllocationStandard(
                base_amount=Decimal("12"), upper_share=4, lower_share=6
            ).standard_for("upper")
        )
        == "4.8"
    )
    assert str(AllocationStandard(base_amount=Decimal("12")).standard_for("upper")) == "12"


def test_round_cents_keeps_only_the_digits_that_count():
    assert [str(round_cents(Decimal(v))) for v in ("4.80", "3.335", "100", "0.125", "7.2")] == [
        "4.8",
        "3.34",
        "100",
        "0.13",
        "7.2",
    ]
