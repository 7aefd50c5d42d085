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
    TargetTableFactory(organisation=county["neighbour"], status=Status.FIRST_PASSED)
    approved = TargetTableFactory(
        organisation=county["neighbour"], status=Status.APPROVED, project_name="已批准的表"
    )
    TargetTableFactory(organisation=county["elsewhere"], status=Status.APPROVED)

    client.force_login(county["finance_staff"])
    response = client.get(URL)
    found = sections(response)
    assert found["notice_drafts"].count == 1
    assert [n.title for n in found["notice_drafts"].rows] == ["丙县草稿通知"]
    assert found["review"].count == 1
    assert found["review"].rows == [waiting]
    assert found["approved"].count == 1
    assert found["approved"].rows == [approved]
    html = response.content.decode()
    assert "待我审核" in html and "已批准的表" in html
    assert "外县草稿通知" not in html


def test_performance_reviewer_sees_tables_the_business_office_passed(client, county):
    fresh = TargetTableFactory(organisation=county["bureau"], status=Status.SUBMITTED)
    passed = TargetTableFactory(organisation=county["bureau"], status=Status.FIRST_PASSED)
    again = TargetTableFactory(organisation=county["neighbour"], status=Status.FIRST_PASSED)
    # An opinion alone no longer moves a table between stages: the status does.
    opinion(fresh, Office.Kind.BUSINESS, "同意。", minutes_ago=10)
    TargetTableFactory(organisation=county["neighbour"], status=Status.RETURNED)
    TargetTableFactory(organisation=county["elsewhere"], status=Status.FIRST_PASSED)

    client.force_login(county["reviewer"])
    found = sections(client.get(URL))
    assert found["review"].count == 2
    assert set(found["review"].rows) == {passed, again}
    assert "notice_drafts" not in found

    client.force_login(county["finance_staff"])
    assert sections(client.get(URL))["review"].rows == [fresh]


def test_bureau_staff_sees_where_each_table_stands(client, county):
    bureau = county["bureau"]
    submitted = TargetTableFactory(organisation=bureau, status=Status.SUBMITTED)
    first_passed = TargetTableFactory(organisation=bureau, status=Status.FIRST_PASSED)
    rejected = TargetTableFactory(organisation=bureau, status=Status.REJECTED)
    made = ReviewOpinion.objects.create(
        table=rejected, office_kind=Office.Kind.BUSINESS, text="与资金用途无关。", grade="poor"
    )
    approved = TargetTableFactory(organisation=bureau, status=Status.APPROVED)
    TargetTableFactory(organisation=county["neighbour"], status=Status.APPROVED)
    TargetTableFactory(organisation=county["neighbour"], status=Status.SUBMITTED)

    client.force_login(county["staff"])
    response = client.get(URL)
    found = sections(response)
    assert set(found["in_review"].rows) == {submitted, first_passed}
    assert found["in_review"].count == 2
    assert (found["rejected"].count, found["rejected"].rows) == (1, [rejected])
    assert (found["approved"].count, found["approved"].rows) == (1, [approved])
    assert (found["drafts"].count, found["returned"].count) == (0, 0)
    html = response.content.decode()
    assert "已提交待初审" in html and "初审通过待复审" in html
    assert made.text in html and "业务股室（差）" in html


def test_bureaus_one_after_another_each_see_their_own_sections(client, county):
    """The bureau sections' SQL is kept compiled per scope (home.selectors.bureau_reads): the
    next bureau's page, in the same thread, reads its own organisation's rows and counts."""
    staff = {
        "bureau": county["staff"],
        "neighbour": UserFactory(organisation=county["neighbour"], username="bing_medsec"),
    }
    pairs = (("bureau", county["bureau"]), ("neighbour", county["neighbour"]))
    for serial, (key, organisation) in enumerate(pairs, start=1):
        notice = FundNoticeFactory(
            issuer=county["finance"],
            status=FundNotice.Status.ISSUED,
            issuer_code="丙财社",
            doc_year=2021,
            doc_serial=serial,
            issued_at=timezone.now(),
            title=f"{key}的通知",
        )
        NoticeRecipient.objects.create(notice=notice, organisation=organisation)
        for status in Status:
            TargetTableFactory(
                organisation=organisation,
                notice=notice,
                status=status,
                project_name=f"{key}{status}",
            )
        # One more draft for the neighbour: the counts differ too.
        if key == "neighbour":
            TargetTableFactory(organisation=organisation, project_name="neighbour另一张草稿")

    def seen(key):
        client.force_login(staff[key])
        found = sections(client.get(URL))
        return {
            name: (
                section.count,
                sorted(getattr(row, "project_name", None) or row.title for row in section.rows),
            )
            for name, section in found.items()
        }

    mine, theirs = seen("bureau"), seen("neighbour")
    assert mine == {
        "returned": (1, ["bureaureturned"]),
        "drafts": (1, ["bureaudraft"]),
        "in_review": (2, ["bureaufirst_passed", "bureausubmitted"]),
        "rejected": (1, ["bureaurejected"]),
        "approved": (1, ["bureauapproved"]),
        "notices": (1, ["bureau的通知"]),
    }
    assert theirs["drafts"] == (2, ["neighbourdraft", "neighbour另一张草稿"])
    assert theirs["notices"] == (1, ["neighbour的通知"])
    assert theirs["returned"] == (1, ["neighbourreturned"])
    assert seen("bureau") == mine


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


