"""The role home page: what is waiting for the signed-in user's action, with counts.

Every read goes through the scoped selectors; each section costs one count query and one
bounded list query, so the page's query count does not grow with the data.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import QueryDict
from django.urls import reverse

from allocations.models import FundNotice
from allocations.selectors import notices_visible_to
from perfgoals.display import money
from perfgoals.models import Office, Organisation, ReviewOpinion, TargetTable, User
from perfgoals.selectors import target_tables_editable_by, target_tables_visible_to

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


def with_review_stage(tables: QuerySet[TargetTable]) -> QuerySet[TargetTable]:
    """Annotate `awaiting_performance`: the 业务股室 has given its opinion since 绩效股 last did.

    Review is two-stage (DOMAIN.md §7): 业务股室 first, then 绩效股. Until the review workflow
    records the stage explicitly, it is read from the opinions: a submitted table with a
    business-office opinion newer than any 绩效股 opinion is at the second stage.
    """
    opinions = ReviewOpinion.objects.filter(table=OuterRef("pk")).order_by("-created_at")

    def latest(kind: str) -> Subquery:
        return Subquery(opinions.filter(office_kind=kind).values("created_at")[:1])

    tables = tables.annotate(
        last_business_at=latest(Office.Kind.BUSINESS),
        last_performance_at=latest(Office.Kind.PERFORMANCE),
    )
    return tables.annotate(
        awaiting_performance=Case(
            When(
                Q(last_business_at__isnull=False)
                & (
                    Q(last_performance_at__isnull=True)
                    | Q(last_business_at__gt=F("last_performance_at"))
                ),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def with_latest_opinion(tables: QuerySet[TargetTable]) -> QuerySet[TargetTable]:
    """Annotate the newest review opinion's text, office and date, in the same query."""
    latest = ReviewOpinion.objects.filter(table=OuterRef("pk")).order_by("-created_at", "-pk")
    return tables.annotate(
        opinion_text=Subquery(latest.values("text")[:1]),
        opinion_office=Subquery(latest.values("office_kind")[:1]),
        opinion_at=Subquery(latest.values("created_at")[:1]),
    )


def with_amount_display(notices: QuerySet[FundNotice]) -> list[FundNotice]:
    rows = list(notices)
    for notice in rows:
        notice.amount_display = money(notice.amount)
        first_draft = getattr(notice, "first_draft", None)
        notice.first_draft_url = reverse("tables:edit", args=[first_draft]) if first_draft else ""
    return rows


def with_edit_urls(tables: QuerySet[TargetTable]) -> list[TargetTable]:
    rows = list(tables)
    for table in rows:
        table.edit_url = reverse("tables:edit", args=[table.pk])
    return rows


def table_list_url(**params: Any) -> str:
    """The target-table list filtered as `params` say (the rows a count stands for)."""
    query = QueryDict(mutable=True)
    query.update({name: value for name, value in params.items() if value is not None})
    url = reverse("table_list")
    return f"{url}?{query.urlencode()}" if query else url


