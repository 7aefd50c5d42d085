"""Invariants of notices, classification codes, standards and allocation columns."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from allocations.models import (
    AllocationColumn,
    AllocationStandard,
    AllocationTable,
    ClassificationCode,
    FundNotice,
    format_doc_number,
    parse_doc_number,
)
from perfgoals.models import Region
from tests.factories import FundNoticeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "parts", "printed"),
    [
        ("瑞财社〔2020〕0296号", ("瑞财社", 2020, 296, 4), "瑞财社〔2020〕0296号"),
        ("德财社〔2020〕162号", ("德财社", 2020, 162, 3), "德财社〔2020〕162号"),
        ("冀财社[2019]101号", ("冀财社", 2019, 101, 3), "冀财社〔2019〕101号"),
        ("冀财社【2019】105号", ("冀财社", 2019, 105, 3), "冀财社〔2019〕105号"),
        (" 冀财社（2019）93 号 ", ("冀财社", 2019, 93, 2), "冀财社〔2019〕93号"),
    ],
)
def test_document_numbers_accept_bracket_variants_and_print_hexagonal(text, parts, printed):
    assert parse_doc_number(text) == parts
    assert format_doc_number(*parts) == printed


@pytest.mark.parametrize("text", ["", "瑞财社2020 0296号", "〔2020〕0296号", "瑞财社〔20〕1号"])
def test_malformed_document_number_is_refused_with_an_example(text):
    with pytest.raises(ValidationError) as excinfo:
        parse_doc_number(text)
    assert "如 瑞财社〔2020〕0296号" in str(excinfo.value)


def test_document_number_is_unique_per_issuer_code_and_year():
    FundNoticeFactory(issuer_code="测财社", doc_year=2020, doc_serial=1, doc_serial_width=4)
    FundNoticeFactory(issuer_code="测财社", doc_year=2021, doc_serial=1)
    FundNoticeFactory(issuer_code="别财社", doc_year=2020, doc_serial=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        FundNoticeFactory(issuer_code="测财社", doc_year=2020, doc_serial=1)


def test_drafts_without_numbers_do_not_collide():
    unnumbered = FundNotice.objects.filter(doc_serial__isnull=True)
    before = unnumbered.count()
    FundNoticeFactory(issuer_code="测财社", doc_year=None, doc_serial=None)
    FundNoticeFactory(issuer_code="测财社", doc_year=None, doc_serial=None)
    assert unnumbered.count() == before + 2


def test_issued_notice_needs_a_number():
    with pytest.raises(IntegrityError), transaction.atomic():
        FundNoticeFactory(status=FundNotice.Status.ISSUED)


def test_notice_amount_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        FundNoticeFactory(amount=Decimal("-3.88"))


def test_notice_inside_the_system_needs_an_issuer():
    with pytest.raises(IntegrityError), transaction.atomic():
        FundNotice.objects.create(year=2020, title="无发文单位", issuer=None, is_external=False)
    FundNotice.objects.create(year=2020, title="上级文件", issuer=None, is_external=True)


@pytest.mark.parametrize(
    ("scheme", "code", "valid"),
    [
        ("function", "2100399", True),
        ("function", "21003", True),
        ("function", "210039", False),
        ("gov_econ", "502", True),
        ("gov_econ", "50901", True),
        ("dept_econ", "3030", False),
        ("project_kind", "13", True),
    ],
)
def test_classification_code_lengths_follow_the_scheme(scheme, code, valid):
    item = ClassificationCode(scheme=scheme, code=code, name="测试科目")
    if valid:
        item.full_clean(validate_unique=False, validate_constraints=False)
    else:
        with pytest.raises(ValidationError) as excinfo:
            item.full_clean(validate_unique=False, validate_constraints=False)
        assert "位数字" in str(excinfo.value)


def test_classification_code_must_be_digits():
    with pytest.raises(ValidationError):
        ClassificationCode(scheme="function", code="21003A9", name="x").full_clean(
            validate_unique=False, validate_constraints=False
        )


def test_share_needs_both_sides():
    with pytest.raises(IntegrityError), transaction.atomic():
        AllocationStandard.objects.create(
            name="半个比例", base_amount=12, upper_share=4, region=Region.objects.first()
        )


def test_standard_derives_each_sides_share():
    standard = AllocationStandard(
        name="个人缴费",
        base_amount=Decimal("12"),
        upper_share=4,
        lower_share=6,
        upper_label="省财政",
        lower_label="州、市财政",
    )
    assert standard.standard_for("upper") == Decimal("4.8")
    assert standard.standard_for("lower") == Decimal("7.2")
    assert standard.ratio_text == "省财政:州、市财政 = 4:6"
    assert AllocationStandard(name="医保", base_amount=Decimal(20)).standard_for("upper") == 20


def test_calculation_group_takes_exactly_one_standard():
    table = AllocationTable.objects.create(title="测试分配表")
    with pytest.raises(IntegrityError), transaction.atomic():
        AllocationColumn.objects.create(table=table, position=1, kind="calc", label="无标准")
    AllocationColumn.objects.create(
        table=table, position=2, kind="calc", label="直接填写", standard_amount=Decimal("4.8")
    )
    AllocationColumn.objects.create(table=table, position=3, kind="source", label="中央财政预算")
