"""An indicator's 指标值确定依据 cites a policy paragraph or a notice the organisation may see,
and the table prints the citation in that column (seed 004's layout C)."""

from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from allocations.models import FundNotice, PolicyDocument, PolicyParagraph
from allocations.selectors import policy_paragraphs_visible_to
from indicators.models import PerformanceIndicator
from indicators.selectors import attach_basis_sources
from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.xlsx import render_xlsx
from perfgoals.models import Organisation, Region, TargetTable, User
from perfgoals.targets.checks import check_table
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEBEI_POLICY = "冀测试〔2019〕7号"
CITATION = f"{HEBEI_POLICY} 第三条 医疗救助标准"


@pytest.fixture
def hebei_paragraph(demo) -> PolicyParagraph:
    """A provincial policy: it applies to 顺平县 (河北省 → 保定市 → 顺平县)."""
    policy = PolicyDocument.objects.create(
        doc_number=HEBEI_POLICY,
        title="河北省医疗救助办法（测试）",
        issuer_name="河北省财政厅",
        region=Region.objects.get(name="河北省"),
        issued_on=date(2019, 10, 8),
    )
    return PolicyParagraph.objects.create(
        document=policy, position=1, number="第三条", heading="医疗救助标准", text="按年度核定。"
    )


@pytest.fixture
def smx_paragraph(demo) -> PolicyParagraph:
    return PolicyParagraph.objects.get(document__doc_number="三政办〔2019〕2号", number="四（一）1")


@pytest.fixture
def table(demo) -> TargetTable:
    """A 部门项目 table of seed 004: layout C, with the 指标值确定依据 column."""
    return (
        TargetTable.objects.filter(organisation__name="顺平县医疗保障局", layout="dept_project")
        .order_by("sequence", "pk")
        .first()
    )


@pytest.fixture
def leaf(table) -> PerformanceIndicator:
    return PerformanceIndicator.objects.filter(table=table, level=3).order_by("pk").first()


def edit_url(row: PerformanceIndicator) -> str:
    return reverse("tables:row_edit", args=[row.pk])


def post_row(client, row: PerformanceIndicator, **changes):
    row.table.refresh_from_db()
    data = {
        "version": row.table.version,
        "name": row.name,
        "value_text": row.value_text,
        "description": row.description,
        "basis": row.basis,
        **changes,
    }
    return client.post(edit_url(row), data)


def select(page: str, name: str) -> str:
    return page.split(f'name="{name}"')[1].split("</select>")[0]


def test_paragraphs_offered_are_those_of_the_users_region_and_above(hebei_paragraph):
    shunping = User.objects.get(username="shunping_medsec")
    smx_bureau = Organisation.objects.get(name="三门峡市人民政府办公室")
    smx_user = UserFactory(organisation=smx_bureau)
    assert set(policy_paragraphs_visible_to(shunping)) == {hebei_paragraph}
    seen_in_smx = {p.document.doc_number for p in policy_paragraphs_visible_to(smx_user)}
    assert seen_in_smx == {"三政办〔2019〕2号"}
    ruili = User.objects.get(username="ruili_health")
    assert not policy_paragraphs_visible_to(ruili).exists()
    assert policy_paragraphs_visible_to(User.objects.get(username="admin")).count() == 34


def test_the_row_form_offers_only_what_the_organisation_may_cite(
    client, login, leaf, hebei_paragraph
):
    login("shunping_medsec")
    page = client.get(edit_url(leaf)).content.decode()
    paragraphs = select(page, "basis_paragraph")
    assert CITATION in paragraphs and "三政办" not in paragraphs
    notices = select(page, "basis_notice")
    assert "冀财社〔2019〕101号《河北省财政厅关于提前下达2020年" in notices
    assert "瑞财社" not in notices and "德财社" not in notices


