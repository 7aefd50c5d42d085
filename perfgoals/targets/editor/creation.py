"""The 新建绩效目标表 page: choose a layout (or a table to copy), then fill the header.

Step 1 (GET without a layout) offers the layouts and the tables to copy; step 2 (GET with
?layout= or ?copy_from=) shows the header of that layout; its POST calls the one service,
perfgoals.targets.creation.target_table_create, and opens the editor of the new draft.
An error re-renders step 2 with everything the user typed and the message at its field.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from perfgoals.layouts import Layout
from perfgoals.models import TargetTable
from perfgoals.targets.creation import (
    CREATABLE_LAYOUTS,
    NOT_COPIED,
    YEAR_RANGE,
    copy_sources,
    last_year_table,
    may_create,
    target_table_create,
)
from perfgoals.targets.editor.context import editor_url
from perfgoals.targets.forms import TargetTableForm
from perfgoals.validation import RefuseOverlong, add_validation_errors

LAYOUT_HELP = {
    Layout.PROJECT: "项目支出绩效目标表：资金情况、总体目标（中期、年度）和三级指标。",
    Layout.DEPT_PROJECT: "部门预算项目绩效目标表：含项目编码、资金用途、资金支出计划，六栏指标。",
    Layout.DEPARTMENT: "部门整体支出绩效目标表：部门职能、年度预算申请、整体绩效目标。",
    Layout.TRANSFER: "转移支付区域绩效目标表：专项名称、财政部门、主管部门、年度目标。",
}
# Fields of the create form itself; a service error on any other name goes to the header.
OWN_FIELDS = ("layout", "year", "copy_from")


class CreateForm(RefuseOverlong, forms.Form):
    layout = forms.ChoiceField(
        label="表样",
        choices=[(layout.value, layout.label) for layout in CREATABLE_LAYOUTS],
        widget=forms.HiddenInput,
        error_messages={"required": "请选择表样。", "invalid_choice": "请选择表样。"},
    )
    year = forms.IntegerField(
        label="年度",
        min_value=YEAR_RANGE[0],
        max_value=YEAR_RANGE[1],
        error_messages={
            "required": "请填写年度。",
            "invalid": "年度应为四位数字，如 2026。",
            "min_value": f"年度应在{YEAR_RANGE[0]}至{YEAR_RANGE[1]}之间。",
            "max_value": f"年度应在{YEAR_RANGE[0]}至{YEAR_RANGE[1]}之间。",
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "num", "size": 6, "autofocus": True}
        ),
    )
    copy_from = forms.IntegerField(required=False, widget=forms.HiddenInput)


class HeaderForm(TargetTableForm):
    """The layout's header fields, without the editor's version field (nothing to claim yet)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]


def _source(request: HttpRequest, value) -> TargetTable | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return copy_sources(request.user).filter(pk=pk).first()


def _copied_initial(source: TargetTable) -> dict:
    """The header a copy starts with: the source's, except amounts and spending plan."""
    names = [name for name in HeaderForm.base_fields if name not in NOT_COPIED]
    return {name: getattr(source, name) for name in names if name != "version"}


@login_required
@require_http_methods(["GET", "POST"])
def table_create(request: HttpRequest) -> HttpResponse:
    if not may_create(request.user):
        raise PermissionDenied("只有业务单位经办人可以新建本单位的绩效目标表。")
    data = request.POST if request.method == "POST" else request.GET
    source = _source(request, data.get("copy_from"))
    layout = source.layout if source else data.get("layout", "")
    this_year = timezone.localdate().year
    if layout not in CREATABLE_LAYOUTS:
        return _choose_page(request, this_year, bad_copy="copy_from" in data and not source)

    if request.method == "POST":
        form = CreateForm(request.POST)
        header = HeaderForm(request.POST, layout=layout)
        if form.is_valid() & header.is_valid():
            values = header.header_data()
            try:
                table = target_table_create(
                    user=request.user,
                    layout=form.cleaned_data["layout"],
                    year=form.cleaned_data["year"],
                    project_name=values.pop("project_name", ""),
                    header=values,
                    copy_from_id=form.cleaned_data["copy_from"],
                )
            except ValidationError as exc:
                _put_errors(exc, form, header)
            else:
                done = "已复制" if table.copied_from_id else "已新建"
                messages.success(
                    request, f"{done}{table.year}年「{table.project_name}」，请继续填写。"
                )
                return redirect(editor_url(table))
    else:
        year = source.year + 1 if source else this_year
        form = CreateForm(
            initial={"layout": layout, "year": year, "copy_from": source.pk if source else None}
        )
        initial = _copied_initial(source) if source else {"title": Layout(layout).label}
        header = HeaderForm(layout=layout, initial=initial)
    return render(
        request,
        "perfgoals/editor/create.html",
        {
            "step": 2,
            "form": form,
            "header": header,
            "layout_label": Layout(layout).label,
            "source": source,
        },
    )


def _put_errors(exc: ValidationError, form: CreateForm, header: HeaderForm) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = form if name in OWN_FIELDS else header
        add_validation_errors(target, ValidationError({name: errors}))


def _choose_page(request: HttpRequest, this_year: int, *, bad_copy: bool) -> HttpResponse:
    """Step 1: the layouts, last year's tables of the organisation, any visible table."""
    own_last_year = list(
        TargetTable.objects.filter(
            organisation_id=request.user.organisation_id, year=this_year - 1
        ).order_by("layout", "project_name")
    )
    visible = list(copy_sources(request.user)[:300])
    return render(
        request,
        "perfgoals/editor/create.html",
        {
            "step": 1,
            "layouts": [
                (layout.value, layout.label, LAYOUT_HELP[layout]) for layout in CREATABLE_LAYOUTS
            ],
            "this_year": this_year,
            "own_last_year": own_last_year,
            "visible": visible,
            "bad_copy": bad_copy,
        },
        status=404 if bad_copy else 200,
    )


@login_required
def last_year_lookup(request: HttpRequest) -> HttpResponse:
    """「复制上年」 on step 2: last year's table of the same project, if the organisation has
    one; an htmx fragment (a link to copy it) or, without htmx, a redirect to the copy."""
    if not may_create(request.user):
        raise PermissionDenied("只有业务单位经办人可以新建本单位的绩效目标表。")
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    found = last_year_table(
        user=request.user,
        year=year,
        project_code=request.GET.get("project_code", ""),
        project_name=request.GET.get("project_name", ""),
    )
    if not request.htmx and found is not None:
        return redirect(f"{reverse('tables:create')}?copy_from={found.pk}")
    return render(request, "perfgoals/editor/create.html#last_year", {"found": found, "year": year})
