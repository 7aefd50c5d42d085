"""Taking a table through the review services, as its bureau and the two finance offices
would: the scenery of tests that need a submitted or approved table."""

from perfgoals.models import TargetTable, User
from perfgoals.targets.acknowledgements import lint_warning_acknowledge
from perfgoals.targets.checks import check_table
from perfgoals.targets.review import target_table_review, target_table_submit


def submit(table: TargetTable, user: User) -> TargetTable:
    """Submit through the service, acknowledging every open warning with a reason."""
    for finding in check_table(table):
        if finding.severity == "warning":
            lint_warning_acknowledge(user=user, table_id=table.pk, key=finding.key, reason="已核实")
    table.refresh_from_db()
    return target_table_submit(user=user, table_id=table.pk, version=table.version)


def review(table: TargetTable, user: User, grade: str, opinion: str = "同意。") -> TargetTable:
    table.refresh_from_db()
    return target_table_review(
        user=user, table_id=table.pk, version=table.version, grade=grade, opinion=opinion
    )


def approve(
    table: TargetTable,
    staff: User,
    business: User,
    performance: User,
    opinions=("同意。", "同意批复。"),
) -> TargetTable:
    submit(table, staff)
    review(table, business, "excellent", opinions[0])
    return review(table, performance, "good", opinions[1])
