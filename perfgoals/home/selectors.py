"""Reads for the role home page, each scoped through the kernel's and notices' selectors.

Lists come back as ordered querysets: the page slices them to the few rows it shows and
counts them for the link to all, so each section stays one count and one bounded list
query however much data there is.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery

from allocations.models import FundNotice
from allocations.selectors import notices_received_by, notices_visible_to
from perfgoals.models import Organisation, ReviewOpinion, TargetTable, User
from perfgoals.prepared import PreparedReads
from perfgoals.selectors import (
    region_tables_seen_by_finance,
    scope_key,
    target_tables_editable_by,
    target_tables_visible_to,
    user_review_stage,
)

Status = TargetTable.Status

IN_REVIEW = (Status.SUBMITTED, Status.FIRST_PASSED)

# The columns a home-page row prints. A table with its organisation and notice is 85
# columns, and compiling that SELECT costs more than running it: each list selects these.
TABLE_COLUMNS = ("project_name", "year", "layout", "status", "updated_at", "organisation__name")
NOTICE_COLUMNS = (
    *FundNotice.LABEL_FIELDS,
    "amount",
    "amount_unit",
    "updated_at",
    "issued_at",
)


def listed_tables(tables: QuerySet[TargetTable]) -> QuerySet[TargetTable]:
    return tables.select_related(None).select_related("organisation").only(*TABLE_COLUMNS)


def listed_notices(notices: QuerySet[FundNotice]) -> QuerySet[FundNotice]:
    return notices.select_related(None).only(*NOTICE_COLUMNS)


@dataclass(frozen=True)
class DataCounts:
    """What an administrator sees of the data: organisations, users, notices and tables."""

    organisations: int
    users: int
    notices: int
    notice_drafts: int
    tables: int
    tables_by_status: dict[str, int]


def tables_with_latest_opinion(tables: QuerySet[TargetTable]) -> QuerySet[TargetTable]:
    """Annotate the newest review opinion's text, office, grade and date, in the same query
    (every review decision writes one: a return's or a rejection's reason is the newest)."""
    latest = ReviewOpinion.objects.filter(table=OuterRef("pk")).order_by("-created_at", "-pk")
    return tables.annotate(
        opinion_text=Subquery(latest.values("text")[:1]),
        opinion_office=Subquery(latest.values("office_kind")[:1]),
        opinion_grade=Subquery(latest.values("grade")[:1]),
        opinion_at=Subquery(latest.values("created_at")[:1]),
    )


def own_tables(user: User) -> QuerySet[TargetTable]:
    """Every table of the bureau staff user's own organisation, in any state (not the
    tables of others it sees through notices)."""
    if user.role != User.Role.BUREAU_STAFF or user.organisation_id is None:
        return TargetTable.objects.none()
    return TargetTable.objects.select_related("organisation").filter(
        organisation_id=user.organisation_id
    )


# A bureau's reads, compiled once per thread, read and scope key: what each bureau selector
# here reads of its user (authenticated, role, organisation) is what scope_key holds.
bureau_reads = PreparedReads()

BUREAU_COUNTS = {
    "drafts": Count("pk", filter=Q(status=Status.DRAFT)),
    "returned": Count("pk", filter=Q(status=Status.RETURNED)),
    "rejected": Count("pk", filter=Q(status=Status.REJECTED)),
    "in_review": Count("pk", filter=Q(status__in=IN_REVIEW)),
    "approved": Count("pk", filter=Q(status=Status.APPROVED)),
}


def bureau_table_counts(user: User) -> dict[str, int]:
    """Where the user's organisation's tables stand: `drafts`, `returned`, `rejected`,
    `in_review` (submitted or first passed) and `approved` (one query)."""
    # Grouped by the one organisation rather than aggregated: a read of rows, which
    # PreparedReads keeps compiled. No tables, no group.
    rows = bureau_reads.list(
        ("counts", scope_key(user)),
        lambda: own_tables(user).order_by().values("organisation_id").annotate(**BUREAU_COUNTS),
    )
    return {name: rows[0][name] if rows else 0 for name in BUREAU_COUNTS}


def own_table_drafts(user: User) -> QuerySet[TargetTable]:
    """The user's editable drafts, most recently changed first."""
    drafts = target_tables_editable_by(user).filter(status=Status.DRAFT)
    return listed_tables(drafts).order_by("-updated_at", "-pk")


