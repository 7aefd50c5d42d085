"""Issuing a checked draft: number it, stamp it, create the recipients' draft target tables."""

import logging
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from allocations.checks import notice_check
from allocations.models import FundNotice
from allocations.selectors import ComputedAllocation, compute_allocation
from allocations.services.notices import (
    notice_attachments_sync,
    notice_claim_version,
    notice_drafter_check,
    notice_upper_table,
    project_name_from_title,
)
from allocations.services.numbering import document_sequence_bump_past, notice_save_with_next_number
from indicators.services import indicator_tree_copy
from perfgoals.findings import Severity
from perfgoals.models import Organisation, TargetTable, User
from perfgoals.money import from_yuan
from perfgoals.services import history_attributed, target_table_create_draft

logger = logging.getLogger(__name__)


def _recipient_amount(
    notice: FundNotice,
    org: Organisation,
    single: bool,
    computed: Sequence[ComputedAllocation],
) -> Decimal | None:
    """The recipient's row of the allocation table, in the notice unit; the whole amount
    when there is a single recipient and no matching row."""
    for allocation in computed:
        for row in allocation.rows:
            if row.row.organisation_id == org.pk or (
                row.row.organisation_id is None and row.row.region_id == org.region_id
            ):
                return from_yuan(row.total_yuan, notice.amount_unit)
    return notice.amount if single else None


def _create_recipient_drafts(notice: FundNotice, user: User) -> list[TargetTable]:
    """A draft 绩效目标表 for each recipient bureau (finance bureaus of lower regions issue
    their own notice instead), pre-filled with the upper level's indicators."""
    upper = notice_upper_table(notice)
    recipients = [
        link.organisation for link in notice.recipient_links.select_related("organisation")
    ]
    bureaus = [org for org in recipients if not org.is_finance]
    # Each table computed once, whatever the number of bureaus looking for their row.
    computed = (
        [compute_allocation(table) for table in notice.allocation_tables.all()] if bureaus else []
    )
    drafts = []
    for org in bureaus:
        amount = _recipient_amount(notice, org, single=len(bureaus) == 1, computed=computed)
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
        indicator_tree_copy(source_table_id=upper.pk, target_tables=drafts, user=user)
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
        drafts = _create_recipient_drafts(notice, user)
        if notice.attach_recipient_tables:
            notice_attachments_sync(notice, recipient_tables=drafts)
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
