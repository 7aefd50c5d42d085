"""Warnings need acknowledgement (确认无误); errors must be fixed. Over services, HTTP and lint."""

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse
from django.utils.html import escape

from indicators.models import LintAcknowledgement, PerformanceIndicator
from indicators.services import indicator_update
from perfgoals.findings import Severity
from perfgoals.models import TargetTable, User
from perfgoals.targets.acknowledgements import (
    lint_acknowledgement_withdraw,
    lint_warning_acknowledge,
)
from perfgoals.targets.checks import check_table, open_findings

HTMX = {"HTTP_HX_REQUEST": "true"}
SEED_000 = "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"
ROW = "指标4：建档立卡贫困户家庭医生签约服务覆盖率"  # >=97.9%: a value_notation warning


@pytest.fixture
def table(demo):
    return TargetTable.objects.get(project_name=SEED_000, layout=TargetTable.Layout.PROJECT)


@pytest.fixture
def staff(demo):
    return User.objects.get(username="ruili_health")


def notation_warning(table):
    row = PerformanceIndicator.objects.get(table=table, name=ROW)
    return next(
        f for f in check_table(table) if f.indicator_id == row.pk and f.code == "value_notation"
    )


def test_an_acknowledged_warning_no_longer_stands_in_the_way(table, staff):
    warning = notation_warning(table)
    assert warning.severity == Severity.WARNING and warning in open_findings(table)
    ack = lint_warning_acknowledge(
        user=staff, table_id=table.pk, key=warning.key, reason="按上级文件填写"
    )
    assert (ack.acknowledged_by, ack.code, ack.message) == (
        staff,
        "value_notation",
        warning.message,
    )
    assert ack.history.first().history_user == staff
    assert warning not in open_findings(table)
    # Acknowledging twice (a double click) keeps one record.
    assert (
        lint_warning_acknowledge(
            user=staff, table_id=table.pk, key=warning.key, reason="按上级文件填写"
        )
        == ack
    )
    assert LintAcknowledgement.objects.filter(table=table).count() == 1


def test_changing_the_row_makes_the_warning_need_a_new_acknowledgement(table, staff):
    warning = notation_warning(table)
    lint_warning_acknowledge(
        user=staff, table_id=table.pk, key=warning.key, reason="按上级文件填写"
    )
    row = PerformanceIndicator.objects.get(table=table, name=ROW)
    indicator_update(
        user=staff,
        indicator_id=row.pk,
        version=table.version,
        fields={"name": ROW, "value_text": ">=98%"},
    )
    again = notation_warning(table)
    assert again.key != warning.key and again in open_findings(table)


def test_errors_cannot_be_acknowledged(demo):
    table = TargetTable.objects.get(project_code="450-0601-JXN-19AZ")
    user = User.objects.get(username="shunping_medsec")
    error = next(f for f in check_table(table) if f.code == "value_empty")
    with pytest.raises(ValidationError, match="错误不能确认"):
        lint_warning_acknowledge(
            user=user, table_id=table.pk, key=error.key, reason="按上级文件填写"
        )
    assert error in open_findings(table)
    assert not LintAcknowledgement.objects.exists()


def test_a_stale_key_is_refused_and_other_organisations_get_a_404(table, staff):
    with pytest.raises(ValidationError, match="已不存在"):
        lint_warning_acknowledge(
            user=staff, table_id=table.pk, key="0" * 64, reason="按上级文件填写"
        )
    other = User.objects.get(username="ruili_medsec")
    with pytest.raises(Http404):
        lint_warning_acknowledge(
            user=other, table_id=table.pk, key=notation_warning(table).key, reason="按上级文件填写"
        )


def test_withdrawing_reopens_the_warning(table, staff):
    warning = notation_warning(table)
    lint_warning_acknowledge(
        user=staff, table_id=table.pk, key=warning.key, reason="按上级文件填写"
    )
    assert lint_acknowledgement_withdraw(user=staff, table_id=table.pk, key=warning.key)
    assert warning in open_findings(table)
    assert not lint_acknowledgement_withdraw(user=staff, table_id=table.pk, key=warning.key)


