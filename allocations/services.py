"""Writes of fund notices and allocation tables: drafting, checking, numbering, issuing.

Every write checks that the user is finance staff of the issuing bureau and that the notice
is still a draft; concurrent edits are caught by compare-and-set on `version` (a conditional
UPDATE), which works on SQLite as well as PostgreSQL, where `select_for_update` would not.
"""

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from allocations.models import (
    AllocationCell,
    AllocationColumn,
    AllocationRow,
    AllocationStandard,
    AllocationTable,
    BudgetLine,
    ClassificationCode,
    DocumentSequence,
    FundNotice,
    NoticeAttachment,
    NoticeParagraph,
    NoticeRecipient,
    format_doc_number,
    parse_doc_number,
)
from allocations.selectors import (
    ComputedAllocation,
    compute_allocation,
    notice_recipient_choices,
)
from perfgoals.display import format_amount, plain, yuan_in_unit
from perfgoals.models import Organisation, Region, TargetTable, User
from perfgoals.money import AmountUnit, agrees, from_yuan, to_yuan

logger = logging.getLogger(__name__)

# The model text of seed 001 paragraph 二; pre-filled in every new notice.
STANDARD_PERFORMANCE_PARAGRAPH = (
    "为进一步加强预算绩效管理，切实提高财政资金使用效益，按照《中共中央 国务院关于全面实施"
    "预算绩效管理的意见》要求，请在组织预算执行中对照本单位绩效目标做好绩效监控，确保年度绩效"
    "目标如期实现。同时，请参照州级做法，将绩效目标及时对下分解，做好区域内预算绩效管理工作。"
)
NUMBER_RETRIES = 5
STALE_MESSAGE = "该通知已被他人修改或已印发，请刷新页面后再操作。"
STALE_TABLE_MESSAGE = "该分配表已被他人修改，请刷新页面后再保存。"


# ---------------------------------------------------------------------------------------
# Access


def _field_error(field: str, message: str, *, code: str, params: dict) -> ValidationError:
    """A field-keyed error whose params are applied (a dict of plain strings loses them)."""
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def _require_drafter(user: User, notice: FundNotice | None = None) -> Organisation:
    """The issuing organisation, if `user` may draft (and `notice` is its editable draft)."""
    if (
        not user.is_authenticated
        or user.role != User.Role.FINANCE_STAFF
        or user.organisation_id is None
        or not user.organisation.is_finance
    ):
        raise PermissionDenied(_("只有财政局业务股室人员可以起草和印发资金下达通知。"))
    if notice is not None:
        if notice.issuer_id != user.organisation_id or notice.is_external:
            raise PermissionDenied(_("只能修改本单位起草的通知。"))
        if notice.status != FundNotice.Status.DRAFT:
            raise ValidationError(
                _("通知已印发，不能再修改；如需更正，请起草新通知并在依据中引用原通知。"),
                code="notice_issued",
            )
    return user.organisation


def issuer_code_for(user: User) -> str:
    """发文代字 from the user's office (瑞丽市财政局社保股 → 瑞财社), set by administrators."""
    office = user.office
    return office.document_prefix.strip() if office is not None else ""


# ---------------------------------------------------------------------------------------
# Drafting


@dataclass
class BudgetLineData:
    source: str
    amount: Decimal
    unit: str = AmountUnit.WAN
    budget_kind: str = BudgetLine.BudgetKind.GENERAL
    function_code: ClassificationCode | None = None
    gov_econ_code: ClassificationCode | None = None
    dept_econ_code: ClassificationCode | None = None
    project_kind_code: ClassificationCode | None = None


def project_name_from_title(title: str) -> str:
    """瑞丽市财政局关于下达2020年…补助资金的通知 → 2020年…补助资金."""
    match = re.match(r"^.*?关于下达(?P<name>.+?)的通知$", title.strip())
    return match["name"] if match else title.strip()


