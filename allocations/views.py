"""Notice list, detail, drafting form, allocation-table editor and issuing.

Views parse input, call one selector or service and render. Every object is fetched through
a scoped selector, so anything outside the user's organisation is a 404.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from allocations import checks
from allocations.filters import NoticeFilter
from allocations.forms import (
    AllocationCellsForm,
    AllocationColumnForm,
    AllocationRowForm,
    AllocationTableForm,
    BudgetLineFormSet,
    NoticeForm,
    ParagraphFormSet,
)
from allocations.models import AllocationTable, ClassificationCode, FundNotice
from allocations.selectors import (
    can_draft_notices,
    compute_allocation,
    notice_chain,
    notices_editable_by,
    notices_visible_to,
)
from allocations.selectors import (
    notice_list as notice_list_query,
)
from allocations.services import allocation_tables, issuing, notices
from allocations.tables import NoticeTable
from perfgoals import lists
from perfgoals.money import ROUNDING_RULE, AmountUnit, from_yuan, to_yuan
from perfgoals.validation import add_validation_errors

# ------------------------------------------------------------------------------------------
# List and detail


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    filterset = NoticeFilter(request.GET or None, queryset=notice_list_query(request.user))
    table = NoticeTable(filterset.qs)
    fmt = lists.requested_export_format(request)
    # An export carries every row the filter and sort select, not just the page on screen.
    RequestConfig(request, paginate=False if fmt else {"per_page": 25}).configure(table)
    if fmt:
        return lists.export_response(NOTICE_EXPORT, notice_export_rows(table), fmt)
    return render(
        request,
        "allocations/notice_list.html",
        {
            "filter": filterset,
            "table": table,
            "can_draft": can_draft_notices(request.user),
            "export_query": lists.export_query(request),
        },
    )


NOTICE_EXPORT = lists.ListExport(
    headers=[
        "发文字号",
        "标题",
        "发文单位",
        "主送机关",
        "金额",
        "金额单位",
        "年度",
        "状态",
        "印发日期",
    ],
    widths=[24, 60, 28, 36, 14, 10, 8, 12, 14],
    title="资金下达通知",
)


def notice_export_rows(table: NoticeTable) -> list[list]:
    rows = []
    for row in table.rows:
        notice: FundNotice = row.record
        rows.append(
            [
                notice.doc_number,
                notice.title,
                notice.issuer_name,
                "、".join(link.organisation.name for link in notice.recipient_links.all()),
                notice.amount,
                notice.get_amount_unit_display() if notice.amount is not None else "",
                notice.year,
                notice.status_label,
                notice.printed_date or notice.signed_date,
            ]
        )
    return rows


def _computed_tables(notice: FundNotice):
    return [compute_allocation(table) for table in notice.allocation_tables.order_by("id")]


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(notices_visible_to(request.user), pk=pk)
    editable = notices_editable_by(request.user).filter(pk=pk).exists()
    paragraphs = list(notice.paragraphs.all())
    number = 0
    for paragraph in paragraphs:
        if paragraph.numbered:
            number += 1
            paragraph.display_number = number
    budget_lines = list(
        notice.budget_lines.select_related(
            "function_code", "gov_econ_code", "dept_econ_code", "project_kind_code"
        )
    )
    budget_total = from_yuan(
        sum(
            (to_yuan(line.amount, line.unit) for line in budget_lines if line.amount is not None),
            Decimal(0),
        ),
        notice.amount_unit,
    )
    computed_tables = _computed_tables(notice)
    context = {
        "notice": notice,
        "recipients": [
            link.organisation for link in notice.recipient_links.select_related("organisation")
        ],
        "paragraphs": paragraphs,
        "budget_lines": budget_lines,
        "budget_total": budget_total,
        "attachments": list(notice.attachments.select_related("allocation_table", "target_table")),
        "computed_tables": computed_tables,
        "chain": notice_chain(notice, request.user),
        "editable": editable,
        "problems": (
            checks.notice_check(notice=notice, computed=computed_tables) if editable else []
        ),
        "table_form": AllocationTableForm(
            initial={
                "title": f"{notices.project_name_from_title(notice.title)}分配表",
                "unit": notice.amount_unit,
                "recipient_label": "县市",
            }
        )
        if editable
        else None,
        "rounding_rule": ROUNDING_RULE,
    }
    return render(request, "allocations/notice_detail.html", context)


# ------------------------------------------------------------------------------------------
# Drafting


def _codes_by_scheme() -> dict[str, list[ClassificationCode]]:
    codes: dict[str, list[ClassificationCode]] = {}
    for code in ClassificationCode.objects.filter(is_active=True):
        codes.setdefault(code.scheme, []).append(code)
    return codes


def _notice_form_page(request, *, notice: FundNotice | None) -> HttpResponse:
    user = request.user
    post = request.POST if request.method == "POST" else None
    if notice is None:
        form = NoticeForm(post, user=user, initial={"printed_by": user.organisation.name})
        paragraphs = ParagraphFormSet(post, prefix="para", initial=ParagraphFormSet.initial_new())
        lines = BudgetLineFormSet(post, prefix="line")
    else:
        form = NoticeForm(post, user=user, initial=NoticeForm.initial_from(notice))
        paragraphs = ParagraphFormSet(
            post,
            prefix="para",
            initial=[
                {"text": p.text, "numbered": p.numbered}
                for p in notice.paragraphs.all()
                if p.position > 1 or p.numbered
            ],
        )
        lines = BudgetLineFormSet(
            post, prefix="line", initial=BudgetLineFormSet.initial_from(notice)
        )
    if post is not None and all([form.is_valid(), paragraphs.is_valid(), lines.is_valid()]):
        kwargs = form.service_kwargs(paragraphs, lines)
        try:
            if notice is None:
                notice = notices.notice_create(user=user, **kwargs)
                messages.success(request, "通知草稿已保存。接下来可添加分配表，核对无误后印发。")
            else:
                notice = notices.notice_update(
                    notice=notice,
                    user=user,
                    expected_version=int(request.POST.get("version", 0)),
                    **kwargs,
                )
                messages.success(request, "通知草稿已保存。")
            return redirect(notice)
        except ValidationError as exc:
            add_validation_errors(form, exc)
    return render(
        request,
        "allocations/notice_form.html",
        {
            "form": form,
            "paragraphs": paragraphs,
            "lines": lines,
            "notice": notice,
            "codes": _codes_by_scheme(),
        },
        status=400 if post is not None else 200,
    )


@login_required
def notice_create(request: HttpRequest) -> HttpResponse:
    if not can_draft_notices(request.user):
        raise Http404
    return _notice_form_page(request, notice=None)


def _own_draft_or_refuse(request: HttpRequest, pk: int) -> FundNotice | HttpResponse:
    """The user's editable draft; an issued notice of their own is refused with a message
    (correct it by a new notice), anything else is a 404."""
    notice = notices_editable_by(request.user).filter(pk=pk).first()
    if notice is not None:
        return notice
    visible = notices_visible_to(request.user).filter(pk=pk).first()
    if (
        visible is not None
        and visible.status == FundNotice.Status.ISSUED
        and visible.issuer_id == request.user.organisation_id
        and request.user.role == request.user.Role.FINANCE_STAFF
    ):
        messages.error(
            request, "通知已印发，不能再修改；如需更正，请起草新通知并在依据中引用本通知。"
        )
        return redirect(visible)
    raise Http404


@login_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _own_draft_or_refuse(request, pk)
    if isinstance(notice, HttpResponse):
        return notice
    return _notice_form_page(request, notice=notice)


@login_required
@require_POST
def notice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _own_draft_or_refuse(request, pk)
    if isinstance(notice, HttpResponse):
        return notice
    try:
        notice = issuing.notice_issue(
            notice=notice,
            user=request.user,
            expected_version=int(request.POST.get("version", 0)),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(notice)
    drafts = notice.target_tables.count()
    messages.success(
        request,
        f"已印发，发文字号 {notice.doc_number}；已为主送单位生成 {drafts} 张绩效目标表草稿。",
    )
    return redirect(notice)


# ------------------------------------------------------------------------------------------
# Allocation tables


def _editable_table(request, pk: int, table_pk: int) -> tuple[FundNotice, AllocationTable]:
    # The editor and the services read the issuer and its region through table.notice,
    # which the related manager below sets to this same object.
    notice = (
        notices_editable_by(request.user).select_related("issuer__region").filter(pk=pk).first()
    )
    if notice is None:
        # An issued notice's table is read on the notice page; others do not exist.
        if notices_visible_to(request.user).filter(pk=pk).exists():
            raise Http404("通知已印发，分配表不能再修改。")
        raise Http404
    table = get_object_or_404(notice.allocation_tables, pk=table_pk)
    return notice, table


@login_required
@require_POST
def allocation_create(request: HttpRequest, pk: int) -> HttpResponse:
    notice = notices_editable_by(request.user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    form = AllocationTableForm(request.POST)
    if form.is_valid():
        try:
            table = allocation_tables.allocation_table_create(
                notice=notice, user=request.user, **form.cleaned_data
            )
            return redirect("allocations:allocation_edit", pk=notice.pk, table_pk=table.pk)
        except ValidationError as exc:
            add_validation_errors(form, exc)
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(
                request, f"{form.fields[field].label if field in form.fields else ''}{error}"
            )
    return redirect(notice)


def _editor(
    request,
    notice,
    table,
    *,
    computed=None,
    cells_form=None,
    column_form=None,
    row_form=None,
    table_form=None,
    status=200,
    partial: str | None = None,
) -> HttpResponse:
    if computed is None:
        computed = compute_allocation(table)
    problems = checks.allocation_reconciliation(table, notice, computed=computed)
    context = {
        "notice": notice,
        "table": table,
        "computed": computed,
        "problems": problems,
        "cells_form": cells_form or AllocationCellsForm(computed=computed),
        "column_form": column_form or AllocationColumnForm(prefix="col"),
        "row_form": row_form
        or AllocationRowForm(
            notice=notice, prefix="row", initial={"label": notice.issuer.region.name}
        ),
        "table_form": table_form or AllocationTableForm(instance=table),
        "rounding_rule": ROUNDING_RULE,
        "unit_label": AmountUnit(table.unit).label,
        # A grid saved through htmx also refreshes the settings form's version out of band.
        "oob": bool(partial),
    }
    template = "allocations/allocation_editor.html"
    if partial:
        template = f"{template}#{partial}"
    return render(request, template, context, status=status)


@login_required
def allocation_edit(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    notice, table = _editable_table(request, pk, table_pk)
    return _editor(request, notice, table)


@login_required
@require_POST
def allocation_cells(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    notice, table = _editable_table(request, pk, table_pk)
    form = AllocationCellsForm(request.POST, computed=compute_allocation(table))
    partial = "grid" if request.htmx else None
    # htmx 2 does not swap a 4xx response: the grid with its messages at the cells comes
    # back as 200 so it replaces the old one; without JavaScript the page is a 400.
    invalid = 200 if partial else 400
    if form.is_valid():
        try:
            allocation_tables.allocation_cells_update(
                table=table,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                values=form.values(),
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
            return _editor(request, notice, table, cells_form=form, status=invalid, partial=partial)
        if request.htmx:
            table.refresh_from_db()
            return _editor(request, notice, table, partial=partial)
        messages.success(request, "分配数已保存并重新计算。")
        return redirect("allocations:allocation_edit", pk=pk, table_pk=table_pk)
    # Nothing was saved: the grid the form was built on is still the table's state.
    return _editor(
        request,
        notice,
        table,
        computed=form.computed,
        cells_form=form,
        status=invalid,
        partial=partial,
    )


@login_required
@require_POST
def allocation_column_add(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    notice, table = _editable_table(request, pk, table_pk)
    form = AllocationColumnForm(request.POST, prefix="col")
    if form.is_valid():
        try:
            allocation_tables.allocation_column_add(
                table=table,
                user=request.user,
                **form.service_kwargs(region=notice.issuer.region),
            )
            messages.success(request, f"已添加列“{form.cleaned_data['label']}”。")
            return redirect("allocations:allocation_edit", pk=pk, table_pk=table_pk)
        except ValidationError as exc:
            add_validation_errors(form, exc, AllocationColumnForm.SERVICE_FIELD_MAP)
    return _editor(request, notice, table, column_form=form, status=400)


@login_required
@require_POST
def allocation_row_add(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    notice, table = _editable_table(request, pk, table_pk)
    form = AllocationRowForm(request.POST, notice=notice, prefix="row")
    if form.is_valid():
        try:
            allocation_tables.allocation_row_add(
                table=table, user=request.user, **form.cleaned_data
            )
            messages.success(request, f"已添加行“{form.cleaned_data['label']}”。")
            return redirect("allocations:allocation_edit", pk=pk, table_pk=table_pk)
        except ValidationError as exc:
            add_validation_errors(form, exc)
    return _editor(request, notice, table, row_form=form, status=400)


@login_required
@require_POST
def allocation_settings(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    notice, table = _editable_table(request, pk, table_pk)
    version = table.version
    form = AllocationTableForm(request.POST, instance=AllocationTable.objects.get(pk=table.pk))
    if form.is_valid():
        try:
            allocation_tables.allocation_table_update(
                table=table,
                user=request.user,
                expected_version=int(request.POST.get("version", version)),
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
            messages.success(request, "分配表设置已保存。")
            return redirect("allocations:allocation_edit", pk=pk, table_pk=table_pk)
        except ValidationError as exc:
            add_validation_errors(form, exc)
    return _editor(request, notice, table, table_form=form, status=400)


@login_required
@require_POST
def allocation_part_delete(
    request: HttpRequest, pk: int, table_pk: int, part: str, part_pk: int
) -> HttpResponse:
    notice, table = _editable_table(request, pk, table_pk)
    try:
        with transaction.atomic():
            if part == "row":
                allocation_tables.allocation_row_delete(
                    row=get_object_or_404(table.rows, pk=part_pk), user=request.user
                )
            elif part == "column":
                allocation_tables.allocation_column_delete(
                    column=get_object_or_404(table.columns, pk=part_pk), user=request.user
                )
            else:
                raise Http404
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, "已删除。")
    return redirect("allocations:allocation_edit", pk=pk, table_pk=table_pk)


@login_required
@require_POST
def allocation_delete(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    notice, table = _editable_table(request, pk, table_pk)
    allocation_tables.allocation_table_delete(table=table, user=request.user)
    messages.success(request, "分配表已删除。")
    return redirect(notice)