def test_a_cited_paragraph_prints_in_the_basis_column(client, login, table, leaf, hebei_paragraph):
    login("shunping_medsec")
    response = post_row(client, leaf, basis="历年救助人次", basis_paragraph=hebei_paragraph.pk)
    assert response.status_code == 302, response.content.decode()[:2000]
    leaf.refresh_from_db()
    assert leaf.basis_paragraph == hebei_paragraph and leaf.basis_notice is None
    assert leaf.basis_printed == f"{CITATION}；历年救助人次"
    page = client.get(reverse("tables:detail", args=[table.pk])).content.decode()
    assert f"{CITATION}；历年救助人次" in page
    content = render_xlsx(build_document("target", resolve("target", str(table.pk), None)))
    cells = [c.value for row in load_workbook(BytesIO(content)).active.iter_rows() for c in row]
    assert f"{CITATION}；历年救助人次" in cells


def test_a_cited_notice_prints_with_its_title_and_fills_the_basis(client, login, table, leaf):
    login("shunping_medsec")
    notice = FundNotice.objects.get(issuer_code="冀财社", doc_year=2019, doc_serial=101)

    def basis_empty() -> bool:
        return any(
            f.code == "basis_empty" and f.indicator_id == leaf.pk for f in check_table(table)
        )

    assert post_row(client, leaf, basis="").status_code == 302
    assert basis_empty()
    assert post_row(client, leaf, basis="", basis_notice=notice.pk).status_code == 302
    leaf.refresh_from_db()
    assert leaf.basis_printed == f"冀财社〔2019〕101号《{notice.title}》"
    assert not basis_empty()


def test_the_pages_read_the_cited_sources_once_whatever_how_many_rows_cite(
    client, login, table, hebei_paragraph, warm_framework
):
    """The sources are read apart from the rows (one query per kind cited), never per row."""
    login("shunping_medsec")
    notice = FundNotice.objects.get(issuer_code="冀财社", doc_year=2019, doc_serial=101)
    leaves = list(PerformanceIndicator.objects.filter(table=table, level=3).order_by("pk"))
    assert len(leaves) >= 3

    def queries(url: str) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url).content.decode()
        return len(captured), page

    PerformanceIndicator.objects.filter(pk=leaves[0].pk).update(basis_paragraph=hebei_paragraph)
    PerformanceIndicator.objects.filter(pk=leaves[1].pk).update(basis_notice=notice)
    for name in ("tables:detail", "tables:edit"):
        url = reverse(name, args=[table.pk])
        few, _ = queries(url)
        PerformanceIndicator.objects.filter(pk__in=[row.pk for row in leaves[2:]]).update(
            basis_paragraph=hebei_paragraph
        )
        many, page = queries(url)
        assert many == few, name
        assert page.count(CITATION) >= len(leaves) - 1 and "冀财社〔2019〕101号《" in page


def test_another_regions_paragraph_is_refused_at_the_field(client, login, leaf, smx_paragraph):
    login("shunping_medsec")
    version = leaf.table.version
    response = post_row(client, leaf, basis_paragraph=smx_paragraph.pk)
    assert "所选政策条款不存在，或不适用于本单位所在地区。" in response.content.decode()
    leaf.refresh_from_db()
    leaf.table.refresh_from_db()
    assert leaf.basis_paragraph is None and leaf.table.version == version


def test_a_notice_the_bureau_cannot_see_is_refused(client, login, leaf):
    login("shunping_medsec")
    ruili = FundNotice.objects.get(issuer_code="瑞财社", doc_year=2020, doc_serial=296)
    response = post_row(client, leaf, basis_notice=ruili.pk)
    assert "所选通知不存在，或本单位不能查看。" in response.content.decode()
    leaf.refresh_from_db()
    assert leaf.basis_notice is None


def test_only_one_source_may_be_cited(client, login, leaf, hebei_paragraph):
    login("shunping_medsec")
    notice = FundNotice.objects.get(issuer_code="冀财社", doc_year=2019, doc_serial=101)
    response = post_row(client, leaf, basis_paragraph=hebei_paragraph.pk, basis_notice=notice.pk)
    assert "指标值确定依据只能引用一个政策条款或一个通知，请只选一个。" in response.content.decode()
    leaf.refresh_from_db()
    assert leaf.basis_paragraph is None and leaf.basis_notice is None


