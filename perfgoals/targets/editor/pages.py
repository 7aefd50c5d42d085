"""The target-table pages: the read view and the editor (header fields, tree, lint panel).

The indicator rows are changed through the htmx endpoints in rows.py; they render the same
partials of the editor template through `editor_context`, so the tree looks the same whether
it came with the page or after a row change.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from indicators.selectors import attach_basis_sources
from perfgoals.models import TargetTable
from perfgoals.selectors import table_is_editable_by
from perfgoals.services import ConcurrentEditError, target_table_editable, target_table_update
from perfgoals.targets.creation import may_create
from perfgoals.targets.editor.context import (
    EditorState,
    copied_from_display,
    editor_context,
    editor_url,
    header_display,
    header_sections,
    review_actions,
    shows_snapshot,
)
from perfgoals.targets.forms import TargetTableForm
from perfgoals.targets.review import snapshot_rows
from perfgoals.targets.selectors import target_table_visible
from perfgoals.validation import add_validation_errors


@login_required
def table_detail(request: HttpRequest, pk: int) -> HttpResponse:
    table = target_table_visible(user=request.user, table_id=pk)
    if shows_snapshot(request.user, table):
        snapshot = table.approved_snapshot
        frozen, rows = snapshot_rows(snapshot)
        attach_basis_sources(rows)
        context = editor_context(
            request, frozen, editable=False, snapshot=snapshot, frozen_rows=rows
        )
        context["header"] = header_display(frozen)
        context["live_table"] = table
        return render(request, "perfgoals/editor/detail.html", context)
    context = editor_context(request, table, editable=False)
    context["can_edit"] = table_is_editable_by(table, request.user)
    context["header"] = header_display(table)
    context["actions"] = review_actions(request.user, table, context["trail"])
    context["can_copy"] = may_create(request.user)
    context["copied_from"] = copied_from_display(request.user, table)
    return render(request, "perfgoals/editor/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def table_edit(request: HttpRequest, pk: int) -> HttpResponse:
    table = target_table_editable(user=request.user, table_id=pk)
    form = None
    current_values: dict[str, Any] = {}
    if request.method == "POST":
        form = TargetTableForm(request.POST, instance=table, layout=table.layout)
        if form.is_valid():
            try:
                target_table_update(
                    user=request.user,
                    table_id=pk,
                    version=form.cleaned_data["version"],
                    data=form.header_data(),
                )
            except ConcurrentEditError as exc:
                form.add_error(None, exc.message)
                current_values = _differing_values(form, exc.table)
                # Saving again, after seeing the other user's values, is a deliberate choice.
                form.data = form.data.copy()
                form.data["version"] = str(exc.table.version)
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, "表头已保存。")
                for note in form.conversions():
                    messages.info(request, note)
                return redirect(editor_url(table))
        # The form validated against `table`, which it modified: read the stored one again.
        table = target_table_editable(user=request.user, table_id=pk)
    return render_editor_page(request, table, form=form, current_values=current_values)


def render_editor_page(
    request: HttpRequest,
    table: TargetTable,
    *,
    form: TargetTableForm | None = None,
    state: EditorState | None = None,
    current_values: dict | None = None,
    refusal: Any = None,
) -> HttpResponse:
    """The editor page; `refusal` lists what kept 「提交审核」 from going through."""
    context = editor_context(request, table, editable=True, state=state)
    if form is None:
        form = TargetTableForm(
            instance=table, layout=table.layout, initial={"version": table.version}
        )
    context["form"] = form
    context["sections"] = header_sections(form, context, current_values or {})
    context["checked"] = request.GET.get("checked") == "1"
    context["actions"] = review_actions(request.user, table, context["trail"])
    context["refusal"] = refusal
    return render(request, "perfgoals/editor/editor.html", context)


@login_required
def table_tree(request: HttpRequest, pk: int) -> HttpResponse:
    """The tree as saved (cancels an edit in place); the editor page without htmx."""
    table = target_table_editable(user=request.user, table_id=pk)
    if not request.htmx:
        return redirect(editor_url(table, "tree"))
    context = editor_context(request, table, editable=True)
    return render(request, "perfgoals/editor/editor.html#tree_changed", context)


def _differing_values(form: TargetTableForm, stored: TargetTable) -> dict[str, Any]:
    """Fields where the other user's saved value differs from what this user typed."""
    differing = {}
    for name, value in form.header_data().items():
        theirs = getattr(stored, name)
        if theirs != value and not (theirs in (None, "") and value in (None, "")):
            field = stored._meta.get_field(name)
            differing[name] = stored._get_FIELD_display(field) if field.choices else theirs
    return differing


@login_required
def table_lint(request: HttpRequest, pk: int) -> HttpResponse:
    """On-demand check: the findings panel for htmx, the page with the panel otherwise."""
    table = target_table_visible(user=request.user, table_id=pk)
    editable = table_is_editable_by(table, request.user)
    if not request.htmx:
        target = "tables:edit" if editable else "tables:detail"
        return redirect(f"{reverse(target, args=[pk])}?checked=1#lint-panel")
    context = editor_context(request, table, editable=editable)
    context["checked"] = True
    return render(request, "perfgoals/editor/editor.html#lint_checked", context)
