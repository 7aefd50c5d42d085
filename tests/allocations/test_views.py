"""The notice pages: list, detail in official order with the chain, drafting form, the
allocation editor, issuing; and who may see or do what (other organisations get a 404)."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from allocations.models import AllocationTable, ClassificationCode, DocumentSequence, FundNotice
from allocations.services import allocation_tables, issuing, notices
from perfgoals.models import Organisation, TargetTable, User
from tests.allocations.conftest import SEED_000_TITLE, build_seed_000
from tests.factories import FundNoticeFactory

pytestmark = pytest.mark.django_db


def seed_notice(serial: int) -> FundNotice:
    return FundNotice.objects.get(issuer_code="瑞财社", doc_year=2020, doc_serial=serial)


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def text_of(response) -> str:
    return text_of_html(response.content.decode())


def draft_post(**overrides) -> dict:
    data = {
        "title": SEED_000_TITLE,
        "year": "2020",
        "recipients": [str(Organisation.objects.get(name="瑞丽市卫生健康局").pk)],
        "parent": "",
        "basis_number": "德财社〔2020〕162号",
        "basis_title": "",
        "amount": "3.88",
        "amount_unit": "wan",
        "opening": "",
        "paying_account": "",
        "upper_table": "",
        "attach_recipient_tables": "on",
        "copy_to": "",
        "signed_date": "",
        "printed_date": "",
        "printed_by": "瑞丽市财政局",
        "doc_number": "",
        "para-TOTAL_FORMS": "1",
        "para-INITIAL_FORMS": "1",
        "para-0-text": notices.STANDARD_PERFORMANCE_PARAGRAPH,
        "para-0-numbered": "on",
        "line-TOTAL_FORMS": "2",
        "line-INITIAL_FORMS": "0",
        "line-0-source": "省级补助资金",
        "line-0-budget_kind": "general",
        "line-0-amount": "3.88",
        "line-0-unit": "wan",
        "line-0-function_code": "2100399",
        "line-0-gov_econ_code": "502",
        "line-0-dept_econ_code": "302",
        "line-0-project_kind_code": "13",
        "line-1-budget_kind": "general",
        "line-1-unit": "wan",
    }
    data.update(overrides)
    return data


# --- detail pages of the demo notices ---------------------------------------------------


def test_seed_000_detail_shows_the_notice_in_official_order_with_computed_table(client, login):
    login("ruili_finance")
    response = client.get(seed_notice(296).get_absolute_url())
    assert response.status_code == 200
    text = text_of(response)
    html = response.content.decode()
    official = text_of_html(html[html.index('aria-label="通知正文"') : html.index("</article>")])
    order = [
        "瑞财社〔2020〕0296号",
        "关于下达2020年建档立卡",
        "瑞丽市卫生健康局：",
        "根据《",
        "附件：",
        "2020年建档立卡贫困人口家庭医生签约服务个人代缴省级补助资金分配表",
    ]
    positions = [official.index(part) for part in order]
    assert official.rindex("瑞丽市财政局") > positions[-1]  # 发文机关署名 after the 附件 list
    assert positions == sorted(positions)
    # The chain: upper notice → this notice → the bureau's target table.
    chain = text_of_html(html[html.index('id="chain"') : html.index("</ol>")])
    assert chain.index("德财社〔2020〕162号") < chain.index("瑞财社〔2020〕0296号")
    assert "瑞丽市卫生健康局 绩效目标表" in chain
    for figure in ["7,602", "6,625", "4.8", "31,800", "977", "7.2", "7,034.4", "3.88"]:
        assert figure in text
    assert "以元为单位精确计算" in text


def test_seed_001_detail_shows_the_funding_source_split(client, login):
    login("ruili_medsec")
    text = text_of(client.get(seed_notice(258).get_absolute_url()))
    assert "145.18" in text and "9.00" in text and "154.18" in text
    assert "一、此次下达的中央财政补助资金" in text
    assert "二、为进一步加强预算绩效管理" in text
    assert "抄送：州财政局、州医疗保障局、本局国库股。" in text
    assert "2020年8月28日印发" in text


# --- list ---------------------------------------------------------------------------------


def test_list_is_scoped_and_filterable(client, login):
    login("ruili_medsec")
    text = text_of(client.get(reverse("allocations:notice_list")))
    assert "瑞财社〔2020〕0258号" in text
    assert "瑞财社〔2020〕0296号" not in text  # addressed to the health bureau only
    login("ruili_finance")
    url = reverse("allocations:notice_list")
    recipient = Organisation.objects.get(name="瑞丽市医疗保障局").pk
    text = text_of(client.get(url, {"recipient": recipient, "year": 2020, "status": "issued"}))
    assert "瑞财社〔2020〕0258号" in text and "瑞财社〔2020〕0296号" not in text


# Session, user (with its organisation); the visible notices' ids; both filters' choices; the
# page's notices; their recipients. A filter adds the count of what it selects.
LIST_QUERIES = 6


def test_list_query_count_is_constant(client, login, django_assert_num_queries):
    user = login("ruili_finance")
    url = reverse("allocations:notice_list")
    client.get(url)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(url)
    for _ in range(30):
        build_seed_000(user)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(url, {"sort": "-title", "page": 2}).status_code == 200
    issuer = Organisation.objects.get(name="瑞丽市财政局")
    with django_assert_num_queries(LIST_QUERIES + 1):
        response = client.get(url, {"issuer": issuer.pk, "year": 2020, "page": 2})
    assert "瑞丽市财政局关于下达" in text_of(response)
    with django_assert_num_queries(LIST_QUERIES + 1):  # every row, and the audit record
        assert client.get(url, {"export": "csv"}).status_code == 200


# --- drafting form --------------------------------------------------------------------------


def test_draft_through_the_form_then_issue(client, login):
    user = login("ruili_finance")
    # Signed in 2020: the 文号 year is the year of the signature, not of the budget.
    response = client.post(
        reverse("allocations:notice_create"), draft_post(signed_date="2020-09-01")
    )
    assert response.status_code == 302, text_of(response)
    notice = FundNotice.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert notice.parent.doc_number == "德财社〔2020〕162号"
    assert notice.budget_lines.get().function_code.name == "其他基层医疗卫生机构支出"
    # Allocation table through the editor's endpoints.
    response = client.post(
        reverse("allocations:allocation_create", args=[notice.pk]),
        {
            "title": "分配表",
            "unit": "wan",
            "recipient_label": "县市",
            "count_total_label": "签约数",
            "amount_total_label": "经费合计（万元）",
            "envelope_amount": "",
            "envelope_unit": "wan",
        },
    )
    table = AllocationTable.objects.get(notice=notice)
    assert response.status_code == 302
    base = [notice.pk, table.pk]
    client.post(reverse("allocations:allocation_row_add", args=base), {"row-label": "瑞丽市"})
    client.post(
        reverse("allocations:allocation_column_add", args=base),
        {
            "col-kind": "calc",
            "col-label": "已脱贫签约人数",
            "col-share_side": "upper",
            "col-new_base_amount": "12",
            "col-new_upper_percent": "40",
            "col-new_lower_percent": "60",
        },
    )
    client.post(
        reverse("allocations:allocation_column_add", args=base),
        {
            "col-kind": "calc",
            "col-label": "未脱贫及返贫签约人数",
            "col-share_side": "upper",
            "col-new_base_amount": "12",
            "col-new_upper_percent": "60",
            "col-new_lower_percent": "40",
        },
    )
    table.refresh_from_db()
    row = table.rows.get()
    c1, c2 = table.columns.order_by("position")
    response = client.post(
        reverse("allocations:allocation_cells", args=base),
        {
            "version": table.version,
            f"c_{row.pk}_{c1.pk}": "6625",
            f"c_{row.pk}_{c2.pk}": "977",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "31,800" in text and "7,034.4" in text and "3.88" in text
    assert "与通知下达金额一致" in text
    notice.refresh_from_db()
    response = client.post(
        reverse("allocations:notice_issue", args=[notice.pk]),
        {"version": notice.version},
        follow=True,
    )
    text = text_of(response)
    assert "已印发，发文字号 瑞财社〔2020〕0297号" in text
    draft = TargetTable.objects.get(notice=notice)
    assert draft.organisation.name == "瑞丽市卫生健康局" and draft.created_by == user


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "-1", "金额不能为负数。"),
        ("amount", "三点八八", "金额须为数字"),
        ("line-0-function_code", "2100398", "收支分类科目表中没有支出功能分类科目编码“2100398”"),
        (
            "line-0-dept_econ_code",
            "2100399",
            "收支分类科目表中没有部门预算支出经济分类编码“2100399”",
        ),
        ("line-0-amount", "abc", "金额须为数字"),
        ("doc_number", "瑞财社〔2020〕296号", "发文字号瑞财社〔2020〕0296号已被"),
        ("basis_number", "德财社2020-162", "格式不对"),
    ],
)
def test_bad_input_is_refused_at_the_field_with_input_kept(client, login, field, value, message):
    login("ruili_finance")
    before = FundNotice.objects.count()
    response = client.post(reverse("allocations:notice_create"), draft_post(**{field: value}))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{value}"' in html  # the user's input is still there
    assert FundNotice.objects.count() == before


def test_recipient_outside_the_region_is_refused_at_the_field(client, login):
    login("ruili_finance")
    outsider = Organisation.objects.get(name="顺平县医疗保障局")
    response = client.post(
        reverse("allocations:notice_create"), draft_post(recipients=[str(outsider.pk)])
    )
    assert response.status_code == 400
    assert "顺平县医疗保障局不在本局的下达范围内" in response.content.decode()


def test_share_ratio_not_100_percent_is_refused_at_the_field(client, login, seed000_draft):
    table = seed000_draft.allocation_tables.get()
    login("ruili_finance")
    columns = table.columns.count()
    response = client.post(
        reverse("allocations:allocation_column_add", args=[seed000_draft.pk, table.pk]),
        {
            "col-kind": "calc",
            "col-label": "错比例",
            "col-share_side": "upper",
            "col-new_base_amount": "12",
            "col-new_upper_percent": "40",
            "col-new_lower_percent": "50",
        },
    )
    assert response.status_code == 400
    assert "承担比例合计应为100%，现为40% + 50% = 90%" in response.content.decode()
    assert table.columns.count() == columns


def test_bad_cell_keeps_every_input_and_saves_nothing(client, login, seed000_draft):
    table = seed000_draft.allocation_tables.get()
    login("ruili_finance")
    row = table.rows.get()
    c1, c2 = table.columns.order_by("position")
    response = client.post(
        reverse("allocations:allocation_cells", args=[seed000_draft.pk, table.pk]),
        {"version": table.version, f"c_{row.pk}_{c1.pk}": "7000", f"c_{row.pk}_{c2.pk}": "-3"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "人数不能为负数。" in html and 'value="7000"' in html
    assert c1.cells.get().count == 6625


def test_reconciliation_mismatch_is_explained(client, login, finance):
    notice = build_seed_000(finance, amount=Decimal("3.89"))
    login("ruili_finance")
    text = text_of(client.get(notice.get_absolute_url()))
    assert "分配表合计38,834.4元（折合3.88万元）与通知下达金额3.89万元不一致" in text


# --- permissions ----------------------------------------------------------------------------


def urls_for(notice: FundNotice) -> dict[str, str]:
    table = notice.allocation_tables.first()
    return {
        "detail": reverse("allocations:notice_detail", args=[notice.pk]),
        "edit": reverse("allocations:notice_edit", args=[notice.pk]),
        "allocation": reverse("allocations:allocation_edit", args=[notice.pk, table.pk]),
    }


def test_anonymous_is_sent_to_login(client, seed000_draft):
    for url in [
        reverse("allocations:notice_list"),
        reverse("allocations:notice_create"),
        *urls_for(seed000_draft).values(),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize(
    "username", ["ruili_health", "shunping_finance", "dehong_finance", "ruili_perf"]
)
def test_drafts_are_404_outside_the_issuers_finance_staff(client, login, seed000_draft, username):
    login(username)
    for name, url in urls_for(seed000_draft).items():
        assert client.get(url).status_code == 404, (username, name)
    issue = reverse("allocations:notice_issue", args=[seed000_draft.pk])
    assert client.post(issue, {"version": seed000_draft.version}).status_code == 404
    seed000_draft.refresh_from_db()
    assert seed000_draft.status == FundNotice.Status.DRAFT


def test_only_finance_staff_get_the_drafting_form(client, login):
    login("ruili_health")
    assert client.get(reverse("allocations:notice_create")).status_code == 404
    login("ruili_finance")
    response = client.get(reverse("allocations:notice_create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert notices.STANDARD_PERFORMANCE_PARAGRAPH in html
    assert "顺平县医疗保障局" not in html  # not offered as a recipient


def test_own_pages_are_200(client, login, seed000_draft):
    login("ruili_finance")
    for name, url in urls_for(seed000_draft).items():
        assert client.get(url).status_code == 200, name


def test_recipient_sees_issued_notice_only(client, login, seed000_draft, finance):
    login("ruili_health")
    assert client.get(seed000_draft.get_absolute_url()).status_code == 404
    issuing.notice_issue(notice=seed000_draft, user=finance, expected_version=seed000_draft.version)
    assert client.get(seed000_draft.get_absolute_url()).status_code == 200
    assert client.get(urls_for(seed000_draft)["edit"]).status_code == 404
    login("shunping_medsec")
    assert client.get(seed000_draft.get_absolute_url()).status_code == 404


def test_issued_notice_edit_url_is_refused_with_a_message(client, login, seed000_draft, finance):
    issuing.notice_issue(notice=seed000_draft, user=finance, expected_version=seed000_draft.version)
    login("ruili_finance")
    response = client.get(urls_for(seed000_draft)["edit"], follow=True)
    assert "通知已印发，不能再修改" in text_of(response)
    assert client.get(urls_for(seed000_draft)["allocation"]).status_code == 404


def test_classification_codes_are_editable_in_admin(client, login):
    login("admin")
    lottery = ClassificationCode.objects.get(scheme="function", code="2296013")
    response = client.get(
        reverse("admin:allocations_classificationcode_changelist"), {"q": "2296013"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    change = reverse("admin:allocations_classificationcode_change", args=[lottery.pk])
    assert change in html and lottery.name in html


# --- audit additions ------------------------------------------------------------------------


def test_external_upper_notice_page_shows_the_chain_downward(client, login):
    """德财社〔2020〕162号 is registered by number and title only (no issuer, no amount)."""
    login("ruili_health")
    upper = FundNotice.objects.get(issuer_code="德财社", doc_year=2020, doc_serial=162)
    response = client.get(upper.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    chain = text_of_html(html[html.index('id="chain"') : html.index("</ol>")])
    assert chain.index("德财社〔2020〕162号") < chain.index("瑞财社〔2020〕0296号")
    assert "瑞财社〔2020〕0258号" not in chain  # cites 150号, not 162号
    text = text_of(response)
    assert "下达金额" not in text  # no amount recorded: nothing to print
    assert "系统外文件" in text and "已印发" not in text
    assert "/exports/notice/" not in html  # nothing to export: its export URLs are 404
    assert client.get(f"/exports/notice/{upper.pk}.pdf").status_code == 404


def test_chain_lists_only_the_recipients_tables_downward(client, login):
    login("ruili_finance")
    html = client.get(seed_notice(296).get_absolute_url()).content.decode()
    chain = text_of_html(html[html.index('id="chain"') : html.index("</ol>")])
    assert "瑞丽市卫生健康局 绩效目标表" in chain
    # 附件2, the prefecture's table, is an attachment of the notice, not a lower level.
    assert "德宏州卫生健康委员会" not in chain


def test_list_filters_by_issuer_including_upper_notices_named_by_issuer(client, login):
    login("ruili_finance")
    url = reverse("allocations:notice_list")
    dehong = Organisation.objects.get(name="德宏州财政局")
    text = text_of(client.get(url, {"issuer": dehong.pk}))
    assert "德财社〔2020〕162号" in text and "德财社〔2020〕150号" in text
    assert "瑞财社〔2020〕0296号" not in text
    ruili = Organisation.objects.get(name="瑞丽市财政局")
    text = text_of(client.get(url, {"issuer": ruili.pk, "year": 2020}))
    assert "瑞财社〔2020〕0296号" in text and "德财社〔2020〕162号" not in text
    assert "年度" in text and "没有符合条件的通知" in text_of(client.get(url, {"year": 1999}))


def test_list_filter_choices_name_only_organisations_in_visible_notices(client, login):
    login("ruili_medsec")
    html = client.get(reverse("allocations:notice_list")).content.decode()
    recipient_select = html[
        html.index('name="recipient"') : html.index("</select>", html.index('name="recipient"'))
    ]
    assert "瑞丽市医疗保障局" in recipient_select
    assert "顺平县医疗保障局" not in recipient_select
    assert "株洲市石峰区财政局" not in html


def test_list_refuses_an_organisation_its_filters_do_not_offer(client, login):
    login("ruili_finance")
    url = reverse("allocations:notice_list")
    offered = Organisation.objects.get(name="瑞丽市医疗保障局")
    text = text_of(client.get(url, {"recipient": f"0{offered.pk}"}))  # read as the number
    assert "瑞财社〔2020〕0258号" in text and "瑞财社〔2020〕0296号" not in text
    for value in [Organisation.objects.get(name="顺平县财政局").pk, "abc", "1.5"]:
        text = text_of(client.get(url, {"issuer": value}))
        assert "该选择不在可用的选项中" in text, value
        assert "瑞财社〔2020〕0296号" in text and "德财社〔2020〕162号" in text  # not filtered


def test_admin_adds_a_classification_code_that_drafting_then_accepts(client, login):
    login("admin")
    response = client.post(
        reverse("admin:allocations_classificationcode_add"),
        {"scheme": "function", "code": "2100302", "name": "乡镇卫生院", "is_active": "on"},
    )
    assert response.status_code == 302
    login("ruili_finance")
    form_page = client.get(reverse("allocations:notice_create")).content.decode()
    assert "2100302 乡镇卫生院" in form_page  # offered with its name
    response = client.post(
        reverse("allocations:notice_create"), draft_post(**{"line-0-function_code": "2100302"})
    )
    assert response.status_code == 302
    notice = FundNotice.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert str(notice.budget_lines.get().function_code) == "2100302乡镇卫生院"
    # A code switched off by the administrator is no longer accepted.
    ClassificationCode.objects.filter(code="2100302").update(is_active=False)
    response = client.post(
        reverse("allocations:notice_create"), draft_post(**{"line-0-function_code": "2100302"})
    )
    assert response.status_code == 400
    assert "收支分类科目表中没有支出功能分类科目编码“2100302”" in response.content.decode()


def test_editing_the_amount_rewrites_the_generated_opening(client, login, seed000_draft):
    """The opening was generated: the edit form leaves it blank so the new amount goes in."""
    login("ruili_finance")
    url = reverse("allocations:notice_edit", args=[seed000_draft.pk])
    html = client.get(url).content.decode()
    opening = re.search(r'<textarea name="opening"[^>]*>(.*?)</textarea>', html, re.S)[1]
    assert opening.strip() == ""
    data = draft_post(
        amount="3.89",
        version=str(seed000_draft.version),
        parent=str(seed000_draft.parent_id),
        basis_number="",
        **{"para-INITIAL_FORMS": "1", "line-INITIAL_FORMS": "1"},
    )
    assert client.post(url, data).status_code == 302
    seed000_draft.refresh_from_db()
    assert "省级补助资金3.89万元" in seed000_draft.paragraphs.first().text
    text = text_of(client.get(seed000_draft.get_absolute_url()))
    assert "分配表合计38,834.4元（折合3.88万元）与通知下达金额3.89万元不一致" in text


def test_htmx_grid_shows_cell_errors_in_place_and_refreshes_the_settings_version(
    client, login, seed000_draft, django_assert_max_num_queries
):
    table = seed000_draft.allocation_tables.get()
    login("ruili_finance")
    row = table.rows.get()
    c1, c2 = table.columns.order_by("position")
    url = reverse("allocations:allocation_cells", args=[seed000_draft.pk, table.pk])
    bad = {"version": table.version, f"c_{row.pk}_{c1.pk}": "6625", f"c_{row.pk}_{c2.pk}": "-1"}
    # The refused grid is shown from the table computed for the form, not computed again.
    with django_assert_max_num_queries(8):
        response = client.post(url, bad, HTTP_HX_REQUEST="true")
    # htmx 2 swaps only 2xx responses: the errors must come back as 200 to be seen.
    assert response.status_code == 200
    assert "人数不能为负数。" in response.content.decode()
    assert c2.cells.get().count == 977
    good = {**bad, f"c_{row.pk}_{c2.pk}": "977"}
    response = client.post(url, good, HTTP_HX_REQUEST="true")
    table.refresh_from_db()
    html = response.content.decode()
    assert f'value="{table.version}" id="settings-version" hx-swap-oob="true"' in html
    # The settings form posted with that version is not taken for someone else's edit.
    settings = reverse("allocations:allocation_settings", args=[seed000_draft.pk, table.pk])
    response = client.post(
        settings,
        {
            "version": table.version,
            "title": table.title,
            "unit": "wan",
            "recipient_label": "县市",
            "count_total_label": "",
            "amount_total_label": "合计",
            "envelope_amount": "",
            "envelope_unit": "wan",
        },
    )
    assert response.status_code == 302


def test_detail_and_editor_query_counts_do_not_grow_with_rows(
    client, login, finance, seed000_draft, django_assert_max_num_queries
):
    login("ruili_finance")
    table = seed000_draft.allocation_tables.get()
    # Each page computes the table once and reconciles that result (23 and 15 queries when
    # the check computed it a second time); the notice page also reads the upper notice's
    # allocation tables, to reconcile this table with its row there.
    pinned = {seed000_draft.get_absolute_url(): 18, urls_for(seed000_draft)["allocation"]: 11}
    for url, count in pinned.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
    for n in range(10):
        allocation_tables.allocation_row_add(table=table, user=finance, label=f"测试县{n}")
    for url, count in pinned.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


# Session, user (with its organisation); the notice with the notices under it and its
# corrections (one query, without the scope); its paragraphs, budget lines, attachments,
# allocation tables (none recorded at issue) and recipients.
NOTICE_PAGE_QUERIES = 8


def test_notice_page_query_counts(client, login, django_assert_num_queries):
    login("ruili_finance")
    upper = FundNotice.objects.get(issuer_code="德财社", doc_year=2020, doc_serial=162)
    # Issued elsewhere: whether it was sent to the bureau is one more query.
    with django_assert_num_queries(NOTICE_PAGE_QUERIES + 1):
        assert client.get(upper.get_absolute_url()).status_code == 200
    # An issued notice of the bureau's own: its tables are recorded at issue (no allocation
    # tables read), but the chain reads the recipients' target tables and the decomposition
    # the indicators of the upper table and of the recipients' tables.
    url = seed_notice(296).get_absolute_url()
    with django_assert_num_queries(NOTICE_PAGE_QUERIES + 2):
        assert client.get(url).status_code == 200


def test_upper_notices_are_listed_only_where_own_notices_or_tables_cite_them(client, login):
    url = reverse("allocations:notice_list")
    upper = FundNotice.objects.get(issuer_code="德财社", doc_year=2020, doc_serial=162)
    hebei = FundNotice.objects.get(issuer_code="冀财社", doc_year=2019, doc_serial=126)
    login("ruili_health")  # 0296 cites 162号
    text = text_of(client.get(url))
    assert "德财社〔2020〕162号" in text and "冀财社〔2019〕126号" not in text
    assert client.get(hebei.get_absolute_url()).status_code == 404
    login("shunping_medsec")  # its project tables cite the 冀财社 notices
    text = text_of(client.get(url))
    assert "冀财社〔2019〕126号" in text and "德财社〔2020〕162号" not in text
    assert client.get(upper.get_absolute_url()).status_code == 404
    login("shifeng_health")  # cites none of them
    assert "财社〔" not in text_of(client.get(url))


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("家庭医生", "瑞财社〔2020〕0296号", "瑞财社〔2020〕0258号"),
        ("医疗救助", "瑞财社〔2020〕0258号", "瑞财社〔2020〕0296号"),
        ("瑞财社〔2020〕0296号", "瑞财社〔2020〕0296号", "瑞财社〔2020〕0258号"),
        ("0258", "瑞财社〔2020〕0258号", "瑞财社〔2020〕0296号"),
        ("德财社", "德财社〔2020〕162号", "瑞财社〔2020〕0296号"),
    ],
)
def test_list_finds_notices_by_fund_name_or_number(client, login, query, shown, hidden):
    login("ruili_finance")
    text = text_of(client.get(reverse("allocations:notice_list"), {"q": query}))
    assert shown in text and hidden not in text


def test_the_unfiltered_list_is_each_users_and_shows_new_notices(client, login):
    """The first page of an unfiltered list is read with SQL kept per listing and sort
    (prepared_rows): another user's page is its own, a new notice shows, sorts apply."""
    url = reverse("allocations:notice_list")

    def titles(**params):
        return [row.title for row in client.get(url, params).context["rows"]]

    ruili = login("ruili_finance")
    mine = titles()
    assert titles(sort="title") == sorted(mine)
    assert titles(sort="-title") == sorted(mine, reverse=True)
    login("shunping_medsec")
    theirs = titles()
    assert theirs and set(theirs) != set(mine)
    FundNoticeFactory(issuer=ruili.organisation, title="新起草的通知")
    login("ruili_finance")
    assert sorted(titles()) == sorted([*mine, "新起草的通知"])


