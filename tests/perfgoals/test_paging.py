"""perfgoals.paging.ListPaginator: a list that fits on its first page is counted from it."""

import re

import django_filters
import django_tables2 as tables
import pytest
from django.core.paginator import EmptyPage
from django.template import RequestContext, Template
from django.test import RequestFactory
from django_tables2 import RequestConfig

from perfgoals.models import Organisation, Region
from perfgoals.paging import ListFilterSet, ListPaginator, table_head
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations():
    made = OrganisationFactory.create_batch(7)
    return Organisation.objects.filter(pk__in=[o.pk for o in made]).order_by("pk")


def test_a_list_that_fits_is_counted_from_its_first_page(organisations, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = ListPaginator(organisations, 10).page(1)
        assert len(page.object_list) == 7
        assert page.paginator.count == 7 and page.paginator.num_pages == 1
        assert not page.has_next()
    assert list(page.object_list) == list(organisations)


def test_a_longer_list_is_counted_and_its_first_page_read_once(
    organisations, django_assert_num_queries
):
    first = [o.pk for o in organisations[:3]]
    with django_assert_num_queries(2):
        page = ListPaginator(organisations, 3).page("1")
        assert [o.pk for o in page.object_list] == first
        assert page.paginator.count == 7 and page.paginator.num_pages == 3
        assert page.has_next()


def test_a_list_of_exactly_one_page_has_no_second(organisations, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = ListPaginator(organisations, 7).page(1)
        assert page.paginator.count == 7 and not page.has_next()


def test_later_pages_and_a_known_count_read_as_a_paginator_does(
    organisations, django_assert_num_queries
):
    page = ListPaginator(organisations, 3).page(3)
    assert [o.pk for o in page.object_list] == [organisations[6].pk]
    with pytest.raises(EmptyPage):
        ListPaginator(organisations, 3).page(4)
    with django_assert_num_queries(1):
        page = ListPaginator(organisations, 3, count=7).page(2)
        assert len(page.object_list) == 3 and page.paginator.num_pages == 3


def test_an_empty_list_is_one_empty_page_unless_refused():
    empty = Organisation.objects.none()
    page = ListPaginator(empty, 10).page(1)
    assert list(page.object_list) == [] and page.paginator.count == 0
    with pytest.raises(EmptyPage):
        ListPaginator(empty, 10, allow_empty_first_page=False).page(1)


class _Head(tables.Table):
    """Every kind of header cell: sorted by default, by a custom key, with attributes (one
    computed, one None), not sortable, and a header needing escape."""

    name = tables.Column(verbose_name="名称", order_by=("name", "pk"))
    unit_code = tables.Column(
        verbose_name="编码 <b>&",
        attrs={"th": {"class": "num", "data-x": lambda: 'a"b', "title": None}},
    )
    region = tables.Column(verbose_name="区域", accessor="region__name")
    actions = tables.Column(verbose_name="操作", empty_values=(), orderable=False)

    class Meta:
        model = Organisation
        fields = ("name", "unit_code", "region", "actions")
        order_by_field = "sort"
        attrs = {"class": "grid", "thead": {"class": "ignored"}}
        template_name = "django_tables2/table.html"  # what _row_table.html extends


def _django_tables2_head(table, request) -> str:
    """What django-tables2's table.html prints for the header, whitespace folded."""
    html = Template("{% load django_tables2 %}{% render_table table %}").render(
        RequestContext(request, {"table": table})
    )
    head = re.search(r"<thead.*?</thead>", html, re.S).group(0)
    head = re.sub(r"\s+", " ", head)
    return (
        re.sub(r"\s*([<>])\s*", r"\1", head)
        .replace("<th >", "<th>")
        .replace('<thead class="ignored">', "<thead>")
    )


@pytest.mark.parametrize(
    "query",
    ["", "sort=name", "sort=-unit_code&q=a%26b&q=c", "sort=-region&page=3", "sort=nonsense"],
)
def test_the_header_prints_what_django_tables2_prints_and_the_sorted_column(query):
    request = RequestFactory().get("/list/?" + query)
    table = _Head(Organisation.objects.none())
    RequestConfig(request, paginate=False).configure(table)

    head = str(table_head(table, request.GET))

    assert re.sub(r' aria-sort="\w+"', "", head) == _django_tables2_head(table, request)
    sorted_by = request.GET.get("sort", "")
    expected = {
        "name": ["名称", "ascending"],
        "-unit_code": ["编码 &lt;b&gt;&amp;", "descending"],
        "-region": ["区域", "descending"],
    }.get(sorted_by)
    found = re.findall(r'<th[^>]*aria-sort="(\w+)"[^>]*>(?:<a[^>]*>)?([^<]*)', head)
    assert found == ([(expected[1], expected[0])] if expected else [])


def test_the_sort_links_keep_the_query_and_print_it_escaped():
    request = RequestFactory().get("/list/?q=a%26b&q=%3Cc%3E&sort=name")
    table = _Head(Organisation.objects.none())
    RequestConfig(request, paginate=False).configure(table)

    head = str(table_head(table, request.GET))

    assert '<a href="?q=a%26b&amp;q=%3Cc%3E&amp;sort=-name">名称</a>' in head
    assert '<a href="?q=a%26b&amp;q=%3Cc%3E&amp;sort=region">区域</a>' in head
    assert '<th class="num orderable" data-x="a&quot;b"><a' in head
    assert "<th>操作</th>" in head


def test_first_rows_reads_the_first_page_and_one_row_more(organisations, django_assert_num_queries):
    asked = []

    def first_rows(n):
        asked.append(n)
        return list(organisations[:n])

    paginator = ListPaginator(organisations, 5, first_rows=first_rows)
    with django_assert_num_queries(2):  # the rows, then the count: 7 do not fit
        page = paginator.page(1)
        assert paginator.count == 7
    assert asked == [6]
    assert list(page) == list(organisations[:5])
    assert list(ListPaginator(organisations, 5, first_rows=first_rows).page(2)) == list(
        organisations[5:]
    )
    assert asked == [6]  # later pages are the list's slices


class _Stock(django_filters.FilterSet):
    """One filter of each kind the lists use: text by a method, a choice whose choices a
    view sets per request, and a model choice."""

    q = django_filters.CharFilter(method="filter_name", max_length=20)
    kind = django_filters.ChoiceFilter(choices=[("x", "未用")], empty_label="全部")
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.none())

    class Meta:
        model = Organisation
        fields = ["q", "kind", "region"]

    def __init__(self, *args, kinds, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["kind"].extra["choices"] = kinds
        self.filters["region"].queryset = regions

    def filter_name(self, queryset, name, value):
        return queryset.filter(name__contains=value)


class _Listed(ListFilterSet, _Stock):
    pass


@pytest.mark.parametrize(
    "data",
    [None, {}, {"q": "卫生"}, {"kind": "bureau"}, {"kind": "finance", "q": "县"}, {"kind": "x"}],
)
def test_a_list_filterset_filters_prints_and_refuses_as_django_filters_own(organisations, data):
    kinds = [("bureau", "主管部门"), ("finance", "财政部门")]
    regions = Region.objects.filter(pk__in=[o.region_id for o in organisations]).order_by("pk")
    stock = _Stock(data, queryset=organisations, kinds=kinds, regions=regions)
    listed = _Listed(data, queryset=organisations, kinds=kinds, regions=regions)

    assert list(listed.qs) == list(stock.qs)
    assert listed.form.as_div() == stock.form.as_div()
    assert listed.errors == stock.errors


def test_each_list_filterset_has_its_own_filters_fields_and_methods(organisations):
    regions = Region.objects.all()
    first = _Listed({"q": "甲"}, queryset=organisations, kinds=[("bureau", "甲")], regions=regions)
    second = _Listed(
        {"q": "乙"}, queryset=organisations, kinds=[("finance", "乙")], regions=regions
    )

    for name in ("q", "kind", "region"):
        assert first.filters[name] is not second.filters[name]
        assert first.filters[name] is not _Listed.base_filters[name]
        assert first.form.fields[name] is not second.form.fields[name]
    assert first.filters["kind"].extra["choices"] == [("bureau", "甲")]
    assert _Listed.base_filters["kind"].extra["choices"] == [("x", "未用")]
    # The text filter's method runs on its own filterset's value.
    OrganisationFactory(name="甲乙单位")
    assert list(first.qs) == list(organisations.filter(name__contains="甲"))
    assert list(second.qs) == list(organisations.filter(name__contains="乙"))
    assert first.filters["q"].filter.f is first.filters["q"]
