import os
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from allocations.models import AllocationTable, FundNotice
from perfgoals.exports.jobs import (
    MAX_ATTEMPTS,
    STALE_AFTER,
    export_job_create,
    export_job_run,
    export_job_task,
    export_jobs_recover,
)
from perfgoals.exports.models import ExportJob
from perfgoals.exports.services import CONTENT_TYPES
from perfgoals.models import Organisation, TargetTable, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def url(kind, ident, fmt="pdf"):
    return reverse("exports:download", args=[kind, str(ident), fmt])


def ids():
    shunping = Organisation.objects.get(name="顺平县医疗保障局")
    shifeng = Organisation.objects.get(name="株洲市石峰区卫生和计划生育局")
    return {
        "own_table": TargetTable.objects.get(
            layout="project", organisation__name="瑞丽市卫生健康局"
        ).pk,
        "other_table": TargetTable.objects.get(
            layout="project", organisation__name="瑞丽市医疗保障局"
        ).pk,
        "own_notice": FundNotice.objects.get(doc_serial=296, issuer_code="瑞财社").pk,
        "other_notice": FundNotice.objects.get(doc_serial=258, issuer_code="瑞财社").pk,
        "own_alloc": AllocationTable.objects.get(notice__doc_serial=296).pk,
        "other_alloc": AllocationTable.objects.get(notice__doc_serial=258).pk,
        "department": f"{shunping.pk}-2020",
        "summary": f"{shifeng.pk}-2019",
    }