def test_list_exports_every_row_as_filtered_and_sorted(client, login):
    login("ruili_finance")
    url = reverse("allocations:notice_list")
    page = client.get(url, {"year": 2020, "sort": "-doc_number"}).content.decode()
    assert "export=xlsx" in page and "year=2020" in page
    assert re.search(
        r'<th class="desc orderable" aria-sort="descending">'
        r'<a href="\?year=2020&amp;sort=doc_number">发文字号</a></th>',
        page,
    )
    response = client.get(url, {"year": 2020, "sort": "-doc_number", "export": "xlsx"})
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["发文字号", "标题", "发文单位", "主送机关"]
    numbers = [row[0] for row in rows[1:]]
    assert numbers == [
        "瑞财社〔2020〕0296号",
        "瑞财社〔2020〕0258号",
        "德财社〔2020〕162号",
        "德财社〔2020〕150号",
    ]
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number["瑞财社〔2020〕0258号"][3] == "瑞丽市医疗保障局"
    assert by_number["瑞财社〔2020〕0258号"][4] == 154.18
    assert by_number["瑞财社〔2020〕0258号"][7] == "已印发"
    assert by_number["德财社〔2020〕162号"][7] == "系统外文件"  # registered, never issued here
    assert sheet["E3"].number_format == "#,##0.00"
    csv_text = client.get(url, {"q": "0296", "export": "csv"}).content.decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith("瑞财社〔2020〕0296号,")
    assert len(csv_text.splitlines()) == 2


