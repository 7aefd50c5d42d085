"""Notice list, detail, drafting form, allocation-table editor and issuing.

Views parse input, call one selector or service and render. Every object is fetched through
a scoped selector, so anything outside the user's organisation is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import BaseFormSet
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from allocations import checks
from allocations.filters import NoticeFilter
from allocations.forms.allocation_tables import (
    AllocationCellsForm,
    AllocationColumnForm,
    AllocationRowForm,
    AllocationTableForm,
)
from allocations.forms.codes import ADD_BUTTON, ClassificationCodeForm
from allocations.forms.notices import BudgetLineFormSet, NoticeForm, ParagraphFormSet
from allocations.models import FundNotice
from allocations.selectors import (
    allocation_column,
    allocation_row,
    allocation_table_copy,
    allocation_table_for_editing,
    can_draft_notices,
    classification_codes_by_scheme,
    compute_allocation,
    notice_draft,
    notice_export_row,
    notice_for_editing,
    notice_page_of,
    notice_recipient_names,
    notice_target_table_count,
    notices_visible_to,
    standards_applying_to,
)
from allocations.selectors import (
    notice_list as notice_list_query,
)
from allocations.services import allocation_tables, codes, issuing, notices
from allocations.services.codes import can_add_classification_codes
from allocations.tables import NOTICE_ROW_FIELDS, NoticeTable, page_rows
from perfgoals import spreadsheets
from perfgoals.confirmation import unconfirmed
from perfgoals.display import unit_label
from perfgoals.money import ROUNDING_RULE
from perfgoals.paging import ListPaginator, prepared_rows, table_head
from perfgoals.prepared import PreparedReads
from perfgoals.validation import STALE_PAGE, add_validation_errors, posted_version

# ------------------------------------------------------------------------------------------
# List and detail


# The first page of an unfiltered list, by the notices it names and the sort.
_page_reads = PreparedReads()


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    listing = notice_list_query(request.user)
    filterset = NoticeFilter(
        request.GET or None,
        queryset=listing.notices,
        issuers=listing.issuers,
        recipients=listing.recipients,
    )
    fmt = spreadsheets.requested_export_format(request)
    # A page prints NoticeRow's columns; an export prints more (its dates among them).
    table = NoticeTable(filterset.qs if fmt else filterset.qs.only(*NOTICE_ROW_FIELDS))
    # An export carries every row the filter and sort select, not just the page on screen.
    paginate = {
        "per_page": 25,
        "paginator_class": ListPaginator,
        # Unfiltered, the rows are the notices read already: no query to count them, and
        # their SQL is the listing's.
        "count": None if filterset.narrows else listing.count,
        "first_rows": None if filterset.narrows else prepared_rows(table, _page_reads, listing.key),
    }
    RequestConfig(request, paginate=False if fmt else paginate).configure(table)
    if fmt:
        return spreadsheets.export_response(NOTICE_EXPORT, notice_export_rows(table), fmt)
    return render(
        request,
        "allocations/notice_list.html",
        {
            "filter": filterset,
            "table": table,
            "rows": page_rows(table),
            "table_head": table_head(table, request.GET),
            "can_draft": can_draft_notices(request.user),
            "export_query": spreadsheets.export_query(request),
        },
    )


NOTICE_EXPORT = spreadsheets.ListExport(
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
    notices = [row.record for row in table.rows]
    names = notice_recipient_names(notices)
    return [notice_export_row(notice, names.get(notice.pk, [])) for notice in notices]


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = notice_page_of(request.user, pk)
    notice = page.notice
    context = {
        **vars(page),
        "problems": (
            checks.notice_check(notice=notice, computed=page.computed_tables)
            if page.editable
            else []
        ),
        "table_form": AllocationTableForm(
            initial={
                "title": f"{notices.project_name_from_title(notice.title)}分配表",
                "unit": notice.amount_unit,
                "recipient_label": "县市",
            }
        )
        if page.editable
        else None,
        "rounding_rule": ROUNDING_RULE,
    }
    return render(request, "allocations/notice_detail.html", context)


# ------------------------------------------------------------------------------------------
# Drafting


def _notice_forms(user, notice: FundNotice | None, post):
    if notice is None:
        form = NoticeForm(post, user=user, initial={"printed_by": user.organisation.name})
        paragraphs = ParagraphFormSet(post, prefix="para", initial=ParagraphFormSet.initial_new())
        lines = BudgetLineFormSet(post, prefix="line")
    else:
        form = NoticeForm(post, user=user, initial=NoticeForm.initial_from(notice))
        paragraphs = ParagraphFormSet(
            post,
            prefix="para",
            initial=ParagraphFormSet.initial_from(notice),
        )
        lines = BudgetLineFormSet(
            post, prefix="line", initial=BudgetLineFormSet.initial_from(notice)
        )
    return form, paragraphs, lines


def _notice_form_page(request, *, notice: FundNotice | None) -> HttpResponse:
    user = request.user
    post = request.POST if request.method == "POST" else None
    if post is not None and ADD_BUTTON in post:
        return _notice_code_add(request, notice=notice)
    form, paragraphs, lines = _notice_forms(user, notice, post)
    if post is not None and all([form.is_valid(), paragraphs.is_valid(), lines.is_valid()]):
        kwargs = form.service_kwargs(paragraphs, lines)
        version = posted_version(request.POST)
        try:
            if notice is not None and version is None:
                raise ValidationError(STALE_PAGE, code="version")
            if notice is None:
                notice = notices.notice_create(user=user, **kwargs)
                messages.success(request, "通知草稿已保存。接下来可添加分配表，核对无误后印发。")
            else:
                notice = notices.notice_update(
                    notice=notice,
                    user=user,
                    expected_version=version,
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
            "codes": classification_codes_by_scheme(),
            "code_form": ClassificationCodeForm(line_count=lines.total_form_count()),
        },
        status=400 if post is not None else 200,
    )


def _line_count(post) -> int:
    try:
        count = int(post.get("line-TOTAL_FORMS", 0))
    except ValueError:
        return 0
    return max(0, min(count, BudgetLineFormSet.max_num))


def _without_errors(*forms_or_formsets) -> None:
    """Show bound forms with the user's input but no errors: adding a code is not saving the
    notice, so a title not yet typed must not be flagged while the user is elsewhere."""
    for item in forms_or_formsets:
        if isinstance(item, BaseFormSet):
            item._errors, item._non_form_errors = [], item.error_class()
            _without_errors(*item.forms)
        else:
            item._errors = ErrorDict()


def _notice_code_add(request, *, notice: FundNotice | None) -> HttpResponse:
    """「添加科目」: add the code, put it into the chosen budget line, keep every other input.

    Without JavaScript the whole form comes back; through htmx only the panel, with the
    filled input and the scheme's list swapped out of band.
    """
    user = request.user
    if not can_add_classification_codes(user):
        raise Http404
    post = request.POST
    code_form = ClassificationCodeForm(post, line_count=_line_count(post))
    added = None
    target = None
    if code_form.is_valid():
        data = code_form.cleaned_data
        try:
            added = codes.classification_code_add(
                user=user, scheme=data["scheme"], code=data["code"], name=data["name"]
            )
        except ValidationError as exc:
            add_validation_errors(code_form, exc)
        else:
            if data["line"] is not None:
                target = f"line-{data['line']}-{codes.SCHEME_FIELDS[added.scheme]}"
                post = post.copy()
                post[target] = added.code
    form, paragraphs, lines = _notice_forms(user, notice, post)
    _without_errors(form, paragraphs, lines)
    if added is not None:
        # A fresh panel for the next code, on the same scheme and line.
        code_form = ClassificationCodeForm(
            line_count=lines.total_form_count(),
            initial={"scheme": added.scheme, "line": code_form.cleaned_data["line"]},
        )
    filled = None
    if target is not None:
        line_form = lines.forms[int(target.split("-")[1])]
        filled = line_form[target.rsplit("-", 1)[1]]
    context = {
        "form": form,
        "paragraphs": paragraphs,
        "lines": lines,
        "notice": notice,
        "codes": classification_codes_by_scheme(),
        "code_form": code_form,
        "added": added,
        "filled": filled,
        # Swapped in by its id, so only this input changes in the page the user is typing in.
        "filled_widget": filled.as_widget(attrs={"hx-swap-oob": "true"}) if filled else "",
        "code_panel_open": True,
    }
    template = "allocations/notice_form.html"
    if request.htmx:
        return render(request, f"{template}#code_panel", {**context, "oob": True})
    return render(request, template, context, status=200 if added else 400)


@login_required
def notice_create(request: HttpRequest) -> HttpResponse:
    if not can_draft_notices(request.user):
        raise Http404
    return _notice_form_page(request, notice=None)


def _own_draft_or_refuse(request: HttpRequest, pk: int) -> FundNotice | HttpResponse:
    """The user's editable draft; an issued notice of their own is refused with a message
    (correct it by a new notice), anything else is a 404."""
    notice = notice_for_editing(request.user, pk)
    if notice is None:
        raise Http404
    if notice.status == FundNotice.Status.ISSUED:
        messages.error(
            request, "通知已印发，不能再修改；如需更正，请起草新通知并在依据中引用本通知。"
        )
        return redirect(notice)
    return notice


@login_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _own_draft_or_refuse(request, pk)
    if isinstance(notice, HttpResponse):
        return notice
    return _notice_form_page(request, notice=notice)


@login_required
@require_POST
def notice_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a 更正/补充通知 of an issued notice of the user's own bureau."""
    notice = notice_for_editing(request.user, pk)
    if notice is None:
        raise Http404
    try:
        draft = notices.notice_correction_create(notice=notice, user=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect(notice)
    messages.success(request, f"已起草{notice.doc_number}的更正（补充）通知，请修改正文后印发。")
    return redirect("allocations:notice_edit", draft.pk)


def _already_issued(request: HttpRequest, notice: FundNotice) -> HttpResponse:
    """A second 印发 (a double click, a resent form) lands here: the notice was issued once,
    which the user is told, not warned about."""
    messages.info(request, f"该通知已印发，发文字号 {notice.doc_number}，未重复印发。")
    return redirect(notice)


@login_required
def notice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation naming the 文号, the amount and the recipients; POST: issue."""
    notice = notice_for_editing(request.user, pk)
    if notice is None:
        raise Http404
    if notice.status == FundNotice.Status.ISSUED:
        return _already_issued(request, notice)
    if request.method != "POST":
        confirmation = issuing.issue_confirmation(notice)
        return render(
            request,
            "allocations/notice_issue_confirm.html",
            {"notice": notice, **vars(confirmation)},
        )
    version = posted_version(request.POST)
    try:
        if version is None:
            raise ValidationError(STALE_PAGE, code="version")
        notice = issuing.notice_issue(notice=notice, user=request.user, expected_version=version)
    except ValidationError as exc:
        current = notices_visible_to(request.user).get(pk=pk)
        if current.status == FundNotice.Status.ISSUED:
            # The other click of the pair issued it while this one waited.
            return _already_issued(request, current)
        for message in exc.messages:
            messages.error(request, message)
        return redirect(notice)
    drafts = notice_target_table_count(notice)
    messages.success(
        request,
        f"已印发，发文字号 {notice.doc_number}；已为主送单位生成 {drafts} 张绩效目标表草稿。",
    )
    return redirect(notice)


# ------------------------------------------------------------------------------------------
# Allocation tables


@login_required
@require_POST
def allocation_create(request: HttpRequest, pk: int) -> HttpResponse:
    notice = notice_draft(request.user, pk)
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
        "column_form": column_form
        or AllocationColumnForm(prefix="col", standards=standards_applying_to(notice.issuer)),
        "row_form": row_form
        or AllocationRowForm(
            notice=notice, prefix="row", initial={"label": notice.issuer.region.name}
        ),
        "table_form": table_form or AllocationTableForm(instance=table),
        "rounding_rule": ROUNDING_RULE,
        "unit_label": unit_label(table.unit),
        # A grid saved through htmx also refreshes the settings form's version out of band.
        "oob": bool(partial),
    }
    template = "allocations/allocation_editor.html"
    if partial:
        template = f"{template}#{partial}"
    return render(request, template, context, status=status)


@login_required
def allocation_edit(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    notice, table = allocation_table_for_editing(request.user, pk, table_pk)
    return _editor(request, notice, table)


@login_required
@require_POST
def allocation_cells(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    notice, table = allocation_table_for_editing(request.user, pk, table_pk)
    form = AllocationCellsForm(request.POST, computed=compute_allocation(table))
    partial = "grid" if request.htmx else None
    # htmx 2 does not swap a 4xx response: the grid with its messages at the cells comes
    # back as 200 so it replaces the old one; without JavaScript the page is a 400.
    invalid = 200 if partial else 400
    if form.is_valid():
        try:
            # The service claims the table's version and leaves the new one on `table`,
            # which the refreshed settings form below carries.
            table = allocation_tables.allocation_cells_update(
                table=table,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                values=form.values(),
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
            return _editor(request, notice, table, cells_form=form, status=invalid, partial=partial)
        if request.htmx:
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
    notice, table = allocation_table_for_editing(request.user, pk, table_pk)
    form = AllocationColumnForm(
        request.POST, prefix="col", standards=standards_applying_to(notice.issuer)
    )
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
    notice, table = allocation_table_for_editing(request.user, pk, table_pk)
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
    notice, table = allocation_table_for_editing(request.user, pk, table_pk)
    form = AllocationTableForm(request.POST, instance=allocation_table_copy(table))
    if form.is_valid():
        try:
            expected = posted_version(request.POST)
            if expected is None:
                raise ValidationError(STALE_PAGE, code="version")
            allocation_tables.allocation_table_update(
                table=table,
                user=request.user,
                expected_version=expected,
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
    notice, table = allocation_table_for_editing(request.user, pk, table_pk)
    if part not in ("row", "column"):
        raise Http404
    what = "这一行及其金额" if part == "row" else "这一列及其各行的数值"
    if asking := unconfirmed(
        request,
        question=f"删除{what}？删除后不能恢复。",
        cancel_url=reverse("allocations:allocation_edit", args=[pk, table_pk]),
    ):
        return asking
    try:
        with transaction.atomic():
            if part == "row":
                allocation_tables.allocation_row_delete(
                    row=allocation_row(table, part_pk), user=request.user
                )
            elif part == "column":
                allocation_tables.allocation_column_delete(
                    column=allocation_column(table, part_pk), user=request.user
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
    notice, table = allocation_table_for_editing(request.user, pk, table_pk)
    if asking := unconfirmed(
        request,
        question=f"删除整张分配表“{table.title}”（全部行、列和金额）？删除后不能恢复。",
        cancel_url=reverse("allocations:allocation_edit", args=[pk, table_pk]),
    ):
        return asking
    allocation_tables.allocation_table_delete(table=table, user=request.user)
    messages.success(request, "分配表已删除。")
    return redirect(notice)
