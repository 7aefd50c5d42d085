"""The indicator library: rebuilt from every table, searched by name, category and fund type."""

import pytest

from indicators.library import (
    clean_indicator_name,
    fund_type_for,
    library_categories,
    library_fund_types,
    library_rebuild,
    library_search,
)
from indicators.models import FrameworkCategory, LibraryIndicator
from indicators.services import indicator_tree_create
from tests.factories import TargetTableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo):
    """The demo tables as approved ones, so that their rows make up the shared library."""
    from perfgoals.models import TargetTable

    TargetTable.objects.update(status=TargetTable.Status.APPROVED)
    library_rebuild()


@pytest.mark.parametrize(
    ("project_name", "fund_type"),
    [
        ("2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金", "家庭医生签约"),
        ("2020年中央财政医疗救助补助资金（第二批）", "医疗救助"),
        ("城乡居民建档立卡患者医疗保障救助县级补助资金", "医疗救助"),
        ("城乡居民医疗保险县级配套资金", "城乡居民医保"),
        ("贫困人口参保资助县级补助资金", "城乡居民医保"),
        ("城乡居民基本医疗保险代办员补助资金", "医保经办与监管"),
        ("医保局慢性病鉴定、基金监管经费", "医保经办与监管"),
        ("个人计生奖励扶助经费", "计划生育"),
        ("城镇独生子女父母个人奖励项目", "计划生育"),
        ("开展基本公共卫生服务项目", "公共卫生"),
        ("健康教育印刷费、购买除“四害”药物专用材料费", "公共卫生"),
        ("解决历史欠账资金", "其他"),
    ],
)
def test_fund_type_rules(project_name, fund_type):
    assert fund_type_for(project_name) == fund_type


def test_numbering_and_spaces_are_dropped_from_names():
    assert clean_indicator_name("指标1：居民签约服务知晓率") == "居民签约服务知晓率"
    assert clean_indicator_name("社会效益\n指标") == "社会效益指标"
    assert clean_indicator_name("2型糖尿病患者规范管理率") == "2型糖尿病患者规范管理率"


def test_demo_library_holds_every_named_third_level_indicator(demo):
    assert LibraryIndicator.objects.count() == library_rebuild() > 50
    names = set(LibraryIndicator.objects.values_list("name", flat=True))
    assert {"居民签约服务知晓率", "“一站式”即时结算覆盖率", "政策范围内报销比例"} <= names
    assert not any(name.startswith("指标") and "：" in name for name in names)
    assert "" not in names  # seed 002's unnamed summary cells give no entry


def test_misplaced_indicator_is_filed_where_the_framework_says(demo):
    entry = LibraryIndicator.objects.get(name="“一站式”即时结算覆盖率")
    assert (entry.first_level_name, entry.category_name) == ("产出指标", "时效指标")
    assert entry.category.name == "时效指标"


def test_values_used_before_most_used_first(demo):
    [entry] = library_search(organisation_id=None, query="受益人口满意度", fund_type="医疗救助")
    assert entry.values == ["≥85%", "≥90%"]
    assert entry.use_count == 3
    assert entry.description and entry.basis


def test_search_by_words_category_and_fund_type(demo, django_assert_num_queries):
    satisfaction = FrameworkCategory.objects.get(generation="2015", name="服务对象满意度指标")
    with django_assert_num_queries(1):
        entries = library_search(
            organisation_id=None, query="满意", category_id=satisfaction.pk, limit=100
        )
    assert entries and all("满意" in e.name or "满意" in e.description for e in entries)
    assert all(e.category_name == "服务对象满意度指标" for e in entries)
    counts = [e.use_count for e in entries]
    assert counts == sorted(counts, reverse=True)
    assert library_search(organisation_id=None, query="签约 知晓") and all(
        "签约" in e.name + e.description and "知晓" in e.name + e.description
        for e in library_search(organisation_id=None, query="签约 知晓")
    )
    assert {
        e.fund_type
        for e in library_search(organisation_id=None, fund_type="家庭医生签约", limit=100)
    } == {"家庭医生签约"}
    assert len(library_search(organisation_id=None, limit=3)) == 3
    assert library_search(organisation_id=None, query="不存在的指标名称") == []