def test_every_delete_on_the_allocation_editor_asks_first(client, login, seed000_draft):
    """static/js/guard.js asks each form's data-confirm question before it posts."""
    login("ruili_finance")
    html = client.get(urls_for(seed000_draft)["allocation"]).content.decode()
    deletes = re.findall(r'<form method="post"[^>]*action="[^"]*/delete/[^"]*"[^>]*>', html)
    assert deletes, "the editor offers deletes"
    assert all("data-confirm=" in form and "不能恢复" in form for form in deletes), deletes
    assert "js/guard.js" in html


@pytest.mark.parametrize("part", ["row", "column", "table"])
def test_a_delete_posted_without_javascript_asks_first_and_changes_nothing(
    client, login, seed000_draft, part
):
    """Without the browser's confirm() the server asks the same question on a page of its
    own; its button posts again with confirmed=1, and only then is anything deleted."""
    login("ruili_finance")
    table = seed000_draft.allocation_tables.first()
    if part == "table":
        url = reverse("allocations:allocation_delete", args=[seed000_draft.pk, table.pk])
        remaining = lambda: AllocationTable.objects.filter(pk=table.pk).count()  # noqa: E731
    else:
        items = table.rows if part == "row" else table.columns
        item = items.order_by("pk").first()
        url = reverse(
            "allocations:allocation_part_delete",
            args=[seed000_draft.pk, table.pk, part, item.pk],
        )
        remaining = lambda: items.model.objects.filter(pk=item.pk).count()  # noqa: E731
    page = client.post(url)
    html = page.content.decode()
    assert page.status_code == 200 and "请确认" in html and "不能恢复" in html
    assert 'name="confirmed" value="1"' in html and f'action="{url}"' in html
    assert remaining() == 1
    response = client.post(url, {"confirmed": "1"})
    assert response.status_code == 302 and remaining() == 0


