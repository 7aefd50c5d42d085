"""Reads for the role home page, each scoped through the kernel's and notices' selectors.

Lists come back as ordered querysets: the page slices them to the few rows it shows and
counts them for the link to all, so each section stays one count and one bounded list
query however much data there is.
"""

from dataclasses import dataclass

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

from allocations.models import FundNotice
from allocations.selectors import notices_visible_to
from perfgoals.models import Office, Organisation, ReviewOpinion, TargetTable, User
from perfgoals.selectors import target_tables_editable_by, target_tables_visible_to

Status = TargetTable.Status


@dataclass(frozen=True)
class DataCounts:
    """What an administrator sees of the data: organisations, users, notices and tables."""

    organisations: int
    users: int
    notices: int
    notice_drafts: int
    tables: int
    tables_by_status: dict[str, int]


def tables_with_review_stage(tables: QuerySet[TargetTable]) -> QuerySet[TargetTable]:
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


def tables_with_latest_opinion(tables: QuerySet[TargetTable]) -> QuerySet[TargetTable]:
    """Annotate the newest review opinion's text, office and date, in the same query."""
    latest = ReviewOpinion.objects.filter(table=OuterRef("pk")).order_by("-created_at", "-pk")
    return tables.annotate(
        opinion_text=Subquery(latest.values("text")[:1]),
        opinion_office=Subquery(latest.values("office_kind")[:1]),
        opinion_at=Subquery(latest.values("created_at")[:1]),
    )


def bureau_table_counts(user: User) -> dict[str, int]:
    """How many of the user's editable tables are `drafts` and how many were `returned`
    (one query)."""
    return target_tables_editable_by(user).aggregate(
        drafts=Count("pk", filter=Q(status=Status.DRAFT)),
        returned=Count("pk", filter=Q(status=Status.RETURNED)),
    )


def own_table_drafts(user: User) -> QuerySet[TargetTable]:
    """The user's editable drafts, most recently changed first."""
    return (
        target_tables_editable_by(user).filter(status=Status.DRAFT).order_by("-updated_at", "-pk")
    )


def returned_tables_with_latest_opinion(user: User) -> QuerySet[TargetTable]:
    """The user's returned tables with the opinion that sent them back, newest change first."""
    returned = target_tables_editable_by(user).filter(status=Status.RETURNED)
    return tables_with_latest_opinion(returned).order_by("-updated_at", "-pk")


def received_notices_with_drafts(user: User) -> QuerySet[FundNotice]:
    """Issued notices addressed to the user's organisation that created drafts it must finish.

    Each is annotated with `my_drafts` (how many) and `first_draft` (the pk of one to open).
    """
    my_drafts = Q(
        target_tables__organisation_id=user.organisation_id,
        target_tables__status=Status.DRAFT,
    )
    return (
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
        .order_by("-issued_at", "-pk")
    )


def review_queue(user: User) -> QuerySet[TargetTable]:
    """Submitted tables of other bureaus in the reviewer's region, with their review stage."""
    return tables_with_review_stage(
        target_tables_visible_to(user)
        .filter(
            status=Status.SUBMITTED,
            organisation__region_id=user.organisation.region_id,
        )
        .exclude(organisation_id=user.organisation_id)
    )


def review_queue_at_stage(user: User, *, awaiting_performance: bool) -> QuerySet[TargetTable]:
    """The review queue at one stage, oldest change first (it has waited longest)."""
    return (
        review_queue(user)
        .filter(awaiting_performance=awaiting_performance)
        .order_by("updated_at", "pk")
    )


def own_notice_drafts(user: User) -> QuerySet[FundNotice]:
    """Draft notices the user's organisation issues, most recently changed first."""
    return (
        notices_visible_to(user)
        .filter(status=FundNotice.Status.DRAFT, issuer_id=user.organisation_id)
        .order_by("-updated_at", "-pk")
    )


def data_counts(user: User) -> DataCounts:
    """Counts of the data in the user's scope, four queries in all."""
    by_status = target_tables_visible_to(user).aggregate(
        total=Count("pk"),
        **{s.value: Count("pk", filter=Q(status=s.value)) for s in Status},
    )
    notices = notices_visible_to(user).aggregate(
        total=Count("pk"),
        drafts=Count("pk", filter=Q(status=FundNotice.Status.DRAFT)),
    )
    return DataCounts(
        organisations=Organisation.objects.count(),
        users=User.objects.count(),
        notices=notices["total"],
        notice_drafts=notices["drafts"],
        tables=by_status["total"],
        tables_by_status={s.value: by_status[s.value] for s in Status},
    )
