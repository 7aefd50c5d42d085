"""The role home page's view model: sections of what waits for the user, with counts.

Rows come from home.selectors as ordered querysets; here each section takes its count and
its first few rows (one count and one bounded list query, so the page's query count does
not grow with the data) and adds what the template shows: edit links, amount text, labels.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse

from allocations.models import FundNotice
from perfgoals.display import money
from perfgoals.home.selectors import (
    bureau_reads,
    bureau_table_counts,
    data_counts,
    own_approved_tables,
    own_notice_drafts,
    own_table_drafts,
    own_tables_in_review,
    received_notices_with_drafts,
    region_approved_tables,
    rejected_tables_with_latest_opinion,
    returned_tables_with_latest_opinion,
    review_queue,
)
from perfgoals.models import Office, ReviewOpinion, TargetTable, User
from perfgoals.selectors import scope_key

# Each home-page list shows the most urgent few; the count links to the full list.
LIST_LIMIT = 8

Status = TargetTable.Status


@dataclass
class Section:
    """One block of the home page: a heading, a count, the first rows and a link to all."""

    key: str
    title: str
    count: int
    rows: list[Any] = field(default_factory=list)
    more_url: str = ""
    empty_text: str = ""


def first_rows(count: int, rows: Callable[[], list[Any]]) -> list[Any]:
    """The section's first rows; none read when its count says there are none (most
    sections of most homes are empty, and each read is a query)."""
    return rows() if count else []


def bureau_rows(user: User, name: str, count: int, rows: Callable[[], QuerySet]) -> list[Any]:
    """first_rows of a bureau section, its SQL compiled once per thread and scope key
    (home.selectors.bureau_reads)."""
    if not count:
        return []
    return bureau_reads.list((name, scope_key(user)), lambda: rows()[:LIST_LIMIT])


def with_amount_display(notices: Iterable[FundNotice]) -> list[FundNotice]:
    rows = list(notices)
    for notice in rows:
        notice.amount_display = money(notice.amount)
        first_draft = getattr(notice, "first_draft", None)
        notice.first_draft_url = reverse("tables:edit", args=[first_draft]) if first_draft else ""
    return rows


def with_edit_urls(tables: Iterable[TargetTable]) -> list[TargetTable]:
    rows = list(tables)
    for table in rows:
        table.edit_url = reverse("tables:edit", args=[table.pk])
    return rows


def with_opinion_labels(tables: Iterable[TargetTable]) -> list[TargetTable]:
    """Edit links, and the office and grade of the annotated latest opinion as printed."""
    rows = with_edit_urls(tables)
    office_names = dict(Office.Kind.choices)
    grade_names = dict(ReviewOpinion.Grade.choices)
    for table in rows:
        table.opinion_office_label = office_names.get(table.opinion_office, "")
        table.opinion_grade_label = grade_names.get(table.opinion_grade, "")
    return rows


def table_list_url(**params: Any) -> str:
    """The target-table list filtered as `params` say (the rows a count stands for)."""
    query = QueryDict(mutable=True)
    query.update({name: value for name, value in params.items() if value is not None})
    url = reverse("table_list")
    return f"{url}?{query.urlencode()}" if query else url


def bureau_sections(user: User) -> list[Section]:
    """Where each of the organisation's tables stands: to finish, sent back, with finance,
    refused, approved; then the notices that created drafts."""
    counts = bureau_table_counts(user)
    org = user.organisation_id
    # Notices addressed to my organisation that created tables I still have to finish.
    received = received_notices_with_drafts(user)
    received_count = received.count()
    return [
        Section(
            "returned",
            "被退回修改",
            counts["returned"],
            with_opinion_labels(
                bureau_rows(
                    user,
                    "returned",
                    counts["returned"],
                    lambda: returned_tables_with_latest_opinion(user),
                )
            ),
            table_list_url(status=Status.RETURNED, organisation=org),
            "没有被退回的表。",
        ),
        Section(
            "drafts",
            "待完成的草稿",
            counts["drafts"],
            with_edit_urls(
                bureau_rows(user, "drafts", counts["drafts"], lambda: own_table_drafts(user))
            ),
            table_list_url(status=Status.DRAFT, organisation=org),
            "没有待完成的草稿。",
        ),
        Section(
            "in_review",
            "审核中",
            counts["in_review"],
            bureau_rows(user, "in_review", counts["in_review"], lambda: own_tables_in_review(user)),
            table_list_url(organisation=org),
            "没有正在审核的表。",
        ),
        Section(
            "rejected",
            "未通过审核",
            counts["rejected"],
            with_opinion_labels(
                bureau_rows(
                    user,
                    "rejected",
                    counts["rejected"],
                    lambda: rejected_tables_with_latest_opinion(user),
                )
            ),
            table_list_url(status=Status.REJECTED, organisation=org),
            "没有未通过审核的表。",
        ),
        Section(
            "approved",
            "已批准",
            counts["approved"],
            bureau_rows(user, "approved", counts["approved"], lambda: own_approved_tables(user)),
            table_list_url(status=Status.APPROVED, organisation=org),
            "还没有已批准的表。",
        ),
        Section(
            "notices",
            "收到的资金下达通知（已生成待填草稿）",
            received_count,
            with_amount_display(bureau_rows(user, "notices", received_count, lambda: received)),
            reverse("allocations:notice_list"),
            "没有待处理的资金下达通知。",
        ),
    ]


def review_sections(user: User, *, title: str, empty_text: str) -> list[Section]:
    """待我审核 at the user's stage, oldest change first; the region's recent approvals."""
    queue = review_queue(user)
    status = Status.SUBMITTED if user.role == User.Role.FINANCE_STAFF else Status.FIRST_PASSED
    approved = region_approved_tables(user)
    waiting, approved_count = queue.count(), approved.count()
    return [
        Section(
            "review",
            title,
            waiting,
            first_rows(waiting, lambda: list(queue[:LIST_LIMIT])),
            table_list_url(status=status),
            empty_text,
        ),
        Section(
            "approved",
            "本区域已批准的绩效目标表",
            approved_count,
            first_rows(approved_count, lambda: list(approved[:LIST_LIMIT])),
            table_list_url(status=Status.APPROVED),
            "本区域还没有已批准的绩效目标表。",
        ),
    ]


def finance_sections(user: User) -> list[Section]:
    own_drafts = own_notice_drafts(user)
    drafts = own_drafts.count()
    return [
        *review_sections(
            user,
            title="待我审核（已提交，待业务股室初审）",
            empty_text="没有待审核的绩效目标表。",
        ),
        Section(
            "notice_drafts",
            "草稿状态的资金下达通知",
            drafts,
            first_rows(drafts, lambda: with_amount_display(own_drafts[:LIST_LIMIT])),
            reverse("allocations:notice_list"),
            "没有草稿状态的通知。",
        ),
    ]


def performance_sections(user: User) -> list[Section]:
    return review_sections(
        user,
        title="待我审核（初审通过，待绩效股复审）",
        empty_text="没有待绩效股复审的绩效目标表。",
    )


def admin_counts(user: User) -> list[tuple[str, int, str]]:
    """Data counts for administrators: (label, count, admin link)."""
    counts = data_counts(user)
    notice_admin = reverse("admin:allocations_fundnotice_changelist")
    return [
        ("单位", counts.organisations, reverse("admin:perfgoals_organisation_changelist")),
        ("用户", counts.users, reverse("admin:perfgoals_user_changelist")),
        ("资金下达通知", counts.notices, notice_admin),
        ("其中草稿", counts.notice_drafts, f"{notice_admin}?status__exact=draft"),
        ("绩效目标表", counts.tables, table_list_url()),
        *[
            (f"其中{s.label}", counts.tables_by_status[s.value], table_list_url(status=s.value))
            for s in Status
        ],
    ]
