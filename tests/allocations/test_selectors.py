"""Reads behind the notice pages: the page's read model and the look-ups for editing."""

from decimal import Decimal

import pytest
from django.db.models import F
from django.http import Http404

from allocations.models import FundNotice, NoticeRecipient
from allocations.selectors import (
    allocation_table_for_editing,
    notice_for_editing,
    notice_page,
    notice_recipient_names,
)
from allocations.services import issuing, notices
from perfgoals.models import Organisation, User
from tests.allocations.conftest import build_seed_000, code

pytestmark = pytest.mark.django_db


def test_notice_page_numbers_paragraphs_and_adds_the_budget_lines_in_the_notice_unit(finance):
    fn = code("function", "2100399")
    lines = [
        notices.BudgetLineData(
            source="省级", amount=Decimal("30000"), unit="yuan", function_code=fn
        ),
        notices.BudgetLineData(source="州级", amount=Decimal("0.88"), unit="wan", function_code=fn),
    ]
    paragraphs = [("第一段", True), ("不编号", False), ("第二段", True)]
    notice = build_seed_000(finance, budget_lines=lines, paragraphs=paragraphs)
    page = notice_page(notice, finance)
    assert page.editable
    assert page.budget_total == Decimal("3.88")
    numbered = [(p.text, p.display_number) for p in page.paragraphs if p.numbered]
    assert numbered == [("第一段", 1), ("第二段", 2)]
    assert [c.table for c in page.computed_tables] == list(notice.allocation_tables.all())
    assert [org.name for org in page.recipients] == ["瑞丽市卫生健康局"]


def test_notice_page_reads_a_notices_rows_in_their_order_not_as_stored(finance):
    """Paragraphs, budget lines and recipients print by position, whatever order they were
    stored in (here the positions run against the ids)."""
    fn = code("function", "2100399")
    lines = [
        notices.BudgetLineData(source=source, amount=Decimal("1"), unit="yuan", function_code=fn)
        for source in ("省级", "州级")
    ]
    notice = build_seed_000(
        finance, budget_lines=lines, paragraphs=[("第一段", True), ("第二段", True)]
    )
    NoticeRecipient.objects.create(
        notice=notice, organisation=Organisation.objects.get(name="瑞丽市医疗保障局"), position=2
    )
    for related in (notice.paragraphs, notice.budget_lines, notice.recipient_links):
        rows = list(related.order_by("pk"))
        related.update(position=F("position") + 100)  # positions are unique per notice
        for position, row in enumerate(reversed(rows), start=1):
            type(row).objects.filter(pk=row.pk).update(position=position)
    page = notice_page(notice, finance)
    # The opening paragraph, written first, now comes last.
    assert [p.text for p in page.paragraphs][:2] == ["第二段", "第一段"]
    assert page.paragraphs[2].text.startswith("根据《德宏州财政局")
    assert [p.display_number for p in page.paragraphs[:2]] == [1, 2]
    assert [line.source for line in page.budget_lines] == ["州级", "省级"]
    assert [org.name for org in page.recipients] == ["瑞丽市医疗保障局", "瑞丽市卫生健康局"]


def test_the_list_names_each_notices_recipients_in_the_notices_order(finance):
    notice = build_seed_000(finance)
    NoticeRecipient.objects.create(
        notice=notice, organisation=Organisation.objects.get(name="瑞丽市医疗保障局"), position=2
    )
    assert notice_recipient_names([notice]) == {notice.pk: ["瑞丽市卫生健康局", "瑞丽市医疗保障局"]}
    # Stored the other way round: the positions still decide.
    notice.recipient_links.update(position=F("position") + 100)
    for position, link in enumerate(notice.recipient_links.order_by("-pk"), start=1):
        NoticeRecipient.objects.filter(pk=link.pk).update(position=position)
    assert notice_recipient_names([notice]) == {notice.pk: ["瑞丽市医疗保障局", "瑞丽市卫生健康局"]}


