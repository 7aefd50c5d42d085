"""A real PostgreSQL restart under the app: a read waits it out, a write gets the 503 page.

Stops and starts the local cluster with pg_ctlcluster, so it runs only on PostgreSQL (on
SQLite there is no server to lose) and only where this process may manage the cluster.
"""

import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from perfgoals.exports.models import ExportJob
from perfgoals.models import Organisation

pytestmark = [pytest.mark.postgres_restart, pytest.mark.django_db(transaction=True)]


def _cluster() -> list[str]:
    versions = sorted(Path("/etc/postgresql").iterdir(), key=lambda p: int(p.name))
    return [versions[-1].name, "main"]


def pg_ctl(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", *_cluster(), action]
        + (["-m", "fast"] if action == "stop" else []),
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def postgres_cluster():
    if connection.vendor != "postgresql":
        pytest.skip("restarts the PostgreSQL server: PostgreSQL only")
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        pytest.skip("needs a local cluster managed with pg_ctlcluster")
    try:
        yield
    finally:
        # Whatever happened, leave the server running (status exits 3 when it is down).
        if subprocess.run(["pg_ctlcluster", *_cluster(), "status"], capture_output=True).returncode:
            pg_ctl("start")
        # The test's own connection died with the server; without a request to recycle it,
        # the teardown's flush and the next tests would use the dead one.
        connection.close()


def test_a_postgres_restart_costs_no_500_and_no_half_written_row(
    client, login, postgres_cluster, settings
):
    # A window no restart outlasts, even on a loaded machine that takes many seconds to start
    # the cluster: what is tested is that a read is retried through the outage instead of
    # failing, not how fast PostgreSQL starts.
    settings.DB_RETRY_DELAYS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
    login("shunping_medsec")
    department = f"{Organisation.objects.get(name='顺平县医疗保障局').pk}-2020"
    client.raise_request_exception = False
    assert client.get(reverse("home")).status_code == 200

    # A short outage (a restart): the read is retried until the server is back.
    pg_ctl("stop")
    restart = threading.Timer(0.5, pg_ctl, args=["start"])
    restart.start()
    response = client.get(reverse("home"))
    restart.join()
    assert response.status_code == 200, response.content.decode()[:300]

    # A longer outage: reads and writes get the 503 page, nothing is written.
    settings.DB_RETRY_DELAYS = (0.1, 0.2)
    pg_ctl("stop")
    try:
        response = client.get(reverse("home"))
        assert response.status_code == 503 and response["Retry-After"]
        assert "系统繁忙，请稍后重试" in response.content.decode()
        response = client.post(
            reverse("exports:job_create"),
            {"kind": "department", "ident": department, "format": "pdf"},
        )
        assert response.status_code == 503, response.status_code
    finally:
        pg_ctl("start")
    assert not ExportJob.objects.exists()
    assert client.get(reverse("home")).status_code == 200
