"""Reads of notices and allocation tables, scoped to the user's organisation."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.lookups import Contains
from django.http import Http404
from django.shortcuts import get_object_or_404

# The arithmetic has its own module; its names stay importable from here, where the pages,
# the checks and the exports have always read them.
from allocations.computation import ComputedAllocation, compute_allocation
from allocations.computation import ComputedCell as ComputedCell
from allocations.computation import ComputedRow as ComputedRow
from allocations.models import (
    AllocationColumn,
    AllocationRow,
    AllocationStandard,
    AllocationTable,
    BudgetLine,
    ClassificationCode,
    FundNotice,
    NoticeAttachment,
    NoticeParagraph,
    NoticeRecipient,
    PolicyParagraph,
)
from allocations.snapshots import allocation_from_snapshot
from indicators.decomposition import (
    TABLE_LABEL_FIELDS,
    Decomposition,
    LowerTables,
    decomposition_of,
)
from perfgoals.models import Organisation, Region, TargetTable, User
from perfgoals.money import from_yuan, total_yuan
from perfgoals.prepared import PreparedReads
from perfgoals.selectors import (
    BuiltScopes,
    recipient_tables_visible_to,
    scope_key,
    sorted_by,
    target_tables_visible_to,
)


def notices_visible_to(user: User) -> QuerySet[FundNotice]:
    """Issuer's own notices (drafts only to finance staff of the issuer); issued notices
    addressed to the user's organisation; upper notices outside the system that those notices
    or the user's visible target tables cite."""
    return _built_notice_scopes.get(
        scope_key(user),
        lambda: _in_reach(FundNotice.objects.select_related("issuer", "parent"), user, _visible),
    )


_built_notice_scopes = BuiltScopes()
# The notice list's read of the scope (notice_list).
_visible_notice_reads = PreparedReads()
# A notice and those around it, and its related rows (_notice_page), by the notice's id.
_notice_reads = PreparedReads()


def _visible(user: User) -> Q:
    # Subqueries, not joins: no duplicate rows to wrap away in a `pk IN (…)` of their own, and
    # a query that Django compiles and PostgreSQL plans in half the time (every notice page
    # and the home page read through this scope).
    scope = _issued_or_received(user)
    # An upper notice outside the system is a public document, but only the ones this
    # bureau's own notices or tables cite belong in its lists.
    cited = Q(is_external=True) & (
        Q(pk__in=FundNotice.objects.filter(scope).values("parent_id"))
        | Q(pk__in=target_tables_visible_to(user).values("notice_id"))
    )
    return scope | cited


def cited_notices_visible_to(user: User, notice_ids: Iterable[int]) -> QuerySet[FundNotice]:
    """notices_visible_to among `notice_ids`, the notices that tables the user sees cite
    (read through target_tables_visible_to). An upper notice outside the system is visible
    by that citation alone, so this needs none of the scope's subqueries of tables: the
    table list's notice filter offers these."""
    return _in_reach(
        FundNotice.objects.filter(pk__in=notice_ids),
        user,
        lambda user: _issued_or_received(user) | Q(is_external=True),
    )


def _in_reach(
    notices: QuerySet[FundNotice], user: User, scope: Callable[[User], Q]
) -> QuerySet[FundNotice]:
    """`notices` as far as `user` reaches: none signed out or outside any organisation,
    all for an administrator, else those `scope(user)` selects."""
    if not user.is_authenticated:
        return notices.none()
    if _sees_every_notice(user):
        return notices
    if user.organisation_id is None:
        return notices.none()
    return notices.filter(scope(user))


def _issued_or_received(user: User) -> Q:
    """The notices the user's organisation issued (finance staff: its drafts too) or was
    sent."""
    org_id = user.organisation_id
    scope = Q(issuer_id=org_id, status=FundNotice.Status.ISSUED)
    if user.role == User.Role.FINANCE_STAFF:
        scope = Q(issuer_id=org_id)  # drafts too
    return scope | _received(org_id)


