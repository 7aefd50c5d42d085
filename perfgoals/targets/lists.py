"""The target-table list: scoped rows, filters, sortable columns, pages and export as shown.

Rows come only from target_tables_visible_to(user); the filter choices (organisations,
notices, years) are drawn from the same scope, so a bureau never learns another
organisation's names through a drop-down either.
"""

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import django_filters
import django_tables2 as tables
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import (
    Case,
    DecimalField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django_filters.constants import EMPTY_VALUES
from django_filters.views import FilterView

from allocations.models import FundNotice
from allocations.selectors import cited_notices_visible_to
from perfgoals.display import amount_with_unit, unit_label
from perfgoals.models import TargetTable, User
from perfgoals.money import TEN_THOUSAND, AmountUnit
from perfgoals.paging import ListFilterSet, ListPaginator, prepared_rows, table_head
from perfgoals.prepared import PreparedReads
from perfgoals.selectors import (
    scope_key,
    table_is_editable_by,
    target_tables_visible_to,
)
from perfgoals.spreadsheets import (
    ListExport,
    export_query,
    export_response,
    requested_export_format,
)
from perfgoals.targets.creation import may_create
from perfgoals.targets.selectors import target_tables_for_list

PER_PAGE = 25
# What a row prints and exports. The full table with its organisation and notice is 85
# columns, whose SELECT costs more to compile than to run.
LIST_COLUMNS = (
    "project_name",
    "project_code",
    "organisation__name",
    "year",
    "layout",
    "amount_total",
    "amount_unit",
    "status",
    "updated_at",
)
# What get_layout_display() and get_status_display() print, without rebuilding a dict of every
# choice on each call (a thousand Python calls on a page of 25 rows).
LAYOUT_LABELS = dict(TargetTable.Layout.choices)
STATUS_LABELS = dict(TargetTable.Status.choices)
STATUS_RANK = {
    TargetTable.Status.DRAFT: 1,
    TargetTable.Status.RETURNED: 2,
    TargetTable.Status.SUBMITTED: 3,
    TargetTable.Status.FIRST_PASSED: 4,
    TargetTable.Status.APPROVED: 5,
    TargetTable.Status.REJECTED: 6,
}


def table_edit_url(pk: int) -> str:
    return reverse("tables:edit", args=[pk])


# What the visible tables hold, for the filters' choices: read through the scope, whose SQL
# is compiled once per thread and scope key.
_held_reads = PreparedReads()
# The notices those tables cite, for the notice filter's choices.
_cited_reads = PreparedReads()
# The first page of an unfiltered list, by scope key and sort.
_page_reads = PreparedReads()


class TargetTableFilter(ListFilterSet):
    q = django_filters.CharFilter(label="项目名称或编码", method="filter_text", max_length=100)
    year = django_filters.ChoiceFilter(label="年度", empty_label="全部年度")
    organisation = django_filters.ChoiceFilter(label="填报单位", empty_label="全部单位")
    notice = django_filters.ChoiceFilter(label="资金下达通知", empty_label="全部通知")
    layout = django_filters.ChoiceFilter(
        label="表样", choices=TargetTable.Layout.choices, empty_label="全部表样"
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=TargetTable.Status.choices, empty_label="全部状态"
    )

    class Meta:
        model = TargetTable
        fields = ["q", "year", "organisation", "notice", "layout", "status"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        # Choices come from the user's scope: a value outside it fails validation, and the
        # strict FilterView then shows no rows rather than another organisation's. One read
        # of what the visible tables hold gives all three filters' choices (the scope costs
        # more to compile and plan than to run, so it is not repeated per filter).
        user = request.user
        held = _held_reads.list(
            scope_key(user),
            lambda: (
                target_tables_visible_to(user)
                .order_by()
                .values_list("organisation_id", "organisation__name", "notice_id", "year")
                .distinct()
            ),
        )
        # The organisations come with the tables, by name (the scope joins them anyway).
        organisations = {(pk, name) for pk, name, _, _ in held}
        self.filters["organisation"].extra["choices"] = sorted(
            organisations, key=lambda choice: (choice[1], choice[0])
        )
        cited_ids = {notice for _, _, notice, _ in held if notice is not None}

        # Read when the form is printed or a notice is chosen, not for an export. An option
        # prints str(notice), its 文号 and title: not the notice's 27 columns.
        @functools.cache
        def notice_choices() -> list[tuple[int, str]]:
            cited = _cited_reads.list(
                scope_key(user),
                lambda ids: cited_notices_visible_to(user, ids).only(*FundNotice.LABEL_FIELDS),
                cited_ids,
            )
            return [(notice.pk, str(notice)) for notice in cited]

        self.filters["notice"].extra["choices"] = notice_choices
        years = sorted({year for _, _, _, year in held}, reverse=True)
        self.filters["year"].extra["choices"] = [(year, f"{year}年") for year in years]

    @property
    def narrows(self) -> bool:
        """Whether any filter applies (a refused one too: the strict view then shows no
        rows); otherwise the rows are all the user's scope."""
        return self.is_bound and (
            not self.is_valid()
            or any(value not in EMPTY_VALUES for value in self.form.cleaned_data.values())
        )

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(project_name__icontains=value) | Q(project_code__icontains=value))


class TargetTableTable(tables.Table):
    """The list's columns, headers and sorting; django-tables2 reads the sort and page from
    the request. The cells are `TableRow`s, printed by perfgoals/list_table.html."""

    project_name = tables.Column(verbose_name="项目名称", order_by=("project_name", "pk"))
    organisation = tables.Column(
        verbose_name="填报单位",
        accessor="organisation__name",
        order_by=("organisation__name", "pk"),
    )
    year = tables.Column(verbose_name="年度", order_by=("year", "pk"))
    layout = tables.Column(verbose_name="表样", order_by=("layout", "pk"))
    amount = tables.Column(
        verbose_name="资金总额",
        accessor="amount_total",
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )
    status = tables.Column(verbose_name="状态")
    updated_at = tables.DateTimeColumn(
        verbose_name="修改时间", format="Y-m-d H:i", order_by=("updated_at", "pk")
    )
    actions = tables.Column(verbose_name="操作", empty_values=(), orderable=False)

    class Meta:
        template_name = "perfgoals/list_table.html"
        attrs = {"class": "grid", "id": "target-tables"}
        empty_text = "没有符合条件的绩效目标表。"
        order_by_field = "sort"
        per_page = PER_PAGE

    def paginate(self, *args, per_page=None, **kwargs):
        # A fixed page size: ?per_page=100000 must not turn the page into a full export.
        return super().paginate(*args, per_page=PER_PAGE, **kwargs)

    def order_amount(self, queryset: QuerySet, is_descending: bool) -> tuple[QuerySet, bool]:
        # Compare in 元: 3.88万元 is more than 90,100元 although 3.88 < 90100.
        queryset = queryset.annotate(
            amount_yuan=Case(
                When(amount_unit=AmountUnit.WAN, then=F("amount_total") * Value(TEN_THOUSAND)),
                default=F("amount_total"),
                output_field=DecimalField(max_digits=20, decimal_places=2),
            )
        )
        key = F("amount_yuan")
        key = key.desc(nulls_last=True) if is_descending else key.asc(nulls_last=True)
        return queryset.order_by(key, "-pk" if is_descending else "pk"), True

    def order_status(self, queryset: QuerySet, is_descending: bool) -> tuple[QuerySet, bool]:
        # Workflow order (草稿 → 退回 → 待初审 → 待复审 → 已批准 → 未通过), not the codes.' order.
        queryset = queryset.annotate(
            status_rank=Case(
                *[When(status=status, then=Value(rank)) for status, rank in STATUS_RANK.items()],
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        fields = ("-status_rank", "-pk") if is_descending else ("status_rank", "pk")
        return queryset.order_by(*fields), True


@dataclass(frozen=True)
class TableRow:
    """One row of the list as printed. Worked out here once per row: django-tables2's own
    cells (an accessor, a render method called by signature and a link per cell) were a third
    of the page's time."""

    url: str
    edit_url: str  # empty unless the user may edit the table
    project_name: str
    project_code: str
    organisation: str
    year: int
    layout: str
    amount: str  # empty when the table states no amount
    status: str
    updated_at: datetime


def page_rows(table: TargetTableTable, user: User) -> list[TableRow]:
    rows = []
    for row in table.paginated_rows:
        record: TargetTable = row.record
        rows.append(
            TableRow(
                url=record.get_absolute_url(),
                edit_url=table_edit_url(record.pk) if table_is_editable_by(record, user) else "",
                project_name=record.project_name,
                project_code=record.project_code,
                organisation=record.organisation.name,
                year=record.year,
                layout=LAYOUT_LABELS.get(record.layout, record.layout),
                amount=""
                if record.amount_total is None
                else amount_with_unit(record.amount_total, record.amount_unit, sep=" "),
                status=STATUS_LABELS.get(record.status, record.status),
                updated_at=record.updated_at,
            )
        )
    return rows


TARGET_TABLE_EXPORT = ListExport(
    headers=[
        "项目名称",
        "项目编码",
        "填报单位",
        "年度",
        "表样",
        "资金总额",
        "金额单位",
        "状态",
        "修改时间",
    ],
    widths=[48, 20, 30, 8, 24, 16, 10, 14, 18],
    title="绩效目标表",
)


def export_rows(table: TargetTableTable) -> list[list[Any]]:
    """The table's rows in its current filter and sort order, as typed values."""
    rows = []
    for row in table.rows:
        record: TargetTable = row.record
        rows.append(
            [
                record.project_name,
                record.project_code,
                record.organisation.name,
                record.year,
                str(record.get_layout_display()),
                record.amount_total,
                unit_label(record.amount_unit),
                str(record.get_status_display()),
                timezone.localtime(record.updated_at).replace(tzinfo=None),
            ]
        )
    return rows


class TargetTableListView(LoginRequiredMixin, tables.SingleTableMixin, FilterView):
    table_class = TargetTableTable
    filterset_class = TargetTableFilter
    template_name = "perfgoals/list.html"
    table_pagination = {"per_page": PER_PAGE, "paginator_class": ListPaginator}

    def get_queryset(self) -> QuerySet[TargetTable]:
        return target_tables_for_list(user=self.request.user, columns=LIST_COLUMNS)

    @property
    def export_format(self) -> str | None:
        return requested_export_format(self.request)

    def get_table_pagination(self, table):
        if self.export_format:
            return False
        pagination = super().get_table_pagination(table)
        if not self.filterset.narrows:
            # The rows are the scope's: target_tables_for_list is built by these alone.
            key = (scope_key(self.request.user), LIST_COLUMNS)
            pagination = {**pagination, "first_rows": prepared_rows(table, _page_reads, key)}
        return pagination

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if not self.export_format:
            context["rows"] = page_rows(context["table"], self.request.user)
            context["table_head"] = table_head(context["table"], self.request.GET)
        context["export_query"] = export_query(self.request)
        context["can_create"] = may_create(self.request.user)
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        fmt = self.export_format
        if fmt is None:
            return super().render_to_response(context, **kwargs)
        return export_response(TARGET_TABLE_EXPORT, export_rows(context["table"]), fmt)


table_list = TargetTableListView.as_view()