def bureau_sections(user: User) -> list[Section]:
    editable = target_tables_editable_by(user)
    counts = editable.aggregate(
        drafts=Count("pk", filter=Q(status=Status.DRAFT)),
        returned=Count("pk", filter=Q(status=Status.RETURNED)),
    )
    drafts = with_edit_urls(
        editable.filter(status=Status.DRAFT).order_by("-updated_at", "-pk")[:LIST_LIMIT]
    )
    returned = with_edit_urls(
        with_latest_opinion(editable.filter(status=Status.RETURNED)).order_by("-updated_at", "-pk")[
            :LIST_LIMIT
        ]
    )
    office_names = dict(Office.Kind.choices)
    for table in returned:
        table.opinion_office_label = office_names.get(table.opinion_office, "")

    # Notices addressed to my organisation that created tables I still have to finish.
    my_drafts = Q(
        target_tables__organisation_id=user.organisation_id,
        target_tables__status=Status.DRAFT,
    )
    received = (
        notices_visible_to(user)
        .filter(
            status=FundNotice.Status.ISSUED,
            recipient_links__organisation_id=user.organisation_id,
        )
        .annotate(
            my_drafts=Count("target_tables", filter=my_drafts, distinct=True),
            first_draft=Max("target_tables__pk", filter=my_drafts),
        )
        .filter(my_drafts__gt=0)
    )
    notices = with_amount_display(received.order_by("-issued_at", "-pk")[:LIST_LIMIT])
    return [
        Section(
            "drafts",
            "待完成的草稿",
            counts["drafts"],
            drafts,
            table_list_url(status=Status.DRAFT, organisation=user.organisation_id),
            "没有待完成的草稿。",
        ),
        Section(
            "returned",
            "退回给我修改的表",
            counts["returned"],
            returned,
            table_list_url(status=Status.RETURNED, organisation=user.organisation_id),
            "没有被退回的表。",
        ),
        Section(
            "notices",
            "收到的资金下达通知（已生成待填草稿）",
            received.count(),
            notices,
            reverse("allocations:notice_list"),
            "没有待处理的资金下达通知。",
        ),
    ]


def review_queue(user: User) -> QuerySet[TargetTable]:
    """Submitted tables of other bureaus in the reviewer's region, with their review stage."""
    return with_review_stage(
        target_tables_visible_to(user)
        .filter(
            status=Status.SUBMITTED,
            organisation__region_id=user.organisation.region_id,
        )
        .exclude(organisation_id=user.organisation_id)
    )


def review_section(
    user: User, *, awaiting_performance: bool, title: str, empty_text: str
) -> Section:
    """The region's submitted tables at one review stage, oldest change first."""
    queue = review_queue(user).filter(awaiting_performance=awaiting_performance)
    return Section(
        "review",
        title,
        queue.count(),
        list(queue.order_by("updated_at", "pk")[:LIST_LIMIT]),
        table_list_url(status=Status.SUBMITTED),
        empty_text,
    )


def finance_sections(user: User) -> list[Section]:
    own_drafts = notices_visible_to(user).filter(
        status=FundNotice.Status.DRAFT, issuer_id=user.organisation_id
    )
    return [
        Section(
            "notice_drafts",
            "草稿状态的资金下达通知",
            own_drafts.count(),
            with_amount_display(own_drafts.order_by("-updated_at", "-pk")[:LIST_LIMIT]),
            reverse("allocations:notice_list"),
            "没有草稿状态的通知。",
        ),
        review_section(
            user,
            awaiting_performance=False,
            title="本区域已提交、待业务股室审核的绩效目标表",
            empty_text="没有待审核的绩效目标表。",
        ),
    ]


def performance_sections(user: User) -> list[Section]:
    return [
        review_section(
            user,
            awaiting_performance=True,
            title="待绩效股审核的绩效目标表",
            empty_text="没有待绩效股审核的绩效目标表。",
        ),
    ]


def admin_counts(user: User) -> list[tuple[str, int, str]]:
    """Data counts for administrators: (label, count, admin link)."""
    by_status = target_tables_visible_to(user).aggregate(
        total=Count("pk"),
        **{s.value: Count("pk", filter=Q(status=s.value)) for s in Status},
    )
    notices = notices_visible_to(user).aggregate(
        total=Count("pk"),
        drafts=Count("pk", filter=Q(status=FundNotice.Status.DRAFT)),
    )
    notice_admin = reverse("admin:allocations_fundnotice_changelist")
    return [
        ("单位", Organisation.objects.count(), reverse("admin:perfgoals_organisation_changelist")),
        ("用户", User.objects.count(), reverse("admin:perfgoals_user_changelist")),
        ("资金下达通知", notices["total"], notice_admin),
        ("其中草稿", notices["drafts"], f"{notice_admin}?status__exact=draft"),
        ("绩效目标表", by_status["total"], table_list_url()),
        *[(f"其中{s.label}", by_status[s.value], table_list_url(status=s.value)) for s in Status],
    ]
