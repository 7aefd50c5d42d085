"""Checks of a notice before issuing, as kernel Findings: what blocks it (errors) and what to
look at (warnings). Messages are pinned in tests; keep them byte-identical."""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from allocations.models import AllocationColumn, AllocationTable, FundNotice
from allocations.selectors import ComputedAllocation, allocation_share, compute_allocation
from perfgoals.display import (
    decimal_text,
    format_amount,
    plain,
    stated_amount,
    unit_label,
    yuan_in_unit,
)
from perfgoals.findings import Finding, Severity
from perfgoals.money import agrees, to_yuan, total_yuan


def allocation_reconciliation(
    table: AllocationTable,
    notice: FundNotice | None = None,
    *,
    computed: ComputedAllocation | None = None,
) -> list[Finding]:
    """Table total against the notice amount, the upper envelope and the budget lines.
    Pass `computed` when the caller has already run compute_allocation on the table."""
    notice = notice or table.notice
    if computed is None:
        computed = compute_allocation(table)
    problems: list[Finding] = []
    where = f"allocation:{table.pk}"
    if not computed.rows:
        return [
            Finding(
                code="allocation_empty",
                severity=Severity.ERROR,
                message=_("分配表《%(title)s》还没有分配行。") % {"title": table.title},
                field=where,
            )
        ]
    if notice is not None and notice.amount is not None:
        if not agrees(notice.amount, notice.amount_unit, computed.total_yuan):
            problems.append(
                Finding(
                    code="allocation_notice_mismatch",
                    severity=Severity.ERROR,
                    message=_(
                        "分配表合计%(exact)s元（折合%(shown)s）与通知下达金额%(stated)s%(unit)s不一致，"
                        "请核对分配数或下达金额。"
                    )
                    % {
                        # As the editor prints it: 38,834.4 and 407,200, never 4.072E+5.
                        "exact": plain(computed.total_yuan),
                        "shown": yuan_in_unit(computed.total_yuan, notice.amount_unit),
                        "stated": format_amount(notice.amount),
                        "unit": unit_label(notice.amount_unit),
                    },
                    field=where,
                )
            )
    if table.envelope_amount is not None:
        if not agrees(table.envelope_amount, table.envelope_unit, computed.total_yuan):
            difference = computed.total_yuan - to_yuan(table.envelope_amount, table.envelope_unit)
            problems.append(
                Finding(
                    code="allocation_envelope_mismatch",
                    severity=Severity.ERROR,
                    message=_(
                        "各行合计%(shown)s，与上级资金总额%(envelope)s%(unit)s不一致（相差%(diff)s）。"
                    )
                    % {
                        "shown": yuan_in_unit(computed.total_yuan, table.envelope_unit),
                        "envelope": format_amount(table.envelope_amount),
                        "unit": unit_label(table.envelope_unit),
                        "diff": yuan_in_unit(difference.copy_abs(), table.envelope_unit),
                    },
                    field=where,
                )
            )
    if notice is not None:
        lines = {line.source.strip(): line for line in notice.budget_lines.all()}
        for index, column in enumerate(computed.columns):
            line = lines.get(column.label.strip())
            total = computed.column_amounts_yuan[index]
            if column.kind != AllocationColumn.Kind.SOURCE or line is None or line.amount is None:
                continue
            if total is None or not agrees(line.amount, line.unit, total):
                problems.append(
                    Finding(
                        code="allocation_source_mismatch",
                        severity=Severity.ERROR,
                        message=_(
                            "资金来源“%(source)s”分配合计%(shown)s，与预算指标%(stated)s%(unit)s不一致。"
                        )
                        % {
                            "source": column.label,
                            "shown": yuan_in_unit(total or Decimal(0), line.unit),
                            "stated": format_amount(line.amount),
                            "unit": unit_label(line.unit),
                        },
                        field=where,
                    )
                )
    return problems


