"""The review workflow of a target table (DOMAIN.md §7, 财预〔2015〕88号).

- 草稿 or 已退回修改 → 已提交待初审: the bureau's 「提交审核」 (errors block; every warning
  acknowledged with a reason);
- 已提交待初审 → 草稿: 「撤回」 by the submitter before any reviewer acted;
- 已提交待初审 → 初审通过待复审 → 已批准: the 业务股室, then the 绩效股, each grading 优 or 良
  (良 after correcting the targets directly); approval freezes a TableSnapshot;
- either stage → 已退回修改 (grade 中, a reason required) or → 未通过审核 (grade 差, final);
- 已批准 → 草稿: 「调整」 by the bureau; the approved snapshot stays in force meanwhile.

Who reviews: the finance bureau (财政局) of the table's region, its 业务股室 first
(role FINANCE_STAFF in an office of kind BUSINESS), then its 绩效股 (role
PERFORMANCE_REVIEWER). Nobody reviews a table of their own organisation. The stages are
declared once in perfgoals.selectors (REVIEW_STAGES), which the home page's queues read too.

Every transition is one service that, in one transaction, locks the table row, checks the
source state, the actor's role and organisation and the version the actor saw, moves the state
with a compare-and-set UPDATE (so a double click or two reviewers racing give exactly one
transition), writes a ReviewEvent (and the printed 审核意见, ReviewOpinion, for a decision),
and leaves side effects to run after commit. A transition that is not allowed now raises
ValidationError with a Chinese message and changes nothing; a table outside the actor's
scope raises Http404.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils import timezone

from indicators.models import LintAcknowledgement, PerformanceIndicator
from indicators.snapshots import snapshot_rows, table_snapshot_data
from perfgoals.findings import Severity
from perfgoals.models import (
    ReviewComment,
    ReviewEvent,
    ReviewOpinion,
    TableSnapshot,
    TargetTable,
    User,
)
from perfgoals.selectors import (
    ReviewStage,
    is_reviewer_of,
    target_tables_visible_to,
)
from perfgoals.selectors import table_review_stage as review_stage
from perfgoals.services import (
    ConcurrentEditError,
    history_attributed,
    target_table_record_version,
)
from perfgoals.targets.checks import check_table

__all__ = [
    "REVIEW_GRADES",
    "review_comment_add",
    "review_correct",
    "review_stage",
    "snapshot_rows",
    "target_table_adjust",
    "target_table_review",
    "target_table_submit",
    "target_table_withdraw",
]

logger = logging.getLogger("perfgoals.review")

Status = TargetTable.Status
Action = ReviewEvent.Action
Grade = ReviewOpinion.Grade

# What each grade decides (财预〔2015〕88号): 优 passes; 良 passes once the reviewer has
# corrected the targets; 中 goes back to the bureau; 差 keeps the table out of the budget.
REVIEW_GRADES = {
    Grade.EXCELLENT: Action.PASS,
    Grade.GOOD: Action.PASS,
    Grade.FAIR: Action.RETURN,
    Grade.POOR: Action.REJECT,
}
EDITABLE = (Status.DRAFT, Status.RETURNED)
MAX_COMMENT = 2000


# --- helpers -------------------------------------------------------------------------------


def _locked(user: User, table_id: int) -> TargetTable:
    """The table in the user's scope, its row locked for the rest of the transaction
    (PostgreSQL; SQLite serialises writers anyway), or Http404."""
    visible = target_tables_visible_to(user).values("pk")
    table = (
        TargetTable.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(pk__in=visible, pk=table_id)
        .first()
    )
    if table is None:
        raise Http404("没有找到该绩效目标表。")
    return table


def _refuse(table: TargetTable, what: str) -> ValidationError:
    return ValidationError(
        f"此表当前状态为“{table.get_status_display()}”，不能{what}。请刷新页面查看最新状态。",
        code="invalid_transition",
    )


def _move(
    table: TargetTable, *, user: User, version: int | None, to: Status, **changes
) -> TargetTable:
    """Compare-and-set: the state (and the version, when the actor saw one) must still be
    what was checked, so of two concurrent requests exactly one moves the table."""
    rows = TargetTable.objects.filter(pk=table.pk, status=table.status)
    if version is not None:
        rows = rows.filter(version=version)
    moved = rows.update(
        status=to,
        version=F("version") + 1,
        updated_by=user,
        updated_at=timezone.now(),
        **changes,
    )
    if moved != 1:
        current = TargetTable.objects.select_related("updated_by").get(pk=table.pk)
        if current.status != table.status:
            raise _refuse(current, "再次操作")
        raise ConcurrentEditError(current)
    table.refresh_from_db()
    # One history record per version, as every claimed version leaves: the table's history
    # and its diffs then see the review's steps too.
    target_table_record_version(table, user=user)
    return table


def _event(table: TargetTable, *, user: User, action: Action, from_status: str, **fields):
    event = ReviewEvent.objects.create(
        table=table,
        action=action,
        actor=user,
        from_status=from_status,
        to_status=fields.pop("to_status", table.status),
        table_version=table.version,
        **fields,
    )
    transaction.on_commit(
        lambda: logger.info(
            "review %s table=%s by=%s %s→%s",
            event.action,
            table.pk,
            user.username,
            event.from_status,
            event.to_status,
        )
    )
    return event


def _text(value: str, *, label: str, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({"comment": f"请填写{label}。"}, code="required")
    if len(text) > MAX_COMMENT:
        raise ValidationError({"comment": f"{label}不能超过{MAX_COMMENT}字。"}, code="too_long")
    return text


# --- the bureau ----------------------------------------------------------------------------


@history_attributed
@transaction.atomic
def target_table_submit(*, user: User, table_id: int, version: int) -> TargetTable:
    """草稿/已退回 → 已提交待初审. Errors block; every warning must be acknowledged with a
    reason. The findings in the way come back in the ValidationError's params."""
    table = _locked(user, table_id)
    if user.role != User.Role.BUREAU_STAFF or user.organisation_id != table.organisation_id:
        raise Http404("没有找到可提交的绩效目标表。")
    if table.status not in EDITABLE:
        raise _refuse(table, "提交审核")
    if table.version != version:
        raise ConcurrentEditError(table)
    findings = check_table(table)
    errors = [f for f in findings if f.severity == Severity.ERROR]
    reasons = dict(LintAcknowledgement.objects.filter(table=table).values_list("key", "reason"))
    open_warnings = [
        f
        for f in findings
        if f.severity == Severity.WARNING and not (reasons.get(f.key) or "").strip()
    ]
    if errors:
        raise ValidationError(
            f"还有{len(errors)}个错误，修改后才能提交审核。",
            code="has_errors",
            params={"findings": errors},
        )
    if open_warnings:
        raise ValidationError(
            f"还有{len(open_warnings)}个警告未确认，请逐条说明理由后再提交审核。",
            code="unacknowledged",
            params={"findings": open_warnings},
        )
    from_status = table.status
    table = _move(table, user=user, version=version, to=Status.SUBMITTED)
    _event(table, user=user, action=Action.SUBMIT, from_status=from_status)
    return table


