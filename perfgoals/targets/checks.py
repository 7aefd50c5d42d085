"""Checks of a performance target table (绩效目标表): header, amounts, plan, and its rows.

Every rule gives :class:`Finding` objects with a stable ``code``, a severity, a Simplified
Chinese message that names the row or field, and, where one exists, a ``suggestion`` that
can replace the typed value as is (the editor may offer to apply it). Hints that are not a
replacement value go into the message, never into ``suggestion``.

ERROR blocks submission (later, in the workflow); WARNING needs acknowledgement: a bureau
user confirms it (perfgoals.targets.acknowledgements.lint_warning_acknowledge), keyed by
``Finding.key``, and :func:`open_findings` lists what still stands in the way.

The tree and row rules (framework, values, wording) are indicators.rules; check_table runs
the table checks below and those rules and merges them in print order.

=====================  ========  ==========================================================
code                   severity  what it checks
=====================  ========  ==========================================================
header_missing         E / W     a header field every template of the layout has is empty:
                                 项目名称 and 资金总额 (E); 主管部门 or 实施单位 (one
                                 suffices), 财政部门, 项目编码, 资金用途, 年度目标 (W)
amount_sum             ERROR     财政拨款 + 其他资金 ≠ 年度资金总额; 基本支出 + 项目支出 ≠
                                 年度预算申请资金总额 (department-wide); funds by source
                                 (一般公共预算 …) or 上年结转 more than the total
amount_vs_notice       ERROR     资金情况 differs from the linked notice's amount (万元
                                 rounding of perfgoals.money.agrees); only for the notice's
                                 single recipient, never a share against the whole; not for
                                 the transfer-fund regional table, which states the envelope
amount_vs_allocation   ERROR     资金情况 differs from the recipient's own row of the notice's
                                 allocation table (its organisation's, else its region's when
                                 no other recipient shares the region); a single recipient
                                 with no row: the table's total, or with no table the upper
                                 notice's row of its region; the envelope for a
                                 transfer-fund regional table
amount_no_allocation_row WARNING a notice to several recipients whose allocation table has
                                 no row of this one: nothing to reconcile with
decomposition_floor    ERROR     a rate looser than the upper indicator it serves (≥85%
                                 upstream, ≥80% here); indicators.decomposition
decomposition_sum      WARNING   the recipients' counts or amounts together miss the upper
                                 indicator's value (受益人数 ≥15307人)
decomposition_unlinked WARNING   upper indicators no indicator of this table serves
special_funds          W / E     department-wide 项目支出 vs the special-fund tables of the
                                 same organisation and year: a remainder outside the summary
                                 is a WARNING naming it, a summary larger than 项目支出 ERROR
spending_plan          ERROR     资金支出计划: empty on a layout that has one, outside 0–100,
                                 decreasing, or not ending at 100% (100% at 3月底 with the
                                 later months blank is complete)
purpose_unrelated      WARNING   资金用途 shares no word with the project name, indicators,
                                 descriptions or the health-finance vocabulary (heuristic)
=====================  ========  ==========================================================

Queries: check_table makes a constant number of queries whatever the size of the tree (the
indicators, the framework, the special funds or the notice's allocation tables); pass
``indicators`` to lint rows that are not saved, or a list already fetched. check_tables shares
one query per kind over a whole queryset.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from allocations.models import FundNotice, NoticeRecipient
from allocations.selectors import (
    ComputedAllocation,
    allocation_share,
    notice_allocations,
    regions_shared,
)
from indicators.decomposition import (
    DECOMPOSITION_FIELDS,
    TABLE_LABEL_COLUMNS,
    decompose,
    row_table_label,
    summed_indicator_ids,
    table_label,
)
from indicators.models import LintAcknowledgement, PerformanceIndicator
from indicators.rules import TABLE_ORDER, check_tree, in_print_order
from indicators.selectors import (
    FrameworkIndex,
    build_tree,
    framework_index,
    in_table_order,
    walk,
)
from perfgoals.display import amount_with_unit, format_amount, plain_number, yuan_in_unit
from perfgoals.findings import Finding, Severity
from perfgoals.inputs import is_blank
from perfgoals.layouts import layout_spec
from perfgoals.models import Organisation, TargetTable
from perfgoals.money import AmountUnit, agrees, to_yuan, total_yuan
from perfgoals.prepared import PreparedReads
from perfgoals.selectors import sorted_by

__all__ = ["check_table", "check_tables", "check_unsaved_tables", "open_findings"]


E, W = Severity.ERROR, Severity.WARNING
Layout = TargetTable.Layout

HUNDRED = Decimal(100)
# The funds-by-source block of provincial templates, as parts of 年度资金总额.
SOURCE_LABELS = {
    "amount_general_budget": "一般公共预算",
    "amount_government_fund": "政府性基金",
    "amount_state_capital": "国有资本经营预算",
    "amount_business_income": "事业收入",
    "amount_carryover": "上年结转",
}
SOURCE_FIELDS = tuple(name for name in SOURCE_LABELS if name != "amount_carryover")

# Words of this field: a 资金用途 mentioning one of them is about health or insurance money.
DOMAIN_WORDS = (
    "医疗",
    "医保",
    "保险",
    "参保",
    "救助",
    "经办",
    "卫生",
    "健康",
    "签约",
    "计生",
    "生育",
    "疾病",
    "患者",
    "医院",
    "药",
    "诊疗",
    "基金",
    "待遇",
    "报销",
    "结算",
    "代办",
    "病",
    "医生",
    "防疫",
    "体检",
    "残疾",
    "贫困",
    "优抚",
    "低保",
)
GENERIC_BIGRAMS = {
    "资金",
    "补助",
    "用于",
    "工作",
    "提高",
    "开展",
    "保证",
    "做好",
    "加快",
    "支出",
    "进度",
    "预算",
    "根据",
    "下达",
    "我县",
    "全县",
    "年度",
    "经费",
    "费用",
}


# --- shared data ---------------------------------------------------------------------------


@dataclass
class _NoticeAmounts:
    """What a recipient's table is reconciled with: its notice's allocation tables and
    recipient bureaus, and the allocation tables of the upper notice it cites."""

    computed: list[ComputedAllocation] = field(default_factory=list)
    bureaus: list[Organisation] = field(default_factory=list)
    parent: FundNotice | None = None
    parent_computed: list[ComputedAllocation] = field(default_factory=list)


@dataclass
class _Context:
    framework: FrameworkIndex
    # (organisation id, year) → the special-fund tables of that organisation and year.
    special_funds: dict[tuple[int, int], list[TargetTable]] = field(default_factory=dict)
    notices: dict[int, _NoticeAmounts] = field(default_factory=dict)
    # upper table id → its label, its rows and every row serving them with their tables'
    # labels (for the sums).
    uppers: dict[
        int,
        tuple[str, list[PerformanceIndicator], list[tuple[PerformanceIndicator, str]]],
    ] = field(default_factory=dict)
    # upper indicator id → its table id
    upper_table_of: dict[int, int] = field(default_factory=dict)


def _load_uppers(
    context: _Context, tables: list[TargetTable], rows: Iterable[PerformanceIndicator]
) -> None:
    """The upper tables the tables' rows serve, with the other recipients' rows serving
    them where the check adds those up: no query when nothing is linked, one or two
    otherwise, whatever the number of tables."""
    linked = {row.upper_indicator_id for row in rows if row.upper_indicator_id}
    source_ids = {t.source_table_id for t in tables if t.source_table_id}
    if not linked and not source_ids:
        return

    def upper_rows_of(source_ids: tuple[int, ...], linked: tuple[int, ...]) -> QuerySet:
        of_uppers = Q(table_id__in=source_ids)
        if linked:
            of_uppers |= Q(
                table_id__in=PerformanceIndicator.objects.filter(pk__in=linked).values("table_id")
            )
        # Each row carries its table's label: the checks print tables by their label only
        # (indicators.decomposition.table_label), and a table joined to every row costs a
        # model per row, a query of the tables a query more.
        return (
            PerformanceIndicator.objects.filter(of_uppers)
            .only(*DECOMPOSITION_FIELDS)
            .annotate(**TABLE_LABEL_COLUMNS)
            .order_by()
        )

    upper_rows: dict[int, list[PerformanceIndicator]] = defaultdict(list)
    labels: dict[int, str] = {}
    uppers = _upper_reads.list(("uppers",), upper_rows_of, source_ids, linked)
    for row in in_table_order(uppers):
        upper_rows[row.table_id].append(row)
        labels.setdefault(row.table_id, row_table_label(row))
        context.upper_table_of[row.pk] = row.table_id
    if not upper_rows:
        return
    # A floor is checked on each table's own rows; only a sum reads everyone's.
    summed = summed_indicator_ids(row for rows in upper_rows.values() for row in rows)
    serving = (
        in_table_order(
            _upper_reads.list(
                ("serving",),
                lambda summed: (
                    PerformanceIndicator.objects.filter(upper_indicator_id__in=summed)
                    .only(*DECOMPOSITION_FIELDS)
                    .annotate(**TABLE_LABEL_COLUMNS)
                    .order_by()
                ),
                summed,
            )
        )
        if summed
        else []
    )
    served: dict[int, list[tuple[PerformanceIndicator, str]]] = defaultdict(list)
    for row in serving:
        served[context.upper_table_of[row.upper_indicator_id]].append((row, row_table_label(row)))
    for pk, rows_of_upper in upper_rows.items():
        context.uppers[pk] = (labels[pk], rows_of_upper, served[pk])


# The bureaus each table's notice is addressed to, read on every table page.
_recipient_reads = PreparedReads()
# The upper tables' rows a table serves and the rows serving them: compiled once per thread
# and number of ids.
_upper_reads = PreparedReads()


def _load_context(tables: list[TargetTable], rows: Iterable[PerformanceIndicator] = ()) -> _Context:
    context = _Context(framework=framework_index())
    _load_uppers(context, tables, rows)
    departments = [t for t in tables if t.layout == Layout.DEPARTMENT]
    if departments:
        funds = TargetTable.objects.filter(
            layout=Layout.SPECIAL_FUND,
            organisation_id__in={t.organisation_id for t in departments},
            year__in={t.year for t in departments},
        ).only("id", "organisation_id", "year", "amount_total", "amount_unit", "project_name")
        for fund in funds:
            context.special_funds.setdefault((fund.organisation_id, fund.year), []).append(fund)
    notices = {t.notice_id: t.notice for t in tables if t.notice_id}
    if notices:
        parents = {n.parent_id for n in notices.values() if n.parent_id}
        # As the notices print them: an issued notice is reconciled with what it recorded.
        computed = notice_allocations({*notices, *parents})
        bureaus: dict[int, list[Organisation]] = defaultdict(list)
        # Finance bureaus among the recipients issue a notice of their own, not a table.
        links = _recipient_reads.list(
            ("bureaus",),
            lambda ids: (
                NoticeRecipient.objects.filter(notice_id__in=ids)
                .exclude(organisation__kind=Organisation.Kind.FINANCE)
                .select_related("organisation")
                .order_by()
            ),
            set(notices),
        )
        for link in sorted_by(links, "notice_id", "position", "pk"):
            bureaus[link.notice_id].append(link.organisation)
        for pk, notice in notices.items():
            context.notices[pk] = _NoticeAmounts(
                computed=computed.get(pk, []),
                bureaus=bureaus[pk],
                parent=notice.parent if notice.parent_id in computed else None,
                parent_computed=computed.get(notice.parent_id, []),
            )
    return context


def _same_amount(a: Decimal, a_unit: str, b: Decimal, b_unit: str) -> bool:
    """Equal when stated in the same unit; across units the 万元 figure is the rounded one."""
    if a_unit == b_unit:
        return a.quantize(Decimal("0.01")) == b.quantize(Decimal("0.01"))
    if a_unit == AmountUnit.WAN:
        return agrees(a, a_unit, to_yuan(b, b_unit))
    return agrees(b, b_unit, to_yuan(a, a_unit))


def _blank(value) -> bool:
    # Invisible characters pasted from Word leave a field that reads as empty.
    return is_blank(value)


def _bigrams(text: str) -> set[str]:
    chars = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


class _TableChecks:
    def __init__(self, table: TargetTable, context: _Context):
        self.table = table
        self.context = context
        self.findings: list[tuple[int, Finding]] = []

    def add(self, order: int, code: str, severity: Severity, message: str, **kwargs) -> None:
        self.findings.append((order, Finding(code, severity, message, **kwargs)))

    def header(self, code: str, severity: Severity, message: str, **kwargs) -> None:
        self.add(TABLE_ORDER, code, severity, message, **kwargs)

    def run(self, rows: list[PerformanceIndicator]) -> list[Finding]:
        self.check_header()
        self.check_amounts()
        self.check_spending_plan()
        if self.table.has_indicator_tree and (
            rows or not layout_spec(self.table.layout).tree_optional
        ):
            self.findings.extend(
                check_tree(
                    rows,
                    layout=self.table.layout,
                    generation=self.table.framework,
                    year=self.table.year,
                    period=self.table.implementation_period,
                    framework=self.context.framework,
                )
            )
            self.check_purpose(rows)
            self.check_decomposition(rows)
        return in_print_order(self.findings)

    # -- decomposition of the upper table ------------------------------------------------------

    def check_decomposition(self, rows: list[PerformanceIndicator]) -> None:
        """The table's indicators against the upper indicators they serve
        (indicators.decomposition): a rate kept, the recipients' counts together, and the
        upper indicators this table leaves without an indicator of its own."""
        t = self.table
        upper_id = t.source_table_id or next(
            (
                self.context.upper_table_of.get(row.upper_indicator_id)
                for row in rows
                if row.upper_indicator_id
            ),
            None,
        )
        if upper_id not in self.context.uppers:
            return
        upper_label, upper_rows, served = self.context.uppers[upper_id]
        label = table_label(t)
        # This table's rows as given (maybe unsaved), the other recipients' as stored.
        pairs = [(row, served_label) for row, served_label in served if row.table_id != t.pk]
        pairs += [(row, label) for row in rows if row.upper_indicator_id]
        decomposition = decompose(upper_label, upper_rows, pairs)
        order = {
            id(node.indicator): position for position, node in enumerate(walk(build_tree(rows)), 1)
        }
        missing = []
        for node in decomposition.indicators:
            own = [s for s in node.served if id(s.indicator) in order]
            if not own:
                missing.append(node.indicator.name)
            for served_row in own:
                at = order.get(id(served_row.indicator), TABLE_ORDER)
                row_pk = served_row.indicator.pk
                if served_row.problem:
                    self.add(
                        at,
                        "decomposition_floor",
                        E,
                        served_row.problem,
                        field="value_text",
                        indicator_id=row_pk,
                    )
                if node.problem:
                    self.add(
                        at,
                        "decomposition_sum",
                        W,
                        node.problem,
                        field="value_text",
                        indicator_id=row_pk,
                    )
        if missing:
            self.header(
                "decomposition_unlinked",
                W,
                f"上级表{decomposition.upper_label}的指标"
                + "、".join(f"“{name}”" for name in missing)
                + "在本表没有对应的指标。",
            )

    # -- header, amounts, plan ----------------------------------------------------------------

    def check_header(self) -> None:
        for name, label, severity, alternatives in layout_spec(self.table.layout).required_fields():
            if all(_blank(getattr(self.table, field)) for field in (name, *alternatives)):
                self.header("header_missing", severity, f"表头“{label}”未填写。", field=name)

    def check_amounts(self) -> None:
        t = self.table
        unit = t.amount_unit
        if t.amount_total is not None and (
            t.amount_fiscal is not None or t.amount_other is not None
        ):
            fiscal, other = t.amount_fiscal or Decimal(0), t.amount_other or Decimal(0)
            if fiscal + other != t.amount_total:
                self.header(
                    "amount_sum",
                    E,
                    f"财政拨款{amount_with_unit(fiscal, unit)}"
                    f"加其他资金{amount_with_unit(other, unit)}等于"
                    f"{amount_with_unit(fiscal + other, unit)}，"
                    f"与年度资金总额{amount_with_unit(t.amount_total, unit)}不一致。",
                    field="amount_total",
                )
        if (
            t.layout == Layout.DEPARTMENT
            and t.amount_total is not None
            and (t.basic_expenditure is not None or t.project_expenditure is not None)
        ):
            basic, project = t.basic_expenditure or Decimal(0), t.project_expenditure or Decimal(0)
            if basic + project != t.amount_total:
                self.header(
                    "amount_sum",
                    E,
                    f"基本支出{amount_with_unit(basic, unit)}"
                    f"加项目支出{amount_with_unit(project, unit)}等于"
                    f"{amount_with_unit(basic + project, unit)}，与年度预算申请资金总额"
                    f"{amount_with_unit(t.amount_total, unit)}不一致。",
                    field="amount_total",
                )
        self.check_sources()
        if t.layout == Layout.DEPARTMENT:
            self.check_special_funds()
        if t.amount_total is None or t.notice_id is None:
            return
        amounts = self.context.notices[t.notice_id]
        if t.layout == Layout.TRANSFER:
            # The regional table states the upper envelope its recipients share.
            for allocation in amounts.computed:
                table = allocation.table
                if table.envelope_amount is not None:
                    self.check_allocated(
                        to_yuan(table.envelope_amount, table.envelope_unit), "分配表上级资金总额"
                    )
            return
        self.check_recipient_amount(amounts)

    def check_recipient_amount(self, amounts: _NoticeAmounts) -> None:
        """A recipient's table against its own row of the allocation table, never against the
        whole notice when the notice has other recipients; with no allocation row of its own,
        a single recipient against the notice, its table and the upper notice's row."""
        t = self.table
        unit = t.amount_unit
        notice = t.notice
        org = t.organisation
        others = [b for b in amounts.bureaus if b.pk != t.organisation_id]
        shared = org.region_id in regions_shared([org, *others])
        share = allocation_share(
            amounts.computed,
            organisation_id=org.pk,
            region_id=org.region_id,
            region_shared=shared,
        )
        if share is not None:
            self.check_allocated(share.yuan, f"分配表中{share.label}的金额")
        if others:
            if share is None and amounts.computed:
                self.header(
                    "amount_no_allocation_row",
                    W,
                    f"资金下达通知{notice.doc_number}有多个主送单位，分配表中没有"
                    f"{org.name}的行，无法核对资金总额。",
                    field="amount_total",
                )
            return
        if notice.amount is not None and not _same_amount(
            t.amount_total, unit, notice.amount, notice.amount_unit
        ):
            self.header(
                "amount_vs_notice",
                E,
                f"资金总额{amount_with_unit(t.amount_total, unit)}"
                f"与资金下达通知{notice.doc_number}的下达金额"
                f"{amount_with_unit(notice.amount, notice.amount_unit)}不一致。",
                field="amount_total",
            )
        if share is not None:
            return
        for allocation in amounts.computed:
            self.check_allocated(allocation.total_yuan, "分配表合计")
        if not amounts.computed and amounts.parent is not None:
            upper = allocation_share(
                amounts.parent_computed,
                organisation_id=org.pk,
                region_id=org.region_id,
                region_shared=False,
            )
            if upper is not None:
                self.check_allocated(
                    upper.yuan,
                    f"上级通知{amounts.parent.doc_number}分配表中{upper.label}的金额",
                )

    def check_allocated(self, expected: Decimal, what: str) -> None:
        t = self.table
        if not agrees(t.amount_total, t.amount_unit, expected):
            self.header(
                "amount_vs_allocation",
                E,
                f"资金总额{amount_with_unit(t.amount_total, t.amount_unit)}与{what}"
                f"{yuan_in_unit(expected, t.amount_unit)}"
                f"（{format_amount(expected, places=2)}元）不一致。",
                field="amount_total",
            )

    def check_sources(self) -> None:
        """Funds by source (一般公共预算, 政府性基金 …) and 上年结转 are parts of the total.
        Templates differ on which parts they list, so only parts exceeding the whole are
        certainly wrong; a remainder is another source the form did not ask for."""
        t = self.table
        if t.amount_total is None:
            return
        unit = t.amount_unit
        for fields, what in (
            (SOURCE_FIELDS, "资金来源"),
            (("amount_carryover",), "上年结转"),
        ):
            stated = [getattr(t, name) for name in fields if getattr(t, name) is not None]
            if not stated or sum(stated) <= t.amount_total:
                continue
            labels = "、".join(SOURCE_LABELS[name] for name in fields)
            self.header(
                "amount_sum",
                E,
                f"{what}（{labels}）合计{amount_with_unit(sum(stated), unit)}，"
                f"超过年度资金总额{amount_with_unit(t.amount_total, unit)}。",
                field=fields[0],
            )

    def check_special_funds(self) -> None:
        t = self.table
        funds = self.context.special_funds.get((t.organisation_id, t.year), [])
        if t.project_expenditure is None or not funds:
            return
        unit = t.amount_unit
        project_yuan = to_yuan(t.project_expenditure, unit)
        funds_yuan = total_yuan((f.amount_total, f.amount_unit) for f in funds)
        difference = project_yuan - funds_yuan
        listed = (
            f"项目支出{amount_with_unit(t.project_expenditure, unit)}，"
            f"本单位{t.year}年专项资金支出方向表"
            f"{len(funds)}项合计{yuan_in_unit(funds_yuan, unit)}"
        )
        if difference > 0:
            self.header(
                "special_funds",
                W,
                f"{listed}，相差{yuan_in_unit(difference, unit)}，"
                "这部分项目支出不在专项资金汇总表内，请核实是否另有项目或漏报。",
                field="project_expenditure",
            )
        elif difference < 0:
            self.header(
                "special_funds",
                E,
                f"{listed}，超出项目支出{yuan_in_unit(-difference, unit)}。",
                field="project_expenditure",
            )

    def check_spending_plan(self) -> None:
        t = self.table
        plan = list(
            zip(t.SPENDING_PLAN_FIELDS, t.SPENDING_PLAN_LABELS, t.spending_plan, strict=True)
        )
        stated = [(f, label, v) for f, label, v in plan if v is not None]
        if not stated:
            if layout_spec(t.layout).spending_plan:
                self.header(
                    "spending_plan",
                    E,
                    "资金支出计划未填写，请至少填写12月底累计支出进度100%。",
                    field="spend_by_dec",
                )
            return
        previous = None
        for name, label, value in stated:
            if value < 0 or value > HUNDRED:
                self.header(
                    "spending_plan",
                    E,
                    f"资金支出计划{label}为{plain_number(value)}%，应在0%至100%之间。",
                    field=name,
                )
            elif previous is not None and value < previous[2]:
                self.header(
                    "spending_plan",
                    E,
                    f"资金支出计划按累计数填写，{label}的{plain_number(value)}%不能小于"
                    f"{previous[1]}的{plain_number(previous[2])}%。",
                    field=name,
                )
            previous = (name, label, value)
        last_name, last_label, last_value = stated[-1]
        if last_value != HUNDRED:
            self.header(
                "spending_plan",
                E,
                f"资金支出计划累计到{last_label}为{plain_number(last_value)}%，12月底应达到100%。",
                field="spend_by_dec",
                suggestion="100",
            )

    def check_purpose(self, rows: list[PerformanceIndicator]) -> None:
        purpose = self.table.fund_purpose.strip()
        if not purpose:
            return
        if any(word in purpose for word in DOMAIN_WORDS):
            return
        related = _bigrams(self.table.project_name)
        for row in rows:
            related |= _bigrams(row.name) | _bigrams(row.description)
        if (_bigrams(purpose) - GENERIC_BIGRAMS) & related:
            return
        self.header(
            "purpose_unrelated",
            W,
            f"资金用途“{purpose}”与项目名称和绩效指标看不出关联，请核实用途或补充相应指标。",
            field="fund_purpose",
        )


