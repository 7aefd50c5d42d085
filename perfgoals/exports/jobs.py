"""Background export jobs: queued on the task framework, run by a `db_worker` process.

`ExportJob` is what the user sees (status, progress, attempts, the file); the task framework
(`django-tasks`, the `django.tasks` API of Django 6, database backend) only carries the job id
to a worker. A job is enqueued after its row commits and claimed QUEUED → RUNNING by exactly
one worker, which records `host:pid` and refreshes `updated_at` as it progresses.

A worker killed mid-job (OOM, `kill -9`, a reboot) cannot say so itself, so the next look at
the jobs (`export_jobs_recover`: the job page the user is polling, a new export request, the
start of any other job on any worker) finds it:
a RUNNING job whose process is gone from this host, or which has not moved for STALE_AFTER on
any host, is queued again while it has attempts left and marked failed after that. Files are
written under a temporary name and renamed only when complete, and recovery deletes the
temporary file of the dead attempt, so a killed job never leaves a file presented as done.
"""

import logging
import os
import socket
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django_tasks import TaskResultStatus, task, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.models import ExportJob
from perfgoals.exports.services import FORMATS, render
from perfgoals.models import User

logger = logging.getLogger(__name__)

# A job that has not moved for this long on any host has lost its worker.
STALE_AFTER = timedelta(minutes=10)
# A job is started at most this many times; a document that kills its worker every time
# (memory) must end as failed instead of taking the queue down again and again.
MAX_ATTEMPTS = 3
UNFINISHED = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _exports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def _partial_path(job: ExportJob) -> Path:
    return _exports_dir() / f".{job.pk}.{job.format}.partial"


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
    transaction.on_commit(lambda: export_job_enqueue(job_id=job.pk))
    return job


def export_job_enqueue(*, job_id: uuid.UUID) -> None:
    """Hand a committed QUEUED job to the task backend and remember its task id."""
    result = export_job_task.enqueue(str(job_id))
    ExportJob.objects.filter(pk=job_id).update(task_id=str(result.id))


@task()
def export_job_task(job_id: str) -> str:
    """The task the worker runs; returns the job's final status for the task result."""
    export_jobs_recover()  # a sibling worker may have died with a job in hand
    export_job_run(job_id=uuid.UUID(job_id))
    return ExportJob.objects.values_list("status", flat=True).get(pk=job_id)


def _update(job_id: uuid.UUID, **fields) -> int:
    return ExportJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def export_job_run(*, job_id: uuid.UUID) -> None:
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING,
        worker=_worker_id(),
        attempts=F("attempts") + 1,
        progress=1,
        message="读取数据",
        updated_at=timezone.now(),
    )
    if not claimed:  # another worker already took it, or it was failed meanwhile
        return
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    directory = _exports_dir()
    partial = _partial_path(job)
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


def _worker_gone(job: ExportJob, now) -> bool:
    if job.updated_at < now - STALE_AFTER:
        return True
    worker_host, _, pid = job.worker.rpartition(":")
    return worker_host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid))


def export_jobs_recover() -> int:
    """Requeue or fail the jobs whose worker died; returns how many were touched."""
    now = timezone.now()
    touched = 0
    running = ExportJob.objects.filter(status=ExportJob.Status.RUNNING).only(
        "pk", "format", "worker", "updated_at", "status", "attempts", "task_id"
    )
    for job in running:
        if not _worker_gone(job, now):
            continue
        _partial_path(job).unlink(missing_ok=True)
        if job.task_id:
            _abandon_task(job.task_id)
        retry = job.attempts < MAX_ATTEMPTS
        with transaction.atomic():
            # Compare-and-set on the state we judged: a slow but living worker that reports
            # progress meanwhile keeps its job.
            changed = ExportJob.objects.filter(
                pk=job.pk, status=job.status, updated_at=job.updated_at
            ).update(
                **(
                    {
                        "status": ExportJob.Status.QUEUED,
                        "progress": 0,
                        "worker": "",
                        "message": f"上次生成中断（服务重启或进程退出），已重新排队，"
                        f"第{job.attempts + 1}次尝试",
                    }
                    if retry
                    else {
                        "status": ExportJob.Status.FAILED,
                        "finished_at": now,
                        "message": f"导出中断（服务重启或进程退出），已尝试{job.attempts}次，"
                        "请重新导出。",
                    }
                ),
                updated_at=now,
            )
            if changed and retry:
                transaction.on_commit(lambda pk=job.pk: export_job_enqueue(job_id=pk))
        touched += changed
    return touched


def _abandon_task(task_id: str) -> None:
    """Mark the dead attempt's task result failed so the task list does not show it running."""
    if not isinstance(task_backends[export_job_task.backend], DatabaseBackend):
        return  # other backends keep their own books
    DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="perfgoals.exports.jobs.WorkerLost",
        traceback="worker process disappeared while running this task",
    )
