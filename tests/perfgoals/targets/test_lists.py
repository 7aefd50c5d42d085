"""The target-table list at /tables/: scope, filters, sorting, pages, export as shown."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import lxml.html
import pytest
from openpyxl import load_workbook

from allocations.models import FundNotice, NoticeRecipient
from perfgoals.models import TargetTable, User
from perfgoals.selectors import table_is_editable_by, target_tables_visible_to
from perfgoals.targets.lists import LIST_COLUMNS, PER_PAGE
from perfgoals.targets.selectors import target_tables_for_list
from tests.factories import (
    FundNoticeFactory,
    OrganisationFactory,
    TargetTableFactory,
    UserFactory,
)

URL = "/tables/"
# session, user (with its organisation: perfgoals.accounts.backends), what the visible tables
# hold with their organisations' names (one read for three filters' choices), the notice
# choices, the page of rows and, when they fill more than a page, their count.
LIST_QUERIES = 6
# session, user, what the visible tables hold (the filters validate against it), the rows, the
# audit log's line.
EXPORT_QUERIES = 5
# The columns of both export formats, as staff see them in Excel.
EXPORT_HEADERS = [
    "项目名称",
    "项目编码",
    "填报单位",
    "年度",
    "表样",
    "资金总额",
    "金额单位",
    "状态",
    "修改时间",
]

pytestmark = pytest.mark.django_db


def page_records(response) -> list[TargetTable]:
    return [row.record for row in response.context["table"].page.object_list]


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_sheet(response):
    return load_workbook(io.BytesIO(response.content)).active


@pytest.fixture
def world(db):
    """Two bureaus in one county: the user's own and a neighbour whose tables must stay hidden."""
    mine = OrganisationFactory(name="甲县卫生健康局")
    other = OrganisationFactory(name="乙县医疗保障局", region=mine.region)
    user = UserFactory(organisation=mine, username="jia_health")
    notice = FundNoticeFactory(
        title="关于下达甲县测试补助资金的通知",
        status=FundNotice.Status.ISSUED,
        issuer_code="甲财社",
        doc_year=2020,
        doc_serial=12,
    )
    NoticeRecipient.objects.create(notice=notice, organisation=mine)
    # A notice not addressed to the user is no filter choice, even if a table cites it.
    unseen = FundNoticeFactory(title="乙县内部通知")
    tables = {
        "small_wan": TargetTableFactory(
            organisation=mine,
            project_name="家庭医生签约服务补助",
            project_code="JIA-001",
            amount_total=Decimal("5"),
            amount_unit="wan",
            year=2020,
            notice=notice,
        ),
        "big_yuan": TargetTableFactory(
            organisation=mine,
            project_name="城乡居民医保工作经费",
            project_code="JIA-002",
            amount_total=Decimal("90100"),
            amount_unit="yuan",
            year=2021,
            layout=TargetTable.Layout.DEPT_PROJECT,
            status=TargetTable.Status.SUBMITTED,
        ),
        "tiny_yuan": TargetTableFactory(
            organisation=mine,
            project_name="慢性病鉴定经费",
            project_code="JIA-003",
            amount_total=Decimal("1000"),
            amount_unit="yuan",
            year=2021,
            layout=TargetTable.Layout.DEPT_PROJECT,
        ),
        "hidden": TargetTableFactory(
            organisation=other,
            project_name="乙县保密项目",
            project_code="YI-999",
            year=2021,
        ),
        "unseen_notice": TargetTableFactory(
            organisation=mine,
            project_name="引用未送达通知的表",
            year=2019,
            notice=unseen,
            status=TargetTable.Status.APPROVED,
            amount_total=Decimal("200"),
        ),
    }
    return {"user": user, "mine": mine, "other": other, "notice": notice, "tables": tables}


# --- access -----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get(URL, {"year": "2020"})
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/tables/%3Fyear%3D2020"