def test_exports_of_what_the_user_sees_download(client, login):
    login("ruili_health")
    known = ids()
    response = client.get(url("target", known["own_table"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment; filename*=UTF-8''" in response["Content-Disposition"]
    response = client.get(url("target", known["own_table"], "xlsx"))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert client.get(url("notice", known["own_notice"], "xlsx")).status_code == 200
    assert client.get(url("allocation", known["own_alloc"], "xlsx")).status_code == 200


def test_every_export_url_of_another_organisation_is_404(client, login, media):
    login("ruili_health")
    known = ids()
    for kind, key in [
        ("target", "other_table"),
        ("notice", "other_notice"),
        ("allocation", "other_alloc"),
        ("department", "department"),
        ("summary", "summary"),
    ]:
        for fmt in ("pdf", "xlsx"):
            assert client.get(url(kind, known[key], fmt)).status_code == 404, (kind, fmt)
        response = client.post(
            reverse("exports:job_create"), {"kind": kind, "ident": known[key], "format": "pdf"}
        )
        assert response.status_code == 404, kind
    assert not ExportJob.objects.exists()
    assert client.get(url("target", 999999)).status_code == 404


def test_anonymous_users_are_sent_to_login(client, demo):
    response = client.get(url("target", 1))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_background_job_runs_and_offers_the_file_only_to_its_requester(
    client, login, media, django_capture_on_commit_callbacks
):
    user = login("shunping_medsec")
    known = ids()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exports:job_create"),
            {"kind": "department", "ident": known["department"], "format": "xlsx"},
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    # Queued on the task backend after commit; a db_worker would run exactly this task.
    queued = DBTaskResult.objects.get(pk=job.task_id)
    assert queued.status == "READY" and queued.args_kwargs["args"] == [str(job.pk)]
    assert queued.task_path == "perfgoals.exports.jobs.export_job_task"
    assert client.get(job.get_absolute_url()).content.decode().count("排队中") == 1
    assert export_job_task.call(str(job.pk)) == "done"
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100 and job.requested_by == user
    assert (media / job.file).is_file() and not list(media.glob("exports/.*partial"))
    page = client.get(job.get_absolute_url())
    assert reverse("exports:job_download", args=[job.pk]) in page.content.decode()
    download = client.get(reverse("exports:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == CONTENT_TYPES["xlsx"]
    assert b"".join(download.streaming_content).startswith(b"PK")

    login("ruili_health")
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("exports:job_download", args=[job.pk])).status_code == 404
    login("shunping_finance")  # same region, other person: still not theirs
    assert client.get(job.get_absolute_url()).status_code == 404


def test_htmx_job_start_returns_the_polling_partial(client, login, media):
    login("shunping_medsec")
    response = client.post(
        reverse("exports:job_create"),
        {"kind": "department", "ident": ids()["department"], "format": "pdf"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'hx-trigger="load delay:1s"' in body and "<progress" in body


def test_failed_job_leaves_no_file(media, demo, monkeypatch):
    user = User.objects.get(username="shunping_medsec")
    job = ExportJob.objects.create(
        kind="department", object_id=ids()["department"], format="pdf", requested_by=user
    )

    def boom(document, fmt):
        (media / "exports").mkdir(exist_ok=True)
        raise RuntimeError("renderer died")

    monkeypatch.setattr("perfgoals.exports.jobs.render", boom)
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.file == "" and "renderer died" in job.error
    assert job.message == "生成文件时出错，请稍后重试或联系管理员。"
    assert list((media / "exports").iterdir()) == []


def test_job_whose_object_went_out_of_scope_fails_with_not_found(media, demo):
    user = User.objects.get(username="ruili_health")
    job = ExportJob.objects.create(
        kind="department", object_id=ids()["department"], format="pdf", requested_by=user
    )
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.message == "没有找到要导出的内容或无权访问。"
    assert "Http404" in job.error


def _dead_workers_job(media, attempts):
    user = User.objects.get(username="shunping_medsec")
    job = ExportJob.objects.create(
        kind="department",
        object_id=ids()["department"],
        format="pdf",
        requested_by=user,
        status="running",
        attempts=attempts,
        progress=55,
        worker=f"{socket.gethostname()}:999999",
    )
    (media / "exports").mkdir()
    (media / "exports" / f".{job.pk}.pdf.partial").write_bytes(b"%PDF-1.7 half a file")
    return job


def test_job_of_a_dead_worker_is_queued_again_without_its_partial_file(
    media, demo, django_capture_on_commit_callbacks
):
    job = _dead_workers_job(media, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs_recover() == 1
    job.refresh_from_db()
    assert job.status == "queued" and job.progress == 0 and job.worker == ""
    assert "已重新排队，第2次尝试" in job.message
    assert list((media / "exports").iterdir()) == []
    assert DBTaskResult.objects.get(pk=job.task_id).status == "READY"
    assert export_jobs_recover() == 0  # queued jobs wait for a worker, they are not "dead"


def test_job_that_killed_its_worker_every_time_ends_failed(media, demo):
    job = _dead_workers_job(media, attempts=MAX_ATTEMPTS)
    assert export_jobs_recover() == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.message == f"导出中断（服务重启或进程退出），已尝试{MAX_ATTEMPTS}次，请重新导出。"
    assert list((media / "exports").iterdir()) == []


def test_job_of_a_living_worker_is_left_alone(media, demo):
    job = _dead_workers_job(media, attempts=1)
    ExportJob.objects.filter(pk=job.pk).update(worker=f"{socket.gethostname()}:{os.getpid()}")
    assert export_jobs_recover() == 0
    job.refresh_from_db()
    assert job.status == "running"


def test_job_silent_for_longer_than_stale_after_on_another_host_is_recovered(media, demo):
    job = _dead_workers_job(media, attempts=1)
    ExportJob.objects.filter(pk=job.pk).update(worker="other-host:1")
    assert export_jobs_recover() == 0
    ExportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - STALE_AFTER - timedelta(seconds=1)
    )
    assert export_jobs_recover() == 1


def test_failed_job_page_offers_to_export_again(client, login, media):
    user = login("shunping_medsec")
    job = ExportJob.objects.create(
        kind="department",
        object_id=ids()["department"],
        format="xlsx",
        requested_by=user,
        status="failed",
        message="生成文件时出错，请稍后重试或联系管理员。",
    )
    body = client.get(job.get_absolute_url()).content.decode()
    assert "导出失败：生成文件时出错" in body and "重新导出" in body
    assert f'name="ident" value="{ids()["department"]}"' in body


def test_job_for_an_invisible_object_is_refused_before_queueing(demo, media):
    from django.http import Http404

    user = User.objects.get(username="ruili_health")
    with pytest.raises(Http404):
        export_job_create(user=user, kind="department", ident=ids()["department"], fmt="pdf")
    assert not ExportJob.objects.exists()


def test_links_partial_offers_downloads_and_background_jobs(demo):
    table = TargetTable.objects.get(layout="dept_project", sequence=1)
    html = render_to_string("exports/_links.html", {"kind": "target", "obj": table})
    assert url("target", table.pk) in html and url("target", table.pk, "xlsx") in html
    html = render_to_string("exports/_links.html", {"kind": "department", "obj": table})
    assert reverse("exports:job_create") in html
    assert f'value="{table.organisation_id}-2020"' in html


def test_export_command_lists_and_writes_files(demo, tmp_path, capsys):
    call_command("export", "--list")
    listing = capsys.readouterr().out
    known = ids()
    assert f"department  {known['department']}" in listing
    assert f"summary     {known['summary']}" in listing
    assert f"target      {known['own_table']}" in listing
    out = tmp_path / "t.pdf"
    call_command("export", "target", str(known["own_table"]), "--format", "pdf", "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    out = tmp_path / "s.xlsx"
    call_command("export", "summary", known["summary"], "--format", "xlsx", "-o", str(out))
    assert out.read_bytes().startswith(b"PK")
    assert not list(Path(tmp_path).glob(".*partial"))
    with pytest.raises(CommandError):
        call_command("export", "target", "999999", "-o", str(tmp_path / "x.pdf"))


def test_system_check_warns_without_harfbuzz_subset_or_cjk_font(monkeypatch):
    from perfgoals.exports import checks

    assert checks.check_pdf_dependencies() == []
    monkeypatch.setattr(checks.ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(checks, "cjk_font_families", lambda: [])
    ids_ = {w.id for w in checks.check_pdf_dependencies()}
    assert ids_ == {"exports.W001", "exports.W002"}


def test_building_one_table_export_takes_a_fixed_number_of_queries(demo, django_assert_num_queries):
    from perfgoals.exports.kinds import build_document, resolve

    user = User.objects.get(username="ruili_medsec")
    table = TargetTable.objects.get(layout="project", organisation__name="瑞丽市医疗保障局")
    # the user's organisation, the table, its indicator tree (layout A prints no opinions)
    with django_assert_num_queries(3):
        build_document("target", resolve("target", str(table.pk), user))


def test_department_export_queries_do_not_grow_with_tables(demo, django_assert_num_queries):
    from perfgoals.exports.kinds import build_document, resolve

    ident = ids()["department"]
    # tables, all their indicators, the department table's opinions, the finance bureau
    with django_assert_num_queries(4):
        build_document("department", resolve("department", ident, None))


def test_summary_export_queries_do_not_grow_with_funds(demo, django_assert_num_queries):
    from perfgoals.exports.kinds import build_document, resolve

    ident = ids()["summary"]
    # the 14 funds with the department table they reconcile with, all the funds' indicators,
    # the bureau's own 汇总表 and its rows
    with django_assert_num_queries(4):
        document = build_document("summary", resolve("summary", ident, None))
    assert len(document.grids[0].sections[0].body) == 14  # 附件3-1 as written: no 合计 row
    assert len(document.grids[1].sections[0].body) == 14


def test_summary_without_a_stored_summary_adds_up_the_funds(demo):
    from perfgoals.exports.kinds import build_document, resolve
    from perfgoals.models import SpecialFundSummary

    SpecialFundSummary.objects.all().delete()
    document = build_document("summary", resolve("summary", ids()["summary"], None))
    assert len(document.grids[0].sections[0].body) == 14 + 1  # the funds and 合计
    assert "其余330万元不属于本表所列专项资金" in document.grids[0].note


def test_notice_export_query_count(demo, django_assert_num_queries):
    from perfgoals.exports.kinds import build_document, resolve

    ident = str(ids()["own_notice"])
    # An issued notice prints its record: notice; recipients; paragraphs; attachments (each
    # holding its table whole); the organisations the recorded tables name.
    with django_assert_num_queries(5):
        build_document("notice", resolve("notice", ident, None))


def test_export_page_names_kinds_in_chinese_not_codes(client, login):
    login("shunping_medsec")
    html = client.get(reverse("exports:index")).content.decode()
    assert "<td>部门预算绩效文本</td>" in html and "<td>绩效目标表</td>" in html
    codes = [c for c in ("department", "target", "notice", "summary") if f"<td>{c}</td>" in html]
    assert codes == []
