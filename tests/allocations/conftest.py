"""Builders that draft the seeds' notices through the service layer, as finance staff would."""

from datetime import date
from decimal import Decimal

import pytest

from allocations.models import AllocationStandard, ClassificationCode, FundNotice
from allocations.services import allocation_tables, notices
from perfgoals.models import Organisation, TargetTable, User

SEED_000_TITLE = (
    "瑞丽市财政局关于下达2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金的通知"
)
SEED_001_TITLE = "瑞丽市财政局关于下达2020年中央财政医疗救助补助资金（第二批）的通知"


def code(scheme: str, value: str) -> ClassificationCode:
    return ClassificationCode.objects.get(scheme=scheme, code=value)


def notice_kwargs(**overrides) -> dict:
    data = {
        "title": SEED_000_TITLE,
        "year": 2020,
        "recipients": [Organisation.objects.get(name="瑞丽市卫生健康局")],
        "parent": FundNotice.objects.get(issuer_code="德财社", doc_year=2020, doc_serial=162),
        "amount": Decimal("3.88"),
        "amount_unit": "wan",
        "paragraphs": [(notices.STANDARD_PERFORMANCE_PARAGRAPH, True)],
        "budget_lines": [
            notices.BudgetLineData(
                source="省级补助资金",
                amount=Decimal("3.88"),
                unit="wan",
                function_code=code("function", "2100399"),
                gov_econ_code=code("gov_econ", "502"),
                dept_econ_code=code("dept_econ", "302"),
                project_kind_code=code("project_kind", "13"),
            )
        ],
        "paying_account": "",
        "copy_to": "",
        # Signed in the budget year, as seed 000 was; the 文号 year follows this date.
        "signed_date": date(2020, 9, 1),
        "printed_date": None,
        "printed_by": "瑞丽市财政局",
    }
    data.update(overrides)
    return data


def build_seed_000(user: User, **overrides) -> FundNotice:
    """Seed 000's notice and 附件1 from scratch: 6625 × (12 × 4/10) and 977 × (12 × 6/10)."""
    notice = notices.notice_create(user=user, **notice_kwargs(**overrides))
    table = allocation_tables.allocation_table_create(
        notice=notice,
        user=user,
        title="2020年建档立卡贫困人口家庭医生签约服务个人代缴省级补助资金分配表",
        unit="wan",
        recipient_label="县市",
        count_total_label="贫困人口签约数（含已脱贫、未脱贫、返贫）",
        amount_total_label="经费合计（万元）",
    )
    tuopin = AllocationStandard.objects.get(name__endswith="（已脱贫）")
    weituopin = AllocationStandard.objects.get(name__endswith="（未脱贫）")
    c1 = allocation_tables.allocation_column_add(
        table=table, user=user, kind="calc", label="已脱贫签约人数", standard=tuopin
    )
    c2 = allocation_tables.allocation_column_add(
        table=table, user=user, kind="calc", label="未脱贫及返贫签约人数", standard=weituopin
    )
    row = allocation_tables.allocation_row_add(table=table, user=user, label="瑞丽市")
    table.refresh_from_db()
    allocation_tables.allocation_cells_update(
        table=table,
        user=user,
        expected_version=table.version,
        values={(row.pk, c1.pk): 6625, (row.pk, c2.pk): 977},
    )
    notice.refresh_from_db()
    return notice


@pytest.fixture
def finance(demo) -> User:
    return User.objects.get(username="ruili_finance")


@pytest.fixture
def seed000_draft(finance) -> FundNotice:
    return build_seed_000(finance)


def upper_table() -> TargetTable:
    return TargetTable.objects.get(
        layout="transfer",
        organisation__name="德宏州卫生健康委员会",
        project_name__startswith="2020年建档立卡",
    )
