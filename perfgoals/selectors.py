"""Reads scoped to the user's organisation. Every view reads permission-relevant data here.

An object outside a user's scope is simply absent from these querysets, so views turn it
into a 404 and never reveal that it exists.
"""

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter

from django.db.models import Model, Q, QuerySet

from perfgoals.models import Office, TargetTable, User

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


class BuiltScopes(threading.local):
    """Scope querysets by the user attributes they are built from, built once per thread.

    Every page reads through a scope, and building its Q tree and subqueries cost a page
    about 1,900 Python calls, the same for every request of users of one organisation and
    role. The key must hold everything the builder reads of the user, and the builder must
    read nothing else (no rows: the scope's data is read when the copy runs). Each thread
    keeps its own: Django adjusts a query's alias counts while compiling it, so a built query
    is never shared between threads; callers get a copy (`.all()`), never the built one.
    """

    LIMIT = 512  # keys, each a few queryset objects; cleared whole when full

    def __init__(self) -> None:
        self.built: dict[tuple, QuerySet] = {}

    def get(self, key: tuple, build: Callable[[], QuerySet]) -> QuerySet:
        scope = self.built.get(key)
        if scope is None:
            if len(self.built) >= self.LIMIT:
                self.built.clear()
            scope = self.built[key] = build()
        return scope.all()


def sorted_by(rows: QuerySet | Iterable, *fields: str) -> list:
    """The rows of a queryset (or rows already read) ordered by `fields` (attributes,
    ascending), sorted in Python instead of by an ORDER BY: Django resolves each ORDER BY
    column again on every query, about 0.05 ms each, more than the few rows a page reads
    whole cost to sort. Not for a paged read, nor for text (the database's collation
    decides) or a column that may be NULL (databases place it differently)."""
    if isinstance(rows, QuerySet):
        rows = rows.order_by()
    return sorted(rows, key=attrgetter(*fields))


def scope_key(user: User) -> tuple:
    """What a scope of perfgoals or allocations reads of its user."""
    organisation_id = getattr(user, "organisation_id", None)
    return (
        user.is_authenticated,
        getattr(user, "role", None),
        user.is_superuser,
        organisation_id,
        user.organisation.region_id if organisation_id else None,
    )


_built_table_scopes = BuiltScopes()


def target_tables_visible_to(user: User) -> QuerySet[TargetTable]:
    """Own organisation's tables; for finance also what its region's bureaus submitted;
    for every bureau also the tables attached to notices it issued or received."""
    return _built_table_scopes.get(scope_key(user), lambda: _target_tables_visible_to(user))


def _target_tables_visible_to(user: User) -> QuerySet[TargetTable]:
    tables = TargetTable.objects.select_related("organisation", "notice")
    if not user.is_authenticated:
        return tables.none()
    if user.role == User.Role.ADMINISTRATOR or user.is_superuser:
        return tables
    if user.organisation_id is None:
        return tables.none()
    org = user.organisation
    # The clauses through notices are subqueries of their own: a table attached several times
    # still comes once, without DISTINCT (which would break ordering on some columns) and
    # without wrapping the whole scope in a `pk IN`, which took Django longer to compile and
    # PostgreSQL longer to plan than the query took to run; every page reads through this.
    attached = TargetTable.objects.values("pk")
    scope = Q(organisation_id=org.pk)
    scope |= Q(
        pk__in=attached.filter(
            notice_attachments__notice__status="issued",
            notice_attachments__notice__recipient_links__organisation_id=org.pk,
        )
    )
    scope |= Q(pk__in=attached.filter(notice_attachments__notice__issuer_id=org.pk))
    if is_finance(user):
        scope |= _seen_by_region_finance(org.region_id)
    return tables.filter(scope)


def _seen_by_region_finance(region_id: int) -> Q:
    return Q(organisation__region_id=region_id) & (
        Q(status__in=REVIEW_STATUSES) | Q(approved_snapshot__isnull=False)
    )


def region_tables_seen_by_finance(user: User) -> QuerySet[TargetTable]:
    """One clause of target_tables_visible_to on its own: the tables of the region's
    bureaus a finance user sees (once submitted; an adjustment in draft through its approved
    version). Lists of only these (the review queue, the region's approvals) read them
    without compiling the whole scope; empty for everyone but finance staff and reviewers."""
    if not user.is_authenticated or user.organisation_id is None or not is_finance(user):
        return TargetTable.objects.none()
    tables = TargetTable.objects.select_related("organisation", "notice")
    return tables.filter(_seen_by_region_finance(user.organisation.region_id))


