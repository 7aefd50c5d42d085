"""Export timings against the QUALITY.md budgets (median of N warm runs, same process).

    DATABASE_URL=… .venv/bin/python bench/exports.py [--runs 7]

Needs the demo data (manage.py load_demo). The Latin-only figure renders the same layout
with every non-ASCII character replaced by "M", so the ratio isolates the CJK font cost.
"""

import argparse
import copy
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
# Measured as served (DEBUG off), which needs a key; a scratch database only.
os.environ.setdefault("SECRET_KEY", "bench-only-key")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from perfgoals.exports.grid import Grid  # noqa: E402
from perfgoals.exports.kinds import build_document, resolve  # noqa: E402
from perfgoals.exports.pdf import render_pdf  # noqa: E402
from perfgoals.exports.xlsx import render_xlsx  # noqa: E402
from perfgoals.models import Organisation, TargetTable  # noqa: E402

NON_ASCII = re.compile(r"[^\x00-\x7f]")


def latin_only(document):
    latin = copy.deepcopy(document)
    for part in latin.parts:
        if isinstance(part, Grid):
            part.title = NON_ASCII.sub("M", part.title)
            part.subtitle = NON_ASCII.sub("M", part.subtitle)
            for section in part.sections:
                for row in [*section.head, *section.body]:
                    for cell in row:
                        cell.text = NON_ASCII.sub("M", cell.text)
    return latin


def median_time(fn, runs: int) -> tuple[float, object, int]:
    """Median seconds of `runs` warm calls, the last result, and the queries of one call."""
    with CaptureQueriesContext(connection) as queries:
        fn()  # warm: imports, stylesheet parse, fontconfig cache
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = max(5, parser.parse_args().runs)

    seed000 = TargetTable.objects.get(layout="project", organisation__name="瑞丽市卫生健康局")
    shunping = Organisation.objects.get(name="顺平县医疗保障局")
    table_doc = build_document("target", resolve("target", str(seed000.pk), None))
    latin_doc = latin_only(table_doc)
    dept_ident = f"{shunping.pk}-2020"

    rows = []
    # Interleave CJK and Latin runs so machine noise hits both alike.
    cjk_times, latin_times = [], []
    render_pdf(table_doc), render_pdf(latin_doc)
    for _ in range(runs):
        start = time.perf_counter()
        pdf = render_pdf(table_doc)
        cjk_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_pdf(latin_doc)
        latin_times.append(time.perf_counter() - start)
    cjk, latin = statistics.median(cjk_times), statistics.median(latin_times)
    rows.append(("PDF one table (seed 000 附件3, 15 三级 indicators)", cjk, 0.3, len(pdf), None))
    rows.append(("PDF same layout, Latin-only text", latin, None, None, None))

    def department_pdf():
        return render_pdf(build_document("department", resolve("department", dept_ident, None)))

    def table_xlsx():
        return render_xlsx(build_document("target", resolve("target", str(seed000.pk), None)))

    def department_xlsx():
        return render_xlsx(build_document("department", resolve("department", dept_ident, None)))

    for label, fn, budget in [
        ("PDF seed 004 department text (cover, TOC, 16 tables)", department_pdf, 2.0),
        ("XLSX one table (seed 000 附件3, incl. query)", table_xlsx, 0.05),
        ("XLSX seed 004 workbook (index + 17 sheets)", department_xlsx, 0.5),
    ]:
        seconds, content, queries = median_time(fn, runs)
        rows.append((label, seconds, budget, len(content), queries))

    print(f"median of {runs} warm runs; SQL queries of one run where it reads the data")
    for label, seconds, budget, size, queries in rows:
        verdict = "" if budget is None else ("OK" if seconds <= budget else "OVER BUDGET")
        budget_text = "" if budget is None else f"budget {budget:.2f} s"
        size_text = "" if size is None else f"{size / 1024:.0f} KB"
        query_text = "" if queries is None else f"{queries} queries"
        print(
            f"{label:<56} {seconds:7.3f} s  {budget_text:<15} {size_text:>7}  {query_text:<10}"
            f"  {verdict}"
        )
    ratio = cjk / latin
    print(
        f"{'CJK / Latin-only ratio (budget ≤ 1.5)':<56} {ratio:7.2f}    "
        f"{'OK' if ratio <= 1.5 else 'OVER BUDGET'}"
    )


if __name__ == "__main__":
    main()
