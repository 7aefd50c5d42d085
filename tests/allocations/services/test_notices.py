"""Drafting notices: the opening paragraph, recipients, who may draft, the basis."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from allocations.models import FundNotice
from allocations.services import notices
from perfgoals.models import Organisation, User
from tests.allocations.conftest import (
    notice_kwargs,
)

pytestmark = pytest.mark.django_db


def test_seed_000_opening_paragraph_is_generated_in_the_seed_words(seed000_draft):
    opening = seed000_draft.paragraphs.first()
    assert not opening.numbered
    assert opening.text.startswith(
        "根据《德宏州财政局 德宏州卫生健康委员会关于下达2020年建档立卡贫困人口家庭医生签约服务"
        "个人缴费省级补助资金的通知》（德财社〔2020〕162号）文件要求，现下达你单位2020年建档立卡"
        "贫困人口家庭医生签约服务个人缴费省级补助资金3.88万元，具体金额详见附件。"
    )
    assert "“2100399其他基层医疗卫生机构支出”" in opening.text
    assert "项目分类“13特定目标类”" in opening.text
    assert seed000_draft.paragraphs.get(position=2).text == notices.STANDARD_PERFORMANCE_PARAGRAPH


def test_recipient_outside_the_issuers_region_is_refused(finance):
    before = FundNotice.objects.count()
    outsider = Organisation.objects.get(name="顺平县医疗保障局")
    with pytest.raises(ValidationError) as exc:
        notices.notice_create(user=finance, **notice_kwargs(recipients=[outsider]))
    assert "顺平县医疗保障局不在瑞丽市财政局的下达范围内" in exc.value.message_dict["recipients"][0]
    assert FundNotice.objects.count() == before


def test_lower_regions_finance_bureau_is_a_valid_recipient_of_the_prefecture(demo):
    dehong = User.objects.get(username="dehong_finance")
    notice = notices.notice_create(
        user=dehong,
        **notice_kwargs(
            recipients=[
                Organisation.objects.get(name="瑞丽市财政局"),
                Organisation.objects.get(name="德宏州卫生健康委员会"),
            ],
            parent=None,
        ),
    )
    assert notice.issuer_code == "德财社"
    assert notice.recipient_links.count() == 2


def test_bureau_staff_cannot_draft(demo):
    with pytest.raises(PermissionDenied):
        notices.notice_create(user=User.objects.get(username="ruili_health"), **notice_kwargs())


def test_external_basis_by_number_reuses_or_registers(finance):
    reused = notices.notice_create(
        user=finance, **notice_kwargs(parent=None, basis_number="德财社[2020]162号")
    )
    assert reused.parent.doc_number == "德财社〔2020〕162号"
    new = notices.notice_create(
        user=finance,
        **notice_kwargs(
            parent=None,
            basis_number="云财社【2020】88号",
            basis_title="云南省财政厅关于下达某资金的通知",
        ),
    )
    assert new.parent.is_external and new.parent.doc_number == "云财社〔2020〕88号"
    with pytest.raises(ValidationError) as exc:
        notices.notice_create(
            user=finance, **notice_kwargs(parent=None, basis_number="云财社〔2020〕89号")
        )
    assert "basis_title" in exc.value.message_dict


def test_another_bureaus_issued_notice_cannot_be_cited_by_typing_its_number(demo):
    shunping = User.objects.get(username="shunping_finance")
    ruili_notice = FundNotice.objects.get(issuer_code="瑞财社", doc_year=2020, doc_serial=296)
    with pytest.raises(ValidationError) as exc:
        notices.notice_create(
            user=shunping,
            **notice_kwargs(
                recipients=[Organisation.objects.get(name="顺平县医疗保障局")],
                parent=None,
                basis_number="瑞财社〔2020〕0296号",
            ),
        )
    message = exc.value.message_dict["basis_number"][0]
    assert "本单位可引用的文件中没有瑞财社〔2020〕0296号" in message
    assert ruili_notice.title not in message
    assert not FundNotice.objects.filter(parent=ruili_notice, issuer__name="顺平县财政局").exists()


@pytest.mark.django_db(transaction=True)
def test_drafters_citing_one_new_external_number_at_once_share_one_registration(demo):
    """Four drafters register the same new upper notice at the same instant."""
    import threading

    from django.db import connection

    finance = User.objects.get(username="ruili_finance")
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            notice = notices.notice_create(
                user=finance,
                **notice_kwargs(
                    parent=None,
                    basis_number="云财社〔2020〕77号",
                    basis_title="云南省财政厅关于下达某资金的通知",
                ),
            )
            results.append(notice.parent_id)
        except BaseException as exc:  # reported below, in the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == 4 and len(set(results)) == 1