def _visible_among(user: User, notices: list[FundNotice]) -> set[int]:
    """The ids of `notices` (read already) that notices_visible_to holds for `user`.

    Those the organisation issued or was sent are decided here, as _issued_or_received
    states them (a query of the organisation's recipient links among those others issued).
    An upper notice outside the system is visible where the user's notices or tables cite
    it: when one of `notices` so decided cites it, without a query; otherwise by asking the
    scope. tests/allocations/test_selectors.py checks both agree for every user and notice.
    """
    if not user.is_authenticated or not notices:
        return set()
    if _sees_every_notice(user):
        return {notice.pk for notice in notices}
    org_id = user.organisation_id
    if org_id is None:
        return set()
    issued = FundNotice.Status.ISSUED
    sent = [n.pk for n in notices if n.status == issued and n.issuer_id != org_id]
    received = set()
    if sent:
        received = set(
            NoticeRecipient.objects.filter(organisation_id=org_id, notice_id__in=sent)
            .values_list("notice_id", flat=True)
            .order_by()
        )
    drafts_too = user.role == User.Role.FINANCE_STAFF
    visible = {
        n.pk
        for n in notices
        if (n.issuer_id == org_id and (n.status == issued or drafts_too)) or n.pk in received
    }
    cited = {n.parent_id for n in notices if n.pk in visible}
    pending = []
    for notice in notices:
        if notice.is_external and notice.pk not in visible:
            if notice.pk in cited:
                visible.add(notice.pk)
            else:
                pending.append(notice.pk)
    if pending:
        visible |= set(notices_visible_to(user).filter(pk__in=pending).values_list("pk", flat=True))
    return visible


def _sees_every_notice(user: User) -> bool:
    return user.role == User.Role.ADMINISTRATOR or user.is_superuser


def _received(org_id: int) -> Q:
    addressed = NoticeRecipient.objects.filter(organisation_id=org_id).values("notice_id")
    return Q(status=FundNotice.Status.ISSUED, pk__in=addressed)


def notices_received_by(user: User) -> QuerySet[FundNotice]:
    """Issued notices addressed to the user's organisation: one of the clauses that make a
    notice visible (notices_visible_to), read without compiling the others' subqueries."""
    if not user.is_authenticated or user.organisation_id is None:
        return FundNotice.objects.none()
    return FundNotice.objects.filter(_received(user.organisation_id))


def allocation_tables_visible_to(user: User) -> QuerySet[AllocationTable]:
    return AllocationTable.objects.filter(notice__in=notices_visible_to(user))


@dataclass(frozen=True)
class RecipientShare:
    """A recipient's part of a notice's allocation tables, in 元, and what it was read from."""

    yuan: Decimal
    label: str  # the row as the table prints it (瑞丽市卫生健康局, 瑞丽市)


def allocation_share(
    computed: Iterable[ComputedAllocation],
    *,
    organisation_id: int,
    region_id: int | None,
    region_shared: bool,
) -> RecipientShare | None:
    """The recipient's own rows of the allocation tables: those naming the organisation;
    failing that, the rows of its region naming no organisation, unless another recipient
    is in the same region (then the region's row is not this one's alone). None when the
    tables have no row of its own: never the whole table."""
    own, regional = [], []
    for allocation in computed:
        for row in allocation.rows:
            if row.row.organisation_id == organisation_id:
                own.append(row)
            elif (
                row.row.organisation_id is None
                and region_id is not None
                and row.row.region_id == region_id
            ):
                regional.append(row)
    rows = own or ([] if region_shared else regional)
    if not rows:
        return None
    return RecipientShare(
        yuan=sum((row.total_yuan for row in rows), Decimal(0)),
        label="、".join(dict.fromkeys(row.row.label for row in rows)),
    )