def test_the_confirmation_page_keeps_the_posted_fields_and_not_the_token():
    from django.test import RequestFactory

    from perfgoals.confirmation import unconfirmed

    request = RequestFactory().post(
        "/x/", {"version": "3", "csrfmiddlewaretoken": "t", "note": "<b>"}
    )
    request.user = None
    html = unconfirmed(request, question="删除？", cancel_url="/back/").content.decode()
    assert 'name="version" value="3"' in html and 'value="&lt;b&gt;"' in html
    assert 'value="t"' not in html and 'href="/back/"' in html


# --- issuing: the confirmation and a double click ------------------------------------------


def test_issue_asks_for_confirmation_naming_number_amount_and_recipients(client, login):
    finance = login("ruili_finance")
    notice = build_seed_000(finance)
    response = client.get(reverse("allocations:notice_issue", args=[notice.pk]))
    assert response.status_code == 200
    text = text_of(response)
    # 0296 is the last 瑞财社 number of 2020, the year the notice is signed.
    assert "瑞财社〔2020〕0297号" in text
    assert "3.88万元" in text
    assert "瑞丽市卫生健康局" in text
    notice.refresh_from_db()
    # Looking at the confirmation takes no number and issues nothing.
    assert notice.status == "draft" and notice.doc_serial is None
    assert not DocumentSequence.objects.filter(issuer_code="瑞财社", year=2020, last_serial=297)


