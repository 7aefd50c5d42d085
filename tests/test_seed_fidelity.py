"""The demo data holds every seed faithfully: counts, exact values, order and defects."""

from decimal import Decimal

import pytest

from allocations.models import AllocationStandard, FundNotice
from indicators.models import PerformanceIndicator
from indicators.selectors import indicator_tree, walk
from perfgoals.demo import load_demo
from perfgoals.models import Organisation, TargetTable, User

pytestmark = pytest.mark.django_db


def rows(table: TargetTable, level: int | None = None) -> list[tuple[str, str]]:
    nodes = [n.indicator for n in walk(indicator_tree(table_id=table.pk))]
    return [(i.name, i.value_text) for i in nodes if level is None or i.level == level]


def tables(org: str, **filters) -> list[TargetTable]:
    return list(
        TargetTable.objects.filter(organisation__name=org, **filters).order_by("sequence", "id")
    )


def test_loading_twice_changes_nothing(demo):
    counts = [M.objects.count() for M in (FundNotice, TargetTable, PerformanceIndicator, User)]
    report = load_demo()
    assert report.created == {}
    assert [
        M.objects.count() for M in (FundNotice, TargetTable, PerformanceIndicator, User)
    ] == counts


def test_every_role_has_a_demo_login(demo):
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {r.value for r in User.Role}
    assert User.objects.get(username="ruili_health").organisation.name == "瑞丽市卫生健康局"


class TestSeed000:
    def test_notice_parts(self, demo):
        notice = FundNotice.objects.get(issuer_code="瑞财社", doc_serial=296)
        assert notice.doc_number == "瑞财社〔2020〕0296号"
        assert notice.parent.doc_number == "德财社〔2020〕162号"
        assert notice.parent.is_external
        assert [r.organisation.name for r in notice.recipient_links.all()] == ["瑞丽市卫生健康局"]
        assert (notice.amount, notice.get_amount_unit_display()) == (Decimal("3.88"), "万元")
        line = notice.budget_lines.get()
        assert str(line.function_code) == "2100399其他基层医疗卫生机构支出"
        assert str(line.gov_econ_code) == "502机关商品和服务支出"
        assert str(line.dept_econ_code) == "302商品和服务支出"
        assert str(line.project_kind_code) == "13特定目标类"
        assert "德财社〔2020〕162号" in notice.paragraphs.first().text
        attachments = list(notice.attachments.order_by("position"))
        assert len(attachments) == 3
        assert attachments[0].allocation_table is not None
        assert attachments[1].target_table.layout == TargetTable.Layout.TRANSFER
        assert attachments[2].title == "绩效目标表"

    def test_prefecture_transfer_table(self, demo):
        table = TargetTable.objects.get(layout="transfer", notice__doc_serial=296)
        assert (table.amount_total, table.amount_unit) == (Decimal("40.71"), "wan")
        assert table.finance_department == "德宏州财政局"
        assert table.competent_department == "德宏州卫生健康委"
        assert rows(table, 3) == [
            ("建档立卡贫困人口高血压患者签约率", "≥95%"),
            ("建档立卡贫困人口糖尿病患者签约率", "≥95%"),
            ("补助资金到位率", "1"),
            ("服务团队考核兑付及时率", "1"),
            ("贫困人口家庭医生签约服务制度知晓率", "≥85%"),
            ("签约对象满意度", "≧85%"),
        ]

    def test_county_project_table_indicators_in_order(self, demo):
        table = TargetTable.objects.get(layout="project", notice__doc_serial=296)
        assert table.contact == "张翰林18869207068"
        assert table.competent_department == ""  # left blank in the seed
        assert (table.amount_total, table.amount_fiscal, table.amount_other) == (
            Decimal("3.88"),
            Decimal("3.88"),
            Decimal("0"),
        )
        # The seed's table has 15 三级 indicators (2 数量, 5 质量, 2 时效, 1 成本, 2 社会效益,
        # 2 可持续影响, 1 满意度).
        assert rows(table, 3) == [
            ("指标1：建档立卡贫困人口高血压患者签约率", "≥95%"),
            ("指标2：建档立卡贫困人口糖尿病患者签约率", "≥95%"),
            ("指标1：特殊人群签约率", "100%"),
            ("指标2：基层就诊率", "≥60%"),
            ("指标3：签约医生就诊率", "≥30%"),
            ("指标4：建档立卡贫困户家庭医生签约服务覆盖率", ">=97.9%"),
            ("指标5：补助资金到位率", "100%"),
            ("指标1：实施时间", "2020年9月至2021年8月"),
            ("指标2：服务团队考核兑付及时率", "100%"),
            ("指标1：签约服务补助经费", "12元/人/年"),
            ("指标1：居民签约服务知晓率", "≥85%"),
            ("指标2：受益建档立卡贫困人口数", ">=15307人"),
            (
                "指标1：促进基层首诊、分级诊疗，为群众提供综合、连续、协同的基本医疗卫生服务，"
                "增强人民群众获得感",
                "长期",
            ),
            ("指标2：贫困人口家庭医生签约服务制度知晓率", "≥85%"),
            ("指标1：签约对象满意率", "≥85%"),
        ]
        assert [name for name, _ in rows(table, 2)] == [
            "数量指标",
            "质量指标",
            "时效指标",
            "成本指标",
            "社会效益指标",
            "可持续影响指标",
            "服务对象满意度指标",
        ]

    def test_cost_share_standards(self, demo):
        standards = AllocationStandard.objects.filter(source_document="德财社〔2020〕162号")
        assert sorted((s.base_amount, s.upper_share, s.lower_share) for s in standards) == [
            (Decimal("12"), 4, 6),
            (Decimal("12"), 6, 4),
        ]