def regions_shared(organisations: Iterable[Organisation]) -> set[int]:
    """Region ids with more than one of `organisations` (their region rows are ambiguous)."""
    seen: set[int] = set()
    shared: set[int] = set()
    for org in organisations:
        if org.region_id in seen:
            shared.add(org.region_id)
        seen.add(org.region_id)
    return shared


def notices_editable_by(user: User) -> QuerySet[FundNotice]:
    """Drafts of the user's organisation, for its finance staff only; issued notices are
    read-only (a correction is a new notice citing the old one)."""
    if not user.is_authenticated or user.organisation_id is None:
        return FundNotice.objects.none()
    if user.role != User.Role.FINANCE_STAFF:
        return FundNotice.objects.none()
    return FundNotice.objects.select_related("issuer", "parent").filter(
        issuer_id=user.organisation_id,
        is_external=False,
        status=FundNotice.Status.DRAFT,
    )


def notice_is_editable_by(notice: FundNotice, user: User) -> bool:
    """`notices_editable_by(user)` holds `notice`, told from the notice at hand: no query."""
    return (
        user.is_authenticated
        and user.organisation_id is not None
        and user.role == User.Role.FINANCE_STAFF
        and notice.issuer_id == user.organisation_id
        and not notice.is_external
        and notice.status == FundNotice.Status.DRAFT
    )


def can_draft_notices(user: User) -> bool:
    return (
        user.is_authenticated
        and user.role == User.Role.FINANCE_STAFF
        and user.organisation_id is not None
        and user.organisation.is_finance
    )


def notice_recipient_choices(issuer: Organisation) -> QuerySet[Organisation]:
    """Who a finance bureau may address: the bureaus of its own region, and the finance
    bureaus of the regions directly below it (which then issue their own notices)."""
    return (
        Organisation.objects.filter(
            (Q(region_id=issuer.region_id) & ~Q(pk=issuer.pk))
            | Q(region__parent_id=issuer.region_id, kind=Organisation.Kind.FINANCE)
        )
        .select_related("region")
        .order_by("region__level", "region__name", "name")
    )


def notice_basis_choices(user: User) -> QuerySet[FundNotice]:
    """Notices a new notice may cite: issued or external ones the user can see."""
    return (
        notices_visible_to(user)
        .filter(Q(is_external=True) | Q(status=FundNotice.Status.ISSUED))
        .exclude(doc_serial__isnull=True)
        .order_by("-doc_year", "issuer_code", "-doc_serial")
    )


def regions_applying_to(region_id: int) -> QuerySet[Region]:
    """A region and the regions above it (瑞丽市, 德宏州, 云南省): a policy or a standard of
    any of them applies to a bureau of the first. Three levels, so two joins up."""
    return Region.objects.filter(
        Q(pk=region_id) | Q(children__pk=region_id) | Q(children__children__pk=region_id)
    ).values("pk")


def _sees_every_region(user: User) -> bool:
    return user.role == User.Role.ADMINISTRATOR or user.is_superuser


def standards_applying_to(organisation: Organisation) -> QuerySet[AllocationStandard]:
    """Standards a bureau may compute an allocation with: those of its region and of the
    regions above it, never another region's (a 德宏 drafter is not offered 三门峡's)."""
    return (
        AllocationStandard.objects.filter(region__in=regions_applying_to(organisation.region_id))
        .select_related("region", "paragraph__document")
        .order_by("region__level", "name", "pk")
    )


def policy_paragraphs_visible_to(user: User) -> QuerySet[PolicyParagraph]:
    """Policy paragraphs an indicator's 指标值确定依据 may cite: those of policies that apply
    to the user's region (administrators: all)."""
    paragraphs = PolicyParagraph.objects.select_related("document").order_by(
        "document__region__level", "-document__issued_on", "document_id", "position"
    )
    if not user.is_authenticated:
        return paragraphs.none()
    if _sees_every_region(user):
        return paragraphs
    if user.organisation_id is None:
        return paragraphs.none()
    return paragraphs.filter(document__region__in=regions_applying_to(user.organisation.region_id))


