from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import (
    FrameworkCategory,
    LibraryIndicator,
    LintAcknowledgement,
    PerformanceIndicator,
)


@admin.register(FrameworkCategory)
class FrameworkCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent", "generation", "synonyms", "position"]
    list_filter = ["generation", "level"]


@admin.register(PerformanceIndicator)
class PerformanceIndicatorAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "level",
        "value_text",
        "value_kind",
        "value_comparator",
        "value_number",
        "value_unit",
        "table",
    ]
    list_filter = ["level", "value_kind"]
    search_fields = ["name", "value_text"]
    list_select_related = ["table"]
    raw_id_fields = ["table", "parent", "basis_paragraph", "basis_notice"]


@admin.register(LibraryIndicator)
class LibraryIndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "first_level_name", "category_name", "fund_type", "use_count"]
    list_filter = ["fund_type", "first_level_name", "category_name"]
    search_fields = ["name", "description"]
    list_select_related = ["category"]
    raw_id_fields = ["category"]


@admin.register(LintAcknowledgement)
class LintAcknowledgementAdmin(SimpleHistoryAdmin):
    list_display = ["table", "code", "message", "acknowledged_by", "acknowledged_at"]
    list_filter = ["code"]
    search_fields = ["message"]
    list_select_related = ["table", "acknowledged_by"]
    raw_id_fields = ["table", "indicator", "acknowledged_by"]