def notice_check(
    *, notice: FundNotice, computed: Sequence[ComputedAllocation] | None = None
) -> list[Finding]:
    """Everything that stands between a draft and issuing, in the order of the notice.
    `computed`: the notice's allocation tables as compute_allocation gave them, if at hand."""
    problems: list[Finding] = []
    if not notice.issuer_code and notice.doc_serial is None:
        problems.append(
            Finding(
                code="no_issuer_code",
                severity=Severity.ERROR,
                message=_(
                    "未设置发文代字，无法自动编号："
                    "请管理员在“股室”中为本股室填写发文代字（如 瑞财社）。"
                ),
                field="doc_number",
            )
        )
    if not notice.title.strip():
        problems.append(
            Finding(
                code="title_missing",
                severity=Severity.ERROR,
                message=_("请填写标题。"),
                field="title",
            )
        )
    if not notice.recipient_links.exists():
        problems.append(
            Finding(
                code="no_recipient",
                severity=Severity.ERROR,
                message=_("请至少选择一个主送机关。"),
                field="recipients",
            )
        )
    if notice.parent_id is None:
        problems.append(
            Finding(
                code="no_basis",
                severity=Severity.WARNING,
                message=_("未填写依据的上级文件（如 德财社〔2020〕162号）。"),
                field="parent",
            )
        )
    if notice.amount is None:
        problems.append(
            Finding(
                code="amount_missing",
                severity=Severity.ERROR,
                message=_("请填写下达金额。"),
                field="amount",
            )
        )
    lines = list(notice.budget_lines.all())
    if not lines:
        problems.append(
            Finding(
                code="no_budget_line",
                severity=Severity.ERROR,
                message=_("请至少填写一条预算指标（资金来源、金额及收支分类科目）。"),
                field="budget_lines",
            )
        )
    elif notice.amount is not None and all(line.amount is not None for line in lines):
        lines_yuan = total_yuan((line.amount, line.unit) for line in lines)
        if not agrees(notice.amount, notice.amount_unit, lines_yuan):
            parts = " + ".join(stated_amount(line.amount, line.unit) for line in lines)
            problems.append(
                Finding(
                    code="budget_lines_mismatch",
                    severity=Severity.ERROR,
                    message=_(
                        "预算指标合计 %(parts)s = %(total)s，与下达金额%(stated)s%(unit)s不一致。"
                    )
                    % {
                        "parts": parts,
                        "total": yuan_in_unit(lines_yuan, notice.amount_unit),
                        "stated": format_amount(notice.amount),
                        "unit": unit_label(notice.amount_unit),
                    },
                    field="budget_lines",
                )
            )
    body = "".join(p.text for p in notice.paragraphs.all())
    if not body.strip():
        problems.append(
            Finding(
                code="no_body",
                severity=Severity.ERROR,
                message=_("请填写正文。"),
                field="paragraphs",
            )
        )
    elif notice.amount is not None:
        unit = unit_label(notice.amount_unit)
        stated = {
            stated_amount(notice.amount, notice.amount_unit),
            f"{decimal_text(notice.amount)}{unit}",
        }
        if not any(text in body.replace(" ", "") for text in stated):
            problems.append(
                Finding(
                    code="body_amount_missing",
                    severity=Severity.WARNING,
                    message=_("正文中没有写明下达金额%(amount)s，请核对正文开头。")
                    % {"amount": stated_amount(notice.amount, notice.amount_unit)},
                    field="opening",
                )
            )
    if computed is None:
        computed = [compute_allocation(table) for table in notice.allocation_tables.all()]
    if not computed:
        problems.append(
            Finding(
                code="no_allocation",
                severity=Severity.WARNING,
                message=_("还没有分配表；多数通知以分配表为附件1。"),
                field="allocation",
            )
        )
    for allocation in computed:
        problems.extend(allocation_reconciliation(allocation.table, notice, computed=allocation))
    problems.extend(_against_upper_notice(notice, computed))
    return problems


def _against_upper_notice(
    notice: FundNotice, computed: Sequence[ComputedAllocation]
) -> list[Finding]:
    """A county's own table passes on its row of the upper notice (瑞丽市's 3.88万元 of the
    州's table): the two must agree. Only where the upper notice has a table with that row."""
    parent = notice.parent
    if not computed or parent is None or notice.issuer is None:
        return []
    upper = allocation_share(
        [compute_allocation(table) for table in parent.allocation_tables.all()],
        organisation_id=notice.issuer_id,
        region_id=notice.issuer.region_id,
        region_shared=False,
    )
    if upper is None:
        return []
    own_yuan = sum((allocation.total_yuan for allocation in computed), Decimal(0))
    if own_yuan == upper.yuan:
        return []
    unit = computed[0].table.unit
    return [
        Finding(
            code="allocation_upper_mismatch",
            severity=Severity.WARNING,
            message=_(
                "分配表合计%(own)s，与上级通知%(number)s分配表中%(label)s的%(upper)s不一致，"
                "请核对。"
            )
            % {
                "own": yuan_in_unit(own_yuan, unit),
                "number": parent.doc_number,
                "label": upper.label,
                "upper": yuan_in_unit(upper.yuan, unit),
            },
            field="allocation",
        )
    ]
