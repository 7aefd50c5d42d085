"""The checks panel's findings printed in Python, as the indicator block is (editor/tree.py).

Printed by the template engine each finding cost the page about as much as ten printed
rows (its forms, URLs and tests of severity): a table with a few dozen findings, as a first
draft has, spent more on its panel than on its tree.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from indicators.models import LintAcknowledgement
from perfgoals.display import moment
from perfgoals.findings import Finding, Severity
from perfgoals.models import TargetTable
from perfgoals.rendering import escape
from perfgoals.targets.editor.tree import csrf_input

SEVERITY_LABELS = {"error": "错误", "warning": "警告", "acknowledged": "已确认"}


@dataclass
class PanelFinding:
    """A lint finding as the panel shows it, with the acknowledgement of a warning, if any."""

    finding: Finding
    acknowledgement: LintAcknowledgement | None = None

    @property
    def css(self) -> str:
        return "acknowledged" if self.acknowledgement is not None else str(self.finding.severity)


def print_findings(
    panel: list[PanelFinding], *, table: TargetTable, editable: bool, csrf_token: str
) -> SafeString:
    """The panel's `<ol>` of findings: each says its severity in words (not by the bar's
    colour alone, WCAG 1.4.1), links to its row or field, and, in the editor, offers 采用
    for a suggestion and 确认无误 (or 撤销确认) for a warning."""
    acknowledge_url = csrf = ""
    if editable:
        acknowledge_url = escape(reverse("tables:lint_acknowledge", args=[table.pk]))
        csrf = csrf_input(csrf_token)
    html = ['<ol class="findings">']
    for item in panel:
        finding, ack = item.finding, item.acknowledgement
        if finding.indicator_id:
            anchor = f"row-{finding.indicator_id}"
        elif finding.field:
            anchor = f"field-{escape(finding.field)}"
        else:
            anchor = "main"
        html.append(
            f'<li class="finding sev-{item.css}" data-code="{escape(finding.code)}">'
            f'<span class="sev-label">{SEVERITY_LABELS[item.css]}</span> '
            f'<a href="#{anchor}">{escape(finding.message)}</a>'
        )
        if finding.suggestion:
            html.append(
                f'<span class="suggestion">建议写作：<code>{escape(finding.suggestion)}</code>'
            )
            if editable and finding.indicator_id:
                url = escape(reverse("tables:row_apply_suggestion", args=[finding.indicator_id]))
                html.append(
                    f'<form method="post" action="{url}" class="inline apply-form" '
                    f'hx-post="{url}" hx-target="#tree" hx-swap="outerHTML">{csrf}'
                    f'<input type="hidden" name="version" value="{table.version}" '
                    f'class="table-version"><input type="hidden" name="key" '
                    f'value="{finding.key}"><button type="submit" class="link">采用</button>'
                    "</form>"
                )
            html.append("</span>")
        if ack is not None:
            when = moment(ack.acknowledged_at)
            reason = f"。理由：{escape(ack.reason)}" if ack.reason else ""
            html.append(
                f'<span class="ack-note">已确认无误：{escape(ack.acknowledged_by)}，'
                f"{when}{reason}</span>"
            )
        if editable and finding.severity == Severity.WARNING:
            html.append(
                f'<form method="post" action="{acknowledge_url}" class="inline ack-form" '
                f'hx-post="{acknowledge_url}" hx-target="#lint-panel" hx-swap="outerHTML">'
                f'{csrf}<input type="hidden" name="key" value="{finding.key}">'
            )
            if ack is not None:
                html.append(
                    '<input type="hidden" name="withdraw" value="1">'
                    '<button type="submit" class="link">撤销确认</button>'
                )
            else:
                html.append(
                    '<label class="ack-reason">理由 <input type="text" name="reason" required '
                    'placeholder="为何属实无误" aria-label="确认理由"></label> '
                    '<button type="submit" class="link" title="此警告所指情况属实且有意为之：'
                    '说明理由并确认后不再阻止提交">确认无误</button>'
                )
            html.append("</form>")
        html.append("</li>")
    html.append("</ol>")
    return mark_safe("".join(html))  # noqa: S308 (escaped above)
