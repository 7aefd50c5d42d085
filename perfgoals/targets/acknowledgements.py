"""Acknowledging lint warnings (确认无误) and applying a finding's suggestion to its row."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import LintAcknowledgement, PerformanceIndicator
from indicators.services import ROW_FIELDS, indicator_editable, indicator_update
from perfgoals.services import target_table_editable
from perfgoals.targets.checks import check_table


def _current_finding(table, key: str):
    return next((f for f in check_table(table) if f.key == key), None)


REASON_MAX = LintAcknowledgement._meta.get_field("reason").max_length


@transaction.atomic
def lint_warning_acknowledge(*, user, table_id: int, key: str, reason: str) -> LintAcknowledgement:
    """Record that `user` confirmed the current warning `key` of the table as intended, and
    why (reviewers read the reason beside the warning; submission requires one).

    Raises Http404 outside the user's scope, ValidationError when the key names no current
    warning (the row changed since the page was drawn, or it is an error, which must be fixed)
    or the reason is missing or too long.
    """
    table = target_table_editable(user=user, table_id=table_id)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            "请简要说明为何此警告属实无误（例如“按省定标准填写”）。", code="reason"
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(f"确认理由不能超过{REASON_MAX}字。", code="reason_too_long")
    finding = _current_finding(table, key)
    if finding is None:
        raise ValidationError(
            "该提示已不存在（表已被修改），请重新检查后再确认。", code="stale_finding"
        )
    if finding.severity != "warning":
        raise ValidationError("错误不能确认，请修改后再提交。", code="error_finding")
    existing = LintAcknowledgement.objects.filter(table=table, key=key).first()
    if existing is not None:
        return existing
    acknowledgement = LintAcknowledgement(
        table=table,
        key=key,
        code=finding.code,
        indicator_id=finding.indicator_id,
        field=finding.field,
        message=finding.message,
        reason=reason,
        acknowledged_by=user,
    )
    acknowledgement._history_user = user
    try:
        with transaction.atomic():
            acknowledgement.save()
    except IntegrityError:
        # A double click: the other request recorded the same acknowledgement first.
        return LintAcknowledgement.objects.get(table=table, key=key)
    return acknowledgement


@transaction.atomic
def lint_acknowledgement_withdraw(*, user, table_id: int, key: str) -> bool:
    """Take back an acknowledgement: the warning counts as open again. True if one existed."""
    table = target_table_editable(user=user, table_id=table_id)
    acknowledgement = LintAcknowledgement.objects.filter(table=table, key=key).first()
    if acknowledgement is None:
        return False
    acknowledgement._history_user = user
    acknowledgement.delete()
    return True


@transaction.atomic
def indicator_apply_suggestion(
    *, user, indicator_id: int, version: int, key: str
) -> PerformanceIndicator:
    """Replace the row field a finding names (its value) by the normal form it suggests.

    `key` names the finding as the page showed it; a finding that has gone since (the row
    changed) or that suggests nothing is refused with a ValidationError.
    """
    row = indicator_editable(user=user, indicator_id=indicator_id)
    finding = _current_finding(row.table, key)
    if finding is None or finding.indicator_id != row.pk or not finding.suggestion:
        raise ValidationError(
            "该建议已不适用（此行已被修改），请重新检查后再操作。", code="stale_finding"
        )
    target = finding.field if finding.field in ROW_FIELDS else "value_text"
    fields = {name: getattr(row, name) for name in ROW_FIELDS}
    fields[target] = finding.suggestion
    return indicator_update(user=user, indicator_id=row.pk, version=version, fields=fields)
