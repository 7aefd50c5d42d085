"""A real `db_worker` process runs background exports, and one killed mid-job loses nothing.

These tests commit (transactional_db) and start `manage.py db_worker` as a separate process on
the same test database, because a killed worker is a process that disappears, which no mock
shows.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from perfgoals.exports.jobs import export_job_create, export_jobs_recover
from perfgoals.exports.models import ExportJob
from perfgoals.models import Organisation, User

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(settings.BASE_DIR)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker(media: Path) -> subprocess.Popen:
    # As deployed: DEBUG off, so the worker needs a key of its own (perfgoals/settings.py).
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(media),
        "SECRET_KEY": "worker-test-key",
    }
    env.pop("PERFGOALS_TEST_DB", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload"]
        + ["--no-startup-delay", "--interval", "0.1"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _department_pdf_job() -> ExportJob:
    user = User.objects.get(username="shunping_medsec")
    shunping = Organisation.objects.get(name="顺平县医疗保障局")
    return export_job_create(user=user, kind="department", ident=f"{shunping.pk}-2020", fmt="pdf")


def test_worker_process_runs_a_queued_export(media, demo):
    job = _department_pdf_job()
    worker = _worker(media)
    _, err = worker.communicate(timeout=180)
    assert worker.returncode == 0, err.decode()[-2000:]
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 1, job.message
    assert DBTaskResult.objects.get(pk=job.task_id).status == "SUCCESSFUL"
    assert len(PdfReader(media / job.file).pages) > 1


def test_worker_killed_mid_job_leaves_no_file_and_the_job_runs_again(media, demo):
    job = _department_pdf_job()
    first_task = job.task_id or ExportJob.objects.get(pk=job.pk).task_id
    worker = _worker(media)
    assert _wait_for(lambda: ExportJob.objects.filter(pk=job.pk, status="running").exists()), (
        "the worker never started the job"
    )
    # Freeze it where it is (mid-job: the PDF takes seconds), look, then kill it for good.
    worker.send_signal(signal.SIGSTOP)
    job.refresh_from_db()
    assert job.status == "running" and job.progress < 100
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)

    job.refresh_from_db()
    assert job.status == "running"  # nobody can have told the row yet
    assert not (media / "exports" / f"{job.pk}.pdf").exists()
    assert export_jobs_recover() == 1
    job.refresh_from_db()
    assert job.status == "queued" and job.attempts == 1 and "第2次尝试" in job.message
    assert DBTaskResult.objects.get(pk=first_task).status == "FAILED"
    assert not list((media / "exports").glob(".*partial"))

    worker = _worker(media)
    _, err = worker.communicate(timeout=180)
    assert worker.returncode == 0, err.decode()[-2000:]
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2, job.message
    files = sorted(p.name for p in (media / "exports").iterdir())
    assert files == [f"{job.pk}.pdf"]
    assert job.size == (media / job.file).stat().st_size
    assert len(PdfReader(media / job.file).pages) > 1
