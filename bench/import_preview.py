"""Preview time of the Excel import (issue 12) for a generated ~5 MB workbook.

Budget: a 5 MB workbook previews (read, find the tables, check them unsaved) in under 3 s.

    .venv/bin/python bench/import_preview.py [--mb 5] [--runs 3]   # scratch SQLite in /tmp

Two workbooks of the same size: one the import accepts (at most MAX_TABLES tables, with the
指标解释 and 评分标准 columns real templates carry), and one of bare four-column tables, three
times as many, past the limit the import refuses (measured with the limit lifted). For each:
the file size, tables and rows found, and the median of the runs for reading and parsing alone
and for the whole preview (with the checks on each table's unsaved rows), wall and CPU time.
"""

import argparse
import os
import random
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
# Measured as served (DEBUG off), which needs a key; a scratch database only.
os.environ.setdefault("SECRET_KEY", "bench-only-key")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/perfgoals-bench-import.sqlite3")
os.environ.setdefault("LOG_LEVEL", "ERROR")

# Text drawn from the 3,500 most common characters' block compresses about as real Chinese
# prose does (a few hundred phrases over a small alphabet would compress to nothing and pack
# several times more cells into the 5 MB than any bureau's workbook).
WORDS = [chr(code) for code in range(0x4E00, 0x4E00 + 3500)]


def phrase(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(WORDS, k=n))


def _write_sheet(wb, number: int, rng: random.Random, tables: int, explained: bool) -> None:
    """`tables` project tables of 40 indicator rows on one sheet, blank rows between them.

    `explained` adds the 指标解释 and 评分标准 columns (six-column blocks, as 天津's and the
    department templates print them): bytes per table as a real bureau's workbook has them.
    """
    ws = wb.create_sheet(f"表{number}")
    extra = ["指标解释", "评分标准"] if explained else []
    for index in range(tables):
        table_no = number * 100 + index
        ws.append([f"2024年度项目支出绩效目标表{table_no}"])
        ws.append([None, None, None, None, None, "单位：万元"])
        ws.append(["项目名称", f"项目{table_no}{phrase(rng, 8)}", None, "主管部门", phrase(rng, 6)])
        ws.append(
            ["年度资金总额", rng.randint(10, 9999), None, "其中：财政拨款", rng.randint(1, 9)]
        )
        ws.append(["年度目标", phrase(rng, 400 if explained else 120)])
        ws.append(["一级指标", "二级指标", "三级指标", "指标值", *extra])
        for l1 in ("产出指标", "效益指标", "满意度指标"):
            for row in range(13 if l1 != "满意度指标" else 14):
                ws.append(
                    [
                        l1 if row == 0 else None,
                        "数量指标" if row % 5 == 0 else None,
                        phrase(rng, 18),
                        f"≥{rng.randint(1, 999)}{phrase(rng, 3)}",
                        *([phrase(rng, 60), phrase(rng, 60)] if explained else []),
                    ]
                )
        ws.append([])


def _workbook(sheets: int, *, tables: int = 60, explained: bool = False) -> bytes:
    from openpyxl import Workbook

    rng = random.Random(12)
    wb = Workbook(write_only=True)
    for number in range(1, sheets + 1):
        _write_sheet(wb, number, rng, tables, explained)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def generate(target_bytes: int, *, tables: int = 60, explained: bool = False) -> bytes:
    """Enough sheets of random text (so that it does not compress away) to reach the size."""
    per_sheet = len(_workbook(2, tables=tables, explained=explained)) / 2
    return _workbook(max(1, round(target_bytes / per_sheet)), tables=tables, explained=explained)


def _clear_caches() -> None:
    # Each run must pay for its values as a new upload does, not find them parsed already.
    from indicators import framework
    from indicators.values import parse_value
    from perfgoals.targets.imports import labels, workbook

    for cached in (
        parse_value,
        framework.normalise_category_name,
        framework.regional_category_name,
        framework.is_cost_name,
        labels.norm,
        workbook._position,
    ):
        cached.cache_clear()


def measure(data: bytes, org, runs: int) -> None:
    from perfgoals.targets.imports.services import parse_upload, preview_tables

    parse_times, preview_times, cpu_times = [], [], []
    for _ in range(runs):
        _clear_caches()
        start, cpu = time.perf_counter(), time.process_time()
        parsed = parse_upload(data)
        parse_times.append(time.perf_counter() - start)
        previews = preview_tables(parsed, organisation=org, year=2024)
        preview_times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu)
    rows = sum(len(p.rows) for p in previews)
    print(f"  {len(data) / 1024 / 1024:.2f} MB, {len(parsed.tables)} tables, {rows} indicator rows")
    per_table = (statistics.median(preview_times) - statistics.median(parse_times)) / len(
        parsed.tables
    )
    print(f"  read + parse: median {statistics.median(parse_times):.2f} s")
    print(f"  checks: {per_table * 1000:.2f} ms a table")
    print(
        f"  whole preview (with checks): median {statistics.median(preview_times):.2f} s "
        f"(budget 3 s); CPU time of this process {statistics.median(cpu_times):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from perfgoals.models import Organisation, Region
    from perfgoals.targets.imports import workbook

    region, _ = Region.objects.get_or_create(
        name="测试县", defaults={"level": Region.Level.values[0]}
    )
    org, _ = Organisation.objects.get_or_create(
        name="测试局", defaults={"kind": Organisation.Kind.values[-1], "region": region}
    )
    size = int(args.mb * 1024 * 1024)
    # On a busy machine the wall time measures the neighbours; the CPU time does not.
    print(f"A {args.mb:g} MB workbook the import accepts (at most {workbook.MAX_TABLES} tables):")
    measure(generate(size, tables=20, explained=True), org, args.runs)
    # Bare four-column tables pack three times as many into the same bytes, past the limit
    # the import refuses: measured with the limit lifted, to show what the limit protects.
    limit, workbook.MAX_TABLES = workbook.MAX_TABLES, 10**6
    print(f"A {args.mb:g} MB workbook of bare tables, over the {limit}-table limit (lifted here):")
    measure(generate(size), org, args.runs)


if __name__ == "__main__":
    main()