def test_rows_rebuilt_from_a_snapshot_load_their_sources_in_one_query_each(
    django_assert_num_queries, hebei_paragraph
):
    notice = FundNotice.objects.get(issuer_code="冀财社", doc_year=2019, doc_serial=101)
    rows = [
        PerformanceIndicator(basis_paragraph_id=hebei_paragraph.pk, basis="依据"),
        PerformanceIndicator(basis_notice_id=notice.pk),
        PerformanceIndicator(basis_paragraph_id=10**9),  # deleted since: prints nothing
        PerformanceIndicator(basis="只有文字"),
    ]
    with django_assert_num_queries(2):
        attach_basis_sources(rows)
        printed = [row.basis_printed for row in rows]
    assert printed == [f"{CITATION}；依据", notice.citation, "", "只有文字"]
    with django_assert_num_queries(0):
        attach_basis_sources([PerformanceIndicator(basis="x")])


@pytest.mark.parametrize("value", ["9" * 30, "-1", "abc", "1.5"])
def test_a_malformed_or_huge_id_is_refused_without_an_error_page(client, login, leaf, value):
    login("shunping_medsec")
    response = post_row(client, leaf, basis_paragraph=value, basis_notice=value)
    assert response.status_code == 200
    page = response.content.decode()
    assert "所选政策条款不存在，或不适用于本单位所在地区。" in page
    assert "所选通知不存在，或本单位不能查看。" in page
    leaf.refresh_from_db()
    assert leaf.basis_paragraph is None and leaf.basis_notice is None


# --- a copied tree keeps what its bases cite -----------------------------------------------


def test_copying_last_years_table_keeps_the_cited_paragraph_and_notice(table, hebei_paragraph):
    from perfgoals.targets.creation import target_table_create

    notice = FundNotice.objects.get(issuer_code="冀财社", doc_year=2019, doc_serial=101)
    first, second = PerformanceIndicator.objects.filter(table=table, level=3).order_by("pk")[:2]
    PerformanceIndicator.objects.filter(pk=first.pk).update(basis_paragraph=hebei_paragraph)
    PerformanceIndicator.objects.filter(pk=second.pk).update(basis_notice=notice)

    copy = target_table_create(
        user=User.objects.get(username="shunping_medsec"),
        layout=table.layout,
        year=table.year + 1,
        project_name="",
        copy_from_id=table.pk,
    )
    cited = {
        row.name: (row.basis_paragraph_id, row.basis_notice_id)
        for row in PerformanceIndicator.objects.filter(table=copy, level=3)
        if row.basis_paragraph_id or row.basis_notice_id
    }
    assert cited == {first.name: (hebei_paragraph.pk, None), second.name: (None, notice.pk)}


def test_a_recipients_draft_keeps_what_the_upper_tables_bases_cite(demo):
    from allocations.services import issuing
    from tests.allocations.conftest import build_seed_000, upper_table

    upper = upper_table()
    policy = PolicyDocument.objects.create(
        doc_number="云测试〔2020〕3号",
        title="云南省家庭医生签约服务考核办法（测试）",
        issuer_name="云南省卫生健康委员会",
        region=Region.objects.get(name="云南省"),
        issued_on=date(2020, 3, 2),
    )
    paragraph = PolicyParagraph.objects.create(
        document=policy, position=1, number="第五条", heading="满意度", text="不低于85%。"
    )
    cited = PerformanceIndicator.objects.filter(table=upper, level=3).order_by("pk").first()
    PerformanceIndicator.objects.filter(pk=cited.pk).update(basis_paragraph=paragraph)

    finance = User.objects.get(username="ruili_finance")
    notice = build_seed_000(finance, upper_table=upper)
    issuing.notice_issue(notice=notice, user=finance, expected_version=notice.version)
    copied = PerformanceIndicator.objects.get(
        table__notice=notice, table__organisation__name="瑞丽市卫生健康局", upper_indicator=cited
    )
    assert (copied.basis_paragraph_id, copied.basis_notice_id) == (paragraph.pk, None)
    assert copied.basis_printed == PerformanceIndicator.objects.get(pk=cited.pk).basis_printed
    assert copied.basis_printed.startswith("云测试〔2020〕3号 第五条")
