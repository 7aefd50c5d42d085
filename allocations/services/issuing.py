"""Issuing a checked draft: number it, stamp it, create the recipients' draft target tables."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from allocations.checks import notice_check
from allocations.models import FundNotice, NoticeAttachment
from allocations.selectors import (
    ComputedAllocation,
    allocation_share,
    compute_allocation,
    regions_shared,
)
from allocations.services.notices import (
    notice_attachments_sync,
    notice_claim_version,
    notice_drafter_check,
    notice_upper_table,
    project_name_from_title,
)
from allocations.services.numbering import (
    document_sequence_bump_past,
    notice_doc_number_preview,
    notice_save_with_next_number,
)
from allocations.snapshots import allocation_snapshot_data
from indicators.services import indicator_tree_copy
from indicators.snapshots import table_record
from perfgoals.display import stated_amount
from perfgoals.findings import Severity
from perfgoals.models import Organisation, TargetTable, User
from perfgoals.money import from_yuan
from perfgoals.services import history_attributed, target_table_create_draft

logger = logging.getLogger(__name__)


def _recipient_amount(
    notice: FundNotice,
    org: Organisation,
    bureaus: Sequence[Organisation],
    computed: Sequence[ComputedAllocation],
) -> Decimal | None:
    """The recipient's own row of the allocation tables, in the notice unit; the whole
    amount only when it is the single recipient and no row names it; else unknown (None)."""
    share = allocation_share(
        computed,
        organisation_id=org.pk,
        region_id=org.region_id,
        region_shared=org.region_id in regions_shared(bureaus),
    )
    if share is not None:
        return from_yuan(share.yuan, notice.amount_unit)
    return notice.amount if len(bureaus) == 1 else None


def notice_attachments_freeze(
    *, notice: FundNotice, computed: Sequence[ComputedAllocation] = ()
) -> None:
    """Keep every attached table as it is at issue: the issued notice prints this record,
    whatever happens to the drafts, the upper table or the standards later. `computed`: the
    notice's allocation tables, if at hand. The demo loader records its historical notices
    with it too."""
    by_id = {allocation.table.pk: allocation for allocation in computed}
    attachments = list(notice.attachments.select_related("target_table__approved_snapshot"))
    for attachment in attachments:
        if attachment.allocation_table_id is not None:
            allocation = by_id.get(attachment.allocation_table_id)
            if allocation is None:
                allocation = compute_allocation(attachment.allocation_table)
            attachment.snapshot = {"allocation": allocation_snapshot_data(allocation)}
        elif attachment.target_table_id is not None:
            attachment.snapshot = {"target": table_record(attachment.target_table)}
    NoticeAttachment.objects.bulk_update(attachments, ["snapshot"])


def _create_recipient_drafts(
    notice: FundNotice, user: User, computed: Sequence[ComputedAllocation]
) -> list[TargetTable]:
    """A draft 绩效目标表 for each recipient bureau (finance bureaus of lower regions issue
    their own notice instead), pre-filled with the upper level's indicators."""
    upper = notice_upper_table(notice)
    recipients = [
        link.organisation for link in notice.recipient_links.select_related("organisation")
    ]
    bureaus = [org for org in recipients if not org.is_finance]
    drafts = []
    for org in bureaus:
        amount = _recipient_amount(notice, org, bureaus, computed)
        drafts.append(
            target_table_create_draft(
                layout=TargetTable.Layout.PROJECT,
                organisation=org,
                year=notice.year,
                notice_id=notice.pk,
                source_table=upper,
                title="绩效目标表",
                project_name=project_name_from_title(notice.title),
                implementing_unit=org.name,
                amount_unit=notice.amount_unit,
                amount_total=amount,
                amount_fiscal=amount,
                annual_goal=upper.annual_goal if upper is not None else "",
                created_by=user,
            )
        )
    if upper is not None:
        indicator_tree_copy(
            source_table_id=upper.pk, target_tables=drafts, user=user, serve_source=True
        )
    return drafts


@history_attributed
def notice_issue(*, notice: FundNotice, user: User, expected_version: int) -> FundNotice:
    """Issue a checked draft: claim it (status + version compare-and-set), number it, stamp
    it, create the recipients' draft target tables — all or nothing."""
    notice_drafter_check(user, notice)
    errors = [p for p in notice_check(notice=notice) if p.severity == Severity.ERROR]
    if errors:
        raise ValidationError([p.message for p in errors], code="notice_not_ready")
    with transaction.atomic():
        notice_claim_version(notice=notice, expected_version=expected_version)
        today = timezone.localdate()
        notice.status = FundNotice.Status.ISSUED
        notice.issued_at = timezone.now()
        notice.issued_by = user
        notice.signed_date = notice.signed_date or today
        notice.printed_date = notice.printed_date or today
        notice.printed_by = notice.printed_by or notice.issuer.name
        if notice.doc_serial is not None:
            document_sequence_bump_past(notice.issuer_code, notice.doc_year, notice.doc_serial)
            notice.full_clean()
            notice.save()
        else:
            notice_save_with_next_number(notice)
        # Each table computed once, for the bureaus' rows and for the record.
        computed = [compute_allocation(table) for table in notice.allocation_tables.all()]
        drafts = _create_recipient_drafts(notice, user, computed)
        if notice.attach_recipient_tables:
            notice_attachments_sync(notice, recipient_tables=drafts)
        notice_attachments_freeze(notice=notice, computed=computed)
        number = notice.doc_number
        transaction.on_commit(
            lambda: logger.info(
                "notice %s issued as %s by %s; %d draft target table(s)",
                notice.pk,
                number,
                user.username,
                len(drafts),
            )
        )
    return notice


@dataclass
class IssueConfirmation:
    """What the 印发 confirmation names before anything is numbered."""

    doc_number: str  # typed, or the next of the series (taken only on issue)
    numbered_by_hand: bool
    amount: str  # 3.88万元
    recipients: list[Organisation]
    drafted_for: list[Organisation]  # the bureaus that get a draft 绩效目标表
    errors: list  # the checks' errors: with any, there is nothing to confirm


def issue_confirmation(notice: FundNotice) -> IssueConfirmation:
    """What the confirmation page shows; reads only, takes no number."""
    recipients = [
        link.organisation
        for link in notice.recipient_links.select_related("organisation").order_by("position")
    ]
    return IssueConfirmation(
        doc_number=notice_doc_number_preview(notice),
        numbered_by_hand=notice.doc_serial is not None,
        amount=stated_amount(notice.amount, notice.amount_unit)
        if notice.amount is not None
        else "",
        recipients=recipients,
        drafted_for=[org for org in recipients if not org.is_finance],
        errors=[p for p in notice_check(notice=notice) if p.severity == Severity.ERROR],
    )