def notice_external_basis(*, doc_number: str, title: str) -> FundNotice:
    """An upper-level notice outside the system, registered by number and title; a number
    already known is reused so the chain has one node per document."""
    code, year, serial, width = parse_doc_number(doc_number)
    existing = FundNotice.objects.filter(
        Q(is_external=True) | Q(status=FundNotice.Status.ISSUED),
        issuer_code=code,
        doc_year=year,
        doc_serial=serial,
    ).first()
    if existing is not None:
        return existing
    if not title.strip():
        raise _field_error(
            "basis_title",
            _("系统中没有文件%(number)s，请填写其标题。"),
            code="basis_title_required",
            params={"number": format_doc_number(code, year, serial, width)},
        )
    notice = FundNotice(
        is_external=True,
        issuer_name=re.split(r"关于", title.strip(), maxsplit=1)[0],
        year=year,
        title=title.strip(),
        status=FundNotice.Status.ISSUED,
        amount_unit=AmountUnit.WAN,
    )
    notice.set_doc_number(doc_number)
    notice.full_clean()
    notice.save()
    return notice


def notice_opening_text(
    *, notice: FundNotice, parent: FundNotice | None, budget_lines: Sequence[BudgetLineData]
) -> str:
    """The opening paragraph in the words of seed 000: basis, amount, classification."""
    parts = []
    if parent is not None:
        parts.append(f"根据《{parent.title}》（{parent.doc_number}）文件要求，")
    amount = ""
    if notice.amount is not None:
        amount = f"{format_amount(notice.amount)}{AmountUnit(notice.amount_unit).label}"
    parts.append(f"现下达你单位{project_name_from_title(notice.title)}{amount}，具体金额详见附件。")
    if notice.paying_account:
        parts.append(f"款拨{notice.paying_account}。")
    for line in budget_lines:
        clauses = []
        if line.function_code is not None:
            clauses.append(f"{notice.year}年政府收支分类“{line.function_code}”科目")
        if line.gov_econ_code is not None:
            clauses.append(f"政府预算支出经济分类列入“{line.gov_econ_code}”科目")
        if line.dept_econ_code is not None:
            clauses.append(f"部门预算支出经济分类列入“{line.dept_econ_code}”科目")
        if line.project_kind_code is not None:
            clauses.append(f"项目分类“{line.project_kind_code}”")
        if clauses:
            lead = "该款项" if len(budget_lines) == 1 else f"其中{line.source}"
            parts.append(f"{lead}收支请列入" + "，".join(clauses) + "。")
    return "".join(parts)


def _check_manual_number(notice: FundNotice, doc_number: str) -> None:
    """Accept 瑞财社〔2020〕0296号 and its [] 【】 variants; refuse a number already used."""
    try:
        code, year, serial, _width = parse_doc_number(doc_number)
    except ValidationError as exc:
        raise ValidationError({"doc_number": exc.messages}) from exc
    clash = (
        FundNotice.objects.filter(issuer_code=code, doc_year=year, doc_serial=serial)
        .exclude(pk=notice.pk)
        .first()
    )
    if clash is not None:
        raise _field_error(
            "doc_number",
            _("发文字号%(number)s已被《%(title)s》使用，请核对。"),
            code="doc_number_duplicate",
            params={"number": clash.doc_number, "title": clash.title},
        )
    notice.set_doc_number(doc_number)


def _check_recipients(issuer: Organisation, recipients: Sequence[Organisation]) -> None:
    allowed = set(notice_recipient_choices(issuer).values_list("pk", flat=True))
    outside = [org.name for org in recipients if org.pk not in allowed]
    if outside:
        raise _field_error(
            "recipients",
            _("%(names)s不在%(issuer)s的下达范围内：只能主送本区域的部门或下级区域的财政局。"),
            code="recipient_out_of_region",
            params={"names": "、".join(outside), "issuer": issuer.name},
        )


