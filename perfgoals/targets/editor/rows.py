"""htmx endpoints of the indicator-tree editor, one per row action.

Each answers an htmx request with the re-rendered tree (the 一级/二级 cells span the rows
below them, so one added row changes the cells above it), the findings panel and the new
table version as out-of-band swaps. Without JavaScript the same URLs take plain GETs and
POSTs: a GET renders the whole editor page in the requested state, a successful POST
redirects back to the editor at the row's anchor.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from indicators.forms import IndicatorRowForm, PasteForm
from indicators.library import (
    fund_type_for,
    library_categories,
    library_fund_types,
    library_search,
)
from indicators.models import PerformanceIndicator
from indicators.selectors import indicator_get, rows_below, sibling_index
from indicators.services import (
    ROW_FIELDS,
    RowConflictError,
    indicator_add,
    indicator_delete,
    indicator_editable,
    indicator_insert,
    indicator_move,
    indicator_paste,
    indicator_update,
)
from perfgoals.models import TargetTable
from perfgoals.rendering import page_csrf_token
from perfgoals.services import ConcurrentEditError, target_table_editable
from perfgoals.targets.acknowledgements import (
    indicator_apply_suggestion,
    lint_acknowledgement_withdraw,
    lint_warning_acknowledge,
)
from perfgoals.targets.editor.context import (
    END,
    Draft,
    EditorState,
    RowUrls,
    draft_from_request,
    editor_context,
    editor_url,
    int_or_none,
    library_groups,
    next_draft,
    next_row_url,
    row_form,
)
from perfgoals.targets.editor.pages import render_editor_page
from perfgoals.targets.editor.tree import ops_menu
from perfgoals.validation import add_validation_errors


def render_editor(
    request: HttpRequest, table_id: int, state: EditorState | None = None
) -> HttpResponse:
    """The tree (htmx) or the whole editor page (plain request) for the table's current state."""
    table = target_table_editable(user=request.user, table_id=table_id)
    if not request.htmx:
        return render_editor_page(request, table, state=state)
    context = editor_context(request, table, editable=True, state=state)
    return render(request, "perfgoals/editor/editor.html#tree_changed", context)


def _tree_table(request: HttpRequest, table_pk: int) -> TargetTable:
    """The table if the user may edit it now and its layout has an indicator tree; else 404."""
    table = target_table_editable(user=request.user, table_id=table_pk)
    if not table.has_indicator_tree:
        raise Http404("此表样没有绩效指标。")
    return table


def _render_panel(request: HttpRequest, template: str, partial: str, context: dict) -> HttpResponse:
    """The panel alone for htmx, the page around it for a plain request."""
    return render(request, f"{template}#{partial}" if request.htmx else template, context)


def _conflict(request: HttpRequest, table_id: int, exc: ConcurrentEditError) -> HttpResponse:
    if request.htmx:
        return render_editor(request, table_id, EditorState(tree_error=exc.message))
    messages.error(request, exc.message)
    return redirect(editor_url(exc.table, "tree"))


def _following_draft(row: PerformanceIndicator) -> Draft:
    """The row typed after `row` when the tree is typed top-down: a 一级 or 二级 goes on with
    its first child, a 三级 or 子项 with the next sibling."""
    if row.level < PerformanceIndicator.Level.THIRD:
        return Draft(parent_id=row.pk, level=row.level + 1, index=0)
    return next_draft(row)


def _following_url(row: PerformanceIndicator) -> str:
    """The no-JS twin of `_following_draft`."""
    if row.level < PerformanceIndicator.Level.THIRD:
        url = reverse("tables:row_new", args=[row.table_id])
        return f"{url}?parent={row.pk}&position=1#row-new"
    return next_row_url(row)


def _after_save(request, table_id: int, row: PerformanceIndicator, want_next: bool):
    if request.htmx:
        state = EditorState(draft=_following_draft(row) if want_next else None)
        return render_editor(request, table_id, state)
    if want_next:
        return redirect(_following_url(row))
    return redirect(editor_url(row.table, f"row-{row.pk}"))


# What a level change keeps of the row being typed: the draft row is re-rendered elsewhere.
TYPED_FIELDS = ("name", "value_text", "description", "basis")


class LevelRefused(Exception):
    """A level change that cannot be made; the message is shown at the row's name."""


