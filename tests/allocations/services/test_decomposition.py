"""Decomposition with traceability: issuing copies the upper table's tree into each
recipient's draft, each copied indicator serving the one it came from; the decomposition
check (rates kept, counts summed, upper indicators left unserved) in the table checks and on
the notice page; the bureau links an indicator it adds; the view from the upper table down."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from allocations.selectors import notice_page
from allocations.services import issuing
from indicators.models import PerformanceIndicator
from indicators.services import indicator_add, indicator_link_upper
from perfgoals.models import Organisation, TargetTable, User
from perfgoals.selectors import recipient_tables_visible_to, target_tables_visible_to
from perfgoals.targets.checks import check_table
from tests.allocations.conftest import build_seed_000, upper_table

pytestmark = pytest.mark.django_db

CODES = {"decomposition_floor", "decomposition_sum", "decomposition_unlinked"}
UPPER_LABEL = (
    "德宏州卫生健康委员会《2020年建档立卡贫困人口家庭医生签约服务个人代缴省级补助资金绩效目标表》"
)


def findings(table: TargetTable) -> list:
    table = TargetTable.objects.get(pk=table.pk)
    return [f for f in check_table(table) if f.code in CODES]


def issue_to_two_bureaus(finance):
    bureaus = [
        Organisation.objects.get(name="瑞丽市卫生健康局"),
        Organisation.objects.get(name="瑞丽市医疗保障局"),
    ]
    notice = build_seed_000(finance, recipients=bureaus, upper_table=upper_table())
    issued = issuing.notice_issue(notice=notice, user=finance, expected_version=notice.version)
    health = TargetTable.objects.get(notice=issued, organisation=bureaus[0])
    insurance = TargetTable.objects.get(notice=issued, organisation=bureaus[1])
    return issued, health, insurance


def leaf(table: TargetTable, name: str) -> PerformanceIndicator:
    return PerformanceIndicator.objects.get(table=table, name=name, level=3)


def add_count_to_the_upper_table() -> PerformanceIndicator:
    """A count the recipients share: 受益建档立卡贫困人口数 ≥15307人 under 社会效益指标."""
    upper = upper_table()
    parent = PerformanceIndicator.objects.get(table=upper, level=2, name="社会效益指标")
    return PerformanceIndicator.objects.create(
        table=upper,
        parent=parent,
        level=3,
        position=9,
        name="受益建档立卡贫困人口数",
        value_text="≥15307人",
    )


def test_every_copied_indicator_serves_the_one_it_came_from(finance):
    _, health, insurance = issue_to_two_bureaus(finance)
    upper = {row.pk: row for row in PerformanceIndicator.objects.filter(table=upper_table())}
    for draft in (health, insurance):
        rows = list(PerformanceIndicator.objects.filter(table=draft))
        assert rows and all(row.upper_indicator_id in upper for row in rows)
        for row in rows:
            source = upper[row.upper_indicator_id]
            assert (row.level, row.name, row.value_text) == (
                source.level,
                source.name,
                source.value_text,
            )
    # A fresh copy keeps every upper target: nothing to report.
    assert findings(health) == [] and findings(insurance) == []


def test_a_rate_below_the_upper_floor_is_an_error_naming_both_tables(finance):
    _, health, _ = issue_to_two_bureaus(finance)
    row = leaf(health, "签约对象满意度")
    row.value_text = "≥80%"
    row.save()
    [finding] = findings(health)
    assert finding.code == "decomposition_floor" and finding.severity == "error"
    assert finding.indicator_id == row.pk
    assert finding.message == (
        "瑞丽市卫生健康局《绩效目标表》的指标“签约对象满意度”为≥80%，低于上级表"
        f"{UPPER_LABEL}“签约对象满意度”的≥85%：分解到下级的目标不能比上级宽松。"
    )
    row.value_text = "≥90%"  # stricter than upstream is fine
    row.save()
    assert findings(health) == []


def test_recipients_counts_together_must_reach_the_upper_count(finance):
    add_count_to_the_upper_table()
    _, health, insurance = issue_to_two_bureaus(finance)
    assert findings(health) == []  # two copies of ≥15307人 together exceed it
    PerformanceIndicator.objects.filter(table=health, name="受益建档立卡贫困人口数").update(
        value_text="≥5000人"
    )
    row = leaf(insurance, "受益建档立卡贫困人口数")
    row.value_text = "≥9000人"
    row.save()
    message = f"下级表“受益建档立卡贫困人口数”合计14000人，低于上级表{UPPER_LABEL}的≥15307人。"
    for draft in (health, insurance):
        [finding] = findings(draft)
        assert (finding.code, finding.severity, finding.message) == (
            "decomposition_sum",
            "warning",
            message,
        )
    row.value_text = "≥10307人"  # 5000 + 10307 = 15307
    row.save()
    assert findings(health) == [] and findings(insurance) == []


def test_upper_indicators_left_without_an_indicator_are_listed(finance):
    _, health, _ = issue_to_two_bureaus(finance)
    leaf(health, "补助资金到位率").delete()
    leaf(health, "服务团队考核兑付及时率").delete()
    [finding] = findings(health)
    assert finding.code == "decomposition_unlinked" and finding.severity == "warning"
    assert finding.message == (
        f"上级表{UPPER_LABEL}的指标“补助资金到位率”、“服务团队考核兑付及时率”在本表没有对应的指标。"
    )


def test_the_bureau_links_an_indicator_it_adds(finance):
    _, health, insurance = issue_to_two_bureaus(finance)
    bureau = User.objects.get(username="ruili_health")
    leaf(health, "补助资金到位率").delete()
    parent = PerformanceIndicator.objects.get(table=health, level=2, name="质量指标")
    added = indicator_add(
        user=bureau,
        table_id=health.pk,
        parent_id=parent.pk,
        fields={"name": "资金拨付到位率", "value_text": "100%"},
    )
    assert [f.code for f in findings(health)] == ["decomposition_unlinked"]
    upper_row = leaf(upper_table(), "补助资金到位率")
    indicator_link_upper(
        user=bureau,
        table_id=health.pk,
        indicator_id=added.pk,
        version=TargetTable.objects.get(pk=health.pk).version,
        upper_indicator_id=upper_row.pk,
    )
    added.refresh_from_db()
    assert added.upper_indicator == upper_row
    assert findings(health) == []
    # Only an indicator of the upper table, and only on the bureau's own table.
    own_row = leaf(insurance, "签约对象满意度")
    with pytest.raises(ValidationError) as exc:
        indicator_link_upper(
            user=bureau,
            table_id=health.pk,
            indicator_id=added.pk,
            version=TargetTable.objects.get(pk=health.pk).version,
            upper_indicator_id=own_row.pk,
        )
    assert exc.value.message_dict["upper_indicator"] == [
        "只能对应上级绩效目标表中的三级指标或子项。"
    ]
    with pytest.raises(Http404):
        indicator_link_upper(
            user=bureau,
            table_id=insurance.pk,
            indicator_id=own_row.pk,
            version=TargetTable.objects.get(pk=insurance.pk).version,
            upper_indicator_id=upper_row.pk,
        )


def test_the_notice_page_shows_the_decomposition_with_its_findings(finance):
    issued, health, _ = issue_to_two_bureaus(finance)
    PerformanceIndicator.objects.filter(table=health, name="签约对象满意度").update(
        value_text="≥80%"
    )
    page = notice_page(issued, finance)
    by_name = {node.indicator.name: node for node in page.decomposition.indicators}
    node = by_name["签约对象满意度"]
    assert [s.table_label for s in node.served] == [
        "瑞丽市医疗保障局《绩效目标表》",
        "瑞丽市卫生健康局《绩效目标表》",
    ]
    assert [s.indicator.value_text for s in node.served] == ["≧85%", "≥80%"]
    [problem] = page.decomposition.problems
    assert problem.startswith("瑞丽市卫生健康局《绩效目标表》的指标“签约对象满意度”为≥80%")
    assert page.decomposition.unlinked == []


def test_the_notice_page_shows_each_reader_its_own_tables_one_after_another(finance):
    """The chain's and the decomposition's reads are compiled once per thread and scope:
    readers of four scopes, one after another in one thread, each see their own."""
    issued, health, insurance = issue_to_two_bureaus(finance)
    readers = [
        finance,
        User.objects.get(username="ruili_health"),
        User.objects.get(username="ruili_medsec"),
        User.objects.get(username="dehong_finance"),
        finance,
    ]
    seen = []
    for reader in readers:
        page = notice_page(issued, reader)
        chain = {table.pk for table in page.chain.target_tables}
        assert chain == set(
            target_tables_visible_to(reader)
            .filter(notice=issued, organisation__in=[health.organisation, insurance.organisation])
            .values_list("pk", flat=True)
        ), reader
        served = {
            s.indicator.table_id for node in page.decomposition.indicators for s in node.served
        }
        assert served == set(
            recipient_tables_visible_to(reader).filter(notice=issued).values_list("pk", flat=True)
        ), reader
        seen.append((chain, served))
    # The scopes differ: finance sees both tables, each bureau its own, 德宏 finance neither.
    assert seen[0][1] == {health.pk, insurance.pk}
    assert seen[1][1] == {health.pk} and seen[2][1] == {insurance.pk}
    assert seen[3] == (set(), set())


def test_decomposition_page_from_the_upper_table_down_and_the_chain(client, login, finance):
    issued, health, insurance = issue_to_two_bureaus(finance)
    login("ruili_finance")
    html = client.get(reverse("tables:decomposition", args=[upper_table().pk])).content.decode()
    assert "瑞丽市卫生健康局《绩效目标表》" in html and "瑞丽市医疗保障局《绩效目标表》" in html
    assert issued.doc_number in html  # down: the notice attaching the upper table
    login("ruili_health")
    html = client.get(reverse("tables:decomposition", args=[health.pk])).content.decode()
    # Up: 上级通知 → 本级通知 → this table, and the upper table it serves.
    assert html.index("德财社〔2020〕162号") < html.index(issued.doc_number)
    assert UPPER_LABEL in html
    assert 'id="decomposition-links"' in html  # its own draft: links can be edited
    # A bureau sees its own indicators only, never the other bureau's.
    assert "瑞丽市医疗保障局" not in html
    html = client.get(reverse("tables:decomposition", args=[upper_table().pk])).content.decode()
    assert "瑞丽市卫生健康局《绩效目标表》" in html and "瑞丽市医疗保障局" not in html
    login("shunping_medsec")  # another region's bureau
    for table in (upper_table(), health, insurance):
        url = reverse("tables:decomposition", args=[table.pk])
        assert client.get(url).status_code == 404


def test_link_through_the_page_is_scoped_to_the_bureaus_own_table(client, login, finance):
    _, health, insurance = issue_to_two_bureaus(finance)
    login("ruili_health")
    row = leaf(insurance, "签约对象满意度")
    response = client.post(
        reverse("tables:decomposition_link", args=[insurance.pk]),
        {"indicator": row.pk, "version": insurance.version, "upper_indicator": ""},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("tables:decomposition_link", args=[health.pk]),
        {"indicator": row.pk, "version": health.version, "upper_indicator": ""},
    )
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.upper_indicator_id is not None


def test_seed_000_ruili_table_serves_the_prefecture_table(demo):
    """The demo links seed 000's 瑞丽 table to the 州 table it was written from."""
    upper = upper_table()
    ruili = TargetTable.objects.get(
        layout="project", organisation__name="瑞丽市卫生健康局", notice__doc_serial=296
    )
    assert findings(ruili) == []
    served = PerformanceIndicator.objects.filter(table=ruili, upper_indicator__table=upper)
    assert served.count() == 6