def recipient_tables_visible_to(user: User) -> QuerySet[TargetTable]:
    """The recipients' tables a user may compare with the upper table they serve (the
    decomposition view): finance staff, reviewers and administrators what they see; bureau
    staff their own organisation's only: another recipient's draft attached to the same
    notice is not theirs to compare with."""
    tables = target_tables_visible_to(user)
    if user.is_authenticated and user.role == User.Role.BUREAU_STAFF:
        return tables.filter(organisation_id=user.organisation_id)
    return tables


EDITABLE_STATUSES = (TargetTable.Status.DRAFT, TargetTable.Status.RETURNED)


def _edits_tables(user: User) -> bool:
    return (
        user.is_authenticated
        and user.organisation_id is not None
        and user.role == User.Role.BUREAU_STAFF
    )


def target_tables_editable_by(user: User) -> QuerySet[TargetTable]:
    """Drafts and returned tables of the user's own organisation, for bureau staff."""
    if not _edits_tables(user):
        return TargetTable.objects.none()
    return TargetTable.objects.select_related("organisation").filter(
        organisation_id=user.organisation_id, status__in=EDITABLE_STATUSES
    )


def table_is_editable_by(table: TargetTable, user: User) -> bool:
    """target_tables_editable_by's rule for a table the page has read already (no query)."""
    return (
        _edits_tables(user)
        and table.organisation_id == user.organisation_id
        and table.status in EDITABLE_STATUSES
    )


# What User.__str__ prints: all a page shows of who acknowledged, commented or acted.
USER_NAME_FIELDS = ("username", "first_name", "last_name")


def attach_users(*groups: tuple[str, Iterable[Model]]) -> None:
    """Set the user that each object's foreign key `field` names, for the groups of
    (field, objects) given, from one query of the users' names.

    Cheaper than joining a user's fifteen columns into each query that lists who did what,
    and no query at all when no object names anyone (most tables have no review history)."""
    groups = tuple((field, list(objects)) for field, objects in groups)
    wanted = {getattr(obj, f"{field}_id") for field, objects in groups for obj in objects}
    wanted.discard(None)
    if not wanted:
        return
    users = {user.pk: user for user in User.objects.filter(pk__in=wanted).only(*USER_NAME_FIELDS)}
    for field, objects in groups:
        for obj in objects:
            user = users.get(getattr(obj, f"{field}_id"))
            if user is not None:
                setattr(obj, field, user)


# --- who reviews what (DOMAIN.md §7) -------------------------------------------------------


@dataclass(frozen=True)
class ReviewStage:
    """Who reviews a table in one state, and where a pass takes it."""

    status: TargetTable.Status
    office_kind: Office.Kind
    role: User.Role
    passed: TargetTable.Status
    label: str


# The 业务股室 reviews what was submitted, then the 绩效股 what the 业务股室 passed.
REVIEW_STAGES = (
    ReviewStage(
        TargetTable.Status.SUBMITTED,
        Office.Kind.BUSINESS,
        User.Role.FINANCE_STAFF,
        TargetTable.Status.FIRST_PASSED,
        "业务股室初审",
    ),
    ReviewStage(
        TargetTable.Status.FIRST_PASSED,
        Office.Kind.PERFORMANCE,
        User.Role.PERFORMANCE_REVIEWER,
        TargetTable.Status.APPROVED,
        "绩效股复审",
    ),
)


def table_review_stage(table: TargetTable) -> ReviewStage | None:
    """The stage the table is at, or None when it is not under review."""
    return next((s for s in REVIEW_STAGES if s.status == table.status), None)


def user_review_stage(user: User) -> ReviewStage | None:
    """The stage a finance user reviews: their role's, in a finance bureau, in that stage's
    office (a user without an office counts as in it); None for everyone else."""
    if not user.is_authenticated or user.organisation_id is None:
        return None
    stage = next((s for s in REVIEW_STAGES if s.role == user.role), None)
    if stage is None or not user.organisation.is_finance:
        return None
    if user.office_id is not None and user.office.kind != stage.office_kind:
        return None
    return stage


def is_reviewer_of(user: User, table: TargetTable) -> bool:
    """The finance bureau of the table's region, at the office the table's stage needs;
    never for a table of its own organisation."""
    stage = table_review_stage(table)
    return (
        stage is not None
        and user_review_stage(user) == stage
        and user.organisation.region_id == table.organisation.region_id
        and user.organisation_id != table.organisation_id
    )
