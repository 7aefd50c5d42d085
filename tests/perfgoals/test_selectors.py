"""The kernel's scope: what a user object keeps of it between reads."""

import pytest

from perfgoals.models import TargetTable, User
from perfgoals.selectors import (
    table_is_editable_by,
    target_tables_editable_by,
    target_tables_visible_to,
)
from tests.factories import OrganisationFactory, TargetTableFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_scope_follows_the_user_when_its_organisation_or_role_changes():
    mine = OrganisationFactory(name="甲县卫生健康局")
    other = OrganisationFactory(name="乙县卫生健康局", region=mine.region)
    own = TargetTableFactory(organisation=mine)
    theirs = TargetTableFactory(organisation=other, status=TargetTable.Status.SUBMITTED)
    user = UserFactory(organisation=mine)
    assert list(target_tables_visible_to(user)) == [own]

    user.organisation = other
    assert list(target_tables_visible_to(user)) == [theirs]

    finance = OrganisationFactory(name="甲县财政局", region=mine.region, kind="finance")
    user.organisation = finance
    user.role = User.Role.FINANCE_STAFF
    assert set(target_tables_visible_to(user)) == {theirs}


def test_each_read_gets_a_queryset_of_its_own():
    """A read the caller evaluated is not what the next read returns (a table created since
    must show), nor is a read the caller narrowed."""
    user = UserFactory()
    first = TargetTableFactory(organisation=user.organisation)
    assert list(target_tables_visible_to(user)) == [first]
    assert list(target_tables_visible_to(user).filter(pk=-1)) == []
    second = TargetTableFactory(organisation=user.organisation)
    assert set(target_tables_visible_to(user)) == {first, second}


def test_a_read_table_is_editable_exactly_when_the_editable_scope_holds_it(demo):
    from django.contrib.auth.models import AnonymousUser

    first, second, third = TargetTable.objects.order_by("pk")[:3]
    for table, status in ((first, "returned"), (second, "submitted"), (third, "approved")):
        TargetTable.objects.filter(pk=table.pk).update(status=status)
    tables = list(TargetTable.objects.all())
    assert {table.status for table in tables} == {"draft", "returned", "submitted", "approved"}
    for user in [*User.objects.all(), AnonymousUser()]:
        editable = set(target_tables_editable_by(user).values_list("pk", flat=True))
        for table in tables:
            assert table_is_editable_by(table, user) == (table.pk in editable), (user, table)
