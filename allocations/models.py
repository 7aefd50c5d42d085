"""Fund notices (资金下达通知), their budget lines (预算指标) and allocation tables (分配表).

Naming keeps the two meanings of 指标 apart (DOMAIN.md §6a): `BudgetLine` is a budget quota
(预算指标, money); performance indicators (绩效指标) live in the `indicators` app.
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from perfgoals.display import plain_number
from perfgoals.loading import FastLoading
from perfgoals.models import Organisation, Region, User, money_field
from perfgoals.money import AmountUnit, round_cents

# Variants seen in the seeds (冀财社[2019]101号, 冀财社【2019】105号) are accepted on input;
# the hexagonal brackets 〔〕 are what gets printed.
# A 发文代字 is Chinese characters only (瑞财社, 冀财社); markup or digits are not a code.
DOC_NUMBER_RE = re.compile(
    r"^\s*(?P<code>[\u4e00-\u9fff]{1,20})\s*[\[【〔(（]\s*(?P<year>\d{4})\s*[\]】〕)）]"
    r"\s*(?P<serial>\d{1,6})\s*号?\s*$"
)


def parse_doc_number(text: str) -> tuple[str, int, int, int]:
    """(issuer code, year, serial, serial width) from 瑞财社〔2020〕0296号 and its variants."""
    match = DOC_NUMBER_RE.match(text or "")
    if not match:
        raise ValidationError(
            _(
                "发文字号“%(text)s”格式不对，应为“发文代字〔年份〕序号号”，"
                "如 瑞财社〔2020〕0296号。"
            ),
            code="doc_number_format",
            params={"text": text},
        )
    serial = match["serial"]
    if int(serial) < 1:
        raise ValidationError(
            _("发文字号“%(text)s”的序号须从1起。"), code="doc_number_serial", params={"text": text}
        )
    return match["code"], int(match["year"]), int(serial), len(serial)


def format_doc_number(code: str, year: int, serial: int, width: int = 0) -> str:
    return f"{code}〔{year}〕{serial:0{width}d}号"


class ClassificationCode(FastLoading, models.Model):
    """Government budget classification (政府收支分类科目) with its name."""

    class Scheme(models.TextChoices):
        FUNCTION = "function", _("支出功能分类科目")
        GOV_ECON = "gov_econ", _("政府预算支出经济分类")
        DEPT_ECON = "dept_econ", _("部门预算支出经济分类")
        PROJECT_KIND = "project_kind", _("项目分类")

    # Code lengths per scheme: 类款项 7 digits; economic classes 3 (类) or 5 (款) digits.
    CODE_LENGTHS = {
        Scheme.FUNCTION: {3, 5, 7},
        Scheme.GOV_ECON: {3, 5},
        Scheme.DEPT_ECON: {3, 5},
        Scheme.PROJECT_KIND: {1, 2},
    }

    scheme = models.CharField(_("分类体系"), max_length=20, choices=Scheme.choices)
    code = models.CharField(
        _("科目编码"),
        max_length=7,
        validators=[RegexValidator(r"^\d+$", _("科目编码只能是数字。"))],
    )
    name = models.CharField(_("科目名称"), max_length=100)
    is_active = models.BooleanField(_("可用"), default=True)
    # Finance staff add missing codes from the notice form; the history says who and when.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("收支分类科目")
        verbose_name_plural = _("收支分类科目")
        ordering = ["scheme", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="classification_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}{self.name}"

    def clean(self) -> None:
        allowed = self.CODE_LENGTHS.get(self.scheme, set())
        if self.code and allowed and len(self.code) not in allowed:
            raise ValidationError(
                {
                    "code": ValidationError(
                        _("%(scheme)s的编码应为%(lengths)s位数字。"),
                        code="classification_length",
                        params={
                            "scheme": self.get_scheme_display(),
                            "lengths": "或".join(str(n) for n in sorted(allowed)),
                        },
                    )
                }
            )


class FundNotice(FastLoading, models.Model):
    """A 资金下达通知, or an upper-level notice registered only by number and title."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已印发")

    is_external = models.BooleanField(
        _("系统外文件"), default=False, help_text=_("上级或外部文件，只登记文号和标题。")
    )
    issuer = models.ForeignKey(
        Organisation,
        verbose_name=_("发文单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_notices",
    )
    # Printed issuer line; joint notices name several bureaus (德宏州财政局 德宏州卫生健康委员会).
    issuer_name = models.CharField(_("发文机关署名"), max_length=200, blank=True)
    issuer_code = models.CharField(_("发文代字"), max_length=20, blank=True)
    doc_year = models.PositiveSmallIntegerField(_("文号年份"), null=True, blank=True)
    doc_serial = models.PositiveIntegerField(_("文号序号"), null=True, blank=True)
    doc_serial_width = models.PositiveSmallIntegerField(_("序号位数"), default=0)
    year = models.PositiveSmallIntegerField(_("预算年度"))
    title = models.CharField(_("标题"), max_length=300)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("依据的上级文件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # A 更正/补充通知 cites the issued notice it corrects; the old one stays as issued.
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正或补充的通知"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    recipients = models.ManyToManyField(
        Organisation,
        verbose_name=_("主送机关"),
        through="NoticeRecipient",
        related_name="received_notices",
        blank=True,
    )
    amount = money_field(_("下达金额"))
    amount_unit = models.CharField(
        _("金额单位"), max_length=4, choices=AmountUnit.choices, default=AmountUnit.WAN
    )
    paying_account = models.CharField(_("拨款账户"), max_length=200, blank=True)
    copy_to = models.CharField(_("抄送"), max_length=300, blank=True)
    signed_date = models.DateField(_("成文日期"), null=True, blank=True)
    printed_date = models.DateField(_("印发日期"), null=True, blank=True)
    printed_by = models.CharField(_("印发机关"), max_length=100, blank=True)
    # Seed 000 prints the recipient's own 绩效目标表 as the last 附件; issuing creates it.
    attach_recipient_tables = models.BooleanField(
        _("附件含主送单位绩效目标表"),
        default=True,
        help_text=_("印发时为每个主送单位生成绩效目标表草稿，并列入附件。"),
    )

    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        User,
        verbose_name=_("印发人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("资金下达通知")
        verbose_name_plural = _("资金下达通知")
        ordering = ["-year", "issuer_code", "-doc_serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_code", "doc_year", "doc_serial"],
                condition=Q(doc_serial__isnull=False),
                name="notice_unique_doc_number",
                violation_error_message=_("该发文字号已被使用。"),
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="notice_amount_not_negative",
                violation_error_message=_("下达金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(is_external=True) | Q(issuer__isnull=False),
                name="notice_internal_has_issuer",
                violation_error_message=_("系统内通知必须有发文单位。"),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(doc_serial__isnull=False),
                name="notice_issued_has_number",
                violation_error_message=_("已印发的通知必须有发文字号。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(doc_serial__isnull=True, doc_year__isnull=True)
                    | Q(doc_serial__isnull=False, doc_year__isnull=False) & ~Q(issuer_code="")
                ),
                name="notice_doc_number_complete",
                violation_error_message=_("发文字号须同时有发文代字、年份和序号。"),
            ),
        ]

    # What doc_number reads, and what str() reads: a list printing notices loads these.
    DOC_NUMBER_FIELDS = ("issuer_code", "doc_year", "doc_serial", "doc_serial_width")
    LABEL_FIELDS = (*DOC_NUMBER_FIELDS, "title")

    def __str__(self) -> str:
        return f"{self.doc_number or '（未编号）'} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("allocations:notice_detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        """草稿 or 已印发; an upper notice registered by number and title is 系统外文件."""
        return str(_("系统外文件") if self.is_external else self.get_status_display())

    @property
    def doc_number(self) -> str:
        if self.doc_serial is None:
            return ""
        return format_doc_number(
            self.issuer_code, self.doc_year, self.doc_serial, self.doc_serial_width
        )

    @property
    def citation(self) -> str:
        """How a table's 指标值确定依据 cites it: 德财社〔2020〕162号《关于下达…的通知》."""
        return f"{self.doc_number}《{self.title}》"

    def set_doc_number(self, text: str) -> None:
        """Accept 冀财社[2019]101号 and 冀财社【2019】105号 alike; store the parts."""
        code, year, serial, width = parse_doc_number(text)
        self.issuer_code, self.doc_year, self.doc_serial, self.doc_serial_width = (
            code,
            year,
            serial,
            width,
        )

    def chain_upward(self) -> list["FundNotice"]:
        chain, node = [], self.parent
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain


class DocumentSequence(FastLoading, models.Model):
    """Last 发文字号 serial used per 发文代字 and year; issuing increments it atomically."""

    issuer_code = models.CharField(_("发文代字"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年份"))
    last_serial = models.PositiveIntegerField(_("已用最大序号"), default=0)
    # The issuer's convention: 瑞财社 pads to four digits (0296), others print 162.
    serial_width = models.PositiveSmallIntegerField(
        _("序号位数"), default=0, help_text=_("序号补零到的位数，0 表示不补零。")
    )

    class Meta:
        verbose_name = _("发文字号序列")
        verbose_name_plural = _("发文字号序列")
        ordering = ["issuer_code", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_code", "year"], name="document_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer_code}〔{self.year}〕 已用至 {self.last_serial}"


class NoticeRecipient(FastLoading, models.Model):
    notice = models.ForeignKey(
        FundNotice, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="recipient_links"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("主送单位"),
        on_delete=models.PROTECT,
        related_name="notice_links",
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("主送机关")
        verbose_name_plural = _("主送机关")
        ordering = ["notice_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "organisation"], name="notice_recipient_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.organisation.name


class NoticeParagraph(FastLoading, models.Model):
    """Body text in order; numbered paragraphs print as 一、二、三、 (the requirements)."""

    notice = models.ForeignKey(
        FundNotice, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="paragraphs"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    text = models.TextField(_("正文段落"))
    numbered = models.BooleanField(_("编号要求"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("正文段落")
        verbose_name_plural = _("正文段落")
        ordering = ["notice_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "position"], name="notice_paragraph_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:30]


class BudgetLine(FastLoading, models.Model):
    """预算指标: one funding source of a notice with its classification codes."""

    class BudgetKind(models.TextChoices):
        GENERAL = "general", _("一般公共预算")
        FUND = "fund", _("政府性基金预算")

    notice = models.ForeignKey(
        FundNotice, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    source = models.CharField(_("资金来源"), max_length=100)
    budget_kind = models.CharField(
        _("预算类别"), max_length=10, choices=BudgetKind.choices, default=BudgetKind.GENERAL
    )
    amount = money_field(_("金额"))
    unit = models.CharField(
        _("金额单位"), max_length=4, choices=AmountUnit.choices, default=AmountUnit.WAN
    )
    function_code = models.ForeignKey(
        ClassificationCode,
        verbose_name=_("支出功能分类科目"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"scheme": "function"},
    )
    gov_econ_code = models.ForeignKey(
        ClassificationCode,
        verbose_name=_("政府预算支出经济分类"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to={"scheme": "gov_econ"},
    )
    dept_econ_code = models.ForeignKey(
        ClassificationCode,
        verbose_name=_("部门预算支出经济分类"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to={"scheme": "dept_econ"},
    )
    project_kind_code = models.ForeignKey(
        ClassificationCode,
        verbose_name=_("项目分类"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to={"scheme": "project_kind"},
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("预算指标（资金来源）")
        verbose_name_plural = _("预算指标（资金来源）")
        ordering = ["notice_id", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="budget_line_amount_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.amount}{self.get_unit_display()}"

    def clean(self) -> None:
        expected = {
            "function_code": ClassificationCode.Scheme.FUNCTION,
            "gov_econ_code": ClassificationCode.Scheme.GOV_ECON,
            "dept_econ_code": ClassificationCode.Scheme.DEPT_ECON,
            "project_kind_code": ClassificationCode.Scheme.PROJECT_KIND,
        }
        errors = {}
        for field, scheme in expected.items():
            code = getattr(self, field, None)
            if code is not None and code.scheme != scheme:
                errors[field] = ValidationError(
                    _("“%(code)s”不是%(scheme)s的科目。"),
                    code="classification_scheme",
                    params={"code": code, "scheme": scheme.label},
                )
        if errors:
            raise ValidationError(errors)


class NoticeAttachment(FastLoading, models.Model):
    """附件 of a notice, in the order of its 附件 list; points at the attached table."""

    notice = models.ForeignKey(
        FundNotice, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="attachments"
    )
    position = models.PositiveSmallIntegerField(_("附件序号"))
    title = models.CharField(_("附件名称"), max_length=300)
    allocation_table = models.ForeignKey(
        "AllocationTable",
        verbose_name=_("分配表"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target_table = models.ForeignKey(
        "perfgoals.TargetTable",
        verbose_name=_("绩效目标表"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notice_attachments",
    )
    # The attached table as it was at issue (indicators.snapshots for a target table,
    # allocations.snapshots for an allocation table): what the issued notice prints,
    # whatever happens to the live table later. Empty on a draft.
    snapshot = models.JSONField(_("印发时的内容"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["notice_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "position"], name="notice_attachment_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(allocation_table__isnull=True) | Q(target_table__isnull=True),
                name="notice_attachment_one_table",
                violation_error_message=_("一个附件只能对应一张表。"),
            ),
        ]

    def __str__(self) -> str:
        return f"附件{self.position}：{self.title}"


class PolicyDocument(FastLoading, models.Model):
    """A policy a standard or an indicator's 指标值确定依据 cites (seed 003: 三政办〔2019〕2号,
    三门峡's family-doctor programme), kept with its numbered paragraphs.

    Unlike a `FundNotice` it moves no money: it states standards and targets for a region,
    and it applies there and in the regions below.
    """

    doc_number = models.CharField(_("文号"), max_length=100, unique=True)
    title = models.CharField(_("标题"), max_length=300)
    issuer = models.ForeignKey(
        Organisation,
        verbose_name=_("发文单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policy_documents",
    )
    # Printed issuer line, also for issuers outside the system (三门峡市人民政府办公室).
    issuer_name = models.CharField(_("发文机关"), max_length=200)
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用区域"),
        on_delete=models.PROTECT,
        related_name="policy_documents",
        help_text=_("本区域及其下级区域的单位可以引用。"),
    )
    issued_on = models.DateField(_("成文日期"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")
        ordering = ["region__name", "-issued_on", "doc_number"]

    def __str__(self) -> str:
        return f"{self.doc_number} {self.title}"

    def clean(self) -> None:
        # The same spellings as a notice's number (三政办[2019]2号); the 〔〕 form is stored.
        if self.doc_number:
            try:
                self.doc_number = format_doc_number(*parse_doc_number(self.doc_number))
            except ValidationError as exc:
                raise ValidationError({"doc_number": exc}) from None


class PolicyParagraph(FastLoading, models.Model):
    """One numbered paragraph of a policy, numbered as the document prints it: 四（一）1 for
    “四、（一）… 1. 财政补助。…”, 第五条 for a document of articles."""

    document = models.ForeignKey(
        PolicyDocument,
        verbose_name=_("政策文件"),
        on_delete=models.CASCADE,
        related_name="paragraphs",
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    number = models.CharField(
        _("条款编号"), max_length=30, blank=True, help_text=_("如 四（一）1 或 第五条")
    )
    heading = models.CharField(_("条款标题"), max_length=100, blank=True)
    # A section heading (四、保障措施) has no text of its own.
    text = models.TextField(_("条款原文"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("政策条款")
        verbose_name_plural = _("政策条款")
        ordering = ["document_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "position"], name="policy_paragraph_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.citation

    def clean(self) -> None:
        if not (self.heading.strip() or self.text.strip()):
            raise ValidationError(
                {"text": _("请填写条款标题或条款原文。")}, code="policy_paragraph_empty"
            )

    @property
    def citation(self) -> str:
        """How a table cites it: 三政办〔2019〕2号 四（一）1 财政补助; a paragraph without
        number or heading is cited by the document's title."""
        label = " ".join(part for part in (self.number, self.heading) if part)
        return f"{self.document.doc_number} {label or self.document.title}"


class AllocationStandard(FastLoading, models.Model):
    """A per-head standard and its cost share between two levels (12元, 省:州市 = 4:6).

    The allocation table computes the standard a level pays from these inputs.
    """

    name = models.CharField(_("名称"), max_length=150)
    # Offered to the bureaus of this region and the regions below it, nowhere else.
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用区域"),
        on_delete=models.PROTECT,
        related_name="allocation_standards",
    )
    paragraph = models.ForeignKey(
        PolicyParagraph,
        verbose_name=_("政策条款"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="standards",
        help_text=_("规定该标准的政策条款；其文号即政策依据文号。"),
    )
    # The number alone, for a standard set down in a fund notice (德财社〔2020〕162号) or typed
    # with an allocation table; a standard with a paragraph takes that document's number.
    source_document = models.CharField(_("政策依据文号"), max_length=100, blank=True)
    source_excerpt = models.TextField(_("政策原文"), blank=True)
    base_amount = models.DecimalField(
        _("标准金额"), max_digits=12, decimal_places=4, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("标准单位"), max_length=30, default="元/人/年")
    is_minimum = models.BooleanField(_("为最低标准（不低于）"), default=False)
    upper_label = models.CharField(_("上级承担方"), max_length=50, blank=True)
    upper_share = models.PositiveSmallIntegerField(_("上级承担份数"), null=True, blank=True)
    lower_label = models.CharField(_("下级承担方"), max_length=50, blank=True)
    lower_share = models.PositiveSmallIntegerField(_("下级承担份数"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("补助标准及分担比例")
        verbose_name_plural = _("补助标准及分担比例")
        ordering = ["region__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(base_amount__gte=0), name="standard_base_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(upper_share__isnull=True, lower_share__isnull=True)
                | Q(upper_share__isnull=False, lower_share__isnull=False)
                & (Q(upper_share__gt=0) | Q(lower_share__gt=0)),
                name="standard_share_complete",
                violation_error_message=_("分担比例须同时填写上下级份数，且不能都为0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{plain_number(self.base_amount)}{self.unit}）"

    def clean(self) -> None:
        if self.paragraph_id is not None and self.region_id is not None:
            applies = self.paragraph.document.region
            # A standard applies where its policy does, or in a region below it.
            region, chain = self.region, []
            while region is not None and region.pk not in chain:
                chain.append(region.pk)
                region = region.parent
            if applies.pk not in chain:
                raise ValidationError(
                    {
                        "region": ValidationError(
                            _("%(doc)s只适用于%(region)s，标准的适用区域须在其范围内。"),
                            code="standard_region_outside_policy",
                            params={"doc": self.paragraph.document.doc_number, "region": applies},
                        )
                    }
                )

    @property
    def doc_number(self) -> str:
        """The 文号 the standard comes from, printed wherever it is chosen."""
        if self.paragraph_id is not None:
            return self.paragraph.document.doc_number
        return self.source_document

    @property
    def basis_text(self) -> str:
        """文号 (and paragraph) and region: 三政办〔2019〕2号 四（一）1 财政补助，三门峡市."""
        source = self.paragraph.citation if self.paragraph_id is not None else self.source_document
        return "，".join(str(part) for part in (source, self.region) if part)

    @property
    def has_share(self) -> bool:
        return self.upper_share is not None and self.lower_share is not None

    @property
    def ratio_text(self) -> str:
        if not self.has_share:
            return ""
        return f"{self.upper_label}:{self.lower_label} = {self.upper_share}:{self.lower_share}"

    def share_of(self, side: str) -> Decimal:
        """Fraction borne by `side` ("upper" or "lower"); 1 when there is no split."""
        if not self.has_share:
            return Decimal(1)
        part = self.upper_share if side == "upper" else self.lower_share
        return Decimal(part) / Decimal(self.upper_share + self.lower_share)

    def standard_for(self, side: str) -> Decimal:
        """The per-head standard a side pays, rounded to the 分 as it is printed and multiplied:
        12 × 4/(4+6) = 4.8, but 10 × 1/(1+2) = 3.33, never a repeating decimal."""
        return round_cents(self.base_amount * self.share_of(side))


class AllocationTable(FastLoading, models.Model):
    """分配表: one row per recipient, calculation groups and/or funding-source columns."""

    notice = models.ForeignKey(
        FundNotice,
        verbose_name=_("资金下达通知"),
        on_delete=models.CASCADE,
        related_name="allocation_tables",
        null=True,
        blank=True,
    )
    title = models.CharField(_("表名"), max_length=300)
    unit = models.CharField(
        _("金额单位"), max_length=4, choices=AmountUnit.choices, default=AmountUnit.WAN
    )
    recipient_label = models.CharField(_("单位列标题"), max_length=50, default="单位")
    count_total_label = models.CharField(_("人数合计列标题"), max_length=100, blank=True)
    amount_total_label = models.CharField(_("金额合计列标题"), max_length=100, default="合计")
    # The upper level's whole envelope (e.g. 40.71万元 for 德宏州) this table's rows share.
    envelope_amount = money_field(_("上级资金总额"))
    envelope_unit = models.CharField(
        _("上级资金总额单位"), max_length=4, choices=AmountUnit.choices, default=AmountUnit.WAN
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("分配表")
        verbose_name_plural = _("分配表")
        ordering = ["notice_id", "id"]

    def __str__(self) -> str:
        return self.title


class AllocationColumn(FastLoading, models.Model):
    """A column group: a calculation (count × standard = amount) or a funding source."""

    class Kind(models.TextChoices):
        CALCULATION = "calc", _("测算组（人数×标准＝金额）")
        SOURCE = "source", _("资金来源")

    class Side(models.TextChoices):
        UPPER = "upper", _("上级承担部分")
        LOWER = "lower", _("下级承担部分")

    table = models.ForeignKey(
        AllocationTable, verbose_name=_("分配表"), on_delete=models.CASCADE, related_name="columns"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("列标题"), max_length=100)
    standard = models.ForeignKey(
        AllocationStandard,
        verbose_name=_("补助标准"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="columns",
    )
    share_side = models.CharField(_("承担方"), max_length=10, choices=Side.choices, blank=True)
    # A typed standard replaces the derived one when no rule applies.
    standard_amount = models.DecimalField(
        _("补助标准（元）"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    count_label = models.CharField(_("人数列标题"), max_length=100, blank=True)
    standard_label = models.CharField(_("标准列标题"), max_length=100, blank=True)
    amount_label = models.CharField(_("金额列标题"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("分配表列")
        verbose_name_plural = _("分配表列")
        ordering = ["table_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "position"], name="allocation_column_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(kind="source")
                | Q(standard__isnull=False, standard_amount__isnull=True)
                | Q(standard__isnull=True, standard_amount__isnull=False),
                name="allocation_calc_has_one_standard",
                violation_error_message=_("测算组须选择补助标准或直接填写标准，二者选一。"),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def unit_standard(self) -> Decimal | None:
        """Per-head standard in 元 this level pays, e.g. 12 × 4/(4+6) = 4.8."""
        if self.kind != self.Kind.CALCULATION:
            return None
        if self.standard_amount is not None:
            return self.standard_amount
        if self.standard is None:
            return None
        return self.standard.standard_for(self.share_side or self.Side.UPPER)

    @property
    def standard_citation(self) -> str:
        """The policy paragraph its standard comes from (三政办〔2019〕2号 四（一）1 …), as
        recorded at issue for a frozen table; empty for a typed standard or one without a
        paragraph (a notice's own standard is cited by the notice's body)."""
        recorded = getattr(self, "recorded_citation", None)
        if recorded is not None:
            return recorded
        if self.kind != self.Kind.CALCULATION or self.standard is None:
            return ""
        paragraph = self.standard.paragraph
        return paragraph.citation if paragraph is not None else ""


class AllocationRow(FastLoading, models.Model):
    table = models.ForeignKey(
        AllocationTable, verbose_name=_("分配表"), on_delete=models.CASCADE, related_name="rows"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    label = models.CharField(_("单位"), max_length=100)
    region = models.ForeignKey(
        Region,
        verbose_name=_("区域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("收款单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("分配表行")
        verbose_name_plural = _("分配表行")
        ordering = ["table_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "position"], name="allocation_row_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class AllocationCell(FastLoading, models.Model):
    """The input of one row × column: a head count (calculation) or an amount (source)."""

    row = models.ForeignKey(
        AllocationRow, verbose_name=_("行"), on_delete=models.CASCADE, related_name="cells"
    )
    column = models.ForeignKey(
        AllocationColumn, verbose_name=_("列"), on_delete=models.CASCADE, related_name="cells"
    )
    count = models.PositiveIntegerField(_("人数"), null=True, blank=True)
    # In the table's unit, as typed (145.18 in a 万元 table).
    amount = money_field(_("金额"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("分配表单元格")
        verbose_name_plural = _("分配表单元格")
        constraints = [
            models.UniqueConstraint(fields=["row", "column"], name="allocation_cell_unique"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="allocation_cell_amount_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.row} / {self.column}"

    def clean(self) -> None:
        if self.column.kind == AllocationColumn.Kind.CALCULATION and self.amount is not None:
            raise ValidationError(
                {"amount": _("测算组的金额由人数×标准计算，不能直接填写。")},
                code="calc_amount_typed",
            )
        if self.column.kind == AllocationColumn.Kind.SOURCE and self.count is not None:
            raise ValidationError({"count": _("资金来源列只填写金额。")}, code="source_count_typed")
