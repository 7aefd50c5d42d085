"""`manage.py lint`: print the lint findings of one or all target tables (绩效目标表)."""

import json

from django.core.management.base import BaseCommand, CommandError

from indicators.models import LintAcknowledgement
from perfgoals.findings import Severity
from perfgoals.models import TargetTable
from perfgoals.targets.checks import check_tables

SEVERITY_LABELS = {Severity.ERROR: "错误", Severity.WARNING: "警告"}


class Command(BaseCommand):
    help = "检查绩效目标表（指标体系、指标值、金额、支出计划），打印发现的问题。"

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--table", type=int, metavar="ID", help="只检查这一张绩效目标表")
        which.add_argument("--all", action="store_true", help="检查全部绩效目标表")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--fail-on-error",
            action="store_true",
            help="有“错误”级问题时以状态1退出（默认只报告，总是以0退出）",
        )

    def handle(self, *args, table=None, all=False, format="text", fail_on_error=False, **opts):
        tables = TargetTable.objects.all()
        if table is not None:
            tables = tables.filter(pk=table)
            if not tables.exists():
                raise CommandError(f"没有编号为 {table} 的绩效目标表。")
        tables = tables.select_related("organisation").order_by(
            "organisation__name", "year", "sequence", "pk"
        )
        results = check_tables(tables)
        by_pk = {t.pk: t for t in tables}
        # Warnings the bureau confirmed as intended (确认无误) are reported as such.
        self.acknowledged = set(
            LintAcknowledgement.objects.filter(table__in=tables).values_list("table_id", "key")
        )
        ordered = [(by_pk[pk], findings) for pk, findings in results.items()]
        if format == "json":
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "table": t.pk,
                            "organisation": t.organisation.name,
                            "year": t.year,
                            "layout": t.layout,
                            "project_name": t.project_name,
                            "findings": [
                                {**f.as_dict(), "acknowledged": self.is_acknowledged(t, f)}
                                for f in findings
                            ],
                        }
                        for t, findings in ordered
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            self.write_text(ordered)
        errors = sum(f.severity == Severity.ERROR for _, fs in ordered for f in fs)
        if fail_on_error and errors:
            raise SystemExit(1)

    def is_acknowledged(self, table, finding) -> bool:
        return finding.severity == Severity.WARNING and (table.pk, finding.key) in self.acknowledged

    def write_text(self, ordered) -> None:
        errors = warnings = acknowledged = 0
        for table, findings in ordered:
            self.stdout.write(
                f"#{table.pk} {table.organisation.name} {table.year}年 {table.project_name}"
                f"（{table.get_layout_display()}）"
            )
            if not findings:
                self.stdout.write("  未发现问题")
            for finding in findings:
                where = (
                    f" 指标#{finding.indicator_id}"
                    if finding.indicator_id
                    else f" 字段 {finding.field}"
                    if finding.field
                    else ""
                )
                label = SEVERITY_LABELS[finding.severity]
                if self.is_acknowledged(table, finding):
                    label += "（已确认）"
                    acknowledged += 1
                line = f"  {label} [{finding.code}]{where} {finding.message}"
                if finding.suggestion:
                    line += f" 建议：{finding.suggestion}"
                self.stdout.write(line)
                if finding.severity == Severity.ERROR:
                    errors += 1
                else:
                    warnings += 1
            self.stdout.write("")
        self.stdout.write(
            f"共检查 {len(ordered)} 张绩效目标表：错误 {errors} 条，警告 {warnings} 条"
            + (f"（其中已确认 {acknowledged} 条）" if acknowledged else "")
            + "。"
        )
