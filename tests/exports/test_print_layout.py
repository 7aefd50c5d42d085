"""How the official documents lay out on paper: 版记 and 成文日期 per GB/T 9704-2012, page
breaks that repeat headers and labels, lines that never cut a figure or a word."""

import re
from io import BytesIO

import pytest
from pypdf import PdfReader

from allocations.models import FundNotice
from perfgoals.exports.grid import Cell, Section
from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.pdf import render_pdf
from perfgoals.exports.typeset import nobreak, title_lines
from perfgoals.models import Organisation

pytestmark = pytest.mark.django_db


def pages(kind: str, ident) -> list:
    content = render_pdf(build_document(kind, resolve(kind, str(ident), None)))
    return PdfReader(BytesIO(content)).pages


def notice_pages(serial: int) -> list:
    return pages("notice", FundNotice.objects.get(issuer_code="瑞财社", doc_serial=serial).pk)


def lines_with_height(page) -> list[tuple[str, float]]:
    """(text, distance from the page's bottom edge in points) of each text run."""
    runs: list[tuple[str, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text, tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return runs


def squashed(page) -> str:
    return re.sub(r"\s+", "", page.extract_text() or "")


def test_0296_has_no_imprint_and_no_empty_page(demo):
    found = notice_pages(296)
    body = squashed(found[0])
    assert "瑞丽市财政局" in body and "3.绩效目标表" in body
    # The seed has neither 版记 nor 成文日期: none is invented, so no page holds one alone.
    assert not any("印发" in squashed(page) for page in found)
    assert squashed(found[1]).startswith("附件1：")
    for page in found:
        assert len(re.sub(r"[—\d]", "", squashed(page))) > 20


def test_0258_imprint_sits_at_the_foot_of_the_last_body_page_without_a_signing_date(demo):
    found = notice_pages(258)
    last_body = next(i for i, page in enumerate(found) if "3.绩效目标表" in squashed(page))
    page = found[last_body]
    text = squashed(page)
    assert "抄送：州财政局、州医疗保障局、本局国库股。" in text
    assert "瑞丽市财政局2020年8月28日印发" in text
    # 成文日期 is not copied from the 印发日期: the date prints once, in the 版记.
    assert text.count("2020年8月28日") == 1
    heights = dict(lines_with_height(page))
    copy_to = next(h for t, h in heights.items() if t.startswith("抄送"))
    signature = next(h for t, h in heights.items() if t.strip() == "瑞丽市财政局")
    assert copy_to < 130 < signature  # 版记 within the bottom ~45 mm, the signature above
    assert squashed(found[last_body + 1]).startswith("附件1：")


def test_a_table_continued_on_a_new_page_repeats_its_header_and_labels(demo):
    found = notice_pages(258)
    continued = [squashed(page) for page in found if squashed(page).startswith("一级指标")]
    assert continued, "附件3 runs onto a second page"
    # The row that starts the page prints its 一级 and 二级 again, beside the vertical label.
    assert re.match(
        r"一级指标二级指标三级指标指标值绩?效?指?标?效益指标可持续影响指标", continued[0]
    )


def test_restarting_spans_keeps_the_grid_rectangular():
    section = Section(
        body=[
            [Cell("绩效指标", rowspan=3, kind="vlabel"), Cell("产出指标", rowspan=2), Cell("a")],
            [Cell("b")],
            [Cell("效益指标"), Cell("c")],
        ]
    )
    assert section.restart_spans_at(1)
    assert [[c.text for c in row] for row in section.body] == [
        ["绩效指标", "产出指标", "a"],
        ["绩效指标", "产出指标", "b"],
        ["效益指标", "c"],
    ]
    assert [c.rowspan for c in section.body[1]] == [2, 1, 1]
    assert not section.restart_spans_at(1)  # nothing spans into it any more


def test_figures_and_label_words_are_never_cut():
    assert str(nobreak("2020年9月至2021年8月")) == (
        '<span class="nb">2020年</span><span class="nb">9月</span>至'
        '<span class="nb">2021年</span><span class="nb">8月</span>'
    )
    assert '<span class="nb">部门</span>' in str(nobreak("州级主管部门"))
    assert '<span class="nb">指标</span>' in str(nobreak("社会效益指标"))
    assert str(nobreak("<b>")) == "&lt;b&gt;"


def test_pdf_lines_do_not_break_inside_figures_or_words(demo):
    org = Organisation.objects.get(name="顺平县医疗保障局")
    texts = [page.extract_text() for page in pages("department", f"{org.pk}-2020")]
    texts += [page.extract_text() for serial in (296, 258) for page in notice_pages(serial)]
    # Vertical labels (绩/效/指/标) print one character a line on purpose.
    text = re.sub(r"(?m)(?:^.\n){2,}", "", "\n".join(texts))
    for broken in [
        r"\d{4}\n年\d",  # 「2020年9月至2021 / 年8月」
        r"\d\n[%％]",
        r"部\n门",
        r"指\n标",
        r"医\n生",
        r"资\n金",
        r"目\n标表",
        r"万\n元",
    ]:
        found = re.search(broken, text)
        assert not found, text[found.start() - 60 : found.end() + 20]


@pytest.mark.parametrize(
    "title, capacity, lines",
    [
        (
            "瑞丽市财政局关于下达2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金的通知",
            24,
            [
                "瑞丽市财政局关于下达2020年建档立卡贫困人口",
                "家庭医生签约服务个人缴费省级补助资金的通知",
            ],
        ),
        (
            "2020年建档立卡贫困人口家庭医生签约服务个人代缴省级补助资金绩效目标表",
            30,
            ["2020年建档立卡贫困人口家庭医生签约服务", "个人代缴省级补助资金绩效目标表"],
        ),
        ("绩效目标表", 30, ["绩效目标表"]),
    ],
)
def test_long_titles_print_on_two_balanced_lines_cut_at_a_phrase(title, capacity, lines):
    assert title_lines(title, capacity) == lines