def test_the_panel_acknowledges_over_htmx_and_without_javascript(client, login, table):
    login("ruili_health")
    url = reverse("tables:lint_acknowledge", args=[table.pk])
    warning = notation_warning(table)
    page = client.get(reverse("tables:edit", args=[table.pk])).content.decode()
    assert f'name="key" value="{warning.key}"' in page and "确认无误" in page
    item = page.split('class="finding sev-warning"')[1].split("</li>")[0]
    assert '<span class="sev-label">警告</span>' in item and escape(warning.message) in item
    # A confirmation needs a reason, which reviewers read.
    refused = client.post(url, {"key": warning.key, "reason": "  "}, **HTMX).content.decode()
    assert "请简要说明为何此警告属实无误" in refused
    assert not LintAcknowledgement.objects.exists()
    response = client.post(url, {"key": warning.key, "reason": "系统导出格式"}, **HTMX)
    panel = response.content.decode()
    assert response.status_code == 200 and panel.lstrip().startswith('<aside id="lint-panel"')
    assert "已确认无误：张翰林" in panel and "1 个警告已确认" in panel and "撤销确认" in panel
    assert "理由：系统导出格式" in panel
    # The kind of each finding is said in words, not only by the bar's colour.
    acknowledged = panel.split('class="finding sev-acknowledged"')[1].split("</li>")[0]
    assert '<span class="sev-label">已确认</span>' in acknowledged
    assert LintAcknowledgement.objects.get().reason == "系统导出格式"
    # The tree comes along out of band: the row is no longer flagged.
    assert '<section id="tree" class="card tree" aria-label="绩效指标" hx-swap-oob="true">' in panel
    response = client.post(url, {"key": warning.key, "withdraw": "1"})
    assert response.status_code == 302
    assert response.url == reverse("tables:edit", args=[table.pk]) + "#lint-panel"
    assert not LintAcknowledgement.objects.exists()
    stale = client.post(url, {"key": "x", "reason": "理由"}, **HTMX).content.decode()
    assert "该提示已不存在" in stale


def test_readers_see_the_acknowledgement_but_no_buttons(client, login, table, staff):
    warning = notation_warning(table)
    lint_warning_acknowledge(
        user=staff, table_id=table.pk, key=warning.key, reason="按上级文件填写"
    )
    login("ruili_finance")
    page = client.get(reverse("tables:detail", args=[table.pk])).content.decode()
    assert "已确认无误：张翰林" in page and "确认无误</button>" not in page
    assert (
        client.post(
            reverse("tables:lint_acknowledge", args=[table.pk]), {"key": warning.key}
        ).status_code
        == 404
    )


def test_the_lint_command_marks_acknowledged_warnings(table, staff):
    warning = notation_warning(table)
    lint_warning_acknowledge(
        user=staff, table_id=table.pk, key=warning.key, reason="按上级文件填写"
    )
    out = StringIO()
    call_command("lint", "--table", str(table.pk), "--format", "json", stdout=out)
    findings = json.loads(out.getvalue())[0]["findings"]
    flagged = [f for f in findings if f["acknowledged"]]
    assert [f["key"] for f in flagged] == [warning.key]
    out = StringIO()
    call_command("lint", "--table", str(table.pk), stdout=out)
    assert f"警告（已确认） [value_notation] 指标#{warning.indicator_id}" in out.getvalue()
    assert "（其中已确认 1 条）" in out.getvalue()


def test_a_suggested_normal_form_is_applied_with_one_click(client, login, table):
    login("ruili_health")
    warning = notation_warning(table)
    assert warning.suggestion == "≥97.9%"
    page = client.get(reverse("tables:edit", args=[table.pk])).content.decode()
    url = reverse("tables:row_apply_suggestion", args=[warning.indicator_id])
    assert f'action="{url}"' in page
    response = client.post(url, {"version": table.version, "key": warning.key}, **HTMX)
    assert response.status_code == 200
    row = PerformanceIndicator.objects.get(pk=warning.indicator_id)
    assert row.value_text == "≥97.9%"
    assert f'href="#row-{row.pk}"' not in response.content.decode().split("lint-panel")[1]
    # The same (now stale) suggestion again: refused, nothing changes.
    response = client.post(url, {"version": table.version + 1, "key": warning.key})
    assert response.status_code == 302
    table.refresh_from_db()
    assert table.version == 2


def test_a_suggestion_on_a_nameless_cell_keeps_the_name_it_holds(staff):
    from perfgoals.targets.acknowledgements import indicator_apply_suggestion
    from tests.indicators.trees import make

    table = make(
        [
            {
                "name": "产出指标",
                "children": [
                    {"name": "质量指标", "children": [{"name": "", "value": "签约率≧95%"}]}
                ],
            }
        ],
        layout=TargetTable.Layout.SPECIAL_FUND,
        organisation=staff.organisation,
    )
    finding = next(f for f in check_table(table) if f.code == "value_notation")
    assert finding.suggestion == "签约率≥95%"
    row = indicator_apply_suggestion(
        user=staff, indicator_id=finding.indicator_id, version=table.version, key=finding.key
    )
    assert (row.name, row.value_text) == ("", "签约率≥95%")
