"""perfgoals.paging.ListPaginator: a list that fits on its first page is counted from it."""

import pytest
from django.core.paginator import EmptyPage

from perfgoals.models import Organisation
from perfgoals.paging import ListPaginator
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
