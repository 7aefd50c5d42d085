from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from allocations.models import (
    AllocationCell,
    AllocationColumn,
    AllocationRow,
    AllocationStandard,
    AllocationTable,
    BudgetLine,
    ClassificationCode,
    DocumentSequence,
    FundNotice,
    NoticeAttachment,
    NoticeParagraph,
    NoticeRecipient,
    PolicyDocument,
    PolicyParagraph,
)


@admin.register(ClassificationCode)
class ClassificationCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "scheme", "is_active"]
    list_filter = ["scheme", "is_active"]
    search_fields = ["code", "name"]


class NoticeRecipientInline(admin.TabularInline):
    model = NoticeRecipient
    extra = 0


class NoticeParagraphInline(admin.StackedInline):
    model = NoticeParagraph
    extra = 0


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class NoticeAttachmentInline(admin.TabularInline):
    model = NoticeAttachment
    extra = 0
    raw_id_fields = ["allocation_table", "target_table"]


@admin.register(FundNotice)
class FundNoticeAdmin(SimpleHistoryAdmin):
    list_display = [
        "doc_number_display",
        "title",
        "issuer",
        "year",
        "amount",
        "amount_unit",
        "status",
        "is_external",
    ]
    list_filter = ["status", "is_external", "year", "issuer"]
    search_fields = ["title", "issuer_code", "issuer_name"]
    list_select_related = ["issuer"]
    raw_id_fields = ["parent"]
    readonly_fields = ["version", "issued_at", "issued_by", "created_at", "updated_at"]
    inlines = [
        NoticeRecipientInline,
        NoticeParagraphInline,
        BudgetLineInline,
        NoticeAttachmentInline,
    ]

    @admin.display(description=_("发文字号"), ordering="doc_serial")
    def doc_number_display(self, obj: FundNotice) -> str:
        return obj.doc_number or "（未编号）"


class AllocationColumnInline(admin.TabularInline):
    model = AllocationColumn
    extra = 0


class AllocationRowInline(admin.TabularInline):
    model = AllocationRow
    extra = 0
    show_change_link = True


@admin.register(AllocationTable)
class AllocationTableAdmin(SimpleHistoryAdmin):
    list_display = ["title", "notice", "unit"]
    list_select_related = ["notice"]
    inlines = [AllocationColumnInline, AllocationRowInline]


class AllocationCellInline(admin.TabularInline):
    model = AllocationCell
    extra = 0


@admin.register(AllocationRow)
class AllocationRowAdmin(SimpleHistoryAdmin):
    list_display = ["label", "table", "position"]
    list_select_related = ["table"]
    inlines = [AllocationCellInline]


class PolicyParagraphInline(admin.StackedInline):
    model = PolicyParagraph
    extra = 0
    fields = [("position", "number", "heading"), "text"]


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["doc_number", "title", "issuer_name", "region", "issued_on"]
    list_filter = ["region"]
    search_fields = ["doc_number", "title", "issuer_name"]
    list_select_related = ["region"]
    inlines = [PolicyParagraphInline]


@admin.register(PolicyParagraph)
class PolicyParagraphAdmin(SimpleHistoryAdmin):
    """Searchable, so a standard picks its paragraph by 文号 or words of the text."""

    list_display = ["__str__", "position"]
    list_select_related = ["document"]
    search_fields = ["document__doc_number", "number", "heading", "text"]


@admin.register(AllocationStandard)
class AllocationStandardAdmin(SimpleHistoryAdmin):
    list_display = ["name", "base_amount", "unit", "ratio_text", "region", "doc_number"]
    list_filter = ["region"]
    list_select_related = ["region", "paragraph__document"]
    search_fields = ["name", "source_document", "paragraph__document__doc_number"]
    autocomplete_fields = ["paragraph"]

    @admin.display(description=_("政策依据文号"))
    def doc_number(self, obj: AllocationStandard) -> str:
        return obj.doc_number

    @admin.display(description=_("分担比例"))
    def ratio_text(self, obj: AllocationStandard) -> str:
        return obj.ratio_text


@admin.register(BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = ["notice", "source", "budget_kind", "amount", "unit", "function_code"]
    list_filter = ["budget_kind"]
    list_select_related = ["notice", "function_code"]


@admin.register(NoticeParagraph)
class NoticeParagraphAdmin(SimpleHistoryAdmin):
    list_display = ["notice", "position", "numbered", "__str__"]
    list_select_related = ["notice"]


@admin.register(NoticeRecipient)
class NoticeRecipientAdmin(admin.ModelAdmin):
    list_display = ["notice", "organisation", "position"]
    list_select_related = ["notice", "organisation"]


@admin.register(NoticeAttachment)
class NoticeAttachmentAdmin(admin.ModelAdmin):
    list_display = ["notice", "position", "title", "allocation_table", "target_table"]
    list_select_related = ["notice", "allocation_table", "target_table"]
    raw_id_fields = ["allocation_table", "target_table"]


@admin.register(AllocationColumn)
class AllocationColumnAdmin(SimpleHistoryAdmin):
    list_display = [
        "table",
        "position",
        "kind",
        "label",
        "standard",
        "share_side",
        "standard_amount",
    ]
    list_select_related = ["table", "standard"]


@admin.register(AllocationCell)
class AllocationCellAdmin(SimpleHistoryAdmin):
    list_display = ["row", "column", "count", "amount"]
    list_select_related = ["row", "column"]


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(admin.ModelAdmin):
    """Administrators set an issuer's padding (0296 → 4 digits) or move a series on."""

    list_display = ["issuer_code", "year", "last_serial", "serial_width"]
    list_filter = ["year"]
    search_fields = ["issuer_code"]
