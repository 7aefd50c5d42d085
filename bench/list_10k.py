"""Server time and query count of the target-table list with 10,000 tables (QUALITY.md).

Budget: <= 10 queries and <= 100 ms median for a filtered, paginated page.

    .venv/bin/python bench/list_10k.py                      # scratch SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perfgoals_bench_list \\
        .venv/bin/python bench/list_10k.py                  # creates that database if missing

Never point it at a real database: it migrates, loads the demo and adds 10,000 tables.
"""

import os
import random
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
# Measured as served (DEBUG off), which needs a key; a scratch database only.
os.environ.setdefault("SECRET_KEY", "bench-only-key")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/perfgoals-bench-list-10k.sqlite3")
os.environ["ALLOWED_HOSTS"] = "testserver"
# The test client speaks plain HTTP: no TLS terminator in front to redirect to.
os.environ["SECURE_SSL_REDIRECT"] = "false"
os.environ.setdefault("LOG_LEVEL", "ERROR")

TOTAL = 10_000
RUNS = 15
BUDGET_QUERIES = 10
BUDGET_MS = 100.0


def ensure_postgres_database(url: str) -> None:
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    name = config["NAME"]
    conn = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def populate() -> None:
    from django.core.management import call_command

    from perfgoals.demo import load_demo
    from perfgoals.models import Organisation, TargetTable, User

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="admin").exists():
        load_demo()
    missing = TOTAL - TargetTable.objects.count()
    if missing <= 0:
        return
    rng = random.Random(2026)
    # Most tables belong to the bureaus the bench signs in as, the rest spread around.
    bureaus = list(Organisation.objects.exclude(kind=Organisation.Kind.FINANCE))
    heavy = Organisation.objects.get(name="顺平县医疗保障局")
    layouts = [c for c, _ in TargetTable.Layout.choices]
    statuses = [c for c, _ in TargetTable.Status.choices]
    rows = []
    for n in range(missing):
        org = heavy if n % 3 == 0 else rng.choice(bureaus)
        unit = rng.choice(["yuan", "wan"])
        amount = Decimal(rng.randint(100, 10_000_000)) / (100 if unit == "yuan" else 10_000)
        rows.append(
            TargetTable(
                organisation=org,
                year=rng.choice([2018, 2019, 2020, 2021, 2022]),
                layout=rng.choice(layouts),
                status=rng.choice(statuses),
                project_name=f"基准测试项目{n:05d}（{org.short_name or org.name}）",
                project_code=f"B-{n:05d}",
                amount_unit=unit,
                amount_total=amount.quantize(Decimal("0.01")),
                framework="2015",
            )
        )
    TargetTable.objects.bulk_create(rows, batch_size=1000)


def measure(username: str, params: dict) -> tuple[float, int, int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from perfgoals.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get("/tables/", params)  # warm caches and the connection
    times, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get("/tables/", params)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    # response.context is only recorded under the test runner: read the figures off the page.
    html = response.content.decode()
    matched = re.search(r"共 (\d+) 张表", html)
    shown = len(re.findall(r'<tr class="(?:even|odd)', html))
    return statistics.median(times), queries, int(matched.group(1)) if matched else 0, shown


def main() -> int:
    url = os.environ["DATABASE_URL"]
    if url.startswith(("postgres://", "postgresql://")):
        ensure_postgres_database(url)

    import django

    django.setup()
    from django.db import connection

    populate()
    scenarios = [
        ("bureau, first page", "shunping_medsec", {}),
        (
            "bureau, year+status+sort by amount, page 3",
            "shunping_medsec",
            {"year": "2020", "status": "draft", "sort": "-amount", "page": "3"},
        ),
        ("bureau, text search", "shunping_medsec", {"q": "基准测试项目01", "sort": "project_name"}),
        ("finance, region scope, submitted", "shunping_finance", {"status": "submitted"}),
        ("admin, all 10k, sort by amount, page 100", "admin", {"sort": "amount", "page": "100"}),
        (
            "admin, organisation+layout filter",
            "admin",
            {"organisation": "", "layout": "dept_project", "sort": "-updated_at"},
        ),
    ]
    from perfgoals.models import Organisation, TargetTable

    heavy = Organisation.objects.get(name="顺平县医疗保障局")
    scenarios[-1][2]["organisation"] = str(heavy.pk)
    print(
        f"database: {connection.vendor} ({connection.settings_dict['NAME']}), "
        f"{TargetTable.objects.count()} tables, median of {RUNS} runs"
    )
    ok = True
    for label, username, params in scenarios:
        median_ms, queries, matched, shown = measure(username, params)
        within = queries <= BUDGET_QUERIES and median_ms <= BUDGET_MS
        ok &= within
        print(
            f"  {label:<46} {median_ms:7.1f} ms  {queries:2d} queries  "
            f"{matched:5d} rows matched, {shown:2d} shown  {'ok' if within else 'OVER BUDGET'}"
        )
    print(
        f"budget: <= {BUDGET_QUERIES} queries, <= {BUDGET_MS:.0f} ms median: "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