@history_attributed
@transaction.atomic
def target_table_withdraw(*, user: User, table_id: int) -> TargetTable:
    """已提交待初审 → 草稿, by the submitter, before any reviewer has acted on it."""
    table = _locked(user, table_id)
    if table.organisation_id != user.organisation_id:
        raise Http404("没有找到可撤回的绩效目标表。")
    if table.status != Status.SUBMITTED:
        raise _refuse(table, "撤回")
    submitted = table.review_events.filter(action=Action.SUBMIT).order_by("-created_at", "-pk")
    submission = submitted.first()
    if submission is None or submission.actor_id != user.pk:
        raise ValidationError("只有提交人可以撤回。", code="not_submitter")
    started = (
        table.review_events.filter(created_at__gte=submission.created_at)
        .exclude(pk=submission.pk)
        .exists()
        or table.review_comments.filter(created_at__gte=submission.created_at).exists()
    )
    if started:
        raise ValidationError("财政部门已开始审核，不能撤回。", code="review_started")
    table = _move(table, user=user, version=None, to=Status.DRAFT)
    _event(table, user=user, action=Action.WITHDRAW, from_status=Status.SUBMITTED)
    return table


@history_attributed
@transaction.atomic
def target_table_adjust(*, user: User, table_id: int, reason: str) -> TargetTable:
    """已批准 → 草稿 (调整): a new version to draft and review again; the approved snapshot
    stays in force, and is what exports print, until the new version is approved."""
    table = _locked(user, table_id)
    if user.role != User.Role.BUREAU_STAFF or user.organisation_id != table.organisation_id:
        raise Http404("没有找到可调整的绩效目标表。")
    if table.status != Status.APPROVED:
        raise _refuse(table, "调整")
    reason = _text(reason, label="调整理由", required=True)
    table = _move(table, user=user, version=None, to=Status.DRAFT)
    _event(table, user=user, action=Action.ADJUST, from_status=Status.APPROVED, comment=reason)
    return table


# --- finance -------------------------------------------------------------------------------


