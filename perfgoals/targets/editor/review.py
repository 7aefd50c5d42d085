"""The review loop in the browser (issue 11): the bureau's 「提交审核」「撤回」「调整」 and the
reviewer's screen with its comment, correction (良) and decision forms.

Every view parses its input, calls one service of perfgoals.targets.review and renders or
redirects. A ValidationError from a service comes back as a Chinese message where it belongs:
on the form field it names, otherwise as a page message; an Http404 stays a 404. Every form
is a plain POST form, so the loop works without JavaScript.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from perfgoals.models import ReviewOpinion, TargetTable, User
from perfgoals.rendering import page_csrf_token
from perfgoals.selectors import table_is_editable_by
from perfgoals.services import ConcurrentEditError
from perfgoals.targets.editor.context import (
    editor_context,
    editor_url,
    header_display,
    int_or_none,
    review_actions,
    shows_snapshot,
)
from perfgoals.targets.editor.pages import render_editor_page
from perfgoals.targets.editor.tree import ReviewForms
from perfgoals.targets.review import (
    MAX_COMMENT,
    is_reviewer_of,
    review_comment_add,
    review_correct,
    review_stage,
    target_table_adjust,
    target_table_review,
    target_table_submit,
    target_table_withdraw,
)
from perfgoals.targets.selectors import target_table_visible
from perfgoals.validation import RefuseOverlong, add_validation_errors

Grade = ReviewOpinion.Grade

# What each grade decides, as the decision form explains it (财预〔2015〕88号).
GRADE_MEANINGS = {
    Grade.EXCELLENT: "目标完整、合理，审核通过",
    Grade.GOOD: "经与单位沟通后由审核人直接修正指标（请先在指标行上修正），审核通过",
    Grade.FAIR: "退回单位修改后重新报送",
    Grade.POOR: "不予通过，绩效目标不纳入预算",
}

VERSION_ERRORS = {
    "required": "页面缺少版本号，请刷新页面后重试。",
    "invalid": "版本号无效，请刷新页面后重试。",
}


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)


class DecisionForm(RefuseOverlong, forms.Form):
    # Free text, not a ChoiceField: the service names a wrong grade in its own words.
    grade = forms.CharField(label="审核等级", required=False)
    opinion = forms.CharField(
        label="审核意见",
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = _version_field()

    def grade_choices(self) -> list[tuple[str, str, str]]:
        return [(value, label, GRADE_MEANINGS[value]) for value, label in Grade.choices]


class CommentForm(RefuseOverlong, forms.Form):
    text = forms.CharField(
        label="批注",
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    indicator = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": "指标编号无效，请刷新页面后重试。"},
    )


class CorrectionForm(RefuseOverlong, forms.Form):
    value_text = forms.CharField(label="修正后的指标值", required=False, max_length=500)
    indicator = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "请选择要修正的指标。",
            "invalid": "指标编号无效，请刷新页面后重试。",
        },
    )
    version = _version_field()


class AdjustForm(RefuseOverlong, forms.Form):
    reason = forms.CharField(
        label="调整理由",
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写调整理由。"},
    )


def _detail(table_id: int) -> HttpResponse:
    return redirect(reverse("tables:detail", args=[table_id]))


def _screen(table_id: int, anchor: str = "") -> HttpResponse:
    url = reverse("tables:review", args=[table_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _message(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# --- the bureau ----------------------------------------------------------------------------


@login_required
@require_POST
def table_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """「提交审核」: on refusal, the editor with the errors and open warnings in the way."""
    table = target_table_visible(user=request.user, table_id=pk)
    version = int_or_none(request.POST.get("version"))
    if version is None:
        messages.error(request, VERSION_ERRORS["invalid"])
        return _detail(pk)
    try:
        target_table_submit(user=request.user, table_id=pk, version=version)
    except ConcurrentEditError as exc:
        messages.error(request, exc.message)
        return redirect(editor_url(table))
    except ValidationError as exc:
        findings = (getattr(exc, "params", None) or {}).get("findings")
        if findings and table_is_editable_by(table, request.user):
            refusal = {"message": exc.message, "findings": findings}
            return render_editor_page(request, table, refusal=refusal)
        messages.error(request, _message(exc))
        return _detail(pk)
    messages.success(request, "已提交审核，等待财政部门业务股室初审。")
    return _detail(pk)


@login_required
@require_POST
def table_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """「撤回」: back to 草稿, by the submitter, before the review starts."""
    target_table_visible(user=request.user, table_id=pk)
    try:
        table = target_table_withdraw(user=request.user, table_id=pk)
    except ValidationError as exc:
        messages.error(request, _message(exc))
        return _detail(pk)
    messages.success(request, "已撤回，此表回到草稿状态，可继续修改。")
    return redirect(editor_url(table))


@login_required
@require_http_methods(["GET", "POST"])
def table_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    """「调整」 of an approved table, with a required reason: a new draft to review again."""
    table = target_table_visible(user=request.user, table_id=pk)
    user = request.user
    if user.role != User.Role.BUREAU_STAFF or user.organisation_id != table.organisation_id:
        raise Http404("没有找到可调整的绩效目标表。")
    form = AdjustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            table = target_table_adjust(user=user, table_id=pk, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, _message(exc))
                return _detail(pk)
            add_validation_errors(form, exc, {"comment": "reason"})
        else:
            messages.success(
                request, "已开始调整：修改后请重新提交审核。调整获批准前，原批准版本继续有效。"
            )
            return redirect(editor_url(table))
    elif table.status != TargetTable.Status.APPROVED:
        messages.error(request, f"此表当前状态为“{table.get_status_display()}”，不能调整。")
        return _detail(pk)
    return render(request, "perfgoals/review/adjust.html", {"table": table, "form": form})


# --- the reviewer --------------------------------------------------------------------------


def render_review_screen(
    request: HttpRequest,
    table: TargetTable,
    *,
    decision: DecisionForm | None = None,
    comment: CommentForm | None = None,
    correction: CorrectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The table as it will be printed, its check results with the bureau's reasons, the
    review trail, and — for the reviewer of the current stage — the review's forms.

    A bound form with errors comes back at the row it was posted from (`form_row`)."""
    bound = comment if comment is not None else correction
    row = int_or_none(bound.data.get("indicator")) if bound is not None else None
    if row is not None and row not in _row_ids(table):
        row = None
    review_forms = None
    if is_reviewer_of(request.user, table):
        # Each row's comment and correction forms post here: reversed once, not per row.
        review_forms = ReviewForms(
            comment_url=reverse("tables:review_comment", args=[table.pk]),
            correct_url=reverse("tables:review_correct", args=[table.pk]),
            csrf_token=page_csrf_token(request),
            table_version=table.version,
            form_row=row,
            comment_form=comment,
            correction_form=correction,
        )
    context = editor_context(request, table, editable=False, review_forms=review_forms)
    actions = review_actions(request.user, table, context["trail"])
    context["header"] = header_display(table)
    context["actions"] = actions
    context["stage"] = review_stage(table)
    context["grade_meanings"] = GRADE_MEANINGS
    context["decision"] = decision or DecisionForm(initial={"version": table.version})
    context["comment_form"] = comment
    context["form_row"] = row
    # Errors with no form on the page to show them (not the reviewer; a row of another
    # table; a correction without a row): a forged or stale POST learns why as a message.
    homeless = [decision, comment, correction] if not actions.review else []
    if actions.review and correction is not None and row is None:
        homeless.append(correction)
    if actions.review and comment is not None and row is None and bound.data.get("indicator"):
        homeless.append(comment)
    for form in homeless:
        if form is not None and form.errors:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    return render(request, "perfgoals/review/review.html", context, status=status)


