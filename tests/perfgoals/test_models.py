"""Database-level invariants of organisations, users and target tables."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import PerformanceIndicator
from perfgoals.models import Region, TargetTable, User
from tests.factories import OrganisationFactory, TargetTableFactory

pytestmark = pytest.mark.django_db


def test_province_cannot_have_a_parent_region():
    province = Region.objects.create(name="测试省甲", level=Region.Level.PROVINCE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(name="测试省乙", level=Region.Level.PROVINCE, parent=province)


def test_county_needs_a_parent_region():
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(name="无上级县", level=Region.Level.COUNTY)


def test_region_parent_must_be_one_level_up():
    province = Region.objects.create(name="测试省丙", level=Region.Level.PROVINCE)
    county = Region(name="跳级县", level=Region.Level.COUNTY, parent=province)
    with pytest.raises(ValidationError) as excinfo:
        county.full_clean()
    assert "上级区域的层级" in str(excinfo.value)


def test_non_administrator_must_belong_to_an_organisation():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="orphan", role=User.Role.BUREAU_STAFF)
    User.objects.create(username="root2", role=User.Role.ADMINISTRATOR)


@pytest.mark.parametrize(
    "field",
    ["amount_total", "amount_fiscal", "amount_other", "basic_expenditure", "project_expenditure"],
)
def test_target_amounts_cannot_be_negative_in_the_database(field):
    table = TargetTableFactory()
    setattr(table, field, Decimal("-0.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        table.save()


def test_negative_amount_is_a_field_error_before_saving():
    table = TargetTableFactory.build(organisation=OrganisationFactory(), amount_total=Decimal("-1"))
    with pytest.raises(ValidationError) as excinfo:
        table.full_clean()
    assert "amount_total" in excinfo.value.message_dict


def test_spending_plan_percent_is_bounded():
    table = TargetTableFactory.build(
        organisation=OrganisationFactory(), spend_by_dec=Decimal("101")
    )
    with pytest.raises(ValidationError) as excinfo:
        table.full_clean()
    assert "spend_by_dec" in excinfo.value.message_dict


def test_framework_generation_defaults_from_the_year():
    assert TargetTableFactory(year=2020).framework == TargetTable.Framework.GEN_2015
    assert TargetTableFactory(year=2022).framework == TargetTable.Framework.GEN_2021


class TestIndicatorLevels:
    @pytest.fixture
    def table(self):
        return TargetTableFactory()

    def test_first_level_cannot_have_a_parent(self, table):
        root = PerformanceIndicator.objects.create(
            table=table, level=1, position=1, name="产出指标"
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            PerformanceIndicator.objects.create(
                table=table, level=1, position=2, name="效益指标", parent=root
            )

    @pytest.mark.parametrize("level", [2, 3, 4])
    def test_lower_levels_need_a_parent(self, table, level):
        with pytest.raises(IntegrityError), transaction.atomic():
            PerformanceIndicator.objects.create(table=table, level=level, position=1, name="x")

    def test_categories_carry_no_value(self, table):
        with pytest.raises(IntegrityError), transaction.atomic():
            PerformanceIndicator.objects.create(
                table=table, level=1, position=1, name="产出指标", value_text="100%"
            )

    def test_parent_must_be_exactly_one_level_up(self, table):
        root = PerformanceIndicator.objects.create(
            table=table, level=1, position=1, name="产出指标"
        )
        skipped = PerformanceIndicator(table=table, level=3, position=1, name="签约率", parent=root)
        with pytest.raises(ValidationError) as excinfo:
            skipped.full_clean()
        assert "三级指标的上级必须是二级指标" in str(excinfo.value)

    def test_parent_must_be_in_the_same_table(self, table):
        other = TargetTableFactory()
        root = PerformanceIndicator.objects.create(
            table=other, level=1, position=1, name="产出指标"
        )
        stray = PerformanceIndicator(table=table, level=2, position=1, name="数量指标", parent=root)
        with pytest.raises(ValidationError) as excinfo:
            stray.full_clean()
        assert "同一张表" in str(excinfo.value)

    def test_saving_refreshes_the_parsed_value(self, table):
        root = PerformanceIndicator.objects.create(
            table=table, level=1, position=1, name="满意度指标"
        )
        second = PerformanceIndicator.objects.create(
            table=table, level=2, position=1, name="服务对象满意度指标", parent=root
        )
        row = PerformanceIndicator.objects.create(
            table=table,
            level=3,
            position=1,
            name="签约对象满意度",
            value_text="≧85%",
            parent=second,
        )
        row.refresh_from_db()
        assert (row.value_kind, row.value_comparator, row.value_number, row.value_unit) == (
            "quantitative",
            "≥",
            Decimal("85"),
            "%",
        )
        assert row.value_text == "≧85%"  # printed as typed
        row.value_text = "明显提高"
        row.save()
        row.refresh_from_db()
        assert (row.value_kind, row.value_number) == ("qualitative", None)

    def test_oversized_number_is_kept_as_text_not_stored_as_number(self, table):
        root = PerformanceIndicator.objects.create(
            table=table, level=1, position=1, name="产出指标"
        )
        second = PerformanceIndicator.objects.create(
            table=table, level=2, position=1, name="数量指标", parent=root
        )
        row = PerformanceIndicator.objects.create(
            table=table,
            level=3,
            position=1,
            name="人数",
            value_text="1" + "0" * 20 + "人",
            parent=second,
        )
        row.refresh_from_db()
        assert row.value_number is None
        assert row.value_kind == "unparsed"