# session, user (with its organisation and office: perfgoals.accounts.backends), one count per
# status (one grouped read), the rows of returned (with the latest opinion as subqueries), drafts,
# in review, rejected, approved; notices with my drafts, their count. A section with nothing
# in it reads no rows.
BUREAU_QUERIES = 10
# session, user (with its organisation and office: the stage it reviews), review count and
# rows, approved count and rows, notice-draft count and rows.
FINANCE_QUERIES = 8
# the same without the notice drafts.
PERFORMANCE_QUERIES = 6


def test_empty_sections_read_no_rows(client, county, django_assert_num_queries):
    """A section whose count is 0 reads no rows: session, user, the counts, the notices'
    count; then one drafts section filled."""
    client.force_login(county["staff"])
    with django_assert_num_queries(4):
        response = client.get(URL)
    assert all(not s.count and not s.rows for s in sections(response).values())
    draft = TargetTableFactory(organisation=county["bureau"], status=Status.DRAFT)
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert [t.pk for t in sections(response)["drafts"].rows] == [draft.pk]


# Every status at least once, so that every section reads its rows.
@pytest.mark.parametrize("count", [6, 50])
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
    statuses = list(Status)
    for n in range(count):
        status = statuses[n % len(statuses)]
        table = TargetTableFactory(organisation=county["bureau"], notice=notice, status=status)
        if status in (Status.RETURNED, Status.REJECTED):
            opinion(table, Office.Kind.BUSINESS, f"意见{n}", minutes_ago=n)
    client.force_login(county["staff"])
    with django_assert_num_queries(BUREAU_QUERIES):
        response = client.get(URL)
    found = sections(response)
    shown = ("drafts", "returned", "in_review", "rejected", "approved")
    assert sum(found[key].count for key in shown) == count
    assert all(len(found[key].rows) <= 8 for key in shown)


@pytest.mark.parametrize("count", [5, 50])
def test_finance_home_query_count_is_constant(client, county, django_assert_num_queries, count):
    for _ in range(count):
        TargetTableFactory(organisation=county["bureau"], status=Status.SUBMITTED)
        TargetTableFactory(organisation=county["bureau"], status=Status.FIRST_PASSED)
        TargetTableFactory(organisation=county["neighbour"], status=Status.APPROVED)
        FundNoticeFactory(issuer=county["finance"])
    for user, queries in (
        (county["finance_staff"], FINANCE_QUERIES),
        (county["reviewer"], PERFORMANCE_QUERIES),
    ):
        finance_office = Office.objects.create(
            organisation=county["finance"],
            name=f"{user.username}股",
            kind=Office.Kind.BUSINESS
            if user.role == User.Role.FINANCE_STAFF
            else Office.Kind.PERFORMANCE,
        )
        User.objects.filter(pk=user.pk).update(office=finance_office)
        client.force_login(user)
        with django_assert_num_queries(queries):
            response = client.get(URL)
        found = sections(response)
        assert (found["review"].count, found["approved"].count) == (count, count)


# --- the review loop through the services -----------------------------------------------


def test_a_table_moves_between_the_home_lists_as_it_is_reviewed(client, demo):
    from perfgoals.targets.review import target_table_review, target_table_submit
    from tests.indicators.trees import make

    users = {u.username: u for u in User.objects.all()}
    table = make(organisation=users["ruili_health"].organisation, project_name="签约服务补助")

    def listed() -> dict[str, set[str]]:
        """For each demo user, the home sections that list the table."""
        out = {}
        for name in ("ruili_health", "ruili_finance", "ruili_perf", "shunping_finance"):
            client.force_login(users[name])
            out[name] = {
                key
                for key, section in sections(client.get(URL)).items()
                if any(getattr(row, "pk", None) == table.pk for row in section.rows)
            }
        return out

    def act(service, user, **kwargs):
        table.refresh_from_db()
        service(user=users[user], table_id=table.pk, version=table.version, **kwargs)

    assert listed()["ruili_health"] == {"drafts"}
    act(target_table_submit, "ruili_health")
    assert listed() == {
        "ruili_health": {"in_review"},
        "ruili_finance": {"review"},
        "ruili_perf": set(),
        "shunping_finance": set(),
    }
    act(target_table_review, "ruili_finance", grade="excellent", opinion="同意。")
    assert listed() == {
        "ruili_health": {"in_review"},
        "ruili_finance": set(),
        "ruili_perf": {"review"},
        "shunping_finance": set(),
    }
    act(target_table_review, "ruili_perf", grade="fair", opinion="请补充成本指标。")
    assert listed()["ruili_health"] == {"returned"}
    client.force_login(users["ruili_health"])
    assert "请补充成本指标。" in client.get(URL).content.decode()
    act(target_table_submit, "ruili_health")
    act(target_table_review, "ruili_finance", grade="excellent", opinion="同意。")
    act(target_table_review, "ruili_perf", grade="excellent", opinion="同意批复。")
    assert listed() == {
        "ruili_health": {"approved"},
        "ruili_finance": {"approved"},
        "ruili_perf": {"approved"},
        "shunping_finance": set(),
    }
