"""The checks' framework index, kept per process (indicators.selectors.framework_index): read
once, dropped when a category is saved or deleted here, read again within a minute when
another process changed it."""

import pytest
from django.urls import reverse

from indicators import selectors
from indicators.models import FrameworkCategory
from indicators.selectors import FRAMEWORK_INDEX_SECONDS, framework_index
from perfgoals.targets.checks import check_table
from tests.indicators.trees import make, of, tree

pytestmark = pytest.mark.django_db

SPELLING = "民生改善指标"


def _social(generation: str) -> FrameworkCategory:
    return FrameworkCategory.objects.get(generation=generation, level=2, name="社会效益指标")


def test_the_index_is_read_once_and_shared(django_assert_num_queries):
    with django_assert_num_queries(1):
        first = framework_index()
    with django_assert_num_queries(0):
        assert framework_index() is first


def test_a_synonym_an_administrator_adds_is_known_to_the_next_check(admin_client):
    table = make(tree(社会效益指标=SPELLING))
    assert of(check_table(table), "unknown_category")
    category = _social(table.framework_generation)
    response = admin_client.post(
        reverse("admin:indicators_frameworkcategory_change", args=[category.pk]),
        {
            "generation": category.generation,
            "level": category.level,
            "name": category.name,
            "parent": category.parent_id,
            "synonyms": f"{category.synonyms}、{SPELLING}",
            "position": category.position,
        },
    )
    assert response.status_code == 302
    assert not of(check_table(table), "unknown_category")


def test_a_deleted_category_leaves_the_index():
    category = _social("2015")
    assert framework_index().resolve("2015", 2, "社会效益指标") == category
    FrameworkCategory.objects.filter(pk=category.pk).delete()
    assert framework_index().resolve("2015", 2, "社会效益指标") is None


def test_a_change_in_another_process_is_read_within_a_minute(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])
    category = _social("2015")
    framework_index()
    # An UPDATE sends no signal: what another process's save looks like from here.
    FrameworkCategory.objects.filter(pk=category.pk).update(synonyms=SPELLING)
    clock[0] += FRAMEWORK_INDEX_SECONDS
    assert framework_index().resolve("2015", 2, SPELLING) is None
    clock[0] += 1
    assert framework_index().resolve("2015", 2, SPELLING) == category