class TestSeed001:
    def test_notice_parts(self, demo):
        notice = FundNotice.objects.get(issuer_code="瑞财社", doc_serial=258)
        assert notice.doc_number == "瑞财社〔2020〕0258号"
        assert notice.parent.doc_number == "德财社〔2020〕150号"
        assert notice.amount == Decimal("154.18")
        assert notice.paying_account == "财政社保专户：建行16003-1701"
        assert notice.copy_to == "州财政局、州医疗保障局、本局国库股。"
        assert str(notice.printed_date) == "2020-08-28"
        assert notice.printed_by == "瑞丽市财政局"
        assert [p.numbered for p in notice.paragraphs.order_by("position")] == [
            False,
            True,
            True,
            True,
        ]
        lines = [
            (
                line.source,
                line.get_budget_kind_display(),
                line.amount,
                line.function_code.code,
                line.gov_econ_code.code,
                line.dept_econ_code.code,
            )
            for line in notice.budget_lines.order_by("position")
        ]
        assert lines == [
            ("中央财政预算", "一般公共预算", Decimal("145.18"), "2101301", "50901", "30307"),
            ("中央福彩公益金", "政府性基金预算", Decimal("9"), "2296013", "50901", "30307"),
        ]

    def test_six_sub_items_under_one_indicator(self, demo):
        table = TargetTable.objects.get(layout="project", notice__doc_serial=258)
        parent = PerformanceIndicator.objects.get(table=table, name="资助参保人次数")
        assert parent.level == 3 and parent.value_text == ""
        assert [(c.name, c.value_text) for c in parent.children.order_by("position")] == [
            ("农村特困人员（五保户）", "95人"),
            ("重点优抚对象", "179人"),
            ("一、二级重度残疾对象", "340人"),
            ("低保对象", "1340人"),
            ("边境人员", "52400人"),
            ("建档立卡对象", "15000人"),
        ]
        assert all(c.level == 4 for c in parent.children.all())

    def test_misplaced_timeliness_indicator_is_kept_as_in_the_seed(self, demo):
        table = TargetTable.objects.get(layout="project", notice__doc_serial=258)
        row = PerformanceIndicator.objects.get(table=table, name="“一站式”即时结算覆盖率")
        assert row.parent.name == "时效指标"
        assert row.parent.parent.name == "效益指标"
        assert table.amount_other is None  # blank in the seed, not 0