def _write_notice(
    *,
    notice: FundNotice,
    user: User,
    title: str,
    year: int,
    recipients: Sequence[Organisation],
    parent: FundNotice | None,
    amount: Decimal | None,
    amount_unit: str,
    paragraphs: Sequence[tuple[str, bool]],
    budget_lines: Sequence[BudgetLineData],
    paying_account: str,
    copy_to: str,
    signed_date: date | None,
    printed_date: date | None,
    printed_by: str,
    doc_number: str = "",
    upper_table: TargetTable | None = None,
    attach_recipient_tables: bool = True,
    opening: str = "",
    basis_number: str = "",
    basis_title: str = "",
) -> FundNotice:
    issuer = notice.issuer
    _check_recipients(issuer, recipients)
    if parent is None and basis_number.strip():
        try:
            parent = notice_external_basis(doc_number=basis_number, title=basis_title)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise
            raise ValidationError({"basis_number": exc.messages}) from exc
    notice.title = title.strip()
    notice.year = year
    notice.parent = parent
    notice.amount = amount
    notice.amount_unit = amount_unit
    notice.paying_account = paying_account.strip()
    notice.copy_to = copy_to.strip()
    notice.signed_date = signed_date
    notice.printed_date = printed_date
    notice.printed_by = printed_by.strip()
    notice.attach_recipient_tables = attach_recipient_tables
    if doc_number.strip():
        _check_manual_number(notice, doc_number)
    else:
        notice.issuer_code = notice.issuer_code or issuer_code_for(user)
        notice.doc_year = notice.doc_serial = None
        notice.doc_serial_width = 0
    notice.full_clean()
    try:
        with transaction.atomic():
            notice.save()
    except IntegrityError as exc:
        # full_clean saw the number free; another notice took it in the meantime.
        if notice.doc_serial is None:
            raise
        raise _field_error(
            "doc_number",
            _("发文字号%(number)s已被其他通知使用，请核对。"),
            code="doc_number_duplicate",
            params={"number": notice.doc_number},
        ) from exc

    notice.recipient_links.all().delete()
    NoticeRecipient.objects.bulk_create(
        NoticeRecipient(notice=notice, organisation=org, position=pos)
        for pos, org in enumerate(recipients, 1)
    )
    opening = opening.strip() or notice_opening_text(
        notice=notice, parent=parent, budget_lines=budget_lines
    )
    notice.paragraphs.all().delete()
    body = [(opening, False), *((t, n) for t, n in paragraphs if t.strip())]
    paragraph_rows = [
        NoticeParagraph(notice=notice, position=pos, text=text.strip(), numbered=numbered)
        for pos, (text, numbered) in enumerate(body, 1)
    ]
    for row in paragraph_rows:
        row.full_clean()
    bulk_create_with_history(paragraph_rows, NoticeParagraph, default_user=user)
    notice.budget_lines.all().delete()
    line_rows = []
    for pos, line in enumerate(budget_lines, 1):
        row = BudgetLine(notice=notice, position=pos, **line.__dict__)
        try:
            row.full_clean()
        except ValidationError as exc:
            raise _field_error(
                "budget_lines",
                _("第%(n)d条预算指标：%(errors)s"),
                code="budget_line_invalid",
                params={"n": pos, "errors": "；".join(exc.messages)},
            ) from exc
        line_rows.append(row)
    bulk_create_with_history(line_rows, BudgetLine, default_user=user)
    _sync_attachments(notice, upper_table=upper_table, keep_upper=False)
    return notice


@transaction.atomic
def notice_create(*, user: User, **data: Any) -> FundNotice:
    """A new draft notice of the user's bureau. Keyword data as in `_write_notice`."""
    issuer = _require_drafter(user)
    notice = FundNotice(
        issuer=issuer,
        issuer_name=issuer.name,
        issuer_code=issuer_code_for(user),
        created_by=user,
        status=FundNotice.Status.DRAFT,
    )
    return _write_notice(notice=notice, user=user, **data)


@transaction.atomic
def notice_update(
    *, notice: FundNotice, user: User, expected_version: int, **data: Any
) -> FundNotice:
    """Save a draft; refused if someone saved or issued it since `expected_version` was read."""
    _require_drafter(user, notice)
    claimed = FundNotice.objects.filter(
        pk=notice.pk, version=expected_version, status=FundNotice.Status.DRAFT
    ).update(version=F("version") + 1)
    if not claimed:
        raise ValidationError(STALE_MESSAGE, code="stale")
    notice.refresh_from_db()
    return _write_notice(notice=notice, user=user, **data)


