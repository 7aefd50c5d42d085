"""`manage.py lint`: text and JSON output of the same findings, exit status."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from perfgoals.models import TargetTable
from perfgoals.targets.checks import check_table

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("lint", *args, stdout=out)
    return out.getvalue()


def test_text_output_groups_findings_per_table(demo):
    table = TargetTable.objects.get(project_name="2020年中央财政医疗救助补助资金（第二批）")
    out = run("--table", str(table.pk))
    assert out.startswith(f"#{table.pk} 瑞丽市医疗保障局 2020年 {table.project_name}")
    assert "警告 [placement]" in out
    assert "“一站式”即时结算覆盖率：“时效指标”应属于产出指标，不应放在效益指标下。" in out
    assert "共检查 1 张绩效目标表" in out


def test_json_output_has_the_same_findings(demo):
    data = json.loads(run("--all", "--format", "json"))
    assert len(data) == TargetTable.objects.count()
    for item in data:
        table = TargetTable.objects.get(pk=item["table"])
        assert item["findings"] == [
            {**f.as_dict(), "acknowledged": False} for f in check_table(table)
        ]
        assert item["organisation"] == table.organisation.name


def test_all_reports_every_seed_defect(demo):
    out = run("--all")
    for expected in [
        "[placement]",
        "“≧85%”写法不规范，建议写作“≥85%”",
        "指标值“1”在率指标中表示100%",
        "城镇居民医保覆盖率（%）：指标值未填写",
        "群众满意度：指标值未填写",
        "[basis_empty]",
        "[description_mismatch]",
        "[rate_over_100]",
        "还岳阳印刷厂印刷费用",
        "相差330.00万元",
    ]:
        assert expected in out, expected


def test_exit_status_is_zero_unless_asked_to_fail(demo):
    run("--all")  # would raise SystemExit on failure
    with pytest.raises(SystemExit) as exc:
        run("--all", "--fail-on-error")
    assert exc.value.code == 1


def test_fail_on_error_passes_a_table_without_errors(demo):
    table = TargetTable.objects.get(project_code="450-0601-JXN-EEQ1")
    assert run("--table", str(table.pk), "--fail-on-error")


def test_unknown_table_is_a_clear_error(demo):
    with pytest.raises(CommandError, match="没有编号为 999999 的绩效目标表"):
        run("--table", "999999")


def test_table_or_all_is_required(demo):
    with pytest.raises(CommandError):
        run()