def _reviewing(user: User, table_id: int, what: str) -> tuple[TargetTable, ReviewStage]:
    table = _locked(user, table_id)
    stage = review_stage(table)
    if stage is None:
        raise _refuse(table, what)
    if not is_reviewer_of(user, table):
        raise ValidationError(
            f"此表正处于{stage.label}阶段，您没有这一阶段的审核权限。", code="not_reviewer"
        )
    return table, stage


@history_attributed
@transaction.atomic
def target_table_review(
    *, user: User, table_id: int, version: int, grade: str, opinion: str
) -> TargetTable:
    """The reviewer's decision at the current stage, by grade: 优/良 pass (to 绩效股, or
    approved with a frozen snapshot), 中 returns for revision, 差 rejects. The opinion is
    required and becomes the office's 审核意见."""
    table, stage = _reviewing(user, table_id, "审核")
    try:
        grade = Grade(grade)
    except ValueError:
        raise ValidationError(
            {"grade": "请选择审核等级（优、良、中、差）。"}, code="grade"
        ) from None
    opinion = _text(opinion, label="审核意见", required=True)
    action = REVIEW_GRADES[grade]
    to = {
        Action.PASS: stage.passed,
        Action.RETURN: Status.RETURNED,
        Action.REJECT: Status.REJECTED,
    }[action]
    from_status = table.status
    if table.version != version:
        raise ConcurrentEditError(table)
    snapshot = None
    if to == Status.APPROVED:
        snapshot = _freeze(table, user=user)
        table = _move(table, user=user, version=version, to=to, approved_snapshot=snapshot)
    else:
        table = _move(table, user=user, version=version, to=to)
    ReviewOpinion.objects.create(
        table=table, office_kind=stage.office_kind, text=opinion, grade=grade, author=user
    )
    _event(
        table,
        user=user,
        action=action,
        from_status=from_status,
        office_kind=stage.office_kind,
        grade=grade,
        comment=opinion,
    )
    return table


@history_attributed
@transaction.atomic
def review_correct(
    *, user: User, table_id: int, version: int, indicator_id: int, value_text: str
) -> ReviewEvent:
    """The 良 path: the reviewer of the current stage corrects an indicator's value directly
    (after consulting the bureau). Recorded as the reviewer's, old → new, and shown to the
    bureau; nothing else on the review screen is editable."""
    table, stage = _reviewing(user, table_id, "修正指标")
    row = PerformanceIndicator.objects.filter(table=table, pk=indicator_id, level__gte=3).first()
    if row is None:
        raise Http404("没有找到该指标。")
    new = (value_text or "").strip()
    if not new:
        raise ValidationError({"value_text": "请填写修正后的指标值。"}, code="required")
    if len(new) > PerformanceIndicator._meta.get_field("value_text").max_length:
        raise ValidationError({"value_text": "指标值过长。"}, code="too_long")
    if new == row.value_text:
        raise ValidationError({"value_text": "修正后的指标值与原值相同。"}, code="unchanged")
    old = row.value_text
    table = _move(table, user=user, version=version, to=table.status)
    row.value_text = new
    row._history_user = user
    row.save()
    return _event(
        table,
        user=user,
        action=Action.CORRECT,
        from_status=table.status,
        office_kind=stage.office_kind,
        indicator=row,
        indicator_label=row.name or f"指标#{row.pk}",
        old_value=old,
        new_value=new,
    )


@history_attributed
@transaction.atomic
def review_comment_add(
    *, user: User, table_id: int, text: str, indicator_id: int | None = None
) -> ReviewComment:
    """A reviewer's comment on the table or one of its rows, at the current stage."""
    table, stage = _reviewing(user, table_id, "批注")
    text = _text(text, label="批注内容", required=True)
    row = None
    if indicator_id is not None:
        row = PerformanceIndicator.objects.filter(table=table, pk=indicator_id).first()
        if row is None:
            raise Http404("没有找到该指标。")
    return ReviewComment.objects.create(
        table=table,
        indicator=row,
        indicator_label=(row.name or f"指标#{row.pk}") if row else "",
        author=user,
        office_kind=stage.office_kind,
        text=text,
        table_version=table.version,
    )


# --- the approved snapshot -----------------------------------------------------------------


def _freeze(table: TargetTable, *, user: User) -> TableSnapshot:
    number = (table.snapshots.aggregate(n=Max("number"))["n"] or 0) + 1
    return TableSnapshot.objects.create(
        table=table,
        number=number,
        table_version=table.version + 1,
        data=table_snapshot_data(table),
        approved_by=user,
    )
