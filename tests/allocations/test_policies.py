"""Policy documents and the standards they set: seed 003 in full, standards offered only where
they apply (their region and the regions below), and an allocation computed with them."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from allocations.models import (
    AllocationColumn,
    AllocationStandard,
    AllocationTable,
    PolicyDocument,
    PolicyParagraph,
)
from allocations.selectors import compute_allocation, standards_applying_to
from allocations.services import allocation_tables
from perfgoals.models import Organisation, Region, User
from tests.factories import FundNoticeFactory, UserFactory

pytestmark = pytest.mark.django_db

SMX = "三政办〔2019〕2号"


@pytest.fixture
def smx_finance(demo) -> User:
    """A finance drafter of 三门峡市 (the demo has none: seed 003 is a policy, not a notice)."""
    bureau = Organisation.objects.create(
        name="三门峡市财政局",
        kind=Organisation.Kind.FINANCE,
        region=Region.objects.get(name="三门峡市"),
    )
    return UserFactory(organisation=bureau, role=User.Role.FINANCE_STAFF)


@pytest.fixture
def smx_table(smx_finance) -> AllocationTable:
    notice = FundNoticeFactory(issuer=smx_finance.organisation, year=2019)
    return allocation_tables.allocation_table_create(
        notice=notice, user=smx_finance, title="2019年家庭医生签约服务市级财政补助资金分配表"
    )


def smx_standard(name: str) -> AllocationStandard:
    return AllocationStandard.objects.get(name=name, region__name="三门峡市")


def dehong_standard() -> AllocationStandard:
    return AllocationStandard.objects.get(name__endswith="（已脱贫）")


def test_seed_003_is_loaded_with_every_paragraph_and_its_standards(demo):
    policy = PolicyDocument.objects.get(doc_number=SMX)
    assert (policy.title, policy.issuer_name, policy.region.name, policy.issued_on) == (
        "三门峡市人民政府办公室关于印发三门峡市家庭医生签约服务实施方案的通知",
        "三门峡市人民政府办公室",
        "三门峡市",
        date(2019, 1, 25),
    )
    paragraphs = list(policy.paragraphs.order_by("position"))
    assert len(paragraphs) == 33
    assert paragraphs[1].text.startswith("为进一步深化医改成效")
    assert [p.number for p in paragraphs[-4:]] == ["五（一）", "五（二）", "五（三）", "五（四）"]
    # The sentence broken by a page in the seed reads whole again.
    support = policy.paragraphs.get(number="二（四）")
    assert "与2家以上的二级以上医院签订双向转诊协议" in support.text
    subsidy = policy.paragraphs.get(number="四（一）1")
    assert subsidy.heading == "财政补助"
    assert "每人每年补助5元（市、县财政承担比例4：6）" in subsidy.text
    assert subsidy.citation == "三政办〔2019〕2号 四（一）1 财政补助"
    standards = {
        s.name: (s.paragraph.number, s.base_amount.normalize(), s.upper_share, s.lower_share)
        for s in AllocationStandard.objects.filter(paragraph__document=policy)
    }
    assert standards == {
        "家庭医生签约服务财政补助": ("四（一）1", Decimal("5"), 4, 6),
        "家庭医生签约服务医保支付": ("四（一）2", Decimal("20"), None, None),
        "贫困人口健康体检专项经费": ("四（一）4（1）", Decimal("2E+2"), 4, 6),
        "残疾人家庭医生签约服务经费": ("四（一）4（2）", Decimal("20"), None, None),
    }
    assert smx_standard("贫困人口健康体检专项经费").basis_text == (
        "三政办〔2019〕2号 四（一）4（1） 设立贫困人口健康体检专项经费，三门峡市"
    )


def test_a_standard_cannot_apply_outside_its_policys_region(demo):
    standard = smx_standard("家庭医生签约服务财政补助")
    standard.region = Region.objects.get(name="德宏州")
    with pytest.raises(ValidationError) as excinfo:
        standard.full_clean()
    assert excinfo.value.message_dict["region"] == [
        "三政办〔2019〕2号只适用于三门峡市，标准的适用区域须在其范围内。"
    ]


def test_a_paragraph_needs_a_heading_or_text(demo):
    paragraph = PolicyParagraph(document=PolicyDocument.objects.get(doc_number=SMX), position=99)
    with pytest.raises(ValidationError) as excinfo:
        paragraph.full_clean()
    assert excinfo.value.message_dict["text"] == ["请填写条款标题或条款原文。"]


def test_standards_apply_in_their_region_and_below_only(smx_finance):
    ruili = Organisation.objects.get(name="瑞丽市财政局")
    dehong = Organisation.objects.get(name="德宏州财政局")
    shunping = Organisation.objects.get(name="顺平县财政局")
    smx_regions = {"三门峡市"}
    assert {s.region.name for s in standards_applying_to(smx_finance.organisation)} == smx_regions
    assert {s.region.name for s in standards_applying_to(ruili)} == {"德宏州"}
    assert {s.region.name for s in standards_applying_to(dehong)} == {"德宏州"}
    assert not standards_applying_to(shunping).exists()


def test_seed_003_standards_compute_an_allocation(smx_finance, smx_table):
    """5元 split 市:县 = 4:6 is 2元 a head for the city, 3元 for a county; 200元 4:6 is 80元."""
    subsidy = smx_standard("家庭医生签约服务财政补助")
    checkup = smx_standard("贫困人口健康体检专项经费")
    insurance = smx_standard("家庭医生签约服务医保支付")
    city = allocation_tables.allocation_column_add(
        table=smx_table, user=smx_finance, kind="calc", label="常住签约人口", standard=subsidy
    )
    county = allocation_tables.allocation_column_add(
        table=smx_table,
        user=smx_finance,
        kind="calc",
        label="县级承担",
        standard=subsidy,
        share_side=AllocationColumn.Side.LOWER,
    )
    exam = allocation_tables.allocation_column_add(
        table=smx_table, user=smx_finance, kind="calc", label="体检人数", standard=checkup
    )
    paid = allocation_tables.allocation_column_add(
        table=smx_table, user=smx_finance, kind="calc", label="医保签约人头", standard=insurance
    )
    row = allocation_tables.allocation_row_add(table=smx_table, user=smx_finance, label="三门峡市")
    smx_table.refresh_from_db()
    allocation_tables.allocation_cells_update(
        table=smx_table,
        user=smx_finance,
        expected_version=smx_table.version,
        values={
            (row.pk, city.pk): 10000,
            (row.pk, county.pk): 10000,
            (row.pk, exam.pk): 50,
            (row.pk, paid.pk): 300,
        },
    )
    computed = compute_allocation(smx_table)
    cells = computed.rows[0].cells
    assert [(c.standard, c.amount_yuan) for c in cells] == [
        (Decimal("2.00"), Decimal("20000.00")),
        (Decimal("3.00"), Decimal("30000.00")),
        (Decimal("80.00"), Decimal("4000.00")),
        (Decimal("20"), Decimal("6000")),
    ]


def test_the_service_refuses_another_regions_standard(smx_finance, smx_table):
    with pytest.raises(ValidationError) as excinfo:
        allocation_tables.allocation_column_add(
            table=smx_table, user=smx_finance, kind="calc", label="人数", standard=dehong_standard()
        )
    assert excinfo.value.message_dict["standard"] == [
        "补助标准“建档立卡贫困人口家庭医生签约服务个人缴费（已脱贫）”适用于德宏州，不适用于本地区。"
    ]
    assert not smx_table.columns.exists()


def _editor(client, table):
    return client.get(reverse("allocations:allocation_edit", args=[table.notice_id, table.pk]))


def _options(page: str) -> str:
    return page.split('name="col-standard"')[1].split("</select>")[0]


def test_the_column_form_offers_each_drafter_its_regions_standards(
    client, login, smx_finance, smx_table
):
    client.force_login(smx_finance)
    options = _options(_editor(client, smx_table).content.decode())
    assert "家庭医生签约服务财政补助：5元/人/年，市财政:县财政 = 4:6" in options
    assert "（三政办〔2019〕2号 四（一）1 财政补助，三门峡市）" in options
    assert "德财社" not in options and "已脱贫" not in options

    login("ruili_finance")
    notice = FundNoticeFactory(issuer=Organisation.objects.get(name="瑞丽市财政局"))
    ruili = allocation_tables.allocation_table_create(
        notice=notice, user=User.objects.get(username="ruili_finance"), title="分配表"
    )
    options = _options(_editor(client, ruili).content.decode())
    assert "（德财社〔2020〕162号，德宏州）" in options
    assert "三政办" not in options and "三门峡" not in options


def test_a_forged_standard_id_is_refused_at_the_field(client, smx_finance, smx_table):
    client.force_login(smx_finance)
    response = client.post(
        reverse("allocations:allocation_column_add", args=[smx_table.notice_id, smx_table.pk]),
        {
            "col-kind": "calc",
            "col-label": "已脱贫签约人数",
            "col-share_side": "upper",
            "col-standard": dehong_standard().pk,
        },
    )
    assert response.status_code == 400
    assert "所选补助标准不存在，或不适用于本地区。" in response.content.decode()
    assert not smx_table.columns.exists()


def test_a_standard_typed_with_the_table_applies_to_the_issuers_region(smx_finance, smx_table):
    column = allocation_tables.allocation_column_add(
        table=smx_table,
        user=smx_finance,
        kind="calc",
        label="签约人数",
        new_standard={
            "name": "市级补助",
            "base_amount": Decimal("5"),
            "upper_percent": Decimal("40"),
            "lower_percent": Decimal("60"),
        },
    )
    assert column.standard.region.name == "三门峡市"
    assert column.unit_standard == Decimal("2.00")


def test_policy_admin_lists_paragraphs_inline(admin_client, demo):
    policy = PolicyDocument.objects.get(doc_number=SMX)
    page = admin_client.get(
        reverse("admin:allocations_policydocument_change", args=[policy.pk])
    ).content.decode()
    assert "设立贫困人口健康体检专项经费" in page and "四（一）4（1）" in page
    page = admin_client.get(reverse("admin:allocations_allocationstandard_changelist")).content
    assert SMX in page.decode()


@pytest.mark.parametrize("value", ["9" * 30, "abc"])
def test_a_malformed_or_huge_standard_id_is_refused(client, smx_finance, smx_table, value):
    client.force_login(smx_finance)
    response = client.post(
        reverse("allocations:allocation_column_add", args=[smx_table.notice_id, smx_table.pk]),
        {"col-kind": "calc", "col-label": "人数", "col-share_side": "upper", "col-standard": value},
    )
    assert response.status_code == 400
    assert "所选补助标准不存在，或不适用于本地区。" in response.content.decode()
    assert not smx_table.columns.exists()


def _cited_table(smx_finance, smx_table):
    subsidy = smx_standard("家庭医生签约服务财政补助")
    checkup = smx_standard("贫困人口健康体检专项经费")
    for label, standard in (("签约人数", subsidy), ("县级承担", subsidy), ("体检人数", checkup)):
        allocation_tables.allocation_column_add(
            table=smx_table, user=smx_finance, kind="calc", label=label, standard=standard
        )
    allocation_tables.allocation_row_add(table=smx_table, user=smx_finance, label="三门峡市")
    return subsidy, checkup


def test_an_allocation_export_cites_the_policy_its_standards_come_from(smx_finance, smx_table):
    from io import BytesIO

    from openpyxl import load_workbook

    from perfgoals.exports.documents.allocations import allocation_document
    from perfgoals.exports.pdf import render_pdf
    from perfgoals.exports.xlsx import render_xlsx
    from tests.exports.helpers import pdf_text

    subsidy, checkup = _cited_table(smx_finance, smx_table)
    document = allocation_document(compute_allocation(smx_table))
    # Each paragraph once, in the columns' order, however many columns use it.
    want = f"补助标准依据：{subsidy.paragraph.citation}；{checkup.paragraph.citation}"
    assert subsidy.paragraph.citation.startswith(SMX)
    ws = load_workbook(BytesIO(render_xlsx(document))).active
    assert want in {c.value for row in ws.iter_rows() for c in row}
    assert want.replace(" ", "") in pdf_text(render_pdf(document)).replace(" ", "")


def test_a_standard_without_a_policy_paragraph_cites_nothing(demo):
    # Seed 000's standards come from the 州's notice, which its body already cites: 附件1
    # prints no note, as the seed does.
    from allocations.models import AllocationTable as Table
    from perfgoals.exports.documents.allocations import allocation_grid

    table = Table.objects.filter(columns__standard__paragraph__isnull=True).distinct().first()
    assert table is not None and allocation_grid(compute_allocation(table)).note == ""


def test_an_issued_notice_keeps_the_citation_it_was_issued_with(smx_finance, smx_table):
    from allocations.snapshots import allocation_from_snapshot, allocation_snapshot_data

    subsidy, _ = _cited_table(smx_finance, smx_table)
    record = allocation_snapshot_data(compute_allocation(smx_table))
    cited = subsidy.paragraph.citation
    PolicyParagraph.objects.filter(pk=subsidy.paragraph_id).update(heading="改过的标题")
    rebuilt = allocation_from_snapshot(record)
    assert rebuilt.columns[0].standard_citation == cited
    assert compute_allocation(smx_table).columns[0].standard_citation != cited
