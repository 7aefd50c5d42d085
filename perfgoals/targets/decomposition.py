"""The decomposition page of a target table (目标分解): where its targets come from and where
they go.

Upward: 上级通知 → 本级通知 → this table, and the upper table its indicators serve, each of
its indicators beside the upper one with the check's verdict; the bureau links an indicator
it added to the upper indicator it serves. Downward: the notices that attach this table as
the upper level's, and each of its indicators with the recipients' indicators and values
under it. Recipients' tables appear only as far as the reader may see them.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from allocations.models import FundNotice
from allocations.selectors import notices_visible_to
from indicators.decomposition import Decomposition, decomposition_of
from indicators.models import PerformanceIndicator
from indicators.services import indicator_link_upper, upper_tables_of
from perfgoals.models import TargetTable, User
from perfgoals.selectors import (
    recipient_tables_visible_to,
    table_is_editable_by,
    target_tables_visible_to,
)
from perfgoals.targets.selectors import target_table_visible

_LEAVES = (PerformanceIndicator.Level.THIRD, PerformanceIndicator.Level.SUB_ITEM)


@dataclass
class DecompositionPage:
    table: TargetTable
    notices_up: list[FundNotice]  # farthest first, ending with the table's own notice
    notices_down: list[FundNotice]  # notices attaching this table as the upper level's
    as_upper: Decomposition | None  # this table's indicators with the recipients' under them
    upper_table: TargetTable | None  # the table this one's indicators serve
    as_lower: Decomposition | None  # the upper table's indicators with this table's under them
    editable: bool
    own_leaves: list[PerformanceIndicator] = field(default_factory=list)
    upper_leaves: list[PerformanceIndicator] = field(default_factory=list)


def decomposition_page(user: User, table: TargetTable) -> DecompositionPage:
    notices = notices_visible_to(user)
    up: list[FundNotice] = []
    if table.notice_id is not None:
        own = notices.filter(pk=table.notice_id).first()
        if own is not None:
            up = [*reversed(own.chain_upward()), own]
    # A notice attaching a table of another organisation than its recipients' attaches it
    # as the upper level's (seed 000 附件2).
    down = list(
        notices.filter(attachments__target_table=table)
        .exclude(recipient_links__organisation_id=table.organisation_id)
        .exclude(pk=table.notice_id or 0)
        .distinct()
        .order_by("doc_year", "doc_serial")
    )
    visible = target_tables_visible_to(user)
    as_upper = decomposition_of(table, lower_tables=recipient_tables_visible_to(user))
    if not any(node.served for node in as_upper.indicators):
        as_upper = None
    upper_ids = upper_tables_of(table)
    upper = visible.filter(pk__in=upper_ids).order_by("pk").first() if upper_ids else None
    as_lower = None
    upper_leaves: list[PerformanceIndicator] = []
    if upper is not None:
        as_lower = decomposition_of(upper, lower_tables=visible.filter(pk=table.pk))
        upper_leaves = [node.indicator for node in as_lower.indicators]
    editable = table_is_editable_by(table, user)
    own_leaves = []
    if upper is not None and editable:
        own_leaves = list(
            PerformanceIndicator.objects.filter(table=table, level__in=_LEAVES).order_by(
                "parent__parent__position", "parent__position", "position", "pk"
            )
        )
    return DecompositionPage(
        table=table,
        notices_up=up,
        notices_down=down,
        as_upper=as_upper,
        upper_table=upper,
        as_lower=as_lower,
        editable=editable,
        own_leaves=own_leaves,
        upper_leaves=upper_leaves,
    )


@login_required
def table_decomposition(request: HttpRequest, pk: int) -> HttpResponse:
    table = target_table_visible(user=request.user, table_id=pk)
    return render(
        request,
        "perfgoals/decomposition.html",
        vars(decomposition_page(request.user, table)),
    )


@login_required
@require_POST
def indicator_upper_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link one of the table's indicators to the upper indicator it serves (or unlink it)."""
    table = target_table_visible(user=request.user, table_id=pk)
    try:
        indicator_id = int(request.POST.get("indicator", ""))
        version = int(request.POST.get("version", ""))
        raw = request.POST.get("upper_indicator", "")
        upper_id = int(raw) if raw else None
    except ValueError:
        messages.error(request, "请求不完整，请刷新页面后重试。")
        return redirect(reverse("tables:decomposition", args=[table.pk]))
    try:
        row = indicator_link_upper(
            user=request.user,
            table_id=table.pk,
            indicator_id=indicator_id,
            version=version,
            upper_indicator_id=upper_id,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if row.upper_indicator_id:
            messages.success(request, f"已将“{row.name}”对应到上级指标“{row.upper_indicator}”。")
        else:
            messages.success(request, f"已取消“{row.name}”与上级指标的对应。")
    return redirect(reverse("tables:decomposition", args=[table.pk]))
