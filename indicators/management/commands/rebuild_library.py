"""`manage.py rebuild_library`: rebuild the indicator library (指标库) from every table."""

from django.core.management.base import BaseCommand

from indicators.library import library_rebuild


class Command(BaseCommand):
    help = "由全部绩效目标表的三级指标重建指标库（含曾用指标值），导入或批量修改表后运行。"

    def handle(self, *args, **options):
        count = library_rebuild()
        self.stdout.write(f"指标库已重建：{count} 个条目。")