def test_categories_and_fund_types_for_grouping(demo):
    categories = dict((c.name, n) for c, n in library_categories(organisation_id=None))
    assert categories["时效指标"] >= 1
    assert sum(categories.values()) == LibraryIndicator.objects.exclude(category=None).count()
    fund_types = library_fund_types(organisation_id=None)
    assert fund_types[:2] == ["家庭医生签约", "医保经办与监管"]
    assert "医疗救助" in fund_types and "城乡居民医保" in fund_types


def test_rebuild_is_idempotent_and_keeps_ids(demo):
    before = dict(LibraryIndicator.objects.values_list("pk", "use_count"))
    assert library_rebuild() == len(before)
    assert dict(LibraryIndicator.objects.values_list("pk", "use_count")) == before


def test_rebuild_adds_counts_and_removes_unused_entries(demo):
    table = TargetTableFactory(project_name="某县家庭医生签约服务补助资金", status="approved")
    indicator_tree_create(
        table=table,
        nodes=[
            {
                "name": "满意度指标",
                "children": [
                    {
                        "name": "服务对象满意度指标",
                        "children": [
                            {"name": "签约对象满意度", "value": "≥92%"},
                            {"name": "一个全新的指标", "value": "≥1人"},
                        ],
                    }
                ],
            },
        ],
    )
    library_rebuild()
    [entry] = library_search(organisation_id=None, query="一个全新的指标")
    assert entry.fund_type == "家庭医生签约" and entry.values == ["≥1人"]
    [signed] = library_search(
        organisation_id=None, query="签约对象满意度", fund_type="家庭医生签约"
    )
    assert "≥92%" in signed.values and "≧85%" in signed.values
    table.delete()
    library_rebuild()
    assert library_search(organisation_id=None, query="一个全新的指标") == []


def test_rebuild_library_command_takes_in_new_values(demo):
    from io import StringIO

    from django.core.management import call_command

    from indicators.models import LibraryIndicator, PerformanceIndicator

    row = PerformanceIndicator.objects.filter(level=3, name="群众满意度").first()
    PerformanceIndicator.objects.filter(pk=row.pk).update(value_text="≥93%")
    out = StringIO()
    call_command("rebuild_library", stdout=out)
    assert out.getvalue().startswith("指标库已重建：")
    assert any(
        "≥93%" in entry.values for entry in LibraryIndicator.objects.filter(name="群众满意度")
    )


def test_a_draft_tables_rows_are_its_organisations_own_entries(demo):
    """After rebuild_library another bureau's draft wording is not in anyone else's library."""
    from perfgoals.models import Organisation, TargetTable

    table = TargetTableFactory(project_name="某县家庭医生签约服务补助资金")
    assert table.status == TargetTable.Status.DRAFT
    indicator_tree_create(
        table=table,
        nodes=[
            {
                "name": "产出指标",
                "children": [
                    {
                        "name": "数量指标",
                        "children": [{"name": "草稿里的秘密措辞", "value": "≥1人"}],
                    }
                ],
            },
        ],
    )
    library_rebuild()
    own = table.organisation_id
    other = Organisation.objects.exclude(pk=own).first().pk
    assert [e.name for e in library_search(organisation_id=own, query="秘密措辞")] == [
        "草稿里的秘密措辞"
    ]
    assert library_search(organisation_id=other, query="秘密措辞") == []
    assert library_search(organisation_id=None, query="秘密措辞") == []
    counts = dict((c.name, n) for c, n in library_categories(organisation_id=other))
    assert counts == dict((c.name, n) for c, n in library_categories(organisation_id=None))
