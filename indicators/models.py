"""Performance indicators (绩效指标): the framework vocabulary and each table's indicator tree.

Not to be confused with budget quotas (预算指标), which are `allocations.BudgetLine`.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.values import ParsedValue, ValueKind, parse_value
from perfgoals.loading import FastLoading

# How the admin and the history name a value's kind.
VALUE_KIND_LABELS = {
    ValueKind.QUANTITATIVE: _("定量"),
    ValueKind.PERIOD: _("时间"),
    ValueKind.QUALITATIVE: _("定性"),
    ValueKind.EMPTY: _("未填写"),
    ValueKind.UNPARSED: _("无法识别"),
}

NUMBER_LIMIT = Decimal(10) ** 14


class FrameworkCategory(FastLoading, models.Model):
    """A 一级 or 二级 category of one generation of the national indicator framework."""

    class Generation(models.TextChoices):
        GEN_2015 = "2015", _("2015版（财预〔2015〕88号）")
        GEN_2021 = "2021", _("2021版（财预〔2021〕101号）")

    generation = models.CharField(_("版本"), max_length=4, choices=Generation.choices)
    level = models.PositiveSmallIntegerField(_("级次"), choices=[(1, _("一级")), (2, _("二级"))])
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属一级指标"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    # Regional or older spellings that mean the same (效果指标 = 效益指标).
    synonyms = models.CharField(
        _("同义写法"), max_length=300, blank=True, help_text=_("用顿号分隔")
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("指标体系分类")
        verbose_name_plural = _("指标体系分类")
        ordering = ["generation", "level", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["generation", "level", "name"], name="framework_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level=2, parent__isnull=False),
                name="framework_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.generation}版）"

    def synonym_list(self) -> list[str]:
        return [s.strip() for s in self.synonyms.replace(",", "、").split("、") if s.strip()]


class PerformanceIndicator(FastLoading, models.Model):
    """One row of a target table's indicator tree.

    Levels: 1 一级, 2 二级, 3 三级 (with a value), 4 sub-item under a 三级 (seed 001's
    资助参保人次数 → 农村特困人员 95人 …). `value_text` is kept verbatim for printing; the
    `value_*` columns hold its parsed normal form, recomputed on every save.
    """

    class Level(models.IntegerChoices):
        FIRST = 1, _("一级指标")
        SECOND = 2, _("二级指标")
        THIRD = 3, _("三级指标")
        SUB_ITEM = 4, _("子项")

    class Direction(models.TextChoices):
        POSITIVE = "positive", _("正向")
        NEGATIVE = "negative", _("反向")

    class Symbol(models.TextChoices):
        """计算符号 of templates that split the value into symbol, target and unit."""

        GE = "≥", "≥"
        LE = "≤", "≤"
        EQ = "=", "="
        GT = ">", ">"
        LT = "<", "<"
        APPROX = "≈", "≈"
        PLUS_MINUS = "±", "±"

    table = models.ForeignKey(
        "perfgoals.TargetTable",
        verbose_name=_("绩效目标表"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级指标"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    # The upper level's indicator this one serves (a recipient's 签约率 under the 州's), set
    # when issuing copies the upper table, or chosen by the bureau; the decomposition check
    # and view follow it. A deleted upper row leaves the lower one unlinked.
    upper_indicator = models.ForeignKey(
        "self",
        verbose_name=_("对应上级指标"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lower_indicators",
    )
    level = models.PositiveSmallIntegerField(_("级次"), choices=Level.choices)
    position = models.PositiveIntegerField(_("同级顺序"))
    name = models.CharField(_("指标名称"), max_length=300, blank=True)
    category = models.ForeignKey(
        FrameworkCategory,
        verbose_name=_("对应指标体系分类"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    value_text = models.CharField(_("指标值"), max_length=500, blank=True)
    # 中期指标值 of templates with 中期 and 年度 columns, kept verbatim; the checks read
    # value_text (the annual value) only.
    value_mid = models.CharField(_("中期指标值"), max_length=500, blank=True)
    description = models.TextField(_("绩效指标描述"), blank=True)
    basis = models.CharField(_("指标值确定依据"), max_length=300, blank=True)
    # The basis may cite a policy paragraph or a fund notice (at most one) beside the text;
    # exports print the citation. String references: `indicators` sits below `allocations`.
    basis_paragraph = models.ForeignKey(
        "allocations.PolicyParagraph",
        verbose_name=_("依据的政策条款"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cited_by_indicators",
    )
    basis_notice = models.ForeignKey(
        "allocations.FundNotice",
        verbose_name=_("依据的通知"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cited_by_indicators",
    )
    # Templates with separate 计算符号 / 目标值 / 度量单位 columns (Sichuan, Hubei …): kept as
    # typed beside value_text, which stays the value that prints and that the checks read.
    symbol = models.CharField(_("计算符号"), max_length=1, choices=Symbol.choices, blank=True)
    target = models.CharField(_("目标值"), max_length=100, blank=True)
    unit = models.CharField(_("度量单位"), max_length=30, blank=True)
    value_explanation = models.TextField(_("指标值说明"), blank=True)
    standard = models.TextField(_("绩效标准"), blank=True)
    scoring = models.TextField(_("评（扣）分标准"), blank=True)
    direction = models.CharField(
        _("指标方向"), max_length=10, choices=Direction.choices, blank=True
    )

    value_kind = models.CharField(
        _("指标值类型"),
        max_length=20,
        choices=[(k.value, VALUE_KIND_LABELS[k]) for k in ValueKind],
        default=ValueKind.EMPTY,
    )
    value_comparator = models.CharField(_("比较符"), max_length=2, blank=True)
    value_number = models.DecimalField(
        _("数值"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    value_upper = models.DecimalField(
        _("区间上限"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    value_unit = models.CharField(_("计量单位"), max_length=30, blank=True)
    value_unit_implied = models.BooleanField(_("单位取自指标名称"), default=False)
    value_note = models.CharField(_("解析说明"), max_length=300, blank=True)
    # The row's own edit counter: two people editing different rows of one table both save;
    # the table's version still moves on every write (history), but a text edit of a row
    # compares only this one (indicators.services.indicator_update).
    version = models.PositiveIntegerField(_("行版本"), default=1)

    history = HistoricalRecords(
        excluded_fields=[
            "version",
            "value_kind",
            "value_comparator",
            "value_number",
            "value_upper",
            "value_unit",
            "value_unit_implied",
            "value_note",
        ]
    )

    class Meta:
        verbose_name = _("绩效指标")
        verbose_name_plural = _("绩效指标")
        # Position counts among siblings, so inserting or moving a row touches only its siblings.
        ordering = ["table_id", "level", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True)
                | Q(level__in=[2, 3, 4], parent__isnull=False),
                name="indicator_parent_matches_level",
                violation_error_message=_("一级指标不能有上级；二级及以下指标必须有上级指标。"),
            ),
            models.CheckConstraint(
                condition=Q(level__in=[1, 2]) | Q(level__in=[3, 4]),
                name="indicator_level_range",
            ),
            models.CheckConstraint(
                condition=Q(level__in=[3, 4]) | Q(value_text=""),
                name="indicator_value_only_on_leaves",
                violation_error_message=_("一级、二级指标不填写指标值。"),
            ),
            models.CheckConstraint(
                condition=Q(level__in=[3, 4]) | Q(symbol="", target="", unit=""),
                name="indicator_target_only_on_leaves",
                violation_error_message=_("一级、二级指标不填写计算符号、目标值和度量单位。"),
            ),
            models.CheckConstraint(
                condition=Q(basis_paragraph__isnull=True) | Q(basis_notice__isnull=True),
                name="indicator_basis_cites_one_source",
                violation_error_message=_("指标值确定依据只能引用一个政策条款或一个通知。"),
            ),
            models.CheckConstraint(
                condition=Q(symbol__in=["", "≥", "≤", "=", ">", "<", "≈", "±"]),
                name="indicator_symbol_known",
                violation_error_message=_("计算符号只能是 ≥ ≤ = > < ≈ ± 之一。"),
            ),
        ]
        indexes = [models.Index(fields=["table", "level"])]

    def __str__(self) -> str:
        return self.name or f"（未命名{self.get_level_display()}）"

    def save(self, *args, **kwargs) -> None:
        self.refresh_parsed_value()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.parent_id is None:
            return
        parent = self.parent
        if parent.table_id != self.table_id:
            raise ValidationError({"parent": _("上级指标必须属于同一张表。")}, code="parent_table")
        if parent.level != self.level - 1:
            raise ValidationError(
                {
                    "parent": ValidationError(
                        _("%(level)s的上级必须是%(parent_level)s。"),
                        code="parent_level",
                        params={
                            "level": self.get_level_display(),
                            "parent_level": self.Level(self.level - 1).label,
                        },
                    )
                }
            )

    @property
    def basis_citation(self) -> str:
        """The cited paragraph's or notice's citation; "" when the basis cites none."""
        source = self.basis_paragraph or self.basis_notice
        return source.citation if source is not None else ""

    @property
    def basis_printed(self) -> str:
        """The 指标值确定依据 cell: the citation, then the text typed beside it."""
        return "；".join(part for part in (self.basis_citation, self.basis) if part)

    def composed_value(self) -> str:
        """计算符号 + 目标值 + 度量单位 as one value (≥ 90 % → ≥90%); empty without a target."""
        target = self.target.strip()
        if not target:
            return ""
        return f"{self.symbol}{target}{self.unit.strip()}"

    def refresh_parsed_value(self) -> None:
        """Fill an empty value from the separate columns, then parse it.

        The one place value_text is composed: every write (save, bulk create) comes here, so
        the checks, which read value_text, see the value a split-column template states.
        """
        if not self.value_text and self.level in (self.Level.THIRD, self.Level.SUB_ITEM):
            self.value_text = self.composed_value()
        parsed = parse_value(self.value_text, indicator_name=self.name)
        if any(n is not None and abs(n) >= NUMBER_LIMIT for n in (parsed.number, parsed.upper)):
            # Keep the column's digits bounded; such a value is a typing slip, not a target.
            parsed = ParsedValue(kind=ValueKind.UNPARSED, reason="数值超出可记录范围")
        self.value_kind = parsed.kind
        self.value_comparator = parsed.comparator or ""
        self.value_number = parsed.number
        self.value_upper = parsed.upper
        self.value_unit = parsed.unit
        self.value_unit_implied = parsed.unit_implied
        self.value_note = parsed.reason or parsed.text[:300]


class LibraryIndicator(FastLoading, models.Model):
    """An entry of the indicator library (指标库): a 三级 indicator used before, to pick from.

    Rebuilt from every PerformanceIndicator by `indicators.library.library_rebuild`; one entry
    per (name, 二级 category, fund type) so staff see the values used for that kind of fund,
    shared when it comes from approved tables, else per organisation.
    The category names are kept as text too, because a library entry may come from a row
    whose 二级 spelling the framework does not know.
    """

    name = models.CharField(_("指标名称"), max_length=300)
    # Empty for an entry from approved tables, which every bureau may reuse; an entry from
    # tables not (yet) approved is its organisation's own and shown to nobody else.
    organisation = models.ForeignKey(
        "perfgoals.Organisation",
        verbose_name=_("所属单位"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.ForeignKey(
        FrameworkCategory,
        verbose_name=_("二级指标"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="library_entries",
        limit_choices_to={"level": 2},
    )
    category_name = models.CharField(_("二级指标名称"), max_length=50, blank=True)
    first_level_name = models.CharField(_("一级指标名称"), max_length=50, blank=True)
    fund_type = models.CharField(_("资金类型"), max_length=30, blank=True)
    description = models.TextField(_("绩效指标描述"), blank=True)
    basis = models.CharField(_("指标值确定依据"), max_length=300, blank=True)
    # Distinct values as typed, most used first; a handful per entry, so a list is enough.
    values = models.JSONField(_("曾用指标值"), default=list, blank=True)
    use_count = models.PositiveIntegerField(_("使用次数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("指标库条目")
        verbose_name_plural = _("指标库")
        ordering = ["-use_count", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "category_name", "fund_type"],
                condition=models.Q(organisation__isnull=True),
                name="library_unique_entry",
            ),
            models.UniqueConstraint(
                fields=["organisation", "name", "category_name", "fund_type"],
                condition=models.Q(organisation__isnull=False),
                name="library_unique_own_entry",
            ),
        ]
        indexes = [
            models.Index(fields=["fund_type", "category"]),
            models.Index(fields=["name"]),
        ]

    def __str__(self) -> str:
        return self.name


class LintAcknowledgement(FastLoading, models.Model):
    """A lint warning (警告) that someone of the bureau confirmed as intended (确认无误).

    Keyed by the finding's fingerprint (rule, row, field and message): once the value or the
    row changes, the message changes and the warning has to be acknowledged again. Errors
    cannot be acknowledged; they must be fixed.
    """

    table = models.ForeignKey(
        "perfgoals.TargetTable",
        verbose_name=_("绩效目标表"),
        on_delete=models.CASCADE,
        related_name="lint_acknowledgements",
    )
    key = models.CharField(_("问题标识"), max_length=64)
    code = models.CharField(_("检查规则"), max_length=40)
    indicator = models.ForeignKey(
        PerformanceIndicator,
        verbose_name=_("绩效指标"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    field = models.CharField(_("字段"), max_length=40, blank=True)
    message = models.TextField(_("确认时的提示"))
    # Why the warning is meant as written: reviewers read it beside the warning.
    reason = models.CharField(_("确认理由"), max_length=200, blank=True)
    acknowledged_by = models.ForeignKey(
        "perfgoals.User",
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("已确认的检查警告")
        verbose_name_plural = _("已确认的检查警告")
        ordering = ["table_id", "acknowledged_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["table", "key"], name="lint_ack_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.code}：{self.message[:30]}"
