"""python manage.py export --list | export KIND ID --format pdf|xlsx -o FILE"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from perfgoals.exports.kinds import KINDS, exportable_objects
from perfgoals.exports.services import FORMATS, export_render


class Command(BaseCommand):
    help = "导出通知、分配表、绩效目标表、部门绩效文本或专项资金汇总表为 PDF 或 Excel。"

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?", choices=tuple(KINDS), help="导出类型")
        parser.add_argument("ident", nargs="?", help="对象标识（见 --list）")
        parser.add_argument("--list", action="store_true", help="列出可导出的对象及其标识")
        parser.add_argument("--format", choices=FORMATS, default="pdf")
        parser.add_argument("-o", "--output", help="输出文件；缺省为标题命名的文件")

    def handle(
        self, *args, kind=None, ident=None, list=False, format="pdf", output=None, **options
    ):
        if list:
            for item in exportable_objects(None):
                self.stdout.write(f"{item.kind:<11} {item.ident:<8} {item.label}")
            return
        if not kind or not ident:
            raise CommandError(
                "请给出导出类型和标识，如：export target 2 --format pdf -o t.pdf；"
                "用 --list 查看可导出的对象。"
            )
        try:
            exported = export_render(user=None, kind=kind, ident=ident, fmt=format)
        except Http404 as exc:
            raise CommandError(f"没有找到 {kind} {ident}：{exc}") from exc
        path = Path(output or exported.filename)
        tmp = path.with_name(f".{path.name}.partial")
        tmp.write_bytes(exported.content)
        tmp.replace(path)
        self.stdout.write(f"{path}（{len(exported.content)} 字节）")
