"""The checks panel's findings, printed in Python (perfgoals/targets/editor/panel.py): what
each finding says, links to and offers, escaped as the template escaped it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import LintAcknowledgement
from perfgoals.findings import Finding, Severity
from perfgoals.models import TargetTable, User
from perfgoals.targets.editor.panel import PanelFinding, print_findings
from tests.perfgoals.targets.test_editor import PROJECT


@pytest.fixture
def table(demo):
    return TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)


def items(html: str) -> list[str]:
    assert html.startswith('<ol class="findings">') and html.endswith("</ol>")
    return [item.split("</li>")[0] for item in html.split("<li ")[1:]]


def test_each_finding_says_its_kind_links_to_its_place_and_is_escaped(table):
    panel = [
        PanelFinding(Finding("code<1>", Severity.ERROR, "表<b>&</b>", field="project_name")),
        PanelFinding(Finding("c2", Severity.WARNING, "行", indicator_id=7, suggestion="≥<9>")),
        PanelFinding(Finding("c3", Severity.ERROR, "全表")),
    ]
    field, row, whole = items(print_findings(panel, table=table, editable=False, csrf_token="t"))
    assert field.startswith('class="finding sev-error" data-code="code&lt;1&gt;">')
    assert '<span class="sev-label">错误</span> <a href="#field-project_name">' in field
    assert "表&lt;b&gt;&amp;&lt;/b&gt;</a>" in field
    assert '<span class="sev-label">警告</span> <a href="#row-7">行</a>' in row
    assert '<span class="suggestion">建议写作：<code>≥&lt;9&gt;</code></span>' in row
    assert '<a href="#main">全表</a>' in whole
    # Read, not edited: no form at all.
    assert "<form" not in "".join((field, row, whole))


def test_the_editor_offers_the_suggestion_and_the_confirmation_with_the_tables_version(table):
    warning = Finding("c2", Severity.WARNING, "行", indicator_id=7, suggestion="≥9")
    error = Finding("c1", Severity.ERROR, "错", indicator_id=7, suggestion="≥8")
    table.version = 5
    html = print_findings(
        [PanelFinding(warning), PanelFinding(error)],
        table=table,
        editable=True,
        csrf_token="tok<en>",
    )
    row, wrong = items(html)
    apply_url = reverse("tables:row_apply_suggestion", args=[7])
    acknowledge_url = reverse("tables:lint_acknowledge", args=[table.pk])
    assert f'action="{apply_url}" class="inline apply-form" hx-post="{apply_url}"' in row
    assert 'name="version" value="5"' in row
    assert row.count(f'name="key" value="{warning.key}"') == 2
    assert row.count('name="csrfmiddlewaretoken" value="tok&lt;en&gt;"') == 2
    assert f'action="{acknowledge_url}" class="inline ack-form"' in row
    assert 'name="reason" required' in row and "确认无误</button>" in row
    # An error is fixed, never confirmed; its suggestion is still offered.
    assert "ack-form" not in wrong and "apply-form" in wrong


def test_an_acknowledged_warning_names_who_when_and_why_and_offers_withdrawal(table):
    user = User.objects.get(username="ruili_health")
    user.first_name, user.last_name = "<i>", "张"
    warning = Finding("c2", Severity.WARNING, "行", indicator_id=7)
    ack = LintAcknowledgement(
        table=table,
        key=warning.key,
        reason="按<上级>文件",
        acknowledged_by=user,
        acknowledged_at=dt.datetime(2026, 3, 1, 16, 5, tzinfo=dt.UTC),
    )
    with timezone.override("Asia/Shanghai"):
        (item,) = items(
            print_findings([PanelFinding(warning, ack)], table=table, editable=True, csrf_token="t")
        )
    assert item.startswith('class="finding sev-acknowledged"')
    assert '<span class="sev-label">已确认</span>' in item
    assert "已确认无误：张&lt;i&gt;，2026年3月2日 00:05。理由：按&lt;上级&gt;文件</span>" in item
    assert '<input type="hidden" name="withdraw" value="1">' in item and "撤销确认" in item
    assert 'name="reason"' not in item
