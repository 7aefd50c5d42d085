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


@pytest.mark.parametrize("field", TargetTable.AMOUNT_FIELDS)
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


def test_framework_generation_defaults_from_the_year_while_the_choice_stays_blank():
    old, new = TargetTableFactory(year=2020), TargetTableFactory(year=2022)
    old.refresh_from_db()
    new.refresh_from_db()
    # Blank is 自动判断: the checks infer the generation from the tree.
    assert old.framework == new.framework == ""
    assert old.framework_generation == TargetTable.Framework.GEN_2015
    assert new.framework_generation == TargetTable.Framework.GEN_2021


def test_a_chosen_framework_is_kept_whatever_the_year():
    table = TargetTableFactory(year=2024, framework=TargetTable.Framework.GEN_2015)
    table.refresh_from_db()
    assert table.framework_generation == TargetTable.Framework.GEN_2015


def test_framework_must_be_a_known_generation_in_the_database():
    table = TargetTableFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetTable.objects.filter(pk=table.pk).update(framework="2030")


@pytest.mark.parametrize("code", ["015001", "[015001]", "【015001】", "450-0201", "A01.02"])
def test_department_code_accepts_plain_and_bracketed_codes(code):
    table = TargetTableFactory.build(organisation=OrganisationFactory(), department_code=code)
    table.full_clean()


@pytest.mark.parametrize("code", ["[015001", "015001]", "01 5001", "编码015001", "[]", "01--5"])
def test_department_code_refuses_what_is_not_a_code(code):
    table = TargetTableFactory.build(organisation=OrganisationFactory(), department_code=code)
    with pytest.raises(ValidationError) as excinfo:
        table.full_clean()
    assert "department_code" in excinfo.value.message_dict


def test_new_header_fields_are_tracked_by_history():
    table = TargetTableFactory()
    table.amount_carryover = Decimal("12.50")
    table.project_source = "部门日常工作"
    table.department_code = "[015001]"
    table.save()
    latest = table.history.first()
    assert (latest.amount_carryover, latest.project_source, latest.department_code) == (
        Decimal("12.50"),
        "部门日常工作",
        "[015001]",
    )


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


class TestSplitValueColumns:
    """计算符号 / 目标值 / 度量单位 of split-column templates, kept beside the verbatim value."""

    @pytest.fixture
    def second(self):
        table = TargetTableFactory()
        root = PerformanceIndicator.objects.create(
            table=table, level=1, position=1, name="产出指标"
        )
        return PerformanceIndicator.objects.create(
            table=table, level=2, position=1, name="质量指标", parent=root
        )

    def leaf(self, second, **fields) -> PerformanceIndicator:
        return PerformanceIndicator.objects.create(
            table=second.table, level=3, position=1, name="苗木成活率", parent=second, **fields
        )

    def test_an_empty_value_is_composed_from_symbol_target_and_unit(self, second):
        row = self.leaf(second, symbol="≥", target="85", unit="%")
        row.refresh_from_db()
        assert row.value_text == "≥85%"
        # …and read like a typed value, so the checks see it.
        assert (row.value_comparator, row.value_number, row.value_unit) == ("≥", Decimal("85"), "%")

    def test_a_typed_value_prints_as_typed_beside_the_columns(self, second):
        row = self.leaf(second, value_text="85%以上", symbol="≥", target="85", unit="%")
        row.refresh_from_db()
        assert row.value_text == "85%以上"

    def test_without_a_target_nothing_is_composed(self, second):
        row = self.leaf(second, symbol="≥", unit="%")
        assert row.value_text == ""

    def test_categories_carry_no_split_value(self, second):
        with pytest.raises(IntegrityError), transaction.atomic():
            PerformanceIndicator.objects.create(
                table=second.table, level=1, position=2, name="效益指标", target="90"
            )

    def test_symbol_must_be_a_comparison(self, second):
        with pytest.raises(IntegrityError), transaction.atomic():
            self.leaf(second, symbol="~", target="85")
        row = PerformanceIndicator(
            table=second.table, level=3, position=1, name="x", parent=second, symbol="~"
        )
        with pytest.raises(ValidationError) as excinfo:
            row.full_clean(exclude=["position"])
        assert "symbol" in excinfo.value.message_dict

    def test_history_tracks_the_new_texts(self, second):
        row = self.leaf(second, target="85", unit="%", value_explanation="参照上年")
        row.standard = "达到省定标准"
        row.scoring = "每低1个百分点扣1分"
        row.save()
        latest = row.history.first()
        assert (latest.target, latest.value_explanation, latest.standard, latest.scoring) == (
            "85",
            "参照上年",
            "达到省定标准",
            "每低1个百分点扣1分",
        )