def notice_upper_table_choices(user: User, *, issuer: Organisation) -> QuerySet[TargetTable]:
    """Upper-level target tables a notice may attach (seed 000 附件2), among those the user
    sees: the upper table of a notice the issuer received or drafted itself (瑞丽's 0296 passes
    on the 州's 附件2), and the approved tables of the other bureaus of the issuer's own region
    (the 州's notice attaches 德宏州卫健委's regional table). A bureau's draft, or a table still
    under review, is not a target to pass down; nor is a recipient's own table of a notice
    (its draft is made on issue)."""
    recipient_of_that_notice = NoticeRecipient.objects.filter(
        notice_id=OuterRef("notice_id"),
        organisation_id=OuterRef("target_table__organisation_id"),
    )
    attached_upper = (
        NoticeAttachment.objects.filter(target_table__isnull=False)
        .filter(
            Q(notice__issuer_id=issuer.pk)
            | Q(
                notice__status=FundNotice.Status.ISSUED,
                notice__recipient_links__organisation_id=issuer.pk,
            )
        )
        .exclude(Exists(recipient_of_that_notice))
        .values("target_table_id")
    )
    approved_in_region = (
        Q(organisation__region_id=issuer.region_id)
        & ~Q(organisation_id=issuer.pk)
        & (Q(status=TargetTable.Status.APPROVED) | Q(approved_snapshot__isnull=False))
    )
    tables = target_tables_visible_to(user).filter(Q(pk__in=attached_upper) | approved_in_region)
    return tables.select_related("organisation").order_by("-year", "project_name")


def recorded_allocations(snapshots: Iterable[dict | None]) -> list[ComputedAllocation]:
    """The 分配表 a notice recorded at issue among its attachments' snapshots, as computed
    then: what an issued notice prints and is reconciled with, the standards chosen from the
    list having perhaps changed since. Empty for a notice that recorded none (a draft, an
    upper notice outside the system): its stored tables are computed instead."""
    return [
        allocation_from_snapshot(snapshot["allocation"])
        for snapshot in snapshots
        if "allocation" in (snapshot or {})
    ]


def notice_allocations(notice_ids: Iterable[int]) -> dict[int, list[ComputedAllocation]]:
    """Each notice's 分配表 as its page prints them (recorded_allocations, else computed from
    the stored tables), for several notices at once: two queries, and three per stored table
    computed."""
    ids = set(notice_ids)
    computed: dict[int, list[ComputedAllocation]] = {}
    # In the notices' order, sorted as sorted_by does (on tuples here).
    recorded = _allocation_reads.list(
        ("recorded",),
        lambda ids: (
            NoticeAttachment.objects.filter(notice_id__in=ids, snapshot__has_key="allocation")
            .order_by()
            .values_list("notice_id", "position", "pk", "snapshot")
        ),
        ids,
    )
    for notice_id, _, _, snapshot in sorted(recorded, key=lambda item: item[:3]):
        computed.setdefault(notice_id, []).extend(recorded_allocations([snapshot]))
    stored = _allocation_reads.list(
        ("stored",),
        lambda ids: AllocationTable.objects.filter(notice_id__in=ids).order_by(),
        ids - set(computed),
    )
    for table in sorted_by(stored, "pk"):
        computed.setdefault(table.notice_id, []).append(compute_allocation(table))
    return computed


# Every table page checks its notice's allocations: compiled once per thread and number of
# notices.
_allocation_reads = PreparedReads()


@dataclass
class NoticeList:
    """What the list page reads before its filters apply."""

    notices: QuerySet[FundNotice]  # the visible notices
    count: int | None  # how many, when known without a query
    key: tuple  # all that `notices`' SQL is a function of (the ids it names)
    issuers: list[Organisation]  # what the 发文单位 filter offers
    recipients: list[Organisation]  # what the 主送机关 filter offers