def test_confirmation_with_errors_offers_no_issue_button(client, login):
    finance = login("ruili_finance")
    notice = build_seed_000(finance, amount=Decimal("3.89"))
    html = client.get(reverse("allocations:notice_issue", args=[notice.pk])).content.decode()
    assert "3.89万元不一致" in html
    assert 'id="confirm-issue"' not in html


def test_double_clicked_issue_issues_once(client, login):
    finance = login("ruili_finance")
    notice = build_seed_000(finance)
    url = reverse("allocations:notice_issue", args=[notice.pk])
    first = client.post(url, {"version": notice.version}, follow=True)
    second = client.post(url, {"version": notice.version}, follow=True)
    assert "已印发，发文字号 瑞财社〔2020〕0297号" in text_of(first)
    text = text_of(second)
    assert "该通知已印发，发文字号 瑞财社〔2020〕0297号，未重复印发。" in text
    assert "不能再修改" not in text  # told, not scolded
    notice.refresh_from_db()
    assert notice.doc_number == "瑞财社〔2020〕0297号"
    assert TargetTable.objects.filter(notice=notice).count() == 1
    sequence = DocumentSequence.objects.get(issuer_code="瑞财社", year=2020)
    assert sequence.last_serial == 297  # the second click took no number


def test_issue_of_another_bureaus_notice_is_404(client, login):
    finance = User.objects.get(username="ruili_finance")
    notice = build_seed_000(finance)
    login("dehong_finance")
    url = reverse("allocations:notice_issue", args=[notice.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"version": notice.version}).status_code == 404
    notice.refresh_from_db()
    assert notice.status == "draft"


