"""发文字号: automatic per issuer code and year, unique under concurrency, manual numbers
for historical notices checked for duplicates, and the sequence continuing after them."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from allocations import checks
from allocations.models import DocumentSequence, FundNotice
from allocations.services import issuing, notices
from perfgoals.models import Office, Organisation, User
from tests.allocations.conftest import build_seed_000, notice_kwargs


def issue(notice: FundNotice, user: User) -> FundNotice:
    return issuing.notice_issue(notice=notice, user=user, expected_version=notice.version)


@pytest.mark.django_db
def test_auto_number_continues_the_issuers_series_with_its_padding(finance):
    first = issue(build_seed_000(finance), finance)
    second = issue(build_seed_000(finance), finance)
    # 0296 is the highest 瑞财社 number of 2020 in the demo data; the width (4) is kept.
    assert first.doc_number == "瑞财社〔2020〕0297号"
    assert second.doc_number == "瑞财社〔2020〕0298号"
    sequence = DocumentSequence.objects.get(issuer_code="瑞财社", year=2020)
    assert (sequence.last_serial, sequence.serial_width) == (298, 4)


@pytest.mark.django_db
def test_numbers_are_per_issuer_and_per_year(finance):
    next_year = issue(build_seed_000(finance, year=2021, signed_date=date(2021, 3, 1)), finance)
    assert next_year.doc_number == "瑞财社〔2021〕0001号"
    dehong = User.objects.get(username="dehong_finance")
    notice = notices.notice_create(
        user=dehong,
        **notice_kwargs(
            recipients=[Organisation.objects.get(name="德宏州卫生健康委员会")],
            parent=None,
            budget_lines=notice_kwargs()["budget_lines"],
        ),
    )
    # 德财社〔2020〕150号 and 162号 are in the demo only as references (no issuer): they
    # never move 德宏's sequence, which starts at 1 (an administrator may set it).
    assert issue(notice, dehong).doc_number == "德财社〔2020〕1号"
    assert issue(build_seed_000(finance), finance).doc_number == "瑞财社〔2020〕0297号"


@pytest.mark.django_db
def test_sequence_width_is_configurable(finance):
    DocumentSequence.objects.create(issuer_code="瑞财社", year=2022, last_serial=7, serial_width=3)
    notice = build_seed_000(finance, year=2022, signed_date=date(2022, 1, 5))
    assert issue(notice, finance).doc_number == "瑞财社〔2022〕008号"


@pytest.mark.django_db
def test_number_year_is_the_year_of_issue_not_the_budget_year(finance):
    """冀财社〔2019〕101号 提前下达 2020年 money: signed in 2019 for the 2020 budget."""
    early = issue(build_seed_000(finance, signed_date=date(2019, 11, 20)), finance)
    assert (early.year, early.doc_number) == (2020, "瑞财社〔2019〕0001号")
    # Not signed before issuing: the date of issue (today) gives the year.
    today = timezone.localdate()
    unsigned = issue(build_seed_000(finance, signed_date=None), finance)
    assert unsigned.signed_date == today
    assert unsigned.doc_year == today.year
    assert unsigned.doc_number.startswith(f"瑞财社〔{today.year}〕")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["瑞财社〔2020〕0400号", "瑞财社[2020]0400号", "瑞财社【2020】0400号"]
)
def test_manual_number_in_any_bracket_style_then_auto_continues(finance, typed):
    manual = build_seed_000(finance, doc_number=typed)
    assert manual.doc_number == "瑞财社〔2020〕0400号"
    assert issue(manual, finance).doc_number == "瑞财社〔2020〕0400号"
    assert issue(build_seed_000(finance), finance).doc_number == "瑞财社〔2020〕0401号"


@pytest.mark.django_db
def test_manual_draft_number_is_skipped_by_the_sequence(finance):
    build_seed_000(finance, doc_number="瑞财社〔2020〕0297号")  # still a draft
    assert issue(build_seed_000(finance), finance).doc_number == "瑞财社〔2020〕0298号"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["瑞财社〔2020〕0296号", "瑞财社[2020]296号"])
def test_duplicate_manual_number_is_refused_at_the_field(finance, typed):
    before = FundNotice.objects.count()
    with pytest.raises(ValidationError) as exc:
        notices.notice_create(user=finance, **notice_kwargs(doc_number=typed))
    assert exc.value.message_dict["doc_number"] == [
        "发文字号瑞财社〔2020〕0296号已被《瑞丽市财政局关于下达2020年建档立卡贫困人口家庭医生签约"
        "服务个人缴费省级补助资金的通知》使用，请核对。"
    ]
    assert FundNotice.objects.count() == before


@pytest.mark.django_db
def test_malformed_manual_number_is_refused(finance):
    with pytest.raises(ValidationError) as exc:
        notices.notice_create(user=finance, **notice_kwargs(doc_number="瑞财社2020第5号"))
    assert "格式不对" in exc.value.message_dict["doc_number"][0]


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_numbers(demo):
    """Two finance users press 印发 at the same instant, each on its own connection."""
    finance = User.objects.get(username="ruili_finance")
    notices = [build_seed_000(finance) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def run(notice: FundNotice) -> None:
        try:
            barrier.wait(timeout=10)
            issued = issuing.notice_issue(
                notice=notice, user=finance, expected_version=notice.version
            )
            results[notice.pk] = issued.doc_number
        except BaseException as exc:  # reported below, in the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in notices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(results.values()) == ["瑞财社〔2020〕0297号", "瑞财社〔2020〕0298号"]
    stored = FundNotice.objects.filter(pk__in=[n.pk for n in notices])
    assert sorted(n.doc_serial for n in stored) == [297, 298]
    assert all(n.status == "issued" for n in stored)
    assert Decimal(stored[0].amount) == Decimal("3.88")


@pytest.mark.django_db
def test_issuer_code_comes_from_the_office_the_administrator_configures(finance):
    Office.objects.filter(pk=finance.office_id).update(document_prefix="瑞财预")
    finance.refresh_from_db()
    assert issue(build_seed_000(finance), finance).doc_number == "瑞财预〔2020〕1号"
    Office.objects.filter(pk=finance.office_id).update(document_prefix="")
    finance.refresh_from_db()
    notice = build_seed_000(finance)
    assert any(p.code == "no_issuer_code" for p in checks.notice_check(notice=notice))
    with pytest.raises(ValidationError, match="未设置发文代字"):
        issue(notice, finance)
    notice.refresh_from_db()
    assert notice.status == FundNotice.Status.DRAFT and notice.doc_serial is None


@pytest.mark.django_db
def test_a_manual_number_with_another_bureaus_code_is_refused(demo):
    shunping = User.objects.get(username="shunping_finance")
    kwargs = notice_kwargs(
        doc_number="瑞财社〔2021〕0500号",
        recipients=[Organisation.objects.get(name="顺平县医疗保障局")],
        parent=None,
    )
    with pytest.raises(ValidationError) as exc:
        notices.notice_create(user=shunping, **kwargs)
    assert exc.value.message_dict["doc_number"] == [
        "“瑞财社”不是顺平县财政局登记的发文代字（本单位：顺财社），不能用它编号。"
    ]
    assert not FundNotice.objects.filter(issuer_code="瑞财社", doc_serial=500).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("<script>〔2021〕1号", "格式不对"),
        ("瑞财社〔2021〕0号", "序号须从1起"),
        ("瑞财社〔2021〕0000号", "序号须从1起"),
    ],
)
def test_a_code_that_is_not_chinese_characters_or_serial_zero_is_refused(finance, typed, message):
    with pytest.raises(ValidationError) as exc:
        notices.notice_create(user=finance, **notice_kwargs(doc_number=typed))
    assert message in exc.value.message_dict["doc_number"][0]


@pytest.mark.django_db
def test_a_basis_in_a_code_numbered_here_must_exist_and_never_moves_the_sequence(demo, finance):
    shunping = User.objects.get(username="shunping_finance")
    kwargs = notice_kwargs(
        recipients=[Organisation.objects.get(name="顺平县医疗保障局")],
        parent=None,
        basis_number="瑞财社〔2021〕9000号",
        basis_title="瑞丽市财政局关于下达某资金的通知",
    )
    with pytest.raises(ValidationError) as exc:
        notices.notice_create(user=shunping, **kwargs)
    assert (
        "瑞财社是瑞丽市财政局在本系统中使用的发文代字" in exc.value.message_dict["basis_number"][0]
    )
    notice = build_seed_000(finance, year=2021, signed_date=date(2021, 3, 1))
    assert issue(notice, finance).doc_number == "瑞财社〔2021〕0001号"


@pytest.mark.django_db
def test_an_external_reference_never_touches_the_local_sequence(finance):
    # Registered by number without an issuer: a reference, typed before codes were owned.
    FundNotice.objects.create(
        is_external=True,
        issuer_code="瑞财社",
        doc_year=2020,
        doc_serial=9000,
        year=2020,
        title="旧数据中的外部登记",
        status="issued",
    )
    assert issue(build_seed_000(finance), finance).doc_number == "瑞财社〔2020〕0297号"


@pytest.mark.django_db
def test_a_number_held_by_a_reference_is_passed_over(finance):
    FundNotice.objects.create(
        is_external=True,
        issuer_code="瑞财社",
        doc_year=2020,
        doc_serial=297,
        doc_serial_width=4,
        year=2020,
        title="旧数据中的外部登记",
        status="issued",
    )
    assert issue(build_seed_000(finance), finance).doc_number == "瑞财社〔2020〕0298号"


@pytest.mark.django_db
def test_the_confirmation_names_the_number_issuing_gives_past_references(finance):
    """德财社〔2020〕162号 is a reference: the confirmation must not promise 163号 and then
    issue 1号; a number a reference holds is passed over in both."""
    dehong = User.objects.get(username="dehong_finance")
    notice = notices.notice_create(
        user=dehong,
        **notice_kwargs(
            recipients=[Organisation.objects.get(name="瑞丽市财政局")],
            parent=None,
        ),
    )
    assert issuing.issue_confirmation(notice).doc_number == "德财社〔2020〕1号"
    assert issue(notice, dehong).doc_number == "德财社〔2020〕1号"

    FundNotice.objects.create(
        is_external=True,
        issuer_code="瑞财社",
        doc_year=2020,
        doc_serial=297,
        doc_serial_width=4,
        year=2020,
        title="旧数据中的外部登记",
        status="issued",
    )
    ruili = build_seed_000(finance)
    assert issuing.issue_confirmation(ruili).doc_number == "瑞财社〔2020〕0298号"
    assert issue(ruili, finance).doc_number == "瑞财社〔2020〕0298号"