def notice_list(user: User) -> NoticeList:
    """The list page's notices and filter choices, in two queries (an administrator's in
    three: the external notices' issuer lines). The scope is read once, as
    the visible notices' ids; the rows, their count and the choices are then read by those
    ids, not by compiling and planning the scope again for each (which cost several times
    what the page shows)."""
    if user.is_authenticated and _sees_every_notice(user):
        # Every notice: plain subqueries rather than lists of all the ids.
        ids = FundNotice.objects.values("pk")
        issuer_ids = FundNotice.objects.values("issuer_id")
        unnamed = FundNotice.objects.filter(issuer__isnull=True).values_list("issuer_name")
        printed = {name for (name,) in unnamed.order_by().distinct()}
        count = None
        key = ("every",)
    else:
        visible = _visible_notice_reads.list(
            scope_key(user),
            lambda: (
                notices_visible_to(user).order_by().values_list("pk", "issuer_id", "issuer_name")
            ),
        )
        ids, issuer_ids, printed = [], set(), set()
        for pk, issuer_id, issuer_name in visible:
            ids.append(pk)
            if issuer_id is None:
                printed.add(issuer_name)
            else:
                issuer_ids.add(issuer_id)
        count = len(ids)
        key = ("ids", *ids)
    printed = sorted(printed)
    if count is None:
        offered = _offered_organisations(issuer_ids, ids, *printed)
    else:
        # Compiled once per thread and number of ids and printed lines.
        offered = _offered_reads.list(
            ("offered",), _offered_organisations, issuer_ids, ids, *printed
        )
    listing = NoticeList(
        notices=FundNotice.objects.filter(pk__in=ids),
        count=count,
        key=key,
        issuers=[],
        recipients=[],
    )
    for org in offered:
        (listing.issuers if org.offered == "issuer" else listing.recipients).append(org)
    return listing


def _offered_organisations(
    issuer_ids: Iterable[int] | QuerySet, ids: Iterable[int] | QuerySet, *printed: str
) -> QuerySet[Organisation]:
    """The notice list's issuers and recipients to filter by, in one query (`offered`
    says which list each belongs to), by name."""
    offered_as_issuer = Q(pk__in=issuer_ids)
    # External notices name their issuer only in print (德宏州财政局 on 德财社〔2020〕162号):
    # a bureau is offered if such a line contains its name, as `issuer_name__contains` reads.
    for issuer_name in printed:
        offered_as_issuer |= Contains(Value(issuer_name), F("name"))
    issuers = Organisation.objects.filter(offered_as_issuer, kind=Organisation.Kind.FINANCE)
    recipients = Organisation.objects.filter(notice_links__notice_id__in=ids).distinct()
    return (
        issuers.annotate(offered=Value("issuer"))
        .order_by()
        .union(recipients.annotate(offered=Value("recipient")).order_by(), all=True)
        .order_by("name")
    )


_offered_reads = PreparedReads()


def notice_recipient_names(notices: Iterable[FundNotice]) -> dict[int, list[str]]:
    """Each notice's recipients, by name, in the order the notice addresses them."""
    names: dict[int, list[str]] = {}
    links = (
        NoticeRecipient.objects.filter(notice_id__in=[notice.pk for notice in notices])
        .order_by()
        .values_list("position", "pk", "notice_id", "organisation__name")
    )
    # In the notices' order, sorted as sorted_by does (on tuples here).
    for _, _, notice_id, name in sorted(links):
        names.setdefault(notice_id, []).append(name)
    return names


@dataclass
class NoticeChain:
    upward: list[FundNotice]  # farthest first: 德财社〔2020〕162号, …
    notice: FundNotice
    child_notices: list[FundNotice]
    target_tables: list  # the recipients' tables that came from this notice


# The recipients' tables under a notice, through the reader's scope.
_chain_reads = PreparedReads()