def test_a_correction_is_a_new_notice_citing_the_issued_one(client, login):
    finance = login("ruili_finance")
    notice = build_seed_000(finance)
    issued = issuing.notice_issue(notice=notice, user=finance, expected_version=notice.version)
    drafts_before = TargetTable.objects.count()
    response = client.post(reverse("allocations:notice_correct", args=[issued.pk]))
    correction = FundNotice.objects.get(corrects=issued)
    assert response.status_code == 302
    assert response["Location"] == reverse("allocations:notice_edit", args=[correction.pk])
    assert correction.status == "draft" and correction.parent == issued.parent
    assert correction.title == f"瑞丽市财政局关于更正（补充）{issued.doc_number}的通知"
    assert [link.organisation.name for link in correction.recipient_links.all()] == [
        "瑞丽市卫生健康局"
    ]
    assert issued.doc_number in correction.paragraphs.first().text
    assert correction.budget_lines.get().amount == Decimal("3.88")
    assert not correction.attach_recipient_tables
    assert TargetTable.objects.count() == drafts_before
    issued.refresh_from_db()
    assert issued.status == "issued"  # the old notice stays as issued
    page = text_of(client.get(issued.get_absolute_url()))
    assert "已由 更正通知草稿 更正（补充）" in page
    assert "本通知更正（补充）" in text_of(client.get(correction.get_absolute_url()))