# --- public API ----------------------------------------------------------------------------


def check_table(
    table: TargetTable, *, indicators: list[PerformanceIndicator] | None = None
) -> list[Finding]:
    """All findings for one table, header first, then rows in print order, errors first."""
    if indicators is None:
        indicators = list(PerformanceIndicator.objects.filter(table_id=table.pk))
    indicators = list(indicators)
    return _TableChecks(table, _load_context([table], indicators)).run(indicators)


def check_unsaved_tables(
    items: list[tuple[TargetTable, list[PerformanceIndicator]]],
) -> list[list[Finding]]:
    """check_table for tables and rows not saved yet (an import's preview), sharing one
    context (the framework, special funds, allocations) instead of loading it per table."""
    context = _load_context(
        [table for table, _ in items], [row for _, rows in items for row in rows]
    )
    return [_TableChecks(table, context).run(list(rows)) for table, rows in items]


def check_tables(tables: QuerySet[TargetTable]) -> dict[int, list[Finding]]:
    """Findings per table id, with one query per kind of data for the whole queryset."""
    tables = list(tables.select_related("organisation", "notice"))
    by_table: dict[int, list[PerformanceIndicator]] = defaultdict(list)
    for row in PerformanceIndicator.objects.filter(table__in=[t.pk for t in tables]):
        by_table[row.table_id].append(row)
    context = _load_context(tables, [row for rows in by_table.values() for row in rows])
    return {t.pk: _TableChecks(t, context).run(by_table[t.pk]) for t in tables}


def open_findings(table: TargetTable) -> list[Finding]:
    """What stands in the way of submitting: every error and each unacknowledged warning."""
    acknowledged = set(
        LintAcknowledgement.objects.filter(table_id=table.pk).values_list("key", flat=True)
    )
    return [
        finding
        for finding in check_table(table)
        if finding.severity == Severity.ERROR or finding.key not in acknowledged
    ]
