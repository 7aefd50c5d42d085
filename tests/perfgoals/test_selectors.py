"""The kernel's scope: built once per thread for what it reads of the user, copied per read."""

import threading

import pytest

from allocations.models import FundNotice
from allocations.selectors import notices_visible_to
from perfgoals.models import TargetTable, User
from perfgoals.selectors import (
    BuiltScopes,
    table_is_editable_by,
    target_tables_editable_by,
    target_tables_visible_to,
)
from tests.factories import (
    CountyFactory,
    FundNoticeFactory,
    OrganisationFactory,
    TargetTableFactory,
    UserFactory,
)

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


def test_the_scope_follows_the_region_of_the_users_organisation():
    """A finance bureau moved to another region sees that region's submitted tables, not
    the ones of the region it left (the region is part of what the built scope is kept by)."""
    finance = OrganisationFactory(name="甲县财政局", kind="finance")
    old_bureau = OrganisationFactory(name="甲县卫生健康局", region=finance.region)
    new_region = CountyFactory(name="乙县")
    new_bureau = OrganisationFactory(name="乙县卫生健康局", region=new_region)
    submitted = TargetTable.Status.SUBMITTED
    old = TargetTableFactory(organisation=old_bureau, status=submitted)
    new = TargetTableFactory(organisation=new_bureau, status=submitted)
    user = UserFactory(organisation=finance, role=User.Role.FINANCE_STAFF)
    assert list(target_tables_visible_to(user)) == [old]

    finance.region = new_region
    finance.save()
    user = User.objects.select_related("organisation").get(pk=user.pk)
    assert list(target_tables_visible_to(user)) == [new]


def test_the_notice_scope_follows_the_role():
    """Finance staff see their bureau's drafts; a performance reviewer of the same bureau
    does not, though both share an organisation and region."""
    finance = OrganisationFactory(name="甲县财政局", kind="finance")
    draft = FundNoticeFactory(issuer=finance, status=FundNotice.Status.DRAFT)
    user = UserFactory(organisation=finance, role=User.Role.FINANCE_STAFF)
    assert list(notices_visible_to(user)) == [draft]

    user.role = User.Role.PERFORMANCE_REVIEWER
    assert list(notices_visible_to(user)) == []
    user.role = User.Role.ADMINISTRATOR
    assert set(notices_visible_to(user)) == set(FundNotice.objects.all())


def test_a_built_scope_is_copied_per_read_and_never_shared_between_threads():
    scopes = BuiltScopes()
    built = []

    def build():
        built.append(TargetTable.objects.filter(year=2020))
        return built[-1]

    first = scopes.get(("key",), build)
    second = scopes.get(("key",), build)
    assert len(built) == 1
    assert first is not built[0] and second is not built[0] and first is not second

    other_thread = threading.Thread(target=lambda: scopes.get(("key",), build))
    other_thread.start()
    other_thread.join()
    assert len(built) == 2 and built[1] is not built[0]


def test_built_scopes_are_bounded():
    scopes = BuiltScopes()
    for n in range(BuiltScopes.LIMIT + 1):
        scopes.get((n,), TargetTable.objects.none)
    assert len(scopes.built) <= BuiltScopes.LIMIT


def test_the_notice_list_reads_each_users_own_visible_notices_in_one_thread(demo):
    """The list's read of the scope is compiled per scope key: users of other bureaus in the
    same thread, one after the other, each get their own notices."""
    from allocations.selectors import notice_list

    for username in ["ruili_health", "ruili_finance", "dehong_finance", "shifeng_health"]:
        user = User.objects.get(username=username)
        listing = notice_list(user)
        assert set(listing.notices.values_list("pk", flat=True)) == set(
            notices_visible_to(user).values_list("pk", flat=True)
        ), username