def test_only_the_issuer_may_correct_and_only_an_issued_notice(client, login):
    finance = User.objects.get(username="ruili_finance")
    notice = build_seed_000(finance)
    login("ruili_finance")
    client.post(reverse("allocations:notice_correct", args=[notice.pk]))
    assert not FundNotice.objects.filter(corrects=notice).exists()  # a draft is just edited
    issued = issuing.notice_issue(notice=notice, user=finance, expected_version=notice.version)
    login("dehong_finance")
    assert client.post(reverse("allocations:notice_correct", args=[issued.pk])).status_code == 404
    login("ruili_health")
    assert client.post(reverse("allocations:notice_correct", args=[issued.pk])).status_code == 404
    assert not FundNotice.objects.filter(corrects=issued).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("150", "比例不能超过100%。"),
        ("1e400", "比例须为数字，如 40。"),
        ("1234567890123456", "比例不能超过100%。"),
        ("1_000", "比例须为数字，如 40。"),
        ("40万元", "比例须为百分数，不能填金额。"),
    ],
)
def test_a_share_out_of_range_is_refused_at_the_field_not_a_500(
    client, login, seed000_draft, typed, message
):
    table = seed000_draft.allocation_tables.get()
    login("ruili_finance")
    columns = table.columns.count()
    response = client.post(
        reverse("allocations:allocation_column_add", args=[seed000_draft.pk, table.pk]),
        {
            "col-kind": "calc",
            "col-label": "错比例",
            "col-share_side": "upper",
            "col-new_base_amount": "12",
            "col-new_upper_percent": typed,
            "col-new_lower_percent": "60",
        },
    )
    assert response.status_code == 400
    assert response.context["column_form"].errors["new_upper_percent"] == [message]
    assert table.columns.count() == columns


