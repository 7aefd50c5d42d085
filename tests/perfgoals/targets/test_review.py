"""The review workflow's services: states, who may move them, grades, corrections, comments,
the approved snapshot and adjustment (issue 11)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404

from indicators.models import LintAcknowledgement, PerformanceIndicator
from perfgoals.models import (
    Organisation,
    ReviewEvent,
    ReviewOpinion,
    TableSnapshot,
    TargetTable,
    User,
)
from perfgoals.selectors import target_tables_editable_by, target_tables_visible_to
from perfgoals.services import ConcurrentEditError
from perfgoals.targets.acknowledgements import lint_warning_acknowledge
from perfgoals.targets.review import (
    review_comment_add,
    review_correct,
    snapshot_rows,
    target_table_adjust,
    target_table_review,
    target_table_submit,
    target_table_withdraw,
)
from tests.indicators.trees import make, tree

pytestmark = pytest.mark.django_db

Status = TargetTable.Status


@pytest.fixture
def users(demo):
    return {u.username: u for u in User.objects.select_related("organisation", "office")}


@pytest.fixture
def clean(users):
    """A table of 瑞丽市卫生健康局 with no finding at all."""
    return make(organisation=users["ruili_health"].organisation)


def submit(table, user):
    table.refresh_from_db()
    return target_table_submit(user=user, table_id=table.pk, version=table.version)


def review(table, user, grade, opinion="同意。"):
    table.refresh_from_db()
    return target_table_review(
        user=user, table_id=table.pk, version=table.version, grade=grade, opinion=opinion
    )


def approve(table, users):
    submit(table, users["ruili_health"])
    review(table, users["ruili_finance"], "excellent")
    return review(table, users["ruili_perf"], "excellent")


# --- the happy path ------------------------------------------------------------------------


def test_submit_then_two_passes_approve_and_freeze_the_table(clean, users):
    table = submit(clean, users["ruili_health"])
    assert table.status == Status.SUBMITTED
    table = review(table, users["ruili_finance"], "excellent", "指标设置合理。")
    assert table.status == Status.FIRST_PASSED
    table = review(table, users["ruili_perf"], "good", "同意批复。")
    assert table.status == Status.APPROVED
    events = list(table.review_events.values_list("action", "from_status", "to_status", "grade"))
    assert events == [
        ("submit", "draft", "submitted", ""),
        ("pass", "submitted", "first_passed", "excellent"),
        ("pass", "first_passed", "approved", "good"),
    ]
    opinions = list(table.review_opinions.values_list("office_kind", "text", "grade"))
    assert opinions == [
        ("business", "指标设置合理。", "excellent"),
        ("performance", "同意批复。", "good"),
    ]
    snapshot = table.approved_snapshot
    assert snapshot.number == 1 and snapshot.approved_by == users["ruili_perf"]
    frozen, rows = snapshot_rows(snapshot)
    assert frozen.project_name == table.project_name and frozen.amount_total == table.amount_total
    live = {r.pk: (r.name, r.value_text) for r in PerformanceIndicator.objects.filter(table=table)}
    assert {r.pk: (r.name, r.value_text) for r in rows} == live


def test_the_approved_snapshot_cannot_change(clean, users):
    snapshot = approve(clean, users).approved_snapshot
    snapshot.data = {"table": {}, "indicators": []}
    with pytest.raises(ValidationError, match="不可修改"):
        snapshot.save()
    with pytest.raises(ValidationError, match="不可删除"):
        snapshot.delete()
    assert TableSnapshot.objects.get(pk=snapshot.pk).data["indicators"]


def test_an_approved_table_is_read_only_until_adjusted(clean, users):
    table = approve(clean, users)
    assert not target_tables_editable_by(users["ruili_health"]).filter(pk=table.pk).exists()
    with pytest.raises(ValidationError, match="调整理由"):
        target_table_adjust(user=users["ruili_health"], table_id=table.pk, reason=" ")
    table = target_table_adjust(
        user=users["ruili_health"], table_id=table.pk, reason="年中追加预算"
    )
    assert table.status == Status.DRAFT and table.approved_snapshot.number == 1
    # The approved version stays in force: finance still sees the table while it is drafted.
    assert target_tables_visible_to(users["ruili_perf"]).filter(pk=table.pk).exists()
    row = PerformanceIndicator.objects.get(table=table, name="签约人数")
    PerformanceIndicator.objects.filter(pk=row.pk).update(value_text="≥400人")
    frozen_rows = snapshot_rows(table.approved_snapshot)[1]
    assert next(r for r in frozen_rows if r.pk == row.pk).value_text == "≥300人"
    table = approve(table, users)
    assert table.approved_snapshot.number == 2
    assert [e.action for e in table.review_events.all()][-4:] == [
        "adjust",
        "submit",
        "pass",
        "pass",
    ]


# --- submission runs the checks ------------------------------------------------------------


def test_errors_block_submission_and_are_named(users):
    table = make(tree({"签约人数": ""}), organisation=users["ruili_health"].organisation)
    with pytest.raises(ValidationError) as caught:
        submit(table, users["ruili_health"])
    assert caught.value.code == "has_errors"
    assert [f.code for f in caught.value.params["findings"]] == ["value_empty"]
    table.refresh_from_db()
    assert table.status == Status.DRAFT and not table.review_events.exists()


def test_every_warning_needs_an_acknowledgement_with_a_reason(users):
    staff = users["ruili_health"]
    table = make(tree({"政策知晓率": "明显提高"}), organisation=staff.organisation)
    with pytest.raises(ValidationError) as caught:
        submit(table, staff)
    assert caught.value.code == "unacknowledged"
    (warning,) = caught.value.params["findings"]
    lint_warning_acknowledge(user=staff, table_id=table.pk, key=warning.key, reason="宣传类")
    assert submit(table, staff).status == Status.SUBMITTED
    assert LintAcknowledgement.objects.get(table=table).reason == "宣传类"


def test_a_stale_page_cannot_submit(clean, users):
    with pytest.raises(ConcurrentEditError):
        target_table_submit(
            user=users["ruili_health"], table_id=clean.pk, version=clean.version - 1
        )


# --- returns, rejections, withdrawals ------------------------------------------------------


def test_grade_fair_returns_the_table_with_its_reason(clean, users):
    submit(clean, users["ruili_health"])
    with pytest.raises(ValidationError, match="请填写审核意见"):
        review(clean, users["ruili_finance"], "fair", "")
    table = review(clean, users["ruili_finance"], "fair", "满意度指标偏低，请修改。")
    assert table.status == Status.RETURNED
    assert target_tables_editable_by(users["ruili_health"]).filter(pk=table.pk).exists()
    assert submit(table, users["ruili_health"]).status == Status.SUBMITTED


def test_the_second_stage_can_return_too(clean, users):
    submit(clean, users["ruili_health"])
    review(clean, users["ruili_finance"], "excellent")
    assert review(clean, users["ruili_perf"], "fair", "请补充成本指标。").status == Status.RETURNED


def test_grade_poor_rejects_for_good(clean, users):
    submit(clean, users["ruili_health"])
    table = review(clean, users["ruili_finance"], "poor", "与资金用途无关，不予安排。")
    assert table.status == Status.REJECTED
    assert not target_tables_editable_by(users["ruili_health"]).filter(pk=table.pk).exists()
    with pytest.raises(ValidationError, match="未通过审核"):
        submit(table, users["ruili_health"])


def test_an_unknown_grade_is_refused(clean, users):
    submit(clean, users["ruili_health"])
    with pytest.raises(ValidationError, match="请选择审核等级"):
        review(clean, users["ruili_finance"], "perfect")


def test_the_submitter_may_withdraw_before_review_starts(clean, users):
    submit(clean, users["ruili_health"])
    table = target_table_withdraw(user=users["ruili_health"], table_id=clean.pk)
    assert table.status == Status.DRAFT
    submit(table, users["ruili_health"])
    review_comment_add(user=users["ruili_finance"], table_id=table.pk, text="请核对人数。")
    with pytest.raises(ValidationError, match="已开始审核"):
        target_table_withdraw(user=users["ruili_health"], table_id=table.pk)


def test_only_the_submitter_may_withdraw(clean, users):
    submit(clean, users["ruili_health"])
    colleague = User.objects.create(
        username="ruili_health_2",
        organisation=users["ruili_health"].organisation,
        role=User.Role.BUREAU_STAFF,
    )
    with pytest.raises(ValidationError, match="只有提交人"):
        target_table_withdraw(user=colleague, table_id=clean.pk)


# --- who may review ------------------------------------------------------------------------


def test_each_stage_has_its_office(clean, users):
    submit(clean, users["ruili_health"])
    with pytest.raises(ValidationError, match="业务股室初审"):
        review(clean, users["ruili_perf"], "excellent")
    review(clean, users["ruili_finance"], "excellent")
    with pytest.raises(ValidationError, match="绩效股复审"):
        review(clean, users["ruili_finance"], "excellent")


@pytest.mark.parametrize("username", ["shunping_finance", "shifeng_perf", "dehong_finance"])
def test_another_regions_finance_never_sees_the_table(clean, users, username):
    submit(clean, users["ruili_health"])
    with pytest.raises(Http404):
        review(clean, users[username], "excellent")


def test_a_bureau_cannot_review_and_nobody_reviews_their_own_table(users):
    finance_org = users["ruili_finance"].organisation
    own = make(organisation=finance_org)
    TargetTable.objects.filter(pk=own.pk).update(status=Status.SUBMITTED)
    with pytest.raises(ValidationError, match="没有这一阶段的审核权限"):
        review(own, users["ruili_finance"], "excellent")
    other = make(organisation=users["ruili_health"].organisation)
    submit(other, users["ruili_health"])
    with pytest.raises(Http404):  # another bureau never sees it
        review(other, users["ruili_medsec"], "excellent")
    with pytest.raises(ValidationError, match="没有这一阶段的审核权限"):
        review(other, users["ruili_health"], "excellent")


@pytest.mark.parametrize(
    ("bureau", "finance", "perf"),
    [
        ("ruili_health", "ruili_finance", "ruili_perf"),
        ("ruili_medsec", "ruili_finance", "ruili_perf"),
        ("shifeng_health", "shifeng_finance", "shifeng_perf"),
        ("shunping_medsec", "shunping_finance", "shunping_perf"),
        ("dehong_health", "dehong_finance", "dehong_perf"),
    ],
)
def test_every_demo_region_sees_a_draft_only_once_submitted(users, bureau, finance, perf):
    """A table the bureau declares itself: a draft is 404 to both offices; submitted, it is
    visible to both; and the loop runs to approval there."""
    table = make(organisation=users[bureau].organisation)
    for reviewer in (finance, perf):
        assert not target_tables_visible_to(users[reviewer]).filter(pk=table.pk).exists()
    submit(table, users[bureau])
    for reviewer in (finance, perf):
        assert target_tables_visible_to(users[reviewer]).filter(pk=table.pk).exists()
    review(table, users[finance], "excellent")
    assert review(table, users[perf], "excellent").status == Status.APPROVED


def test_every_demo_bureau_table_is_reviewed_by_its_own_regions_finance(demo):
    """Each bureau with tables has a finance bureau with both offices in its region."""
    bureaus = Organisation.objects.filter(target_tables__isnull=False).exclude(
        kind=Organisation.Kind.FINANCE
    )
    for bureau in bureaus.distinct():
        reviewers = User.objects.filter(
            organisation__kind=Organisation.Kind.FINANCE,
            organisation__region_id=bureau.region_id,
        )
        roles = set(reviewers.values_list("role", flat=True))
        assert {User.Role.FINANCE_STAFF, User.Role.PERFORMANCE_REVIEWER} <= roles, bureau


# --- double clicks and races ---------------------------------------------------------------


def test_a_double_clicked_submit_gives_one_transition(clean, users):
    version = clean.version
    target_table_submit(user=users["ruili_health"], table_id=clean.pk, version=version)
    with pytest.raises(ValidationError, match="已提交待初审"):
        target_table_submit(user=users["ruili_health"], table_id=clean.pk, version=version)
    assert clean.review_events.count() == 1


def test_a_double_clicked_approval_gives_one_event(clean, users):
    submit(clean, users["ruili_health"])
    review(clean, users["ruili_finance"], "excellent")
    clean.refresh_from_db()
    version = clean.version
    args = {"table_id": clean.pk, "version": version, "grade": "excellent", "opinion": "同意"}
    target_table_review(user=users["ruili_perf"], **args)
    with pytest.raises(ValidationError):
        target_table_review(user=users["ruili_perf"], **args)
    assert clean.review_events.filter(action="pass").count() == 2
    assert TableSnapshot.objects.filter(table=clean).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_give_one_event(demo):
    users = {u.username: u for u in User.objects.select_related("organisation", "office")}
    table = make(organisation=users["ruili_health"].organisation)
    submit(table, users["ruili_health"])
    review(table, users["ruili_finance"], "excellent")
    table.refresh_from_db()
    barrier = threading.Barrier(2)
    outcomes = []

    def approve_once():
        try:
            barrier.wait()
            target_table_review(
                user=users["ruili_perf"],
                table_id=table.pk,
                version=table.version,
                grade="excellent",
                opinion="同意",
            )
            outcomes.append("approved")
        except (ValidationError, ConcurrentEditError) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ValidationError", "approved"]
    assert ReviewEvent.objects.filter(table=table, to_status="approved").count() == 1
    assert TableSnapshot.objects.filter(table=table).count() == 1


# --- corrections and comments --------------------------------------------------------------


def test_a_reviewer_corrects_a_value_and_the_correction_is_theirs(clean, users):
    submit(clean, users["ruili_health"])
    row = PerformanceIndicator.objects.get(table=clean, name="签约对象满意度")
    clean.refresh_from_db()
    event = review_correct(
        user=users["ruili_finance"],
        table_id=clean.pk,
        version=clean.version,
        indicator_id=row.pk,
        value_text="≥85%",
    )
    row.refresh_from_db()
    assert row.value_text == "≥85%"
    assert (event.action, event.actor, event.old_value, event.new_value) == (
        "correct",
        users["ruili_finance"],
        "≥90%",
        "≥85%",
    )
    assert row.history.first().history_user == users["ruili_finance"]
    assert review(clean, users["ruili_finance"], "good", "已修正满意度。").status == (
        Status.FIRST_PASSED
    )


def test_corrections_are_refused_outside_the_reviewers_stage(clean, users):
    row = PerformanceIndicator.objects.get(table=clean, name="签约对象满意度")
    with pytest.raises(Http404):  # a draft is invisible to finance
        review_correct(
            user=users["ruili_finance"],
            table_id=clean.pk,
            version=clean.version,
            indicator_id=row.pk,
            value_text="≥85%",
        )
    submit(clean, users["ruili_health"])
    clean.refresh_from_db()
    with pytest.raises(ValidationError, match="没有这一阶段的审核权限"):
        review_correct(
            user=users["ruili_perf"],
            table_id=clean.pk,
            version=clean.version,
            indicator_id=row.pk,
            value_text="≥85%",
        )
    row.refresh_from_db()
    assert row.value_text == "≥90%"


def test_comments_stay_on_their_row_across_versions(clean, users):
    submit(clean, users["ruili_health"])
    row = PerformanceIndicator.objects.get(table=clean, name="签约人数")
    comment = review_comment_add(
        user=users["ruili_finance"], table_id=clean.pk, indicator_id=row.pk, text="人数偏少。"
    )
    assert (comment.indicator, comment.indicator_label, comment.office_kind) == (
        row,
        "签约人数",
        "business",
    )
    review(clean, users["ruili_finance"], "fair", "见批注。")
    PerformanceIndicator.objects.filter(pk=row.pk).update(name="签约居民人数")
    assert row.review_comments.get() == comment
    with pytest.raises(ValidationError, match="请填写批注内容"):
        submit(clean, users["ruili_health"])
        review_comment_add(user=users["ruili_finance"], table_id=clean.pk, text="")


def test_opinions_of_the_review_print_on_the_department_table(users):
    """Layout D prints 业务股室意见 and 绩效股意见: the review writes them."""
    table = make(
        [],
        layout=TargetTable.Layout.DEPARTMENT,
        organisation=users["ruili_health"].organisation,
    )
    approve(table, users)
    kinds = set(ReviewOpinion.objects.filter(table=table).values_list("office_kind", flat=True))
    assert kinds == {"business", "performance"}


def test_every_review_step_is_a_version_in_the_tables_history(clean, users):
    from perfgoals.targets.history import table_versions

    submit(clean, users["ruili_health"])
    review(clean, users["ruili_finance"], "fair", "请修改。")
    clean.refresh_from_db()
    versions = table_versions(clean)
    assert versions[0].number == clean.version
    assert [v.user for v in versions[:2]] == [users["ruili_finance"], users["ruili_health"]]
    opinion = ReviewOpinion.objects.get(table=clean)
    assert opinion.history.first().history_user == users["ruili_finance"]


def test_finance_staff_of_another_office_do_not_review(clean, users):
    from perfgoals.models import Office

    treasury = Office.objects.get(organisation=users["ruili_finance"].organisation, name="国库股")
    clerk = User.objects.create(
        username="ruili_treasury",
        organisation=treasury.organisation,
        office=treasury,
        role=User.Role.FINANCE_STAFF,
    )
    submit(clean, users["ruili_health"])
    with pytest.raises(ValidationError, match="没有这一阶段的审核权限"):
        review(clean, clerk, "excellent")


def test_a_move_from_a_state_the_table_has_left_is_refused(clean, users):
    """The compare-and-set also guards callers that checked the state outside the lock."""
    from perfgoals.targets.review import _move

    stale = TargetTable.objects.get(pk=clean.pk)
    submit(clean, users["ruili_health"])
    with pytest.raises(ValidationError, match="已提交待初审"):
        _move(stale, user=users["ruili_health"], version=None, to=Status.SUBMITTED)
    assert clean.review_events.count() == 1
