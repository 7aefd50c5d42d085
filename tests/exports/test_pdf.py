import logging
from io import BytesIO

import pytest
from pypdf import PdfReader

from perfgoals.exports.fetcher import STATIC_BASE, FetchRefused, StaticOnlyFetcher
from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.pdf import document_html, render_html, render_pdf
from perfgoals.models import Organisation, TargetTable
from tests.exports.helpers import assert_in_order, pdf_text, printed_sequence

pytestmark = pytest.mark.django_db


def export_pdf(kind: str, ident) -> bytes:
    return render_pdf(build_document(kind, resolve(kind, str(ident), None)))


def test_every_indicator_of_every_seed_table_prints_in_order(demo):
    tables = TargetTable.objects.filter(
        layout__in=["project", "transfer", "dept_project"]
    ).order_by("pk")
    assert tables.count() == 19  # seed 000 附件2+3, seed 001 附件3, seed 004's 16 tables
    for table in tables:
        text = pdf_text(export_pdf("target", table.pk))
        assert_in_order(text, [table.project_name, *printed_sequence(table)])


def test_values_print_verbatim_as_typed(demo):
    transfer = TargetTable.objects.get(layout="transfer")
    text = pdf_text(export_pdf("target", transfer.pk))
    assert "≧85%" in text and "补助资金到位率1" in text and "40.71万元" in text
    project = TargetTable.objects.get(layout="project", organisation__name="瑞丽市卫生健康局")
    text = pdf_text(export_pdf("target", project.pk))
    assert ">=97.9%" in text and ">=15307人" in text and "12元/人/年" in text


def test_seed_001_sub_items_print_under_their_indicator(demo):
    table = TargetTable.objects.get(layout="project", organisation__name="瑞丽市医疗保障局")
    text = pdf_text(export_pdf("target", table.pk))
    assert_in_order(
        text,
        [
            "资助参保人次数",
            "农村特困人员（五保户）",
            "95人",
            "建档立卡对象",
            "15000人",
            "住院救助人次数",
            "1596",
        ],
    )
    assert "154.18" in text


def test_notice_pdf_has_the_official_parts_then_each_attachment(demo):
    from allocations.models import FundNotice

    notice = FundNotice.objects.get(issuer_code="瑞财社", doc_serial=296)
    text = pdf_text(export_pdf("notice", notice.pk))
    assert_in_order(
        text,
        [
            "瑞财社〔2020〕0296号",
            notice.title,
            "瑞丽市卫生健康局：",
            "3.88万元",
            "附件：1.",
            "瑞丽市财政局",
            "附件1",
            "县市",
            "瑞丽市",
            "7602",
            "3.88",
            "6625",
            "4.8",
            "31800",
            "977",
            "7.2",
            "7034.4",
            "附件2",
            "德宏州财政局",
            "40.71",
            "≧85%",
            "附件3",
            "张翰林18869207068",
            "3.88",
            "签约对象满意率",
        ],
    )


def test_notice_0258_numbers_its_requirements_and_prints_copy_and_print_lines(demo):
    from allocations.models import FundNotice

    notice = FundNotice.objects.get(issuer_code="瑞财社", doc_serial=258)
    text = pdf_text(export_pdf("notice", notice.pk))
    assert_in_order(
        text,
        [
            "瑞财社〔2020〕0258号",
            "瑞丽市医疗保障局：",
            "一、此次下达",
            "二、",
            "三、",
            "抄送：州财政局",
            "2020年8月28日印发",
            "附件1",
            "145.18",
            "9",
            "154.18",
            "附件2",
            "附件3",
            "救助对象满意度",
        ],
    )


def test_department_text_has_cover_toc_narrative_and_all_16_tables(demo):
    org = Organisation.objects.get(name="顺平县医疗保障局")
    content = export_pdf("department", f"{org.pk}-2020")
    reader = PdfReader(BytesIO(content))
    first = (reader.pages[0].extract_text() or "").replace(" ", "")
    assert "顺平县医疗保障局" in first and "2020年部门预算绩效文本" in first
    assert "顺平县财政局审核" in first
    text = pdf_text(content)
    projects = TargetTable.objects.filter(organisation=org, layout="dept_project").order_by(
        "sequence"
    )
    assert projects.count() == 16
    toc_end = text.find("第一部分部门整体绩效目标", text.find("目录") + 2)
    assert_in_order(text, ["目录", "一、总体绩效目标", "16、"])
    assert_in_order(
        text[toc_end:],
        [
            "总体绩效目标",
            "分项绩效目标",
            "工作保障措施",
            *[f"{p.sequence}、" for p in projects],
        ],
    )
    # Each part's heading, then the lead-in line the seed repeats under it, then its text.
    assert_in_order(
        text[toc_end:],
        [
            "一、总体绩效目标",
            "总体绩效目标：",
            "宣传贯彻执行党的路线",
            "二、分项绩效目标",
            "分项绩效目标：",
            "1、稳步提高医疗保障经办管理",
            "三、工作保障措施",
            "工作保障措施",
            "强化医保队伍建设",
        ],
    )
    for amount in ["90100.00", "230000.00", "1450000.00", "30160000.00", "84460000.00"]:
        assert amount in text
    assert_in_order(
        text, ["3月底", "6月底", "10月底", "12月底", "25.00", "50.00", "75.00", "100.00"]
    )