def _reviewable(request: HttpRequest, pk: int) -> TargetTable:
    """The table on the review screen: in the user's scope, or 404. An adjustment being
    drafted is not under review: outside the bureau it is its approved version."""
    table = target_table_visible(user=request.user, table_id=pk)
    if shows_snapshot(request.user, table) or (
        table.status == TargetTable.Status.DRAFT
        and request.user.organisation_id != table.organisation_id
    ):
        raise Http404("此表不在审核中。")
    return table


@login_required
def table_review(request: HttpRequest, pk: int) -> HttpResponse:
    table = _reviewable(request, pk)
    return render_review_screen(request, table)


def _row_ids(table: TargetTable) -> set[int]:
    return set(table.indicators.values_list("pk", flat=True))


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    table = _reviewable(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return render_review_screen(request, table, decision=form)
    try:
        table = target_table_review(
            user=request.user,
            table_id=pk,
            version=form.cleaned_data["version"],
            grade=form.cleaned_data["grade"],
            opinion=form.cleaned_data["opinion"],
        )
    except ConcurrentEditError as exc:
        messages.error(request, exc.message)
        return _screen(pk)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            add_validation_errors(form, exc, {"comment": "opinion"})
            return render_review_screen(request, table, decision=form)
        messages.error(request, _message(exc))
        return _screen(pk)
    messages.success(request, f"已提交审核意见，此表现为“{table.get_status_display()}”。")
    return _detail(pk)


@login_required
@require_POST
def review_comment(request: HttpRequest, pk: int) -> HttpResponse:
    table = _reviewable(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        indicator = form.cleaned_data["indicator"]
        if indicator is not None and indicator not in _row_ids(table):
            form.add_error("indicator", "该指标不属于此表，请刷新页面后重试。")
    if not form.is_valid():
        return render_review_screen(request, table, comment=form)
    try:
        review_comment_add(
            user=request.user,
            table_id=pk,
            text=form.cleaned_data["text"],
            indicator_id=indicator,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            add_validation_errors(form, exc, {"comment": "text"})
            return render_review_screen(request, table, comment=form)
        messages.error(request, _message(exc))
        return _screen(pk)
    messages.success(request, "批注已保存，填报单位修改时可在对应指标行看到。")
    return _screen(pk, f"row-{indicator}" if indicator else "table-comments")


@login_required
@require_POST
def review_correction(request: HttpRequest, pk: int) -> HttpResponse:
    """The 良 path: the reviewer corrects one indicator's value; recorded as theirs."""
    table = _reviewable(request, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid() and form.cleaned_data["indicator"] not in _row_ids(table):
        form.add_error("indicator", "该指标不属于此表，请刷新页面后重试。")
    if not form.is_valid():
        return render_review_screen(request, table, correction=form)
    indicator = form.cleaned_data["indicator"]
    try:
        review_correct(
            user=request.user,
            table_id=pk,
            version=form.cleaned_data["version"],
            indicator_id=indicator,
            value_text=form.cleaned_data["value_text"],
        )
    except ConcurrentEditError as exc:
        messages.error(request, exc.message)
        return _screen(pk, f"row-{indicator}")
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            add_validation_errors(form, exc)
            return render_review_screen(request, table, correction=form)
        messages.error(request, _message(exc))
        return _screen(pk)
    messages.success(request, "已修正指标值，修正记录为您的修改并告知填报单位。")
    return _screen(pk, f"row-{indicator}")