def notice_chain(
    notice: FundNotice,
    user: User,
    *,
    children: list[FundNotice],
    recipients: list[Organisation],
) -> NoticeChain:
    """`children`: the visible notices issued under `notice` (see `_notices_around`);
    `recipients`: the organisations it is addressed to."""
    upward = list(reversed(notice.chain_upward()))
    # Downward only: the recipients' own tables. An upper table attached to the notice
    # (seed 000 附件2) belongs to the level above and is listed among the 附件 instead.
    tables = (
        _chain_reads.list(
            scope_key(user),
            lambda notice_id, organisation_ids: (
                target_tables_visible_to(user)
                .filter(notice_id=notice_id, organisation_id__in=organisation_ids)
                # The page links each by its organisation and status: not the table's 52
                # columns and its notice's 27, which cost more to load than the rest.
                .select_related(None)
                .select_related("organisation")
                .only("status", "organisation__name")
                .order_by("organisation__name", "id")
            ),
            notice.pk,
            {org.pk for org in recipients},
        )
        if recipients
        else []  # no recipient, no recipient's table: no query
    )
    return NoticeChain(upward=upward, notice=notice, child_notices=children, target_tables=tables)


def _notices_around(
    user: User, pk: int
) -> tuple[FundNotice | None, list[FundNotice], list[FundNotice]]:
    """Notice `pk` (None if the user does not see it), the visible notices issued under it
    (by 发文代字 and number) and those correcting it (by year and number): read without the
    scope, which was the costliest query of the notice page to build, compile and plan, then
    kept as far as _visible_among finds them visible."""
    around = _notice_reads.list(
        ("around",),
        lambda pk: (
            FundNotice.objects.select_related("issuer", "parent")
            # Through the related notices' pk: an id past the integer range matches nothing
            # there, where the foreign key columns would overflow.
            .filter(Q(pk=pk) | Q(parent__pk=pk) | Q(corrects__pk=pk))
            .order_by("issuer_code", "doc_serial")
        ),
        pk,
    )
    visible = _visible_among(user, around)
    rows = [row for row in around if row.pk in visible]
    notice = next((row for row in rows if row.pk == pk), None)
    children = [row for row in rows if row.parent_id == pk]
    corrections = [row for row in rows if row.corrects_id == pk]
    if len(corrections) > 1:
        # Rare; sorted by the database, which places a draft's missing number as it does.
        by_pk = {row.pk: row for row in corrections}
        order = FundNotice.objects.filter(pk__in=by_pk).order_by("doc_year", "doc_serial")
        corrections = [by_pk[row_pk] for row_pk in order.values_list("pk", flat=True)]
    return notice, children, corrections


# ---------------------------------------------------------------------------------------
# What the pages read


def notice_draft(user: User, pk: int) -> FundNotice | None:
    """The user's editable draft `pk`, or None."""
    return notices_editable_by(user).filter(pk=pk).first()


def notice_for_editing(user: User, pk: int) -> FundNotice | None:
    """The user's editable draft, or an issued notice of the user's own bureau (which the
    caller refuses with a message: a correction is a new notice); None for anything else."""
    notice = notice_draft(user, pk)
    if notice is not None:
        return notice
    visible = notices_visible_to(user).filter(pk=pk).first()
    if (
        visible is not None
        and visible.status == FundNotice.Status.ISSUED
        and visible.issuer_id == user.organisation_id
        and user.role == User.Role.FINANCE_STAFF
    ):
        return visible
    return None


def allocation_table_for_editing(
    user: User, pk: int, table_pk: int
) -> tuple[FundNotice, AllocationTable]:
    """The draft notice and its allocation table the user may edit; Http404 otherwise."""
    # The editor and the services read the issuer and its region through table.notice,
    # which the related manager below sets to this same object.
    notice = notices_editable_by(user).select_related("issuer__region").filter(pk=pk).first()
    if notice is None:
        # An issued notice's table is read on the notice page; others do not exist.
        if notices_visible_to(user).filter(pk=pk).exists():
            raise Http404("通知已印发，分配表不能再修改。")
        raise Http404
    table = get_object_or_404(notice.allocation_tables, pk=table_pk)
    return notice, table


