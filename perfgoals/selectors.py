"""Reads scoped to the user's organisation. Every view reads permission-relevant data here.

An object outside a user's scope is simply absent from these querysets, so views turn it
into a 404 and never reveal that it exists.
"""

from django.db.models import Q, QuerySet

from perfgoals.models import TargetTable, User

# What a region's finance bureau sees of its bureaus' tables: everything once submitted,
# never a draft (an adjustment being drafted shows through its approved version).
REVIEW_STATUSES = [
    TargetTable.Status.SUBMITTED,
    TargetTable.Status.FIRST_PASSED,
    TargetTable.Status.RETURNED,
    TargetTable.Status.APPROVED,
    TargetTable.Status.REJECTED,
]


def is_finance(user: User) -> bool:
    return user.role in {User.Role.FINANCE_STAFF, User.Role.PERFORMANCE_REVIEWER}


def target_tables_visible_to(user: User) -> QuerySet[TargetTable]:
    """Own organisation's tables; for finance also what its region's bureaus submitted;
    for every bureau also the tables attached to notices it issued or received."""
    tables = TargetTable.objects.select_related("organisation", "notice")
    if not user.is_authenticated:
        return tables.none()
    if user.role == User.Role.ADMINISTRATOR or user.is_superuser:
        return tables
    if user.organisation_id is None:
        return tables.none()
    org = user.organisation
    scope = Q(organisation_id=org.pk)
    scope |= Q(
        notice_attachments__notice__status="issued",
        notice_attachments__notice__recipient_links__organisation_id=org.pk,
    )
    scope |= Q(notice_attachments__notice__issuer_id=org.pk)
    if is_finance(user):
        scope |= Q(organisation__region_id=org.region_id) & (
            Q(status__in=REVIEW_STATUSES) | Q(approved_snapshot__isnull=False)
        )
    # A table can match through several attachments; the subquery keeps rows distinct
    # without DISTINCT on the outer query (which would break ordering on some columns).
    return tables.filter(pk__in=TargetTable.objects.filter(scope).values("pk"))


def target_tables_editable_by(user: User) -> QuerySet[TargetTable]:
    """Drafts and returned tables of the user's own organisation, for bureau staff."""
    if not user.is_authenticated or user.organisation_id is None:
        return TargetTable.objects.none()
    if user.role != User.Role.BUREAU_STAFF:
        return TargetTable.objects.none()
    return TargetTable.objects.select_related("organisation").filter(
        organisation_id=user.organisation_id,
        status__in=[TargetTable.Status.DRAFT, TargetTable.Status.RETURNED],
    )
