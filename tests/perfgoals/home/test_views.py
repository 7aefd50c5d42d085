"""The role home page at /: what waits for the signed-in user, with counts and links."""

from datetime import timedelta

import pytest
from django.utils import timezone

from allocations.models import FundNotice, NoticeRecipient
from perfgoals.models import Office, Organisation, ReviewOpinion, TargetTable, User
from tests.factories import (
    FundNoticeFactory,
    OrganisationFactory,
    TargetTableFactory,
    UserFactory,
)

URL = "/"
DEMO_USERS = [
    "ruili_health",
    "ruili_medsec",
    "ruili_finance",
    "ruili_perf",
    "dehong_finance",
    "dehong_health",
    "shifeng_health",
    "shifeng_finance",
    "shifeng_perf",
    "shunping_medsec",
    "shunping_finance",
    "shunping_perf",
    "admin",
]
Status = TargetTable.Status

pytestmark = pytest.mark.django_db


def sections(response) -> dict:
    return {section.key: section for section in response.context["sections"]}


def opinion(table, office_kind, text, minutes_ago):
    made = ReviewOpinion.objects.create(table=table, office_kind=office_kind, text=text)
    # created_at is auto_now_add: set the review time the scenario needs.
    ReviewOpinion.objects.filter(pk=made.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return made


@pytest.fixture
def county(db):
    """One county: a finance bureau (业务股室 and 绩效股 users) and two spending bureaus;
    plus a bureau in another county whose tables must never be counted here."""
    bureau = OrganisationFactory(name="丙县卫生健康局")
    region = bureau.region
    neighbour = OrganisationFactory(name="丙县医疗保障局", region=region)
    finance = OrganisationFactory(name="丙县财政局", kind=Organisation.Kind.FINANCE, region=region)
    elsewhere = OrganisationFactory(name="丁县卫生健康局")
    return {
        "bureau": bureau,
        "neighbour": neighbour,
        "finance": finance,
        "elsewhere": elsewhere,
        "staff": UserFactory(organisation=bureau, username="bing_health"),
        "finance_staff": UserFactory(
            organisation=finance, role=User.Role.FINANCE_STAFF, username="bing_finance"
        ),
        "reviewer": UserFactory(
            organisation=finance, role=User.Role.PERFORMANCE_REVIEWER, username="bing_perf"
        ),
    }


# --- access -----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/"


@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_demo_user_gets_a_home_page(client, login, username):
    login(username)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "待办事项" in html
    assert 'href="/tables/"' in html  # the nav link to the list


def test_logging_in_lands_on_the_home_page(client, demo, demo_password):
    response = client.post(
        "/accounts/login/", {"username": "ruili_health", "password": demo_password}, follow=True
    )
    assert response.redirect_chain[-1] == ("/", 302)
    assert response.status_code == 200
    assert "待完成的草稿" in response.content.decode()


# --- spending-bureau staff --------------------------------------------------------------


def test_bureau_staff_sees_own_drafts_and_returned_tables_only(client, county):
    for n in range(3):
        TargetTableFactory(organisation=county["bureau"], project_name=f"本局草稿{n}")
    TargetTableFactory(organisation=county["bureau"], status=Status.SUBMITTED)
    returned = TargetTableFactory(
        organisation=county["bureau"], status=Status.RETURNED, project_name="被退回的表"
    )
    for n in range(4):
        TargetTableFactory(organisation=county["neighbour"], project_name=f"邻局草稿{n}")
    TargetTableFactory(organisation=county["neighbour"], status=Status.RETURNED)
    opinion(returned, Office.Kind.BUSINESS, "请补充满意度指标。", minutes_ago=60)
    opinion(returned, Office.Kind.PERFORMANCE, "时效指标应列在产出指标下。", minutes_ago=5)

    client.force_login(county["staff"])
    response = client.get(URL)
    found = sections(response)
    assert found["drafts"].count == 3
    assert {t.project_name for t in found["drafts"].rows} == {f"本局草稿{n}" for n in range(3)}
    assert found["returned"].count == 1
    assert found["returned"].rows == [returned]
    html = response.content.decode()
    # The newest opinion is shown with its office, the older one is not.
    assert "时效指标应列在产出指标下。" in html and "绩效股" in html
    assert "请补充满意度指标。" not in html
    assert "邻局草稿" not in html
    assert f"/tables/{returned.pk}/edit/" in html

    # "查看全部" leads to the same set in the list: my organisation's drafts.
    listed = client.get(found["drafts"].more_url)
    assert listed.context["table"].paginator.count == 3


def test_bureau_staff_sees_notices_that_created_drafts(client, county):
    notice = FundNoticeFactory(
        issuer=county["finance"],
        title="关于下达丙县家庭医生补助资金的通知",
        status=FundNotice.Status.ISSUED,
        issuer_code="丙财社",
        doc_year=2020,
        doc_serial=7,
        issued_at=timezone.now(),
    )
    NoticeRecipient.objects.create(notice=notice, organisation=county["bureau"])
    NoticeRecipient.objects.create(notice=notice, organisation=county["neighbour"], position=1)
    mine = TargetTableFactory(organisation=county["bureau"], notice=notice)
    TargetTableFactory(organisation=county["neighbour"], notice=notice)
    # A notice whose table I already submitted needs nothing more from me.
    done = FundNoticeFactory(
        issuer=county["finance"],
        status=FundNotice.Status.ISSUED,
        issuer_code="丙财社",
        doc_year=2020,
        doc_serial=8,
        issued_at=timezone.now(),
    )
    NoticeRecipient.objects.create(notice=done, organisation=county["bureau"])
    TargetTableFactory(organisation=county["bureau"], notice=done, status=Status.SUBMITTED)

    client.force_login(county["staff"])
    response = client.get(URL)
    section = sections(response)["notices"]
    assert section.count == 1
    assert section.rows == [notice]
    assert section.rows[0].my_drafts == 1
    html = response.content.decode()
    assert "丙财社〔2020〕7号" in html
    assert f"/tables/{mine.pk}/edit/" in html
    assert "丙财社〔2020〕8号" not in html


# --- finance staff and performance reviewers --------------------------------------------


def test_finance_staff_sees_own_notice_drafts_and_region_submissions(client, county):
    FundNoticeFactory(issuer=county["finance"], title="丙县草稿通知")
    FundNoticeFactory(issuer=county["elsewhere"], title="外县草稿通知")
    waiting = TargetTableFactory(organisation=county["bureau"], status=Status.SUBMITTED)
    TargetTableFactory(organisation=county["neighbour"], status=Status.DRAFT)
    TargetTableFactory(organisation=county["elsewhere"], status=Status.SUBMITTED)
    passed = TargetTableFactory(organisation=county["neighbour"], status=Status.SUBMITTED)
    opinion(passed, Office.Kind.BUSINESS, "同意，转绩效股。", minutes_ago=1)

    client.force_login(county["finance_staff"])
    response = client.get(URL)
    found = sections(response)
    assert found["notice_drafts"].count == 1
    assert [n.title for n in found["notice_drafts"].rows] == ["丙县草稿通知"]
    assert found["review"].count == 1
    assert found["review"].rows == [waiting]
    assert "外县草稿通知" not in response.content.decode()


def test_performance_reviewer_sees_tables_past_the_business_office(client, county):
    fresh = TargetTableFactory(organisation=county["bureau"], status=Status.SUBMITTED)
    passed = TargetTableFactory(organisation=county["bureau"], status=Status.SUBMITTED)
    opinion(passed, Office.Kind.BUSINESS, "同意。", minutes_ago=10)
    # Reviewed by 绩效股 after the business office: no longer waiting for 绩效股.
    reviewed = TargetTableFactory(organisation=county["neighbour"], status=Status.SUBMITTED)
    opinion(reviewed, Office.Kind.BUSINESS, "同意。", minutes_ago=30)
    opinion(reviewed, Office.Kind.PERFORMANCE, "已审。", minutes_ago=20)
    # Back at 绩效股 after a new business-office opinion.
    again = TargetTableFactory(organisation=county["neighbour"], status=Status.SUBMITTED)
    opinion(again, Office.Kind.PERFORMANCE, "退回补充。", minutes_ago=50)
    opinion(again, Office.Kind.BUSINESS, "已补充，同意。", minutes_ago=40)
    elsewhere = TargetTableFactory(organisation=county["elsewhere"], status=Status.SUBMITTED)
    opinion(elsewhere, Office.Kind.BUSINESS, "同意。", minutes_ago=10)

    client.force_login(county["reviewer"])
    found = sections(client.get(URL))
    assert found["review"].count == 2
    assert set(found["review"].rows) == {passed, again}
    assert fresh not in found["review"].rows

    client.force_login(county["finance_staff"])
    business = sections(client.get(URL))["review"]
    assert set(business.rows) == {fresh, reviewed}


# --- administrators ---------------------------------------------------------------------


def test_administrator_sees_admin_link_and_data_counts(client, login):
    login("admin")
    TargetTableFactory(status=Status.APPROVED)
    response = client.get(URL)
    counts = {label: count for label, count, _ in response.context["admin_counts"]}
    assert counts["绩效目标表"] == TargetTable.objects.count()
    assert counts["其中已批准"] == TargetTable.objects.filter(status=Status.APPROVED).count() >= 1
    assert counts["资金下达通知"] == FundNotice.objects.count()
    assert counts["单位"] == Organisation.objects.count()
    assert counts["用户"] == User.objects.count()
    assert 'href="/admin/"' in response.content.decode()


def test_bureau_staff_sees_no_admin_section(client, login):
    login("ruili_health")
    response = client.get(URL)
    assert response.context["admin_counts"] == []
    assert 'id="section-admin"' not in response.content.decode()


# --- query counts -----------------------------------------------------------------------


# session, user, organisation (header), draft/returned counts, drafts, returned (with the
# latest opinion as subqueries), notices with my drafts, their count.
BUREAU_QUERIES = 8
# session, user, organisation, notice-draft count and rows, review count and rows.
FINANCE_QUERIES = 7


@pytest.mark.parametrize("count", [5, 50])
def test_bureau_home_query_count_is_constant(client, county, django_assert_num_queries, count):
    notice = FundNoticeFactory(
        issuer=county["finance"],
        status=FundNotice.Status.ISSUED,
        issuer_code="丙财社",
        doc_year=2021,
        doc_serial=1,
        issued_at=timezone.now(),
    )
    NoticeRecipient.objects.create(notice=notice, organisation=county["bureau"])
    for n in range(count):
        table = TargetTableFactory(
            organisation=county["bureau"],
            notice=notice,
            status=Status.RETURNED if n % 2 else Status.DRAFT,
        )
        if n % 2:
            opinion(table, Office.Kind.BUSINESS, f"意见{n}", minutes_ago=n)
    client.force_login(county["staff"])
    with django_assert_num_queries(BUREAU_QUERIES):
        response = client.get(URL)
    found = sections(response)
    assert found["drafts"].count + found["returned"].count == count


@pytest.mark.parametrize("count", [5, 50])
def test_finance_home_query_count_is_constant(client, county, django_assert_num_queries, count):
    for _ in range(count):
        TargetTableFactory(organisation=county["bureau"], status=Status.SUBMITTED)
        FundNoticeFactory(issuer=county["finance"])
    client.force_login(county["finance_staff"])
    with django_assert_num_queries(FINANCE_QUERIES):
        response = client.get(URL)
    assert sections(response)["review"].count == count
