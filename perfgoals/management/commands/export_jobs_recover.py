"""python manage.py export_jobs_recover — requeue or fail the export jobs of dead workers.

scripts/with-worker runs it before every start of a `db_worker`, so a job whose worker was
killed runs again as soon as the worker is back, whether or not anyone is watching its page.
"""

from django.core.management.base import BaseCommand

from perfgoals.exports.jobs import export_jobs_recover


class Command(BaseCommand):
    help = "把执行进程已退出的导出任务重新排队（超过重试次数的标为失败）。"

    def handle(self, *args, **options):
        touched = export_jobs_recover()
        if touched:
            self.stdout.write(f"恢复了 {touched} 个中断的导出任务。")
