"""The target-table editor over HTTP: every URL's access rules, header saves, row actions."""

import copy
import re
from decimal import Decimal

import pytest
from django.db.models import Q
from django.urls import reverse

from indicators.models import PerformanceIndicator
from perfgoals.layouts import printed_label
from perfgoals.models import TargetTable, User
from perfgoals.targets.editor.context import MENU_MARKS

PROJECT = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def table(demo):
    return TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)


def some_row(table, name="指标2：基层就诊率"):
    return PerformanceIndicator.objects.get(table=table, name=name)


def get_urls(table):
    row = some_row(table)
    return [
        reverse("tables:detail", args=[table.pk]),
        reverse("tables:edit", args=[table.pk]),
        reverse("tables:lint", args=[table.pk]),
        reverse("tables:tree", args=[table.pk]),
        reverse("tables:row_new", args=[table.pk]),
        reverse("tables:paste", args=[table.pk]),
        reverse("tables:library", args=[table.pk]),
        reverse("tables:row_edit", args=[row.pk]),
        reverse("tables:row_delete", args=[row.pk]),
    ]


def post_urls(table):
    row = some_row(table)
    return [
        reverse("tables:edit", args=[table.pk]),
        reverse("tables:row_new", args=[table.pk]),
        reverse("tables:row_edit", args=[row.pk]),
        reverse("tables:row_move", args=[row.pk, "up"]),
        reverse("tables:row_delete", args=[row.pk]),
        reverse("tables:paste", args=[table.pk]),
        reverse("tables:lint_acknowledge", args=[table.pk]),
        reverse("tables:row_apply_suggestion", args=[row.pk]),
    ]


def test_every_url_sends_anonymous_users_to_the_login_page(client, table):
    for url in get_urls(table):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url
    for url in post_urls(table):
        response = client.post(url, {"version": 1})
        assert response.status_code == 302 and "/accounts/login/" in response.url, url
    assert PerformanceIndicator.objects.filter(pk=some_row(table).pk).exists()


@pytest.mark.parametrize("username", ["shifeng_health", "ruili_medsec"])
def test_every_url_is_a_404_for_another_organisation(client, login, table, username):
    login(username)
    for url in get_urls(table):
        assert client.get(url).status_code == 404, url
        assert client.get(url, **HTMX).status_code == 404, url
    for url in post_urls(table):
        assert client.post(url, {"version": 1, "name": "x"}).status_code == 404, url
    table.refresh_from_db()
    assert table.version == 1


def test_finance_may_read_but_every_edit_url_is_a_404(client, login, table):
    login("ruili_finance")  # issued the notice the table is attached to
    urls = get_urls(table)
    assert client.get(urls[0]).status_code == 200
    assert "编辑" not in client.get(urls[0]).content.decode().split("head-actions")[1][:200]
    for url in urls[1:]:
        if url != reverse("tables:lint", args=[table.pk]):
            assert client.get(url).status_code == 404, url
    for url in post_urls(table):
        assert client.post(url, {"version": 1}).status_code == 404, url


def test_submitted_tables_are_read_only_for_their_own_bureau(client, login, table):
    TargetTable.objects.filter(pk=table.pk).update(status=TargetTable.Status.SUBMITTED)
    login("ruili_health")
    assert client.get(reverse("tables:detail", args=[table.pk])).status_code == 200
    for url in get_urls(table)[1:]:
        if url != reverse("tables:lint", args=[table.pk]):
            assert client.get(url).status_code == 404, url
    for url in post_urls(table):
        assert client.post(url, {"version": 1}).status_code == 404, url


def test_every_url_answers_its_own_bureau(client, login, table):
    login("ruili_health")
    for url in get_urls(table):
        response = client.get(url)
        assert response.status_code in (200, 302), url
        assert client.get(url, **HTMX).status_code == 200, url
    assert table.get_absolute_url() == reverse("tables:detail", args=[table.pk])


@pytest.mark.parametrize("layout", [choice for choice, _ in TargetTable.Layout.choices])
def test_the_editor_and_read_view_render_every_layout(client, login, demo, layout):
    table = TargetTable.objects.filter(layout=layout).first()
    user = User.objects.filter(organisation=table.organisation, role="bureau_staff").first()
    TargetTable.objects.filter(pk=table.pk).update(status=TargetTable.Status.DRAFT)
    client.force_login(user)
    page = client.get(reverse("tables:edit", args=[table.pk])).content.decode()
    detail = client.get(reverse("tables:detail", args=[table.pk])).content.decode()
    assert "保存表头" in page and "检查结果" in page
    if layout == TargetTable.Layout.DEPARTMENT:
        # The seeds' department tables have no rows: the editor offers a tree, the read view
        # prints none (as the official narrative table).
        assert 'id="tree"' in page and 'id="tree"' not in detail
    elif table.has_indicator_tree:
        assert 'id="tree"' in page and "一级指标" in detail
        six = layout == TargetTable.Layout.DEPT_PROJECT
        assert ("指标值确定依据</th>" in page) is six
    else:
        assert 'id="tree"' not in page
    labels = {
        "project": printed_label(table, "contact"),  # the table's own: 项目负责人及(联系)电话
        "transfer": "专项名称",
        "dept_project": "项目编码",
        "department": "基本支出",
        "special_fund": "支出方向",
    }
    assert labels[layout] in page and labels[layout] in detail


