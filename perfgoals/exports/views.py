from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.encoding import escape_uri_path
from django.views.decorators.http import require_GET, require_POST

from perfgoals.audit import audit_record
from perfgoals.exports.jobs import export_job_create, export_jobs_recover
from perfgoals.exports.kinds import KINDS, exportable_objects
from perfgoals.exports.models import ExportJob
from perfgoals.exports.selectors import export_jobs_visible_to
from perfgoals.exports.services import CONTENT_TYPES, FORMATS, export_render
from perfgoals.models import AuditEvent


def _attachment(response, filename: str):
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@login_required
@require_GET
def download(request, kind: str, ident: str, fmt: str):
    if kind not in KINDS or fmt not in FORMATS:
        raise Http404
    exported = export_render(user=request.user, kind=kind, ident=ident, fmt=fmt)
    audit_record(action=AuditEvent.Action.DOWNLOAD, request=request, summary=exported.filename)
    return _attachment(
        HttpResponse(exported.content, content_type=exported.content_type), exported.filename
    )


@login_required
def index(request):
    export_jobs_recover()
    return render(
        request,
        "exports/index.html",
        {
            "objects": exportable_objects(request.user),
            "jobs": export_jobs_visible_to(request.user)[:20],
        },
    )


@login_required
@require_POST
def job_create(request):
    kind, ident, fmt = (request.POST.get(k, "") for k in ("kind", "ident", "format"))
    if kind not in KINDS or fmt not in FORMATS:
        raise Http404
    export_jobs_recover()
    job = export_job_create(user=request.user, kind=kind, ident=ident, fmt=fmt)
    audit_record(action=AuditEvent.Action.EXPORT, request=request, summary=f"{kind} {ident}.{fmt}")
    if request.htmx:
        return render(request, "exports/job.html#progress", {"job": job})
    return redirect(job)


@login_required
@require_GET
def job_detail(request, pk):
    job = get_object_or_404(export_jobs_visible_to(request.user), pk=pk)
    if not job.is_finished and export_jobs_recover():
        job.refresh_from_db()
    template = "exports/job.html#progress" if request.htmx else "exports/job.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def job_download(request, pk):
    job = get_object_or_404(
        export_jobs_visible_to(request.user), pk=pk, status=ExportJob.Status.DONE
    )
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / job.file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404("文件已不存在，请重新导出。")
    audit_record(action=AuditEvent.Action.DOWNLOAD, request=request, summary=job.filename)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=CONTENT_TYPES[job.format],
    )