def allocation_table_copy(table: AllocationTable) -> AllocationTable:
    """The stored table read again, for a form to modify while it validates: the editor
    around the form keeps showing `table` as saved."""
    return AllocationTable.objects.get(pk=table.pk)


def allocation_row(table: AllocationTable, pk: int) -> AllocationRow:
    return get_object_or_404(table.rows, pk=pk)


def allocation_column(table: AllocationTable, pk: int) -> AllocationColumn:
    return get_object_or_404(table.columns, pk=pk)


def notice_target_table_count(notice: FundNotice) -> int:
    """How many target tables came from the notice (the recipients' drafts on issue)."""
    return notice.target_tables.count()


def classification_codes_by_scheme() -> dict[str, list[ClassificationCode]]:
    """Active budget classification codes, grouped by scheme for the drafting form."""
    codes: dict[str, list[ClassificationCode]] = {}
    for code in ClassificationCode.objects.filter(is_active=True):
        codes.setdefault(code.scheme, []).append(code)
    return codes


def notice_export_row(notice: FundNotice, recipients: list[str]) -> list:
    """One row of the list export: a notice of `notice_list` and its recipients' names."""
    return [
        notice.doc_number,
        notice.title,
        notice.issuer_name,
        "、".join(recipients),
        notice.amount,
        notice.get_amount_unit_display() if notice.amount is not None else "",
        notice.year,
        notice.status_label,
        notice.printed_date or notice.signed_date,
    ]


@dataclass
class NoticePage:
    """What the notice page shows, read in a fixed number of queries."""

    notice: FundNotice
    editable: bool
    paragraphs: list[NoticeParagraph]  # numbered ones carry display_number: 1 → 一、
    budget_lines: list[BudgetLine]
    budget_total: Decimal  # the budget lines added exactly in 元, in the notice's unit
    computed_tables: list[ComputedAllocation]  # in 附件 order
    recipients: list[Organisation]
    attachments: list[NoticeAttachment]
    chain: NoticeChain
    # The upper table (附件2) with the recipients' indicators under each of its own.
    decomposition: Decomposition | None = None
    corrections: list[FundNotice] = field(default_factory=list)  # 更正/补充通知 citing it
    can_correct: bool = False


ATTACHMENT_FIELDS = (
    "notice_id",
    "position",
    "title",
    "allocation_table_id",
    "snapshot",
    *(f"target_table__{name}" for name in TABLE_LABEL_FIELDS),
)


def number_paragraphs(paragraphs: Iterable[NoticeParagraph]) -> list[NoticeParagraph]:
    """The paragraphs, each numbered one carrying its `display_number` (1, 2, …, printed
    一、二、…): unnumbered paragraphs do not count, on the page as in the export."""
    numbered = list(paragraphs)
    number = 0
    for paragraph in numbered:
        if paragraph.numbered:
            number += 1
            paragraph.display_number = number
    return numbered


def notice_page_of(user: User, pk: int) -> NoticePage:
    """The page of notice `pk`; Http404 if the user does not see it."""
    notice, children, corrections = _notices_around(user, pk)
    if notice is None:
        raise Http404
    return _notice_page(notice, user, children=children, corrections=corrections)


def notice_page(notice: FundNotice, user: User) -> NoticePage:
    """The page of `notice`, read as `user` sees the notices around it."""
    _, children, corrections = _notices_around(user, notice.pk)
    return _notice_page(notice, user, children=children, corrections=corrections)


