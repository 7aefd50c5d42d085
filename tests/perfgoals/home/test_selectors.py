"""The home page's reads: the review stage, the queues and the counts, without the page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from allocations.models import FundNotice, NoticeRecipient
from perfgoals.home.selectors import (
    bureau_table_counts,
    data_counts,
    own_notice_drafts,
    received_notices_with_drafts,
    review_queue_at_stage,
    tables_with_latest_opinion,
    tables_with_review_stage,
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


@pytest.mark.parametrize(
    ("opinions", "awaiting_performance"),
    [
        ([], False),
        ([(BUSINESS, 10)], True),
        ([(PERFORMANCE, 10)], False),
        ([(BUSINESS, 30), (PERFORMANCE, 20)], False),
        ([(PERFORMANCE, 50), (BUSINESS, 40)], True),
    ],
    ids=["none", "business", "performance", "performance-after", "business-after"],
)
def test_review_stage_follows_the_newest_opinion_of_each_office(
    bureau, opinions, awaiting_performance
):
    table = TargetTableFactory(organisation=bureau, status=Status.SUBMITTED)
    for office_kind, minutes_ago in opinions:
        opinion(table, office_kind, minutes_ago)
    annotated = tables_with_review_stage(TargetTable.objects.filter(pk=table.pk)).get()
    assert annotated.awaiting_performance is awaiting_performance


def test_latest_opinion_is_the_newest(bureau):
    table = TargetTableFactory(organisation=bureau, status=Status.RETURNED)
    opinion(table, BUSINESS, 60, "旧意见")
    opinion(table, PERFORMANCE, 5, "新意见")
    annotated = tables_with_latest_opinion(TargetTable.objects.filter(pk=table.pk)).get()
    assert (annotated.opinion_text, annotated.opinion_office) == ("新意见", PERFORMANCE)


def test_review_queue_splits_the_region_by_stage_oldest_first(bureau, finance):
    reviewer = UserFactory(organisation=finance, role=User.Role.PERFORMANCE_REVIEWER)
    neighbour = OrganisationFactory(region=bureau.region)
    older = TargetTableFactory(organisation=bureau, status=Status.SUBMITTED)
    newer = TargetTableFactory(organisation=neighbour, status=Status.SUBMITTED)
    TargetTable.objects.filter(pk=older.pk).update(updated_at=timezone.now() - timedelta(days=1))
    passed = TargetTableFactory(organisation=bureau, status=Status.SUBMITTED)
    opinion(passed, BUSINESS, 10)
    TargetTableFactory(organisation=bureau, status=Status.DRAFT)
    TargetTableFactory(status=Status.SUBMITTED)  # another county

    assert list(review_queue_at_stage(reviewer, awaiting_performance=False)) == [older, newer]
    assert list(review_queue_at_stage(reviewer, awaiting_performance=True)) == [passed]


def test_bureau_table_counts_cover_only_editable_tables(bureau):
    staff = UserFactory(organisation=bureau)
    TargetTableFactory.create_batch(2, organisation=bureau)
    TargetTableFactory(organisation=bureau, status=Status.RETURNED)
    TargetTableFactory(organisation=bureau, status=Status.SUBMITTED)
    TargetTableFactory()  # another organisation's draft
    assert bureau_table_counts(staff) == {"drafts": 2, "returned": 1}


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
