"""Writing export files: synchronous for one table or notice, background jobs for many.

Background mechanism: a daemon thread started after the job row is committed. It needs no
extra process (works under `make run`/runserver and gunicorn alike); the price is that a
killed worker loses its running jobs, which export_jobs_fail_stale() then marks as failed
(the worker's pid is recorded, and a job with no progress for STALE_AFTER is failed too).
Files are written under a temporary name and renamed when complete, so a failed or killed
job never leaves a file that is presented as finished.
"""

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.http import Http404
from django.utils import timezone

from perfgoals.exports.documents import Document
from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.models import ExportJob
from perfgoals.models import User

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)


@dataclass
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    title: str


def render(document: Document, fmt: str) -> bytes:
    if fmt == "pdf":
        from perfgoals.exports.pdf import render_pdf

        return render_pdf(document)
    if fmt == "xlsx":
        from perfgoals.exports.xlsx import render_xlsx

        return render_xlsx(document)
    raise ValueError(f"unknown format {fmt}")


def export_render(
    *, user: User | None, kind: str, ident: str, fmt: str, progress=None
) -> ExportFile:
    """One export, in this thread. Raises Http404 when `user` may not see the object."""
    document = build_document(kind, resolve(kind, ident, user), progress)
    content = render(document, fmt)
    return ExportFile(content, f"{document.filename}.{fmt}", CONTENT_TYPES[fmt], document.title)


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def export_job_create(*, user: User, kind: str, ident: str, fmt: str) -> ExportJob:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    resolve(kind, ident, user)  # Http404 before anything is queued
    job = ExportJob.objects.create(
        kind=kind,
        object_id=ident,
        format=fmt,
        requested_by=user,
        organisation_id=user.organisation_id,
        message="排队中",
    )
    transaction.on_commit(lambda: export_job_start(job_id=job.pk))
    return job


def export_job_start(*, job_id: uuid.UUID) -> None:
    if getattr(settings, "EXPORT_JOBS_INLINE", False):
        export_job_run(job_id=job_id)
        return
    thread = threading.Thread(
        target=_run_in_thread, kwargs={"job_id": job_id}, name=f"export-{job_id}", daemon=True
    )
    thread.start()


def _run_in_thread(*, job_id: uuid.UUID) -> None:
    try:
        export_job_run(job_id=job_id)
    finally:
        close_old_connections()


def _update(job_id: uuid.UUID, **fields) -> int:
    return ExportJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def export_job_run(*, job_id: uuid.UUID) -> None:
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING,
        worker=_worker_id(),
        progress=1,
        message="读取数据",
        updated_at=timezone.now(),
    )
    if not claimed:  # another thread or a restart already took it
        return
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    directory = Path(settings.MEDIA_ROOT) / "exports"
    partial = directory / f".{job.pk}.{job.format}.partial"
    try:
        directory.mkdir(parents=True, exist_ok=True)

        def progress(done: int, total: int) -> None:
            _update(
                job_id,
                progress=5 + int(45 * done / max(total, 1)),
                message=f"整理表格 {done}/{total}",
            )

        data = resolve(job.kind, job.object_id, job.requested_by)
        document = build_document(job.kind, data, progress)
        _update(job_id, progress=55, message="排版生成文件", title=document.title[:300])
        content = render(document, job.format)
        _update(job_id, progress=90, message="保存文件")
        partial.write_bytes(content)
        final = directory / f"{job.pk}.{job.format}"
        os.replace(partial, final)
        _update(
            job_id,
            status=ExportJob.Status.DONE,
            progress=100,
            message="已完成",
            file=str(final.relative_to(settings.MEDIA_ROOT)),
            filename=f"{document.filename}.{job.format}"[:200],
            size=len(content),
            finished_at=timezone.now(),
        )
    except Exception as exc:  # the job row must say what happened, whatever it was
        logger.exception("export job %s failed", job_id)
        partial.unlink(missing_ok=True)
        message = (
            "没有找到要导出的内容或无权访问。"
            if isinstance(exc, Http404)
            else "生成文件时出错，请稍后重试或联系管理员。"
        )
        _update(
            job_id,
            status=ExportJob.Status.FAILED,
            message=message,
            error=repr(exc)[:2000],
            finished_at=timezone.now(),
        )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def export_jobs_fail_stale() -> int:
    """Mark jobs whose worker died (restart, kill) as failed; returns how many."""
    now = timezone.now()
    host = socket.gethostname()
    failed = 0
    unfinished = ExportJob.objects.filter(
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
    ).only("pk", "worker", "updated_at", "status")
    for job in unfinished:
        dead = job.updated_at < now - STALE_AFTER
        worker_host, _, pid = job.worker.rpartition(":")
        if job.status == ExportJob.Status.RUNNING and worker_host == host and pid.isdigit():
            dead = dead or not _pid_alive(int(pid))
        if dead:
            failed += ExportJob.objects.filter(pk=job.pk, status=job.status).update(
                status=ExportJob.Status.FAILED,
                finished_at=now,
                updated_at=now,
                message="导出中断（服务重启或进程退出），请重新导出。",
            )
    return failed
