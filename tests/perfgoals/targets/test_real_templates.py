"""What real templates of other provinces have and the seeds do not, through the editor and
the read view: funds by source, codes, 项目来源, the framework choice, a department-wide
indicator tree, and the split value and scoring columns of an indicator row."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import PerformanceIndicator
from perfgoals.layouts import LAYOUTS, Layout
from perfgoals.models import TargetTable
from perfgoals.targets.checks import check_table
from tests.perfgoals.targets.test_editor import PROJECT, header_post

HTMX = {"HTTP_HX_REQUEST": "true"}
DEPARTMENT = "株洲市石峰区卫生和计划生育局"


@pytest.fixture
def table(demo):
    return TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)


@pytest.fixture
def department(demo):
    return TargetTable.objects.get(organisation__name=DEPARTMENT, layout=Layout.DEPARTMENT)


def department_post(table, **changes):
    data = {
        "version": table.version,
        "title": table.title,
        "project_name": table.project_name,
        "amount_unit": table.amount_unit,
        "amount_total": str(table.amount_total),
        "basic_expenditure": str(table.basic_expenditure),
        "project_expenditure": str(table.project_expenditure),
        "annual_goal": table.annual_goal,
        "output_description": table.output_description,
        "outcome_description": table.outcome_description,
    }
    data.update(changes)
    return data


# --- header fields ------------------------------------------------------------------------


def test_project_sources_and_framework_round_trip_through_the_header_form(client, login, table):
    login("ruili_health")
    url = reverse("tables:edit", args=[table.pk])
    page = client.get(url).content.decode()
    assert "指标体系版本" in page and "上年结转" in page
    assert '<option value="" selected>自动判断</option>' in page
    response = client.post(
        url,
        header_post(
            table,
            project_source="部门日常工作",
            amount_carryover="1,000.50",
            amount_general_budget="２.８８万元",
            amount_business_income="1",
            framework="2015",
        ),
    )
    assert response.status_code == 302
    table.refresh_from_db()
    assert table.project_source == "部门日常工作"
    assert (table.amount_carryover, table.amount_general_budget) == (
        Decimal("1000.50"),
        Decimal("2.88"),
    )
    assert (table.amount_business_income, table.amount_government_fund) == (Decimal("1"), None)
    assert table.framework == "2015"
    page = client.get(url).content.decode()
    assert 'value="1000.50"' in page and 'value="2015" selected' in page
    # Back to 自动判断: blank is stored, the year's default still resolves names.
    client.post(url, header_post(table, version=table.version, framework=""))
    table.refresh_from_db()
    assert table.framework == "" and table.framework_generation == "2015"


def test_a_negative_source_amount_is_refused_at_its_field(client, login, table):
    login("ruili_health")
    response = client.post(
        reverse("tables:edit", args=[table.pk]), header_post(table, amount_state_capital="-5")
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"amount_state_capital"}
    table.refresh_from_db()
    assert table.amount_state_capital is None and table.version == 1


def test_department_code_duties_and_sources_round_trip(client, login, department):
    login("shifeng_health")
    url = reverse("tables:edit", args=[department.pk])
    page = client.get(url).content.decode()
    assert "部门（单位）编码" in page and "部门职能职责概述" in page
    assert "上年结转" not in page  # a project field, not on the department-wide layout
    response = client.post(
        url,
        department_post(
            department,
            department_code="［０１５００１］",
            department_duties="负责全区卫生计生工作。",
            amount_general_budget="1500",
            framework="2021",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    department.refresh_from_db()
    assert department.department_code == "[015001]"
    assert department.department_duties == "负责全区卫生计生工作。"
    assert department.amount_general_budget == Decimal("1500")
    assert department.framework == "2021"


def test_a_malformed_department_code_is_refused(client, login, department):
    login("shifeng_health")
    response = client.post(
        reverse("tables:edit", args=[department.pk]),
        department_post(department, department_code="编码015001"),
    )
    assert response.status_code == 200
    assert "方括号" in response.context["form"].errors["department_code"][0]


def test_the_read_view_prints_new_header_fields_only_when_filled(client, login, table):
    login("ruili_health")
    url = reverse("tables:detail", args=[table.pk])
    page = client.get(url).content.decode()
    for label in ("项目来源", "上年结转", "一般公共预算", "资金来源"):
        assert label not in page
    TargetTable.objects.filter(pk=table.pk).update(
        project_source="党中央、国务院决策部署", amount_carryover=Decimal("1234.5")
    )
    page = client.get(url).content.decode()
    assert "项目来源" in page and "党中央、国务院决策部署" in page
    assert "上年结转" in page and "1,234.50万元" in page
    assert "一般公共预算" not in page


# --- the department-wide indicator tree -----------------------------------------------------


def test_a_department_table_takes_rows_and_then_shows_and_checks_its_tree(
    client, login, department
):
    login("shifeng_health")
    detail = reverse("tables:detail", args=[department.pk])
    assert 'id="tree"' not in client.get(detail).content.decode()
    codes = {finding.code for finding in check_table(department)}
    assert "required_category" not in codes  # a narrative table without rows stays valid
    response = client.post(
        reverse("tables:row_new", args=[department.pk]),
        {"version": department.version, "name": "产出指标"},
    )
    assert response.status_code == 302
    first = PerformanceIndicator.objects.get(table=department, level=1)
    client.post(
        reverse("tables:row_new", args=[department.pk]),
        {"version": department.version + 1, "parent": first.pk, "name": "数量指标"},
    )
    second = PerformanceIndicator.objects.get(table=department, level=2)
    client.post(
        reverse("tables:row_new", args=[department.pk]),
        {
            "version": department.version + 2,
            "parent": second.pk,
            "name": "家庭医生签约人数",
            "symbol": "≥",
            "target": "3000",
            "unit": "人",
        },
    )
    leaf = PerformanceIndicator.objects.get(table=department, level=3)
    assert leaf.value_text == "≥3000人"
    page = client.get(detail).content.decode()
    assert 'id="tree"' in page and "家庭医生签约人数" in page and "≥3000人" in page
    assert '<th class="cx cx-target">目标值</th>' in page
    department.refresh_from_db()
    codes = {finding.code for finding in check_table(department)}
    assert "required_category" in codes  # no 效益 or 满意度 yet: the tree is checked


# --- indicator columns ----------------------------------------------------------------------


def test_an_optional_column_shows_when_a_row_fills_it(client, login, table):
    login("ruili_health")
    url = reverse("tables:detail", args=[table.pk])
    assert "评（扣）分标准" not in client.get(url).content.decode()
    row = PerformanceIndicator.objects.get(table=table, name="指标2：基层就诊率")
    PerformanceIndicator.objects.filter(pk=row.pk).update(scoring="每低1个百分点扣1分")
    page = client.get(url).content.decode()
    assert "评（扣）分标准</th>" in page and "每低1个百分点扣1分" in page
    assert "绩效标准</th>" not in page


def test_a_column_the_layout_declares_shows_when_empty(client, login, table, monkeypatch):
    spec = LAYOUTS[Layout.PROJECT]
    monkeypatch.setitem(LAYOUTS, Layout.PROJECT, replace(spec, indicator_columns=("standard",)))
    login("ruili_health")
    page = client.get(reverse("tables:edit", args=[table.pk])).content.decode()
    assert "绩效标准</th>" in page and "评（扣）分标准</th>" not in page


def test_the_row_form_edits_the_split_value_and_the_texts(client, login, table):
    login("ruili_health")
    row = PerformanceIndicator.objects.get(table=table, name="指标2：基层就诊率")
    url = reverse("tables:row_edit", args=[row.pk])
    page = client.get(url, **HTMX).content.decode()
    assert 'name="target"' in page and 'name="scoring"' in page
    response = client.post(
        url,
        {
            "version": table.version,
            "name": row.name,
            "value_text": "",
            "symbol": "≥",
            "target": "65",
            "unit": "%",
            "value_explanation": "参照上年",
            "standard": "省定标准",
            "scoring": "未达标不得分",
        },
        **HTMX,
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert (row.value_text, row.symbol, row.scoring) == ("≥65%", "≥", "未达标不得分")
    page = response.content.decode()
    for label in ("计算符号</th>", "目标值</th>", "指标值说明</th>", "未达标不得分"):
        assert label in page
