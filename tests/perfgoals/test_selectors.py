"""The kernel's scope: what a user object keeps of it between reads."""

import pytest

from perfgoals.models import TargetTable, User
from perfgoals.selectors import target_tables_visible_to
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
