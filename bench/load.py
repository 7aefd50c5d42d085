"""Load benchmark: logged-in users of every role against gunicorn on PostgreSQL.

    .venv/bin/python bench/load.py [--users 8] [--seconds 30] [--workers 2] [--sqlite]
        [--page-seconds 8] [--rounds 1]

Loopback only, bounded in time. Builds a scratch database (default
postgres://postgres@127.0.0.1:5432/perfgoals_bench_load: migrated, demo data loaded), starts
gunicorn with DEBUG off and settings from the environment as `make serve` does, and runs two
phases with the same number of concurrent users:

1. the trivial view `/healthz/` (one `SELECT 1`, no session, no template), the server's floor;
2. the product: 4 bureau staff open their table's editor, save a row over htmx, open the list
   and download their table as Excel; 2 finance staff and 2 performance reviewers open the
   home page, the table list, a table and the notices, and export.

It prints requests/s, p50/p95/p99 and errors per phase and per kind of request, then checks
that every acknowledged save is what the database holds (no lost write). A last phase opens
each page a bureau or a reviewer uses alone (home, lists, read view, editor, notices, an
external upper notice and a notice of the bureau's own, review screen) and prints its
throughput against the floor of issue 17: a login-required page that renders the layout
alone, served by the same server (bench/settings.py, bench/urls.py) and
measured again beside each page.

--sqlite runs the same phases on a new SQLite file in a temporary directory instead: the
database issue 17 measured its figures on, and the first-run default.
"""

import argparse
import http.client
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/perfgoals_bench_load"