def _sync_attachments(
    notice: FundNotice,
    *,
    upper_table: TargetTable | None = None,
    keep_upper: bool = True,
    recipient_tables: Iterable[TargetTable] = (),
) -> None:
    """附件 list in print order: allocation tables, the upper level's target table, then
    the recipients' own target tables (created on issue)."""
    attached_upper, own = _attached_target_tables(notice)
    upper = attached_upper if keep_upper else upper_table
    own += [t for t in recipient_tables if t not in own]
    notice.attachments.all().delete()
    rows = [
        NoticeAttachment(notice=notice, title=table.title, allocation_table=table)
        for table in notice.allocation_tables.order_by("id")
    ]
    if upper is not None:
        title = upper.title if upper.title != "绩效目标表" else f"{upper.project_name}绩效目标表"
        rows.append(NoticeAttachment(notice=notice, title=title, target_table=upper))
    rows += [NoticeAttachment(notice=notice, title=t.title, target_table=t) for t in own]
    for position, row in enumerate(rows, 1):
        row.position = position
    NoticeAttachment.objects.bulk_create(rows)


def _attached_target_tables(notice: FundNotice) -> tuple[TargetTable | None, list[TargetTable]]:
    """The notice's attached target tables: the upper level's (the first that is not one of
    the recipients' own) and the recipients' own, in 附件 order."""
    recipient_ids = set(notice.recipient_links.values_list("organisation_id", flat=True))
    upper, own = None, []
    for attachment in notice.attachments.select_related("target_table"):
        table = attachment.target_table
        if table is None:
            continue
        if table.organisation_id in recipient_ids:
            own.append(table)
        elif upper is None:
            upper = table
    return upper, own


def notice_upper_table(notice: FundNotice) -> TargetTable | None:
    """The upper level's target table attached to the notice (seed 000 附件2)."""
    return _attached_target_tables(notice)[0]


# ---------------------------------------------------------------------------------------
# Checking


@dataclass(frozen=True)
class Problem:
    """One reason a notice cannot be issued yet (error) or should be looked at (warning)."""

    message: str
    field: str = ""
    severity: str = "error"
    code: str = ""