def _shifted_draft(table_id: int, draft: Draft, shift: str) -> Draft:
    """The draft one level deeper ("in": the last child of the sibling above it) or one level
    higher ("out": the sibling right below its parent).

    Rows already saved keep their places: only where the row being typed goes changes."""
    if shift == "in":
        if draft.level >= PerformanceIndicator.Level.SUB_ITEM:
            raise LevelRefused("子项下不能再添加下级指标（最多四级：一级、二级、三级、子项）。")
        above = (
            PerformanceIndicator.objects.filter(table_id=table_id, parent_id=draft.parent_id)
            .order_by("position", "id")
            .only("pk", "level")[: draft.index]
        )
        above = list(above)
        if not above:
            raise LevelRefused("上方没有同级指标，不能降为下级。")
        previous = above[-1]
        return Draft(parent_id=previous.pk, level=previous.level + 1, index=END)
    if shift == "out":
        if draft.parent_id is None:
            raise LevelRefused("一级指标不能再升级。")
        parent = indicator_get(table_id=table_id, indicator_id=draft.parent_id)
        return Draft(
            parent_id=parent.parent_id,
            level=parent.level,
            index=sibling_index(parent) + 1,
            anchor_id=parent.pk,
            where="below",
        )
    raise LevelRefused("无法识别的层级调整：只能降一级或升一级。")


def _typed(data) -> dict[str, str]:
    return {name: data[name] for name in TYPED_FIELDS if name in data}


def _version_read(data, table: TargetTable) -> int:
    """The version the typed text was based on, when a GET carries it back (the login round
    trip of perfgoals/operations/middleware.py), so a save still sees what changed since."""
    return int_or_none(data.get("version")) or table.version


def _draft_form(user, table: TargetTable, data, refusal: str = "") -> IndicatorRowForm:
    """The form of a draft opened by GET: blank, or holding what was typed before a level
    change (and why the change was refused, at the name)."""
    typed = _typed(data)
    if not typed and not refusal:
        return row_form(user, initial={"version": table.version})
    form = row_form(user, {"version": _version_read(data, table), **typed})
    form.is_valid()
    if refusal:
        form.add_error("name", refusal)
    return form


@login_required
@require_http_methods(["GET", "POST"])
def row_new(request: HttpRequest, table_pk: int) -> HttpResponse:
    """A blank row typed in place: a new 一级, a child of `parent`, or beside an `anchor`.

    A GET with `shift` ("in" or "out") opens the row one level deeper or higher than those
    parameters say, keeping the typed `name`, `value_text`, `description` and `basis`: the
    keyboard's level change (Alt+→ / Alt+←) of the row being typed."""
    table = _tree_table(request, table_pk)
    data = request.POST if request.method == "POST" else request.GET
    draft = draft_from_request(data, table.pk)
    if request.method == "GET":
        refusal = ""
        if "shift" in data:
            try:
                draft = _shifted_draft(table.pk, draft, data["shift"])
            except LevelRefused as exc:
                refusal = str(exc)
        draft.form = _draft_form(request.user, table, data, refusal)
        return render_editor(request, table.pk, EditorState(draft=draft))
    form = row_form(request.user, request.POST)
    draft.form = form
    if form.is_valid():
        try:
            if draft.anchor_id is not None:
                row = indicator_insert(
                    user=request.user,
                    indicator_id=draft.anchor_id,
                    where=draft.where,
                    fields=form.row_fields(),
                )
            else:
                row = indicator_add(
                    user=request.user,
                    table_id=table.pk,
                    parent_id=draft.parent_id,
                    fields=form.row_fields(),
                    position=draft.position,
                )
        except ConcurrentEditError as exc:
            return _conflict(request, table.pk, exc)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return _after_save(request, table.pk, row, form.cleaned_data["next"])
    return render_editor(request, table.pk, EditorState(draft=draft))


@login_required
@require_http_methods(["GET", "POST"])
def row_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = indicator_editable(user=request.user, indicator_id=pk)
    if request.method == "GET":
        stored = {name: getattr(row, name) for name in ROW_FIELDS}
        if typed := _typed(request.GET):
            # Text typed before a detour (the login after an expired session) comes back.
            read = int_or_none(request.GET.get("row_version")) or row.version
            form = row_form(
                request.user,
                {
                    **stored,
                    "version": _version_read(request.GET, row.table),
                    "row_version": read,
                    **typed,
                },
            )
            form.is_valid()
        else:
            form = row_form(
                request.user,
                initial={"version": row.table.version, "row_version": row.version, **stored},
            )
        return render_editor(request, row.table_id, EditorState(editing_id=pk, row_form=form))
    form = row_form(request.user, request.POST)
    if form.is_valid():
        try:
            row = indicator_update(
                user=request.user,
                indicator_id=pk,
                version=form.cleaned_data["version"],
                row_version=form.cleaned_data["row_version"],
                fields=form.row_fields(),
            )
        except RowConflictError as exc:
            return _row_conflict(request, pk, form, exc)
        except ConcurrentEditError as exc:
            return _conflict(request, row.table_id, exc)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return _after_save(request, row.table_id, row, form.cleaned_data["next"])
    return render_editor(request, row.table_id, EditorState(editing_id=pk, row_form=form))