class TestSeed002:
    def test_fourteen_special_funds_and_their_total(self, demo):
        funds = tables("株洲市石峰区卫生和计划生育局", layout="special_fund")
        assert len(funds) == 14
        assert sorted(f.sequence for f in funds) == list(range(1, 15))
        assert sum(f.amount_total for f in funds) == Decimal("884.87")
        by_sequence = {f.sequence: f for f in funds}
        assert by_sequence[1].amount_total == Decimal("48")
        assert by_sequence[14].amount_total == Decimal("0.5")
        values = [v for _, v in rows(by_sequence[1], 3)]
        assert "≧200元/月/人" in values and "2019年底前" in values

    def test_department_declaration(self, demo):
        department = TargetTable.objects.get(
            organisation__name="株洲市石峰区卫生和计划生育局", layout="department"
        )
        assert department.amount_total == Decimal("1667.84")
        assert department.basic_expenditure + department.project_expenditure == Decimal("1667.84")
        assert (department.basic_expenditure, department.project_expenditure) == (
            Decimal("452.97"),
            Decimal("1214.87"),
        )
        assert department.annual_goal.startswith("以人民为中心")


class TestSeed003:
    def test_policy_standards_and_shares(self, demo):
        items = AllocationStandard.objects.filter(source_document="三政办〔2019〕2号")
        assert items.count() == 4
        assert {
            (s.base_amount.normalize(), s.upper_share, s.lower_share, s.is_minimum) for s in items
        } == {
            (Decimal("5"), 4, 6, False),
            (Decimal("20"), None, None, False),
            (Decimal("2E+2"), 4, 6, False),
            (Decimal("20"), None, None, True),
        }


class TestSeed004:
    def test_department_text_with_sixteen_project_tables(self, demo):
        org = Organisation.objects.get(name="顺平县医疗保障局")
        assert org.unit_code == "450002"
        projects = tables("顺平县医疗保障局", layout="dept_project")
        assert len(projects) == 16
        first = projects[0]
        assert first.project_code == "450-0201-JXN-2T53"
        assert (first.amount_total, first.amount_unit) == (Decimal("90100.00"), "yuan")
        assert first.spending_plan == [None, None, None, Decimal("100.00")]
        assert projects[1].spending_plan == [
            Decimal("25.00"),
            Decimal("50.00"),
            Decimal("75.00"),
            Decimal("100.00"),
        ]
        assert projects[12].spending_plan == [Decimal("100.00"), None, None, None]
        assert projects[12].fund_purpose == "还岳阳印刷厂印刷费用"
        department = TargetTable.objects.get(organisation=org, layout="department")
        assert department.sub_goals and department.safeguards

    def test_defects_are_kept(self, demo):
        projects = tables("顺平县医疗保障局", layout="dept_project")
        second = dict(rows(projects[1], 3))
        assert second["城镇居民医保覆盖率（%）"] == "" and second["群众满意度"] == ""
        last_of_twelfth = list(walk(indicator_tree(table_id=projects[11].pk)))[-1].indicator
        assert last_of_twelfth.basis == ""
        assert {n for n, _ in rows(projects[0], 1)} == {"产出指标", "效果指标", "满意度指标"}
        fourth = PerformanceIndicator.objects.get(table=projects[3], name="政策范围内报销比例")
        assert "及时办结" in fourth.description and fourth.value_text == "≥100%"

    def test_provincial_notices_are_linked_by_their_numbers(self, demo):
        table = TargetTable.objects.get(project_code="450-0201-JSN-U97X")
        assert table.notice.doc_number == "冀财社〔2019〕105号"
        assert table.notice.is_external

    def test_indicator_with_percent_in_its_name_is_understood(self, demo):
        row = PerformanceIndicator.objects.filter(name="参保率（%）", value_text="≥85").first()
        assert (row.value_comparator, row.value_number, row.value_unit, row.value_unit_implied) == (
            "≥",
            Decimal("85"),
            "%",
            True,
        )
