"""Organisations, people, and the performance target tables (绩效目标表) with their review."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from perfgoals.layouts import Layout, layout_spec
from perfgoals.loading import FastLoading
from perfgoals.money import MONEY_DIGITS, MONEY_PLACES, AmountUnit


class Region(FastLoading, models.Model):
    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省")
        PREFECTURE = 2, _("州/市")
        COUNTY = 3, _("县/市/区")

    name = models.CharField(_("名称"), max_length=50)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.CharField(_("行政区划代码"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="region_parent_matches_level",
                violation_error_message=_("省级区域没有上级；州/市和县/市/区必须有上级区域。"),
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.level != self.level - 1:
            raise ValidationError(
                {"parent": _("上级区域的层级必须比本区域高一级。")}, code="region_level"
            )


class Organisation(FastLoading, models.Model):
    class Kind(models.TextChoices):
        FINANCE = "finance", _("财政局")
        HEALTH = "health", _("卫生健康局/委")
        MEDICAL_SECURITY = "medical_security", _("医疗保障局")
        HEALTH_FAMILY_PLANNING = "health_fp", _("卫生和计划生育局")
        GOVERNMENT_OFFICE = "government_office", _("人民政府办公室")
        OTHER = "other", _("其他单位")

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="organisations"
    )
    unit_code = models.CharField(_("单位编码"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["region__level", "region__name", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_finance(self) -> bool:
        return self.kind == self.Kind.FINANCE


class Office(FastLoading, models.Model):
    class Kind(models.TextChoices):
        BUSINESS = "business", _("业务股室")
        PERFORMANCE = "performance", _("绩效股")
        TREASURY = "treasury", _("国库股")
        OTHER = "other", _("其他")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属单位"), on_delete=models.CASCADE, related_name="offices"
    )
    name = models.CharField(_("股室名称"), max_length=50)
    kind = models.CharField(_("股室类型"), max_length=20, choices=Kind.choices)
    # 发文代字, e.g. 瑞财社: the 社保股 of 瑞丽市财政局 issues 瑞财社〔2020〕0296号.
    document_prefix = models.CharField(_("发文代字"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("股室")
        verbose_name_plural = _("股室")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="office_unique_name"),
            # A 发文代字 numbers one bureau's documents: registered to one office only.
            models.UniqueConstraint(
                fields=["document_prefix"],
                condition=~models.Q(document_prefix=""),
                name="office_unique_document_prefix",
                violation_error_message=_("该发文代字已登记给其他股室。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name}{self.name}"


class User(FastLoading, AbstractUser):
    class Role(models.TextChoices):
        BUREAU_STAFF = "bureau_staff", _("业务单位经办人")
        FINANCE_STAFF = "finance_staff", _("财政业务股室")
        PERFORMANCE_REVIEWER = "performance_reviewer", _("财政绩效股审核人")
        ADMINISTRATOR = "administrator", _("系统管理员")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("所属股室"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(role="administrator") | Q(organisation__isnull=False),
                name="user_belongs_to_organisation",
                violation_error_message=_("除系统管理员外，用户必须属于一个单位。"),
            ),
        ]

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    def clean(self) -> None:
        super().clean()
        if self.office_id and self.office.organisation_id != self.organisation_id:
            raise ValidationError({"office": _("股室必须属于用户所在单位。")}, code="office_org")


def money_field(label: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        **kwargs,
    )


def percent_field(label: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )


# 部门（单位）编码 as budget systems print it: digits (and letters, dots or hyphens between
# them), alone or in square brackets: 015001, [015001], 【015001】, 450-0201.
DEPARTMENT_CODE = (
    r"^(?:[0-9A-Za-z]+(?:[.\-][0-9A-Za-z]+)*|[\[［【][0-9A-Za-z]+(?:[.\-][0-9A-Za-z]+)*[\]］】])$"
)

validate_department_code = RegexValidator(
    DEPARTMENT_CODE,
    message=_("部门（单位）编码只能由数字、字母及其间的“.”“-”组成，可加方括号，如[015001]。"),
    code="department_code",
)


class TargetTable(FastLoading, models.Model):
    """One 绩效目标表 in any of the layouts of DOMAIN.md §4.

    The layouts share a header and the indicator tree (indicators.PerformanceIndicator);
    fields a layout does not print stay empty. Summaries (DOMAIN.md §4 E) are computed
    from these rows, never stored.
    """

    Layout = Layout

    class Status(models.TextChoices):
        """The review workflow (DOMAIN.md §7), moved only by perfgoals.targets.review."""

        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交待初审")
        FIRST_PASSED = "first_passed", _("初审通过待复审")
        RETURNED = "returned", _("已退回修改")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未通过审核")

    class Framework(models.TextChoices):
        GEN_2015 = "2015", _("2015版（成本指标属产出指标）")
        GEN_2021 = "2021", _("2021版（成本指标为一级指标）")

    layout = models.CharField(_("表样"), max_length=20, choices=Layout.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("填报单位"),
        on_delete=models.PROTECT,
        related_name="target_tables",
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    # Blank: 自动判断 (inferred from the tree); a bureau chooses a generation where its
    # template mixes them.
    framework = models.CharField(
        _("指标体系版本"), max_length=4, choices=Framework.choices, blank=True
    )
    notice = models.ForeignKey(
        "allocations.FundNotice",
        verbose_name=_("资金下达通知"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="target_tables",
    )
    # A lower level's table decomposes an upper level's (将绩效目标及时对下分解).
    source_table = models.ForeignKey(
        "self",
        verbose_name=_("上级绩效目标表"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derived_tables",
    )
    # The table this one was started from (复制上年); its values are shown as a reference.
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("复制自"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    sequence = models.PositiveSmallIntegerField(_("序号"), null=True, blank=True)
    title = models.CharField(_("表名"), max_length=200, default="绩效目标表")
    project_name = models.CharField(_("项目名称"), max_length=200)
    project_code = models.CharField(_("项目编码"), max_length=40, blank=True)
    contact = models.CharField(_("项目负责人及联系电话"), max_length=100, blank=True)
    competent_department = models.CharField(_("主管部门"), max_length=100, blank=True)
    implementing_unit = models.CharField(_("实施单位"), max_length=100, blank=True)
    finance_department = models.CharField(_("财政部门"), max_length=100, blank=True)
    department_code = models.CharField(
        _("部门（单位）编码"), max_length=30, blank=True, validators=[validate_department_code]
    )
    department_duties = models.TextField(_("部门职能职责概述"), blank=True)
    project_source = models.CharField(_("项目来源"), max_length=200, blank=True)
    # 新增/延续/经常性 …: provinces word it differently, so free text rather than choices.
    project_attribute = models.CharField(_("项目属性"), max_length=50, blank=True)
    # Labels this table's own document prints where they differ from its layout's (seed 001
    # 项目负责人及电话, seed 000 州级主管部门): {field: label}, kept through import and copy.
    printed_labels = models.JSONField(_("表中栏目名称"), default=dict, blank=True)

    amount_unit = models.CharField(
        _("金额单位"), max_length=4, choices=AmountUnit.choices, default=AmountUnit.WAN
    )
    amount_total = money_field(_("年度资金总额"))
    amount_fiscal = money_field(_("其中：财政拨款"))
    amount_other = money_field(_("其他资金"))
    amount_carryover = money_field(_("上年结转"))
    # Funds by source; 其他 is amount_other.
    amount_general_budget = money_field(_("一般公共预算"))
    amount_government_fund = money_field(_("政府性基金"))
    amount_state_capital = money_field(_("国有资本经营预算"))
    amount_business_income = money_field(_("事业收入"))
    basic_expenditure = money_field(_("基本支出"))
    project_expenditure = money_field(_("项目支出"))
    fund_purpose = models.TextField(_("资金用途"), blank=True)

    annual_goal = models.TextField(_("年度目标"), blank=True)
    # 实施期目标 of the special-fund table, 中期目标 of the project tables: one fact.
    period_goal = models.TextField(_("实施期目标"), blank=True)
    spending_direction = models.CharField(_("支出方向"), max_length=200, blank=True)
    implementation_period = models.CharField(_("实施期"), max_length=50, blank=True)
    output_description = models.TextField(_("产出指标（部门整体）"), blank=True)
    outcome_description = models.TextField(_("效益指标（部门整体）"), blank=True)
    sub_goals = models.TextField(_("分项绩效目标"), blank=True)
    safeguards = models.TextField(_("工作保障措施"), blank=True)

    # Cumulative spending plan, % of the budget spent by the end of each month named.
    spend_by_mar = percent_field(_("3月底支出进度（%）"))
    spend_by_jun = percent_field(_("6月底支出进度（%）"))
    spend_by_oct = percent_field(_("10月底支出进度（%）"))
    spend_by_dec = percent_field(_("12月底支出进度（%）"))

    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # The approved version in force: exports print it, and it stays in force while an
    # adjustment (调整) of the table is being drafted and reviewed.
    approved_snapshot = models.ForeignKey(
        "TableSnapshot",
        verbose_name=_("现行批准版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Optimistic concurrency: a save carries the version it read and fails if it moved.
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        User,
        verbose_name=_("最后修改人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    SPENDING_PLAN_FIELDS = ("spend_by_mar", "spend_by_jun", "spend_by_oct", "spend_by_dec")
    SPENDING_PLAN_LABELS = ("3月底", "6月底", "10月底", "12月底")
    AMOUNT_FIELDS = (
        "amount_total",
        "amount_fiscal",
        "amount_other",
        "amount_carryover",
        "amount_general_budget",
        "amount_government_fund",
        "amount_state_capital",
        "amount_business_income",
        "basic_expenditure",
        "project_expenditure",
    )

    class Meta:
        verbose_name = _("绩效目标表")
        verbose_name_plural = _("绩效目标表")
        ordering = ["-year", "organisation", "sequence", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(amount_total__isnull=True) | Q(amount_total__gte=0))
                & (Q(amount_fiscal__isnull=True) | Q(amount_fiscal__gte=0))
                & (Q(amount_other__isnull=True) | Q(amount_other__gte=0))
                & (Q(basic_expenditure__isnull=True) | Q(basic_expenditure__gte=0))
                & (Q(project_expenditure__isnull=True) | Q(project_expenditure__gte=0)),
                name="target_amounts_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=(Q(amount_carryover__isnull=True) | Q(amount_carryover__gte=0))
                & (Q(amount_general_budget__isnull=True) | Q(amount_general_budget__gte=0))
                & (Q(amount_government_fund__isnull=True) | Q(amount_government_fund__gte=0))
                & (Q(amount_state_capital__isnull=True) | Q(amount_state_capital__gte=0))
                & (Q(amount_business_income__isnull=True) | Q(amount_business_income__gte=0)),
                name="target_source_amounts_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(framework__in=["", "2015", "2021"]),
                name="target_framework_known",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="target_year_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "year", "status"]),
            models.Index(fields=["status", "year"]),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.project_name}"

    def get_absolute_url(self) -> str:
        return reverse("tables:detail", args=[self.pk])

    @property
    def framework_generation(self) -> str:
        """The indicator framework chosen for the table, else its year's default.

        A blank `framework` means the bureau left it to the checks, which infer it from the
        tree (a 成本 二级 under 产出 is the older structure); services that resolve category
        names use this value.
        """
        return self.framework or self.default_framework(self.year)

    @staticmethod
    def default_framework(year: int) -> str:
        # 财预〔2021〕101号 applies from the 2022 budget round on.
        return TargetTable.Framework.GEN_2021 if year >= 2022 else TargetTable.Framework.GEN_2015

    @property
    def spending_plan(self) -> list[Decimal | None]:
        return [getattr(self, name) for name in self.SPENDING_PLAN_FIELDS]

    @property
    def has_indicator_tree(self) -> bool:
        return layout_spec(self.layout).has_tree


class ReviewOpinion(FastLoading, models.Model):
    """财政部门审核意见, one per reviewing office and round (业务股室意见, 绩效股意见)."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优")
        GOOD = "good", _("良")
        FAIR = "fair", _("中")
        POOR = "poor", _("差")

    table = models.ForeignKey(
        TargetTable,
        verbose_name=_("绩效目标表"),
        on_delete=models.CASCADE,
        related_name="review_opinions",
    )
    office_kind = models.CharField(_("审核股室"), max_length=20, choices=Office.Kind.choices)
    text = models.TextField(_("审核意见"), blank=True)
    grade = models.CharField(_("审核等级"), max_length=10, choices=Grade.choices, blank=True)
    author = models.ForeignKey(
        User,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("审核时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        ordering = ["table_id", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_office_kind_display()}：{self.text[:20]}"


class ReviewEvent(FastLoading, models.Model):
    """One step of a table's review: who moved it from which state to which, with the grade
    and the 审核意见; or a reviewer's correction of one indicator (the 良 path)."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交审核")
        WITHDRAW = "withdraw", _("撤回")
        PASS = "pass", _("审核通过")
        RETURN = "return", _("退回修改")
        REJECT = "reject", _("不予通过")
        CORRECT = "correct", _("审核修正")
        ADJUST = "adjust", _("调整")

    table = models.ForeignKey(
        TargetTable,
        verbose_name=_("绩效目标表"),
        on_delete=models.CASCADE,
        related_name="review_events",
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    office_kind = models.CharField(
        _("审核股室"), max_length=20, choices=Office.Kind.choices, blank=True
    )
    from_status = models.CharField(
        _("原状态"), max_length=12, choices=TargetTable.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("新状态"), max_length=12, choices=TargetTable.Status.choices, blank=True
    )
    grade = models.CharField(
        _("审核等级"), max_length=10, choices=ReviewOpinion.Grade.choices, blank=True
    )
    comment = models.TextField(_("审核意见或理由"), blank=True)
    # The table's version once the step was taken: the diff between two steps is the
    # diff between their versions.
    table_version = models.PositiveIntegerField(_("表版本"))
    # A correction: the row, its label as it was, and the value before and after.
    indicator = models.ForeignKey(
        "indicators.PerformanceIndicator",
        verbose_name=_("修正的指标"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    indicator_label = models.CharField(_("指标"), max_length=300, blank=True)
    old_value = models.CharField(_("修正前"), max_length=500, blank=True)
    new_value = models.CharField(_("修正后"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["table_id", "created_at", "id"]
        indexes = [models.Index(fields=["table", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}（{self.actor}）"


class ReviewComment(FastLoading, models.Model):
    """A reviewer's comment on the table or on one indicator row. It stays attached to the
    row across versions; the label keeps what the row was called when it was written."""

    table = models.ForeignKey(
        TargetTable,
        verbose_name=_("绩效目标表"),
        on_delete=models.CASCADE,
        related_name="review_comments",
    )
    indicator = models.ForeignKey(
        "indicators.PerformanceIndicator",
        verbose_name=_("指标"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_comments",
    )
    indicator_label = models.CharField(_("指标"), max_length=300, blank=True)
    author = models.ForeignKey(
        User, verbose_name=_("审核人"), on_delete=models.PROTECT, related_name="+"
    )
    office_kind = models.CharField(
        _("审核股室"), max_length=20, choices=Office.Kind.choices, blank=True
    )
    text = models.TextField(_("意见"))
    table_version = models.PositiveIntegerField(_("表版本"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核批注")
        verbose_name_plural = _("审核批注")
        ordering = ["table_id", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class TableSnapshot(FastLoading, models.Model):
    """The table and its indicator tree as approved: an immutable record that exports print
    whatever happens to the live table afterwards."""

    table = models.ForeignKey(
        TargetTable,
        verbose_name=_("绩效目标表"),
        on_delete=models.CASCADE,
        related_name="snapshots",
    )
    number = models.PositiveSmallIntegerField(_("批准版次"))
    table_version = models.PositiveIntegerField(_("表版本"))
    # {"table": {field: value as text}, "indicators": [{field: value as text}, ...]}
    data = models.JSONField(_("批准时的内容"))
    approved_by = models.ForeignKey(
        User, verbose_name=_("批准人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("批准版本")
        verbose_name_plural = _("批准版本")
        ordering = ["table_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["table", "number"], name="snapshot_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.table}（第{self.number}版）"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(_("批准版本不可修改。"), code="snapshot_immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("批准版本不可删除。"), code="snapshot_immutable")


class SpecialFundSummary(FastLoading, models.Model):
    """A department's 专项资金预算绩效目标汇总表 (seed 002 附件3-1) as the bureau wrote it.

    It is a document of its own, not a view of the 支出方向 tables: its 专项支出名称, 支出方向
    and goals are worded differently and its rows follow their own order, so it is stored and
    printed verbatim rather than rebuilt from the tables.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("单位"),
        on_delete=models.CASCADE,
        related_name="special_fund_summaries",
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("标题"), max_length=200)
    amount_unit = models.CharField(
        _("金额单位"), max_length=4, choices=AmountUnit.choices, default=AmountUnit.WAN
    )

    class Meta:
        verbose_name = _("专项资金绩效目标汇总表")
        verbose_name_plural = _("专项资金绩效目标汇总表")
        ordering = ["-year", "organisation"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="special_fund_summary_one_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} {self.title}"


class SpecialFundSummaryRow(FastLoading, models.Model):
    """One 专项 of the summary, in the document's order and wording."""

    summary = models.ForeignKey(
        SpecialFundSummary,
        verbose_name=_("汇总表"),
        on_delete=models.CASCADE,
        related_name="rows",
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    project_name = models.TextField(_("专项支出名称"))
    spending_direction = models.TextField(_("支出方向"), blank=True)
    amount = money_field(_("资金总额"))
    period_goal = models.TextField(_("实施期绩效目标"), blank=True)
    annual_goal = models.TextField(_("年度绩效目标"), blank=True)

    class Meta:
        verbose_name = _("汇总表行")
        verbose_name_plural = _("汇总表行")
        ordering = ["summary_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "position"], name="special_fund_summary_row_position"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="special_fund_summary_row_amount_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.project_name}"


class AuditEvent(FastLoading, models.Model):
    """One line of the audit log (等保2.0 安全审计): who did what, when, from where, and
    whether it succeeded. Written only by perfgoals.audit; never changed, pruned only by
    `manage.py audit_prune` after the retention period."""

    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        EXPORT = "export", _("导出")
        DOWNLOAD = "download", _("下载")
        CREATE = "create", _("新建")
        CHANGE = "change", _("修改")
        DELETE = "delete", _("删除")
        RECIPIENTS = "recipients", _("主送机关变更")
        ATTACHMENTS = "attachments", _("附件变更")
        OTP_ENROL = "otp_enrol", _("开启双重认证")
        OTP_DISABLE = "otp_disable", _("关闭双重认证")

    class Result(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("用户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # As typed or as it was: kept when the account is renamed or deleted, and for failures.
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices, db_index=True)
    result = models.CharField(
        _("结果"), max_length=10, choices=Result.choices, default=Result.SUCCESS
    )
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    summary = models.CharField(_("内容"), max_length=500, blank=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(_("审计日志不可修改。"), code="audit_immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("审计日志不可删除，只能按保留期清理。"), code="audit_immutable")
