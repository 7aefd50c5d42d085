from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from perfgoals.audit import audit_record
from perfgoals.models import AuditEvent

# 等保2.0 asks for audit records kept at least six months.
RETENTION_DAYS = 183


class Command(BaseCommand):
    help = "清理早于指定日期的审计日志（至少保留最近6个月）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--before", required=True, help="删除此日期（YYYY-MM-DD，当地时间）之前的日志"
        )

    def handle(self, *args, before: str, **options) -> None:
        try:
            cutoff = date.fromisoformat(before)
        except ValueError as exc:
            raise CommandError(f"日期“{before}”格式不对，应为 YYYY-MM-DD。") from exc
        earliest_allowed = timezone.localdate() - timedelta(days=RETENTION_DAYS)
        if cutoff > earliest_allowed:
            raise CommandError(
                f"审计日志须至少保留6个月：只能清理 {earliest_allowed:%Y-%m-%d} 及以前的日志。"
            )
        # QuerySet.delete runs one SQL delete and bypasses AuditEvent.delete, which refuses
        # single deletions.
        count, _ = AuditEvent.objects.filter(at__date__lt=cutoff).delete()
        audit_record(
            action=AuditEvent.Action.DELETE,
            username="manage.py audit_prune",
            summary=f"清理 {cutoff:%Y-%m-%d} 以前的审计日志 {count} 条",
        )
        self.stdout.write(f"已删除 {cutoff:%Y-%m-%d} 以前的审计日志 {count} 条。")
