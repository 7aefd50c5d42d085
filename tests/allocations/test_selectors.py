"""Reads behind the notice pages: the page's read model and the look-ups for editing."""

from decimal import Decimal

import pytest
from django.http import Http404

from allocations.models import FundNotice
from allocations.selectors import (
    allocation_table_for_editing,
    notice_for_editing,
    notice_page,
)
from allocations.services import issuing, notices
from perfgoals.models import User
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