# The notice page's reads of one notice: compiled once per thread (_notice_reads).
_NOTICE_ROWS: dict[str, Callable[[int], QuerySet]] = {
    "paragraphs": lambda pk: NoticeParagraph.objects.filter(notice_id=pk),
    "budget_lines": lambda pk: BudgetLine.objects.select_related(
        "function_code", "gov_econ_code", "dept_econ_code", "project_kind_code"
    ).filter(notice_id=pk),
    # The page links an attached target table and labels the upper one (title, project,
    # organisation): not its 52 columns. An allocation table is read as computed.
    "attachments": lambda pk: (
        NoticeAttachment.objects.select_related("target_table__organisation")
        .only(*ATTACHMENT_FIELDS)
        .filter(notice_id=pk)
    ),
    "allocation_tables": lambda pk: AllocationTable.objects.filter(notice_id=pk),
    "recipient_links": lambda pk: NoticeRecipient.objects.select_related("organisation").filter(
        notice_id=pk
    ),
}


def _of_notice(name: str, notice: FundNotice) -> list:
    """The notice's related rows `name`, unordered (sorted_by), each pointing back at
    `notice` as its related manager would have set."""
    rows = _notice_reads.list((name,), lambda pk: _NOTICE_ROWS[name](pk).order_by(), notice.pk)
    for row in rows:
        row.notice = notice
    return rows


def _notice_page(
    notice: FundNotice,
    user: User,
    *,
    children: list[FundNotice],
    corrections: list[FundNotice],
) -> NoticePage:
    # The related rows of one notice, in their order (sorted_by; their default ordering, by
    # the notice first, would also cost a join).
    paragraphs = number_paragraphs(sorted_by(_of_notice("paragraphs", notice), "position", "pk"))
    budget_lines = sorted_by(_of_notice("budget_lines", notice), "position", "pk")
    budget_total = from_yuan(
        total_yuan((line.amount, line.unit) for line in budget_lines), notice.amount_unit
    )
    # The page links an attached target table and labels the upper one (title, project,
    # organisation): not its 52 columns. An allocation table is read as computed below.
    attachments = sorted_by(_of_notice("attachments", notice), "position", "pk")
    computed_tables = recorded_allocations(a.snapshot for a in attachments) or [
        compute_allocation(table)
        for table in sorted_by(_of_notice("allocation_tables", notice), "pk")
    ]
    links = _of_notice("recipient_links", notice)
    recipients = [link.organisation for link in sorted_by(links, "position", "pk")]
    chain = notice_chain(notice, user, children=children, recipients=recipients)
    issued = notice.status == FundNotice.Status.ISSUED
    return NoticePage(
        notice=notice,
        editable=notice_is_editable_by(notice, user),
        paragraphs=paragraphs,
        budget_lines=budget_lines,
        budget_total=budget_total,
        computed_tables=computed_tables,
        recipients=recipients,
        attachments=attachments,
        chain=chain,
        decomposition=_notice_decomposition(notice, attachments, recipients, chain, user),
        corrections=corrections if issued else [],  # a draft has no 更正 yet
        can_correct=(
            issued
            and not notice.is_external
            and user.role == User.Role.FINANCE_STAFF
            and notice.issuer_id == user.organisation_id
        ),
    )


def _notice_decomposition(
    notice: FundNotice,
    attachments: list[NoticeAttachment],
    recipients: list[Organisation],
    chain: NoticeChain,
    user: User,
) -> Decomposition | None:
    """The notice's upper table decomposed into the tables drafted from this notice and from
    the notices issued under it (瑞丽's 0296 under the 州's), as far as the user sees them."""
    if notice.status != FundNotice.Status.ISSUED:
        return None  # before issue no recipient has a table to compare
    recipients = {org.pk for org in recipients}
    upper = next(
        (
            a.target_table
            for a in attachments
            if a.target_table is not None and a.target_table.organisation_id not in recipients
        ),
        None,
    )
    if upper is None:
        return None
    lower = LowerTables(
        ("recipient tables of notices", scope_key(user)),
        lambda notice_ids: recipient_tables_visible_to(user).filter(notice_id__in=notice_ids),
        ({notice.pk, *(child.pk for child in chain.child_notices)},),
    )
    return decomposition_of(upper, lower_tables=lower)