def header_post(table, **changes):
    data = {
        "version": table.version,
        "title": table.title,
        "project_name": table.project_name,
        "contact": table.contact,
        "competent_department": "瑞丽市卫生健康局",
        "implementing_unit": table.implementing_unit,
        "amount_unit": "wan",
        "amount_total": "3.88",
        "amount_fiscal": "3.88",
        "amount_other": "0",
        "annual_goal": table.annual_goal,
    }
    data.update(changes)
    return data


def test_header_save_records_who_changed_what(client, login, table):
    user = login("ruili_health")
    url = reverse("tables:edit", args=[table.pk])
    response = client.post(url, header_post(table, amount_total="1,234.50", contact="李四 123"))
    assert response.status_code == 302
    table.refresh_from_db()
    assert table.amount_total == Decimal("1234.50") and table.contact == "李四 123"
    assert (table.version, table.updated_by) == (2, user)
    record = table.history.first()
    assert record.history_user == user and record.contact == "李四 123"


def test_bad_amounts_are_shown_at_the_field_with_the_typed_text_and_nothing_saved(
    client, login, table
):
    login("ruili_health")
    url = reverse("tables:edit", args=[table.pk])
    response = client.post(
        url, header_post(table, amount_total="3.88万x", contact="新联系人", amount_other="-1")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "amount_total" in form.errors and "amount_other" in form.errors
    page = response.content.decode()
    assert 'value="3.88万x"' in page and 'value="新联系人"' in page
    # Each error sits in its field's block, which is marked for the eye and the stylesheet.
    block = re.search(r'<div class="([^"]*)" id="field-amount_total">(.*?)</div>', page, re.S)
    assert "has-error" in block.group(1).split()
    assert form.errors["amount_total"][0] in block.group(2)
    table.refresh_from_db()
    assert table.contact == "张翰林18869207068" and table.version == 1


def test_a_header_finding_is_shown_at_its_field(client, login, table):
    TargetTable.objects.filter(pk=table.pk).update(annual_goal="")
    login("ruili_health")
    page = client.get(reverse("tables:edit", args=[table.pk])).content.decode()
    block = re.search(r'<div class="([^"]*)" id="field-annual_goal">(.*?)</div>', page, re.S)
    assert "has-finding" in block.group(1).split()
    assert re.search(r'<p class="field-finding sev-(error|warning)">[^<]*年度目标', block.group(2))


def test_bad_spending_plan_percentages_are_refused(client, login, demo):
    table = TargetTable.objects.filter(layout="dept_project").first()
    user = login("shunping_medsec")
    assert table.organisation == user.organisation
    data = {
        "version": table.version,
        "title": table.title,
        "project_name": table.project_name,
        "project_code": table.project_code,
        "amount_unit": "yuan",
        "amount_total": "90100",
        "amount_fiscal": "90100",
        "spend_by_mar": "120",
        "spend_by_dec": "百分百",
    }
    response = client.post(reverse("tables:edit", args=[table.pk]), data)
    errors = response.context["form"].errors
    assert set(errors) == {"spend_by_mar", "spend_by_dec"}
    assert 'value="百分百"' in response.content.decode()
    table.refresh_from_db()
    assert table.spend_by_mar is None and table.version == 1


def test_the_second_of_two_saves_from_the_same_version_is_refused_with_the_name(
    client, login, table
):
    """Two people opened version 1; the later save must not overwrite the earlier one."""
    colleague = User.objects.create_user(
        "ruili_health2",
        organisation=table.organisation,
        role="bureau_staff",
        first_name="小红",
        last_name="李",
    )
    client.force_login(colleague)
    url = reverse("tables:edit", args=[table.pk])
    assert client.post(url, header_post(table, contact="李小红 139")).status_code == 302
    login("ruili_health")
    response = client.post(url, header_post(table, version=1, contact="张翰林 188"))
    assert response.status_code == 200
    message = " ".join(response.context["form"].non_field_errors())
    assert "李小红" in message and "修改" in message
    page = response.content.decode()
    assert "他人刚保存的值：李小红 139" in page and 'value="张翰林 188"' in page
    table.refresh_from_db()
    assert table.contact == "李小红 139" and table.version == 2
    # The refused form now carries the current version: saving again is a deliberate choice.
    assert response.context["form"].data["version"] == "2"


def test_a_row_action_with_a_stale_version_is_refused(client, login, table):
    login("ruili_health")
    row = some_row(table)
    TargetTable.objects.filter(pk=table.pk).update(version=5)
    response = client.post(reverse("tables:row_delete", args=[row.pk]), {"version": 1}, **HTMX)
    assert response.status_code == 200
    assert "您的修改未保存" in response.content.decode()
    assert PerformanceIndicator.objects.filter(pk=row.pk).exists()


def test_a_delete_from_a_page_older_than_the_table_compares_only_its_row(client, login, table):
    """A colleague saved elsewhere since the page was drawn: the delete still goes through,
    because the page sends the row's own version; a changed row is refused by name."""
    login("ruili_health")
    row = some_row(table)
    TargetTable.objects.filter(pk=table.pk).update(version=5)
    url = reverse("tables:row_delete", args=[row.pk])
    response = client.post(url, {"version": 1, "row_version": row.version}, **HTMX)
    assert response.status_code == 200
    assert not PerformanceIndicator.objects.filter(pk=row.pk).exists()
    other = some_row(table, "质量指标")
    PerformanceIndicator.objects.filter(pk=other.pk).update(version=other.version + 1)
    url = reverse("tables:row_delete", args=[other.pk])
    response = client.post(url, {"version": 5, "row_version": other.version}, **HTMX)
    assert "您的修改未保存" in response.content.decode()
    assert PerformanceIndicator.objects.filter(pk=other.pk).exists()


def test_row_actions_over_htmx_return_the_tree_findings_and_version(client, login, table):
    login("ruili_health")
    quality = some_row(table, "质量指标")
    url = reverse("tables:row_new", args=[table.pk])
    response = client.post(
        url,
        {"version": 1, "parent": quality.pk, "name": "履约率", "value_text": "≧90%", "next": "1"},
        **HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="tree"')
    assert 'id="lint-panel" class="card lint" hx-swap-oob="true"' in page
    assert 'value="2" class="table-version" hx-swap-oob="outerHTML:input.table-version"' in page
    # Enter in the last field: the next row is open, right below, focused.
    assert 'id="row-new"' in page and "autofocus" in page
    added = some_row(table, "履约率")
    assert 'data-code="value_notation"' in page and f'href="#row-{added.pk}"' in page
    # Fix the value: its finding disappears from the refreshed panel.
    response = client.post(
        reverse("tables:row_edit", args=[added.pk]),
        {"version": 2, "name": "履约率", "value_text": "≥90%"},
        **HTMX,
    )
    assert f'href="#row-{added.pk}"' not in response.content.decode().split("lint-panel")[1]


def test_row_actions_without_javascript_redirect_to_the_row(client, login, table):
    login("ruili_health")
    row = some_row(table)
    response = client.post(reverse("tables:row_move", args=[row.pk, "down"]), {"version": 1})
    assert response.status_code == 302
    assert response.url == reverse("tables:edit", args=[table.pk]) + f"#row-{row.pk}"
    response = client.get(reverse("tables:row_delete", args=[row.pk]))
    assert "确定从" in response.content.decode() and "及其下的" not in response.content.decode()
    # A category's confirmation counts every row below it, 三级 and sub-items alike.
    quality = some_row(table, "质量指标")
    below = PerformanceIndicator.objects.filter(
        Q(parent=quality) | Q(parent__parent=quality)
    ).count()
    page = client.get(reverse("tables:row_delete", args=[quality.pk])).content.decode()
    assert below > 1 and f"及其下的 {below} 个指标" in page
    response = client.post(reverse("tables:row_delete", args=[row.pk]), {"version": 2})
    assert response.status_code == 302
    assert not PerformanceIndicator.objects.filter(pk=row.pk).exists()
    # The new-row form renders the whole editor with the blank row in place.
    quality = some_row(table, "质量指标")
    page = client.get(
        reverse("tables:row_new", args=[table.pk]), {"parent": quality.pk}
    ).content.decode()
    assert 'id="row-new"' in page and "保存表头" in page
    response = client.post(
        reverse("tables:row_new", args=[table.pk]),
        {"version": 3, "parent": quality.pk, "name": "新行", "value_text": "1人"},
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#row-{some_row(table, '新行').pk}")


def old_row_paths(table, row):
    """Each row URL's path before the editor became one package, and where it lives now."""
    return [
        (f"/indicators/tables/{table.pk}/rows/new/", reverse("tables:row_new", args=[table.pk])),
        (f"/indicators/tables/{table.pk}/paste/", reverse("tables:paste", args=[table.pk])),
        (f"/indicators/tables/{table.pk}/library/", reverse("tables:library", args=[table.pk])),
        (
            f"/indicators/tables/{table.pk}/acknowledge/",
            reverse("tables:lint_acknowledge", args=[table.pk]),
        ),
        (f"/indicators/rows/{row.pk}/edit/", reverse("tables:row_edit", args=[row.pk])),
        (
            f"/indicators/rows/{row.pk}/move/up/",
            reverse("tables:row_move", args=[row.pk, "up"]),
        ),
        (f"/indicators/rows/{row.pk}/delete/", reverse("tables:row_delete", args=[row.pk])),
        (
            f"/indicators/rows/{row.pk}/apply/",
            reverse("tables:row_apply_suggestion", args=[row.pk]),
        ),
    ]


def test_a_refused_fields_message_is_tied_to_its_input(client, login, table):
    """A screen reader reads the message with the field: aria-describedby names it, and only
    the refused field is marked invalid."""
    import re

    login("ruili_health")
    quality = some_row(table, "质量指标")
    page = client.post(
        reverse("tables:row_new", args=[table.pk]),
        {"version": 1, "parent": quality.pk, "name": "", "value_text": "≥88%"},
        **HTMX,
    ).content.decode()
    name = re.search(r'<input[^>]*id="rowform-name"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in name and 'aria-describedby="rowform-name-error"' in name
    assert re.search(r'<ul class="errorlist" id="rowform-name-error"><li>请填写指标名称。', page)
    value = re.search(r'<input[^>]*id="rowform-value"[^>]*>', page).group(0)
    assert "aria-invalid" not in value and "aria-describedby" not in value
    # Every aria-describedby on the page names an element that is there.
    for target in re.findall(r'aria-describedby="([^"]+)"', page):
        for ident in target.split():
            assert f'id="{ident}"' in page, ident


def test_the_check_results_are_announced_through_a_live_region_that_stays(client, login, table):
    """The panel is swapped whole on each check; the status line it announces through is not,
    only its text is replaced (out of band), so screen readers hear every new result."""
    import re

    login("ruili_health")
    page = client.get(reverse("tables:edit", args=[table.pk])).content.decode()
    assert page.count('id="lint-status"') == 1
    assert '<p id="lint-status" class="sr-only" role="status">检查结果：' in page
    assert 'id="lint-panel" class="card lint">' in page  # no live region of its own
    response = client.get(reverse("tables:lint", args=[table.pk]), **HTMX)
    swapped = response.content.decode()
    assert '<p id="lint-status" hx-swap-oob="innerHTML">检查结果：' in swapped
    # It says what the panel's badges say.
    panel, status = swapped.split('id="lint-status"')
    badges = re.findall(r'class="badge badge-(?:error|warning)">(\d+ 个[^<]+)<', panel)
    assert badges and all(badge in status for badge in badges)


def test_old_indicator_paths_redirect_permanently_to_the_tables_urls(client, table):
    row = some_row(table)
    for old, new in old_row_paths(table, row):
        assert new.startswith("/tables/") and not new.startswith("/tables/indicators")
        response = client.get(old, {"parent": 7})
        assert (response.status_code, response.url) == (301, f"{new}?parent=7"), old
        # 308 keeps the method and the body: a POST from an open old page still arrives.
        response = client.post(old, {"version": 1})
        assert (response.status_code, response.url) == (308, new), old
    assert client.get("/indicators/rows/1/nothing/").status_code == 404


def test_a_post_to_an_old_indicator_path_still_does_its_work(client, login, table):
    login("ruili_health")
    row = some_row(table)
    old = f"/indicators/rows/{row.pk}/delete/"
    response = client.post(old, {"version": 1}, follow=True, **HTMX)
    assert response.redirect_chain == [(reverse("tables:row_delete", args=[row.pk]), 308)]
    assert response.status_code == 200
    assert not PerformanceIndicator.objects.filter(pk=row.pk).exists()


def test_an_invalid_row_is_shown_in_place_with_the_typed_text(client, login, table):
    login("ruili_health")
    quality = some_row(table, "质量指标")
    response = client.post(
        reverse("tables:row_new", args=[table.pk]),
        {"version": 1, "parent": quality.pk, "name": "", "value_text": "≥88%"},
        **HTMX,
    )
    page = response.content.decode()
    assert "请填写指标名称。" in page and 'value="≥88%"' in page
    table.refresh_from_db()
    assert table.version == 1


def test_paste_previews_then_adds_and_reports_bad_lines(client, login, table):
    login("ruili_health")
    url = reverse("tables:paste", args=[table.pk])
    text = "产出指标\t质量指标\t履约率\t≥90%\n\t\t随访率\t≥80%\n"
    response = client.post(url, {"version": 1, "text": text, "action": "preview"}, **HTMX)
    assert "预览：识别到 2 行" in response.content.decode()
    assert not PerformanceIndicator.objects.filter(table=table, name="履约率").exists()
    bad = client.post(url, {"version": 1, "text": "\t\t孤行\t1人\n", "action": "apply"}, **HTMX)
    assert "第1行：缺少一级指标" in bad.content.decode()
    response = client.post(url, {"version": 1, "text": text, "action": "apply"})
    assert response.status_code == 302
    assert PerformanceIndicator.objects.filter(
        table=table, name="随访率", parent__name="质量指标"
    ).exists()


def test_library_offers_values_used_before_for_the_rows_category(client, login, table):
    login("ruili_health")
    satisfaction = some_row(table, "服务对象满意度指标")
    response = client.get(
        reverse("tables:library", args=[table.pk]), {"parent": satisfaction.pk}, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["category_id"] == satisfaction.category_id
    assert "满意度" in page and "≥85%" in page and "仅用名称" in page


def make_table(count: int) -> tuple[TargetTable, User]:
    from indicators.services import indicator_tree_create
    from tests.factories import TargetTableFactory, UserFactory

    user = UserFactory()
    table = TargetTableFactory(organisation=user.organisation)
    nodes = [
        {
            "name": "产出指标",
            "children": [
                {
                    "name": "质量指标",
                    "children": [
                        {"name": f"签约率{n}", "value": f"≥{n}%"} for n in range(count - 2)
                    ],
                }
            ],
        }
    ]
    indicator_tree_create(table=table, nodes=nodes)
    assert PerformanceIndicator.objects.filter(table=table).count() == count
    return table, user


# session, user (with its organisation: perfgoals.accounts.backends), table (with who saved it
# last), rows, acknowledged warnings, review events and review comments: the same for 5 or 30
# indicators. The checks' framework is read once per process (warm_framework).
EDITOR_QUERIES = 7


@pytest.mark.parametrize("count", [5, 30])
def test_the_editor_page_needs_the_same_few_queries_whatever_the_tree_size(
    client, db, django_assert_num_queries, warm_framework, count
):
    table, user = make_table(count)
    TargetTable.objects.filter(pk=table.pk).update(updated_by=user)
    client.force_login(user)
    url = reverse("tables:edit", args=[table.pk])
    with django_assert_num_queries(EDITOR_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert f"最后修改：{user}" in response.content.decode()


# The page's own links and forms; each row's actions are filled from URLs reversed once
# (RowUrls), not reversed per row: they were 434 reversals, a third of the page's time.
EDITOR_REVERSALS = 35


@pytest.mark.parametrize("count", [5, 30])
def test_the_editor_reverses_the_same_few_urls_whatever_the_tree_size(
    client, db, monkeypatch, count
):
    import django.urls

    table, user = make_table(count)
    client.force_login(user)
    url = reverse("tables:edit", args=[table.pk])
    calls = []
    original = django.urls.reverse

    def counted(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    # {% url %} and the views both look reverse up in django.urls when they run.
    monkeypatch.setattr(django.urls, "reverse", counted)
    monkeypatch.setattr("perfgoals.targets.editor.context.reverse", counted)
    response = client.get(url)
    assert response.status_code == 200
    assert len(calls) <= EDITOR_REVERSALS, sorted(set(calls))
    # Every row still has its own menu (filled from the page's one copy per level) and,
    # without JavaScript, its actions page.
    rows = PerformanceIndicator.objects.filter(table=table)
    page = response.content.decode()
    for row in rows:
        assert reverse("tables:row_edit", args=[row.pk]) in page
        assert (
            f'data-row="{row.pk}" data-level="{row.level}" data-row-version="{row.version}"' in page
        )
        assert reverse("tables:row_actions", args=[row.pk]) in page
    mark = MENU_MARKS["row"]
    assert page.count('<div data-level="') == 4
    assert reverse("tables:row_delete", args=[mark]) in page
    assert reverse("tables:row_move", args=[mark, "down"]) in page


def test_the_rows_urls_reversed_once_follow_the_sites_script_prefix(client, db):
    """RowUrls keeps its reversed URLs between pages: one served under a prefix
    (SCRIPT_NAME, a site behind /perfgoals/) still links its rows there."""
    from django.urls import set_script_prefix

    table, user = make_table(5)
    client.force_login(user)
    url = reverse("tables:edit", args=[table.pk])
    row = PerformanceIndicator.objects.filter(table=table).order_by("pk").first()
    actions = reverse("tables:row_actions", args=[row.pk])
    assert f'href="{actions}"' in client.get(url).content.decode()
    # What WSGIHandler sets from SCRIPT_NAME; the test client does not.
    set_script_prefix("/perfgoals/")
    try:
        page = client.get(url).content.decode()
    finally:
        set_script_prefix("/")
    assert f'href="/perfgoals{actions}"' in page and f'href="{actions}"' not in page


def test_the_page_carries_each_row_menu_once_whatever_the_tree_size(client, db):
    """The menus were 85% of the tree's HTML and two thirds of its rendering time."""
    sizes = []
    for count in (5, 30):
        table, user = make_table(count)
        client.force_login(user)
        page = client.get(reverse("tables:edit", args=[table.pk])).content.decode()
        sizes.append(page.count("上移"))
    assert sizes == [4, 4]


def test_a_rows_actions_page_offers_its_actions_without_javascript(client, login, table):
    login("ruili_health")
    row = some_row(table, "质量指标")
    response = client.get(reverse("tables:row_actions", args=[row.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'action="{reverse("tables:row_move", args=[row.pk, "up"])}"' in page
    assert f'href="{reverse("tables:row_delete", args=[row.pk])}"' in page
    assert f'"row_version": "{row.version}"' in page
    assert f'name="version" value="{table.version}"' in page
    assert "添加三级指标" in page
    # The actions page is the editor's: not for another organisation, nor a table under review.
    login("shifeng_health")
    assert client.get(reverse("tables:row_actions", args=[row.pk])).status_code == 404


def test_the_seed_table_with_its_notice_and_allocation_stays_within_budget(
    client, login, table, django_assert_max_num_queries
):
    login("ruili_health")
    # The amounts reconciled per recipient read the notice's recipients; the decomposition
    # reads the upper table's rows, the rows serving them and their tables (once each).
    with django_assert_max_num_queries(17):
        assert client.get(reverse("tables:edit", args=[table.pk])).status_code == 200


def test_the_check_button_refreshes_findings_with_or_without_javascript(client, login, table):
    login("ruili_health")
    TargetTable.objects.filter(pk=table.pk).update(annual_goal="")
    url = reverse("tables:lint", args=[table.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == reverse("tables:edit", args=[table.pk]) + "?checked=1#lint-panel"
    page = client.get(response.url).content.decode()
    assert "刚刚检查" in page
    partial = client.get(url, **HTMX).content.decode()
    assert partial.lstrip().startswith('<aside id="lint-panel"')
    # Seed 000 附件3 writes >=97.9%: the panel suggests the normal form and links to the row.
    row = some_row(table, "指标4：建档立卡贫困户家庭医生签约服务覆盖率")
    assert f'href="#row-{row.pk}"' in partial and "≥97.9%" in partial
    # A header finding points at its field.
    assert 'href="#field-annual_goal"' in partial


def test_editing_a_row_in_place_and_cancelling(client, login, table):
    login("ruili_health")
    row = some_row(table)
    page = client.get(reverse("tables:row_edit", args=[row.pk]), **HTMX).content.decode()
    assert f'action="{reverse("tables:row_edit", args=[row.pk])}"' in page
    assert 'value="≥60%"' in page and "autofocus" in page
    page = client.get(reverse("tables:tree", args=[table.pk]), **HTMX).content.decode()
    assert 'id="rowform"' not in page


@pytest.mark.parametrize("name", ["tables:detail", "tables:lint", "tables:tree"])
def test_read_view_lint_panel_and_tree_cost_the_same_for_5_and_30_indicators(
    client, db, warm_framework, name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for count in (5, 30):
        table, user = make_table(count)
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name, args=[table.pk]), **HTMX)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 15, counts


# A copied table (复制上年) reads the rows of the table it came from once, for 「上年：…」.
COPIED_EDITOR_QUERIES = EDITOR_QUERIES + 1


@pytest.mark.parametrize("count", [5, 30])
def test_a_copied_table_shows_last_years_values_for_one_more_query(
    client, db, django_assert_num_queries, warm_framework, count
):
    from perfgoals.targets.creation import target_table_create

    source, user = make_table(count)
    source.year = 2025
    source.save()
    table = target_table_create(
        user=user, layout=source.layout, year=2026, project_name="", copy_from_id=source.pk
    )
    client.force_login(user)
    with django_assert_num_queries(COPIED_EDITOR_QUERIES):
        response = client.get(reverse("tables:edit", args=[table.pk]))
    page = response.content.decode()
    assert page.count("上年：≥") == count - 2


def test_an_overlong_name_is_refused_at_the_field_never_cut(client, login, table):
    """A browser cuts text at an input's maxlength without a word: the editor sets none and
    the server refuses the whole text at the field, giving it back to shorten."""
    login("ruili_health")
    row = some_row(table)
    url = reverse("tables:row_edit", args=[row.pk])
    form = client.get(url, **HTMX).content.decode()
    assert 'name="name"' in form and "maxlength" not in form
    name = "基" * 301
    response = client.post(url, {"version": 1, "name": name, "value_text": "≥60%"}, **HTMX)
    page = response.content.decode()
    assert "最多300个字，现在有301个字，请删减后再保存。" in page
    assert f'value="{name}"' in page
    row.refresh_from_db()
    assert row.name == "指标2：基层就诊率"


@pytest.mark.parametrize(
    ("unit", "typed", "stored", "shown"),
    [
        (
            "wan",
            "38800元",
            Decimal("3.88"),
            "年度资金总额：“38800元”已按金额单位折合为 3.8800 万元",
        ),
        (
            "yuan",
            "3.88万元",
            Decimal("38800"),
            "年度资金总额：“3.88万元”已按金额单位折合为 38800.00 元",
        ),
    ],
)
def test_an_amount_typed_with_another_unit_is_converted_and_the_conversion_shown(
    client, login, table, unit, typed, stored, shown
):
    login("ruili_health")
    url = reverse("tables:edit", args=[table.pk])
    response = client.post(
        url, header_post(table, amount_unit=unit, amount_total=typed), follow=True
    )
    table.refresh_from_db()
    assert table.amount_total == stored and table.amount_unit == unit
    assert shown in [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("amount_total", "50%", "“50%”是百分比，这里应填金额（万元），如 3.88。"),
        (
            "amount_total",
            "38834元",
            "“38834元”折合3.8834万元，超过两位小数；请按万元填写，或把金额单位改为元。",
        ),
        ("spend_by_mar", "3.88万元", "“3.88万元”是金额，这里应填百分比，如 35 或 35%。"),
    ],
)
def test_a_percent_in_an_amount_or_an_amount_in_a_percent_is_refused_at_the_field(
    client, login, demo, field, typed, message
):
    table = TargetTable.objects.filter(layout="dept_project").first()
    login("shunping_medsec")
    data = {
        "version": table.version,
        "title": table.title,
        "project_name": table.project_name,
        "project_code": table.project_code,
        "amount_unit": "wan",
        "amount_total": "9.01",
        "amount_fiscal": "9.01",
        field: typed,
    }
    response = client.post(reverse("tables:edit", args=[table.pk]), data)
    assert response.context["form"].errors[field] == [message]
    table.refresh_from_db()
    assert table.version == 1


def test_an_overlong_header_field_is_refused_at_the_field(client, login, table):
    login("ruili_health")
    url = reverse("tables:edit", args=[table.pk])
    assert "maxlength" not in client.get(url).content.decode()
    response = client.post(url, header_post(table, project_name="项" * 201))
    assert response.status_code == 200
    assert response.context["form"].errors["project_name"] == [
        "最多200个字，现在有201个字，请删减后再保存。"
    ]
    table.refresh_from_db()
    assert table.project_name == PROJECT


def test_two_people_saving_different_rows_of_one_table_both_succeed(client, login, table):
    first, second = some_row(table), some_row(table, "指标1：特殊人群签约率")
    form = {"version": 1, "row_version": 1}
    login("ruili_health")
    response = client.post(
        reverse("tables:row_edit", args=[first.pk]),
        {**form, "name": first.name, "value_text": "≥61%"},
        **HTMX,
    )
    assert "您的修改未保存" not in response.content.decode()
    # A colleague who opened the editor at the same version saves another row.
    colleague = User.objects.create_user(
        "ruili_health2", organisation=table.organisation, role="bureau_staff", first_name="小红"
    )
    client.force_login(colleague)
    response = client.post(
        reverse("tables:row_edit", args=[second.pk]),
        {**form, "name": second.name, "value_text": "≥99%"},
        **HTMX,
    )
    assert "您的修改未保存" not in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    table.refresh_from_db()
    assert (first.value_text, second.value_text) == ("≥61%", "≥99%")
    assert (first.version, second.version, table.version) == (2, 2, 3)
    # Each save still makes a table version with its history record.
    assert table.history.count() >= 2


def test_the_second_save_of_the_same_row_shows_both_values_to_choose_from(client, login, table):
    row = some_row(table)
    login("ruili_health")
    client.post(
        reverse("tables:row_edit", args=[row.pk]),
        {"version": 1, "row_version": 1, "name": row.name, "value_text": "≥61%"},
        **HTMX,
    )
    colleague = User.objects.create_user(
        "ruili_health2", organisation=table.organisation, role="bureau_staff", first_name="小红"
    )
    client.force_login(colleague)
    response = client.post(
        reverse("tables:row_edit", args=[row.pk]),
        {"version": 1, "row_version": 1, "name": row.name, "value_text": "≥70%"},
        **HTMX,
    )
    page = response.content.decode()
    assert "此行已被" in page and "您的修改未保存" in page
    # Their value, with a button to take it; the typed value still in the field.
    assert "对方刚保存的值：≥61%" in page and 'data-value="≥61%"' in page
    assert 'id="rowform-value" name="value_text" form="rowform" value="≥70%"' in page
    assert "对方刚保存的值：" + row.name not in page  # the name did not differ
    assert 'name="row_version" value="2"' in page
    row.refresh_from_db()
    assert row.value_text == "≥61%"
    # Keeping their own: save again from the form as returned, no retyping.
    response = client.post(
        reverse("tables:row_edit", args=[row.pk]),
        {"version": 2, "row_version": 2, "name": row.name, "value_text": "≥70%"},
        **HTMX,
    )
    row.refresh_from_db()
    assert row.value_text == "≥70%" and row.version == 3


def test_the_opened_row_form_carries_the_rows_version(client, login, table):
    login("ruili_health")
    row = some_row(table)
    page = client.get(reverse("tables:row_edit", args=[row.pk]), **HTMX).content.decode()
    assert f'name="row_version" value="{row.version}"' in page


def test_invisible_characters_are_removed_at_input_and_a_field_of_them_is_empty(
    client, login, table
):
    login("ruili_health")
    url = reverse("tables:edit", args=[table.pk])
    response = client.post(
        url,
        header_post(table, contact="\u200b\ufeff", implementing_unit="瑞丽\u200b市卫健局\u3000"),
    )
    assert response.status_code == 302
    table.refresh_from_db()
    assert table.contact == "" and table.implementing_unit == "瑞丽市卫健局"


# session, user, table (through the scope), rows, acknowledged warnings, review events and
# review comments: the same for 5 or 30 indicators; whether the user may edit it is decided
# from the table read (no query). The framework: warm_framework.
READ_QUERIES = 7


@pytest.mark.parametrize("people", [1, 6])
def test_who_acted_commented_or_acknowledged_is_named_from_one_query(
    client, db, django_assert_num_queries, warm_framework, people
):
    """The review's actors, commenters and whoever acknowledged a warning are read in one
    query of users, however many there are (they were joined into three queries)."""
    from indicators.models import LintAcknowledgement
    from perfgoals.findings import Severity
    from perfgoals.models import ReviewComment, ReviewEvent
    from perfgoals.targets.checks import check_table
    from tests.factories import UserFactory

    table, user = make_table(5)
    TargetTable.objects.filter(pk=table.pk).update(updated_by=user, fund_purpose="购置办公桌椅")
    table.refresh_from_db()
    warning = next(f for f in check_table(table) if f.severity == Severity.WARNING)
    acknowledger = UserFactory(organisation=user.organisation, last_name="确认", first_name="人")
    LintAcknowledgement.objects.create(
        table=table,
        key=warning.key,
        code=warning.code,
        field=warning.field,
        message=warning.message,
        reason="已核实",
        acknowledged_by=acknowledger,
    )
    row = PerformanceIndicator.objects.filter(table=table, level=3).first()
    names = []
    for n in range(people):
        actor = UserFactory(last_name="审核", first_name=f"甲{n}")
        author = UserFactory(last_name="意见", first_name=f"乙{n}")
        ReviewEvent.objects.create(
            table=table,
            action=ReviewEvent.Action.CORRECT,
            actor=actor,
            indicator=row,
            comment="修正",
            table_version=1,
        )
        ReviewComment.objects.create(
            table=table, indicator=row, author=author, text=f"意见{n}", table_version=1
        )
        names += [str(actor), str(author)]
    client.force_login(user)
    with django_assert_num_queries(READ_QUERIES + 1):
        response = client.get(reverse("tables:detail", args=[table.pk]))
    page = response.content.decode()
    assert "已确认无误：确认人" in page
    for name in names:
        assert name in page


@pytest.mark.parametrize("count", [5, 30])
def test_the_read_view_needs_the_same_few_queries_whatever_the_tree_size(
    client, db, django_assert_num_queries, warm_framework, count
):
    table, user = make_table(count)
    TargetTable.objects.filter(pk=table.pk).update(updated_by=user)
    client.force_login(user)
    with django_assert_num_queries(READ_QUERIES):
        response = client.get(reverse("tables:detail", args=[table.pk]))
    assert response.status_code == 200
    assert response.context["can_edit"] is True


def test_the_review_history_and_table_comments_read_in_time_order(client, db):
    """What happened first prints first, whatever order the rows were stored in (here the
    later one first: the ids run against the clock)."""
    from datetime import timedelta

    from django.utils import timezone

    from perfgoals.models import ReviewComment, ReviewEvent

    table, user = make_table(5)
    now = timezone.now()
    for text, at in [("第二次退回", now), ("第一次退回", now - timedelta(days=1))]:
        event = ReviewEvent.objects.create(
            table=table,
            action=ReviewEvent.Action.RETURN,
            actor=user,
            from_status=TargetTable.Status.SUBMITTED,
            to_status=TargetTable.Status.RETURNED,
            comment=text,
            table_version=1,
        )
        comment = ReviewComment.objects.create(
            table=table, author=user, text=f"整表批注：{text}", table_version=1
        )
        ReviewEvent.objects.filter(pk=event.pk).update(created_at=at)
        ReviewComment.objects.filter(pk=comment.pk).update(created_at=at)
    client.force_login(user)
    page = client.get(reverse("tables:detail", args=[table.pk])).content.decode()
    assert page.index("<td>第一次退回</td>") < page.index("<td>第二次退回</td>")
    assert page.index("整表批注：第一次退回") < page.index("整表批注：第二次退回")


def test_every_field_names_its_help_and_errors_by_ids_on_the_page(client, login, table):
    """The header's help texts (指标体系版本) and errors, the list's refused filter and the
    new-table form carry the ids their widgets' aria-describedby name."""
    from tests.aria import unresolved_references

    login("ruili_health")
    url = reverse("tables:edit", args=[table.pk])
    states = {
        "editor": client.get(url),
        "editor, header refused": client.post(url, header_post(table, amount_total="3.88万x")),
        "list, bad year": client.get("/tables/", {"year": "abc"}),
        "new table": client.get(reverse("tables:create")),
        "new table's header": client.get(reverse("tables:create"), {"layout": table.layout}),
    }
    for state, response in states.items():
        assert response.status_code == 200, state
        assert unresolved_references(response.content.decode()) == [], state
    page = states["editor"].content.decode()
    assert 'aria-describedby="id_framework_helptext"' in page
    assert 'id="id_framework_helptext"' in page


# --- the header form's fields: copied per form, widgets shared (perfgoals/targets/forms.py) --

BAD_HEADER = {
    "version": "1",
    "project_name": "",
    "title": "表" * 400,
    "amount_unit": "bad",
    "amount_total": "3.88万x",
    "amount_fiscal": "<b>1</b>",
    "framework": "1999",
}


def _printed(form) -> str:
    return "".join(f"{form[name]}{form[name].errors}{form[name].help_text}" for name in form.fields)


@pytest.mark.parametrize("layout", TargetTable.Layout.values)
def test_the_header_form_prints_as_with_djangos_own_deep_copy(db, demo, monkeypatch, layout):
    from perfgoals.targets import forms as header_forms

    def instance() -> dict:
        # A fresh one each time: validating a ModelForm writes to its instance.
        table = TargetTable.objects.filter(layout=layout).order_by("pk").first()
        return {"instance": table} if table else {}

    ours = [
        header_forms.TargetTableForm(layout=layout, initial={"version": 1}, **instance()),
        header_forms.TargetTableForm(BAD_HEADER, layout=layout, **instance()),
    ]
    assert not ours[1].is_valid()
    layout_fields = header_forms._layout_fields
    # The layout's fields as a plain dict: each form deep-copies them, widgets and choices.
    monkeypatch.setattr(
        header_forms, "_layout_fields", lambda name: copy.deepcopy(dict(layout_fields(name)))
    )
    djangos = [
        header_forms.TargetTableForm(layout=layout, initial={"version": 1}, **instance()),
        header_forms.TargetTableForm(BAD_HEADER, layout=layout, **instance()),
    ]
    assert not djangos[1].is_valid()
    for mine, theirs in zip(ours, djangos, strict=True):
        assert _printed(mine) == _printed(theirs)
        assert mine.errors == theirs.errors


def test_what_one_header_form_sets_on_its_fields_stays_its_own(db, demo):
    from perfgoals.targets.forms import TargetTableForm, _layout_fields

    layout = TargetTable.Layout.PROJECT
    validators = len(_layout_fields(layout)["project_name"].validators)
    first = TargetTableForm(BAD_HEADER, layout=layout)
    first.fields["project_name"].label = "改过的名称"
    first.fields["project_name"].error_messages["required"] = "改过的提示"
    first.fields["project_name"].validators.append(lambda value: None)
    first.fields["amount_total"].unit = "yuan"
    assert not first.is_valid()
    second = TargetTableForm(BAD_HEADER, layout=layout)
    assert second.fields["project_name"].label == _layout_fields(layout)["project_name"].label
    assert second.fields["project_name"].label != "改过的名称"
    assert len(second.fields["project_name"].validators) == validators
    assert len(_layout_fields(layout)["project_name"].validators) == validators
    assert not second.is_valid()
    assert "改过的提示" not in str(second.errors["project_name"])
    assert "改过的提示" in str(first.errors["project_name"])


# What perfgoals/editor/detail.html printed for the header before HeaderDisplay.html.
_HEADER_TEMPLATE = """{% for title, rows in header %}
  {% for name, label, text in rows %}
  <tr id="field-{{ name }}">
    {% if forloop.first %}
      <th rowspan="{{ rows|length }}" class="section-label">{{ title }}</th>
    {% endif %}
    <th>{{ label }}</th>
    {% if name == "goals" %}
    <td class="goals"><div class="side-by-side">
      {% for part_label, part_text in text %}
        <div><strong>{{ part_label }}</strong><br>{{ part_text|linebreaksbr }}</div>
      {% endfor %}
    </div></td>
    {% else %}
    <td{% if name|slice:":6" == "amount" or name|slice:":5" == "spend" %} class="num"{% endif %}>
      {{ text|linebreaksbr }}</td>
    {% endif %}
  </tr>
  {% endfor %}
{% endfor %}"""


@pytest.mark.parametrize("layout", TargetTable.Layout.values)
def test_the_read_header_prints_as_the_template_printed_it(db, layout):
    from django.template import Context, Template

    from perfgoals.layouts import layout_spec
    from perfgoals.targets.editor.context import header_display

    table = TargetTable(layout=layout, year=2021, amount_unit="wan")
    for _, fields in layout_spec(layout).sections:
        for name, _label in fields:
            kind = TargetTable._meta.get_field(name).get_internal_type()
            if kind in ("CharField", "TextField") and name not in ("amount_unit", "layout"):
                setattr(table, name, f"{name}第一行\r\n<b>第二行</b> & 'x'")
            elif kind == "DecimalField":
                setattr(table, name, Decimal("12345.6"))
    header = header_display(table)
    assert header, layout

    def folded(html: str) -> str:
        # Whitespace beside a tag aside, as a browser shows it.
        return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()

    assert folded(header.html) == folded(
        Template(_HEADER_TEMPLATE).render(Context({"header": header}))
    )
    assert "&lt;b&gt;第二行&lt;/b&gt; &amp; &#x27;x&#x27;" in header.html