def allocation_reconciliation(
    table: AllocationTable,
    notice: FundNotice | None = None,
    *,
    computed: ComputedAllocation | None = None,
) -> list[Problem]:
    """Table total against the notice amount, the upper envelope and the budget lines.
    Pass `computed` when the caller has already run compute_allocation on the table."""
    notice = notice or table.notice
    if computed is None:
        computed = compute_allocation(table)
    problems: list[Problem] = []
    where = f"allocation:{table.pk}"
    if not computed.rows:
        return [
            Problem(
                _("分配表《%(title)s》还没有分配行。") % {"title": table.title},
                where,
                code="allocation_empty",
            )
        ]
    if notice is not None and notice.amount is not None:
        if not agrees(notice.amount, notice.amount_unit, computed.total_yuan):
            problems.append(
                Problem(
                    _(
                        "分配表合计%(exact)s元（折合%(shown)s）与通知下达金额%(stated)s%(unit)s不一致，"
                        "请核对分配数或下达金额。"
                    )
                    % {
                        # As the editor prints it: 38,834.4 and 407,200, never 4.072E+5.
                        "exact": plain(computed.total_yuan),
                        "shown": yuan_in_unit(computed.total_yuan, notice.amount_unit),
                        "stated": format_amount(notice.amount),
                        "unit": AmountUnit(notice.amount_unit).label,
                    },
                    where,
                    code="allocation_notice_mismatch",
                )
            )
    if table.envelope_amount is not None:
        if not agrees(table.envelope_amount, table.envelope_unit, computed.total_yuan):
            difference = computed.total_yuan - to_yuan(table.envelope_amount, table.envelope_unit)
            problems.append(
                Problem(
                    _(
                        "各行合计%(shown)s，与上级资金总额%(envelope)s%(unit)s不一致（相差%(diff)s）。"
                    )
                    % {
                        "shown": yuan_in_unit(computed.total_yuan, table.envelope_unit),
                        "envelope": format_amount(table.envelope_amount),
                        "unit": AmountUnit(table.envelope_unit).label,
                        "diff": yuan_in_unit(difference.copy_abs(), table.envelope_unit),
                    },
                    where,
                    code="allocation_envelope_mismatch",
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
                    Problem(
                        _(
                            "资金来源“%(source)s”分配合计%(shown)s，与预算指标%(stated)s%(unit)s不一致。"
                        )
                        % {
                            "source": column.label,
                            "shown": yuan_in_unit(total or Decimal(0), line.unit),
                            "stated": format_amount(line.amount),
                            "unit": AmountUnit(line.unit).label,
                        },
                        where,
                        code="allocation_source_mismatch",
                    )
                )
    return problems


def notice_check(
    *, notice: FundNotice, computed: Sequence[ComputedAllocation] | None = None
) -> list[Problem]:
    """Everything that stands between a draft and issuing, in the order of the notice.
    `computed`: the notice's allocation tables as compute_allocation gave them, if at hand."""
    problems: list[Problem] = []
    if not notice.issuer_code and notice.doc_serial is None:
        problems.append(
            Problem(
                _(
                    "未设置发文代字，无法自动编号："
                    "请管理员在“股室”中为本股室填写发文代字（如 瑞财社）。"
                ),
                "doc_number",
                code="no_issuer_code",
            )
        )
    if not notice.title.strip():
        problems.append(Problem(_("请填写标题。"), "title", code="title_missing"))
    if not notice.recipient_links.exists():
        problems.append(Problem(_("请至少选择一个主送机关。"), "recipients", code="no_recipient"))
    if notice.parent_id is None:
        problems.append(
            Problem(
                _("未填写依据的上级文件（如 德财社〔2020〕162号）。"),
                "parent",
                severity="warning",
                code="no_basis",
            )
        )
    if notice.amount is None:
        problems.append(Problem(_("请填写下达金额。"), "amount", code="amount_missing"))
    lines = list(notice.budget_lines.all())
    if not lines:
        problems.append(
            Problem(
                _("请至少填写一条预算指标（资金来源、金额及收支分类科目）。"),
                "budget_lines",
                code="no_budget_line",
            )
        )
    elif notice.amount is not None and all(line.amount is not None for line in lines):
        total_yuan = sum((to_yuan(line.amount, line.unit) for line in lines), Decimal(0))
        if not agrees(notice.amount, notice.amount_unit, total_yuan):
            parts = " + ".join(
                f"{format_amount(line.amount)}{AmountUnit(line.unit).label}" for line in lines
            )
            problems.append(
                Problem(
                    _("预算指标合计 %(parts)s = %(total)s，与下达金额%(stated)s%(unit)s不一致。")
                    % {
                        "parts": parts,
                        "total": yuan_in_unit(total_yuan, notice.amount_unit),
                        "stated": format_amount(notice.amount),
                        "unit": AmountUnit(notice.amount_unit).label,
                    },
                    "budget_lines",
                    code="budget_lines_mismatch",
                )
            )
    body = "".join(p.text for p in notice.paragraphs.all())
    if not body.strip():
        problems.append(Problem(_("请填写正文。"), "paragraphs", code="no_body"))
    elif notice.amount is not None:
        unit = AmountUnit(notice.amount_unit).label
        stated = {f"{format_amount(notice.amount)}{unit}", f"{notice.amount:f}{unit}"}
        if not any(text in body.replace(" ", "") for text in stated):
            problems.append(
                Problem(
                    _("正文中没有写明下达金额%(amount)s，请核对正文开头。")
                    % {"amount": f"{format_amount(notice.amount)}{unit}"},
                    "opening",
                    severity="warning",
                    code="body_amount_missing",
                )
            )
    if computed is None:
        computed = [compute_allocation(table) for table in notice.allocation_tables.all()]
    if not computed:
        problems.append(
            Problem(
                _("还没有分配表；多数通知以分配表为附件1。"),
                "allocation",
                severity="warning",
                code="no_allocation",
            )
        )
    for allocation in computed:
        problems.extend(allocation_reconciliation(allocation.table, notice, computed=allocation))
    return problems


# ---------------------------------------------------------------------------------------
# Numbering and issuing


def _sequence_for(code: str, year: int) -> DocumentSequence:
    """The issuer's sequence for the year, created on first use from what exists: it starts
    after the highest number already recorded and keeps the issuer's padding convention."""
    sequence = DocumentSequence.objects.filter(issuer_code=code, year=year).first()
    if sequence is not None:
        return sequence
    used = FundNotice.objects.filter(issuer_code=code, doc_serial__isnull=False)
    last = used.filter(doc_year=year).aggregate(m=Max("doc_serial"))["m"] or 0
    latest = used.order_by("-doc_year", "-doc_serial").first()
    width = latest.doc_serial_width if latest is not None else 0
    try:
        with transaction.atomic():
            return DocumentSequence.objects.create(
                issuer_code=code, year=year, last_serial=last, serial_width=width
            )
    except IntegrityError:
        # Another transaction created it first; use theirs.
        return DocumentSequence.objects.get(issuer_code=code, year=year)


def document_number_next(*, code: str, year: int) -> tuple[int, int]:
    """Take the next serial (and its width). Call inside the issuing transaction: the
    conditional UPDATE holds the sequence row until commit, so concurrent issues queue here.
    Manual numbers entered since are skipped (next after a manual 0296 is 0297)."""
    sequence = _sequence_for(code, year)
    highest_used = (
        FundNotice.objects.filter(issuer_code=code, doc_year=year).aggregate(m=Max("doc_serial"))[
            "m"
        ]
        or 0
    )
    DocumentSequence.objects.filter(pk=sequence.pk).update(
        last_serial=Greatest(F("last_serial"), highest_used) + 1
    )
    sequence.refresh_from_db(fields=["last_serial", "serial_width"])
    return sequence.last_serial, sequence.serial_width


def _bump_sequence_past(code: str, year: int, serial: int) -> None:
    sequence = _sequence_for(code, year)
    DocumentSequence.objects.filter(pk=sequence.pk, last_serial__lt=serial).update(
        last_serial=serial
    )


def _copy_tree_nodes(table: TargetTable) -> list[dict[str, Any]]:
    from indicators.selectors import indicator_tree

    def convert(node) -> dict[str, Any]:
        ind = node.indicator
        return {
            "name": ind.name,
            "value": ind.value_text,
            "description": ind.description,
            "basis": ind.basis,
            "children": [convert(child) for child in node.children],
        }

    return [convert(node) for node in indicator_tree(table_id=table.pk)]


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
    nodes = _copy_tree_nodes(upper) if upper is not None else []
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
        table = TargetTable(
            layout=TargetTable.Layout.PROJECT,
            organisation=org,
            year=notice.year,
            notice=notice,
            source_table=upper,
            title="绩效目标表",
            project_name=project_name_from_title(notice.title),
            implementing_unit=org.name,
            amount_unit=notice.amount_unit,
            amount_total=amount,
            amount_fiscal=amount,
            annual_goal=upper.annual_goal if upper is not None else "",
            status=TargetTable.Status.DRAFT,
            created_by=user,
            updated_by=user,
        )
        table.full_clean()
        table.save()
        if nodes:
            from indicators.services import indicator_tree_create

            indicator_tree_create(table=table, nodes=nodes, user=user)
        drafts.append(table)
    return drafts


def notice_issue(*, notice: FundNotice, user: User, expected_version: int) -> FundNotice:
    """Issue a checked draft: claim it (status + version compare-and-set), number it, stamp
    it, create the recipients' draft target tables — all or nothing."""
    _require_drafter(user, notice)
    errors = [p for p in notice_check(notice=notice) if p.severity == "error"]
    if errors:
        raise ValidationError([p.message for p in errors], code="notice_not_ready")
    with transaction.atomic():
        claimed = FundNotice.objects.filter(
            pk=notice.pk, version=expected_version, status=FundNotice.Status.DRAFT
        ).update(version=F("version") + 1)
        if not claimed:
            raise ValidationError(STALE_MESSAGE, code="stale")
        notice.refresh_from_db()
        today = timezone.localdate()
        notice.status = FundNotice.Status.ISSUED
        notice.issued_at = timezone.now()
        notice.issued_by = user
        notice.signed_date = notice.signed_date or today
        notice.printed_date = notice.printed_date or today
        notice.printed_by = notice.printed_by or notice.issuer.name
        if notice.doc_serial is not None:
            _bump_sequence_past(notice.issuer_code, notice.doc_year, notice.doc_serial)
            notice.full_clean()
            notice.save()
        else:
            _save_with_next_number(notice)
        drafts = _create_recipient_drafts(notice, user)
        if notice.attach_recipient_tables:
            _sync_attachments(notice, recipient_tables=drafts)
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


def _save_with_next_number(notice: FundNotice) -> None:
    year = notice.year
    for _attempt in range(NUMBER_RETRIES):
        serial, width = document_number_next(code=notice.issuer_code, year=year)
        notice.doc_year, notice.doc_serial, notice.doc_serial_width = year, serial, width
        try:
            # Savepoint: a clash (a manual number typed meanwhile) is retried, not fatal.
            with transaction.atomic():
                notice.save()
            return
        except IntegrityError:
            logger.warning("doc number %s taken, retrying", notice.doc_number)
    raise ValidationError(_("发文字号分配失败，请稍后重试。"), code="numbering_failed")


# ---------------------------------------------------------------------------------------
# Allocation tables


def _claim_table(table: AllocationTable, user: User, expected_version: int | None) -> None:
    notice = table.notice
    _require_drafter(user, notice)
    query = AllocationTable.objects.filter(pk=table.pk)
    if expected_version is not None:
        query = query.filter(version=expected_version)
    if not query.update(version=F("version") + 1):
        raise ValidationError(STALE_TABLE_MESSAGE, code="stale")
    table.version = AllocationTable.objects.values_list("version", flat=True).get(pk=table.pk)


@transaction.atomic
def allocation_table_create(
    *,
    notice: FundNotice,
    user: User,
    title: str,
    unit: str = AmountUnit.WAN,
    recipient_label: str = "单位",
    count_total_label: str = "",
    amount_total_label: str = "合计",
    envelope_amount: Decimal | None = None,
    envelope_unit: str = AmountUnit.WAN,
) -> AllocationTable:
    _require_drafter(user, notice)
    table = AllocationTable(
        notice=notice,
        title=title.strip(),
        unit=unit,
        recipient_label=recipient_label.strip(),
        count_total_label=count_total_label.strip(),
        amount_total_label=amount_total_label.strip() or "合计",
        envelope_amount=envelope_amount,
        envelope_unit=envelope_unit,
    )
    table.full_clean()
    table.save()
    _sync_attachments(notice)
    return table


@transaction.atomic
def allocation_table_update(
    *, table: AllocationTable, user: User, expected_version: int, **fields: Any
) -> AllocationTable:
    _claim_table(table, user, expected_version)
    for name, value in fields.items():
        setattr(table, name, value.strip() if isinstance(value, str) else value)
    table.full_clean()
    table.save()
    _sync_attachments(table.notice)
    return table


@transaction.atomic
def allocation_table_delete(*, table: AllocationTable, user: User) -> None:
    notice = table.notice
    _claim_table(table, user, None)
    table.delete()
    _sync_attachments(notice)


def allocation_standard_create(
    *,
    name: str,
    base_amount: Decimal,
    upper_percent: Decimal | None,
    lower_percent: Decimal | None,
    upper_label: str = "上级",
    lower_label: str = "本级",
    region: Region | None = None,
    unit: str = "元/人/年",
    source_document: str = "",
) -> AllocationStandard:
    """A standard and its split given in percent (4:6 is entered as 40% + 60%)."""
    errors = {}
    if base_amount is None or base_amount < 0:
        errors["base_amount"] = _("标准金额须为不小于0的数字。")
    if (upper_percent is None) != (lower_percent is None):
        errors["lower_percent"] = _("分担比例须同时填写上级和本级承担的百分比。")
    elif upper_percent is not None:
        if upper_percent < 0 or lower_percent < 0:
            errors["lower_percent"] = _("承担比例不能为负数。")
        elif upper_percent + lower_percent != 100:
            errors["lower_percent"] = _(
                "承担比例合计应为100%%，现为%(upper)s%% + %(lower)s%% = %(total)s%%。"
            ) % {
                "upper": f"{upper_percent.normalize():f}",
                "lower": f"{lower_percent.normalize():f}",
                "total": f"{(upper_percent + lower_percent).normalize():f}",
            }
        elif upper_percent != upper_percent.to_integral_value():
            errors["upper_percent"] = _("承担比例请填写整数百分比，如 40 和 60。")
    if errors:
        raise ValidationError(errors)
    standard = AllocationStandard(
        name=name.strip(),
        base_amount=base_amount,
        unit=unit,
        region=region,
        source_document=source_document.strip(),
        upper_label=upper_label if upper_percent is not None else "",
        lower_label=lower_label if upper_percent is not None else "",
        upper_share=int(upper_percent) if upper_percent is not None else None,
        lower_share=int(lower_percent) if lower_percent is not None else None,
    )
    standard.full_clean()
    standard.save()
    return standard


@transaction.atomic
def allocation_column_add(
    *,
    table: AllocationTable,
    user: User,
    kind: str,
    label: str,
    standard: AllocationStandard | None = None,
    share_side: str = AllocationColumn.Side.UPPER,
    standard_amount: Decimal | None = None,
    new_standard: Mapping[str, Any] | None = None,
    count_label: str = "",
    standard_label: str = "",
    amount_label: str = "",
) -> AllocationColumn:
    """A calculation group (count × standard, the standard chosen, derived from base × share,
    or typed) or a funding-source column."""
    _claim_table(table, user, None)
    if kind == AllocationColumn.Kind.CALCULATION:
        if new_standard:
            standard = allocation_standard_create(**new_standard)
        chosen = [x for x in (standard, standard_amount) if x is not None]
        if len(chosen) != 1:
            raise ValidationError(
                {"standard": _("测算组须选择一个补助标准，或直接填写标准金额，二者选一。")},
                code="calc_standard_choice",
            )
    else:
        standard, standard_amount, share_side = None, None, ""
    position = (table.columns.aggregate(m=Max("position"))["m"] or 0) + 1
    column = AllocationColumn(
        table=table,
        position=position,
        kind=kind,
        label=label.strip(),
        standard=standard,
        share_side=share_side if standard is not None else "",
        standard_amount=standard_amount,
        count_label=count_label.strip() or ("人数" if kind == "calc" else ""),
        standard_label=standard_label.strip() or ("补助标准（元）" if kind == "calc" else ""),
        amount_label=amount_label.strip() or ("金额（元）" if kind == "calc" else ""),
    )
    column.full_clean()
    column.save()
    return column


@transaction.atomic
def allocation_column_delete(*, column: AllocationColumn, user: User) -> None:
    _claim_table(column.table, user, None)
    column.delete()


@transaction.atomic
def allocation_row_add(
    *, table: AllocationTable, user: User, label: str, organisation: Organisation | None = None
) -> AllocationRow:
    """A row per recipient; the region is found by name among the issuer's region and
    those directly below it, so 瑞丽市 links to the county."""
    _claim_table(table, user, None)
    issuer_region = table.notice.issuer.region
    region = Region.objects.filter(
        Q(pk=issuer_region.pk) | Q(parent_id=issuer_region.pk), name=label.strip()
    ).first()
    if organisation is not None and region is None:
        region = organisation.region
    position = (table.rows.aggregate(m=Max("position"))["m"] or 0) + 1
    row = AllocationRow(
        table=table,
        position=position,
        label=label.strip(),
        region=region,
        organisation=organisation,
    )
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def allocation_row_delete(*, row: AllocationRow, user: User) -> None:
    _claim_table(row.table, user, None)
    row.delete()


@transaction.atomic
def allocation_cells_update(
    *,
    table: AllocationTable,
    user: User,
    expected_version: int,
    values: Mapping[tuple[int, int], Decimal | int | None],
) -> AllocationTable:
    """Set the inputs of the grid at once: head counts under calculation groups, amounts (in
    the table's unit) under funding sources. Refused whole if another save came first."""
    _claim_table(table, user, expected_version)
    columns = {c.pk: c for c in table.columns.all()}
    rows = {r.pk for r in table.rows.all()}
    cells = {(c.row_id, c.column_id): c for c in AllocationCell.objects.filter(row__table=table)}
    to_create, to_update = [], []
    for (row_id, column_id), value in values.items():
        if row_id not in rows or column_id not in columns:
            raise ValidationError(_("分配表的行或列已变动，请刷新后重试。"), code="stale_cell")
        column = columns[column_id]
        cell = cells.get((row_id, column_id)) or AllocationCell(row_id=row_id, column=column)
        if column.kind == AllocationColumn.Kind.CALCULATION:
            cell.count, cell.amount = (int(value) if value is not None else None), None
        else:
            cell.count, cell.amount = None, value
        if value is not None and Decimal(value) < 0:
            raise ValidationError(_("人数和金额不能为负数。"), code="negative")
        (to_update if cell.pk else to_create).append(cell)
    bulk_create_with_history(to_create, AllocationCell, default_user=user)
    bulk_update_with_history(to_update, AllocationCell, ["count", "amount"], default_user=user)
    return table
