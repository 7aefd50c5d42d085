"""`manage.py import_tables FILE.xlsx --organisation NAME [--dry-run]`: the Excel import."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from perfgoals.models import Organisation, User
from perfgoals.targets.imports.report import preview_lines
from perfgoals.targets.imports.services import (
    ImportBlocked,
    import_tables_save,
    parse_upload,
    preview_tables,
)
from perfgoals.targets.imports.workbook import MAX_FILE_BYTES, ImportRefused


class Command(BaseCommand):
    help = (
        "从 Excel（.xlsx）导入绩效目标表：打印预览和检查结果；不加 --dry-run 时保存为该单位的草稿。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 文件")
        parser.add_argument("--organisation", required=True, help="导入到哪个单位（名称）")
        parser.add_argument("--year", type=int, help="表中没有写年度时用的年度（默认今年）")
        parser.add_argument("--user", help="记为创建人的用户名（默认该单位的第一个用户）")
        parser.add_argument("--dry-run", action="store_true", help="只预览和检查，不保存")

    def handle(self, *args, file, organisation, year=None, user=None, dry_run=False, **opts):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"文件太大，上限为 {MAX_FILE_BYTES // 1024 // 1024} MB。")
        org = Organisation.objects.filter(name=organisation).first()
        if org is None:
            raise CommandError(f"没有名为“{organisation}”的单位。")
        try:
            parsed = parse_upload(path.read_bytes())
        except ImportRefused as exc:
            raise CommandError(f"文件被拒绝：{exc}") from exc
        if not parsed.tables:
            missing = "；".join(f"工作表“{s}”缺少 {m}" for s, m in parsed.skipped)
            raise CommandError(f"文件中没有找到绩效目标表：{missing or '工作簿是空的'}。")
        previews = preview_tables(parsed, organisation=org, year=year)
        for line in preview_lines(parsed, previews):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("\n（--dry-run：没有保存。）")
            return
        creator = User.objects.filter(username=user).first() if user else None
        if user and creator is None:
            raise CommandError(f"没有用户“{user}”。")
        creator = creator or User.objects.filter(organisation=org).order_by("pk").first()
        try:
            created = import_tables_save(user=creator, organisation=org, previews=previews)
        except ImportBlocked as exc:
            raise CommandError(f"没有保存任何表：{exc}") from exc
        self.stdout.write("")
        for table in created:
            self.stdout.write(f"已创建草稿 #{table.pk}：{table.project_name}")
