"""Which target table a notice may attach as the upper level's (seed 000 附件2): the 州's
finance attaches its own bureau's regional table once approved, never a draft or a table
under review; a county's finance attaches the table its upper notice carried, never a
sibling recipient's draft; no notice attaches a recipient's own table as the upper one."""

import pytest
from django.core.exceptions import ValidationError

from allocations.forms.notices import NoticeForm
from allocations.models import FundNotice
from allocations.selectors import notice_upper_table_choices
from allocations.services import issuing, notices
from perfgoals.models import Organisation, TargetTable, User
from perfgoals.selectors import target_tables_visible_to
from tests.allocations.conftest import notice_kwargs, upper_table
from tests.factories import TargetTableFactory
from tests.reviewing import approve, review, submit

pytestmark = pytest.mark.django_db

Status = TargetTable.Status
PREFECTURE_TITLE = (
    "德宏州财政局关于下达2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金的通知"
)


@pytest.fixture
def users(demo) -> dict[str, User]:
    return {u.username: u for u in User.objects.select_related("organisation", "office")}


def org(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def choices(user: User) -> set[int]:
    return set(
        notice_upper_table_choices(user, issuer=user.organisation).values_list("pk", flat=True)
    )


def prefecture_notice(user: User, *, recipients=None, **overrides) -> FundNotice:
    """The 州's notice to 瑞丽市财政局, drafted through the service."""
    kwargs = notice_kwargs(
        title=PREFECTURE_TITLE,
        recipients=recipients or [org("瑞丽市财政局")],
        parent=None,
        printed_by="德宏州财政局",
        **overrides,
    )
    return notices.notice_create(user=user, **kwargs)


def approved_table(organisation: str) -> TargetTable:
    return TargetTableFactory(
        organisation=org(organisation),
        layout=TargetTable.Layout.TRANSFER,
        title="2020年测试资金绩效目标表",
        status=Status.APPROVED,
    )


def test_the_prefecture_attaches_its_bureaus_table_only_once_approved(users):
    finance, table = users["dehong_finance"], upper_table()
    assert table.status == Status.DRAFT
    assert table.pk not in choices(finance)
    with pytest.raises(ValidationError) as refused:
        prefecture_notice(finance, upper_table=table)
    assert refused.value.error_dict["upper_table"][0].code == "upper_table_out_of_scope"
    assert "本区域部门已批准的绩效目标表" in refused.value.messages[0]

    submit(table, users["dehong_health"])
    # Under review finance sees it, but it is not yet a target to pass down.
    assert target_tables_visible_to(finance).filter(pk=table.pk).exists()
    assert table.pk not in choices(finance)

    review(table, finance, "excellent")
    review(table, users["dehong_perf"], "good")
    assert TargetTable.objects.get(pk=table.pk).status == Status.APPROVED
    assert table.pk in choices(finance)
    notice = prefecture_notice(finance, upper_table=table)
    assert notices.notice_upper_table(notice) == table


def test_an_adjustment_in_draft_stays_attachable_through_its_approved_version(users):
    from perfgoals.targets.review import target_table_adjust

    table = upper_table()
    approve(table, users["dehong_health"], users["dehong_finance"], users["dehong_perf"])
    target_table_adjust(user=users["dehong_health"], table_id=table.pk, reason="年中调整")
    assert TargetTable.objects.get(pk=table.pk).status == Status.DRAFT
    assert table.pk in choices(users["dehong_finance"])


def test_the_county_attaches_the_table_its_upper_notice_carried_and_no_siblings_draft(users):
    upper = approved_table("德宏州医疗保障局")
    sibling = org("德宏州卫生健康委员会")
    ruili = users["ruili_finance"]
    assert upper.pk not in choices(ruili)  # another region's table, not yet sent down

    notice = prefecture_notice(
        users["dehong_finance"], recipients=[org("瑞丽市财政局"), sibling], upper_table=upper
    )
    # While the 州 drafts the notice, its recipients see nothing of what it carries.
    assert not target_tables_visible_to(ruili).filter(pk=upper.pk).exists()
    issuing.notice_issue(
        notice=notice, user=users["dehong_finance"], expected_version=notice.version
    )
    siblings_draft = TargetTable.objects.get(notice=notice, organisation=sibling)
    # 瑞丽 finance sees both tables attached to the notice it received ...
    visible = target_tables_visible_to(ruili)
    assert set(visible.filter(notice_attachments__notice=notice).values_list("pk", flat=True)) == {
        upper.pk,
        siblings_draft.pk,
    }
    # ... but passes down only the upper one.
    assert upper.pk in choices(ruili)
    assert siblings_draft.pk not in choices(ruili)
    with pytest.raises(ValidationError) as refused:
        notices.notice_create(user=ruili, **notice_kwargs(upper_table=siblings_draft))
    assert refused.value.error_dict["upper_table"][0].code == "upper_table_out_of_scope"
    own = notices.notice_create(user=ruili, **notice_kwargs(parent=notice, upper_table=upper))
    assert notices.notice_upper_table(own) == upper


def test_own_region_bureaus_approved_tables_only_and_never_the_issuers_or_another_regions(users):
    ruili = users["ruili_finance"]
    approved = approved_table("瑞丽市卫生健康局")
    draft = TargetTableFactory(organisation=org("瑞丽市卫生健康局"), status=Status.DRAFT)
    submitted = TargetTableFactory(organisation=org("瑞丽市医疗保障局"), status=Status.SUBMITTED)
    own = approved_table("瑞丽市财政局")
    elsewhere = approved_table("株洲市石峰区卫生和计划生育局")
    offered = choices(ruili)
    assert approved.pk in offered
    assert not {draft.pk, submitted.pk, own.pk, elsewhere.pk} & offered
    # Bureau staff draft no notices, and see no other bureau's table to choose anyway.
    assert approved.pk not in choices(users["ruili_medsec"])


def test_a_recipients_own_table_is_not_the_upper_table(users):
    table = approved_table("德宏州医疗保障局")
    with pytest.raises(ValidationError) as refused:
        prefecture_notice(
            users["dehong_finance"],
            recipients=[org("瑞丽市财政局"), org("德宏州医疗保障局")],
            upper_table=table,
        )
    error = refused.value.error_dict["upper_table"][0]
    assert error.code == "upper_table_of_recipient"
    assert "主送机关德宏州医疗保障局自己的绩效目标表" in refused.value.messages[0]


def test_the_form_offers_the_approved_table_and_refuses_a_posted_draft(users):
    finance = users["dehong_finance"]
    draft = upper_table()
    approved = approved_table("德宏州医疗保障局")
    form = NoticeForm(user=finance)
    offered = set(form.fields["upper_table"].queryset.values_list("pk", flat=True))
    assert approved.pk in offered and draft.pk not in offered
    form = NoticeForm({"upper_table": draft.pk}, user=finance)
    form.is_valid()
    assert form.errors["upper_table"] == ["所选上级绩效目标表不存在或无权引用。"]
