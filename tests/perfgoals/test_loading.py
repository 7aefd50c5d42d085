"""Rows loaded without Model.__init__ (perfgoals/loading.py): the same instances as
Django's own loading, deferred columns still loaded on access, and Django's loading kept for
a model whose init signals have receivers."""

import pytest
from django.apps import apps
from django.db.models import Model
from django.db.models.signals import post_init, pre_init

from allocations.models import NoticeRecipient
from indicators.models import PerformanceIndicator
from perfgoals.loading import FastLoading
from perfgoals.models import TargetTable, User


def as_django_loads(model, queryset):
    """The instances Model.from_db builds for the same rows."""
    original = Model.from_db.__func__
    return [
        original(model, row._state.db, list(vars_of(row)), list(vars_of(row).values()))
        for row in queryset
    ]


def vars_of(instance) -> dict:
    return {k: v for k, v in vars(instance).items() if k != "_state"}


@pytest.mark.parametrize("model", [PerformanceIndicator, TargetTable, User])
def test_a_loaded_row_is_the_instance_django_builds(demo, model):
    rows = list(model.objects.order_by("pk")[:5])
    assert rows and all(type(row) is model for row in rows)
    for fast, django in zip(rows, as_django_loads(model, rows), strict=True):
        assert vars_of(fast) == vars_of(django)
        assert len(vars_of(fast)) == len(model._meta.concrete_fields)
        assert (fast._state.adding, fast._state.db) == (False, "default")
        assert fast == django and fast.pk is not None


def test_deferred_columns_stay_unloaded_until_read(demo, django_assert_num_queries):
    full = PerformanceIndicator.objects.exclude(value_text="").order_by("pk").first()
    row = PerformanceIndicator.objects.only("name", "table_id").get(pk=full.pk)
    assert set(vars_of(row)) == {"id", "name", "table_id"}
    assert "value_text" in row.get_deferred_fields()
    with django_assert_num_queries(1):
        assert row.value_text == full.value_text


def test_joined_rows_load_the_same_way(demo, django_assert_num_queries):
    link = NoticeRecipient.objects.select_related("organisation").order_by("pk").first()
    with django_assert_num_queries(0):
        organisation = link.organisation
    assert organisation.pk == link.organisation_id and not organisation._state.adding
    # A foreign key's id set in __dict__ still clears the cached object when it changes.
    link.organisation_id = organisation.pk + 1
    assert not NoticeRecipient.organisation.is_cached(link)


def test_a_model_whose_init_signals_have_receivers_loads_through_django(demo):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(receiver, sender=TargetTable)
    try:
        pks = [table.pk for table in TargetTable.objects.order_by("pk")]
    finally:
        post_init.disconnect(receiver, sender=TargetTable)
    assert seen == pks
    calls = []
    pre_init.connect(
        lambda **kwargs: calls.append(kwargs["args"]), sender=User, weak=False, dispatch_uid="t"
    )
    try:
        users = list(User.objects.all())
    finally:
        pre_init.disconnect(sender=User, dispatch_uid="t")
    assert len(calls) == len(users) > 0


def test_rows_load_without_model_init(demo, monkeypatch):
    def refused(self, *args, **kwargs):
        raise AssertionError("Model.__init__ ran for a loaded row")

    monkeypatch.setattr(Model, "__init__", refused)
    assert list(PerformanceIndicator.objects.select_related("table")[:3])


def test_every_model_of_ours_loads_this_way():
    ours = [
        model
        for model in apps.get_models()
        if model._meta.app_label in {"perfgoals", "indicators", "allocations", "exports"}
        and not model.__name__.startswith("Historical")
    ]
    assert len(ours) > 25
    assert [model.__name__ for model in ours if not issubclass(model, FastLoading)] == []
