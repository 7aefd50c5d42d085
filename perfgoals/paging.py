"""The list pages' paginator, which counts no rows it can tell without a COUNT, their
header row and their filters' base class.

Kernel: imports Django, django-tables2 and django-filter only.
"""

import copy
from collections.abc import Callable
from urllib.parse import urlencode

import django_filters
from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django_filters.filters import Filter
from django_tables2 import Table
from django_tables2.rows import BoundRow
from django_tables2.utils import AttributeDict

from perfgoals.prepared import PreparedReads


class ListPaginator(Paginator):
    """A Paginator that is told how many rows there are when the caller knows them
    (`count`), and otherwise reads the first page before counting: a list that fits on one
    page, as most bureaus' lists do, is counted from the rows it shows. Only a longer list
    costs a COUNT, and its first page is not read twice. `first_rows(n)`, when given, reads
    the first n rows in place of slicing the list (prepared_rows)."""

    def __init__(
        self,
        *args,
        count: int | None = None,
        first_rows: Callable[[int], list] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.known_count = count
        self.first_rows = first_rows

    @cached_property
    def count(self) -> int:
        if self.known_count is None:
            return super().count
        return self.known_count

    def page(self, number) -> Page:
        if (
            str(number) != "1"
            or "count" in self.__dict__
            or self.orphans
            or not self.allow_empty_first_page
        ):
            return super().page(number)
        # One row more than a page tells whether there is a second page.
        n = self.per_page + 1
        rows = self.first_rows(n) if self.first_rows else list(self.object_list[:n])
        if len(rows) <= self.per_page:
            self.count = len(rows)
        return self._get_page(rows[: self.per_page], 1, self)


def prepared_rows(table: Table, reads: PreparedReads, key: tuple) -> Callable[[int], list]:
    """ListPaginator's `first_rows` for a django-tables2 table without pinned rows whose
    queryset, before its sort, is a function of `key` alone (a scope's key: no filter
    applied). The rows' SQL is compiled once per thread, key, sort and number of rows
    (PreparedReads): building and compiling it was 12 % of an unfiltered /tables/."""

    def first_rows(n: int) -> list[BoundRow]:
        # The sort is the request's, set on the table after the paginator was configured.
        order = tuple(table.order_by or ())
        records = reads.list((*key, order, n), lambda: table.data.data[:n])
        return [BoundRow(record, table=table) for record in records]

    return first_rows


def table_head(table: Table, query: QueryDict) -> SafeString:
    """The `<thead>` of a django-tables2 table, as its table.html prints it, and the sorted
    column's `aria-sort`, which it does not print (a screen reader names the column the rows
    follow). Printed in Python: through the template engine each header cell resolved its
    attributes, sort link and label apart, about 8 % of a list page's time."""
    params = dict(query)  # every value a list, as urlencode(doseq=True) takes it
    field = table.prefixed_order_by_field
    cells = []
    for column in table.columns:
        label = conditional_escape(column.header)
        if column.orderable:
            params[field] = column.order_by_alias.next
            label = f'<a href="{escape("?" + urlencode(params, doseq=True))}">{label}</a>'
        sort = ""
        if column.is_ordered:
            direction = "descending" if column.order_by_alias.is_descending else "ascending"
            sort = f' aria-sort="{direction}"'
        cells.append(f"<th{_attributes(column.attrs['th'])}{sort}>{label}</th>")
    return mark_safe(f"<thead><tr>{''.join(cells)}</tr></thead>")


def _attributes(attrs: AttributeDict) -> str:
    """AttributeDict.as_html with its leading space, or nothing: the same attributes (None
    and django-tables2's own keys left out; BoundColumn.attrs has called any callable), without
    format_html_join's SafeString per pair."""
    printed = []
    for name, value in attrs.items():
        if value is not None and name not in AttributeDict.blacklist:
            printed.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(printed)


class _Filters(dict):
    def __deepcopy__(self, memo) -> dict:
        return {name: _own_filter(item) for name, item in self.items()}


def _own_filter(item: Filter) -> Filter:
    own = copy.copy(item)
    own.extra = dict(item.extra)
    own.__dict__.pop("_field", None)  # made from `extra` when the form asks for it
    # A method filter's FilterMethod calls back through its filter's filterset: this copy's.
    own.method = item.method
    return own


class _FieldsOfOneForm(dict):
    """The fields of a form class made for one filterset: the form is their only user."""

    def __deepcopy__(self, memo) -> dict:
        return dict(self)


class ListFilterSet(django_filters.FilterSet):
    """A FilterSet that copies its filters and fields once per request, not three times.

    django-filter deep-copies the class's filters for each filterset (every choice list
    with them), makes each filter's form field from its copy, then the form deep-copies those
    fields again: a filterset's own choices and fields, made for it alone, copied whole twice.
    Here each filterset gets shallow copies of the filters with their own `extra` (which
    views set per request), and its form takes the fields made for it as they are."""

    @classmethod
    def get_filters(cls):
        return _Filters(super().get_filters())

    def get_form_class(self):
        form_class = super().get_form_class()
        form_class.base_fields = _FieldsOfOneForm(form_class.base_fields)
        return form_class