BENCH_PASSWORD = secrets.token_urlsafe(16) + "#9a"
EDITORS = ["ruili_health", "ruili_medsec", "shifeng_health", "shunping_medsec"]
READERS = ["ruili_finance", "shunping_finance", "ruili_perf", "shifeng_perf"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(url: str, env: dict) -> None:
    if url.startswith("postgres"):
        create_postgres_database(url)
    py = sys.executable
    subprocess.run(
        [py, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE, env=env, check=True
    )
    subprocess.run(
        [py, "manage.py", "load_demo"], cwd=BASE, env=env, check=True, stdout=subprocess.DEVNULL
    )


def create_postgres_database(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def targets(env: dict) -> dict:
    """For each user: what it opens and, for editors, one row of a draft table of its own."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
    import django

    django.setup()
    from allocations.selectors import notices_visible_to
    from indicators.models import PerformanceIndicator
    from perfgoals.models import TargetTable, User
    from perfgoals.selectors import target_tables_visible_to

    # With DEBUG off load_demo gives new accounts a random password: the bench sets its own
    # (dehong_finance: the review screen's reader).
    for user in User.objects.filter(username__in=[*EDITORS, *READERS, "dehong_finance"]):
        user.set_password(BENCH_PASSWORD)
        user.save(update_fields=["password"])
    plan = {}
    for username in EDITORS + READERS:
        user = User.objects.get(username=username)
        table = target_tables_visible_to(user).order_by("pk").first()
        item = {"table": table.pk if table else None, "notice": None, "row": None}
        notice = notices_visible_to(user).order_by("pk").first()
        item["notice"] = notice.pk if notice else None
        if username in EDITORS:
            editable = (
                TargetTable.objects.filter(
                    organisation=user.organisation, status=TargetTable.Status.DRAFT
                )
                .filter(indicators__level=PerformanceIndicator.Level.THIRD)
                .order_by("pk")
                .first()
            )
            row = PerformanceIndicator.objects.filter(table=editable, level=3).order_by("pk")[0]
            item.update(table=editable.pk, row=row.pk, row_name=row.name)
        plan[username] = item
    from django.db import connections

    connections.close_all()
    return plan


class Client:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()  # gunicorn closed a keep-alive connection: reconnect once
                if attempt:
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, content

    def login(self, username: str, password: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        if status != 302:
            raise SystemExit(f"login of {username} failed: HTTP {status}")


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.acknowledged: dict[int, str] = {}

    def timed(self, kind: str, call, ok=(200,)):
        started = time.perf_counter()
        try:
            status, content = call()
        except Exception:
            status, content = 0, b""
        elapsed = time.perf_counter() - started
        with self.lock:
            self.samples[kind].append(elapsed)
            if status not in ok:
                self.errors[kind] += 1
        return status, content


def health_user(port: int, recorder: Recorder, stop: float) -> None:
    client = Client(port)
    while time.monotonic() < stop:
        recorder.timed("healthz", lambda: client.request("GET", "/healthz/"))


def product_user(client, recorder, stop, item, username) -> None:
    table, row = item["table"], item["row"]
    version = None
    counter = 0
    rng = random.Random(username)
    while time.monotonic() < stop:
        if row is not None:
            status, page = recorder.timed(
                "editor", lambda: client.request("GET", f"/tables/{table}/edit/")
            )
            found = re.search(rb'name="version" value="(\d+)"', page)
            version = found.group(1).decode() if found else version
            counter += 1
            value = f"≥{50 + counter % 50}.{counter}%"
            status, page = recorder.timed(
                "save",
                lambda version=version, value=value: client.request(
                    "POST",
                    f"/tables/rows/{row}/edit/",
                    {"version": version, "name": item["row_name"], "value_text": value},
                    {"HX-Request": "true"},
                ),
            )
            if status == 200 and b"table-version" in page and "您的修改未保存".encode() not in page:
                with recorder.lock:
                    recorder.acknowledged[row] = value
            recorder.timed("list", lambda: client.request("GET", "/tables/"))
        else:
            recorder.timed("home", lambda: client.request("GET", "/"))
            recorder.timed("list", lambda: client.request("GET", "/tables/"))
            if table:
                recorder.timed("table", lambda: client.request("GET", f"/tables/{table}/"))
            if item["notice"]:
                recorder.timed(
                    "notice", lambda: client.request("GET", f"/notices/{item['notice']}/")
                )
        if table and rng.random() < 0.15:
            recorder.timed("export", lambda: client.request("GET", f"/exports/target/{table}.xlsx"))


def page_user(client, recorder, stop, kind: str, path: str, ok) -> None:
    while time.monotonic() < stop:
        recorder.timed(kind, lambda: client.request("GET", path), ok=ok)


def pages_of(plan: dict) -> list[tuple[str, str, str, tuple[int, ...]]]:
    """(kind, user, path, expected statuses) of the pages a bureau or reviewer opens, after
    the floor of issue 17: a login-required page that renders the layout alone
    (bench/urls.py)."""
    editor = plan["ruili_health"]
    reader = plan["ruili_finance"]
    reviewed = submitted_table()
    issued = issued_notice()
    return [
        ("floor", "ruili_health", "/bench/floor/", (200,)),
        ("home", "ruili_health", "/", (200,)),
        ("list", "ruili_health", "/tables/", (200,)),
        ("read", "ruili_health", f"/tables/{editor['table']}/", (200,)),
        ("editor", "ruili_health", f"/tables/{editor['table']}/edit/", (200,)),
        ("notices", "ruili_finance", "/notices/", (200,)),
        ("notice", "ruili_finance", f"/notices/{reader['notice']}/", (200,)),
        ("issued", "ruili_finance", f"/notices/{issued}/", (200,)),
        ("review", "dehong_finance", f"/tables/{reviewed}/review/", (200,)),
    ]


def issued_notice() -> int:
    """A notice 瑞丽 finance issued itself, with the upper table's decomposition into its
    recipients' tables (瑞财社〔2020〕0296号): the heaviest kind of notice page. The bench's
    "notice" page is the first notice it sees, an external upper notice, the lightest."""
    from allocations.models import FundNotice, NoticeAttachment

    upper_attached = NoticeAttachment.objects.filter(target_table__isnull=False).values("notice_id")
    notice = (
        FundNotice.objects.filter(
            issuer__name="瑞丽市财政局",
            status=FundNotice.Status.ISSUED,
            pk__in=upper_attached,
        )
        .order_by("pk")
        .first()
    )
    return notice.pk


def submitted_table() -> int:
    """德宏州卫健委's table, submitted, so 德宏州 finance has a review screen to open (no
    editor of the bench works on it)."""
    from perfgoals.models import TargetTable, User
    from tests.reviewing import submit

    table = TargetTable.objects.get(organisation__name="德宏州卫生健康委员会")
    if table.status == TargetTable.Status.DRAFT:
        submit(table, User.objects.get(username="dehong_health"))
    return table.pk


def run_pages(
    port: int, plan: dict, users: int, seconds: float, password: str, rounds: int = 1
) -> None:
    """Each page alone, `users` at once for `seconds`: its throughput against the floor's.

    A page runs in `rounds` slices of `seconds / rounds`, each between two slices of the
    floor, and each slice is compared with the mean of the two floors beside it: on a shared
    machine the throughput drifts by a third within minutes, and a floor measured once at the
    start compared pages with a machine that was no longer there. With several rounds a page
    prints the median of its slices' shares and their range."""
    pages = pages_of(plan)
    floor, measured = pages[0], pages[1:]
    slice_seconds = seconds / rounds

    logged_in: dict[str, list[Client]] = {}

    def measure(kind: str, username: str, path: str, ok: tuple[int, ...]) -> tuple:
        recorder = Recorder()
        if username not in logged_in:
            # Logged in once per user and kept across slices: a login hashes the password.
            logged_in[username] = [Client(port) for _ in range(users)]
            for client in logged_in[username]:
                client.login(username, password)
        clients = logged_in[username]
        stop = time.monotonic() + slice_seconds
        threads = [
            threading.Thread(target=page_user, args=(c, recorder, stop, kind, path, ok))
            for c in clients
        ]
        elapsed = run_phase(threads, slice_seconds)
        samples = sorted(recorder.samples[kind])
        q = statistics.quantiles(samples, n=100, method="inclusive")
        return len(samples) / elapsed, q[49], q[94], recorder.errors[kind], samples

    floors = [measure(*floor)]
    results = []
    for page in measured:
        slices = []
        for _ in range(rounds):
            result = measure(*page)
            floors.append(measure(*floor))
            beside = (floors[-2][0] + floors[-1][0]) / 2
            slices.append((beside, result))
        shares = sorted(result[0] / beside for beside, result in slices)
        samples = sorted(x for _, result in slices for x in result[4])
        q = statistics.quantiles(samples, n=100, method="inclusive")
        results.append(
            (
                page[0],
                statistics.mean(beside for beside, _ in slices),
                statistics.mean(result[0] for _, result in slices),
                statistics.median(shares),
                (shares[0], shares[-1]),
                q[49],
                q[94],
                sum(result[3] for _, result in slices),
            )
        )
    rates = [rate for rate, *_ in floors]
    print(f"\neach page alone, {users} users, {seconds:.0f} s each, against the floor (the")
    if rounds == 1:
        print("logged-in layout) measured just before and after it")
    else:
        print(
            f"logged-in layout), in {rounds} slices of {slice_seconds:.1f} s each between two"
            " slices of the floor; share: the slices' median (lowest to highest)"
        )
    print(
        f"  floor: {statistics.mean(rates):.1f} req/s on average, {min(rates):.1f} to "
        f"{max(rates):.1f} over {len(rates)} runs; p95 {max(f[2] for f in floors) * 1000:.1f} ms"
        " at most"
    )
    print(
        f"  {'page':8} {'req/s':>7} {'floor':>7} {'of floor':>9} {'range':>11} {'p50 ms':>8}"
        f" {'p95 ms':>8} {'errors':>6}"
    )
    for kind, beside, rate, share, (low, high), p50, p95, errors in results:
        spread = f"{low:.0%}–{high:.0%}" if rounds > 1 else ""
        print(
            f"  {kind:8} {rate:7.1f} {beside:7.1f} {share:9.0%} {spread:>11} {p50 * 1000:8.1f}"
            f" {p95 * 1000:8.1f} {errors:6d}"
        )


def run_phase(threads: list[threading.Thread], seconds: float) -> float:
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    return time.monotonic() - started


def report(title: str, recorder: Recorder, elapsed: float) -> None:
    total = sum(len(v) for v in recorder.samples.values())
    errors = sum(recorder.errors.values())
    everything = sorted(x for v in recorder.samples.values() for x in v)
    print(
        f"\n{title}: {total} requests in {elapsed:.1f} s = {total / elapsed:.1f} req/s, "
        f"{errors} errors"
    )
    print(f"  {'kind':8} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}")
    rows = sorted(recorder.samples.items()) + [("all", everything)]
    for kind, samples in rows:
        if not samples:
            continue
        samples = sorted(samples)
        q = (
            statistics.quantiles(samples, n=100, method="inclusive")
            if len(samples) > 1
            else samples * 99
        )
        err = errors if kind == "all" else recorder.errors.get(kind, 0)
        print(
            f"  {kind:8} {len(samples):6d} {statistics.median(samples) * 1000:8.1f} "
            f"{q[94] * 1000:8.1f} {q[98] * 1000:8.1f} {err:6d}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--page-seconds", type=float, default=8, help="each page alone (0: skip that phase)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="slices each page's time is cut into, each between two slices of the floor",
    )
    parser.add_argument(
        "--sqlite", action="store_true", help="a new SQLite file instead of PostgreSQL"
    )
    args = parser.parse_args()

    if args.sqlite:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='perfgoals-load-')}/bench.sqlite3"
    else:
        url = os.environ.get("DATABASE_URL", DEFAULT_URL)
        if not url.startswith("postgres"):
            raise SystemExit("DATABASE_URL must be PostgreSQL (or pass --sqlite)")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # loopback: no TLS terminator in front
        "LOG_LEVEL": "ERROR",
        # The product's settings and URLs plus the floor page (bench/urls.py).
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }
    prepare_database(url, env)
    plan = targets(env)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            str(gunicorn),
            "perfgoals.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=BASE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Client(port).request("GET", "/healthz/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not answer /healthz/ within 60 s")
            time.sleep(0.2)
        print(
            f"gunicorn {args.workers} workers, DEBUG off, {url}; {args.users} concurrent users, "
            f"{args.seconds:.0f} s per phase"
        )

        trivial = Recorder()
        stop = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=health_user, args=(port, trivial, stop))
            for _ in range(args.users)
        ]
        report("trivial view /healthz/", trivial, run_phase(threads, args.seconds))

        product = Recorder()
        users = ((EDITORS + READERS) * (args.users // 8 + 1))[: args.users]
        # Log in first so the phase measures pages, not the password hasher.
        clients = []
        for name in users:
            clients.append(Client(port))
            clients[-1].login(name, BENCH_PASSWORD)
        stop = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=product_user, args=(client, product, stop, plan[name], name))
            for client, name in zip(clients, users, strict=True)
        ]
        report("product, every role", product, run_phase(threads, args.seconds))

        from indicators.models import PerformanceIndicator

        lost = [
            (pk, value, PerformanceIndicator.objects.get(pk=pk).value_text)
            for pk, value in product.acknowledged.items()
            if PerformanceIndicator.objects.get(pk=pk).value_text != value
        ]
        saves = len(product.samples.get("save", []))
        print(
            f"\nacknowledged writes: last save of each of {len(product.acknowledged)} rows "
            f"({saves} saves) checked against the database: {len(lost)} lost"
        )
        for item in lost:
            print("  LOST", item)
        if args.page_seconds:
            run_pages(port, plan, args.users, args.page_seconds, BENCH_PASSWORD, args.rounds)
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