def test_notice_page_is_read_only_for_a_recipient(seed000_draft, finance):
    issued = issuing.notice_issue(
        notice=seed000_draft, user=finance, expected_version=seed000_draft.version
    )
    page = notice_page(issued, User.objects.get(username="ruili_health"))
    assert not page.editable
    assert len(page.chain.target_tables) == 1


def test_editing_finds_the_draft_or_the_own_issued_notice_and_nothing_else(seed000_draft, finance):
    assert notice_for_editing(finance, seed000_draft.pk) == seed000_draft
    issued = issuing.notice_issue(
        notice=seed000_draft, user=finance, expected_version=seed000_draft.version
    )
    assert notice_for_editing(finance, issued.pk).status == FundNotice.Status.ISSUED
    assert notice_for_editing(User.objects.get(username="ruili_health"), issued.pk) is None


def test_an_issued_notices_table_is_not_editable(seed000_draft, finance):
    table = seed000_draft.allocation_tables.get()
    assert allocation_table_for_editing(finance, seed000_draft.pk, table.pk) == (
        seed000_draft,
        table,
    )
    issuing.notice_issue(notice=seed000_draft, user=finance, expected_version=seed000_draft.version)
    with pytest.raises(Http404, match="已印发"):
        allocation_table_for_editing(finance, seed000_draft.pk, table.pk)


def test_editable_notice_agrees_with_the_editable_scope(seed000_draft, finance):
    from django.contrib.auth.models import AnonymousUser

    from allocations.selectors import notice_is_editable_by, notices_editable_by

    other = build_seed_000(finance)
    issuing.notice_issue(notice=other, user=finance, expected_version=other.version)
    for user in [*User.objects.all(), AnonymousUser()]:
        editable = set(notices_editable_by(user).values_list("pk", flat=True))
        for notice in FundNotice.objects.all():
            assert notice_is_editable_by(notice, user) == (notice.pk in editable), (user, notice)


def test_cited_notices_agree_with_the_notice_scope(seed000_draft, finance):
    """Among the notices the tables a user sees cite, cited_notices_visible_to keeps exactly
    what notices_visible_to does: the draft and the external upper notice seed 000 cites
    included, before and after issuing (the recipients' tables then cite the issued notice)."""
    from django.contrib.auth.models import AnonymousUser

    from allocations.selectors import cited_notices_visible_to, notices_visible_to
    from perfgoals.models import TargetTable
    from perfgoals.selectors import target_tables_visible_to

    def check():
        for user in [*User.objects.all(), AnonymousUser()]:
            cited = set(target_tables_visible_to(user).values_list("notice_id", flat=True))
            cited.discard(None)
            seen = set(notices_visible_to(user).filter(pk__in=cited))
            assert set(cited_notices_visible_to(user, cited)) == seen, user
            checked.append(bool(seen))

    checked = []
    # A bureau's table citing the external upper notice and another citing the draft.
    upper = FundNotice.objects.filter(is_external=True).first()
    bureau = User.objects.get(username="ruili_health").organisation
    TargetTable.objects.filter(organisation=bureau).update(notice=upper)
    other = TargetTable.objects.exclude(organisation=bureau).first()
    TargetTable.objects.filter(pk=other.pk).update(notice=seed000_draft)
    check()
    issuing.notice_issue(notice=seed000_draft, user=finance, expected_version=seed000_draft.version)
    check()
    assert any(checked)