def _row_conflict(
    request: HttpRequest, pk: int, form: IndicatorRowForm, exc: RowConflictError
) -> HttpResponse:
    """The same row saved by someone else: the typed text stays in the open row, their values
    are listed under each field that differs, and the form now carries the current versions,
    so saving again (keeping this user's text) is a deliberate choice."""
    typed = form.row_fields()
    theirs = {
        name: getattr(exc.row, name)
        for name, value in typed.items()
        if (getattr(exc.row, name) or "") != (value or "")
    }
    form.data = form.data.copy()
    form.data["version"] = str(exc.table.version)
    form.data["row_version"] = str(exc.row.version)
    state = EditorState(
        editing_id=pk, row_form=form, tree_error=exc.message, extra={"theirs": theirs}
    )
    return render_editor(request, exc.row.table_id, state)


def _simple_row_action(request: HttpRequest, pk: int, action) -> HttpResponse:
    row = indicator_editable(user=request.user, indicator_id=pk)
    version = int_or_none(request.POST.get("version"))
    try:
        # A version this table has had: a stale page is fine for a move, a forged one is not.
        if version is None or not 1 <= version <= row.table.version:
            raise ValidationError("页面已过期，请刷新后再操作。")
        anchor = action(row, version)
    except ConcurrentEditError as exc:
        return _conflict(request, row.table_id, exc)
    except ValidationError as exc:
        message = "；".join(exc.messages)
        if request.htmx:
            return render_editor(request, row.table_id, EditorState(tree_error=message))
        messages.error(request, message)
        return redirect(editor_url(row.table, f"row-{row.pk}"))
    if request.htmx:
        return render_editor(request, row.table_id)
    return redirect(editor_url(row.table, anchor))


@login_required
@require_POST
def row_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    if direction not in ("up", "down"):
        raise Http404

    def move(row, version):
        indicator_move(user=request.user, indicator_id=row.pk, direction=direction)
        return f"row-{row.pk}"

    return _simple_row_action(request, pk, move)


@login_required
@require_POST
def row_apply_suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the normal form a lint finding suggests (≧85% → ≥85%, 1 → 100%)."""
    key = request.POST.get("key", "")[:64]

    def apply(row, version):
        indicator_apply_suggestion(user=request.user, indicator_id=row.pk, version=version, key=key)
        return f"row-{row.pk}"

    return _simple_row_action(request, pk, apply)


@login_required
@require_http_methods(["GET", "POST"])
def row_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (the no-JS path; htmx asks with hx-confirm), POST deletes."""
    if request.method == "GET":
        row = indicator_editable(user=request.user, indicator_id=pk)
        context = {"row": row, "table": row.table, "below": rows_below(row)}
        return render(request, "perfgoals/editor/row_delete.html", context)

    def delete(row, version):
        # The row's version where the page sent it: only a change of this row refuses.
        row_version = int_or_none(request.POST.get("row_version"))
        indicator_delete(
            user=request.user, indicator_id=row.pk, version=version, row_version=row_version
        )
        return f"row-{row.parent_id}" if row.parent_id else "tree"

    return _simple_row_action(request, pk, delete)