def test_summary_prints_the_stored_summary_and_the_wide_columns(demo):
    org = Organisation.objects.get(name="株洲市石峰区卫生和计划生育局")
    text = pdf_text(export_pdf("summary", f"{org.pk}-2019"))
    assert_in_order(
        text,
        [
            "2019年区级专项资金预算绩效目标汇总表",
            "序号",
            "专项支出名称",
            "支出方向",
            "资金总额",
            "实施期绩效目标",
            "年度绩效目标",
            "标准为不低于200元/月/人",
            "0.5",
        ],
    )
    assert "合计" not in text and "附件3-" not in text
    assert_in_order(
        text,
        [
            "2019年区级专项资金支出方向绩效目标表",
            "数量",
            "质量",
            "时效",
            "成本",
            "经济效益指标",
            "社会效益指标",
            "生态效益指标",
            "可持续影响指标",
            "严重精神障碍患者监护奖励项目",
            "48",
            "2019年底前",
            "≧200元/月/人",
            "100％",
        ],
    )


def test_department_wide_table_prints_budget_rows_and_review_opinions(demo):
    from perfgoals.models import ReviewOpinion

    table = TargetTable.objects.get(layout="department", organisation__name__contains="石峰")
    ReviewOpinion.objects.create(table=table, office_kind="business", text="同意申报")
    ReviewOpinion.objects.create(
        table=table, office_kind="performance", text="目标可衡量", grade="good"
    )
    text = pdf_text(export_pdf("target", table.pk))
    assert_in_order(
        text,
        [
            "部门名称",
            "株洲市石峰区卫生和计划生育局",
            "年度预算申请",
            "1667.84万元",
            "基本支出",
            "452.97万元",
            "项目支出",
            "1214.87万元",
            "整体绩效目标",
            "产出指标",
            "效益指标",
            "财政部门审核意见",
            "业务股室意见",
            "同意申报",
            "绩效股意见",
            "目标可衡量（良）",
        ],
    )


def test_cjk_fonts_are_embedded_and_pages_numbered(demo):
    table = TargetTable.objects.get(layout="project", organisation__name="瑞丽市医疗保障局")
    reader = PdfReader(BytesIO(export_pdf("target", table.pk)))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = []
    for ref in fonts.values():
        font = ref.get_object()
        descendants = font.get("/DescendantFonts")
        descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        embedded.append(any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")))
        assert "Perfgoals-Sans" in str(font.get("/BaseFont"))  # the CJK working copy
    assert embedded and all(embedded)
    assert "—1—" in (reader.pages[0].extract_text() or "").replace(" ", "")
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height  # A4 portrait


def test_wide_tables_print_landscape(demo):
    org = Organisation.objects.get(name="株洲市石峰区卫生和计划生育局")
    reader = PdfReader(BytesIO(export_pdf("summary", f"{org.pk}-2019")))
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 842 and round(float(box.height)) == 595


def test_user_text_is_escaped_and_nothing_is_fetched(demo, monkeypatch, caplog):
    table = TargetTable.objects.get(layout="project", organisation__name="瑞丽市卫生健康局")
    evil = '<img src="file:///etc/passwd"><link rel=stylesheet href="http://127.0.0.1/x.css">'
    TargetTable.objects.filter(pk=table.pk).update(project_name=evil, annual_goal=evil)
    fetched = []
    original = StaticOnlyFetcher.fetch
    monkeypatch.setattr(
        StaticOnlyFetcher,
        "fetch",
        lambda self, url, headers=None: fetched.append(url) or original(self, url),
    )
    document = build_document("target", resolve("target", str(table.pk), None))
    html = document_html(document)
    assert "<img" not in html and "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    text = pdf_text(render_pdf(document))
    assert '<imgsrc="file:///etc/passwd">' in text
    # Only the CJK working fonts the app declares itself, nothing named in the user text.
    assert fetched and all(url.startswith(f"{STATIC_BASE}pdf-fonts/") for url in fetched)


def test_fetcher_refuses_everything_but_our_static_files(caplog):
    fetcher = StaticOnlyFetcher()
    for url in [
        "file:///etc/passwd",
        "http://127.0.0.1/",
        "https://127.0.0.1/static/x.css",
        "data:text/plain,hello",
        f"{STATIC_BASE}static/../../etc/passwd",
        f"{STATIC_BASE}static/css/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        f"{STATIC_BASE}etc/passwd",
    ]:
        with caplog.at_level(logging.WARNING, logger="perfgoals.exports.fetcher"):
            with pytest.raises(FetchRefused):
                fetcher.fetch(url)
        assert url in caplog.text
    response = fetcher.fetch(f"{STATIC_BASE}static/css/print.css")
    assert b"@page" in response.read()


def test_raw_html_with_foreign_resources_renders_without_fetching_them(caplog):
    html = (
        '<p>x</p><img src="file:///etc/passwd"><img src="http://127.0.0.1/">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
    )
    with caplog.at_level(logging.WARNING, logger="perfgoals.exports.fetcher"):
        content = render_html(html)
    assert content.startswith(b"%PDF")
    assert "file:///etc/passwd" in caplog.text and "http://127.0.0.1/" in caplog.text
    assert b"root:x:0:0" not in content