def test_notice_page_reads_the_visible_notices_under_and_correcting_it(finance):
    from allocations.selectors import notice_page_of, notices_visible_to

    issued = build_seed_000(finance)
    issued = issuing.notice_issue(notice=issued, user=finance, expected_version=issued.version)
    first = notices.notice_correction_create(notice=issued, user=finance)
    first = issuing.notice_issue(notice=first, user=finance, expected_version=first.version)
    second = notices.notice_correction_create(notice=issued, user=finance)
    second = issuing.notice_issue(notice=second, user=finance, expected_version=second.version)
    # By year and number the first comes first; by number alone the second would.
    FundNotice.objects.filter(pk=first.pk).update(doc_year=2020, doc_serial=901)
    FundNotice.objects.filter(pk=second.pk).update(doc_year=2021, doc_serial=1)
    notices.notice_correction_create(notice=issued, user=finance)  # a draft, no number yet
    upper = issued.parent
    for username in ["ruili_finance", "ruili_health", "ruili_medsec", "admin"]:
        user = User.objects.get(username=username)
        visible = notices_visible_to(user)
        for notice in [upper, issued]:
            if not visible.filter(pk=notice.pk).exists():
                with pytest.raises(Http404):
                    notice_page_of(user, notice.pk)
                continue
            page = notice_page_of(user, notice.pk)
            assert page.notice == notice
            assert page.chain.child_notices == list(
                visible.filter(parent=notice).order_by("issuer_code", "doc_serial")
            )
            assert page.corrections == list(
                visible.filter(corrects=notice).order_by("doc_year", "doc_serial")
            )
    assert len(notice_page_of(finance, issued.pk).corrections) == 3


def test_the_notices_around_a_page_are_those_the_scope_holds(seed000_draft, finance):
    """The notice page reads the notices around it without the scope and keeps those
    _visible_among finds visible: the same, for every user, as notices_visible_to holds,
    whether asked of one notice or of many at once (where a notice the user's own notices
    cite is decided from them). Drafts, issued notices, corrections, an external upper
    notice cited only by a table, and one cited by nothing are among them."""
    from django.contrib.auth.models import AnonymousUser

    from allocations.selectors import _visible_among, notices_visible_to
    from perfgoals.models import TargetTable

    issued = build_seed_000(finance)
    issued = issuing.notice_issue(notice=issued, user=finance, expected_version=issued.version)
    correction = notices.notice_correction_create(notice=issued, user=finance)
    issuing.notice_issue(notice=correction, user=finance, expected_version=correction.version)
    notices.notice_correction_create(notice=issued, user=finance)  # a draft correction
    upper = issued.parent
    assert upper.is_external
    by_table = FundNotice.objects.create(
        is_external=True, issuer_name="云南省财政厅", year=2020, title="表格引用的上级通知"
    )
    TargetTable.objects.filter(organisation__name="德宏州卫生健康委员会").update(notice=by_table)
    FundNotice.objects.create(
        is_external=True, issuer_name="某省财政厅", year=2020, title="无人引用"
    )

    def check() -> list[set[int]]:
        every = list(FundNotice.objects.all())
        seen = []
        for user in [*User.objects.all(), AnonymousUser()]:
            visible = set(notices_visible_to(user).values_list("pk", flat=True))
            assert _visible_among(user, every) == visible, user
            for notice in every:
                assert _visible_among(user, [notice]) == ({notice.pk} & visible), (user, notice)
            seen.append(visible)
        return seen

    seen = check()
    assert any(upper.pk in visible and by_table.pk in visible for visible in seen)
    assert any(visible and upper.pk not in visible for visible in seen)
    # The upper notice issued in the system instead, to 瑞丽市财政局 alone: the health bureaus
    # that see the notice under it do not see it, though it is that notice's parent.
    prefecture = Organisation.objects.get(name="德宏州财政局")
    FundNotice.objects.filter(pk=upper.pk).update(
        is_external=False, issuer=prefecture, status=FundNotice.Status.ISSUED
    )
    NoticeRecipient.objects.filter(notice=upper).delete()
    NoticeRecipient.objects.create(notice=upper, organisation=finance.organisation)
    health = User.objects.get(username="ruili_health")
    assert issued.pk in set(notices_visible_to(health).values_list("pk", flat=True))
    check()