@login_required
@require_GET
def row_actions(request: HttpRequest, pk: int) -> HttpResponse:
    """A row's actions on a page of their own: where the row menu leads without JavaScript."""
    row = indicator_editable(user=request.user, indicator_id=pk)
    row.urls = RowUrls().of(row.pk)
    menu = ops_menu(
        row,
        row_new_url=reverse("tables:row_new", args=[row.table_id]),
        table_version=row.table.version,
        csrf_token=page_csrf_token(request),
    )
    context = {"row": row, "table": row.table, "menu": menu}
    return render(request, "perfgoals/editor/row_actions.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def paste(request: HttpRequest, table_pk: int) -> HttpResponse:
    """Rows copied from Excel: preview first, then add them to the tree."""
    table = _tree_table(request, table_pk)
    if request.method == "GET":
        form = PasteForm(initial={"version": table.version})
        return _paste_response(request, table, form)
    form = PasteForm(request.POST)
    if not form.is_valid() or request.POST.get("action") != "apply" or form.result.problems:
        return _paste_response(request, table, form)
    try:
        added = indicator_paste(
            user=request.user,
            table_id=table.pk,
            rows=form.result.rows,
        )
    except ConcurrentEditError as exc:
        return _conflict(request, table.pk, exc)
    except ValidationError as exc:
        form.add_error("text", exc)
        return _paste_response(request, table, form)
    message = f"已粘贴{len(form.result.rows)}行指标（新增{added}行，含新建的一级、二级指标）。"
    if request.htmx:
        state = EditorState(extra={"pasted": message})
        return render_editor(request, table.pk, state)
    messages.success(request, message)
    return redirect(editor_url(table, "tree"))


def _paste_response(request, table: TargetTable, form: PasteForm) -> HttpResponse:
    context = {
        "table": table,
        "paste_form": form,
        "result": getattr(form, "result", None),
        "preview": request.method == "POST",
    }
    return _render_panel(request, "perfgoals/editor/paste.html", "paste_panel", context)


@login_required
@require_GET
def library(request: HttpRequest, table_pk: int) -> HttpResponse:
    """Pick a 三级 indicator used before, grouped by 二级 category and fund type.

    The row it fills is given like for row_new (parent/position or anchor/where), or as
    `row` for an existing row whose name and value are replaced.
    """
    table = _tree_table(request, table_pk)
    row_id = int_or_none(request.GET.get("row"))
    row = None
    draft = None
    if row_id is not None:
        row = indicator_get(table_id=table.pk, indicator_id=row_id, with_parent=True)
        if row is None:
            raise Http404("没有找到指标。")
        parent = row.parent
    else:
        draft = draft_from_request(request.GET, table.pk)
        parent = indicator_get(table_id=table.pk, indicator_id=draft.parent_id)
    query = request.GET.get("q", "").strip()[:100]
    category_param = request.GET.get("category")
    if category_param is None:
        # First visit: offer what fits the 二级 the row sits under.
        category_id = parent.category_id if parent is not None and parent.level == 2 else None
    else:
        category_id = int_or_none(category_param)
    fund_type = request.GET.get("fund_type")
    if fund_type is None:
        fund_type = ""
        default_fund_type = fund_type_for(table.project_name, table.spending_direction)
    else:
        default_fund_type = ""
    entries = library_search(
        organisation_id=table.organisation_id,
        query=query,
        category_id=category_id,
        fund_type=fund_type,
        limit=60,
    )
    context = {
        "table": table,
        "row": row,
        "draft": draft,
        "parent": parent,
        "query": query,
        "category_id": category_id,
        "fund_type": fund_type,
        "default_fund_type": default_fund_type,
        "categories": library_categories(organisation_id=table.organisation_id),
        "fund_types": library_fund_types(organisation_id=table.organisation_id),
        "groups": library_groups(entries, default_fund_type),
        "entry_count": len(entries),
        "params": request.GET,
    }
    return _render_panel(request, "perfgoals/editor/library.html", "library_panel", context)


@login_required
@require_POST
def lint_acknowledge(request: HttpRequest, table_pk: int) -> HttpResponse:
    """Confirm a lint warning as intended (确认无误), or take the confirmation back."""
    table = target_table_editable(user=request.user, table_id=table_pk)
    key = request.POST.get("key", "")[:64]
    withdraw = request.POST.get("withdraw") == "1"
    message = ""
    try:
        if withdraw:
            lint_acknowledgement_withdraw(user=request.user, table_id=table.pk, key=key)
        else:
            lint_warning_acknowledge(
                user=request.user,
                table_id=table.pk,
                key=key,
                reason=request.POST.get("reason", "")[:1000],
            )
    except ValidationError as exc:
        message = "；".join(exc.messages)
    if request.htmx:
        state = EditorState(extra={"lint_message": message})
        context = editor_context(request, table, editable=True, state=state)
        return render(request, "perfgoals/editor/editor.html#lint_changed", context)
    if message:
        messages.error(request, message)
    else:
        messages.success(request, "已撤销确认。" if withdraw else "已确认该警告。")
    return redirect(editor_url(table, "lint-panel"))
