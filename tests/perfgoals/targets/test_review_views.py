"""The review loop over HTTP (issue 11): who may do what in which state, what a refused or
malformed POST says, and what the bureau and the reviewers see on their pages."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.models import PerformanceIndicator
from perfgoals.models import ReviewComment, ReviewEvent, TargetTable, User
from perfgoals.targets.acknowledgements import lint_warning_acknowledge
from perfgoals.targets.checks import check_table
from perfgoals.targets.review import (
    review_comment_add,
    review_correct,
    target_table_adjust,
    target_table_review,
    target_table_submit,
)
from tests.indicators.trees import make, tree

pytestmark = pytest.mark.django_db

Status = TargetTable.Status

ROLES = {
    "bureau_own": "ruili_health",
    "bureau_other": "ruili_medsec",
    "business_same_region": "ruili_finance",
    "performance_same_region": "ruili_perf",
    "finance_other_region": "shunping_finance",
    "administrator": "admin",
}
STATES = [
    Status.DRAFT,
    Status.SUBMITTED,
    Status.FIRST_PASSED,
    Status.RETURNED,
    Status.APPROVED,
    Status.REJECTED,
]
DECISIONS = {"pass": "excellent", "return": "fair", "reject": "poor"}
ACTIONS = ["view", "submit", "withdraw", "comment", "correct", *DECISIONS, "adjust"]
ROW = "签约对象满意度"


@pytest.fixture
def users(demo):
    return {u.username: u for u in User.objects.select_related("organisation", "office")}


def _submit(table, user):
    table.refresh_from_db()
    return target_table_submit(user=user, table_id=table.pk, version=table.version)


def _review(table, user, grade, opinion="同意。"):
    table.refresh_from_db()
    return target_table_review(
        user=user, table_id=table.pk, version=table.version, grade=grade, opinion=opinion
    )


def table_in(state, users):
    """A finding-free table of 瑞丽市卫生健康局 brought to `state` through the services."""
    bureau, business, perf = users["ruili_health"], users["ruili_finance"], users["ruili_perf"]
    table = make(organisation=bureau.organisation)
    if state != Status.DRAFT:
        _submit(table, bureau)
    if state == Status.FIRST_PASSED:
        _review(table, business, "excellent")
    elif state == Status.RETURNED:
        _review(table, business, "fair", "请修改满意度指标。")
    elif state == Status.APPROVED:
        _review(table, business, "excellent")
        _review(table, perf, "excellent")
    elif state == Status.REJECTED:
        _review(table, business, "poor", "与资金用途无关。")
    table.refresh_from_db()
    assert table.status == state
    return table


def visible(role, state):
    if role in ("bureau_own", "administrator"):
        return True
    if role in ("business_same_region", "performance_same_region"):
        return state != Status.DRAFT
    return False


def expected(role, state, action):
    """(status code, state afterwards, whether the action took effect)."""
    own = role == "bureau_own"
    if action == "view":
        shown = visible(role, state) and (own or state != Status.DRAFT)
        return (200 if shown else 404), state, False
    bureau_moves = {
        "submit": ((Status.DRAFT, Status.RETURNED), Status.SUBMITTED),
        "withdraw": ((Status.SUBMITTED,), Status.DRAFT),
        "adjust": ((Status.APPROVED,), Status.DRAFT),
    }
    if action in bureau_moves:
        if not own:
            return 404, state, False
        sources, target = bureau_moves[action]
        return (302, target, True) if state in sources else (302, state, False)
    if not visible(role, state) or (state == Status.DRAFT and not own):
        return 404, state, False
    reviewer = (role, state) in {
        ("business_same_region", Status.SUBMITTED),
        ("performance_same_region", Status.FIRST_PASSED),
    }
    if not reviewer:
        return 302, state, False
    if action in DECISIONS:
        passed = Status.FIRST_PASSED if state == Status.SUBMITTED else Status.APPROVED
        return (
            302,
            {"pass": passed, "return": Status.RETURNED, "reject": Status.REJECTED}[action],
            True,
        )
    return 302, state, True


def request_for(action, table):
    row = PerformanceIndicator.objects.get(table=table, name=ROW)
    pk, version = table.pk, table.version
    if action == "view":
        return "get", reverse("tables:review", args=[pk]), {}
    if action == "submit":
        return "post", reverse("tables:submit", args=[pk]), {"version": version}
    if action == "withdraw":
        return "post", reverse("tables:withdraw", args=[pk]), {}
    if action == "adjust":
        return "post", reverse("tables:adjust", args=[pk]), {"reason": "年中追加预算"}
    if action == "comment":
        url = reverse("tables:review_comment", args=[pk])
        return "post", url, {"indicator": row.pk, "text": "满意度目标偏高。"}
    if action == "correct":
        url = reverse("tables:review_correct", args=[pk])
        return "post", url, {"indicator": row.pk, "value_text": "≥85%", "version": version}
    url = reverse("tables:review_decide", args=[pk])
    return "post", url, {"version": version, "grade": DECISIONS[action], "opinion": "审核意见。"}


def footprint(table):
    table.refresh_from_db()
    return (
        table.status,
        table.version,
        table.review_events.count(),
        table.review_comments.count(),
        PerformanceIndicator.objects.get(table=table, name=ROW).value_text,
    )


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", list(ROLES))
def test_authorisation_matrix(client, users, role, state, action):
    table = table_in(state, users)
    client.force_login(users[ROLES[role]])
    before = footprint(table)
    method, url, data = request_for(action, table)
    response = getattr(client, method)(url, data)
    code, after, took_effect = expected(role, state, action)
    assert response.status_code == code, response.content.decode()[:400]
    now = footprint(table)
    assert now[0] == after
    if not took_effect:
        assert now == before
        if code == 302:  # refused: the user is told why
            levels = [m.level_tag for m in get_messages(response.wsgi_request)]
            assert "error" in levels
        return
    if action == "comment":
        assert now[3] == before[3] + 1
    elif action == "correct":
        assert now[4] == "≥85%" and now[2] == before[2] + 1
    else:
        assert now[2] == before[2] + 1


def test_matrix_size():
    assert len(ROLES) * len(STATES) * len(ACTIONS) == 324


# --- refusals and bad input ----------------------------------------------------------------


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def submitted(users):
    return table_in(Status.SUBMITTED, users)


def decide(client, table, **data):
    return client.post(reverse("tables:review_decide", args=[table.pk]), data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"opinion": "同意。"}, "请选择审核等级"),
        ({"grade": "perfect", "opinion": "同意。"}, "请选择审核等级"),
        ({"grade": "excellent", "opinion": "  "}, "请填写审核意见"),
        ({"grade": "excellent", "opinion": "同意。", "version": "abc"}, "版本号无效"),
        ({"grade": "excellent", "opinion": "同意。", "version": ""}, "缺少版本号"),
    ],
)
def test_a_bad_decision_is_shown_on_the_form_and_changes_nothing(
    client, users, submitted, data, message
):
    client.force_login(users["ruili_finance"])
    before = footprint(submitted)
    response = decide(client, submitted, **{"version": submitted.version, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert footprint(submitted) == before


def test_a_correction_of_another_tables_row_is_refused_with_a_message(client, users, submitted):
    other = table_in(Status.SUBMITTED, users)
    foreign = PerformanceIndicator.objects.get(table=other, name=ROW)
    client.force_login(users["ruili_finance"])
    before = footprint(submitted), footprint(other)
    url = reverse("tables:review_correct", args=[submitted.pk])
    data = {"indicator": foreign.pk, "value_text": "≥80%", "version": submitted.version}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "该指标不属于此表" in response.content.decode()
    response = client.post(
        reverse("tables:review_comment", args=[submitted.pk]),
        {"indicator": foreign.pk, "text": "看看"},
    )
    assert response.status_code == 200 and "该指标不属于此表" in response.content.decode()
    assert (footprint(submitted), footprint(other)) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"value_text": "", "version": "{v}"}, "请填写修正后的指标值"),
        ({"value_text": "≥90%", "version": "{v}"}, "与原值相同"),
        ({"value_text": "≥80%", "version": "abc"}, "版本号无效"),
        ({"value_text": "≥80%", "version": "{v}", "indicator": "x"}, "指标编号无效"),
    ],
)
def test_a_bad_correction_is_shown_at_its_row(client, users, submitted, data, message):
    row = PerformanceIndicator.objects.get(table=submitted, name=ROW)
    client.force_login(users["ruili_finance"])
    before = footprint(submitted)
    data = {"indicator": row.pk, **data}
    data["version"] = data["version"].format(v=submitted.version)
    response = client.post(reverse("tables:review_correct", args=[submitted.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if data["indicator"] == row.pk:  # the row's forms come back open, with the error
        assert re.search(r'<details class="review-row-forms" open>\s*<summary>批注/修正', html)
    assert footprint(submitted) == before


def test_an_empty_comment_is_refused_at_its_form(client, users, submitted):
    client.force_login(users["ruili_finance"])
    response = client.post(reverse("tables:review_comment", args=[submitted.pk]), {"text": " "})
    assert response.status_code == 200 and "请填写批注内容" in response.content.decode()
    assert not submitted.review_comments.exists()


def test_a_stale_decision_is_refused_with_a_message(client, users, submitted):
    client.force_login(users["ruili_finance"])
    response = decide(
        client, submitted, version=submitted.version - 1, grade="excellent", opinion="同意"
    )
    assert response.status_code == 302
    assert any("修改" in m for m in messages_of(response))
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_submit_with_a_bad_version_gives_a_message(client, users):
    table = table_in(Status.DRAFT, users)
    client.force_login(users["ruili_health"])
    response = client.post(reverse("tables:submit", args=[table.pk]), {"version": "abc"})
    assert response.status_code == 302 and "版本号无效" in messages_of(response)[0]
    table.refresh_from_db()
    assert table.status == Status.DRAFT


def test_adjust_needs_a_reason(client, users):
    table = table_in(Status.APPROVED, users)
    client.force_login(users["ruili_health"])
    url = reverse("tables:adjust", args=[table.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "请填写调整理由" in response.content.decode()
    table.refresh_from_db()
    assert table.status == Status.APPROVED


# --- double clicks -------------------------------------------------------------------------


def test_a_double_submit_gives_one_transition(client, users):
    table = table_in(Status.DRAFT, users)
    client.force_login(users["ruili_health"])
    url = reverse("tables:submit", args=[table.pk])
    first = client.post(url, {"version": table.version})
    second = client.post(url, {"version": table.version})
    assert first.status_code == second.status_code == 302
    assert any("已提交待初审" in m and "不能提交审核" in m for m in messages_of(second))
    assert table.review_events.filter(action="submit").count() == 1


def test_a_double_approval_gives_one_transition_and_one_snapshot(client, users):
    table = table_in(Status.FIRST_PASSED, users)
    client.force_login(users["ruili_perf"])
    data = {"version": table.version, "grade": "excellent", "opinion": "同意批复。"}
    assert decide(client, table, **data).status_code == 302
    second = decide(client, table, **data)
    assert second.status_code == 302 and messages_of(second)
    table.refresh_from_db()
    assert table.status == Status.APPROVED
    assert table.review_events.filter(to_status="approved").count() == 1
    assert table.snapshots.count() == 1


# --- what the bureau sees ------------------------------------------------------------------


def test_a_refused_submission_lists_what_is_in_the_way_with_links(client, users):
    staff = users["ruili_health"]
    table = make(tree({"签约人数": "", "政策知晓率": "明显提高"}), organisation=staff.organisation)
    client.force_login(staff)
    response = client.post(reverse("tables:submit", args=[table.pk]), {"version": table.version})
    assert response.status_code == 200
    html = response.content.decode()
    empty = PerformanceIndicator.objects.get(table=table, name="签约人数")
    assert "未能提交审核" in html and "个错误" in html
    assert f"{reverse('tables:edit', args=[table.pk])}#row-{empty.pk}" in html
    table.refresh_from_db()
    assert table.status == Status.DRAFT
    # Errors fixed, the warning still open: it is listed, linking to its row.
    PerformanceIndicator.objects.filter(pk=empty.pk).update(value_text="≥300人")
    response = client.post(reverse("tables:submit", args=[table.pk]), {"version": table.version})
    html = response.content.decode()
    known = PerformanceIndicator.objects.get(table=table, name="政策知晓率")
    assert "个警告未确认" in html and f"#row-{known.pk}" in html


def test_the_bureau_sees_comments_corrections_history_and_why_it_was_returned(client, users):
    table = table_in(Status.SUBMITTED, users)
    finance = users["ruili_finance"]
    row = PerformanceIndicator.objects.get(table=table, name=ROW)
    review_comment_add(user=finance, table_id=table.pk, indicator_id=row.pk, text="满意度偏高。")
    review_comment_add(user=finance, table_id=table.pk, text="请补充成本指标。")
    table.refresh_from_db()
    review_correct(
        user=finance,
        table_id=table.pk,
        version=table.version,
        indicator_id=row.pk,
        value_text="≥88%",
    )
    _review(table, finance, "fair", "满意度指标请按批注修改。")
    client.force_login(users["ruili_health"])
    html = client.get(reverse("tables:edit", args=[table.pk])).content.decode()
    assert "已退回修改" in html and "满意度指标请按批注修改。" in html and "审核等级：中" in html
    row_html = html[html.index(f'id="row-{row.pk}"') :]
    row_html = row_html[: row_html.index("</tr>")]
    assert "满意度偏高。" in row_html
    assert "<del>≥90%</del> → <ins>≥88%</ins>" in row_html
    assert html.index("请补充成本指标。") < html.index('id="tree"')
    assert "审核记录" in html and "退回修改" in html


def test_the_submitter_sees_withdraw_and_the_reviewer_the_review_button(client, users):
    table = table_in(Status.SUBMITTED, users)
    client.force_login(users["ruili_health"])
    html = client.get(reverse("tables:detail", args=[table.pk])).content.decode()
    assert reverse("tables:withdraw", args=[table.pk]) in html
    client.force_login(users["ruili_finance"])
    html = client.get(reverse("tables:detail", args=[table.pk])).content.decode()
    assert f'href="{reverse("tables:review", args=[table.pk])}">审核</a>' in html


# --- the review screen ---------------------------------------------------------------------


def test_the_review_screen_shows_the_bureaus_reasons_and_the_reviewers_forms(client, users):
    staff = users["ruili_health"]
    table = make(tree({"政策知晓率": "明显提高"}), organisation=staff.organisation)
    (key,) = [f.key for f in check_table(table) if f.severity == "warning"]
    lint_warning_acknowledge(user=staff, table_id=table.pk, key=key, reason="宣传类指标暂无基线")
    _submit(table, staff)
    client.force_login(users["ruili_finance"])
    html = client.get(reverse("tables:review", args=[table.pk])).content.decode()
    assert "理由：宣传类指标暂无基线" in html
    assert html.count('name="grade"') == 4 and "不予通过，绩效目标不纳入预算" in html
    rows = PerformanceIndicator.objects.filter(table=table, level__gte=3).count()
    assert html.count(reverse("tables:review_correct", args=[table.pk])) == rows
    # No editing outside the correction path: no editor links, no row menus.
    assert reverse("tables:row_new", args=[table.pk]) not in html
    assert "ops-menu" not in html
    # The next stage's reviewer gets the screen read-only.
    client.force_login(users["ruili_perf"])
    html = client.get(reverse("tables:review", args=[table.pk])).content.decode()
    assert "只能查看" in html and 'name="grade"' not in html


def test_the_review_screen_reads_as_much_for_a_transfer_table_as_for_a_project_table(
    client, users, warm_framework
):
    """A transfer table's header prints its organisation's level (州级/县级): the region
    comes with the table, not in a query of its own."""
    staff = users["ruili_health"]
    counts = {}
    for layout in (TargetTable.Layout.PROJECT, TargetTable.Layout.TRANSFER):
        table = make(organisation=staff.organisation, layout=layout)
        TargetTable.objects.filter(pk=table.pk).update(status=Status.SUBMITTED)
        client.force_login(users["ruili_finance"])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("tables:review", args=[table.pk]))
        assert response.status_code == 200
        counts[layout] = len(queries)
    assert "县级" in response.content.decode()
    assert counts[TargetTable.Layout.TRANSFER] == counts[TargetTable.Layout.PROJECT]


def test_approval_through_http_freezes_the_table(client, users):
    table = table_in(Status.FIRST_PASSED, users)
    client.force_login(users["ruili_perf"])
    response = decide(client, table, version=table.version, grade="excellent", opinion="同意。")
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    today = timezone.localdate()
    assert f"现行批准版本（第1版，{today.year}年{today.month}月{today.day}日批准）" in html
    assert "已批准，内容已冻结" in html


def test_an_adjustment_shows_finance_the_approved_version_and_the_bureau_its_draft(client, users):
    table = table_in(Status.APPROVED, users)
    staff = users["ruili_health"]
    target_table_adjust(user=staff, table_id=table.pk, reason="年中追加预算")
    PerformanceIndicator.objects.filter(table=table, name=ROW).update(value_text="≥97%")
    snapshot = TargetTable.objects.get(pk=table.pk).approved_snapshot
    client.force_login(users["ruili_perf"])
    response = client.get(reverse("tables:detail", args=[table.pk]))
    html = response.content.decode()
    when = timezone.localtime(snapshot.approved_at)
    assert f"现行批准版本（第1版，{when.year}年{when.month}月{when.day}日批准）" in html
    assert "≥90%" in html and "≥97%" not in html
    # Nor does the review screen show the draft to finance.
    assert client.get(reverse("tables:review", args=[table.pk])).status_code == 404
    client.force_login(staff)
    html = client.get(reverse("tables:detail", args=[table.pk])).content.decode()
    assert "≥97%" in html and "在调整获批准前继续有效" in html


def test_events_record_who_moved_the_table_through_http(client, users):
    table = table_in(Status.DRAFT, users)
    client.force_login(users["ruili_health"])
    client.post(reverse("tables:submit", args=[table.pk]), {"version": table.version})
    table.refresh_from_db()
    client.force_login(users["ruili_finance"])
    decide(client, table, version=table.version, grade="fair", opinion="请修改。")
    actions = list(ReviewEvent.objects.filter(table=table).values_list("action", "actor__username"))
    assert actions == [("submit", "ruili_health"), ("return", "ruili_finance")]
    assert not ReviewComment.objects.filter(table=table).exists()