def test_anonymous_export_is_sent_to_login(client):
    response = client.get(URL, {"export": "csv"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("username", ["ruili_health", "shunping_medsec", "ruili_finance", "admin"])
def test_demo_users_get_their_list(client, login, username):
    user = login(username)
    response = client.get(URL)
    assert response.status_code == 200
    visible = target_tables_visible_to(user)
    assert response.context["table"].paginator.count == visible.count()
    assert {t.pk for t in page_records(response)} <= set(visible.values_list("pk", flat=True))


# --- scope ------------------------------------------------------------------------------


def test_health_bureau_sees_no_other_organisation_in_list_or_exports(client, login):
    user = login("ruili_health")
    visible = set(target_tables_visible_to(user).values_list("pk", flat=True))
    # 顺平 and 石峰 tables exist in the demo but belong to bureaus in other provinces.
    foreign = TargetTable.objects.exclude(pk__in=visible)
    assert foreign.filter(organisation__name="顺平县医疗保障局").exists()

    page = client.get(URL)
    assert {t.pk for t in page_records(page)} == visible
    html = page.content.decode()
    for table in foreign:
        assert table.project_name not in html

    exported_names = {row[0] for row in csv_rows(client.get(URL, {"export": "csv"}))[1:]}
    sheet = xlsx_sheet(client.get(URL, {"export": "xlsx"}))
    xlsx_names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    expected = set(
        TargetTable.objects.filter(pk__in=visible).values_list("project_name", flat=True)
    )
    assert exported_names == expected
    assert xlsx_names == expected
    assert not any(name.startswith("冀财社") for name in exported_names | xlsx_names)


def test_neighbour_table_is_absent_from_page_filters_and_exports(client, world):
    client.force_login(world["user"])
    response = client.get(URL)
    html = response.content.decode()
    assert "乙县保密项目" not in html
    # Nor is the neighbour bureau offered as a filter choice.
    assert "乙县医疗保障局" not in html
    choices = response.context["filter"].form.fields["organisation"].choices
    assert [choice for choice in choices if choice[0] != ""] == [
        (world["mine"].pk, world["mine"].name)
    ]

    for fmt in ("csv", "xlsx"):
        body = client.get(URL, {"export": fmt}).content
        if fmt == "xlsx":
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                body = b"".join(archive.read(name) for name in archive.namelist())
        assert "乙县保密项目".encode() not in body
        assert b"YI-999" not in body


def test_filtering_by_a_hidden_organisation_shows_nothing(client, world):
    client.force_login(world["user"])
    response = client.get(URL, {"organisation": world["other"].pk})
    assert page_records(response) == []
    assert response.context["filter"].form.errors["organisation"]

    export = client.get(URL, {"organisation": world["other"].pk, "export": "csv"})
    assert csv_rows(export) == [EXPORT_HEADERS]


# --- filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"small_wan", "big_yuan", "tiny_yuan", "unseen_notice"}),
        ({"year": "2021"}, {"big_yuan", "tiny_yuan"}),
        ({"year": "2020"}, {"small_wan"}),
        ({"layout": "dept_project"}, {"big_yuan", "tiny_yuan"}),
        ({"status": "submitted"}, {"big_yuan"}),
        ({"status": "draft", "year": "2021"}, {"tiny_yuan"}),
        ({"q": "医保"}, {"big_yuan"}),
        ({"q": "jia-003"}, {"tiny_yuan"}),
        ({"q": "  "}, {"small_wan", "big_yuan", "tiny_yuan", "unseen_notice"}),
        ({"status": "approved"}, {"unseen_notice"}),
        ({"q": "乙县"}, set()),
    ],
)
def test_filters_change_the_rows(client, world, params, expected):
    client.force_login(world["user"])
    response = client.get(URL, params)
    names = {key for key, t in world["tables"].items() if t in page_records(response)}
    assert names == expected


def test_filter_by_notice_and_organisation(client, world):
    client.force_login(world["user"])
    by_notice = client.get(URL, {"notice": world["notice"].pk})
    assert page_records(by_notice) == [world["tables"]["small_wan"]]
    by_org = client.get(URL, {"organisation": world["mine"].pk})
    assert len(page_records(by_org)) == 4
    notice_choices = by_notice.context["filter"].form.fields["notice"].choices
    assert notice_choices == [("", "全部通知"), (world["notice"].pk, str(world["notice"]))]


def test_year_choices_come_from_visible_tables(client, world):
    TargetTableFactory(organisation=world["other"], year=2018)
    client.force_login(world["user"])
    response = client.get(URL)
    choices = [value for value, _ in response.context["filter"].form.fields["year"].choices]
    assert choices == ["", 2021, 2020, 2019]


# --- sorting ----------------------------------------------------------------------------


def test_amount_sorts_by_value_in_yuan_not_by_the_typed_number(client, world):
    client.force_login(world["user"])
    t = world["tables"]
    # 5万元 = 50,000元 sits between 1,000元 and 90,100元.
    ascending = page_records(client.get(URL, {"sort": "amount"}))
    assert ascending[:3] == [t["tiny_yuan"], t["small_wan"], t["big_yuan"]]
    descending = page_records(client.get(URL, {"sort": "-amount", "year": "2021"}))
    assert descending == [t["big_yuan"], t["tiny_yuan"]]


