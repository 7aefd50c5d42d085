"""The upload → preview → confirm pages and the import_tables command."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable

from . import hostile
from .builders import workbook
from .test_variants import table

pytestmark = pytest.mark.django_db
BUREAU = "ruili_medsec"


def upload(client, data: bytes, name="tables.xlsx"):
    return client.post(reverse("tables:import"), {"file": SimpleUploadedFile(name, data)})


def test_preview_then_confirm_creates_drafts_of_the_users_organisation(client, login):
    user = login(BUREAU)
    before = TargetTable.objects.count()
    response = upload(client, workbook([table("甲项目"), table("乙项目")], mid=True))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    text = preview.content.decode()
    assert '找到 <strong id="import-count">2</strong> 张绩效目标表' in text
    assert "≧85%" in text and "检查结果" in text
    assert TargetTable.objects.count() == before  # nothing saved by the preview
    done = client.post(response["Location"], {"confirm": "1"})
    assert done.status_code == 200
    created = TargetTable.objects.filter(project_name__in=["甲项目", "乙项目"])
    assert created.count() == 2
    for t in created:
        assert t.organisation == user.organisation and t.status == TargetTable.Status.DRAFT
        assert t.created_by == user and t.year == 2023
        assert PerformanceIndicator.objects.filter(table=t).count() == 12
        assert reverse("tables:edit", args=[t.pk]) in done.content.decode()
    # The stored upload is gone once used: confirming twice creates nothing more.
    again = client.post(response["Location"], {"confirm": "1"})
    assert again.status_code == 404 and created.count() == 2


def test_a_table_that_cannot_be_saved_blocks_all(client, login):
    login(BUREAU)
    before = TargetTable.objects.count()
    bad = {**table("坏表"), "header": {**table("坏表")["header"], "amount_total": "约十万"}}
    response = upload(client, workbook([table("好表"), bad]))
    page = client.get(response["Location"]).content.decode()
    assert "“约十万”不是可识别的数字" in page and "确认导入" not in page
    refused = client.post(response["Location"], {"confirm": "1"})
    assert refused.status_code == 400 and "没有保存任何表" in refused.content.decode()
    assert TargetTable.objects.count() == before


def test_a_refused_file_is_answered_in_chinese(client, login):
    login(BUREAU)
    response = upload(client, hostile.encrypted())
    assert response.status_code == 400
    assert "设置了打开密码" in response.content.decode()


def test_another_session_cannot_confirm_the_preview(client, login, django_user_model):
    login(BUREAU)
    location = upload(client, workbook([table("甲项目")]))["Location"]
    client.logout()
    login("ruili_health")
    assert client.post(location, {"confirm": "1"}).status_code == 404
    assert not TargetTable.objects.filter(project_name="甲项目").exists()


def test_only_bureau_staff_import(client, login):
    login("admin")
    assert client.get(reverse("tables:import")).status_code == 403


def test_list_links_to_the_import(client, login):
    login(BUREAU)
    assert reverse("tables:import") in client.get(reverse("table_list")).content.decode()


def test_command_dry_run_prints_preview_and_saves_nothing(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(workbook([table("甲项目")], mid=True))
    out = StringIO()
    call_command(
        "import_tables", str(path), "--organisation", "瑞丽市医疗保障局", "--dry-run", stdout=out
    )
    text = out.getvalue()
    assert "找到 1 张绩效目标表" in text and "三级 培训人次 = ≥200人次（中期：600人次）" in text
    assert "检查结果" in text and "没有保存" in text
    assert not TargetTable.objects.filter(project_name="甲项目").exists()


def test_command_saves(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(workbook([table("甲项目")]))
    out = StringIO()
    call_command("import_tables", str(path), "--organisation", "瑞丽市医疗保障局", stdout=out)
    table_ = TargetTable.objects.get(project_name="甲项目")
    assert f"已创建草稿 #{table_.pk}" in out.getvalue()
    assert table_.organisation.name == "瑞丽市医疗保障局"


def test_command_exits_non_zero_on_a_refused_file(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(hostile.zip_bomb())
    with pytest.raises(CommandError, match="压缩炸弹"):
        call_command("import_tables", str(path), "--organisation", "瑞丽市医疗保障局")
