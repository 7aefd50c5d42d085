"""The home page's reads: the review queues by stage, the counts, without the page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from allocations.models import FundNotice, NoticeRecipient
from perfgoals.home.selectors import (
    bureau_table_counts,
    data_counts,
    own_approved_tables,
    own_notice_drafts,
    own_tables_in_review,
    received_notices_with_drafts,
    region_approved_tables,
    review_queue,
    tables_with_latest_opinion,
)
from perfgoals.models import Office, Organisation, ReviewOpinion, TargetTable, User
from tests.factories import (
    FundNoticeFactory,
    OrganisationFactory,
    TargetTableFactory,
    UserFactory,
)

Status = TargetTable.Status
BUSINESS = Office.Kind.BUSINESS
PERFORMANCE = Office.Kind.PERFORMANCE

pytestmark = pytest.mark.django_db


def opinion(table, office_kind, minutes_ago, text="意见"):
    made = ReviewOpinion.objects.create(table=table, office_kind=office_kind, text=text)
    # created_at is auto_now_add: set the review time the scenario needs.
    ReviewOpinion.objects.filter(pk=made.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


@pytest.fixture
def bureau():
    return OrganisationFactory(name="戊县卫生健康局")


@pytest.fixture
def finance(bureau):
    return OrganisationFactory(
        name="戊县财政局", kind=Organisation.Kind.FINANCE, region=bureau.region
    )


def test_latest_opinion_is_the_newest(bureau):
    table = TargetTableFactory(organisation=bureau, status=Status.RETURNED)
    opinion(table, BUSINESS, 60, "旧意见")
    opinion(table, PERFORMANCE, 5, "新意见")
    annotated = tables_with_latest_opinion(TargetTable.objects.filter(pk=table.pk)).get()
    assert (annotated.opinion_text, annotated.opinion_office) == ("新意见", PERFORMANCE)


def test_review_queue_is_the_stage_of_the_users_office_oldest_first(bureau, finance):
    business = UserFactory(organisation=finance, role=User.Role.FINANCE_STAFF)
    performance = UserFactory(organisation=finance, role=User.Role.PERFORMANCE_REVIEWER)
    neighbour = OrganisationFactory(region=bureau.region)
    older = TargetTableFactory(organisation=bureau, status=Status.SUBMITTED)
    newer = TargetTableFactory(organisation=neighbour, status=Status.SUBMITTED)
    TargetTable.objects.filter(pk=older.pk).update(updated_at=timezone.now() - timedelta(days=1))
    passed = TargetTableFactory(organisation=bureau, status=Status.FIRST_PASSED)
    for status in (Status.DRAFT, Status.RETURNED, Status.APPROVED, Status.REJECTED):
        TargetTableFactory(organisation=bureau, status=status)
    TargetTableFactory(status=Status.SUBMITTED)  # another county
    TargetTableFactory(status=Status.FIRST_PASSED)
    TargetTableFactory(organisation=finance, status=Status.SUBMITTED)  # its own: never

    assert list(review_queue(business)) == [older, newer]
    assert list(review_queue(performance)) == [passed]


def test_review_queue_is_empty_for_those_who_review_nothing(bureau, finance):
    TargetTableFactory(organisation=bureau, status=Status.SUBMITTED)
    TargetTableFactory(organisation=bureau, status=Status.FIRST_PASSED)
    staff = UserFactory(organisation=bureau)
    # A finance role outside a finance bureau, or in the other stage's office.
    stray = UserFactory(organisation=bureau, role=User.Role.FINANCE_STAFF)
    performance_office = Office.objects.create(
        organisation=finance, name="绩效股", kind=Office.Kind.PERFORMANCE
    )
    misfiled = UserFactory(
        organisation=finance, office=performance_office, role=User.Role.FINANCE_STAFF
    )
    for user in (staff, stray, misfiled):
        assert list(review_queue(user)) == []


def test_approved_lists_are_newest_approval_first(bureau, finance):
    staff = UserFactory(organisation=bureau)
    reviewer = UserFactory(organisation=finance, role=User.Role.PERFORMANCE_REVIEWER)
    first = TargetTableFactory(organisation=bureau, status=Status.APPROVED)
    second = TargetTableFactory(
        organisation=OrganisationFactory(region=bureau.region), status=Status.APPROVED
    )
    TargetTable.objects.filter(pk=first.pk).update(updated_at=timezone.now() - timedelta(days=2))
    TargetTableFactory(organisation=bureau, status=Status.FIRST_PASSED)
    TargetTableFactory(status=Status.APPROVED)  # another county
    assert list(region_approved_tables(reviewer)) == [second, first]
    assert list(own_approved_tables(staff)) == [first]


def test_bureau_table_counts_say_where_each_own_table_stands(bureau):
    staff = UserFactory(organisation=bureau)
    TargetTableFactory.create_batch(2, organisation=bureau)
    TargetTableFactory(organisation=bureau, status=Status.RETURNED)
    TargetTableFactory(organisation=bureau, status=Status.SUBMITTED)
    TargetTableFactory(organisation=bureau, status=Status.FIRST_PASSED)
    TargetTableFactory(organisation=bureau, status=Status.REJECTED)
    TargetTableFactory.create_batch(3, organisation=bureau, status=Status.APPROVED)
    TargetTableFactory()  # another organisation's draft
    TargetTableFactory(status=Status.SUBMITTED)
    assert bureau_table_counts(staff) == {
        "drafts": 2,
        "returned": 1,
        "in_review": 2,
        "rejected": 1,
        "approved": 3,
    }
    assert {t.status for t in own_tables_in_review(staff)} == {
        Status.SUBMITTED,
        Status.FIRST_PASSED,
    }
    finance_staff = UserFactory(organisation=bureau, role=User.Role.FINANCE_STAFF)
    assert set(bureau_table_counts(finance_staff).values()) == {0}


def test_received_notices_are_those_with_my_drafts(bureau, finance):
    staff = UserFactory(organisation=bureau)
    neighbour = OrganisationFactory(region=bureau.region)

    def issued(serial):
        notice = FundNoticeFactory(
            issuer=finance,
            status=FundNotice.Status.ISSUED,
            issuer_code="戊财社",
            doc_year=2020,
            doc_serial=serial,
            issued_at=timezone.now(),
        )
        NoticeRecipient.objects.create(notice=notice, organisation=bureau)
        NoticeRecipient.objects.create(notice=notice, organisation=neighbour, position=1)
        return notice

    pending = issued(1)
    first = TargetTableFactory(organisation=bureau, notice=pending)
    last = TargetTableFactory(organisation=bureau, notice=pending)
    TargetTableFactory(organisation=neighbour, notice=pending)
    done = issued(2)
    TargetTableFactory(organisation=bureau, notice=done, status=Status.SUBMITTED)
    theirs = issued(3)
    TargetTableFactory(organisation=neighbour, notice=theirs)

    rows = list(received_notices_with_drafts(staff))
    assert rows == [pending]
    assert rows[0].my_drafts == 2
    assert rows[0].first_draft in {first.pk, last.pk}


def test_own_notice_drafts_are_the_issuers_only(finance):
    finance_staff = UserFactory(organisation=finance, role=User.Role.FINANCE_STAFF)
    mine = FundNoticeFactory(issuer=finance)
    FundNoticeFactory()  # another issuer's draft
    assert list(own_notice_drafts(finance_staff)) == [mine]


def test_data_counts_in_four_queries(login, django_assert_num_queries):
    admin = login("admin")
    with django_assert_num_queries(4):
        counts = data_counts(admin)
    assert counts.organisations == Organisation.objects.count()
    assert counts.users == User.objects.count()
    assert counts.notices == FundNotice.objects.count()
    assert counts.tables == TargetTable.objects.count()
    assert sum(counts.tables_by_status.values()) == counts.tables