def test_sorting_by_columns_changes_the_order(client, world):
    client.force_login(world["user"])
    by_year = page_records(client.get(URL, {"sort": "year"}))
    assert [r.year for r in by_year] == [2019, 2020, 2021, 2021]
    by_year_desc = page_records(client.get(URL, {"sort": "-year"}))
    assert [r.year for r in by_year_desc] == [2021, 2021, 2020, 2019]
    # Workflow order (草稿, 退回, 待初审, 待复审, 已批准, 未通过), not the codes' order.
    by_status = page_records(client.get(URL, {"sort": "status"}))
    assert [r.status for r in by_status] == ["draft", "draft", "submitted", "approved"]
    by_status_desc = page_records(client.get(URL, {"sort": "-status"}))
    assert [r.status for r in by_status_desc] == ["approved", "submitted", "draft", "draft"]
    by_name = page_records(client.get(URL, {"sort": "project_name"}))
    assert [r.project_name for r in by_name] == sorted(r.project_name for r in by_name)
    assert page_records(client.get(URL, {"sort": "-project_name"})) == by_name[::-1]


def test_unfiltered_first_pages_one_after_another_are_each_users_own(client, world):
    """An unfiltered first page is read with SQL kept per scope and sort (prepared_rows):
    the next user's page is its own, a new table shows, and a filter still applies."""
    neighbour = UserFactory(organisation=world["other"], username="yi_medsec")

    def names(**params):
        return {record.project_name for record in page_records(client.get(URL, params))}

    client.force_login(world["user"])
    mine = names()
    assert len(mine) == 4 and "乙县保密项目" not in mine
    assert names(year="2021") == {"城乡居民医保工作经费", "慢性病鉴定经费"}
    assert names(year="") == mine
    assert names(organisation=world["other"].pk) == set()  # refused: no rows
    client.force_login(neighbour)
    assert names() == {"乙县保密项目"}
    TargetTableFactory(organisation=world["other"], project_name="乙县新表")
    assert names() == {"乙县保密项目", "乙县新表"}
    client.force_login(world["user"])
    assert names() == mine


def test_sort_and_filters_survive_in_links(client, world):
    client.force_login(world["user"])
    html = client.get(URL, {"sort": "-amount", "year": "2021"}).content.decode()
    assert 'name="sort" value="-amount"' in html
    assert "export=xlsx" in html and "sort=-amount" in html and "year=2021" in html


# --- display ----------------------------------------------------------------------------


def test_amounts_are_shown_with_separators_and_unit(client, world):
    client.force_login(world["user"])
    html = client.get(URL).content.decode()
    assert "90,100.00 元" in html
    assert "5.00 万元" in html


def test_a_row_prints_its_cells(client, world):
    t = world["tables"]["small_wan"]
    TargetTable.objects.filter(pk=t.pk).update(
        updated_at=datetime.datetime(2020, 9, 23, 2, 5, tzinfo=datetime.UTC)
    )
    TargetTableFactory(organisation=world["mine"], project_name="未填金额的表", amount_total=None)
    client.force_login(world["user"])
    response = client.get(URL + "?sort=project_name")
    rows = lxml.html.fromstring(response.content).xpath("//table[@id='target-tables']/tbody/tr")
    cells = {}
    for row in rows:
        texts = [" ".join(td.text_content().split()) for td in row.findall("td")]
        cells[texts[0]] = texts
    assert cells["家庭医生签约服务补助JIA-001"] == [
        "家庭医生签约服务补助JIA-001",
        "甲县卫生健康局",
        "2020",
        t.get_layout_display(),
        "5.00 万元",
        "草稿",
        "2020-09-23 10:05",  # Asia/Shanghai
        "查看 · 编辑",
    ]
    assert cells["未填金额的表"][4] == "—"
    heads = lxml.html.fromstring(response.content).xpath("//table[@id='target-tables']/thead//th")
    assert [(th.text_content(), th.get("aria-sort")) for th in heads][:2] == [
        ("项目名称", "ascending"),
        ("填报单位", None),
    ]
    assert heads[0].find("a").get("href") == "?sort=-project_name"
    first = rows[0].find("td/a")
    assert first.get("href") == f"/tables/{TargetTable.objects.get(project_name=first.text).pk}/"


def test_edit_link_only_for_own_editable_tables(client, world):
    client.force_login(world["user"])
    html = client.get(URL).content.decode()
    t = world["tables"]
    assert f"/tables/{t['small_wan'].pk}/edit/" in html
    assert f"/tables/{t['big_yuan'].pk}/edit/" not in html  # submitted: read only


def test_list_rows_are_the_visible_tables_and_tell_which_are_editable_in_one_query(
    world, django_assert_num_queries
):
    user = world["user"]
    with django_assert_num_queries(1):
        rows = {
            table.pk: table_is_editable_by(table, user)
            for table in target_tables_for_list(user=user, columns=LIST_COLUMNS)
        }
    t = world["tables"]
    assert t["hidden"].pk not in rows
    assert rows[t["small_wan"].pk] is True
    assert rows[t["tiny_yuan"].pk] is True
    assert rows[t["big_yuan"].pk] is False
    assert rows[t["unseen_notice"].pk] is False


# --- pagination -------------------------------------------------------------------------