def returned_tables_with_latest_opinion(user: User) -> QuerySet[TargetTable]:
    """The user's returned tables with the opinion that sent them back, newest change first."""
    returned = target_tables_editable_by(user).filter(status=Status.RETURNED)
    return tables_with_latest_opinion(listed_tables(returned)).order_by("-updated_at", "-pk")


def rejected_tables_with_latest_opinion(user: User) -> QuerySet[TargetTable]:
    """The organisation's tables that did not pass review (差), with why, newest first."""
    rejected = own_tables(user).filter(status=Status.REJECTED)
    return tables_with_latest_opinion(listed_tables(rejected)).order_by("-updated_at", "-pk")


def own_tables_in_review(user: User) -> QuerySet[TargetTable]:
    """The organisation's tables with the finance bureau, longest waiting first."""
    return listed_tables(own_tables(user).filter(status__in=IN_REVIEW)).order_by("updated_at", "pk")


def _newest_approval_first(tables: QuerySet[TargetTable]) -> QuerySet[TargetTable]:
    return (
        listed_tables(tables.filter(status=Status.APPROVED))
        .annotate(approved_at=F("approved_snapshot__approved_at"))
        .order_by(F("approved_at").desc(nulls_last=True), "-updated_at", "-pk")
    )


def own_approved_tables(user: User) -> QuerySet[TargetTable]:
    """The organisation's approved tables, most recently approved first."""
    return _newest_approval_first(own_tables(user))


def received_notices_with_drafts(user: User) -> QuerySet[FundNotice]:
    """Issued notices addressed to the user's organisation that created drafts it must finish.

    Each is annotated with `my_drafts` (how many) and `first_draft` (the pk of one to open).
    """
    my_drafts = Q(
        target_tables__organisation_id=user.organisation_id,
        target_tables__status=Status.DRAFT,
    )
    return (
        listed_notices(notices_received_by(user))
        .annotate(
            my_drafts=Count("target_tables", filter=my_drafts, distinct=True),
            first_draft=Max("target_tables__pk", filter=my_drafts),
        )
        .filter(my_drafts__gt=0)
        .order_by("-issued_at", "-pk")
    )


def review_queue(user: User) -> QuerySet[TargetTable]:
    """待我审核: the region's tables at the stage the finance user reviews (业务股室:
    submitted; 绩效股: first passed), never the user's own organisation's, oldest change
    first (it has waited longest). Empty for anyone who reviews nothing, mirroring who the
    review services let decide (perfgoals.selectors.is_reviewer_of)."""
    stage = user_review_stage(user)
    if stage is None:
        return TargetTable.objects.none()
    # The stage's statuses are among those finance sees of its region: that clause of the
    # scope alone holds the whole queue.
    return (
        listed_tables(region_tables_seen_by_finance(user))
        .filter(status=stage.status)
        .exclude(organisation_id=user.organisation_id)
        .order_by("updated_at", "pk")
    )


def region_approved_tables(user: User) -> QuerySet[TargetTable]:
    """已批准: the approved tables of the finance user's region, most recently approved first
    (finance sees every approved table of its region: that clause of the scope alone)."""
    return _newest_approval_first(region_tables_seen_by_finance(user))


def own_notice_drafts(user: User) -> QuerySet[FundNotice]:
    """Draft notices the user's organisation issues, most recently changed first."""
    return (
        listed_notices(notices_visible_to(user))
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
