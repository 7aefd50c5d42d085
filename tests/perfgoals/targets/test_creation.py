"""新建绩效目标表 and 复制上年: the service (validation, all-or-nothing, scoping) and the pages."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from indicators.models import PerformanceIndicator
from indicators.services import indicator_tree_create
from perfgoals.models import TargetTable, User
from perfgoals.targets.creation import last_year_table, target_table_create
from perfgoals.targets.editor.context import set_previous_values
from tests.factories import OrganisationFactory, TargetTableFactory, UserFactory

pytestmark = pytest.mark.django_db

TREE = [
    {
        "name": "产出指标",
        "children": [
            {
                "name": "数量指标",
                "children": [
                    {"name": "签约人数", "value": "≥1000人", "value_mid": "≥3000人"},
                    {"name": "覆盖率", "value": "≥90%"},
                ],
            }
        ],
    }
]


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def last_year(user):
    table = TargetTableFactory(
        organisation=user.organisation,
        year=2025,
        project_name="家庭医生签约服务",
        project_code="P-001",
        project_attribute="延续",
        implementation_period="2024年1月-2026年12月",
        period_goal="三年内签约率达到90%",
        annual_goal="签约率达到80%",
        contact="张三 0692-1234567",
        spend_by_dec=Decimal("100"),
    )
    indicator_tree_create(table=table, nodes=TREE)
    return table


def create(user, **kwargs):
    args = {"layout": "project", "year": 2026, "project_name": "新项目", "header": {}}
    args.update(kwargs)
    return target_table_create(user=user, **args)


class TestService:
    def test_creates_a_draft_of_the_users_own_organisation(self, user):
        table = create(
            user,
            header={
                "amount_total": Decimal("12.5"),
                "project_attribute": "新增",
                "implementation_period": "2026年1月-2028年12月",
                "period_goal": "三年目标",
                "annual_goal": "年度目标",
            },
        )
        table.refresh_from_db()
        assert table.organisation == user.organisation
        assert table.status == TargetTable.Status.DRAFT
        assert (table.created_by, table.updated_by) == (user, user)
        assert table.title == "项目支出绩效目标表"
        assert (table.project_attribute, table.period_goal) == ("新增", "三年目标")
        assert table.amount_total == Decimal("12.5")
        assert table.history.count() == 1
        assert table.history.first().history_user == user

    @pytest.mark.parametrize(
        "kwargs, field, message",
        [
            ({"project_name": "  "}, "project_name", "请填写项目名称。"),
            (
                {"layout": "department", "project_name": ""},
                "project_name",
                "请填写部门（单位）名称。",
            ),
            ({"year": 1999}, "year", "年度应在2000至2100之间。"),
            ({"year": None}, "year", "请填写年度。"),
            ({"layout": "special_fund"}, "layout", "请选择表样。"),
            ({"header": {"amount_total": Decimal("-1")}}, "amount_total", "确保该值大于或等于0。"),
        ],
    )
    def test_bad_input_names_the_field_and_saves_nothing(self, user, kwargs, field, message):
        before = TargetTable.objects.count()
        with pytest.raises(ValidationError) as caught:
            create(user, **kwargs)
        assert message in caught.value.message_dict[field]
        assert TargetTable.objects.count() == before

    def test_a_second_table_of_the_same_project_and_year_is_refused(self, user):
        create(user)
        with pytest.raises(ValidationError) as caught:
            create(user)
        assert caught.value.message_dict["project_name"] == [
            "本单位2026年已有「新项目」的项目支出绩效目标表。"
        ]

    def test_a_failing_tree_copy_leaves_no_table(self, user, last_year, monkeypatch):
        def broken(**kwargs):
            raise RuntimeError("copy failed")

        monkeypatch.setattr("perfgoals.targets.creation.indicator_tree_copy", broken)
        before = TargetTable.objects.count()
        with pytest.raises(RuntimeError):
            create(user, project_name="", copy_from_id=last_year.pk)
        assert TargetTable.objects.count() == before

    @pytest.mark.parametrize("role", [User.Role.FINANCE_STAFF, User.Role.PERFORMANCE_REVIEWER])
    def test_finance_users_cannot_create_bureau_tables(self, role):
        with pytest.raises(PermissionDenied):
            create(UserFactory(role=role))

    def test_copy_takes_tree_values_and_header_but_not_amounts_or_year(self, user, last_year):
        table = create(user, project_name="", copy_from_id=last_year.pk)
        assert table.copied_from == last_year
        assert (table.year, table.project_name) == (2026, "家庭医生签约服务")
        assert table.project_code == "P-001"
        assert table.contact == "张三 0692-1234567"
        assert (table.period_goal, table.annual_goal) == ("三年内签约率达到90%", "签约率达到80%")
        assert table.implementation_period == "2024年1月-2026年12月"
        assert table.amount_total is None and table.amount_fiscal is None
        assert table.spend_by_dec is None
        rows = {
            row.name: (row.value_text, row.value_mid)
            for row in PerformanceIndicator.objects.filter(table=table, level=3)
        }
        assert rows == {"签约人数": ("≥1000人", "≥3000人"), "覆盖率": ("≥90%", "")}

    def test_what_the_user_types_wins_over_the_copied_header(self, user, last_year):
        table = create(
            user,
            project_name="家庭医生签约服务（二期）",
            header={"annual_goal": "新的年度目标", "amount_total": Decimal("5")},
            copy_from_id=last_year.pk,
        )
        assert (table.annual_goal, table.amount_total) == ("新的年度目标", Decimal("5"))
        assert table.project_name == "家庭医生签约服务（二期）"

    def test_another_organisations_table_cannot_be_copied_unless_visible(self, user):
        foreign = TargetTableFactory(organisation=OrganisationFactory(), year=2025)
        indicator_tree_create(table=foreign, nodes=TREE)
        before = PerformanceIndicator.objects.count()
        with pytest.raises(ValidationError) as caught:
            create(user, copy_from_id=foreign.pk)
        assert caught.value.message_dict["copy_from"] == [
            "没有找到可复制的绩效目标表，或您无权查看。"
        ]
        assert PerformanceIndicator.objects.count() == before

    def test_a_visible_table_of_another_organisation_can_be_copied(self, demo):
        # Seed 000: 瑞丽 receives 德宏's notice, so it sees the upper level's table.
        user = User.objects.get(username="ruili_health")
        visible = (
            TargetTable.objects.exclude(organisation=user.organisation)
            .filter(notice_attachments__notice__recipient_links__organisation=user.organisation)
            .first()
        )
        assert visible is not None
        table = create(user, project_name="", year=2030, copy_from_id=visible.pk)
        assert table.organisation == user.organisation
        assert table.layout == visible.layout
        assert PerformanceIndicator.objects.filter(table=table).count() == (
            PerformanceIndicator.objects.filter(table=visible).count()
        )

    def test_last_year_table_matches_by_code_then_by_name_within_the_organisation(
        self, user, last_year
    ):
        TargetTableFactory(year=2025, project_name="家庭医生签约服务")  # another organisation
        assert last_year_table(user=user, year=2026, project_code="P-001") == last_year
        assert last_year_table(user=user, year=2026, project_name="家庭医生签约服务") == last_year
        assert (
            last_year_table(
                user=user, year=2026, project_code="P-999", project_name="家庭医生签约服务"
            )
            == last_year
        )
        assert last_year_table(user=user, year=2027, project_code="P-001") is None
        assert last_year_table(user=UserFactory(), year=2026, project_code="P-001") is None


def test_previous_values_match_rows_by_their_path_of_names(user, last_year):
    table = create(user, project_name="", copy_from_id=last_year.pk)
    row = PerformanceIndicator.objects.get(table=table, name="覆盖率")
    row.name = "覆盖率（新）"
    row.save()
    rows = list(PerformanceIndicator.objects.filter(table=table))
    set_previous_values(rows, list(PerformanceIndicator.objects.filter(table=last_year)))
    values = {row.name: row.previous_value for row in rows if row.level == 3}
    assert values == {"签约人数": "≥1000人", "覆盖率（新）": ""}


class TestPages:
    def test_the_list_and_home_page_link_to_the_new_table_page_for_bureau_staff(
        self, client, login
    ):
        login("ruili_health")
        url = reverse("tables:create")
        assert url in client.get(reverse("table_list")).content.decode()
        assert url in client.get(reverse("home")).content.decode()
        login("ruili_finance")
        assert url not in client.get(reverse("table_list")).content.decode()
        assert client.get(url).status_code == 403
        assert client.post(url, {"layout": "project"}).status_code == 403

    def test_step_one_offers_the_layouts_and_step_two_the_layouts_header(self, client, user):
        client.force_login(user)
        page = client.get(reverse("tables:create")).content.decode()
        for label in ["项目支出绩效目标表", "部门预算项目绩效目标表", "部门整体支出绩效目标表"]:
            assert label in page
        assert "转移支付区域绩效目标表" in page
        page = client.get(reverse("tables:create"), {"layout": "dept_project"}).content.decode()
        for label in ["项目编码", "项目属性", "项目起止时间", "中期目标", "资金用途", "3月底"]:
            assert label in page
        assert f'value="{timezone.localdate().year}"' in page

    def test_post_creates_the_table_and_opens_its_editor(self, client, user):
        client.force_login(user)
        response = client.post(
            reverse("tables:create"),
            {
                "layout": "project",
                "year": "2026",
                "title": "项目支出绩效目标表",
                "project_name": "校园安全",
                "amount_unit": "wan",
                "amount_total": "1,234.50",
                "project_attribute": "新增",
            },
        )
        table = TargetTable.objects.get(project_name="校园安全")
        assert response.status_code == 302
        assert response.url == reverse("tables:edit", args=[table.pk])
        assert (table.organisation, table.amount_total) == (user.organisation, Decimal("1234.50"))

    def test_an_error_keeps_everything_typed_and_names_the_field(self, client, user):
        client.force_login(user)
        before = TargetTable.objects.count()
        response = client.post(
            reverse("tables:create"),
            {
                "layout": "project",
                "year": "26",
                "title": "项目支出绩效目标表",
                "project_name": "校园安全",
                "amount_unit": "wan",
                "amount_total": "12元五角",
                "annual_goal": "完成改造",
            },
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "年度应在2000至2100之间。" in page
        assert "“12元五角”不是有效的数字，请填写如 3.88 的数字。" in page
        assert 'value="校园安全"' in page and 'value="12元五角"' in page and "完成改造" in page
        assert TargetTable.objects.count() == before

    def test_a_service_error_lands_at_its_field(self, client, user):
        client.force_login(user)
        create(user, project_name="校园安全")
        response = client.post(
            reverse("tables:create"),
            {
                "layout": "project",
                "year": "2026",
                "title": "项目支出绩效目标表",
                "project_name": "校园安全",
                "amount_unit": "wan",
            },
        )
        assert response.context["header"].errors["project_name"] == [
            "本单位2026年已有「校园安全」的项目支出绩效目标表。"
        ]

    def test_copy_from_the_read_view_prefills_next_year_and_opens_the_editor_with_references(
        self, client, user, last_year
    ):
        client.force_login(user)
        detail = client.get(reverse("tables:detail", args=[last_year.pk])).content.decode()
        copy_url = f"{reverse('tables:create')}?copy_from={last_year.pk}"
        assert copy_url.replace("&", "&amp;") in detail
        page = client.get(copy_url).content.decode()
        assert 'value="2026"' in page and "复制自：2025年「家庭医生签约服务」" in page
        response = client.post(
            reverse("tables:create"),
            {
                "layout": "project",
                "copy_from": last_year.pk,
                "year": "2026",
                "title": "项目支出绩效目标表",
                "project_name": "家庭医生签约服务",
                "amount_unit": "wan",
            },
        )
        table = TargetTable.objects.get(copied_from=last_year)
        assert response.url == reverse("tables:edit", args=[table.pk])
        editor = client.get(response.url).content.decode()
        assert "上年：≥1000人" in editor and "上年：≥90%" in editor
        assert "中期指标值" in editor and "年度指标值" in editor
        read = client.get(reverse("tables:detail", args=[table.pk])).content.decode()
        assert "复制自：" in read and reverse("tables:detail", args=[last_year.pk]) in read

    def test_copy_of_a_table_not_visible_is_a_404(self, client, user):
        client.force_login(user)
        foreign = TargetTableFactory(year=2025)
        response = client.get(reverse("tables:create"), {"copy_from": foreign.pk})
        assert response.status_code == 404
        assert foreign.project_name not in response.content.decode()

    def test_last_year_lookup_offers_the_copy(self, client, user, last_year):
        client.force_login(user)
        url = reverse("tables:create_last_year")
        found = client.get(url, {"year": "2026", "project_code": "P-001"}, HTTP_HX_REQUEST="true")
        assert f"?copy_from={last_year.pk}" in found.content.decode()
        missing = client.get(url, {"year": "2026", "project_name": "别的"}, HTTP_HX_REQUEST="true")
        assert "没有找到本单位2025年同一项目的表" in missing.content.decode()
        plain = client.get(url, {"year": "2026", "project_code": "P-001"})
        assert plain.url == f"{reverse('tables:create')}?copy_from={last_year.pk}"