@pytest.fixture
def thirty_tables(db):
    org = OrganisationFactory()
    user = UserFactory(organisation=org)
    for n in range(30):
        TargetTableFactory(organisation=org, project_name=f"分页项目{n:02d}")
    return user


def test_pages_hold_25_rows(client, thirty_tables):
    client.force_login(thirty_tables)
    first = client.get(URL, {"sort": "project_name"})
    second = client.get(URL, {"sort": "project_name", "page": 2})
    assert len(page_records(first)) == 25
    assert [r.project_name for r in page_records(second)] == [f"分页项目{n}" for n in range(25, 30)]
    assert "下一页" in first.content.decode()
    # Out-of-range pages fall back to the last page; the page size cannot be raised.
    assert page_records(client.get(URL, {"sort": "project_name", "page": 99})) == page_records(
        second
    )
    assert len(page_records(client.get(URL, {"per_page": 1000}))) == 25


# --- export as shown --------------------------------------------------------------------


def test_export_contains_every_filtered_row_in_the_shown_order(client, thirty_tables):
    client.force_login(thirty_tables)
    params = {"sort": "-project_name", "q": "分页项目1", "page": 1}
    shown = [r.project_name for r in page_records(client.get(URL, params))]
    rows = csv_rows(client.get(URL, {**params, "export": "csv"}))
    assert rows[0] == EXPORT_HEADERS
    assert [r[0] for r in rows[1:]] == shown == [f"分页项目1{n}" for n in range(9, -1, -1)]

    everything = csv_rows(client.get(URL, {"export": "csv", "page": 2}))
    assert len(everything) == 31  # all rows, not only the current page


def test_export_files_have_typed_cells(client, world):
    client.force_login(world["user"])
    response = client.get(URL, {"export": "xlsx", "sort": "amount"})
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in response["Content-Disposition"]
    sheet = xlsx_sheet(response)
    assert [c.value for c in sheet[1]] == EXPORT_HEADERS
    first = sheet[2]
    assert first[0].value == "慢性病鉴定经费"
    assert first[3].value == 2021
    assert first[5].value == 1000 and first[5].number_format == "#,##0.00"
    assert first[6].value == "元"
    assert sheet[3][5].value == 5 and sheet[3][6].value == "万元"

    text = client.get(URL, {"export": "csv", "sort": "amount"})
    assert text["Content-Type"].startswith("text/csv")
    rows = csv_rows(text)
    assert rows[1][:8] == [
        "慢性病鉴定经费",
        "JIA-003",
        "甲县卫生健康局",
        "2021",
        "部门预算项目绩效目标表",
        "1000.00",
        "元",
        "草稿",
    ]


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil.example","点我")', "+1+2", "-3", "@SUM(A1)"]
)
def test_formula_looking_text_is_exported_as_text(client, world, text):
    TargetTableFactory(organisation=world["mine"], project_name=text, project_code="=1+1")
    client.force_login(world["user"])
    response = client.get(URL, {"export": "xlsx", "q": text})
    sheet = xlsx_sheet(response)
    name_cell, code_cell = sheet["A2"], sheet["B2"]
    assert name_cell.value == text and name_cell.data_type == "s"
    assert code_cell.value == "=1+1" and code_cell.data_type == "s"
    assert name_cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml

    rows = csv_rows(client.get(URL, {"export": "csv", "q": text}))
    assert rows[1][0] == "'" + text
    assert rows[1][1] == "'=1+1"


# --- query counts -----------------------------------------------------------------------


def make_bureau_with_tables(count: int) -> User:
    org = OrganisationFactory()
    notice = FundNoticeFactory()
    for n in range(count):
        TargetTableFactory(organisation=org, notice=notice if n % 2 else None)
    return UserFactory(organisation=org)


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_count_is_constant(client, django_assert_num_queries, count):
    user = make_bureau_with_tables(count)
    client.force_login(user)
    # Five tables fit on the first page, which counts them: no COUNT.
    with django_assert_num_queries(LIST_QUERIES if count > PER_PAGE else LIST_QUERIES - 1):
        response = client.get(URL, {"sort": "-amount", "year": "2020"})
    assert len(page_records(response)) == min(count, 25)


@pytest.mark.parametrize("count", [5, 50])
def test_export_query_count_is_constant(client, django_assert_num_queries, count):
    user = make_bureau_with_tables(count)
    client.force_login(user)
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(URL, {"export": "xlsx", "sort": "organisation"})
    assert xlsx_sheet(response).max_row == count + 1


def test_list_query_count_for_administrator(client, login, django_assert_num_queries):
    organisation = make_bureau_with_tables(30).organisation
    login("admin")
    # A bound organisation filter is checked against the choices read with the tables: no
    # query more than a bureau's unfiltered page.
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(URL, {"organisation": organisation.pk})
    assert page_records(response)
