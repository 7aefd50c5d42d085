"""Background exports: one row per requested file, updated as the job progresses.

The row is what the user sees; the task backend only carries its id to a worker
(perfgoals/exports/jobs.py).
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from perfgoals.exports.kinds import KIND_CHOICES
from perfgoals.loading import FastLoading


class ExportJob(FastLoading, models.Model):
    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    # A random id: job URLs are not enumerable.
    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("导出类型"), max_length=12, choices=KIND_CHOICES)
    object_id = models.CharField(_("对象标识"), max_length=40)
    format = models.CharField(_("格式"), max_length=4, choices=Format.choices)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    message = models.CharField(_("当前步骤"), max_length=200, blank=True)
    title = models.CharField(_("文件标题"), max_length=300, blank=True)
    # Relative to MEDIA_ROOT; set only once the complete file has been renamed into place.
    file = models.CharField(_("文件"), max_length=300, blank=True)
    filename = models.CharField(_("下载文件名"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("文件大小"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    worker = models.CharField(_("执行进程"), max_length=100, blank=True)
    # How many times a worker has started this job; a killed worker's job is queued again
    # until perfgoals.exports.jobs.MAX_ATTEMPTS.
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    # The id of the current attempt's task in the task backend (django-tasks).
    task_id = models.CharField(_("任务标识"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    organisation = models.ForeignKey(
        "perfgoals.Organisation",
        verbose_name=_("所属单位"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="export_jobs",
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="export_job_progress_max_100"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(file=""),
                name="export_job_done_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_id} {self.format}"

    def get_absolute_url(self) -> str:
        return reverse("exports:job_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
