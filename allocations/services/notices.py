"""Access and drafting of fund notices: who may draft, the notice's text, its attachments.

Every write checks that the user is finance staff of the issuing bureau and that the notice
is still a draft; concurrent edits are caught by compare-and-set on `version` (a conditional
UPDATE), which works on SQLite as well as PostgreSQL, where `select_for_update` would not.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from allocations.models import (
    BudgetLine,
    ClassificationCode,
    FundNotice,
    NoticeAttachment,
    NoticeParagraph,
    NoticeRecipient,
    format_doc_number,
    parse_doc_number,
)
from allocations.selectors import (
    notice_basis_choices,
    notice_recipient_choices,
    notice_upper_table_choices,
)
from allocations.services.numbering import code_owner, organisation_codes
from perfgoals.audit import audit_record
from perfgoals.display import stated_amount
from perfgoals.models import AuditEvent, Organisation, TargetTable, User
from perfgoals.money import AmountUnit
from perfgoals.services import history_attributed

# The model text of seed 001 paragraph 二; pre-filled in every new notice.
STANDARD_PERFORMANCE_PARAGRAPH = (
    "为进一步加强预算绩效管理，切实提高财政资金使用效益，按照《中共中央 国务院关于全面实施"
    "预算绩效管理的意见》要求，请在组织预算执行中对照本单位绩效目标做好绩效监控，确保年度绩效"
    "目标如期实现。同时，请参照州级做法，将绩效目标及时对下分解，做好区域内预算绩效管理工作。"
)
STALE_MESSAGE = "该通知已被他人修改或已印发，请刷新页面后再操作。"


# ---------------------------------------------------------------------------------------
# Access


def _field_error(field: str, message: str, *, code: str, params: dict) -> ValidationError:
    """A field-keyed error whose params are applied (a dict of plain strings loses them)."""
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def notice_drafter_check(user: User, notice: FundNotice | None = None) -> Organisation:
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


def notice_external_basis(*, user: User, doc_number: str, title: str) -> FundNotice:
    """An upper-level notice outside the system, registered by number and title; a number
    already known is reused so the chain has one node per document.

    An issued notice of the system is found only among those `user` may cite: another
    bureau's notice is neither attached nor named by typing its number.
    """
    code, year, serial, width = parse_doc_number(doc_number)
    number = {"issuer_code": code, "doc_year": year, "doc_serial": serial}
    existing = (
        FundNotice.objects.filter(is_external=True, **number).first()
        or notice_basis_choices(user).filter(**number).first()
    )
    if existing is not None:
        return existing
    owner = code_owner(code)
    if owner is not None and owner.users.filter(role=User.Role.FINANCE_STAFF).exists():
        # That bureau numbers its notices here: a number it has not issued to this user is
        # a typing mistake or not theirs to cite, and registering it would take a number
        # out of the bureau's own sequence.
        raise ValidationError(
            _(
                "%(code)s是%(owner)s在本系统中使用的发文代字，本单位可引用的文件中没有"
                "%(number)s；请核对文号，或在“依据的上级文件（系统内）”中选择。"
            ),
            code="basis_code_in_system",
            params={
                "code": code,
                "owner": owner.name,
                "number": format_doc_number(code, year, serial, width),
            },
        )
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
    notice.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            notice.save()
    except IntegrityError:
        # Drafters citing the same new number at once: the first registration is the one.
        existing = FundNotice.objects.filter(is_external=True, **number).first()
        if existing is None:
            raise _field_error(
                "basis_number",
                _("文件%(number)s无法登记，请核对文号。"),
                code="basis_number_taken",
                params={"number": format_doc_number(code, year, serial, width)},
            ) from None
        return existing
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
        amount = stated_amount(notice.amount, notice.amount_unit)
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
    own = organisation_codes(notice.issuer)
    if code not in own:
        raise _field_error(
            "doc_number",
            _("“%(code)s”不是%(issuer)s登记的发文代字（本单位：%(own)s），不能用它编号。"),
            code="doc_number_foreign_code",
            params={"code": code, "issuer": notice.issuer.name, "own": "、".join(own) or "无"},
        )
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


def _check_upper_table(
    user: User,
    issuer: Organisation,
    upper_table: TargetTable | None,
    recipients: Sequence[Organisation],
) -> None:
    """The upper table must be one the issuer may pass down (the form offers only those; a
    service caller gets the same refusal), and not a recipient's own: that one would be
    taken for the recipient's draft, and the recipients would have no upper table."""
    if upper_table is None:
        return
    owner = next((org for org in recipients if org.pk == upper_table.organisation_id), None)
    if owner is not None:
        raise _field_error(
            "upper_table",
            _("《%(title)s》是主送机关%(owner)s自己的绩效目标表，不能作为上级绩效目标表。"),
            code="upper_table_of_recipient",
            params={"title": upper_table.title, "owner": owner.name},
        )
    if not notice_upper_table_choices(user, issuer=issuer).filter(pk=upper_table.pk).exists():
        raise _field_error(
            "upper_table",
            _(
                "《%(title)s》不能作为上级绩效目标表：只能选择收到的上级通知所附的目标表，"
                "或本区域部门已批准的绩效目标表。"
            ),
            code="upper_table_out_of_scope",
            params={"title": upper_table.title},
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
    _check_upper_table(user, issuer, upper_table, recipients)
    if parent is None and basis_number.strip():
        try:
            parent = notice_external_basis(user=user, doc_number=basis_number, title=basis_title)
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

    before = list(
        notice.recipient_links.order_by("position").values_list("organisation__name", flat=True)
    )
    notice.recipient_links.all().delete()
    NoticeRecipient.objects.bulk_create(
        NoticeRecipient(notice=notice, organisation=org, position=pos)
        for pos, org in enumerate(recipients, 1)
    )
    if [org.name for org in recipients] != before:
        audit_record(
            action=AuditEvent.Action.RECIPIENTS,
            user=user,
            obj=notice,
            summary=f"{notice}：主送 {'、'.join(org.name for org in recipients)}"
            + (f"（原为 {'、'.join(before)}）" if before else ""),
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
    notice_attachments_sync(notice, upper_table=upper_table, keep_upper=False)
    return notice


@history_attributed
@transaction.atomic
def notice_create(*, user: User, **data: Any) -> FundNotice:
    """A new draft notice of the user's bureau. Keyword data as in `_write_notice`."""
    issuer = notice_drafter_check(user)
    notice = FundNotice(
        issuer=issuer,
        issuer_name=issuer.name,
        issuer_code=issuer_code_for(user),
        created_by=user,
        status=FundNotice.Status.DRAFT,
    )
    return _write_notice(notice=notice, user=user, **data)


@history_attributed
@transaction.atomic
def notice_update(
    *, notice: FundNotice, user: User, expected_version: int, **data: Any
) -> FundNotice:
    """Save a draft; refused if someone saved or issued it since `expected_version` was read."""
    notice_drafter_check(user, notice)
    notice_claim_version(notice=notice, expected_version=expected_version)
    return _write_notice(notice=notice, user=user, **data)


@history_attributed
@transaction.atomic
def notice_correction_create(*, notice: FundNotice, user: User) -> FundNotice:
    """A 更正/补充通知 of an issued notice: a new draft of the same bureau citing the old one
    (which stays as issued), to the same recipients, with its amount and budget lines to
    amend. No new draft tables: the recipients already have theirs."""
    issuer = notice_drafter_check(user)
    if notice.issuer_id != issuer.pk or notice.is_external:
        raise PermissionDenied(_("只能更正本单位印发的通知。"))
    if notice.status != FundNotice.Status.ISSUED:
        raise ValidationError(_("草稿可以直接修改，无需更正通知。"), code="notice_not_issued")
    draft = FundNotice(
        issuer=issuer,
        issuer_name=notice.issuer_name,
        issuer_code=issuer_code_for(user) or notice.issuer_code,
        created_by=user,
        status=FundNotice.Status.DRAFT,
        corrects=notice,
    )
    lines = [
        BudgetLineData(
            source=line.source,
            amount=line.amount,
            unit=line.unit,
            budget_kind=line.budget_kind,
            function_code=line.function_code,
            gov_econ_code=line.gov_econ_code,
            dept_econ_code=line.dept_econ_code,
            project_kind_code=line.project_kind_code,
        )
        for line in notice.budget_lines.select_related(
            "function_code", "gov_econ_code", "dept_econ_code", "project_kind_code"
        )
    ]
    signed = notice.signed_date or notice.printed_date
    when = f"于{signed.year}年{signed.month}月{signed.day}日" if signed else ""
    return _write_notice(
        notice=draft,
        user=user,
        title=f"{notice.issuer_name}关于更正（补充）{notice.doc_number}的通知",
        year=notice.year,
        recipients=[link.organisation for link in notice.recipient_links.order_by("position")],
        parent=notice.parent,
        amount=notice.amount,
        amount_unit=notice.amount_unit,
        paragraphs=[],
        budget_lines=lines,
        paying_account=notice.paying_account,
        copy_to=notice.copy_to,
        signed_date=None,
        printed_date=None,
        printed_by=notice.printed_by,
        attach_recipient_tables=False,
        opening=f"我局{when}印发《{notice.title}》（{notice.doc_number}），现更正（补充）如下：",
    )


def notice_claim_version(*, notice: FundNotice, expected_version: int) -> None:
    """Compare-and-set on a draft's version, then reload it: refused when someone saved or
    issued the notice since `expected_version` was read. Call inside a transaction."""
    claimed = FundNotice.objects.filter(
        pk=notice.pk, version=expected_version, status=FundNotice.Status.DRAFT
    ).update(version=F("version") + 1)
    if not claimed:
        raise ValidationError(STALE_MESSAGE, code="stale")
    notice.refresh_from_db()


def notice_attachments_sync(
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
    before = list(notice.attachments.order_by("position").values_list("title", flat=True))
    notice.attachments.all().delete()
    rows = [
        NoticeAttachment(notice=notice, title=table.title, allocation_table=table)
        for table in notice.allocation_tables.order_by("id")
    ]
    if upper is not None:
        title = upper.title if upper.title != "绩效目标表" else f"{upper.project_name}绩效目标表"
        rows.append(NoticeAttachment(notice=notice, title=title, target_table=upper))
    # Seed 000 lists its one recipient's table as 「绩效目标表」; with several recipients each
    # 附件 names its bureau, so that no two attachments carry the same title.
    rows += [
        NoticeAttachment(
            notice=notice,
            title=t.title if len(own) == 1 else f"{t.organisation.name}{t.title}",
            target_table=t,
        )
        for t in own
    ]
    for position, row in enumerate(rows, 1):
        row.position = position
    NoticeAttachment.objects.bulk_create(rows)
    titles = [row.title for row in rows]
    if titles != before:
        audit_record(
            action=AuditEvent.Action.ATTACHMENTS,
            obj=notice,
            summary=f"{notice}：附件 {'；'.join(titles) or '无'}",
        )


def _attached_target_tables(notice: FundNotice) -> tuple[TargetTable | None, list[TargetTable]]:
    """The notice's attached target tables: the upper level's (the first that is not one of
    the recipients' own) and the recipients' own, in 附件 order."""
    recipient_ids = set(notice.recipient_links.values_list("organisation_id", flat=True))
    upper, own = None, []
    for attachment in notice.attachments.select_related("target_table__organisation"):
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