def edit_post(notice, **overrides) -> dict:
    return draft_post(
        **{
            "version": str(notice.version),
            "parent": str(notice.parent_id),
            "basis_number": "",
            "para-INITIAL_FORMS": "1",
            "line-INITIAL_FORMS": "1",
            **overrides,
        }
    )


@pytest.mark.parametrize("version", ["abc", "", "9" * 30])
def test_a_malformed_version_is_a_message_not_a_500(client, login, seed000_draft, version):
    login("ruili_finance")
    table = seed000_draft.allocation_tables.get()
    edit = client.post(
        reverse("allocations:notice_edit", args=[seed000_draft.pk]),
        edit_post(seed000_draft, version=version, amount="9.99"),
    )
    assert edit.status_code == 400
    assert "页面已过期或不完整，请刷新后重新填写。" in edit.content.decode()
    issue = client.post(
        reverse("allocations:notice_issue", args=[seed000_draft.pk]),
        {"version": version},
        follow=True,
    )
    assert "页面已过期或不完整，请刷新后重新填写。" in text_of(issue)
    settings_page = client.post(
        reverse("allocations:allocation_settings", args=[seed000_draft.pk, table.pk]),
        {"version": version, "title": "新标题", "unit": "wan", "recipient_label": "县市"},
    )
    assert settings_page.status_code == 400
    seed000_draft.refresh_from_db()
    table.refresh_from_db()
    assert seed000_draft.amount == Decimal("3.88") and seed000_draft.status == "draft"
    assert table.title != "新标题"


@pytest.mark.parametrize("total", ["-1", "0"])
def test_a_cut_down_formset_count_deletes_no_budget_line(client, login, seed000_draft, total):
    login("ruili_finance")
    response = client.post(
        reverse("allocations:notice_edit", args=[seed000_draft.pk]),
        edit_post(seed000_draft, **{"line-TOTAL_FORMS": total}),
    )
    assert response.status_code == 400
    assert "页面已过期或不完整，请刷新后重新填写。" in response.content.decode()
    assert seed000_draft.budget_lines.count() == 1


def test_snan_in_an_existing_budget_line_is_refused_at_the_field(client, login, seed000_draft):
    login("ruili_finance")
    response = client.post(
        reverse("allocations:notice_edit", args=[seed000_draft.pk]),
        edit_post(seed000_draft, **{"line-0-amount": "sNaN"}),
    )
    assert response.status_code == 400
    assert response.context["lines"].forms[0].errors["amount"] == [
        "金额须为数字，如 3.88（不要带单位或文字）。"
    ]


# --- ARIA references ---------------------------------------------------------------------


def test_every_field_names_its_help_and_errors_by_ids_on_the_page(client, login, seed000_draft):
    """Help texts and error messages printed beside fields carry the ids Django's
    aria-describedby names; a filter refused, a form refused and a bad cell included."""
    from tests.aria import unresolved_references

    login("ruili_finance")
    table = seed000_draft.allocation_tables.get()
    row = table.rows.get()
    c1, _ = table.columns.order_by("position")
    states = {
        "list, bad year": client.get(reverse("allocations:notice_list"), {"year": "abc"}),
        "drafting form": client.get(reverse("allocations:notice_create")),
        "drafting form refused": client.post(
            reverse("allocations:notice_create"), draft_post(amount="abc", **{"line-0-amount": "x"})
        ),
        "draft with its allocation form": client.get(
            reverse("allocations:notice_detail", args=[seed000_draft.pk])
        ),
        "allocation editor": client.get(
            reverse("allocations:allocation_edit", args=[seed000_draft.pk, table.pk])
        ),
        "bad cell": client.post(
            reverse("allocations:allocation_cells", args=[seed000_draft.pk, table.pk]),
            {"version": table.version, f"c_{row.pk}_{c1.pk}": "-3"},
        ),
    }
    for state, response in states.items():
        assert response.status_code in (200, 400), state
        assert unresolved_references(response.content.decode()) == [], state
    refused = states["drafting form refused"].content.decode()
    assert 'aria-describedby="id_amount_error"' in refused
    assert 'id="id_amount_error"' in refused
