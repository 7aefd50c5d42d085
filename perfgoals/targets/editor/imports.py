"""「从Excel导入」: upload a workbook, review what was found, confirm; drafts are created."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from perfgoals.models import User
from perfgoals.targets.imports import storage
from perfgoals.targets.imports.report import header_items, mid_note, tree_lines
from perfgoals.targets.imports.services import (
    ImportBlocked,
    import_tables_save,
    parse_upload,
    preview_tables,
)
from perfgoals.targets.imports.workbook import MAX_FILE_BYTES, ImportRefused

LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "子项"}


class UploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
    year = forms.IntegerField(
        label="年度（表中没有写年度时使用）", min_value=2000, max_value=2100, required=False
    )


def _importer(request: HttpRequest) -> User:
    user = request.user
    if user.role != User.Role.BUREAU_STAFF or user.organisation_id is None:
        raise PermissionDenied("只有业务单位经办人可以从Excel导入绩效目标表。")
    return user


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    user = _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    refused = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        year = form.cleaned_data["year"] or timezone.localdate().year
        if upload.size > MAX_FILE_BYTES:
            refused = (
                f"文件太大（{upload.size / 1024 / 1024:.1f} MB），"
                f"上限为 {MAX_FILE_BYTES // 1024 // 1024} MB。"
            )
        else:
            try:
                parsed = parse_upload(upload.read())
            except ImportRefused as exc:
                refused = str(exc)
            else:
                if not parsed.tables:
                    refused = (
                        "文件中没有找到绩效目标表："
                        + "；".join(
                            f"工作表“{sheet}”缺少 {missing}" for sheet, missing in parsed.skipped
                        )
                        if parsed.skipped
                        else "文件中没有找到绩效目标表：工作簿是空的。"
                    )
                else:
                    token = storage.store(request.session, parsed, filename=upload.name, year=year)
                    return redirect("tables:import_preview", token=token)
    status = 400 if refused or form.errors else 200
    return render(
        request,
        "perfgoals/imports/upload.html",
        {"form": form, "refused": refused, "organisation": user.organisation},
        status=status,
    )


def _table_view(preview) -> dict:
    return {
        "preview": preview,
        "header": header_items(preview),
        "rows": [
            {"level": level, "level_name": LEVEL_NAMES[level], "node": node}
            for level, node in tree_lines(preview.parsed.tree)
        ],
        "mid_note": mid_note(preview),
        "unrecognised": preview.parsed.unrecognised[:200],
        "more_unrecognised": max(0, len(preview.parsed.unrecognised) - 200),
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    user = _importer(request)
    stored = storage.load(request.session, token)
    if stored is None:
        return render(
            request,
            "perfgoals/imports/upload.html",
            {
                "form": UploadForm(),
                "refused": "预览已过期或不属于您，请重新上传文件。",
                "organisation": user.organisation,
            },
            status=404,
        )
    parsed, filename, year = stored
    previews = preview_tables(parsed, organisation=user.organisation, year=year)
    error = ""
    if request.method == "POST":
        if "cancel" in request.POST:
            storage.discard(request.session, token)
            return redirect("tables:import")
        try:
            created = import_tables_save(
                user=user, organisation=user.organisation, previews=previews
            )
        except ImportBlocked as exc:
            error = f"没有保存任何表：{exc}"
        else:
            storage.discard(request.session, token)
            return render(request, "perfgoals/imports/done.html", {"created": created})
    return render(
        request,
        "perfgoals/imports/preview.html",
        {
            "token": token,
            "filename": filename,
            "tables": [_table_view(p) for p in previews],
            "skipped": parsed.skipped,
            "savable": all(p.savable for p in previews),
            "error": error,
            "organisation": user.organisation,
        },
        status=400 if error else 200,
    )
